//! Port of loom's `tests/thread_local.rs`: `thread_local!` values are per
//! thread, `with` nests, and a value's destructor runs when its thread
//! exits.

mod common;

use std::cell::RefCell;

use common::*;
use happens::sync::atomic::{AtomicUsize, Ordering::*};
use happens::sync::Arc;
use happens::thread;

happens::thread_local! {
    static COUNT: RefCell<usize> = RefCell::new(1);
    static OTHER: RefCell<usize> = RefCell::new(10);
}

#[test]
fn thread_local() {
    let r = ok(|| {
        COUNT.with(|c| *c.borrow_mut() += 1);
        let t = thread::spawn(|| {
            COUNT.with(|c| *c.borrow_mut() += 5);
            COUNT.with(|c| *c.borrow())
        });
        assert_eq!(t.join().unwrap(), 6);
        assert_eq!(COUNT.with(|c| *c.borrow()), 2);
    });
    assert_eq!(r.executions, 1);
}

#[test]
fn nested_with() {
    let r = ok(|| {
        let sum = COUNT.with(|a| OTHER.with(|b| *a.borrow() + *b.borrow()));
        assert_eq!(sum, 11);
    });
    assert_eq!(r.executions, 1);
}

/// Counts its drops in a modelled atomic.
struct Dropper(Arc<AtomicUsize>);

impl Drop for Dropper {
    fn drop(&mut self) {
        self.0.fetch_add(1, Release);
    }
}

happens::thread_local! {
    static DROPPER: RefCell<Option<Dropper>> = const { RefCell::new(None) };
}

#[test]
fn drop_runs_at_thread_exit() {
    let r = ok(|| {
        let drops = Arc::new(AtomicUsize::new(0));
        let d2 = drops.clone();
        let t = thread::spawn(move || {
            DROPPER.with(|d| *d.borrow_mut() = Some(Dropper(d2)));
        });
        t.join().unwrap();
        // the spawned thread's value was dropped when it finished
        assert_eq!(drops.load(Acquire), 1);
    });
    assert_eq!(r.executions, 1);
}
