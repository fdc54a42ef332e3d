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
    // one blocked execution (the loop waited for the store: not real); the
    // real ones differ in the order of the `Arc` count updates
    assert_eq!((r.executions, r.blocked), (2, 1));
}
