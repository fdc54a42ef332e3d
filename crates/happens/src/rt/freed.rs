//! Objects dropped inside an execution: a later use or drop of one is a
//! use after free, and the thread stops there before the allocator sees
//! it (see "`slot.rs`" in ARCHITECTURE.md).

use happens_engine::LocId;

use super::issue::record_end;
use super::{try_with, Loc, LocInfo, ThreadState};
use happens_engine::Op;

/// The failure of thread `t` using (at the call site `at`) or dropping
/// again (`twice`; `at` its last operation) the object of location `l`
/// (`i`), dropped before.
pub(super) fn use_after_free(
    t: usize,
    (l, i): (LocId, LocInfo),
    twice: bool,
    at: Option<Loc>,
) -> crate::FailureKind {
    let (by, after) = i.dropped.expect("a dropped object");
    let origin = crate::report::Origin {
        kind: i.kind.name,
        created: i.created,
    };
    crate::FailureKind::UseAfterFree {
        thread: t,
        object: crate::report::Object {
            loc: l.0 as usize,
            origin: Some(origin),
        },
        twice,
        at,
        dropped_by: by,
        dropped_after: after,
    }
}

/// Records that the object at `addr` is dropped by the current thread:
/// the object of location `l`, or `None` when what it holds is not one of
/// this execution's (freed memory the allocator wrote over, found by its
/// address if an object of this execution was dropped there). Dropped
/// twice (its memory freed twice), the thread stops here, before the
/// allocator sees the second free.
pub(crate) fn dropped(l: Option<LocId>, addr: usize) {
    let Some(Some(y)) = try_with(|ctx| {
        let mut st = ctx.st.borrow_mut();
        let t = st.current;
        let after = st.threads.get(t).and_then(ThreadState::last_at);
        let l = match l {
            Some(l) => l,
            None => *st.dropped_at.get(&addr)?,
        };
        let i = st.locs.get_mut(l.index())?.as_mut()?;
        if i.dropped.is_none() {
            i.dropped = Some((t, after));
            st.dropped_at.insert(addr, l);
            return None;
        }
        let kind = use_after_free(t, (l, *i), true, after);
        st.crash = Some(kind);
        let th = st.threads.get_mut(t)?;
        th.abandoned = true;
        let y = th.yielder;
        record_end(&mut st, t, Op::Fail);
        Some(y)
    }) else {
        return;
    };
    // SAFETY: the yielder of the running coroutine lives on its stack,
    // which is suspended here only by this very call.
    unsafe { &*y }.suspend(Op::Fail.into());
    panic!("happens: the engine resumed a thread that failed");
}

/// A hash of addresses (keys of [`State::dropped_at`]): one multiply, as
/// every object a program drops is recorded, and addresses need no
/// protection from collisions an adversary picks.
#[derive(Default)]
pub(crate) struct AddrHash(u64);

impl std::hash::Hasher for AddrHash {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }

    fn write_usize(&mut self, n: usize) {
        // the high bits pick hashbrown's control byte, the low its bucket
        self.0 = (n as u64)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15)
            .rotate_left(26);
    }
}

/// The location of the object dropped at `addr` in this execution, if one
/// was: a use through a dangling pointer goes on to that location, and
/// [`issue`] stops the thread there.
pub(crate) fn dropped_here(addr: usize) -> Option<LocId> {
    try_with(|ctx| ctx.st.borrow().dropped_at.get(&addr).copied()).flatten()
}
