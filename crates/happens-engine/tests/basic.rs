//! The engine on classic litmus shapes, written as instruction lists. Each
//! test states the exact set of outcomes and the exact number of executions
//! (the same figures herd7 gives for the corresponding C11 tests in
//! ../shared/litmus/c11/classic).

mod common;

use std::collections::{BTreeSet, HashSet};

use common::{Prog, I};
use happens_engine::*;

type Outcome = (Vec<Vec<u64>>, Vec<u64>);

fn explore<M: Model>(m: M, p: &mut Prog) -> (BTreeSet<Outcome>, Stats) {
    let mut ex = Explorer::new(
        m,
        Config {
            check_full: true,
            ..Config::default()
        },
    );
    let mut outs = BTreeSet::new();
    let mut seen = HashSet::new();
    let stats = ex.run(p, |e, p| {
        assert_eq!(*e.status, Status::Complete, "{:?}", e.status);
        e.graph.debug_validate();
        let fp = format!("{:?}", fingerprint(e.graph));
        assert!(seen.insert(fp), "graph visited twice");
        let mem = p.ids.iter().map(|&l| e.graph.final_value(l)).collect();
        outs.insert((p.regs.clone(), mem));
        Control::Continue
    });
    (outs, stats)
}

fn fingerprint(g: &Graph) -> Vec<(EventId, EventId)> {
    let mut v = vec![];
    for (e, ev) in g.events() {
        if let EventKind::Read(r) = ev.kind {
            v.push((e, r.rf));
        }
    }
    for (_, l) in g.locations() {
        for w in l.co.windows(2) {
            v.push((w[0], w[1]));
        }
    }
    v
}

use LoadOrd as L;
use StoreOrd as S;
use I::*;

#[test]
fn sb_relaxed_rc11_and_sc() {
    let t = vec![
        vec![St(0, 1, S::Relaxed), Ld(1, L::Relaxed)],
        vec![St(1, 1, S::Relaxed), Ld(0, L::Relaxed)],
    ];
    let (o, s) = explore(Rc11, &mut Prog::new(&[0, 0], t.clone()));
    assert_eq!(s.complete, 4);
    let regs: BTreeSet<_> = o.iter().map(|(r, _)| r.clone()).collect();
    assert_eq!(regs.len(), 4);
    let (o, s) = explore(Sc, &mut Prog::new(&[0, 0], t));
    assert_eq!(s.complete, 3);
    assert!(!o.iter().any(|(r, _)| r == &vec![vec![0], vec![0]]));
}

#[test]
fn sb_seqcst_forbids_00() {
    let t = vec![
        vec![St(0, 1, S::SeqCst), Ld(1, L::SeqCst)],
        vec![St(1, 1, S::SeqCst), Ld(0, L::SeqCst)],
    ];
    let (o, s) = explore(Rc11, &mut Prog::new(&[0, 0], t));
    assert_eq!(s.complete, 3);
    assert!(!o.iter().any(|(r, _)| r == &vec![vec![0], vec![0]]));
}

#[test]
fn sb_sc_fences_forbid_00() {
    let t = vec![
        vec![St(0, 1, S::Relaxed), F(FenceOrd::SeqCst), Ld(1, L::Relaxed)],
        vec![St(1, 1, S::Relaxed), F(FenceOrd::SeqCst), Ld(0, L::Relaxed)],
    ];
    let (o, s) = explore(Rc11, &mut Prog::new(&[0, 0], t));
    assert_eq!(s.complete, 3);
    assert!(!o.iter().any(|(r, _)| r == &vec![vec![0], vec![0]]));
}

#[test]
fn mp_release_acquire() {
    let t = vec![
        vec![St(0, 1, S::Relaxed), St(1, 1, S::Release)],
        vec![Ld(1, L::Acquire), Ld(0, L::Relaxed)],
    ];
    let (o, s) = explore(Rc11, &mut Prog::new(&[0, 0], t));
    assert_eq!(s.complete, 3);
    assert!(!o.iter().any(|(r, _)| r[1] == vec![1, 0]));
    let t = vec![
        vec![St(0, 1, S::Relaxed), St(1, 1, S::Relaxed)],
        vec![Ld(1, L::Relaxed), Ld(0, L::Relaxed)],
    ];
    let (o, s) = explore(Rc11, &mut Prog::new(&[0, 0], t));
    assert_eq!(s.complete, 4);
    assert!(o.iter().any(|(r, _)| r[1] == vec![1, 0]));
}

#[test]
fn lb_relaxed_is_not_allowed_in_rc11() {
    let t = vec![
        vec![Ld(0, L::Relaxed), St(1, 1, S::Relaxed)],
        vec![Ld(1, L::Relaxed), St(0, 1, S::Relaxed)],
    ];
    let (o, s) = explore(Rc11, &mut Prog::new(&[0, 0], t));
    assert_eq!(s.complete, 3);
    assert!(!o.iter().any(|(r, _)| r == &vec![vec![1], vec![1]]));
}

#[test]
fn iriw_sc_15() {
    let t = vec![
        vec![St(0, 1, S::SeqCst)],
        vec![St(1, 1, S::SeqCst)],
        vec![Ld(0, L::SeqCst), Ld(1, L::SeqCst)],
        vec![Ld(1, L::SeqCst), Ld(0, L::SeqCst)],
    ];
    let (o, s) = explore(Rc11, &mut Prog::new(&[0, 0], t));
    assert_eq!(s.complete, 15);
    assert_eq!(o.len(), 15);
}

#[test]
fn two_plus_two_w() {
    let t = vec![
        vec![St(0, 1, S::Relaxed), St(1, 2, S::Relaxed)],
        vec![St(1, 1, S::Relaxed), St(0, 2, S::Relaxed)],
    ];
    let (_, s) = explore(Rc11, &mut Prog::new(&[0, 0], t));
    assert_eq!(s.complete, 4);
}

#[test]
fn concurrent_fetch_add_is_atomic() {
    let t = vec![
        vec![Add(0, 1, RmwOrd::Relaxed)],
        vec![Add(0, 1, RmwOrd::Relaxed)],
        vec![Add(0, 1, RmwOrd::Relaxed)],
    ];
    let (o, s) = explore(Rc11, &mut Prog::new(&[0], t));
    // 3! orders of the RMWs in co, each determines all reads
    assert_eq!(s.complete, 6);
    assert!(o.iter().all(|(_, m)| m == &vec![3]));
}

/// A program run is spent only on executions: an RMW that reads a write
/// another RMW took (a dead end, kept for the revisits its write half
/// makes) is handled in the graph, without running the program again.
#[test]
fn dead_ends_cost_no_runs() {
    struct Counted(Prog, u64);
    impl Program for Counted {
        fn reset(&mut self) {
            self.1 += 1;
            self.0.reset();
        }
        fn step(&mut self, t: ThreadId, reply: Reply, made: Made) -> Issue {
            self.0.step(t, reply, made)
        }
    }
    for n in 2..=4 {
        let t = vec![vec![Add(0, 1, RmwOrd::Relaxed)]; n];
        let mut p = Counted(Prog::new(&[0], t), 0);
        let mut ex = Explorer::new(Rc11, Config::default());
        let s = ex.run(&mut p, |_, _| Control::Continue);
        let orders: u64 = (1..=n as u64).product();
        assert_eq!(s.complete, orders);
        // each time an RMW is added after k others, it may read the k
        // writes they took: 1, 7 and 45 dead ends in all, each of which
        // was a program run of its own (3, 13 and 69 runs for 2, 6 and
        // 24 executions)
        assert_eq!(s.dead_ends, [1, 7, 45][n - 2]);
        assert_eq!(p.1, orders, "one program run per execution");
    }
}

#[test]
fn cas_races() {
    let t = vec![
        vec![Cas(0, 0, 1, RmwOrd::Relaxed, L::Relaxed)],
        vec![Cas(0, 0, 2, RmwOrd::Relaxed, L::Relaxed)],
    ];
    let (o, s) = explore(Rc11, &mut Prog::new(&[0], t));
    assert_eq!(s.complete, 2);
    let mems: BTreeSet<_> = o.iter().map(|(_, m)| m.clone()).collect();
    assert_eq!(mems, [vec![1], vec![2]].into_iter().collect());
}

/// Every execution's replay key rebuilds exactly that execution.
#[test]
fn replay_keys_rebuild_each_execution() {
    let programs = vec![
        (
            vec![0, 0],
            vec![
                vec![St(0, 1, S::SeqCst)],
                vec![St(1, 1, S::SeqCst)],
                vec![Ld(0, L::SeqCst), Ld(1, L::SeqCst)],
                vec![Ld(1, L::SeqCst), Ld(0, L::SeqCst)],
            ],
        ),
        (
            vec![0],
            vec![
                vec![Add(0, 1, RmwOrd::Relaxed), Ld(0, L::Relaxed)],
                vec![Add(0, 1, RmwOrd::Relaxed)],
                vec![Cas(0, 1, 5, RmwOrd::AcqRel, L::Acquire)],
            ],
        ),
    ];
    for (locs, threads) in programs {
        let mut keys = vec![];
        let mut p = Prog::new(&locs, threads.clone());
        Explorer::new(Rc11, Config::default()).run(&mut p, |e, p| {
            keys.push((ReplayKey::of(e.graph), p.regs.clone()));
            Control::Continue
        });
        assert!(keys.len() > 5);
        for (key, regs) in keys {
            let text = key.to_string();
            let parsed = ReplayKey::parse(&text).unwrap();
            let mut p = Prog::new(&locs, threads.clone());
            let mut seen = 0;
            let stats = Explorer::new(Rc11, Config::default()).replay(&mut p, &parsed, |e, p| {
                assert_eq!(*e.status, Status::Complete, "{text}");
                assert_eq!(ReplayKey::of(e.graph), key);
                assert_eq!(p.regs, regs);
                seen += 1;
                Control::Continue
            });
            assert_eq!((seen, stats.complete), (1, 1));
        }
    }
    // a key for another program does not replay
    let mut p = Prog::new(&[0], vec![vec![Ld(0, L::Relaxed)]]);
    let key = ReplayKey::parse("h1/1.1<2.1/0.0:0.0,2.1").unwrap();
    Explorer::new(Rc11, Config::default()).replay(&mut p, &key, |e, _| {
        assert_eq!(*e.status, Status::ReplayMismatch);
        Control::Continue
    });
}

/// Sixteen threads (the clocks grow past their initial width): each stores
/// its own location and reads its neighbour's, which it may see before or
/// after the store — 2^16 executions, each seen once.
#[test]
fn sixteen_threads() {
    let n = 16;
    let t: Vec<Vec<I>> = (0..n)
        .map(|i| vec![St(i, 1, S::Relaxed), Ld((i + 1) % n, L::Relaxed)])
        .collect();
    let mut p = Prog::new(&vec![0; n], t);
    let stats = Explorer::new(Rc11, Config::default()).run(&mut p, |e, _| {
        assert_eq!(*e.status, Status::Complete);
        Control::Continue
    });
    assert_eq!(stats.complete, 1 << 16);
}

/// WWmerge (corpus `pldi17/wwmerge.litmus`): `a = x acq; b = y sc` ‖
/// `x = 1 sc; x = 2 sc` ‖ `y = 1 sc; c = x sc`. With `a = 2`, `x = 1 sc`
/// is sequenced before `x = 2`, which synchronises with the load of `a`,
/// sequenced before the load of `b`: `x = 1` strongly happens before it
/// (C++20 [intro.races]/12.3), and `b = 0, c = 0` closes an SC cycle. The
/// RC11 paper's rule needs both sequenced-before steps to change location
/// and allows it: 17 executions under `rust`, 18 under `rc11` (herd7).
#[test]
fn wwmerge_rust_17_rc11_18() {
    let t = vec![
        vec![Ld(0, L::Acquire), Ld(1, L::SeqCst)],
        vec![St(0, 1, S::SeqCst), St(0, 2, S::SeqCst)],
        vec![St(1, 1, S::SeqCst), Ld(0, L::SeqCst)],
    ];
    let merged = |o: &BTreeSet<Outcome>| {
        o.iter()
            .any(|(r, _)| r == &vec![vec![2, 0], vec![], vec![0]])
    };
    let (o, s) = explore(Rust, &mut Prog::new(&[0, 0], t.clone()));
    assert_eq!((s.complete, o.len()), (17, 17));
    assert!(!merged(&o));
    let (o, s) = explore(Rc11, &mut Prog::new(&[0, 0], t));
    assert_eq!((s.complete, o.len()), (18, 18));
    assert!(merged(&o));
}

/// Z6.U (corpus `pldi17/z6.u.litmus`): `x = 1 sc; y = 1 rel` ‖
/// `b = fetch_add(y, 1) sc; c = y rlx` ‖ `y = 3 sc; a = x sc`. An RMW is one
/// evaluation, so `x = 1` does not strongly happen before the fetch_add's
/// write half (nothing is sequenced between its read and its write): herd's
/// `rust.cat` allows all 24 executions, among them `b = 1, c = 3, a = 0`. A
/// rule that took `po` between the two halves as a sequenced-before step
/// (GenMC's) would forbid 2.
#[test]
fn z6u_rmw_is_one_evaluation() {
    let t = vec![
        vec![St(0, 1, S::SeqCst), St(1, 1, S::Release)],
        vec![Add(1, 1, RmwOrd::SeqCst), Ld(1, L::Relaxed)],
        vec![St(1, 3, S::SeqCst), Ld(0, L::SeqCst)],
    ];
    for (o, s) in [
        explore(Rust, &mut Prog::new(&[0, 0], t.clone())),
        explore(Rc11, &mut Prog::new(&[0, 0], t.clone())),
    ] {
        assert_eq!(s.complete, 24);
        assert!(o
            .iter()
            .any(|(r, _)| r == &vec![vec![], vec![1, 3], vec![0]]));
    }
}
