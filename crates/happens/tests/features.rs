//! The `checkpoint` and `futures` features.

#[cfg(feature = "checkpoint")]
#[test]
fn checkpoint_round_trip() {
    use happens::model::Builder;
    use happens::sync::atomic::{AtomicUsize, Ordering::*};
    use happens::sync::Arc;
    let prog = || {
        let n = Arc::new(AtomicUsize::new(0));
        let hs: Vec<_> = (0..3)
            .map(|_| {
                let n = n.clone();
                happens::thread::spawn(move || n.fetch_add(1, Relaxed))
            })
            .collect();
        for h in hs {
            h.join().unwrap();
        }
    };
    let dir = std::env::temp_dir().join(format!("happens-ckpt-{}", std::process::id()));
    let file = dir.to_str().unwrap().to_string();
    let _ = std::fs::remove_file(&file);
    let mut b = Builder::new();
    b.checkpoint_file(&file);
    b.checkpoint_interval = 2;
    b.max_permutations = Some(4);
    let r = b.explore(prog);
    assert_eq!(r.executions, 4);
    assert!(!r.complete);
    let saved = std::fs::read_to_string(&file).unwrap();
    assert_eq!(saved, r#"{"executions":4}"#);
    b.max_permutations = None;
    let r = b.explore(prog);
    assert!(r.complete && r.failure.is_none());
    // 3 fetch_add orders × orders of the Arc count updates
    assert_eq!(r.executions, 57);
    let _ = std::fs::remove_file(&file);
}

#[cfg(feature = "futures")]
#[test]
fn block_on_with_atomic_waker() {
    use std::future::poll_fn;
    use std::task::Poll;

    use happens::future::{block_on, AtomicWaker};
    use happens::sync::atomic::{AtomicBool, Ordering::*};
    use happens::sync::Arc;

    let r = happens::model::Builder::new().explore(|| {
        let w = Arc::new(AtomicWaker::new());
        let flag = Arc::new(AtomicBool::new(false));
        let (w2, f2) = (w.clone(), flag.clone());
        let t = happens::thread::spawn(move || {
            f2.store(true, Release);
            w2.wake();
        });
        block_on(poll_fn(|cx| {
            w.register_by_ref(cx.waker());
            if flag.load(Acquire) {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        }));
        t.join().unwrap();
    });
    assert!(r.failure.is_none(), "{r}");
    assert!(r.complete);
}
