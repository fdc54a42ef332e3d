//! A memory ordering as a test writes it, before it is checked against the
//! operation it orders (a load cannot be `Release`, a store cannot be
//! `Acquire`). Both syntaxes parse to it.

use happens_engine::{LoadOrd, RmwOrd, StoreOrd};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Written {
    Relaxed,
    Acquire,
    Release,
    AcqRel,
    SeqCst,
}

impl Written {
    /// As the ordering of a load, if a load can have it.
    pub fn load(self) -> Option<LoadOrd> {
        match self {
            Written::Relaxed => Some(LoadOrd::Relaxed),
            Written::Acquire => Some(LoadOrd::Acquire),
            Written::SeqCst => Some(LoadOrd::SeqCst),
            Written::Release | Written::AcqRel => None,
        }
    }

    /// As the ordering of a store, if a store can have it.
    pub fn store(self) -> Option<StoreOrd> {
        match self {
            Written::Relaxed => Some(StoreOrd::Relaxed),
            Written::Release => Some(StoreOrd::Release),
            Written::SeqCst => Some(StoreOrd::SeqCst),
            Written::Acquire | Written::AcqRel => None,
        }
    }

    /// As the ordering of a read-modify-write (any ordering is one).
    pub fn rmw(self) -> RmwOrd {
        match self {
            Written::Relaxed => RmwOrd::Relaxed,
            Written::Acquire => RmwOrd::Acquire,
            Written::Release => RmwOrd::Release,
            Written::AcqRel => RmwOrd::AcqRel,
            Written::SeqCst => RmwOrd::SeqCst,
        }
    }
}
