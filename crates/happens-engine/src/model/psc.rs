//! The SC axiom of the RC11 family (`rc11` and `rust`): the partial SC order
//! `psc` must be acyclic. The two models differ only in which
//! sequenced-before steps the middle term of its base `scb` may take
//! ([`ScRule`]); everything else here is shared.
//!
//! ```text
//! scb      = po ∪ sb' ; hb ; sb' ∪ hb|loc ∪ co ∪ rb
//! psc_base = ([E_sc] ∪ [F_sc] ; hb?) ; scb ; ([E_sc] ∪ hb? ; [F_sc])
//! psc_F    = [F_sc] ; (hb ∪ hb ; eco ; hb) ; [F_sc]
//! psc      = psc_base ∪ psc_F
//! ```
//!
//! with `sb' = po|≠loc` for [`ScRule::Rc11`] and `sb' = po \ rmw` (`po`
//! without the step from an RMW's read half to its write half) for
//! [`ScRule::Cxx20`].
//!
//! Three checks are here: [`global_ok`], run by the explorer after every
//! change, which looks only for a cycle through a changed SeqCst event (or,
//! with SeqCst fences, checks the whole of `psc`); [`acyclic`], the whole of
//! `psc` over the SeqCst events; and [`acyclic_full`], the same axiom from
//! the relations' definitions (bit matrices), the reference the others are
//! tested against (`Model::check_full`, and the brute-force differential
//! test).
//!
//! How [`acyclic`] computes `sb' ; hb ; sb'` between two events `x` and `y`:
//! if `x sb' b hb c sb' y`, then also `u hb v` for `u` the *first* event
//! after `x` in `po` with `x sb' u`, and `v` the *last* event before `y` with
//! `v sb' y` (`po ⊆ hb`). So the term is one clock lookup, `u hb? v` (the
//! reflexive case adds only pairs already in `po`). For `rc11`, `u` is the
//! first later event at another location; for `rust`, the next event, or the
//! one after it when `x` is an RMW's read half (whose next event is its own
//! write half).
//!
//! It allocates nothing once its buffers (per thread) have grown to the
//! size of the graphs explored.

use std::cell::RefCell;

use crate::event::{EventKind, WriteKind};
use crate::graph::Graph;
use crate::ids::{EventId, LocId, ThreadId};
use crate::relation::{Base, Rel};

/// Which `po` steps the middle term `sb' ; hb ; sb'` of `scb` may take.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScRule {
    /// The RC11 paper's `po|≠loc ; hb ; po|≠loc`: both steps change location.
    Rc11,
    /// C++20's strongly happens before ([intro.races]/12.3): `sb ; hb ; sb`
    /// with no location condition, an RMW being one evaluation (no step
    /// between its read and write halves).
    Cxx20,
}

impl ScRule {
    /// The first event `u` after `x` in its thread with `x sb' u` (see the
    /// module docs).
    fn after(self, g: &Graph, x: EventId) -> Option<EventId> {
        let evs = g.thread_events(x.thread);
        let i = x.index as usize;
        let j = match self {
            ScRule::Rc11 => {
                let l = evs[i].kind.loc();
                (i + 1..evs.len()).find(|&j| l.is_none() || evs[j].kind.loc() != l)
            }
            ScRule::Cxx20 => {
                // an RMW's write half is the event right after its read half
                let j = if evs.get(i + 1).is_some_and(|e| is_rmw_write(&e.kind)) {
                    i + 2
                } else {
                    i + 1
                };
                (j < evs.len()).then_some(j)
            }
        };
        j.map(|j| EventId::new(x.thread, j))
    }

    /// The last event `v` before `y` in its thread with `v sb' y`.
    fn before(self, g: &Graph, y: EventId) -> Option<EventId> {
        let evs = g.thread_events(y.thread);
        let i = y.index as usize;
        let j = match self {
            ScRule::Rc11 => {
                let l = evs[i].kind.loc();
                (0..i)
                    .rev()
                    .find(|&j| l.is_none() || evs[j].kind.loc() != l)
            }
            ScRule::Cxx20 => i.checked_sub(if is_rmw_write(&evs[i].kind) { 2 } else { 1 }),
        };
        j.map(|j| EventId::new(y.thread, j))
    }

    /// `sb'` from its definition, over `b`'s numbering.
    fn sb(self, b: &Base) -> Rel {
        match self {
            ScRule::Rc11 => b.po.minus(&b.loc),
            ScRule::Cxx20 => b.po.minus(&b.rmw),
        }
    }
}

fn is_rmw_write(k: &EventKind) -> bool {
    matches!(k, EventKind::Write(w) if w.kind == WriteKind::Rmw)
}

/// Whether `psc` is still acyclic after the events `changed` were added or
/// changed (given an `rf` or a `co` place), given that `g` was consistent
/// before.
///
/// Without SC fences, `psc` is `scb` between SC events, and an edge between
/// two unchanged events stays as it was: `hb` between older events never
/// changes, `co` and `rb` among older events neither (a new write enters
/// `co` without reordering the others); and the middle term of `scb` looks
/// at the event right after an SC event `x`, which may be a new event `e`,
/// but `e` (the last event of its thread, or a read whose new `rf` is all
/// that changed) happens before nothing older. So a new cycle goes through a
/// changed SC event: none if no changed event is SC, and otherwise a search
/// from each changed SC event for a way back to it decides. With SC fences
/// (whose `psc` edges go through the events `hb`-after and -before them),
/// `psc` is built and searched whole.
pub fn global_ok(g: &Graph, changed: &[EventId], rule: ScRule) -> bool {
    // an event added last in its thread with nothing after it in `eco` (a
    // read of the latest write, a write placed last in `co` and read by no
    // one, a fence) has no outgoing `scb` or `eco` edge, so no new `psc`
    // edge leaves it: the graph before it was acyclic, and a cycle would
    // have to leave it
    if changed.len() == 1 && is_sink(g, changed[0]) {
        return true;
    }
    if g.sc_fences() > 0 {
        if changed.len() == 1 && adds_no_edge(g, changed[0]) {
            return true;
        }
        return acyclic(g, rule);
    }
    if g.sc_events() < 2 || !changed.iter().any(|&e| g.kind(e).is_sc()) {
        return true;
    }
    SCRATCH.with(|s| match s.try_borrow_mut() {
        Ok(mut s) => s.no_cycle_through(g, rule, changed),
        Err(_) => Scratch::default().no_cycle_through(g, rule, changed),
    })
}

/// Whether a new read `r` (the last event of its thread) is invisible to
/// `psc` whatever it reads: it is not SeqCst for any value it may read, and
/// there are no SC fences (whose `psc` edges reach through `hb`). Then
/// [`global_ok`] holds for every `rf` it may get (see there).
pub fn blind_to(g: &Graph, r: EventId) -> bool {
    g.sc_fences() == 0 && g.read(r).is_some_and(|rd| !rd.access.may_be_sc(rd.ord))
}

/// With SC fences: whether the new event `e` (the last of its thread, not
/// SeqCst) adds no `psc` edge, so that the graph stays acyclic. Such an
/// event is in no `L(a)` of an access and in no `R(b)` at all (it happens
/// before nothing), and it starts no `po`, `hb` or middle-term `scb` edge;
/// what it can add is `F -> b` for an SC fence `F` that happens before it
/// and a `b` that its `eco`-successors (the writes `co`-after the write it
/// reads or after itself, and their reads) reach as SC accesses or happen
/// before as SC fences. No fence before it, or no such successor: no edge.
fn adds_no_edge(g: &Graph, e: EventId) -> bool {
    const MAX: usize = 16;
    let kind = *g.kind(e);
    if kind.is_sc() {
        return false;
    }
    // the SC fences (give up on the shortcut if there are many)
    let mut fences = [e; MAX];
    let mut n = 0;
    for (x, ev) in g.events() {
        if matches!(ev.kind, EventKind::Fence(f) if f.is_sc()) {
            if n == MAX {
                return false;
            }
            fences[n] = x;
            n += 1;
        }
    }
    let fences = &fences[..n];
    if !fences.iter().any(|&f| f != e && g.hb_le(f, e)) {
        return true;
    }
    let (loc, start) = match kind {
        EventKind::Read(r) => (r.loc, g.co_index(r.rf) + 1),
        EventKind::Write(w) => (w.loc, g.co_index(e) + 1),
        _ => return false,
    };
    let reaches = |y: EventId| g.kind(y).is_sc() || fences.iter().any(|&f| g.hb_le(y, f));
    let co = g.co(loc);
    if co[start..].iter().any(|&w| reaches(w)) {
        return false;
    }
    !g.location(loc)
        .reads
        .iter()
        .any(|&r| r != e && g.co_index(g.read(r).unwrap().rf) >= start && reaches(r))
}

/// Whether `e`, the last event of its thread, has no `sb`, `co`, `rf` or
/// `fr` successor.
fn is_sink(g: &Graph, e: EventId) -> bool {
    if g.thread_len(e.thread) != e.index as usize + 1 {
        return false;
    }
    match *g.kind(e) {
        EventKind::Read(r) => g.co_max(r.loc) == r.rf,
        EventKind::Write(w) => {
            g.co_max(w.loc) == e
                && g.location(w.loc)
                    .reads
                    .iter()
                    .all(|&x| g.read(x).unwrap().rf != e)
        }
        EventKind::Fence(_) => true,
        _ => false,
    }
}

/// Whether `psc` is acyclic (trivially so with fewer than two SeqCst
/// events).
///
/// `psc_base(a, b)` holds when some `x ∈ L(a)`, `y ∈ R(b)` are in `scb`,
/// with `L(a) = {a}` for an access and `{a} ∪ hb-successors` for a fence,
/// `R(b)` dually; `psc_F(a, b)`, for two fences, when `a hb b` or some
/// `hb`-successor of `a` is `eco`-before some `hb`-predecessor of `b`.
pub fn acyclic(g: &Graph, rule: ScRule) -> bool {
    if g.sc_events() < 2 {
        return true;
    }
    SCRATCH.with(|s| match s.try_borrow_mut() {
        Ok(mut s) => s.acyclic(g, rule),
        // not reentrant in practice; stay correct if it ever is
        Err(_) => Scratch::default().acyclic(g, rule),
    })
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// What `scb` and `eco` need to know of an event.
#[derive(Clone, Copy, Debug)]
struct Node {
    e: EventId,
    loc: Option<LocId>,
    write: bool,
    fence: bool,
    /// `co` index of the write it is or reads from (`u32::MAX` otherwise).
    pos: u32,
    /// [`ScRule::after`] (and [`ScRule::before`]'s clock is in [`Clocks`]).
    after: Option<EventId>,
}

/// Copies of the clocks `scb` reads, one per node, so that its inner loop
/// indexes one array.
#[derive(Default)]
struct Clocks {
    /// Number of threads: the width of each clock here.
    t: usize,
    /// The node's `hb` clock.
    hb: Vec<u32>,
    /// The `hb` clock of [`ScRule::before`] the node (zeros if none).
    before: Vec<u32>,
}

impl Clocks {
    fn clear(&mut self, g: &Graph) {
        self.t = g.num_threads();
        self.hb.clear();
        self.before.clear();
    }

    fn push(&mut self, g: &Graph, e: EventId, before: Option<EventId>) {
        let t = self.t;
        self.hb.extend_from_slice(&g.hb_clock(e)[..t]);
        match before {
            Some(v) => self.before.extend_from_slice(&g.hb_clock(v)[..t]),
            None => self.before.resize(self.before.len() + t, 0),
        }
    }
}

impl Node {
    fn same_loc(&self, y: &Node) -> bool {
        self.loc.is_some() && self.loc == y.loc
    }

    /// `scb(x, y) = po ∪ sb' ; hb ; sb' ∪ hb|loc ∪ co ∪ rb`, for `y` node
    /// number `j` of `c`.
    #[inline]
    fn scb(&self, y: &Node, j: usize, c: &Clocks) -> bool {
        let x = self;
        let hb_y = &c.hb[j * c.t..(j + 1) * c.t];
        let before_y = &c.before[j * c.t..(j + 1) * c.t];
        x.e != y.e
            && ((x.e.thread == y.e.thread && x.e.index < y.e.index)
                || (x.same_loc(y)
                    && ((y.write && x.pos < y.pos) || hb_y[x.e.thread.index()] > x.e.index))
                || x.after
                    .is_some_and(|u| before_y[u.thread.index()] > u.index))
    }
}

/// The buffers of [`acyclic`].
#[derive(Default)]
struct Scratch {
    /// Dense index of each thread's first event.
    offset: Vec<usize>,
    /// Per dense index: `co` position of the write it is or reads from.
    pos: Vec<u32>,
    nodes: Vec<Node>,
    clocks: Clocks,
    /// `psc` over the SC events.
    rel: Rel,
    /// Fence case: what each SC event's `L` and `R` sets look like.
    sides: Sides,
    colour: Vec<u8>,
    stack: Vec<(usize, usize)>,
}

impl Scratch {
    fn acyclic(&mut self, g: &Graph, rule: ScRule) -> bool {
        self.nodes_of(g, rule);
        if g.sc_fences() > 0 {
            self.sides
                .summarise(g, rule, &self.nodes, &self.pos, &self.offset);
            let n = self.nodes.len();
            self.rel.reset(n);
            for i in 0..n {
                for j in 0..n {
                    if i != j && self.psc_with_fences(g, i, j) {
                        self.rel.set(i, j);
                    }
                }
            }
        } else {
            // only accesses: L(a) = {a}, R(b) = {b}
            let n = self.nodes.len();
            self.rel.reset(n);
            for (i, x) in self.nodes.iter().enumerate() {
                for (j, y) in self.nodes.iter().enumerate() {
                    if x.scb(y, j, &self.clocks) {
                        self.rel.set(i, j);
                    }
                }
            }
        }
        self.rel.acyclic_with(&mut self.colour, &mut self.stack)
    }

    /// Without SC fences: whether no `psc` cycle goes through an SC event of
    /// `changed` (see [`global_ok`]).
    fn no_cycle_through(&mut self, g: &Graph, rule: ScRule, changed: &[EventId]) -> bool {
        self.nodes_of(g, rule);
        for &e in changed {
            if let Some(c) = self.nodes.iter().position(|x| x.e == e) {
                if self.returns_to(c) {
                    return false;
                }
            }
        }
        true
    }

    /// Whether an `scb` path leads from node `c` back to it: a depth-first
    /// search that works out each node's successors when it reaches it (most
    /// new events have few successors: a store that goes last in `co`, a
    /// load of the latest store, have none).
    fn returns_to(&mut self, c: usize) -> bool {
        let n = self.nodes.len();
        self.colour.clear();
        self.colour.resize(n, 0);
        self.stack.clear();
        self.colour[c] = 1;
        self.stack.push((c, 0));
        while let Some((v, _)) = self.stack.pop() {
            let x = self.nodes[v];
            for j in 0..n {
                if (j == c || self.colour[j] == 0) && x.scb(&self.nodes[j], j, &self.clocks) {
                    if j == c {
                        return true;
                    }
                    self.colour[j] = 1;
                    self.stack.push((j, 0));
                }
            }
        }
        false
    }

    /// The nodes (and their clocks) `psc` is built from: the SC events.
    fn nodes_of(&mut self, g: &Graph, rule: ScRule) {
        self.index(g);
        self.nodes.clear();
        self.clocks.clear(g);
        for (e, ev) in g.events() {
            if ev.kind.is_sc() {
                let node = Node {
                    e,
                    loc: ev.kind.loc(),
                    write: ev.kind.is_write(),
                    fence: matches!(ev.kind, EventKind::Fence(_)),
                    pos: self.pos[self.offset[e.thread.index()] + e.index as usize],
                    after: rule.after(g, e),
                };
                self.nodes.push(node);
                self.clocks.push(g, e, rule.before(g, e));
            }
        }
    }

    /// Dense numbering of the events and their `co` positions.
    fn index(&mut self, g: &Graph) {
        self.offset.clear();
        let mut n = 0;
        for t in 0..g.num_threads() {
            self.offset.push(n);
            n += g.thread_len(crate::ids::ThreadId::from_index(t));
        }
        self.pos.clear();
        self.pos.resize(n, u32::MAX);
        let ix = |offset: &[usize], e: EventId| offset[e.thread.index()] + e.index as usize;
        for (_, l) in g.locations() {
            for (i, &w) in l.co.iter().enumerate() {
                self.pos[ix(&self.offset, w)] = i as u32;
            }
        }
        for (_, l) in g.locations() {
            for &r in &l.reads {
                let rf = g.read(r).expect("a location's reads are reads").rf;
                self.pos[ix(&self.offset, r)] = self.pos[ix(&self.offset, rf)];
            }
        }
    }

    /// `psc(x, y)` for nodes `i` and `j` when there are SC fences (see
    /// [`Sides`] for how each case reduces to summaries).
    fn psc_with_fences(&self, g: &Graph, i: usize, j: usize) -> bool {
        let (x, y) = (&self.nodes[i], &self.nodes[j]);
        let sd = &self.sides;
        match (x.fence, y.fence) {
            (false, false) => x.scb(y, j, &self.clocks),
            (true, true) => g.hb(x.e, y.e) || sd.eco_between(i, j),
            (true, false) => sd.fence_to_access(i, y, j, &self.clocks),
            (false, true) => sd.access_to_fence(g, x, i, j),
        }
    }
}

const NONE: u32 = u32::MAX;

/// With SC fences, `psc(a, b)` asks about `L(a) = {a} ∪ hb-successors` of
/// a fence and `R(b) = {b} ∪ hb-predecessors`. Both are, in each thread,
/// an interval of `po` (a suffix, a prefix), so each case reduces to a
/// few summaries of those intervals per thread and location, computed in
/// one pass over each fence's events instead of `scb` between every pair
/// of events:
///
/// - fence `a` to access `b` (`∃x ∈ L(a): scb(x, b)`): `x po b` when `L(a)`
///   reaches `b`'s thread before `b`; `x sb' u hb v sb' b` when the first
///   `u` after `L(a)`'s first event in some thread happens before (or is)
///   `v` (`after` is monotone in `po`, and `hb` is closed under `po`
///   prefixes); `x hb b` at `b`'s location when the first event of `L(a)`
///   there in some thread happens before `b`; `x co b`, `x rb b` when the
///   least `co` position `L(a)` has at `b`'s location is below `b`'s.
/// - access `a` to fence `b` (`∃y ∈ R(b): scb(a, y)`), dually: the event
///   after `a` in `R(b)`; `after(a)` happens before (or is) `before(y)` for
///   the last `y` of `R(b)` in some thread; the last event of `R(b)` at
///   `a`'s location in some thread happens after `a`; a write of `R(b)` at
///   `a`'s location after `a`'s position in `co`.
/// - fence to fence: `a hb b` (which covers every `scb` step that is in
///   `hb`), or `x eco y` for `x` hb-after `a`, `y` hb-before `b`: with
///   `key = 2·(co position) + (1 for a read)`, `x eco y` iff `key(x) <
///   key(y)` at one location, so the least key after `a` against the
///   greatest before `b`. (`scb`'s `co` and `rb` steps between `L(a)` and
///   `R(b)` are such `eco` steps; its other steps are in `hb`.)
#[derive(Default)]
struct Sides {
    /// Threads and locations: the strides below.
    t: usize,
    l: usize,
    /// Per node: its fence number, or [`NONE`].
    fence_no: Vec<u32>,
    /// Per node and thread: the first index hb-after it (for a fence,
    /// itself in its own thread; for an access, the one after it).
    first: Vec<u32>,
    /// Per fence and thread: `after` of that first index.
    after: Vec<u32>,
    /// Per fence, thread and location: the first index of `L(a)` there.
    first_at: Vec<u32>,
    /// Per fence and location: the least key in `L(a)`.
    min_key: Vec<u32>,
    /// Per fence and thread: the number of events of `R(b)` (`hb` clock).
    upto: Vec<u32>,
    /// Per fence and thread: `before` of the last event of `R(b)`.
    before_last: Vec<u32>,
    /// Per fence, thread and location: the last index of `R(b)` there.
    last_at: Vec<u32>,
    /// Per fence and location: 1 + the greatest key in `R(b)`, and 1 +
    /// the greatest `co` position of a write in `R(b)` (0: none).
    max_key: Vec<u32>,
    max_write: Vec<u32>,
}

impl Sides {
    /// Computes the summaries for the SC `nodes` of `g` (`pos`: `co`
    /// positions by dense index, `offset`: each thread's first dense index).
    fn summarise(
        &mut self,
        g: &Graph,
        rule: ScRule,
        nodes: &[Node],
        pos: &[u32],
        offset: &[usize],
    ) {
        let (nt, nl) = (g.num_threads(), g.num_locations());
        self.t = nt;
        self.l = nl;
        let fences = nodes.iter().filter(|x| x.fence).count();
        self.fence_no.clear();
        self.first.clear();
        self.first.resize(nodes.len() * nt, NONE);
        for v in [&mut self.after, &mut self.upto, &mut self.before_last] {
            v.clear();
            v.resize(fences * nt, NONE);
        }
        for v in [&mut self.first_at, &mut self.last_at] {
            v.clear();
            v.resize(fences * nt * nl, NONE);
        }
        self.min_key.clear();
        self.min_key.resize(fences * nl, NONE);
        for v in [&mut self.max_key, &mut self.max_write] {
            v.clear();
            v.resize(fences * nl, 0);
        }
        let key = |t: usize, i: usize, read: bool| 2 * pos[offset[t] + i] + read as u32;
        let mut k = 0;
        for (n, x) in nodes.iter().enumerate() {
            let (a, at) = (x.e, x.e.thread.index());
            for t in 0..nt {
                let tid = ThreadId::from_index(t);
                let evs = g.thread_events(tid);
                self.first[n * nt + t] = if t == at {
                    a.index + u32::from(!x.fence)
                } else {
                    // hb clocks grow along `po`: binary search
                    let (mut lo, mut hi) = (0, evs.len());
                    while lo < hi {
                        let mid = (lo + hi) / 2;
                        if g.hb_clock(EventId::new(tid, mid))[at] > a.index {
                            hi = mid;
                        } else {
                            lo = mid + 1;
                        }
                    }
                    lo as u32
                };
            }
            if !x.fence {
                self.fence_no.push(NONE);
                continue;
            }
            self.fence_no.push(k as u32);
            let upto = g.hb_clock(a);
            for t in 0..nt {
                let tid = ThreadId::from_index(t);
                let evs = g.thread_events(tid);
                let ft = k * nt + t;
                let s = self.first[n * nt + t] as usize;
                if s < evs.len() {
                    if let Some(u) = rule.after(g, EventId::new(tid, s)) {
                        self.after[ft] = u.index;
                    }
                }
                for (i, ev) in evs.iter().enumerate().skip(s) {
                    if let Some(l) = ev.kind.loc() {
                        let l = l.index();
                        let f = &mut self.first_at[ft * nl + l];
                        *f = (*f).min(i as u32);
                        let m = &mut self.min_key[k * nl + l];
                        *m = (*m).min(key(t, i, !ev.kind.is_write()));
                    }
                }
                let p = upto[t] as usize;
                self.upto[ft] = p as u32;
                let last = if t == at {
                    Some(a)
                } else {
                    p.checked_sub(1).map(|i| EventId::new(tid, i))
                };
                if let Some(v) = last.and_then(|y| rule.before(g, y)) {
                    self.before_last[ft] = v.index;
                }
                for (i, ev) in evs.iter().enumerate().take(p) {
                    if let Some(l) = ev.kind.loc() {
                        let l = l.index();
                        self.last_at[ft * nl + l] = i as u32;
                        let write = ev.kind.is_write();
                        let m = &mut self.max_key[k * nl + l];
                        *m = (*m).max(key(t, i, !write) + 1);
                        if write {
                            let m = &mut self.max_write[k * nl + l];
                            *m = (*m).max(pos[offset[t] + i] + 1);
                        }
                    }
                }
            }
            k += 1;
        }
    }

    /// `psc(a, b)`, `a` the fence of node `i`, `b` an access (node `j`).
    fn fence_to_access(&self, i: usize, b: &Node, j: usize, c: &Clocks) -> bool {
        let (nt, nl) = (self.t, self.l);
        let k = self.fence_no[i] as usize;
        let bt = b.e.thread.index();
        if self.first[i * nt + bt] < b.e.index {
            return true;
        }
        let hb_b = &c.hb[j * c.t..(j + 1) * c.t];
        let before_b = &c.before[j * c.t..(j + 1) * c.t];
        let l = b.loc.expect("an access has a location").index();
        for t in 0..nt {
            let u = self.after[k * nt + t];
            if u != NONE && before_b[t] > u {
                return true;
            }
            let f = self.first_at[(k * nt + t) * nl + l];
            if f != NONE && f < hb_b[t] && !(t == bt && f == b.e.index) {
                return true;
            }
        }
        let m = self.min_key[k * nl + l];
        b.write && m != NONE && m / 2 < b.pos
    }

    /// `psc(a, b)`, `a` an access (node `i`), `b` the fence of node `j`.
    fn access_to_fence(&self, g: &Graph, a: &Node, i: usize, j: usize) -> bool {
        let (nt, nl) = (self.t, self.l);
        let k = self.fence_no[j] as usize;
        let at = a.e.thread.index();
        if a.e.index + 1 < self.upto[k * nt + at] {
            return true;
        }
        let l = a.loc.expect("an access has a location").index();
        for t in 0..nt {
            if let Some(u) = a.after {
                let v = self.before_last[k * nt + t];
                if v != NONE
                    && g.hb_clock(EventId::new(ThreadId::from_index(t), v as usize))
                        [u.thread.index()]
                        > u.index
                {
                    return true;
                }
            }
            let last = self.last_at[(k * nt + t) * nl + l];
            if last != NONE && last >= self.first[i * nt + t] {
                return true;
            }
        }
        self.max_write[k * nl + l] > a.pos + 1
    }

    /// `a hb ; eco ; hb b` for the fences of nodes `i` and `j`.
    fn eco_between(&self, i: usize, j: usize) -> bool {
        let nl = self.l;
        let (ki, kj) = (self.fence_no[i] as usize, self.fence_no[j] as usize);
        let lo = &self.min_key[ki * nl..(ki + 1) * nl];
        let hi = &self.max_key[kj * nl..(kj + 1) * nl];
        lo.iter().zip(hi).any(|(&m, &h)| m != NONE && m + 1 < h)
    }
}

/// `psc` acyclic, from the definitions: `b` the graph's base relations,
/// `hb` and `eco` computed from theirs. Slow; the reference for
/// [`acyclic`].
pub fn acyclic_full(b: &Base, hb: &Rel, eco: &Rel, rule: ScRule) -> bool {
    let sb = rule.sb(b);
    let hbl = hb.intersect(&b.loc);
    let scb =
        b.po.union(&sb.seq(hb).seq(&sb))
            .union(&hbl)
            .union(&b.co)
            .union(&b.rb);
    let sc = b.id_of(|k| k.is_sc());
    let fsc = b.id_of(|k| k.is_sc() && matches!(k, EventKind::Fence(_)));
    let hbq = hb.refl();
    let left = sc.union(&fsc.seq(&hbq));
    let right = sc.union(&hbq.seq(&fsc));
    let pscb = left.seq(&scb).seq(&right);
    let pscf = fsc.seq(&hb.union(&hb.seq(eco).seq(hb))).seq(&fsc);
    pscb.union(&pscf).acyclic()
}
