//! Port of loom's `tests/fence.rs`: fence-based synchronization (base case,
//! a fence collapsed into the store, into the load), store buffering with
//! SeqCst fences, a hazard-pointer pattern with `fence(SeqCst)`, and the
//! RWC and W+RWC shapes of the SCFix paper whose outcomes C++20 forbids.

mod common;

use common::*;
use happens::cell::UnsafeCell;
use happens::sync::atomic::{fence, AtomicBool, AtomicUsize, Ordering::*};
use happens::thread;
// `Arc` only shares the objects: std's keeps its count updates out of the
// model, so the counts below are those of the shapes themselves
use std::sync::Arc;

/// Message passing over a cell: `publish` sets the flag after the write,
/// `observe` reads the flag and says whether the cell may be read.
// modelled threads all run on the thread that called the model
#[allow(clippy::arc_with_non_send_sync)]
fn mp(
    publish: fn(&AtomicBool),
    observe: fn(&AtomicBool) -> bool,
) -> (Vec<Option<usize>>, happens::Report) {
    let (outs, r) = outcomes(move || {
        let data = Arc::new(UnsafeCell::new(0));
        let flag = Arc::new(AtomicBool::new(false));
        let (d, f) = (data.clone(), flag.clone());
        let t = thread::spawn(move || {
            d.with_mut(|p| unsafe { *p = 1 });
            publish(&f);
        });
        let seen = observe(&flag).then(|| data.with(|p| unsafe { *p }));
        t.join().unwrap();
        seen
    });
    (outs, r)
}

#[test]
fn fence_sw_base() {
    let (outs, r) = mp(
        |f| {
            fence(Release);
            f.store(true, Relaxed);
        },
        |f| {
            let v = f.load(Relaxed);
            fence(Acquire);
            v
        },
    );
    assert_eq!(outs, vec![None, Some(1)]);
    assert_eq!(r.executions, 2);
}

#[test]
fn fence_sw_collapsed_store() {
    let (outs, r) = mp(
        |f| f.store(true, Release),
        |f| {
            let v = f.load(Relaxed);
            fence(Acquire);
            v
        },
    );
    assert_eq!(outs, vec![None, Some(1)]);
    assert_eq!(r.executions, 2);
}

#[test]
fn fence_sw_collapsed_load() {
    let (outs, r) = mp(
        |f| {
            fence(Release);
            f.store(true, Relaxed);
        },
        |f| f.load(Acquire),
    );
    assert_eq!(outs, vec![None, Some(1)]);
    assert_eq!(r.executions, 2);
}

/// Store buffering with SeqCst fences (the Promising-semantics paper's
/// example): both loads cannot read 0.
#[test]
fn sb_fences() {
    let (outs, r) = outcomes(|| {
        let x = Arc::new(AtomicUsize::new(0));
        let y = Arc::new(AtomicUsize::new(0));
        let (x2, y2) = (x.clone(), y.clone());
        let t = thread::spawn(move || {
            x2.store(1, Relaxed);
            fence(SeqCst);
            y2.load(Relaxed)
        });
        y.store(1, Relaxed);
        fence(SeqCst);
        let a = x.load(Relaxed);
        (a, t.join().unwrap())
    });
    assert_eq!(outs, vec![(0, 1), (1, 0), (1, 1)]);
    assert_eq!(r.executions, 3);
}

/// A hazard pointer: the reader announces what it uses, then checks the
/// pointer again; the reclaimer retires, then scans announcements. With
/// SeqCst fences between, the reader never uses a reclaimed object.
#[test]
fn fence_hazard_pointer() {
    let (outs, r) = outcomes(|| {
        let ptr = Arc::new(AtomicUsize::new(1)); // object 1 is current
        let hazard = Arc::new(AtomicUsize::new(0));
        let freed = Arc::new(AtomicBool::new(false));
        let (p2, h2, f2) = (ptr.clone(), hazard.clone(), freed.clone());
        let reader = thread::spawn(move || {
            let p = p2.load(Relaxed);
            h2.store(p, Relaxed);
            fence(SeqCst);
            // protected if the pointer did not change; object 1 must then
            // not have been freed
            let protected = p2.load(Relaxed) == p;
            if protected && p == 1 {
                assert!(!f2.load(Relaxed), "used a reclaimed object");
            }
            protected && p == 1
        });
        ptr.store(2, Relaxed); // retire object 1
        fence(SeqCst);
        let reclaimed = hazard.load(Relaxed) != 1;
        if reclaimed {
            freed.store(true, Relaxed);
        }
        (reclaimed, reader.join().unwrap())
    });
    assert_eq!(outs, vec![(false, false), (false, true), (true, false)]);
    assert_eq!(r.executions, 5);
}

/// RWC with SeqCst fences: T1 writes x; T2 reads x = 1 then y = 0; T3
/// writes y, fences, reads x = 0. C++20 (SCFix) forbids it.
#[test]
fn rwc_syncs() {
    let (outs, r) = outcomes(|| {
        let x = Arc::new(AtomicUsize::new(0));
        let y = Arc::new(AtomicUsize::new(0));
        let t1 = {
            let x = x.clone();
            thread::spawn(move || x.store(1, Relaxed))
        };
        let t2 = {
            let (x, y) = (x.clone(), y.clone());
            thread::spawn(move || {
                let a = x.load(Relaxed);
                fence(SeqCst);
                (a, y.load(Relaxed))
            })
        };
        let t3 = {
            let (x, y) = (x.clone(), y.clone());
            thread::spawn(move || {
                y.store(1, Relaxed);
                fence(SeqCst);
                x.load(Relaxed)
            })
        };
        t1.join().unwrap();
        let (a, b) = t2.join().unwrap();
        let c = t3.join().unwrap();
        (a, b, c)
    });
    assert!(!outs.contains(&(1, 0, 0)), "{outs:?}");
    // the other seven outcomes, each reached by exactly one execution
    assert_eq!(outs.len(), 7);
    assert_eq!(r.executions, 7);
}

/// W+RWC with SeqCst fences: T1 writes x then releases y; T2 acquires y,
/// fences, reads z = 0; T3 writes z, fences, reads x = 0. Forbidden.
#[test]
fn w_rwc() {
    let (outs, r) = outcomes(|| {
        let x = Arc::new(AtomicUsize::new(0));
        let y = Arc::new(AtomicUsize::new(0));
        let z = Arc::new(AtomicUsize::new(0));
        let t1 = {
            let (x, y) = (x.clone(), y.clone());
            thread::spawn(move || {
                x.store(1, Relaxed);
                y.store(1, Release);
            })
        };
        let t2 = {
            let (y, z) = (y.clone(), z.clone());
            thread::spawn(move || {
                let a = y.load(Acquire);
                fence(SeqCst);
                (a, z.load(Relaxed))
            })
        };
        let t3 = {
            let (x, z) = (x.clone(), z.clone());
            thread::spawn(move || {
                z.store(1, Relaxed);
                fence(SeqCst);
                x.load(Relaxed)
            })
        };
        t1.join().unwrap();
        let (a, b) = t2.join().unwrap();
        let c = t3.join().unwrap();
        (a, b, c)
    });
    assert!(!outs.contains(&(1, 0, 0)), "{outs:?}");
    // the other seven outcomes, each reached by exactly one execution
    assert_eq!(outs.len(), 7);
    assert_eq!(r.executions, 7);
}
