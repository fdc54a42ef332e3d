//! One exploring OS thread of [`crate::model::Builder::explore`]: a
//! [`Runtime`] of its own and the checks of each execution it visits.
//!
//! An exploration runs on [`Builder::workers`] OS threads
//! (`happens_engine::explore::parallel`): each has its runtime (its
//! coroutines and the thread-local context they find it by), and objects
//! created inside an execution belong to the runtime that runs it. What
//! all workers share is the closure, which is `Sync`, and the objects that
//! outlive executions (`static`s, objects the closure captures,
//! `lazy_static!` values), whose memory is one: an exploration that knows
//! of any runs on one OS thread. The first exploration never touches them:
//! an execution meeting one records it and stops the thread there, and the
//! exploration starts again knowing it (see `rt::prealloc`).

use std::sync::Arc;
use std::time::Instant;

use happens_engine::explore::parallel::{Step, Worker as EngineWorker};
use happens_engine::{Execution, Op, Program, Reply, ThreadId};

use crate::check::{self, Verdict};
use crate::checkpoint::Checkpoint;
use crate::diagram::Picture;
use crate::failure::Failure;
use crate::model::{Builder, GoingOn};
use crate::rt::{Known, Runtime};

/// A worker: the program the explorer runs, and its visitor.
pub(crate) struct Worker<'a> {
    pub rt: Runtime,
    b: &'a Builder,
    start: Instant,
    /// Executions this worker visited (with one worker: the exploration's
    /// execution numbers, which budgets and checkpoints count).
    visited: u64,
    checkpoint: Option<Checkpoint>,
    /// Executions a checkpoint says were checked already.
    skip: u64,
}

/// What a worker found in one piece of the exploration.
#[derive(Default)]
pub(crate) struct Tally {
    /// Executions visited, blocked ones included.
    pub visited: u64,
    pub blocked: u64,
    /// Of the blocked, executions in which a waiting thread went on and
    /// what followed was run in one schedule ([`GoingOn::OneSchedule`]).
    pub one_schedule: u64,
    /// Executions in which a compare-exchange kept the outcome of the run
    /// that found it (`Execution::kept_outcome`).
    pub kept_outcome: u64,
    /// The piece's first failure, numbered within the piece.
    pub failure: Option<(Failure, Option<Picture>)>,
    /// A budget (`max_permutations`, `max_duration`) ran out.
    pub budget: bool,
    /// An execution used an object the exploration did not pre-allocate:
    /// the keys to start again with.
    pub restart: Option<Known>,
}

impl<'a> Worker<'a> {
    /// A worker of the exploration of `main` that `b` configures, started
    /// at `start` (which `max_duration` counts from), knowing `known`.
    pub fn new(
        b: &'a Builder,
        main: &Arc<dyn Fn() + Sync + Send>,
        known: &Known,
        start: Instant,
    ) -> Self {
        let mut rt = Runtime::new(main.clone(), b.stack_size);
        rt.set_known(known.clone());
        {
            let mut st = rt.ctx.st.borrow_mut();
            st.wait_rule = b.waiting;
            st.spurious = b.spurious_wakeups;
            st.advice = b.advice.clone();
        }
        let checkpoint = Checkpoint::load(b.checkpoint_file.as_deref());
        Worker {
            rt,
            b,
            start,
            visited: 0,
            skip: checkpoint.as_ref().map_or(0, |c| c.executions),
            checkpoint,
        }
    }
}

impl Program for Worker<'_> {
    fn reset(&mut self) {
        self.rt.reset()
    }

    fn step(&mut self, t: ThreadId, reply: Reply) -> Op {
        self.rt.step(t, reply)
    }
}

impl EngineWorker for Worker<'_> {
    type Tally = Tally;

    fn visit(&mut self, e: &Execution<'_>, tally: &mut Tally) -> Step {
        if self.rt.discovered_any() {
            tally.restart = self.rt.needs_restart();
            return Step::Halt;
        }
        tally.visited += 1;
        self.visited += 1;
        let b = self.b;
        if self.visited > self.skip {
            tally.kept_outcome += u64::from(e.kept_outcome);
            let st = self.rt.ctx.st.borrow();
            match check::verdict(e, &st, b.max_branches) {
                Verdict::Ok => {}
                Verdict::Blocked => {
                    tally.blocked += 1;
                    if e.moved_on && b.going_on == GoingOn::OneSchedule {
                        tally.one_schedule += 1;
                    }
                }
                Verdict::Fail(kind) => {
                    let f = check::failure(kind, e, &st, tally.visited, b.pictures());
                    tally.failure = Some(f);
                    // an OS thread left inside std's panic machinery runs
                    // nothing more: every worker stops
                    return if self.rt.poisoned() {
                        Step::Halt
                    } else {
                        Step::Stop
                    };
                }
            }
        }
        if self.visited % 1024 == 0 {
            progress(self.start, self.visited, tally.blocked);
        }
        let over = b.max_permutations.is_some_and(|m| self.visited >= m as u64)
            || b.max_duration.is_some_and(|d| self.start.elapsed() >= d);
        if over || self.visited % b.checkpoint_interval.max(1) as u64 == 0 {
            if let Some(c) = self.checkpoint.as_mut() {
                c.executions = self.visited;
                c.store(b.checkpoint_file.as_deref());
            }
        }
        if over {
            tally.budget = true;
            return Step::Halt;
        }
        Step::Continue
    }
}

/// Seconds between progress lines on a long exploration (the first comes
/// after as long).
const PROGRESS_EVERY: u64 = 10;

/// Prints a progress line on standard error when [`PROGRESS_EVERY`]
/// seconds have passed since the last one (process-wide: one line per
/// period whatever the number of workers and explorations; the test
/// harness shows it only for a failing test, or with `--nocapture`).
fn progress(start: Instant, visited: u64, blocked: u64) {
    use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
    static LAST: AtomicU64 = AtomicU64::new(0);
    let secs = start.elapsed().as_secs();
    let last = LAST.load(Relaxed);
    let due = (secs / PROGRESS_EVERY) * PROGRESS_EVERY;
    if due == 0 || due == last || LAST.compare_exchange(last, due, Relaxed, Relaxed).is_err() {
        return;
    }
    eprintln!(
        "happens: {} s, {} executions ({} blocked) on this worker, {:.0}/s",
        secs,
        visited - blocked,
        blocked,
        visited as f64 / start.elapsed().as_secs_f64()
    );
}
