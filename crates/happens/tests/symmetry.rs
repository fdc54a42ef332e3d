//! Symmetry reduction (`Builder::symmetry`, on by default): threads spawned
//! one after the other from one closure with equal captures, returning
//! `()`, are interchangeable, and of two executions that differ only by
//! swapping two of them one is explored. Exact counts both ways, the
//! failures it must still find, and the programs that tell like threads
//! apart (the exploration starts again without it).

mod common;

use std::sync::{Arc as StdArc, Mutex as StdMutex};

use happens::cell::UnsafeCell;
use happens::model::{Builder, Report};
use happens::sync::atomic::{AtomicUsize, Ordering::*};
use happens::sync::{Arc, Mutex};
use happens::thread;

fn explore(symmetry: bool, f: impl Fn() + Sync + Send + 'static) -> Report {
    let mut b = Builder::new();
    b.symmetry(symmetry);
    b.explore(f)
}

fn counts(r: &Report) -> (u64, u64) {
    assert!(r.failure.is_none() && r.complete, "{r}");
    (r.executions, r.blocked)
}

/// `n` threads each add 1 to one counter. The counter is leaked so that
/// the `Arc` count's own increments and decrements are not part of the
/// program (see `arc_counter` for those).
fn leaked_counter(n: usize) {
    let c: &'static AtomicUsize = Box::leak(Box::new(AtomicUsize::new(0)));
    let hs: Vec<_> = (0..n)
        .map(|_| {
            thread::spawn(move || {
                c.fetch_add(1, Relaxed);
            })
        })
        .collect();
    for h in hs {
        h.join().unwrap();
    }
    assert_eq!(c.load(Relaxed), n);
}

#[test]
fn n_threads_adding_to_one_counter_are_one_execution() {
    // off: the n! orders of the additions in `co`; on: the threads are
    // alike and each order is the image of one where thread k adds k-th
    let factorial = [2, 6, 24, 120, 720];
    for n in 2..=6 {
        let (on, off) = (
            explore(true, move || leaked_counter(n)),
            explore(false, move || leaked_counter(n)),
        );
        assert_eq!(
            (counts(&on), counts(&off)),
            ((1, 0), (factorial[n - 2], 0)),
            "n = {n}"
        );
        // the report says so
        assert!(on.up_to_symmetry && !off.up_to_symmetry, "{on} / {off}");
        assert!(
            on.to_string()
                .contains("threads spawned alike were explored up to swapping them"),
            "{on}"
        );
    }
}

#[test]
fn threads_sharing_an_arc_keep_only_the_orders_of_their_drops() {
    // The same with the counter in an `Arc`: after its addition a thread
    // has read another value than its twin, so the two are no longer
    // alike, and the orders of the `Arc` count's decrements stay (the
    // program can tell who drops last). On: (2n-1)!! = 1·3·…·(2n-1), the
    // ways to place each thread's decrement among the later threads'
    // events; off: GenMC's count with `-disable-sr` on the C twin
    // (tests/genmc/P_fetch_add_arc.c).
    let expected = [((3, 0), (5, 0)), ((15, 0), (57, 0)), ((105, 0), (1_145, 0))];
    for n in 2..=4 {
        let prog = move || {
            let c = Arc::new(AtomicUsize::new(0));
            let hs: Vec<_> = (0..n)
                .map(|_| {
                    let c = c.clone();
                    thread::spawn(move || {
                        c.fetch_add(1, Relaxed);
                    })
                })
                .collect();
            for h in hs {
                h.join().unwrap();
            }
            assert_eq!(c.load(Relaxed), n);
        };
        let on = counts(&explore(true, prog));
        let off = counts(&explore(false, prog));
        assert_eq!((on, off), expected[n - 2], "n = {n}");
    }
}

#[test]
fn lock_orders_of_like_threads_are_one() {
    // four threads taking one lock: 4! lock orders, each with the orders
    // of the Arc's decrements; on, one lock order
    let prog = || {
        let m = Arc::new(Mutex::new(0));
        let hs: Vec<_> = (0..3)
            .map(|_| {
                let m = m.clone();
                thread::spawn(move || *m.lock().unwrap() += 1)
            })
            .collect();
        for h in hs {
            h.join().unwrap();
        }
        assert_eq!(*m.lock().unwrap(), 3);
    };
    assert_eq!(counts(&explore(true, prog)), (15, 0));
    assert_eq!(counts(&explore(false, prog)), (57, 0));
}

/// Like threads, the first of which to add publishes with a plain write;
/// main joins the first spawned and reads the cell before joining the
/// other: a data race exactly when the other added first.
fn first_adder_writes(symmetry: bool, read_between_joins: bool) -> Report {
    explore(symmetry, move || {
        let s = Arc::new((AtomicUsize::new(0), UnsafeCell::new(0)));
        let mut hs: Vec<_> = (0..2)
            .map(|_| {
                let s = s.clone();
                thread::spawn(move || {
                    if s.0.fetch_add(1, Relaxed) == 0 {
                        s.1.with_mut(|p| unsafe { *p = 1 });
                    }
                })
            })
            .collect();
        let first = hs.remove(0);
        first.join().unwrap();
        if read_between_joins {
            s.1.with(|p| unsafe { *p });
        }
        hs.remove(0).join().unwrap();
    })
}

#[test]
fn a_thread_that_tells_like_threads_apart_by_joining_one_turns_symmetry_off() {
    // with symmetry the first spawned always adds first, and main, which
    // joined it, never races; main's read between the joins tells the two
    // apart, so the exploration starts again without symmetry and finds
    // the race of the executions where the second added first
    for symmetry in [true, false] {
        let r = first_adder_writes(symmetry, true);
        // explored again without the reduction, which the report says
        assert!(!r.up_to_symmetry, "{r}");
        let f = r
            .failure
            .expect("the second adder's write races with main's read");
        assert_eq!(f.kind_name(), "data race", "{f}");
        assert!(f.to_string().contains("thread 2"), "{f}");
    }
    // joined one after the other, nothing tells them apart: no race, and
    // one execution less with symmetry (the second adding first)
    assert_eq!(counts(&first_adder_writes(true, false)), (3, 0));
    assert_eq!(counts(&first_adder_writes(false, false)), (5, 0));
}

#[test]
fn a_thread_that_learns_its_id_turns_symmetry_off() {
    // like threads that act on their own id are not alike: the one with
    // the odd id asserts it added first, which fails only when it did not
    let prog = || {
        let c = Arc::new(AtomicUsize::new(0));
        let hs: Vec<_> = (0..2)
            .map(|_| {
                let c = c.clone();
                thread::spawn(move || {
                    let old = c.fetch_add(1, Relaxed);
                    let id = format!("{:?}", thread::current().id());
                    if id == "ThreadId(2)" {
                        assert_eq!(old, 0, "thread 1 added first");
                    }
                })
            })
            .collect();
        for h in hs {
            h.join().unwrap();
        }
    };
    for symmetry in [true, false] {
        let f = explore(symmetry, prog)
            .failure
            .expect("thread 1 may add second");
        assert!(f.to_string().contains("thread 1 added first"), "{f}");
    }
}

#[test]
fn a_failure_found_with_symmetry_replays() {
    // three like threads; the one that adds last finds 2 and panics
    let prog = || {
        let c = Arc::new(AtomicUsize::new(0));
        let hs: Vec<_> = (0..3)
            .map(|_| {
                let c = c.clone();
                thread::spawn(move || {
                    assert_ne!(c.fetch_add(1, Relaxed), 2, "the last to add");
                })
            })
            .collect();
        for h in hs {
            h.join().unwrap();
        }
    };
    let f = explore(true, prog).failure.expect("someone adds last");
    assert!(f.to_string().contains("the last to add"), "{f}");
    // thread 3 adds last in the explored order
    assert!(f.to_string().contains("thread 3 panicked"), "{f}");
    let mut b = Builder::new();
    b.replay(&f.replay);
    let again = b
        .explore(prog)
        .failure
        .expect("the key replays the failure");
    assert_eq!((again.kind_name(), again.execution), (f.kind_name(), 1));
    assert!(again.to_string().contains("thread 3 panicked"), "{again}");
}

#[test]
fn unlike_threads_are_not_reduced() {
    // a loop index, a `Box` each, or a result: each thread can be told
    // from the others, and every order is explored
    let seen = StdArc::new(StdMutex::new(Vec::new()));
    let s2 = seen.clone();
    let by_index = move || {
        let c = Arc::new(AtomicUsize::new(0));
        let hs: Vec<_> = (0..3)
            .map(|i| {
                let c = c.clone();
                thread::spawn(move || {
                    c.fetch_add(i, Relaxed);
                })
            })
            .collect();
        for h in hs {
            h.join().unwrap();
        }
        s2.lock().unwrap().push(c.load(Relaxed));
    };
    assert_eq!(counts(&explore(true, by_index)), (57, 0));
    assert!(seen.lock().unwrap().iter().all(|&v| v == 3));
    let returning = || {
        let c: &'static AtomicUsize = Box::leak(Box::new(AtomicUsize::new(0)));
        let hs: Vec<_> = (0..3)
            .map(|_| thread::spawn(move || c.fetch_add(1, Relaxed)))
            .collect();
        let got: Vec<usize> = hs.into_iter().map(|h| h.join().unwrap()).collect();
        assert_eq!(got.len(), 3);
    };
    let r = explore(true, returning);
    assert_eq!((counts(&r), r.up_to_symmetry), ((6, 0), false), "{r}");
    let boxed = || {
        let c: &'static AtomicUsize = Box::leak(Box::new(AtomicUsize::new(0)));
        let hs: Vec<_> = (0..3)
            .map(|_| {
                let mine = Box::new(1);
                thread::spawn(move || {
                    c.fetch_add(*mine, Relaxed);
                })
            })
            .collect();
        for h in hs {
            h.join().unwrap();
        }
    };
    assert_eq!(counts(&explore(true, boxed)), (6, 0));
}

#[test]
fn scoped_threads_spawned_in_a_loop_are_alike() {
    // the same with `thread::scope`, borrowing a local counter: the
    // closures are not `'static`, and are compared by the code that runs
    // them and their captured bytes (the same reference)
    let prog = || {
        let c = AtomicUsize::new(0);
        thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    c.fetch_add(1, Relaxed);
                });
            }
        });
        assert_eq!(c.load(Relaxed), 4);
    };
    assert_eq!(counts(&explore(true, prog)), (1, 0));
    assert_eq!(counts(&explore(false, prog)), (24, 0));
}
