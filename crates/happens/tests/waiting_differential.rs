//! The waiting rule hides nothing: on generated programs whose loops are
//! all bounded (so that every round can be explored), the final states and
//! the failures found with the rule on are exactly those found with it off.
//!
//! Each thread runs a few blocks picked from shapes people write: a
//! `for` loop reading one location at one call site with its counter in a
//! register, an array, a `Vec` or a `Box`; stores and `fetch_add`s; a
//! bounded poll of a `Mutex`-guarded value; a compare-exchange retried a
//! bounded number of times with the value it read. What a thread read is
//! its part of the final state.
//!
//! The old rule ("a repeated read reads what the first read", with no
//! look at the thread's state) fails this test: with `refute` in
//! `rt/mod.rs` made to do nothing, dozens of the programs lose states.

mod common;

use std::collections::BTreeSet;
use std::sync::atomic::Ordering::*;

use common::Rng;
use happens::model::Builder;
use happens::sync::atomic::AtomicUsize;
use happens::sync::Mutex;
use happens::thread;

#[derive(Clone, Copy, Debug)]
enum Counter {
    Register,
    Array,
    Vec,
    Boxed,
}

#[derive(Clone, Copy, Debug)]
enum Block {
    /// Read `x[loc]` `n` times at one call site.
    Reads {
        loc: usize,
        n: usize,
        counter: Counter,
    },
    Store {
        loc: usize,
        val: usize,
    },
    FetchAdd {
        loc: usize,
    },
    /// Poll the mutex at most `n` times, until it is not 0.
    Poll {
        n: usize,
    },
    /// Add one under the mutex.
    Locked,
    /// Try at most `n` times to move `x[loc]` one up.
    CasRetry {
        loc: usize,
        n: usize,
    },
}

/// A small deterministic generator (xorshift64*).
fn block(rng: &mut Rng) -> Block {
    let loc = rng.below(2);
    match rng.below(8) {
        0..=2 => Block::Reads {
            loc,
            n: 2 + rng.below(2),
            counter: [
                Counter::Register,
                Counter::Array,
                Counter::Vec,
                Counter::Boxed,
            ][rng.below(4)],
        },
        3 => Block::Store {
            loc,
            val: 1 + rng.below(2),
        },
        4 => Block::FetchAdd { loc },
        5 => Block::Poll {
            n: 2 + rng.below(2),
        },
        6 => Block::Locked,
        _ => Block::CasRetry {
            loc,
            n: 2 + rng.below(2),
        },
    }
}

fn program(seed: u64) -> Vec<Vec<Block>> {
    let mut rng = Rng::new(seed);
    let threads = 2 + (rng.below(4) == 0) as usize;
    (0..threads)
        .map(|_| (0..1 + rng.below(2)).map(|_| block(&mut rng)).collect())
        .collect()
}

/// Runs one thread's blocks; what it read, in order.
fn run(blocks: &[Block], x: &[AtomicUsize; 2], m: &Mutex<usize>) -> Vec<usize> {
    let mut seen = Vec::new();
    for &b in blocks {
        match b {
            Block::Reads { loc, n, counter } => match counter {
                Counter::Register => {
                    for _ in 0..n {
                        seen.push(x[loc].load(Acquire));
                    }
                }
                Counter::Array => {
                    let mut a = [usize::MAX; 3];
                    for v in a.iter_mut().take(n) {
                        *v = x[loc].load(Acquire);
                    }
                    seen.extend(a.iter().take(n));
                }
                Counter::Vec => {
                    let mut v = Vec::new();
                    while v.len() < n {
                        v.push(x[loc].load(Acquire));
                    }
                    seen.extend(v);
                }
                Counter::Boxed => {
                    let mut i = Box::new(0);
                    let mut sum = Box::new(0);
                    while *i < n {
                        *i += 1;
                        *sum = *sum * 4 + x[loc].load(Acquire);
                    }
                    seen.push(*sum);
                }
            },
            Block::Store { loc, val } => x[loc].store(val, Release),
            Block::FetchAdd { loc } => {
                x[loc].fetch_add(1, AcqRel);
            }
            Block::Poll { n } => {
                for _ in 0..n {
                    let v = *m.lock().unwrap();
                    seen.push(v);
                    if v != 0 {
                        break;
                    }
                }
            }
            Block::Locked => *m.lock().unwrap() += 1,
            Block::CasRetry { loc, n } => {
                let mut cur = x[loc].load(Relaxed);
                for _ in 0..n {
                    match x[loc].compare_exchange(cur, cur + 1, AcqRel, Acquire) {
                        Ok(_) => {
                            seen.push(100 + cur);
                            break;
                        }
                        Err(v) => {
                            seen.push(v);
                            cur = v;
                        }
                    }
                }
            }
        }
    }
    seen
}

type State = (Vec<Vec<usize>>, [usize; 2], usize);

/// The final states of the program, and the failure found (its kind), with
/// the waiting rule on or off; `bad` makes a final state equal to it fail.
fn explore(
    threads: &[Vec<Block>],
    waiting: bool,
    bad: Option<State>,
) -> (BTreeSet<State>, Option<&'static str>) {
    let seen = std::sync::Arc::new(std::sync::Mutex::new(BTreeSet::new()));
    let (s2, spec) = (seen.clone(), threads.to_vec());
    // the failures here are only counted: no diagram is drawn
    let r = Builder::new()
        .waiting(waiting)
        .diagram(false)
        .explore(move || {
            let x = [AtomicUsize::new(0), AtomicUsize::new(0)];
            let m = Mutex::new(0);
            let reads = thread::scope(|s| {
                let hs: Vec<_> = spec[1..]
                    .iter()
                    .map(|b| s.spawn(|| run(b, &x, &m)))
                    .collect();
                let mut all = vec![run(&spec[0], &x, &m)];
                all.extend(hs.into_iter().map(|h| h.join().unwrap()));
                all
            });
            let state: State = (
                reads,
                [x[0].load(Relaxed), x[1].load(Relaxed)],
                *m.lock().unwrap(),
            );
            s2.lock().unwrap().insert(state.clone());
            assert!(Some(&state) != bad.as_ref(), "reached the bad state");
        });
    assert!(r.complete || r.failure.is_some(), "{r}");
    let states = seen.lock().unwrap().clone();
    (states, r.failure.as_ref().map(|f| f.kind_name()))
}

#[test]
fn generated_bounded_loops_reach_the_same_states_with_waiting_on_and_off() {
    let mut compared = 0;
    for seed in 0..300 {
        let p = program(seed);
        let (on, f_on) = explore(&p, true, None);
        let (off, f_off) = explore(&p, false, None);
        assert_eq!(f_on, None, "program {seed}: {p:?}");
        assert_eq!(f_off, None, "program {seed}: {p:?}");
        assert_eq!(on, off, "program {seed}: {p:?}");
        // every state is a failure found both ways: the last one in order
        // (the most rounds read something new), as an assertion
        let bad = off.iter().next_back().cloned();
        let (_, f_on) = explore(&p, true, bad.clone());
        let (_, f_off) = explore(&p, false, bad);
        assert_eq!(
            (f_on, f_off),
            (Some("panic"), Some("panic")),
            "program {seed}: {p:?}"
        );
        compared += 1;
    }
    assert_eq!(compared, 300);
}
