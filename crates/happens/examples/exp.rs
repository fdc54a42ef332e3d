use happens::cell::UnsafeCell;
use happens::model::Builder;
use happens::sync::atomic::{AtomicBool, AtomicUsize, Ordering::*};
use happens::sync::Arc;
use happens::thread;

fn main() {
    let which = std::env::args().nth(1).unwrap_or_default();
    let r = match which.as_str() {
        "mp" => Builder::new().explore(|| {
            let data = Arc::new(AtomicUsize::new(0));
            let flag = Arc::new(AtomicBool::new(false));
            let (d2, f2) = (data.clone(), flag.clone());
            let t = thread::spawn(move || {
                d2.store(42, Relaxed);
                f2.store(true, Relaxed);
            });
            if flag.load(Relaxed) {
                assert_eq!(data.load(Relaxed), 42);
            }
            t.join().unwrap();
        }),
        _ => Builder::new().explore(|| {
            let data = Arc::new(UnsafeCell::new(0));
            let flag = Arc::new(AtomicBool::new(false));
            let (d2, f2) = (data.clone(), flag.clone());
            let t = thread::spawn(move || {
                d2.with_mut(|p| unsafe { *p = 42 });
                f2.store(true, Relaxed);
            });
            if flag.load(Relaxed) {
                data.with(|p| unsafe { *p });
            }
            t.join().unwrap();
        }),
    };
    println!("{r}");
}
