//! Runs the seeds' programs (spin-lock mutex with 2 and 3 threads, lazy
//! initialization through an `AtomicPtr`, the SeqCst `z` program, message
//! passing) and programs on the blocking primitives (`Mutex` with 2 to 4
//! threads, `mpsc` ping-pong and two senders, a `Condvar` handshake) under
//! loom and under happens, and prints the executions each
//! explored and the wall time, side by side.
//!
//! `cargo run --release` in this directory. loom gets at most
//! `LOOM_CAP_SECS` seconds per program (default 300): past it the row says
//! "did not finish". Each program is written once, over the module path of
//! the checker (`loom` or `happens`): the two have the same API.

use std::sync::atomic::{AtomicU64, Ordering as StdOrdering};
use std::sync::Arc as StdArc;
use std::time::{Duration, Instant};

/// The programs, instantiated for one checker.
macro_rules! programs {
    ($m:ident) => {
        pub mod $m {
            use std::sync::Arc;

            use ::$m::cell::UnsafeCell;
            use ::$m::sync::atomic::{AtomicBool, AtomicPtr, AtomicUsize, Ordering};
            use ::$m::thread;

            struct SpinMutex {
                locked: AtomicBool,
                v: UnsafeCell<usize>,
            }

            unsafe impl Sync for SpinMutex {}

            impl SpinMutex {
                fn with_lock(&self, f: impl FnOnce(&mut usize)) {
                    while self
                        .locked
                        .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
                        .is_err()
                    {
                        while self.locked.load(Ordering::Relaxed) {
                            thread::yield_now();
                        }
                        thread::yield_now();
                    }
                    self.v.with_mut(|p| f(unsafe { &mut *p }));
                    self.locked.store(false, Ordering::Release);
                }
            }

            pub fn spin_mutex(threads: usize) {
                let l = Arc::new(SpinMutex {
                    locked: AtomicBool::new(false),
                    v: UnsafeCell::new(0),
                });
                let hs: Vec<_> = (0..threads)
                    .map(|_| {
                        let l = l.clone();
                        thread::spawn(move || l.with_lock(|v| *v += 1))
                    })
                    .collect();
                for h in hs {
                    h.join().unwrap();
                }
                let mut n = 0;
                l.with_lock(|v| n = *v);
                assert_eq!(n, threads);
            }

            pub fn lazy_init() {
                let slot: Arc<AtomicPtr<usize>> = Arc::new(AtomicPtr::new(std::ptr::null_mut()));
                let get = |slot: &AtomicPtr<usize>| -> usize {
                    let p = slot.load(Ordering::Acquire);
                    if !p.is_null() {
                        return unsafe { *p };
                    }
                    let new = Box::into_raw(Box::new(42usize));
                    match slot.compare_exchange(
                        std::ptr::null_mut(),
                        new,
                        Ordering::AcqRel,
                        Ordering::Acquire,
                    ) {
                        Ok(_) => 42,
                        Err(other) => {
                            drop(unsafe { Box::from_raw(new) });
                            unsafe { *other }
                        }
                    }
                };
                let s2 = slot.clone();
                let t = thread::spawn(move || get(&s2));
                let a = get(&slot);
                let b = t.join().unwrap();
                assert_eq!((a, b), (42, 42));
                drop(unsafe { Box::from_raw(slot.load(Ordering::Relaxed)) });
            }

            /// The SeqCst `z` program (z == 0 is forbidden; loom reaches it,
            /// so it is not asserted here).
            pub fn seq_cst_z() {
                let x = Arc::new(AtomicBool::new(false));
                let y = Arc::new(AtomicBool::new(false));
                let z = Arc::new(AtomicUsize::new(0));
                let x1 = x.clone();
                let tx = thread::spawn(move || x1.store(true, Ordering::SeqCst));
                let y1 = y.clone();
                let ty = thread::spawn(move || y1.store(true, Ordering::SeqCst));
                let (x1, y1, z1) = (x.clone(), y.clone(), z.clone());
                let t1 = thread::spawn(move || {
                    while !x1.load(Ordering::SeqCst) {
                        thread::yield_now();
                    }
                    if y1.load(Ordering::SeqCst) {
                        z1.fetch_add(1, Ordering::SeqCst);
                    }
                });
                let (x1, y1, z1) = (x.clone(), y.clone(), z.clone());
                let t2 = thread::spawn(move || {
                    while !y1.load(Ordering::SeqCst) {
                        thread::yield_now();
                    }
                    if x1.load(Ordering::SeqCst) {
                        z1.fetch_add(1, Ordering::SeqCst);
                    }
                });
                for t in [tx, ty, t1, t2] {
                    t.join().unwrap();
                }
            }

            /// `threads` threads each lock one `std`-style `Mutex` once.
            pub fn mutex(threads: usize) {
                let m = Arc::new(::$m::sync::Mutex::new(0usize));
                let hs: Vec<_> = (0..threads)
                    .map(|_| {
                        let m = m.clone();
                        thread::spawn(move || *m.lock().unwrap() += 1)
                    })
                    .collect();
                for h in hs {
                    h.join().unwrap();
                }
                assert_eq!(*m.lock().unwrap(), threads);
            }

            /// Ping-pong over two `mpsc` channels, twice: one execution.
            pub fn channel_ping_pong() {
                let (tx1, rx1) = ::$m::sync::mpsc::channel::<u32>();
                let (tx2, rx2) = ::$m::sync::mpsc::channel::<u32>();
                let h = thread::spawn(move || {
                    for _ in 0..2 {
                        let v = rx1.recv().unwrap();
                        tx2.send(v + 1).unwrap();
                    }
                });
                let mut v = 0;
                for _ in 0..2 {
                    tx1.send(v).unwrap();
                    v = rx2.recv().unwrap();
                }
                assert_eq!(v, 2);
                h.join().unwrap();
            }

            /// Two senders, one receiver, three messages each.
            pub fn channel_two_senders() {
                let (tx, rx) = ::$m::sync::mpsc::channel::<u32>();
                let hs: Vec<_> = (0..2)
                    .map(|i| {
                        let tx = tx.clone();
                        thread::spawn(move || {
                            for k in 0..3 {
                                tx.send(i * 10 + k).unwrap();
                            }
                        })
                    })
                    .collect();
                drop(tx);
                let mut got = 0;
                while rx.recv().is_ok() {
                    got += 1;
                }
                assert_eq!(got, 6);
                for h in hs {
                    h.join().unwrap();
                }
            }

            /// A `Condvar` handshake.
            pub fn condvar() {
                let pair = Arc::new((::$m::sync::Mutex::new(false), ::$m::sync::Condvar::new()));
                let p2 = pair.clone();
                let h = thread::spawn(move || {
                    *p2.0.lock().unwrap() = true;
                    p2.1.notify_one();
                });
                let mut ready = pair.0.lock().unwrap();
                while !*ready {
                    ready = pair.1.wait(ready).unwrap();
                }
                drop(ready);
                h.join().unwrap();
            }

            pub fn message_passing() {
                let data = Arc::new(UnsafeCell::new(0));
                let flag = Arc::new(AtomicBool::new(false));
                let (d, f) = (data.clone(), flag.clone());
                let t = thread::spawn(move || {
                    d.with_mut(|p| unsafe { *p = 42 });
                    f.store(true, Ordering::Release);
                });
                if flag.load(Ordering::Acquire) {
                    assert_eq!(data.with(|p| unsafe { *p }), 42);
                }
                t.join().unwrap();
            }
        }
    };
}

programs!(loom);
programs!(happens);

/// A program's name and its loom and happens instances.
type Program = (&'static str, fn(), fn());

/// What one checker did with one program.
struct Run {
    executions: u64,
    time: Duration,
    finished: bool,
    /// The checker's own panic (loom's "exceeded maximum number of
    /// branches"), if it gave up.
    gave_up: Option<String>,
    /// happens: executions that blocked in a spin loop (not real ones).
    blocked: u64,
}

fn under_loom(f: fn(), cap: Duration) -> Run {
    let count = StdArc::new(AtomicU64::new(0));
    let c2 = count.clone();
    let mut b = ::loom::model::Builder::new();
    b.max_duration = Some(cap);
    // loom looks at the clock only every `checkpoint_interval` executions
    b.checkpoint_interval = 1000;
    // spin loops need more than the default 1000 branches
    b.max_branches = 100_000;
    let start = Instant::now();
    let result = std::panic::catch_unwind(move || {
        b.check(move || {
            c2.fetch_add(1, StdOrdering::Relaxed);
            f()
        })
    });
    let time = start.elapsed();
    let gave_up = result.err().map(|p| {
        let msg = p
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        msg.lines().next().unwrap_or("").to_string()
    });
    Run {
        executions: count.load(StdOrdering::Relaxed),
        time,
        finished: time < cap && gave_up.is_none(),
        gave_up,
        blocked: 0,
    }
}

fn under_happens(f: fn()) -> Run {
    let r = ::happens::model::Builder::new().explore(f);
    if let Some(fl) = &r.failure {
        panic!("happens found a failure:\n{fl}");
    }
    Run {
        executions: r.executions,
        time: r.elapsed,
        finished: r.complete,
        gave_up: None,
        blocked: r.blocked,
    }
}

fn secs(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{:.2} ms", d.as_secs_f64() * 1e3)
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

fn show(r: &Run) -> (String, String) {
    if let Some(why) = &r.gave_up {
        return (format!("{} (stopped: {why})", r.executions), secs(r.time));
    }
    if r.finished {
        let blocked = if r.blocked > 0 {
            format!(" (+{} blocked)", r.blocked)
        } else {
            String::new()
        };
        (format!("{}{blocked}", r.executions), secs(r.time))
    } else {
        (
            format!(">{} (did not finish)", r.executions),
            format!(">{:.0} s", r.time.as_secs_f64()),
        )
    }
}

fn main() {
    // loom prints its own panics; the table says what happened
    std::panic::set_hook(Box::new(|_| {}));
    let cap = Duration::from_secs(
        std::env::var("LOOM_CAP_SECS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(300),
    );
    let programs: [Program; 11] = [
        (
            "spin-lock mutex, 2 threads",
            || loom::spin_mutex(2),
            || happens::spin_mutex(2),
        ),
        (
            "spin-lock mutex, 3 threads",
            || loom::spin_mutex(3),
            || happens::spin_mutex(3),
        ),
        ("lazy init (AtomicPtr)", loom::lazy_init, happens::lazy_init),
        ("SeqCst z", loom::seq_cst_z, happens::seq_cst_z),
        (
            "message passing",
            loom::message_passing,
            happens::message_passing,
        ),
        ("Mutex, 2 threads", || loom::mutex(2), || happens::mutex(2)),
        ("Mutex, 3 threads", || loom::mutex(3), || happens::mutex(3)),
        ("Mutex, 4 threads", || loom::mutex(4), || happens::mutex(4)),
        (
            "mpsc ping-pong",
            loom::channel_ping_pong,
            happens::channel_ping_pong,
        ),
        (
            "mpsc, 2 senders x 3",
            loom::channel_two_senders,
            happens::channel_two_senders,
        ),
        ("Condvar handshake", loom::condvar, happens::condvar),
    ];
    println!("| program | loom executions | loom time | happens executions | happens time |");
    println!("|---|---:|---:|---:|---:|");
    for (name, l, h) in programs {
        let hr = under_happens(h);
        let lr = under_loom(l, cap);
        let (le, lt) = show(&lr);
        let (he, ht) = show(&hr);
        println!("| {name} | {le} | {lt} | {he} | {ht} |");
    }
}
