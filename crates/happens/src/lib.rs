//! # happens
//!
//! A model checker for the Rust/C++20 memory model, with loom's API. Write a
//! test with `happens::model(|| ...)` using `happens::sync`, `happens::cell`
//! and `happens::thread` in place of `std`'s: every execution the memory
//! model (RC11) allows is explored exactly once, and the first assertion
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
//! [`model::Builder::explore`]) as a [`Failure`]: what went wrong, the trace,
//! a diagram of the failing execution (threads as columns, each location's
//! values in modification order, the failing events in double-line boxes)
//! and a replay key.
//!
//! ## Objects and their locations
//!
//! Every constructor that is `const` in `std` is `const` here (atomics,
//! `Mutex`, `RwLock`, `Condvar`, `Once`, `OnceLock`, `LazyLock`, `Barrier`,
//! `UnsafeCell`, `Cell`), so modelled objects can be `static`s or be
//! created outside the model closure. A `const fn` cannot reach the model,
//! so an object gets its location when an execution first uses it: the
//! main thread allocates every object's location before the closure runs
//! (objects that outlive executions by address, objects created in the
//! execution by creation site and order of first use). An execution that
//! uses an object not allocated that way makes the exploration start over
//! with it; reports count the final exploration only. Two objects created
//! at the same source line with the same type and value must be first used
//! in the same order in every execution (a constructor that makes several,
//! such as `Arc::new`, binds them at once); an `AtomicPtr` created in an
//! execution with a non-null pointer is allocated where it is first used.
//!
//! Differences from loom: executions are execution *graphs* (each visited
//! once), under RC11: Relaxed and SeqCst are modelled fully (a Relaxed load
//! can read any write coherence allows, SeqCst forbids the outcomes it
//! forbids in C++20), and load buffering is not reachable (RC11 forbids
//! `po ∪ rf` cycles); `compare_exchange_weak` fails spuriously; spin loops must call
//! `hint::spin_loop` or `thread::yield_now` (a loop without a hint is
//! reported when it exceeds `max_branches` events).

pub mod alloc;
pub mod cell;
mod check;
pub mod checkpoint;
mod diagram;
mod failure;
#[cfg(feature = "futures")]
pub mod future;
pub mod hint;
pub mod lazy_static;
pub mod model;
mod rt;
pub mod sync;
pub mod thread;

pub use failure::{Access, Failure, FailureKind, TraceEvent, Waiter};
pub use model::{model, Report};

/// loom's thread limit (main included). Not a limit of this checker.
pub const MAX_THREADS: usize = 5;

/// loom compatibility: exploration is always on (no-op).
pub fn explore() {}

/// loom compatibility: the optimal explorer has no branch points to switch
/// off (no-op).
pub fn stop_exploring() {}

/// loom compatibility (no-op).
pub fn skip_branch() {}
