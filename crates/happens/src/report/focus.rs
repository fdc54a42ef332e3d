//! What explains a failure: the events a failure's diagram draws and its
//! why-chain talks about. The renderer draws what it is given; the choice
//! is made here, from the failure and the execution graph.
//!
//! - A data race: the two racing accesses, and the missing
//!   synchronisation between them: the read in the second access's thread
//!   of a write the first access's thread made after it (the `rf` edge that
//!   would have ordered them had it been release/acquire), with that write.
//! - A failed assertion (a panic): the failing event; the reads of the
//!   failing thread (the last read of each location: the values it had in
//!   hand) and the writes they read; the reads that saw old values
//!   ([`stale_reads`]) with the writes they read and the newer writes they
//!   missed; and the accesses of a cycle that shows no single order of the
//!   accesses explains the values ([`sc_cycle`]).
//! - A deadlock: each waiting thread's wait and its last try of the lock
//!   it waits for, and the holder's take of that lock.
//! - A livelock or a loop that exceeded the event bound: the thread's last
//!   event and its last reads, with the writes they read.
//! - A leak: the operations at the line that allocated what leaked.
//!
//! The library's bookkeeping (`Arc`'s reference counts and the fence of
//! dropping the last `Arc`) is never part of it. Nondeterminism has no
//! focus: its diagram draws every event.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use happens_engine::{EventId, EventKind, Graph, LocId, ThreadId, WriteKind};

use super::failure::FailureKind;
use super::names;
use crate::rt::State;

/// Whether `e` is the library's bookkeeping, as the library marks it (no
/// source path is matched): an access to an `Arc`'s reference count (its
/// location's kind says so), or a fence the library issued for itself
/// (`sync::atomic::bookkeeping_fence` marks it when issued).
pub(crate) fn is_bookkeeping(g: &Graph, st: &State, e: EventId) -> bool {
    match g.kind(e) {
        EventKind::Fence(_) => st
            .threads
            .get(e.thread.index())
            .map_or(true, |th| th.bookkeeping.binary_search(&e.index).is_ok()),
        k => k.loc().is_some_and(|l| {
            st.locs
                .get(l.index())
                .copied()
                .flatten()
                .is_some_and(|i| i.kind.is_bookkeeping())
        }),
    }
}

/// The reads of thread `t` that are the last read of their location in
/// the thread (earlier ones, such as the rounds of a spin loop, were
/// superseded), without bookkeeping.
pub(crate) fn last_reads(g: &Graph, st: &State, t: ThreadId) -> Vec<EventId> {
    let mut last: BTreeMap<LocId, EventId> = BTreeMap::new();
    for (i, ev) in g.thread_events(t).iter().enumerate() {
        let e = EventId::new(t, i);
        if let EventKind::Read(r) = ev.kind {
            if !is_bookkeeping(g, st, e) {
                last.insert(r.loc, e);
            }
        }
    }
    let mut v: Vec<EventId> = last.into_values().collect();
    v.sort();
    v
}

/// The write right after the one `r` read in its location's modification
/// order: the newer value `r` did not see (never `r`'s own RMW write).
pub(crate) fn missed_write(g: &Graph, r: EventId) -> Option<EventId> {
    let rd = g.read(r)?;
    let co = g.co(rd.loc);
    let p = co.iter().position(|&w| w == rd.rf)?;
    co.get(p + 1)
        .copied()
        .filter(|&w| g.rmw_read_of(w) != Some(r))
}

/// Whether read `r` saw an old value: a newer write to its location
/// exists that does not happen after it (a write that happens after the
/// read, such as the read's own thread's next store, could not be seen).
fn is_stale(g: &Graph, r: EventId) -> bool {
    missed_write(g, r).is_some_and(|w| !g.hb(r, w))
}

/// The reads that saw old values ([`is_stale`]), in the order of their
/// threads: those of the failing thread `thread` if it has any; otherwise
/// those of the other threads (each thread's last read of each location).
pub(crate) fn stale_reads(g: &Graph, st: &State, thread: usize) -> Vec<EventId> {
    let f = ThreadId::from_index(thread);
    let own: Vec<EventId> = last_reads(g, st, f)
        .into_iter()
        .filter(|&r| is_stale(g, r))
        .collect();
    if !own.is_empty() {
        return own;
    }
    (0..g.num_threads())
        .map(ThreadId::from_index)
        .filter(|&t| t != f)
        .flat_map(|t| last_reads(g, st, t))
        .filter(|&r| is_stale(g, r))
        .collect()
}

/// The edges of `po ∪ rf ∪ co ∪ fr` (with spawn and join) out of each
/// event: the relation a single order of all accesses (an interleaving)
/// must respect.
fn successors(g: &Graph) -> impl Fn(EventId) -> Vec<(EventId, Step)> + '_ {
    let mut readers: BTreeMap<EventId, Vec<EventId>> = BTreeMap::new();
    let mut joins: BTreeMap<ThreadId, Vec<EventId>> = BTreeMap::new();
    for (e, ev) in g.events() {
        match ev.kind {
            EventKind::Read(rd) => readers.entry(rd.rf).or_default().push(e),
            EventKind::Join { child } => joins.entry(child).or_default().push(e),
            _ => {}
        }
    }
    move |e: EventId| {
        let mut out = Vec::new();
        if (e.index as usize) + 1 < g.thread_len(e.thread) {
            out.push((EventId::new(e.thread, e.index as usize + 1), Step::Po));
        } else if let Some(js) = joins.get(&e.thread) {
            out.extend(js.iter().map(|&j| (j, Step::Po)));
        }
        match *g.kind(e) {
            EventKind::Spawn { child } if g.thread_len(child) > 0 => {
                out.push((EventId::new(child, 0), Step::Po));
            }
            EventKind::Write(w) => {
                out.extend(
                    readers
                        .get(&e)
                        .into_iter()
                        .flatten()
                        .map(|&rd| (rd, Step::Rf)),
                );
                let co = g.co(w.loc);
                if let Some(p) = co.iter().position(|&x| x == e) {
                    out.extend(co.get(p + 1).map(|&n| (n, Step::Co)));
                }
            }
            EventKind::Read(_) => out.extend(missed_write(g, e).map(|w| (w, Step::Fr))),
            _ => {}
        }
        out
    }
}

/// The events of `g` in an order that respects `po ∪ rf ∪ co ∪ fr` (the
/// order of an interleaving that gives every read its value), earliest
/// added first among the ready ones; `None` when the relation has a cycle
/// (no interleaving gives these values).
pub(crate) fn interleaving(g: &Graph) -> Option<Vec<EventId>> {
    let succ = successors(g);
    let mut indeg: BTreeMap<EventId, usize> = g.events().map(|(e, _)| (e, 0)).collect();
    let mut edges: BTreeMap<EventId, Vec<EventId>> = BTreeMap::new();
    for (e, _) in g.events() {
        let out: Vec<EventId> = succ(e).into_iter().map(|(n, _)| n).collect();
        for &n in &out {
            *indeg.get_mut(&n)? += 1;
        }
        edges.insert(e, out);
    }
    let mut ready: BTreeSet<(happens_engine::Stamp, EventId)> = indeg
        .iter()
        .filter(|(_, &d)| d == 0)
        .map(|(&e, _)| (g.stamp(e), e))
        .collect();
    let mut order = Vec::with_capacity(indeg.len());
    while let Some(first) = ready.pop_first() {
        let e = first.1;
        order.push(e);
        for &n in &edges[&e] {
            let d = indeg.get_mut(&n)?;
            *d -= 1;
            if *d == 0 {
                ready.insert((g.stamp(n), n));
            }
        }
    }
    (order.len() == indeg.len()).then_some(order)
}

/// One step of a cycle: why the event before this one comes first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// Program order (or a spawn or a join).
    Po,
    /// The event reads from the write before it.
    Rf,
    /// The write comes after the one before it in modification order.
    Co,
    /// The read before it read an older value than this write's.
    Fr,
}

/// The shortest cycle in `po ∪ rf ∪ co ∪ fr` (with spawn and join edges)
/// through the `fr` edge from the stale read `r` to the write it missed:
/// the events from that write round to `r`, each with the step that leads
/// to it from the one before (the first event's step is the `fr` edge that
/// closes the cycle). A cycle shows that no interleaving of the threads
/// (no single order of all accesses) gives the values read; `None` when
/// there is none.
pub(crate) fn sc_cycle(g: &Graph, r: EventId) -> Option<Vec<(EventId, Step)>> {
    let missed = missed_write(g, r)?;
    let succ = successors(g);
    let mut prev: BTreeMap<EventId, (EventId, Step)> = BTreeMap::new();
    let mut queue = VecDeque::from([missed]);
    let mut seen = BTreeSet::from([missed]);
    while let Some(e) = queue.pop_front() {
        if e == r {
            let mut path = vec![(r, prev[&r].1)];
            let mut cur = r;
            while let Some(&(p, _)) = prev.get(&cur) {
                if p == missed {
                    break;
                }
                path.push((p, prev[&p].1));
                cur = p;
            }
            path.push((missed, Step::Fr));
            path.reverse();
            return Some(path);
        }
        for (n, step) in succ(e) {
            if seen.insert(n) {
                prev.insert(n, (e, step));
                queue.push_back(n);
            }
        }
    }
    None
}

/// Whether `e` is a memory access (a read or a write, creation included).
pub(crate) fn is_access(g: &Graph, e: EventId) -> bool {
    matches!(g.kind(e), EventKind::Read(_) | EventKind::Write(_))
}

/// The events that explain `kind` (see the module documentation), or
/// `None` for a failure whose diagram draws everything.
pub(crate) fn focus(
    g: &Graph,
    st: &State,
    kind: &FailureKind,
    race: Option<(EventId, EventId)>,
) -> Option<BTreeSet<EventId>> {
    let mut set = BTreeSet::new();
    let last = |t: usize| {
        let t = ThreadId::from_index(t);
        let n = g.thread_len(t);
        (n > 0).then(|| EventId::new(t, n - 1))
    };
    match (kind, race) {
        (FailureKind::DataRace { .. }, Some((a, b))) => {
            set.extend([a, b]);
            set.extend(missing_sync(g, a, b));
        }
        (
            FailureKind::Panic { thread, .. }
            | FailureKind::StackOverflow { thread, .. }
            | FailureKind::InvalidAccess { thread, .. }
            | FailureKind::UseAfterFree { thread, .. },
            _,
        ) => {
            set.extend(last(*thread));
            set.extend(values_focus(g, st, *thread));
        }
        (FailureKind::Deadlock { threads }, _) => {
            for w in threads {
                let t = ThreadId::from_index(w.thread);
                set.extend(last(w.thread));
                let Some((l, _, _)) = st.threads.get(w.thread).and_then(|ts| ts.waiting) else {
                    continue;
                };
                // its last try of the lock, and who took it last
                let tried = g
                    .thread_events(t)
                    .iter()
                    .enumerate()
                    .rev()
                    .find_map(|(i, ev)| {
                        matches!(ev.kind, EventKind::Read(r) if r.loc == l)
                            .then_some(EventId::new(t, i))
                    });
                set.extend(tried);
                let holder = g.co_max(l);
                if !is_alloc(g, holder) {
                    set.insert(holder);
                }
            }
        }
        (FailureKind::Livelock { thread, .. } | FailureKind::LoopBound { thread, .. }, _) => {
            // where the loop stands: its last reads and what they read
            set.extend(last(*thread));
            for r in last_reads(g, st, ThreadId::from_index(*thread)) {
                set.insert(r);
                set.extend(g.read(r).map(|rd| rd.rf));
            }
        }
        (FailureKind::Leak { allocated, .. }, _) => {
            // the operations at the line that allocated what leaked
            for (e, _) in g.events() {
                let at = names::site(g, e);
                if at.is_some_and(|l| l.file() == allocated.file() && l.line() == allocated.line())
                {
                    set.insert(e);
                }
            }
            if set.is_empty() {
                return None;
            }
        }
        _ => return None,
    }
    // both halves of a read-modify-write
    let halves: Vec<EventId> = set
        .iter()
        .filter_map(|&e| {
            g.rmw_read_of(e).or_else(|| {
                let next = EventId::new(e.thread, e.index as usize + 1);
                (g.contains(next) && g.rmw_read_of(next) == Some(e)).then_some(next)
            })
        })
        .collect();
    set.extend(halves);
    set.retain(|&e| !is_bookkeeping(g, st, e));
    Some(set)
}

/// The accesses behind a failed assertion in thread `thread`: its last
/// reads and the writes they read; the reads that saw old values with the
/// writes they read and missed; the accesses of a cycle that no
/// interleaving allows; and, for each write among them made by another
/// thread, that thread's reads before it (where its values came from).
/// Without bookkeeping.
pub(crate) fn values_focus(g: &Graph, st: &State, thread: usize) -> BTreeSet<EventId> {
    let mut set = BTreeSet::new();
    for r in last_reads(g, st, ThreadId::from_index(thread)) {
        set.insert(r);
        set.extend(g.read(r).map(|rd| rd.rf));
    }
    for r in stale_reads(g, st, thread) {
        set.insert(r);
        set.extend(g.read(r).map(|rd| rd.rf));
        set.extend(missed_write(g, r));
        for (e, _) in sc_cycle(g, r).into_iter().flatten() {
            if is_access(g, e) {
                set.insert(e);
            }
        }
    }
    let writes: Vec<EventId> = set
        .iter()
        .copied()
        .filter(|&w| w.thread.index() != thread && g.write(w).is_some() && !is_alloc(g, w))
        .collect();
    for w in writes {
        set.extend(
            last_reads(g, st, w.thread)
                .into_iter()
                .filter(|r| r.index < w.index && g.rmw_read_of(w) != Some(*r)),
        );
    }
    set.retain(|&e| !is_bookkeeping(g, st, e));
    set
}

/// The synchronisation missing between racing accesses `a` and `b`: the
/// last read in `b`'s thread before `b` of a write `a`'s thread made after
/// `a`, with that write (see `why::why_no_hb`).
pub(crate) fn missing_sync(g: &Graph, a: EventId, b: EventId) -> Vec<EventId> {
    for (i, ev) in g.thread_events(b.thread)[..b.index as usize]
        .iter()
        .enumerate()
        .rev()
    {
        if let EventKind::Read(r) = ev.kind {
            if r.rf.thread == a.thread && r.rf.index > a.index {
                return vec![EventId::new(b.thread, i), r.rf];
            }
        }
    }
    Vec::new()
}

/// Whether write `w` is a location's creation.
pub(crate) fn is_alloc(g: &Graph, w: EventId) -> bool {
    g.write(w).is_some_and(|w| w.kind == WriteKind::Alloc)
}
