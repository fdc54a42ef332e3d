//! `block_on` and a future that wakes itself: an `AtomicWaker`-style cell
//! (futures-util's state machine: WAITING, REGISTERING, WAKING) whose
//! `register` finds another thread in the middle of waking it, wakes its own
//! task and returns `Pending`; `block_on` polls again. After a pending poll
//! that nobody woke, `block_on` sleeps until a wake, as an executor does, so
//! a wake that comes before the task registers is a lost wakeup, found.
#![cfg(feature = "futures")]

use std::future::poll_fn;
use std::sync::atomic::Ordering::*;
use std::task::{Poll, Waker};

use happens::cell::UnsafeCell;
use happens::future::block_on;
use happens::model::Builder;
use happens::sync::atomic::{AtomicBool, AtomicUsize};
use happens::sync::Arc;
use happens::thread;
use happens::{FailureKind, WaitsFor};

/// How often `register` found the waker mid-wake, per test.
static SELF_WAKES: [std::sync::atomic::AtomicUsize; 2] = [
    std::sync::atomic::AtomicUsize::new(0),
    std::sync::atomic::AtomicUsize::new(0),
];
const WAITING: usize = 0;
const REGISTERING: usize = 0b01;
const WAKING: usize = 0b10;

struct Cell {
    state: AtomicUsize,
    waker: UnsafeCell<Option<Waker>>,
    self_wakes: &'static std::sync::atomic::AtomicUsize,
}

unsafe impl Sync for Cell {}

impl Cell {
    fn new(self_wakes: &'static std::sync::atomic::AtomicUsize) -> Cell {
        Cell {
            state: AtomicUsize::new(WAITING),
            waker: UnsafeCell::new(None),
            self_wakes,
        }
    }

    fn register(&self, waker: &Waker) {
        match self
            .state
            .compare_exchange(WAITING, REGISTERING, Acquire, Acquire)
            .unwrap_or_else(|x| x)
        {
            WAITING => {
                self.waker.with_mut(|w| unsafe { *w = Some(waker.clone()) });
                let res = self
                    .state
                    .compare_exchange(REGISTERING, WAITING, AcqRel, Acquire);
                if res.is_err() {
                    // a wake came while registering: take the waker, wake it
                    let w = self.waker.with_mut(|w| unsafe { (*w).take() });
                    self.state.swap(WAITING, AcqRel);
                    if let Some(w) = w {
                        w.wake();
                    }
                }
            }
            WAKING => {
                // another thread is waking the old waker: wake this one
                self.self_wakes
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                waker.wake_by_ref();
            }
            _ => {}
        }
    }

    fn wake(&self) {
        if self.state.fetch_or(WAKING, AcqRel) == WAITING {
            let w = self.waker.with_mut(|w| unsafe { (*w).take() });
            self.state.fetch_and(!WAKING, Release);
            if let Some(w) = w {
                w.wake();
            }
        }
    }
}

fn run(lost: bool) -> happens::Report {
    let mut b = Builder::new();
    b.diagram(false);
    b.explore(move || {
        let s = Arc::new((
            Cell::new(&SELF_WAKES[lost as usize]),
            AtomicBool::new(false),
        ));
        let s2 = s.clone();
        let t = thread::spawn(move || {
            if lost {
                s2.0.wake();
                s2.1.store(true, Release);
            } else {
                s2.1.store(true, Release);
                s2.0.wake();
            }
        });
        block_on(poll_fn(|cx| {
            s.0.register(cx.waker());
            if s.1.load(Acquire) {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        }));
        t.join().unwrap();
    })
}

#[test]
fn registering_while_being_woken_passes() {
    let r = run(false);
    assert!(r.failure.is_none(), "{r}");
    assert!(r.complete, "{r}");
    assert_eq!(r.executions, SELF_WAKE, "{r}");
    // and in one of them the task's register found the waker mid-wake and
    // woke itself
    assert_eq!(SELF_WAKES[0].load(std::sync::atomic::Ordering::Relaxed), 1);
}

#[test]
fn a_wake_before_the_flag_is_a_lost_wakeup() {
    let r = run(true);
    // the wake comes before the task registers and the flag after its
    // check: nothing wakes the task again (block_on sleeps until a wake, as
    // an executor does)
    let f = r
        .failure
        .expect("the wake can come before the task registers");
    match &f.kind {
        FailureKind::Deadlock { threads } => {
            assert!(
                threads.iter().any(|w| w.thread == 0
                    && matches!(w.waits_for, WaitsFor::Object { what, .. }
                        if what == "a wake of the task block_on polls")),
                "{f}"
            );
        }
        _ => panic!("expected the lost wakeup: {f}"),
    }
}

/// GenMC's count for the C twin (`tests/genmc/L_block_on_self_wake.c`,
/// block_on as a one-task executor: the waker sets the task's flag, a
/// pending poll takes it): the orders of the task's registration and check
/// against the flag's store and the cell's wake.
const SELF_WAKE: u64 = 5;

/// tokio's `yield_now` shape: the future keeps `yielded` in its own state
/// (no modelled memory), wakes itself and is pending once. `block_on` must
/// poll it again (a rule that blocked a self-woken poll that wrote no
/// modelled memory reported a false deadlock here, and could hide a
/// failure after the second poll: it was taken back).
#[test]
fn a_future_that_yields_once_is_polled_again() {
    let r = Builder::new().diagram(false).explore(|| {
        let mut yielded = false;
        let v = block_on(poll_fn(move |cx| {
            if yielded {
                Poll::Ready(7)
            } else {
                yielded = true;
                cx.waker().wake_by_ref();
                Poll::Pending
            }
        }));
        assert_eq!(v, 7);
    });
    assert!(r.failure.is_none(), "{r}");
    assert_eq!((r.executions, r.blocked), (1, 0));
}
