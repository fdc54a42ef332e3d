//! More threads than loom's limit of 5: sixteen modelled threads (plus
//! main), each storing its own flag; the first four also read their
//! neighbour's flag, which each may see set or not — 2^4 executions.

use happens::model::Builder;
use happens::sync::atomic::{AtomicUsize, Ordering::*};
use happens::thread;

#[test]
fn sixteen_threads() {
    let r = Builder::new().explore(|| {
        let flags: Vec<AtomicUsize> = (0..16).map(|_| AtomicUsize::new(0)).collect();
        thread::scope(|s| {
            for i in 0..16 {
                let flags = &flags;
                s.spawn(move || {
                    flags[i].store(1, Relaxed);
                    if i < 4 {
                        flags[i + 1].load(Relaxed);
                    }
                });
            }
        });
        assert!(flags.iter().all(|f| f.load(Relaxed) == 1));
    });
    assert!(r.failure.is_none(), "{}", r.failure.unwrap());
    assert_eq!((r.executions, r.blocked), (16, 0));
}
