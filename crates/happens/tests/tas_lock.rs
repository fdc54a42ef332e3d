//! A test-and-set spin lock (`while locked.swap(true, Acquire) { spin_loop() }`):
//! a `swap` on a held lock writes back the value it read, so the waiting
//! loop blocks like a loop of loads instead of running into the event
//! bound; and a lock that is never released is a livelock at the `swap`.

use happens::cell::UnsafeCell;
use happens::hint::spin_loop;
use happens::model::Builder;
use happens::sync::atomic::{AtomicBool, Ordering::*};
use happens::thread;
use happens::FailureKind;

struct TasLock {
    locked: AtomicBool,
    count: UnsafeCell<u32>,
}

// SAFETY: `count` is only touched with the lock held (the model checks it).
unsafe impl Sync for TasLock {}

impl TasLock {
    fn lock(&self) {
        while self.locked.swap(true, Acquire) {
            spin_loop();
        }
    }
    fn unlock(&self) {
        self.locked.store(false, Release);
    }
    fn increment(&self) {
        self.lock();
        self.count.with_mut(|c| unsafe { *c += 1 });
        self.unlock();
    }
}

#[test]
fn swap_spin_lock_excludes_and_terminates() {
    let r = Builder::new().explore(|| {
        let l = TasLock {
            locked: AtomicBool::new(false),
            count: UnsafeCell::new(0),
        };
        thread::scope(|s| {
            s.spawn(|| l.increment());
            s.spawn(|| l.increment());
        });
        assert_eq!(l.count.with(|c| unsafe { *c }), 2);
    });
    assert!(r.failure.is_none(), "{}", r.failure.unwrap());
    assert!(r.complete);
    // the two lock orders (without symmetry reduction); the two
    // scoped threads are alike (one closure, the same reference), and with
    // symmetry reduction one order is the image of the other: 1. The
    // blocked ones waited for an unlock that came
    assert_eq!(r.executions, 1, "{r}");
}

#[test]
fn a_lock_never_released_is_a_livelock() {
    let r = Builder::new().explore(|| {
        let l = TasLock {
            locked: AtomicBool::new(false),
            count: UnsafeCell::new(0),
        };
        l.lock();
        thread::scope(|s| {
            s.spawn(|| l.lock());
        });
    });
    let f = r.failure.expect("the second lock waits forever");
    let FailureKind::Livelock { thread, at, .. } = &f.kind else {
        panic!("expected a livelock, got {f}");
    };
    // the spawned thread goes round the `swap` of `lock` forever
    let swap = include_str!("tas_lock.rs")
        .lines()
        .position(|l| l.contains("while self.locked.swap(true, Acquire)"))
        .unwrap()
        + 1;
    assert_eq!(*thread, 1, "{f}");
    let at = at.map(|l| l.to_string()).unwrap_or_default();
    assert!(at.contains(&format!("tas_lock.rs:{swap}:")), "{f}");
}
