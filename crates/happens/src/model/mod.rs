//! Entry points: [`model`], [`Builder`] and the [`Report`] of an exploration.
//!
//! Exploration uses the engine's optimal explorer under Rust's memory model
//! (C++20's, with RC11's no-thin-air axiom; [`Builder::model`] picks another):
//! every consistent execution is run exactly once, and the first failure
//! stops it.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// The memory models an exploration can run under (see [`Builder::model`]).
pub use happens_engine::{GoingOn, ModelKind};

use crate::report;
use crate::report::Failure;

mod run;

/// Default `max_threads` (loom's value, main thread included). The optimal
/// explorer has no hard limit; the field is kept for compatibility.
pub const DEFAULT_MAX_THREADS: usize = 5;
/// How many choices other than the explorer's first each preemption of
/// [`Builder::preemption_bound`] stands for: a revisit that lets a thread
/// run ahead, its write's place in `co`, and one read of an older write.
/// With it crossbeam-epoch's loom test under `LOOM_MAX_PREEMPTIONS=2`
/// visits 5,837 executions in 0.7 s where loom runs 61,605 schedules in
/// 4.9 s, and four threads locking one mutex reach all 24 lock orders.
pub const DEVIATIONS_PER_PREEMPTION: u32 = 3;

/// Default `max_branches`: the maximum number of events of one thread in an
/// execution. (loom counts choice points, of which a thread has far fewer
/// than events; a loop that never ends is reported when it reaches this.)
pub const DEFAULT_MAX_BRANCHES: usize = 100_000;

/// Configures an exploration. Fields and environment variables follow loom.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Builder {
    /// Kept for loom compatibility; not a limit here.
    pub max_threads: usize,
    /// Maximum number of events of one thread (`LOOM_MAX_BRANCHES`); a thread
    /// going past it is reported as [`crate::FailureKind::LoopBound`].
    pub max_branches: usize,
    /// Stop after this many executions (`LOOM_MAX_PERMUTATIONS`); the report
    /// says the exploration is incomplete.
    pub max_permutations: Option<usize>,
    /// Stop after this much time (`LOOM_MAX_DURATION`, seconds).
    pub max_duration: Option<Duration>,
    /// `LOOM_MAX_PREEMPTIONS`: a bounded exploration for suites too big to
    /// finish. The explorer has no schedules to bound; it bounds what
    /// plays their part, the choices it makes other than its first: a
    /// *backward revisit* (a read made to read a write another thread
    /// makes later, which a schedule gets by a preemption), a read of an
    /// older write than the latest, a place in `co` below the top. A bound
    /// of `k` visits the executions reached through at most
    /// [`DEVIATIONS_PER_PREEMPTION`]` * k` of them (a lock taken out of
    /// turn is a revisit plus its write's place). The report says the
    /// exploration was bounded ([`Report::bounded`]) when something was
    /// left out. `None` (the default): exhaustive.
    pub preemption_bound: Option<usize>,
    /// `LOOM_CHECKPOINT_FILE` (feature `checkpoint`).
    pub checkpoint_file: Option<PathBuf>,
    /// `LOOM_CHECKPOINT_INTERVAL`: executions between checkpoints (and
    /// between budget checks).
    pub checkpoint_interval: usize,
    /// Kept for loom compatibility (`explore`/`stop_exploring` are no-ops).
    pub expect_explicit_explore: bool,
    /// `LOOM_LOCATION`: source locations are always recorded; kept for
    /// compatibility.
    pub location: bool,
    /// `LOOM_LOG`: print a summary line after a passing exploration.
    pub log: bool,
    /// `HAPPENS_REPLAY`: a replay key (`h1/...`, printed with every
    /// failure). That one execution is run first: if it fails, its failure
    /// is the report (1 execution, incomplete); if it passes (or the key
    /// does not describe an execution of this program), the whole
    /// exploration follows as usual. A key that does not parse panics.
    pub replay: Option<String>,
    /// Stack size of each modelled thread, in bytes: 1 MiB by default
    /// (`HAPPENS_STACK_SIZE`). Each stack has a guard page below it: a
    /// thread that uses its stack up fails with
    /// [`crate::FailureKind::StackOverflow`], and the process goes on.
    /// Only the pages a thread touches are backed by memory.
    pub stack_size: usize,
    /// Draw the failing execution into failures (`happens-render`'s
    /// terminal diagram; on by default, `HAPPENS_DIAGRAM=0` turns it off).
    pub diagram: bool,
    /// Where a failure whose diagram cannot fit 100 columns writes the
    /// whole failing execution as an SVG picture (`HAPPENS_SVG_DIR`;
    /// see [`Builder::svg_dir`]). `None`: the system's temporary
    /// directory, `happens/` in it.
    pub svg_dir: Option<PathBuf>,
    /// The waiting rule (see "Waiting loops" in the crate docs): a thread
    /// that repeats a round of a loop (the same operations, leaving memory
    /// as it was, with its registers and stack checked as it goes on)
    /// waits for the others, and such rounds are not counted as executions
    /// of their own.
    /// On by default; off (`HAPPENS_WAITING=0`), every round of every loop
    /// is explored and only `max_branches` bounds them.
    pub waiting: bool,
    /// How many rounds of a waiting loop a thread goes on its own before it
    /// waits for the others: enough for a loop with a bounded backoff to
    /// reach its end (crossbeam's `Backoff` completes after 11). Such
    /// rounds add events, not executions. Default 16.
    pub max_spins: u32,
    /// What is explored after a waiting thread goes on from its loop (its
    /// rounds read a value since overwritten, or it retried after a
    /// spurious failure, and nothing else can run; see "Waiting loops" in
    /// the crate docs): one schedule of what follows
    /// ([`GoingOn::OneSchedule`], the default; [`Report::one_schedule`]
    /// counts the executions where it happened), or every execution that
    /// follows ([`GoingOn::Exhaustive`], `HAPPENS_GOING_ON=all`: what only
    /// a loop's first round changed is then seen whatever the others do
    /// after, at a cost wherever threads wait).
    pub going_on: GoingOn,
    /// Spurious wakeups: `Condvar::wait` (and `wait_while`'s waits) and
    /// `thread::park` may also return with no notification or unpark, as
    /// `std` allows, so code that waits without re-checking its condition
    /// in a loop is caught. At most one spurious return per thread and
    /// execution (so a wait loop that always woke spuriously still ends).
    /// Off by default (`HAPPENS_SPURIOUS=1` turns it on): each such return
    /// is an execution of its own.
    pub spurious_wakeups: bool,
    /// Symmetry reduction: threads spawned one after the other by one
    /// thread from the same closure with equal captures (`for _ in 0..n {
    /// let c = c.clone(); thread::spawn(move || ...) }`), returning `()`,
    /// are interchangeable, and of two executions that differ only by
    /// swapping two of them one is explored. A thread that tells them
    /// apart (joins one and does something before joining the others,
    /// asks one's `id`, unparks one) makes the exploration start again
    /// without it. On by default; off with `HAPPENS_SYMMETRY=0`. Failures
    /// are the same either way, found in an execution of the program,
    /// with its replay key. Off under shards.
    pub symmetry: bool,
    /// The memory model (see [`Builder::model`]). Default
    /// [`ModelKind::Rust`].
    pub model: ModelKind,
    /// OS threads one exploration may run on (`HAPPENS_WORKERS`; default:
    /// the machine's available parallelism). The search splits into
    /// independent pieces; helpers start after 50 ms of exploring alone,
    /// so small models never start one. The report is the sequential
    /// exploration's: the same counts, the same first failure with the
    /// same execution number. One thread is used when a checkpoint or
    /// `max_permutations` counts executions in order, and when the
    /// closure uses objects created outside it (`static`s, captured
    /// objects, `lazy_static!` values), whose memory all threads would
    /// share.
    pub workers: usize,
    /// `HAPPENS_SHARD=K/N`: explore only shard `K` (from 0) of `N` of
    /// every exploration, and write its report for `happens merge` (see
    /// [`crate::shard`] and [`Builder::shard`]). `None`: all of it.
    pub shard: Option<crate::shard::Shard>,
    /// The ordering advisor running this exploration (see
    /// [`Builder::advise`]).
    pub(crate) advice: Option<Arc<crate::advise::Ctx>>,
}

/// Refuses a model the library cannot explore under (see [`Builder::model`]).
#[track_caller]
fn assert_explorable(model: ModelKind) {
    assert!(
        model.explorable(),
        "happens: the `{model}` model is for litmus tests only (`happens litmus --model {model}`): \
         it is checked on whole executions (with `po ∪ rf` cycles, or with the program's dependencies) that the explorer cannot build; \
         the library explores under `rust` (the default), `rc11` or `sc`"
    );
}

/// What an exploration found.
#[derive(Debug, Clone)]
pub struct Report {
    /// Executions that ran to their end (every thread finished, or the
    /// failing one); blocked executions are counted in `blocked` instead.
    pub executions: u64,
    /// Executions that were not real: a spin loop blocked waiting for a
    /// value it could still read in another execution.
    pub blocked: u64,
    /// Of the blocked executions, those in which a thread waiting in a
    /// loop went on (see "Waiting loops" in the crate docs) and what
    /// followed was run in one schedule ([`GoingOn::OneSchedule`], the
    /// default): other schedules of what followed were not explored. 0
    /// means nothing was left out this way.
    pub one_schedule: u64,
    /// Executions in which a compare-exchange, re-run, compared pointers
    /// whose addresses differ from those of the run that first explored
    /// it, and kept that run's outcome: the allocator gave a freed
    /// allocation's address to a new one in one run and not in the other
    /// (see [`AtomicPtr`](crate::sync::atomic::AtomicPtr)). 0 when every
    /// compare-exchange compared what it compared when first explored.
    pub kept_outcome: u64,
    /// Why the exploration stopped before it was complete when it was not
    /// for a failure, a budget or a bound: it proves nothing, and
    /// [`Builder::check`] fails on it.
    pub stopped: Option<String>,
    /// The first failure, if any.
    pub failure: Option<Failure>,
    /// Whether every execution was visited (false when a budget stopped it,
    /// a failure was found, or the exploration was bounded).
    pub complete: bool,
    /// Executions left out by [`Builder::preemption_bound`]
    /// (`LOOM_MAX_PREEMPTIONS`): the number of alternatives not taken, 0
    /// when the bound cut nothing.
    pub bounded: u64,
    pub elapsed: Duration,
    /// OS threads the exploration ran on: 1, or up to
    /// [`Builder::workers`] once it had run alone for 50 ms.
    pub threads: usize,
    /// Whether threads spawned alike (one after the other, from the same
    /// closure code with equal captured values: see "Symmetric threads"
    /// in the crate docs) were explored up to swapping them: of
    /// executions that differ only by swapping two such threads, one was
    /// run. False when no thread was spawned like another, when
    /// [`Builder::symmetry`] is off, or when the program told such threads
    /// apart and the exploration ran again without the reduction.
    pub up_to_symmetry: bool,
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} executions ({} blocked) in {:?}{}{}",
            self.executions,
            self.blocked,
            self.elapsed,
            if self.threads > 1 {
                format!(" on {} threads", self.threads)
            } else {
                String::new()
            },
            if self.bounded > 0 {
                ", bounded by LOOM_MAX_PREEMPTIONS (not exhaustive)"
            } else if self.complete {
                ""
            } else {
                ", exploration incomplete"
            }
        )?;
        if self.one_schedule > 0 {
            write!(
                f,
                "; in {} of the blocked a waiting loop went on and what followed ran in one \
                 schedule (HAPPENS_GOING_ON=all explores them all)",
                self.one_schedule
            )?;
        }
        if self.bounded > 0 && self.executions == 0 && self.blocked > 0 {
            // the revisits that let a waiting loop's first read see what it
            // waits for are deviations the bound cut: what is left are
            // executions in which a loop waited, each run to its end or to
            // its wait and checked for failures
            write!(
                f,
                "; within the bound every execution waited in a loop (counted as blocked), \
                 and each was checked for failures"
            )?;
        }
        if self.up_to_symmetry {
            write!(
                f,
                "; threads spawned alike were explored up to swapping them \
                 (HAPPENS_SYMMETRY=0 explores every order)"
            )?;
        }
        if let Some(why) = &self.stopped {
            write!(f, "; stopped early: {why}")?;
        }
        if self.kept_outcome > 0 {
            write!(
                f,
                "; in {} a compare-exchange kept the outcome it had when first explored, \
                 the allocator having given its pointers other addresses since \
                 (happens::alloc::Fresh as the global allocator keeps freed addresses apart)",
                self.kept_outcome
            )?;
        }
        if let Some(fl) = &self.failure {
            write!(f, "\n{fl}")?;
        }
        Ok(())
    }
}

#[track_caller]
fn env<T: std::str::FromStr>(name: &str) -> Option<T> {
    let v = std::env::var(name).ok()?;
    match v.trim().parse() {
        Ok(x) => Some(x),
        Err(_) => panic!("invalid value for `{name}`: {v:?}"),
    }
}

/// The machine's available parallelism, asked once: the question reads
/// cgroup files, which would cost every `Builder::new` (every `model`
/// call) more than a small exploration.
fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES
        .get_or_init(|| std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get))
}

impl Default for Builder {
    fn default() -> Self {
        Self::new()
    }
}

impl Builder {
    /// A builder configured from the environment (loom's variables, plus
    /// `HAPPENS_REPLAY`). An unparsable value panics.
    pub fn new() -> Builder {
        Builder {
            max_threads: DEFAULT_MAX_THREADS,
            max_branches: env("LOOM_MAX_BRANCHES").unwrap_or(DEFAULT_MAX_BRANCHES),
            max_permutations: env("LOOM_MAX_PERMUTATIONS"),
            max_duration: env::<f64>("LOOM_MAX_DURATION").map(Duration::from_secs_f64),
            preemption_bound: env("LOOM_MAX_PREEMPTIONS"),
            checkpoint_file: std::env::var_os("LOOM_CHECKPOINT_FILE").map(PathBuf::from),
            checkpoint_interval: env("LOOM_CHECKPOINT_INTERVAL").unwrap_or(20_000),
            expect_explicit_explore: false,
            location: std::env::var_os("LOOM_LOCATION").is_some(),
            log: std::env::var_os("LOOM_LOG").is_some(),
            replay: std::env::var("HAPPENS_REPLAY").ok(),
            stack_size: env("HAPPENS_STACK_SIZE").unwrap_or(crate::rt::STACK_SIZE),
            diagram: std::env::var("HAPPENS_DIAGRAM").map_or(true, |v| v.trim() != "0"),
            svg_dir: std::env::var_os("HAPPENS_SVG_DIR").map(PathBuf::from),
            waiting: std::env::var("HAPPENS_WAITING").map_or(true, |v| v.trim() != "0"),
            max_spins: 16,
            going_on: match std::env::var("HAPPENS_GOING_ON").as_deref().map(str::trim) {
                Ok("all") => GoingOn::Exhaustive,
                _ => GoingOn::OneSchedule,
            },
            spurious_wakeups: std::env::var("HAPPENS_SPURIOUS").is_ok_and(|v| v.trim() == "1"),
            symmetry: std::env::var("HAPPENS_SYMMETRY").map_or(true, |v| v.trim() != "0"),
            model: ModelKind::default(),
            workers: env("HAPPENS_WORKERS").unwrap_or_else(cores),
            shard: crate::shard::Shard::from_env(),
            advice: None,
        }
    }

    /// Explores under `model`: [`ModelKind::Rust`] (the default: C++20's
    /// model, which Rust's atomics follow, with RC11's no-thin-air axiom),
    /// [`ModelKind::Rc11`] (the RC11 paper's weaker SeqCst rule, which lets
    /// two SeqCst stores to one location be merged) or [`ModelKind::Sc`]
    /// (sequential consistency: every ordering behaves as SeqCst, and there
    /// are no data races). A replay key replays under the model it was
    /// printed for.
    ///
    /// [`ModelKind::X86`] is a hardware model, meant for litmus tests
    /// (`happens litmus --model x86`). Given here, it runs each atomic
    /// operation as the standard mapping compiles it (plain `mov`s, `xchg`
    /// for SeqCst stores, locked RMWs, `mfence` for SeqCst fences) on
    /// x86-TSO, and reports no data races (hardware has no undefined
    /// behaviour). It says what the instructions allow, not what Rust
    /// promises: the compiler may reorder Relaxed accesses before any
    /// machine sees them, so a program that passes only under `X86` is
    /// still wrong.
    ///
    /// # Panics
    ///
    /// For a model the explorer cannot explore ([`ModelKind::explorable`]):
    /// [`ModelKind::Cxx20`] needs executions with `po ∪ rf` cycles and
    /// [`ModelKind::Arm`] the program's dependencies, which only the litmus
    /// front-end enumerates (`happens litmus --model c++20|arm`).
    #[track_caller]
    pub fn model(&mut self, model: ModelKind) -> &mut Self {
        assert_explorable(model);
        self.model = model;
        self
    }

    /// Sets the checkpoint file.
    pub fn checkpoint_file(&mut self, file: &str) -> &mut Self {
        self.checkpoint_file = Some(PathBuf::from(file));
        self
    }

    /// Runs the execution of a replay key first (see [`Builder::replay`]'s
    /// field).
    pub fn replay(&mut self, key: &str) -> &mut Self {
        self.replay = Some(key.to_string());
        self
    }

    /// Turns the waiting rule on or off (see [`Builder::waiting`]'s field).
    pub fn waiting(&mut self, on: bool) -> &mut Self {
        self.waiting = on;
        self
    }

    /// The OS threads one exploration may run on (see the field
    /// [`Builder::workers`]); 1 explores on the calling thread alone.
    pub fn workers(&mut self, n: usize) -> &mut Self {
        self.workers = n;
        self
    }

    /// Explores spurious wakeups (see the field [`Builder::spurious_wakeups`]).
    pub fn spurious_wakeups(&mut self, on: bool) -> &mut Self {
        self.spurious_wakeups = on;
        self
    }

    /// Symmetry reduction (see the field [`Builder::symmetry`]).
    pub fn symmetry(&mut self, on: bool) -> &mut Self {
        self.symmetry = on;
        self
    }

    /// Whether failures carry a diagram of the failing execution.
    pub fn diagram(&mut self, on: bool) -> &mut Self {
        self.diagram = on;
        self
    }

    /// The directory where a failure whose diagram cannot fit 100 columns
    /// (even showing only what explains it, with the shortest labels)
    /// writes the whole failing execution as an SVG picture; the failure
    /// prints the file's path (`<dir>/happens-<name of the test's
    /// thread>.svg`). Default: `HAPPENS_SVG_DIR`, else `happens/` in the
    /// system's temporary directory.
    pub fn svg_dir(&mut self, dir: impl Into<PathBuf>) -> &mut Self {
        self.svg_dir = Some(dir.into());
        self
    }

    /// What failures draw.
    pub(crate) fn pictures(&self) -> report::Pictures<'_> {
        report::Pictures {
            diagram: self.diagram,
            svg_dir: self.svg_dir.as_deref(),
        }
    }

    /// Explores every execution of `f`; panics with the rendered failure.
    /// With `HAPPENS_ADVISE=1`, a passing test is then advised (see
    /// [`Builder::advise`]) and the advice printed on standard error. A
    /// pass that is not a proof (bounded by `LOOM_MAX_PREEMPTIONS`, or with
    /// executions run in one schedule after a waiting loop went on, see
    /// [`Report::one_schedule`]) prints its report on standard error, as
    /// `LOOM_LOG` does for every pass.
    #[track_caller]
    pub fn check<F: Fn() + Sync + Send + 'static>(&self, f: F) {
        let f: Arc<dyn Fn() + Sync + Send> = Arc::new(f);
        let g = f.clone();
        let report = self.explore(move || g());
        if let Some(fl) = report.failure {
            panic!("{fl}");
        }
        if report.stopped.is_some() {
            // an exploration cut short for no failure of the program's
            // proves nothing: a test must not pass on it
            panic!("happens: {report}");
        }
        if std::env::var("HAPPENS_ADVISE").is_ok_and(|v| v.trim() == "1") {
            eprintln!("{}", crate::advise::advise(self, f));
        }
        if self.log || report.bounded > 0 || report.one_schedule > 0 {
            // a bounded pass is not a proof, nor is one where what followed
            // a waiting loop's going on ran in one schedule: say so
            eprintln!("happens: {report}");
        }
    }

    /// Explores only shard `index` (from 0) of `of` of each exploration
    /// (`HAPPENS_SHARD=index/of`), for running one exploration as `of`
    /// processes, on as many machines: each writes a JSON report per
    /// exploration into `HAPPENS_SHARD_DIR` (default `happens-shards`), and
    /// `happens merge` gives the report one process would have given (see
    /// [`crate::shard`]). Panics unless `index < of`.
    pub fn shard(&mut self, index: usize, of: usize) -> &mut Self {
        assert!(index < of, "shard {index} of {of}: expected index < of");
        self.shard = Some(crate::shard::Shard { index, of });
        self
    }

    /// The ordering advisor (see [`crate::advise`]): explores `f` as
    /// written, then again with one atomic call site's ordering changed at
    /// a time, and says for each site the weakest orderings that keep a
    /// passing test passing (with the failing execution that shows why each
    /// next weaker one is not enough), one combination of weakest orderings
    /// that passes together, or, for a failing test, which sites'
    /// strengthening makes it pass. `HAPPENS_ADVISE=1` advises every test
    /// that [`model()`] or [`Builder::check`] runs and passes.
    pub fn advise<F: Fn() + Sync + Send + 'static>(&self, f: F) -> crate::advise::Advice {
        crate::advise::advise(self, Arc::new(f))
    }

    /// Explores every execution of `f` and reports; never panics because of
    /// the program (a panic of the program is a [`Failure`]). Panics if the
    /// `model` field names a model the library cannot explore under (see
    /// [`Builder::model`]).
    ///
    /// The exploration runs on an OS thread of its own, named like the
    /// caller's: a program can leave the thread that runs it unusable (a
    /// destructor that panics while its thread unwinds is stopped inside
    /// std's panic machinery, and reported), and the caller's thread, a
    /// test harness's, must not be that thread.
    pub fn explore<F: Fn() + Sync + Send + 'static>(&self, f: F) -> Report {
        assert_explorable(self.model);
        let name = std::thread::current().name().map(str::to_string);
        std::thread::scope(|s| {
            let mut t = std::thread::Builder::new();
            if let Some(n) = name {
                t = t.name(n);
            }
            t.spawn_scoped(s, || self.explore_here(f))
                .expect("happens: cannot start the exploring OS thread")
                .join()
        })
        .unwrap_or_else(|p| std::panic::resume_unwind(p))
    }
}

/// Explores every execution of `f` with the default [`Builder`]; panics with
/// the rendered failure.
#[track_caller]
pub fn model<F: Fn() + Sync + Send + 'static>(f: F) {
    Builder::new().check(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(executions: u64, blocked: u64, bounded: u64) -> Report {
        Report {
            executions,
            blocked,
            one_schedule: 0,
            kept_outcome: 0,
            stopped: None,
            failure: None,
            complete: bounded == 0,
            bounded,
            elapsed: Duration::from_millis(5),
            threads: 1,
            up_to_symmetry: false,
        }
    }

    /// diatomic-waker's and tokio's suites under their bounds read
    /// "0 executions (284 blocked)", as if nothing had been checked.
    #[test]
    fn a_bounded_pass_of_waiting_executions_says_they_were_checked() {
        let said = "within the bound every execution waited in a loop";
        assert!(report(0, 284, 12).to_string().contains(said));
        assert!(!report(3, 284, 12).to_string().contains(said));
        assert!(!report(0, 284, 0).to_string().contains(said));
        assert!(!report(0, 0, 12).to_string().contains(said));
    }
}
