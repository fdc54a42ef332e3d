//! Symmetry reduction: of two executions that differ only by swapping two
//! threads that run the same code on equal inputs, explore one.
//!
//! The rule is GenMC's (Kokologiannakis, Marmanis, Raad, Vafeiadis, "SPORE:
//! Combining Symmetry and Partial Order Reduction", PLDI 2024), over our
//! graphs. A thread `u` is *like* `t` when its parent vouched for it
//! ([`Op::Spawn`](crate::Op::Spawn)'s `like`: same code, equal inputs, a
//! result that carries nothing, no way to learn which of the two it is) and
//! the parent did nothing between the two spawns that one of them could see
//! and the other not (below). While the two threads' events so far are the
//! same (reads of the same writes, fences; no write of their own), they are
//! in the same state, and any execution in which `u`'s next event comes
//! before `t`'s in `eco` (reads an older write, is placed earlier in `co`)
//! is the image, under the swap, of one in which it does not. Such graphs
//! are not explored: each read, place in `co` and backward revisit is
//! checked with [`ok`], and a read half of an RMW does not read the write
//! its twin's took (the dead end whose only use would be to put `u` first).
//!
//! **What the parent may do between the spawns.** Accesses with no
//! acquire or SeqCst ordering, no fence, nothing else: `Arc::clone`'s
//! Relaxed increment. `u` happens after them and `t` does not, so a read of
//! one of their locations (the *tainted* ones) ends the two threads' common
//! prefix; every other location looks the same to both. (This is
//! conservative: `u`'s view is only stronger, so whatever `u` reads there
//! `t` may read too, and the image that puts the older write with `t`
//! always exists; the generated programs of the library's
//! `tests/symmetry_differential.rs` give the same states without it.)
//!
//! **What the rest of the program may do.** Only the swap's image of an
//! execution is an execution of the program if no other thread tells the
//! two apart. The front-end vouches for what it sees (a thread asking for
//! its own identity, unparking one of them); what the graph shows is
//! checked here: a thread that joins one of a group of like threads must
//! join all of them before it does anything else ([`breaks_joins`]; after
//! joining `t` alone it could see what `t` did and not what `u` did). When
//! that does not hold the exploration says so
//! ([`Execution::asymmetric`](crate::Execution)) and the front-end explores
//! again without the reduction.

use crate::event::{EventKind, Read};
use crate::graph::Graph;
use crate::ids::{EventId, LocId, ThreadId};
use crate::op::Op;
use crate::order::LoadOrd;

/// The thread `t` is like, if the parent vouched for it and did nothing
/// between the two spawns that only one of them could see.
pub(super) fn like(g: &Graph, t: ThreadId) -> Option<ThreadId> {
    let EventKind::Start { parent, like } = g.thread_events(t).first()?.kind else {
        return None;
    };
    let s = like?;
    let EventKind::Start { parent: ps, .. } = g.thread_events(s).first()?.kind else {
        return None;
    };
    if ps.thread != parent.thread || ps.index >= parent.index {
        return None;
    }
    let between = &g.thread_events(parent.thread)[ps.index as usize + 1..parent.index as usize];
    between
        .iter()
        .all(|e| match e.kind {
            EventKind::Read(r) => r.ord <= LoadOrd::Relaxed,
            EventKind::Write(w) => w.ord < crate::order::StoreOrd::SeqCst,
            _ => false,
        })
        .then_some(s)
}

/// Whether `loc` was accessed by the parent between the spawns of `a` and
/// `b` (`a` spawned first), so that `b` may see there what `a` cannot.
fn tainted(g: &Graph, a: ThreadId, b: ThreadId, loc: LocId) -> bool {
    let start = |t: ThreadId| match g.thread_events(t)[0].kind {
        EventKind::Start { parent, .. } => parent,
        _ => unreachable!("a thread that is like another was spawned"),
    };
    let (pa, pb) = (start(a), start(b));
    g.thread_events(pa.thread)[pa.index as usize + 1..pb.index as usize]
        .iter()
        .any(|e| match e.kind {
            EventKind::Read(r) => r.loc == loc,
            EventKind::Write(w) => w.loc == loc,
            _ => false,
        })
}

/// Whether threads `a` (spawned first) and `b` did the same in their first
/// `i` events: reads of the same writes of untainted locations, and fences.
fn same_prefix(g: &Graph, a: ThreadId, b: ThreadId, i: usize) -> bool {
    let (ea, eb) = (g.thread_events(a), g.thread_events(b));
    if ea.len() < i || eb.len() < i {
        return false;
    }
    (1..i).all(|j| match (ea[j].kind, eb[j].kind) {
        (EventKind::Read(x), EventKind::Read(y)) => same_read(&x, &y) && !tainted(g, a, b, x.loc),
        (EventKind::Fence(x), EventKind::Fence(y)) => x == y,
        _ => false,
    })
}

fn same_read(x: &Read, y: &Read) -> bool {
    x.loc == y.loc && x.rf == y.rf && x.access == y.access && x.spurious == y.spurious
}

/// Whether event `x` of thread `a` (spawned first) and event `y` at the same
/// index of `b` allow the symmetric order: `y` not before `x` in `eco`.
/// `y_new`: `y` is the event being added.
fn ordered(g: &Graph, a: ThreadId, b: ThreadId, x: EventId, y: EventId, y_new: bool) -> bool {
    match (g.kind(x), g.kind(y)) {
        (EventKind::Read(rx), EventKind::Read(ry))
            if rx.loc == ry.loc && rx.access == ry.access && !tainted(g, a, b, rx.loc) =>
        {
            if rx.rf == ry.rf {
                // two RMWs cannot both take one write: the later twin's is
                // a dead end whose only use is to come first (the earlier
                // twin's puts it first, and is explored)
                !(y_new && rx.is_exclusive() && ry.is_exclusive())
            } else {
                g.co_index(ry.rf) >= g.co_index(rx.rf)
            }
        }
        (EventKind::Write(wx), EventKind::Write(wy))
            if wx.loc == wy.loc && !tainted(g, a, b, wx.loc) =>
        {
            g.co_index(y) > g.co_index(x)
        }
        _ => true,
    }
}

/// Whether event `e` keeps the symmetric order with the threads its thread
/// is like and the threads like it (transitively), wherever their events
/// before it are the same.
pub(super) fn ok(g: &Graph, e: EventId) -> bool {
    let t = e.thread;
    let i = e.index as usize;
    // the threads `t` is like, nearest first
    let mut a = t;
    while let Some(s) = like(g, a) {
        if same_prefix(g, s, t, i)
            && g.thread_len(s) > i
            && !ordered(g, s, t, EventId::new(s, i), e, true)
        {
            return false;
        }
        a = s;
    }
    // the threads like `t`
    for u in 0..g.num_threads() {
        let u = ThreadId::from_index(u);
        if u == t || !is_like(g, u, t) {
            continue;
        }
        if same_prefix(g, t, u, i)
            && g.thread_len(u) > i
            && !ordered(g, t, u, e, EventId::new(u, i), false)
        {
            return false;
        }
    }
    true
}

/// Whether `u` is like `t` through a chain of likes.
fn is_like(g: &Graph, u: ThreadId, t: ThreadId) -> bool {
    let mut a = u;
    while let Some(s) = like(g, a) {
        if s == t {
            return true;
        }
        a = s;
    }
    false
}

/// Whether the graph has a pair of like threads at all.
pub(super) fn any(g: &Graph) -> bool {
    (1..g.num_threads()).any(|t| like(g, ThreadId::from_index(t)).is_some())
}

/// The first of `t`'s group of like threads.
fn root(g: &Graph, t: ThreadId) -> ThreadId {
    let mut a = t;
    while let Some(s) = like(g, a) {
        a = s;
    }
    a
}

/// Whether thread `t`'s next operation `op` tells like threads apart: `t`
/// joined some of a group of like threads and does something else than
/// joining the rest of that group.
pub(super) fn breaks_joins(g: &Graph, t: ThreadId, op: &Op) -> bool {
    let evs = g.thread_events(t);
    // the common case, with nothing to allocate: `t` did not just join
    if !matches!(evs.last().map(|e| e.kind), Some(EventKind::Join { .. })) {
        return false;
    }
    // the joins `t` made last, in a row
    let joined: Vec<ThreadId> = evs
        .iter()
        .rev()
        .map_while(|e| match e.kind {
            EventKind::Join { child } => Some(child),
            _ => None,
        })
        .collect();
    let in_group = |c: ThreadId| {
        let r = root(g, c);
        r != c || (1..g.num_threads()).any(|u| like(g, ThreadId::from_index(u)) == Some(c))
    };
    let pending: Vec<ThreadId> = joined
        .iter()
        .filter(|&&c| in_group(c))
        .map(|&c| root(g, c))
        .collect();
    // the members of those groups not joined yet
    let left = |next: Option<ThreadId>| {
        (0..g.num_threads()).map(ThreadId::from_index).any(|u| {
            pending.contains(&root(g, u)) && in_group(u) && !joined.contains(&u) && Some(u) != next
        })
    };
    match *op {
        Op::Join(c) if pending.contains(&root(g, c)) => false,
        Op::Join(c) if in_group(c) && pending.is_empty() => false,
        _ if pending.is_empty() => false,
        Op::Join(c) => left(Some(c)),
        _ => left(None),
    }
}
