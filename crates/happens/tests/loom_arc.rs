//! Port of loom's `tests/arc.rs`: `Arc` basics, atomics used in `Drop`,
//! leak detection and `try_unwrap` (also across threads).

mod common;

use common::*;
use happens::sync::atomic::{AtomicBool, AtomicUsize, Ordering::*};
use happens::sync::Arc;
use happens::thread;
use happens::FailureKind;

#[test]
fn basic_usage() {
    let r = ok(|| {
        let a = Arc::new(AtomicUsize::new(0));
        let a2 = a.clone();
        let t = thread::spawn(move || a2.fetch_add(1, Relaxed));
        a.fetch_add(1, Relaxed);
        t.join().unwrap();
        assert_eq!(a.load(Relaxed), 2);
        assert_eq!(Arc::strong_count(&a), 1);
    });
    // the two orders of the increments (the clone's count updates are
    // ordered by spawn and join)
    assert_eq!((r.executions, r.blocked), (2, 0));
}

/// Sets a flag when dropped.
struct Flagged(Arc<AtomicBool>);

impl Drop for Flagged {
    fn drop(&mut self) {
        assert!(!self.0.swap(true, Relaxed), "dropped twice");
    }
}

#[test]
fn atomics_in_drop() {
    let r = ok(|| {
        let dropped = Arc::new(AtomicBool::new(false));
        let v = Arc::new(Flagged(dropped.clone()));
        let v2 = v.clone();
        let t = thread::spawn(move || drop(v2));
        drop(v);
        t.join().unwrap();
        // the last owner dropped the value, whichever thread it was
        assert!(dropped.load(Relaxed));
    });
    assert_eq!((r.executions, r.blocked), (2, 0));
}

#[test]
fn detect_mem_leak() {
    let f = fails(|| {
        let a = Arc::new(1);
        std::mem::forget(a.clone()); // MARK-LEAK
    });
    let FailureKind::Leak { what, allocated } = &f.kind else {
        panic!("expected a leak: {f}");
    };
    assert_eq!(*what, "Arc");
    let at = place("loom_arc.rs", include_str!("loom_arc.rs"), "Arc::new(1)");
    assert!(allocated.to_string().contains(&at), "{allocated} vs {at}");
}

#[test]
fn try_unwrap_succeeds() {
    let r = ok(|| {
        let a = Arc::new(7);
        assert_eq!(Arc::try_unwrap(a).ok(), Some(7));
    });
    assert_eq!(r.executions, 1);
}

#[test]
fn try_unwrap_fails_while_shared() {
    let r = ok(|| {
        let a = Arc::new(7);
        let b = a.clone();
        let a = Arc::try_unwrap(a).unwrap_err();
        drop(b);
        assert_eq!(Arc::try_unwrap(a).ok(), Some(7));
    });
    assert_eq!(r.executions, 1);
}

#[test]
fn try_unwrap_across_threads() {
    let (outs, r) = outcomes(|| {
        let a = Arc::new(7);
        let b = a.clone();
        let t = thread::spawn(move || drop(b));
        // without a join, the other thread may still hold its clone
        let got = match Arc::try_unwrap(a) {
            Ok(v) => Some(v),
            Err(a) => {
                t.join().unwrap();
                return (false, Arc::try_unwrap(a).ok());
            }
        };
        t.join().unwrap();
        (true, got)
    });
    assert_eq!(outs, vec![(false, Some(7)), (true, Some(7))]);
    assert_eq!(r.executions, 2);
}
