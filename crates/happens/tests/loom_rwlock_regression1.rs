//! Port of loom's `tests/rwlock_regression1.rs`: two writers and a reader;
//! a writer blocked behind the other must get the lock once it is free.

mod common;

use common::*;
use happens::sync::{Arc, RwLock};
use happens::thread;

#[test]
fn two_writers_one_reader() {
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
        seen
    });
    assert_eq!(outs, vec![0, 1, 2, 3]);
    // the orders of the two writers' and the reader's steps on the lock
    // word, times the `Arc` count's drop orders; the blocked ones are
    // failed takes (see `loom_rwlock.rs`)
    assert_eq!((r.executions, r.blocked), (14, 10));
}
