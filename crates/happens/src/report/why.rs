//! The why-chain of a failure, in memory-model words naming source lines:
//! why two racing accesses are not ordered by happens-before (the read that
//! took a value from the other thread without synchronising), and why a
//! failed assertion saw the values it saw (the reads that saw old values;
//! the cycle that shows no interleaving gives them and which of its
//! accesses are not SeqCst; or, when an interleaving does, the part of the
//! SC order that gives them).

use happens_engine::{EventId, EventKind, Graph, ReadAccess, RmwOrd, ThreadId, WriteKind};

use super::names::{self, Values};
use crate::rt::State;

/// An access in words: "thread 1's write of `data` (x.rs:7) (main.rs:11)".
fn access_words(g: &Graph, st: &State, e: EventId) -> String {
    let k = g.kind(e);
    let what = match k {
        EventKind::Write(w) if w.kind == WriteKind::Alloc => "creation",
        EventKind::Write(_) => "write",
        _ => "read",
    };
    let loc = k
        .loc()
        .map(|l| names::object_short(st, l))
        .unwrap_or_default();
    format!(
        "{}'s {what} of {loc} at {}",
        names::who(e.thread.index()),
        names::line(g, e)
    )
}

/// Explains, as a chain in memory-model words, why `a` does not happen
/// before `b`: the read in `b`'s thread, before `b`, of a write that `a`'s
/// thread made after `a`, and why that read-from does not synchronise; or,
/// when there is none, that nothing orders them.
pub(crate) fn why_no_hb(g: &Graph, st: &State, a: EventId, b: EventId) -> String {
    let (ta, tb) = (a.thread.index(), b.thread.index());
    let vals = Values::new(g, st);
    let who = names::who;
    for (i, ev) in g.thread_events(b.thread)[..b.index as usize]
        .iter()
        .enumerate()
        .rev()
    {
        let EventKind::Read(r) = ev.kind else {
            continue;
        };
        if r.rf.thread != a.thread || r.rf.index <= a.index {
            continue;
        }
        let w = g.write(r.rf).unwrap();
        let rd = EventId::new(b.thread, i);
        let reason = if !r.ord.is_acquire() && !w.ord.is_release() {
            format!(
                "neither a {} store releases nor a {} load acquires",
                w.ord.name(),
                r.ord.name()
            )
        } else if !r.ord.is_acquire() {
            format!("a {} load acquires nothing", r.ord.name())
        } else {
            format!("a {} store releases nothing", w.ord.name())
        };
        return format!(
            "{} read {} = {} ({}) from {}'s {} store ({}); {reason}, so {} does not \
             happen before {}",
            who(tb),
            names::object_short(st, r.loc),
            vals.show(r.loc, r.val),
            names::line(g, rd),
            who(ta),
            w.ord.name(),
            names::line(g, r.rf),
            access_words(g, st, a),
            access_words(g, st, b),
        );
    }
    format!(
        "no release/acquire pair, fence, spawn or join orders {} before {}: \
         {} read nothing {} wrote after it",
        access_words(g, st, a),
        access_words(g, st, b),
        who(tb),
        who(ta)
    )
}

/// Why the failing thread saw the values it saw. Each read that saw an
/// old value ([`super::focus::stale_reads`]: the failing thread's, or when
/// its values were the latest, the other threads') and why the newer write
/// does not happen before it (coherence lets a read take an older value
/// unless a newer one happens before it); then, when no single order of
/// the accesses gives the values read, that cycle and which of its
/// accesses are not SeqCst (only SeqCst accesses must fit one total order,
/// the SC order).
pub(crate) fn why_values(g: &Graph, st: &State, thread: usize) -> Vec<String> {
    let vals = Values::new(g, st);
    let who = names::who;
    let t = ThreadId::from_index(thread);
    let stale = super::focus::stale_reads(g, st, thread);
    let mut out = Vec::new();
    let from = |w: EventId| {
        if super::focus::is_alloc(g, w) {
            format!("its creation ({})", names::line(g, w))
        } else {
            format!("{}'s write ({})", who(w.thread.index()), names::line(g, w))
        }
    };
    if !stale.is_empty() && stale.iter().all(|r| r.thread != t) {
        // the failing thread read the latest values: say so
        for r in super::focus::last_reads(g, st, t) {
            let rd = g.read(r).expect("a read");
            let only = if g.co(rd.loc).len() == 1 {
                ", the only value it ever had"
            } else {
                ", the latest value"
            };
            out.push(format!(
                "{} read {} = {} ({}) from {}{only}",
                who(thread),
                names::object_short(st, rd.loc),
                vals.show(rd.loc, rd.val),
                names::line(g, r),
                from(rd.rf)
            ));
        }
    }
    for &rd in &stale {
        let r = g.read(rd).expect("a read");
        let Some(newer) = super::focus::missed_write(g, rd) else {
            continue;
        };
        let nv = g.write(newer).map_or(0, |w| w.val);
        out.push(format!(
            "{} read {} = {} ({}) from {}, not {} written by {} ({}): {}",
            who(rd.thread.index()),
            names::object_short(st, r.loc),
            vals.show(r.loc, r.val),
            names::line(g, rd),
            from(r.rf),
            vals.show(r.loc, nv),
            who(newer.thread.index()),
            names::line(g, newer),
            why_no_hb(g, st, newer, rd)
        ));
    }
    // the SC order matters when the failing values were the latest (the
    // old values were seen elsewhere) or when SeqCst accesses are involved
    let indirect = stale.iter().all(|r| r.thread != t);
    if let Some(cycle) = stale.iter().find_map(|&r| super::focus::sc_cycle(g, r)) {
        if indirect || g.sc_events() > 0 {
            out.extend(cycle_words(g, &cycle));
        }
    } else if !stale.is_empty() {
        out.extend(sc_order_words(g, st, thread));
    }
    out
}

/// When an interleaving gives the values read: the part of the SC order
/// (the one total order of the SeqCst accesses) that matters, the SeqCst
/// accesses that explain the failure in an order that gives them their
/// values. Nothing when fewer than two of them are SeqCst.
fn sc_order_words(g: &Graph, st: &State, thread: usize) -> Option<String> {
    let vals = Values::new(g, st);
    let focus = super::focus::values_focus(g, st, thread);
    let order = super::focus::interleaving(g)?;
    let sc: Vec<EventId> = order
        .into_iter()
        .filter(|e| focus.contains(e) && g.rmw_read_of(*e).is_none())
        .filter(|&e| ordering(g, e).is_some_and(|(_, sc)| sc))
        .collect();
    if sc.len() < 2 {
        return None;
    }
    let words: Vec<String> = sc
        .iter()
        .map(|&e| {
            let v = match *g.kind(e) {
                EventKind::Read(r) => format!(" = {}", vals.show(r.loc, r.val)),
                EventKind::Write(w) => format!(" of {}", vals.show(w.loc, w.val)),
                _ => String::new(),
            };
            format!(
                "{}'s {} ({}){v}",
                names::who(e.thread.index()),
                verb(g, e),
                names::line(g, e)
            )
        })
        .collect();
    let others = focus
        .iter()
        .any(|&e| ordering(g, e).is_some_and(|(_, sc)| !sc));
    Some(format!(
        "SeqCst does not rule this out: the SeqCst accesses fit one total order (the SC order) \
         that gives these values: {}{}",
        words.join(", then "),
        if others {
            " (the accesses that are not SeqCst are not in it)"
        } else {
            ""
        }
    ))
}

/// The verb of an access in a why-chain: `load`, `store`, `read`,
/// `write`, `creation`, or the read-modify-write's name.
fn verb(g: &Graph, e: EventId) -> &'static str {
    let e = g.rmw_read_of(e).unwrap_or(e);
    match g.kind(e) {
        EventKind::Read(r) => match r.access {
            ReadAccess::Load if r.ord.is_atomic() => "load",
            ReadAccess::Load => "read",
            ReadAccess::Rmw { op, .. } => op.name(),
            ReadAccess::Cas { weak: true, .. } => "compare_exchange_weak",
            ReadAccess::Cas { .. } => "compare_exchange",
        },
        EventKind::Write(w) => match w.kind {
            WriteKind::Alloc => "creation",
            _ if w.ord.is_atomic() => "store",
            _ => "write",
        },
        _ => "event",
    }
}

/// The ordering of an access, and whether it is SeqCst; `None` for a
/// creation (it is initialisation, never SeqCst).
fn ordering(g: &Graph, e: EventId) -> Option<(&'static str, bool)> {
    let e = g.rmw_read_of(e).unwrap_or(e);
    match g.kind(e) {
        EventKind::Read(r) => match r.access {
            ReadAccess::Rmw { ord, .. } => Some((ord.name(), ord == RmwOrd::SeqCst)),
            ReadAccess::Cas { success, .. } if r.is_exclusive() => {
                Some((success.name(), success == RmwOrd::SeqCst))
            }
            _ => Some((r.ord.name(), r.ord.is_sc())),
        },
        EventKind::Write(w) if w.kind != WriteKind::Alloc => Some((w.ord.name(), w.ord.is_sc())),
        _ => None,
    }
}

/// A cycle of [`super::focus::sc_cycle`] in words, and which of its
/// accesses are not SeqCst. Nothing when they all are (the execution would
/// then be inconsistent).
fn cycle_words(g: &Graph, cycle: &[(EventId, super::focus::Step)]) -> Option<String> {
    use super::focus::Step;
    let who = names::who;
    let acc = |e: EventId| {
        format!(
            "{}'s {} ({})",
            who(e.thread.index()),
            verb(g, e),
            names::line(g, e)
        )
    };
    let mut words: Vec<String> = Vec::new();
    let mut last = String::new();
    let mut step_seen = Step::Po;
    let mut accesses: Vec<EventId> = Vec::new();
    for &(e, step) in cycle {
        if step != Step::Po {
            step_seen = step;
        }
        if !super::focus::is_access(g, e) {
            continue;
        }
        let a = acc(e);
        if a == last {
            continue;
        }
        accesses.push(e);
        let text = if words.is_empty() {
            a.clone()
        } else {
            match step_seen {
                Step::Po => format!("then, in program order, {a}"),
                Step::Rf => format!("read by {a}"),
                Step::Co => format!("overwritten by {a}"),
                Step::Fr => format!("which read a value older than {a}"),
            }
        };
        step_seen = Step::Po;
        words.push(text);
        last = a;
    }
    let first = *accesses.first()?;
    words.push(format!("which read a value older than {}", acc(first)));
    let mut groups: Vec<(&'static str, &'static str, Vec<String>)> = Vec::new();
    let mut any_sc_missing = false;
    for &e in &accesses {
        let Some((ord, sc)) = ordering(g, e) else {
            continue;
        };
        if sc {
            continue;
        }
        any_sc_missing = true;
        let v = verb(g, e);
        let at = names::line(g, e);
        match groups.iter_mut().find(|(gv, go, _)| *gv == v && *go == ord) {
            Some((_, _, ats)) if !ats.contains(&at) => ats.push(at),
            Some(_) => {}
            None => groups.push((v, ord, vec![at])),
        }
    }
    if !any_sc_missing {
        return None;
    }
    let list = |xs: &[String]| match xs {
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
        [] => String::new(),
    };
    let not_sc: Vec<String> = groups
        .iter()
        .map(|(v, ord, ats)| {
            if ats.len() == 1 {
                format!("the {v} at {} is {ord}", ats[0])
            } else {
                format!("the {v}s at {} are {ord}", list(ats))
            }
        })
        .collect();
    let sc_part = if accesses
        .iter()
        .any(|&e| ordering(g, e).is_some_and(|(_, sc)| sc))
    {
        "the SC order covers only the SeqCst ones among them"
    } else {
        "none of them is SeqCst, so there is no SC order among them at all"
    };
    Some(format!(
        "no interleaving of the threads gives these values: {}; a cycle, so no single order of \
         these accesses exists. Only SeqCst accesses must all fit one total order (the SC \
         order), and {}: {sc_part}, and nothing rules this execution out (were they all \
         SeqCst, it would be impossible)",
        words.join(", "),
        list(&not_sc)
    ))
}
