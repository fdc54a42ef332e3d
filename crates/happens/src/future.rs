//! `block_on` and `AtomicWaker` (feature `futures`).
//!
//! `block_on` polls on the current modelled thread; between polls it waits
//! on a modelled notification word that the waker bumps (Release), so a
//! pending future blocks the thread until it is woken.

use std::future::Future;
use std::panic::Location;
use std::pin::pin;
use std::sync::atomic::Ordering::Relaxed;
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
    /// The modelled thread polling the future, while it polls.
    polling: std::sync::atomic::AtomicUsize,
    /// Wakes the polling thread made of itself during the current poll.
    own_wakes: std::sync::atomic::AtomicU64,
}

/// The index of the running modelled thread.
fn current() -> usize {
    crate::rt::with(|c| c.st.borrow().current)
}

// SAFETY: modelled threads all run on one OS thread.
unsafe impl Send for Signal {}
unsafe impl Sync for Signal {}

impl Wake for Signal {
    fn wake(self: StdArc<Self>) {
        self.wake_by_ref();
    }
    fn wake_by_ref(self: &StdArc<Self>) {
        use std::sync::atomic::Ordering::Relaxed;
        if self.polling.load(Relaxed) == current() {
            self.own_wakes.fetch_add(1, Relaxed);
        }
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
        polling: std::sync::atomic::AtomicUsize::new(usize::MAX),
        own_wakes: std::sync::atomic::AtomicU64::new(0),
    });
    let me = current();
    let waker = Waker::from(signal.clone());
    let mut cx = Context::from_waker(&waker);
    let mut f = pin!(f);
    loop {
        let since = crate::rt::with(|c| {
            let st = c.st.borrow();
            st.threads[st.current].events
        });
        let seen = signal.seq.load(LoadOrd::Acquire, at);
        signal.own_wakes.store(0, Relaxed);
        signal.polling.store(me, Relaxed);
        let polled = f.as_mut().poll(&mut cx);
        signal.polling.store(usize::MAX, Relaxed);
        if let Poll::Ready(v) = polled {
            return v;
        }
        // pending, and woken by no other thread than this one, by a poll
        // that wrote nothing (a future that wakes itself while another
        // thread is in the middle of waking it): polling again at once
        // would read what this poll read, so the thread waits until one of
        // the poll's reads can read something newer (the other thread
        // runs, as a fair executor lets it)
        let own = signal.own_wakes.load(Relaxed);
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
        } else if now == seen.wrapping_add(own)
            && !crate::rt::wrote_since(since, signal.seq.loc(at))
        {
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
