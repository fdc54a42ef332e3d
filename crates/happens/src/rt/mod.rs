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
use happens_engine::{BlockReason, Issue, LocId, Made, Op, Reply};

pub(crate) use prealloc::{Key, Known, What};
pub(crate) use runtime::{Runtime, STACK_SIZE};
pub(crate) use slot::Slot;
use waiting::Hold;
pub(crate) use waiting::Sig;

mod freed;
mod issue;
pub(crate) use freed::{dropped, dropped_here, AddrHash};
pub(crate) use issue::{event_at, op, record_end, site_loc};

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
    pub yielder: *const Yielder<(Reply, Made), Issue>,
    /// What each of its events was, for the waiting rule (see
    /// [`waiting`]): one per event of the thread in the graph, as the
    /// engine's replies say how many an operation became.
    pub sigs: Vec<Sig>,
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
    fn new() -> Self {
        ThreadState {
            yielder: std::ptr::null(),
            sigs: Vec::new(),
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
        let next = th.sigs.len() as u32;
        th.bookkeeping.push(next);
    })
}

/// The current epoch (a per-execution number, unique in the process).
pub(crate) fn epoch() -> u64 {
    with(|c| c.st.borrow().epoch)
}

impl ThreadState {
    /// The call site of its latest operation that has one.
    pub fn last_at(&self) -> Option<Loc> {
        self.sigs.iter().rev().find_map(|s| s.at)
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

/// Blocks the current thread for the rest of this execution.
pub(crate) fn block(at: Loc) -> ! {
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
    block(at)
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
