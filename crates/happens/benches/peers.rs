//! The programs issue 20 compares with GenMC's defaults, as a table of
//! complete and blocked executions and wall time per program (one worker,
//! so the time is one core's), with symmetry reduction (the default) and
//! without (GenMC's `-disable-sr`). `cargo bench -p happens --bench peers`;
//! GenMC's side is `genmc -DN=<n> <twin>.c` on the C twins in
//! `tests/genmc/`, and both sides are in the README's table.

use std::time::Instant;

use happens::cell::UnsafeCell;
use happens::model::Builder;
use happens::sync::atomic::{AtomicBool, AtomicUsize, Ordering::*};
use happens::sync::{mpsc, Arc};
use happens::thread;

/// The seed notes' spin mutex, shared through an `Arc` (as
/// `tests/seeds.rs` and `tests/genmc/A2_spin_mutex_arc.c`).
struct SpinMutex {
    locked: AtomicBool,
    v: UnsafeCell<usize>,
}

unsafe impl Sync for SpinMutex {}

impl SpinMutex {
    fn with_lock(&self, f: impl FnOnce(&mut usize)) {
        while self
            .locked
            .compare_exchange_weak(false, true, Acquire, Relaxed)
            .is_err()
        {
            while self.locked.load(Relaxed) {}
        }
        self.v.with_mut(|v| f(unsafe { &mut *v }));
        self.locked.store(false, Release);
    }

    /// The same with a strong exchange: what GenMC runs for the twin's
    /// weak one (it never fails an exchange spuriously).
    fn with_strong_lock(&self, f: impl FnOnce(&mut usize)) {
        while self
            .locked
            .compare_exchange(false, true, Acquire, Relaxed)
            .is_err()
        {
            while self.locked.load(Relaxed) {}
        }
        self.v.with_mut(|v| f(unsafe { &mut *v }));
        self.locked.store(false, Release);
    }
}

/// `n` threads take the seed mutex once each (with a strong exchange when
/// `strong`).
fn seed_mutex(n: usize, strong: bool) {
    let l = Arc::new(SpinMutex {
        locked: AtomicBool::new(false),
        v: UnsafeCell::new(0),
    });
    let hs: Vec<_> = (0..n)
        .map(|_| {
            let l = l.clone();
            thread::spawn(move || {
                if strong {
                    l.with_strong_lock(|v| *v += 1)
                } else {
                    l.with_lock(|v| *v += 1)
                }
            })
        })
        .collect();
    for h in hs {
        h.join().unwrap();
    }
}

fn counters(n: usize) {
    let c = Arc::new(AtomicUsize::new(0));
    let hs: Vec<_> = (0..n)
        .map(|_| {
            let c = c.clone();
            thread::spawn(move || {
                c.fetch_add(1, Relaxed);
            })
        })
        .collect();
    for h in hs {
        h.join().unwrap();
    }
}

fn two_senders() {
    let (tx, rx) = mpsc::channel();
    let tx2 = tx.clone();
    let a = thread::spawn(move || {
        for i in 0..3 {
            tx.send(i).unwrap();
        }
    });
    let b = thread::spawn(move || {
        for i in 10..13 {
            tx2.send(i).unwrap();
        }
    });
    for _ in 0..6 {
        rx.recv().unwrap();
    }
    a.join().unwrap();
    b.join().unwrap();
}

fn row(name: &str, f: impl Fn() + Sync + Send + Clone + 'static) {
    let mut cells = Vec::new();
    for symmetry in [true, false] {
        let mut b = Builder::new();
        b.workers(1).symmetry(symmetry);
        let start = Instant::now();
        let r = b.explore(f.clone());
        let secs = start.elapsed().as_secs_f64();
        assert!(r.failure.is_none(), "{r}");
        cells.push(format!("{} / {} / {secs:.2} s", r.executions, r.blocked));
    }
    println!("| {name} | {} | {} |", cells[0], cells[1]);
}

/// `n` threads each add 1 to a leaked counter (no `Arc` count).
fn leaked_counter(n: usize) {
    let c: &'static AtomicUsize = Box::leak(Box::new(AtomicUsize::new(0)));
    let hs: Vec<_> = (0..n)
        .map(|_| {
            thread::spawn(move || {
                c.fetch_add(1, Relaxed);
            })
        })
        .collect();
    for h in hs {
        h.join().unwrap();
    }
}

fn main() {
    println!("| program | complete / blocked / time | without symmetry |");
    println!("|---|---|---|");
    for n in 2..=5 {
        row(&format!("seed mutex in an `Arc`, {n} threads"), move || {
            seed_mutex(n, false)
        });
    }
    for n in 2..=5 {
        row(
            &format!("seed mutex with `compare_exchange`, {n} threads"),
            move || seed_mutex(n, true),
        );
    }
    for n in 2..=5 {
        row(&format!("{n} threads, one `fetch_add` each"), move || {
            counters(n)
        });
    }
    for n in [4, 6] {
        row(
            &format!("{n} threads, one `fetch_add` each, leaked counter"),
            move || leaked_counter(n),
        );
    }
    row("two `mpsc` senders × 3 messages", two_senders);
}
