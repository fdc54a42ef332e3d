//! The vector clocks of a graph's events: computed once, when an event is
//! added, from its `po`/`rf` predecessors, and read as the `hb`, `porf`
//! and release views the models and the explorer compare.

use super::{Graph, ACQ, HB, NCLOCKS, PORF, REL};
use crate::event::{EventKind, WriteKind};
use crate::ids::EventId;

/// Joins `src` into `dst` pointwise.
#[inline]
fn join(dst: &mut [u32], src: &[u32]) {
    for (d, s) in dst.iter_mut().zip(src) {
        if *s > *d {
            *d = *s;
        }
    }
}

impl Graph {
    fn clock(&self, e: EventId, which: usize) -> &[u32] {
        let s = self.stride;
        let base = (e.index as usize * NCLOCKS + which) * s;
        &self.threads[e.thread.index()].clocks[base..base + s]
    }

    /// Happens-before clock of `e` (entry `u`: how many events of thread `u`
    /// happen before or are `e`).
    pub fn hb_clock(&self, e: EventId) -> &[u32] {
        self.clock(e, HB)
    }

    /// `(po ∪ rf)+` clock of `e`.
    pub fn porf_clock(&self, e: EventId) -> &[u32] {
        self.clock(e, PORF)
    }

    /// Release view of write `e`: the events an acquire read of `e`
    /// synchronises with (all zero if none).
    pub fn rel_clock(&self, e: EventId) -> &[u32] {
        self.clock(e, REL)
    }

    /// `a` happens before `b` or is `b`.
    #[inline]
    pub fn hb_le(&self, a: EventId, b: EventId) -> bool {
        self.clock(b, HB)[a.thread.index()] > a.index
    }

    /// `a` happens strictly before `b`.
    #[inline]
    pub fn hb(&self, a: EventId, b: EventId) -> bool {
        a != b && self.hb_le(a, b)
    }

    /// `a` is in the `(po ∪ rf)*` prefix of `b`.
    #[inline]
    pub fn porf_le(&self, a: EventId, b: EventId) -> bool {
        self.clock(b, PORF)[a.thread.index()] > a.index
    }

    pub(super) fn grow_stride(&mut self, new: usize) {
        let old = self.stride;
        for th in &mut self.threads {
            let n = th.events.len() * NCLOCKS;
            let mut v = vec![0u32; n * new];
            for i in 0..n {
                v[i * new..i * new + old].copy_from_slice(&th.clocks[i * old..(i + 1) * old]);
            }
            th.clocks = v;
        }
        self.stride = new;
    }

    /// Computes the clocks of `e`, the last event of its thread, in place:
    /// its predecessor's, joined with what its kind brings in.
    pub(super) fn compute_clocks(&mut self, e: EventId) {
        let s = self.stride;
        let t = e.thread.index();
        let idx = e.index as usize;
        let kind = self.threads[t].events[idx].kind;
        let slot = idx * NCLOCKS * s;
        let th = &mut self.threads[t];
        debug_assert_eq!(th.clocks.len(), slot);
        if idx > 0 {
            th.clocks.extend_from_within(slot - NCLOCKS * s..slot);
            th.clocks[slot + REL * s..slot + (REL + 1) * s].fill(0);
        } else {
            th.clocks.resize(slot + NCLOCKS * s, 0);
        }
        let mut rel_fence = if idx > 0 { th.rel_fence[idx - 1] } else { 0 };
        match kind {
            EventKind::Start { parent, .. } => {
                self.join_clock(e, HB, parent, HB);
                self.join_clock(e, PORF, parent, PORF);
            }
            EventKind::Read(r) => {
                self.join_clock(e, PORF, r.rf, PORF);
                if r.ord.is_atomic() {
                    self.join_clock(e, ACQ, r.rf, REL);
                }
                if r.ord.is_acquire() {
                    self.join_clock(e, HB, r.rf, REL);
                }
            }
            EventKind::Join { child } => {
                let f = EventId::new(child, self.thread_len(child) - 1);
                self.join_clock(e, HB, f, HB);
                self.join_clock(e, PORF, f, PORF);
            }
            EventKind::Fence(f) => {
                if f.is_acquire() {
                    self.join_clock(e, HB, e, ACQ);
                }
                if f.is_release() {
                    rel_fence = idx as u32 + 1;
                }
            }
            _ => {}
        }
        let c = &mut self.threads[t].clocks;
        c[slot + HB * s + t] = idx as u32 + 1;
        c[slot + PORF * s + t] = idx as u32 + 1;
        if let EventKind::Write(w) = kind {
            if w.ord.is_release() {
                c.copy_within(slot + HB * s..slot + (HB + 1) * s, slot + REL * s);
            } else if w.ord.is_atomic() && w.kind != WriteKind::Alloc && rel_fence > 0 {
                let f = (rel_fence as usize - 1) * NCLOCKS * s;
                c.copy_within(f + HB * s..f + (HB + 1) * s, slot + REL * s);
            }
            if w.kind == WriteKind::Rmw {
                let r = EventId::new(e.thread, idx - 1);
                let rf = self.read(r).expect("rmw write without read").rf;
                self.join_clock(e, REL, rf, REL);
            }
        }
        self.threads[t].rel_fence.push(rel_fence);
    }

    /// Joins clock `sk` of `src` into clock `dk` of `dst` (whose clocks are
    /// being computed).
    fn join_clock(&mut self, dst: EventId, dk: usize, src: EventId, sk: usize) {
        let s = self.stride;
        let d0 = (dst.index as usize * NCLOCKS + dk) * s;
        let s0 = (src.index as usize * NCLOCKS + sk) * s;
        let (dt, st) = (dst.thread.index(), src.thread.index());
        if dt == st {
            let c = &mut self.threads[dt].clocks;
            for i in 0..s {
                c[d0 + i] = c[d0 + i].max(c[s0 + i]);
            }
            return;
        }
        let (d, src) = if dt < st {
            let (lo, hi) = self.threads.split_at_mut(st);
            (&mut lo[dt].clocks, &hi[0].clocks)
        } else {
            let (lo, hi) = self.threads.split_at_mut(dt);
            (&mut hi[0].clocks, &lo[st].clocks)
        };
        join(&mut d[d0..d0 + s], &src[s0..s0 + s]);
    }
}
