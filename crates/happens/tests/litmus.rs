//! Classic shapes through the user API, with exact execution counts.

use std::sync::Arc;

use happens::model::Builder;
use happens::sync::atomic::{AtomicBool, AtomicUsize, Ordering::*};
use happens::thread;
use happens::FailureKind;

fn explore(f: impl Fn() + Sync + Send + 'static) -> happens::Report {
    Builder::new().explore(f)
}

fn outcomes<T: Ord + Clone + Send + 'static>(
    f: impl Fn() -> T + Sync + Send + 'static,
) -> (std::collections::BTreeSet<T>, happens::Report) {
    let seen = Arc::new(std::sync::Mutex::new(std::collections::BTreeSet::new()));
    let s2 = seen.clone();
    let r = explore(move || {
        let v = f();
        s2.lock().unwrap().insert(v);
    });
    let set = seen.lock().unwrap().clone();
    (set, r)
}

#[test]
fn message_passing_relaxed_fails_the_assertion() {
    let r = explore(|| {
        let data = Arc::new(AtomicUsize::new(0));
        let flag = Arc::new(AtomicBool::new(false));
        let (d, f) = (data.clone(), flag.clone());
        let t = thread::spawn(move || {
            d.store(42, Relaxed);
            f.store(true, Relaxed);
        });
        if flag.load(Relaxed) {
            assert_eq!(data.load(Relaxed), 42, "flag seen but not data");
        }
        t.join().unwrap();
    });
    let f = r.failure.expect("relaxed MP must fail");
    match &f.kind {
        FailureKind::Panic {
            message,
            thread,
            location,
        } => {
            assert!(message.contains("flag seen but not data"), "{message}");
            assert_eq!(*thread, 0);
            assert!(location
                .as_ref()
                .unwrap()
                .to_string()
                .contains("tests/litmus.rs"));
        }
        k => panic!("unexpected {k:?}"),
    }
    assert!(f.to_string().contains("HAPPENS_REPLAY="));
}

#[test]
fn message_passing_release_acquire_passes() {
    let (outs, r) = outcomes(|| {
        let data = Arc::new(AtomicUsize::new(0));
        let flag = Arc::new(AtomicBool::new(false));
        let (d, f) = (data.clone(), flag.clone());
        let t = thread::spawn(move || {
            d.store(42, Relaxed);
            f.store(true, Release);
        });
        let seen = flag.load(Acquire);
        let v = data.load(Relaxed);
        if seen {
            assert_eq!(v, 42);
        }
        t.join().unwrap();
        (seen, v)
    });
    assert!(r.failure.is_none(), "{}", r);
    // flag=false: data 0 or 42; flag=true: data 42
    assert_eq!(
        outs.into_iter().collect::<Vec<_>>(),
        vec![(false, 0), (false, 42), (true, 42)]
    );
    assert_eq!(r.executions, 3);
}

#[test]
fn store_buffering_seq_cst_never_both_zero() {
    let (outs, r) = outcomes(|| {
        let x = Arc::new(AtomicUsize::new(0));
        let y = Arc::new(AtomicUsize::new(0));
        let (x2, y2) = (x.clone(), y.clone());
        let t = thread::spawn(move || {
            x2.store(1, SeqCst);
            y2.load(SeqCst)
        });
        y.store(1, SeqCst);
        let a = x.load(SeqCst);
        let b = t.join().unwrap();
        (a, b)
    });
    assert!(r.failure.is_none());
    assert!(!outs.contains(&(0, 0)));
    assert_eq!(outs.len(), 3);
    assert_eq!(r.executions, 3);
}

#[test]
fn atomic_ptr_tag_bits_and_small_offsets_survive() {
    use happens::sync::atomic::AtomicPtr;
    let r = explore(|| {
        let v = Box::into_raw(Box::new([1u64, 2u64]));
        let p = Arc::new(AtomicPtr::new(std::ptr::null_mut::<u64>()));
        p.store(v.cast(), Relaxed);
        let p2 = p.clone();
        // another thread tags the pointer
        let t = thread::spawn(move || p2.fetch_or(1, Relaxed));
        t.join().unwrap();
        let tagged = p.load(Relaxed);
        assert_eq!(tagged as usize, v as usize | 1);
        // a pointer made outside the atomic compares equal to the tagged one
        let mine = (v as usize | 1) as *mut u64;
        assert!(p.compare_exchange(mine, v.cast(), Relaxed, Relaxed).is_ok());
        // one element on
        assert_eq!(p.fetch_ptr_add(1, Relaxed), v.cast());
        let second = p.load(Relaxed);
        assert_eq!(unsafe { *second }, 2);
        drop(unsafe { Box::from_raw(v) });
    });
    assert!(r.failure.is_none(), "{r}");
    assert_eq!(r.executions, 1);
}
