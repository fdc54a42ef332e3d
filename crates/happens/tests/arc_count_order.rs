//! The order of an `Arc`'s count decrements is observable, even where
//! nobody drops last: under `rust` (and RC11), `po ∪ rf` must be acyclic
//! (no out-of-thin-air values), and a decrement that reads another's write
//! is an `rf` edge between their threads. So a reduction that explored
//! one order of the decrements that do not drop last (issue 20's
//! "commuting counters", sound under SC, where Nidhugg does it) would hide
//! outcomes here. This test pins what such a reduction must keep.
//!
//! Thread 1 loads a flag, then drops its clone; thread 2 drops its clone,
//! then stores the flag; main drops last. Thread 1 can read 1 only if
//! thread 2's decrement comes first in the count's modification order:
//! with thread 1's first, thread 1's decrement is read by thread 2's, and
//! `load →po dec1 →rf dec2 →po store →rf load` would be a cycle.

use std::collections::BTreeSet;
use std::sync::{Arc as StdArc, Mutex as StdMutex};

use happens::model::Builder;
use happens::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use happens::sync::Arc;
use happens::thread;

#[test]
fn the_order_of_decrements_that_do_not_drop_last_decides_what_a_load_reads() {
    let seen = StdArc::new(StdMutex::new(BTreeSet::new()));
    let s2 = seen.clone();
    let r = Builder::new().explore(move || {
        let flag: &'static AtomicUsize = Box::leak(Box::new(AtomicUsize::new(0)));
        let shared = Arc::new(());
        let (a, b) = (shared.clone(), shared.clone());
        let t1 = thread::spawn(move || {
            let x = flag.load(Relaxed);
            drop(a);
            x
        });
        let t2 = thread::spawn(move || {
            drop(b);
            flag.store(1, Relaxed);
        });
        let x = t1.join().unwrap();
        t2.join().unwrap();
        s2.lock().unwrap().insert(x);
    });
    assert!(r.failure.is_none() && r.complete, "{r}");
    // thread 1 reads 0 with either order of the two decrements, and 1 only
    // with thread 2's first: 3 executions, both values
    assert_eq!((r.executions, r.blocked), (3, 0), "{r}");
    assert_eq!(*seen.lock().unwrap(), BTreeSet::from([0, 1]));
}
