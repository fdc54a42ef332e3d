//! Port of loom's `tests/atomic_relaxed.rs`: a Relaxed compare-exchange,
//! and message passing over an `UnsafeCell` with a valid Release/Acquire
//! flag and two invalid Relaxed variants (a data race on the cell).

mod common;

use common::*;
use happens::cell::UnsafeCell;
use happens::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use happens::sync::Arc;
use happens::thread;
use happens::FailureKind;

#[test]
fn compare_and_swap() {
    let (outs, r) = outcomes(|| {
        let a = Arc::new(AtomicUsize::new(0));
        let hs: Vec<_> = (1..=2)
            .map(|i| {
                let a = a.clone();
                thread::spawn(move || {
                    a.compare_exchange(0, i, Ordering::Relaxed, Ordering::Relaxed)
                        .is_ok()
                })
            })
            .collect();
        let won: Vec<bool> = hs.into_iter().map(|h| h.join().unwrap()).collect();
        assert_eq!(won.iter().filter(|&&w| w).count(), 1);
        (won, a.load(Ordering::Relaxed))
    });
    assert_eq!(outs, vec![(vec![false, true], 2), (vec![true, false], 1)]);
    // who wins, times the orders of the `Arc` count updates
    assert_eq!(r.executions, 5);
}

/// Writes the cell, then sets the flag; reads the cell if the flag is set.
fn message_passing(store: Ordering, load: Ordering) -> happens::Report {
    happens::model::Builder::new().explore(move || {
        let data = Arc::new(UnsafeCell::new(0));
        let flag = Arc::new(AtomicBool::new(false));
        let (d, f) = (data.clone(), flag.clone());
        let t = thread::spawn(move || {
            d.with_mut(|p| unsafe { *p = 42 }); // MARK-WRITE
            f.store(true, store);
        });
        if flag.load(load) {
            assert_eq!(data.with(|p| unsafe { *p }), 42); // MARK-READ
        }
        t.join().unwrap();
    })
}

#[test]
fn valid() {
    let r = message_passing(Ordering::Release, Ordering::Acquire);
    assert!(r.failure.is_none() && r.complete, "{r}");
    // the flag is not set yet, or set (and the cell then holds 42)
    assert_eq!(r.executions, 2);
}

fn assert_cell_race(r: happens::Report) {
    let f = r.failure.expect("a Relaxed flag does not order the cell");
    let FailureKind::DataRace { first, second } = &f.kind else {
        panic!("expected a data race: {f}");
    };
    let src = include_str!("loom_atomic_relaxed.rs");
    let w = place("loom_atomic_relaxed.rs", src, "MARK-WRITE");
    let rd = place("loom_atomic_relaxed.rs", src, "MARK-READ");
    assert_eq!(
        (first.kind.to_string(), second.kind.to_string()),
        ("write".to_string(), "read".to_string()),
        "{f}"
    );
    assert!(first.at.unwrap().to_string().contains(&w), "{f}");
    assert!(second.at.unwrap().to_string().contains(&rd), "{f}");
    // why no happens-before orders them is the first why-line
    let why = &f.why[0];
    assert!(why.contains("Relaxed"), "{why}");
}

#[test]
fn invalid_relaxed_store() {
    assert_cell_race(message_passing(Ordering::Relaxed, Ordering::Acquire));
}

#[test]
fn invalid_relaxed_load() {
    assert_cell_race(message_passing(Ordering::Release, Ordering::Relaxed));
}
