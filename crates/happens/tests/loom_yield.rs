//! Port of loom's `tests/yield.rs`: a spin loop that calls `yield_now`
//! terminates; waiting adds no executions.

mod common;

use common::*;
use happens::sync::atomic::{AtomicBool, Ordering::*};
use happens::sync::Arc;
use happens::thread;

#[test]
fn yield_completes() {
    let r = ok(|| {
        let flag = Arc::new(AtomicBool::new(false));
        let f2 = flag.clone();
        let t = thread::spawn(move || f2.store(true, Release));
        while !flag.load(Acquire) {
            thread::yield_now();
        }
        t.join().unwrap();
    });
    // one execution: the loop reads the flag set. The one where it first
    // reads it unset and waits is blocked (GenMC's spin-assume makes it a
    // blocked execution too); the drops of the `Arc` are ordered by the join
    assert_eq!((r.executions, r.blocked), (1, 1));
}
