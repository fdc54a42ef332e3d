//! The complete failure message of ordinary bugs, each written the usual
//! way (`Arc`-shared state, `thread::spawn`): the headline, the why-chain
//! naming source lines, the trace of the program's own operations and a
//! box diagram within 100 columns that draws what explains the failure
//! (the racing accesses and the missing synchronisation; the reads whose
//! values made the assertion fail, the writes they read and the ones they
//! missed; the waits of a deadlock and who holds what), elided events
//! marked `⋮`. (Update with
//! `INSTA_UPDATE=always cargo test -p happens --test failures`.)

use std::sync::atomic::Ordering::*;

use happens::cell::UnsafeCell;
use happens::model::Builder;
use happens::sync::atomic::{AtomicBool, AtomicPtr, AtomicUsize};
use happens::sync::{Arc, Mutex};
use happens::thread;

/// The failure message, with the replay key left out (it names event
/// indices, which is what the rest shows already) and the paths made
/// relative to the crate.
fn message(f: impl Fn() + Sync + Send + 'static) -> String {
    let fl = Builder::new()
        .explore(f)
        .failure
        .expect("expected a failure");
    let diagram = fl.diagram.clone().expect("a diagram");
    assert!(
        diagram.lines().all(|l| l.chars().count() <= 100),
        "wider than 100 columns:\n{diagram}"
    );
    assert!(
        diagram.contains('╭') || diagram.contains('╔'),
        "a box diagram:\n{diagram}"
    );
    let text = fl.to_string();
    let why: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("why: ") && !l.starts_with("deadlock"))
        .take_while(|l| !l.is_empty())
        .collect();
    assert!(
        why.iter().any(|l| l.contains("failures.rs:")),
        "a why-chain naming source lines:\n{text}"
    );
    fl.to_string()
        .lines()
        .filter(|l| !l.starts_with("replay with"))
        .collect::<Vec<_>>()
        .join("\n")
}

struct SpinMutex<T> {
    locked: AtomicBool,
    v: UnsafeCell<T>,
}

unsafe impl<T: Send> Sync for SpinMutex<T> {}

impl<T> SpinMutex<T> {
    fn with_lock<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        while self
            .locked
            .compare_exchange_weak(false, true, Relaxed, Relaxed)
            .is_err()
        {
            while self.locked.load(Relaxed) {
                thread::yield_now();
            }
        }
        let ret = self.v.with_mut(|v| f(unsafe { &mut *v }));
        self.locked.store(false, Relaxed);
        ret
    }
}

#[test]
fn seed_mutex_all_relaxed() {
    insta::assert_snapshot!(message(|| {
        let l = Arc::new(SpinMutex {
            locked: AtomicBool::new(false),
            v: UnsafeCell::new(0),
        });
        let ts: Vec<_> = (0..2)
            .map(|_| {
                let l = l.clone();
                thread::spawn(move || l.with_lock(|v| *v += 1))
            })
            .collect();
        for t in ts {
            t.join().unwrap();
        }
    }));
}

#[test]
fn message_passing_relaxed() {
    insta::assert_snapshot!(message(|| {
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
    }));
}

#[test]
fn lock_order_deadlock() {
    insta::assert_snapshot!(message(|| {
        let a = Arc::new(Mutex::new(0));
        let b = Arc::new(Mutex::new(0));
        let (a2, b2) = (a.clone(), b.clone());
        let t = thread::spawn(move || {
            let _g = b2.lock().unwrap();
            *a2.lock().unwrap() += 1;
        });
        {
            let _g = a.lock().unwrap();
            *b.lock().unwrap() += 1;
        }
        t.join().unwrap();
    }));
}

/// The seed notes' lazily initialised data.
struct Data {
    v: UnsafeCell<u64>,
}

fn generate_data() -> Data {
    Data {
        v: UnsafeCell::new(42),
    }
}

/// The seed notes' `get_data`, with every ordering Relaxed and the pointer
/// in an `Arc` instead of a `static`.
fn get_data(ptr: &AtomicPtr<Data>) -> &Data {
    let mut p = ptr.load(Relaxed);
    if p.is_null() {
        p = Box::into_raw(Box::new(generate_data()));
        if let Err(e) = ptr.compare_exchange(std::ptr::null_mut(), p, Relaxed, Relaxed) {
            // Safety: p comes from Box::into_raw right above,
            // and wasn't shared with any other thread.
            drop(unsafe { Box::from_raw(p) });
            p = e;
        }
    }
    // Safety: p is not null and points to a properly initialized value.
    unsafe { &*p }
}

#[test]
fn lazy_initialisation_relaxed() {
    insta::assert_snapshot!(message(|| {
        let ptr = Arc::new(AtomicPtr::new(std::ptr::null_mut()));
        let ts: Vec<_> = (0..3)
            .map(|_| {
                let ptr = ptr.clone();
                thread::spawn(move || get_data(&ptr).v.with(|v| unsafe { *v }))
            })
            .collect();
        for t in ts {
            assert_eq!(t.join().unwrap(), 42);
        }
        drop(unsafe { Box::from_raw(ptr.load(Relaxed)) });
    }));
}

#[test]
fn z_program_release_acquire() {
    insta::assert_snapshot!(message(|| {
        let x = Arc::new(AtomicBool::new(false));
        let y = Arc::new(AtomicBool::new(false));
        let z = Arc::new(AtomicUsize::new(0));
        let x1 = x.clone();
        let tx = thread::spawn(move || x1.store(true, Release));
        let y1 = y.clone();
        let ty = thread::spawn(move || y1.store(true, Release));
        let (x1, y1, z1) = (x.clone(), y.clone(), z.clone());
        let t1 = thread::spawn(move || {
            while !x1.load(Acquire) {}
            if y1.load(Acquire) {
                z1.fetch_add(1, Relaxed);
            }
        });
        let (x2, y2, z2) = (x.clone(), y.clone(), z.clone());
        let t2 = thread::spawn(move || {
            while !y2.load(Acquire) {}
            if x2.load(Acquire) {
                z2.fetch_add(1, Relaxed);
            }
        });
        tx.join().unwrap();
        ty.join().unwrap();
        t1.join().unwrap();
        t2.join().unwrap();
        let z = z.load(SeqCst);
        assert_ne!(z, 0);
    }));
}

/// SeqCst does not make a load and a store one step: both threads may load
/// 0 before either stores. The why-chain gives the part of the SC order
/// that matters.
#[test]
fn seq_cst_lost_update() {
    insta::assert_snapshot!(message(|| {
        let n = Arc::new(AtomicUsize::new(0));
        let ts: Vec<_> = (0..2)
            .map(|_| {
                let n = n.clone();
                thread::spawn(move || {
                    let v = n.load(SeqCst);
                    n.store(v + 1, SeqCst);
                })
            })
            .collect();
        for t in ts {
            t.join().unwrap();
        }
        assert_eq!(n.load(SeqCst), 2);
    }));
}

/// Five threads in a ring, each storing its own location and loading the
/// next one's (store buffering with five threads): every load may read 0.
/// What explains that is every thread and every location, too wide for
/// 100 columns: the failure says so and draws the whole execution as SVG
/// in the directory given to `Builder::svg_dir`, named after the thread.
#[test]
fn too_wide_failure_is_drawn_as_svg() {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("failures_svg");
    let _ = std::fs::remove_dir_all(&dir);
    let d2 = dir.clone();
    let fl = std::thread::Builder::new()
        .name("ring".to_string())
        .spawn(move || {
            let mut b = Builder::new();
            b.svg_dir(&d2);
            b.explore(|| {
                let xs: Arc<Vec<AtomicUsize>> =
                    Arc::new((0..5).map(|_| AtomicUsize::new(0)).collect());
                let ts: Vec<_> = (0..5)
                    .map(|i| {
                        let xs = xs.clone();
                        thread::spawn(move || {
                            xs[i].store(1, Relaxed); // RING-STORE
                            xs[(i + 1) % 5].load(Relaxed) // RING-LOAD
                        })
                    })
                    .collect();
                let rs: Vec<usize> = ts.into_iter().map(|t| t.join().unwrap()).collect();
                assert!(rs.contains(&1), "every thread read 0"); // RING-ASSERT
            })
            .failure
            .expect("all five loads may read 0")
        })
        .unwrap()
        .join()
        .unwrap();
    let path = dir.join("happens-ring.svg");
    let diagram = fl.diagram.clone().expect("a diagram");
    let said = format!(
        "the 6 threads and 5 locations that explain this failure need {} columns even with the \
         shortest labels, more than 100; the whole execution is drawn in {})",
        diagram
            .split(" locations that explain this failure need ")
            .nth(1)
            .and_then(|s| s.split(' ').next())
            .unwrap_or("?"),
        path.display()
    );
    assert!(diagram.contains(&said), "{diagram}");
    assert!(fl.to_string().contains(&said));
    let svg = std::fs::read_to_string(&path).expect("the picture was written");
    assert!(svg.starts_with("<svg"), "{svg}");
    // the whole execution: the five threads' stores and loads, and main's panic
    let boxes = |label: &str| svg.matches(&format!(">failures.rs:{label}</text>")).count();
    let line = |marker: &str| {
        include_str!("failures.rs")
            .lines()
            .position(|l| l.contains(marker) && !l.contains("position"))
            .unwrap()
            + 1
    };
    assert_eq!(
        boxes(&format!("{} store 1 rlx", line("RING-STORE"))),
        5,
        "{svg}"
    );
    assert_eq!(
        boxes(&format!("{} load rlx = 0", line("RING-LOAD"))),
        5,
        "{svg}"
    );
    assert_eq!(
        boxes(&format!("{} panicked", line("RING-ASSERT"))),
        1,
        "{svg}"
    );
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
}
