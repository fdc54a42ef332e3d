//! What went wrong in an execution, and how it is shown to the user.
//!
//! A [`Failure`] is structured ([`FailureKind`] says what happened, with
//! threads and source locations) and carries the trace of the failing
//! execution, a diagram of it (`happens-render`'s terminal diagram, see
//! `diagram.rs`; [`crate::model::Builder::diagram`] turns it off) and its
//! replay key. Its `Display` is the one place where a failure is rendered.

use std::fmt;

/// One memory access named in a failure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Access {
    /// Engine thread index (0 is the main thread).
    pub thread: usize,
    /// `"read"` or `"write"`.
    pub kind: &'static str,
    /// The location accessed, e.g. ``UnsafeCell created at src/lib.rs:10:5``.
    pub target: String,
    /// `file:line:column` of the access, if known.
    pub at: Option<String>,
}

/// How reports name engine thread `t`: the main thread (`main` in the
/// diagrams) runs the model closure; the others are `thread N`.
pub(crate) fn who(t: usize) -> String {
    if t == 0 {
        "the main thread".to_string()
    } else {
        format!("thread {t}")
    }
}

impl fmt::Display for Access {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} of {} by {}",
            self.kind,
            self.target,
            who(self.thread)
        )?;
        if let Some(at) = &self.at {
            write!(f, " at {at}")?;
        }
        Ok(())
    }
}

/// A thread stuck at the end of a deadlocked execution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Waiter {
    pub thread: usize,
    /// What it waits for, e.g. "mutex created at src/x.rs:3:9".
    pub waits_for: String,
    /// Where it waits.
    pub at: Option<String>,
    /// Who holds it, if it is a lock: (thread, where it was locked).
    pub held_by: Option<(usize, String)>,
}

/// What went wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FailureKind {
    /// A modelled thread panicked (a failed assertion, an `unwrap`...).
    Panic {
        message: String,
        thread: usize,
        location: Option<String>,
    },
    /// Two conflicting accesses, at least one non-atomic, not ordered by
    /// happens-before.
    DataRace {
        first: Access,
        second: Access,
        /// Why no happens-before orders them, in memory-model words.
        why: String,
    },
    /// No thread can make progress.
    Deadlock { threads: Vec<Waiter> },
    /// Objects still alive when every thread finished.
    Leak { what: String, allocated: String },
    /// A thread exceeded the event bound (`max_branches`) in a loop that
    /// keeps changing memory (or whose rounds all differ).
    LoopBound { thread: usize, bound: usize },
    /// A thread goes round a waiting loop forever: the read at `at` was
    /// read again and again, every time the latest value, and no other
    /// thread could run to change it (`bound` events, `max_branches`).
    Livelock {
        thread: usize,
        at: Option<String>,
        bound: usize,
    },
    /// A modelled thread used up its stack (`Builder::stack_size`, whose
    /// default is 1 MiB): deep or unbounded recursion. `last_at` is the
    /// call site of its last operation.
    StackOverflow {
        thread: usize,
        stack_size: usize,
        last_at: Option<String>,
    },
    /// A modelled thread read or wrote memory it may not (`SIGSEGV` away
    /// from its stack: a dangling or null pointer in unsafe code).
    InvalidAccess {
        thread: usize,
        address: usize,
        last_at: Option<String>,
    },
    /// The program did something else when re-run with the same values: it
    /// depends on something outside the model (time, randomness, I/O,
    /// unmodelled shared state).
    Nondeterminism { thread: usize, detail: String },
    /// A modelled object (an atomic, a lock, an `UnsafeCell`) used after it
    /// was dropped, or dropped twice: its memory freed while another thread
    /// could still reach it (a node popped and freed while another thread
    /// reads its `next`). The thread stops at the use, before the
    /// allocator sees it.
    UseAfterFree {
        thread: usize,
        /// Its kind and where it was created.
        object: String,
        /// Dropped a second time (a double free), not used.
        twice: bool,
        /// The call site of the use; of a second drop, the call site of the
        /// thread's last operation before it.
        at: Option<String>,
        /// The thread that dropped it, and the call site of that thread's
        /// last operation before.
        dropped_by: usize,
        dropped_after: Option<String>,
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
    /// Why, in memory-model words: for a failed assertion, each read of the
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

    /// The headline without trace, diagram and replay key.
    pub fn headline(&self) -> String {
        match &self.kind {
            FailureKind::Panic {
                message,
                thread,
                location,
            } => {
                let at = location
                    .as_deref()
                    .map(|l| format!(" at {l}"))
                    .unwrap_or_default();
                format!("{} panicked{at}: {message}", who(*thread))
            }
            FailureKind::DataRace { first, second, why } => {
                let why = wrap(&format!("  why: {why}"), 100, "       ");
                format!("data race between the {first}\n  and the {second}\n{why}")
            }
            FailureKind::Deadlock { threads } => {
                let mut s = String::from("deadlock; no thread can make progress:");
                for w in threads {
                    s.push_str(&format!("\n  {} waits for {}", who(w.thread), w.waits_for));
                    if let Some(at) = &w.at {
                        s.push_str(&format!(" at {at}"));
                    }
                    if let Some((t, at)) = &w.held_by {
                        s.push_str(&format!(", held by {} (locked at {at})", who(*t)));
                    }
                }
                s
            }
            FailureKind::Leak { what, allocated } => {
                format!("leak: {what} allocated at {allocated} was never released")
            }
            FailureKind::LoopBound { thread, bound } => format!(
                "{} exceeded {bound} events (max_branches): a loop that can go round \
                 without end, no round repeating an earlier one (each changes memory, or \
                 the thread's own state, such as a count of its rounds), so it is explored \
                 round by round; bound the loop, or raise max_branches if it ends later",
                who(*thread)
            ),
            FailureKind::Livelock { thread, at, bound } => format!(
                "livelock: {} waits forever in the loop at {}: it read the latest value of \
                 everything the loop reads, and no other thread can run to change it \
                 (stopped after {bound} events, max_branches)",
                who(*thread),
                at.as_deref().unwrap_or("an unknown location")
            ),
            FailureKind::StackOverflow {
                thread,
                stack_size,
                last_at,
            } => format!(
                "{} overflowed its stack ({} KiB; raise it with `Builder::stack_size`){}",
                who(*thread),
                stack_size / 1024,
                last_op(last_at)
            ),
            FailureKind::InvalidAccess {
                thread,
                address,
                last_at,
            } => format!(
                "{} made an invalid memory access at address {address:#x}{}",
                who(*thread),
                last_op(last_at)
            ),
            FailureKind::UseAfterFree {
                thread,
                object,
                twice,
                at,
                dropped_by,
                dropped_after,
            } => {
                let when = match dropped_after {
                    Some(a) => {
                        format!("{} dropped it after its operation at {a}", who(*dropped_by))
                    }
                    None => format!("{} dropped it", who(*dropped_by)),
                };
                if *twice {
                    format!(
                        "double free: {} dropped {object} a second time{}, after {when}",
                        who(*thread),
                        last_op(at)
                    )
                } else {
                    format!(
                        "use after free: {} used {object} at {}, after {when} (its memory \
                         freed while this thread could still reach it)",
                        who(*thread),
                        at.as_deref().unwrap_or("an unknown location")
                    )
                }
            }
            FailureKind::Nondeterminism { thread, detail } => {
                format!(
                    "nondeterminism: {} did something else when re-run: {detail} \
                     (a test must do the same with the same values; if it compares \
                     addresses of freed allocations, `happens::alloc::Fresh` as the \
                     global allocator keeps them apart)",
                    who(*thread)
                )
            }
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.headline())?;
        for w in &self.why {
            writeln!(f, "{}", wrap(&format!("  why: {w}"), 100, "       "))?;
        }
        writeln!(f)?;
        // 0: a shard's failure, which only the merge numbers
        if self.execution == 0 {
            writeln!(f, "trace (events in the order they happened):")?;
        } else {
            writeln!(
                f,
                "trace of execution {} (events in the order they happened):",
                self.execution
            )?;
        }
        for e in &self.trace {
            write!(f, "  T{} #{:<3} {}", e.thread, e.index, e.what)?;
            if let Some(at) = &e.at {
                write!(f, "  [{at}]")?;
            }
            writeln!(f)?;
        }
        if let Some(d) = &self.diagram {
            writeln!(f)?;
            writeln!(f, "{d}")?;
        }
        writeln!(f)?;
        // quoted: the key contains `<`
        write!(f, "replay with HAPPENS_REPLAY='{}'", self.replay)
    }
}

impl std::error::Error for Failure {}

/// Breaks `text` into lines of at most `width` columns at spaces, the
/// lines after the first starting with `indent`.
fn wrap(text: &str, width: usize, indent: &str) -> String {
    let body = text.trim_start();
    let mut out = String::new();
    let mut line = text[..text.len() - body.len()].to_string();
    let mut first = true;
    for word in body.split(' ') {
        let len = line.chars().count();
        if !first && len + 1 + word.chars().count() > width {
            out.push_str(line.trim_end());
            out.push('\n');
            line = indent.to_string();
        } else if !first {
            line.push(' ');
        }
        line.push_str(word);
        first = false;
    }
    out.push_str(&line);
    out
}

/// "; its last operation was at ...", when it had one.
fn last_op(at: &Option<String>) -> String {
    at.as_deref()
        .map(|l| format!("; its last operation was at {l}"))
        .unwrap_or_default()
}
