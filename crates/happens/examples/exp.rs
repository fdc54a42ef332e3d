use happens::cell::UnsafeCell;
use happens::model::Builder;
use happens::sync::atomic::{AtomicBool, Ordering};
use happens::sync::Arc;
use happens::thread;

struct SpinMutex<T> {
    locked: AtomicBool,
    v: UnsafeCell<T>,
}
unsafe impl<T: Send> Sync for SpinMutex<T> {}
impl<T> SpinMutex<T> {
    fn with_lock<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        while self
            .locked
            .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            while self.locked.load(Ordering::Relaxed) {
                thread::yield_now();
            }
        }
        let ret = self.v.with_mut(|p| f(unsafe { &mut *p }));
        self.locked.store(false, Ordering::Release);
        ret
    }
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse().unwrap())
        .unwrap_or(2);
    let r = Builder::new().explore(move || {
        let l = Arc::new(SpinMutex {
            locked: AtomicBool::new(false),
            v: UnsafeCell::new(0usize),
        });
        let hs: Vec<_> = (0..n)
            .map(|_| {
                let l = l.clone();
                thread::spawn(move || l.with_lock(|v| *v += 1))
            })
            .collect();
        for h in hs {
            h.join().unwrap();
        }
        assert_eq!(l.with_lock(|v| *v), n);
    });
    println!("arc: {r}");
    let r = Builder::new().explore(move || {
        let l = SpinMutex {
            locked: AtomicBool::new(false),
            v: UnsafeCell::new(0usize),
        };
        thread::scope(|s| {
            for _ in 0..n {
                s.spawn(|| l.with_lock(|v| *v += 1));
            }
        });
        assert_eq!(l.with_lock(|v| *v), n);
    });
    println!("scope: {r}");
}
