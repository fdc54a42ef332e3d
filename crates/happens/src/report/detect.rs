//! Turns a finished engine execution into a verdict: fine, blocked (not a
//! real execution), or a [`FailureKind`], which the rest of `report`
//! renders.

use happens_engine::{Blocked, EventId, Execution, Graph, Status, ThreadId};

use super::failure::{Access, AccessKind, Did, FailureKind, Object, Waiter, WaitsFor};
use super::names::{self, site};
use crate::rt::{Loc, State};

/// The verdict on one execution.
pub(crate) enum Verdict {
    Ok,
    Blocked,
    Fail(FailureKind),
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
                    what: t.what,
                    allocated: t.at,
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
                    at: Some(at),
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
            site: now,
        } => Verdict::Fail(FailureKind::Nondeterminism {
            thread: thread.index(),
            before: Some(Did {
                what: names::event_word(expected),
                at: names::site(g, EventId::new(*thread, *index)),
            }),
            now: Some(Did {
                what: names::op_word(*got),
                at: names::issued_at(*now),
            }),
            detail: format!("its event {index}"),
        }),
        Status::Inconsistent { axiom } => Verdict::Fail(FailureKind::Nondeterminism {
            thread: 0,
            before: None,
            now: None,
            detail: format!("the engine found no consistent extension ({axiom})"),
        }),
        Status::DeadEnd => Verdict::Blocked,
        #[allow(unreachable_patterns)]
        other => Verdict::Fail(FailureKind::Nondeterminism {
            thread: 0,
            before: None,
            now: None,
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
        match b {
            Blocked::Block(_) => {
                let end = g.thread_len(t).saturating_sub(1);
                if !g.waits_on_latest(t, 0) {
                    return Verdict::Blocked;
                }
                let at = site(g, EventId::new(t, end));
                waiters.push(waiter(st, t.index(), at, WaitsFor::SpinLoop));
            }
            // the wait has no event: the engine says where it was issued
            Blocked::Await(_, at) => {
                let at = names::issued_at(at);
                waiters.push(waiter(st, t.index(), at, WaitsFor::Primitive));
            }
            // a thread that waits although a newer write exists, of the
            // value it read (one of another value it goes on to read: the
            // engine's `moved_on`)
            Blocked::Wait => return Verdict::Blocked,
            Blocked::Join(c, at) => {
                waiters.push(Waiter {
                    thread: t.index(),
                    waits_for: WaitsFor::Join { thread: c.index() },
                    at: names::issued_at(at),
                    held_by: None,
                });
            }
        }
    }
    Verdict::Fail(FailureKind::Deadlock { threads: waiters })
}

/// Thread `t` waiting at `at` for the object of the primitive it waits
/// in (with the thread that holds it, if it is a lock), or `unnamed` when
/// the runtime does not know of one.
fn waiter(st: &State, t: usize, at: Option<Loc>, unnamed: WaitsFor) -> Waiter {
    let (waits_for, held_by) = match st.threads[t].waiting {
        Some((l, _, what)) => {
            let object = Object::of(st, l);
            let held_by = st.owners.get(&l.0).copied();
            (WaitsFor::Object { what, object }, held_by)
        }
        None => (unnamed, None),
    };
    Waiter {
        thread: t,
        waits_for,
        at,
        held_by,
    }
}

fn access(g: &Graph, st: &State, e: EventId) -> Access {
    let k = g.kind(e);
    Access {
        thread: e.thread.index(),
        index: e.index as usize,
        kind: if k.is_write() {
            AccessKind::Write
        } else {
            AccessKind::Read
        },
        target: Object::of(st, k.loc().expect("a race is between accesses")),
        at: site(g, e),
    }
}

/// The race between `first` and `second`; why no happens-before orders
/// them is the why-chain's to say.
fn race(g: &Graph, st: &State, first: EventId, second: EventId) -> FailureKind {
    FailureKind::DataRace {
        first: access(g, st, first),
        second: access(g, st, second),
    }
}
