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
//! The waiting rule ([`waiting`], [`went_round`]) recognises loops that
//! wait by what they do: see "Waiting loops" in the crate docs.

mod prealloc;
mod runtime;
mod slot;

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::panic::Location;

use corosensei::Yielder;
use happens_engine::{BlockReason, LocId, Op, Reply};

pub(crate) use prealloc::{Key, Known, What};
pub(crate) use runtime::{Runtime, STACK_SIZE};
pub(crate) use slot::Slot;

pub(crate) type Loc = &'static Location<'static>;

thread_local! {
    /// The context of the execution running on this OS thread (null outside).
    static CONTEXT: Cell<*const Context> = const { Cell::new(std::ptr::null()) };
}

/// What a location is, for messages.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LocInfo {
    pub kind: &'static str,
    pub created: Loc,
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
    /// Rounds of a waiting loop gone in a row, since the thread last changed
    /// memory.
    pub rounds: u32,
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
}

/// One event of a thread as the waiting rule compares them: the operation
/// (with its operands), where it was issued, the value it read or wrote,
/// and whether it changed memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Sig {
    pub at: Option<Loc>,
    pub op: Option<Op>,
    pub val: u64,
    pub writes: bool,
    /// A weak compare-exchange that failed although the value matched.
    pub spurious: bool,
}

impl Sig {
    const START: Sig = Sig {
        at: None,
        op: None,
        val: 0,
        writes: true,
        spurious: false,
    };
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
            name: None,
            waiting: None,
            woke_spuriously: false,
            locals: Vec::new(),
            pending_spawn: None,
        }
    }
}

/// A panic caught in a modelled thread.
#[derive(Clone, Debug)]
pub(crate) struct CaughtPanic {
    pub message: String,
    /// `file:line:column` of the panic.
    pub location: Option<String>,
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
    /// Whether a thread waits when it repeats an iteration (see [`waiting`]).
    pub wait_rule: bool,
    /// Whether condvar waits and parks may wake spuriously
    /// (`Builder::spurious_wakeups`).
    pub spurious: bool,
    /// Keys used by some execution of this exploration that were not
    /// pre-allocated: the exploration must start again.
    pub discovered: Vec<(Key, What)>,
    /// Set while the main thread runs `lazy_static!` initializers: what they
    /// create lives as long as the execution and is not leak-tracked.
    pub in_static_init: bool,
}

/// The context of one exploration; reset for each execution.
pub(crate) struct Context {
    pub st: RefCell<State>,
    /// Set while the threads left suspended at the end of an execution are
    /// unwound (see `Runtime::teardown`): the execution is over, so the
    /// destructors that run act on the objects' own values, like `std`'s.
    pub tearing_down: Cell<bool>,
}

impl Context {
    pub fn new() -> Self {
        Context {
            tearing_down: Cell::new(false),
            st: RefCell::new(State {
                current: 0,
                threads: Vec::new(),
                panic: None,
                locs: Vec::new(),
                owners: HashMap::new(),
                tracked: HashMap::new(),
                next_track: 0,
                statics: Vec::new(),
                epoch: 0,
                known: Known::default(),
                bound: HashMap::new(),
                wait_rule: true,
                spurious: false,
                discovered: Vec::new(),
                in_static_init: false,
            }),
        }
    }
}

/// Runs `f` with the current execution's context, if there is one.
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

/// The current epoch (a per-execution number, unique in the process).
pub(crate) fn epoch() -> u64 {
    with(|c| c.st.borrow().epoch)
}

/// Issues `op` for the current thread and returns the engine's reply. A
/// read that would start a third identical iteration of a loop first waits
/// (see [`waiting`]).
pub(crate) fn op(op: Op, at: Loc) -> Reply {
    if tearing_down() {
        return teardown_reply(op);
    }
    // a blocking step records as the access it makes
    let plain = match op {
        Op::Await { loc, then, .. } => then.op(loc),
        op => op,
    };
    with(|ctx| {
        let (y, wait) = {
            let mut st = ctx.st.borrow_mut();
            let rule = st.wait_rule;
            let cur = st.current;
            let th = &mut st.threads[cur];
            let wait = if rule {
                waiting(&th.sigs, op, at)
            } else {
                None
            };
            let wait = wait.map(|from| {
                th.rounds += 1;
                (from, th.rounds)
            });
            (th.yielder, wait)
        };
        // SAFETY: the yielder of the running coroutine lives on its stack,
        // which is suspended here only by this very call.
        let yielder = unsafe { &*y };
        if let Some((from, spins)) = wait {
            yielder.suspend(Op::Wait { from, spins });
        }
        // the event is recorded before the thread suspends: an execution
        // that stops at it (a data race) still names its source line
        let idx = {
            let mut st = ctx.st.borrow_mut();
            let cur = st.current;
            let th = &mut st.threads[cur];
            let idx = th.sigs.len();
            let halves = if matches!(plain, Op::Rmw { .. }) {
                2
            } else {
                1
            };
            for _ in 0..halves {
                th.event_locs.push(Some(at));
                th.sigs.push(Sig {
                    at: Some(at),
                    op: None,
                    val: 0,
                    writes: !matches!(plain, Op::Load { .. } | Op::Fence(_)),
                    spurious: false,
                });
            }
            th.events += halves as u32;
            idx
        };
        let reply = yielder.suspend(op);
        let mut st = ctx.st.borrow_mut();
        let cur = st.current;
        let th = &mut st.threads[cur];
        let read = reply.val().unwrap_or(0);
        let (val, writes, write_half) = match (plain, reply) {
            (Op::Store { val, .. }, _) => (val, true, None),
            (Op::Alloc { init, .. }, _) => (init, true, None),
            (Op::Load { .. }, _) => (read, false, None),
            (Op::Rmw { op: rmw, .. }, _) => (read, false, Some(rmw.apply(read))),
            (Op::Cas { new, .. }, Reply::Cas { ok: true, .. }) => (read, false, Some(new)),
            (Op::Cas { .. }, _) => (read, false, None),
            (Op::Fence(_), _) => (0, false, None),
            _ => (0, true, None),
        };
        let spurious = matches!((plain, reply),
            (Op::Cas { expected, .. }, Reply::Cas { old, ok: false }) if old == expected);
        th.sigs[idx] = Sig {
            at: Some(at),
            op: Some(op),
            val,
            writes,
            spurious,
        };
        if writes || write_half.is_some_and(|new| new != read) {
            th.rounds = 0;
        }
        if let Some(new) = write_half {
            // an RMW that wrote back the value it read (a test-and-set
            // `swap` on a held lock) changed nothing
            let half = Sig {
                at: Some(at),
                op: None,
                val: new,
                writes: new != read,
                spurious: false,
            };
            if matches!(plain, Op::Rmw { .. }) {
                th.sigs[idx + 1] = half;
            } else {
                th.event_locs.push(Some(at));
                th.sigs.push(half);
                th.events += 1;
            }
        }
        reply
    })
}

/// Whether two reads are the same operation for the waiting rule: the same
/// kind of access to the same location with the same orderings, and for a
/// read-modify-write the same operand. A compare-exchange's values may
/// differ: a retry loop carries the value it read last into the next try.
fn same_read(a: Op, b: Op) -> bool {
    match (a, b) {
        (Op::Load { loc, ord }, Op::Load { loc: l, ord: o }) => loc == l && ord == o,
        (
            Op::Rmw { loc, op, ord },
            Op::Rmw {
                loc: l,
                op: p,
                ord: o,
            },
        ) => loc == l && op == p && ord == o,
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
        _ => false,
    }
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
        Op::Alloc { .. } | Op::Spawn | Op::Block(_) | Op::Fail => {
            eprintln!(
                "happens: a destructor run after its execution ended tried to {op:?}; \
                 the test cannot go on"
            );
            std::process::abort()
        }
    }
}

/// How far back (in events) the waiting rule looks for the previous round
/// of a loop: rounds of waiting loops are short, and a bounded look keeps
/// every operation cheap in long straight-line code.
const MAX_ROUND: usize = 256;

/// Whether two events were issued at the same call site (line and column
/// first: cheap, and almost always decisive).
fn same_site(a: Option<Loc>, b: Option<Loc>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => {
            a.line() == b.line()
                && a.column() == b.column()
                && (std::ptr::eq(a, b) || a.file() == b.file())
        }
        _ => false,
    }
}

fn is_read(op: Op) -> bool {
    matches!(op, Op::Load { .. } | Op::Rmw { .. } | Op::Cas { .. })
}

/// The waiting rule. A thread about to issue the read `op` at `at` *goes
/// round a loop* when it issued the same read at the same call site before
/// and has changed nothing since (no store, no RMW that wrote another value
/// than it read, no allocation, spawn or join). It then waits
/// ([`Op::Wait`]) before issuing it: the engine runs other threads first,
/// and lets it run on when they are done or waiting too (see the engine's
/// `Op::Wait` for when that ends the execution instead). Returns the index
/// of the earlier issue (the caller counts the rounds).
///
/// `yield_now`, `spin_loop` and `sleep` are not operations: a loop is
/// recognised by what it does, with or without them, and a hint never makes
/// a thread wait by itself.
fn waiting(sigs: &[Sig], op: Op, at: Loc) -> Option<u32> {
    if !is_read(op) {
        return None;
    }
    let lo = sigs.len().saturating_sub(MAX_ROUND);
    for (j, s) in sigs.iter().enumerate().skip(lo).rev() {
        if s.writes {
            return None;
        }
        if same_site(s.at, Some(at)) && s.op.is_some_and(|o| same_read(o, op)) {
            return Some(j as u32);
        }
    }
    None
}

/// Where a thread that ran into the event bound went round a waiting loop:
/// the call site of its last read, if it issued the same read before with
/// no change to memory since.
pub(crate) fn waiting_loop(sigs: &[Sig]) -> Option<Loc> {
    let (i, last) = sigs
        .iter()
        .enumerate()
        .rev()
        .find(|(_, s)| s.op.is_some_and(is_read))?;
    let op = last.op?;
    let at = last.at?;
    let before = &sigs[i.saturating_sub(MAX_ROUND)..i];
    let prev = before
        .iter()
        .rev()
        .take_while(|s| !s.writes)
        .any(|s| same_site(s.at, Some(at)) && s.op.is_some_and(|o| same_read(o, op)));
    prev.then_some(at)
}

/// Whether a thread went round a loop for nothing: two issues of the same
/// read at the same call site with no change to memory in between, where
/// the first was a read-modify-write or compare-exchange (a failed try) or
/// read another value than the second (a load that saw the loop must go
/// on). The round between them only waited, and GenMC's *spin-assume*
/// makes such an execution a blocked one; the execution where the first
/// read already read what made the loop end is explored too. Such an
/// execution is not counted as one of its own, but it is checked for errors
/// like any other.
pub(crate) fn went_round(sigs: &[Sig]) -> bool {
    // the reads issued since the last change to memory
    let mut since_write: Vec<usize> = Vec::new();
    for (i, s) in sigs.iter().enumerate() {
        if s.writes {
            since_write.clear();
            continue;
        }
        let Some(op) = s.op.filter(|&o| is_read(o)) else {
            continue;
        };
        let prev = since_write
            .iter()
            .rev()
            .take_while(|&&p| p + MAX_ROUND >= i)
            .map(|&p| &sigs[p])
            .find(|p| same_site(p.at, s.at) && p.op.is_some_and(|o| same_read(o, op)));
        if let Some(p) = prev {
            if !matches!(op, Op::Load { .. }) || p.val != s.val || p.spurious {
                return true;
            }
        }
        since_write.push(i);
    }
    false
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
pub(crate) fn alloc(init: u64, atomic: bool, kind: &'static str, at: Loc) -> LocId {
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
            kind: "park token",
            created: at,
        },
        at,
    )
}

fn set_loc_info(l: LocId, kind: &'static str, created: Loc) {
    with(|ctx| {
        let mut st = ctx.st.borrow_mut();
        if st.locs.len() <= l.index() {
            st.locs.resize(l.index() + 1, None);
        }
        st.locs[l.index()] = Some(LocInfo { kind, created });
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
