//! Turns a finished engine execution into a verdict: fine, blocked (not a
//! real execution), or a [`Failure`] with its trace.

use happens_engine::{
    Blocked, EventId, EventKind, Execution, Graph, LocId, ReadAccess, ReplayKey, Status, ThreadId,
    WriteKind,
};

use crate::diagram::Picture;
use crate::failure::{Access, Failure, FailureKind, TraceEvent, Waiter};
use crate::rt::State;
use crate::why::{why_no_hb, why_values, Values};

/// The verdict on one execution.
pub(crate) enum Verdict {
    Ok,
    Blocked,
    Fail(FailureKind),
}

fn at_of(g: &Graph, e: EventId) -> Option<String> {
    crate::rt::event_at(g, e).map(crate::rt::place)
}

fn loc_name(st: &State, l: LocId) -> String {
    match st.locs.get(l.index()).copied().flatten() {
        Some(i) => format!("`{}` created at {}", i.kind, crate::rt::place(i.created)),
        None => format!("location {}", l.0),
    }
}

pub(crate) fn verdict(e: &Execution<'_>, st: &State, max_events: usize) -> Verdict {
    let g = e.graph;
    match e.status {
        Status::Complete => {
            if let Some(t) = st
                .tracked
                .values()
                .min_by_key(|t| (t.at.file(), t.at.line()))
            {
                return Verdict::Fail(FailureKind::Leak {
                    what: t.what.to_string(),
                    allocated: crate::rt::place(t.at),
                });
            }
            if e.moved_on || st.threads.iter().any(crate::rt::went_round) {
                return Verdict::Blocked;
            }
            Verdict::Ok
        }
        Status::Blocked { threads } => blocked(g, st, threads),
        Status::Failed { .. } if st.crash.is_some() => {
            Verdict::Fail(st.crash.clone().expect("checked"))
        }
        Status::Failed { thread } => {
            let (message, location) = match &st.panic {
                Some((_, p)) => (p.message.clone(), p.location.clone()),
                None => ("thread failed".to_string(), None),
            };
            Verdict::Fail(FailureKind::Panic {
                message,
                thread: thread.index(),
                location,
            })
        }
        Status::Race(r) => Verdict::Fail(race(g, st, r.first, r.second)),
        Status::BoundExceeded { thread } => {
            Verdict::Fail(match crate::rt::waiting_loop(&st.threads[thread.index()]) {
                Some(at) => FailureKind::Livelock {
                    thread: thread.index(),
                    at: Some(crate::rt::place(at)),
                    bound: max_events,
                },
                None => FailureKind::LoopBound {
                    thread: thread.index(),
                    bound: max_events,
                },
            })
        }
        Status::Nondeterminism {
            thread,
            index,
            expected,
            got,
        } => Verdict::Fail(FailureKind::Nondeterminism {
            thread: thread.index(),
            detail: format!("event {index} was {expected:?} before, now {got:?}"),
        }),
        Status::Inconsistent { axiom } => Verdict::Fail(FailureKind::Nondeterminism {
            thread: 0,
            detail: format!("the engine found no consistent extension ({axiom})"),
        }),
        Status::DeadEnd => Verdict::Blocked,
        #[allow(unreachable_patterns)]
        other => Verdict::Fail(FailureKind::Nondeterminism {
            thread: 0,
            detail: format!("{other:?}"),
        }),
    }
}

/// A blocked execution is a real deadlock only when every thread blocked in a
/// spin loop read, in its last iteration, the latest value of everything it
/// read: no write it could still see would let it go on.
fn blocked(g: &Graph, st: &State, threads: &[(ThreadId, Blocked)]) -> Verdict {
    let mut waiters = Vec::new();
    for &(t, b) in threads {
        let ts = &st.threads[t.index()];
        match b {
            Blocked::Block(_) => {
                let evs = g.thread_events(t);
                let end = evs.len().saturating_sub(1);
                if !g.waits_on_latest(t, 0) {
                    return Verdict::Blocked;
                }
                let at = at_of(g, EventId::new(t, end));
                let (waits_for, held_by) = match ts.waiting {
                    Some((l, _, what)) => {
                        let held = st
                            .owners
                            .get(&l.0)
                            .map(|&(o, at)| (o, crate::rt::place(at)));
                        (format!("{what} {}", loc_name(st, l)), held)
                    }
                    None => (
                        "a value that no thread will write (spin loop)".to_string(),
                        None,
                    ),
                };
                waiters.push(Waiter {
                    thread: t.index(),
                    waits_for,
                    at,
                    held_by,
                });
            }
            Blocked::Await(_) => {
                let (waits_for, held_by) = match ts.waiting {
                    Some((l, _, what)) => {
                        let held = st
                            .owners
                            .get(&l.0)
                            .map(|&(o, at)| (o, crate::rt::place(at)));
                        (format!("{what} {}", loc_name(st, l)), held)
                    }
                    None => ("a blocking primitive".to_string(), None),
                };
                waiters.push(Waiter {
                    thread: t.index(),
                    waits_for,
                    // the wait, which has no event
                    at: ts.last_at().map(crate::rt::place),
                    held_by,
                });
            }
            // a thread that waits although a newer write exists, of the
            // value it read (one of another value it goes on to read: the
            // engine's `moved_on`)
            Blocked::Wait => return Verdict::Blocked,
            Blocked::Join(c) => {
                waiters.push(Waiter {
                    thread: t.index(),
                    waits_for: format!("thread {} to finish (join)", c.index()),
                    // the join, which has no event
                    at: ts.last_at().map(crate::rt::place),
                    held_by: None,
                });
            }
        }
    }
    Verdict::Fail(FailureKind::Deadlock { threads: waiters })
}

fn access(g: &Graph, st: &State, e: EventId) -> Access {
    let k = g.kind(e);
    Access {
        thread: e.thread.index(),
        kind: if k.is_write() { "write" } else { "read" },
        target: k.loc().map(|l| loc_name(st, l)).unwrap_or_default(),
        at: at_of(g, e),
    }
}

fn race(g: &Graph, st: &State, first: EventId, second: EventId) -> FailureKind {
    FailureKind::DataRace {
        first: access(g, st, first),
        second: access(g, st, second),
        why: why_no_hb(g, st, first, second),
    }
}

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
                    format!("waits for {what} {}", loc_name(st, l))
                }
                _ => describe(g, st, &vals, k),
            },
        };
        let at = at_of(g, e).filter(|a| !a.starts_with("/rustc/"));
        if matches!(k, EventKind::Fence(_)) && crate::focus::is_bookkeeping(g, st, e) {
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

fn describe(g: &Graph, st: &State, vals: &Values, k: EventKind) -> String {
    let short = |l: LocId| match st.locs.get(l.index()).copied().flatten() {
        Some(i) => format!(
            "{}@{}:{}",
            i.kind,
            i.created.file().rsplit('/').next().unwrap_or(""),
            i.created.line()
        ),
        None => format!("L{}", l.0),
    };
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
            let _ = g;
            format!(
                "{what} {} {} -> {} (from T{}#{})",
                r.ord.name(),
                short(r.loc),
                vals.show(r.loc, r.val),
                r.rf.thread.0,
                r.rf.index
            )
        }
        EventKind::Fence(f) => format!("fence {}", f.name()),
        EventKind::Spawn { child } => format!("spawn thread {}", child.0),
        EventKind::Start { parent, .. } => format!("start (spawned by T{})", parent.thread.0),
        EventKind::Join { child } => format!("join thread {}", child.0),
        EventKind::Finish => "finish".to_string(),
        EventKind::Block(_) => "block (spin loop waits for a new value)".to_string(),
        EventKind::Fail => "panic".to_string(),
    }
}

/// What a failure draws: its diagram (if at all), and where the SVG
/// picture of an execution too wide for the terminal goes (`None`: the
/// system's temporary directory).
#[derive(Clone, Copy)]
pub(crate) struct Pictures<'a> {
    pub diagram: bool,
    pub svg_dir: Option<&'a std::path::Path>,
}

/// The failure of execution number `execution`, with a diagram if asked,
/// and the picture to write if it is the one reported and its diagram
/// does not fit the terminal.
pub(crate) fn failure(
    kind: FailureKind,
    e: &Execution<'_>,
    st: &State,
    execution: u64,
    pictures: Pictures<'_>,
) -> (Failure, Option<Picture>) {
    // a thread waiting in a blocking primitive has no event for its wait:
    // it is drawn and listed as one
    let shown;
    let g = match e.status {
        Status::Blocked { threads }
            if threads.iter().any(|(_, b)| matches!(b, Blocked::Await(_))) =>
        {
            let mut c = e.graph.clone();
            for &(t, b) in threads {
                if let Blocked::Await(_) = b {
                    // at the call site of the wait
                    let at = st.threads[t.index()].last_at();
                    let site = at.map_or(happens_engine::Site::NONE, crate::rt::site);
                    let block = EventKind::Block(happens_engine::BlockReason::Spin);
                    c.push_at(t, block, site, None);
                }
            }
            shown = c;
            &shown
        }
        _ => e.graph,
    };
    let race = match e.status {
        Status::Race(r) => Some((r.first, r.second)),
        _ => None,
    };
    let why = match kind {
        FailureKind::Panic { thread, .. }
        | FailureKind::StackOverflow { thread, .. }
        | FailureKind::InvalidAccess { thread, .. }
        | FailureKind::UseAfterFree { thread, .. } => why_values(g, st, thread),
        _ => Vec::new(),
    };
    let (diagram, picture) = match pictures.diagram {
        true => {
            let (text, picture) = crate::diagram::render(g, st, &kind, race, pictures.svg_dir);
            (Some(text), picture)
        }
        false => (None, None),
    };
    let failure = Failure {
        diagram,
        kind,
        why,
        trace: trace(g, st),
        replay: ReplayKey::of(e.graph).to_string(),
        execution,
    };
    (failure, picture)
}
