//! Which thread takes the next step of an execution: the lowest runnable
//! one; when only waiting threads are left, one that read the latest
//! writes, or one that goes on from a value since overwritten; and how an
//! execution ended when none can.

use super::types::{Blocked, Status};
use super::{Explorer, Tries};
use crate::event::EventKind;
use crate::ids::{EventId, LocId, ThreadId};
use crate::model::Model;
use crate::op::Op;

impl<M: Model> Explorer<M> {
    /// The lowest thread that can take a step; when only waiting threads
    /// are left (see [`Op::Wait`]) and each of them read the latest writes,
    /// the lowest of them.
    pub(super) fn next_thread(&self) -> Option<ThreadId> {
        if let Some(t) = self.next_runnable() {
            return Some(t);
        }
        let mut first = None;
        for (t, r) in self.runs.iter().enumerate() {
            if let (true, false, Some(Op::Wait { from, .. })) = (r.live, r.done, r.op()) {
                let tid = ThreadId::from_index(t);
                if !self.graph().waits_on_latest(tid, from as usize) {
                    return None;
                }
                first = first.or(Some(tid));
            }
        }
        first
    }

    /// When nothing else can run: the lowest waiting thread whose rounds
    /// read a value another thread has since overwritten with another
    /// value, or that went round after a spurious failure. It goes on: its
    /// next read reads the latest of those values, or does not fail
    /// spuriously (see [`Execution::moved_on`](crate::Execution::moved_on)).
    /// A blocking primitive's step does not (the primitive keeps no state
    /// of its own that a round could change, and its awaits read what lets
    /// them go on).
    pub(super) fn stale_waiter(&self) -> Option<ThreadId> {
        let g = self.graph();
        self.runs.iter().enumerate().find_map(|(t, r)| {
            let Some(Op::Wait { from, .. }) = r.op().filter(|_| r.live && !r.done) else {
                return None;
            };
            let tid = ThreadId::from_index(t);
            let first = g.read(EventId::new(tid, from as usize))?;
            if first.spurious {
                return Some(tid);
            }
            if first.until.is_some() {
                return None;
            }
            // what its latest round read there
            let last = g.thread_events(tid)[from as usize..]
                .iter()
                .rev()
                .find_map(|e| match e.kind {
                    EventKind::Read(rd) if rd.loc == first.loc => Some(rd),
                    _ => None,
                })?;
            let co = g.co(first.loc);
            co[g.co_index(last.rf) + 1..]
                .iter()
                .any(|&w| w.thread != tid && g.write(w).is_some_and(|x| x.val != first.val))
                .then_some(tid)
        })
    }

    fn next_runnable(&self) -> Option<ThreadId> {
        let g = self.graph();
        self.runs.iter().enumerate().find_map(|(t, r)| {
            if !r.live || r.done || r.tries == Tries::Stuck {
                return None;
            }
            match r.op()? {
                Op::Join(c) => {
                    let cr = self.runs.get(c.index())?;
                    let finished = cr.done
                        && matches!(
                            g.thread_events(c).last().map(|e| e.kind),
                            Some(EventKind::Finish)
                        );
                    finished.then_some(ThreadId::from_index(t))
                }
                // a thread goes round a waiting loop a few times on its own
                // (a loop with a backoff reaches its end), then waits
                Op::Wait { spins, .. } if spins >= self.config.max_spins => None,
                Op::Await { loc, until, then } => {
                    let tid = ThreadId::from_index(t);
                    let fresh = r.parked != Some(g.co(loc).len() as u32);
                    let ready = fresh && self.may_take(loc, until, then);
                    let guided = match &self.guide {
                        Some(key) => {
                            let r = EventId::new(tid, g.thread_len(tid));
                            key.rf_of(r).map_or(true, |(w, _)| g.contains(w))
                        }
                        None => true,
                    };
                    (ready && guided).then_some(tid)
                }
                Op::Load { .. } | Op::Rmw { .. } | Op::Cas { .. } => {
                    let tid = ThreadId::from_index(t);
                    match &self.guide {
                        Some(key) => {
                            let r = EventId::new(tid, g.thread_len(tid));
                            let ready = key.rf_of(r).map_or(true, |(w, _)| g.contains(w));
                            ready.then_some(tid)
                        }
                        None => Some(tid),
                    }
                }
                _ => Some(ThreadId::from_index(t)),
            }
        })
    }

    /// Whether an await may run: a taking one when the `co`-latest write
    /// is accepted (every earlier accepted write was taken, or another
    /// thread's take of it is explored by a revisit), a wait for a value
    /// when some write is accepted.
    fn may_take(&self, loc: LocId, until: crate::op::Until, then: crate::op::Then) -> bool {
        let g = self.graph();
        if then.takes() {
            return until.accepts(g.write(g.co_max(loc)).unwrap().val);
        }
        g.co(loc)
            .iter()
            .any(|&w| until.accepts(g.write(w).unwrap().val))
    }

    pub(super) fn final_status(&self) -> Status {
        let g = self.graph();
        let mut blocked = Vec::new();
        for (t, r) in self.runs.iter().enumerate() {
            if !r.live {
                continue;
            }
            let tid = ThreadId::from_index(t);
            if r.done {
                if let Some(EventKind::Block(b)) = g.thread_events(tid).last().map(|e| e.kind) {
                    blocked.push((tid, Blocked::Block(b)));
                }
            } else if let Some(crate::op::Issue { op, site }) = r.pending {
                match op {
                    Op::Join(c) => blocked.push((tid, Blocked::Join(c, site))),
                    Op::Wait { .. } => blocked.push((tid, Blocked::Wait)),
                    Op::Await { loc, .. } => blocked.push((tid, Blocked::Await(loc, site))),
                    _ => {}
                }
            }
        }
        if blocked.is_empty() {
            Status::Complete
        } else {
            Status::Blocked { threads: blocked }
        }
    }
}
