//! Objects the main thread allocates before the user's closure runs.
//!
//! Modelled types have `const fn new`, so creating one cannot reach the
//! runtime: an object gets its engine location when it is first used in an
//! execution. Allocating it then, in whichever thread touches it first, is
//! wrong: a backward revisit may delete that allocation event while keeping
//! another thread's write to the location. Instead, every such object is
//! allocated by the main thread (thread 0) before the closure runs, in a
//! fixed order (sorted by [`Key`]), so its allocation is in every graph
//! prefix. An object is identified by a key that is the same in every
//! execution:
//!
//! - an object that outlives executions (a `static`, an object created
//!   outside the model and captured by the closure) by its address;
//! - an object created inside an execution by its creation site, type,
//!   initial value and how many such objects were first used before it in
//!   the execution (so two objects of one site and value must be first used
//!   in the same order in every execution that keeps their first uses;
//!   constructors that make several, such as `Arc::new`, bind them at once);
//! - a thread's park token by the thread's index;
//! - a `lazy_static!` value by the static's address (its initializer runs
//!   in the main thread, after the locations).
//!
//! An execution that uses an object with an unknown key records it (and
//! allocates it where it is, for the rest of that execution); the exploration
//! is then started again from scratch with the key pre-allocated. The known
//! set only grows, so restarts are bounded by the number of keys.

use std::any::Any;

use super::Loc;

/// The stable identity of a pre-allocated object.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Key {
    /// The park token of the thread with this index.
    Park(u32),
    /// An object that outlives executions, by address.
    Addr(usize),
    /// The `n`-th object of type `kind` created at `site` (a `&'static
    /// Location` address) with initial value `init` that an execution used.
    Fresh {
        site: usize,
        kind: &'static str,
        init: u64,
        n: u32,
    },
}

/// What to pre-allocate for a key.
#[derive(Clone, Copy, Debug)]
pub(crate) enum What {
    /// A location holding `init` (a pointer to canonicalize when `ptr`).
    Loc {
        init: u64,
        ptr: bool,
        kind: &'static str,
        created: Loc,
    },
    /// A `lazy_static!` value: `init` builds it from the static's address.
    Lazy { init: fn(usize) -> Box<dyn Any> },
}

impl What {
    /// Locations first, then lazy statics (whose initializers may use them).
    pub fn phase(&self) -> u8 {
        match self {
            What::Loc { .. } => 0,
            What::Lazy { .. } => 1,
        }
    }
}

/// The keys an exploration pre-allocates, in allocation order.
#[derive(Clone, Debug, Default)]
pub(crate) struct Known {
    list: Vec<(Key, What)>,
}

impl Known {
    /// Adds keys; returns whether any was new.
    pub fn extend(&mut self, new: impl IntoIterator<Item = (Key, What)>) -> bool {
        let before = self.list.len();
        for (k, w) in new {
            if !self.contains(k) {
                self.list.push((k, w));
            }
        }
        self.list.sort_by_key(|(k, w)| (w.phase(), *k));
        self.list.len() > before
    }

    pub fn contains(&self, k: Key) -> bool {
        self.list.iter().any(|(x, _)| *x == k)
    }

    pub fn iter(&self) -> impl Iterator<Item = &(Key, What)> {
        self.list.iter()
    }
}
