//! The trace of a failure: the events of the failing execution in an
//! order they could have happened in, each in words with its call site.

use happens_engine::{EventId, EventKind, Graph, LocId, ReadAccess, ThreadId, WriteKind};

use super::failure::TraceEvent;
use super::names::{self, Values};
use crate::rt::State;

/// The events of the execution in an order they could have happened in:
/// each after its thread's earlier events, a read after the write it
/// reads, a thread's start after its spawn and a join after the joined
/// thread's end (a topological order of `po ∪ rf`, which is acyclic), and
/// otherwise in the order the explorer added them. These are the program's
/// own operations: the library's bookkeeping collapses into one line per
/// call (`Arc::new`, `Arc::clone`, `drop(Arc)`) or disappears, and a source
/// location inside the standard library (drop glue) is left out.
pub(crate) fn trace(g: &Graph, st: &State) -> Vec<TraceEvent> {
    let evs = happened_order(g);
    let kind_of = |l: LocId| st.locs.get(l.index()).copied().flatten().map(|i| i.kind);
    let vals = Values::new(g, st);
    let mut out = Vec::new();
    for e in evs {
        let k = *g.kind(e);
        let what = match bookkeeping(k, &kind_of) {
            Some(None) => continue,
            Some(Some(call)) => call.to_string(),
            None => match (k, st.threads[e.thread.index()].waiting) {
                // a blocking primitive's wait names what it waits for
                (EventKind::Block(_), Some((l, _, what))) => {
                    format!("waits for {what} {}", names::object(st, l))
                }
                _ => describe(st, &vals, k),
            },
        };
        let at = names::site(g, e)
            .filter(|l| !names::in_std(l.file()))
            .map(names::place);
        if matches!(k, EventKind::Fence(_)) && super::focus::is_bookkeeping(g, st, e) {
            // the acquire fence of the last `drop(Arc)`
            continue;
        }
        out.push(TraceEvent {
            thread: e.thread.index(),
            index: e.index as usize,
            what,
            at,
        });
    }
    out
}

/// The events of `g` in a topological order of `po ∪ rf` (with spawn →
/// start and end → join), the earliest added first among those ready.
fn happened_order(g: &Graph) -> Vec<EventId> {
    let nt = g.num_threads();
    let mut done = vec![0usize; nt];
    let emitted = |done: &[usize], e: EventId| (e.index as usize) < done[e.thread.index()];
    let mut out = Vec::with_capacity(g.len());
    loop {
        let mut best: Option<(happens_engine::Stamp, EventId, bool)> = None;
        for (t, &d) in done.iter().enumerate() {
            let tid = ThreadId::from_index(t);
            let Some(ev) = g.thread_events(tid).get(d) else {
                continue;
            };
            let e = EventId::new(tid, d);
            let ready = match ev.kind {
                EventKind::Read(r) => emitted(&done, r.rf) || r.rf.thread == tid,
                EventKind::Start { parent, .. } => emitted(&done, parent),
                EventKind::Join { child } => done
                    .get(child.index())
                    .is_some_and(|&n| n >= g.thread_len(child)),
                _ => true,
            };
            // the earliest added among the ready ones; if none is ready
            // (not in a consistent graph), the earliest added
            let better = match best {
                None => true,
                Some((s, _, r)) => (ready, std::cmp::Reverse(ev.stamp)) > (r, std::cmp::Reverse(s)),
            };
            if better {
                best = Some((ev.stamp, e, ready));
            }
        }
        let Some((_, e, _)) = best else {
            return out;
        };
        done[e.thread.index()] += 1;
        out.push(e);
    }
}

/// How a trace shows an event of the library's bookkeeping: `None` when
/// the event is the program's own, `Some(None)` when it is left out, else
/// the call it stands for.
fn bookkeeping(
    k: EventKind,
    kind_of: &impl Fn(LocId) -> Option<crate::rt::Kind>,
) -> Option<Option<&'static str>> {
    let strong = kind_of(k.loc()?)?.count? == crate::rt::Count::Strong;
    Some(match k {
        EventKind::Write(w) if w.kind == WriteKind::Alloc && strong => Some("Arc::new"),
        EventKind::Read(r) => match r.access {
            ReadAccess::Rmw { op, .. } if op.kind == happens_engine::RmwKind::Add => {
                Some(if strong {
                    "Arc::clone"
                } else {
                    "Arc::downgrade"
                })
            }
            ReadAccess::Rmw { op, .. } if op.kind == happens_engine::RmwKind::Sub && strong => {
                Some("drop(Arc)")
            }
            ReadAccess::Load if strong => Some("Arc::strong_count"),
            _ => None,
        },
        _ => None,
    })
}

fn describe(st: &State, vals: &Values, k: EventKind) -> String {
    let short = |l: LocId| names::object_label(st, l, false, false);
    match k {
        EventKind::Write(w) => match w.kind {
            WriteKind::Alloc => format!("new {} = {}", short(w.loc), vals.show(w.loc, w.val)),
            WriteKind::Store => format!(
                "store {} {} = {}",
                w.ord.name(),
                short(w.loc),
                vals.show(w.loc, w.val)
            ),
            WriteKind::Rmw => format!(
                "  (rmw write {} {} = {})",
                w.ord.name(),
                short(w.loc),
                vals.show(w.loc, w.val)
            ),
        },
        EventKind::Read(r) => {
            let what = match r.access {
                ReadAccess::Load => "load".to_string(),
                ReadAccess::Rmw { op, .. } => op.name().to_string(),
                ReadAccess::Cas { weak, .. } => {
                    let ok = if r.is_exclusive() {
                        "ok"
                    } else if r.spurious {
                        "spurious failure"
                    } else {
                        "failed"
                    };
                    format!(
                        "{} ({ok})",
                        if weak {
                            "compare_exchange_weak"
                        } else {
                            "compare_exchange"
                        }
                    )
                }
            };
            format!(
                "{what} {} {} -> {} (from {}#{})",
                r.ord.name(),
                short(r.loc),
                vals.show(r.loc, r.val),
                names::tag(r.rf.thread.index()),
                r.rf.index
            )
        }
        EventKind::Fence(f) => format!("fence {}", f.name()),
        // never of the main thread, which no thread spawns or joins
        EventKind::Spawn { child } => format!("spawn {}", names::who(child.index())),
        EventKind::Start { parent, .. } => {
            format!("start (spawned by {})", names::tag(parent.thread.index()))
        }
        EventKind::Join { child } => format!("join {}", names::who(child.index())),
        EventKind::Finish => "finish".to_string(),
        EventKind::Block(_) => "block (spin loop waits for a new value)".to_string(),
        EventKind::Fail => "panic".to_string(),
    }
}
