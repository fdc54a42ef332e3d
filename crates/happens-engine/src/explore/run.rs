//! One execution: re-running the program against the current graph,
//! replaying the graph's events, then extending it event by event (the
//! lowest runnable thread first), remembering the alternatives of each new
//! event.

use super::symmetry;
use super::{Explorer, Frame, ThreadRun, Tries};
use crate::event::{EventKind, Read, ReadAccess, Write, WriteKind};
use crate::graph::Graph;
use crate::ids::{EventId, ThreadId};
use crate::model::Model;
use crate::op::{Issue, Made, Op, Reply, Shape, Val};
use crate::program::Program;

use super::types::Status;

/// A value to bring up to date while replaying (see `replay_one`).
enum Revalue {
    /// The write at this index writes this value.
    Write(usize, Val),
    /// The read at this index reads this value, issued with this access.
    Read(usize, Val, ReadAccess),
}

impl<M: Model> Explorer<M> {
    /// Re-runs the program against the top frame's graph, replaying it and
    /// extending it to a full execution.
    pub(super) fn run_once<P: Program + ?Sized>(&mut self, program: &mut P) -> Status {
        program.reset();
        self.runs.clear();
        self.stop_status = None;
        self.moved_on = false;
        self.kept_outcome = false;
        self.alike = false;
        self.runs.push(ThreadRun {
            live: true,
            ..ThreadRun::default()
        });
        let first = program.step(ThreadId(0), Reply::Start, Made::default());
        self.runs[0].pending = Some(first);
        // replay
        loop {
            let mut progressed = false;
            let mut t = 0;
            while t < self.runs.len() {
                while self.can_replay(t) {
                    progressed = true;
                    if let Some(s) = self.replay_one(program, ThreadId::from_index(t)) {
                        return s;
                    }
                }
                t += 1;
            }
            if !progressed {
                break;
            }
        }
        // extend
        loop {
            let t = match self.next_thread() {
                Some(t) => t,
                None => match self.stale_waiter() {
                    Some(t) => {
                        self.runs[t.index()].moving = true;
                        t
                    }
                    None => return self.final_status(),
                },
            };
            let r = &mut self.runs[t.index()];
            if r.tries == Tries::Stuck {
                // nothing else can run and its try read the latest write:
                // nobody will let it succeed, so it runs on (and the loop
                // bound reports the livelock)
                r.tries = Tries::Released;
            }
            if let Some(s) = self.add_next(program, t) {
                return s;
            }
            // a read that went on found nothing to read (`add_read`)
            if let Some(s) = self.stop_status.take() {
                return s;
            }
        }
    }

    pub(super) fn graph(&self) -> &Graph {
        &self.stack.last().unwrap().graph
    }

    fn can_replay(&self, t: usize) -> bool {
        let r = &self.runs[t];
        let g = self.graph();
        let tid = ThreadId::from_index(t);
        if !(r.live && !r.done && r.pending.is_some() && r.replay < g.thread_len(tid)) {
            return false;
        }
        if !self.config.replay_porf_order {
            return true;
        }
        let replayed = |e: EventId| {
            self.runs
                .get(e.thread.index())
                .is_some_and(|x| x.replay > e.index as usize)
        };
        match &g.thread_events(tid)[r.replay].kind {
            EventKind::Read(rd) => replayed(rd.rf),
            &EventKind::Join { child } => {
                let n = g.thread_len(child);
                n == 0 || replayed(EventId::new(child, n - 1))
            }
            _ => true,
        }
    }

    fn ensure_run(&mut self, t: ThreadId) {
        while self.runs.len() <= t.index() {
            self.runs.push(ThreadRun::default());
        }
    }

    /// Replays the next graph event of thread `t` against its pending op.
    fn replay_one<P: Program + ?Sized>(&mut self, program: &mut P, t: ThreadId) -> Option<Status> {
        let ti = t.index();
        let Issue { op, site } = self.runs[ti].pending.take().unwrap();
        let idx = self.runs[ti].replay;
        let g = &self.stack.last().unwrap().graph;
        // by reference: an event is large, and this is the hot path
        let ev = &g.thread_events(t)[idx].kind;
        let mismatch = || Status::Nondeterminism {
            thread: t,
            index: idx,
            expected: *ev,
            got: op,
            site,
        };
        let has_next = g.thread_len(t) > idx + 1;
        let mut consumed = 1;
        let mut half_rmw = false;
        // Values are taken from this run, not from the run that added the
        // event: a front-end's values may differ from run to run (addresses
        // of fresh allocations), so a write's value is updated as it is
        // replayed, and a read returns the value its write has in this run
        // (with `replay_porf_order`, that write was replayed before it).
        // Only what decides the shape of the graph must be the same: the
        // operation, its location and orderings, and whether a
        // compare-exchange succeeds.
        let rf_val = |r: &Read| g.write(r.rf).map_or(r.val, |w| w.val);
        let mut revalue: Option<Revalue> = None;
        // a compare-exchange that keeps the outcome of the run that added
        // it, failing: what it replies
        let mut kept_failure = None;
        let reply = match (op.shape(), ev) {
            (Shape::Nothing, _) => {
                // it ran on in the run that made the graph (its next read
                // is in the graph already, marked as a repeat)
                self.answer(program, t, idx..idx, Reply::Done);
                return None;
            }
            (Shape::Alloc { init, atomic }, &EventKind::Write(w))
                if w.kind == WriteKind::Alloc && w.ord.is_atomic() == atomic =>
            {
                revalue = Some(Revalue::Write(idx, init));
                Reply::Loc(w.loc)
            }
            (
                Shape::Read {
                    loc,
                    ord,
                    access,
                    until,
                },
                &EventKind::Read(r),
            ) if r.loc == loc
                && r.access.same_instruction(access)
                && (access != ReadAccess::Load || r.ord == ord)
                // a read that went on holds the value it excludes in `until`
                && (if r.moved { r.until } else { until }) == r.until =>
            {
                self.moved_on |= r.moved;
                let v = rf_val(&r);
                let ok = r.is_exclusive();
                if let ReadAccess::Cas { expected, .. } = access {
                    if (v == expected && !r.spurious) == ok {
                        revalue = Some(Revalue::Read(idx, v, access));
                    } else {
                        // the values it compares are not those of the run
                        // that added it (a freed allocation's address
                        // given again in one run and not in the other): it
                        // keeps that run's outcome (see
                        // `Execution::kept_outcome`). A success reads what
                        // it expected; a failure keeps the value and the
                        // access it failed with, and replies what its write
                        // has in this run
                        self.kept_outcome = true;
                        if ok {
                            revalue = Some(Revalue::Read(idx, expected, access));
                        } else {
                            kept_failure = Some(Reply::Cas { old: v, ok: false });
                        }
                    }
                } else {
                    revalue = Some(Revalue::Read(idx, v, access));
                }
                if ok {
                    if has_next {
                        consumed = 2;
                    } else {
                        half_rmw = true;
                    }
                }
                // answered once its value is brought up to date (below)
                Reply::Done
            }
            (Shape::Write(s), &EventKind::Write(w))
                if w.kind == s.kind && w.loc == s.loc && w.ord == s.ord =>
            {
                revalue = Some(Revalue::Write(idx, s.val));
                Reply::Done
            }
            (Shape::Fence(o), &EventKind::Fence(f)) if o == f => Reply::Done,
            (Shape::Spawn { like }, &EventKind::Spawn { child }) => {
                self.alike |= like.is_some();
                self.start_run(child);
                Reply::Spawned(child)
            }
            (Shape::Join(c), &EventKind::Join { child }) if c == child => Reply::Done,
            (Shape::End(end), ev) if end == *ev => {
                self.finish_thread(t, 1);
                return matches!(end, EventKind::Fail).then_some(Status::Failed { thread: t });
            }
            _ => return Some(mismatch()),
        };
        let g = &mut self.frame_mut().graph;
        let reply = match revalue {
            Some(Revalue::Write(i, v)) => {
                g.set_write_val(EventId::new(t, i), v);
                reply
            }
            Some(Revalue::Read(i, v, access)) => {
                let r = EventId::new(t, i);
                g.set_read_val(r, v, access);
                let rd = *g.read(r).unwrap();
                if consumed == 2 {
                    g.set_write_val(EventId::new(t, i + 1), rd.written_value().unwrap());
                }
                rd.reply()
            }
            None => kept_failure.unwrap_or(reply),
        };
        self.runs[ti].replay += consumed;
        if half_rmw {
            // a revisited RMW read: its write half is added now, before
            // anything else, so that nothing can come between in `co`
            if let Some(s) = self.add_rmw_write(t, EventId::new(t, idx)) {
                return Some(s);
            }
            self.runs[ti].replay += 1;
        }
        // the site is this run's (the same program issues the same
        // operation from the same place)
        let made = idx..self.runs[ti].replay;
        self.frame_mut().graph.set_sites(t, made.clone(), site);
        self.answer(program, t, made, reply);
        None
    }

    /// Gives thread `t` the reply to its operation, which became its
    /// events `made`, and takes its next operation; a thread it spawned
    /// takes its first step too.
    fn answer<P: Program + ?Sized>(
        &mut self,
        program: &mut P,
        t: ThreadId,
        made: std::ops::Range<usize>,
        reply: Reply,
    ) {
        let ti = t.index();
        let made = Made {
            first: made.start as u32,
            events: made.len() as u32,
        };
        let next = program.step(t, reply, made);
        self.runs[ti].pending = Some(next);
        if let Reply::Spawned(child) = reply {
            let first = program.step(
                child,
                Reply::Start,
                Made {
                    first: 0,
                    events: 1,
                },
            );
            let r = &mut self.runs[child.index()];
            r.pending = Some(first);
        }
    }

    /// Starts the run of a thread just spawned: its `Start` event is in
    /// the graph.
    fn start_run(&mut self, child: ThreadId) {
        self.ensure_run(child);
        self.runs[child.index()] = ThreadRun {
            live: true,
            replay: 1,
            ..ThreadRun::default()
        };
    }

    fn finish_thread(&mut self, t: ThreadId, consumed: usize) {
        let r = &mut self.runs[t.index()];
        r.replay += consumed;
        r.done = true;
        r.pending = None;
    }

    fn frame_mut(&mut self) -> &mut Frame {
        self.stack.last_mut().unwrap()
    }

    /// Adds the event(s) of thread `t`'s pending op to the graph.
    fn add_next<P: Program + ?Sized>(&mut self, program: &mut P, t: ThreadId) -> Option<Status> {
        let ti = t.index();
        if self.graph().thread_len(t) >= self.config.max_events_per_thread {
            return Some(Status::BoundExceeded { thread: t });
        }
        let issued = self.runs[ti].pending.take().unwrap();
        let (op, site) = (issued.op, issued.site);
        let first = self.graph().thread_len(t);
        if self.config.symmetry
            && self.alike
            && self.guide.is_none()
            && !self.asymmetric
            && symmetry::breaks_joins(self.graph(), t, &op)
        {
            self.asymmetric = true;
        }
        let reply = match op {
            Op::Wait { spins, .. } if spins >= self.config.max_rounds => {
                // it went round as often as it may, with nothing else to
                // run and nothing new to read: a loop that never ends
                self.runs[ti].pending = Some(issued);
                return Some(Status::BoundExceeded { thread: t });
            }
            Op::Wait { from, .. } if self.runs[ti].moving => {
                // it goes on (`stale_waiter`): its next read reads another
                // value than the read it would repeat read, or, after a
                // spurious failure, does not fail spuriously
                let first = self.graph().read(EventId::new(t, from as usize)).copied();
                let r = &mut self.runs[ti];
                r.moving = false;
                r.tries = Tries::Free;
                match first {
                    Some(x) if x.spurious => r.steady = true,
                    x => r.moved = x.map(|x| x.val),
                }
                self.moved_on = true;
                Reply::Done
            }
            Op::Wait { from, .. }
                if self
                    .graph()
                    .read(EventId::new(t, from as usize))
                    .is_some_and(|r| r.spurious) =>
            {
                // going round after a spurious failure: the execution where
                // the compare-exchange did not fail reads the same write,
                // and is the same as this one if the thread is where it was
                // (what the loop did with the failure, a retry count, a
                // flag, may differ). It stops here, and goes on when nothing
                // else can run (`stale_waiter`)
                self.runs[ti].pending = Some(issued);
                self.runs[ti].tries = Tries::Stuck;
                return None;
            }
            Op::Wait { from, .. } => {
                // going round after a try (a compare-exchange that failed,
                // an RMW that wrote back what it read): the next try would
                // make this an execution that went round for nothing, which
                // is blocked whatever comes after (GenMC's spin-assume).
                // The thread stops here, and the others go on: a write they
                // add may still revisit the failed try, so that it reads
                // what lets it succeed. If they end with the try having
                // read the latest write, it is `Released` (`run_once`).
                let from_read = self.graph().read(EventId::new(t, from as usize)).copied();
                let free = self.runs[ti].tries == Tries::Free;
                if free && from_read.is_some_and(|r| r.is_idle_try()) {
                    self.runs[ti].pending = Some(issued);
                    self.runs[ti].tries = Tries::Stuck;
                    return None;
                }
                self.runs[ti].repeat_of = Some(from);
                Reply::Done
            }
            _ => {
                let added = self.add_shape(t, issued);
                // its events carry its site from the start: an execution
                // may stop at one (a race, a failure)
                let made = first..self.graph().thread_len(t);
                self.frame_mut().graph.set_sites(t, made, site);
                match added {
                    Some(reply) => reply,
                    None => return self.stop_status.take(),
                }
            }
        };
        if let Some(s) = self.stop_status.take() {
            return Some(s);
        }
        let made = first..self.graph().thread_len(t);
        self.runs[ti].replay = made.end;
        self.answer(program, t, made, reply);
        None
    }

    /// Adds the events of `op` (not an [`Op::Wait`]), thread `t`'s
    /// pending operation, and says what it is answered. `None` ends the
    /// step: the thread parked at a blocking step with nothing to read, or
    /// finished, or the execution stops (`stop_status`).
    fn add_shape(&mut self, t: ThreadId, issued: Issue) -> Option<Reply> {
        let ti = t.index();
        let reply = match issued.op.shape() {
            Shape::Nothing => unreachable!("a wait is answered before"),
            Shape::Alloc { init, atomic } => {
                let g = &mut self.frame_mut().graph;
                let loc = g.new_loc(t);
                let ord = if atomic {
                    crate::order::StoreOrd::Relaxed
                } else {
                    crate::order::StoreOrd::NonAtomic
                };
                let w = Write {
                    loc,
                    ord,
                    val: init,
                    kind: WriteKind::Alloc,
                };
                g.push(t, EventKind::Write(w), None);
                Reply::Loc(loc)
            }
            Shape::Read {
                loc,
                ord,
                access,
                until,
            } => {
                if self.add_read(t, loc, ord, access, until).is_none() {
                    if until.is_some() {
                        // nothing it accepts can be read yet: it waits
                        let r = &mut self.runs[ti];
                        r.pending = Some(issued);
                        r.parked = Some(self.stack.last().unwrap().graph.co(loc).len() as u32);
                    }
                    return None;
                }
                if until.is_some() {
                    self.runs[ti].parked = None;
                }
                let r = EventId::new(t, self.graph().thread_len(t) - 1);
                let read = *self.graph().read(r).unwrap();
                if read.is_exclusive() {
                    if let Some(s) = self.add_rmw_write(t, r) {
                        self.stop_status = Some(s);
                        return None;
                    }
                }
                read.reply()
            }
            Shape::Write(w) => {
                self.add_write(t, w)?;
                Reply::Done
            }
            Shape::Fence(f) => {
                self.frame_mut().graph.push(t, EventKind::Fence(f), None);
                let f = EventId::new(t, self.graph().thread_len(t) - 1);
                if !self.model.global_ok(self.graph(), &[f]) {
                    self.stop_status = Some(self.inconsistent_step());
                    return None;
                }
                Reply::Done
            }
            Shape::Spawn { like } => {
                self.alike |= like.is_some();
                let g = &mut self.frame_mut().graph;
                let child = g.new_thread_id();
                let parent = g.push(t, EventKind::Spawn { child }, None);
                g.push(child, EventKind::Start { parent, like }, None);
                self.start_run(child);
                Reply::Spawned(child)
            }
            Shape::Join(child) => {
                self.frame_mut()
                    .graph
                    .push(t, EventKind::Join { child }, None);
                Reply::Done
            }
            Shape::End(end) => {
                self.frame_mut().graph.push(t, end, None);
                self.finish_thread(t, 1);
                if matches!(end, EventKind::Fail) {
                    self.stop_status = Some(Status::Failed { thread: t });
                }
                return None;
            }
        };
        Some(reply)
    }
}
