//! [`Slot`]: how a user-facing object finds its engine location.
//!
//! Objects are created by `const fn`s, so a slot starts unbound and gets its
//! location when the object is first used in an execution: the location the
//! main thread pre-allocated for the object's key (see [`super::prealloc`]).
//! The slot then remembers the execution's epoch and the location. A slot
//! that is bound to an earlier epoch belongs to an object that outlives
//! executions (a `static`, or an object captured by the model closure) and
//! is keyed by its address; an unbound one was created in this execution.

use std::panic::Location;
use std::sync::atomic::{AtomicU64, Ordering};

use happens_engine::LocId;

use super::{Loc, What};

/// The low half of a slot key whose object is unknown to this execution:
/// the thread that met it stopped (see `rt::discover`), and so does any
/// other thread that meets it.
const UNKNOWN: u64 = 0xffff_ffff;

pub(crate) struct Slot {
    /// `epoch << 32 | (loc + 1)`, `epoch << 32 | UNKNOWN`, or 0 while never
    /// used.
    key: AtomicU64,
    pub kind: &'static str,
    pub created: Loc,
}

impl std::fmt::Debug for Slot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} created at {}", self.kind, self.created)
    }
}

impl Slot {
    /// An unbound slot created at the caller's location.
    #[track_caller]
    pub const fn new(kind: &'static str) -> Slot {
        Slot {
            key: AtomicU64::new(0),
            kind,
            created: Location::caller(),
        }
    }

    /// The location in the current execution. `init` is the object's value
    /// (raw bits; a pointer is canonicalized when `ptr`).
    pub fn loc(&self, init: u64, ptr: bool, at: Loc) -> LocId {
        let k = self.key.load(Ordering::Relaxed);
        let epoch = super::epoch();
        if k != 0 && (k >> 32) == epoch {
            if k & UNKNOWN == UNKNOWN {
                super::block(at, None);
            }
            return LocId((k & UNKNOWN) as u32 - 1);
        }
        let l = if ptr && k == 0 && init != 0 {
            // a fresh non-null pointer differs between executions: no key
            super::alloc(super::canon_ptr(init as usize), self.kind, at)
        } else {
            let addr = self as *const Slot as usize;
            let key = super::object_key(addr, k != 0, self.created, self.kind, init);
            self.key.store((epoch << 32) | UNKNOWN, Ordering::Relaxed);
            let what = What::Loc {
                init,
                ptr,
                kind: self.kind,
                created: self.created,
            };
            super::bind(key, what, at)
        };
        self.key
            .store((epoch << 32) | (l.0 as u64 + 1), Ordering::Relaxed);
        l
    }

    /// Whether the object has a location in the current execution.
    pub fn live(&self) -> bool {
        let k = self.key.load(Ordering::Relaxed);
        k != 0 && super::in_model() && (k >> 32) == super::epoch()
    }

    /// Forgets the location (after an exclusive access changed the value
    /// behind the engine's back, the next shared use binds anew).
    pub fn forget(&self) {
        self.key.store(0, Ordering::Relaxed);
    }
}
