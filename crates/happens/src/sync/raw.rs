//! [`Word`]: a modelled machine word for the runtime's own primitives
//! (lock words, counters). Like an atomic, but it exposes its location so
//! that blocked threads can say what they wait for.

use std::panic::Location;

use happens_engine::{
    LoadOrd, LocId, Op, Reply, RmwKind, RmwOp, RmwOrd, StoreOrd, Then, Until, Width,
};

use crate::rt::{self, Slot};

/// Waits until `loc` holds a value `until` accepts, then does `then` (the
/// engine's `Op::Await`): waiting makes no executions of its own, and
/// `what` names the wait in a deadlock report. The reply always carries an
/// accepted value: a taking step that a revisit made read a rejected one
/// (another thread took the lock first) is tried again, and the thread
/// waits until it can take.
pub(crate) fn await_at(
    loc: LocId,
    until: Until,
    then: Then,
    what: &'static str,
    at: rt::Loc,
) -> Reply {
    rt::with(|c| {
        let mut st = c.st.borrow_mut();
        let cur = st.current;
        st.threads[cur].waiting = Some((loc, at, what));
    });
    let reply = loop {
        let reply = rt::op(Op::Await { loc, until, then }, at);
        if !rt::in_model() {
            // unwinding after the execution ended
            return reply;
        }
        // a take a revisit made fail (another thread took it first) is
        // tried again, when what it waits for is there again
        match reply.val() {
            Some(v) if !until.accepts(v) => continue,
            _ => break reply,
        }
    };
    rt::with(|c| {
        let mut st = c.st.borrow_mut();
        let cur = st.current;
        st.threads[cur].waiting = None;
    });
    reply
}

pub(crate) struct Word {
    slot: Slot,
    /// Value outside a model (single-threaded use).
    local: std::sync::atomic::AtomicU64,
}

impl Word {
    #[track_caller]
    pub fn new(v: u64, kind: &'static str) -> Word {
        Word {
            slot: Slot::new(rt::Kind::named(kind), v, true),
            local: std::sync::atomic::AtomicU64::new(v),
        }
    }

    /// A word for a `static` (see `Atom::new_static`).
    #[track_caller]
    pub const fn new_static(v: u64, kind: &'static str) -> Word {
        Word {
            slot: Slot::new_static(rt::Kind::named(kind)),
            local: std::sync::atomic::AtomicU64::new(v),
        }
    }

    pub fn loc(&self, at: rt::Loc) -> Option<LocId> {
        rt::in_model().then(|| {
            let v = self.local.load(std::sync::atomic::Ordering::Relaxed);
            self.slot.loc(v, true, at).0
        })
    }

    pub fn load(&self, ord: LoadOrd, at: rt::Loc) -> u64 {
        match self.loc(at) {
            Some(loc) => rt::op(Op::Load { loc, ord }, at).val().unwrap(),
            None => self.local.load(std::sync::atomic::Ordering::SeqCst),
        }
    }

    pub fn store(&self, val: u64, ord: StoreOrd, at: rt::Loc) {
        match self.loc(at) {
            Some(loc) => {
                rt::op(Op::Store { loc, val, ord }, at);
            }
            None => self.local.store(val, std::sync::atomic::Ordering::SeqCst),
        }
    }

    pub fn rmw(&self, kind: RmwKind, operand: u64, ord: RmwOrd, at: rt::Loc) -> u64 {
        let op = RmwOp {
            kind,
            operand,
            width: Width::U64,
        };
        match self.loc(at) {
            Some(loc) => rt::op(Op::Rmw { loc, op, ord }, at).val().unwrap(),
            None => {
                let old = self.local.load(std::sync::atomic::Ordering::SeqCst);
                self.local
                    .store(op.apply(old), std::sync::atomic::Ordering::SeqCst);
                old
            }
        }
    }

    pub fn cas(&self, expected: u64, new: u64, success: RmwOrd, at: rt::Loc) -> Result<u64, u64> {
        match self.loc(at) {
            Some(loc) => match rt::op(
                Op::Cas {
                    loc,
                    expected,
                    new,
                    success,
                    failure: LoadOrd::Relaxed,
                    weak: false,
                },
                at,
            ) {
                Reply::Cas { old, ok: true } => Ok(old),
                Reply::Cas { old, .. } => Err(old),
                r => panic!("happens: unexpected reply {r:?} to a compare-exchange"),
            },
            None => {
                let old = self.local.load(std::sync::atomic::Ordering::SeqCst);
                if old == expected {
                    self.local.store(new, std::sync::atomic::Ordering::SeqCst);
                    Ok(old)
                } else {
                    Err(old)
                }
            }
        }
    }

    /// Waits until this word holds a value `until` accepts, then does
    /// `then` (see [`await_at`]). Outside a model the value must already
    /// be accepted.
    pub fn await_(&self, until: Until, then: Then, what: &'static str, at: rt::Loc) -> Reply {
        let Some(loc) = self.loc(at) else {
            use std::sync::atomic::Ordering::SeqCst;
            let old = self.local.load(SeqCst);
            assert!(
                until.accepts(old),
                "happens: a {what} would block forever outside a model"
            );
            return match then {
                Then::Load(_) => Reply::Val(old),
                Then::Rmw { op, .. } => {
                    let new = op.apply(old);
                    self.local.store(new, SeqCst);
                    Reply::Rmw { old, new }
                }
                Then::Cas { expected, new, .. } => {
                    let ok = old == expected;
                    if ok {
                        self.local.store(new, SeqCst);
                    }
                    Reply::Cas { old, ok }
                }
            };
        };
        await_at(loc, until, then, what, at)
    }

    /// Records the current thread as the holder of this lock word.
    pub fn set_owner(&self, at: rt::Loc) {
        if let Some(loc) = self.loc(at) {
            rt::with(|c| {
                let mut st = c.st.borrow_mut();
                let cur = st.current;
                st.owners.insert(loc.0, (cur, at));
            });
        }
    }

    pub fn clear_owner(&self) {
        if rt::in_model() {
            let at = Location::caller();
            if let Some(loc) = self.loc(at) {
                rt::with(|c| c.st.borrow_mut().owners.remove(&loc.0));
            }
        }
    }
}
