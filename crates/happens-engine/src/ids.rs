//! Newtype indices. Every collection in the engine is an index vector keyed by
//! one of these; none of them is ever hashed on the hot path.

use std::fmt;

macro_rules! id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
        pub struct $name(pub u32);

        impl $name {
            /// The id as a `usize`, for indexing.
            #[inline]
            pub fn index(self) -> usize {
                self.0 as usize
            }
            /// The id of index `i`.
            #[inline]
            pub fn from_index(i: usize) -> Self {
                $name(i as u32)
            }
        }
    };
}

id!(
    /// A modelled thread. Thread 0 is the main thread; the others are numbered
    /// in the order they are spawned.
    ThreadId
);
id!(
    /// A memory location (an atomic or a non-atomic cell).
    LocId
);
id!(
    /// The order in which events were added to the current graph. TruSt's
    /// maximality condition and the explorer's backtracking both use it.
    Stamp
);

impl fmt::Debug for ThreadId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "T{}", self.0)
    }
}
impl fmt::Display for ThreadId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}
impl fmt::Debug for LocId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "L{}", self.0)
    }
}
impl fmt::Debug for Stamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// Where in the front-end's code an operation was issued, as the front-end
/// encodes it (the library: its call site's `Location`; the litmus
/// interpreter: the instruction). Opaque to the engine, which only stores it
/// on the events the operation becomes and gives it back in graphs.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Debug)]
pub struct Site(pub u64);

impl Site {
    /// No site: an event no operation of the front-end made (a thread's
    /// start), or a front-end that does not say.
    pub const NONE: Site = Site(0);
}

/// An event: the `index`-th event of `thread` in program order.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct EventId {
    pub thread: ThreadId,
    pub index: u32,
}

impl EventId {
    pub fn new(thread: ThreadId, index: usize) -> Self {
        EventId {
            thread,
            index: index as u32,
        }
    }
}

impl fmt::Debug for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.thread.0, self.index)
    }
}
impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}
