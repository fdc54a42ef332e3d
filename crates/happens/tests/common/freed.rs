//! A program that frees an allocation and allocates again while other
//! threads compare its address (`tests/address_reuse.rs`,
//! `tests/fresh_alloc.rs`).

use happens::model::{Builder, Report};
use happens::sync::atomic::{AtomicPtr, AtomicUsize, Ordering::*};
use happens::sync::Arc;
use happens::thread;

/// A writer publishes a config, takes it back and frees it, then publishes
/// a new one (which the allocator is likely to put where the first was);
/// `readers` threads each try to replace what they saw with their own.
/// Pointers are only compared, never read through after they are freed.
/// The readers are alike (spawned in a loop over the same `Arc`s):
/// `symmetry` says whether to explore one of two executions that differ
/// by swapping them (`Builder::symmetry`).
pub fn replace_freed(free: bool, readers: usize, symmetry: bool) -> Report {
    Builder::new().symmetry(symmetry).explore(move || {
        let current = Arc::new(AtomicPtr::new(std::ptr::null_mut::<u64>()));
        let published = Arc::new(AtomicUsize::new(0));
        let (c, p) = (current.clone(), published.clone());
        let writer = thread::spawn(move || {
            let first = Box::into_raw(Box::new(1u64));
            c.store(first, Release);
            if free {
                // SAFETY: `first` came from `Box::into_raw` and is freed
                // once; the others only compare its address
                drop(unsafe { Box::from_raw(first) });
            }
            p.store(1, Relaxed);
            let second = Box::into_raw(Box::new(2u64));
            c.store(second, Release);
        });
        let mut handles = Vec::new();
        for _ in 0..readers {
            let (c, p) = (current.clone(), published.clone());
            handles.push(thread::spawn(move || {
                p.load(Relaxed);
                let mine = Box::into_raw(Box::new(3u64));
                let seen = c.load(Acquire);
                let _ = c.compare_exchange(seen, mine, AcqRel, Acquire);
            }));
        }
        writer.join().unwrap();
        for h in handles {
            h.join().unwrap();
        }
    })
}
