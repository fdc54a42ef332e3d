//! # happens
//!
//! A model checker for the Rust/C++20 memory model, with loom's API. Write a
//! test with `happens::model(|| ...)` using `happens::sync`, `happens::cell`
//! and `happens::thread` in place of `std`'s: every execution the memory
//! model (`rust` by default: C++20's rules, see `model::ModelKind`) allows
//! is explored exactly once, and the first assertion
//! failure, data race, deadlock or leak is reported with a trace of the
//! execution and a replay key.
//!
//! ```
//! use happens::sync::atomic::{AtomicUsize, Ordering};
//! use happens::sync::Arc;
//!
//! let report = happens::model::Builder::new().explore(|| {
//!     let n = Arc::new(AtomicUsize::new(0));
//!     let n2 = n.clone();
//!     let t = happens::thread::spawn(move || n2.fetch_add(1, Ordering::Relaxed));
//!     n.fetch_add(1, Ordering::Relaxed);
//!     t.join().unwrap();
//!     assert_eq!(n.load(Ordering::Relaxed), 2);
//! });
//! assert!(report.failure.is_none());
//! assert_eq!(report.executions, 2);
//! ```
//!
//! A failure panics (with [`model()`]) or is returned (with
//! [`model::Builder::explore`]) as a [`Failure`]: what went wrong and why,
//! as a chain in memory-model words naming source lines, the trace, a
//! diagram of the failing execution (threads as columns, each location's
//! values in modification order, the failing events in double-line boxes)
//! and a replay key.
//!
//! The diagram draws what explains the failure within 100 columns: the
//! racing accesses and the synchronisation missing between them; the reads
//! whose values failed an assertion, the writes they read and the newer
//! ones they missed; a deadlock's waits and who holds what. Everything else
//! is left out (`⋮` on a thread's line where its events were), the
//! library's bookkeeping (`Arc`'s reference counts) always. When even that
//! is wider than 100 columns, the failure says so and writes the whole
//! execution as an SVG picture into `HAPPENS_SVG_DIR`, or the directory
//! given to [`model::Builder::svg_dir`] (default: `happens/` in the
//! system's temporary directory), and prints its path.
//!
//! ## Objects and their locations
//!
//! Creating a modelled object (an atomic, an `UnsafeCell`, a `Mutex`, ...)
//! inside an execution is an event of the thread that creates it, at the
//! point of creation: its initial value is that thread's write (an atomic
//! write for an atomic, a non-atomic one otherwise). So another thread
//! that reads a freshly boxed value without happens-before races with its
//! initialisation, as in C++ and GenMC; and an object's identity is its
//! creating event (the thread and its place in that thread's program
//! order), the same in every execution whatever thread touches it first.
//! A revisit that removes a creation removes everything that depends on it.
//!
//! This is why constructors are not `const` (as in loom): a `const fn`
//! cannot reach the model, and correctness wins for objects created inside
//! an execution. Objects that exist before every execution still work: a
//! `static` built with `const_new` (`AtomicUsize::const_new`,
//! `Mutex::const_new`, ...), an object created outside the model closure
//! and captured by it, and a `lazy_static!` value. The main thread creates
//! them at the start of each execution, with their initial value, keyed by
//! address; the first execution that meets one makes the exploration start
//! over with it (reports count the final exploration only).
//!
//! An exploration runs on several OS threads once it has run for 50 ms
//! ([`model::Builder::workers`], `HAPPENS_WORKERS`): its search splits
//! into independent pieces, and the report is the one a single thread
//! gives (the same counts, the same first failure and its number). An
//! exploration that meets an object existing before every execution runs
//! on one thread, since all threads would share that object's memory.
//!
//! Values are those of the running execution: an `AtomicPtr` (or an
//! `AtomicUsize` holding `ptr as usize`) holds real addresses, so null
//! checks, equality, compare-exchange, tag bits and pointer arithmetic
//! behave as in `std`. An object created in an execution keeps its own copy
//! of its value up to date, so code that runs after the execution (the drop
//! of a `lazy_static!` value) sees the value it would; outside an execution
//! every operation acts on that copy, like `std`.
//!
//! ## Waiting loops
//!
//! A read *repeats* an earlier read of its thread when it is the same
//! operation with the same operands (location, orderings, values to
//! compare and write) at the same call site, and the round between them had
//! no net effect on shared memory: every location it wrote holds again the
//! value it had before, as the thread saw it (a lock taken and released, a
//! `fetch_add(1)` undone by a `fetch_sub(1)`, a compare-exchange or a store
//! that put back what was there), and nothing was allocated, spawned or
//! joined. `yield_now`, `spin_loop` and `sleep` play no part. A repeating
//! read waits, then reads what the earlier read read (reading something
//! else is the same as the earlier read reading it, which is explored
//! anyway), and is never revisited. That is only true if the thread is
//! where it was, its locals included, so from a repetition on the thread is
//! *held* to it:
//!
//! - every operation must be the one it issued a round earlier, with the
//!   same values, as long as its reads read what they read a round
//!   earlier: a loop that ends by itself (`for _ in 0..3`, an iterator, a
//!   counter in a `Box`) leaves the round;
//! - from the second held round on, its registers and stack (captured at
//!   each operation) must be those of the round before: a counter the
//!   rounds do not otherwise show, or one call site in two places of the
//!   code, changes them. Unoptimised code is compared from the third held
//!   round on: its frames keep copies of the previous operation's results
//!   in slots it no longer reads, and those of the first held round come
//!   from the round before the loop waited.
//!
//! A thread that breaks its hold *refutes* the repetition: that execution is
//! not reported, and the exploration starts again with that call site
//! needing one more identical round before a read there repeats (a loop
//! whose first round differed, a value read into a local, repeats from its
//! second; after 8 refutations, never), and repeating only in the very
//! registers and stack the read it repeats had (a loop whose rounds change
//! its state for a while, as crossbeam's `Backoff` grows its step, waits
//! once that state is steady), so every round that differs is explored. So
//!
//! ```ignore
//! let mut seen = [0; 2];
//! for s in seen.iter_mut() { *s = x.load(Relaxed); } // one call site, twice
//! ```
//!
//! sees a store land between its two reads: the second read is first taken
//! for a wait, the loop then ends instead of going round, and the
//! exploration starts again with every read of that line an ordinary one.
//! What the hold cannot see is a value only the first round changes and
//! that the rounds never show again (`let mut waited = false; while
//! !f.load(Acquire) { waited = true }`, or the same flag in a `Box`): its
//! first round cannot be told from its second, since a compiler also lays
//! out a loop's first round apart from the others, in registers and stack
//! slots that hold dead values left from before the loop, and memory behind
//! a pointer is not seen at all. Comparing the two rounds exactly would
//! take every spin loop round once more (the seed notes' mutex with four
//! threads: from 1,961 blocked executions to 2,536,654). Instead, such a
//! thread *goes on*: when nothing else can run and its rounds read a value
//! another thread has since overwritten, it reads the latest write of
//! another value and runs on from the state it waited in, and the
//! executions that follow are explored (`moved_on`; not counted, checked
//! for errors like any other). So the `waited` flag above is seen set, in
//! optimised and unoptimised builds alike. What is still left out is a
//! round that reads an *older* new value in a state only the first rounds
//! had (a flag written `1` then `2`, read as `1` after going round).
//! What follows going on is explored in one schedule (every later read
//! reads the latest write, nothing is revisited), at about the cost of the
//! execution that used to end there: what the thread does after going
//! round is run and checked, but another thread's read made before it
//! went on does not see what it writes then (`tests/waiting.rs`,
//! `what_follows_going_round_is_explored_or_run_once`). The report says
//! when this happened: `Report::one_schedule` counts the executions that
//! went on, and its text ends with a line naming them and the switch.
//! `Builder::going_on = GoingOn::Exhaustive` (`HAPPENS_GOING_ON=all`)
//! explores all of it, at a cost wherever threads wait: every blocked
//! execution of a spin loop becomes the root of a whole exploration (the
//! seed notes' mutex with three threads: 20,279 blocked executions
//! instead of 592; with four, more than 1.8 million in 90 seconds against
//! 30,208 in 1.6), and concurrent-queue's loom suite does not end in 25
//! minutes instead of 35 seconds. On 200 generated programs built to
//! need it (`tests/going_on_differential.rs`), one schedule misses 4,097
//! final states in 79 programs, each time saying so; exhaustively, none.
//!
//! - After 16 repeating rounds in a row (`Builder::max_spins`: a loop with
//!   a backoff that parks gets to its end) the thread waits while other
//!   threads can run; when none can, it goes on (above) if a round read a
//!   value that has since been overwritten by another thread, and
//!   otherwise runs on; one that goes round 1,000 times in a row reading
//!   nothing new is reported as a livelock naming the loop's read.
//! - A round that goes round after a try that changed nothing (a failed
//!   compare-exchange, an RMW that wrote back what it read) is not counted
//!   as an execution of its own (it is in `Report::blocked`, and still
//!   checked for errors), whatever value the next try compares with: the
//!   execution where the first try already succeeded is. This is GenMC's
//!   *spin-assume*, so `report.executions` is GenMC's count of complete
//!   executions for the C twin of a program (with `-disable-sr`, and
//!   `Builder::symmetry(false)`: see "Symmetric threads"). A retry with the same
//!   operands stops its thread there (the others go on; a later write may
//!   still make the try succeed).
//! - A weak compare-exchange fails spuriously at most once per thread on
//!   the same write. A thread that goes round after a spurious failure
//!   stops there and goes on when nothing else can run, its retry not
//!   failing spuriously (the execution where the first try succeeded is
//!   the counted one; this one shows what the loop does after a retry).
//!
//! `Builder::waiting(false)` turns the rule off: every round of every loop
//! is then explored, bounded only by `max_branches` events per thread.
//! `tests/waiting_differential.rs` checks, on 300 generated programs with
//! bounded loops, that both give the same final states and failures.
//!
//! ## Symmetric threads
//!
//! Threads spawned in a loop from one closure, `for _ in 0..n { let c =
//! c.clone(); thread::spawn(move || ...) }`, run the same code on equal
//! inputs: two executions that differ only by swapping two of them are the
//! same to the program, and one of them is explored
//! ([`Builder::symmetry`](model::Builder::symmetry), on by default;
//! `HAPPENS_SYMMETRY=0` turns it off). `n` threads each taking one lock
//! are 1 execution instead of `n!`. Threads are alike when one thread
//! spawns them one after the other from the same closure type with the
//! same captured bytes (the same `Arc` or reference, equal numbers; a loop
//! index, a `Box` or a `Vec` each makes them unlike), doing in between at
//! most plain accesses such as the `Arc` clone, and the closure returns
//! `()` and the threads have no names (scoped threads too: `s.spawn(||
//! ...)` in a loop).
//! While two alike threads have read the same writes and written nothing,
//! the later one never goes first (the rule of GenMC's symmetry reduction,
//! SPORE, PLDI 2024). Swapping them is only an execution of the program
//! if nothing else tells them apart, so when something does (a thread
//! joins one of them and does anything before joining the others, or
//! `Thread::id` or `unpark` is used on one) the exploration starts again
//! without the reduction ([`Report::up_to_symmetry`](model::Report::up_to_symmetry)
//! says whether the executions counted are up to swapping alike threads,
//! and the report's text says so). Failures are found either way, in executions of
//! the program, with keys that replay them (`tests/symmetry.rs`; on 2,000
//! generated programs the final states and failures are the same both
//! ways, `tests/symmetry_differential.rs`). What it cannot see is a thread
//! learning which one it is by other means (the address of a local
//! compared with another thread's), which no program does to decide what
//! to do.
//!
//! ## Blocking primitives
//!
//! `Mutex`, `RwLock`, `Condvar`, `Once`/`OnceLock`/`LazyLock`, `Barrier`,
//! `mpsc` channels and `thread::park` are steps of the engine, not loops
//! over atomics: a thread that must wait (a lock held, no message, no
//! wakeup yet) is not scheduled, and waiting is not an execution. What is
//! explored is what a program can observe: the order in which threads take
//! a lock, which message a receiver takes (the order of the sends), which
//! waiter a `notify_one` wakes, whether a timed wait times out, which thread
//! runs a `Once`. Happens-before is `std`'s: an unlock happens before the
//! next lock, a send before its receive, a notification before the wait it
//! ends, an `unpark` before the `park` it ends, a `Once`'s completion before
//! every later call. The explorer reaches other lock orders by letting a
//! later thread take first, which makes an earlier try fail; that thread
//! tries again when the lock is free, so an execution ends blocked only
//! when threads wait for good: a deadlock, reported with each thread's
//! primitive, line and holder.
//! [`model::Builder::spurious_wakeups`] lets `Condvar::wait` and `park`
//! return with no notification, as `std` allows, and
//! [`model::Builder::preemption_bound`] (`LOOM_MAX_PREEMPTIONS`) bounds an
//! exploration too big to finish (the report says it is bounded).
//!
//! Differences from loom: executions are execution *graphs* (each visited
//! once), under C++20's model: Relaxed and SeqCst are modelled fully (a Relaxed load
//! can read any write coherence allows, SeqCst forbids the outcomes it
//! forbids in C++20), and load buffering is not reachable (the model forbids
//! `po ∪ rf` cycles); `compare_exchange_weak` fails spuriously; `max_branches`
//! counts a thread's events (loom counts choice points), so its default is
//! 100,000.

pub mod advise;
pub mod alloc;
pub mod cell;
pub mod checkpoint;
#[cfg(feature = "futures")]
pub mod future;
pub mod hint;
pub mod lazy_static;
pub mod model;
mod report;
mod rt;
pub mod shard;
pub mod sync;
pub mod thread;
mod worker;

pub use model::{model, Report};
pub use report::{
    Access, AccessKind, Did, Failure, FailureKind, Object, Origin, PanicLocation, TraceEvent,
    Waiter, WaitsFor,
};

/// loom's thread limit (main included). Not a limit of this checker.
pub const MAX_THREADS: usize = 5;

/// loom compatibility: exploration is always on (no-op).
pub fn explore() {}

/// loom compatibility: the optimal explorer has no branch points to switch
/// off (no-op).
pub fn stop_exploring() {}

/// loom compatibility (no-op).
pub fn skip_branch() {}
