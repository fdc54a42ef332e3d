//! The explorer: visits every consistent execution graph of a [`Program`]
//! exactly once.
//!
//! The algorithm is TruSt (Kokologiannakis, Marmanis, Gladstein, Vafeiadis,
//! "Truly Stateless, Optimal Dynamic Partial Order Reduction", POPL 2022), as
//! in GenMC. Events are added one at a time, always for the lowest-numbered
//! thread that can take a step (a fixed order, as TruSt requires). Adding
//!
//! - a **read** tries every write it may consistently read from (*forward
//!   revisits*): the first is taken now, the others are remembered;
//! - a **write** tries every consistent place in its location's `co`, and is
//!   offered to every earlier read of its location that is not in its
//!   `po ∪ rf` prefix (*backward revisits*). Such a revisit deletes the events
//!   added after the read that the write does not depend on, and is only
//!   taken when every deleted event (and the read) was added *maximally*:
//!   reading from, or being, the `co`-latest write among the events added
//!   before it or in the write's prefix. That condition makes every graph
//!   reachable along exactly one path.
//!
//! The explorer is stateless in the TruSt sense: it never stores visited
//! graphs. Alternatives are kept as small records keyed by the stamp of the
//! event they change ([`Alt`]); going back to one truncates the graph to that
//! stamp. A backward revisit starts a new [`Frame`] with a copy of the graph.
//! After each change the program is re-run from the start, replaying the
//! graph's events (each read gets its value from the graph) and extending it.

use std::fmt;

use crate::event::{EventKind, Read, ReadAccess, Write, WriteKind};
use crate::graph::Graph;
use crate::ids::{EventId, LocId, Stamp, ThreadId};
use crate::model::Model;
use crate::op::{BlockReason, Op, Reply, Val};
use crate::order::LoadOrd;
use crate::program::Program;
use crate::race::{self, Race};
use crate::replay::ReplayKey;

/// Limits and switches of an exploration.
#[derive(Clone, Debug)]
pub struct Config {
    /// A thread that would add more events than this stops the execution
    /// with [`Status::BoundExceeded`] (an unbounded loop, or a livelock).
    pub max_events_per_thread: usize,
    /// End an execution at its first data race ([`Status::Race`]) instead of
    /// finishing it and listing its races.
    pub stop_on_race: bool,
    /// Re-check every finished graph with the model's from-scratch checker
    /// (slow; for tests).
    pub check_full: bool,
    /// Replay a graph's events in an order that respects `po ∪ rf` and joins:
    /// a read is replayed only after the write it reads from, a join only
    /// after the joined thread's last event. Front-ends whose threads share
    /// real (unmodelled) memory need this, so that user code runs in an
    /// order consistent with happens-before while a graph is rebuilt.
    /// Off by default (threads are then replayed one after the other).
    pub replay_porf_order: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_events_per_thread: 10_000,
            stop_on_race: false,
            check_full: false,
            replay_porf_order: false,
        }
    }
}

/// How an execution ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// Every thread finished.
    Complete,
    /// Some threads could not finish: they wait for a thread that never
    /// finishes, or blocked (a spin loop that can see no new value, an
    /// `assume(false)`). With no thread left to run, this is a deadlock.
    Blocked { threads: Vec<(ThreadId, Blocked)> },
    /// A thread reported an error ([`Op::Fail`]).
    Failed { thread: ThreadId },
    /// A data race (only with [`Config::stop_on_race`]).
    Race(Race),
    /// A thread exceeded [`Config::max_events_per_thread`].
    BoundExceeded { thread: ThreadId },
    /// On re-execution, a thread did something else than last time.
    Nondeterminism {
        thread: ThreadId,
        index: usize,
        expected: EventKind,
        got: Op,
    },
    /// The model's full check rejected a finished graph ([`Config::check_full`]):
    /// a bug in the explorer or the model.
    Inconsistent { axiom: &'static str },
    /// The graph cannot be extended consistently (an RMW read a write that
    /// another RMW had already taken). Not an execution: never visited.
    DeadEnd,
    /// [`Explorer::replay`]: the program did not make the events the replay
    /// key describes (a different program, or a nondeterministic one).
    ReplayMismatch,
}

/// Why a thread did not finish.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Blocked {
    Join(ThreadId),
    Block(BlockReason),
}

impl Status {
    /// Whether this is an error a checker should report.
    pub fn is_error(&self) -> bool {
        !matches!(self, Status::Complete | Status::Blocked { .. })
    }
}

/// One finished execution, as handed to the visitor.
pub struct Execution<'a> {
    pub graph: &'a Graph,
    pub status: &'a Status,
    /// Data races of the graph (empty if the model has no undefined behaviour).
    pub races: &'a [Race],
}

/// What the visitor wants next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    Continue,
    Stop,
}

/// Counts of an exploration.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Executions in which every thread finished.
    pub complete: u64,
    /// Executions that ended with threads blocked.
    pub blocked: u64,
    /// Executions that ended in an error status.
    pub errors: u64,
    /// Executions (complete or not) with at least one data race.
    pub racy: u64,
    /// Backward revisits taken.
    pub revisits: u64,
    /// Partial graphs that could not be extended (not executions).
    pub dead_ends: u64,
    /// Whether the visitor stopped the exploration early.
    pub stopped: bool,
}

impl Stats {
    /// All executions visited.
    pub fn total(&self) -> u64 {
        self.complete + self.blocked + self.errors
    }
}

/// A remembered alternative: how to turn the graph truncated to `stamp` into
/// an unexplored one.
#[derive(Clone, Copy, Debug)]
pub enum Alt {
    /// Read `read` (stamp `stamp`) reads from `write` instead.
    Rf {
        stamp: Stamp,
        read: EventId,
        write: EventId,
        spurious: bool,
    },
    /// Write `write` (stamp `stamp`) goes right after `co` position `after`.
    Co {
        stamp: Stamp,
        write: EventId,
        after: usize,
    },
    /// Backward revisit: `write` (stamp `stamp`) is offered to `read`.
    Revisit {
        stamp: Stamp,
        read: EventId,
        write: EventId,
    },
    /// In a frame made by a backward revisit: the revisited read reads from
    /// `write` (with `spurious`), and `write` goes after `co` position `after`.
    Revisited {
        stamp: Stamp,
        read: EventId,
        write: EventId,
        after: usize,
        spurious: bool,
    },
}

impl Alt {
    fn stamp(&self) -> Stamp {
        match *self {
            Alt::Rf { stamp, .. }
            | Alt::Co { stamp, .. }
            | Alt::Revisit { stamp, .. }
            | Alt::Revisited { stamp, .. } => stamp,
        }
    }
}

/// A graph and the alternatives still to explore from it.
#[derive(Clone, Debug, Default)]
pub struct Frame {
    pub graph: Graph,
    pub work: Vec<Alt>,
}

impl fmt::Display for Frame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} events, {} alternatives",
            self.graph.len(),
            self.work.len()
        )?;
        for a in &self.work {
            writeln!(f, "  {a:?}")?;
        }
        Ok(())
    }
}

/// Run state of one thread during one execution.
#[derive(Clone, Copy, Debug, Default)]
struct ThreadRun {
    live: bool,
    /// The operation the thread wants to do next.
    pending: Option<Op>,
    /// Next event of the graph to replay.
    replay: usize,
    /// Set once the thread returned `Finish`, `Block` or `Fail`.
    done: bool,
}

/// The explorer. Generic over the memory model; see the module docs.
pub struct Explorer<M: Model> {
    model: M,
    config: Config,
    stack: Vec<Frame>,
    runs: Vec<ThreadRun>,
    cands: Vec<(EventId, bool)>,
    positions: Vec<usize>,
    stop_status: Option<Status>,
    /// In [`Explorer::replay`]: the choices to make.
    guide: Option<ReplayKey>,
}

impl<M: Model> Explorer<M> {
    pub fn new(model: M, config: Config) -> Self {
        Explorer {
            model,
            config,
            stack: Vec::new(),
            runs: Vec::new(),
            cands: Vec::new(),
            positions: Vec::new(),
            stop_status: None,
            guide: None,
        }
    }

    pub fn model(&self) -> &M {
        &self.model
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Explores every execution of `program`, calling `visit` on each.
    pub fn run<P, F>(&mut self, program: &mut P, mut visit: F) -> Stats
    where
        P: Program + ?Sized,
        F: FnMut(&Execution<'_>, &mut P) -> Control,
    {
        let mut stats = Stats::default();
        self.stack.clear();
        self.stack.push(Frame::default());
        loop {
            let status = self.run_once(program);
            if status == Status::DeadEnd {
                stats.dead_ends += 1;
                if !self.next_alternative(&mut stats) {
                    return stats;
                }
                continue;
            }
            let frame = self.stack.last().unwrap();
            let g = &frame.graph;
            let mut status = status;
            if self.config.check_full && !status.is_error() {
                if let Err(axiom) = self.model.check_full(g) {
                    status = Status::Inconsistent { axiom };
                }
            }
            let races = if self.model.races_are_ub() {
                match &status {
                    Status::Race(r) => vec![*r],
                    _ => race::races(g),
                }
            } else {
                Vec::new()
            };
            match status {
                Status::Complete => stats.complete += 1,
                Status::Blocked { .. } => stats.blocked += 1,
                _ => stats.errors += 1,
            }
            if !races.is_empty() {
                stats.racy += 1;
            }
            let exec = Execution {
                graph: g,
                status: &status,
                races: &races,
            };
            if visit(&exec, program) == Control::Stop {
                stats.stopped = true;
                return stats;
            }
            if !self.next_alternative(&mut stats) {
                return stats;
            }
        }
    }

    /// Runs the one execution `key` describes (see [`crate::replay`]) and
    /// hands it to `visit`. Threads run in an order where every read comes
    /// after the write it reads from. If the program does not produce the
    /// key's events, the status is [`Status::ReplayMismatch`].
    pub fn replay<P, F>(&mut self, program: &mut P, key: &ReplayKey, mut visit: F) -> Stats
    where
        P: Program + ?Sized,
        F: FnMut(&Execution<'_>, &mut P) -> Control,
    {
        self.stack.clear();
        self.stack.push(Frame::default());
        self.guide = Some(key.clone());
        let mut status = self.run_once(program);
        self.guide = None;
        let g = &self.stack.last().unwrap().graph;
        if !status.is_error() && ReplayKey::of(g) != *key {
            status = Status::ReplayMismatch;
        }
        let races = if self.model.races_are_ub() {
            match &status {
                Status::Race(r) => vec![*r],
                _ => race::races(g),
            }
        } else {
            Vec::new()
        };
        let mut stats = Stats::default();
        match status {
            Status::Complete => stats.complete += 1,
            Status::Blocked { .. } => stats.blocked += 1,
            _ => stats.errors += 1,
        }
        stats.racy = u64::from(!races.is_empty());
        let exec = Execution {
            graph: g,
            status: &status,
            races: &races,
        };
        stats.stopped = visit(&exec, program) == Control::Stop;
        self.stack.clear();
        stats
    }

    /// Moves to the next unexplored graph; false when there is none.
    fn next_alternative(&mut self, stats: &mut Stats) -> bool {
        loop {
            let Some(frame) = self.stack.last_mut() else {
                return false;
            };
            let Some(alt) = frame.work.pop() else {
                self.stack.pop();
                continue;
            };
            frame.graph.restrict_to_stamp(alt.stamp());
            match alt {
                Alt::Rf {
                    read,
                    write,
                    spurious,
                    ..
                } => {
                    frame.graph.set_rf(read, write, spurious);
                    return true;
                }
                Alt::Co { write, after, .. } => {
                    frame.graph.move_co(write, after);
                    return true;
                }
                Alt::Revisited {
                    read,
                    write,
                    after,
                    spurious,
                    ..
                } => {
                    frame.graph.move_co(write, after);
                    frame.graph.set_rf(read, write, spurious);
                    return true;
                }
                Alt::Revisit { read, write, .. } => {
                    let Some(keep) = revisit_keep(&frame.graph, read, write) else {
                        continue;
                    };
                    // the last alternative of a frame may reuse its graph
                    let graph = if frame.work.is_empty() {
                        std::mem::take(&mut frame.graph)
                    } else {
                        frame.graph.clone()
                    };
                    if let Some(new) = self.backward_revisit(graph, &keep, read, write) {
                        stats.revisits += 1;
                        let frame = self.stack.last_mut().unwrap();
                        if frame.work.is_empty() {
                            *frame = new;
                        } else {
                            self.stack.push(new);
                        }
                        return true;
                    }
                }
            }
        }
    }

    /// Builds the frame of the backward revisit of `read` by `write` from
    /// `graph` (the graph at the time `write` was added), keeping the first
    /// `keep[t]` events of each thread `t` ([`revisit_keep`]).
    fn backward_revisit(
        &mut self,
        mut graph: Graph,
        keep: &[usize],
        read: EventId,
        write: EventId,
    ) -> Option<Frame> {
        graph.truncate_threads(keep);
        debug_assert_eq!(graph.thread_len(read.thread), read.index as usize + 1);
        let wstamp = graph.stamp(write);
        // choose co places for `write` and the success/failure of the read
        let rd = *graph.read(read).unwrap();
        let wval = graph.write(write).unwrap().val;
        let spurious_options: &[bool] = match rd.access {
            ReadAccess::Cas { expected, weak, .. } if weak && expected == wval => &[false, true],
            _ => &[false],
        };
        let mut options: Vec<(usize, bool)> = Vec::new();
        let n = graph.co(rd.loc).len();
        for &sp in spurious_options {
            graph.set_rf(read, write, sp);
            for after in 0..n - 1 {
                graph.move_co(write, after);
                if self.model.write_ok(&graph, write)
                    && self.model.read_ok(&graph, read)
                    && self.model.global_ok(&graph)
                {
                    options.push((after, sp));
                }
            }
        }
        let (&(after, sp), rest) = options.split_last()?;
        graph.set_rf(read, write, sp);
        graph.move_co(write, after);
        let work = rest
            .iter()
            .rev()
            .map(|&(after, spurious)| Alt::Revisited {
                stamp: wstamp,
                read,
                write,
                after,
                spurious,
            })
            .collect();
        Some(Frame { graph, work })
    }

    /// Re-runs the program against the top frame's graph, replaying it and
    /// extending it to a full execution.
    fn run_once<P: Program + ?Sized>(&mut self, program: &mut P) -> Status {
        program.reset();
        self.runs.clear();
        self.stop_status = None;
        self.runs.push(ThreadRun {
            live: true,
            pending: None,
            replay: 0,
            done: false,
        });
        let first = program.step(ThreadId(0), Reply::Start);
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
            let Some(t) = self.next_thread() else {
                return self.final_status();
            };
            if let Some(s) = self.add_next(program, t) {
                return s;
            }
        }
    }

    fn graph(&self) -> &Graph {
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
        match g.thread_events(tid)[r.replay].kind {
            EventKind::Read(rd) => replayed(rd.rf),
            EventKind::Join { child } => {
                let n = g.thread_len(child);
                n == 0 || replayed(EventId::new(child, n - 1))
            }
            _ => true,
        }
    }

    /// The lowest thread that can take a step.
    fn next_thread(&self) -> Option<ThreadId> {
        let g = self.graph();
        self.runs.iter().enumerate().find_map(|(t, r)| {
            if !r.live || r.done {
                return None;
            }
            match r.pending? {
                Op::Join(c) => {
                    let cr = self.runs.get(c.index())?;
                    let finished = cr.done
                        && matches!(
                            g.thread_events(c).last().map(|e| e.kind),
                            Some(EventKind::Finish)
                        );
                    finished.then_some(ThreadId::from_index(t))
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

    fn final_status(&self) -> Status {
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
            } else if let Some(Op::Join(c)) = r.pending {
                blocked.push((tid, Blocked::Join(c)));
            }
        }
        if blocked.is_empty() {
            Status::Complete
        } else {
            Status::Blocked { threads: blocked }
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
        let op = self.runs[ti].pending.take().unwrap();
        let idx = self.runs[ti].replay;
        let g = &self.stack.last().unwrap().graph;
        let ev = g.thread_events(t)[idx].kind;
        let mismatch = || Status::Nondeterminism {
            thread: t,
            index: idx,
            expected: ev,
            got: op,
        };
        let has_next = g.thread_len(t) > idx + 1;
        let mut consumed = 1;
        let mut half_rmw = false;
        let reply = match (op, ev) {
            (Op::Alloc { init }, EventKind::Write(w))
                if w.kind == WriteKind::Alloc && w.val == init =>
            {
                Reply::Loc(w.loc)
            }
            (Op::Load { loc, ord }, EventKind::Read(r))
                if r.loc == loc && r.ord == ord && r.access == ReadAccess::Load =>
            {
                Reply::Val(r.val)
            }
            (Op::Store { loc, val, ord }, EventKind::Write(w))
                if w.kind == WriteKind::Store && w.loc == loc && w.val == val && w.ord == ord =>
            {
                Reply::Done
            }
            (Op::Rmw { loc, op: rop, ord }, EventKind::Read(r))
                if r.loc == loc && r.access == (ReadAccess::Rmw { op: rop, ord }) =>
            {
                if has_next {
                    consumed = 2;
                } else {
                    half_rmw = true;
                }
                Reply::Val(r.val)
            }
            (
                Op::Cas {
                    loc,
                    expected,
                    new,
                    success,
                    failure,
                    weak,
                },
                EventKind::Read(r),
            ) if r.loc == loc
                && r.access
                    == (ReadAccess::Cas {
                        expected,
                        new,
                        success,
                        failure,
                        weak,
                    }) =>
            {
                let ok = r.is_exclusive();
                if ok {
                    if has_next {
                        consumed = 2;
                    } else {
                        half_rmw = true;
                    }
                }
                Reply::Cas { old: r.val, ok }
            }
            (Op::Fence(o), EventKind::Fence(f)) if o == f => Reply::Done,
            (Op::Spawn, EventKind::Spawn { child }) => {
                self.ensure_run(child);
                self.runs[child.index()] = ThreadRun {
                    live: true,
                    pending: None,
                    replay: 1,
                    done: false,
                };
                Reply::Spawned(child)
            }
            (Op::Join(c), EventKind::Join { child }) if c == child => Reply::Done,
            (Op::Block(b), EventKind::Block(b2)) if b == b2 => {
                self.finish_thread(t, 1);
                return None;
            }
            (Op::Finish, EventKind::Finish) => {
                self.finish_thread(t, 1);
                return None;
            }
            (Op::Fail, EventKind::Fail) => {
                self.finish_thread(t, 1);
                return Some(Status::Failed { thread: t });
            }
            _ => return Some(mismatch()),
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
        let next = program.step(t, reply);
        self.runs[ti].pending = Some(next);
        if let Reply::Spawned(child) = reply {
            let first = program.step(child, Reply::Start);
            self.runs[child.index()].pending = Some(first);
        }
        None
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
        let op = self.runs[ti].pending.take().unwrap();
        let reply = match op {
            Op::Alloc { init } => {
                let g = &mut self.frame_mut().graph;
                let loc = g.new_loc(t);
                g.push(
                    t,
                    EventKind::Write(Write {
                        loc,
                        ord: crate::order::StoreOrd::NonAtomic,
                        val: init,
                        kind: WriteKind::Alloc,
                    }),
                    None,
                );
                Reply::Loc(loc)
            }
            Op::Load { loc, ord } => {
                let r = self.add_read(t, loc, ord, ReadAccess::Load)?;
                Reply::Val(r)
            }
            Op::Store { loc, val, ord } => {
                self.add_write(
                    t,
                    Write {
                        loc,
                        ord,
                        val,
                        kind: WriteKind::Store,
                    },
                )?;
                Reply::Done
            }
            Op::Rmw { loc, op: rop, ord } => {
                let old = self.add_read(t, loc, ord.load(), ReadAccess::Rmw { op: rop, ord })?;
                let r = EventId::new(t, self.graph().thread_len(t) - 1);
                if let Some(s) = self.add_rmw_write(t, r) {
                    return Some(s);
                }
                Reply::Val(old)
            }
            Op::Cas {
                loc,
                expected,
                new,
                success,
                failure,
                weak,
            } => {
                let access = ReadAccess::Cas {
                    expected,
                    new,
                    success,
                    failure,
                    weak,
                };
                let old = self.add_read(t, loc, failure, access)?;
                let r = EventId::new(t, self.graph().thread_len(t) - 1);
                let ok = self.graph().read(r).unwrap().is_exclusive();
                if ok {
                    if let Some(s) = self.add_rmw_write(t, r) {
                        return Some(s);
                    }
                }
                Reply::Cas { old, ok }
            }
            Op::Fence(f) => {
                self.frame_mut().graph.push(t, EventKind::Fence(f), None);
                if !self.model.global_ok(self.graph()) {
                    return Some(self.inconsistent_step());
                }
                Reply::Done
            }
            Op::Spawn => {
                let g = &mut self.frame_mut().graph;
                let child = g.new_thread_id();
                let spawn = g.push(t, EventKind::Spawn { child }, None);
                g.push(child, EventKind::Start { parent: spawn }, None);
                self.ensure_run(child);
                self.runs[child.index()] = ThreadRun {
                    live: true,
                    pending: None,
                    replay: 1,
                    done: false,
                };
                Reply::Spawned(child)
            }
            Op::Join(c) => {
                self.frame_mut()
                    .graph
                    .push(t, EventKind::Join { child: c }, None);
                Reply::Done
            }
            Op::Block(b) => {
                self.frame_mut().graph.push(t, EventKind::Block(b), None);
                self.finish_thread(t, 1);
                return None;
            }
            Op::Finish => {
                self.frame_mut().graph.push(t, EventKind::Finish, None);
                self.finish_thread(t, 1);
                return None;
            }
            Op::Fail => {
                self.frame_mut().graph.push(t, EventKind::Fail, None);
                self.finish_thread(t, 1);
                return Some(Status::Failed { thread: t });
            }
        };
        if let Some(s) = self.stop_status.take() {
            return Some(s);
        }
        self.runs[ti].replay = self.graph().thread_len(t);
        let next = program.step(t, reply);
        self.runs[ti].pending = Some(next);
        if let Reply::Spawned(child) = reply {
            let first = program.step(child, Reply::Start);
            self.runs[child.index()].pending = Some(first);
        }
        None
    }

    /// An addition for which no choice is consistent. This cannot happen for
    /// a consistent graph under RC11 or SC (reading the `co`-latest write and
    /// writing `co`-last are always allowed); it is reported, not hidden.
    fn inconsistent_step(&self) -> Status {
        Status::Inconsistent {
            axiom: "no consistent extension",
        }
    }

    /// Adds a read, takes its first consistent write, and remembers the
    /// others. Returns the value read (or `None` after setting a stop status).
    fn add_read(
        &mut self,
        t: ThreadId,
        loc: LocId,
        ord: LoadOrd,
        access: ReadAccess,
    ) -> Option<Val> {
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
            }),
            None,
        );
        self.cands.clear();
        let n = g.co(loc).len();
        for i in 0..n {
            let w = g.co(loc)[i];
            let wval = g.write(w).unwrap().val;
            let spur: &[bool] = match access {
                ReadAccess::Cas { expected, weak, .. } if weak && wval == expected => {
                    &[false, true]
                }
                _ => &[false],
            };
            for &sp in spur {
                g.set_rf(r, w, sp);
                if model.read_ok(g, r) && model.global_ok(g) {
                    self.cands.push((w, sp));
                }
            }
        }
        if let Some(key) = &self.guide {
            let want = key.rf_of(r);
            self.cands.retain(|c| Some(*c) == want);
            if self.cands.is_empty() {
                self.stop_status = Some(Status::ReplayMismatch);
                return Some(0);
            }
        }
        let Some((&(w, sp), rest)) = self.cands.split_last() else {
            self.stop_status = Some(self.inconsistent_step());
            return Some(0);
        };
        let stamp = g.stamp(r);
        g.set_rf(r, w, sp);
        for &(write, spurious) in rest.iter().rev() {
            frame.work.push(Alt::Rf {
                stamp,
                read: r,
                write,
                spurious,
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
    fn add_rmw_write(&mut self, t: ThreadId, r: EventId) -> Option<Status> {
        let rd = *self.graph().read(r).unwrap();
        let w = Write {
            loc: rd.loc,
            ord: rd.write_ord().unwrap(),
            val: rd.written_value().unwrap(),
            kind: WriteKind::Rmw,
        };
        self.add_write(t, w);
        self.stop_status.take()
    }

    /// Adds a write, takes its last consistent place in `co`, remembers the
    /// other places and the backward revisits it allows.
    fn add_write(&mut self, t: ThreadId, w: Write) -> Option<()> {
        let model = &self.model;
        let frame = self.stack.last_mut().unwrap();
        let g = &mut frame.graph;
        let n = g.co(w.loc).len();
        let e = g.push(t, EventKind::Write(w), Some(n - 1));
        self.positions.clear();
        for after in 0..n {
            g.move_co(e, after);
            if model.write_ok(g, e) && model.global_ok(g) {
                self.positions.push(after);
            }
        }
        let stamp = g.stamp(e);
        if let Some(key) = &self.guide {
            // the place the key gives, among the present writes
            let order = g
                .location(w.loc)
                .alloc
                .and_then(|a| key.co_of(a))
                .unwrap_or(&[]);
            let co = g.co(w.loc);
            let before = order
                .iter()
                .take_while(|&&x| x != e)
                .filter(|&&x| x != e && co.contains(&x))
                .count();
            let found = order.contains(&e) && before > 0;
            self.positions.retain(|&p| found && p + 1 == before);
            let Some(&after) = self.positions.first() else {
                self.stop_status = Some(Status::ReplayMismatch);
                return Some(());
            };
            g.move_co(e, after);
            return Some(());
        }
        // backward revisits (offered even when no place in `co` is
        // consistent here: an RMW that read the same write as another RMW
        // can still revisit that one)
        let own_read = g.rmw_read_of(e);
        let l = g.location(w.loc);
        for &r in l.reads.iter().rev() {
            if Some(r) != own_read && !g.porf_le(r, e) {
                frame.work.push(Alt::Revisit {
                    stamp,
                    read: r,
                    write: e,
                });
            }
        }
        let Some((&after, rest)) = self.positions.split_last() else {
            self.stop_status = Some(Status::DeadEnd);
            return Some(());
        };
        g.move_co(e, after);
        for &after in rest.iter().rev() {
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

/// Whether `write` may revisit `read` in `g` (the graph at the time `write`
/// was added), and if so how many events of each thread the revisit keeps:
/// those added before `read`, and the `po ∪ rf` prefix of `write`. Every
/// deleted event, and `read`, must have been added maximally, and every kept
/// read must keep the write it reads from.
fn revisit_keep(g: &Graph, read: EventId, write: EventId) -> Option<Vec<usize>> {
    let rstamp = g.stamp(read);
    let nt = g.num_threads();
    let porf_w = g.porf_clock(write);
    let mut keep = vec![0usize; nt];
    for (t, k) in keep.iter_mut().enumerate() {
        let evs = g.thread_events(ThreadId::from_index(t));
        let by_stamp = evs.iter().take_while(|e| e.stamp <= rstamp).count();
        *k = by_stamp.max(porf_w.get(t).copied().unwrap_or(0) as usize);
    }
    if !is_maximal(g, read, write) {
        return None;
    }
    for (t, &k) in keep.iter().enumerate() {
        let tid = ThreadId::from_index(t);
        for i in k..g.thread_len(tid) {
            if !is_maximal(g, EventId::new(tid, i), write) {
                return None;
            }
        }
    }
    let kept = |e: EventId| (e.index as usize) < keep[e.thread.index()];
    for (t, &k) in keep.iter().enumerate() {
        for ev in &g.thread_events(ThreadId::from_index(t))[..k] {
            if let EventKind::Read(r) = ev.kind {
                if !kept(r.rf) {
                    return None;
                }
            }
        }
    }
    Some(keep)
}

/// TruSt's maximality condition for event `e` when `w` revisits: with
/// `B = {e} ∪ {events added before e} ∪ (porf-prefix of w, without w)`,
/// a read must read from the `co`-latest write to its location in `B` (and
/// not fail spuriously), a write must be `co`-latest in `B`.
fn is_maximal(g: &Graph, e: EventId, w: EventId) -> bool {
    let se = g.stamp(e);
    let porf_w = g.porf_clock(w);
    let in_b = |x: EventId| {
        x == e
            || g.stamp(x) < se
            || (x != w && porf_w.get(x.thread.index()).copied().unwrap_or(0) > x.index)
    };
    let (loc, from) = match g.kind(e) {
        EventKind::Read(r) => {
            if r.spurious || !in_b(r.rf) {
                return false;
            }
            (r.loc, r.rf)
        }
        EventKind::Write(wr) => (wr.loc, e),
        _ => return true,
    };
    let co = g.co(loc);
    let p = co.iter().position(|&x| x == from).unwrap();
    co[p + 1..].iter().all(|&x| !in_b(x))
}
