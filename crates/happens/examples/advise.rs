//! The ordering advisor on the seed notes' spin-lock mutex, written with
//! SeqCst everywhere: which orderings does it need?
//!
//!     cargo run --release -p happens --example advise
//!
//! (`HAPPENS_ADVISE=1 cargo test --release` advises every passing test the
//! same way.)

use std::sync::Arc;

use happens::cell::UnsafeCell;
use happens::model::Builder;
use happens::sync::atomic::{AtomicBool, Ordering::SeqCst};
use happens::thread;

struct Mutex<T> {
    locked: AtomicBool,
    v: UnsafeCell<T>,
}

unsafe impl<T: Send> Sync for Mutex<T> {}

impl<T> Mutex<T> {
    fn with_lock<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        while self
            .locked
            .compare_exchange_weak(false, true, SeqCst, SeqCst)
            .is_err()
        {
            while self.locked.load(SeqCst) {}
        }
        let ret = self.v.with_mut(|p| f(unsafe { &mut *p }));
        self.locked.store(false, SeqCst);
        ret
    }
}

fn main() {
    let mut b = Builder::new();
    b.diagram(false);
    let advice = b.advise(|| {
        let l = Arc::new(Mutex {
            locked: AtomicBool::new(false),
            v: UnsafeCell::new(0usize),
        });
        let hs: Vec<_> = (0..2)
            .map(|_| {
                let l = l.clone();
                thread::spawn(move || l.with_lock(|v| *v += 1))
            })
            .collect();
        for h in hs {
            h.join().unwrap();
        }
        assert_eq!(l.with_lock(|v| *v), 2);
    });
    println!("{advice}");
}
