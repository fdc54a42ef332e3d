//! A candidate execution for the axiomatic models: events and explicit
//! relations (bit matrices), with no clocks and no assumption that
//! `po ∪ rf` is acyclic.
//!
//! [`Graph`](crate::Graph) keeps vector clocks computed as events are added,
//! which needs every read's write to be in the graph before the read: the
//! explorer can only build `po ∪ rf`-acyclic executions. Models that allow
//! load buffering (`c++20`, and the hardware models) are checked instead on a
//! `Candidate` that a front-end enumerates whole (the litmus crate's
//! axiomatic enumerator: every path of every thread, every `rf`, every
//! `co`). Events are numbered densely; an RMW is **one** event that both
//! reads and writes (as in herd's C and C++'s "one evaluation"), so it has
//! no internal `po` step.
//!
//! The hardware models see the program compiled to instructions instead:
//! an RMW is a read and a write event joined by `rmw`, and the dependency
//! relations (`addr`, `data`, `ctrl`) say which reads each event depends on;
//! those are filled only by front-ends for such models and are empty
//! otherwise.

use crate::order::{FenceOrd, LoadOrd, RmwOrd, StoreOrd};
use crate::relation::Rel;

/// What an event of a [`Candidate`] does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CKind {
    /// The initial write of a location (herd's `IW`): in no thread, first in
    /// `co`, non-atomic, never racing.
    Init,
    Read(LoadOrd),
    Write(StoreOrd),
    /// A read-modify-write: one event, a read and a write.
    Rmw(RmwOrd),
    Fence(FenceOrd),
}

/// One event of a [`Candidate`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CEvent {
    /// The thread (`None` for an initial write).
    pub thread: Option<u32>,
    pub kind: CKind,
    /// The location accessed (`None` for a fence).
    pub loc: Option<u32>,
}

impl CEvent {
    pub fn is_read(&self) -> bool {
        matches!(self.kind, CKind::Read(_) | CKind::Rmw(_))
    }
    pub fn is_write(&self) -> bool {
        matches!(self.kind, CKind::Init | CKind::Write(_) | CKind::Rmw(_))
    }
    pub fn is_fence(&self) -> bool {
        matches!(self.kind, CKind::Fence(_))
    }
    pub fn is_rmw(&self) -> bool {
        matches!(self.kind, CKind::Rmw(_))
    }
    /// An atomic access (herd's `A`; `Init` is not one).
    pub fn is_atomic(&self) -> bool {
        match self.kind {
            CKind::Read(o) => o.is_atomic(),
            CKind::Write(o) => o.is_atomic(),
            CKind::Rmw(_) => true,
            CKind::Init | CKind::Fence(_) => false,
        }
    }
    /// Release, AcqRel or SeqCst (a write, RMW or fence).
    pub fn is_release(&self) -> bool {
        match self.kind {
            CKind::Write(o) => o.is_release(),
            CKind::Rmw(o) => o.store().is_release(),
            CKind::Fence(f) => f.is_release(),
            CKind::Init | CKind::Read(_) => false,
        }
    }
    /// Acquire, AcqRel or SeqCst (a read, RMW or fence).
    pub fn is_acquire(&self) -> bool {
        match self.kind {
            CKind::Read(o) => o.is_acquire(),
            CKind::Rmw(o) => o.load().is_acquire(),
            CKind::Fence(f) => f.is_acquire(),
            CKind::Init | CKind::Write(_) => false,
        }
    }
    pub fn is_sc(&self) -> bool {
        match self.kind {
            CKind::Read(o) => o.is_sc(),
            CKind::Write(o) => o.is_sc(),
            CKind::Rmw(o) => o == RmwOrd::SeqCst,
            CKind::Fence(f) => f.is_sc(),
            CKind::Init => false,
        }
    }
}

/// A whole candidate execution: its events and base relations.
#[derive(Clone, Default)]
pub struct Candidate {
    pub events: Vec<CEvent>,
    /// Program order (within threads; initial writes are in no thread).
    pub po: Rel,
    /// Reads-from: write → read.
    pub rf: Rel,
    /// Coherence order: a strict total order of each location's writes, its
    /// initial write first.
    pub co: Rel,
    /// For models whose RMWs are two events (the hardware models): read
    /// half → write half. Empty otherwise.
    pub rmw: Rel,
    /// Address, data and control dependencies (read → later event of its
    /// thread); empty unless the model needs them.
    pub addr: Rel,
    pub data: Rel,
    pub ctrl: Rel,
}

impl Candidate {
    /// An execution of `events` with empty relations.
    pub fn new(events: Vec<CEvent>) -> Candidate {
        let n = events.len();
        Candidate {
            events,
            po: Rel::new(n),
            rf: Rel::new(n),
            co: Rel::new(n),
            rmw: Rel::new(n),
            addr: Rel::new(n),
            data: Rel::new(n),
            ctrl: Rel::new(n),
        }
    }

    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// `[pred]` as a relation.
    pub fn id_of(&self, pred: impl Fn(&CEvent) -> bool) -> Rel {
        let mut r = Rel::new(self.len());
        for (a, e) in self.events.iter().enumerate() {
            if pred(e) {
                r.set(a, a);
            }
        }
        r
    }

    /// Pairs of events with `pred(a, b)`.
    pub fn pairs(&self, pred: impl Fn(&CEvent, &CEvent) -> bool) -> Rel {
        let n = self.len();
        let mut r = Rel::new(n);
        for a in 0..n {
            for b in 0..n {
                if pred(&self.events[a], &self.events[b]) {
                    r.set(a, b);
                }
            }
        }
        r
    }

    /// Same location (accesses only).
    pub fn loc(&self) -> Rel {
        self.pairs(|a, b| a.loc.is_some() && a.loc == b.loc)
    }

    /// Different threads (initial writes are in none).
    pub fn ext(&self) -> Rel {
        self.pairs(|a, b| a.thread != b.thread)
    }

    /// `rb = rf⁻¹ ; co \ id` (from-reads).
    pub fn rb(&self) -> Rel {
        self.rf.inv().seq(&self.co).minus_id()
    }
}
