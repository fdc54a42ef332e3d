//! The Arm side of the enumerator: a test's paths compiled by the standard
//! mapping (`shared/litmus/README.md`) into the events `model::arm` checks,
//! with their `rmw` pairs and dependencies.
//!
//! Each memory operation is one instruction (its own `po` index): `LDR` or
//! `LDAR` (A) for a load, `STR` or `STLR` (L) for a store, an LSE atomic for
//! an RMW (a read, A if it acquires, and a write, L if it releases, one
//! instruction, joined by `rmw`; a compare-exchange is A if its success or
//! failure ordering acquires, L if its success ordering releases), `DMB
//! ISHLD` for an acquire fence and `DMB ISH` for the others.
//!
//! Dependencies follow the registers, as the terms of [`super::symbolic`]
//! record them: a write's value (data), an array index (address) and a
//! branch condition (control: every later event), each computed from
//! reads. As in herd's `aarch64deps.cat`, they also go through memory: a
//! read that reads its own thread's latest earlier write to the location
//! (`lrs`) carries that write's dependencies. A compare-exchange is a
//! branch on its outcome (herd's C convention jumps to the write-back on
//! failure), so what follows it depends on its read and on the read of its
//! expected value. Terms are simplified as herd's are, so a dependency
//! herd's C front-end would cancel (`r ^ r`) is not one here either; the
//! mapped corpus uses only constants, registers and `r ± k`.

use happens_engine::relation::Rel;
use happens_engine::{CEvent, CKind, Candidate, FenceOrd, LoadOrd, StoreOrd};

use super::solve::Tref;
use super::symbolic::{PEvent, Path, Terms};
use super::Meta;

/// Appends thread `t`'s events (path `p`, whose first variable is `base`).
pub(crate) fn events(
    t: usize,
    p: &Path,
    base: usize,
    events: &mut Vec<CEvent>,
    meta: &mut Vec<Meta>,
) {
    let cas = |i: usize| p.cas.iter().find(|c| c.0 == i).map(|&(_, s, f)| (s, f));
    let read = |a: bool| {
        CKind::Read(if a {
            LoadOrd::Acquire
        } else {
            LoadOrd::Relaxed
        })
    };
    let write = |l: bool| {
        CKind::Write(if l {
            StoreOrd::Release
        } else {
            StoreOrd::Relaxed
        })
    };
    for (i, ev) in p.events.iter().enumerate() {
        let m = Meta {
            thread: Some(t),
            var: None,
            val: None,
            site: ev.site(),
            stmt: i as u32,
            pev: i,
        };
        let mut push = |kind: CKind, loc: Option<usize>, m: Meta| {
            events.push(CEvent {
                thread: Some(t as u32),
                kind,
                loc: loc.map(|l| l as u32),
            });
            meta.push(m);
        };
        match *ev {
            PEvent::Read { loc, ord, var, .. } => {
                let a = match cas(i) {
                    Some((s, f)) => s.load().is_acquire() || f.is_acquire(),
                    None => ord.is_acquire(),
                };
                let var = Some(base + var as usize);
                push(read(a), Some(loc), Meta { var, ..m });
            }
            PEvent::Write { loc, ord, val, .. } => {
                let val = Some(Tref::Term(t, val));
                push(write(ord.is_release()), Some(loc), Meta { val, ..m });
            }
            PEvent::Rmw {
                loc, ord, var, val, ..
            } => {
                let a = match cas(i) {
                    Some((s, f)) => s.load().is_acquire() || f.is_acquire(),
                    None => ord.load().is_acquire(),
                };
                let var = Some(base + var as usize);
                push(read(a), Some(loc), Meta { var, ..m });
                let val = Some(Tref::Term(t, val));
                push(
                    write(ord.store().is_release()),
                    Some(loc),
                    Meta { val, ..m },
                );
            }
            PEvent::Fence { ord, .. } => {
                // DMB ISHLD for an acquire fence, DMB ISH otherwise
                let f = if ord == FenceOrd::Acquire {
                    FenceOrd::Acquire
                } else {
                    FenceOrd::SeqCst
                };
                push(CKind::Fence(f), None, m);
            }
        }
    }
}

/// Fills `x.rmw`, `x.addr`, `x.data` and `x.ctrl` (`x.po` is set).
pub(crate) fn relations(x: &mut Candidate, meta: &[Meta], paths: &[&Path], terms: &[Terms]) {
    let n = x.len();
    let mut rmw = Rel::new(n);
    let mut addr = Rel::new(n);
    let mut data = Rel::new(n);
    let mut ctrl = Rel::new(n);
    for a in 0..n.saturating_sub(1) {
        let b = a + 1;
        if meta[a].thread.is_some()
            && meta[a].thread == meta[b].thread
            && meta[a].pev == meta[b].pev
            && x.events[a].is_read()
            && x.events[b].is_write()
        {
            rmw.set(a, b);
        }
    }
    for (t, p) in paths.iter().enumerate() {
        let evs: Vec<usize> = (0..n).filter(|&e| meta[e].thread == Some(t)).collect();
        // the read event of each of the path's variables
        let mut var_event = vec![usize::MAX; p.nreads as usize];
        let first_var = evs.iter().filter_map(|&e| meta[e].var).min().unwrap_or(0);
        for &e in &evs {
            if let Some(v) = meta[e].var {
                if let Some(slot) = var_event.get_mut(v - first_var) {
                    *slot = e;
                }
            }
        }
        // the reads each variable carries (itself, and through lrs the
        // dependencies of the write it reads locally)
        let mut carried: Vec<Vec<usize>> = vec![Vec::new(); p.nreads as usize];
        let reads_of = |term: u32, carried: &[Vec<usize>]| {
            let mut ks = Vec::new();
            terms[t].reads_of(term, &mut ks);
            let mut out: Vec<usize> = Vec::new();
            for k in ks {
                for &r in carried.get(k as usize).map_or(&[][..], |c| &c[..]) {
                    if !out.contains(&r) {
                        out.push(r);
                    }
                }
            }
            out
        };
        let addr_of = |i: usize| p.addrs.iter().filter(move |a| a.0 == i).map(|a| a.1);
        for (k, &e) in var_event.iter().enumerate() {
            if e == usize::MAX {
                continue;
            }
            let mut c = vec![e];
            // the latest po-earlier write of the thread to the location
            let lrs = evs
                .iter()
                .copied()
                .filter(|&w| {
                    x.po.get(w, e) && x.events[w].is_write() && x.events[w].loc == x.events[e].loc
                })
                .max();
            if let Some(w) = lrs {
                let mut via = Vec::new();
                if let Some(Tref::Term(_, v)) = meta[w].val {
                    via.extend(reads_of(v, &carried));
                }
                for a in addr_of(meta[w].pev) {
                    via.extend(reads_of(a, &carried));
                }
                for r in via {
                    if !c.contains(&r) {
                        c.push(r);
                    }
                }
            }
            carried[k] = c;
        }
        let same = |a: usize, b: usize| meta[a].pev == meta[b].pev;
        for &e in &evs {
            if let (true, Some(Tref::Term(_, v))) = (x.events[e].is_write(), meta[e].val) {
                for r in reads_of(v, &carried) {
                    if !same(r, e) {
                        data.set(r, e);
                    }
                }
            }
            for a in addr_of(meta[e].pev) {
                for r in reads_of(a, &carried) {
                    if !same(r, e) {
                        addr.set(r, e);
                    }
                }
            }
            for &(pos, c) in &p.branches {
                if meta[e].pev >= pos {
                    for r in reads_of(c, &carried) {
                        if !same(r, e) {
                            ctrl.set(r, e);
                        }
                    }
                }
            }
        }
    }
    x.rmw = rmw;
    x.addr = addr;
    x.data = data;
    x.ctrl = ctrl;
}
