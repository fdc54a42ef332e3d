//! The explorer against brute force.
//!
//! For random straight-line programs (stores, loads, fetch_adds and fences
//! over two locations, all orderings), enumerate *every* candidate execution
//! — each read reading from any write to its location, each location's writes
//! in any order after the initial one — build each as a graph, keep those the
//! from-scratch RC11 (or SC) checker accepts, and compare with what the
//! explorer visits. The explorer must visit exactly that set, each graph
//! once: completeness, soundness and optimality in one check.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{Prog, I};
use happens_engine::*;

/// A fingerprint of a graph: every read's `rf` and every location's `co`.
type Fp = (Vec<(EventId, EventId)>, Vec<Vec<EventId>>);

fn fingerprint(g: &Graph) -> Fp {
    let mut rf = vec![];
    for (e, ev) in g.events() {
        if let EventKind::Read(r) = ev.kind {
            rf.push((e, r.rf));
        }
    }
    let co = g.locations().map(|(_, l)| l.co.clone()).collect();
    (rf, co)
}

/// Deterministic PRNG (xorshift).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn random_program(rng: &mut Rng, nthreads: usize, max_ops: usize, nlocs: usize) -> Vec<Vec<I>> {
    let lo = [
        LoadOrd::Relaxed,
        LoadOrd::Acquire,
        LoadOrd::SeqCst,
        LoadOrd::NonAtomic,
    ];
    let so = [
        StoreOrd::Relaxed,
        StoreOrd::Release,
        StoreOrd::SeqCst,
        StoreOrd::NonAtomic,
    ];
    let ro = [
        RmwOrd::Relaxed,
        RmwOrd::Acquire,
        RmwOrd::Release,
        RmwOrd::AcqRel,
        RmwOrd::SeqCst,
    ];
    let fo = [
        FenceOrd::Acquire,
        FenceOrd::Release,
        FenceOrd::AcqRel,
        FenceOrd::SeqCst,
    ];
    let mut val = 1;
    (0..nthreads)
        .map(|_| {
            let n = 1 + rng.below(max_ops);
            (0..n)
                .map(|_| match rng.below(10) {
                    0..=2 => {
                        val += 1;
                        I::St(rng.below(nlocs), val, so[rng.below(so.len())])
                    }
                    3..=6 => I::Ld(rng.below(nlocs), lo[rng.below(lo.len())]),
                    7..=8 => I::Add(rng.below(nlocs), 1, ro[rng.below(ro.len())]),
                    _ => I::F(fo[rng.below(fo.len())]),
                })
                .collect()
        })
        .collect()
}

/// The static shape of one event of a child thread.
#[derive(Clone, Copy)]
enum Shape {
    Start,
    Read(usize, LoadOrd, ReadAccess),
    Write(usize, Option<u64>, StoreOrd, WriteKind),
    Fence(FenceOrd),
    Finish,
}

fn shapes(threads: &[Vec<I>]) -> Vec<Vec<Shape>> {
    threads
        .iter()
        .map(|ops| {
            let mut v = vec![Shape::Start];
            for op in ops {
                match *op {
                    I::St(l, x, o) => v.push(Shape::Write(l, Some(x), o, WriteKind::Store)),
                    I::Ld(l, o) => v.push(Shape::Read(l, o, ReadAccess::Load)),
                    I::Add(l, x, o) => {
                        let op = RmwOp {
                            kind: RmwKind::Add,
                            operand: x,
                            width: Width::I64,
                        };
                        v.push(Shape::Read(l, o.load(), ReadAccess::Rmw { op, ord: o }));
                        v.push(Shape::Write(l, None, o.store(), WriteKind::Rmw));
                    }
                    I::F(o) => v.push(Shape::Fence(o)),
                    I::Cas(..) => unreachable!("no CAS in brute force programs"),
                }
            }
            v.push(Shape::Finish);
            v
        })
        .collect()
}

/// Every consistent graph, by enumeration.
fn brute_force(locs: &[u64], threads: &[Vec<I>], model: &dyn Model) -> BTreeSet<Fp> {
    let sh = shapes(threads);
    let nl = locs.len();
    // event ids: main thread = allocs, spawns, finish; child t+1 = shapes
    let alloc = |l: usize| EventId::new(ThreadId(0), l);
    let mut writes: Vec<Vec<EventId>> = (0..nl).map(|l| vec![alloc(l)]).collect();
    let mut reads: Vec<(EventId, usize)> = vec![];
    for (t, s) in sh.iter().enumerate() {
        for (i, e) in s.iter().enumerate() {
            let id = EventId::new(ThreadId(t as u32 + 1), i);
            match *e {
                Shape::Read(l, ..) => reads.push((id, l)),
                Shape::Write(l, ..) => writes[l].push(id),
                _ => {}
            }
        }
    }
    // all co orders per location (alloc first)
    fn perms(v: &[EventId]) -> Vec<Vec<EventId>> {
        if v.len() <= 1 {
            return vec![v.to_vec()];
        }
        let mut out = vec![];
        for i in 0..v.len() {
            let mut rest = v.to_vec();
            let x = rest.remove(i);
            for mut p in perms(&rest) {
                p.insert(0, x);
                out.push(p);
            }
        }
        out
    }
    let co_choices: Vec<Vec<Vec<EventId>>> = writes
        .iter()
        .map(|w| {
            perms(&w[1..])
                .into_iter()
                .map(|mut p| {
                    p.insert(0, w[0]);
                    p
                })
                .collect()
        })
        .collect();
    let mut out = BTreeSet::new();
    let mut rf_idx = vec![0usize; reads.len()];
    loop {
        let mut co_idx = vec![0usize; nl];
        loop {
            let rf: BTreeMap<EventId, EventId> = reads
                .iter()
                .zip(&rf_idx)
                .map(|(&(r, l), &k)| (r, writes[l][k]))
                .collect();
            let co: Vec<Vec<EventId>> = (0..nl).map(|l| co_choices[l][co_idx[l]].clone()).collect();
            if let Some(g) = build(locs, &sh, &rf, &co) {
                if model.check_full(&g).is_ok() {
                    out.insert(fingerprint(&g));
                }
            }
            // next co combination
            let mut l = 0;
            while l < nl {
                co_idx[l] += 1;
                if co_idx[l] < co_choices[l].len() {
                    break;
                }
                co_idx[l] = 0;
                l += 1;
            }
            if l == nl {
                break;
            }
        }
        let mut i = 0;
        while i < reads.len() {
            rf_idx[i] += 1;
            if rf_idx[i] < writes[reads[i].1].len() {
                break;
            }
            rf_idx[i] = 0;
            i += 1;
        }
        if i == reads.len() {
            break;
        }
    }
    out
}

/// Builds the graph with the given `rf` and `co`, pushing events in a
/// `po ∪ rf` topological order; `None` if that order does not exist.
fn build(
    locs: &[u64],
    sh: &[Vec<Shape>],
    rf: &BTreeMap<EventId, EventId>,
    co: &[Vec<EventId>],
) -> Option<Graph> {
    let mut g = Graph::new();
    let main = ThreadId(0);
    let mut loc_ids = vec![];
    for &v in locs {
        let l = g.new_loc(main);
        g.push(
            main,
            EventKind::Write(Write {
                loc: l,
                ord: StoreOrd::NonAtomic,
                val: v,
                kind: WriteKind::Alloc,
            }),
            None,
        );
        loc_ids.push(l);
    }
    for t in 0..sh.len() {
        let child = g.new_thread_id();
        assert_eq!(child, ThreadId(t as u32 + 1));
        let sp = g.push(main, EventKind::Spawn { child }, None);
        g.push(child, EventKind::Start { parent: sp }, None);
    }
    g.push(main, EventKind::Finish, None);
    let mut next = vec![1usize; sh.len()];
    let mut values: BTreeMap<EventId, u64> = BTreeMap::new();
    for (l, &v) in locs.iter().enumerate() {
        values.insert(EventId::new(main, l), v);
    }
    loop {
        let mut progressed = false;
        for t in 0..sh.len() {
            while next[t] < sh[t].len() {
                let tid = ThreadId(t as u32 + 1);
                let id = EventId::new(tid, next[t]);
                let kind = match sh[t][next[t]] {
                    Shape::Start => unreachable!(),
                    Shape::Fence(o) => EventKind::Fence(o),
                    Shape::Finish => EventKind::Finish,
                    Shape::Read(l, o, access) => {
                        let src = rf[&id];
                        let Some(&val) = values.get(&src) else { break };
                        values.insert(id, val);
                        EventKind::Read(Read {
                            loc: loc_ids[l],
                            ord: o,
                            access,
                            rf: src,
                            val,
                            spurious: false,
                        })
                    }
                    Shape::Write(l, v, o, kind) => {
                        let val = match v {
                            Some(v) => v,
                            None => values[&EventId::new(tid, next[t] - 1)] + 1,
                        };
                        values.insert(id, val);
                        EventKind::Write(Write {
                            loc: loc_ids[l],
                            ord: o,
                            val,
                            kind,
                        })
                    }
                };
                let co_after = match kind {
                    EventKind::Write(w) => {
                        let order = &co[loc_ids.iter().position(|&x| x == w.loc).unwrap()];
                        let present = order
                            .iter()
                            .take_while(|&&x| x != id)
                            .filter(|&&x| g.contains(x))
                            .count();
                        Some(present - 1)
                    }
                    _ => None,
                };
                g.push(tid, kind, co_after);
                next[t] += 1;
                progressed = true;
            }
        }
        if next.iter().zip(sh).all(|(&n, s)| n == s.len()) {
            return Some(g);
        }
        if !progressed {
            return None; // a po ∪ rf cycle
        }
    }
}

fn explored(locs: &[u64], threads: &[Vec<I>], model: ModelKind) -> (Vec<Fp>, Stats) {
    let mut prog = Prog::new(locs, threads.to_vec());
    let cfg = Config {
        check_full: true,
        ..Config::default()
    };
    let mut fps = vec![];
    let mut visit = |e: &Execution<'_>, _: &mut Prog| {
        assert_eq!(*e.status, Status::Complete, "{:?}", e.status);
        e.graph.debug_validate();
        fps.push(fingerprint(e.graph));
        Control::Continue
    };
    let stats = match model {
        ModelKind::Rc11 => Explorer::new(Rc11, cfg).run(&mut prog, &mut visit),
        ModelKind::Sc => Explorer::new(Sc, cfg).run(&mut prog, &mut visit),
    };
    (fps, stats)
}

fn compare(seed: u64, nthreads: usize, max_ops: usize, nlocs: usize, model: ModelKind) {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let threads = random_program(&mut rng, nthreads, max_ops, nlocs);
    let locs = vec![0; nlocs];
    let reference: &dyn Model = match model {
        ModelKind::Rc11 => &Rc11,
        ModelKind::Sc => &Sc,
    };
    let expected = brute_force(&locs, &threads, reference);
    let (got, stats) = explored(&locs, &threads, model);
    let got_set: BTreeSet<Fp> = got.iter().cloned().collect();
    assert_eq!(
        got_set.len(),
        got.len(),
        "seed {seed} {model}: a graph was visited twice\n{threads:?}"
    );
    let missing: Vec<_> = expected.difference(&got_set).collect();
    let extra: Vec<_> = got_set.difference(&expected).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "seed {seed} {model}: explorer visited {} graphs, brute force found {}\nprogram: {threads:?}\nmissing: {missing:?}\nextra: {extra:?}",
        got.len(),
        expected.len()
    );
    assert_eq!(stats.complete, expected.len() as u64);
}

/// Number of random programs: `HAPPENS_DIFF_SEEDS` or `default`.
fn seeds(default: u64) -> u64 {
    std::env::var("HAPPENS_DIFF_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// Maximum operations per thread: `HAPPENS_DIFF_OPS` or 3.
fn max_ops() -> usize {
    std::env::var("HAPPENS_DIFF_OPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3)
}

#[test]
fn explorer_matches_brute_force_rc11() {
    for seed in 0..seeds(300) {
        compare(seed, 2 + (seed % 2) as usize, max_ops(), 2, ModelKind::Rc11);
    }
}

#[test]
fn explorer_matches_brute_force_sc() {
    for seed in 0..seeds(150) {
        compare(seed, 2 + (seed % 2) as usize, max_ops(), 2, ModelKind::Sc);
    }
}
