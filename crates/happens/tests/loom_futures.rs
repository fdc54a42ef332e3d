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
    // the wake's critical section before the registration's: it finds no
    // waker, and the poll sees `done` (1); after it: the poll sees `done`
    // (1), or not, and then `block_on` either already sees the wake (1) or
    // sleeps until it comes (1): 4, none blocked (`block_on` sleeps on its
    // wake counter as an executor does, and is woken, instead of a blocked
    // execution whose revisit is the one that sees the wake).
    // `AtomicWaker`'s internal lock adds none: a try another thread's take
    // made fail is tried again
    assert_eq!((r.executions, r.blocked), (4, 0));
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
