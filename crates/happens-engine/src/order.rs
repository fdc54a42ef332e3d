//! Memory orderings, one type per kind of operation, so that a `Release` load
//! or an `Acquire` store cannot be written down.
//!
//! Non-atomic accesses are an ordering too (`NonAtomic`): they take part in
//! `rf`/`co` like any access, but two conflicting accesses of which one is
//! non-atomic must be ordered by happens-before, or the program has a data
//! race (C++20 [intro.races]/21).

/// Ordering of a load (or the read half of a failed compare-exchange).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LoadOrd {
    NonAtomic,
    Relaxed,
    Acquire,
    SeqCst,
}

/// Ordering of a store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StoreOrd {
    NonAtomic,
    Relaxed,
    Release,
    SeqCst,
}

/// Ordering of a read-modify-write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RmwOrd {
    Relaxed,
    Acquire,
    Release,
    AcqRel,
    SeqCst,
}

/// Ordering of a fence. (A `Relaxed` fence does not exist: `std` panics on it.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FenceOrd {
    Acquire,
    Release,
    AcqRel,
    SeqCst,
}

impl LoadOrd {
    pub fn is_atomic(self) -> bool {
        self != LoadOrd::NonAtomic
    }
    pub fn is_acquire(self) -> bool {
        matches!(self, LoadOrd::Acquire | LoadOrd::SeqCst)
    }
    pub fn is_sc(self) -> bool {
        self == LoadOrd::SeqCst
    }
    pub fn name(self) -> &'static str {
        match self {
            LoadOrd::NonAtomic => "non-atomic",
            LoadOrd::Relaxed => "Relaxed",
            LoadOrd::Acquire => "Acquire",
            LoadOrd::SeqCst => "SeqCst",
        }
    }
}

impl StoreOrd {
    pub fn is_atomic(self) -> bool {
        self != StoreOrd::NonAtomic
    }
    pub fn is_release(self) -> bool {
        matches!(self, StoreOrd::Release | StoreOrd::SeqCst)
    }
    pub fn is_sc(self) -> bool {
        self == StoreOrd::SeqCst
    }
    pub fn name(self) -> &'static str {
        match self {
            StoreOrd::NonAtomic => "non-atomic",
            StoreOrd::Relaxed => "Relaxed",
            StoreOrd::Release => "Release",
            StoreOrd::SeqCst => "SeqCst",
        }
    }
}

impl RmwOrd {
    /// The ordering of the read half.
    pub fn load(self) -> LoadOrd {
        match self {
            RmwOrd::Relaxed | RmwOrd::Release => LoadOrd::Relaxed,
            RmwOrd::Acquire | RmwOrd::AcqRel => LoadOrd::Acquire,
            RmwOrd::SeqCst => LoadOrd::SeqCst,
        }
    }
    /// The ordering of the write half.
    pub fn store(self) -> StoreOrd {
        match self {
            RmwOrd::Relaxed | RmwOrd::Acquire => StoreOrd::Relaxed,
            RmwOrd::Release | RmwOrd::AcqRel => StoreOrd::Release,
            RmwOrd::SeqCst => StoreOrd::SeqCst,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            RmwOrd::Relaxed => "Relaxed",
            RmwOrd::Acquire => "Acquire",
            RmwOrd::Release => "Release",
            RmwOrd::AcqRel => "AcqRel",
            RmwOrd::SeqCst => "SeqCst",
        }
    }
}

impl FenceOrd {
    pub fn is_acquire(self) -> bool {
        !matches!(self, FenceOrd::Release)
    }
    pub fn is_release(self) -> bool {
        !matches!(self, FenceOrd::Acquire)
    }
    pub fn is_sc(self) -> bool {
        self == FenceOrd::SeqCst
    }
    pub fn name(self) -> &'static str {
        match self {
            FenceOrd::Acquire => "Acquire",
            FenceOrd::Release => "Release",
            FenceOrd::AcqRel => "AcqRel",
            FenceOrd::SeqCst => "SeqCst",
        }
    }
}
