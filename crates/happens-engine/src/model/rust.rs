//! Rust's memory model, the default: C++20's model as the standard writes
//! it, with RC11's no-thin-air axiom. Rust's atomics "follow the same rules
//! as C++20 atomics" (`std::sync::atomic`).
//!
//! Sources: C++20 (N4861) [intro.races] and [atomics.order], whose SC rules
//! come from P0668R5 ("Revising the C++ memory model", Boehm, Giroux and
//! Vafeiadis); Lahav, Vafeiadis, Kang, Hur and Dreyer, "Repairing Sequential
//! Consistency in C/C++11" (PLDI 2017), for the axioms; herd's `rust.cat`
//! (`shared/litmus/models/rust.cat`, the oracle of the `.rust.expected`
//! files), which is `rc11.cat` with the C++20 release sequence and the SC
//! rule below.
//!
//! An execution graph is consistent when:
//!
//! - **coherence**: `hb ; eco?` is irreflexive, where `hb = (po ∪ sw)+` and
//!   `eco = (rf ∪ co ∪ rb)+`, `rb = rf⁻¹ ; co \ id` (C++20 [intro.races]/14–18);
//! - **atomicity**: `rmw ∩ (rb ; co)` is empty: an RMW reads the write right
//!   before its own in `co` ([atomics.order]/10);
//! - **SC**: `psc = psc_base ∪ psc_F` is acyclic ([atomics.order]/4: a single
//!   total order `S` on the SeqCst operations and fences), with
//!   `scb = po ∪ sb' ; hb ; sb' ∪ hb|loc ∪ co ∪ rb`,
//!   `psc_base = ([E_sc] ∪ [F_sc] ; hb?) ; scb ; ([E_sc] ∪ hb? ; [F_sc])`,
//!   `psc_F = [F_sc] ; (hb ∪ hb ; eco ; hb) ; [F_sc]`, and `sb' = po \ rmw`
//!   (see below);
//! - **no thin air**: `po ∪ rf` is acyclic (RC11's; C++20 only recommends it,
//!   [atomics.order]/8, and every implementation provides it).
//!
//! Synchronisation is RC11's with the C++20 release sequence, as in
//! [`super::rc11`]: `sw = [E_rel] ; ([F] ; po)? ; rs ; rf ; [R_atomic] ; (po ; [F])? ; [E_acq]`,
//! `rs = [W_atomic] ; (rf ; rmw)*` ([intro.races]/5, P0982R1: only RMWs
//! continue a release sequence); thread spawn and join synchronise
//! ([thread.thread.constr]/7, [thread.thread.member]/5).
//!
//! ## The SC rule: strongly happens before
//!
//! [atomics.order]/4 requires `S` to order two SeqCst operations `A`, `D`
//! when `A` *strongly happens before* `D`, and [intro.races]/12.3 says that
//! it does when `A` is sequenced before `B`, `B` happens before `C` and `C`
//! is sequenced before `D` — with no condition on locations. That is the
//! middle term `sb ; hb ; sb` of `scb`. (12.1 is the `po` term, 12.2, `sw`
//! between SeqCst operations, lies in `hb|loc`, and 12.4, transitivity, in
//! the acyclicity of `psc`.) The RC11 paper asks less, `po|≠loc ; hb ;
//! po|≠loc` ([`super::rc11`]), which lets two adjacent SeqCst stores to one
//! location be merged. WWmerge shows the difference: with `W_sc(x,1) sb
//! W_sc(x,2) sw R_acq(x) sb R_sc(y)`, the first store strongly happens
//! before the last load, so `S` orders them, and a third thread's
//! `W_sc(y,1) sb R_sc(x)` cannot have both `R_sc(y)` and `R_sc(x)` read 0
//! (that closes `W(x,1) → R(y) → W(y,1) → R(x) → W(x,1)` in `S`). RC11
//! allows that outcome (corpus `pldi17/wwmerge.litmus`: 17 executions here,
//! 18 under `rc11`).
//! GenMC checks the same rule (kater's `rc11-genmc.kat`, `[SC];po;hb;po;[SC]`),
//! but over split RMWs, which the next section is about.
//!
//! ## An RMW is one evaluation
//!
//! In C++ an RMW (`fetch_add`, `swap`, a successful `compare_exchange`) is
//! one evaluation, and `rust.cat` keeps it as one event. The engine splits it
//! into a read `r` followed in `po` by a write `w` (`rmw(r, w)`); `r po w`
//! is no sequenced-before step of C++, so the middle term uses `sb' = po \
//! rmw`: the events after `x` in its thread, but `x`'s own write half.
//!
//! Why that gives `rust.cat`'s answers. Write `[e]` for the evaluation
//! (herd's event) engine event `e` belongs to, `[r] = [w]` for an RMW. In
//! every graph the explorer keeps:
//!
//! 1. between different evaluations, `po` is `sb`: `e po e'` iff `[e] sb [e']`;
//! 2. between different evaluations, `hb` is herd's `hb`; it leaves an RMW
//!    only from `w` and enters it only at `r`, because `sw` starts at a
//!    release write or fence, never a read, and ends at an acquire read or
//!    fence, never a write. So `r hb e` with `e ≠ w` implies `w hb e`, and
//!    `e hb w` with `e ≠ r` implies `e hb r`;
//! 3. `rf`, `co` and `rb` are herd's with `r` in the RMW's read role and `w`
//!    in its write role, and atomicity gives `r rb e ⇒ e = w ∨ w co e`;
//! 4. `r` and `w` are both SeqCst or neither.
//!
//! `x sb' b` iff `[x] sb [b]` (1; `sb'` never stays in one evaluation), so
//! `x (sb' ; hb ; sb') y` iff `[x] (sb ; hb ; sb) [y]` by 2 — when the `hb`
//! step is the RMW's own `r hb w`, both sides are just `sb`, in `scb`
//! anyway. Hence `scb` between different evaluations is herd's, and within
//! one it is only `(r, w)`. The two `psc` are then acyclic together:
//!
//! - a cycle of herd's `psc` is one of ours through the write halves: an
//!   `scb` edge into an RMW `m` reaches `w` (`co` and `rb` end there, and
//!   the others are `hb`-closed by 2), and every edge out of `m` leaves `w`
//!   (`m rb e` is `r rb e`, so `w co e` by 3); the fences' `hb?` legs carry
//!   over by 2;
//! - a cycle of ours maps edge by edge to herd's, except an edge `a → b`
//!   whose `scb` step is `(r, w)`. With `a = r`, `b = w` it collapses into
//!   `[r]`. With `a` a fence before `r` and `b` a fence after `w`, herd has
//!   `a hb b`, a `psc_F` edge. With `a = r` and `b` a fence: the edge into
//!   `r` on the cycle comes from some `z` with `z hb r` (into a read, `scb`
//!   has only `po`, `sb' ; hb ; sb'` and `hb|loc`), so `z → b` is an edge
//!   that avoids the step (`z scb r hb b`, or `z hb b` for a fence `z`).
//!   With `a` a fence and `b = w`: the edge out of `w` on the cycle is
//!   `w scb y hb? n`, and `a hb w` makes `a → n` an edge. Each replacement
//!   shortens the cycle, and cannot close it into a loop on one event
//!   without an `hb` or coherence cycle.
//!
//! With `po ; hb ; po` instead (GenMC), the step inside an RMW adds pairs
//! herd does not have: `a po b hb r po w` orders a SeqCst `a` before `w` when
//! something after `a` happens before the RMW — `a` happens before it, but
//! does not strongly happen before it. On Z6.U (corpus `pldi17/z6.u.litmus`:
//! `x=1 sc; y=1 rel` ‖ `fetch_add(y) sc; load(y) rlx` ‖ `y=3 sc; load(x) sc`)
//! that forbids the 2 of herd's 24 executions in which the `fetch_add`
//! reads the release store, `y=3` comes after it in `co` and the last load
//! reads `x = 0`.
//!
//! ## How it is checked, and what is not modelled
//!
//! As [`super::rc11`]: `hb` as vector clocks, coherence and atomicity
//! locally ([`super::coherence`]), no-thin-air by construction, `psc` over
//! the SeqCst events after each change that can close a cycle
//! ([`super::psc`] with [`ScRule::Cxx20`]); [`Model::check_full`] computes
//! every relation from its definition. Data races (conflicting accesses of
//! different threads, one non-atomic, unordered by `hb`) are undefined
//! behaviour ([intro.races]/21).
//!
//! Not modelled: load buffering and other out-of-thin-air behaviour, which
//! C++20 allows and the no-thin-air axiom forbids (that is the `c++20`
//! model's job); `memory_order_consume` (treat it as `Acquire`, as compilers
//! do; so "simply happens before" is `hb`); mixed-size and non-aligned
//! accesses; the progress guarantees of [intro.progress]. A weak
//! compare-exchange may fail spuriously, but not twice in a row on the same
//! write (`Graph::may_fail_spuriously`).

use super::coherence::{self, Order};
use super::psc::{self, ScRule};
use super::{rc11, Model};
use crate::graph::Graph;
use crate::ids::EventId;

/// Rust's (and C++20's) model with the no-thin-air axiom: RC11 with C++20
/// release sequences and C++20's SC rule.
#[derive(Clone, Copy, Debug, Default)]
pub struct Rust;

impl Model for Rust {
    fn name(&self) -> &'static str {
        "rust"
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
        psc::global_ok(g, changed, ScRule::Cxx20)
    }

    fn races_are_ub(&self) -> bool {
        true
    }

    fn check_full(&self, g: &Graph) -> Result<(), &'static str> {
        check_full(g)
    }
}

/// All the axioms, from scratch, with relations computed by their
/// definitions (no clocks). Slow; the reference for the incremental checks.
pub fn check_full(g: &Graph) -> Result<(), &'static str> {
    rc11::check_axioms(g, ScRule::Cxx20)
}
