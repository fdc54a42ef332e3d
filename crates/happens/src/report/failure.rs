//! What went wrong in an execution, as data: [`FailureKind`] says what
//! happened with thread numbers, event indices and the source locations
//! the program's operations were called at, and [`Failure`] carries it
//! with the rendered why-chain, trace, diagram and replay key of the
//! failing execution. Nothing here is put in words: `display.rs` renders a
//! failure (through `names.rs`), so what detection finds and how it reads
//! stay apart.

use std::panic::Location;

use crate::rt::State;

/// An object of the program: the modelled location an atomic, a lock, an
/// `UnsafeCell` or a channel keeps its state in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Object {
    /// The engine's number of its location.
    pub loc: usize,
    /// What it is and where it was created (`None` for a location the
    /// runtime did not create).
    pub origin: Option<Origin>,
}

/// The type of an object and where the program created it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Origin {
    /// Its type, e.g. `AtomicUsize`.
    pub kind: &'static str,
    pub created: &'static Location<'static>,
}

impl Object {
    /// The object of location `l` in this execution.
    pub(crate) fn of(st: &State, l: happens_engine::LocId) -> Object {
        let origin = st.locs.get(l.index()).copied().flatten().map(|i| Origin {
            kind: i.kind.name,
            created: i.created,
        });
        Object {
            loc: l.0 as usize,
            origin,
        }
    }
}

/// Where a panic was raised: std's location of it, copied (the panic
/// hook only lends it), or the call site of the thread's last operation
/// before an abort.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PanicLocation {
    pub file: String,
    pub line: u32,
    pub column: u32,
}

impl PanicLocation {
    pub(crate) fn of(l: &Location<'_>) -> PanicLocation {
        PanicLocation {
            file: l.file().to_string(),
            line: l.line(),
            column: l.column(),
        }
    }
}

/// Whether an access reads or writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AccessKind {
    Read,
    Write,
}

/// One memory access named in a failure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Access {
    /// Engine thread index (0 is the main thread).
    pub thread: usize,
    /// Index of the access's event in its thread.
    pub index: usize,
    pub kind: AccessKind,
    /// The object accessed.
    pub target: Object,
    /// The call site of the access, if known.
    pub at: Option<&'static Location<'static>>,
}

/// What a deadlocked thread waits for.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum WaitsFor {
    /// A blocking primitive's state: `what` (e.g. "the lock of") the
    /// object.
    Object { what: &'static str, object: Object },
    /// A value no thread will write, in a spin loop.
    SpinLoop,
    /// A blocking primitive the runtime does not name.
    Primitive,
    /// Another thread to finish (a join).
    Join { thread: usize },
}

/// An operation a thread did, as a nondeterminism names it: what kind
/// (`load`, `store`, `fetch_add`, `compare_exchange`, `spawn`, ...) and
/// its call site.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Did {
    pub what: &'static str,
    pub at: Option<&'static Location<'static>>,
}

/// A thread stuck at the end of a deadlocked execution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Waiter {
    pub thread: usize,
    /// What it waits for.
    pub waits_for: WaitsFor,
    /// Where it waits.
    pub at: Option<&'static Location<'static>>,
    /// Who holds it, if it is a lock: (thread, where it was locked).
    pub held_by: Option<(usize, &'static Location<'static>)>,
}

/// What went wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FailureKind {
    /// A modelled thread panicked (a failed assertion, an `unwrap`...).
    Panic {
        message: String,
        thread: usize,
        /// Where the panic was raised.
        location: Option<PanicLocation>,
    },
    /// Two conflicting accesses, at least one non-atomic, not ordered by
    /// happens-before (why not is the failure's first why-line).
    DataRace { first: Access, second: Access },
    /// No thread can make progress.
    Deadlock { threads: Vec<Waiter> },
    /// Objects still alive when every thread finished.
    Leak {
        what: &'static str,
        allocated: &'static Location<'static>,
    },
    /// A thread exceeded the event bound (`max_branches`) in a loop that
    /// keeps changing memory (or whose rounds all differ).
    LoopBound { thread: usize, bound: usize },
    /// A thread goes round a waiting loop forever: the read at `at` was
    /// read again and again, every time the latest value, and no other
    /// thread could run to change it (`bound` events, `max_branches`).
    Livelock {
        thread: usize,
        at: Option<&'static Location<'static>>,
        bound: usize,
    },
    /// A modelled thread used up its stack (`Builder::stack_size`, whose
    /// default is 1 MiB): deep or unbounded recursion. `last_at` is the
    /// call site of its last operation.
    StackOverflow {
        thread: usize,
        stack_size: usize,
        last_at: Option<&'static Location<'static>>,
    },
    /// A modelled thread read or wrote memory it may not (`SIGSEGV` away
    /// from its stack: a dangling or null pointer in unsafe code).
    InvalidAccess {
        thread: usize,
        address: usize,
        last_at: Option<&'static Location<'static>>,
    },
    /// The program did something else when re-run with the same values: it
    /// depends on something outside the model (time, randomness, I/O,
    /// unmodelled shared state). `before` is what the thread did at that
    /// point when the execution was first made, `now` what it does there
    /// now; both `None` when the engine found no consistent way on (a bug
    /// of the engine or a model, reported the same way), which `detail`
    /// says.
    Nondeterminism {
        thread: usize,
        before: Option<Did>,
        now: Option<Did>,
        detail: String,
    },
    /// A modelled object (an atomic, a lock, an `UnsafeCell`) used after it
    /// was dropped, or dropped twice: its memory freed while another thread
    /// could still reach it (a node popped and freed while another thread
    /// reads its `next`). The thread stops at the use, before the
    /// allocator sees it.
    UseAfterFree {
        thread: usize,
        object: Object,
        /// Dropped a second time (a double free), not used.
        twice: bool,
        /// The call site of the use; of a second drop, the call site of the
        /// thread's last operation before it.
        at: Option<&'static Location<'static>>,
        /// The thread that dropped it, and the call site of that thread's
        /// last operation before.
        dropped_by: usize,
        dropped_after: Option<&'static Location<'static>>,
    },
}

impl FailureKind {
    /// A short description: "panic", "data race", "deadlock", "leak",
    /// "loop bound", "livelock", "stack overflow", "invalid memory
    /// access", "use after free", "double free", "nondeterminism".
    pub fn name(&self) -> &'static str {
        match self {
            FailureKind::Panic { .. } => "panic",
            FailureKind::DataRace { .. } => "data race",
            FailureKind::Deadlock { .. } => "deadlock",
            FailureKind::Leak { .. } => "leak",
            FailureKind::LoopBound { .. } => "loop bound",
            FailureKind::Livelock { .. } => "livelock",
            FailureKind::StackOverflow { .. } => "stack overflow",
            FailureKind::InvalidAccess { .. } => "invalid memory access",
            FailureKind::UseAfterFree { twice: false, .. } => "use after free",
            FailureKind::UseAfterFree { twice: true, .. } => "double free",
            FailureKind::Nondeterminism { .. } => "nondeterminism",
        }
    }
}

/// One event of the failing execution's trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceEvent {
    pub thread: usize,
    /// Index of the event in its thread.
    pub index: usize,
    pub what: String,
    pub at: Option<String>,
}

/// A failure found by the model checker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub kind: FailureKind,
    /// Why, in memory-model words: for a data race, why no happens-before
    /// orders the two accesses; for a failed assertion, each read of the
    /// failing thread that did not read the latest write to its location,
    /// and why that write does not happen before it.
    pub why: Vec<String>,
    /// The failing execution's events, in the order they were added.
    pub trace: Vec<TraceEvent>,
    /// The replay key of this execution (the engine's `ReplayKey` text,
    /// `h1/...`): `HAPPENS_REPLAY=<key>` runs it first.
    pub replay: String,
    /// 1-based index of the failing execution (1 when replayed).
    pub execution: u64,
    /// A diagram of the execution (unless turned off with
    /// [`crate::model::Builder::diagram`]).
    pub diagram: Option<String>,
}

impl Failure {
    /// A short description of the failure kind ([`FailureKind::name`]).
    pub fn kind_name(&self) -> &'static str {
        self.kind.name()
    }
}
