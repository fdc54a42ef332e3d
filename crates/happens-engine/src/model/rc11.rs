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
//! The engine splits an RMW into a read and a write event of one location;
//! `po|≠loc` never steps from one half to the other, so the SC rule is the
//! same as over herd's single RMW events ([`super::rust`] has the argument,
//! for its stronger rule, where that needs care).
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
//! is rebuilt over the SeqCst events after each change that can close a
//! cycle ([`super::psc`], shared with `rust`, which differs only in the
//! middle term of `scb`).
//!
//! Data races: two conflicting accesses (same location, one a write) of
//! different threads, at least one non-atomic, not ordered by `hb`, are
//! undefined behaviour (C++20 [intro.races]/21). A location's `Alloc` is
//! the creating thread's write (see `race.rs`): in a litmus test it comes
//! before every thread, so it never races, as herd's `IW` in `rc11.cat`.
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
use super::psc::{self, ScRule};
use super::Model;
use crate::graph::Graph;
use crate::ids::EventId;
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

    fn co_floor(&self, g: &Graph, e: EventId) -> usize {
        coherence::floor(g, Order::Hb, e)
    }

    // coherence with what happens before `r` is its floor (an acquire read
    // brings in only events `co`-before the write it reads), and psc does
    // not see a read that is not SeqCst
    fn reads_freely(&self, g: &Graph, r: EventId) -> bool {
        psc::blind_to(g, r)
    }

    fn global_ok(&self, g: &Graph, changed: &[EventId]) -> bool {
        psc::global_ok(g, changed, ScRule::Rc11)
    }

    fn races_are_ub(&self) -> bool {
        true
    }

    fn check_full(&self, g: &Graph) -> Result<(), &'static str> {
        check_full(g)
    }
}

/// The base relations of `g` and its happens-before, computed from their
/// definitions (no clocks): `hb = (sb ∪ sw)+`, with `sw` as
/// [`crate::sw::every`] reads it off `rf` and `rmw`. Slow; the reference.
pub fn happens_before(g: &Graph) -> (Base, Rel) {
    let b = Base::of(g);
    // sw = [REL] ; ([F] ; po)? ; rs ; rf ; [R_atomic] ; (po ; [F])? ; [ACQ]
    let mut sw = Rel::new(b.len());
    for s in crate::sw::every(g) {
        sw.set(b.index(s.src), b.index(s.tgt));
    }
    let hb = b.sb.union(&sw).plus();
    (b, hb)
}

/// All RC11 axioms, from scratch, with relations computed by their
/// definitions (no clocks). Slow; the reference for the incremental checks.
pub fn check_full(g: &Graph) -> Result<(), &'static str> {
    check_axioms(g, ScRule::Rc11)
}

/// The axioms of the RC11 family (coherence, atomicity, SC with the given
/// rule, no thin air) from scratch: [`check_full`] for `rc11`, and for
/// `rust` with [`ScRule::Cxx20`].
pub fn check_axioms(g: &Graph, rule: ScRule) -> Result<(), &'static str> {
    check_axioms_with(g, rule, true)
}

/// [`check_axioms`], with the no-thin-air axiom only if `no_thin_air`
/// (`c++20` has none).
pub fn check_axioms_with(g: &Graph, rule: ScRule, no_thin_air: bool) -> Result<(), &'static str> {
    let (b, hb) = happens_before(g);
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
    if !psc::acyclic_full(&b, &hb, &eco, rule) {
        return Err("sc");
    }
    if no_thin_air && !b.sb.union(&b.rf).acyclic() {
        return Err("no-thin-air");
    }
    Ok(())
}
