//! How an operation of a modelled thread reaches the engine: [`op`], inlined
//! into the operation's caller, captures its registers and stack; [`issue`]
//! applies the waiting rule (see [`super::waiting`]), suspends the thread with
//! the operation and its call site (the engine's `Site`), and records, from
//! the reply and the engine's `Made`, what each event the operation became
//! read and wrote. Also what an operation gets while teardown unwinds a
//! thread, and the record of a thread's end.

use std::panic::Location;

use happens_engine::{Issue, LocId, Op, Reply, Site};

use super::freed::use_after_free;
use super::{prealloc, snapshot, tearing_down, waiting, with, Hold, Loc, Sig, State};

/// Issues `op` for the current thread and returns the engine's reply. A
/// read that repeats an earlier one first waits (see [`waiting`]).
///
/// Inlined into its caller, so that [`snapshot::call`] captures the state
/// of the code that issues the operation.
#[inline(always)]
pub(crate) fn op(op: Op, at: Loc) -> Reply {
    struct Call {
        op: Op,
        at: Loc,
        reply: Reply,
    }
    /// # Safety
    ///
    /// `data` points to a `Call`, `regs` to what [`snapshot::call`]
    /// captured.
    unsafe extern "C-unwind" fn entry(data: *mut u8, regs: *const snapshot::Regs) {
        let call = &mut *(data as *mut Call);
        let skip = data as usize..data as usize + std::mem::size_of::<Call>();
        call.reply = issue(call.op, call.at, &*regs, skip);
    }
    let mut call = Call {
        op,
        at,
        reply: Reply::Done,
    };
    // SAFETY: `entry` gets the `Call` it expects.
    unsafe { snapshot::call(&mut call as *mut Call as *mut u8, entry) };
    call.reply
}

/// [`op`], with the issuing code's registers and stack pointer.
#[inline(never)]
fn issue(op: Op, at: Loc, regs: &snapshot::Regs, call: std::ops::Range<usize>) -> Reply {
    if tearing_down() {
        return teardown_reply(op);
    }
    // a blocking step records as the access it makes
    let plain = match op {
        Op::Await { loc, then, .. } => then.op(loc),
        op => op,
    };
    with(|ctx| {
        let (y, wait, pure) = {
            let mut st = ctx.st.borrow_mut();
            let State {
                threads,
                current,
                wait_rule,
                no_wait,
                seeded,
                refuted,
                scratch,
                locs,
                crash,
                ..
            } = &mut *st;
            let th = &mut threads[*current];
            // an object dropped in this execution: the thread stops here
            let dropped = plain_loc(plain)
                .and_then(|l| Some((l, locs.get(l.index()).copied().flatten()?)))
                .filter(|(_, i)| i.dropped.is_some());
            if let Some(i) = dropped {
                let cur = *current;
                *crash = Some(use_after_free(cur, i, false, Some(at)));
                th.abandoned = true;
                let y = th.yielder;
                record_end(&mut st, cur, Op::Fail);
                drop(st);
                // SAFETY: as below
                unsafe { &*y }.suspend(Op::Fail.into());
                panic!("happens: the engine resumed a thread that failed");
            }
            // a panic the thread caught is over: std counts the panics of
            // this OS thread that are unwinding, and none is while this
            // thread runs (a thread left mid-unwind stops the exploration)
            if th.unwinding && !std::thread::panicking() {
                th.unwinding = false;
            }
            // a thread held to a repetition issues what it issued a round
            // earlier, or the repetition was not one
            if let Some(h) = th.hold {
                if !waiting::keeps_hold(&th.sigs, h, Some(op), Some(at)) {
                    th.hold = None;
                    refute(refuted, h.site);
                }
            }
            // a call site a repetition was refuted at needs as many
            // identical rounds before one as it was refuted
            let mut level = no_wait
                .iter()
                .find(|&&(s, _)| waiting::same_site(Some(s), Some(at)))
                .map_or(0, |&(_, n)| n);
            if !seeded.is_empty() {
                level = level.max(prealloc::seeded_level(seeded, at));
            }
            let considered = *wait_rule && waiting::is_read(op) && level <= waiting::MAX_LEVEL;
            let found = if considered {
                Some(waiting::repeats(&th.sigs, op, at, level, scratch))
            } else {
                None
            };
            let wait = found.as_ref().and_then(|r| r.from);
            // a call site whose repetition was refuted repeats only in the
            // state the read it repeats was in (a loop whose rounds change
            // its state for a while, a backoff's step, waits once it is
            // steady); elsewhere only a repetition's state is compared (see
            // `waiting::keeps_state`)
            let gated = considered && level > 0 && !matches!(op, Op::Await { .. });
            // SAFETY: `regs` was captured by `op` on this thread's stack,
            // whose frames up to `stack_top` are live
            let state = if wait.is_some() || gated {
                unsafe { snapshot::hash(regs, th.stack_top, call) }.unwrap_or(0)
            } else {
                0
            };
            let wait = match wait {
                Some(from) if gated => {
                    (state != 0 && th.sigs[from as usize].state == state).then_some(from)
                }
                w => w,
            };
            th.went_round |= found.as_ref().is_some_and(|r| r.after_try);
            match wait {
                Some(from) => {
                    th.rounds += 1;
                    th.last_wait = Some(at);
                    if th.hold.is_none() {
                        th.hold = Some(Hold {
                            period: th.sigs.len() - from as usize,
                            start: th.sigs.len(),
                            site: at,
                        });
                    }
                }
                None if waiting::is_read(op) => {
                    th.rounds = 0;
                    th.last_wait = None;
                }
                None => {}
            }
            let pure = found.as_ref().is_some_and(|r| r.pure);
            let wait = wait.map(|from| (from, th.rounds));
            // the event is recorded before the thread suspends: an
            // execution that stops at it (a data race) still names its
            // source line
            let loc = match plain {
                Op::Load { loc, .. }
                | Op::Store { loc, .. }
                | Op::Rmw { loc, .. }
                | Op::Cas { loc, .. } => Some(loc),
                _ => None,
            };
            let other = !matches!(
                plain,
                Op::Load { .. } | Op::Store { .. } | Op::Rmw { .. } | Op::Cas { .. } | Op::Fence(_)
            );
            // its first event (a write half comes with the reply)
            th.sigs.push(Sig {
                at: Some(at),
                op: Some(op),
                loc,
                read: None,
                wrote: None,
                other,
                state,
                spurious: false,
            });
            if let Some(h) = th.hold.filter(|_| wait.is_some()) {
                if !waiting::keeps_state(&th.sigs, h, th.sigs.len() - 1) {
                    th.hold = None;
                    refute(refuted, h.site);
                }
            }
            (th.yielder, wait, pure)
        };
        // SAFETY: the yielder of the running coroutine lives on its stack,
        // which is suspended here only by this very call.
        let yielder = unsafe { &*y };
        let site = site(at);
        if let Some((from, spins)) = wait {
            yielder.suspend(Issue {
                op: Op::Wait { from, spins },
                site,
            });
        }
        let (reply, made) = yielder.suspend(Issue { op, site });
        let mut st = ctx.st.borrow_mut();
        let cur = st.current;
        let th = &mut st.threads[cur];
        let idx = th.sigs.len() - 1;
        debug_assert_eq!(
            made.first as usize, idx,
            "the runtime's events are the engine's"
        );
        let read = reply.val();
        match (plain, reply) {
            (Op::Store { val, .. }, _) => th.sigs[idx].wrote = Some(val),
            (Op::Alloc { init, .. }, Reply::Loc(l)) => {
                th.sigs[idx].loc = Some(l);
                th.sigs[idx].wrote = Some(init);
            }
            (Op::Load { .. } | Op::Rmw { .. }, _) => th.sigs[idx].read = read,
            (Op::Cas { expected, .. }, Reply::Cas { old, ok }) => {
                th.sigs[idx].read = Some(old);
                th.sigs[idx].spurious = !ok && old == expected;
            }
            _ => {}
        }
        // the write half the engine made of it, if any: an RMW's, a
        // compare-exchange's that succeeded
        let new = match plain {
            Op::Cas { new, .. } => new,
            _ => 0,
        };
        for _ in 1..made.events {
            th.sigs.push(Sig {
                op: None,
                read: None,
                wrote: reply.wrote(new),
                state: 0,
                spurious: false,
                ..th.sigs[idx]
            });
        }
        // a repetition of a round that wrote nothing, which could not read
        // what the read it repeats read: going round only waited for this
        // value (see `went_round`)
        if let Some((from, _)) = wait.filter(|_| pure) {
            th.went_round |= th.sigs[from as usize].read != th.sigs[idx].read;
        }
        // a held thread's read that read something else than a round
        // earlier: nothing is predicted any more
        if let Some(h) = th.hold {
            if waiting::is_read(op) && !waiting::hold_read(&th.sigs, h, idx) {
                th.hold = None;
            }
        }
        reply
    })
}

/// The location an access (or a blocking step, as the access it makes)
/// acts on.
fn plain_loc(plain: Op) -> Option<LocId> {
    match plain {
        Op::Load { loc, .. }
        | Op::Store { loc, .. }
        | Op::Rmw { loc, .. }
        | Op::Cas { loc, .. } => Some(loc),
        _ => None,
    }
}

/// The engine's site of an operation issued at `at`: the address of its
/// `Location`, which is `'static`.
pub(crate) fn site(at: Loc) -> Site {
    Site(at as *const Location<'static> as usize as u64)
}

/// The call site of an event, from the site the engine keeps on it (`None`
/// for an event no operation of the program made: a thread's start, its
/// end).
pub(crate) fn site_loc(site: Site) -> Option<Loc> {
    // SAFETY: the library's graphs come from explorations of its runtime,
    // whose every site was made by `site` of a `&'static Location`
    (site != Site::NONE).then(|| unsafe { &*(site.0 as usize as *const Location<'static>) })
}

/// The call site of event `e` of `g` (see [`site_loc`]).
pub(crate) fn event_at(g: &happens_engine::Graph, e: happens_engine::EventId) -> Option<Loc> {
    g.contains(e).then(|| site_loc(g.event(e).site)).flatten()
}

/// Records that the repetition at `site` was not one (see [`waiting`]).
fn refute(refuted: &mut Vec<Loc>, site: Loc) {
    if !refuted
        .iter()
        .any(|&s| waiting::same_site(Some(s), Some(site)))
    {
        refuted.push(site);
    }
}

/// Records the last event of thread `t`, `op` (it finished or failed): a
/// thread held to a repetition that ends was not repeating.
pub(crate) fn record_end(st: &mut State, t: usize, op: Op) {
    let th = &mut st.threads[t];
    if let Some(h) = th.hold.take() {
        if !waiting::keeps_hold(&th.sigs, h, Some(op), None) {
            refute(&mut st.refuted, h.site);
        }
    }
    st.threads[t].sigs.push(Sig::other(None, Some(op)));
}

/// What an operation issued by a destructor gets while a suspended thread
/// is unwound after its execution ended (see [`Context::tearing_down`]).
/// Atomics and cells act on their own values and do not get here; a
/// destructor that joins gets an error.
fn teardown_reply(op: Op) -> Reply {
    match op {
        Op::Load { .. } => Reply::Val(0),
        Op::Rmw { .. } => Reply::Rmw { old: 0, new: 0 },
        Op::Cas { .. }
        | Op::Await {
            then: happens_engine::Then::Cas { .. },
            ..
        } => Reply::Cas { old: 0, ok: false },
        Op::Await { .. } => Reply::Val(0),
        Op::Store { .. } | Op::Fence(_) | Op::Join(_) | Op::Finish | Op::Wait { .. } => Reply::Done,
        Op::Alloc { .. } | Op::Spawn { .. } | Op::Block(_) | Op::Fail => {
            // the abort is trapped (`trap`, armed while teardown unwinds a
            // thread): the rest of this thread's destructors do not run
            eprintln!(
                "happens: a destructor run after its execution ended tried to {op:?}; \
                 the rest of that thread's destructors are skipped"
            );
            std::process::abort()
        }
    }
}
