//! Port of loom's `tests/mutex.rs`: mutual exclusion, a mutex ordering
//! accesses to an `UnsafeCell`, and `into_inner`.

mod common;

use common::*;
use happens::cell::UnsafeCell;
use happens::sync::{Arc, Mutex};
use happens::thread;

#[test]
fn mutex_enforces_mutual_exclusion() {
    let r = ok(|| {
        let m = Arc::new(Mutex::new(0));
        let hs: Vec<_> = (0..2)
            .map(|_| {
                let m = m.clone();
                thread::spawn(move || {
                    let mut g = m.lock().unwrap();
                    let v = *g;
                    thread::yield_now();
                    *g = v + 1;
                })
            })
            .collect();
        for h in hs {
            h.join().unwrap();
        }
        assert_eq!(*m.lock().unwrap(), 2);
    });
    // two lock orders, times the orders of the `Arc` count decrements (5,
    // GenMC's count for the C twin with the count's RMWs and `-disable-sr`);
    // the two threads are alike, and with symmetry reduction (the default)
    // one lock order is explored, times the two places of the first
    // thread's decrement and the one after both: 3. None blocked: the lock
    // try that the other thread's take made fail (how the other lock order
    // is reached) is tried again once that thread unlocks
    assert_eq!((r.executions, r.blocked), (3, 0));
}

#[test]
fn mutex_establishes_seq_cst() {
    let r = ok(|| {
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
    // two lock orders; the failed try through which the second order is
    // reached is tried again: none blocked
    assert_eq!((r.executions, r.blocked), (2, 0));
}

#[test]
fn mutex_into_inner() {
    let r = ok(|| {
        let m = Arc::new(Mutex::new(0));
        let m2 = m.clone();
        let t = thread::spawn(move || *m2.lock().unwrap() += 1);
        *m.lock().unwrap() += 1;
        t.join().unwrap();
        let m = Arc::try_unwrap(m).unwrap();
        assert_eq!(m.into_inner().unwrap(), 2);
    });
    // two lock orders, none blocked, as above
    assert_eq!((r.executions, r.blocked), (2, 0));
}
