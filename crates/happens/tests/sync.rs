//! Synchronization primitives and model features beyond loom's own suite
//! (whose ports are the `loom_*.rs` files): `Weak`, a condvar wait nobody
//! ends, `Barrier`, `Once`/`OnceLock`, scoped threads, `lazy_static!`, the
//! event bound, budgets and replay keys.

use happens::model::Builder;
use happens::sync::atomic::{AtomicUsize, Ordering::*};
use happens::sync::{Arc, Barrier, Condvar, Mutex, Once, OnceLock};
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
fn scoped_thread_spawns_into_its_scope() {
    // `Scope` is `Sync`, as `std`'s: a scoped thread may spawn into the
    // scope it runs in, and the scope joins that thread too.
    let r = ok(|| {
        let n = AtomicUsize::new(0);
        thread::scope(|s| {
            s.spawn(|| {
                n.fetch_add(1, Relaxed);
                s.spawn(|| n.fetch_add(1, Relaxed));
            });
        });
        assert_eq!(n.load(Relaxed), 2);
    });
    // the inner thread's add follows the outer one's (spawn orders them)
    assert_eq!(r.executions, 1);
}

happens::thread_local! {
    static LOCAL: std::cell::Cell<usize> = std::cell::Cell::new(0);
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
fn loop_that_never_ends_is_a_livelock_at_its_read() {
    let mut b = Builder::new();
    b.max_branches = 50;
    let r = b.explore(|| {
        let a = Arc::new(AtomicUsize::new(0));
        while a.load(Relaxed) == 0 {} // MARK-SPIN
    });
    let f = r.failure.unwrap();
    let FailureKind::Livelock { thread, at, bound } = &f.kind else {
        panic!("expected a livelock: {f}");
    };
    let line = include_str!("sync.rs")
        .lines()
        .position(|l| l.contains("// MARK-SPIN") && !l.contains("position"))
        .unwrap()
        + 1;
    assert_eq!((*thread, *bound), (0, 50), "{f}");
    assert!(
        at.unwrap()
            .to_string()
            .contains(&format!("sync.rs:{line}:")),
        "{f}"
    );
}

#[test]
fn loop_that_keeps_writing_hits_the_bound() {
    let mut b = Builder::new();
    b.max_branches = 50;
    let r = b.explore(|| {
        let a = Arc::new(AtomicUsize::new(0));
        loop {
            a.fetch_add(1, Relaxed);
        }
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
