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
            assert!(location.as_deref().unwrap().contains("tests/litmus.rs"));
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
fn store_buffering_relaxed_reaches_both_zero() {
    let (outs, r) = outcomes(|| {
        let x = Arc::new(AtomicUsize::new(0));
        let y = Arc::new(AtomicUsize::new(0));
        let (x2, y2) = (x.clone(), y.clone());
        let t = thread::spawn(move || {
            x2.store(1, Relaxed);
            y2.load(Relaxed)
        });
        y.store(1, Relaxed);
        let a = x.load(Relaxed);
        (a, t.join().unwrap())
    });
    assert!(outs.contains(&(0, 0)));
    assert_eq!(r.executions, 4);
}

#[test]
fn load_buffering_is_unreachable_under_rc11() {
    let (outs, r) = outcomes(|| {
        let x = Arc::new(AtomicUsize::new(0));
        let y = Arc::new(AtomicUsize::new(0));
        let (x2, y2) = (x.clone(), y.clone());
        let t = thread::spawn(move || {
            let r = y2.load(Relaxed);
            x2.store(1, Relaxed);
            r
        });
        let a = x.load(Relaxed);
        y.store(1, Relaxed);
        (a, t.join().unwrap())
    });
    assert!(!outs.contains(&(1, 1)), "RC11 forbids po ∪ rf cycles");
    assert_eq!(outs.len(), 3);
    assert_eq!(r.executions, 3);
}

/// loom's `spec.rs::test_seq_cst` (ignored in loom: it reaches z == 0).
#[test]
fn seq_cst_z_never_zero() {
    let (outs, r) = outcomes(|| {
        let x = Arc::new(AtomicBool::new(false));
        let y = Arc::new(AtomicBool::new(false));
        let z = Arc::new(AtomicUsize::new(0));
        let tx = {
            let x = x.clone();
            thread::spawn(move || x.store(true, SeqCst))
        };
        let ty = {
            let y = y.clone();
            thread::spawn(move || y.store(true, SeqCst))
        };
        let t1 = {
            let (x, y, z) = (x.clone(), y.clone(), z.clone());
            thread::spawn(move || {
                while !x.load(SeqCst) {
                    thread::yield_now();
                }
                if y.load(SeqCst) {
                    z.fetch_add(1, SeqCst);
                }
            })
        };
        let t2 = {
            let (x, y, z) = (x.clone(), y.clone(), z.clone());
            thread::spawn(move || {
                while !y.load(SeqCst) {
                    thread::yield_now();
                }
                if x.load(SeqCst) {
                    z.fetch_add(1, SeqCst);
                }
            })
        };
        for t in [tx, ty, t1, t2] {
            t.join().unwrap();
        }
        z.load(SeqCst)
    });
    assert!(r.failure.is_none(), "{r}");
    assert_eq!(outs.into_iter().collect::<Vec<_>>(), vec![1, 2]);
}

#[test]
fn cas_can_read_old_values() {
    // loom's ignored `compare_and_swap_reads_old_values`
    let (outs, r) = outcomes(|| {
        let a = Arc::new(AtomicUsize::new(0));
        let b = Arc::new(AtomicUsize::new(0));
        let (a2, b2) = (a.clone(), b.clone());
        let t = thread::spawn(move || {
            a2.store(1, Relaxed);
            b2.compare_exchange(0, 2, Relaxed, Relaxed)
        });
        b.store(1, Relaxed);
        let r1 = a.compare_exchange(0, 3, Relaxed, Relaxed);
        (r1, t.join().unwrap())
    });
    assert!(r.failure.is_none());
    // both CAS can see the other thread's store as not yet there
    assert!(outs.contains(&(Ok(0), Ok(0))), "{outs:?}");
}

#[test]
fn compare_exchange_weak_fails_spuriously() {
    let (outs, r) = outcomes(|| {
        let a = AtomicUsize::new(0);
        a.compare_exchange_weak(0, 1, Relaxed, Relaxed)
    });
    assert!(r.failure.is_none());
    assert_eq!(outs.into_iter().collect::<Vec<_>>(), vec![Ok(0), Err(0)]);
    assert_eq!(r.executions, 2);
}

#[test]
fn concurrent_fetch_add_gives_distinct_results() {
    let (outs, r) = outcomes(|| {
        let n = Arc::new(AtomicUsize::new(0));
        let hs: Vec<_> = (0..3)
            .map(|_| {
                let n = n.clone();
                thread::spawn(move || n.fetch_add(1, Relaxed))
            })
            .collect();
        let mut v: Vec<usize> = hs.into_iter().map(|h| h.join().unwrap()).collect();
        let raw = v.clone();
        v.sort();
        assert_eq!(v, vec![0, 1, 2]);
        raw
    });
    assert!(r.failure.is_none());
    assert_eq!(outs.len(), 6);
    assert_eq!(r.executions, 6);
}

#[test]
fn fences_give_message_passing() {
    use happens::sync::atomic::fence;
    let r = explore(|| {
        let data = Arc::new(AtomicUsize::new(0));
        let flag = Arc::new(AtomicBool::new(false));
        let (d, f) = (data.clone(), flag.clone());
        let t = thread::spawn(move || {
            d.store(42, Relaxed);
            fence(Release);
            f.store(true, Relaxed);
        });
        if flag.load(Relaxed) {
            fence(Acquire);
            assert_eq!(data.load(Relaxed), 42);
        }
        t.join().unwrap();
    });
    assert!(r.failure.is_none(), "{r}");
    // flag unset (data not read), or flag set and data 42
    assert_eq!(r.executions, 2);
}

#[test]
fn store_buffering_with_seq_cst_fences_never_both_zero() {
    use happens::sync::atomic::fence;
    let (outs, r) = outcomes(|| {
        let x = Arc::new(AtomicUsize::new(0));
        let y = Arc::new(AtomicUsize::new(0));
        let (x2, y2) = (x.clone(), y.clone());
        let t = thread::spawn(move || {
            x2.store(1, Relaxed);
            fence(SeqCst);
            y2.load(Relaxed)
        });
        y.store(1, Relaxed);
        fence(SeqCst);
        let a = x.load(Relaxed);
        (a, t.join().unwrap())
    });
    assert!(!outs.contains(&(0, 0)));
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
