//! The execution graph: events per thread in program order (`po`), the write
//! each read reads from (`rf`), and each location's modification order (`co`).
//!
//! Invariants (checked by `debug_validate` in tests):
//! - each thread's events are a `po`-prefix; their stamps increase along `po`;
//! - every read's `rf` is a write to the same location that is in the graph;
//! - `co` of a location lists exactly its writes, the `Alloc` write first;
//! - the write half of an RMW is the event right after its read half;
//! - the clocks of an event are a function of its `po`/`rf` predecessors, so
//!   they never change while the event stays in the graph — except for a read
//!   whose `rf` is changed, which is always the last event of its thread and
//!   has nothing after it in `po ∪ rf`.
//!
//! Each event carries vector clocks: `hb` (happens-before),
//! `porf` (`(po ∪ rf)+`, the prefix a backward revisit keeps), `rel` (what an
//! acquire reading this write synchronises with: the release sequences it
//! belongs to, C++20 [intro.races]/5) and `acq` (what an acquire fence after
//! this event synchronises with).

use crate::event::{Event, EventKind, Read, Write, WriteKind};
use crate::ids::{EventId, LocId, Site, Stamp, ThreadId};
use crate::op::Val;

mod clocks;

const NCLOCKS: usize = 4;
const HB: usize = 0;
const PORF: usize = 1;
const REL: usize = 2;
const ACQ: usize = 3;

/// One thread's events and their clocks.
#[derive(Debug, Default)]
struct ThreadEvents {
    events: Vec<Event>,
    /// `NCLOCKS * stride` entries per event. Entry `u` of a clock is the number
    /// of events of thread `u` in the prefix.
    clocks: Vec<u32>,
    /// Per event: 1 + index of the last release fence at or before it (0: none).
    rel_fence: Vec<u32>,
    /// Per event: a write's position in its location's `co` (unused for
    /// other events), so that coherence checks look positions up.
    co_pos: Vec<u32>,
}

/// A memory location's writes in modification order and its reads.
#[derive(Debug, Default)]
pub struct Location {
    /// The `Alloc` write that created it; `None` for a free slot.
    pub alloc: Option<EventId>,
    /// Modification order, oldest first.
    pub co: Vec<EventId>,
    /// Reads of this location, in the order they were added.
    pub reads: Vec<EventId>,
    /// Whether any non-atomic access (the `Alloc` of a plain object
    /// included) was made.
    pub non_atomic: bool,
}

/// An execution graph. Plain data: it can be cloned, printed and compared.
/// `clone_from` reuses the target's buffers (the explorer keeps spare
/// graphs for its frames).
#[derive(Debug)]
pub struct Graph {
    threads: Vec<ThreadEvents>,
    locs: Vec<Location>,
    /// Number of free slots in `locs` (so that allocating scans only when
    /// there is one).
    free_locs: usize,
    stride: usize,
    next_stamp: u32,
    /// Number of SeqCst events (models skip SC checks when there are < 2).
    sc_events: usize,
    /// Number of SeqCst fences.
    sc_fences: usize,
}

// `Clone` by hand, for `clone_from`s that reuse every inner buffer (the
// derive's `clone_from` allocates anew).
impl Clone for ThreadEvents {
    fn clone(&self) -> Self {
        ThreadEvents {
            events: self.events.clone(),
            clocks: self.clocks.clone(),
            rel_fence: self.rel_fence.clone(),
            co_pos: self.co_pos.clone(),
        }
    }

    fn clone_from(&mut self, src: &Self) {
        self.events.clone_from(&src.events);
        self.clocks.clone_from(&src.clocks);
        self.rel_fence.clone_from(&src.rel_fence);
        self.co_pos.clone_from(&src.co_pos);
    }
}

impl Clone for Location {
    fn clone(&self) -> Self {
        Location {
            alloc: self.alloc,
            co: self.co.clone(),
            reads: self.reads.clone(),
            non_atomic: self.non_atomic,
        }
    }

    fn clone_from(&mut self, src: &Self) {
        self.alloc = src.alloc;
        self.co.clone_from(&src.co);
        self.reads.clone_from(&src.reads);
        self.non_atomic = src.non_atomic;
    }
}

impl Clone for Graph {
    fn clone(&self) -> Self {
        let mut g = Graph::new();
        g.clone_from(self);
        g
    }

    fn clone_from(&mut self, src: &Self) {
        self.threads.clone_from(&src.threads);
        self.locs.clone_from(&src.locs);
        self.free_locs = src.free_locs;
        self.stride = src.stride;
        self.next_stamp = src.next_stamp;
        self.sc_events = src.sc_events;
        self.sc_fences = src.sc_fences;
    }
}

impl Default for Graph {
    fn default() -> Self {
        Self::new()
    }
}

impl Graph {
    /// A graph with only the (empty) main thread.
    pub fn new() -> Self {
        Graph {
            threads: vec![ThreadEvents::default()],
            locs: Vec::new(),
            free_locs: 0,
            stride: 4,
            next_stamp: 0,
            sc_events: 0,
            sc_fences: 0,
        }
    }

    // ----- queries -------------------------------------------------------

    /// Number of thread slots (some may be empty).
    pub fn num_threads(&self) -> usize {
        self.threads.len()
    }

    /// Number of events of thread `t`.
    pub fn thread_len(&self, t: ThreadId) -> usize {
        self.threads.get(t.index()).map_or(0, |th| th.events.len())
    }

    /// The events of thread `t` in program order.
    pub fn thread_events(&self, t: ThreadId) -> &[Event] {
        self.threads
            .get(t.index())
            .map_or(&[], |th| th.events.as_slice())
    }

    /// Whether `e` is in the graph.
    pub fn contains(&self, e: EventId) -> bool {
        (e.index as usize) < self.thread_len(e.thread)
    }

    pub fn event(&self, e: EventId) -> &Event {
        &self.threads[e.thread.index()].events[e.index as usize]
    }

    pub fn kind(&self, e: EventId) -> &EventKind {
        &self.event(e).kind
    }

    pub fn stamp(&self, e: EventId) -> Stamp {
        self.event(e).stamp
    }

    /// All events, thread by thread.
    pub fn events(&self) -> impl Iterator<Item = (EventId, &Event)> + '_ {
        self.threads.iter().enumerate().flat_map(|(t, th)| {
            th.events
                .iter()
                .enumerate()
                .map(move |(i, ev)| (EventId::new(ThreadId::from_index(t), i), ev))
        })
    }

    /// Number of events in the graph.
    pub fn len(&self) -> usize {
        self.threads.iter().map(|t| t.events.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn read(&self, e: EventId) -> Option<&Read> {
        self.kind(e).as_read()
    }

    pub fn write(&self, e: EventId) -> Option<&Write> {
        self.kind(e).as_write()
    }

    /// The live locations with their ids.
    pub fn locations(&self) -> impl Iterator<Item = (LocId, &Location)> + '_ {
        self.locs
            .iter()
            .enumerate()
            .filter(|(_, l)| l.alloc.is_some())
            .map(|(i, l)| (LocId::from_index(i), l))
    }

    pub fn location(&self, l: LocId) -> &Location {
        &self.locs[l.index()]
    }

    /// Number of location slots (live or free).
    pub fn num_locations(&self) -> usize {
        self.locs.len()
    }

    /// Modification order of `l`, oldest first.
    pub fn co(&self, l: LocId) -> &[EventId] {
        &self.locs[l.index()].co
    }

    /// Position of write `w` in its location's modification order.
    pub fn co_index(&self, w: EventId) -> usize {
        debug_assert!(self.write(w).is_some(), "co_index of a non-write");
        self.threads[w.thread.index()].co_pos[w.index as usize] as usize
    }

    /// The `co`-latest write to `l`: its value is the location's final value.
    pub fn co_max(&self, l: LocId) -> EventId {
        *self.locs[l.index()]
            .co
            .last()
            .expect("location without writes")
    }

    /// The final value of `l` (the value of its `co`-latest write).
    pub fn final_value(&self, l: LocId) -> Val {
        self.write(self.co_max(l)).unwrap().val
    }

    /// Whether read `r` (a weak compare-exchange) may fail spuriously when it
    /// reads from `w`: not when an earlier compare-exchange of its thread
    /// already failed spuriously reading `w`, whatever happened in between.
    /// A second such failure would bring the thread back to a state it was
    /// in (it has seen nothing new), so a retry loop explores one spurious
    /// failure per write, not an unbounded number of them.
    pub fn may_fail_spuriously(&self, r: EventId, w: EventId) -> bool {
        let before = &self.thread_events(r.thread)[..r.index as usize];
        !before
            .iter()
            .any(|e| matches!(e.kind, EventKind::Read(prev) if prev.spurious && prev.rf == w))
    }

    /// Whether every read of thread `t` from event `from` on read the
    /// latest write to its location: nothing the thread could still read
    /// would make it do something else (a waiting loop, or a blocking
    /// primitive, that waits for good). A write of the thread itself in
    /// that range (a lock taken and released in each round, a `swap` that
    /// wrote back what it read) is not news to it. A weak
    /// compare-exchange that failed spuriously has not seen the latest
    /// write either.
    pub fn waits_on_latest(&self, t: ThreadId, from: usize) -> bool {
        self.thread_events(t)
            .iter()
            .skip(from)
            .all(|ev| match ev.kind {
                EventKind::Read(r) => !r.spurious && self.nothing_newer(t, from, r.loc, r.rf),
                _ => true,
            })
    }

    /// Whether every write to `loc` after `w` in `co` is thread `t`'s own,
    /// from event `from` on: the rounds of its waiting loop, whose writes
    /// put back what was there (a lock taken and released, an RMW that
    /// wrote back what it read), are not news to it.
    fn nothing_newer(&self, t: ThreadId, from: usize, loc: LocId, w: EventId) -> bool {
        let co = self.co(loc);
        co[self.co_index(w) + 1..]
            .iter()
            .all(|x| x.thread == t && x.index as usize >= from)
    }

    /// Sets the site of the events `made` of thread `t`: the operation
    /// they were made of (see [`Event::site`]).
    pub(crate) fn set_sites(&mut self, t: ThreadId, made: std::ops::Range<usize>, site: Site) {
        for e in &mut self.threads[t.index()].events[made] {
            e.site = site;
        }
    }

    /// Sets the value of write `w` (replaying a run whose values differ).
    pub(crate) fn set_write_val(&mut self, w: EventId, val: Val) {
        if let EventKind::Write(wr) =
            &mut self.threads[w.thread.index()].events[w.index as usize].kind
        {
            wr.val = val;
        }
    }

    /// Marks read `r` as repeating an earlier read of a waiting loop.
    pub(crate) fn set_repeat(&mut self, r: EventId) {
        if let EventKind::Read(rd) =
            &mut self.threads[r.thread.index()].events[r.index as usize].kind
        {
            rd.repeat = true;
        }
    }

    /// Sets the value read by `r` and the operands it was issued with
    /// (replaying a run whose values differ; whether a compare-exchange
    /// succeeds must not change).
    pub(crate) fn set_read_val(&mut self, r: EventId, val: Val, access: crate::event::ReadAccess) {
        if let EventKind::Read(rd) =
            &mut self.threads[r.thread.index()].events[r.index as usize].kind
        {
            rd.val = val;
            rd.access = access;
        }
    }

    /// Whether an RMW already took `w` (at most one can): the write right
    /// after it in `co` is the write half of an RMW that read it (in a
    /// consistent graph, atomicity puts an RMW's write right after the write
    /// it read). Another RMW that reads `w` has no consistent place for its
    /// write.
    pub fn is_taken(&self, w: EventId) -> bool {
        let Some(loc) = self.write(w).map(|x| x.loc) else {
            return false;
        };
        let co = &self.locs[loc.index()].co;
        co.get(self.co_index(w) + 1)
            .and_then(|&next| self.rmw_read_of(next))
            .is_some_and(|r| self.read(r).is_some_and(|rd| rd.rf == w))
    }

    /// Whether read `r` may read write `w` as far as coherence with the
    /// events that happen before `r` goes: no write `co`-after `w` happens
    /// before `r`, and no read that happens before `r` reads one.
    pub fn coherent_for(&self, w: EventId, r: EventId) -> bool {
        let Some(rd) = self.read(r) else { return false };
        let co = self.co(rd.loc);
        let i = self.co_index(w);
        let later = |x: EventId| self.co_index(x) > i;
        co[i + 1..].iter().all(|&y| !self.hb_le(y, r) || y == r)
            && self.locs[rd.loc.index()]
                .reads
                .iter()
                .all(|&o| o == r || !self.hb_le(o, r) || !later(self.read(o).unwrap().rf))
    }

    /// For the write half of an RMW, its read half.
    pub fn rmw_read_of(&self, w: EventId) -> Option<EventId> {
        match self.write(w)?.kind {
            WriteKind::Rmw => Some(EventId::new(w.thread, w.index as usize - 1)),
            _ => None,
        }
    }

    /// Number of SeqCst accesses and fences in the graph.
    pub fn sc_events(&self) -> usize {
        self.sc_events
    }

    /// Number of SeqCst fences in the graph.
    pub fn sc_fences(&self) -> usize {
        self.sc_fences
    }

    /// Next stamp to be given out.
    pub fn next_stamp(&self) -> Stamp {
        Stamp(self.next_stamp)
    }

    // ----- construction --------------------------------------------------

    /// Adds a thread slot for a child spawned by `spawn`, and returns it.
    /// Reuses the lowest empty slot that no `Spawn` in the graph refers to.
    pub fn new_thread_id(&mut self) -> ThreadId {
        let used: Vec<bool> = {
            let mut used = vec![false; self.threads.len()];
            used[0] = true;
            for th in &self.threads {
                for ev in &th.events {
                    if let EventKind::Spawn { child } = ev.kind {
                        used[child.index()] = true;
                    }
                }
            }
            used
        };
        for (i, th) in self.threads.iter().enumerate() {
            if !used[i] && th.events.is_empty() {
                return ThreadId::from_index(i);
            }
        }
        self.ensure_thread(ThreadId::from_index(self.threads.len()));
        ThreadId::from_index(self.threads.len() - 1)
    }

    /// Makes sure thread slot `t` exists.
    pub(crate) fn ensure_thread(&mut self, t: ThreadId) {
        while self.threads.len() <= t.index() {
            self.threads.push(ThreadEvents::default());
        }
        if self.threads.len() > self.stride {
            self.grow_stride(self.threads.len().next_power_of_two());
        }
    }

    /// Creates a location slot for an `Alloc` write that is about to be added
    /// by thread `t`. Reuses the lowest free slot.
    pub fn new_loc(&mut self, t: ThreadId) -> LocId {
        let e = EventId::new(t, self.thread_len(t));
        let free = if self.free_locs > 0 {
            self.locs.iter().position(|l| l.alloc.is_none())
        } else {
            None
        };
        let slot = match free {
            Some(i) => {
                self.free_locs -= 1;
                i
            }
            None => {
                self.locs.push(Location::default());
                self.locs.len() - 1
            }
        };
        let l = &mut self.locs[slot];
        l.alloc = Some(e);
        l.co.clear();
        l.reads.clear();
        l.non_atomic = false;
        LocId::from_index(slot)
    }

    /// Appends an event to thread `t`. A write is placed in `co` right after
    /// the write at position `co_after` (`None`: at the very start, only for an
    /// `Alloc`). A read must already carry its `rf`.
    pub fn push(&mut self, t: ThreadId, kind: EventKind, co_after: Option<usize>) -> EventId {
        self.push_at(t, kind, Site::NONE, co_after)
    }

    /// [`Graph::push`], with the site of the operation the event belongs to
    /// (an RMW's write half given none takes its read half's).
    pub fn push_at(
        &mut self,
        t: ThreadId,
        kind: EventKind,
        site: Site,
        co_after: Option<usize>,
    ) -> EventId {
        self.ensure_thread(t);
        let idx = self.thread_len(t);
        let e = EventId::new(t, idx);
        let stamp = Stamp(self.next_stamp);
        self.next_stamp += 1;
        // an RMW's write half belongs to the operation of its read half
        let site = match kind {
            EventKind::Write(w) if site == Site::NONE && w.kind == WriteKind::Rmw && idx > 0 => {
                self.threads[t.index()].events[idx - 1].site
            }
            _ => site,
        };
        self.threads[t.index()]
            .events
            .push(Event { kind, stamp, site });
        self.threads[t.index()].co_pos.push(u32::MAX);
        self.sc_events += kind.is_sc() as usize;
        self.sc_fences += matches!(kind, EventKind::Fence(f) if f.is_sc()) as usize;
        self.compute_clocks(e);
        match kind {
            EventKind::Read(r) => {
                let l = &mut self.locs[r.loc.index()];
                l.reads.push(e);
                l.non_atomic |= !r.ord.is_atomic();
            }
            EventKind::Write(w) => {
                let l = &mut self.locs[w.loc.index()];
                let pos = co_after.map_or(0, |p| p + 1);
                l.co.insert(pos, e);
                l.non_atomic |= !w.ord.is_atomic();
                let n = l.co.len();
                self.renumber(w.loc, pos, n);
            }
            _ => {}
        }
        e
    }

    /// Moves write `w` in `co` to right after position `co_after` (positions
    /// counted without `w`).
    pub(crate) fn move_co(&mut self, w: EventId, co_after: usize) {
        let loc = self.write(w).unwrap().loc;
        let old = self.co_index(w);
        let new = co_after + 1;
        let co = &mut self.locs[loc.index()].co;
        if old < new {
            co[old..=new].rotate_left(1);
        } else {
            co[new..=old].rotate_right(1);
        }
        self.renumber(loc, old.min(new), old.max(new) + 1);
    }

    /// Brings `co_pos` up to date for positions `from..to` of `loc`'s `co`.
    fn renumber(&mut self, loc: LocId, from: usize, to: usize) {
        let co = &self.locs[loc.index()].co;
        for (i, &x) in co[from..to].iter().enumerate() {
            self.threads[x.thread.index()].co_pos[x.index as usize] = (from + i) as u32;
        }
    }

    /// Makes read `r` (the last event of its thread) read from `w`, with the
    /// given spurious-failure flag, and recomputes its clocks.
    pub(crate) fn set_rf(&mut self, r: EventId, w: EventId, spurious: bool) {
        debug_assert_eq!(r.index as usize + 1, self.thread_len(r.thread));
        let val = self.write(w).unwrap().val;
        let th = &mut self.threads[r.thread.index()];
        let ev = &mut th.events[r.index as usize];
        self.sc_events -= ev.kind.is_sc() as usize;
        if let EventKind::Read(rd) = &mut ev.kind {
            rd.rf = w;
            rd.val = val;
            rd.spurious = spurious;
            if rd.access != crate::event::ReadAccess::Load {
                rd.ord = Read::effective_ord(rd.access, rd.ord, val, spurious);
            }
        }
        self.sc_events += ev.kind.is_sc() as usize;
        let n = r.index as usize * NCLOCKS * self.stride;
        th.clocks.truncate(n);
        th.rel_fence.truncate(r.index as usize);
        self.compute_clocks(r);
    }

    /// Keeps only the events with stamp `<= s`.
    pub(crate) fn restrict_to_stamp(&mut self, s: Stamp) {
        self.truncate_with(|_, th| th.events.partition_point(|e| e.stamp <= s));
    }

    /// Keeps the first `lens[t]` events of each thread `t`.
    pub(crate) fn truncate_threads(&mut self, lens: &[usize]) {
        self.truncate_with(|t, _| lens.get(t).copied().unwrap_or(0));
    }

    /// Keeps the first `keep(t, events of t)` events of each thread `t`;
    /// only the locations the removed events touched are brought up to date.
    fn truncate_with(&mut self, keep: impl Fn(usize, &ThreadEvents) -> usize) {
        let s = self.stride;
        let mut changed = false;
        // the locations touched, as a bit set of the first 64 (`all`: some
        // other one was)
        let mut touched = 0u64;
        let mut all = false;
        for (t, th) in self.threads.iter_mut().enumerate() {
            let n = keep(t, th);
            if n >= th.events.len() {
                continue;
            }
            changed = true;
            for ev in &th.events[n..] {
                self.sc_events -= usize::from(ev.kind.is_sc());
                self.sc_fences -= usize::from(matches!(ev.kind, EventKind::Fence(f) if f.is_sc()));
                match ev.kind.loc() {
                    Some(l) if l.index() < 64 => touched |= 1 << l.index(),
                    Some(_) => all = true,
                    None => {}
                }
            }
            th.events.truncate(n);
            th.clocks.truncate(n * NCLOCKS * s);
            th.rel_fence.truncate(n);
            th.co_pos.truncate(n);
        }
        if !changed {
            return;
        }
        let threads = &mut self.threads;
        let kept = |threads: &[ThreadEvents], e: &EventId| {
            (e.index as usize) < threads[e.thread.index()].events.len()
        };
        for (i, l) in self.locs.iter_mut().enumerate() {
            if !all && (i >= 64 || touched & (1 << i) == 0) {
                continue;
            }
            match l.alloc {
                Some(a) if kept(threads, &a) => {
                    let n = l.co.len();
                    l.co.retain(|e| kept(threads, e));
                    l.reads.retain(|e| kept(threads, e));
                    if l.co.len() < n {
                        for (i, &x) in l.co.iter().enumerate() {
                            threads[x.thread.index()].co_pos[x.index as usize] = i as u32;
                        }
                    }
                }
                Some(_) => {
                    l.alloc = None;
                    l.co.clear();
                    l.reads.clear();
                    self.free_locs += 1;
                }
                None => {}
            }
        }
        // drop trailing empty thread slots (but keep the main thread)
        while self.threads.len() > 1 && self.threads.last().unwrap().events.is_empty() {
            self.threads.pop();
        }
    }

    /// Checks the structural invariants listed in the module docs. Panics on
    /// violation; for tests and debugging.
    pub fn debug_validate(&self) {
        for (e, ev) in self.events() {
            if e.index > 0 {
                let p = EventId::new(e.thread, e.index as usize - 1);
                assert!(
                    self.stamp(p) < ev.stamp,
                    "stamps must increase along po at {e:?}"
                );
            }
            if let EventKind::Read(r) = ev.kind {
                assert!(
                    self.contains(r.rf),
                    "read {e:?} reads from missing {:?}",
                    r.rf
                );
                let w = self.write(r.rf).expect("rf source must be a write");
                assert_eq!(w.loc, r.loc);
                assert_eq!(w.val, r.val);
            }
            if let EventKind::Write(w) = ev.kind {
                assert!(self.co(w.loc).contains(&e), "write {e:?} missing from co");
                assert_eq!(
                    self.co(w.loc)[self.co_index(e)],
                    e,
                    "stale co position of {e:?}"
                );
                if w.kind == WriteKind::Rmw {
                    let r = self
                        .read(EventId::new(e.thread, e.index as usize - 1))
                        .unwrap();
                    assert!(r.is_exclusive());
                }
            }
        }
        for (_, l) in self.locations() {
            let first = l.co.first().copied();
            assert_eq!(first, l.alloc, "Alloc must be co-first");
        }
    }
}
