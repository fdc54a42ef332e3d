//! Coherence and atomicity, checked locally for the event that just changed.
//!
//! With `hb` any strict partial order containing `po` (RC11: `(po ∪ sw)+`;
//! SC: `(po ∪ rf)+`), coherence (`hb ; eco?` irreflexive) for a new read `r`
//! of `x` reading `w` means: every write to `x` that happens before `r` is
//! `co`-before-or-equal `w` (CoWR), and every read of `x` that happens before
//! `r` reads from a write `co`-before-or-equal `w` (CoRR). For a new write
//! `w`: every write to `x` that happens before it is `co`-before it (CoWW) and
//! every read of `x` that happens before it reads from a write `co`-before it
//! (CoRW). Nothing happens after the new event, so no other pattern can
//! appear. Atomicity (`rmw ∩ (fr ; co)` empty): an RMW reads from the write
//! right before its own write in `co`, and no write comes between.

use crate::graph::Graph;
use crate::ids::EventId;

/// Which order plays the part of happens-before.
#[derive(Clone, Copy, Debug)]
pub enum Order {
    Hb,
    Porf,
}

/// The clock of `b` for `ord`: `a` is before-or-equal `b` when
/// `clock[a.thread] > a.index` (fetched once per check, not per event).
fn clock(g: &Graph, ord: Order, b: EventId) -> &[u32] {
    match ord {
        Order::Hb => g.hb_clock(b),
        Order::Porf => g.porf_clock(b),
    }
}

/// `a` is before-or-equal the event whose clock is `c`.
#[inline]
fn le(c: &[u32], a: EventId) -> bool {
    c[a.thread.index()] > a.index
}

/// The lowest place in `co` a new access `e` (the last event of its thread,
/// a read or a write) may have as far as coherence with what happens before
/// it goes: the position, among the other writes, of the latest write that
/// happens before it or that a read happening before it reads. A read may
/// read no earlier write, a write goes after it. What `e` itself adds to
/// `hb` (an acquire read synchronising with the write it reads) only brings
/// in events that are `co`-before that write already, so this bound is the
/// same for every `rf` a read may get. `read_ok`/`write_ok` still decide for
/// each place at or above it.
pub fn floor(g: &Graph, ord: Order, e: EventId) -> usize {
    if e.index == 0 {
        return 0;
    }
    let prev = EventId::new(e.thread, e.index as usize - 1);
    let c = clock(g, ord, prev);
    let seen = |x: EventId| le(c, x);
    let loc = match g.kind(e) {
        crate::event::EventKind::Read(r) => r.loc,
        crate::event::EventKind::Write(w) => w.loc,
        _ => return 0,
    };
    let l = g.location(loc);
    // positions counted without `e` (a write is in `co` already)
    let own = g.write(e).map(|_| g.co_index(e));
    let pos = |x: EventId| {
        let i = g.co_index(x);
        i - usize::from(own.is_some_and(|o| o < i))
    };
    let mut lo = 0;
    if let Some(&w) = l.co.iter().rev().find(|&&w| w != e && seen(w)) {
        lo = pos(w);
    }
    for &r in &l.reads {
        if r != e && seen(r) {
            lo = lo.max(pos(g.read(r).unwrap().rf));
        }
    }
    lo
}

/// Coherence and atomicity for read `r` (see the module docs).
pub fn read_ok(g: &Graph, ord: Order, r: EventId) -> bool {
    let rd = *g.read(r).unwrap();
    let loc = g.location(rd.loc);
    let pos = |w: EventId| g.co_index(w);
    let pw = pos(rd.rf);
    let c = clock(g, ord, r);
    for &w in &loc.co[pw + 1..] {
        if w != r && le(c, w) {
            return false;
        }
    }
    for &r2 in &loc.reads {
        if r2 != r && le(c, r2) && pos(g.read(r2).unwrap().rf) > pw {
            return false;
        }
    }
    true
}

/// Coherence and atomicity for write `w` (see the module docs).
pub fn write_ok(g: &Graph, ord: Order, w: EventId) -> bool {
    let wr = *g.write(w).unwrap();
    let loc = g.location(wr.loc);
    let pos = |x: EventId| g.co_index(x);
    let pw = pos(w);
    // atomicity first: it rules out all places of an RMW's write but one
    if let Some(rr) = g.rmw_read_of(w) {
        let src = g.read(rr).unwrap().rf;
        if pw == 0 || loc.co[pw - 1] != src {
            return false;
        }
    }
    if let Some(&next) = loc.co.get(pw + 1) {
        if let Some(nr) = g.rmw_read_of(next) {
            // an RMW right after `w` must read from `w`
            if g.read(nr).unwrap().rf != w {
                return false;
            }
        }
    }
    // coherence
    let c = clock(g, ord, w);
    for &w2 in &loc.co[pw + 1..] {
        if le(c, w2) {
            return false;
        }
    }
    for &r2 in &loc.reads {
        if le(c, r2) && pos(g.read(r2).unwrap().rf) >= pw {
            return false;
        }
    }
    true
}
