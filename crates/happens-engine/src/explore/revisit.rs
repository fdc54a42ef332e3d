//! TruSt's backward-revisit condition: which events a revisit deletes, and
//! whether they were all added *maximally* (the condition that makes every
//! graph reachable along exactly one path).

use super::Alt;
use crate::event::{EventKind, ReadAccess};
use crate::graph::Graph;
use crate::ids::{EventId, Stamp, ThreadId};

/// Offers the backward revisits of the new write `e` (stamp `stamp`): every
/// read of its location that is not in its `porf`-prefix, latest first. A
/// wait for a value is never revisited (it reads the first write it
/// accepts); a taking step is offered any write (one it does not accept
/// makes it fail: another thread took the lock first), but a failed take
/// stays failed (its thread tries again), and a read repeating a waiting
/// loop's read is never revisited.
pub(super) fn offer_revisits(g: &Graph, e: EventId, stamp: Stamp, work: &mut Vec<Alt>) {
    let own_read = g.rmw_read_of(e);
    let loc = g.write(e).expect("a write").loc;
    for &r in g.location(loc).reads.iter().rev() {
        let rd = g.read(r).unwrap();
        let offered = match (rd.until, rd.access) {
            // a read that went on from a waiting loop reads another value
            // than its rounds read, from whichever thread
            (Some(u), ReadAccess::Load) if rd.moved => u.accepts(g.write(e).expect("a write").val),
            (Some(_), ReadAccess::Load) => false,
            _ => !rd.repeat && !rd.is_failed_take(),
        };
        if Some(r) != own_read && !g.porf_le(r, e) && offered {
            work.push(Alt::Revisit {
                stamp,
                read: r,
                write: e,
            });
        }
    }
}

/// Whether `write` may revisit `read` in `g` (the graph at the time `write`
/// was added), and if so how many events of each thread the revisit keeps:
/// those added before `read`, and the `po ∪ rf` prefix of `write`. Every
/// deleted event, and `read`, must have been added maximally, and every kept
/// read must keep the write it reads from.
pub(super) fn revisit_keep(g: &Graph, read: EventId, write: EventId) -> Option<Vec<usize>> {
    let rstamp = g.stamp(read);
    let nt = g.num_threads();
    let porf_w = g.porf_clock(write);
    let mut keep = vec![0usize; nt];
    for (t, k) in keep.iter_mut().enumerate() {
        let evs = g.thread_events(ThreadId::from_index(t));
        let by_stamp = evs.iter().take_while(|e| e.stamp <= rstamp).count();
        *k = by_stamp.max(porf_w.get(t).copied().unwrap_or(0) as usize);
    }
    if !is_maximal(g, read, write) {
        return None;
    }
    for (t, &k) in keep.iter().enumerate() {
        let tid = ThreadId::from_index(t);
        for i in k..g.thread_len(tid) {
            if !is_maximal(g, EventId::new(tid, i), write) {
                return None;
            }
        }
    }
    let kept = |e: EventId| (e.index as usize) < keep[e.thread.index()];
    for (t, &k) in keep.iter().enumerate() {
        for ev in &g.thread_events(ThreadId::from_index(t))[..k] {
            if let EventKind::Read(r) = ev.kind {
                if !kept(r.rf) {
                    return None;
                }
            }
        }
    }
    Some(keep)
}

/// TruSt's maximality condition for event `e` when `w` revisits: with
/// `B = {e} ∪ {events added before e} ∪ (porf-prefix of w, without w)`,
/// a read must read from the `co`-latest write to its location in `B` (and
/// not fail spuriously), a write must be `co`-latest in `B`.
fn is_maximal(g: &Graph, e: EventId, w: EventId) -> bool {
    let se = g.stamp(e);
    let porf_w = g.porf_clock(w);
    let in_b = |x: EventId| {
        x == e
            || g.stamp(x) < se
            || (x != w && porf_w.get(x.thread.index()).copied().unwrap_or(0) > x.index)
    };
    let (loc, from) = match g.kind(e) {
        EventKind::Read(r) => {
            if r.spurious || !in_b(r.rf) {
                return false;
            }
            if r.is_failed_take() {
                // a failed take (another thread took the lock first, and
                // this one tries again) is maximal when the write it read
                // is kept: its next try is an event of its own, checked on
                // its own
                return true;
            }
            if let (Some(until), ReadAccess::Load, true) = (r.until, r.access, r.moved) {
                // a read that went on reads the latest write it accepts
                let co = g.co(r.loc);
                let p = g.co_index(r.rf);
                return co[p + 1..]
                    .iter()
                    .all(|&x| !in_b(x) || !until.accepts(g.write(x).unwrap().val));
            }
            if let (Some(until), ReadAccess::Load) = (r.until, r.access) {
                // a wait for a value reads the first write it accepts and
                // may read (coherence with what happens before it)
                let first = g.co(r.loc).iter().copied().find(|&x| {
                    in_b(x) && until.accepts(g.write(x).unwrap().val) && g.coherent_for(x, e)
                });
                return first == Some(r.rf);
            }
            (r.loc, r.rf)
        }
        EventKind::Write(wr) => (wr.loc, e),
        _ => return true,
    };
    let co = g.co(loc);
    let p = g.co_index(from);
    co[p + 1..].iter().all(|&x| !in_b(x))
}
