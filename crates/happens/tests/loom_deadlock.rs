//! Port of loom's `tests/deadlock.rs`: two threads take two mutexes in
//! opposite orders; the deadlock names both waits and both holders.

mod common;

use common::*;
use happens::sync::{Arc, Mutex};
use happens::thread;
use happens::FailureKind;

#[test]
fn two_mutexes_in_opposite_order() {
    let f = fails(|| {
        let a = Arc::new(Mutex::new(())); // MARK-A
        let b = Arc::new(Mutex::new(())); // MARK-B
        let (a2, b2) = (a.clone(), b.clone());
        let t = thread::spawn(move || {
            let _b = b2.lock().unwrap(); // MARK-T-B
            let _a = a2.lock().unwrap(); // MARK-T-A
        });
        let _a = a.lock().unwrap(); // MARK-MAIN-A
        let _b = b.lock().unwrap(); // MARK-MAIN-B
        drop((_a, _b));
        t.join().unwrap();
    });
    let FailureKind::Deadlock { threads } = &f.kind else {
        panic!("expected a deadlock: {f}");
    };
    let src = include_str!("loom_deadlock.rs");
    let p = |m| place("loom_deadlock.rs", src, m);
    assert_eq!(threads.len(), 2, "{f}");
    let main = threads.iter().find(|w| w.thread == 0).unwrap();
    let other = threads.iter().find(|w| w.thread == 1).unwrap();
    assert!(main.waits_for.to_string().contains(&p("MARK-B")), "{f}");
    assert!(
        main.at.unwrap().to_string().contains(&p("MARK-MAIN-B")),
        "{f}"
    );
    assert_eq!(main.held_by.as_ref().map(|h| h.0), Some(1));
    assert!(main.held_by.unwrap().1.to_string().contains(&p("MARK-T-B")));
    assert!(other.waits_for.to_string().contains(&p("MARK-A")), "{f}");
    assert!(
        other.at.unwrap().to_string().contains(&p("MARK-T-A")),
        "{f}"
    );
    assert_eq!(other.held_by.as_ref().map(|h| h.0), Some(0));
    assert!(other
        .held_by
        .as_ref()
        .unwrap()
        .1
        .to_string()
        .contains(&p("MARK-MAIN-A")));
    assert!(f.to_string().starts_with("deadlock;"));
}
