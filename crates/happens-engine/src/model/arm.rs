//! ARMv8 (AArch64), the multi-copy-atomic axiomatic model of Pulte, Flur,
//! Deacon, French, Sarkar and Sewell, "Simplifying ARM Concurrency:
//! Multicopy-Atomic Axiomatic and Operational Models for ARMv8" (POPL 2018),
//! as herd's `aarch64.cat` (herdtools7 `herd/libdir/aarch64.cat`, with
//! `aarch64hwreqs.cat` and `aarch64deps.cat`) states it for explicit memory
//! accesses: the Arm ARM's B2.3.
//!
//! The events are those of the C/Rust test compiled by the standard mapping
//! (`shared/litmus/README.md`): a non-atomic or relaxed load is `LDR`, an
//! acquire or SeqCst load `LDAR` (tag **A**); a non-atomic or relaxed store
//! `STR`, a release or SeqCst store `STLR` (tag **L**); an RMW is an LSE
//! atomic (`LDADD`, `SWP`, `CAS` with `A`/`L` suffixes: a read, tagged A when
//! it acquires, and a write, tagged L when it releases, joined by `rmw`); an
//! acquire fence is `DMB ISHLD`, any other fence `DMB ISH`. The front-end
//! builds the [`Candidate`] that way (`CKind::Read(Acquire)` is an A read,
//! `CKind::Write(Release)` an L write, `CKind::Fence(Acquire)` `DMB ISHLD`)
//! with the address, data and control dependencies of the program
//! (`addr`, `data`, `ctrl`: read → dependent event).
//!
//! With `po-loc = po ∩ loc`, `ca = fr ∪ co`, `obs = rfe ∪ (ca ∩ ext)` and
//! `lrs = [W] ; po-loc ; [R]` with no write to the location in between:
//!
//! ```text
//! lwfs = [M] ; po-loc ; [W]
//! dob  = addr ∪ data ∪ ctrl ; [W] ∪ addr ; [M] ; po ; [W]
//!      ∪ addr ; [M] ; lrs ; [R] ∪ data ; [M] ; lrs ; [R]
//! aob  = rmw ∪ rmw ; lrs ; [A]
//! bob  = [M] ; po ; [DMB ISH] ; po ; [M] ∪ [R] ; po ; [DMB ISHLD] ; po ; [M]
//!      ∪ [range([A] ; rmw ; [L])] ; po ; [M] ∪ [L] ; po ; [A]
//!      ∪ [A] ; po ; [M] ∪ [M] ; po ; [L]
//! lob  = (lwfs ∪ dob ∪ aob ∪ bob)+
//! haz  = [R] ; po-loc ; [R] ; (ca ∩ ext) ; [W]
//! ob   = (lob ∪ haz ∪ obs)+
//! ```
//!
//! an execution is allowed when `ob` is irreflexive (**external**), and the
//! internal visibility axioms hold: no read reads from a `po`-later write of
//! its own location or its own RMW's write (**coRW1**), no write is `co`-
//! before a `po`-earlier write of its thread (**coWW**), no read reads a
//! write `co`-before a `po`-earlier write of its thread to its location
//! (**coWR**); and **atomic**: `rmw ∩ (fr ; co)` is empty.
//!
//! What is left out of herd's file, because no mapped program has it: the
//! system features (TLB maintenance, instruction fetch and cache
//! maintenance, memory tagging, page-table walks, `DSB`, `ISB`, exception
//! entry), exclusives (`LDXR`/`STXR`), `LDAPR` (tag Q), mixed-size
//! accesses, `DMB ISHST` (no mapping uses it), the `NoRet` forms of LSE
//! atomics, and "pick" dependencies (through `CSEL` or a CAS's comparison:
//! in the mapped tests they only order the read of a compare-exchange's
//! private `expected` location, which no other thread writes). A failing
//! `CAS` is a read only (herd also lets it write back the value it read,
//! which changes the count of executions, never a final state). A weak
//! compare-exchange maps to the same `CAS` as a strong one, which fails only
//! when the values differ: no spurious failure (the front-end makes its
//! paths so).
//!
//! How it is checked: on whole [`Candidate`]s enumerated by the litmus
//! front-end ([`check`]); litmus tests only. As a [`Model`] over the
//! explorer's graphs, which have no dependencies, it accepts nothing: the
//! library refuses it, and an exploration under it finds no execution
//! rather than wrong ones.

use super::Model;
use crate::candidate::{CEvent, CKind, Candidate};
use crate::graph::Graph;
use crate::ids::EventId;
use crate::order::{FenceOrd, LoadOrd, StoreOrd};
use crate::relation::Rel;

/// ARMv8 after the standard mapping.
#[derive(Clone, Copy, Debug, Default)]
pub struct Arm;

impl Model for Arm {
    fn name(&self) -> &'static str {
        "arm"
    }
    fn read_ok(&self, _: &Graph, _: EventId) -> bool {
        false
    }
    fn write_ok(&self, _: &Graph, _: EventId) -> bool {
        false
    }
    fn global_ok(&self, _: &Graph, _: &[EventId]) -> bool {
        false
    }
    fn races_are_ub(&self) -> bool {
        false
    }
    fn check_full(&self, _: &Graph) -> Result<(), &'static str> {
        Err("arm: checked on candidate executions with dependencies, not on graphs")
    }
}

/// An `LDAR` or the read of an RMW with an `A` suffix.
fn is_a(e: &CEvent) -> bool {
    matches!(e.kind, CKind::Read(LoadOrd::Acquire | LoadOrd::SeqCst))
}

/// An `STLR` or the write of an RMW with an `L` suffix.
fn is_l(e: &CEvent) -> bool {
    matches!(e.kind, CKind::Write(StoreOrd::Release | StoreOrd::SeqCst))
}

fn is_mem(e: &CEvent) -> bool {
    e.loc.is_some()
}

/// Whether `x` is allowed by ARMv8; the name of a violated axiom if not.
pub fn check(x: &Candidate) -> Result<(), &'static str> {
    let n = x.len();
    let po = &x.po;
    let loc = x.loc();
    let ext = x.ext();
    let po_loc = po.intersect(&loc);
    let r = x.id_of(CEvent::is_read);
    let w = x.id_of(CEvent::is_write);
    let m = x.id_of(is_mem);
    let int = Rel::new(n)
        .refl()
        .union(&x.pairs(|a, b| a.thread.is_some() && a.thread == b.thread));
    let fr = x.rb();
    let ca = fr.union(&x.co);
    let rfi = x.rf.intersect(&int);
    let ca_int = ca.intersect(&int);
    let ca_ext = ca.intersect(&ext);
    // internal visibility
    let corw1 = r.seq(&po_loc.union(&x.rmw)).seq(&w).seq(&rfi).seq(&r);
    if !corw1.irreflexive() {
        return Err("coRW1");
    }
    if !w.seq(&po_loc).seq(&w).seq(&ca_int).seq(&w).irreflexive() {
        return Err("coWW");
    }
    if !w.seq(&po_loc).seq(&r).seq(&ca_int).seq(&w).irreflexive() {
        return Err("coWR");
    }
    if !x.rmw.intersect(&fr.seq(&x.co)).is_empty_rel() {
        return Err("atomic");
    }
    // lrs: a write, then a read of its location with no write in between
    let mut lrs = Rel::new(n);
    for a in 0..n {
        if !x.events[a].is_write() {
            continue;
        }
        for b in 0..n {
            if po_loc.get(a, b)
                && x.events[b].is_read()
                && !(0..n).any(|c| x.events[c].is_write() && po_loc.get(a, c) && po_loc.get(c, b))
            {
                lrs.set(a, b);
            }
        }
    }
    let lwfs = m.seq(&po_loc).seq(&w);
    let dob = x
        .addr
        .union(&x.data)
        .union(&x.ctrl.seq(&w))
        .union(&x.addr.seq(&m).seq(po).seq(&w))
        .union(&x.addr.seq(&m).seq(&lrs).seq(&r))
        .union(&x.data.seq(&m).seq(&lrs).seq(&r));
    let a = x.id_of(is_a);
    let l = x.id_of(is_l);
    let aob = x.rmw.union(&x.rmw.seq(&lrs).seq(&a));
    let full = x.id_of(|e| matches!(e.kind, CKind::Fence(f) if f != FenceOrd::Acquire));
    let ld = x.id_of(|e| matches!(e.kind, CKind::Fence(FenceOrd::Acquire)));
    // the write of an RMW whose read is A and whose write is L
    let mut al = Rel::new(n);
    for b in 0..n {
        if is_l(&x.events[b]) && (0..n).any(|c| x.rmw.get(c, b) && is_a(&x.events[c])) {
            al.set(b, b);
        }
    }
    let bob = m
        .seq(po)
        .seq(&full)
        .seq(po)
        .seq(&m)
        .union(&r.seq(po).seq(&ld).seq(po).seq(&m))
        .union(&al.seq(po).seq(&m))
        .union(&l.seq(po).seq(&a))
        .union(&a.seq(po).seq(&m))
        .union(&m.seq(po).seq(&l));
    let lob = lwfs.union(&dob).union(&aob).union(&bob);
    let haz = r.seq(&po_loc).seq(&r).seq(&ca_ext).seq(&w);
    let obs = x.rf.intersect(&ext).union(&ca_ext);
    let ob = lob.union(&haz).union(&obs);
    if !ob.acyclic() {
        return Err("external");
    }
    Ok(())
}
