//! A modelled `Condvar`: one modelled word holding the number of waiting
//! threads, of wakeups handed out to them and not yet taken, and a
//! generation (`happens_engine::condvar`). `wait` registers while it holds
//! the lock (so a notifier that takes the lock after it sees it), unlocks,
//! waits until a wakeup of a later generation than its registration's is
//! there and takes it (an `Acquire` read of the `Release` notification:
//! `notify` happens before the wait it ends), and locks again.
//! `notify_one` hands out one wakeup if a waiter lacks one, `notify_all`
//! one to every waiter, each in a new generation; a notification with no
//! waiter is lost, as in `std`, and a wakeup never goes to a thread that
//! started waiting after it was handed out. Which of the threads waiting
//! then takes it is explored; waiting costs no executions of its own. `wait_timeout` leaves at once, with a
//! wakeup if one is there: whether it times out is which write it reads.

use std::panic::Location;
use std::sync::LockResult;
use std::time::Duration;

use happens_engine::{RmwKind, RmwOp, RmwOrd, Then, Until, Width};

use happens_engine::op::condvar::{may_take, GENERATIONS, WAITER, WAKEUPS};

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
        let registered = self.seq.rmw(RmwKind::Add, WAITER, RmwOrd::Relaxed, at);
        drop(guard);
        if crate::rt::spurious_wakeup() {
            // it leaves at once, with a wakeup if one is there or without
            // (spurious): which write it reads decides
            let since = registered & GENERATIONS;
            self.seq.rmw(RmwKind::Leave, since, RmwOrd::Acquire, at);
            return lock.lock();
        }
        let leave = Then::Rmw {
            op: RmwOp {
                kind: RmwKind::Leave,
                operand: registered & GENERATIONS,
                width: Width::U64,
            },
            ord: RmwOrd::Acquire,
        };
        let woken = Until::SetSince {
            set: WAKEUPS,
            field: GENERATIONS,
            from: registered & GENERATIONS,
        };
        self.seq.await_(woken, leave, "condvar notification", at);
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
        let registered = self.seq.rmw(RmwKind::Add, WAITER, RmwOrd::Relaxed, at);
        drop(guard);
        let since = registered & GENERATIONS;
        let old = self.seq.rmw(RmwKind::Leave, since, RmwOrd::Acquire, at);
        let g = lock.lock().unwrap_or_else(|e| e.into_inner());
        Ok((g, WaitTimeoutResult(!may_take(old, since))))
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
