//! The runtime: runs the user's closures as coroutines and turns every
//! modelled operation into one engine [`Op`].
//!
//! Every modelled thread is a stackful coroutine (`corosensei`) running on
//! the OS thread that called [`crate::model`]. The user-facing types find the
//! current execution through exactly one thread-local, [`CONTEXT`], a pointer
//! to the [`Context`] of the execution being run. An operation records its
//! source location, suspends the coroutine with its `Op`, and returns the
//! engine's [`Reply`] when the explorer resumes the thread.
//!
//! Teardown: when an execution ends with threads still suspended (blocked in
//! a spin loop, waiting on a join), their coroutines are *reset* without
//! unwinding (`force_reset`): no user code runs after the execution is over,
//! so nothing can yield again or double-panic. The objects owned by those
//! suspended frames are leaked (their stacks are reused). This is the
//! documented price of never running user code during teardown.

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
    pub wrote_since_hint: bool,
    /// First event of the current spin iteration.
    pub iter_start: u32,
    pub name: Option<String>,
    /// What the thread waits for when it blocked on a lock.
    pub waiting: Option<(LocId, Loc, &'static str)>,
    /// Per-thread `thread_local!` values, keyed by the key's address.
    pub locals: Vec<(usize, Box<dyn std::any::Any>)>,
    /// The closure of the thread this one is spawning (its `Spawn` waits
    /// for the engine's reply, while other threads may spawn too).
    pub pending_spawn: Option<PendingSpawn>,
    /// Pointers this thread gave a canonical value to.
    pub ptr_seq: u64,
}

impl ThreadState {
    fn new(start_event: bool) -> Self {
        ThreadState {
            yielder: std::ptr::null(),
            events: start_event as u32,
            event_locs: if start_event { vec![None] } else { Vec::new() },
            wrote_since_hint: false,
            iter_start: start_event as u32,
            name: None,
            waiting: None,
            locals: Vec::new(),
            pending_spawn: None,
            ptr_seq: 0,
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
    /// Pointer canonicalization (see [`canon_ptr`]).
    pub ptr_to_canon: HashMap<usize, u64>,
    pub canon_to_ptr: HashMap<u64, usize>,
    /// The keys this exploration pre-allocates (see [`prealloc`]).
    pub known: Known,
    /// Locations of the pre-allocated keys in this execution.
    pub bound: HashMap<Key, LocId>,
    /// Objects created in this execution and used so far, per (site, init).
    pub fresh_seen: HashMap<(usize, &'static str, u64), u32>,
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
}

impl Context {
    pub fn new() -> Self {
        Context {
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
                ptr_to_canon: HashMap::new(),
                canon_to_ptr: HashMap::new(),
                known: Known::default(),
                bound: HashMap::new(),
                fresh_seen: HashMap::new(),
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
    CONTEXT.with(|c| !c.get().is_null())
}

pub(crate) fn set_context(p: *const Context) -> *const Context {
    CONTEXT.with(|c| c.replace(p))
}

/// The current epoch (a per-execution number, unique in the process).
pub(crate) fn epoch() -> u64 {
    with(|c| c.st.borrow().epoch)
}

/// Issues `op` for the current thread and returns the engine's reply.
pub(crate) fn op(op: Op, at: Loc) -> Reply {
    with(|ctx| {
        let y = {
            let mut st = ctx.st.borrow_mut();
            let cur = st.current;
            let th = &mut st.threads[cur];
            th.event_locs.push(Some(at));
            th.events += 1;
            match op {
                Op::Rmw { .. } => {
                    th.event_locs.push(Some(at));
                    th.events += 1;
                }
                Op::Store { .. } => th.wrote_since_hint = true,
                _ => {}
            }
            th.yielder
        };
        // SAFETY: the yielder of the running coroutine lives on its stack,
        // which is suspended here only by this very call.
        let reply = unsafe { &*y }.suspend(op);
        // An RMW that wrote back the value it read (a test-and-set `swap`
        // on a held lock, `fetch_or` of bits already set) changed nothing:
        // a spin loop around it may block like one around a load.
        if let (Op::Rmw { op: rmw, .. }, Some(old)) = (op, reply.val()) {
            if rmw.apply(old) != old {
                let mut st = ctx.st.borrow_mut();
                let cur = st.current;
                st.threads[cur].wrote_since_hint = true;
            }
        }
        if let Reply::Cas { ok: true, .. } = reply {
            let mut st = ctx.st.borrow_mut();
            let cur = st.current;
            let th = &mut st.threads[cur];
            th.event_locs.push(Some(at));
            th.events += 1;
            th.wrote_since_hint = true;
        }
        reply
    })
}

/// Blocks the current thread for the rest of this execution. The iteration
/// whose reads decide whether the block is real starts at `iter_start`.
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

/// A spin-loop hint (`yield_now`, `spin_loop`): blocks the thread when it
/// wrote nothing since its previous hint.
pub(crate) fn spin_hint(at: Loc) {
    if !in_model() {
        return;
    }
    let block_now = with(|ctx| {
        let mut st = ctx.st.borrow_mut();
        let cur = st.current;
        let th = &mut st.threads[cur];
        if th.wrote_since_hint {
            th.wrote_since_hint = false;
            th.iter_start = th.events;
            false
        } else {
            true
        }
    });
    if block_now {
        block(at, None);
    }
}

/// Allocates a fresh location holding `init` and remembers what it is.
pub(crate) fn alloc(init: u64, kind: &'static str, at: Loc) -> LocId {
    match op(Op::Alloc { init }, at) {
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

/// The key of an object first used in this execution: by address if it
/// outlives executions (`survivor`), else by creation site, initial value
/// and order of first use.
pub(crate) fn object_key(
    addr: usize,
    survivor: bool,
    site: Loc,
    kind: &'static str,
    init: u64,
) -> Key {
    if survivor {
        return Key::Addr(addr);
    }
    let site = site as *const _ as usize;
    with(|ctx| {
        let mut st = ctx.st.borrow_mut();
        let n = st.fresh_seen.entry((site, kind, init)).or_insert(0);
        let k = Key::Fresh {
            site,
            kind,
            init,
            n: *n,
        };
        *n += 1;
        k
    })
}

/// The park token of thread `t` (pre-allocated by the main thread).
pub(crate) fn park_token(t: usize, at: Loc) -> LocId {
    bind(
        Key::Park(t as u32),
        What::Loc {
            init: 0,
            ptr: false,
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
                ptr,
                kind,
                created,
            } => {
                let init = if ptr { canon_ptr(init as usize) } else { init };
                let l = alloc(init, kind, created);
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

/// Addresses within this many bytes after a known pointer are written as
/// that pointer's canonical value plus the offset (tag bits, fields).
const PTR_WINDOW: usize = 16;

/// Heap addresses differ from one run of the program to the next, but the
/// engine replays values exactly. A pointer stored in an `AtomicPtr` is
/// therefore replaced by a canonical value: the id of the thread that first
/// stored it and how many pointers that thread introduced before, shifted
/// left by 4 bits; a pointer up to 15 bytes after a known one is that one's
/// value plus the offset, so low tag bits and small offsets survive. Null
/// stays 0.
pub(crate) fn canon_ptr(p: usize) -> u64 {
    if p == 0 {
        return 0;
    }
    with(|ctx| {
        let mut st = ctx.st.borrow_mut();
        if let Some(&c) = st.ptr_to_canon.get(&p) {
            return c;
        }
        for k in 1..PTR_WINDOW.min(p) {
            if let Some(&c) = st.ptr_to_canon.get(&(p - k)) {
                if c & (PTR_WINDOW as u64 - 1) == 0 {
                    return c + k as u64;
                }
            }
        }
        let cur = st.current;
        let seq = st.threads[cur].ptr_seq;
        st.threads[cur].ptr_seq += 1;
        let c = (1u64 << 62) | ((cur as u64) << 40) | (seq << 4);
        st.ptr_to_canon.insert(p, c);
        st.canon_to_ptr.insert(c, p);
        c
    })
}

/// The pointer of a canonical value (a value that is no pointer's, made by
/// arithmetic beyond the window, comes back as the raw number).
pub(crate) fn uncanon_ptr(c: u64) -> usize {
    if c == 0 {
        return 0;
    }
    let off = c & (PTR_WINDOW as u64 - 1);
    with(|ctx| {
        ctx.st
            .borrow()
            .canon_to_ptr
            .get(&(c - off))
            .map_or(c as usize, |&p| p + off as usize)
    })
}
