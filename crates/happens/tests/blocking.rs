//! Blocking primitives at the cost of their real choices: the programs of
//! issue 8's "Done when", written the ordinary way, with their exact counts
//! and the argument for each. A thread that must wait (a lock held, no
//! message yet) is simply not scheduled: it is not an execution of its
//! own. TruSt reaches a lock order other than the order of exploration by
//! letting the later thread take the lock first, which makes the earlier
//! try fail; that thread then tries again when the lock is free (the failed
//! try is an event of its execution, never revisited), so no execution
//! ends blocked unless the program deadlocks.

mod common;

use common::place;
use happens::model::Builder;
use happens::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use happens::sync::{mpsc, Arc, Condvar, Mutex, OnceLock};
use happens::thread;

fn counts<F: Fn() + Sync + Send + 'static>(f: F) -> (u64, u64) {
    let r = Builder::new().explore(f);
    assert!(r.failure.is_none(), "{}", r.failure.unwrap());
    (r.executions, r.blocked)
}

/// The counts without symmetry reduction: GenMC's with `-disable-sr`.
fn plain<F: Fn() + Sync + Send + 'static>(f: F) -> (u64, u64) {
    let r = Builder::new().symmetry(false).explore(f);
    assert!(r.failure.is_none(), "{}", r.failure.unwrap());
    (r.executions, r.blocked)
}

/// Main sends 0 on one channel, a thread answers `v + 1` on another,
/// twice. Every receive waits for the one send that makes its message
/// available and reads it (the sender's later drop, which closes the
/// channel, is not a choice: a receive reads the first write that lets it
/// go on). Nothing waits as an execution: 1 complete, 0 blocked.
#[test]
fn ping_pong() {
    let c = counts(|| {
        let (tx1, rx1) = mpsc::channel::<u32>();
        let (tx2, rx2) = mpsc::channel::<u32>();
        let h = thread::spawn(move || {
            for _ in 0..2 {
                let v = rx1.recv().unwrap();
                tx2.send(v + 1).unwrap();
            }
        });
        let mut v = 0;
        for _ in 0..2 {
            tx1.send(v).unwrap();
            v = rx2.recv().unwrap();
        }
        assert_eq!(v, 2);
        h.join().unwrap();
    });
    assert_eq!(c, (1, 0));
}

/// N threads each lock one `Mutex` once: N! lock orders, GenMC's count for
/// the C twin with `-disable-sr` (`tests/genmc/B1_mutex_n.c`, 2 / 6 / 24),
/// and none blocked: a thread whose try another's take made fail tries
/// again (see the module docs). The threads are alike (one closure, equal
/// captures): with symmetry reduction each lock order is the image of the
/// one where they lock in the order they were spawned: 1.
#[test]
fn n_threads_lock_once() {
    for (n, want) in [(2, (2, 0)), (3, (6, 0)), (4, (24, 0))] {
        let program = move || {
            let m: &'static Mutex<u32> = Box::leak(Box::new(Mutex::new(0)));
            let hs: Vec<_> = (0..n)
                .map(|_| thread::spawn(move || *m.lock().unwrap() += 1))
                .collect();
            for h in hs {
                h.join().unwrap();
            }
            assert_eq!(*m.lock().unwrap(), n);
        };
        assert_eq!(plain(program), want, "{n} threads");
        assert_eq!(counts(program), (1, 0), "{n} threads");
    }
}

/// Four threads, each bumping a relaxed counter after its unlock: the 4!
/// lock orders times the 4! orders of the counter's RMWs, 576, GenMC's
/// count with `-disable-sr` (`tests/genmc/B2_lock_then_rmw.c`). With
/// symmetry, one lock order; after it the threads have read different
/// lock values and are no longer alike: 24.
#[test]
fn lock_then_counter() {
    let program = || {
        let m: &'static Mutex<u32> = Box::leak(Box::new(Mutex::new(0)));
        let n: &'static AtomicUsize = Box::leak(Box::new(AtomicUsize::new(0)));
        let hs: Vec<_> = (0..4)
            .map(|_| {
                thread::spawn(move || {
                    *m.lock().unwrap() += 1;
                    n.fetch_add(1, Relaxed);
                })
            })
            .collect();
        for h in hs {
            h.join().unwrap();
        }
    };
    assert_eq!(plain(program), (576, 0));
    assert_eq!(counts(program), (24, 0));
}

/// The mutex shared through an `Arc`, as people write it: lock orders times
/// the orders of the reference count's RMWs (each thread's drop), 5 / 57 /
/// 1145 complete executions for 2 / 3 / 4 threads, GenMC's counts for the C
/// twin with the count's RMWs and `-disable-sr` (`tests/genmc/B3_mutex_arc.c`),
/// none blocked. (Only the lock orders, N!, are observable: the count's
/// orders are bookkeeping the explorer still enumerates, as GenMC does for
/// the twin.) With symmetry, one lock order, and the count's decrements in
/// every place after it: 3 / 15 / 105 ((2N-1)!!, `tests/symmetry.rs`).
#[test]
fn arc_mutex() {
    for (n, want, reduced) in [(2, 5, 3), (3, 57, 15), (4, 1145, 105)] {
        let program = move || {
            let m = Arc::new(Mutex::new(0));
            let hs: Vec<_> = (0..n)
                .map(|_| {
                    let m = m.clone();
                    thread::spawn(move || *m.lock().unwrap() += 1)
                })
                .collect();
            for h in hs {
                h.join().unwrap();
            }
        };
        assert_eq!(plain(program), (want, 0), "{n} threads");
        assert_eq!(counts(program), (reduced, 0), "{n} threads");
    }
}

/// `sync_channel(0)`: each send returns once its message is received, and
/// each receive has exactly one write that makes its message available:
/// one execution, none blocked.
#[test]
fn rendezvous() {
    let c = counts(|| {
        let (tx, rx) = mpsc::sync_channel::<u32>(0);
        let h = thread::spawn(move || {
            tx.send(1).unwrap();
            tx.send(2).unwrap();
        });
        assert_eq!(rx.recv().unwrap(), 1);
        assert_eq!(rx.recv().unwrap(), 2);
        h.join().unwrap();
    });
    assert_eq!(c, (1, 0));
}

/// A `OnceLock` raced by three threads: which thread runs the initializer
/// is the only choice (3); the others wait while it runs (no executions)
/// and see its value. None blocked: a thread explored later gets to run it
/// by taking the run before an earlier one, whose take then fails and
/// which waits for the value.
#[test]
fn once_lock_three_threads() {
    let c = counts(|| {
        let cell: &'static OnceLock<usize> = Box::leak(Box::new(OnceLock::new()));
        let hs: Vec<_> = (0..3)
            .map(|i| thread::spawn(move || *cell.get_or_init(|| i)))
            .collect();
        let vals: Vec<usize> = hs.into_iter().map(|h| h.join().unwrap()).collect();
        assert!(vals.iter().all(|&v| v == vals[0]));
    });
    assert_eq!(c, (3, 0));
}

/// A `Condvar` handshake, as people write it: an `Arc`-shared flag and
/// condvar, the waiter re-checking the flag in a loop (`looped`), or once.
fn handshake(looped: bool) -> impl Fn() + Sync + Send + 'static {
    move || {
        let pair = Arc::new((Mutex::new(false), Condvar::new()));
        let p2 = pair.clone();
        let h = thread::spawn(move || {
            let (m, cv) = &*p2;
            *m.lock().unwrap() = true;
            cv.notify_one();
        });
        let (m, cv) = &*pair;
        let mut ready = m.lock().unwrap();
        if looped {
            while !*ready {
                ready = cv.wait(ready).unwrap();
            }
        } else if !*ready {
            ready = cv.wait(ready).unwrap();
        }
        assert!(*ready, "woke up without the flag"); // MARK-NO-LOOP
        drop(ready);
        h.join().unwrap();
    }
}

/// The handshake: the waiter finds the flag set (the notifier's lock
/// section first), or waits and is woken: 2, none blocked (waiting costs
/// nothing, and the notifier's failed lock try is tried again). With spurious wakeups
/// explored (at most one per thread and execution), the loop still makes
/// it correct: 4, the 2 above and 2 where the wait returns before the
/// notification and the waiter, locking again, finds the flag set, or not
/// and waits again until woken.
#[test]
fn condvar_handshake() {
    assert_eq!(counts(handshake(true)), (2, 0));
    let r = Builder::new()
        .spurious_wakeups(true)
        .explore(handshake(true));
    assert!(r.failure.is_none(), "{}", r.failure.unwrap());
    assert_eq!((r.executions, r.blocked), (4, 0));
}

/// A waiter that checks its condition once instead of in a loop: correct
/// only if wakeups are never spurious. `std` allows spurious wakeups, and
/// `Builder::spurious_wakeups(true)` explores them: the assertion then
/// fails, at its line. Off (the default), the program passes with the
/// handshake's 2 executions.
#[test]
fn condvar_wait_without_a_loop() {
    assert_eq!(counts(handshake(false)), (2, 0));
    let r = Builder::new()
        .spurious_wakeups(true)
        .explore(handshake(false));
    let f = r.failure.expect("a spurious wakeup breaks the program");
    let happens::FailureKind::Panic {
        message, location, ..
    } = &f.kind
    else {
        panic!("expected a panic: {f}");
    };
    assert!(message.contains("woke up without the flag"), "{f}");
    let at = place("blocking.rs", include_str!("blocking.rs"), "MARK-NO-LOOP");
    let location = location.as_ref().map(|l| l.to_string()).unwrap_or_default();
    assert!(location.contains(&at), "{f}");
}

/// `park` without a loop around it: with spurious wakeups explored, it
/// returns before the unpark and the flag is not set yet.
#[test]
fn park_without_a_loop() {
    use happens::sync::atomic::{AtomicBool, Ordering::*};
    let program = || {
        let flag = Arc::new(AtomicBool::new(false));
        let f2 = flag.clone();
        let main = thread::current();
        let h = thread::spawn(move || {
            f2.store(true, Release);
            main.unpark();
        });
        if !flag.load(Acquire) {
            thread::park();
        }
        assert!(flag.load(Acquire), "parked without a loop");
        h.join().unwrap();
    };
    // off: the first load reads the flag set or not (2); the park waits
    // for the token without executions of its own
    assert_eq!(counts(program), (2, 0));
    let r = Builder::new().spurious_wakeups(true).explore(program);
    assert!(r.failure.is_some());
}

/// A `Barrier` of 3 (main and two threads), each writing its slot before
/// the barrier and reading the others' after it: the arrivals are RMWs of
/// one word, so their 3! orders are the executions (the last to arrive
/// leads); the two that wait read the leader's write without executions
/// of their own, and every write before the barrier happens before every
/// read after it (no race).
#[test]
fn barrier_of_three() {
    use happens::cell::UnsafeCell;
    use happens::sync::Barrier;
    struct Slots([UnsafeCell<usize>; 3]);
    unsafe impl Sync for Slots {}
    let c = counts(|| {
        let b: &'static Barrier = Box::leak(Box::new(Barrier::new(3)));
        let slots: &'static Slots = Box::leak(Box::new(Slots([
            UnsafeCell::new(0),
            UnsafeCell::new(0),
            UnsafeCell::new(0),
        ])));
        let run = move |i: usize| {
            slots.0[i].with_mut(|p| unsafe { *p = i + 1 });
            let leader = b.wait().is_leader();
            let sum: usize = (0..3).map(|j| slots.0[j].with(|p| unsafe { *p })).sum();
            assert_eq!(sum, 6);
            leader
        };
        let hs: Vec<_> = (1..3).map(|i| thread::spawn(move || run(i))).collect();
        let mut leaders = usize::from(run(0));
        for h in hs {
            leaders += usize::from(h.join().unwrap());
        }
        assert_eq!(leaders, 1);
    });
    assert_eq!(c, (6, 0));
}

/// `LOOM_MAX_PREEMPTIONS` (`Builder::preemption_bound`): a bounded
/// exploration. Four threads locking once have 24 lock orders. With no
/// choice other than the first only the order of exploration is visited,
/// and the report says the exploration was bounded. A thread that takes
/// the lock out of turn costs two choices (the revisit that lets it take
/// first, and its write's place in `co`), and a preemption stands for
/// three (`DEVIATIONS_PER_PREEMPTION`): a bound of 1 reaches the orders
/// where one thread moved ahead of earlier ones (6, plus the first: 7); a
/// bound of 2 reaches three such moves, and so every order (the reverse
/// order needs three), exhaustively. (Without symmetry reduction: with it,
/// the four threads are alike and the first order is the only one.)
#[test]
fn preemption_bound() {
    let program = || {
        let m: &'static Mutex<u32> = Box::leak(Box::new(Mutex::new(0)));
        let hs: Vec<_> = (0..4)
            .map(|_| thread::spawn(move || *m.lock().unwrap() += 1))
            .collect();
        for h in hs {
            h.join().unwrap();
        }
    };
    assert_eq!(happens::model::DEVIATIONS_PER_PREEMPTION, 3);
    let mut b = Builder::new();
    b.symmetry(false);
    b.preemption_bound = Some(0);
    let r = b.explore(program);
    assert_eq!((r.executions, r.complete), (1, false));
    assert!(r.bounded > 0);
    assert!(
        r.to_string().contains("bounded by LOOM_MAX_PREEMPTIONS"),
        "{r}"
    );
    b.preemption_bound = Some(1);
    let r1 = b.explore(program);
    assert_eq!((r1.executions, r1.complete), (7, false));
    b.preemption_bound = Some(2);
    let r2 = b.explore(program);
    assert_eq!((r2.executions, r2.complete, r2.bounded), (24, true, 0));
}

/// A bounded channel of capacity 1, three messages: each send after the
/// first waits for the receive that frees the slot, each receive for its
/// send, one write each: one execution, none blocked.
#[test]
fn bounded_channel() {
    let c = counts(|| {
        let (tx, rx) = mpsc::sync_channel::<u32>(1);
        let h = thread::spawn(move || {
            for i in 0..3 {
                tx.send(i).unwrap();
            }
        });
        for i in 0..3 {
            assert_eq!(rx.recv().unwrap(), i);
        }
        h.join().unwrap();
    });
    assert_eq!(c, (1, 0));
}

/// loom's `Notify`, as a handshake: a spawned thread publishes a value
/// and notifies; main waits, then reads the value. The wait takes the
/// permit the notify stored (release/acquire), so it reads 42: one
/// execution, and waiting for the permit is not one of its own (none
/// blocked; before `Notify::wait` was a blocking step, the wait that found
/// no permit ended its execution blocked).
#[test]
fn notify_handshake() {
    use happens::sync::Notify;
    let c = counts(|| {
        let n = Arc::new((Notify::new(), AtomicUsize::new(0)));
        let n2 = n.clone();
        let h = thread::spawn(move || {
            n2.1.store(42, Relaxed);
            n2.0.notify();
        });
        n.0.wait();
        assert_eq!(n.1.load(Relaxed), 42);
        h.join().unwrap();
    });
    assert_eq!(c, (1, 0));
}
