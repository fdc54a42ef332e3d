//! Modelled channels: a primitive, not a queue behind a lock. A channel is
//! three modelled words and a buffer outside the model:
//!
//! - `sent` counts the messages sent (a `Release` RMW per send, so their
//!   order is the order of the messages) and has `CLOSED` set by the last
//!   sender's drop;
//! - `taken` is what the receiver took so far (stored after each receive of
//!   a bounded channel) or `GONE` once the receiver is dropped, which
//!   `gone` also says (read by each send: only the drop can make it 1);
//! - `senders` counts the live senders.
//!
//! Receiving message `k` waits for the first write of `sent` that made it
//! available (a count above `k`, or `CLOSED | k` when no more will come)
//! and reads it with `Acquire`: a receive happens after its send, and
//! waiting for it costs no executions. Which message a receiver takes when
//! several senders race is the order of their RMWs; whether a `try_recv` or
//! `recv_timeout` finds one is which write of `sent` it reads. A bounded
//! sender waits the same way for the receive that frees its slot
//! (`sync_channel(0)`: for its own message's receive). Every message is
//! leak-tracked from `send` until it is received: one never received is
//! reported as a leak (as in loom).

use std::cell::Cell;
use std::collections::BTreeMap;
use std::panic::Location;
use std::sync::Arc as StdArc;
use std::time::Duration;

pub use std::sync::mpsc::{RecvError, RecvTimeoutError, SendError, TryRecvError, TrySendError};

use happens_engine::{LoadOrd, Reply, RmwKind, RmwOrd, StoreOrd, Then, Until};

use super::raw::Word;
use crate::rt;

const CLOSED: u64 = 1 << 63;
const GONE: u64 = 1 << 63;
const COUNT: u64 = !CLOSED;

struct Shared<T> {
    sent: Word,
    taken: Word,
    gone: Word,
    senders: Word,
    /// Messages by number, outside the model (each is published by its
    /// `sent` RMW, which the receive reads).
    buf: std::sync::Mutex<BTreeMap<u64, (T, Option<u64>)>>,
    /// `None`: unbounded.
    bound: Option<u64>,
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
    /// Messages received so far (only the receiving thread changes it).
    head: Cell<u64>,
    _not_sync: super::NotSendSync,
}

unsafe impl<T: Send> Send for Sender<T> {}
unsafe impl<T: Send> Sync for Sender<T> {}
unsafe impl<T: Send> Send for SyncSender<T> {}
unsafe impl<T: Send> Sync for SyncSender<T> {}
unsafe impl<T: Send> Send for Receiver<T> {}
// As `std`'s: a panic cannot leave `head` half-updated.
impl<T> std::panic::UnwindSafe for Receiver<T> {}
impl<T> std::panic::RefUnwindSafe for Receiver<T> {}

#[track_caller]
fn make<T>(bound: Option<u64>) -> (Sender<T>, Receiver<T>) {
    let shared = StdArc::new(Shared {
        sent: Word::new(0, "channel"),
        taken: Word::new(0, "channel receiver"),
        gone: Word::new(0, "channel receiver"),
        senders: Word::new(1, "channel senders"),
        buf: std::sync::Mutex::new(BTreeMap::new()),
        bound,
    });
    (
        Sender {
            shared: shared.clone(),
        },
        Receiver {
            shared,
            head: Cell::new(0),
            _not_sync: std::marker::PhantomData,
        },
    )
}

/// An unbounded channel.
#[track_caller]
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    make(None)
}

/// A bounded channel; `sync_channel(0)` is a rendezvous: `send` returns
/// once the message is received.
#[track_caller]
pub fn sync_channel<T>(bound: usize) -> (SyncSender<T>, Receiver<T>) {
    let (s, r) = make(Some(bound as u64));
    (SyncSender { inner: s }, r)
}

impl<T> Shared<T> {
    fn put(&self, k: u64, t: T, at: rt::Loc) {
        let id = rt::track("channel message", at);
        self.buf.lock().unwrap().insert(k, (t, id));
    }

    fn take(&self, k: u64) -> Option<T> {
        let (t, id) = self.buf.lock().unwrap().remove(&k)?;
        rt::untrack(id);
        Some(t)
    }

    fn receiver_gone(&self, at: rt::Loc) -> bool {
        self.gone.load(LoadOrd::Relaxed, at) != 0
    }
}

impl<T> Sender<T> {
    #[track_caller]
    pub fn send(&self, t: T) -> Result<(), SendError<T>> {
        let at = Location::caller();
        let sh = &*self.shared;
        if sh.receiver_gone(at) {
            return Err(SendError(t));
        }
        let k = sh.sent.rmw(RmwKind::Add, 1, RmwOrd::Release, at) & COUNT;
        sh.put(k, t, at);
        // a bounded channel's `send` returns once the receive that frees
        // its slot happened (for capacity 0: the receive of this message)
        let need = match sh.bound {
            Some(0) => k + 1,
            Some(b) if k >= b => k + 1 - b,
            _ => return Ok(()),
        };
        let then = Then::Load(LoadOrd::Acquire);
        let until = Until::Reached {
            mask: !GONE,
            count: need,
            or: GONE,
        };
        let seen = sh.taken.await_(until, then, "channel receive", at);
        if seen.val() == Some(GONE) {
            if let Some(t) = sh.take(k) {
                return Err(SendError(t));
            }
        }
        Ok(())
    }
}

impl<T> SyncSender<T> {
    #[track_caller]
    pub fn send(&self, t: T) -> Result<(), SendError<T>> {
        self.inner.send(t)
    }

    /// Sends if there is room (a capacity-0 channel counts as capacity 1
    /// here: whether a receiver is already waiting is not modelled).
    #[track_caller]
    pub fn try_send(&self, t: T) -> Result<(), TrySendError<T>> {
        let at = Location::caller();
        let sh = &*self.inner.shared;
        let cap = sh.bound.unwrap_or(u64::MAX).max(1);
        loop {
            let seen = sh.taken.load(LoadOrd::Acquire, at);
            if seen == GONE {
                return Err(TrySendError::Disconnected(t));
            }
            let v = sh.sent.load(LoadOrd::Relaxed, at);
            if (v & COUNT) - seen >= cap {
                return Err(TrySendError::Full(t));
            }
            if sh.sent.cas(v, v + 1, RmwOrd::Release, at).is_ok() {
                sh.put(v & COUNT, t, at);
                return Ok(());
            }
        }
    }
}

impl<T> Clone for Sender<T> {
    #[track_caller]
    fn clone(&self) -> Self {
        let at = Location::caller();
        self.shared
            .senders
            .rmw(RmwKind::Add, 1, RmwOrd::Relaxed, at);
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
        let at = Location::caller();
        let sh = &*self.shared;
        if sh.senders.rmw(RmwKind::Sub, 1, RmwOrd::AcqRel, at) == 1 {
            sh.sent.rmw(RmwKind::Or, CLOSED, RmwOrd::Release, at);
        }
    }
}

impl<T> Receiver<T> {
    fn got(&self, k: u64, at: rt::Loc) -> T {
        let sh = &*self.shared;
        let t = sh
            .take(k)
            .expect("happens: a received message is in the buffer");
        self.head.set(k + 1);
        if sh.bound.is_some() {
            sh.taken.store(k + 1, StoreOrd::Release, at);
        }
        t
    }

    #[track_caller]
    pub fn recv(&self) -> Result<T, RecvError> {
        let at = Location::caller();
        let k = self.head.get();
        let then = Then::Load(LoadOrd::Acquire);
        let until = Until::Reached {
            mask: COUNT,
            count: k + 1,
            or: CLOSED | k,
        };
        match self.shared.sent.await_(until, then, "channel message", at) {
            Reply::Val(v) if v & COUNT > k => Ok(self.got(k, at)),
            _ => Err(RecvError),
        }
    }

    #[track_caller]
    pub fn try_recv(&self) -> Result<T, TryRecvError> {
        let at = Location::caller();
        let k = self.head.get();
        let v = self.shared.sent.load(LoadOrd::Acquire, at);
        if v & COUNT > k {
            Ok(self.got(k, at))
        } else if v & CLOSED != 0 {
            Err(TryRecvError::Disconnected)
        } else {
            Err(TryRecvError::Empty)
        }
    }

    /// Receives, or times out when nothing is there yet (a timeout may
    /// always happen in the model: time does not exist; which send it
    /// sees is explored).
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
        let at = Location::caller();
        self.shared.gone.store(1, StoreOrd::Relaxed, at);
        self.shared.taken.store(GONE, StoreOrd::Release, at);
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
