//! Port of loom's `tests/futures.rs` (feature `futures`): `AtomicWaker`
//! register/wake, and `block_on` with a future that is polled spuriously.
#![cfg(feature = "futures")]

mod common;

use std::future::poll_fn;
use std::task::Poll;

use common::*;
use happens::future::{block_on, AtomicWaker};
use happens::sync::atomic::{AtomicBool, AtomicUsize, Ordering::*};
use happens::sync::Arc;
use happens::thread;

#[test]
fn atomic_waker_valid() {
    let r = ok(|| {
        let waker = Arc::new(AtomicWaker::new());
        let done = Arc::new(AtomicBool::new(false));
        let (w2, d2) = (waker.clone(), done.clone());
        let t = thread::spawn(move || {
            d2.store(true, Release);
            w2.wake();
        });
        block_on(poll_fn(|cx| {
            waker.register_by_ref(cx.waker());
            if done.load(Acquire) {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        }));
        t.join().unwrap();
    });
    // GenMC's count for the C twin (tests/genmc/L2_atomic_waker_valid.c):
    // the wake's critical section before the registration's: it finds no
    // waker, and the poll sees `done` (1); after it: the poll sees `done`
    // (1), or not, and `block_on` takes the wake, whether it came before it
    // sleeps or after (1: waiting is not an execution of its own). None
    // blocked; `AtomicWaker`'s internal lock adds none either (a try
    // another thread's take made fail is tried again). With a wake counter
    // `block_on` compared before and after the poll this was 4: the two
    // ends of the last case were told apart by the counter's value
    assert_eq!((r.executions, r.blocked), (3, 0));
}

#[test]
fn spurious_poll() {
    let r = ok(|| {
        let polls = AtomicUsize::new(0);
        // pending once without anyone waking it: block_on must poll again
        // rather than wait forever (a spurious wakeup is allowed)
        let v = block_on(poll_fn(|cx| {
            if polls.fetch_add(1, Relaxed) == 0 {
                cx.waker().wake_by_ref();
                Poll::Pending
            } else {
                Poll::Ready(5)
            }
        }));
        assert_eq!(v, 5);
        assert_eq!(polls.load(Relaxed), 2);
    });
    assert_eq!(r.executions, 1);
}
