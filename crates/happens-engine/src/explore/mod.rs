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

mod extend;
pub mod parallel;
mod revisit;
mod run;
mod schedule;
mod symmetry;
mod types;

use std::fmt;

use crate::event::{EventKind, ReadAccess};
use crate::graph::Graph;
use crate::ids::{EventId, Stamp};
use crate::model::Model;
use crate::op::Op;
use crate::program::Program;
use crate::race;
use crate::replay::ReplayKey;

use revisit::{offer_revisits, revisit_keep};
pub use types::{Blocked, Config, Control, Execution, GoingOn, Keep, Share, Stats, Status};

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
    /// Read `read` (stamp `stamp`), the read half of an RMW, reads from
    /// `write`, which another RMW already took. No consistent graph has
    /// that, but the write half it would add may revisit the RMW that took
    /// `write` (so that this one takes it first). The write half is added
    /// to the graph and its revisits offered without running the program:
    /// its value follows from the value read.
    Conflict {
        stamp: Stamp,
        read: EventId,
        write: EventId,
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
    /// The stamp of the event the alternative changes.
    pub fn stamp(&self) -> Stamp {
        match *self {
            Alt::Rf { stamp, .. }
            | Alt::Co { stamp, .. }
            | Alt::Conflict { stamp, .. }
            | Alt::Revisit { stamp, .. }
            | Alt::Revisited { stamp, .. } => stamp,
        }
    }
}

/// A write a new read may read (`add_read`).
#[derive(Clone, Copy, Debug)]
struct Cand {
    write: EventId,
    /// A weak compare-exchange fails spuriously reading it.
    spurious: bool,
    /// The read is an RMW's and another RMW took `write`: a dead end
    /// ([`Alt::Conflict`]).
    taken: bool,
}

/// A graph and the alternatives still to explore from it.
#[derive(Clone, Debug, Default)]
pub struct Frame {
    pub graph: Graph,
    pub work: Vec<Alt>,
    /// Choices other than the first taken to reach this frame's graph
    /// before it (its backward revisit included), counted only under
    /// [`Config::max_deviations`].
    pub depth: u32,
    /// The stamps of the events whose choice in this frame's graph is not
    /// the first (an alternative `rf` or place in `co`), increasing;
    /// kept only under [`Config::max_deviations`].
    pub devs: Vec<Stamp>,
    /// Reads whose `rf` an alternative of this frame changed (the revisited
    /// read first): the only events whose races [`Config::stop_on_race`]
    /// did not check when they were added (see `Explorer::run`).
    pub changed: Vec<EventId>,
}

impl Frame {
    /// Splits off the older half of the frame's alternatives (the ones its
    /// exploration would visit last) into a frame of their own, without
    /// exploring anything; `None` when it has fewer than two.
    pub fn split_older_half(&mut self) -> Option<Frame> {
        if self.work.len() < 2 {
            return None;
        }
        let n = self.work.len() / 2;
        Some(Frame {
            graph: self.graph.clone(),
            work: self.work.drain(..n).collect(),
            depth: self.depth,
            devs: self.devs.clone(),
            changed: self.changed.clone(),
        })
    }
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
    /// The operation the thread wants to do next, and where it issued it.
    pending: Option<crate::op::Issue>,
    /// Next event of the graph to replay.
    replay: usize,
    /// Set once the thread returned `Finish`, `Block` or `Fail`.
    done: bool,
    /// After an [`Op::Wait`]: the event its next read repeats.
    repeat_of: Option<u32>,
    /// Its pending [`Op::Await`] found no write it could consistently read
    /// when its location had this many writes: it waits for another.
    parked: Option<u32>,
    /// Whether it may go round after a failed try (see `add_next`'s
    /// [`Op::Wait`]).
    tries: Tries,
    /// Chosen to go on from its waiting loop (`stale_waiter`), at its
    /// pending [`Op::Wait`].
    moving: bool,
    /// After it went on: the value its next read must not read.
    moved: Option<crate::op::Val>,
    /// After a spurious failure it went round from: its next read may not
    /// fail spuriously.
    steady: bool,
}

impl ThreadRun {
    /// The operation it wants to do next.
    fn op(&self) -> Option<Op> {
        self.pending.map(|i| i.op)
    }
}

/// What a thread does when it comes round to a try (a compare-exchange
/// that failed, an RMW that wrote back what it read) again.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Tries {
    /// It stops there (`Stuck`): the execution is blocked whatever
    /// follows.
    #[default]
    Free,
    /// It stopped, and runs only if nothing else can and its try read the
    /// latest write (then it is `Released`).
    Stuck,
    /// Released: it goes round as a waiting thread does, for the rest of
    /// the execution.
    Released,
}

/// The explorer. Generic over the memory model; see the module docs.
pub struct Explorer<M: Model> {
    model: M,
    config: Config,
    stack: Vec<Frame>,
    runs: Vec<ThreadRun>,
    cands: Vec<Cand>,
    positions: Vec<usize>,
    stop_status: Option<Status>,
    /// A thread of this run went on from a waiting loop (see
    /// [`Execution::moved_on`]).
    moved_on: bool,
    /// A compare-exchange of this run kept the outcome of the run that
    /// added it (see [`Execution::kept_outcome`]).
    kept_outcome: bool,
    /// A thread told like threads apart (see [`Execution::asymmetric`]);
    /// kept for the rest of the exploration.
    asymmetric: bool,
    /// A thread of this run was spawned `like` another (`symmetry.rs`):
    /// only then are its checks made.
    alike: bool,
    /// In [`Explorer::replay`]: the choices to make.
    guide: Option<ReplayKey>,
    /// Graphs of finished frames, whose buffers the next frames reuse.
    spare: Vec<Graph>,
}

/// At most this many spare graphs are kept.
const MAX_SPARE: usize = 16;

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
            moved_on: false,
            kept_outcome: false,
            asymmetric: false,
            alike: false,
            guide: None,
            spare: Vec::new(),
        }
    }

    pub fn model(&self) -> &M {
        &self.model
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Explores every execution of `program`, calling `visit` on each.
    pub fn run<P, F>(&mut self, program: &mut P, visit: F) -> Stats
    where
        P: Program + ?Sized,
        F: FnMut(&Execution<'_>, &mut P) -> Control,
    {
        self.run_piece(None, program, visit, &mut Keep)
    }

    /// Explores the executions of one piece of the search: all of them
    /// (`start` is `None`), or those of the alternatives of a frame that
    /// [`Explorer::split`] took out of another explorer. Between
    /// executions, when `share` wants work, the alternatives this
    /// exploration would visit last are split off and given to it.
    pub fn run_piece<P, F>(
        &mut self,
        start: Option<Frame>,
        program: &mut P,
        mut visit: F,
        share: &mut dyn Share,
    ) -> Stats
    where
        P: Program + ?Sized,
        F: FnMut(&Execution<'_>, &mut P) -> Control,
    {
        let mut stats = Stats {
            peak_frames: 1,
            ..Stats::default()
        };
        self.stack.clear();
        self.asymmetric = false;
        match start {
            None => self.stack.push(Frame::default()),
            Some(frame) => {
                // its graph is one another explorer visited: move on first
                self.stack.push(frame);
                if !self.next_alternative(&mut stats) {
                    return stats;
                }
            }
        }
        let mut raced = false;
        loop {
            let status = self.run_once(program);
            if status == Status::DeadEnd {
                stats.dead_ends += 1;
                self.share(share);
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
                    // every event added was checked as it was added, and an
                    // execution with a race ends there: until one did, what
                    // is left to check are the reads given another `rf`
                    // without being added again, whose `hb` changed (after
                    // one did, if the visitor goes on, every pair is)
                    _ if self.config.stop_on_race && !raced => race::races_of(g, &frame.changed),
                    _ => race::races(g),
                }
            } else {
                Vec::new()
            };
            match status {
                Status::Complete if !self.moved_on => stats.complete += 1,
                Status::Complete | Status::Blocked { .. } => stats.blocked += 1,
                _ => stats.errors += 1,
            }
            if !races.is_empty() {
                stats.racy += 1;
                raced = true;
            }
            let exec = Execution {
                graph: g,
                status: &status,
                races: &races,
                moved_on: self.moved_on,
                kept_outcome: self.kept_outcome,
                asymmetric: self.asymmetric,
            };
            stats.asymmetric = self.asymmetric;
            if visit(&exec, program) == Control::Stop {
                stats.stopped = true;
                return stats;
            }
            self.share(share);
            if !self.next_alternative(&mut stats) {
                return stats;
            }
        }
    }

    /// Gives `share` the work it wants, as long as there is any to give.
    fn share(&mut self, share: &mut dyn Share) {
        while share.wanted() {
            match self.split() {
                Some(frame) => share.give(frame),
                None => break,
            }
        }
    }

    /// Takes out of this exploration the alternatives it would visit last,
    /// as a frame of their own that [`Explorer::run_piece`] explores
    /// (in this explorer or another): the older half of the alternatives
    /// of the lowest frame that has any. `None` when no alternative is
    /// left.
    ///
    /// The frame's graph is a copy of that frame's graph. That is enough:
    /// going to an alternative truncates the graph to the alternative's
    /// stamp, and nothing the exploration does before it changes an event
    /// below that stamp (alternatives are pushed in the order of the
    /// stamps of the events they change, and popped last-first).
    pub fn split(&mut self) -> Option<Frame> {
        let frame = self.stack.iter_mut().find(|f| !f.work.is_empty())?;
        let n = frame.work.len().div_ceil(2);
        let work: Vec<Alt> = frame.work.drain(..n).collect();
        let mut graph = self.spare.pop().unwrap_or_default();
        graph.clone_from(&frame.graph);
        Some(Frame {
            graph,
            work,
            depth: frame.depth,
            devs: frame.devs.clone(),
            changed: frame.changed.clone(),
        })
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
            Status::Complete if !self.moved_on => stats.complete += 1,
            Status::Complete | Status::Blocked { .. } => stats.blocked += 1,
            _ => stats.errors += 1,
        }
        stats.racy = u64::from(!races.is_empty());
        let exec = Execution {
            graph: g,
            status: &status,
            races: &races,
            moved_on: self.moved_on,
            kept_outcome: self.kept_outcome,
            asymmetric: false,
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
                let done = self.stack.pop().unwrap();
                self.recycle(done.graph);
                continue;
            };
            frame.graph.restrict_to_stamp(alt.stamp());
            if self.config.max_deviations.is_some() {
                // the choices kept are those of the events below this one;
                // an alternative for it is a choice other than the first
                let s = alt.stamp();
                let keep = frame.devs.partition_point(|&d| d < s);
                frame.devs.truncate(keep);
                if !matches!(alt, Alt::Revisit { .. }) {
                    frame.devs.push(s);
                    let depth = frame.depth + frame.devs.len() as u32;
                    if self.config.max_deviations.is_some_and(|m| depth > m) {
                        stats.bounded_out += 1;
                        continue;
                    }
                }
            }
            match alt {
                Alt::Rf {
                    read,
                    write,
                    spurious,
                    ..
                } => {
                    frame.changed.push(read);
                    frame.graph.set_rf(read, write, spurious);
                    return true;
                }
                Alt::Co { write, after, .. } => {
                    frame.graph.move_co(write, after);
                    return true;
                }
                Alt::Conflict { read, write, .. } => {
                    // a dead end: not an execution, only its revisits
                    stats.dead_ends += 1;
                    let g = &mut frame.graph;
                    g.set_rf(read, write, false);
                    let Some(half) = g.read(read).and_then(|r| r.write_half()) else {
                        // a compare-exchange whose comparison came out
                        // otherwise since (`Execution::kept_outcome`): it
                        // fails reading `write`, an ordinary read
                        frame.changed.push(read);
                        return true;
                    };
                    let n = g.co(half.loc).len();
                    let e = g.push(read.thread, EventKind::Write(half), Some(n - 1));
                    let stamp = g.stamp(e);
                    offer_revisits(g, e, stamp, &mut frame.work);
                    continue;
                }
                Alt::Revisited {
                    read,
                    write,
                    after,
                    spurious,
                    ..
                } => {
                    frame.changed.push(read);
                    frame.graph.move_co(write, after);
                    frame.graph.set_rf(read, write, spurious);
                    return true;
                }
                Alt::Revisit { read, write, .. } => {
                    let Some(keep) = revisit_keep(&frame.graph, read, write) else {
                        continue;
                    };
                    let depth = frame.depth + frame.devs.len() as u32 + 1;
                    if self.config.max_deviations.is_some_and(|m| depth > m) {
                        stats.bounded_out += 1;
                        continue;
                    }
                    // the last alternative of a frame may reuse its graph
                    let graph = if frame.work.is_empty() {
                        std::mem::take(&mut frame.graph)
                    } else {
                        let mut g = self.spare.pop().unwrap_or_default();
                        g.clone_from(&frame.graph);
                        g
                    };
                    if let Some(mut new) = self.backward_revisit(graph, &keep, read, write) {
                        new.depth = depth;
                        stats.revisits += 1;
                        let frame = self.stack.last_mut().unwrap();
                        if frame.work.is_empty() {
                            *frame = new;
                        } else {
                            self.stack.push(new);
                            stats.peak_frames = stats.peak_frames.max(self.stack.len());
                        }
                        return true;
                    }
                }
            }
        }
    }

    /// Keeps `g`'s buffers for a later frame.
    fn recycle(&mut self, g: Graph) {
        if self.spare.len() < MAX_SPARE {
            self.spare.push(g);
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
            ReadAccess::Cas { expected, weak, .. }
                if weak && expected == wval && graph.may_fail_spuriously(read, write) =>
            {
                &[false, true]
            }
            _ => &[false],
        };
        let mut options: Vec<(usize, bool)> = Vec::new();
        let n = graph.co(rd.loc).len();
        let symmetric = self.config.symmetry && symmetry::any(&graph);
        for &sp in spurious_options {
            graph.set_rf(read, write, sp);
            for after in 0..n - 1 {
                graph.move_co(write, after);
                if self.model.write_ok(&graph, write)
                    && self.model.read_ok(&graph, read)
                    && self.model.global_ok(&graph, &[write, read])
                    && (!symmetric || symmetry::ok(&graph, read) && symmetry::ok(&graph, write))
                {
                    options.push((after, sp));
                }
            }
        }
        let Some((&(after, sp), rest)) = options.split_last() else {
            self.recycle(graph);
            return None;
        };
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
        Some(Frame {
            graph,
            work,
            depth: 0,
            devs: Vec::new(),
            changed: vec![read],
        })
    }
}
