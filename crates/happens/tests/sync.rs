//! Ports of loom's `mutex.rs`, `condvar.rs`, `rwlock.rs`, `mpsc.rs`,
//! `arc.rs`, `deadlock.rs`, `smoke.rs`, `thread_api.rs`, `unsafe_cell.rs`
//! ideas, asserting failure kinds and locations instead of `should_panic`.

use happens::cell::UnsafeCell;
use happens::model::Builder;
use happens::sync::atomic::{AtomicUsize, Ordering::*};
use happens::sync::{mpsc, Arc, Barrier, Condvar, Mutex, Once, OnceLock, RwLock};
use happens::thread;
use happens::FailureKind;

fn ok(f: impl Fn() + Sync + Send + 'static) -> happens::Report {
    let r = Builder::new().explore(f);
    assert!(r.failure.is_none(), "{r}");
    assert!(r.complete);
    r
}

fn fails(f: impl Fn() + Sync + Send + 'static) -> happens::Failure {
    Builder::new()
        .explore(f)
        .failure
        .expect("expected a failure")
}

#[test]
fn mutex_mutual_exclusion() {
    let r = ok(|| {
        let m = Arc::new(Mutex::new(0));
        let hs: Vec<_> = (0..2)
            .map(|_| {
                let m = m.clone();
                thread::spawn(move || *m.lock().unwrap() += 1)
            })
            .collect();
        for h in hs {
            h.join().unwrap();
        }
        assert_eq!(*m.lock().unwrap(), 2);
    });
    // 2 lock orders × orders of the Arc count decrements
    assert_eq!((r.executions, r.blocked), (8, 3));
}

#[test]
fn mutex_orders_unsafe_cell() {
    ok(|| {
        let m = Arc::new(Mutex::new(()));
        let c = Arc::new(UnsafeCell::new(0));
        let (m2, c2) = (m.clone(), c.clone());
        let t = thread::spawn(move || {
            let _g = m2.lock().unwrap();
            c2.with_mut(|p| unsafe { *p += 1 });
        });
        {
            let _g = m.lock().unwrap();
            c.with_mut(|p| unsafe { *p += 1 });
        }
        t.join().unwrap();
        assert_eq!(c.with(|p| unsafe { *p }), 2);
    });
}

#[test]
fn smoke_buggy_increment_fails() {
    let f = fails(|| {
        let n = Arc::new(AtomicUsize::new(0));
        let hs: Vec<_> = (0..2)
            .map(|_| {
                let n = n.clone();
                thread::spawn(move || {
                    let v = n.load(Acquire);
                    n.store(v + 1, Release);
                })
            })
            .collect();
        for h in hs {
            h.join().unwrap();
        }
        assert_eq!(n.load(Relaxed), 2, "lost update");
    });
    assert!(
        matches!(&f.kind, FailureKind::Panic { message, .. } if message.contains("lost update"))
    );
}

#[test]
fn deadlock_is_reported_with_owners() {
    let f = fails(|| {
        let a = Arc::new(Mutex::new(()));
        let b = Arc::new(Mutex::new(()));
        let (a2, b2) = (a.clone(), b.clone());
        let t = thread::spawn(move || {
            let _x = b2.lock().unwrap();
            let _y = a2.lock().unwrap();
        });
        let _x = a.lock().unwrap();
        let _y = b.lock().unwrap();
        drop((_x, _y));
        t.join().unwrap();
    });
    let FailureKind::Deadlock { threads } = &f.kind else {
        panic!("expected a deadlock: {f}");
    };
    let held: Vec<_> = threads.iter().filter(|w| w.held_by.is_some()).collect();
    assert_eq!(held.len(), 2, "{f}");
    for w in held {
        assert!(
            w.waits_for.starts_with("mutex `Mutex` created at"),
            "{}",
            w.waits_for
        );
        assert_ne!(w.held_by.as_ref().unwrap().0, w.thread);
    }
    assert!(f.to_string().starts_with("deadlock;"));
}

#[test]
fn arc_leak_is_reported() {
    let f = fails(|| {
        let a = Arc::new(1);
        std::mem::forget(a);
    });
    match &f.kind {
        FailureKind::Leak { what, allocated } => {
            assert_eq!(what, "Arc");
            assert!(allocated.contains("tests/sync.rs"), "{allocated}");
        }
        k => panic!("{k:?}"),
    }
}

#[test]
fn arc_try_unwrap_across_threads() {
    ok(|| {
        let a = Arc::new(5);
        let b = a.clone();
        let t = thread::spawn(move || drop(b));
        t.join().unwrap();
        assert_eq!(Arc::try_unwrap(a).ok(), Some(5));
    });
}

#[test]
fn weak_upgrade_fails_after_drop() {
    ok(|| {
        let a = Arc::new(1);
        let w = Arc::downgrade(&a);
        assert_eq!(*w.upgrade().unwrap(), 1);
        drop(a);
        assert!(w.upgrade().is_none());
    });
}

#[test]
fn condvar_notify_one() {
    ok(|| {
        let pair = Arc::new((Mutex::new(false), Condvar::new()));
        let p2 = pair.clone();
        let t = thread::spawn(move || {
            *p2.0.lock().unwrap() = true;
            p2.1.notify_one();
        });
        let mut g = pair.0.lock().unwrap();
        while !*g {
            g = pair.1.wait(g).unwrap();
        }
        drop(g);
        t.join().unwrap();
    });
}

#[test]
fn condvar_wait_without_notify_deadlocks() {
    let f = fails(|| {
        let m = Mutex::new(());
        let cv = Condvar::new();
        let g = m.lock().unwrap();
        let _g = cv.wait(g).unwrap();
    });
    assert!(matches!(f.kind, FailureKind::Deadlock { .. }), "{f}");
}

#[test]
fn rwlock_readers_and_writer() {
    ok(|| {
        let l = Arc::new(RwLock::new(0));
        let l2 = l.clone();
        let t = thread::spawn(move || *l2.write().unwrap() += 1);
        let v = *l.read().unwrap();
        assert!(v == 0 || v == 1);
        t.join().unwrap();
        assert_eq!(*l.read().unwrap(), 1);
        assert!(l.try_write().is_ok());
    });
}

#[test]
fn mpsc_parallel_senders() {
    ok(|| {
        let (tx, rx) = mpsc::channel();
        let tx2 = tx.clone();
        let t = thread::spawn(move || tx2.send(1).unwrap());
        tx.send(2).unwrap();
        let mut v = vec![rx.recv().unwrap(), rx.recv().unwrap()];
        v.sort();
        assert_eq!(v, vec![1, 2]);
        t.join().unwrap();
    });
}

#[test]
fn mpsc_non_commuting_senders_fail() {
    let f = fails(|| {
        let (tx, rx) = mpsc::channel();
        let tx2 = tx.clone();
        let t = thread::spawn(move || tx2.send(1).unwrap());
        tx.send(2).unwrap();
        assert_eq!(rx.recv().unwrap(), 1, "order");
        t.join().unwrap();
    });
    assert!(matches!(&f.kind, FailureKind::Panic { .. }));
}

#[test]
fn mpsc_unreceived_message_leaks() {
    let f = fails(|| {
        let (tx, rx) = mpsc::channel();
        tx.send(1).unwrap();
        std::mem::forget(rx);
    });
    assert!(
        matches!(&f.kind, FailureKind::Leak { what, .. } if what == "channel message"),
        "{f}"
    );
}

#[test]
fn barrier_releases_all() {
    ok(|| {
        let b = Arc::new(Barrier::new(2));
        let n = Arc::new(AtomicUsize::new(0));
        let (b2, n2) = (b.clone(), n.clone());
        let t = thread::spawn(move || {
            n2.fetch_add(1, Relaxed);
            b2.wait();
        });
        n.fetch_add(1, Relaxed);
        b.wait();
        t.join().unwrap();
    });
}

#[test]
fn once_lock_initializes_once() {
    ok(|| {
        let c = Arc::new(OnceLock::new());
        let runs = Arc::new(AtomicUsize::new(0));
        let (c2, r2) = (c.clone(), runs.clone());
        let t = thread::spawn(move || *c2.get_or_init(|| r2.fetch_add(1, Relaxed) + 10));
        let a = *c.get_or_init(|| runs.fetch_add(1, Relaxed) + 10);
        let b = t.join().unwrap();
        assert_eq!(a, b);
        assert_eq!(runs.load(Relaxed), 1);
        let o = Once::new();
        o.call_once(|| {});
        assert!(o.is_completed());
    });
}

#[test]
fn unsafe_cell_race_between_two_writes() {
    let f = fails(|| {
        let c = Arc::new(UnsafeCell::new(0));
        let c2 = c.clone();
        let t = thread::spawn(move || c2.with_mut(|p| unsafe { *p = 1 }));
        c.with_mut(|p| unsafe { *p = 2 });
        t.join().unwrap();
    });
    assert!(matches!(f.kind, FailureKind::DataRace { .. }), "{f}");
}

#[test]
fn unsync_load_racing_relaxed_store_is_a_race() {
    let f = fails(|| {
        let a = Arc::new(AtomicUsize::new(0));
        let a2 = a.clone();
        let t = thread::spawn(move || a2.store(1, Relaxed));
        let _ = unsafe { a.unsync_load() };
        t.join().unwrap();
    });
    assert!(matches!(f.kind, FailureKind::DataRace { .. }), "{f}");
}

#[test]
fn thread_api() {
    ok(|| {
        let me = thread::current().id();
        let t = thread::Builder::new()
            .name("worker".into())
            .spawn(move || {
                assert_eq!(thread::current().name(), Some("worker"));
                thread::current().id()
            })
            .unwrap();
        let other = t.join().unwrap();
        assert_ne!(me, other);
        let mut v = 0;
        thread::scope(|s| {
            s.spawn(|| v += 1);
        });
        assert_eq!(v, 1);
    });
}

#[test]
fn park_unpark_token() {
    ok(|| {
        let main = thread::current();
        let flag = Arc::new(AtomicUsize::new(0));
        let f2 = flag.clone();
        let t = thread::spawn(move || {
            f2.store(1, Release);
            main.unpark();
        });
        while flag.load(Acquire) == 0 {
            thread::park();
        }
        t.join().unwrap();
    });
}

happens::thread_local! {
    static LOCAL: std::cell::Cell<usize> = std::cell::Cell::new(0);
}

#[test]
fn thread_local_is_per_thread() {
    ok(|| {
        LOCAL.with(|c| c.set(1));
        let t = thread::spawn(|| LOCAL.with(|c| c.get()));
        assert_eq!(t.join().unwrap(), 0);
        assert_eq!(LOCAL.with(|c| c.get()), 1);
    });
}

happens::lazy_static! {
    static ref COUNTER: AtomicUsize = AtomicUsize::new(0);
}

#[test]
fn lazy_static_is_fresh_per_execution() {
    ok(|| {
        assert_eq!(COUNTER.fetch_add(1, Relaxed), 0);
    });
}

#[test]
fn loop_without_hint_hits_the_bound() {
    let mut b = Builder::new();
    b.max_branches = 50;
    let r = b.explore(|| {
        let a = Arc::new(AtomicUsize::new(0));
        while a.load(Relaxed) == 0 {}
    });
    let f = r.failure.unwrap();
    assert!(
        matches!(
            f.kind,
            FailureKind::LoopBound {
                thread: 0,
                bound: 50
            }
        ),
        "{f}"
    );
}

#[test]
fn budget_stops_with_coverage() {
    let mut b = Builder::new();
    b.max_permutations = Some(2);
    let r = b.explore(|| {
        let n = Arc::new(AtomicUsize::new(0));
        let hs: Vec<_> = (0..3)
            .map(|_| {
                let n = n.clone();
                thread::spawn(move || n.fetch_add(1, Relaxed))
            })
            .collect();
        for h in hs {
            h.join().unwrap();
        }
    });
    assert_eq!(r.executions, 2);
    assert!(!r.complete);
}

fn racy_program() {
    let a = Arc::new(AtomicUsize::new(0));
    let a2 = a.clone();
    let t = thread::spawn(move || a2.store(1, Relaxed));
    assert_eq!(a.load(Relaxed), 0, "saw the store");
    t.join().unwrap();
}

#[test]
fn replay_key_reruns_the_failing_execution() {
    let f = Builder::new().explore(racy_program).failure.unwrap();
    assert!(f.replay.starts_with("h1/"), "{}", f.replay);
    assert!(
        f.to_string()
            .ends_with(&format!("HAPPENS_REPLAY='{}'", f.replay)),
        "{f}"
    );
    let mut b = Builder::new();
    b.replay(&f.replay);
    let r = b.explore(racy_program);
    assert_eq!(r.executions, 1);
    assert!(!r.complete);
    let f2 = r.failure.unwrap();
    assert_eq!(f2.kind, f.kind);
    assert_eq!(f2.replay, f.replay);
    // the same events; a replay runs them in another order that respects
    // program order and reads-from
    let sorted = |f: &happens::Failure| {
        let mut t = f.trace.clone();
        t.sort_by_key(|e| (e.thread, e.index));
        t
    };
    assert_eq!(sorted(&f2), sorted(&f));
    assert!(f2.diagram.is_some());
    // the key as the user copies it from the message (quoted)
    b.replay(&format!("'{}'", f.replay));
    assert_eq!(b.explore(racy_program).failure.unwrap().kind, f.kind);
}

#[test]
fn replay_of_a_passing_execution_explores_everything() {
    let prog = || {
        let a = Arc::new(AtomicUsize::new(0));
        let a2 = a.clone();
        let t = thread::spawn(move || a2.store(1, Relaxed));
        let _ = a.load(Relaxed);
        t.join().unwrap();
    };
    let full = Builder::new().explore(prog);
    let failing = Builder::new().explore(racy_program).failure.unwrap();
    let mut b = Builder::new();
    b.replay(&failing.replay);
    let r = b.explore(prog);
    assert!(r.failure.is_none() && r.complete, "{r}");
    assert_eq!(r.executions, full.executions);
}

#[test]
#[should_panic(expected = "HAPPENS_REPLAY: invalid replay key")]
fn a_bad_replay_key_panics() {
    Builder::new().replay("12-abcd").explore(racy_program);
}
