//! # happens-engine
//!
//! Execution graphs, memory models and an optimal explorer for the C++20 /
//! Rust memory model.
//!
//! A front-end implements [`Program`]: a deterministic, re-runnable
//! concurrent program whose threads issue [`Op`]s. The [`Explorer`] runs it
//! under a [`Model`] and visits every consistent execution graph exactly once
//! (the TruSt algorithm, Kokologiannakis et al., POPL 2022), handing each
//! finished [`Graph`] to a callback.
//!
//! The engine knows nothing about parsing, coroutines or terminals.
//!
//! Store buffering, written directly as a [`Program`]: thread 0 creates `x`
//! and `y` and spawns two threads; each stores 1 to one location and loads
//! the other. Under RC11 all four outcomes are possible, each reached by one
//! execution graph:
//!
//! ```
//! use happens_engine::*;
//!
//! #[derive(Default)]
//! struct Sb { locs: Vec<LocId>, kids: Vec<ThreadId>, step: [u8; 3], seen: Vec<Val> }
//!
//! impl Program for Sb {
//!     fn reset(&mut self) {
//!         *self = Sb::default();
//!     }
//!     fn step(&mut self, t: ThreadId, reply: Reply, _made: Made) -> Issue {
//!         self.op(t, reply).into()
//!     }
//! }
//!
//! impl Sb {
//!     fn op(&mut self, t: ThreadId, reply: Reply) -> Op {
//!         match reply {
//!             Reply::Loc(l) => self.locs.push(l),
//!             Reply::Spawned(c) => self.kids.push(c),
//!             Reply::Val(v) => self.seen.push(v),
//!             _ => {}
//!         }
//!         if t == ThreadId(0) {
//!             return if self.locs.len() < 2 {
//!                 Op::Alloc { init: 0, atomic: false }
//!             } else if self.kids.len() < 2 {
//!                 Op::Spawn { like: None }
//!             } else {
//!                 Op::Finish
//!             };
//!         }
//!         let me = self.kids.iter().position(|&k| k == t).unwrap();
//!         let (mine, other) = (self.locs[me], self.locs[1 - me]);
//!         self.step[me + 1] += 1;
//!         match self.step[me + 1] {
//!             1 => Op::Store { loc: mine, val: 1, ord: StoreOrd::Relaxed },
//!             2 => Op::Load { loc: other, ord: LoadOrd::Relaxed },
//!             _ => Op::Finish,
//!         }
//!     }
//! }
//!
//! let mut outcomes = std::collections::BTreeSet::new();
//! let stats = Explorer::new(Rc11, Config::default()).run(&mut Sb::default(), |e, p| {
//!     assert_eq!(*e.status, Status::Complete);
//!     outcomes.insert(p.seen.clone());
//!     Control::Continue
//! });
//! assert_eq!(stats.complete, 4);
//! assert!(outcomes.contains(&vec![0, 0])); // both loads read 0: store buffering
//! ```

pub mod advise;
pub mod candidate;
pub mod event;
pub mod explore;
pub mod graph;
pub mod ids;
pub mod model;
pub mod op;
pub mod order;
pub mod program;
pub mod race;
pub mod relation;
pub mod replay;
pub mod sw;

pub use candidate::{CEvent, CKind, Candidate};
pub use event::{Event, EventKind, Read, ReadAccess, Write, WriteKind};
pub use explore::{
    Alt, Blocked, Config, Control, Execution, Explorer, Frame, GoingOn, Stats, Status,
};
pub use graph::{Graph, Location};
pub use ids::{EventId, LocId, Site, Stamp, ThreadId};
pub use model::{Arm, Cxx20, Model, ModelKind, Rc11, Rust, Sc, X86};
pub use op::{BlockReason, Issue, Made, Op, Reply, RmwKind, RmwOp, Then, Until, Val, Width};
pub use order::{FenceOrd, LoadOrd, RmwOrd, StoreOrd};
pub use program::Program;
pub use race::Race;
pub use replay::{BadKey, ReplayKey};
