//! loom's `Notify`: a one-permit notification with release/acquire
//! synchronization.

use std::panic::Location;

use happens_engine::{RmwKind, RmwOp, RmwOrd, StoreOrd, Then, Until, Width};

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

    /// Takes the permit, blocking until one is available: a blocking step
    /// (waiting is not an execution of its own).
    #[track_caller]
    pub fn wait(&self) {
        let take = Then::Rmw {
            op: RmwOp {
                kind: RmwKind::Swap,
                operand: 0,
                width: Width::U64,
            },
            ord: RmwOrd::Acquire,
        };
        self.word
            .await_(Until::Is(1), take, "Notify", Location::caller());
    }
}
