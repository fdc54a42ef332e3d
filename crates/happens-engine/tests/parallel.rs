//! Parallel exploration against the sequential one.
//!
//! The promise of `explore::parallel` is exact: the pieces' executions, in
//! key order, are the sequential exploration's executions in its order, and
//! a stop keeps exactly the executions up to the stopping one. Each test
//! compares the two lists of replay keys, one per execution, for random
//! programs (stores, loads, RMWs, compare-exchanges, fences) and for
//! programs of locks and counters (awaits, failed tries, dead ends).
//! `eager` splits after every execution, so the pieces are as small as
//! they can be and every kind of alternative is split off somewhere.

mod common;

use std::time::Duration;

use common::{random_program, Prog, Rng, I};
use happens_engine::explore::parallel::{self, End, Options, Step, Worker};
use happens_engine::*;

/// A test program and what its visitor keeps between executions.
struct On<S> {
    prog: Prog,
    state: S,
}

impl<S> Program for On<S> {
    fn reset(&mut self) {
        self.prog.reset()
    }
    fn step(&mut self, t: ThreadId, reply: Reply, made: Made) -> Issue {
        self.prog.step(t, reply, made)
    }
}

/// Records the replay key of each execution and stops at the one with
/// this key.
struct StopAt(Option<String>);

impl Worker for On<StopAt> {
    type Tally = Vec<String>;
    fn visit(&mut self, e: &Execution<'_>, tally: &mut Vec<String>) -> Step {
        let key = ReplayKey::of(e.graph).to_string();
        let stop = self.state.0.as_ref() == Some(&key);
        tally.push(key);
        if stop {
            Step::Stop
        } else {
            Step::Continue
        }
    }
}

fn sequential(locs: &[u64], threads: &[Vec<I>]) -> (Vec<String>, Stats) {
    let mut prog = Prog::new(locs, threads.to_vec());
    let mut keys = Vec::new();
    let stats = Explorer::new(ModelKind::Rust, Config::default()).run(&mut prog, |e, _| {
        keys.push(ReplayKey::of(e.graph).to_string());
        Control::Continue
    });
    (keys, stats)
}

fn parallel(
    locs: &[u64],
    threads: &[Vec<I>],
    opts: &Options,
    stop_at: Option<&String>,
) -> parallel::Outcome<Vec<String>> {
    parallel::explore(&ModelKind::Rust, &Config::default(), opts, || On {
        prog: Prog::new(locs, threads.to_vec()),
        state: StopAt(stop_at.cloned()),
    })
}

/// The three ways of running: one worker splitting after every execution,
/// three doing so, and three splitting only when one waits.
fn options() -> [Options; 3] {
    let eager = |workers| Options {
        workers,
        warmup: Duration::ZERO,
        name: None,
        eager: true,
    };
    [
        eager(1),
        eager(3),
        Options {
            eager: false,
            ..eager(3)
        },
    ]
}

fn programs() -> Vec<(Vec<u64>, Vec<Vec<I>>)> {
    let mut out = Vec::new();
    for seed in 0..120u64 {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        out.push((vec![0, 0], random_program(&mut rng, 3, 3, 2)));
    }
    // N threads taking a lock around a counter, and a waiter for a flag
    for n in 2..=4 {
        let t = vec![
            I::Lock(0),
            I::Add(1, 1, RmwOrd::Relaxed),
            I::Unlock(0),
            I::Add(1, 1, RmwOrd::AcqRel),
        ];
        out.push((vec![0, 0], vec![t; n]));
    }
    out.push((
        vec![0, 0],
        vec![
            vec![
                I::St(1, 1, StoreOrd::Relaxed),
                I::St(0, 1, StoreOrd::Release),
            ],
            vec![I::AwaitIs(0, 1), I::Ld(1, LoadOrd::Relaxed)],
            vec![I::Add(0, 1, RmwOrd::Relaxed), I::Lock(1), I::Unlock(1)],
        ],
    ));
    out
}

#[test]
fn pieces_in_key_order_are_the_sequential_exploration() {
    let mut split = [0usize; 3];
    for (i, (locs, threads)) in programs().iter().enumerate() {
        let (want, stats) = sequential(locs, threads);
        for (o, opts) in options().iter().enumerate() {
            let got = parallel(locs, threads, opts, None);
            assert_eq!(got.end, End::Complete);
            let keys: Vec<String> = got.tallies.concat();
            assert_eq!(keys, want, "program {i} with {opts:?}: {threads:?}");
            assert_eq!(
                (got.stats.complete, got.stats.blocked, got.stats.dead_ends),
                (stats.complete, stats.blocked, stats.dead_ends),
                "program {i} with {opts:?}"
            );
            split[o] += got.pieces - 1;
        }
    }
    // eager splitting makes a piece of nearly every alternative
    assert!(split[0] > 2000 && split[1] > 2000, "splits: {split:?}");
}

#[test]
fn a_stop_keeps_every_execution_before_it_and_none_after() {
    for (i, (locs, threads)) in programs().iter().enumerate().step_by(3) {
        let (all, _) = sequential(locs, threads);
        for at in [0, all.len() / 2, all.len() - 1] {
            for opts in &options() {
                let got = parallel(locs, threads, opts, Some(&all[at]));
                assert_eq!(got.end, End::Stopped);
                let keys: Vec<String> = got.tallies.concat();
                assert_eq!(keys, all[..=at], "program {i}, stop at {at}, {opts:?}");
            }
        }
    }
}

/// Halts after the first execution.
struct Halts;

impl Worker for On<Halts> {
    type Tally = u64;
    fn visit(&mut self, _: &Execution<'_>, n: &mut u64) -> Step {
        *n += 1;
        Step::Halt
    }
}

#[test]
fn a_halt_stops_every_worker() {
    let t = vec![I::Lock(0), I::Add(1, 1, RmwOrd::Relaxed), I::Unlock(0)];
    let threads = vec![t; 4];
    for opts in &options() {
        let got = parallel::explore(&ModelKind::Rust, &Config::default(), opts, || On {
            prog: Prog::new(&[0, 0], threads.clone()),
            state: Halts,
        });
        assert_eq!(got.end, End::Halted);
        // the first execution halts before anything is split off, so no
        // other worker ever has a piece
        let n: u64 = got.tallies.iter().sum();
        assert_eq!((n, got.pieces), (1, 1), "{opts:?}");
    }
}

/// Panics at the fifth execution its worker visits (it counts them).
struct Panics(u32);

impl Worker for On<Panics> {
    type Tally = u64;
    fn visit(&mut self, _: &Execution<'_>, n: &mut u64) -> Step {
        *n += 1;
        self.state.0 += 1;
        assert!(self.state.0 != 5, "the visitor's panic");
        Step::Continue
    }
}

#[test]
fn a_panicking_worker_stops_the_others_and_the_panic_is_passed_on() {
    let t = vec![I::Lock(0), I::Add(1, 1, RmwOrd::Relaxed), I::Unlock(0)];
    let threads = vec![t; 4];
    for opts in &options()[1..] {
        let got = std::panic::catch_unwind(|| {
            parallel::explore(&ModelKind::Rust, &Config::default(), opts, || On {
                prog: Prog::new(&[0, 0], threads.clone()),
                state: Panics(0),
            })
        });
        let payload = got.expect_err("the panic is passed on");
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        // the scope's own message when a helper panicked
        assert!(
            message.contains("the visitor's panic") || message.contains("panicked"),
            "{message}"
        );
    }
}

/// The shards of `of`, each run as if in its own process (a fresh
/// explorer and program), their pieces merged in key order.
fn shards(locs: &[u64], threads: &[Vec<I>], of: usize, stop_at: Option<&String>) -> Vec<String> {
    let mut all: Vec<(Vec<u32>, Vec<String>)> = Vec::new();
    for shard in 0..of {
        let opts = Options {
            workers: 2,
            warmup: Duration::ZERO,
            ..Options::default()
        };
        let out = parallel::explore_shard(
            &ModelKind::Rust,
            &Config::default(),
            &opts,
            || On {
                prog: Prog::new(locs, threads.to_vec()),
                state: StopAt(stop_at.cloned()),
            },
            shard,
            of,
            4 * of,
        );
        assert_eq!(out.keys.len(), out.tallies.len());
        all.extend(out.keys.into_iter().zip(out.tallies));
    }
    all.sort_by(|a, b| a.0.cmp(&b.0));
    // every key once: the shards' pieces do not overlap
    for w in all.windows(2) {
        assert!(w[0].0 < w[1].0, "a piece in two shards");
    }
    let mut keys = Vec::new();
    for (_, t) in all {
        let stopped = stop_at.is_some_and(|s| t.contains(s));
        keys.extend(t);
        if stopped {
            break;
        }
    }
    keys
}

#[test]
fn shards_merged_in_key_order_are_the_sequential_exploration() {
    for (i, (locs, threads)) in programs().iter().enumerate() {
        let (want, _) = sequential(locs, threads);
        for of in [1, 3, 7] {
            assert_eq!(
                shards(locs, threads, of, None),
                want,
                "program {i}, {of} shards"
            );
        }
    }
}

#[test]
fn a_stop_in_a_shard_is_where_the_sequential_exploration_stops() {
    for (i, (locs, threads)) in programs().iter().enumerate().step_by(5) {
        let (all, _) = sequential(locs, threads);
        for at in [0, all.len() / 2, all.len() - 1] {
            for of in [3, 7] {
                let got = shards(locs, threads, of, Some(&all[at]));
                assert_eq!(got, all[..=at], "program {i}, stop at {at}, {of} shards");
            }
        }
    }
}
