//! The runtime: runs the user's closures as coroutines and turns every
//! modelled operation into one engine [`Op`].
//!
//! Every modelled thread is a stackful coroutine (`corosensei`) running on
//! the OS thread that runs the execution: the one that called
//! [`crate::model`], or one of its helpers (`crate::worker`), each with a
//! runtime of its own. The user-facing types find the
//! current execution through exactly one thread-local, [`CONTEXT`], a pointer
//! to the [`Context`] of the execution being run. An operation records its
//! source location, suspends the coroutine with its `Op`, and returns the
//! engine's [`Reply`] when the explorer resumes the thread.
//!
//! Teardown: when an execution ends with threads still suspended (blocked,
//! waiting in a join, stopped in the middle of an operation), their
//! coroutines are unwound from where they stopped, children first. Only
//! destructors run, outside the model ([`Context::tearing_down`]): atomics
//! and cells act on their own values, so what the frames own is freed and
//! an exploration's memory does not grow with its executions.
//!
//! The waiting rule ([`waiting`], with the thread states of [`snapshot`])
//! recognises rounds of a loop that repeat an earlier one: see "Waiting
//! loops" in the crate docs.

mod prealloc;
mod runtime;
mod slot;
mod snapshot;
mod trap;
mod waiting;

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::panic::Location;

use corosensei::Yielder;
use happens_engine::{BlockReason, LocId, Op, Reply};

pub(crate) use prealloc::{Key, Known, What};
pub(crate) use runtime::{Runtime, STACK_SIZE};
pub(crate) use slot::Slot;
use waiting::Hold;
pub(crate) use waiting::Sig;

pub(crate) type Loc = &'static Location<'static>;

thread_local! {
    /// The context of the execution running on this OS thread (null outside).
    static CONTEXT: Cell<*const Context> = const { Cell::new(std::ptr::null()) };
}

/// What a location is, for messages.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LocInfo {
    pub kind: Kind,
    pub created: Loc,
    /// Its object was dropped in this execution: by this thread, after
    /// the operation at this call site. A later use is a use after free.
    pub dropped: Option<(usize, Option<Loc>)>,
}

/// What kind of object a location belongs to: its name in messages, and
/// whether it is the library's own bookkeeping, which the object that owns
/// it says when it makes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Kind {
    pub name: &'static str,
    /// An `Arc`'s reference count: traces show its accesses as the calls
    /// they stand for, and diagrams and explanations leave it out.
    pub count: Option<Count>,
}

/// Which reference count of an `Arc` (see [`Kind::count`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Count {
    Strong,
    Weak,
}

impl Kind {
    /// A location of the program's own object called `name`.
    pub const fn named(name: &'static str) -> Kind {
        Kind { name, count: None }
    }

    /// Whether the location is the library's bookkeeping.
    pub fn is_bookkeeping(self) -> bool {
        self.count.is_some()
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

/// Per-thread bookkeeping of one execution.
pub(crate) struct ThreadState {
    pub yielder: *const Yielder<Reply, Op>,
    /// Number of graph events of this thread so far.
    pub events: u32,
    /// Source location of each event (None for `Start`).
    pub event_locs: Vec<Option<Loc>>,
    /// What each event was, for the waiting rule (see [`waiting`]).
    pub sigs: Vec<Sig>,
    /// First event of the iteration a blocking primitive waits in.
    pub iter_start: u32,
    /// Reads in a row that repeated an earlier one (see [`waiting`]).
    pub rounds: u32,
    /// The repetition the thread is held to, if any (see [`waiting`]).
    pub hold: Option<Hold>,
    /// The call site of the thread's last read, if it repeated an earlier
    /// one: where it waits.
    pub last_wait: Option<Loc>,
    /// The thread repeated a try that changed nothing (a compare-exchange
    /// that failed, an RMW that wrote back what it read): GenMC's
    /// spin-assume makes such an execution a blocked one.
    pub went_round: bool,
    /// The address of the thread's first frame: its local state is the
    /// stack below (see [`snapshot`]).
    pub stack_top: usize,
    pub name: Option<String>,
    /// What the thread waits for when it blocked on a lock.
    pub waiting: Option<(LocId, Loc, &'static str)>,
    /// Whether a wait of this thread already woke spuriously in this
    /// execution (see [`spurious_wakeup`]).
    pub woke_spuriously: bool,
    /// Per-thread `thread_local!` values, keyed by the key's address.
    pub locals: Vec<(usize, Box<dyn std::any::Any>)>,
    /// The closure of the thread this one is spawning (its `Spawn` waits
    /// for the engine's reply, while other threads may spawn too).
    pub pending_spawn: Option<PendingSpawn>,
    /// Its latest panic, as the panic hook recorded it, and the one before
    /// (a destructor that panics while the thread unwinds).
    pub panic: Option<CaughtPanic>,
    pub prior_panic: Option<CaughtPanic>,
    /// It panicked and has not finished unwinding: a coroutine suspended
    /// in a destructor during unwinding cannot be unwound again (std
    /// aborts a panic out of a destructor during cleanup), so teardown
    /// leaves it be. A panic the program catches is over at the thread's
    /// next operation after the catch (see [`issue`]).
    pub unwinding: bool,
    /// It stopped at a use of a dropped object ([`use_after_free`]): what
    /// its frames own may be freed already, so teardown leaves them be
    /// (they leak) rather than unwind them.
    pub abandoned: bool,
    /// The indices of its events that are the library's bookkeeping (an
    /// `Arc`'s fence before it frees its value), in order.
    pub bookkeeping: Vec<u32>,
    /// The thread this one spawned last, and what it runs: a thread
    /// spawned next from the same code on equal inputs is like it (see
    /// [`crate::thread`], "Symmetric threads").
    pub last_spawn: Option<(usize, Spawned)>,
    /// It was spawned like another, or another like it.
    pub alike: bool,
}

/// What a spawned thread runs, as far as symmetry goes: its closure's code
/// and the bytes of what it captured. `None` for a thread whose twin could
/// be told apart (a named one, a result that carries a value).
pub(crate) type Spawned = Option<(Code, Box<[std::mem::MaybeUninit<u8>]>)>;

/// A spawned closure's code: its type, or (a scoped closure, which is not
/// `'static`) the address of the function that runs closures of its type.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Code {
    Type(std::any::TypeId),
    Fn(usize),
}

impl ThreadState {
    fn new(start_event: bool) -> Self {
        ThreadState {
            yielder: std::ptr::null(),
            events: start_event as u32,
            event_locs: if start_event { vec![None] } else { Vec::new() },
            sigs: if start_event {
                vec![Sig::START]
            } else {
                Vec::new()
            },
            iter_start: start_event as u32,
            rounds: 0,
            hold: None,
            last_wait: None,
            went_round: false,
            stack_top: 0,
            name: None,
            waiting: None,
            woke_spuriously: false,
            locals: Vec::new(),
            pending_spawn: None,
            panic: None,
            prior_panic: None,
            unwinding: false,
            abandoned: false,
            bookkeeping: Vec::new(),
            last_spawn: None,
            alike: false,
        }
    }
}

/// A panic caught in a modelled thread.
#[derive(Clone, Debug)]
pub(crate) struct CaughtPanic {
    pub message: String,
    /// Where it was raised.
    pub location: Option<crate::report::PanicLocation>,
}

/// A leak-tracked object.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tracked {
    pub what: &'static str,
    pub at: Loc,
}

/// A spawned closure waiting for its thread id: body and name.
pub(crate) type PendingSpawn = (Box<dyn FnOnce()>, Option<String>);

/// The mutable state of one execution.
pub(crate) struct State {
    pub current: usize,
    pub threads: Vec<ThreadState>,
    pub panic: Option<(usize, CaughtPanic)>,
    /// A thread that overflowed its stack or faulted (see [`trap`]): the
    /// failure, which the execution reports instead of a panic.
    pub crash: Option<crate::FailureKind>,
    /// A thread panicked in a way std aborts the process for (see
    /// `runtime::install_panic_hook`): it fails instead, and the OS thread
    /// runs no more executions.
    pub poisoned: bool,
    pub locs: Vec<Option<LocInfo>>,
    /// Lock owners: location of the lock word → (thread, where it locked).
    pub owners: HashMap<u32, (usize, Loc)>,
    pub tracked: HashMap<u64, Tracked>,
    pub next_track: u64,
    pub statics: Vec<(usize, Box<dyn std::any::Any>)>,
    pub epoch: u64,
    /// The keys this exploration pre-allocates (see [`prealloc`]).
    pub known: Known,
    /// Locations of the pre-allocated keys in this execution.
    pub bound: HashMap<Key, LocId>,
    /// Where each object dropped in this execution was when it was
    /// dropped: the allocator may write its own bookkeeping over freed
    /// memory, so a use or a second drop through a dangling pointer finds
    /// the object by its address rather than by what it holds.
    pub dropped_at: HashMap<usize, LocId, std::hash::BuildHasherDefault<AddrHash>>,
    /// Whether a thread waits when it repeats an iteration (see [`waiting`]).
    pub wait_rule: bool,
    /// Call sites never taken for a repetition in this exploration: they
    /// were refuted by an earlier one (see [`waiting`]).
    pub no_wait: Vec<(Loc, u32)>,
    /// Refuted call sites another process learned (see [`crate::shard`]).
    pub seeded: Vec<prealloc::Seed>,
    /// Call sites this execution refuted: the exploration must start again
    /// without them.
    pub refuted: Vec<Loc>,
    /// A buffer the waiting rule reuses.
    pub scratch: Vec<(LocId, Option<u64>)>,
    /// Whether condvar waits and parks may wake spuriously
    /// (`Builder::spurious_wakeups`).
    pub spurious: bool,
    /// The ordering advisor's orderings and its record of call sites, when
    /// it runs this exploration (see [`crate::advise`]).
    pub advice: Option<std::sync::Arc<crate::advise::Ctx>>,
    /// Keys used by some execution of this exploration that were not
    /// pre-allocated: the exploration must start again.
    pub discovered: Vec<(Key, What)>,
    /// Set while the main thread runs `lazy_static!` initializers: what they
    /// create lives as long as the execution and is not leak-tracked.
    pub in_static_init: bool,
    /// A thread learned which of a group of like threads it is, or another
    /// thread told them apart by identity (`Thread::id`, `name`, `unpark`
    /// of one of them): symmetry reduction is not sound for this program,
    /// and the exploration starts again without it. Kept across executions.
    pub told_apart: bool,
}

/// The context of one exploration; reset for each execution.
pub(crate) struct Context {
    pub st: RefCell<State>,
    /// Set while the threads left suspended at the end of an execution are
    /// unwound (see `Runtime::teardown`): the execution is over, so the
    /// destructors that run act on the objects' own values, like `std`'s.
    pub tearing_down: Cell<bool>,
    /// What the program freed in this execution, under
    /// [`Fresh`](crate::alloc::Fresh): freed when it ends.
    pub held: crate::alloc::Held,
}

impl Context {
    pub fn new() -> Self {
        Context {
            tearing_down: Cell::new(false),
            held: crate::alloc::Held::new(),
            st: RefCell::new(State {
                current: 0,
                threads: Vec::new(),
                panic: None,
                crash: None,
                poisoned: false,
                locs: Vec::new(),
                owners: HashMap::new(),
                tracked: HashMap::new(),
                next_track: 0,
                statics: Vec::new(),
                epoch: 0,
                known: Known::default(),
                bound: HashMap::new(),
                dropped_at: HashMap::default(),
                wait_rule: true,
                no_wait: Vec::new(),
                seeded: Vec::new(),
                refuted: Vec::new(),
                scratch: Vec::new(),
                spurious: false,
                advice: None,
                discovered: Vec::new(),
                in_static_init: false,
                told_apart: false,
            }),
        }
    }
}

/// Runs `f` with the current execution's context, if there is one.
/// The advisor of the current exploration, if one runs it.
pub(crate) fn advice() -> Option<std::sync::Arc<crate::advise::Ctx>> {
    try_with(|c| c.st.try_borrow().ok().and_then(|st| st.advice.clone())).flatten()
}

pub(crate) fn try_with<R>(f: impl FnOnce(&Context) -> R) -> Option<R> {
    let p = CONTEXT.with(|c| c.get());
    if p.is_null() {
        None
    } else {
        // SAFETY: the pointer is set by `Runtime::step` for the duration of a
        // coroutine resume, and the context outlives it.
        Some(f(unsafe { &*p }))
    }
}

/// Runs `f` with the current context; panics outside `happens::model`.
#[track_caller]
pub(crate) fn with<R>(f: impl FnOnce(&Context) -> R) -> R {
    try_with(f).unwrap_or_else(|| {
        panic!(
            "a `happens` type was used outside of `happens::model` (or after the execution ended)"
        )
    })
}

/// Whether code runs inside a modelled thread.
pub(crate) fn in_model() -> bool {
    let p = CONTEXT.with(|c| c.get());
    if p.is_null() {
        return false;
    }
    // SAFETY: see `try_with`.
    let ctx = unsafe { &*p };
    !ctx.tearing_down.get()
}

/// Whether the current thread's frames are being unwound after its
/// execution ended (see [`Context::tearing_down`]).
pub(crate) fn tearing_down() -> bool {
    try_with(|c| c.tearing_down.get()).unwrap_or(false)
}

/// Whether an execution runs on this OS thread (for the global allocator,
/// which may be called as the thread ends).
pub(crate) fn in_execution() -> bool {
    CONTEXT.try_with(|c| !c.get().is_null()).unwrap_or(false)
}

/// Holds a block the program frees during an execution until it ends
/// ([`Fresh`](crate::alloc::Fresh)); false outside one.
///
/// # Safety
/// As [`crate::alloc::Held::push`].
pub(crate) unsafe fn hold_freed(ptr: *mut u8, layout: std::alloc::Layout) -> bool {
    let p = CONTEXT.try_with(|c| c.get()).unwrap_or(std::ptr::null());
    // SAFETY: set by `Runtime::step` for the duration of a resume, and the
    // context outlives it
    !p.is_null() && (*p).held.push(ptr, layout)
}

pub(crate) fn set_context(p: *const Context) -> *const Context {
    CONTEXT.with(|c| c.replace(p))
}

/// Whether the current thread's wait may wake spuriously now: with
/// spurious wakeups explored, once per thread and execution (as a weak
/// compare-exchange fails spuriously at most once), so that a wait in a
/// loop that always woke spuriously does not run forever. Marks it used.
pub(crate) fn spurious_wakeup() -> bool {
    try_with(|c| {
        let mut st = c.st.borrow_mut();
        let on = st.spurious;
        let cur = st.current;
        let th = &mut st.threads[cur];
        let may = on && !th.woke_spuriously;
        th.woke_spuriously |= may;
        may
    })
    .unwrap_or(false)
}

/// Marks the current thread's next event as the library's bookkeeping.
pub(crate) fn next_is_bookkeeping() {
    with(|c| {
        let mut st = c.st.borrow_mut();
        let cur = st.current;
        let th = &mut st.threads[cur];
        let next = th.events;
        th.bookkeeping.push(next);
    })
}

/// The current epoch (a per-execution number, unique in the process).
pub(crate) fn epoch() -> u64 {
    with(|c| c.st.borrow().epoch)
}

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
                unsafe { &*y }.suspend(Op::Fail);
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
            th.event_locs.push(Some(at));
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
            th.events += 1;
            if matches!(plain, Op::Rmw { .. }) {
                // the write half
                th.event_locs.push(Some(at));
                th.sigs.push(Sig {
                    op: None,
                    state: 0,
                    ..*th.sigs.last().unwrap()
                });
                th.events += 1;
            }
            if let Some(h) = th.hold.filter(|_| wait.is_some()) {
                if !waiting::keeps_state(&th.sigs, h, th.sigs.len() - 1 - halves_after(plain)) {
                    th.hold = None;
                    refute(refuted, h.site);
                }
            }
            (th.yielder, wait, pure)
        };
        // SAFETY: the yielder of the running coroutine lives on its stack,
        // which is suspended here only by this very call.
        let yielder = unsafe { &*y };
        if let Some((from, spins)) = wait {
            yielder.suspend(Op::Wait { from, spins });
        }
        let reply = yielder.suspend(op);
        let mut st = ctx.st.borrow_mut();
        let cur = st.current;
        let th = &mut st.threads[cur];
        let idx = th.sigs.len()
            - if matches!(plain, Op::Rmw { .. }) {
                2
            } else {
                1
            };
        let read = reply.val();
        match (plain, reply) {
            (Op::Store { val, .. }, _) => th.sigs[idx].wrote = Some(val),
            (Op::Alloc { init, .. }, Reply::Loc(l)) => {
                th.sigs[idx].loc = Some(l);
                th.sigs[idx].wrote = Some(init);
            }
            (Op::Load { .. }, _) => th.sigs[idx].read = read,
            (Op::Rmw { op: rmw, .. }, _) => {
                th.sigs[idx].read = read;
                th.sigs[idx + 1].wrote = read.map(|v| rmw.apply(v));
            }
            (Op::Cas { expected, new, .. }, Reply::Cas { old, ok }) => {
                th.sigs[idx].read = Some(old);
                th.sigs[idx].spurious = !ok && old == expected;
                if ok {
                    th.event_locs.push(Some(at));
                    th.sigs.push(Sig {
                        op: None,
                        read: None,
                        wrote: Some(new),
                        state: 0,
                        ..th.sigs[idx]
                    });
                    th.events += 1;
                }
            }
            _ => {}
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

impl ThreadState {
    /// The call site of its latest operation that has one.
    pub fn last_at(&self) -> Option<Loc> {
        self.event_locs.iter().rev().flatten().next().copied()
    }
}

/// The failure of thread `t` using (at the call site `at`) or dropping
/// again (`twice`; `at` its last operation) the object of location `l`
/// (`i`), dropped before.
fn use_after_free(
    t: usize,
    (l, i): (LocId, LocInfo),
    twice: bool,
    at: Option<Loc>,
) -> crate::FailureKind {
    let (by, after) = i.dropped.expect("a dropped object");
    let origin = crate::report::Origin {
        kind: i.kind.name,
        created: i.created,
    };
    crate::FailureKind::UseAfterFree {
        thread: t,
        object: crate::report::Object {
            loc: l.0 as usize,
            origin: Some(origin),
        },
        twice,
        at,
        dropped_by: by,
        dropped_after: after,
    }
}

/// Records that the object at `addr` is dropped by the current thread:
/// the object of location `l`, or `None` when what it holds is not one of
/// this execution's (freed memory the allocator wrote over, found by its
/// address if an object of this execution was dropped there). Dropped
/// twice (its memory freed twice), the thread stops here, before the
/// allocator sees the second free.
pub(crate) fn dropped(l: Option<LocId>, addr: usize) {
    let Some(Some(y)) = try_with(|ctx| {
        let mut st = ctx.st.borrow_mut();
        let t = st.current;
        let after = st.threads.get(t).and_then(ThreadState::last_at);
        let l = match l {
            Some(l) => l,
            None => *st.dropped_at.get(&addr)?,
        };
        let i = st.locs.get_mut(l.index())?.as_mut()?;
        if i.dropped.is_none() {
            i.dropped = Some((t, after));
            st.dropped_at.insert(addr, l);
            return None;
        }
        let kind = use_after_free(t, (l, *i), true, after);
        st.crash = Some(kind);
        let th = st.threads.get_mut(t)?;
        th.abandoned = true;
        let y = th.yielder;
        record_end(&mut st, t, Op::Fail);
        Some(y)
    }) else {
        return;
    };
    // SAFETY: the yielder of the running coroutine lives on its stack,
    // which is suspended here only by this very call.
    unsafe { &*y }.suspend(Op::Fail);
    panic!("happens: the engine resumed a thread that failed");
}

/// A hash of addresses (keys of [`State::dropped_at`]): one multiply, as
/// every object a program drops is recorded, and addresses need no
/// protection from collisions an adversary picks.
#[derive(Default)]
pub(crate) struct AddrHash(u64);

impl std::hash::Hasher for AddrHash {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }

    fn write_usize(&mut self, n: usize) {
        // the high bits pick hashbrown's control byte, the low its bucket
        self.0 = (n as u64)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15)
            .rotate_left(26);
    }
}

/// The location of the object dropped at `addr` in this execution, if one
/// was: a use through a dangling pointer goes on to that location, and
/// [`issue`] stops the thread there.
pub(crate) fn dropped_here(addr: usize) -> Option<LocId> {
    try_with(|ctx| ctx.st.borrow().dropped_at.get(&addr).copied()).flatten()
}

/// How many events an operation adds after its first (an RMW's write half).
fn halves_after(plain: Op) -> usize {
    matches!(plain, Op::Rmw { .. }) as usize
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
    let th = &mut st.threads[t];
    th.events += 1;
    th.event_locs.push(None);
    th.sigs.push(Sig::other(None, Some(op)));
}

/// What an operation issued by a destructor gets while a suspended thread
/// is unwound after its execution ended (see [`Context::tearing_down`]).
/// Atomics and cells act on their own values and do not get here; a
/// destructor that joins gets an error.
fn teardown_reply(op: Op) -> Reply {
    match op {
        Op::Load { .. } | Op::Rmw { .. } => Reply::Val(0),
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

/// Where a thread that ran into the event bound waits: the call site of
/// its last read, if that read repeated an earlier one (see [`waiting`]).
pub(crate) fn waiting_loop(th: &ThreadState) -> Option<Loc> {
    th.last_wait
}

/// Whether a thread went round a loop for nothing, GenMC's *spin-assume*:
/// a read that repeats a try that changed nothing (a compare-exchange that
/// failed, an RMW that wrote back what it read; GenMC counts only first
/// tries, whatever value a retry carries), or a repetition of a round that
/// wrote nothing, which could not read what the read it repeats read (the
/// round only waited for that value). The execution where the first try
/// already read what ended the loop is explored too, and this one is not
/// counted as one of its own. It is still checked for errors: this decides
/// counts only.
pub(crate) fn went_round(th: &ThreadState) -> bool {
    th.went_round
}

/// Blocks the current thread for the rest of this execution (a blocking
/// primitive with nothing to take). The iteration whose reads decide
/// whether the block is real starts at `iter_start`.
pub(crate) fn block(at: Loc, iter_start: Option<u32>) -> ! {
    with(|ctx| {
        let mut st = ctx.st.borrow_mut();
        let cur = st.current;
        if let Some(s) = iter_start {
            st.threads[cur].iter_start = s;
        }
    });
    op(Op::Block(BlockReason::Spin), at);
    panic!("happens: the engine resumed a blocked thread")
}

/// Allocates a location holding `init`: the creating write of the current
/// thread, at `at` (atomic for an atomic object).
pub(crate) fn alloc(init: u64, atomic: bool, kind: Kind, at: Loc) -> LocId {
    match op(Op::Alloc { init, atomic }, at) {
        Reply::Loc(l) => {
            set_loc_info(l, kind, at);
            l
        }
        r => panic!("happens: unexpected reply {r:?} to Alloc"),
    }
}

/// The location of a pre-allocated `key` in this execution. An unknown key
/// is recorded and the thread stops here (see [`discover`]).
pub(crate) fn bind(key: Key, what: What, at: Loc) -> LocId {
    let found = with(|ctx| ctx.st.borrow().bound.get(&key).copied());
    match found {
        Some(l) => l,
        None => discover(key, what, at),
    }
}

/// Records a key this execution needs but did not pre-allocate, and stops
/// the thread for good: the exploration starts again with the key (this
/// execution is not reported), and no thread ever uses an object without
/// its pre-allocated location, so what the program observes in this
/// execution (e.g. values it collects) is still consistent.
pub(crate) fn discover(key: Key, what: What, at: Loc) -> ! {
    with(|ctx| {
        let mut st = ctx.st.borrow_mut();
        if !st.known.contains(key) && !st.discovered.iter().any(|(k, _)| *k == key) {
            st.discovered.push((key, what));
        }
    });
    block(at, None)
}

/// The park token of thread `t` (pre-allocated by the main thread).
pub(crate) fn park_token(t: usize, at: Loc) -> LocId {
    bind(
        Key::Park(t as u32),
        What::Loc {
            init: 0,
            atomic: true,
            kind: Kind::named("park token"),
            created: at,
        },
        at,
    )
}

fn set_loc_info(l: LocId, kind: Kind, created: Loc) {
    with(|ctx| {
        let mut st = ctx.st.borrow_mut();
        if st.locs.len() <= l.index() {
            st.locs.resize(l.index() + 1, None);
        }
        st.locs[l.index()] = Some(LocInfo {
            kind,
            created,
            dropped: None,
        });
    });
}

/// Allocates every known key, in order; runs in the main thread before the
/// user's closure.
pub(crate) fn preallocate() {
    let known = with(|ctx| ctx.st.borrow().known.clone());
    for &(key, what) in known.iter() {
        match what {
            What::Loc {
                init,
                atomic,
                kind,
                created,
            } => {
                let l = alloc(init, atomic, kind, created);
                with(|ctx| ctx.st.borrow_mut().bound.insert(key, l));
            }
            What::Lazy { init } => {
                let Key::Addr(addr) = key else {
                    panic!("happens: a lazy static is keyed by its address")
                };
                with(|ctx| ctx.st.borrow_mut().in_static_init = true);
                let v = init(addr);
                with(|ctx| {
                    let mut st = ctx.st.borrow_mut();
                    st.in_static_init = false;
                    st.statics.push((addr, v));
                });
            }
        }
    }
}

/// Records a leak-tracked object; returns its id.
pub(crate) fn track(what: &'static str, at: Loc) -> Option<u64> {
    try_with(|ctx| {
        let mut st = ctx.st.borrow_mut();
        if st.in_static_init {
            return None;
        }
        let id = st.next_track;
        st.next_track += 1;
        st.tracked.insert(id, Tracked { what, at });
        Some(id)
    })
    .flatten()
}

/// Forgets a leak-tracked object (it was released).
pub(crate) fn untrack(id: Option<u64>) {
    if let Some(id) = id {
        try_with(|ctx| ctx.st.borrow_mut().tracked.remove(&id));
    }
}
