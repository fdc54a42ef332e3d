//! The engine tests' instruction-list program, and helpers to explore it
//! and label its graphs the way a litmus front-end would.
#![allow(dead_code)]

use happens_engine::*;
use happens_render::{Labels, Marks};

#[path = "../../../happens-engine/tests/common/mod.rs"]
mod program;
pub use program::{Prog, I};

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
/// named by `locs`, and, with `registers`, loads into registers `r1`, `r2`,
/// … in thread order, with their source text (`r1 = x.load(Relaxed)`).
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
                    l.event_source.push((e, text));
                    l.event_dest.push((e, format!("r{n}")));
                }
            }
        }
    }
    l
}

pub fn no_marks() -> Marks {
    Marks::default()
}
