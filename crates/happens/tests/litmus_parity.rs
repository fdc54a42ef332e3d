//! The library and the litmus front-end are two ways into one engine: for
//! each example of `examples/litmus/` written here again as Rust, the
//! library's `report.executions` (complete executions) must equal the
//! executions `happens litmus --json` reports for the file. (Blocked ones
//! may differ: the interpreter knows where a loop's round ends and blocks
//! there, while the library recognises a waiting loop when a read comes
//! round again, and so explores a few more rounds that end blocked.) Locations are created by the main thread before it spawns
//! (the litmus `let`s) and shared through `thread::scope` (an `Arc` would
//! add its reference count's RMWs, whose orders are executions of their
//! own), a plain litmus location is an `UnsafeCell`, and a spin loop ends
//! each iteration with `spin_loop()` as in the files.

use std::path::Path;

use happens::cell::UnsafeCell;
use happens::hint::spin_loop;
use happens::model::Builder;
use happens::sync::atomic::{AtomicBool, AtomicUsize, Ordering, Ordering::*};
use happens::thread;
use happens_litmus::{parse, run, RunOptions};

/// A plain (non-atomic) shared location, as the litmus `let data = 0;`:
/// the race detector, not the type system, judges its accesses.
struct Plain<T>(UnsafeCell<T>);

// SAFETY: every access goes through the model, which reports the data races
// this would otherwise allow.
unsafe impl<T> Sync for Plain<T> {}

impl<T: Copy> Plain<T> {
    fn new(v: T) -> Self {
        Plain(UnsafeCell::new(v))
    }
    fn get(&self) -> T {
        self.0.with(|p| unsafe { *p })
    }
    fn set(&self, v: T) {
        self.0.with_mut(|p| unsafe { *p = v })
    }
}

/// `(complete, blocked)` executions of `examples/litmus/<name>.litmus`.
fn litmus(name: &str) -> (u64, u64) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/litmus")
        .join(format!("{name}.litmus"));
    let src = std::fs::read(&path).unwrap();
    let test = parse(&path.display().to_string(), &src).unwrap_or_else(|d| panic!("{d}"));
    let o = run(&test, &RunOptions::default());
    (o.executions, o.blocked)
}

/// Without symmetry reduction: litmus threads are written out one by one
/// and the interpreter explores every execution; the library would see the
/// threads a loop spawns from one closure as alike and explore one of each
/// swapped pair (`tests/symmetry.rs`).
fn library<F: Fn() + Sync + Send + 'static>(f: F) -> u64 {
    let report = Builder::new().symmetry(false).explore(f);
    assert!(report.failure.is_none(), "{}", report.failure.unwrap());
    report.executions
}

fn same(name: &str, lib: u64) {
    assert_eq!(lib, litmus(name).0, "{name}: executions, library vs litmus");
}

#[test]
fn sb_relaxed() {
    same(
        "sb_relaxed",
        library(|| {
            let (x, y) = (AtomicUsize::new(0), AtomicUsize::new(0));
            thread::scope(|s| {
                s.spawn(|| {
                    x.store(1, Relaxed);
                    y.load(Relaxed)
                });
                s.spawn(|| {
                    y.store(1, Relaxed);
                    x.load(Relaxed)
                });
            });
        }),
    );
}

#[test]
fn sb_seqcst() {
    same(
        "sb_seqcst",
        library(|| {
            let (x, y) = (AtomicUsize::new(0), AtomicUsize::new(0));
            let (a, b) = thread::scope(|s| {
                let t1 = s.spawn(|| {
                    x.store(1, SeqCst);
                    y.load(SeqCst)
                });
                let t2 = s.spawn(|| {
                    y.store(1, SeqCst);
                    x.load(SeqCst)
                });
                (t1.join().unwrap(), t2.join().unwrap())
            });
            assert!(
                a == 1 || b == 1,
                "SeqCst store buffering cannot read 0 twice"
            );
        }),
    );
}

#[test]
fn mp_relaxed() {
    same(
        "mp_relaxed",
        library(|| {
            let (data, flag) = (AtomicUsize::new(0), AtomicUsize::new(0));
            thread::scope(|s| {
                s.spawn(|| {
                    data.store(42, Relaxed);
                    flag.store(1, Relaxed);
                });
                s.spawn(|| (flag.load(Relaxed), data.load(Relaxed)));
            });
        }),
    );
}

#[test]
fn mp_release_acquire() {
    same(
        "mp_release_acquire",
        library(|| {
            let data = Plain::new(0usize);
            let flag = AtomicUsize::new(0);
            thread::scope(|s| {
                s.spawn(|| {
                    data.set(42);
                    flag.store(1, Release);
                });
                s.spawn(|| {
                    if flag.load(Acquire) == 1 {
                        assert_eq!(data.get(), 42);
                    }
                });
            });
        }),
    );
}

#[test]
fn too_relaxed() {
    same(
        "too_relaxed",
        library(|| {
            let (x, y) = (AtomicUsize::new(0), AtomicUsize::new(0));
            let (r1, r2) = thread::scope(|s| {
                let t1 = s.spawn(|| {
                    let r1 = y.load(Relaxed);
                    x.store(r1, Relaxed);
                    r1
                });
                let t2 = s.spawn(|| {
                    let r2 = x.load(Relaxed);
                    y.store(42, Relaxed);
                    r2
                });
                (t1.join().unwrap(), t2.join().unwrap())
            });
            assert!(!(r1 == 42 && r2 == 42), "load buffering is not RC11");
        }),
    );
}

fn z_program(store: Ordering, load: Ordering, add: Ordering) {
    let (x, y) = (AtomicBool::new(false), AtomicBool::new(false));
    let z = AtomicUsize::new(0);
    thread::scope(|s| {
        s.spawn(|| x.store(true, store));
        s.spawn(|| y.store(true, store));
        for (a, b) in [(&x, &y), (&y, &x)] {
            let z = &z;
            s.spawn(move || {
                while !a.load(load) {
                    spin_loop();
                }
                if b.load(load) {
                    z.fetch_add(1, add);
                }
            });
        }
    });
}

#[test]
fn seqcst_z() {
    same("seqcst_z", library(|| z_program(SeqCst, SeqCst, SeqCst)));
}

#[test]
fn acqrel_z() {
    same("acqrel_z", library(|| z_program(Release, Acquire, Relaxed)));
}

#[test]
fn spin_mutex_acqrel() {
    same(
        "spin_mutex_acqrel",
        library(|| {
            let locked = AtomicBool::new(false);
            let counter = Plain::new(0usize);
            thread::scope(|s| {
                for _ in 0..2 {
                    s.spawn(|| {
                        while locked
                            .compare_exchange(false, true, Acquire, Relaxed)
                            .is_err()
                        {
                            spin_loop();
                        }
                        let c = counter.get();
                        counter.set(c + 1);
                        locked.store(false, Release);
                    });
                }
            });
            assert_eq!(counter.get(), 2);
        }),
    );
}

#[test]
fn lazy_init() {
    same(
        "lazy_init",
        library(|| {
            let ptr = AtomicUsize::new(0);
            let objs = [Plain::new(0i64), Plain::new(0i64)];
            thread::scope(|s| {
                for (mine, val) in [(1usize, 11i64), (2, 22)] {
                    let (ptr, objs) = (&ptr, &objs);
                    s.spawn(move || {
                        let (own, other) = (&objs[mine - 1], &objs[2 - mine]);
                        own.set(val);
                        let v = match ptr.compare_exchange(0, mine, AcqRel, Acquire) {
                            Ok(_) => own.get(),
                            Err(_) => other.get(),
                        };
                        assert_ne!(v, 0);
                    });
                }
                s.spawn(|| match ptr.load(Acquire) {
                    1 => assert_eq!(objs[0].get(), 11),
                    2 => assert_eq!(objs[1].get(), 22),
                    _ => {}
                });
            });
        }),
    );
}
