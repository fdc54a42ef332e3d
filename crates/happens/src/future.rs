//! `block_on` and `AtomicWaker` (feature `futures`).
//!
//! `block_on` polls on the current modelled thread, as a one-task executor:
//! the task is *scheduled* (a modelled flag the waker sets, Release) or
//! not, and a pending poll sleeps until it is scheduled, then takes the
//! wakeup (Acquire) and polls again. A flag, not a count of wakes: a real
//! executor queues a task once however often it is woken, and a poll that
//! wakes its own task (a waker slot found mid-wake) leaves the flag as it
//! found it, so its rounds are rounds of a waiting loop (`rt::waiting`),
//! which let the thread it waits for run.

use std::future::Future;
use std::panic::Location;
use std::pin::pin;
use std::sync::Arc as StdArc;
use std::task::{Context, Poll, Wake, Waker};

use happens_engine::{RmwKind, RmwOp, RmwOrd, StoreOrd, Then, Until, Width};

use crate::sync::raw::Word;
use crate::sync::Mutex;

/// `block_on`'s task flag: 1 when the task is scheduled. Its operations are
/// named by `block_on`'s call site, whoever wakes (std calls the waker, so
/// no caller location reaches it).
struct Signal {
    scheduled: Word,
    at: &'static Location<'static>,
}

// SAFETY: modelled threads all run on one OS thread.
unsafe impl Send for Signal {}
unsafe impl Sync for Signal {}

impl Wake for Signal {
    fn wake(self: StdArc<Self>) {
        self.wake_by_ref();
    }
    fn wake_by_ref(self: &StdArc<Self>) {
        self.scheduled.store(1, StoreOrd::Release, self.at);
    }
}

/// Runs a future to completion on the current modelled thread.
#[track_caller]
pub fn block_on<F: Future>(f: F) -> F::Output {
    let at = Location::caller();
    let signal = StdArc::new(Signal {
        scheduled: Word::new(0, "block_on's task"),
        at,
    });
    let waker = Waker::from(signal.clone());
    let mut cx = Context::from_waker(&waker);
    let mut f = pin!(f);
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
        // pending: the task sleeps until it is scheduled (at once if it
        // was during the poll), as under an executor, and takes the
        // wakeup; a wake that never comes is a deadlock (a lost wakeup)
        signal.scheduled.await_(
            Until::IsNot(0),
            Then::Rmw {
                op: RmwOp {
                    kind: RmwKind::Swap,
                    operand: 0,
                    width: Width::U64,
                },
                ord: RmwOrd::Acquire,
            },
            "a wake of the task block_on polls",
            at,
        );
    }
}

/// A waker slot shared between a task and its waker.
#[derive(Debug, Default)]
pub struct AtomicWaker {
    waker: Mutex<Option<Waker>>,
}

impl AtomicWaker {
    #[track_caller]
    pub fn new() -> AtomicWaker {
        AtomicWaker {
            waker: Mutex::new(None),
        }
    }
    #[track_caller]
    pub fn register(&self, waker: Waker) {
        *self.waker.lock().unwrap() = Some(waker);
    }
    #[track_caller]
    pub fn register_by_ref(&self, waker: &Waker) {
        *self.waker.lock().unwrap() = Some(waker.clone());
    }
    #[track_caller]
    pub fn wake(&self) {
        if let Some(w) = self.take_waker() {
            w.wake();
        }
    }
    #[track_caller]
    pub fn take_waker(&self) -> Option<Waker> {
        self.waker.lock().unwrap().take()
    }
}
