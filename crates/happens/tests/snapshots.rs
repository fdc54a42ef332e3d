//! Snapshots of rendered failures: a data race, a deadlock, an assertion
//! and a leak. (Update with `INSTA_UPDATE=always cargo test -p happens`.)

use happens::cell::UnsafeCell;
use happens::model::Builder;
use happens::sync::atomic::{AtomicBool, Ordering::*};
use happens::sync::{Arc, Mutex};
use happens::thread;

fn render(f: impl Fn() + Sync + Send + 'static) -> String {
    Builder::new()
        .explore(f)
        .failure
        .expect("expected a failure")
        .to_string()
}

#[test]
fn data_race() {
    insta::assert_snapshot!(render(|| {
        let flag = Arc::new(AtomicBool::new(false));
        let data = Arc::new(UnsafeCell::new(0));
        let (f2, d2) = (flag.clone(), data.clone());
        let t = thread::spawn(move || {
            d2.with_mut(|p| unsafe { *p = 1 });
            f2.store(true, Relaxed);
        });
        if flag.load(Relaxed) {
            data.with(|p| unsafe { *p });
        }
        t.join().unwrap();
    }));
}

#[test]
fn deadlock() {
    insta::assert_snapshot!(render(|| {
        let a = Arc::new(Mutex::new(()));
        let b = Arc::new(Mutex::new(()));
        let (a2, b2) = (a.clone(), b.clone());
        let t = thread::spawn(move || {
            let _x = b2.lock().unwrap();
            let _y = a2.lock().unwrap();
        });
        let _x = a.lock().unwrap();
        let _y = b.lock().unwrap();
        drop((_x, _y));
        t.join().unwrap();
    }));
}

#[test]
fn assertion() {
    insta::assert_snapshot!(render(|| {
        let x = Arc::new(AtomicBool::new(false));
        let x2 = x.clone();
        let t = thread::spawn(move || x2.store(true, Release));
        assert!(!x.load(Acquire), "x was already set");
        t.join().unwrap();
    }));
}

#[test]
fn leak() {
    insta::assert_snapshot!(render(|| {
        let a = Arc::new(AtomicBool::new(false));
        let b = a.clone();
        let t = thread::spawn(move || std::mem::forget(b));
        t.join().unwrap();
        drop(a);
    }));
}
