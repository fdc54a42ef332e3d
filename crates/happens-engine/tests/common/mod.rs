//! A tiny program form for engine tests (and the renderer's, which include
//! this file): straight-line threads of instructions over numbered
//! locations, registers collected per thread.
#![allow(dead_code)]

use std::collections::BTreeMap;

use happens_engine::*;

#[derive(Clone, Copy, Debug)]
pub enum I {
    St(usize, u64, StoreOrd),
    Ld(usize, LoadOrd),
    Add(usize, u64, RmwOrd),
    Cas(usize, u64, u64, RmwOrd, LoadOrd),
    /// A weak compare-exchange (it may fail spuriously).
    WeakCas(usize, u64, u64, RmwOrd, LoadOrd),
    F(FenceOrd),
    /// Take a lock word: wait until it is 0, then compare-exchange it to 1
    /// (`Op::Await`); a take a revisit made fail is tried again.
    Lock(usize),
    /// Release a lock word (a `Release` store of 0).
    Unlock(usize),
    /// Wait until the location holds the value, then read it (`Acquire`).
    AwaitIs(usize, u64),
}

pub struct Prog {
    pub locs: Vec<u64>,
    pub threads: Vec<Vec<I>>,
    // run state
    pub ids: Vec<LocId>,
    pc: Vec<usize>,
    pub regs: Vec<Vec<u64>>,
    tid_of: BTreeMap<ThreadId, usize>,
}

impl Prog {
    pub fn new(locs: &[u64], threads: Vec<Vec<I>>) -> Self {
        Prog {
            locs: locs.to_vec(),
            threads,
            ids: vec![],
            pc: vec![],
            regs: vec![],
            tid_of: BTreeMap::new(),
        }
    }
}

impl Prog {
    /// The next operation of thread `t`, given the reply to its last.
    fn op(&mut self, t: ThreadId, reply: Reply) -> Op {
        if t == ThreadId(0) {
            match reply {
                Reply::Loc(l) => self.ids.push(l),
                Reply::Spawned(c) => {
                    let n = self.tid_of.len();
                    self.tid_of.insert(c, n);
                }
                _ => {}
            }
            if self.ids.len() < self.locs.len() {
                return Op::Alloc {
                    init: self.locs[self.ids.len()],
                    atomic: false,
                };
            }
            if self.tid_of.len() < self.threads.len() {
                return Op::Spawn { like: None };
            }
            return Op::Finish;
        }
        let i = self.tid_of[&t];
        if let Some(v) = reply.val() {
            self.regs[i].push(v);
        }
        if let (Reply::Cas { ok: false, .. }, Some(I::Lock(_))) = (
            reply,
            self.pc[i]
                .checked_sub(1)
                .and_then(|p| self.threads[i].get(p)),
        ) {
            // another thread took the lock first: try again
            self.regs[i].pop();
            self.pc[i] -= 1;
        }
        let pc = self.pc[i];
        self.pc[i] += 1;
        match self.threads[i].get(pc) {
            None => Op::Finish,
            Some(&I::St(l, v, o)) => Op::Store {
                loc: self.ids[l],
                val: v,
                ord: o,
            },
            Some(&I::Ld(l, o)) => Op::Load {
                loc: self.ids[l],
                ord: o,
            },
            Some(&I::Add(l, v, o)) => Op::Rmw {
                loc: self.ids[l],
                op: RmwOp {
                    kind: RmwKind::Add,
                    operand: v,
                    width: Width::I64,
                },
                ord: o,
            },
            Some(&I::Cas(l, e, n, s, f)) => Op::Cas {
                loc: self.ids[l],
                expected: e,
                new: n,
                success: s,
                failure: f,
                weak: false,
            },
            Some(&I::WeakCas(l, e, n, s, f)) => Op::Cas {
                loc: self.ids[l],
                expected: e,
                new: n,
                success: s,
                failure: f,
                weak: true,
            },
            Some(&I::F(o)) => Op::Fence(o),
            Some(&I::Lock(l)) => Op::Await {
                loc: self.ids[l],
                until: Until::Is(0),
                then: Then::Cas {
                    expected: 0,
                    new: 1,
                    success: RmwOrd::Acquire,
                    failure: LoadOrd::Relaxed,
                },
            },
            Some(&I::Unlock(l)) => Op::Store {
                loc: self.ids[l],
                val: 0,
                ord: StoreOrd::Release,
            },
            Some(&I::AwaitIs(l, v)) => Op::Await {
                loc: self.ids[l],
                until: Until::Is(v),
                then: Then::Load(LoadOrd::Acquire),
            },
        }
    }
}

impl Program for Prog {
    fn reset(&mut self) {
        self.ids.clear();
        self.pc = vec![0; self.threads.len()];
        self.regs = vec![vec![]; self.threads.len()];
        self.tid_of.clear();
    }
    fn step(&mut self, t: ThreadId, reply: Reply, _: Made) -> Issue {
        self.op(t, reply).into()
    }
}

/// Deterministic PRNG (xorshift).
pub struct Rng(pub u64);
impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// A random straight-line program: stores, loads, fetch_adds,
/// compare-exchanges (strong and weak) and fences over `nlocs` locations,
/// every ordering.
pub fn random_program(rng: &mut Rng, nthreads: usize, max_ops: usize, nlocs: usize) -> Vec<Vec<I>> {
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
                .map(|_| match rng.below(12) {
                    0..=2 => {
                        val += 1;
                        I::St(rng.below(nlocs), val, so[rng.below(so.len())])
                    }
                    3..=6 => I::Ld(rng.below(nlocs), lo[rng.below(lo.len())]),
                    7..=8 => I::Add(rng.below(nlocs), 1, ro[rng.below(ro.len())]),
                    9..=10 => {
                        // expect a value some store wrote (or the initial 0)
                        let expected = rng.below(val as usize + 1) as u64;
                        let (l, s, f) = (
                            rng.below(nlocs),
                            ro[rng.below(ro.len())],
                            lo[rng.below(lo.len() - 1)],
                        );
                        if rng.below(2) == 0 {
                            I::Cas(l, expected, 100 + expected, s, f)
                        } else {
                            I::WeakCas(l, expected, 100 + expected, s, f)
                        }
                    }
                    _ => I::F(fo[rng.below(fo.len())]),
                })
                .collect()
        })
        .collect()
}
