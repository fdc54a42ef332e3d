//! RC11: the repaired C11 model of Lahav, Vafeiadis, Kang, Hur and Dreyer,
//! "Repairing Sequential Consistency in C/C++11" (PLDI 2017), with the C++20
//! release sequence (P0982R1, C++20 [intro.races]/5).
//!
//! An execution graph is consistent when:
//!
//! - **coherence**: `hb ; eco?` is irreflexive, where
//!   `hb = (po ∪ sw)+` and `eco = (rf ∪ co ∪ rb)+`, `rb = rf⁻¹ ; co \ id`;
//! - **atomicity**: `rmw ∩ (rb ; co)` is empty: an RMW reads from the write
//!   right before its own in `co`;
//! - **SC**: `psc = psc_base ∪ psc_F` is acyclic, with
//!   `scb = po ∪ po|≠loc ; hb ; po|≠loc ∪ hb|loc ∪ co ∪ rb`,
//!   `psc_base = ([E_sc] ∪ [F_sc] ; hb?) ; scb ; ([E_sc] ∪ hb? ; [F_sc])`,
//!   `psc_F = [F_sc] ; (hb ∪ hb ; eco ; hb) ; [F_sc]`;
//! - **no thin air**: `po ∪ rf` is acyclic.
//!
//! Synchronisation: `sw = [E_rel] ; ([F] ; po)? ; rs ; rf ; [R_atomic] ; (po ; [F])? ; [E_acq]`
//! with the C++20 release sequence `rs = [W_atomic] ; (rf ; rmw)*`: only RMWs
//! continue a release sequence (the RC11 paper also lets later stores of the
//! same thread continue it; C++20 and Rust do not). Thread spawn and join
//! also synchronise (C++20 [thread.thread.constr]/7, [thread.thread.member]/5).
//!
//! How it is checked: `hb` is kept as vector clocks on the events (see
//! [`crate::graph`]); coherence and atomicity are checked locally as each
//! event is added ([`super::coherence`]); no-thin-air holds by construction
//! (the explorer never lets a read read from its own `po ∪ rf` future); `psc`
//! is rebuilt over the SeqCst events after each change when there are any.
//!
//! Data races: two conflicting accesses (same location, one a write) of
//! different threads, at least one non-atomic, not ordered by `hb`, are
//! undefined behaviour (C++20 [intro.races]/21). The initial write of a
//! location (its `Alloc`) never races, as in herd's `rc11.cat`.
//!
//! Not modelled: `memory_order_consume` (treat it as `Acquire`, as compilers
//! do); mixed-size and non-aligned accesses; out-of-thin-air behaviour (it is
//! forbidden here, as in RC11, so load buffering through `po ∪ rf` cycles is
//! never shown); the C++ lock-free progress guarantees. A weak
//! compare-exchange may fail spuriously, but not twice in a row on the same
//! write (`Graph::may_fail_spuriously`): the second failure would leave the
//! thread where the first did, so only a program that counts its retries can
//! tell the difference.

use super::coherence::{self, Order};
use super::Model;
use crate::event::EventKind;
use crate::graph::Graph;
use crate::ids::{EventId, ThreadId};
use crate::relation::{Base, Rel};

/// The RC11 model with C++20 release sequences.
#[derive(Clone, Copy, Debug, Default)]
pub struct Rc11;

impl Model for Rc11 {
    fn name(&self) -> &'static str {
        "rc11"
    }

    fn read_ok(&self, g: &Graph, r: EventId) -> bool {
        coherence::read_ok(g, Order::Hb, r)
    }

    fn write_ok(&self, g: &Graph, w: EventId) -> bool {
        coherence::write_ok(g, Order::Hb, w)
    }

    fn global_ok(&self, g: &Graph, changed: &[EventId]) -> bool {
        // Without SC fences, every psc edge joins two SC events by relations
        // among them that adding a non-SC event (or giving it an rf or a co
        // place) cannot change: hb between older events never changes, and
        // co/rb among older writes neither. So only a change to an SC event
        // can close a cycle.
        if g.sc_fences() == 0 && !changed.iter().any(|&e| g.kind(e).is_sc()) {
            return true;
        }
        psc_acyclic(g)
    }

    fn races_are_ub(&self) -> bool {
        true
    }

    fn check_full(&self, g: &Graph) -> Result<(), &'static str> {
        check_full(g)
    }
}

/// The SeqCst events of `g`.
fn sc_events(g: &Graph) -> Vec<EventId> {
    g.events()
        .filter(|(_, ev)| ev.kind.is_sc())
        .map(|(e, _)| e)
        .collect()
}

/// Co positions and helpers for the psc check.
struct Psc<'g> {
    g: &'g Graph,
    /// For each thread, for each event, the `co` index of the write it is or
    /// reads from (`u32::MAX` for other events).
    copos: Vec<Vec<u32>>,
}

impl<'g> Psc<'g> {
    fn new(g: &'g Graph) -> Self {
        let mut copos: Vec<Vec<u32>> = (0..g.num_threads())
            .map(|t| vec![u32::MAX; g.thread_len(ThreadId::from_index(t))])
            .collect();
        for (_, l) in g.locations() {
            for (i, &w) in l.co.iter().enumerate() {
                copos[w.thread.index()][w.index as usize] = i as u32;
            }
        }
        for t in 0..g.num_threads() {
            for (i, ev) in g.thread_events(ThreadId::from_index(t)).iter().enumerate() {
                if let EventKind::Read(r) = ev.kind {
                    copos[t][i] = copos[r.rf.thread.index()][r.rf.index as usize];
                }
            }
        }
        Psc { g, copos }
    }

    fn pos(&self, e: EventId) -> u32 {
        self.copos[e.thread.index()][e.index as usize]
    }

    /// First event after `x` in its thread at a different location.
    fn first_sbl_after(&self, x: EventId) -> Option<EventId> {
        let evs = self.g.thread_events(x.thread);
        let lx = evs[x.index as usize].kind.loc();
        (x.index as usize + 1..evs.len())
            .find(|&i| lx.is_none() || evs[i].kind.loc() != lx)
            .map(|i| EventId::new(x.thread, i))
    }

    /// Last event before `y` in its thread at a different location.
    fn last_sbl_before(&self, y: EventId) -> Option<EventId> {
        let evs = self.g.thread_events(y.thread);
        let ly = evs[y.index as usize].kind.loc();
        (0..y.index as usize)
            .rev()
            .find(|&i| ly.is_none() || evs[i].kind.loc() != ly)
            .map(|i| EventId::new(y.thread, i))
    }
}

/// What `scb` and `eco` need to know of an event, gathered once per check.
struct Ev {
    e: EventId,
    loc: Option<crate::ids::LocId>,
    write: bool,
    /// `co` index of the write it is or reads from.
    pos: u32,
    /// First `po`-later event at another location.
    after: Option<EventId>,
    /// Last `po`-earlier event at another location.
    before: Option<EventId>,
}

impl Ev {
    fn of(g: &Graph, p: &Psc<'_>, e: EventId) -> Ev {
        Ev {
            e,
            loc: g.kind(e).loc(),
            write: g.kind(e).is_write(),
            pos: p.pos(e),
            after: p.first_sbl_after(e),
            before: p.last_sbl_before(e),
        }
    }

    fn same_loc(&self, y: &Ev) -> bool {
        self.loc.is_some() && self.loc == y.loc
    }

    /// `scb(x, y) = po ∪ po|≠loc ; hb ; po|≠loc ∪ hb|loc ∪ co ∪ rb`.
    fn scb(&self, y: &Ev, g: &Graph) -> bool {
        let x = self;
        x.e != y.e
            && ((x.e.thread == y.e.thread && x.e.index < y.e.index)
                || (x.same_loc(y) && ((y.write && x.pos < y.pos) || g.hb(x.e, y.e)))
                || match (x.after, y.before) {
                    (Some(u), Some(v)) => g.hb_le(u, v),
                    _ => false,
                })
    }

    /// `eco(x, y) = (rf ∪ co ∪ rb)+`.
    fn eco(&self, y: &Ev) -> bool {
        let x = self;
        x.e != y.e
            && x.same_loc(y)
            && match (x.write, y.write) {
                (true, false) => x.pos <= y.pos,
                _ => x.pos < y.pos,
            }
    }
}

/// Whether `psc` is acyclic (trivially so without SeqCst events).
///
/// `psc_base(a, b)` holds when some `x ∈ L(a)`, `y ∈ R(b)` are in `scb`,
/// with `L(a) = {a}` for an access and `{a} ∪ hb-successors` for a fence,
/// `R(b)` dually; `psc_F(a, b)`, for two fences, when `a hb b` or some
/// `hb`-successor of `a` is `eco`-before some `hb`-predecessor of `b`.
pub fn psc_acyclic(g: &Graph) -> bool {
    if g.sc_events() < 2 {
        return true;
    }
    let sc = sc_events(g);
    let p = Psc::new(g);
    let n = sc.len();
    let mut rel = Rel::new(n);
    let is_fence = |e: EventId| matches!(g.kind(e), EventKind::Fence(_));
    if g.sc_fences() == 0 {
        // only accesses: L(a) = {a}, R(b) = {b}
        let infos: Vec<Ev> = sc.iter().map(|&e| Ev::of(g, &p, e)).collect();
        for (i, x) in infos.iter().enumerate() {
            for (j, y) in infos.iter().enumerate() {
                if x.scb(y, g) {
                    rel.set(i, j);
                }
            }
        }
        return rel.acyclic();
    }
    // with fences: the events each SC event reaches on the left and the
    // right of scb
    let all: Vec<EventId> = g.events().map(|(e, _)| e).collect();
    let index = |e: EventId| all.iter().position(|&x| x == e).expect("event of g");
    let infos: Vec<Ev> = all.iter().map(|&e| Ev::of(g, &p, e)).collect();
    let side = |a: EventId, after: bool| {
        let mut v = vec![index(a)];
        if is_fence(a) {
            v.extend(
                all.iter()
                    .enumerate()
                    .filter(|&(_, &x)| if after { g.hb(a, x) } else { g.hb(x, a) })
                    .map(|(i, _)| i),
            );
        }
        v
    };
    let lefts: Vec<Vec<usize>> = sc.iter().map(|&a| side(a, true)).collect();
    let rights: Vec<Vec<usize>> = sc.iter().map(|&b| side(b, false)).collect();
    for i in 0..n {
        for j in 0..n {
            if i == j {
                continue;
            }
            let (ls, rs) = (&lefts[i], &rights[j]);
            let base = ls
                .iter()
                .any(|&x| rs.iter().any(|&y| infos[x].scb(&infos[y], g)));
            let fences = is_fence(sc[i])
                && is_fence(sc[j])
                && (g.hb(sc[i], sc[j])
                    || ls[1..]
                        .iter()
                        .any(|&x| rs[1..].iter().any(|&y| infos[x].eco(&infos[y]))));
            if base || fences {
                rel.set(i, j);
            }
        }
    }
    rel.acyclic()
}

/// The base relations of `g` and its happens-before, computed from their
/// definitions (no clocks): `hb = (sb ∪ sw)+`. Slow; the reference.
pub fn happens_before(g: &Graph) -> (Base, Rel) {
    let b = Base::of(g);
    let n = b.len();
    let is_atomic_w = |k: &EventKind| matches!(k, EventKind::Write(w) if w.ord.is_atomic());
    let is_atomic_r = |k: &EventKind| matches!(k, EventKind::Read(r) if r.ord.is_atomic());
    let is_rel = |k: &EventKind| match k {
        EventKind::Write(w) => w.ord.is_release(),
        EventKind::Fence(f) => f.is_release(),
        _ => false,
    };
    let is_acq = |k: &EventKind| match k {
        EventKind::Read(r) => r.ord.is_acquire(),
        EventKind::Fence(f) => f.is_acquire(),
        _ => false,
    };
    let is_fence = |k: &EventKind| matches!(k, EventKind::Fence(_));
    let po = &b.po;
    let f = b.id_of(is_fence);
    let id = Rel::new(n).refl();
    // rs = [W_atomic] ; (rf ; rmw)*
    let rs = b
        .id_of(is_atomic_w)
        .seq(&id.union(&b.rf.seq(&b.rmw).plus()));
    // sw = [REL] ; ([F] ; po)? ; rs ; rf ; [R_atomic] ; (po ; [F])? ; [ACQ]
    let sw = b
        .id_of(is_rel)
        .seq(&id.union(&f.seq(po)))
        .seq(&rs)
        .seq(&b.rf)
        .seq(&b.id_of(is_atomic_r))
        .seq(&id.union(&po.seq(&f)))
        .seq(&b.id_of(is_acq));
    let hb = b.sb.union(&sw).plus();
    (b, hb)
}

/// All RC11 axioms, from scratch, with relations computed by their
/// definitions (no clocks). Slow; the reference for the incremental checks.
pub fn check_full(g: &Graph) -> Result<(), &'static str> {
    let (b, hb) = happens_before(g);
    let po = &b.po;
    let eco = b.eco();
    if !hb.irreflexive() || !hb.seq(&eco).irreflexive() {
        return Err("coherence");
    }
    if !b.rmw.seq(&eco).irreflexive() {
        return Err("coherence-rmw");
    }
    if !b.rmw.intersect(&b.rb.seq(&b.co)).is_empty_rel() {
        return Err("atomicity");
    }
    // psc
    let not_loc = |r: &Rel| r.minus(&b.loc);
    let sbl = not_loc(po);
    let hbl = hb.intersect(&b.loc);
    let scb = po
        .union(&sbl.seq(&hb).seq(&sbl))
        .union(&hbl)
        .union(&b.co)
        .union(&b.rb);
    let sc = b.id_of(|k| k.is_sc());
    let fsc = b.id_of(|k| k.is_sc() && matches!(k, EventKind::Fence(_)));
    let hbq = hb.refl();
    let left = sc.union(&fsc.seq(&hbq));
    let right = sc.union(&hbq.seq(&fsc));
    let pscb = left.seq(&scb).seq(&right);
    let pscf = fsc.seq(&hb.union(&hb.seq(&eco).seq(&hb))).seq(&fsc);
    if !pscb.union(&pscf).acyclic() {
        return Err("sc");
    }
    if !b.sb.union(&b.rf).acyclic() {
        return Err("no-thin-air");
    }
    Ok(())
}
