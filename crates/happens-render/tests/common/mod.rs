//! A tiny instruction-list program (like the engine's tests) and helpers to
//! explore it and label its graphs the way a litmus front-end would.
#![allow(dead_code)]

use std::collections::BTreeMap;

use happens_engine::*;
use happens_render::{Labels, Marks};

#[derive(Clone, Copy, Debug)]
pub enum I {
    St(usize, u64, StoreOrd),
    Ld(usize, LoadOrd),
    Cas(usize, u64, u64, RmwOrd, LoadOrd),
    F(FenceOrd),
}

pub struct Prog {
    locs: Vec<u64>,
    threads: Vec<Vec<I>>,
    ids: Vec<LocId>,
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

impl Program for Prog {
    fn reset(&mut self) {
        self.ids.clear();
        self.pc = vec![0; self.threads.len()];
        self.regs = vec![vec![]; self.threads.len()];
        self.tid_of.clear();
    }
    fn step(&mut self, t: ThreadId, reply: Reply) -> Op {
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
                };
            }
            if self.tid_of.len() < self.threads.len() {
                return Op::Spawn;
            }
            return Op::Finish;
        }
        let i = self.tid_of[&t];
        if let Some(v) = reply.val() {
            self.regs[i].push(v);
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
            Some(&I::Cas(l, e, n, s, f)) => Op::Cas {
                loc: self.ids[l],
                expected: e,
                new: n,
                success: s,
                failure: f,
                weak: false,
            },
            Some(&I::F(o)) => Op::Fence(o),
        }
    }
}

/// Every complete execution as (registers per thread, graph).
pub fn explore(locs: &[u64], threads: Vec<Vec<I>>) -> Vec<(Vec<Vec<u64>>, Graph)> {
    let mut p = Prog::new(locs, threads);
    let mut ex = Explorer::new(Rc11, Config::default());
    let mut out = Vec::new();
    ex.run(&mut p, |e, p| {
        out.push((p.regs.clone(), e.graph.clone()));
        Control::Continue
    });
    out
}

/// The graph reaching exactly these registers.
pub fn find(execs: &[(Vec<Vec<u64>>, Graph)], regs: &[&[u64]]) -> Graph {
    let want: Vec<Vec<u64>> = regs.iter().map(|r| r.to_vec()).collect();
    execs
        .iter()
        .find(|(r, _)| *r == want)
        .map(|(_, g)| g.clone())
        .unwrap_or_else(|| panic!("no execution with registers {want:?}"))
}

/// Litmus-style labels: threads `P0`, `P1`, … (thread 0 hidden), locations
/// named by `locs`, and loads named `r1`, `r2`, … in thread order.
pub fn labels(g: &Graph, locs: &[&str], registers: bool) -> Labels {
    let mut l = Labels {
        hidden_threads: vec![ThreadId(0)],
        ..Labels::default()
    };
    for t in 1..g.num_threads() {
        l.thread_names
            .push((ThreadId(t as u32), format!("P{}", t - 1)));
    }
    let ids: Vec<LocId> = g.locations().map(|(id, _)| id).collect();
    for (id, name) in ids.iter().zip(locs) {
        l.loc_names.push((*id, name.to_string()));
    }
    if registers {
        let mut n = 0;
        for (e, ev) in g.events() {
            if let EventKind::Read(r) = ev.kind {
                if r.access == ReadAccess::Load && e.thread != ThreadId(0) {
                    n += 1;
                    let loc = locs[ids.iter().position(|&x| x == r.loc).unwrap()];
                    let text = format!("r{n} = {loc}.load({})", r.ord.name());
                    l.event_text.push((e, text));
                }
            }
        }
    }
    l
}

pub fn no_marks() -> Marks {
    Marks::default()
}
