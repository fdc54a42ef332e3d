//! [`Slot`]: how a user-facing object finds its engine location.
//!
//! An object created inside an execution is allocated on the spot: its
//! constructor issues the creating thread's `Alloc`, and the slot remembers
//! the execution's epoch and the location. Its identity in the execution is
//! that event (the creating thread and its place in program order), so it
//! replays identically whatever thread touches the object first.
//!
//! A slot that is unbound, or bound to an earlier epoch, belongs to an
//! object that outlives executions (a `static` made with `const_new`, an
//! object created before `model` and captured, a `lazy_static!` value made
//! in an earlier execution): it is keyed by its address and pre-allocated by
//! the main thread (see [`super::prealloc`]).

use std::panic::Location;
use std::sync::atomic::{AtomicU64, Ordering};

use happens_engine::LocId;

use super::{Key, Loc, What};

pub(crate) struct Slot {
    /// `epoch << 32 | (loc + 1)`, or 0 while never bound.
    key: AtomicU64,
    /// Set by an exclusive access (`get_mut`) that may have changed the
    /// value behind the engine's back: the next use writes it back first.
    dirty: std::sync::atomic::AtomicBool,
    pub kind: super::Kind,
    pub created: Loc,
    /// Created outside an execution: it outlives executions.
    pub outlives: bool,
}

/// A modelled object dropped inside an execution: its location is dropped
/// with it, so a use through a dangling pointer, or a second drop, is a
/// failure ([`super::dropped`]) rather than an access to freed memory.
impl Drop for Slot {
    fn drop(&mut self) {
        if !super::in_model() || super::tearing_down() || self.outlives {
            return;
        }
        let k = *self.key.get_mut();
        let l =
            (k != 0 && (k >> 32) == super::epoch()).then(|| LocId((k & 0xffff_ffff) as u32 - 1));
        super::dropped(l, self as *const Slot as usize);
    }
}

impl std::fmt::Debug for Slot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} created at {}", self.kind.name, self.created)
    }
}

impl Slot {
    /// An object created at the caller's location holding `init`: inside a
    /// model, the current thread allocates its location now.
    #[track_caller]
    pub fn new(kind: super::Kind, init: u64, atomic: bool) -> Slot {
        let created = Location::caller();
        let key = if super::in_model() {
            let l = super::alloc(init, atomic, kind, created);
            (super::epoch() << 32) | (l.0 as u64 + 1)
        } else {
            0
        };
        Slot {
            key: AtomicU64::new(key),
            dirty: std::sync::atomic::AtomicBool::new(false),
            kind,
            created,
            outlives: key == 0,
        }
    }

    /// An object that exists before every execution (a `static`): each
    /// execution's main thread allocates it first (see `prealloc`).
    #[track_caller]
    pub const fn new_static(kind: super::Kind) -> Slot {
        Slot {
            key: AtomicU64::new(0),
            dirty: std::sync::atomic::AtomicBool::new(false),
            kind,
            created: Location::caller(),
            outlives: true,
        }
    }

    /// The location in the current execution; `init` is the object's value
    /// (raw bits) for an object that outlives executions. Returns whether
    /// the value was changed by an exclusive access since the last use.
    pub fn loc(&self, init: u64, atomic: bool, at: Loc) -> (LocId, bool) {
        let k = self.key.load(Ordering::Relaxed);
        let dirty = self.dirty.swap(false, Ordering::Relaxed);
        let epoch = super::epoch();
        if k != 0 && (k >> 32) == epoch {
            return (LocId((k & 0xffff_ffff) as u32 - 1), dirty);
        }
        let addr = self as *const Slot as usize;
        // freed memory the allocator wrote over, where an object of this
        // execution was dropped: a use after free
        if let Some(l) = super::dropped_here(addr) {
            return (l, dirty);
        }
        let what = What::Loc {
            init,
            atomic,
            kind: self.kind,
            created: self.created,
        };
        let l = super::bind(Key::Addr(addr), what, at);
        self.key
            .store((epoch << 32) | (l.0 as u64 + 1), Ordering::Relaxed);
        (l, false)
    }

    /// Whether the object has a location in the current execution.
    pub fn live(&self) -> bool {
        let k = self.key.load(Ordering::Relaxed);
        k != 0 && super::in_model() && (k >> 32) == super::epoch()
    }

    /// Marks the value as changed by an exclusive access.
    pub fn set_dirty(&self) {
        self.dirty.store(true, Ordering::Relaxed);
    }
}
