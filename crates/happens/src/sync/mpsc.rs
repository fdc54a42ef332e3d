//! Modelled channels on `Mutex` + `Condvar`. Every message is leak-tracked
//! from `send` until it is received: one never received is reported as a
//! leak (as in loom). `sync_channel(0)` behaves as a channel of capacity 1.

use std::collections::VecDeque;
use std::panic::Location;
use std::sync::Arc as StdArc;
use std::time::Duration;

pub use std::sync::mpsc::{RecvError, RecvTimeoutError, SendError, TryRecvError, TrySendError};

use super::{Condvar, Mutex};
use crate::rt;

struct State<T> {
    queue: VecDeque<(T, Option<u64>)>,
    senders: usize,
    receiver: bool,
}

struct Shared<T> {
    state: Mutex<State<T>>,
    cv: Condvar,
    bound: Option<usize>,
}

pub struct Sender<T> {
    shared: StdArc<Shared<T>>,
}

pub struct SyncSender<T> {
    inner: Sender<T>,
}

/// `Send` when `T` is, never `Sync`: as `std`'s (one receiving thread).
pub struct Receiver<T> {
    shared: StdArc<Shared<T>>,
    _not_sync: super::NotSendSync,
}

unsafe impl<T: Send> Send for Sender<T> {}
unsafe impl<T: Send> Sync for Sender<T> {}
unsafe impl<T: Send> Send for SyncSender<T> {}
unsafe impl<T: Send> Sync for SyncSender<T> {}
unsafe impl<T: Send> Send for Receiver<T> {}

#[track_caller]
fn make<T>(bound: Option<usize>) -> (Sender<T>, Receiver<T>) {
    let shared = StdArc::new(Shared {
        state: Mutex::new(State {
            queue: VecDeque::new(),
            senders: 1,
            receiver: true,
        }),
        cv: Condvar::new(),
        bound: bound.map(|b| b.max(1)),
    });
    (
        Sender {
            shared: shared.clone(),
        },
        Receiver {
            shared,
            _not_sync: std::marker::PhantomData,
        },
    )
}

/// An unbounded channel.
#[track_caller]
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    make(None)
}

/// A bounded channel.
#[track_caller]
pub fn sync_channel<T>(bound: usize) -> (SyncSender<T>, Receiver<T>) {
    let (s, r) = make(Some(bound));
    (SyncSender { inner: s }, r)
}

impl<T> Sender<T> {
    #[track_caller]
    pub fn send(&self, t: T) -> Result<(), SendError<T>> {
        let at = Location::caller();
        let sh = &*self.shared;
        let mut g = sh.state.lock().unwrap();
        if !g.receiver {
            return Err(SendError(t));
        }
        if let Some(b) = sh.bound {
            while g.queue.len() >= b {
                g = sh.cv.wait(g).unwrap();
                if !g.receiver {
                    return Err(SendError(t));
                }
            }
        }
        g.queue.push_back((t, rt::track("channel message", at)));
        drop(g);
        sh.cv.notify_all();
        Ok(())
    }
}

impl<T> SyncSender<T> {
    #[track_caller]
    pub fn send(&self, t: T) -> Result<(), SendError<T>> {
        self.inner.send(t)
    }

    #[track_caller]
    pub fn try_send(&self, t: T) -> Result<(), TrySendError<T>> {
        let at = Location::caller();
        let sh = &*self.inner.shared;
        let mut g = sh.state.lock().unwrap();
        if !g.receiver {
            return Err(TrySendError::Disconnected(t));
        }
        if g.queue.len() >= sh.bound.unwrap_or(usize::MAX) {
            return Err(TrySendError::Full(t));
        }
        g.queue.push_back((t, rt::track("channel message", at)));
        drop(g);
        sh.cv.notify_all();
        Ok(())
    }
}

impl<T> Clone for Sender<T> {
    #[track_caller]
    fn clone(&self) -> Self {
        self.shared.state.lock().unwrap().senders += 1;
        Sender {
            shared: self.shared.clone(),
        }
    }
}

impl<T> Clone for SyncSender<T> {
    #[track_caller]
    fn clone(&self) -> Self {
        SyncSender {
            inner: self.inner.clone(),
        }
    }
}

impl<T> Drop for Sender<T> {
    #[track_caller]
    fn drop(&mut self) {
        let mut g = self.shared.state.lock().unwrap();
        g.senders -= 1;
        let last = g.senders == 0;
        drop(g);
        if last {
            self.shared.cv.notify_all();
        }
    }
}

impl<T> Receiver<T> {
    #[track_caller]
    pub fn recv(&self) -> Result<T, RecvError> {
        let sh = &*self.shared;
        let mut g = sh.state.lock().unwrap();
        loop {
            if let Some((t, id)) = g.queue.pop_front() {
                rt::untrack(id);
                drop(g);
                if sh.bound.is_some() {
                    sh.cv.notify_all();
                }
                return Ok(t);
            }
            if g.senders == 0 {
                return Err(RecvError);
            }
            g = sh.cv.wait(g).unwrap();
        }
    }

    #[track_caller]
    pub fn try_recv(&self) -> Result<T, TryRecvError> {
        let sh = &*self.shared;
        let mut g = sh.state.lock().unwrap();
        match g.queue.pop_front() {
            Some((t, id)) => {
                rt::untrack(id);
                drop(g);
                if sh.bound.is_some() {
                    sh.cv.notify_all();
                }
                Ok(t)
            }
            None if g.senders == 0 => Err(TryRecvError::Disconnected),
            None => Err(TryRecvError::Empty),
        }
    }

    /// Receives, or times out when nothing is there (a timeout may always
    /// happen in the model: time does not exist).
    #[track_caller]
    pub fn recv_timeout(&self, _timeout: Duration) -> Result<T, RecvTimeoutError> {
        match self.try_recv() {
            Ok(t) => Ok(t),
            Err(TryRecvError::Empty) => Err(RecvTimeoutError::Timeout),
            Err(TryRecvError::Disconnected) => Err(RecvTimeoutError::Disconnected),
        }
    }

    /// Iterates until every sender is gone.
    pub fn iter(&self) -> impl Iterator<Item = T> + '_ {
        std::iter::from_fn(move || self.recv().ok())
    }

    pub fn try_iter(&self) -> impl Iterator<Item = T> + '_ {
        std::iter::from_fn(move || self.try_recv().ok())
    }
}

impl<T> Drop for Receiver<T> {
    #[track_caller]
    fn drop(&mut self) {
        let mut g = self.shared.state.lock().unwrap();
        g.receiver = false;
        drop(g);
        self.shared.cv.notify_all();
    }
}

impl<T> std::fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad("Sender { .. }")
    }
}

impl<T> std::fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad("Receiver { .. }")
    }
}
