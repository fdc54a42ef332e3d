//! Port of loom's `tests/rwlock_regression1.rs`: two writers and a reader;
//! a writer blocked behind the other must get the lock once it is free.

mod common;

use std::sync::Mutex as StdMutex;

use common::*;
use happens::sync::{Arc, RwLock};
use happens::thread;

#[test]
fn two_writers_one_reader() {
    // how many executions saw each value (counted outside the model)
    static SEEN: StdMutex<[u32; 4]> = StdMutex::new([0; 4]);
    let (outs, r) = outcomes(|| {
        let l = Arc::new(RwLock::new(0));
        let writers: Vec<_> = (1..=2)
            .map(|i| {
                let l = l.clone();
                thread::spawn(move || *l.write().unwrap() += i)
            })
            .collect();
        let seen = *l.read().unwrap();
        for w in writers {
            w.join().unwrap();
        }
        assert_eq!(*l.read().unwrap(), 3);
        SEEN.lock().unwrap()[seen] += 1;
        seen
    });
    assert_eq!(outs, vec![0, 1, 2, 3]);
    // the 3! orders of the two writers' and the reader's sections (the
    // reader sees 0 when first, for both writer orders; 1 or 2 between
    // them; 3 last, for both orders) times the 2 orders of the writers'
    // `Arc` drops: 12, and the reader sees 0, 1, 2, 3 in 4, 2, 2, 4 of them.
    // None blocked: a take that a revisit made fail is tried again (see
    // `loom_rwlock.rs`).
    assert_eq!((r.executions, r.blocked), (12, 0));
    assert_eq!(*SEEN.lock().unwrap(), [4, 2, 2, 4]);
}
