//! Port of loom's `tests/atomic.rs`: `lazy_static!` holding an `Arc`, a
//! load after lazy initialization, an `unsync_load` racing a Relaxed store,
//! compare-exchanges that read old values (ignored in loom: RC11 allows
//! it), and concurrent `fetch_add`s.

mod common;

use common::*;
use happens::sync::atomic::{AtomicUsize, Ordering::*};
use happens::sync::Arc;
use happens::thread;
use happens::FailureKind;

happens::lazy_static! {
    static ref SHARED: Arc<AtomicUsize> = Arc::new(AtomicUsize::new(0));
    static ref PLAIN: AtomicUsize = AtomicUsize::new(5);
}

#[test]
fn lazy_static_arc_shutdown() {
    // the value lives until the execution ends: not a leak
    let r = ok(|| {
        let t = thread::spawn(|| SHARED.fetch_add(1, Relaxed));
        SHARED.fetch_add(1, Relaxed);
        t.join().unwrap();
        assert_eq!(SHARED.load(Relaxed), 2);
    });
    assert_eq!(r.executions, 2);
}

#[test]
fn lazy_static_arc_race() {
    let (outs, r) = outcomes(|| {
        let t = thread::spawn(|| {
            let a = SHARED.clone();
            a.fetch_add(1, Relaxed)
        });
        let a = SHARED.clone();
        let mine = a.fetch_add(1, Relaxed);
        (mine, t.join().unwrap())
    });
    assert_eq!(outs, vec![(0, 1), (1, 0)]);
    // the orders of the increments and of the clones' count updates
    assert_eq!(r.executions, 5);
}

#[test]
fn lazy_static_arc_doesnt_leak() {
    ok(|| {
        let a = SHARED.clone();
        drop(a);
        assert_eq!(Arc::strong_count(&SHARED), 1);
    });
}

#[test]
fn legal_load_after_lazy_static() {
    let r = ok(|| {
        let t = thread::spawn(|| PLAIN.load(Relaxed));
        assert_eq!(PLAIN.load(Relaxed), 5);
        assert_eq!(t.join().unwrap(), 5);
    });
    assert_eq!(r.executions, 1);
}

#[test]
fn invalid_unsync_load_relaxed() {
    let f = fails(|| {
        let a = Arc::new(AtomicUsize::new(0));
        let a2 = a.clone();
        let t = thread::spawn(move || {
            a2.store(1, Relaxed); // MARK-STORE
        });
        let _ = unsafe { a.unsync_load() }; // MARK-UNSYNC
        t.join().unwrap();
    });
    let FailureKind::DataRace { first, second, .. } = &f.kind else {
        panic!("expected a data race: {f}");
    };
    let src = include_str!("loom_atomic.rs");
    let mut got = [first, second].map(|a| (a.kind.to_string(), a.at.unwrap().to_string()));
    got.sort();
    assert!(
        got[0].0 == "read"
            && got[0]
                .1
                .contains(&place("loom_atomic.rs", src, "MARK-UNSYNC"))
    );
    assert!(
        got[1].0 == "write"
            && got[1]
                .1
                .contains(&place("loom_atomic.rs", src, "MARK-STORE"))
    );
}

#[test]
#[allow(deprecated)]
fn compare_and_swap_reads_old_values() {
    // ignored in loom (its CAS always reads the latest value); under RC11
    // both compare-and-swaps may miss the other thread's store
    let (outs, r) = outcomes(|| {
        let a = Arc::new(AtomicUsize::new(0));
        let b = Arc::new(AtomicUsize::new(0));
        let (a2, b2) = (a.clone(), b.clone());
        let t = thread::spawn(move || {
            a2.store(1, Relaxed);
            b2.compare_and_swap(0, 2, Relaxed)
        });
        b.store(1, Relaxed);
        let r1 = a.compare_and_swap(0, 3, Relaxed);
        (r1, t.join().unwrap())
    });
    assert_eq!(outs, vec![(0, 0), (0, 1), (1, 0), (1, 1)]);
    assert_eq!(r.executions, 4);
}

#[test]
fn fetch_add_atomic() {
    let (outs, r) = outcomes(|| {
        let n = Arc::new(AtomicUsize::new(0));
        let hs: Vec<_> = (0..3)
            .map(|_| {
                let n = n.clone();
                thread::spawn(move || n.fetch_add(1, Relaxed))
            })
            .collect();
        let got: Vec<usize> = hs.into_iter().map(|h| h.join().unwrap()).collect();
        let mut sorted = got.clone();
        sorted.sort();
        assert_eq!(sorted, vec![0, 1, 2]);
        got
    });
    // every order of the three increments, times the orders of the `Arc`
    // count updates
    assert_eq!(outs.len(), 6);
    assert_eq!(r.executions, 57);
}
