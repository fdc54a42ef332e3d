//! Traces and why-chains name the program's lines, never the library's own
//! source (`crates/happens/src/...`): every primitive's operations carry
//! the call site of the user's code that issued them.

use std::sync::atomic::Ordering::*;

use happens::model::Builder;
use happens::sync::atomic::{AtomicBool, AtomicUsize};
use happens::sync::{mpsc, Arc, Barrier, Condvar, Mutex, Once, RwLock};
use happens::thread;

/// The first failing execution of `f` (which ends in a failed assertion
/// after using a primitive): its trace and why-chain name no library file.
#[track_caller]
fn no_library_frames(f: impl Fn() + Sync + Send + 'static) {
    let mut b = Builder::new();
    b.diagram(false);
    let r = b.explore(f);
    let fl = r.failure.expect("the program fails at its end");
    let text = fl.to_string();
    let own: Vec<_> = fl
        .trace
        .iter()
        .filter(|e| e.at.as_deref().is_some_and(|a| a.contains("happens/src/")))
        .map(|e| {
            format!(
                "T{} #{} {} [{}]",
                e.thread,
                e.index,
                e.what,
                e.at.as_deref().unwrap()
            )
        })
        .collect();
    assert!(
        own.is_empty(),
        "library frames in the trace:\n{}\n\n{text}",
        own.join("\n")
    );
    assert!(
        !text.contains("happens/src/"),
        "library frames in the report:\n{text}"
    );
}

#[test]
fn mutex_condvar_rwlock() {
    no_library_frames(|| {
        let s = Arc::new((Mutex::new(false), Condvar::new(), RwLock::new(0)));
        let s2 = s.clone();
        let t = thread::spawn(move || {
            *s2.2.write().unwrap() += 1;
            *s2.0.lock().unwrap() = true;
            s2.1.notify_one();
        });
        let mut g = s.0.lock().unwrap();
        while !*g {
            g = s.1.wait(g).unwrap();
        }
        drop(g);
        let v = *s.2.read().unwrap();
        t.join().unwrap();
        assert_eq!(v, 0, "read after the writer");
    });
}

#[test]
fn channels_barrier_once_park() {
    no_library_frames(|| {
        let (tx, rx) = mpsc::channel();
        let b = Arc::new(Barrier::new(2));
        let once = Arc::new(Once::new());
        let flag = Arc::new(AtomicBool::new(false));
        let main = thread::current();
        let (b2, once2, flag2) = (b.clone(), once.clone(), flag.clone());
        let t = thread::spawn(move || {
            once2.call_once(|| {});
            tx.send(1).unwrap();
            b2.wait();
            flag2.store(true, Release);
            main.unpark();
        });
        let v = rx.recv().unwrap();
        b.wait();
        once.call_once(|| {});
        while !flag.load(Acquire) {
            thread::park();
        }
        t.join().unwrap();
        assert_eq!(v, 2, "received");
    });
}

#[test]
fn arc_and_atomics() {
    no_library_frames(|| {
        let n = Arc::new(AtomicUsize::new(0));
        let hs: Vec<_> = (0..2)
            .map(|_| {
                let n = n.clone();
                thread::spawn(move || {
                    n.fetch_add(1, Relaxed);
                })
            })
            .collect();
        for h in hs {
            h.join().unwrap();
        }
        assert_eq!(n.load(Relaxed), 3, "counted");
    });
}

#[cfg(feature = "futures")]
#[test]
fn block_on_and_atomic_waker() {
    use happens::future::{block_on, AtomicWaker};
    use std::future::poll_fn;
    use std::task::Poll;
    no_library_frames(|| {
        let s = Arc::new((AtomicWaker::new(), AtomicBool::new(false)));
        let s2 = s.clone();
        let t = thread::spawn(move || {
            s2.1.store(true, Release);
            s2.0.wake();
        });
        block_on(poll_fn(|cx| {
            s.0.register_by_ref(cx.waker());
            if s.1.load(Acquire) {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        }));
        t.join().unwrap();
        panic!("done");
    });
}

/// A fence the program issues in its own `Drop`, run by drop glue at the
/// end of a scope, is the program's and is in the trace at its line; the
/// fence an `Arc` issues before it frees its value is the library's and
/// is not (it is marked when issued, whatever the call site).
#[test]
fn a_fence_in_a_drop_is_the_programs_and_an_arcs_is_not() {
    struct Guard<'a>(&'a AtomicUsize);
    impl Drop for Guard<'_> {
        fn drop(&mut self) {
            happens::sync::atomic::fence(Acquire); // MARK: guard fence
            self.0.store(2, Relaxed);
        }
    }
    let mut b = Builder::new();
    b.diagram(false);
    let r = b.explore(|| {
        let x = Arc::new(AtomicUsize::new(0));
        // the last clone dropped: the Arc's acquire fence, then the free
        drop(Arc::new(AtomicUsize::new(1)));
        {
            let _g = Guard(&x);
        }
        assert_eq!(x.load(Relaxed), 0, "the guard wrote");
    });
    let f = r.failure.expect("the guard's write is read");
    let fences: Vec<(String, Option<String>)> = f
        .trace
        .iter()
        .filter(|e| e.what.starts_with("fence"))
        .map(|e| (e.what.clone(), e.at.clone()))
        .collect();
    let line = 1 + include_str!("library_frames.rs")
        .lines()
        .position(|l| l.ends_with("// MARK: guard fence"))
        .unwrap();
    // the Arc was dropped (its line is in the trace) but its fence is not
    assert!(f.trace.iter().any(|e| e.what == "drop(Arc)"), "{f}");
    assert_eq!(fences.len(), 1, "{f}");
    assert_eq!(fences[0].0, "fence Acquire", "{f}");
    let at = fences[0].1.as_deref().unwrap_or("");
    assert!(
        at.contains(&format!("library_frames.rs:{line}:")),
        "{at}: {f}"
    );
}
