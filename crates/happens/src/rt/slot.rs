//! [`Slot`]: how a user-facing object finds its engine location.
//!
//! An object created inside an execution allocates its location right away
//! (an `Alloc` event of the creating thread, so that every thread that later
//! sees the object is ordered after its creation). An object created outside
//! any execution (captured by the model closure) is allocated on its first
//! use in each execution; it remembers the execution's epoch and location.

use std::panic::Location;
use std::sync::atomic::{AtomicU64, Ordering};

use happens_engine::LocId;

use super::Loc;

pub(crate) struct Slot {
    /// `epoch << 32 | (loc + 1)`, or 0.
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
    /// A slot created at the caller's location, allocated now with `init`
    /// when inside an execution.
    #[track_caller]
    pub fn new(init: u64, kind: &'static str) -> Slot {
        let created = Location::caller();
        let s = Slot {
            key: AtomicU64::new(0),
            kind,
            created,
        };
        if super::in_model() {
            s.alloc(init, created);
        }
        s
    }

    fn alloc(&self, init: u64, at: Loc) -> LocId {
        let l = super::alloc(init, self.kind, at);
        self.key
            .store((super::epoch() << 32) | (l.0 as u64 + 1), Ordering::Relaxed);
        l
    }

    /// The location in the current execution, allocated with `init()` if
    /// this object has none yet.
    pub fn loc(&self, init: impl FnOnce() -> u64, at: Loc) -> LocId {
        let k = self.key.load(Ordering::Relaxed);
        if k != 0 && (k >> 32) == super::epoch() {
            return LocId((k & 0xffff_ffff) as u32 - 1);
        }
        self.alloc(init(), at)
    }

    /// Whether the object has a location in the current execution.
    pub fn live(&self) -> bool {
        let k = self.key.load(Ordering::Relaxed);
        k != 0 && super::in_model() && (k >> 32) == super::epoch()
    }

    /// Forgets the location (after an exclusive access changed the value
    /// behind the engine's back, the next shared use allocates anew).
    pub fn forget(&self) {
        self.key.store(0, Ordering::Relaxed);
    }
}
