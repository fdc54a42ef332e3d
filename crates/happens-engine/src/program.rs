//! The interface between the engine and a front-end.

use crate::ids::ThreadId;
use crate::op::{Issue, Made, Reply};

/// A concurrent program the explorer can run again and again.
///
/// The explorer re-executes the program from the start for every execution
/// graph it visits, replaying the graph's events and extending it. The
/// program must therefore be *deterministic*: given the same replies, each
/// thread must issue the same operations. (A divergence is detected and
/// reported as [`crate::Status::Nondeterminism`].)
///
/// Thread 0 is the main thread and exists from the start; other threads exist
/// once their parent's [`Op::Spawn`](crate::Op::Spawn) has been answered.
pub trait Program {
    /// Forget all thread state: the next call is `step(ThreadId(0), Reply::Start)`.
    fn reset(&mut self);

    /// Run thread `t` until it issues its next operation, and say where in
    /// its code ([`Issue::site`], stored on the events the operation
    /// becomes). `reply` answers its previous operation ([`Reply::Start`]
    /// on the first call for a thread), which became the thread's events
    /// `made`. After a thread returns [`Op::Finish`](crate::Op::Finish), [`Op::Block`](crate::Op::Block) or
    /// [`Op::Fail`](crate::Op::Fail) it is not stepped again.
    fn step(&mut self, t: ThreadId, reply: Reply, made: Made) -> Issue;
}
