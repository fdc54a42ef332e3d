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
            x.load(Relaxed);
        } else {
            x.store(2, Relaxed);
        }
        t.join().unwrap();
    });
    let f = r.failure.expect("the divergence is found");
    let FailureKind::Nondeterminism { thread, detail } = &f.kind else {
        panic!("expected nondeterminism, got {f}");
    };
    assert_eq!(*thread, 0, "{f}");
    assert!(!detail.is_empty());
    assert!(
        f.to_string()
            .starts_with("nondeterminism: the main thread did something else when re-run"),
        "{f}"
    );
}
