//! Port of loom's `tests/litmus.rs`: load buffering (ignored in loom, which
//! cannot produce it; RC11 forbids its `1, 1` outcome by `po ∪ rf`
//! acyclicity) and Relaxed store buffering, which reaches `0, 0`.

mod common;

use std::sync::Arc;

use common::*;
use happens::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use happens::thread;

#[test]
fn load_buffering() {
    let (outs, r) = outcomes(|| {
        let x = Arc::new(AtomicUsize::new(0));
        let y = Arc::new(AtomicUsize::new(0));
        let (x2, y2) = (x.clone(), y.clone());
        let t = thread::spawn(move || {
            let a = y2.load(Relaxed);
            x2.store(1, Relaxed);
            a
        });
        let b = x.load(Relaxed);
        y.store(1, Relaxed);
        (b, t.join().unwrap())
    });
    assert_eq!(outs, vec![(0, 0), (0, 1), (1, 0)]);
    assert_eq!(r.executions, 3);
}

#[test]
fn store_buffering() {
    let (outs, r) = outcomes(|| {
        let x = Arc::new(AtomicUsize::new(0));
        let y = Arc::new(AtomicUsize::new(0));
        let (x2, y2) = (x.clone(), y.clone());
        let t = thread::spawn(move || {
            x2.store(1, Relaxed);
            y2.load(Relaxed)
        });
        y.store(1, Relaxed);
        let a = x.load(Relaxed);
        (a, t.join().unwrap())
    });
    assert_eq!(outs, vec![(0, 0), (0, 1), (1, 0), (1, 1)]);
    assert_eq!(r.executions, 4);
}
