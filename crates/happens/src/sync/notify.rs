//! loom's `Notify`: a one-permit notification with release/acquire
//! synchronization.

use std::panic::Location;

use happens_engine::{RmwKind, RmwOrd, StoreOrd};

use super::raw::Word;

pub struct Notify {
    word: Word,
}

impl std::fmt::Debug for Notify {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad("Notify { .. }")
    }
}

impl Default for Notify {
    #[track_caller]
    fn default() -> Self {
        Notify::new()
    }
}

impl Notify {
    #[track_caller]
    pub fn new() -> Notify {
        Notify {
            word: Word::new(0, "Notify"),
        }
    }

    /// Makes the permit available.
    #[track_caller]
    pub fn notify(&self) {
        self.word.store(1, StoreOrd::Release, Location::caller());
    }

    /// Takes the permit, blocking until one is available.
    #[track_caller]
    pub fn wait(&self) {
        let at = Location::caller();
        let since = if crate::rt::in_model() {
            Word::next_event()
        } else {
            0
        };
        if self.word.rmw(RmwKind::Swap, 0, RmwOrd::Acquire, at) == 0 {
            self.word.wait("Notify", since, at);
        }
    }
}
