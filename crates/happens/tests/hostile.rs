//! Hostile programs: a modelled thread that overflows its stack or touches
//! memory it may not is a failure of that thread, reported with its trace
//! and replay key, and the test binary goes on (`rt/trap.rs`).

mod common;

use std::sync::atomic::Ordering::*;

use common::*;
use happens::model::Builder;
use happens::sync::atomic::AtomicUsize;
use happens::sync::Arc;
use happens::thread;
use happens::{AccessKind, FailureKind, PanicLocation};

/// The panic location written `file:line:column`.
fn panic_at(s: &str) -> PanicLocation {
    let (rest, column) = s.rsplit_once(':').unwrap();
    let (file, line) = rest.rsplit_once(':').unwrap();
    PanicLocation {
        file: file.to_string(),
        line: line.parse().unwrap(),
        column: column.parse().unwrap(),
    }
}

const SRC: &str = include_str!("hostile.rs");

/// Recursion `n` deep, with a frame the optimiser cannot fold away.
fn deep(n: u64) -> u64 {
    let frame = std::hint::black_box([n; 16]);
    if n == 0 {
        0
    } else {
        frame[3].wrapping_add(deep(n - 1))
    }
}

fn overflow_in_spawned_thread(b: &Builder) -> happens::Report {
    b.explore(|| {
        let hits = Arc::new(AtomicUsize::new(0));
        let h = hits.clone();
        let t = thread::spawn(move || {
            h.fetch_add(1, Relaxed); // MARK-LAST-OP
            deep(1_000_000)
        });
        hits.load(Relaxed);
        let _ = t.join();
    })
}

#[test]
fn deep_recursion_in_a_spawned_thread_is_a_stack_overflow() {
    let mut b = Builder::new();
    b.diagram(false);
    let r = overflow_in_spawned_thread(&b);
    let f = r.failure.expect("the recursion overflows");
    let FailureKind::StackOverflow {
        thread,
        stack_size,
        last_at,
    } = &f.kind
    else {
        panic!("expected a stack overflow: {f}");
    };
    assert_eq!(
        (*thread, *stack_size, last_at.map(|l| l.to_string())),
        (
            1,
            1 << 20,
            Some(format!(
                "crates/happens/{}15",
                place("hostile.rs", SRC, "MARK-LAST-OP")
            ))
        ),
        "{f}"
    );
    assert!(
        f.to_string().starts_with(
            "thread 1 overflowed its stack (1024 KiB; raise it with `Builder::stack_size`)"
        ),
        "{f}"
    );
    // the first execution already overflows (thread 1 runs to its end in
    // every execution), and its key replays it
    assert_eq!((f.execution, r.executions), (1, 1));
    let mut again = Builder::new();
    again.diagram(false).replay(&f.replay);
    let r2 = overflow_in_spawned_thread(&again);
    assert_eq!(r2.failure.map(|g| g.kind), Some(f.kind.clone()));
    // the process is alive and explores on
    let r3 = ok(|| {
        let x = Arc::new(AtomicUsize::new(0));
        let x1 = x.clone();
        let t = thread::spawn(move || x1.store(1, Relaxed));
        x.load(Relaxed);
        t.join().unwrap();
    });
    assert_eq!(r3.executions, 2);
}

#[test]
fn deep_recursion_in_the_main_closure_is_a_stack_overflow() {
    let r = Builder::new().diagram(false).explore(|| {
        deep(1_000_000);
    });
    let f = r.failure.expect("the recursion overflows");
    assert_eq!(
        f.kind,
        FailureKind::StackOverflow {
            thread: 0,
            stack_size: 1 << 20,
            last_at: None
        },
        "{f}"
    );
}

#[test]
fn a_larger_stack_size_lets_the_recursion_finish() {
    let run = |size: usize| {
        let mut b = Builder::new();
        b.diagram(false).stack_size = size;
        b.explore(|| {
            thread::spawn(|| deep(3_000)).join().unwrap();
        })
    };
    let small = run(64 * 1024);
    assert!(
        matches!(
            small.failure.as_ref().map(|f| &f.kind),
            Some(FailureKind::StackOverflow {
                thread: 1,
                stack_size: 65536,
                ..
            })
        ),
        "{small}"
    );
    let large = run(32 << 20);
    assert!(large.failure.is_none(), "{large}");
    assert_eq!(large.executions, 1);
}

#[test]
fn a_wild_pointer_is_an_invalid_memory_access() {
    let r = Builder::new().diagram(false).explore(|| {
        thread::spawn(|| {
            let p = std::hint::black_box(8usize) as *const u64;
            unsafe { std::ptr::read_volatile(p) }
        })
        .join()
        .unwrap();
    });
    let f = r.failure.expect("the read faults");
    assert_eq!(
        f.kind,
        FailureKind::InvalidAccess {
            thread: 1,
            address: 8,
            last_at: None
        },
        "{f}"
    );
    assert!(
        f.to_string()
            .starts_with("thread 1 made an invalid memory access at address 0x8"),
        "{f}"
    );
}

// ---------------------------------------------------------------------------
// A destructor that panics while its thread unwinds: std aborts the process
// after the panic hook (it prints "thread caused non-unwinding panic.
// aborting."); the abort fails the thread instead, with both panics.

struct PanicsOnDrop;

impl Drop for PanicsOnDrop {
    fn drop(&mut self) {
        panic!("the guard's destructor failed"); // MARK-SECOND
    }
}

#[test]
fn a_destructor_panicking_during_unwinding_is_a_failure() {
    let r = Builder::new().diagram(false).explore(|| {
        let flag = Arc::new(AtomicUsize::new(0));
        let f = flag.clone();
        let t = thread::spawn(move || {
            let _guard = PanicsOnDrop;
            f.store(1, Relaxed);
            panic!("the work failed"); // MARK-FIRST
        });
        let _ = t.join();
    });
    let f = r.failure.expect("the thread panics");
    let second = format!(
        "crates/happens/{}9",
        place("hostile.rs", SRC, "MARK-SECOND")
    );
    let first = format!(
        "crates/happens/{}13",
        place("hostile.rs", SRC, "MARK-FIRST")
    );
    assert_eq!(
        f.kind,
        FailureKind::Panic {
            message: format!(
                "the guard's destructor failed (a panic while unwinding from the panic at \
                 {first}: the work failed; std aborts the process here)"
            ),
            thread: 1,
            location: Some(panic_at(&second)),
        },
        "{f}"
    );
    assert_eq!((f.execution, r.executions), (1, 1));
    // the binary is alive, and the next exploration runs
    let r2 = ok(|| {
        let x = Arc::new(AtomicUsize::new(0));
        let x1 = x.clone();
        let t = thread::spawn(move || x1.store(1, Relaxed));
        x.load(Relaxed);
        t.join().unwrap();
    });
    assert_eq!(r2.executions, 2);
}

#[test]
fn a_destructor_panicking_during_unwinding_of_the_main_closure_is_a_failure() {
    let r = Builder::new().diagram(false).explore(|| {
        let _guard = PanicsOnDrop;
        panic!("the main work failed");
    });
    match r.failure.map(|f| f.kind) {
        Some(FailureKind::Panic {
            message, thread: 0, ..
        }) => assert!(
            message.starts_with("the guard's destructor failed (a panic while unwinding"),
            "{message}"
        ),
        other => panic!("expected a panic of the main thread: {other:?}"),
    }
}

#[test]
fn an_abort_is_a_failure() {
    let r = Builder::new().diagram(false).explore(|| {
        thread::spawn(|| std::process::abort()).join().unwrap();
    });
    assert_eq!(
        r.failure.map(|f| f.kind),
        Some(FailureKind::Panic {
            message: "aborted the process (`std::process::abort`)".to_string(),
            thread: 1,
            location: None,
        })
    );
}

// ---------------------------------------------------------------------------
// Panics in several threads. std counts panics per OS thread, and every
// modelled thread runs on one: a thread suspended in a destructor while it
// unwinds (an `Arc` drop is an operation) cannot be unwound again when the
// execution ends, and each thread's panic is its own.

#[test]
fn a_thread_suspended_while_it_unwinds_is_left_be_at_the_end() {
    let r = Builder::new().diagram(false).explore(|| {
        let c = Arc::new(AtomicUsize::new(0));
        let c2 = c.clone();
        let _h = thread::spawn(move || {
            let _c = c2;
            panic!("thread 1 panics");
        });
        panic!("main panics"); // MARK-MAIN-PANICS
    });
    let f = r.failure.expect("both threads panic");
    assert_eq!(
        f.kind,
        FailureKind::Panic {
            message: "main panics".to_string(),
            thread: 0,
            location: Some(panic_at(&format!(
                "crates/happens/{}9",
                place("hostile.rs", SRC, "MARK-MAIN-PANICS")
            ))),
        },
        "{f}"
    );
}

#[test]
fn a_race_while_another_thread_unwinds_is_the_race() {
    let r = Builder::new().diagram(false).explore(|| {
        let c = Arc::new(happens::cell::UnsafeCell::new(0usize));
        let (c1, c2) = (c.clone(), c.clone());
        let _h1 = thread::spawn(move || c1.with(|p| unsafe { *p })); // MARK-RACE-READ
        let _h2 = thread::spawn(move || {
            let _c = c2;
            panic!("thread 2 panics");
        });
        c.with_mut(|p| unsafe { *p = 3 }); // MARK-RACE-WRITE
    });
    let f = r.failure.expect("the write races with thread 1's read");
    match &f.kind {
        FailureKind::DataRace { first, second, .. } => {
            assert_eq!((first.thread, first.kind), (0, AccessKind::Write), "{f}");
            assert_eq!((second.thread, second.kind), (1, AccessKind::Read), "{f}");
            let write = place("hostile.rs", SRC, "MARK-RACE-WRITE");
            let read = place("hostile.rs", SRC, "MARK-RACE-READ");
            assert!(first.at.unwrap().to_string().contains(&write), "{f}");
            assert!(second.at.unwrap().to_string().contains(&read), "{f}");
        }
        _ => panic!("expected the race: {f}"),
    }
}

#[test]
fn a_destructor_panicking_while_a_deadlocked_thread_is_unwound_is_survived() {
    let r = Builder::new().diagram(false).explore(|| {
        let m = Arc::new(happens::sync::Mutex::new(0));
        let _g = m.lock().unwrap();
        let m2 = m.clone();
        let h = thread::spawn(move || {
            let _p = PanicsOnDrop;
            let _g = m2.lock();
        });
        let _ = h.join();
    });
    let f = r.failure.expect("the threads deadlock");
    assert!(matches!(f.kind, FailureKind::Deadlock { .. }), "{f}");
    // and the binary explores on
    assert_eq!(ok(|| {}).executions, 1);
}

// ---------------------------------------------------------------------------
// A destructor that meets a `lazy_static!` value for the first time while
// the end of an execution unwinds its suspended thread (crossbeam-epoch's
// collector, met by a `Drop` of a thread a failure elsewhere left behind):
// it gets a value built outside the model, and the binary goes on.

happens::lazy_static! {
    static ref DROPS: AtomicUsize = AtomicUsize::new(0);
}

struct CountsDrops;

impl Drop for CountsDrops {
    fn drop(&mut self) {
        DROPS.fetch_add(1, Relaxed);
    }
}

#[test]
fn a_static_first_met_while_a_left_thread_unwinds() {
    let r = Builder::new().diagram(false).explore(|| {
        let started = Arc::new(AtomicUsize::new(0));
        let s = started.clone();
        let _t = thread::spawn(move || {
            let _g = CountsDrops;
            s.store(1, Release);
            // waits for a value nobody writes: the guard is dropped only
            // when the end of the execution unwinds this thread
            while s.load(Acquire) != 2 {}
        });
        while started.load(Acquire) == 0 {}
        panic!("the main thread fails"); // MARK-LEFT-BEHIND
    });
    let f = r.failure.expect("the main thread panics");
    assert_eq!(
        f.kind,
        FailureKind::Panic {
            message: "the main thread fails".to_string(),
            thread: 0,
            location: Some(panic_at(&format!(
                "crates/happens/{}9",
                place("hostile.rs", SRC, "MARK-LEFT-BEHIND")
            ))),
        },
        "{f}"
    );
}

// A `lazy_static!` value whose destructor panics. A program's statics are
// never dropped; happens drops each execution's own at its end, outside the
// model, so what their destructors check there is not the program's
// failure (crossbeam-epoch's collector asserts its list is empty, and a
// thread unwound at the end of an execution removed its entry in the model
// only). Every execution is explored.

struct ChecksOnDrop(AtomicUsize);

impl Drop for ChecksOnDrop {
    fn drop(&mut self) {
        assert_eq!(self.0.load(Relaxed), 0, "an entry is left"); // MARK-STATIC-DROP
    }
}

happens::lazy_static! {
    static ref CHECKED: ChecksOnDrop = ChecksOnDrop(AtomicUsize::new(0));
}

#[test]
fn a_static_whose_destructor_panics_at_the_end_of_an_execution() {
    let r = Builder::new().diagram(false).explore(|| {
        let t = thread::spawn(|| {
            CHECKED.0.fetch_add(1, Relaxed);
        });
        CHECKED.0.fetch_add(1, Relaxed);
        t.join().unwrap();
    });
    assert!(r.failure.is_none() && r.complete, "{r}");
    // the two increments' orders
    assert_eq!((r.executions, r.blocked), (2, 0), "{r}");
    // and the binary explores on
    assert_eq!(ok(|| {}).executions, 1);
}

// As people write it: workers spawned in a loop over an `Arc`, each pushing
// a boxed node onto a shared list with a retry loop (no hint); one of them
// recurses too deeply on its way. The overflow is that worker's failure;
// the others' nodes are reclaimed by the main thread.

#[test]
fn a_worker_spawned_in_a_loop_overflows_its_stack() {
    use happens::sync::atomic::AtomicPtr;
    struct Node {
        next: *mut Node,
    }
    let r = Builder::new().diagram(false).explore(|| {
        let head = Arc::new(AtomicPtr::new(std::ptr::null_mut::<Node>()));
        let workers: Vec<_> = (0..3)
            .map(|i| {
                let head = head.clone();
                thread::spawn(move || {
                    if i == 2 {
                        deep(1_000_000); // MARK-WORKER-DEEP
                    }
                    let n = Box::into_raw(Box::new(Node {
                        next: std::ptr::null_mut(),
                    }));
                    let mut cur = head.load(Relaxed);
                    loop {
                        unsafe { (*n).next = cur };
                        match head.compare_exchange_weak(cur, n, Release, Relaxed) {
                            Ok(_) => break,
                            Err(now) => cur = now,
                        }
                    }
                })
            })
            .collect();
        for w in workers {
            let _ = w.join();
        }
        let mut p = head.swap(std::ptr::null_mut(), Acquire);
        while !p.is_null() {
            let b = unsafe { Box::from_raw(p) };
            p = b.next;
        }
    });
    let f = r.failure.expect("the third worker overflows");
    match &f.kind {
        FailureKind::StackOverflow {
            thread: 3,
            stack_size,
            ..
        } => assert_eq!(*stack_size, 1 << 20),
        _ => panic!("expected worker 3's overflow: {f}"),
    }
    // the binary explores on
    assert_eq!(ok(|| {}).executions, 1);
}
