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

pub use event::{Event, EventKind, Read, ReadAccess, Write, WriteKind};
pub use explore::{Alt, Blocked, Config, Control, Execution, Explorer, Frame, Stats, Status};
pub use graph::{Graph, Location};
pub use ids::{EventId, LocId, Stamp, ThreadId};
pub use model::{Model, ModelKind, Rc11, Sc};
pub use op::{BlockReason, Op, Reply, RmwKind, RmwOp, Val, Width};
pub use order::{FenceOrd, LoadOrd, RmwOrd, StoreOrd};
pub use program::Program;
pub use race::Race;
pub use replay::{BadKey, ReplayKey};
