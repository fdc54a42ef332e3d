//! Objects that outlive executions: `static`s built with `const_new`, and
//! objects created outside the model closure. The main thread pre-allocates
//! them before the closure runs, so they behave exactly like objects the
//! closure creates (same executions, same counts).

use std::sync::Arc;

use happens::model::Builder;
use happens::sync::atomic::{AtomicBool, AtomicUsize, Ordering::*};
use happens::sync::Mutex;
use happens::thread;

fn outcomes<T: Ord + Clone + Send + 'static>(
    f: impl Fn() -> T + Sync + Send + 'static,
) -> (Vec<T>, happens::Report) {
    let seen = Arc::new(std::sync::Mutex::new(std::collections::BTreeSet::new()));
    let s2 = seen.clone();
    let r = Builder::new().explore(move || {
        let v = f();
        s2.lock().unwrap().insert(v);
    });
    assert!(r.failure.is_none(), "{r}");
    assert!(r.complete);
    let v = seen.lock().unwrap().iter().cloned().collect();
    (v, r)
}

/// Message passing; `make_flag` (called once per execution) decides where
/// the flag lives.
fn message_passing(make_flag: fn() -> &'static AtomicBool) -> (Vec<(bool, usize)>, u64) {
    let (outs, r) = outcomes(move || {
        let flag = make_flag();
        let data = Arc::new(AtomicUsize::new(0));
        let d = data.clone();
        let t = thread::spawn(move || {
            d.store(42, Relaxed);
            flag.store(true, Release);
        });
        let seen = flag.load(Acquire);
        let v = data.load(Relaxed);
        t.join().unwrap();
        (seen, v)
    });
    (outs, r.executions)
}

static FLAG: AtomicBool = AtomicBool::const_new(false);

#[test]
fn static_flag_message_passing_matches_the_local_one() {
    let local = message_passing(|| {
        // a flag created inside each execution (leaked: it must be 'static)
        Box::leak(Box::new(AtomicBool::new(false)))
    });
    let (outs, n) = message_passing(|| &FLAG);
    assert_eq!(outs, vec![(false, 0), (false, 42), (true, 42)]);
    assert_eq!(n, 3);
    assert_eq!(local, (outs, n));
    // the static keeps its initial value outside the model
    assert!(!FLAG.load(Relaxed));
}

static COUNTER: Mutex<usize> = Mutex::const_new(0);

#[test]
fn static_mutex_orders_increments() {
    let (outs, r) = outcomes(|| {
        *COUNTER.lock().unwrap() = 0;
        let t = thread::spawn(|| *COUNTER.lock().unwrap() += 1);
        *COUNTER.lock().unwrap() += 1;
        t.join().unwrap();
        *COUNTER.lock().unwrap()
    });
    assert_eq!(outs, vec![2]);
    // two lock orders, none blocked: the `lock` try through which the
    // other order is reached fails and is tried again after the unlock
    assert_eq!((r.executions, r.blocked), (2, 0));
}

#[test]
fn object_created_outside_the_closure() {
    let flag = Arc::new(AtomicBool::new(false));
    let (outs, r) = outcomes(move || {
        let f = flag.clone();
        let data = Arc::new(AtomicUsize::new(0));
        let d = data.clone();
        let t = thread::spawn(move || {
            d.store(42, Relaxed);
            f.store(true, Release);
        });
        let seen = flag.load(Acquire);
        let v = data.load(Relaxed);
        t.join().unwrap();
        (seen, v)
    });
    assert_eq!(outs, vec![(false, 0), (false, 42), (true, 42)]);
    assert_eq!(r.executions, 3);
}
