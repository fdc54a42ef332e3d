//! Data races (C++20 [intro.races]/21): two accesses to the same location by
//! different threads, at least one a write and at least one non-atomic, with
//! neither happening before the other. A location's initial write is the
//! write of the thread that created it (non-atomic for plain data, atomic
//! for an atomic object), so an access of another thread that does not
//! happen after the creation races with the initialisation. (herd's
//! `rc11.cat` excludes its initial writes `IW`, which come before every
//! thread; a litmus test's locations are created before its threads are
//! spawned, so they never race.)

use crate::graph::Graph;
use crate::ids::EventId;

/// A data race: `first` was added to the graph before `second`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Race {
    pub first: EventId,
    pub second: EventId,
}

impl Race {
    /// The race of `a` and `b`, the one added first as `first`.
    fn of(g: &Graph, a: EventId, b: EventId) -> Race {
        let (first, second) = if g.stamp(a) < g.stamp(b) {
            (a, b)
        } else {
            (b, a)
        };
        Race { first, second }
    }
}

fn conflict(g: &Graph, a: EventId, b: EventId) -> bool {
    let (ka, kb) = (g.kind(a), g.kind(b));
    a.thread != b.thread
        && (ka.is_write() || kb.is_write())
        && (ka.is_non_atomic() || kb.is_non_atomic())
        && !g.hb(a, b)
        && !g.hb(b, a)
}

/// A race between `e` and an access added before it, if any.
pub fn race_with(g: &Graph, e: EventId) -> Option<Race> {
    let loc = g.kind(e).loc()?;
    let l = g.location(loc);
    if !l.non_atomic {
        return None;
    }
    let stamp = g.stamp(e);
    let older = |x: &&EventId| g.stamp(**x) < stamp;
    let hit =
        l.co.iter()
            .filter(older)
            .chain(
                l.reads
                    .iter()
                    .filter(older)
                    .filter(|_| g.kind(e).is_write()),
            )
            .find(|&&x| conflict(g, x, e))?;
    Some(Race {
        first: *hit,
        second: e,
    })
}

/// The races of the graph that involve one of `reads` (those still in it),
/// each pair once, in the order [`races`] gives them.
pub fn races_of(g: &Graph, reads: &[EventId]) -> Vec<Race> {
    let mut out = Vec::new();
    for &r in reads {
        if !g.contains(r) || g.read(r).is_none() {
            continue;
        }
        let l = g.location(g.read(r).unwrap().loc);
        if !l.non_atomic {
            continue;
        }
        for &x in l.co.iter().chain(l.reads.iter()) {
            if conflict(g, x, r) {
                out.push(Race::of(g, x, r));
            }
        }
    }
    out.sort_by_key(|r| (g.stamp(r.second), g.stamp(r.first)));
    out.dedup();
    out
}

/// All races of a graph, each pair once.
pub fn races(g: &Graph) -> Vec<Race> {
    let mut out = Vec::new();
    for (_, l) in g.locations() {
        if !l.non_atomic {
            continue;
        }
        let accesses: Vec<EventId> = l.co.iter().chain(l.reads.iter()).copied().collect();
        for (i, &a) in accesses.iter().enumerate() {
            for &b in &accesses[i + 1..] {
                if conflict(g, a, b) {
                    out.push(Race::of(g, a, b));
                }
            }
        }
    }
    out.sort_by_key(|r| (g.stamp(r.second), g.stamp(r.first)));
    out
}
