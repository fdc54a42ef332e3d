//! Going on hides nothing it claims to see: on generated programs whose
//! threads wait in *unbounded* loops with an effect of their own in the
//! loop's body (a flag set, a flag in a `Box`, a count that stops at 2, a
//! weak compare-exchange's retries noted), the final states and failures
//! found with the waiting rule on are those of the same program with every
//! loop cut at 4 rounds and the rule off (an execution whose loop ran out
//! of rounds is left out: it is a prefix of one that goes on). The effects
//! stop changing after 2 rounds, so 4 rounds reach every state.
//!
//! With `GoingOn::Exhaustive` the sets are equal. With the default,
//! `GoingOn::OneSchedule`, nothing extra is ever reported (every state it
//! gives is reachable); what it misses (a thread's read made before the
//! waiter went on never sees the waiter's later writes, see "Waiting loops"
//! in the crate docs) is pinned here exactly, and in every program where
//! it misses a state the report says that executions went on and ran in
//! one schedule (`Report::one_schedule`): the checker is never silent
//! about what it left out.
//!
//! Each waited location is written once, with 1, by a thread that does not
//! wait. Threads are spawned in a loop over an `Arc`, three or four of them
//! with main.

mod common;

use std::collections::BTreeSet;
use std::sync::atomic::Ordering::*;
use std::sync::Arc;

use common::Rng;
use happens::model::{Builder, GoingOn};
use happens::sync::atomic::AtomicUsize;
use happens::thread;

/// What a waiting loop's body does besides going round.
#[derive(Clone, Copy, Debug)]
enum Effect {
    /// `waited = true` in a local.
    Flag,
    /// `*waited = true` in a `Box`.
    Boxed,
    /// A count of rounds that stops at 2.
    Count,
    /// The loop is a weak compare-exchange from 0 to the value seen plus
    /// 10, retried (no hint) while the value is 0 or the exchange fails;
    /// `retried = true` on every failure.
    WeakRetry,
}

#[derive(Clone, Copy, Debug)]
enum Block {
    /// Wait until `x[loc]` is not 0.
    Wait { loc: usize, effect: Effect },
    /// Store 1 to `x[loc]`.
    Store { loc: usize },
    /// Read `x[loc]` once.
    Read { loc: usize },
    /// `fetch_add(1)` on the other location `x[2]`.
    Count,
}

/// Main and 2 or 3 spawned threads. Waiters only wait and read; every
/// waited location is stored once by a thread that does not wait.
fn program(seed: u64) -> Vec<Vec<Block>> {
    let mut rng = Rng::new(seed);
    let threads = 3 + rng.below(2);
    // thread 0 (main) waits; one or two spawned threads store
    let storers = 1 + rng.below(2).min(threads - 2);
    let mut p = vec![Vec::new(); threads];
    let waiters = threads - storers;
    let mut stored = [false; 2];
    for blocks in p.iter_mut().take(waiters) {
        for _ in 0..1 + rng.below(2) {
            let loc = rng.below(2);
            blocks.push(if rng.below(3) == 0 {
                Block::Read { loc }
            } else {
                stored[loc] = true;
                let effect = [
                    Effect::Flag,
                    Effect::Boxed,
                    Effect::Count,
                    Effect::WeakRetry,
                ][rng.below(4)];
                Block::Wait { loc, effect }
            });
        }
    }
    for (loc, &waited_on) in stored.iter().enumerate() {
        if waited_on || rng.below(2) == 0 {
            p[waiters + rng.below(storers)].push(Block::Store { loc });
        }
    }
    for blocks in p.iter_mut().skip(waiters) {
        if rng.below(2) == 0 {
            blocks.insert(0, Block::Count);
        }
        if rng.below(2) == 0 {
            blocks.push(Block::Read { loc: rng.below(2) });
        }
    }
    p
}

/// `while $cond { $body }`, as written when `$rounds` is `None` (no count
/// of rounds in the loop: that would make every round differ), else cut
/// at that many rounds, returning `None` from the thread.
macro_rules! spin {
    ($rounds:expr, $cond:expr, $body:block) => {
        match $rounds {
            None => {
                while $cond $body
            }
            Some(n) => {
                let mut r = 0;
                while $cond {
                    $body
                    r += 1;
                    if r == n {
                        return None;
                    }
                }
            }
        }
    };
}

/// Runs one thread's blocks: what it saw, or `None` when a loop ran out of
/// its `rounds` (`None`: unbounded).
fn run(blocks: &[Block], x: &[AtomicUsize; 3], rounds: Option<usize>) -> Option<Vec<usize>> {
    let mut seen = Vec::new();
    for &b in blocks {
        match b {
            Block::Wait { loc, effect } => {
                let note = match effect {
                    Effect::Flag => {
                        let mut waited = false;
                        spin!(rounds, x[loc].load(Acquire) == 0, {
                            waited = true;
                        });
                        waited as usize
                    }
                    Effect::Boxed => {
                        let mut waited = Box::new(false);
                        spin!(rounds, x[loc].load(Acquire) == 0, {
                            *waited = true;
                        });
                        *waited as usize
                    }
                    Effect::Count => {
                        let mut count = 0;
                        spin!(rounds, x[loc].load(Acquire) == 0, {
                            if count < 2 {
                                count += 1;
                            }
                        });
                        count
                    }
                    Effect::WeakRetry => {
                        let mut retried = false;
                        let mut cur = x[loc].load(Acquire);
                        spin!(
                            rounds,
                            cur == 0
                                || match x[loc].compare_exchange_weak(
                                    cur,
                                    cur + 10,
                                    AcqRel,
                                    Acquire
                                ) {
                                    Ok(_) => false,
                                    Err(now) => {
                                        cur = now;
                                        retried = true;
                                        true
                                    }
                                },
                            {
                                if cur == 0 {
                                    cur = x[loc].load(Acquire);
                                }
                            }
                        );
                        retried as usize
                    }
                };
                seen.push(x[loc].load(Relaxed));
                seen.push(note);
            }
            Block::Store { loc } => x[loc].store(1, Release),
            Block::Read { loc } => seen.push(x[loc].load(Acquire)),
            Block::Count => {
                x[2].fetch_add(1, Relaxed);
            }
        }
    }
    Some(seen)
}

type State = Vec<Vec<usize>>;

/// The final states and the failure found (its kind): the rule on with
/// unbounded loops, or off with loops cut at 4 rounds; `bad` makes a final
/// state equal to it fail.
fn explore(
    p: &[Vec<Block>],
    on: Option<GoingOn>,
    bad: Option<State>,
) -> (BTreeSet<State>, Option<&'static str>, u64) {
    let seen = Arc::new(std::sync::Mutex::new(BTreeSet::new()));
    let (s2, spec) = (seen.clone(), p.to_vec());
    let mut b = Builder::new();
    b.waiting(on.is_some()).diagram(false);
    if let Some(g) = on {
        b.going_on = g;
    }
    let rounds = if on.is_some() { None } else { Some(4) };
    let r = b.explore(move || {
        let x = Arc::new([
            AtomicUsize::new(0),
            AtomicUsize::new(0),
            AtomicUsize::new(0),
        ]);
        let handles: Vec<_> = spec[1..]
            .iter()
            .map(|blocks| {
                let (x, blocks) = (x.clone(), blocks.clone());
                thread::spawn(move || run(&blocks, &x, rounds))
            })
            .collect();
        let mut all = vec![run(&spec[0], &x, rounds)];
        all.extend(handles.into_iter().map(|h| h.join().unwrap()));
        let Some(mut state) = all.into_iter().collect::<Option<State>>() else {
            return;
        };
        state.push(vec![x[2].load(Relaxed)]);
        s2.lock().unwrap().insert(state.clone());
        assert!(Some(&state) != bad.as_ref(), "reached the bad state");
    });
    assert!(r.complete || r.failure.is_some(), "{r}");
    let states = seen.lock().unwrap().clone();
    (
        states,
        r.failure.as_ref().map(|f| f.kind_name()),
        r.one_schedule,
    )
}

const PROGRAMS: u64 = 200;

#[test]
fn waits_with_effects_reach_the_states_of_loops_cut_at_four_rounds() {
    let (mut missed, mut missing) = (0, 0);
    for seed in 0..PROGRAMS {
        let p = program(seed);
        let (off, f_off, _) = explore(&p, None, None);
        assert_eq!(f_off, None, "program {seed}: {p:?}");
        let (all, f_all, said) = explore(&p, Some(GoingOn::Exhaustive), None);
        assert_eq!((f_all, said), (None, 0), "program {seed}: {p:?}");
        assert_eq!(all, off, "program {seed}: {p:?}");
        let (once, f_once, said) = explore(&p, Some(GoingOn::OneSchedule), None);
        assert_eq!(f_once, None, "program {seed}: {p:?}");
        assert!(once.is_subset(&off), "program {seed}: {p:?}");
        if once != off {
            assert!(said > 0, "program {seed}: missed states unsaid: {p:?}");
            missed += 1;
            missing += off.difference(&once).count();
        }
        // a failure in the state reached last in order is found both ways
        let bad = off.iter().next_back().cloned();
        let (_, f_off, _) = explore(&p, None, bad.clone());
        let (_, f_all, _) = explore(&p, Some(GoingOn::Exhaustive), bad);
        assert_eq!(
            (f_off, f_all),
            (Some("panic"), Some("panic")),
            "program {seed}: {p:?}"
        );
    }
    // what one schedule leaves out: reads made before a waiter went on
    assert_eq!(
        (missing, missed),
        (4_097, 79),
        "states one schedule missed, in how many programs"
    );
}
