//! `block_on` and `AtomicWaker` (feature `futures`).
//!
//! `block_on` polls on the current modelled thread; between polls it waits
//! on a modelled notification word that the waker bumps (Release), so a
//! pending future blocks the thread until it is woken.

use std::future::Future;
use std::panic::Location;
use std::pin::pin;
use std::sync::Arc as StdArc;
use std::task::{Context, Poll, Wake, Waker};

use crate::sync::atomic::{AtomicUsize, Ordering};
use crate::sync::Mutex;

struct Signal {
    seq: AtomicUsize,
}

// SAFETY: modelled threads all run on one OS thread.
unsafe impl Send for Signal {}
unsafe impl Sync for Signal {}

impl Wake for Signal {
    fn wake(self: StdArc<Self>) {
        self.seq.fetch_add(1, Ordering::Release);
    }
    fn wake_by_ref(self: &StdArc<Self>) {
        self.seq.fetch_add(1, Ordering::Release);
    }
}

/// Runs a future to completion on the current modelled thread.
#[track_caller]
pub fn block_on<F: Future>(f: F) -> F::Output {
    let at = Location::caller();
    let signal = StdArc::new(Signal {
        seq: AtomicUsize::new(0),
    });
    let waker = Waker::from(signal.clone());
    let mut cx = Context::from_waker(&waker);
    let mut f = pin!(f);
    loop {
        let since = crate::rt::with(|c| {
            let st = c.st.borrow();
            st.threads[st.current].events
        });
        let seen = signal.seq.load(Ordering::Acquire);
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
        if signal.seq.load(Ordering::Acquire) == seen {
            crate::rt::block(at, Some(since));
        }
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
