//! Port of loom's `tests/smoke.rs`: an increment written as a load then a
//! store loses updates.

mod common;

use common::*;
use happens::sync::atomic::{AtomicUsize, Ordering::*};
use happens::sync::Arc;
use happens::thread;
use happens::FailureKind;

#[test]
fn checks_fail() {
    let f = fails(|| {
        let n = Arc::new(AtomicUsize::new(0));
        let hs: Vec<_> = (0..2)
            .map(|_| {
                let n = n.clone();
                thread::spawn(move || {
                    let v = n.load(Acquire);
                    n.store(v + 1, Release);
                })
            })
            .collect();
        for h in hs {
            h.join().unwrap();
        }
        assert_eq!(n.load(Relaxed), 2, "lost an update"); // MARK-ASSERT
    });
    let FailureKind::Panic {
        message, location, ..
    } = &f.kind
    else {
        panic!("expected a panic: {f}");
    };
    assert!(message.contains("lost an update"), "{message}");
    let at = place(
        "loom_smoke.rs",
        include_str!("loom_smoke.rs"),
        "MARK-ASSERT",
    );
    assert!(location.as_ref().unwrap().to_string().contains(&at), "{f}");
}
