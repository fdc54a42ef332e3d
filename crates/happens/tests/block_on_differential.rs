//! `block_on`'s task flag hides nothing: a poll that only wakes its own
//! task leaves the flag as it found it, so the waiting rule may take the
//! next poll for a repetition (`block_on` as a one-task executor, see
//! `happens::future`). On generated programs whose futures wake themselves
//! a bounded number of times (so that every poll can be explored with the
//! rule off), the results the task returns and the failures found with the
//! waiting rule on are exactly those found with it off.
//!
//! Each program: an `Arc`-shared state of an atomic and an `AtomicWaker`;
//! two or three notifier threads, spawned in a loop, each storing or
//! adding to the atomic and then waking the task; the main thread
//! `block_on`s a future that registers its waker, then either wakes itself
//! and is pending (a countdown in its own state, as tokio's `yield_now`
//! keeps its flag), or returns what it read once it saw `target`, or is
//! pending until woken.
//!
//! A `block_on` that does not take its wakeup (the flag stays set, so the
//! task polls for ever) fails this test: with the rule on, its rounds are
//! taken for waits and nothing is reported; with it off, the loop bound is
//! (seed 1). The waiting rule's own mutations (refutations dropped, every
//! round taken to leave memory as it was) do not: these futures' rounds
//! differ in their operations, which the hold sees.
#![cfg(feature = "futures")]

mod common;

use std::collections::BTreeSet;
use std::future::poll_fn;
use std::sync::atomic::Ordering::*;
use std::task::Poll;

use common::Rng;
use happens::future::{block_on, AtomicWaker};
use happens::model::Builder;
use happens::sync::atomic::AtomicUsize;
use happens::sync::Arc;
use happens::thread;

/// A small deterministic generator (xorshift64*).
#[derive(Clone, Copy, Debug)]
struct Program {
    notifiers: usize,
    /// A notifier adds (else stores its number).
    adds: bool,
    /// Self-wakes before the future looks at the atomic.
    countdown: usize,
    /// What the future waits for the atomic to be at least.
    target: usize,
}

fn program(seed: u64) -> Program {
    let mut r = Rng::new(seed);
    let notifiers = 2 + r.below(2);
    Program {
        notifiers,
        adds: r.below(2) == 0,
        countdown: r.below(3),
        target: 1 + r.below(notifiers),
    }
}

/// The results the task returned, and the failure's kind if one was found.
fn explore(p: Program, waiting: bool) -> (BTreeSet<usize>, Option<&'static str>) {
    let seen = std::sync::Arc::new(std::sync::Mutex::new(BTreeSet::new()));
    let s2 = seen.clone();
    let mut b = Builder::new();
    b.diagram(false);
    b.waiting(waiting);
    let r = b.explore(move || {
        let state = Arc::new((AtomicUsize::new(0), AtomicWaker::new()));
        let hs: Vec<_> = (1..=p.notifiers)
            .map(|id| {
                let state = state.clone();
                thread::spawn(move || {
                    if p.adds {
                        state.0.fetch_add(1, Release);
                    } else {
                        state.0.store(id, Release);
                    }
                    state.1.wake();
                })
            })
            .collect();
        let mut countdown = p.countdown;
        let got = block_on(poll_fn(|cx| {
            state.1.register_by_ref(cx.waker());
            if countdown > 0 {
                countdown -= 1;
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
            let v = state.0.load(Acquire);
            if v >= p.target {
                Poll::Ready(v)
            } else {
                Poll::Pending
            }
        }));
        for h in hs {
            h.join().unwrap();
        }
        s2.lock().unwrap().insert(got);
    });
    let failure = r.failure.map(|f| f.kind_name());
    let got = seen.lock().unwrap().clone();
    (got, failure)
}

/// Programs of the 60 that deadlock (with the rule on and off alike).
const FAILING: usize = 9;

#[test]
fn generated_self_waking_futures_return_the_same_with_waiting_on_and_off() {
    let mut failing = 0;
    for seed in 0..60 {
        let p = program(seed);
        let on = explore(p, true);
        let off = explore(p, false);
        match (on.1, off.1) {
            // the first failure ends the exploration, so only its kind
            // compares
            (Some(a), Some(b)) => {
                assert_eq!(a, b, "seed {seed}: {p:?}");
                assert!(!p.adds && a == "deadlock", "seed {seed}: {p:?}: {a}");
                failing += 1;
            }
            (None, None) => assert_eq!(on.0, off.0, "seed {seed}: {p:?}"),
            _ => panic!("seed {seed}: {p:?}: failure {:?} on, {:?} off", on.1, off.1),
        }
    }
    // the failures are the generator's own deadlocks, found both ways: a
    // notifier storing a smaller number last leaves the value below the
    // target, and the task sleeps for good
    assert_eq!(failing, FAILING);
}
