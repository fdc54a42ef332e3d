//! Compact event labels: the one place where an event's box text is
//! written, the way the seed notes write it.
//!
//! | event                         | named form                   | column form               |
//! |-------------------------------|------------------------------|---------------------------|
//! | atomic store                  | `x = 1 rlx`                  | `store 1 rlx`             |
//! | non-atomic store              | `x = 1`                      | `write 1`                 |
//! | atomic load into `r0`         | `r0 = y acq → 0`             | `r0 = load acq → 0`       |
//! | non-atomic read               | `y → 0`                      | `read → 0`                |
//! | read-modify-write             | `fetch_add 1 acqrel → 3`     | `fetch_add 1 acqrel → 3`  |
//! | its write half                | `↳ x = 4`                    | `↳ 4`                     |
//! | compare-exchange (succeeded)  | `cas 0→1 acq`                | `cas 0→1 acq`             |
//! | compare-exchange (failed)     | `cas 0→1 acq → 2 ✗`          | `cas 0→1 acq → 2 ✗`       |
//! | fence                         | `fence sc`                   | `fence sc`                |
//!
//! Orderings are abbreviated `rlx`, `acq`, `rel`, `acqrel`, `sc`; a
//! non-atomic access has none. A compare-exchange shows its success
//! ordering, followed by `/` and its failure ordering when that is not the
//! one C++ derives from the success ordering (`cas 0→1 acq/rlx`). The named
//! form names the location of loads and stores; the column form leaves it to
//! the diagram, whose column for the location the box is connected to
//! already names it. A read-modify-write is written like the method call it
//! is, without its location in either form; the box of its write half,
//! right below it, names the location in the named form.
//! Register names (`r0 = …`) come from the front-end
//! ([`crate::Labels::event_dest`]): the graph does not know them.

use happens_engine::{
    BlockReason, EventId, EventKind, FenceOrd, Graph, LoadOrd, LocId, ReadAccess, RmwOrd, StoreOrd,
    ThreadId, WriteKind,
};

use crate::view::fmt_val;

/// Which form a compact label takes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Form {
    /// Leave the location out (`store 1 rel`): for diagrams that connect
    /// each access to a column of its location.
    pub columns: bool,
    /// ASCII only: `->` for `→` and `↳`, `failed` for `✗`.
    pub ascii: bool,
}

/// How a compact label names the things an event refers to.
pub struct Names<'a> {
    /// Display name of a location.
    pub loc: &'a dyn Fn(LocId) -> String,
    /// Display name of a thread.
    pub thread: &'a dyn Fn(ThreadId) -> String,
}

/// `rlx`, `acq`, `sc`; `None` for a non-atomic read.
pub fn load_ord(o: LoadOrd) -> Option<&'static str> {
    match o {
        LoadOrd::NonAtomic => None,
        LoadOrd::Relaxed => Some("rlx"),
        LoadOrd::Acquire => Some("acq"),
        LoadOrd::SeqCst => Some("sc"),
    }
}

/// `rlx`, `rel`, `sc`; `None` for a non-atomic write.
pub fn store_ord(o: StoreOrd) -> Option<&'static str> {
    match o {
        StoreOrd::NonAtomic => None,
        StoreOrd::Relaxed => Some("rlx"),
        StoreOrd::Release => Some("rel"),
        StoreOrd::SeqCst => Some("sc"),
    }
}

/// `rlx`, `acq`, `rel`, `acqrel`, `sc`.
pub fn rmw_ord(o: RmwOrd) -> &'static str {
    match o {
        RmwOrd::Relaxed => "rlx",
        RmwOrd::Acquire => "acq",
        RmwOrd::Release => "rel",
        RmwOrd::AcqRel => "acqrel",
        RmwOrd::SeqCst => "sc",
    }
}

/// `acq`, `rel`, `acqrel`, `sc`.
pub fn fence_ord(o: FenceOrd) -> &'static str {
    match o {
        FenceOrd::Acquire => "acq",
        FenceOrd::Release => "rel",
        FenceOrd::AcqRel => "acqrel",
        FenceOrd::SeqCst => "sc",
    }
}

/// ` rlx` (with its leading space), or nothing for a non-atomic access.
fn suffix(o: Option<&str>) -> String {
    o.map_or_else(String::new, |o| format!(" {o}"))
}

/// The compact label of event `e` of `g` (see the module documentation).
/// `dest` is the register the value read goes to, if the source names one.
pub fn compact(g: &Graph, e: EventId, dest: Option<&str>, names: &Names<'_>, form: Form) -> String {
    let arrow = if form.ascii { "->" } else { "→" };
    match *g.kind(e) {
        EventKind::Read(r) => {
            let dest = dest.map_or_else(String::new, |d| format!("{d} = "));
            let val = fmt_val(r.val);
            match r.access {
                ReadAccess::Load => {
                    let what = match (form.columns, r.ord.is_atomic()) {
                        (false, _) => (names.loc)(r.loc),
                        (true, true) => "load".to_string(),
                        (true, false) => "read".to_string(),
                    };
                    format!("{dest}{what}{} {arrow} {val}", suffix(load_ord(r.ord)))
                }
                ReadAccess::Rmw { op, ord } => format!(
                    "{dest}{} {} {} {arrow} {val}",
                    op.name(),
                    fmt_val(op.operand),
                    rmw_ord(ord)
                ),
                ReadAccess::Cas {
                    expected,
                    new,
                    success,
                    failure,
                    weak,
                } => {
                    let mut ord = rmw_ord(success).to_string();
                    if failure != success.load() {
                        ord.push('/');
                        ord.push_str(load_ord(failure).unwrap_or("na"));
                    }
                    let mut s = format!(
                        "{dest}{} {}{arrow}{} {ord}",
                        if weak { "cas_weak" } else { "cas" },
                        fmt_val(expected),
                        fmt_val(new),
                    );
                    if !r.is_exclusive() {
                        let failed = if form.ascii { "failed" } else { "✗" };
                        s.push_str(&format!(" {arrow} {val} {failed}"));
                    }
                    s
                }
            }
        }
        EventKind::Write(w) => {
            let v = fmt_val(w.val);
            let x = (names.loc)(w.loc);
            match (w.kind, form.columns) {
                (WriteKind::Rmw, _) => {
                    let hook = if form.ascii { "->" } else { "↳" };
                    if form.columns {
                        format!("{hook} {v}")
                    } else {
                        format!("{hook} {x} = {v}")
                    }
                }
                (WriteKind::Alloc, false) => format!("{x} = {v}"),
                (WriteKind::Alloc, true) => format!("new {v}"),
                (WriteKind::Store, false) => format!("{x} = {v}{}", suffix(store_ord(w.ord))),
                (WriteKind::Store, true) => match store_ord(w.ord) {
                    Some(o) => format!("store {v} {o}"),
                    None => format!("write {v}"),
                },
            }
        }
        EventKind::Fence(f) => format!("fence {}", fence_ord(f)),
        EventKind::Spawn { child } => format!("spawn {}", (names.thread)(child)),
        EventKind::Join { child } => format!("join {}", (names.thread)(child)),
        EventKind::Block(BlockReason::Spin) => "blocked (spin)".to_string(),
        EventKind::Block(BlockReason::Assume) => "blocked (assume)".to_string(),
        EventKind::Fail => "failed".to_string(),
        EventKind::Start { .. } => "start".to_string(),
        EventKind::Finish => "finish".to_string(),
    }
}
