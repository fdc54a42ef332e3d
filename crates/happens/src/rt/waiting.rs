//! The waiting rule: which rounds of a loop repeat an earlier round, and
//! how a repetition that was not one is found out.
//!
//! A thread *repeats* when it is about to issue a read `R` (a load, an
//! RMW, a compare-exchange, a blocking primitive's step) and its latest
//! earlier read at the same call site, at most [`MAX_ROUND`] events back,
//! was the same operation with the same operands `R'`, and the round
//! `[R', R)` had no net effect on shared memory: every location it wrote
//! holds again, after it, the value it had before it as the thread saw it
//! (a lock taken and released, a `fetch_add(1)` undone by a `fetch_sub(1)`,
//! a compare-exchange or a store that put back the value there), and
//! nothing was allocated, spawned or joined ([`repeats`]). If the thread is
//! also where it was at `R'` (its locals, its place in the code), then
//! everything it does from `R` on, given the same values read, is what it
//! did from `R'` on, so `R` reading another value is the same as `R'`
//! reading it, an execution the explorer visits anyway: `R` waits
//! ([`Op::Wait`]), then reads what `R'` read and is never revisited.
//!
//! Whether the thread is where it was cannot be seen at `R`: its locals
//! are registers and stack slots, and a loop's first round is often laid
//! out apart from the others by the compiler (the state at `R'` and `R`
//! differ in what the code no longer uses). So the claim is checked as
//! the thread goes on: from a repetition on, it is *held* ([`Hold`]):
//!
//! - each operation must be the one it issued a round earlier
//!   ([`keeps_hold`]), as long as its reads read what they read a round
//!   earlier ([`hold_read`]; one that reads something else ends the hold,
//!   since nothing is predicted any more): a bounded loop, an iterator, a
//!   counter behind a pointer all leave the round;
//! - from the second held round on, its registers and stack
//!   ([`super::snapshot`]) must be those of the round before
//!   ([`keeps_state`]): a counter the rounds do not otherwise show, or one
//!   call site in two places of the code, changes them.
//!
//! A thread that breaks its hold *refutes* the repetition: the execution
//! is not reported, and the exploration starts again with that call site
//! needing one more identical round before a read there repeats
//! ([`rounds_before`], [`super::prealloc::Known`]), and repeating there
//! only when the thread's registers and stack are those of the read it
//! repeats (a backoff's step that grows for a while: the loop waits once
//! it stops); after [`MAX_LEVEL`] refutations it never repeats. What this
//! cannot find is a value only the first round changes and no later round
//! shows (a `waited = true` in the body of a loop that then spins the
//! same): for that, a waiting thread whose rounds read a value since
//! overwritten goes on when nothing else can run (the engine's
//! `Execution::moved_on`), so what it does after going round is explored;
//! see "Waiting loops" in the crate docs.

use happens_engine::{LocId, Op, Then};

use super::Loc;

/// How far back (in events) the rule looks for the previous round of a
/// loop: rounds of waiting loops are short, and a bounded look keeps every
/// operation cheap in long straight-line code.
pub(crate) const MAX_ROUND: usize = 256;

/// One event of a thread as the waiting rule compares them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Sig {
    /// Where it was issued.
    pub at: Option<Loc>,
    /// The operation, on the first event of an operation (`None` on an
    /// RMW's write half and on a thread's start).
    pub op: Option<Op>,
    /// The location it read or wrote.
    pub loc: Option<LocId>,
    /// The value it read.
    pub read: Option<u64>,
    /// The value it wrote.
    pub wrote: Option<u64>,
    /// It did something that is not a value in a location: allocated,
    /// spawned, joined, finished, blocked.
    pub other: bool,
    /// The thread's local state when it issued this read (0: not captured).
    pub state: u64,
    /// A weak compare-exchange that failed although the value matched.
    pub spurious: bool,
}

impl Sig {
    pub const START: Sig = Sig::other(None, None);

    pub const fn other(at: Option<Loc>, op: Option<Op>) -> Sig {
        Sig {
            at,
            op,
            loc: None,
            read: None,
            wrote: None,
            other: true,
            state: 0,
            spurious: false,
        }
    }

    /// A read of a compare-exchange or RMW (or a blocking step that
    /// takes) that wrote nothing new, given the event after it: a try
    /// that went round for nothing if the thread repeats it.
    fn idle_try(&self, next: Option<&Sig>) -> bool {
        let takes = match self.op {
            Some(Op::Cas { .. } | Op::Rmw { .. }) => true,
            Some(Op::Await { then, .. }) => !matches!(then, Then::Load(_)),
            _ => false,
        };
        takes
            && match next {
                // the write half follows the read it belongs to
                Some(w) if w.op.is_none() && w.loc == self.loc && w.wrote.is_some() => {
                    w.wrote == self.read
                }
                _ => true,
            }
    }
}

/// A thread held to a repetition (see the module docs): its operations
/// must be the ones it issued `period` events earlier.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Hold {
    pub period: usize,
    /// The index of the first read held to a repetition.
    pub start: usize,
    /// The call site whose repetition this is.
    pub site: Loc,
}

/// What a read was found to be.
pub(crate) struct Repeat {
    /// The index of the earlier read it repeats: the same operation with
    /// the same operands, at the same call site, with no net effect in
    /// between.
    pub from: Option<u32>,
    /// It goes round after a try that changed nothing (a compare-exchange
    /// that failed, an RMW that wrote back what it read), with no net
    /// effect in between, possibly with another value to compare with: see
    /// [`super::went_round`].
    pub after_try: bool,
    /// The round between the two wrote nothing at all (a lock taken and
    /// released is a write): see [`super::went_round`].
    pub pure: bool,
}

/// Whether two events were issued at the same call site (line and column
/// first: cheap, and almost always decisive).
pub(crate) fn same_site(a: Option<Loc>, b: Option<Loc>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => {
            a.line() == b.line()
                && a.column() == b.column()
                && (std::ptr::eq(a, b) || a.file() == b.file())
        }
        _ => false,
    }
}

/// The operations the rule considers: reads.
pub(crate) fn is_read(op: Op) -> bool {
    matches!(
        op,
        Op::Load { .. } | Op::Rmw { .. } | Op::Cas { .. } | Op::Await { .. }
    )
}

/// Whether two reads are the same operation with the same operands except
/// for a compare-exchange's values (a retry loop carries the value it read
/// last into the next try).
fn same_read_but_values(a: Op, b: Op) -> bool {
    match (a, b) {
        (
            Op::Cas {
                loc,
                success,
                failure,
                weak,
                ..
            },
            Op::Cas {
                loc: l,
                success: s,
                failure: f,
                weak: w,
                ..
            },
        ) => loc == l && success == s && failure == f && weak == w,
        (a, b) => a == b,
    }
}

/// The waiting rule for the read `op` at `at` by a thread whose events so
/// far are `sigs`: the latest earlier read it repeats, if any (see the
/// module docs), and whether it goes round after an idle try. `scratch`
/// is a reused buffer.
pub(crate) fn repeats(
    sigs: &[Sig],
    op: Op,
    at: Loc,
    level: u32,
    scratch: &mut Vec<(LocId, Option<u64>)>,
) -> Repeat {
    let mut found = Repeat {
        from: None,
        after_try: false,
        pure: false,
    };
    if !is_read(op) {
        return found;
    }
    let lo = sigs.len().saturating_sub(MAX_ROUND);
    for j in (lo..sigs.len()).rev() {
        let s = &sigs[j];
        if s.other {
            // an allocation, a spawn, a join: memory is not as it was
            break;
        }
        if let (Some(Op::Await { until, .. }), Some(v)) = (s.op, s.read) {
            if !until.accepts(v) {
                // a take a revisit made fail, issued again by the
                // primitive (`raw::await_at`): not a round of a loop
                continue;
            }
        }
        if same_site(s.at, Some(at)) && s.op.is_some_and(|o| same_read_but_values(o, op)) {
            if no_net_effect(sigs, j, lo, scratch) {
                found.after_try = s.idle_try(sigs.get(j + 1));
                found.pure = sigs[j..].iter().all(|e| e.wrote.is_none());
                if s.op == Some(op) && rounds_before(sigs, j, sigs.len() - j, level) {
                    found.from = Some(j as u32);
                }
            }
            break;
        }
    }
    found
}

/// How many times a call site may be refuted before its reads never
/// repeat (each refutation asks for one more identical round).
pub(crate) const MAX_LEVEL: u32 = 8;

/// Whether the round `[from, from + period)` was preceded by `level`
/// rounds identical to it: the same operations at the same call sites,
/// reading and writing the same values. A call site refuted `level` times
/// (the loop's first rounds differed in what the thread holds, such as a
/// value it read into a local) repeats only then.
fn rounds_before(sigs: &[Sig], from: usize, period: usize, level: u32) -> bool {
    let same = |a: &Sig, b: &Sig| {
        same_site(a.at, b.at)
            && a.op == b.op
            && a.read == b.read
            && a.wrote == b.wrote
            && a.other == b.other
    };
    (1..=level as usize).all(|i| {
        from >= i * period
            && (0..period).all(|d| same(&sigs[from - i * period + d], &sigs[from + d]))
    })
}

/// Whether the events from `from` on left every location they wrote with
/// the value it had before them, as the thread saw it: the value its first
/// access in the round read, or else the value its last access before the
/// round (from `lo` on) read or wrote.
fn no_net_effect(
    sigs: &[Sig],
    from: usize,
    lo: usize,
    before: &mut Vec<(LocId, Option<u64>)>,
) -> bool {
    before.clear();
    let round = &sigs[from..];
    // the value each location had when the round began, as the thread saw it
    for s in round {
        let Some(l) = s.loc else { continue };
        if before.iter().any(|&(x, _)| x == l) {
            continue;
        }
        let seen = match s.read {
            Some(v) => Some(v),
            None => sigs[lo..from]
                .iter()
                .rev()
                .find(|p| p.loc == Some(l))
                .and_then(|p| p.wrote.or(p.read)),
        };
        before.push((l, seen));
    }
    // ... and the value it has after it
    before.iter().all(|&(l, seen)| {
        match round
            .iter()
            .rev()
            .find(|s| s.loc == Some(l) && s.wrote.is_some())
        {
            None => true,
            Some(last) => seen.is_some() && last.wrote == seen,
        }
    })
}

/// Whether the operation a held thread issues (see [`Hold`]) is the one
/// it issued `period` events earlier. If not, the thread left a round it
/// was held to: the repetition at `hold.site` was not one.
pub(crate) fn keeps_hold(sigs: &[Sig], hold: Hold, op: Option<Op>, at: Option<Loc>) -> bool {
    let Some(c) = sigs.len().checked_sub(hold.period).map(|i| &sigs[i]) else {
        return false;
    };
    c.op == op && same_site(c.at, at)
}

/// Whether a held thread's read, event `idx`, keeps the hold: it read
/// what the read a round earlier read, with the same outcome (a weak
/// compare-exchange that failed spuriously then may succeed now).
pub(crate) fn hold_read(sigs: &[Sig], hold: Hold, idx: usize) -> bool {
    let now = &sigs[idx];
    idx.checked_sub(hold.period)
        .and_then(|i| sigs.get(i))
        .is_some_and(|c| c.read == now.read && c.spurious == now.spurious)
}

/// Whether a held thread's read `idx`, a repetition, is in the state its
/// counterpart a round earlier was in, when that counterpart was held too
/// (from the second held round on, both are in the loop's steady state:
/// the first round may differ in what the compiled code no longer uses).
/// A state that changes from one held round to the next (a counter the
/// rounds do not otherwise show, the same call site in two places of the
/// code) refutes the repetition. Blocking primitives' steps are left out:
/// their own bookkeeping is on the stack.
///
/// Unoptimised code is compared from the third held round on: its frames
/// keep copies of the previous operation's results in slots it no longer
/// reads, and the first held round's copies are those of the round before
/// the loop waited (measured on the seed notes' mutex: five such slots
/// differ between the first and second held rounds, none later).
pub(crate) fn keeps_state(sigs: &[Sig], hold: Hold, idx: usize) -> bool {
    let now = &sigs[idx];
    let Some(c) = idx.checked_sub(hold.period).map(|i| (i, &sigs[i])) else {
        return true;
    };
    let (i, c) = c;
    let first = hold.start + usize::from(cfg!(debug_assertions)) * hold.period;
    i < first
        || matches!(now.op, Some(Op::Await { .. }))
        || now.state == 0
        || c.state == 0
        || c.state == now.state
}
