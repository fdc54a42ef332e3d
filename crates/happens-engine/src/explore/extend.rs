//! How one event is added to the graph: the writes a new read may read
//! (and which of them are alternatives, dead ends or pruned by symmetry),
//! the places in `co` a new write may take, and the backward revisits it
//! offers. `run.rs` decides which operation comes next; this file makes
//! its choices.

use super::symmetry;
use super::types::{Blocked, GoingOn, Status};
use super::{Alt, Cand, Explorer};
use crate::event::{EventKind, Read, ReadAccess, Write};
use crate::ids::{EventId, LocId, ThreadId};
use crate::model::Model;
use crate::op::Val;
use crate::order::LoadOrd;
use crate::race;

impl<M: Model> Explorer<M> {
    /// An addition for which no choice is consistent. This cannot happen for
    /// a consistent graph under RC11 or SC (reading the `co`-latest write and
    /// writing `co`-last are always allowed); it is reported, not hidden.
    pub(super) fn inconsistent_step(&self) -> Status {
        Status::Inconsistent {
            axiom: "no consistent extension",
        }
    }

    /// Adds a read, takes its first consistent write, and remembers the
    /// others. Returns the value read (`0` after setting a stop status). A
    /// blocking step (`until`) reads only writes it accepts; with none, it
    /// is not added and the result is `None`.
    pub(super) fn add_read(
        &mut self,
        t: ThreadId,
        loc: LocId,
        ord: LoadOrd,
        access: ReadAccess,
        until: Option<crate::op::Until>,
    ) -> Option<Val> {
        // a waiting thread that goes on reads another value than its rounds
        // read (see `Execution::moved_on`)
        let moved = self.runs[t.index()].moved.take();
        let steady = std::mem::take(&mut self.runs[t.index()].steady);
        let until = until.or(moved.map(crate::op::Until::IsNot));
        let model = &self.model;
        let frame = self.stack.last_mut().unwrap();
        let g = &mut frame.graph;
        let first = g.co(loc)[0];
        let val0 = g.write(first).unwrap().val;
        let ord0 = Read::effective_ord(access, ord, val0, false);
        let r = g.push(
            t,
            EventKind::Read(Read {
                loc,
                ord: ord0,
                access,
                rf: first,
                val: val0,
                spurious: false,
                repeat: false,
                moved: moved.is_some() || steady,
                until,
            }),
            None,
        );
        self.cands.clear();
        let repeat_of = self.runs[t.index()].repeat_of.take();
        let repeated = repeat_of.and_then(|f| g.read(EventId::new(t, f as usize)).copied());
        if let Some(prev) = repeated {
            // a read that repeats a read of a waiting loop reads what that
            // one read (another value is the same as that read reading it,
            // which a revisit explores), and one write only: the same one,
            // or the latest consistent one of that value (the program
            // cannot tell them apart). If none is consistent here, it is an
            // ordinary read.
            let n = g.co(loc).len();
            for k in 0..=n {
                // the write it repeats first, then the latest back
                let w = if k == 0 { prev.rf } else { g.co(loc)[n - k] };
                if g.write(w).map(|x| x.val) != Some(prev.val) || !g.contains(w) {
                    continue;
                }
                g.set_rf(r, w, false);
                if model.read_ok(g, r) && model.global_ok(g, &[r]) {
                    self.cands.push(Cand {
                        write: w,
                        spurious: false,
                        taken: false,
                    });
                    g.set_repeat(r);
                    break;
                }
            }
        }
        if self.cands.is_empty() {
            let n = g.co(loc).len();
            // like threads keep their order (`symmetry.rs`)
            let symmetric = self.config.symmetry && self.alike && self.guide.is_none();
            // the model may vouch for every write from the floor up
            let free = !symmetric && model.reads_freely(g, r);
            let mut pruned = false;
            for i in model.co_floor(g, r)..n {
                let w = g.co(loc)[i];
                let wval = g.write(w).unwrap().val;
                if until.is_some_and(|u| !u.accepts(wval)) {
                    continue;
                }
                let spur: &[bool] = match access {
                    ReadAccess::Cas { expected, weak, .. }
                        if weak && !steady && wval == expected && g.may_fail_spuriously(r, w) =>
                    {
                        &[false, true]
                    }
                    _ => &[false],
                };
                for &sp in spur {
                    if !free {
                        g.set_rf(r, w, sp);
                    }
                    let consistent = free || (model.read_ok(g, r) && model.global_ok(g, &[r]));
                    if consistent && symmetric && !symmetry::ok(g, r) {
                        pruned = true;
                        continue;
                    }
                    if consistent {
                        // an RMW reading a write another RMW took is a dead
                        // end, whose only use is its revisits
                        let taken =
                            self.guide.is_none() && access.writes(wval, sp) && g.is_taken(w);
                        self.cands.push(Cand {
                            write: w,
                            spurious: sp,
                            taken,
                        });
                    }
                }
            }
            if pruned && self.cands.is_empty() {
                // every consistent write is one a like thread reads in the
                // explored order (`symmetry.rs`): this graph is the image of
                // an explored one, and so is every graph it leads to
                let mut lens: Vec<usize> = (0..g.num_threads())
                    .map(|u| g.thread_len(ThreadId::from_index(u)))
                    .collect();
                lens[t.index()] -= 1;
                g.truncate_threads(&lens);
                self.stop_status = Some(Status::DeadEnd);
                return None;
            }
        }
        if let Some(key) = &self.guide {
            let want = key.rf_of(r);
            self.cands.retain(|c| Some((c.write, c.spurious)) == want);
            if self.cands.is_empty() {
                self.stop_status = Some(Status::ReplayMismatch);
                return Some(0);
            }
        }
        let once = self.config.going_on == GoingOn::OneSchedule;
        if (moved.is_some() || steady) && once && !self.cands.is_empty() {
            // in one schedule, a read that went on reads the latest write of
            // another value (exhaustively, any of them)
            let last = self.cands.len() - 1;
            self.cands.drain(..last);
        }
        if let (Some(_), ReadAccess::Load, None) = (until, access, moved) {
            // a wait for a value reads the first write it accepts (that it
            // may read): the one that let it go on. A later one would only
            // add synchronisation, in an execution no program can tell
            // apart, so it is neither a choice nor revisited.
            self.cands.truncate(1);
        }
        if until.is_some() && self.cands.is_empty() {
            if moved.is_some() {
                // nothing of another value is consistent for it here: the
                // execution ends where it would have without going on
                self.stop_status = Some(Status::Blocked {
                    threads: vec![(t, Blocked::Wait)],
                });
            }
            let mut lens: Vec<usize> = (0..g.num_threads())
                .map(|u| g.thread_len(ThreadId::from_index(u)))
                .collect();
            lens[t.index()] -= 1;
            g.truncate_threads(&lens);
            return None;
        }
        let Some((&take, rest)) = self.cands.split_last() else {
            self.stop_status = Some(self.inconsistent_step());
            return Some(0);
        };
        // this run reads the `co`-latest (if another RMW took it, the run
        // ends in a dead end when its write half finds no place); the
        // others are alternatives, a dead end one that needs no run
        let stamp = g.stamp(r);
        g.set_rf(r, take.write, take.spurious);
        // after a thread went on, in one schedule: no other choice
        let once = self.moved_on && self.config.going_on == GoingOn::OneSchedule;
        for c in rest.iter().rev().filter(|_| !once) {
            frame.work.push(if c.taken {
                Alt::Conflict {
                    stamp,
                    read: r,
                    write: c.write,
                }
            } else {
                Alt::Rf {
                    stamp,
                    read: r,
                    write: c.write,
                    spurious: c.spurious,
                }
            });
        }
        let val = g.read(r).unwrap().val;
        if self.config.stop_on_race && self.stop_status.is_none() {
            if let Some(race) = race::race_with(g, r) {
                self.stop_status = Some(Status::Race(race));
            }
        }
        Some(val)
    }

    /// Adds the write half of the RMW whose read half is `r`.
    pub(super) fn add_rmw_write(&mut self, t: ThreadId, r: EventId) -> Option<Status> {
        let w = self.graph().read(r).unwrap().write_half().unwrap();
        self.add_write(t, w);
        self.stop_status.take()
    }

    /// Adds a write, takes its last consistent place in `co`, remembers the
    /// other places and the backward revisits it allows.
    pub(super) fn add_write(&mut self, t: ThreadId, w: Write) -> Option<()> {
        let model = &self.model;
        let frame = self.stack.last_mut().unwrap();
        let g = &mut frame.graph;
        let n = g.co(w.loc).len();
        let e = g.push(t, EventKind::Write(w), Some(n - 1));
        self.positions.clear();
        if let Some(key) = &self.guide {
            // the place the key gives: after as many of the present writes
            // as come before it in the key's order (each present write is
            // found by its id in O(1), so a long replay stays linear per
            // write, not cubic)
            let order = g
                .location(w.loc)
                .alloc
                .and_then(|a| key.co_of(a))
                .unwrap_or(&[]);
            let present = |x: EventId| {
                x != e
                    && (x.index as usize) < g.thread_len(x.thread)
                    && g.write(x).is_some_and(|o| o.loc == w.loc)
            };
            let before = order
                .iter()
                .take_while(|&&x| x != e)
                .filter(|&&x| present(x))
                .count();
            let found = order.contains(&e) && before > 0;
            let after = before.wrapping_sub(1);
            if !found || after < model.co_floor(g, e) || after >= n {
                self.stop_status = Some(Status::ReplayMismatch);
                return Some(());
            }
            g.move_co(e, after);
            if !(model.write_ok(g, e) && model.global_ok(g, &[e])) {
                self.stop_status = Some(Status::ReplayMismatch);
                return Some(());
            }
            if self.config.stop_on_race && self.stop_status.is_none() {
                if let Some(race) = race::race_with(g, e) {
                    self.stop_status = Some(Status::Race(race));
                }
            }
            return Some(());
        }
        let symmetric = self.config.symmetry && self.alike;
        for after in model.co_floor(g, e)..n {
            g.move_co(e, after);
            if model.write_ok(g, e)
                && model.global_ok(g, &[e])
                && (!symmetric || symmetry::ok(g, e))
            {
                self.positions.push(after);
            }
        }
        let stamp = g.stamp(e);
        // backward revisits (offered even when no place in `co` is
        // consistent here: an RMW that read the same write as another RMW
        // can still revisit that one)
        let once = self.moved_on && self.config.going_on == GoingOn::OneSchedule;
        if !once {
            super::revisit::offer_revisits(g, e, stamp, &mut frame.work);
        }
        let Some((&after, rest)) = self.positions.split_last() else {
            self.stop_status = Some(Status::DeadEnd);
            return Some(());
        };
        g.move_co(e, after);
        for &after in rest.iter().rev().filter(|_| !once) {
            frame.work.push(Alt::Co {
                stamp,
                write: e,
                after,
            });
        }
        if self.config.stop_on_race && self.stop_status.is_none() {
            if let Some(race) = race::race_with(g, e) {
                self.stop_status = Some(Status::Race(race));
            }
        }
        Some(())
    }
}
