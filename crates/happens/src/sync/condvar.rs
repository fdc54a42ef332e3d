//! A modelled `Condvar`: one modelled word holding the number of waiting
//! threads (high 32 bits) and of wakeups handed out to them and not yet
//! taken (low 32 bits). `wait` registers while it holds the lock (so a
//! notifier that takes the lock after it sees it), unlocks, waits until a
//! wakeup is there and takes it (an `Acquire` read of the `Release`
//! notification: `notify` happens before the wait it ends), and locks
//! again. `notify_one` hands out one wakeup if a waiter lacks one,
//! `notify_all` one to every waiter; a notification with no waiter is
//! lost, as in `std`. Which waiter takes a wakeup is explored; waiting
//! costs no executions of its own. `wait_timeout` leaves at once, with a
//! wakeup if one is there: whether it times out is which write it reads.

use std::panic::Location;
use std::sync::LockResult;
use std::time::Duration;

use happens_engine::{RmwKind, RmwOp, RmwOrd, Then, Until, Width};

/// One waiting thread, in the high half of the word.
const WAITER: u64 = 1 << 32;
/// The wakeups handed out, in the low half.
const WAKEUPS: u64 = WAITER - 1;

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
        self.seq.rmw(RmwKind::Add, WAITER, RmwOrd::Relaxed, at);
        drop(guard);
        if crate::rt::spurious_wakeup() {
            // it leaves at once, with a wakeup if one is there or without
            // (spurious): which write it reads decides
            self.seq.rmw(RmwKind::Leave, 0, RmwOrd::Acquire, at);
            return lock.lock();
        }
        let leave = Then::Rmw {
            op: RmwOp {
                kind: RmwKind::Leave,
                operand: 0,
                width: Width::U64,
            },
            ord: RmwOrd::Acquire,
        };
        self.seq
            .await_(Until::Set(WAKEUPS), leave, "condvar notification", at);
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
        self.seq.rmw(RmwKind::Add, WAITER, RmwOrd::Relaxed, at);
        drop(guard);
        let old = self.seq.rmw(RmwKind::Leave, 0, RmwOrd::Acquire, at);
        let g = lock.lock().unwrap_or_else(|e| e.into_inner());
        Ok((g, WaitTimeoutResult(old & WAKEUPS == 0)))
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
            .rmw(RmwKind::Signal, 0, RmwOrd::Release, Location::caller());
    }

    #[track_caller]
    pub fn notify_all(&self) {
        self.seq
            .rmw(RmwKind::Broadcast, 0, RmwOrd::Release, Location::caller());
    }
}
