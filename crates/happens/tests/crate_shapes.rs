//! Shapes from published crates' loom suites that once aborted the test
//! binary or gave a false verdict (issue 18), written the way those crates
//! write them: a global collector behind `lazy_static!` used by two tests
//! that `cargo test` runs at the same time, and wakers that panic.
//!
//! Every test here runs in one binary with `cargo test`'s default parallel
//! test threads: a test that aborts the process loses all the others.
#![cfg(feature = "futures")]

use std::future::poll_fn;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::atomic::Ordering::*;
use std::task::{Poll, RawWaker, RawWakerVTable, Waker};

use happens::cell::UnsafeCell;
use happens::future::block_on;
use happens::model::Builder;
use happens::sync::atomic::AtomicUsize;
use happens::sync::{Arc, Mutex};
use happens::thread;
use happens::FailureKind;

// ---------------------------------------------------------------------------
// A global collector, the way crossbeam-epoch has one: a `lazy_static!`
// holding a global epoch and a list of deferred destructors. Two tests use
// it; each exploration gets its own (statics are per exploration, as loom
// makes them), and the two run in parallel in this binary.

struct Collector {
    epoch: AtomicUsize,
    garbage: Mutex<Vec<Box<dyn FnOnce() + Send>>>,
}

impl Collector {
    fn new() -> Collector {
        Collector {
            epoch: AtomicUsize::new(0),
            garbage: Mutex::new(Vec::new()),
        }
    }

    /// Defers `f` until the next collection.
    fn defer(&self, f: impl FnOnce() + Send + 'static) {
        self.garbage.lock().unwrap().push(Box::new(f));
    }

    /// Advances the epoch and runs what was deferred before it.
    fn collect(&self) {
        self.epoch.fetch_add(1, AcqRel);
        let bag = std::mem::take(&mut *self.garbage.lock().unwrap());
        for f in bag {
            f();
        }
    }
}

happens::lazy_static! {
    static ref COLLECTOR: Collector = Collector::new();
}

/// `threads` threads each defer one destructor and collect: every deferred
/// destructor runs exactly once, whoever collects it. `global`: the
/// collector is the `lazy_static!`; otherwise a local one, made in the
/// closure.
fn collector(threads: usize, global: bool) -> happens::Report {
    let mut b = Builder::new();
    b.diagram(false);
    b.explore(move || {
        // leaked, not in an `Arc`: its reference count would order the
        // threads' ends and add executions the global one does not have
        let local: Option<&'static Collector> =
            (!global).then(|| &*Box::leak(Box::new(Collector::new())));
        let freed = Arc::new(AtomicUsize::new(0));
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let freed = freed.clone();
                thread::spawn(move || {
                    let c: &Collector = local.unwrap_or(&COLLECTOR);
                    let node = Box::into_raw(Box::new(7u64));
                    let addr = node as usize;
                    c.defer(move || {
                        // SAFETY: deferred once, run once
                        drop(unsafe { Box::from_raw(addr as *mut u64) });
                        freed.fetch_add(1, Relaxed);
                    });
                    c.collect();
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        let c: &Collector = local.unwrap_or(&COLLECTOR);
        assert_eq!(freed.load(Relaxed), threads);
        assert_eq!(c.epoch.load(Relaxed), threads);
    })
}

/// The global collector explores exactly as a collector the closure makes
/// (a static is fresh in every execution and its objects are the
/// execution's own): the same executions, the same blocked ones, whether
/// or not another test uses the global at the same time. The counts are
/// the orders of the lock sections, the epoch's increments and the freed
/// counter's `Arc` decrements: 17 and 1,625 without symmetry reduction.
/// The threads are alike (one closure, the same collector and `Arc`), and
/// with it (the default) one of each set of executions that differ by
/// swapping them is explored: 9 and 341.
#[track_caller]
fn global_as_local(threads: usize, executions: u64) {
    let g = collector(threads, true);
    assert!(g.failure.is_none(), "{g}");
    assert!(g.complete, "{g}");
    let l = collector(threads, false);
    assert!(l.failure.is_none() && l.complete, "{l}");
    assert_eq!(
        (g.executions, g.blocked),
        (l.executions, l.blocked),
        "{g}\n{l}"
    );
    assert_eq!((g.executions, g.blocked), (executions, 0), "{g}");
}

#[test]
fn a_global_collector_in_one_test() {
    global_as_local(2, COLLECTOR_2);
}

#[test]
fn the_same_global_collector_in_another_test_at_the_same_time() {
    global_as_local(3, COLLECTOR_3);
}

const COLLECTOR_2: u64 = 9;
const COLLECTOR_3: u64 = 341;

// ---------------------------------------------------------------------------
// Wakers that panic. tokio's `AtomicWaker` clones the waker it registers
// under `catch_unwind`, puts its state back, and resumes the panic; its
// loom test registers a waker whose `clone` panics, catches that, and then
// uses the cell normally. The caught panic is the program's business: the
// test passes, as under loom.

const IDLE: usize = 0;
const REGISTERING: usize = 1;
const WAKING: usize = 2;

struct WakerCell {
    state: AtomicUsize,
    waker: UnsafeCell<Option<Waker>>,
}

// SAFETY: `waker` is accessed only by whoever moved `state` away from IDLE
unsafe impl Sync for WakerCell {}

impl WakerCell {
    fn new() -> WakerCell {
        WakerCell {
            state: AtomicUsize::new(IDLE),
            waker: UnsafeCell::new(None),
        }
    }

    fn register(&self, waker: &Waker) {
        match self
            .state
            .compare_exchange(IDLE, REGISTERING, Acquire, Acquire)
        {
            Ok(_) => {
                let cloned = catch_unwind(AssertUnwindSafe(|| waker.clone()));
                let panicked = match cloned {
                    Ok(w) => {
                        self.waker.with_mut(|slot| unsafe { *slot = Some(w) });
                        None
                    }
                    Err(p) => Some(p),
                };
                if self
                    .state
                    .compare_exchange(REGISTERING, IDLE, AcqRel, Acquire)
                    .is_err()
                {
                    // a wake came in between: wake the task ourselves. A
                    // swap, not a store: it reads the last wake's write, so
                    // what that waker published is seen (a store here loses
                    // a second wake absorbed meanwhile, and happens finds
                    // that lost wakeup)
                    let w = self.waker.with_mut(|slot| unsafe { (*slot).take() });
                    self.state.swap(IDLE, AcqRel);
                    if let Some(w) = w {
                        w.wake();
                    }
                }
                if let Some(p) = panicked {
                    resume_unwind(p);
                }
            }
            Err(WAKING) => waker.wake_by_ref(),
            Err(_) => {}
        }
    }

    fn wake(&self) {
        if self.state.fetch_or(WAKING, AcqRel) == IDLE {
            let w = self.waker.with_mut(|slot| unsafe { (*slot).take() });
            self.state.fetch_and(!WAKING, Release);
            if let Some(w) = w {
                w.wake();
            }
        }
    }
}

/// A waker whose `clone` panics, as tokio's test builds it.
fn panicking_clone_waker() -> Waker {
    static VTABLE: RawWakerVTable = RawWakerVTable::new(
        |_| panic!("this waker cannot be cloned"),
        |_| {},
        |_| {},
        |_| {},
    );
    // SAFETY: the vtable's functions ignore the data pointer
    unsafe { Waker::from_raw(RawWaker::new(std::ptr::null(), &VTABLE)) }
}

#[test]
fn a_caught_panic_of_a_waker_leaves_the_cell_usable() {
    const NOTIFIERS: usize = 2;
    let mut b = Builder::new();
    b.diagram(false);
    let r = b.explore(|| {
        let chan = Arc::new((AtomicUsize::new(0), WakerCell::new()));
        for _ in 0..NOTIFIERS {
            let chan = chan.clone();
            thread::spawn(move || {
                chan.0.fetch_add(1, Relaxed);
                chan.1.wake();
            });
        }
        let bad = panicking_clone_waker();
        // it panics when the register gets to clone it (not when a wake
        // is under way)
        let _ = catch_unwind(AssertUnwindSafe(|| chan.1.register(&bad)));
        block_on(poll_fn(|cx| {
            chan.1.register(cx.waker());
            if chan.0.load(Relaxed) == NOTIFIERS {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        }));
    });
    assert!(r.failure.is_none(), "{r}");
    assert!(r.complete, "{r}");
    assert_eq!((r.executions, r.blocked), CAUGHT, "{r}");
}

/// happens' own count, with no GenMC figure to check it against: in the C
/// twin the task's self-wake loop (a register that finds the cell mid-wake
/// wakes its own task, which polls again) is unbounded for GenMC, whose
/// counts grow with `-unroll` (17, 1770, 1998, 2226 for 2 to 5 rounds);
/// here a round that wakes only its own task and reads what the previous
/// one read is a waiting round (`block_on`'s task flag is as it was), so
/// the executions that repeat it are blocked ones. (1,290 and 17 without
/// symmetry reduction; the two notifiers are alike, spawned in a loop from
/// one closure over the same `Arc` and never joined, and with it one of
/// each pair of executions that differ by swapping them is explored.)
const CAUGHT: (u64, u64) = (660, 9);

/// A waker whose `wake` panics, not caught: the notifying thread fails with
/// that panic, reported as a failure, and the binary goes on.
fn panicking_wake_waker() -> Waker {
    static VTABLE: RawWakerVTable = RawWakerVTable::new(
        |p| RawWaker::new(p, &VTABLE),
        |_| panic!("woken on purpose"),
        |_| panic!("woken on purpose"),
        |_| {},
    );
    // SAFETY: the vtable's functions ignore the data pointer
    unsafe { Waker::from_raw(RawWaker::new(std::ptr::null(), &VTABLE)) }
}

#[test]
fn a_waker_that_panics_when_woken_is_a_failure_of_the_waking_thread() {
    let mut b = Builder::new();
    b.diagram(false);
    let r = b.explore(|| {
        let cell = Arc::new(WakerCell::new());
        let c2 = cell.clone();
        let t = thread::spawn(move || c2.wake());
        cell.register(&panicking_wake_waker());
        let _ = t.join();
    });
    let f = r
        .failure
        .as_ref()
        .expect("the wake after the register panics");
    match &f.kind {
        FailureKind::Panic {
            thread, message, ..
        } => {
            assert_eq!(*thread, 1, "{f}");
            assert_eq!(message, "woken on purpose", "{f}");
        }
        _ => panic!("expected the waker's panic: {f}"),
    }
    // and the next exploration in this binary runs
    let r = collector(2, true);
    assert!(r.failure.is_none() && r.complete, "{r}");
}
