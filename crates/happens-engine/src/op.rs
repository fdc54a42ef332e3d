//! What a program asks the engine to do ([`Op`]) and what it gets back
//! ([`Reply`]). A front-end (the litmus interpreter, or the runtime that runs
//! real Rust closures as coroutines) turns each shared-memory operation of a
//! modelled thread into one `Op`.

use crate::event::{ReadAccess, Write, WriteKind};
use crate::ids::{LocId, Site, ThreadId};
use crate::order::{FenceOrd, LoadOrd, RmwOrd, StoreOrd};

/// A value in memory: raw bits. Front-ends decide how to read them (signed
/// litmus integers, `usize`, pointers); [`Width`] says how RMWs interpret them.
pub type Val = u64;

/// How a read-modify-write interprets the bits of a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Width {
    /// 8, 16, 32 or 64.
    pub bits: u8,
    /// Whether `Max`/`Min` compare as signed integers.
    pub signed: bool,
}

impl Width {
    pub const I64: Width = Width {
        bits: 64,
        signed: true,
    };
    pub const U64: Width = Width {
        bits: 64,
        signed: false,
    };

    fn mask(self) -> u64 {
        if self.bits >= 64 {
            u64::MAX
        } else {
            (1u64 << self.bits) - 1
        }
    }

    /// Sign- or zero-extends the low `bits` of `v` to an i128 for comparison.
    fn extend(self, v: Val) -> i128 {
        let v = v & self.mask();
        if self.signed && self.bits < 64 {
            let shift = 64 - self.bits as u32;
            (((v << shift) as i64) >> shift) as i128
        } else if self.signed {
            v as i64 as i128
        } else {
            v as i128
        }
    }

    /// Truncates `v` to the width (kept sign-extended for signed widths, so
    /// that a litmus `-1` stays `u64::MAX`).
    pub fn wrap(self, v: Val) -> Val {
        if self.bits >= 64 {
            v
        } else if self.signed {
            self.extend(v) as i64 as u64
        } else {
            v & self.mask()
        }
    }
}

/// The arithmetic of a read-modify-write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RmwKind {
    Swap,
    Add,
    Sub,
    And,
    Or,
    Xor,
    Nand,
    Max,
    Min,
    /// A condition variable's word ([`condvar`]): one more wakeup if a
    /// waiter lacks one (`notify_one`), which starts a new generation.
    Signal,
    /// Of the same word: a wakeup for every waiter (`notify_all`), in a
    /// new generation if any was handed out.
    Broadcast,
    /// Of the same word: a waiter leaves, taking a wakeup if there is one
    /// it may take (the `operand` is the generation it registered in).
    Leave,
    /// A barrier's generation and arrivals (high and low 32 bits): one more
    /// arrival; the `operand`-th starts the next generation with none.
    Arrive,
    /// A reader-writer lock's word: one more reader, unless the word is
    /// `operand` (held by a writer).
    Enter,
}

const LO: u64 = 0xffff_ffff;

/// The layout of a condition variable's word: the wakeups handed out and
/// not yet taken (low 20 bits), the waiting threads (the next 20 bits, one
/// [`condvar::WAITER`] each), and the generation (the high 24 bits), which
/// every notification that hands out a wakeup advances. A waiter may take
/// a wakeup only in a generation later than the one it registered in: a
/// wakeup goes to a thread that was waiting when it was handed out, never
/// to one that came later (as in `std`).
pub mod condvar {
    use super::Val;
    pub const WAKEUPS: Val = (1 << 20) - 1;
    pub const WAITER: Val = 1 << 20;
    pub const WAITERS: Val = ((1 << 40) - 1) & !WAKEUPS;
    pub const GENERATION: Val = 1 << 40;
    pub const GENERATIONS: Val = !((1 << 40) - 1);

    pub(crate) fn waiters(v: Val) -> Val {
        (v & WAITERS) >> 20
    }

    /// Whether a waiter that registered in generation `since` (the word's
    /// generation bits then) may take a wakeup from the word `v`.
    pub fn may_take(v: Val, since: Val) -> bool {
        v & WAKEUPS > 0 && v & GENERATIONS != since
    }
}

/// A read-modify-write operation: `new = kind(old, operand)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RmwOp {
    pub kind: RmwKind,
    pub operand: Val,
    pub width: Width,
}

impl RmwOp {
    /// The value the RMW writes when it reads `old`.
    pub fn apply(self, old: Val) -> Val {
        let w = self.width;
        let b = self.operand;
        let r = match self.kind {
            RmwKind::Swap => b,
            RmwKind::Add => old.wrapping_add(b),
            RmwKind::Sub => old.wrapping_sub(b),
            RmwKind::And => old & b,
            RmwKind::Or => old | b,
            RmwKind::Xor => old ^ b,
            RmwKind::Nand => !(old & b),
            RmwKind::Max => {
                if w.extend(old) >= w.extend(b) {
                    old
                } else {
                    b
                }
            }
            RmwKind::Min => {
                if w.extend(old) <= w.extend(b) {
                    old
                } else {
                    b
                }
            }
            RmwKind::Signal if old & condvar::WAKEUPS < condvar::waiters(old) => {
                old.wrapping_add(condvar::GENERATION) + 1
            }
            RmwKind::Signal => old,
            RmwKind::Broadcast if old & condvar::WAKEUPS < condvar::waiters(old) => {
                (old & !condvar::WAKEUPS).wrapping_add(condvar::GENERATION) | condvar::waiters(old)
            }
            RmwKind::Broadcast => old,
            RmwKind::Leave if condvar::may_take(old, b) => old - condvar::WAITER - 1,
            RmwKind::Leave => old - condvar::WAITER,
            RmwKind::Arrive if (old & LO) + 1 >= b => ((old >> 32) + 1) << 32,
            RmwKind::Arrive => old + 1,
            RmwKind::Enter if old != b => old + 1,
            RmwKind::Enter => old,
        };
        w.wrap(r)
    }

    pub fn name(self) -> &'static str {
        match self.kind {
            RmwKind::Swap => "swap",
            RmwKind::Add => "fetch_add",
            RmwKind::Sub => "fetch_sub",
            RmwKind::And => "fetch_and",
            RmwKind::Or => "fetch_or",
            RmwKind::Xor => "fetch_xor",
            RmwKind::Nand => "fetch_nand",
            RmwKind::Max => "fetch_max",
            RmwKind::Min => "fetch_min",
            RmwKind::Signal => "notify_one",
            RmwKind::Broadcast => "notify_all",
            RmwKind::Leave => "leave",
            RmwKind::Arrive => "arrive",
            RmwKind::Enter => "enter",
        }
    }
}

/// What an [`Op::Await`] waits for: a condition on its location's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Until {
    /// The value is this one.
    Is(Val),
    /// The value is one of these two.
    Either(Val, Val),
    /// The counter in the bits of `mask` reached `count`, or the value is
    /// `or` (a channel's sent messages, or its closing).
    Reached { mask: Val, count: Val, or: Val },
    /// The value is not this one.
    IsNot(Val),
    /// No bit of the mask is set.
    Clear(Val),
    /// Some bit of the mask is set.
    Set(Val),
    /// Some bit of `set` is set, and the bits of `field` are not `from`
    /// (a condition variable's wakeup in a later generation than the
    /// waiter's own: see [`condvar`]).
    SetSince { set: Val, field: Val, from: Val },
}

impl Until {
    pub fn accepts(self, v: Val) -> bool {
        match self {
            Until::Is(x) => v == x,
            Until::Either(x, y) => v == x || v == y,
            Until::Reached { mask, count, or } => v & mask >= count || v == or,
            Until::IsNot(x) => v != x,
            Until::Clear(m) => v & m == 0,
            Until::Set(m) => v & m != 0,
            Until::SetSince { set, field, from } => v & set != 0 && v & field != from,
        }
    }
}

/// The access an [`Op::Await`] makes once its condition holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Then {
    /// Read the value (replied with [`Reply::Val`]).
    Load(LoadOrd),
    /// Read it and write `op` of it, atomically (replied with [`Reply::Val`]).
    Rmw { op: RmwOp, ord: RmwOrd },
    /// Write `new` if it is `expected` (replied with [`Reply::Cas`]).
    Cas {
        expected: Val,
        new: Val,
        success: RmwOrd,
        failure: LoadOrd,
    },
}

impl Then {
    /// The read's ordering and kind.
    pub fn access(self) -> (LoadOrd, ReadAccess) {
        match self {
            Then::Load(ord) => (ord, ReadAccess::Load),
            Then::Rmw { op, ord } => (ord.load(), ReadAccess::Rmw { op, ord }),
            Then::Cas {
                expected,
                new,
                success,
                failure,
            } => (
                failure,
                ReadAccess::Cas {
                    expected,
                    new,
                    success,
                    failure,
                    weak: false,
                },
            ),
        }
    }

    /// The same access as an ordinary operation on `loc`.
    pub fn op(self, loc: LocId) -> Op {
        match self {
            Then::Load(ord) => Op::Load { loc, ord },
            Then::Rmw { op, ord } => Op::Rmw { loc, op, ord },
            Then::Cas {
                expected,
                new,
                success,
                failure,
            } => Op::Cas {
                loc,
                expected,
                new,
                success,
                failure,
                weak: false,
            },
        }
    }

    /// Whether it may write: then it *takes* what it waited for (a lock, a
    /// token), and two such accesses cannot take the same write.
    pub fn takes(self) -> bool {
        !matches!(self, Then::Load(_))
    }
}

/// Why a thread stops without finishing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BlockReason {
    /// `assume(false)`: a litmus `while` that gave up, or a spin loop whose
    /// iteration read nothing new (the thread waits for a write it could see).
    Assume,
    /// A spin-loop iteration changed nothing: the thread waits until another
    /// thread writes a location it read.
    Spin,
}

/// One operation of a modelled thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// Create a location holding `init`: the initialising write of this
    /// thread (an atomic one for an atomic object, so that only non-atomic
    /// accesses can race with it). Replied with [`Reply::Loc`].
    Alloc { init: Val, atomic: bool },
    /// Replied with [`Reply::Val`].
    Load { loc: LocId, ord: LoadOrd },
    /// Replied with [`Reply::Done`].
    Store { loc: LocId, val: Val, ord: StoreOrd },
    /// Replied with [`Reply::Val`] (the old value).
    Rmw { loc: LocId, op: RmwOp, ord: RmwOrd },
    /// Compare-exchange. Replied with [`Reply::Cas`]. A `weak` one may fail
    /// even when the value matches (both outcomes are explored).
    Cas {
        loc: LocId,
        expected: Val,
        new: Val,
        success: RmwOrd,
        failure: LoadOrd,
        weak: bool,
    },
    /// Replied with [`Reply::Done`].
    Fence(FenceOrd),
    /// Start a new thread. Replied with [`Reply::Spawned`]; the new thread is
    /// then stepped with [`Reply::Start`]. `like`: the front-end vouches
    /// that the new thread runs the same code on equal inputs as `like`, the
    /// thread this one spawned last, that their results carry nothing, and
    /// that neither learns which of the two it is (the explorer may then
    /// explore one of two executions that differ only by swapping them; see
    /// [`Config::symmetry`](crate::Config::symmetry)).
    Spawn { like: Option<ThreadId> },
    /// Wait for a thread to finish. Replied with [`Reply::Done`].
    Join(ThreadId),
    /// The thread stops here for good in this execution (see [`BlockReason`]).
    Block(BlockReason),
    /// The thread is about to go round a waiting loop again: its event
    /// `from` was the same read as the one it will issue next, and it has
    /// changed nothing since (`spins` such rounds in a row). Its next read
    /// reads a write of the value event `from` read (reading another value
    /// is the same as event `from` reading it, which a revisit explores)
    /// and is never revisited. After [`crate::Config::max_spins`] rounds
    /// the thread is not scheduled while another thread can run. When none
    /// can, the execution ends as blocked if a read from event `from` on did
    /// not read the latest write to its location (the execution where it
    /// reads that write is reached by a revisit); otherwise the thread runs
    /// on (replied with [`Reply::Done`]), so a loop that ends on its own
    /// (a counter, a deadline) does, and one that never ends reaches the
    /// event bound. Going round after a weak compare-exchange failed
    /// spuriously ends the execution as blocked: the one where it did not
    /// fail is explored. Adds no event.
    Wait { from: u32, spins: u32 },
    /// A blocking primitive's step (a lock, a wait for a message or a
    /// wakeup): the thread waits until a write to `loc` that `until`
    /// accepts exists, then reads one (never another) and does `then`. A
    /// waiting thread is not an execution of its own: it is simply not
    /// scheduled, and it is blocked only if the execution ends with it
    /// still waiting. A step that only reads (`Then::Load`) reads the
    /// first write in `co` it accepts and may read, and is never
    /// revisited: a later one would only add synchronisation. A taking
    /// step (RMW, compare-exchange) reads any write it accepts, and is
    /// offered any later write by a revisit: one it does not accept makes
    /// it fail (another thread took the lock first). The reply then
    /// carries the rejected value, and the front-end issues the same
    /// `Await` again (the failed try stays an event, never revisited): the
    /// thread waits until it can take, and the other lock order costs no
    /// blocked execution.
    Await {
        loc: LocId,
        until: Until,
        then: Then,
    },
    /// The thread found an error (failed assertion, panic). The execution ends;
    /// the front-end keeps the details.
    Fail,
    /// The thread returned.
    Finish,
}

/// The engine's answer to the previous [`Op`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reply {
    /// First step of a thread.
    Start,
    Done,
    /// A load's value (or a blocking step's that only reads).
    Val(Val),
    /// An RMW's: the value it read and the value it wrote.
    Rmw {
        old: Val,
        new: Val,
    },
    Cas {
        old: Val,
        ok: bool,
    },
    Loc(LocId),
    Spawned(ThreadId),
}

impl Reply {
    /// The value read, of a `Val`, `Rmw` or `Cas` reply.
    pub fn val(self) -> Option<Val> {
        match self {
            Reply::Val(v) | Reply::Rmw { old: v, .. } | Reply::Cas { old: v, .. } => Some(v),
            _ => None,
        }
    }

    /// The value written, of an `Rmw` reply or a `Cas` one that succeeded
    /// (given its `new`).
    pub fn wrote(self, new: Val) -> Option<Val> {
        match self {
            Reply::Rmw { new, .. } => Some(new),
            Reply::Cas { ok: true, .. } => Some(new),
            _ => None,
        }
    }
}

/// What a thread issues: an operation, and where in the front-end's code
/// it was issued (stored on the events it becomes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Issue {
    pub op: Op,
    pub site: Site,
}

impl From<Op> for Issue {
    /// An operation with no site.
    fn from(op: Op) -> Issue {
        Issue {
            op,
            site: Site::NONE,
        }
    }
}

/// The events the engine made of a thread's previous operation, given
/// with its reply: the thread's events `first .. first + events`. A read
/// or write is one event, an RMW or a compare-exchange that succeeds two
/// (the read and its write half), an [`Op::Wait`] none, a thread's start
/// its `Start` event (none for the main thread). A front-end that keeps
/// something per event learns here how many there are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Made {
    pub first: u32,
    pub events: u32,
}

/// The first event an operation becomes, as the explorer adds it and as
/// replaying checks it against the graph (one mapping, [`Op::shape`]). A
/// read that writes (an RMW, a compare-exchange that succeeds, a blocking
/// step that takes) is followed by its write half, decided by the value
/// it reads ([`Read::is_exclusive`](crate::Read::is_exclusive)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    /// No event: [`Op::Wait`].
    Nothing,
    /// A location's creation: its initialising write.
    Alloc {
        init: Val,
        atomic: bool,
    },
    /// A read: its plain ordering (a load's; an RMW's or a
    /// compare-exchange's is decided by the value read), its kind, and a
    /// blocking step's condition.
    Read {
        loc: LocId,
        ord: LoadOrd,
        access: ReadAccess,
        until: Option<Until>,
    },
    Write(Write),
    Fence(FenceOrd),
    Spawn {
        like: Option<ThreadId>,
    },
    Join(ThreadId),
    /// The thread's last event: `Block`, `Finish` or `Fail`.
    End(crate::event::EventKind),
}

impl Op {
    /// The event this operation becomes first.
    pub(crate) fn shape(self) -> Shape {
        use crate::event::EventKind;
        match self {
            Op::Wait { .. } => Shape::Nothing,
            Op::Alloc { init, atomic } => Shape::Alloc { init, atomic },
            Op::Load { loc, ord } => Shape::Read {
                loc,
                ord,
                access: ReadAccess::Load,
                until: None,
            },
            Op::Rmw { loc, op, ord } => Shape::Read {
                loc,
                ord: ord.load(),
                access: ReadAccess::Rmw { op, ord },
                until: None,
            },
            Op::Cas {
                loc,
                expected,
                new,
                success,
                failure,
                weak,
            } => Shape::Read {
                loc,
                ord: failure,
                access: ReadAccess::Cas {
                    expected,
                    new,
                    success,
                    failure,
                    weak,
                },
                until: None,
            },
            Op::Await { loc, until, then } => {
                let (ord, access) = then.access();
                Shape::Read {
                    loc,
                    ord,
                    access,
                    until: Some(until),
                }
            }
            Op::Store { loc, val, ord } => Shape::Write(Write {
                loc,
                ord,
                val,
                kind: WriteKind::Store,
            }),
            Op::Fence(f) => Shape::Fence(f),
            Op::Spawn { like } => Shape::Spawn { like },
            Op::Join(c) => Shape::Join(c),
            Op::Block(b) => Shape::End(EventKind::Block(b)),
            Op::Finish => Shape::End(EventKind::Finish),
            Op::Fail => Shape::End(EventKind::Fail),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rmw_arithmetic_respects_width() {
        let w8 = Width {
            bits: 8,
            signed: false,
        };
        let add = RmwOp {
            kind: RmwKind::Add,
            operand: 1,
            width: w8,
        };
        assert_eq!(add.apply(255), 0);
        let max = RmwOp {
            kind: RmwKind::Max,
            operand: (-1i64) as u64,
            width: Width::I64,
        };
        assert_eq!(max.apply(3), 3);
        let umax = RmwOp {
            kind: RmwKind::Max,
            operand: u64::MAX,
            width: Width::U64,
        };
        assert_eq!(umax.apply(3), u64::MAX);
        let s8 = Width {
            bits: 8,
            signed: true,
        };
        let min = RmwOp {
            kind: RmwKind::Min,
            operand: 0x80, // -128 as i8
            width: s8,
        };
        assert_eq!(min.apply(5), (-128i64) as u64);
        let nand = RmwOp {
            kind: RmwKind::Nand,
            operand: 0b1100,
            width: w8,
        };
        assert_eq!(nand.apply(0b1010), 0b1111_0111);
    }
}
