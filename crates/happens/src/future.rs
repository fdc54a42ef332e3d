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

use happens_engine::{LoadOrd, RmwKind, RmwOrd, Then, Until};

use crate::sync::raw::Word;
use crate::sync::Mutex;

/// `block_on`'s notification word: the waker bumps it. Its operations are
/// named by `block_on`'s call site, whoever wakes (std calls the waker,
/// so no caller location reaches it).
struct Signal {
    seq: Word,
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
        self.seq.rmw(RmwKind::Add, 1, RmwOrd::Release, self.at);
    }
}

/// Runs a future to completion on the current modelled thread.
#[track_caller]
pub fn block_on<F: Future>(f: F) -> F::Output {
    let at = Location::caller();
    let signal = StdArc::new(Signal {
        seq: Word::new(0, "block_on's waker"),
        at,
    });
    let waker = Waker::from(signal.clone());
    let mut cx = Context::from_waker(&waker);
    let mut f = pin!(f);
    loop {
        let seen = signal.seq.load(LoadOrd::Acquire, at);
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
        let now = signal.seq.load(LoadOrd::Acquire, at);
        if now == seen {
            // nobody woke the task: it sleeps until a wake, as under an
            // executor (a wake that never comes is a deadlock: a lost
            // wakeup)
            signal.seq.await_(
                Until::IsNot(now),
                Then::Load(LoadOrd::Acquire),
                "a wake of the task block_on polls",
                at,
            );
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
