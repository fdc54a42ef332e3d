//! Sequential consistency (Lamport 1979): every execution is an interleaving
//! of the threads, each read reading the latest write before it.
//!
//! Axiomatically (herd's `sc.cat`): `po ∪ rf ∪ co ∪ rb` is acyclic, and RMWs
//! are atomic (`rmw ∩ (rb ; co)` empty; implicit in herd, where an RMW is one
//! event). Orderings
//! are ignored: every access behaves as SeqCst, and non-atomic accesses too.
//! Executions are counted as graphs (`rf`, `co`), not as interleavings.
//!
//! How it is checked: coherence locally with `(po ∪ rf)+` in place of `hb`
//! ([`super::coherence`]), then the acyclicity of `po ∪ rf ∪ co ∪ rb` over
//! the whole graph after each change.
//!
//! Not modelled: data races (SC gives every racy program a meaning; herd's
//! `sc.cat` flags none, and neither do we).

use super::coherence::{self, Order};
use super::Model;
use crate::event::EventKind;
use crate::graph::Graph;
use crate::ids::{EventId, ThreadId};
use crate::relation::Base;

/// Sequential consistency.
#[derive(Clone, Copy, Debug, Default)]
pub struct Sc;

impl Model for Sc {
    fn name(&self) -> &'static str {
        "sc"
    }

    fn read_ok(&self, g: &Graph, r: EventId) -> bool {
        coherence::read_ok(g, Order::Porf, r)
    }

    fn write_ok(&self, g: &Graph, w: EventId) -> bool {
        coherence::write_ok(g, Order::Porf, w)
    }

    fn co_floor(&self, g: &Graph, e: EventId) -> usize {
        coherence::floor(g, Order::Porf, e)
    }

    fn global_ok(&self, g: &Graph, _changed: &[EventId]) -> bool {
        acyclic_com(g)
    }

    fn races_are_ub(&self) -> bool {
        false
    }

    fn check_full(&self, g: &Graph) -> Result<(), &'static str> {
        let b = Base::of(g);
        // herd's RMW is one event, so acyclicity alone gives atomicity there;
        // with an RMW split in a read and a write it must be stated
        if !b.rmw.intersect(&b.rb.seq(&b.co)).is_empty_rel() {
            return Err("atomicity");
        }
        if b.sb.union(&b.rf).union(&b.co).union(&b.rb).acyclic() {
            Ok(())
        } else {
            Err("sc")
        }
    }
}

/// Acyclicity of `po ∪ rf ∪ co ∪ rb` (plus spawn/join), by a depth-first
/// search over the events. Edges: `po` to the next event, spawn → start,
/// finish → join, `rf`, `co` to the next write, and `rb` from a read to the
/// write after the one it reads from.
fn acyclic_com(g: &Graph) -> bool {
    let nt = g.num_threads();
    let mut offset = vec![0usize; nt + 1];
    for t in 0..nt {
        offset[t + 1] = offset[t] + g.thread_len(ThreadId::from_index(t));
    }
    let n = offset[nt];
    let ix = |e: EventId| offset[e.thread.index()] + e.index as usize;
    let mut succ: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (_, l) in g.locations() {
        for w in l.co.windows(2) {
            succ[ix(w[0])].push(ix(w[1]));
        }
        for &r in &l.reads {
            let rf = g.read(r).unwrap().rf;
            succ[ix(rf)].push(ix(r));
            let p = g.co_index(rf);
            if let Some(&next) = l.co.get(p + 1) {
                if next.thread != r.thread || next.index != r.index + 1 {
                    succ[ix(r)].push(ix(next));
                } else {
                    // the RMW's own write: po already orders it
                }
            }
        }
    }
    for t in 0..nt {
        let tid = ThreadId::from_index(t);
        let evs = g.thread_events(tid);
        for i in 0..evs.len() {
            let e = EventId::new(tid, i);
            if i + 1 < evs.len() {
                succ[ix(e)].push(ix(EventId::new(tid, i + 1)));
            }
            match evs[i].kind {
                EventKind::Start { parent, .. } => succ[ix(parent)].push(ix(e)),
                EventKind::Join { child } => {
                    let f = EventId::new(child, g.thread_len(child) - 1);
                    succ[ix(f)].push(ix(e));
                }
                _ => {}
            }
        }
    }
    // iterative DFS with colours
    let mut colour = vec![0u8; n];
    let mut stack: Vec<(usize, usize)> = Vec::new();
    for s in 0..n {
        if colour[s] != 0 {
            continue;
        }
        colour[s] = 1;
        stack.push((s, 0));
        while let Some(&mut (v, ref mut i)) = stack.last_mut() {
            if *i < succ[v].len() {
                let u = succ[v][*i];
                *i += 1;
                match colour[u] {
                    0 => {
                        colour[u] = 1;
                        stack.push((u, 0));
                    }
                    1 => return false,
                    _ => {}
                }
            } else {
                colour[v] = 2;
                stack.pop();
            }
        }
    }
    true
}
