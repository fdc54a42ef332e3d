//! A test closure must do the same thing every time it is run with the same
//! values: the explorer re-runs it for every execution. One that consults
//! something outside the model (here a real `std` atomic, as a clock or a
//! random number would) is caught and reported as such, not explored wrong.

use std::sync::atomic::AtomicUsize as StdAtomic;

use happens::model::Builder;
use happens::sync::atomic::{AtomicUsize, Ordering::*};
use happens::sync::Arc;
use happens::thread;
use happens::FailureKind;

static RUNS: StdAtomic = StdAtomic::new(0);

#[test]
fn a_closure_that_changes_between_runs_is_reported() {
    let r = Builder::new().explore(|| {
        let x = Arc::new(AtomicUsize::new(0));
        let x2 = x.clone();
        let t = thread::spawn(move || x2.store(1, Relaxed));
        // a real counter, not modelled: different on every run
        if RUNS.fetch_add(1, std::sync::atomic::Ordering::SeqCst) % 2 == 0 {
            x.load(Relaxed); // MARK: load
        } else {
            x.store(2, Relaxed); // MARK: store
        }
        t.join().unwrap();
    });
    let f = r.failure.expect("the divergence is found");
    let FailureKind::Nondeterminism {
        thread,
        before: Some(before),
        now: Some(now),
        ..
    } = &f.kind
    else {
        panic!("expected nondeterminism with what the thread did, got {f}");
    };
    assert_eq!(*thread, 0, "{f}");
    // the first run loads, the second stores: each named with its line
    let line = |mark: &str| {
        let src = include_str!("nondeterminism.rs");
        1 + src.lines().position(|l| l.ends_with(mark)).unwrap() as u32
    };
    let at = |d: &happens::Did| {
        d.at.map(|l| (l.file().ends_with("nondeterminism.rs"), l.line()))
    };
    assert_eq!(
        (before.what, at(before), now.what, at(now)),
        (
            "load",
            Some((true, line("MARK: load"))),
            "store",
            Some((true, line("MARK: store")))
        ),
        "{f}"
    );
    let text = f.to_string();
    assert!(
        text.starts_with(&format!(
            "nondeterminism: the main thread did something else when re-run: a store at \
             crates/happens/tests/nondeterminism.rs:{}:15, where it did a load at \
             crates/happens/tests/nondeterminism.rs:{}:15 before",
            line("MARK: store"),
            line("MARK: load")
        )),
        "{f}"
    );
}
