//! `Op::Await`, the blocking primitives' step, on lock and flag programs:
//! exact counts of complete executions (GenMC's, for the C twins with
//! `pthread_mutex_t` in `crates/happens/tests/genmc/B*.c`), every complete
//! graph visited once (checked by fingerprint), every one consistent
//! (`check_full`), and the outcome sets.

mod common;

use std::collections::{BTreeSet, HashSet};

use common::{Prog, I};
use happens_engine::*;
use I::*;

struct Explored {
    complete: u64,
    blocked: u64,
    outcomes: BTreeSet<Vec<Vec<u64>>>,
}

fn explore(p: &mut Prog) -> Explored {
    let mut ex = Explorer::new(
        Rust,
        Config {
            check_full: true,
            ..Config::default()
        },
    );
    let mut outcomes = BTreeSet::new();
    let mut seen = HashSet::new();
    let stats = ex.run(p, |e, p| {
        match e.status {
            Status::Complete => {
                let key = ReplayKey::of(e.graph).to_string();
                assert!(seen.insert(key), "a complete graph visited twice");
                outcomes.insert(p.regs.clone());
            }
            Status::Blocked { .. } => {}
            s => panic!("unexpected status {s:?}"),
        }
        Control::Continue
    });
    Explored {
        complete: stats.complete,
        blocked: stats.blocked,
        outcomes,
    }
}

/// N threads each take a lock, read and write a counter under it, and
/// release it: N! lock orders, each thread reads the number of threads
/// before it. Nothing is lost or counted twice, so the counter ends at N.
/// No execution is blocked: a thread whose take a revisit made fail
/// (another took the lock first) tries again when the lock is free, so
/// the order "B, then A" is one complete execution where A's first try
/// read B's take and its second B's release.
#[test]
fn lock_orders() {
    for (n, blocked) in [(2, 0), (3, 0), (4, 0)] {
        let thread = |i: u64| {
            vec![
                Lock(0),
                Ld(1, LoadOrd::Relaxed),
                St(1, i, StoreOrd::Relaxed),
                Unlock(0),
            ]
        };
        // each thread writes its own id + 10 so that the order shows
        let mut p = Prog::new(&[0, 0], (0..n).map(|i| thread(10 + i)).collect());
        let r = explore(&mut p);
        let fact = (1..=n).product::<u64>();
        assert_eq!((r.complete, r.blocked), (fact, blocked), "{n} threads");
        // every order: the first thread reads 0, every other the id of the
        // one before it, and no two threads read the same
        assert_eq!(r.outcomes.len() as u64, fact);
        for regs in &r.outcomes {
            let reads: BTreeSet<u64> = regs.iter().map(|v| v[1]).collect();
            assert_eq!(reads.len() as u64, n, "{regs:?}");
        }
    }
}

/// Lock orders times a relaxed counter's RMW orders after the unlock:
/// 2!·2! = 4, 3!·3! = 36 and 4!·4! = 576 (GenMC, `B2_lock_then_rmw.c`).
#[test]
fn lock_then_counter() {
    for (n, want) in [(2, 4), (3, 36), (4, 576)] {
        let thread = vec![Lock(0), Unlock(0), Add(1, 1, RmwOrd::Relaxed)];
        let mut p = Prog::new(&[0, 0], vec![thread; n]);
        assert_eq!(explore(&mut p).complete, want, "{n} threads");
    }
}

/// Two locks taken one after the other in opposite orders by two threads,
/// one of them by a third, then a relaxed counter: of the 3!·2 orders of
/// the sections on `a` and on `b`, the 3 where the second thread's `a`
/// comes before the first's while its `b` comes after are a cycle with
/// program order, so 9, times the counter's 3! orders: 54, GenMC's count
/// (`crates/happens/tests/genmc/B4_two_locks.c`). None blocked: a failed
/// try is tried again.
#[test]
fn two_locks_in_opposite_orders() {
    let c = || Add(2, 1, RmwOrd::Relaxed);
    let t1 = vec![Lock(0), Unlock(0), Lock(1), Unlock(1), c()];
    let t2 = vec![Lock(1), Unlock(1), Lock(0), Unlock(0), c()];
    let t3 = vec![Lock(0), Unlock(0), c()];
    let mut p = Prog::new(&[0, 0, 0], vec![t1, t2, t3]);
    let r = explore(&mut p);
    assert_eq!((r.complete, r.blocked), (54, 0));
}

/// Three threads each take the lock twice, reading and writing a counter
/// under it: every interleaving of the six sections that keeps each
/// thread's two in order, 6!/(2!·2!·2!) = 90, GenMC's count
/// (`crates/happens/tests/genmc/B5_lock_twice.c`); none blocked, though a
/// thread's second try may fail more than once.
#[test]
fn lock_twice() {
    let section = || {
        [
            Lock(0),
            Ld(1, LoadOrd::Relaxed),
            St(1, 1, StoreOrd::Relaxed),
            Unlock(0),
        ]
    };
    let thread: Vec<I> = section().into_iter().chain(section()).collect();
    let mut p = Prog::new(&[0, 0], vec![thread; 3]);
    let r = explore(&mut p);
    assert_eq!((r.complete, r.blocked), (90, 0));
}

/// Counter RMWs before the lock: the same product (36 for 3 threads).
#[test]
fn counter_then_lock() {
    let thread = vec![Add(1, 1, RmwOrd::Relaxed), Lock(0), Unlock(0)];
    let mut p = Prog::new(&[0, 0], vec![thread; 3]);
    assert_eq!(explore(&mut p).complete, 36);
}

/// Message passing through a wait for a flag: the waiter reads the flag's
/// store (the first write it accepts) and, through it, the data. One
/// execution, none blocked: waiting is not an execution.
#[test]
fn wait_for_a_flag() {
    let t1 = vec![St(0, 42, StoreOrd::Relaxed), St(1, 1, StoreOrd::Release)];
    let t2 = vec![AwaitIs(1, 1), Ld(0, LoadOrd::Relaxed)];
    let mut p = Prog::new(&[0, 0], vec![t1, t2]);
    let r = explore(&mut p);
    assert_eq!((r.complete, r.blocked), (1, 0));
    assert_eq!(r.outcomes, BTreeSet::from([vec![vec![], vec![1, 42]]]));
}

/// A wait for a value no thread writes: one blocked execution (the
/// deadlock), no complete one.
#[test]
fn wait_forever() {
    let t1 = vec![St(1, 2, StoreOrd::Release)];
    let t2 = vec![AwaitIs(1, 1)];
    let mut p = Prog::new(&[0, 0], vec![t1, t2]);
    let r = explore(&mut p);
    assert_eq!((r.complete, r.blocked), (0, 1));
}
