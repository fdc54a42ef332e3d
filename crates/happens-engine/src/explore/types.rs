//! What an exploration is configured with and what it reports.

use crate::event::EventKind;
use crate::graph::Graph;
use crate::ids::{LocId, ThreadId};
use crate::op::{BlockReason, Op};
use crate::race::Race;

/// Limits and switches of an exploration.
#[derive(Clone, Debug)]
pub struct Config {
    /// A thread that would add more events than this stops the execution
    /// with [`Status::BoundExceeded`] (an unbounded loop, or a livelock).
    pub max_events_per_thread: usize,
    /// End an execution at its first data race ([`Status::Race`]) instead of
    /// finishing it and listing its races.
    pub stop_on_race: bool,
    /// Re-check every finished graph with the model's from-scratch checker
    /// (slow; for tests).
    pub check_full: bool,
    /// Replay a graph's events in an order that respects `po ∪ rf` and joins:
    /// a read is replayed only after the write it reads from, a join only
    /// after the joined thread's last event. Front-ends whose threads share
    /// real (unmodelled) memory need this, so that user code runs in an
    /// order consistent with happens-before while a graph is rebuilt.
    /// Off by default (threads are then replayed one after the other).
    pub replay_porf_order: bool,
    /// How many rounds of a waiting loop ([`Op::Wait`]) a thread goes on
    /// its own before it waits for the other threads: enough for a loop
    /// with a bounded backoff to reach its end. Each such round reads what
    /// the first one read and is never revisited, so it adds events, not
    /// executions.
    pub max_spins: u32,
    /// A thread that goes round a waiting loop this many times in a row,
    /// reading nothing new, stops the execution with
    /// [`Status::BoundExceeded`]: a loop that never ends.
    pub max_rounds: u32,
    /// A bounded exploration: only graphs reached through at most this
    /// many *deviations* are visited: choices other than the first the
    /// explorer makes (a backward revisit, which puts a read before a write
    /// another thread made later, like a preemption of a schedule; a read
    /// of an older write than the latest; a place in `co` below the top).
    /// The others are counted in [`Stats::bounded_out`]. The explorer's
    /// first execution has none: each thread runs as far as it can in turn
    /// and every read reads the latest write. `None`: all.
    pub max_deviations: Option<u32>,
    /// What is explored after a waiting thread goes on (see
    /// [`Execution::moved_on`]).
    pub going_on: GoingOn,
    /// Symmetry reduction: of two executions that differ only by swapping
    /// two threads the front-end vouched for as alike
    /// ([`Op::Spawn`](crate::Op::Spawn)'s `like`), explore one (see
    /// `explore/symmetry.rs`). Without such threads it does nothing.
    pub symmetry: bool,
}

/// What the explorer explores after a waiting thread went on from its loop
/// ([`Execution::moved_on`]): the executions in which what the thread does
/// after going round may differ from what it does after its loop's first
/// round (its state may differ in what the front-end cannot see).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum GoingOn {
    /// One of them: from the thread's going on, every read reads the latest
    /// write, every write goes last in `co` and revisits nothing. What the
    /// thread does after going round is run and checked (its assertions,
    /// its races with what the others did), at about the cost of the
    /// execution that stopped there; another thread's read made before it
    /// went on does not see what it writes after.
    #[default]
    OneSchedule,
    /// Every execution that follows, as for any other read: what only the
    /// loop's first round changed is seen whatever the other threads do
    /// after. It costs executions wherever a thread waits: six times as
    /// many blocked ones on the seed notes' mutex with four threads, and
    /// concurrent-queue's loom suite does not end in 25 minutes (35 s in
    /// one schedule).
    Exhaustive,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_events_per_thread: 10_000,
            stop_on_race: false,
            check_full: false,
            replay_porf_order: false,
            max_spins: 16,
            max_rounds: 1_000,
            max_deviations: None,
            going_on: GoingOn::OneSchedule,
            symmetry: true,
        }
    }
}

/// How an execution ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// Every thread finished.
    Complete,
    /// Some threads could not finish: they wait for a thread that never
    /// finishes, or blocked (a spin loop that can see no new value, an
    /// `assume(false)`). With no thread left to run, this is a deadlock.
    Blocked { threads: Vec<(ThreadId, Blocked)> },
    /// A thread reported an error ([`Op::Fail`]).
    Failed { thread: ThreadId },
    /// A data race (only with [`Config::stop_on_race`]).
    Race(Race),
    /// A thread exceeded [`Config::max_events_per_thread`].
    BoundExceeded { thread: ThreadId },
    /// On re-execution, a thread did something else than last time: its
    /// event `index` was `expected`, and now it issues `got` at `site`.
    Nondeterminism {
        thread: ThreadId,
        index: usize,
        expected: EventKind,
        got: Op,
        site: crate::ids::Site,
    },
    /// The model's full check rejected a finished graph ([`Config::check_full`]):
    /// a bug in the explorer or the model.
    Inconsistent { axiom: &'static str },
    /// The graph cannot be extended consistently (an RMW read a write that
    /// another RMW had already taken). Not an execution: never visited.
    DeadEnd,
    /// [`Explorer::replay`](crate::Explorer::replay): the program did not make the events the replay
    /// key describes (a different program, or a nondeterministic one).
    ReplayMismatch,
}

/// Why a thread did not finish.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Blocked {
    /// At a join of this thread, issued at this site (it has no event).
    Join(ThreadId, crate::ids::Site),
    Block(BlockReason),
    /// [`Op::Wait`] with a read that did not read the latest write: another
    /// execution reads it, so this one is not a real one.
    Wait,
    /// [`Op::Await`] on this location, with no write it accepts, issued at
    /// this site (it has no event).
    Await(LocId, crate::ids::Site),
}

impl Status {
    /// Whether this is an error a checker should report.
    pub fn is_error(&self) -> bool {
        !matches!(self, Status::Complete | Status::Blocked { .. })
    }
}

/// One finished execution, as handed to the visitor.
pub struct Execution<'a> {
    pub graph: &'a Graph,
    pub status: &'a Status,
    /// Data races of the graph (empty if the model has no undefined behaviour).
    pub races: &'a [Race],
    /// A thread went on from a waiting loop after its rounds had read a
    /// value another thread had since overwritten ([`Op::Wait`](crate::Op::Wait): with
    /// nothing else left to run, the lowest such thread reads one of the
    /// new values, in a read marked [`Read::moved`](crate::Read)). The
    /// execution where the loop's first round read that value is explored
    /// too, and is the same if the thread's state at its first round was the
    /// one it waits in; that cannot always be shown (a value only the first
    /// round changed, such as `waited = true`), so this one shows what
    /// follows after going round. It is not counted as an execution of its
    /// own (a complete one counts as blocked), and what goes wrong in it is
    /// a failure like any other.
    pub moved_on: bool,
    /// A compare-exchange re-run for this execution compared other values
    /// than in the run that added it, and the comparison came out the
    /// other way: it kept the outcome it had (a success replied the value
    /// it expected, a failure the value its write has in this run). A
    /// front-end's values may differ from run to run where they are
    /// addresses: a freed allocation's address given again to a new one in
    /// one run and not in the other makes two pointers equal only there.
    /// The graph is the execution where the allocator did what it did in
    /// the run that added the compare-exchange.
    pub kept_outcome: bool,
    /// Symmetry reduction was on and a thread told like threads apart (it
    /// joined some of them and did something else before joining the
    /// rest), in this execution or an earlier one: executions may have
    /// been left out that are not the image of an explored one. A
    /// front-end should explore again without [`Config::symmetry`].
    pub asymmetric: bool,
}

/// What the visitor wants next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    Continue,
    Stop,
}

/// Where an exploration gives away part of its work while it runs (see
/// [`Explorer::run_piece`](super::Explorer::run_piece) and
/// [`parallel`](super::parallel)).
pub trait Share {
    /// Whether work is wanted now; asked between executions, so it should
    /// be cheap.
    fn wanted(&self) -> bool;
    /// Takes a frame split off the exploration (see
    /// [`Explorer::split`](super::Explorer::split)).
    fn give(&mut self, frame: super::Frame);
}

/// A [`Share`] that wants nothing: the exploration keeps all its work.
pub struct Keep;

impl Share for Keep {
    fn wanted(&self) -> bool {
        false
    }
    fn give(&mut self, _: super::Frame) {}
}

/// Counts of an exploration.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Executions in which every thread finished.
    pub complete: u64,
    /// Executions that ended with threads blocked.
    pub blocked: u64,
    /// Executions that ended in an error status.
    pub errors: u64,
    /// Executions (complete or not) with at least one data race.
    pub racy: u64,
    /// Backward revisits taken.
    pub revisits: u64,
    /// Partial graphs that could not be extended (not executions).
    pub dead_ends: u64,
    /// Most frames (graphs) held at once: the explorer's memory is this many
    /// graphs, each the size of one execution.
    pub peak_frames: usize,
    /// Whether the visitor stopped the exploration early.
    pub stopped: bool,
    /// Alternatives not taken because of [`Config::max_deviations`]:
    /// when non-zero, the exploration was bounded, not exhaustive.
    pub bounded_out: u64,
    /// Like threads were told apart (see [`Execution::asymmetric`]).
    pub asymmetric: bool,
}

impl Stats {
    /// Adds the counts of another piece of the same exploration.
    pub fn add(&mut self, o: &Stats) {
        self.complete += o.complete;
        self.blocked += o.blocked;
        self.errors += o.errors;
        self.racy += o.racy;
        self.revisits += o.revisits;
        self.dead_ends += o.dead_ends;
        self.peak_frames = self.peak_frames.max(o.peak_frames);
        self.stopped |= o.stopped;
        self.bounded_out += o.bounded_out;
        self.asymmetric |= o.asymmetric;
    }

    /// All executions visited.
    pub fn total(&self) -> u64 {
        self.complete + self.blocked + self.errors
    }
}
