//! C++20's memory model as the standard writes it: [`super::rust`] without
//! the no-thin-air axiom, so load buffering (`po ∪ rf` cycles) is allowed.
//!
//! Sources: C++20 (N4861) [intro.races] and [atomics.order]. [atomics.order]/8
//! only *recommends* that "implementations should ensure that no
//! out-of-thin-air values are computed that circularly depend on their own
//! computation", so a relaxed `LB` (`r0 = r1 = 1`) is a consistent execution.
//! herd's `cxx20.cat` (`shared/litmus/models/cxx20.cat`, the oracle of the
//! `.cxx20.expected` files) is `rust.cat` minus `acyclic (sb | rf)`.
//!
//! A candidate execution (events, `po`, `rf`, `co`; an RMW is one event) is
//! consistent when, with `rb = rf⁻¹ ; co \ id`, `eco = (rf ∪ co ∪ rb)+`,
//! `rs = [W_atomic] ; (rf ; [RMW])*` (the C++20 release sequence, P0982),
//! `sw = [REL] ; ([F] ; po)? ; rs ; rf ; [R_atomic] ; (po ; [F])? ; [ACQ]` and
//! `hb = (po ∪ sw)+`:
//!
//! - **coherence**: `hb ; eco?` is irreflexive ([intro.races]/14–18);
//! - **RMW coherence**: no RMW is on an `eco` cycle;
//! - **atomicity**: no RMW `e` with `e rb w co e` ([atomics.order]/10);
//! - **SC**: `psc = psc_base ∪ psc_F` is acyclic, with
//!   `scb = po ∪ po ; hb ; po ∪ hb|loc ∪ co ∪ rb` (C++20's strongly happens
//!   before, [intro.races]/12.3, see [`super::rust`]),
//!   `psc_base = ([E_sc] ∪ [F_sc] ; hb?) ; scb ; ([E_sc] ∪ hb? ; [F_sc])`,
//!   `psc_F = [F_sc] ; (hb ∪ hb ; eco ; hb) ; [F_sc]`.
//!
//! Data races: conflicting accesses of different threads, not both atomic,
//! unordered by `hb` (initial writes never race) are undefined behaviour
//! ([intro.races]/21); racy executions are still consistent executions (herd
//! counts them and flags the test `Undef`).
//!
//! A weak compare-exchange may fail spuriously ([atomics.types.operations]):
//! its failure is a read of the failure ordering whatever value it reads, as
//! in herd's C semantics. That is the front-end's doing (it makes
//! the paths). The front-end's `po` is herd's C `po`, which also orders
//! the events of one statement by its causality (`iico`): a failure's
//! write-back of the value read into the expected location comes after
//! the compare-exchange's reads, so they cannot read it (coherence).
//!
//! Out-of-thin-air values: in an execution whose `rf` closes a cycle of
//! copies (a read whose value is stored, read elsewhere, and stored back), no
//! write determines the value: C++20 allows any. Such an execution is
//! consistent here; the front-end reports its values as symbols, as herd does
//! (`0:r0=S8`), never as an invented number ([`crate::candidate`]).
//!
//! How it is checked. The explorer cannot build `po ∪ rf` cycles (its
//! clocks need every read's write first), so `c++20` is checked on whole
//! [`Candidate`]s enumerated by the litmus front-end ([`check`], [`races`]):
//! litmus tests only. As a [`Model`] over the explorer's graphs it is
//! [`super::Rust`]: on a `po ∪ rf`-acyclic graph the two models agree, so
//! an exploration under it is sound but misses every load-buffering
//! execution; the library refuses it for that reason.
//!
//! Not modelled: `memory_order_consume` (as `Acquire`); mixed-size accesses;
//! locks (herd's C `lock` has no mutual exclusion under this model either);
//! progress ([intro.progress]).

use super::psc::ScRule;
use super::Model;
use crate::candidate::{CEvent, Candidate};
use crate::graph::Graph;
use crate::ids::EventId;
use crate::relation::Rel;

/// C++20's model: `rust` without the no-thin-air axiom.
#[derive(Clone, Copy, Debug, Default)]
pub struct Cxx20;

impl Model for Cxx20 {
    fn name(&self) -> &'static str {
        "c++20"
    }
    fn read_ok(&self, g: &Graph, r: EventId) -> bool {
        super::Rust.read_ok(g, r)
    }
    fn write_ok(&self, g: &Graph, w: EventId) -> bool {
        super::Rust.write_ok(g, w)
    }
    fn global_ok(&self, g: &Graph, changed: &[EventId]) -> bool {
        super::Rust.global_ok(g, changed)
    }
    fn races_are_ub(&self) -> bool {
        true
    }
    fn check_full(&self, g: &Graph) -> Result<(), &'static str> {
        super::rc11::check_axioms_with(g, ScRule::Cxx20, false)
    }
}

/// `hb = (po ∪ sw)+` of a candidate, with the C++20 release sequence.
pub fn happens_before(x: &Candidate) -> Rel {
    let n = x.len();
    let id = Rel::new(n).refl();
    let po = &x.po;
    let f = x.id_of(CEvent::is_fence);
    let rmw = x.id_of(CEvent::is_rmw);
    // rs = [W_atomic] ; (rf ; [RMW])*
    let rs = x
        .id_of(|e| e.is_write() && e.is_atomic())
        .seq(&id.union(&x.rf.seq(&rmw).plus()));
    let sw = x
        .id_of(CEvent::is_release)
        .seq(&id.union(&f.seq(po)))
        .seq(&rs)
        .seq(&x.rf)
        .seq(&x.id_of(|e| e.is_read() && e.is_atomic()))
        .seq(&id.union(&po.seq(&f)))
        .seq(&x.id_of(CEvent::is_acquire));
    po.union(&sw).plus()
}

/// Whether `x` is consistent under C++20; the name of a violated axiom if not.
pub fn check(x: &Candidate) -> Result<(), &'static str> {
    let hb = happens_before(x);
    check_with(x, &hb)
}

/// [`check`] with `x`'s happens-before already computed.
pub fn check_with(x: &Candidate, hb: &Rel) -> Result<(), &'static str> {
    let rb = x.rb();
    let eco = x.rf.union(&x.co).union(&rb).plus();
    if !hb.irreflexive() || !hb.seq(&eco).irreflexive() {
        return Err("coherence");
    }
    let rmw: Vec<usize> = (0..x.len()).filter(|&e| x.events[e].is_rmw()).collect();
    if rmw.iter().any(|&e| eco.get(e, e)) {
        return Err("coherence-rmw");
    }
    let rb_co = rb.seq(&x.co);
    if rmw.iter().any(|&e| rb_co.get(e, e)) {
        return Err("atomicity");
    }
    if x.events.iter().any(CEvent::is_sc) && !psc_acyclic(x, hb, &eco, &rb) {
        return Err("sc");
    }
    Ok(())
}

/// The SC axiom with C++20's `scb` (`po ; hb ; po`: an RMW has no internal
/// `po` step here, being one event).
fn psc_acyclic(x: &Candidate, hb: &Rel, eco: &Rel, rb: &Rel) -> bool {
    let po = &x.po;
    let hbl = hb.intersect(&x.loc());
    let scb = po
        .union(&po.seq(hb).seq(po))
        .union(&hbl)
        .union(&x.co)
        .union(rb);
    let sc = x.id_of(CEvent::is_sc);
    let fsc = x.id_of(|e| e.is_sc() && e.is_fence());
    let hbq = hb.refl();
    let left = sc.union(&fsc.seq(&hbq));
    let right = sc.union(&hbq.seq(&fsc));
    let pscb = left.seq(&scb).seq(&right);
    let pscf = fsc.seq(&hb.union(&hb.seq(eco).seq(hb))).seq(&fsc);
    pscb.union(&pscf).acyclic()
}

/// The data races of `x`: pairs of conflicting accesses (same location, one
/// a write, no initial write) of different threads, not both atomic,
/// unordered by `hb`.
pub fn races(x: &Candidate, hb: &Rel) -> Vec<(usize, usize)> {
    let n = x.len();
    let mut out = Vec::new();
    for a in 0..n {
        let ea = &x.events[a];
        if ea.loc.is_none() || ea.thread.is_none() {
            continue;
        }
        for b in a + 1..n {
            let eb = &x.events[b];
            if eb.loc != ea.loc || eb.thread.is_none() || eb.thread == ea.thread {
                continue;
            }
            if !(ea.is_write() || eb.is_write()) || (ea.is_atomic() && eb.is_atomic()) {
                continue;
            }
            if !hb.get(a, b) && !hb.get(b, a) {
                out.push((a, b));
            }
        }
    }
    out
}
