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
use crate::ids::{EventId, LocId};
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
    sc: bool,
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

    /// `eco(x, y) = (rf ∪ co ∪ rb)+`.
    fn eco(&self, y: &Node) -> bool {
        let x = self;
        x.e != y.e
            && x.same_loc(y)
            && match (x.write, y.write) {
                (true, false) => x.pos <= y.pos,
                _ => x.pos < y.pos,
            }
    }
}

/// Rows of bits (a `rows × cols` boolean matrix), reused between checks.
#[derive(Default)]
struct Rows {
    words: usize,
    bits: Vec<u64>,
}

impl Rows {
    fn reset(&mut self, rows: usize, cols: usize) {
        self.words = cols.div_ceil(64).max(1);
        self.bits.clear();
        self.bits.resize(rows * self.words, 0);
    }
    fn set(&mut self, r: usize, c: usize) {
        self.bits[r * self.words + c / 64] |= 1 << (c % 64);
    }
    fn row(&self, r: usize) -> &[u64] {
        &self.bits[r * self.words..(r + 1) * self.words]
    }
    /// Row `dst` |= row `r` of `src` (same width).
    fn or_row(&mut self, dst: usize, src: &Rows, r: usize) {
        let w = self.words;
        for (d, s) in self.bits[dst * w..(dst + 1) * w].iter_mut().zip(src.row(r)) {
            *d |= *s;
        }
    }
    /// The set columns of row `r`.
    fn ones(&self, r: usize) -> impl Iterator<Item = usize> + '_ {
        self.row(r).iter().enumerate().flat_map(|(k, &w)| {
            let mut w = w;
            std::iter::from_fn(move || {
                (w != 0).then(|| {
                    let b = w.trailing_zeros() as usize;
                    w &= w - 1;
                    k * 64 + b
                })
            })
        })
    }
}

/// Whether rows `a` and `b` share a column other than `skip`.
fn meet_except(a: &[u64], b: &[u64], skip: usize) -> bool {
    a.iter().zip(b).enumerate().any(|(k, (&x, &y))| {
        let mut m = x & y;
        if k == skip / 64 {
            m &= !(1 << (skip % 64));
        }
        m != 0
    })
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
    /// Fence case: dense indices of the SC events.
    sc: Vec<usize>,
    /// `psc` over the SC events.
    rel: Rel,
    /// Fence case, one row per SC event over all events: `L(a)`, `R(b)`,
    /// the events some member of `L(a)` is `scb`- (`eco`-) before.
    left: Rows,
    right: Rows,
    reach_scb: Rows,
    reach_eco: Rows,
    /// Fence case, one row per event: its `scb` and `eco` successors (only
    /// for members of some `L`, only among members of some `R`).
    scb: Rows,
    eco: Rows,
    /// Unions of the `L` and of the `R` sets.
    lunion: Rows,
    runion: Rows,
    colour: Vec<u8>,
    stack: Vec<(usize, usize)>,
}

impl Scratch {
    fn acyclic(&mut self, g: &Graph, rule: ScRule) -> bool {
        let fences = g.sc_fences() > 0;
        self.nodes_of(g, rule, fences);
        if fences {
            self.relate_with_fences(g);
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
        self.nodes_of(g, rule, false);
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

    /// The nodes (and their clocks) `psc` is built from: the SC events, or
    /// with `all` every event.
    fn nodes_of(&mut self, g: &Graph, rule: ScRule, all: bool) {
        self.index(g);
        self.nodes.clear();
        self.clocks.clear(g);
        for (e, ev) in g.events() {
            // with SC fences, every event may be in some L(a) or R(b)
            if all || ev.kind.is_sc() {
                let node = Node {
                    e,
                    loc: ev.kind.loc(),
                    write: ev.kind.is_write(),
                    fence: matches!(ev.kind, EventKind::Fence(_)),
                    sc: ev.kind.is_sc(),
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

    /// `psc` over the SC events when there are SC fences; `nodes` holds
    /// every event, in dense order.
    fn relate_with_fences(&mut self, g: &Graph) {
        let all = self.nodes.len();
        self.sc.clear();
        self.sc.extend((0..all).filter(|&i| self.nodes[i].sc));
        let n = self.sc.len();
        self.left.reset(n, all);
        self.right.reset(n, all);
        self.lunion.reset(1, all);
        self.runion.reset(1, all);
        for (k, &i) in self.sc.iter().enumerate() {
            self.left.set(k, i);
            self.right.set(k, i);
            let a = self.nodes[i];
            if a.fence {
                for (x, nx) in self.nodes.iter().enumerate() {
                    if g.hb(a.e, nx.e) {
                        self.left.set(k, x);
                    }
                    if g.hb(nx.e, a.e) {
                        self.right.set(k, x);
                    }
                }
            }
            self.lunion.or_row(0, &self.left, k);
            self.runion.or_row(0, &self.right, k);
        }
        // scb and eco successors, from members of some L to members of some R
        self.scb.reset(all, all);
        self.eco.reset(all, all);
        for x in self.lunion.ones(0) {
            let nx = self.nodes[x];
            for y in self.runion.ones(0) {
                let ny = &self.nodes[y];
                if nx.scb(ny, y, &self.clocks) {
                    self.scb.set(x, y);
                }
                if nx.eco(ny) {
                    self.eco.set(x, y);
                }
            }
        }
        self.reach_scb.reset(n, all);
        self.reach_eco.reset(n, all);
        for k in 0..n {
            let a = self.sc[k];
            for x in self.left.ones(k) {
                self.reach_scb.or_row(k, &self.scb, x);
                if x != a {
                    self.reach_eco.or_row(k, &self.eco, x);
                }
            }
        }
        self.rel.reset(n);
        for k in 0..n {
            let a = self.nodes[self.sc[k]];
            for l in 0..n {
                if k == l {
                    continue;
                }
                let b = self.nodes[self.sc[l]];
                let base = self
                    .reach_scb
                    .row(k)
                    .iter()
                    .zip(self.right.row(l))
                    .any(|(x, y)| x & y != 0);
                let fences = a.fence
                    && b.fence
                    && (g.hb(a.e, b.e)
                        || meet_except(self.reach_eco.row(k), self.right.row(l), self.sc[l]));
                if base || fences {
                    self.rel.set(k, l);
                }
            }
        }
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
