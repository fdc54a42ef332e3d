//! The complete failure message of ordinary bugs, each written the usual
//! way (`Arc`-shared state, `thread::spawn`): the headline, the why-chain
//! naming source lines, the trace of the program's own operations and a
//! box diagram within 100 columns. (Relaxed lazy initialisation and the
//! SeqCst `z` program with Release/Acquire do not fit 100 columns yet: the
//! diagram still draws every thread and location.) (Update with
//! `INSTA_UPDATE=always cargo test -p happens --test failures`.)

use std::sync::atomic::Ordering::*;

use happens::cell::UnsafeCell;
use happens::model::Builder;
use happens::sync::atomic::{AtomicBool, AtomicUsize};
use happens::sync::{Arc, Mutex};
use happens::thread;

/// The failure message, with the replay key left out (it names event
/// indices, which is what the rest shows already) and the paths made
/// relative to the crate.
fn message(f: impl Fn() + Sync + Send + 'static) -> String {
    let fl = Builder::new()
        .explore(f)
        .failure
        .expect("expected a failure");
    let diagram = fl.diagram.clone().expect("a diagram");
    assert!(
        diagram.lines().all(|l| l.chars().count() <= 100),
        "wider than 100 columns:\n{diagram}"
    );
    assert!(
        diagram.contains('╭') || diagram.contains('╔'),
        "a box diagram:\n{diagram}"
    );
    fl.to_string()
        .lines()
        .filter(|l| !l.starts_with("replay with"))
        .collect::<Vec<_>>()
        .join("\n")
}

struct SpinMutex<T> {
    locked: AtomicBool,
    v: UnsafeCell<T>,
}

unsafe impl<T: Send> Sync for SpinMutex<T> {}

impl<T> SpinMutex<T> {
    fn with_lock<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        while self
            .locked
            .compare_exchange_weak(false, true, Relaxed, Relaxed)
            .is_err()
        {
            while self.locked.load(Relaxed) {
                thread::yield_now();
            }
        }
        let ret = self.v.with_mut(|v| f(unsafe { &mut *v }));
        self.locked.store(false, Relaxed);
        ret
    }
}

#[test]
fn seed_mutex_all_relaxed() {
    insta::assert_snapshot!(message(|| {
        let l = Arc::new(SpinMutex {
            locked: AtomicBool::new(false),
            v: UnsafeCell::new(0),
        });
        let ts: Vec<_> = (0..2)
            .map(|_| {
                let l = l.clone();
                thread::spawn(move || l.with_lock(|v| *v += 1))
            })
            .collect();
        for t in ts {
            t.join().unwrap();
        }
    }));
}

#[test]
fn message_passing_relaxed() {
    insta::assert_snapshot!(message(|| {
        let data = Arc::new(AtomicUsize::new(0));
        let flag = Arc::new(AtomicBool::new(false));
        let (d2, f2) = (data.clone(), flag.clone());
        let t = thread::spawn(move || {
            d2.store(42, Relaxed);
            f2.store(true, Relaxed);
        });
        if flag.load(Relaxed) {
            assert_eq!(data.load(Relaxed), 42);
        }
        t.join().unwrap();
    }));
}

#[test]
fn lock_order_deadlock() {
    insta::assert_snapshot!(message(|| {
        let a = Arc::new(Mutex::new(0));
        let b = Arc::new(Mutex::new(0));
        let (a2, b2) = (a.clone(), b.clone());
        let t = thread::spawn(move || {
            let _g = b2.lock().unwrap();
            *a2.lock().unwrap() += 1;
        });
        {
            let _g = a.lock().unwrap();
            *b.lock().unwrap() += 1;
        }
        t.join().unwrap();
    }));
}
