//! Port of loom's `tests/spec.rs`: the memory-order examples of
//! cppreference. `relaxed` (ignored in loom, which cannot model it): RC11's
//! `po ∪ rf` acyclicity rules out `r1 == r2 == 42`. `acq_rel`: the consumer
//! sees the producer's writes. `test_seq_cst` (ignored in loom, which
//! reaches `z == 0`): never zero.

mod common;

use std::sync::Arc;

use common::*;
use happens::sync::atomic::{AtomicBool, AtomicPtr, AtomicUsize, Ordering::*};
use happens::thread;

#[test]
fn relaxed() {
    let (outs, r) = outcomes(|| {
        let x = Arc::new(AtomicUsize::new(0));
        let y = Arc::new(AtomicUsize::new(0));
        let (x2, y2) = (x.clone(), y.clone());
        let t1 = thread::spawn(move || {
            let r1 = y2.load(Relaxed);
            x2.store(r1, Relaxed);
            r1
        });
        let (x3, y3) = (x.clone(), y.clone());
        let t2 = thread::spawn(move || {
            let r2 = x3.load(Relaxed);
            y3.store(42, Relaxed);
            r2
        });
        (t1.join().unwrap(), t2.join().unwrap())
    });
    // C++ allows (42, 42); RC11 (and the Rust model in practice) does not
    assert_eq!(outs, vec![(0, 0), (42, 0)]);
    assert_eq!(r.executions, 3);
}

#[test]
fn acq_rel() {
    let (outs, r) = outcomes(|| {
        let data = Arc::new(AtomicUsize::new(0));
        let ptr: Arc<AtomicPtr<String>> = Arc::new(AtomicPtr::new(std::ptr::null_mut()));
        let (d2, p2) = (data.clone(), ptr.clone());
        let producer = thread::spawn(move || {
            let s = Box::into_raw(Box::new("Hello".to_string()));
            d2.store(42, Relaxed);
            p2.store(s, Release);
        });
        let consumer = thread::spawn(move || loop {
            let p = ptr.load(Acquire);
            if !p.is_null() {
                let s = unsafe { Box::from_raw(p) };
                assert_eq!(*s, "Hello");
                assert_eq!(data.load(Relaxed), 42);
                return 42;
            }
            thread::yield_now();
        });
        producer.join().unwrap();
        consumer.join().unwrap()
    });
    assert_eq!(outs, vec![42]);
    assert_eq!((r.executions, r.blocked), (1, 1));
}

#[test]
fn test_seq_cst() {
    let (outs, r) = outcomes(|| {
        let x = Arc::new(AtomicBool::new(false));
        let y = Arc::new(AtomicBool::new(false));
        let z = Arc::new(AtomicUsize::new(0));
        let tx = {
            let x = x.clone();
            thread::spawn(move || x.store(true, SeqCst))
        };
        let ty = {
            let y = y.clone();
            thread::spawn(move || y.store(true, SeqCst))
        };
        let t1 = {
            let (x, y, z) = (x.clone(), y.clone(), z.clone());
            thread::spawn(move || {
                while !x.load(SeqCst) {
                    thread::yield_now();
                }
                if y.load(SeqCst) {
                    z.fetch_add(1, SeqCst);
                }
            })
        };
        let t2 = {
            let (x, y, z) = (x.clone(), y.clone(), z.clone());
            thread::spawn(move || {
                while !y.load(SeqCst) {
                    thread::yield_now();
                }
                if x.load(SeqCst) {
                    z.fetch_add(1, SeqCst);
                }
            })
        };
        for t in [tx, ty, t1, t2] {
            t.join().unwrap();
        }
        z.load(SeqCst)
    });
    assert_eq!(outs, vec![1, 2]);
    // blocked: the executions in which a thread went round its spin loop,
    // its rounds reading `false` after it was overwritten: that thread
    // then goes on reading `true` (`moved_on`), in one schedule
    assert_eq!((r.executions, r.blocked), (4, 5));
}
