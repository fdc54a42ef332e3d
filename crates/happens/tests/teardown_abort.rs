//! A thread left suspended at the end of an execution (here waiting in a
//! `park_timeout` loop the waiting rule stopped) is unwound, and its
//! destructors run in the state it was left in. One that cannot be dropped
//! there (oneshot's `Receiver` in its receiving state: `unreachable!()`)
//! panics while unwinding, which makes std abort; the trap catches the
//! abort, but the OS thread cannot run another execution. The exploration
//! is then incomplete for no failure of the program's, and used to pass
//! silently (oneshot's `send_recv_different_threads` under
//! `HAPPENS_GOING_ON=all`). Now the report says why it stopped
//! (`Report::stopped`), and `check` fails on it.

use std::cell::Cell;
use std::time::Duration;

use happens::model::{Builder, Report};
use happens::sync::atomic::{AtomicUsize, Ordering::*};
use happens::sync::Arc;
use happens::thread;

/// Dropped only before it waits or after (as oneshot's receiver).
struct Waiter(Cell<u8>);

impl Drop for Waiter {
    fn drop(&mut self) {
        match self.0.get() {
            0 | 2 => {}
            _ => unreachable!("dropped while waiting"),
        }
    }
}

fn program() {
    let state = Arc::new(AtomicUsize::new(0));
    let s2 = state.clone();
    let receiver = thread::spawn(move || {
        let w = Waiter(Cell::new(0));
        if s2.compare_exchange(0, 1, Acquire, Acquire).is_ok() {
            w.0.set(1);
            while s2.load(Acquire) != 2 {
                thread::park_timeout(Duration::from_millis(1));
            }
            w.0.set(2);
        }
    });
    let sender = thread::spawn(move || {
        state.swap(2, Release);
    });
    sender.join().unwrap();
    receiver.join().unwrap();
}

/// On a thread of its own: the OS thread that explores is left unusable.
fn on_a_thread<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> std::thread::Result<T> {
    std::thread::spawn(f).join()
}

#[test]
fn an_exploration_stopped_by_teardown_says_why() {
    let r: Report = on_a_thread(|| Builder::new().explore(program)).unwrap();
    assert!(r.failure.is_none(), "{r}");
    assert!(!r.complete, "{r}");
    // the first execution leaves the receiver waiting; the worker stops
    // at the next one
    assert_eq!((r.executions, r.blocked, r.bounded), (0, 1, 0), "{r}");
    let why = r
        .stopped
        .as_deref()
        .expect("the report says why it stopped");
    assert!(why.contains("dropped while waiting"), "{r}");
    assert!(why.contains("tests/teardown_abort.rs:"), "{r}");
    assert!(
        r.to_string()
            .contains("exploration incomplete; stopped early: a destructor panicked"),
        "{r}"
    );
}

#[test]
fn check_does_not_pass_it() {
    let outcome = on_a_thread(|| Builder::new().check(program));
    let payload = outcome.expect_err("check fails on an exploration stopped early");
    let msg = payload
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default();
    assert!(
        msg.starts_with("happens: ") && msg.contains("stopped early"),
        "{msg}"
    );
}
