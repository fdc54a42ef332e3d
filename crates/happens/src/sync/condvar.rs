//! A modelled `Condvar`: a notification counter. `wait` reads it, unlocks,
//! and blocks until a notification changes it (a wakeup may be spurious, as
//! `std` allows: `notify_one` wakes every waiter). `wait_timeout` may time
//! out whenever no notification has arrived.

use std::panic::Location;
use std::sync::LockResult;
use std::time::Duration;

use happens_engine::{LoadOrd, RmwKind, RmwOrd};

use super::raw::Word;
use super::MutexGuard;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaitTimeoutResult(bool);

impl WaitTimeoutResult {
    pub fn timed_out(&self) -> bool {
        self.0
    }
}

pub struct Condvar {
    seq: Word,
}

impl std::fmt::Debug for Condvar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad("Condvar { .. }")
    }
}

impl Default for Condvar {
    #[track_caller]
    fn default() -> Self {
        Condvar::new()
    }
}

impl Condvar {
    #[track_caller]
    pub fn new() -> Condvar {
        Condvar {
            seq: Word::new(0, "Condvar"),
        }
    }

    #[track_caller]
    pub fn wait<'a, T>(&self, guard: MutexGuard<'a, T>) -> LockResult<MutexGuard<'a, T>> {
        let at = Location::caller();
        let lock = guard.lock;
        let seen = self.seq.load(LoadOrd::Relaxed, at);
        drop(guard);
        let since = Word::next_event();
        if self.seq.load(LoadOrd::Acquire, at) == seen {
            self.seq.wait("condvar notification", since, at);
        }
        lock.lock()
    }

    #[track_caller]
    pub fn wait_while<'a, T, F: FnMut(&mut T) -> bool>(
        &self,
        mut guard: MutexGuard<'a, T>,
        mut condition: F,
    ) -> LockResult<MutexGuard<'a, T>> {
        while condition(&mut *guard) {
            guard = self.wait(guard)?;
        }
        Ok(guard)
    }

    #[track_caller]
    pub fn wait_timeout<'a, T>(
        &self,
        guard: MutexGuard<'a, T>,
        _dur: Duration,
    ) -> LockResult<(MutexGuard<'a, T>, WaitTimeoutResult)> {
        let at = Location::caller();
        let lock = guard.lock;
        let seen = self.seq.load(LoadOrd::Relaxed, at);
        drop(guard);
        let timed_out = self.seq.load(LoadOrd::Acquire, at) == seen;
        let g = lock.lock().unwrap_or_else(|e| e.into_inner());
        Ok((g, WaitTimeoutResult(timed_out)))
    }

    #[track_caller]
    pub fn wait_timeout_while<'a, T, F: FnMut(&mut T) -> bool>(
        &self,
        mut guard: MutexGuard<'a, T>,
        dur: Duration,
        mut condition: F,
    ) -> LockResult<(MutexGuard<'a, T>, WaitTimeoutResult)> {
        loop {
            if !condition(&mut *guard) {
                return Ok((guard, WaitTimeoutResult(false)));
            }
            let (g, r) = self
                .wait_timeout(guard, dur)
                .unwrap_or_else(|e| e.into_inner());
            guard = g;
            if r.timed_out() {
                let still = condition(&mut *guard);
                return Ok((guard, WaitTimeoutResult(still)));
            }
        }
    }

    #[track_caller]
    pub fn notify_one(&self) {
        self.seq
            .rmw(RmwKind::Add, 1, RmwOrd::Release, Location::caller());
    }

    #[track_caller]
    pub fn notify_all(&self) {
        self.seq
            .rmw(RmwKind::Add, 1, RmwOrd::Release, Location::caller());
    }
}
