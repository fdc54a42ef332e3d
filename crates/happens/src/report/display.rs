//! How a failure reads: the one `Display` of a [`Failure`] (headline,
//! why-chain, trace, diagram, replay key) and of the parts it names, in
//! the words of `names.rs`.

use std::fmt;
use std::panic::Location;

use super::failure::{Access, AccessKind, Failure, FailureKind, Object, PanicLocation, WaitsFor};
use super::names::{self, place, who};

/// "src/x.rs:3:9".
impl fmt::Display for PanicLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&names::panic_place(self))
    }
}

/// "`AtomicUsize` created at src/x.rs:3:9".
impl fmt::Display for Object {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&names::object_words(self))
    }
}

/// "the lock of `Mutex` created at src/x.rs:3:9", "thread 1 to finish
/// (join)".
impl fmt::Display for WaitsFor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&names::waits_for(self))
    }
}

/// "read" or "write".
impl fmt::Display for AccessKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AccessKind::Read => "read",
            AccessKind::Write => "write",
        })
    }
}

impl fmt::Display for Access {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} of {} by {}",
            self.kind,
            names::object_words(&self.target),
            who(self.thread)
        )?;
        if let Some(at) = self.at {
            write!(f, " at {}", place(at))?;
        }
        Ok(())
    }
}

impl Failure {
    /// The headline without trace, diagram and replay key.
    pub fn headline(&self) -> String {
        match &self.kind {
            FailureKind::Panic {
                message,
                thread,
                location,
            } => {
                let at = location
                    .as_ref()
                    .map(|l| format!(" at {}", names::panic_place(l)))
                    .unwrap_or_default();
                format!("{} panicked{at}: {message}", who(*thread))
            }
            FailureKind::DataRace { first, second } => {
                format!("data race between the {first}\n  and the {second}")
            }
            FailureKind::Deadlock { threads } => {
                let mut s = String::from("deadlock; no thread can make progress:");
                for w in threads {
                    let waits_for = names::waits_for(&w.waits_for);
                    s.push_str(&format!("\n  {} waits for {waits_for}", who(w.thread)));
                    if let Some(at) = w.at {
                        s.push_str(&format!(" at {}", place(at)));
                    }
                    if let Some((t, at)) = w.held_by {
                        s.push_str(&format!(", held by {} (locked at {})", who(t), place(at)));
                    }
                }
                s
            }
            FailureKind::Leak { what, allocated } => {
                let allocated = place(allocated);
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
                at.map_or_else(|| "an unknown location".to_string(), place)
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
                let object = names::object_words(object);
                let when = match dropped_after {
                    Some(a) => format!(
                        "{} dropped it after its operation at {}",
                        who(*dropped_by),
                        place(a)
                    ),
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
                        at.map_or_else(|| "an unknown location".to_string(), place)
                    )
                }
            }
            FailureKind::Nondeterminism {
                thread,
                before,
                now,
                detail,
            } => {
                let what = match (before, now) {
                    (Some(b), Some(n)) => {
                        let at = |d: &super::failure::Did| {
                            d.at.map_or_else(String::new, |l| format!(" at {}", place(l)))
                        };
                        format!(
                            "{}{}, where it did {}{} before",
                            names::a(n.what),
                            at(n),
                            names::a(b.what),
                            at(b)
                        )
                    }
                    _ => detail.clone(),
                };
                format!(
                    "nondeterminism: {} did something else when re-run: {what} \
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
            write!(f, "  {} #{:<3} {}", names::tag(e.thread), e.index, e.what)?;
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
fn last_op(at: &Option<&'static Location<'static>>) -> String {
    at.map(|l| format!("; its last operation was at {}", place(l)))
        .unwrap_or_default()
}
