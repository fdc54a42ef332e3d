//! Objects that outlive executions, allocated by the main thread before the
//! user's closure runs.
//!
//! An object created inside an execution is allocated where it is created,
//! by its creating thread (see [`super::Slot`]). Three kinds of objects
//! exist before any execution and are used by all of them: an object in a
//! `static` (made with `const_new`), an object created outside the model
//! and captured by the closure, and a `lazy_static!` value. The main thread
//! (thread 0) allocates each of them at the start of every execution, in a
//! fixed order, so their allocations happen before everything and are in
//! every graph. They are identified by a key that is the same in every
//! execution:
//!
//! - an object that outlives executions by its address;
//! - a thread's park token by the thread's index;
//! - a `lazy_static!` value by the static's address (its initializer runs
//!   in the main thread, after the locations).
//!
//! An execution that uses such an object before it is known records it, and
//! the exploration starts again from scratch with the key pre-allocated
//! (the execution is not reported). The known set only grows, and these
//! keys are addresses of long-lived objects and thread indices, so restarts
//! are bounded and counts come from the final exploration.

use std::any::Any;

use super::Loc;

/// The stable identity of a pre-allocated object.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Key {
    /// The park token of the thread with this index.
    Park(u32),
    /// An object that outlives executions, by address.
    Addr(usize),
}

/// What to pre-allocate for a key.
#[derive(Clone, Copy, Debug)]
pub(crate) enum What {
    /// A location holding `init` (of an atomic object when `atomic`).
    Loc {
        init: u64,
        atomic: bool,
        kind: super::Kind,
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

/// The keys an exploration pre-allocates, in allocation order; and the
/// call sites it never takes for a repetition (the waiting rule's refuted
/// sites: see `rt::waiting`). Both only grow from one start to the next.
#[derive(Clone, Debug, Default)]
pub(crate) struct Known {
    list: Vec<(Key, What)>,
    no_wait: Vec<(Loc, u32)>,
    /// Refuted call sites learned by another process (the shards of one
    /// exploration: see `crate::shard`), by file, line and column.
    seeded: Vec<Seed>,
}

/// A refuted call site named by its file, line and column, and how often.
pub(crate) type Seed = (String, u32, u32, u32);

/// The times `seeds` say the call site `at` was refuted.
pub(crate) fn seeded_level(seeds: &[Seed], at: Loc) -> u32 {
    seeds
        .iter()
        .find(|(f, l, c, _)| *l == at.line() && *c == at.column() && f == at.file())
        .map_or(0, |s| s.3)
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

    /// Whether an object that outlives executions (a `static`, an object
    /// captured by the closure, a `lazy_static!` value) is known: its
    /// memory is one for every exploring OS thread, so the exploration
    /// runs on one (see `crate::worker`).
    pub fn has_shared_objects(&self) -> bool {
        self.list.iter().any(|(k, _)| matches!(k, Key::Addr(_)))
    }

    /// How many objects it pre-allocates.
    pub fn objects(&self) -> usize {
        self.list.len()
    }

    /// The refuted call sites, seeded ones included, each with how often
    /// (the most either says), sorted: the same in every process of one
    /// binary (see `crate::shard`).
    pub fn refuted(&self) -> Vec<Seed> {
        let mut out: Vec<Seed> = self.seeded.clone();
        for &(s, n) in &self.no_wait {
            match out
                .iter_mut()
                .find(|(f, l, c, _)| *l == s.line() && *c == s.column() && f == s.file())
            {
                Some(x) => x.3 = x.3.max(n),
                None => out.push((s.file().to_string(), s.line(), s.column(), n)),
            }
        }
        out.sort();
        out
    }

    /// Starts knowing that `seeds` were refuted (by another process).
    pub fn seed(&mut self, seeds: Vec<Seed>) {
        self.seeded = seeds;
    }

    pub fn seeded(&self) -> &[Seed] {
        &self.seeded
    }

    pub fn iter(&self) -> impl Iterator<Item = &(Key, What)> {
        self.list.iter()
    }

    /// The call sites whose repetitions were refuted, each with how many
    /// times: a read there repeats only after that many identical rounds
    /// before it (see `rt::waiting`).
    pub fn no_wait(&self) -> &[(Loc, u32)] {
        &self.no_wait
    }

    /// Records one more refutation at each of `sites` than `self` knows
    /// (its own and its seeds').
    pub fn refute(&mut self, sites: impl IntoIterator<Item = Loc>) {
        for s in sites {
            let seeded = seeded_level(&self.seeded, s);
            match self
                .no_wait
                .iter_mut()
                .find(|(x, _)| std::ptr::eq(*x, s) || *x == s)
            {
                Some((_, n)) => *n = (*n).max(seeded) + 1,
                None => self.no_wait.push((s, seeded + 1)),
            }
        }
    }

    /// Adds everything `other` knows.
    pub fn merge(&mut self, other: &Known) {
        self.extend(other.iter().copied());
        if self.seeded.is_empty() {
            self.seeded = other.seeded.clone();
        }
        for &(s, n) in &other.no_wait {
            match self
                .no_wait
                .iter_mut()
                .find(|(x, _)| std::ptr::eq(*x, s) || *x == s)
            {
                Some((_, m)) => *m = (*m).max(n),
                None => self.no_wait.push((s, n)),
            }
        }
    }
}
