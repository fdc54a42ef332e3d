//! The words of a failure: the only place where threads, locations (the
//! objects they belong to), values and the call sites of events are
//! named. Everything that renders a failure (its headline, why-chain,
//! trace and diagram) names things through these functions, so a thread
//! or an object reads the same everywhere.

use std::collections::{BTreeMap, BTreeSet};
use std::panic::Location;

use happens_engine::{EventId, EventKind, Graph, LocId};

use super::failure::{Object, PanicLocation, WaitsFor};
use crate::rt::{Loc, State};

/// How reports name engine thread `t`: the main thread (`main` in the
/// diagrams) runs the model closure; the others are `thread N`.
pub(crate) fn who(t: usize) -> String {
    if t == 0 {
        "the main thread".to_string()
    } else {
        format!("thread {t}")
    }
}

/// How a trace names engine thread `t`, short: `T0`, `T1`.
pub(crate) fn tag(t: usize) -> String {
    format!("T{t}")
}

/// How a diagram names engine thread `t`: its given name, `main`, or
/// `thread N`.
pub(crate) fn thread_name(st: &State, t: usize) -> String {
    match st.threads.get(t).and_then(|th| th.name.clone()) {
        Some(n) => n,
        None if t == 0 => "main".to_string(),
        None => format!("thread {t}"),
    }
}

/// `file:line:column` of a call site, as failures name places.
pub(crate) fn place(l: &Location<'_>) -> String {
    format!("{}:{}:{}", l.file(), l.line(), l.column())
}

/// `file:line:column` of a panic, as of a call site.
pub(crate) fn panic_place(l: &PanicLocation) -> String {
    format!("{}:{}:{}", l.file, l.line, l.column)
}

/// The call site of event `e`: the caller of the operation that made it,
/// if it had one, which the engine keeps on the event (`Event::site`).
/// Every lookup of an event's call site goes through here (an operation a
/// thread is blocked at has no event: the engine gives its site with the
/// blocked thread, [`issued_at`]).
pub(crate) fn site(g: &Graph, e: EventId) -> Option<Loc> {
    crate::rt::event_at(g, e)
}

/// The call site an operation was issued at, from the site the engine
/// keeps for it (see [`site`]).
pub(crate) fn issued_at(s: happens_engine::Site) -> Option<Loc> {
    crate::rt::site_loc(s)
}

/// What kind of operation an event was, as a nondeterminism names it
/// (the operation's own name: `load`, `store`, `fetch_add`, ...).
pub(crate) fn event_word(k: &EventKind) -> &'static str {
    use happens_engine::{ReadAccess, WriteKind};
    match k {
        EventKind::Read(r) => match r.access {
            ReadAccess::Load if !r.ord.is_atomic() => "read",
            ReadAccess::Load => "load",
            ReadAccess::Rmw { op, .. } => op.name(),
            ReadAccess::Cas { .. } => "compare_exchange",
        },
        EventKind::Write(w) => match w.kind {
            WriteKind::Alloc => "allocation",
            WriteKind::Store if w.ord.is_atomic() => "store",
            WriteKind::Store | WriteKind::Rmw => "write",
        },
        EventKind::Fence(_) => "fence",
        EventKind::Spawn { .. } => "spawn",
        EventKind::Start { .. } => "start",
        EventKind::Join { .. } => "join",
        EventKind::Finish => "return",
        EventKind::Block(_) => "wait",
        EventKind::Fail => "panic",
    }
}

/// What kind of operation a thread issued, in the words of
/// [`event_word`].
pub(crate) fn op_word(op: happens_engine::Op) -> &'static str {
    use happens_engine::{Op, Then};
    match op {
        Op::Alloc { .. } => "allocation",
        Op::Load { ord, .. } if !ord.is_atomic() => "read",
        Op::Load { .. }
        | Op::Await {
            then: Then::Load(_),
            ..
        } => "load",
        Op::Store { ord, .. } if !ord.is_atomic() => "write",
        Op::Store { .. } => "store",
        Op::Rmw { op, .. }
        | Op::Await {
            then: Then::Rmw { op, .. },
            ..
        } => op.name(),
        Op::Cas { .. }
        | Op::Await {
            then: Then::Cas { .. },
            ..
        } => "compare_exchange",
        Op::Fence(_) => "fence",
        Op::Spawn { .. } => "spawn",
        Op::Join(_) => "join",
        Op::Block(_) | Op::Wait { .. } => "wait",
        Op::Fail => "panic",
        Op::Finish => "return",
    }
}

/// An operation's name with its article: "a load", "an allocation".
pub(crate) fn a(what: &str) -> String {
    let an = what.starts_with(['a', 'e', 'i', 'o', 'u']);
    format!("{} {what}", if an { "an" } else { "a" })
}

/// Whether a source file is the standard library's (drop glue: a `Drop`
/// run by `drop_in_place`), which no report names.
pub(crate) fn in_std(file: &str) -> bool {
    file.starts_with("/rustc/")
}

/// A file's name without its directories.
fn file_name(file: &str) -> &str {
    file.rsplit(['/', '\\']).next().unwrap_or("")
}

/// The object of location `l` in full (see [`object_words`]).
pub(crate) fn object(st: &State, l: LocId) -> String {
    object_words(&Object::of(st, l))
}
/// An object in full: "`AtomicUsize` created at src/x.rs:3:9".
pub(crate) fn object_words(o: &Object) -> String {
    match o.origin {
        Some(i) => format!("`{}` created at {}", i.kind, place(i.created)),
        None => format!("location {}", o.loc),
    }
}

/// What a deadlocked thread waits for: "the lock of `Mutex` created at
/// src/x.rs:3:9", a spin loop's value, a thread to finish.
pub(crate) fn waits_for(w: &WaitsFor) -> String {
    match w {
        WaitsFor::Object { what, object } => format!("{what} {}", object_words(object)),
        WaitsFor::SpinLoop => "a value that no thread will write (spin loop)".to_string(),
        WaitsFor::Primitive => "a blocking primitive".to_string(),
        // never the main thread, which no thread joins
        WaitsFor::Join { thread } => format!("{} to finish (join)", who(*thread)),
    }
}

/// An object in a why-chain: "`AtomicUsize` (x.rs:3)".
pub(crate) fn object_short(st: &State, l: LocId) -> String {
    match st.locs.get(l.index()).copied().flatten() {
        Some(i) => format!(
            "`{}` ({}:{})",
            i.kind,
            file_name(i.created.file()),
            i.created.line()
        ),
        None => format!("location {}", l.0),
    }
}

/// An object in a trace or a diagram's column head: `AtomicBool@seeds.rs:12`,
/// or `AtomicBool` over `@seeds.rs:12` (`split`), the line as `L12` with
/// `line_only`.
pub(crate) fn object_label(st: &State, l: LocId, line_only: bool, split: bool) -> String {
    match st.locs.get(l.index()).copied().flatten() {
        Some(i) if split => format!("{}\n@{}", i.kind.name, Place::of(i.created).show(line_only)),
        Some(i) => format!("{}@{}", i.kind.name, Place::of(i.created).show(line_only)),
        None => format!("L{}", l.0),
    }
}

/// `file:line` of an event, the file without its directories; `?` if it
/// has no call site.
pub(crate) fn line(g: &Graph, e: EventId) -> String {
    site(g, e)
        .map(|l| format!("{}:{}", file_name(l.file()), l.line()))
        .unwrap_or_else(|| "?".to_string())
}

/// A source position: file and line.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Place<'a> {
    pub file: &'a str,
    pub line: u32,
}

impl<'a> Place<'a> {
    pub fn of(l: &Location<'a>) -> Place<'a> {
        Place {
            file: l.file(),
            line: l.line(),
        }
    }

    /// `seeds.rs:12`, or `L12` with `line_only` (a caption names the
    /// file).
    pub fn show(self, line_only: bool) -> String {
        if line_only {
            format!("L{}", self.line)
        } else {
            format!("{}:{}", file_name(self.file), self.line)
        }
    }
}

/// Where event `e` comes from in the user's source: the operation's
/// caller, or the panic of a failed thread. Operations issued inside the
/// standard library (a `Drop` run by `drop_in_place`) have none.
pub(crate) fn event_place<'a>(st: &'a State, g: &Graph, e: EventId) -> Option<Place<'a>> {
    let place = match (site(g, e), g.kind(e)) {
        (Some(at), _) => Some(Place::of(at)),
        (None, EventKind::Fail) => st
            .panic
            .as_ref()
            .and_then(|(_, p)| p.location.as_ref())
            .map(|l| Place {
                file: &l.file,
                line: l.line,
            }),
        _ => None,
    };
    place.filter(|p| !in_std(p.file))
}

/// How values are written in a failure. A pointer stored in an
/// `AtomicPtr` is named `p1`, `p2`, … in the order the pointers were first
/// written (its address changes from run to run), the null pointer
/// `null`; other values are numbers.
pub(crate) struct Values {
    ptr_locs: BTreeSet<LocId>,
    ptrs: BTreeMap<u64, String>,
}

impl Values {
    pub(crate) fn new(g: &Graph, st: &State) -> Values {
        let ptr_locs: BTreeSet<LocId> = g
            .locations()
            .map(|(l, _)| l)
            .filter(|l| {
                st.locs
                    .get(l.index())
                    .copied()
                    .flatten()
                    .is_some_and(|i| i.kind.name == "AtomicPtr")
            })
            .collect();
        let mut writes: Vec<_> = g
            .events()
            .filter_map(|(_, ev)| match ev.kind {
                EventKind::Write(w) if ptr_locs.contains(&w.loc) && w.val != 0 => {
                    Some((ev.stamp, w.val))
                }
                _ => None,
            })
            .collect();
        writes.sort();
        let mut ptrs = BTreeMap::new();
        for (_, v) in writes {
            let n = ptrs.len() + 1;
            ptrs.entry(v).or_insert_with(|| format!("p{n}"));
        }
        Values { ptr_locs, ptrs }
    }

    /// Whether `l` holds pointers.
    pub(crate) fn is_pointer(&self, l: LocId) -> bool {
        self.ptr_locs.contains(&l)
    }

    /// Value `v` of location `l`.
    pub(crate) fn show(&self, l: LocId, v: u64) -> String {
        if !self.ptr_locs.contains(&l) {
            return v.to_string();
        }
        match self.ptrs.get(&v) {
            _ if v == 0 => "null".to_string(),
            Some(name) => name.clone(),
            None => format!("{v:#x}"),
        }
    }
}
