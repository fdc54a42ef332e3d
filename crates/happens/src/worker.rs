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
use happens_engine::{Execution, Issue, Made, Program, Reply, ThreadId};

use crate::checkpoint::Checkpoint;
use crate::model::{Builder, GoingOn};
use crate::report;
use crate::report::detect::{self, Verdict};
use crate::report::diagram::Picture;
use crate::report::Failure;
use crate::rt::{Known, Runtime};

/// A worker: the program the explorer runs, and its visitor.
pub(crate) struct Worker<'a> {
    pub rt: Runtime,
    b: &'a Builder,
    start: Instant,
    progress: &'a Progress,
    /// Executions this worker visited (with one worker: the exploration's
    /// execution numbers, which budgets and checkpoints count).
    visited: u64,
    checkpoint: Option<Checkpoint>,
    /// Executions a checkpoint says were checked already.
    skip: u64,
    /// Whether this exploration runs with symmetry reduction.
    pub symmetry: bool,
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
    /// Why this worker stopped the exploration before it was complete,
    /// when not for a failure, a budget or a restart.
    pub stopped: Option<String>,
    /// The piece's first failure, numbered within the piece.
    pub failure: Option<(Failure, Option<Picture>)>,
    /// A budget (`max_permutations`, `max_duration`) ran out.
    pub budget: bool,
    /// An execution used an object the exploration did not pre-allocate:
    /// the keys to start again with.
    pub restart: Option<Known>,
    /// Symmetry reduction was on and like threads were told apart: the
    /// exploration starts again without it.
    pub asymmetric: bool,
    /// Symmetry reduction was on and an execution spawned like threads.
    pub alike: bool,
}

impl<'a> Worker<'a> {
    /// A worker of the exploration of `main` that `b` configures, started
    /// at `start` (which `max_duration` counts from), knowing `known`.
    pub fn new(
        b: &'a Builder,
        main: &Arc<dyn Fn() + Sync + Send>,
        known: &Known,
        start: Instant,
        progress: &'a Progress,
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
            progress,
            visited: 0,
            skip: checkpoint.as_ref().map_or(0, |c| c.executions),
            checkpoint,
            symmetry: false,
        }
    }
}

impl Program for Worker<'_> {
    fn reset(&mut self) {
        self.rt.reset()
    }

    fn step(&mut self, t: ThreadId, reply: Reply, made: Made) -> Issue {
        self.rt.step(t, reply, made)
    }
}

impl EngineWorker for Worker<'_> {
    type Tally = Tally;

    fn visit(&mut self, e: &Execution<'_>, tally: &mut Tally) -> Step {
        if let Some(why) = self.rt.teardown_abort.take() {
            // its OS thread runs no more executions (`Runtime::poisoned`)
            tally.stopped = Some(format!(
                "a destructor panicked while happens unwound a thread left suspended at \
                 the end of an execution, which made std abort ({why}): the value was \
                 dropped in a state the program never drops it in, and this worker's OS \
                 thread cannot run more executions"
            ));
            return Step::Halt;
        }
        if self.rt.discovered_any() {
            tally.restart = self.rt.needs_restart();
            return Step::Halt;
        }
        if self.symmetry && (e.asymmetric || self.rt.ctx.st.borrow().told_apart) {
            tally.asymmetric = true;
            return Step::Halt;
        }
        tally.alike |= self.symmetry && self.rt.ctx.st.borrow().threads.iter().any(|t| t.alike);
        tally.visited += 1;
        self.visited += 1;
        let b = self.b;
        if self.visited > self.skip {
            tally.kept_outcome += u64::from(e.kept_outcome);
            let st = self.rt.ctx.st.borrow();
            match detect::verdict(e, &st, b.max_branches) {
                Verdict::Ok => {}
                Verdict::Blocked => {
                    tally.blocked += 1;
                    if e.moved_on && b.going_on == GoingOn::OneSchedule {
                        tally.one_schedule += 1;
                    }
                }
                Verdict::Fail(kind) => {
                    let f = report::failure(kind, e, &st, tally.visited, b.pictures());
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
            self.progress.line(self.start, self.visited, tally.blocked);
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

/// The progress lines of one exploration: one every [`PROGRESS_EVERY`]
/// seconds whatever the number of its workers, named after the test it
/// runs in, so that the lines of explorations running side by side (cargo
/// runs tests on several threads) say whose they are. The test harness
/// shows them only for a failing test, or with `--nocapture`.
pub(crate) struct Progress {
    /// The thread the exploration was started on, which libtest names
    /// after the test (`None` for a program's main thread).
    name: Option<String>,
    /// The last period a line was printed for, in seconds from the start.
    last: std::sync::atomic::AtomicU64,
}

impl Progress {
    /// For an exploration started on the current thread.
    pub fn here() -> Progress {
        Progress {
            name: std::thread::current()
                .name()
                .filter(|n| *n != "main")
                .map(str::to_string),
            last: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// Prints a line if a period passed since the last one.
    fn line(&self, start: Instant, visited: u64, blocked: u64) {
        if let Some(l) = self.due(start, visited, blocked) {
            eprintln!("{l}");
        }
    }

    /// The line to print now, if a period passed since the last one (and
    /// it is this worker's to print).
    fn due(&self, start: Instant, visited: u64, blocked: u64) -> Option<String> {
        use std::sync::atomic::Ordering::Relaxed;
        let secs = start.elapsed().as_secs();
        let last = self.last.load(Relaxed);
        let due = (secs / PROGRESS_EVERY) * PROGRESS_EVERY;
        if due == 0
            || due == last
            || self
                .last
                .compare_exchange(last, due, Relaxed, Relaxed)
                .is_err()
        {
            return None;
        }
        let name = self
            .name
            .as_deref()
            .map_or(String::new(), |n| format!(" {n}"));
        Some(format!(
            "happens{name}: {} s, {} executions ({} blocked) on this worker, {:.0}/s",
            secs,
            visited - blocked,
            blocked,
            visited as f64 / start.elapsed().as_secs_f64()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_progress_line_names_its_test_once_per_period() {
        let p = Progress::here();
        // libtest names the thread after the test
        assert_eq!(
            p.name.as_deref(),
            Some("worker::tests::a_progress_line_names_its_test_once_per_period")
        );
        let start = Instant::now().checked_sub(Duration::from_secs(25)).unwrap();
        let line = p.due(start, 3_000, 1_000).expect("a period passed");
        assert!(
            line.starts_with(
                "happens worker::tests::a_progress_line_names_its_test_once_per_period: 25 s, \
                 2000 executions (1000 blocked) on this worker, "
            ),
            "{line}"
        );
        // once per period, whichever worker asks
        assert_eq!(p.due(start, 3_100, 1_000), None);
        let later = start.checked_sub(Duration::from_secs(10)).unwrap();
        assert!(p.due(later, 4_000, 1_000).is_some());
        // nothing before the first period
        let fresh = Progress::here();
        assert_eq!(fresh.due(Instant::now(), 10, 0), None);
    }
}
