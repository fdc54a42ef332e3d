//! Port of loom's `tests/double_panic_in_drop.rs`: the event bound
//! (`max_branches`) is exceeded while an `Arc` is dropped; the model must
//! report it cleanly instead of panicking again during unwinding.

use happens::model::Builder;
use happens::sync::atomic::{AtomicUsize, Ordering};
use happens::sync::Arc;
use happens::FailureKind;

#[test]
fn bound_exceeded_while_dropping() {
    let mut b = Builder::new();
    b.max_branches = 2;
    let r = b.explore(|| {
        let a = Arc::new(AtomicUsize::new(0));
        a.fetch_add(1, Ordering::Relaxed);
        drop(a);
    });
    let f = r.failure.expect("two events per thread are not enough");
    assert_eq!(
        f.kind,
        FailureKind::LoopBound {
            thread: 0,
            bound: 2
        }
    );
}
