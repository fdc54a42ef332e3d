//! Synchronises-with, read off a graph's `rf` and `rmw` (no clocks): the one
//! definition the from-scratch checks (`model::rc11::happens_before`) and
//! the pictures (`happens-render`) share. C++20 [atomics.order]/2,
//! [atomics.fences]/2–4 and [intro.races]/5 (P0982R1), as RC11 writes them:
//!
//! `sw = [REL] ; ([F] ; po)? ; rs ; rf ; [R_atomic] ; (po ; [F])? ; [ACQ]`
//! with the release sequence `rs = [W_atomic] ; (rf ; rmw)*`.
//!
//! Every edge is found from the `rf` edge that carries it, `(write, read)`:
//! an atomic read and the head of a release sequence it reads from (the
//! write it reads, and back through every RMW of the sequence to the write
//! its read half read). The release sides of the head are the head itself
//! when it is a release write and the release fences before it in its
//! thread; the acquire sides of the read are the read itself when it
//! acquires and the acquire fences after it in its thread. The clocks of
//! [`Graph`] compute the same `hb` incrementally; this is what the slow
//! reference and the pictures read.

use std::collections::BTreeSet;

use crate::event::EventKind;
use crate::graph::Graph;
use crate::ids::EventId;

/// One synchronises-with edge and the `rf` edge that carries it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Sync {
    /// Release side: a release write, or a release fence before `write`.
    pub src: EventId,
    /// Acquire side: an acquire read, or an acquire fence after `read`.
    pub tgt: EventId,
    /// The head of the release sequence (the write after `src`, or `src`).
    pub write: EventId,
    /// The atomic read that reads from the release sequence.
    pub read: EventId,
}

/// Every synchronises-with edge of `g` with its carrier, sorted: the
/// relation `sw` itself (a release fence before a release write
/// synchronises too, and so does every acquire fence after an acquire
/// read).
pub fn every(g: &Graph) -> Vec<Sync> {
    edges(g, usize::MAX)
}

/// The synchronises-with edges a picture draws, sorted: for each carrier
/// the release side nearest its write and the acquire side nearest its
/// read. A release write is its own source (a release fence before it
/// adds nothing `po` does not), an acquire read its own target; otherwise
/// the last release fence before the write and the first acquire fence
/// after the read are. Every edge of [`every`] is implied by one of these
/// and `po`.
pub fn sync_edges(g: &Graph) -> Vec<Sync> {
    edges(g, 1)
}

/// The edges of [`sync_edges`] as `(release side, acquire side)` pairs,
/// sorted, without duplicates.
pub fn sw_edges(g: &Graph) -> Vec<(EventId, EventId)> {
    let set: BTreeSet<_> = sync_edges(g).iter().map(|s| (s.src, s.tgt)).collect();
    set.into_iter().collect()
}

/// The edges of each carrier from its `sides` release sides and `sides`
/// acquire sides nearest it, sorted.
fn edges(g: &Graph, sides: usize) -> Vec<Sync> {
    let mut out = BTreeSet::new();
    carriers(g, |write, read| {
        for src in release_sides(g, write).take(sides) {
            for tgt in acquire_sides(g, read).take(sides) {
                out.insert(Sync {
                    src,
                    tgt,
                    write,
                    read,
                });
            }
        }
    });
    out.into_iter().collect()
}

/// Calls `f(write, read)` for each atomic read and each atomic write that
/// heads a release sequence it reads from, walking the sequence back from
/// the write it reads through the RMWs that continue it.
fn carriers(g: &Graph, mut f: impl FnMut(EventId, EventId)) {
    for (r, ev) in g.events() {
        let EventKind::Read(rd) = ev.kind else {
            continue;
        };
        if !rd.ord.is_atomic() {
            continue;
        }
        let mut w = rd.rf;
        while let Some(wr) = g.write(w) {
            if wr.ord.is_atomic() {
                f(w, r);
            }
            match g.rmw_read_of(w) {
                Some(rr) => w = g.read(rr).expect("rmw read half").rf,
                None => break,
            }
        }
    }
}

/// The release sides of release-sequence head `w`, nearest first: `w` if
/// it is a release write, then the release fences before it, latest first.
fn release_sides(g: &Graph, w: EventId) -> impl Iterator<Item = EventId> + '_ {
    let own = g.write(w).is_some_and(|wr| wr.ord.is_release());
    let evs = g.thread_events(w.thread);
    let fences = (0..w.index as usize)
        .rev()
        .filter(move |&i| matches!(evs[i].kind, EventKind::Fence(f) if f.is_release()))
        .map(move |i| EventId::new(w.thread, i));
    own.then_some(w).into_iter().chain(fences)
}

/// The acquire sides of atomic read `r`, nearest first: `r` if it
/// acquires, then the acquire fences after it, earliest first.
fn acquire_sides(g: &Graph, r: EventId) -> impl Iterator<Item = EventId> + '_ {
    let own = g.read(r).is_some_and(|rd| rd.ord.is_acquire());
    let evs = g.thread_events(r.thread);
    let fences = (r.index as usize + 1..evs.len())
        .filter(move |&i| matches!(evs[i].kind, EventKind::Fence(f) if f.is_acquire()))
        .map(move |i| EventId::new(r.thread, i));
    own.then_some(r).into_iter().chain(fences)
}
