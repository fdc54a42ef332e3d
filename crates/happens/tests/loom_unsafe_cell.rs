//! Port of loom's `tests/unsafe_cell.rs`: data-race detection on
//! `UnsafeCell`. Causality through Release/Acquire (and its absence), races
//! between two mutable accesses and between a mutable and an immutable one,
//! patterns that are fine, and an access after the synchronization that is
//! still racy. Each race names both accesses.

mod common;

use common::*;
use happens::cell::UnsafeCell;
use happens::sync::atomic::{AtomicBool, Ordering::*};
use happens::sync::Arc;
use happens::thread;
use happens::FailureKind;

const SRC: &str = include_str!("loom_unsafe_cell.rs");

/// The failure of `f` is a data race between the accesses on the lines
/// marked `a` and `b` (a `write` or `read` each), in either order.
#[track_caller]
fn assert_race(f: impl Fn() + Sync + Send + 'static, a: (&str, &str), b: (&str, &str)) {
    let fl = fails(f);
    let FailureKind::DataRace { first, second, .. } = &fl.kind else {
        panic!("expected a data race: {fl}");
    };
    let want = |(kind, m): (&str, &str)| (kind.to_string(), place("loom_unsafe_cell.rs", SRC, m));
    let got = |x: &happens::Access| (x.kind.to_string(), x.at.unwrap().to_string());
    let matches = |w: &(String, String), g: &(String, String)| w.0 == g.0 && g.1.contains(&w.1);
    let (wa, wb) = (want(a), want(b));
    let (g1, g2) = (got(first), got(second));
    assert!(
        (matches(&wa, &g1) && matches(&wb, &g2)) || (matches(&wa, &g2) && matches(&wb, &g1)),
        "{fl}"
    );
}

#[test]
fn atomic_causality_success() {
    let r = ok(|| {
        let cell = Arc::new(UnsafeCell::new(0));
        let flag = Arc::new(AtomicBool::new(false));
        let (c2, f2) = (cell.clone(), flag.clone());
        let t = thread::spawn(move || {
            c2.with_mut(|p| unsafe { *p = 1 });
            f2.store(true, Release);
        });
        while !flag.load(Acquire) {
            thread::yield_now();
        }
        assert_eq!(cell.with(|p| unsafe { *p }), 1);
        t.join().unwrap();
    });
    // the loop reads the flag set (the round that read it unset and
    // waited is a blocked execution, as GenMC's spin-assume makes it)
    assert_eq!((r.executions, r.blocked), (1, 1));
}

#[test]
fn atomic_causality_fail() {
    assert_race(
        || {
            let cell = Arc::new(UnsafeCell::new(0));
            let flag = Arc::new(AtomicBool::new(false));
            let (c2, f2) = (cell.clone(), flag.clone());
            let t = thread::spawn(move || {
                c2.with_mut(|p| unsafe { *p = 1 }); // MARK-CF-W
                f2.store(true, Relaxed);
            });
            while !flag.load(Acquire) {
                thread::yield_now();
            }
            cell.with(|p| unsafe { *p }); // MARK-CF-R
            t.join().unwrap();
        },
        ("write", "MARK-CF-W"),
        ("read", "MARK-CF-R"),
    );
}

/// Both threads use the cell through `a` and `b`.
fn two_threads(
    a: fn(&UnsafeCell<i32>),
    b: fn(&UnsafeCell<i32>),
) -> impl Fn() + Sync + Send + 'static {
    move || {
        let cell = Arc::new(UnsafeCell::new(0));
        let c2 = cell.clone();
        let t = thread::spawn(move || b(&c2));
        a(&cell);
        t.join().unwrap();
    }
}

#[test]
fn unsafe_cell_race_mut_mut_1() {
    assert_race(
        two_threads(
            |c| c.with_mut(|p| unsafe { *p = 1 }), // MARK-MM1-A
            |c| c.with_mut(|p| unsafe { *p = 2 }), // MARK-MM1-B
        ),
        ("write", "MARK-MM1-A"),
        ("write", "MARK-MM1-B"),
    );
}

#[test]
fn unsafe_cell_race_mut_mut_2() {
    assert_race(
        two_threads(
            |c| unsafe { *c.get_mut().deref() += 1 }, // MARK-MM2-A
            |c| unsafe { *c.get_mut().deref() += 1 }, // MARK-MM2-B
        ),
        ("write", "MARK-MM2-A"),
        ("write", "MARK-MM2-B"),
    );
}

#[test]
fn unsafe_cell_race_mut_immut_1() {
    assert_race(
        two_threads(
            |c| c.with_mut(|p| unsafe { *p = 1 }), // MARK-MI1-W
            |c| {
                let _ = c.with(|p| unsafe { *p }); // MARK-MI1-R
            },
        ),
        ("write", "MARK-MI1-W"),
        ("read", "MARK-MI1-R"),
    );
}

#[test]
fn unsafe_cell_race_mut_immut_2() {
    assert_race(
        two_threads(
            |c| {
                let _ = c.with(|p| unsafe { *p }); // MARK-MI2-R
            },
            |c| c.with_mut(|p| unsafe { *p = 1 }), // MARK-MI2-W
        ),
        ("read", "MARK-MI2-R"),
        ("write", "MARK-MI2-W"),
    );
}

#[test]
fn unsafe_cell_race_mut_immut_3() {
    assert_race(
        two_threads(
            |c| unsafe { *c.get_mut().deref() = 1 }, // MARK-MI3-W
            |c| {
                let _ = unsafe { *c.get().deref() }; // MARK-MI3-R
            },
        ),
        ("write", "MARK-MI3-W"),
        ("read", "MARK-MI3-R"),
    );
}

#[test]
fn unsafe_cell_race_mut_immut_4() {
    assert_race(
        two_threads(
            |c| {
                let _ = unsafe { *c.get().deref() }; // MARK-MI4-R
            },
            |c| unsafe { *c.get_mut().deref() = 1 }, // MARK-MI4-W
        ),
        ("read", "MARK-MI4-R"),
        ("write", "MARK-MI4-W"),
    );
}

#[test]
fn unsafe_cell_race_mut_immut_5() {
    // the guard's `with` is part of the same access as `get_mut`
    assert_race(
        two_threads(
            |c| c.get_mut().with(|p| unsafe { *p = 1 }), // MARK-MI5-W
            |c| {
                let _ = c.get().with(|p| unsafe { *p }); // MARK-MI5-R
            },
        ),
        ("write", "MARK-MI5-W"),
        ("read", "MARK-MI5-R"),
    );
}

#[test]
fn unsafe_cell_ok_1() {
    // two readers never race
    let r = ok(two_threads(
        |c| {
            let _ = c.with(|p| unsafe { *p });
        },
        |c| {
            let _ = c.with(|p| unsafe { *p });
        },
    ));
    assert_eq!(r.executions, 1);
}

#[test]
fn unsafe_cell_ok_2() {
    // a write before the spawn, reads in both threads
    let r = ok(|| {
        let cell = Arc::new(UnsafeCell::new(0));
        cell.with_mut(|p| unsafe { *p = 1 });
        let c2 = cell.clone();
        let t = thread::spawn(move || c2.with(|p| unsafe { *p }));
        assert_eq!(cell.with(|p| unsafe { *p }), 1);
        assert_eq!(t.join().unwrap(), 1);
    });
    assert_eq!(r.executions, 1);
}

#[test]
fn unsafe_cell_ok_3() {
    // a write in the thread, a read after the join
    let r = ok(|| {
        let cell = Arc::new(UnsafeCell::new(0));
        let c2 = cell.clone();
        let t = thread::spawn(move || c2.with_mut(|p| unsafe { *p = 1 }));
        t.join().unwrap();
        assert_eq!(cell.with(|p| unsafe { *p }), 1);
    });
    assert_eq!(r.executions, 1);
}

#[test]
fn unsafe_cell_access_after_sync() {
    // the second write comes after the release: the acquire does not
    // order it with the read
    assert_race(
        || {
            let cell = Arc::new(UnsafeCell::new(0));
            let flag = Arc::new(AtomicBool::new(false));
            let (c2, f2) = (cell.clone(), flag.clone());
            let t = thread::spawn(move || {
                c2.with_mut(|p| unsafe { *p = 1 });
                f2.store(true, Release);
                c2.with_mut(|p| unsafe { *p = 2 }); // MARK-AS-W
            });
            if flag.load(Acquire) {
                cell.with(|p| unsafe { *p }); // MARK-AS-R
            }
            t.join().unwrap();
        },
        ("write", "MARK-AS-W"),
        ("read", "MARK-AS-R"),
    );
}
