//! One exploration on two OS threads reports what it reports on one.
//!
//! `Builder::workers` splits the search into pieces explored by several
//! threads (`happens_engine::explore::parallel`); the report must be the
//! sequential one: the same counts, and the same first failure, with the
//! same execution number, trace, replay key and diagram. The programs are
//! the seed notes' spin-lock mutex shared through an `Arc` by five spawned
//! threads, large enough (tens of thousands of executions) that helpers
//! start (they wait for 50 ms of exploring alone).

use std::sync::atomic::Ordering::{self, *};

use happens::cell::UnsafeCell;
use happens::model::Builder;
use happens::sync::atomic::{AtomicBool, AtomicUsize};
use happens::sync::Arc;
use happens::thread;
use happens::FailureKind;

// the seed notes' mutex with its inner read-only loop, as the notes write
// it (no hint in the loop), with Acquire/Release
struct Mutex<T> {
    locked: AtomicBool,
    v: UnsafeCell<T>,
}

unsafe impl<T> Sync for Mutex<T> where T: Send {}

impl<T> Mutex<T> {
    fn new(t: T) -> Self {
        Mutex {
            locked: AtomicBool::new(false),
            v: UnsafeCell::new(t),
        }
    }

    fn with_lock<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        while self
            .locked
            .compare_exchange_weak(false, true, Acquire, Ordering::Relaxed)
            .is_err()
        {
            while self.locked.load(Ordering::Relaxed) {}
        }
        let ret = self.v.with_mut(|v| f(unsafe { &mut *v }));
        self.locked.store(false, Release);
        ret
    }
}

/// Where thread 0 records taking the first ticket, in [`tickets`] with
/// `note_first`.
static FIRST: AtomicUsize = AtomicUsize::const_new(0);

/// `n` threads share the mutex through an `Arc`; each takes a ticket under
/// the lock. `bad` is the ticket thread 0 must not get (none: any).
fn tickets(n: usize, bad: Option<usize>, workers: usize) -> happens::Report {
    tickets_with(n, bad, workers, false)
}

/// [`tickets`]; with `note_first`, thread 0 also stores to the static
/// [`FIRST`] when it takes the first ticket.
fn tickets_with(n: usize, bad: Option<usize>, workers: usize, note_first: bool) -> happens::Report {
    let mut b = Builder::new();
    b.workers(workers);
    b.explore(move || {
        // one `Arc`: its count is an atomic, and each `Arc` adds the
        // orders of its drops as executions
        let shared = Arc::new((Mutex::new(0usize), AtomicUsize::new(0)));
        let handles: Vec<_> = (0..n)
            .map(|i| {
                let shared = shared.clone();
                thread::spawn(move || {
                    let (l, first) = &*shared;
                    let ticket = l.with_lock(|v| {
                        *v += 1;
                        *v
                    });
                    if i == 0 {
                        first.store(ticket, Relaxed);
                        if note_first && ticket == 1 {
                            FIRST.store(1, Relaxed);
                        }
                    }
                })
            })
            .collect();
        for handle in handles {
            handle.join().unwrap()
        }
        let (l, first) = &*shared;
        assert_eq!(l.with_lock(|v| *v), n);
        let ticket = first.load(Relaxed);
        assert_ne!(Some(ticket), bad, "thread 0 got ticket {ticket}");
    })
}

#[test]
fn four_threads_on_a_mutex_count_the_same_on_two_threads() {
    // GenMC, A2_spin_mutex_arc.c with N=4: 1145 complete executions (the
    // ticket store adds none: it is read once, after every join)
    let one = tickets(4, None, 1);
    let two = tickets(4, None, 2);
    for r in [&one, &two] {
        assert!(r.failure.is_none(), "{r}");
        assert!(r.complete, "{r}");
        assert_eq!(r.executions, 1145, "{r}");
    }
    assert_eq!(one.blocked, two.blocked);
    assert_eq!((one.threads, two.threads), (1, 2));
}

#[test]
fn the_first_failure_is_the_same_on_two_threads() {
    // of five threads, thread 0 taking the last ticket is found at
    // execution 3,881 (a hundred milliseconds): helpers have started
    let one = tickets(5, Some(5), 1);
    let two = tickets(5, Some(5), 2);
    let (f1, f2) = (one.failure.unwrap(), two.failure.unwrap());
    assert_eq!(f1.execution, 3881, "{f1}");
    assert!(
        matches!(&f1.kind, FailureKind::Panic { message, .. } if message.contains("thread 0 got ticket 5")),
        "{f1}"
    );
    // the same execution number, trace, replay key and diagram
    assert_eq!(f1, f2);
    assert_eq!((one.executions, one.blocked), (two.executions, two.blocked));
    assert_eq!((one.threads, two.threads), (1, 2));
}

#[test]
fn a_static_met_while_helpers_run_makes_it_start_again_on_one_thread() {
    // thread 0 takes the first ticket only after some ten thousand
    // executions, when helpers run: the exploration meets the static then,
    // and starts again knowing it, on one thread (its memory would be
    // shared); the store adds no execution (nothing reads it)
    let r = tickets_with(4, None, 2, true);
    assert!(r.failure.is_none(), "{r}");
    assert!(r.complete, "{r}");
    assert_eq!((r.executions, r.threads), (1145, 1), "{r}");
    // outside the model the static keeps its initial value
    assert_eq!(FIRST.load(Relaxed), 0);
}
