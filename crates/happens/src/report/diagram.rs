//! The diagram in a failure: the failing execution drawn by
//! `happens-render`'s terminal renderer, labelled with the names the user
//! knows (threads `main`, `thread 1` or their given names; locations by type
//! and where they were created, `AtomicBool@seeds.rs:12`; events by source
//! location and operation, `seeds.rs:40 load acq = 1`) and with the
//! failing events marked (double-line boxes, and a footer line naming them).
//!
//! It draws what explains the failure ([`super::focus`]): the threads with
//! an event that matters, the locations those events touch, and in each
//! drawn thread only those events (`⋮` marks where others were left out); a
//! creation is its location's first value. Values whose write is not drawn
//! carry the line that wrote it (`1@L12`), pointers their names (`p1`). A
//! leak draws the whole execution if it fits. The library's bookkeeping
//! (`Arc`'s reference counts, the fences of dropping an `Arc`) is never
//! drawn.
//!
//! The diagram is kept within [`WIDTH`] columns. When the full labels are
//! too wide, shorter ones are tried: source lines as `L40` with a caption
//! naming the file (when every label is in one file), then compact
//! operation text, then location names on two lines (the renderer itself
//! also tries a tight layout); then threads that only wrote are left out,
//! their writes kept as values. When nothing fits, the failure lists the
//! events that matter, says why there is no diagram and writes the whole
//! execution as an SVG picture (see [`crate::model::Builder::svg_dir`]).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use happens_engine::{EventId, EventKind, Graph, LocId, ReadAccess, ThreadId, WriteKind};
use happens_render::{render_svg, try_render_terminal, Labels, Marks, TermOptions};

use super::failure::FailureKind;
use super::focus;
use super::names::{self, event_place, thread_name, Values};
use crate::rt::State;

/// Maximum width of a diagram, in columns.
pub(crate) const WIDTH: usize = 100;

/// How labels are written.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Style {
    /// `L12` instead of `seeds.rs:12` (the file is named in a caption).
    line_only: bool,
    /// Abbreviated orderings and compact operation text.
    short: bool,
    /// Location names on two lines (`AtomicBool` over `@L12`).
    split: bool,
}

/// The operation of an event, without its location (the diagram connects
/// the event to its location's column). For reads, the renderer appends the
/// value read.
///
/// Labels are written the way the seed notes write them: `load rlx`,
/// `store 42 rel`, `fetch_add 1 acqrel`, `cas 0→1 acq` (`✗` when it
/// failed), `fence sc`; a plain access is `read` or `write`.
fn op_text(g: &Graph, st: &State, vals: &Values, e: EventId, style: Style) -> String {
    use happens_render::label::{fence_ord, load_ord, rmw_ord, store_ord};
    let kind = g.kind(e);
    let is_cell = |l: LocId| {
        st.locs
            .get(l.index())
            .copied()
            .flatten()
            .is_some_and(|i| i.kind.name == "UnsafeCell")
    };
    match *kind {
        EventKind::Read(r) => match r.access {
            ReadAccess::Load if !r.ord.is_atomic() => {
                if is_cell(r.loc) {
                    "read".to_string()
                } else {
                    "unsync_load()".to_string()
                }
            }
            ReadAccess::Load => format!("load {}", load_ord(r.ord).unwrap_or("")),
            ReadAccess::Rmw { op, ord: o } => {
                format!("{} {} {}", op.name(), op.operand, rmw_ord(o))
            }
            ReadAccess::Cas {
                expected,
                new,
                success,
                failure,
                weak,
            } => {
                let name = match (weak, style.short) {
                    (false, _) => "cas",
                    (true, false) => "cas_weak",
                    (true, true) => "cas_w",
                };
                let (expected, new) = (vals.show(r.loc, expected), vals.show(r.loc, new));
                if r.is_exclusive() {
                    format!("{name} {expected}→{new} {}", rmw_ord(success))
                } else {
                    let o = load_ord(failure).unwrap_or("");
                    format!("{name} {expected}→{new} {o} ✗")
                }
            }
        },
        EventKind::Write(w) => match w.kind {
            WriteKind::Alloc => {
                let what = st
                    .locs
                    .get(w.loc.index())
                    .copied()
                    .flatten()
                    .map_or("location", |i| i.kind.name);
                if is_cell(w.loc) {
                    format!("new {what}")
                } else {
                    format!("new {what}({})", vals.show(w.loc, w.val))
                }
            }
            WriteKind::Rmw => format!("↳ writes {}", vals.show(w.loc, w.val)),
            WriteKind::Store if !w.ord.is_atomic() => {
                if is_cell(w.loc) {
                    "write".to_string()
                } else {
                    format!("write {}", vals.show(w.loc, w.val))
                }
            }
            WriteKind::Store => {
                let v = vals.show(w.loc, w.val);
                format!("store {v} {}", store_ord(w.ord).unwrap_or(""))
            }
        },
        EventKind::Fence(f) => format!("fence {}", fence_ord(f)),
        EventKind::Spawn { child } => format!("spawn {}", thread_name(st, child.index())),
        EventKind::Join { child } => format!("join {}", thread_name(st, child.index())),
        EventKind::Block(_) => {
            let ts = &st.threads[e.thread.index()];
            match ts.waiting {
                Some((_, _, what)) => format!("waits for {what}"),
                None => "blocked (spin loop)".to_string(),
            }
        }
        // a failure the runtime found (a stack overflow, a use after
        // free), or else a panic
        EventKind::Fail => st
            .crash
            .as_ref()
            .filter(|k| !matches!(k, FailureKind::Panic { .. }))
            .map_or("panicked", |k| k.name())
            .to_string(),
        EventKind::Start { .. } => "start".to_string(),
        EventKind::Finish => "finish".to_string(),
    }
}

/// Whether the main thread only set the stage so far (created objects and
/// spawned threads): it is then drawn like a litmus test's initial state,
/// its objects' initial values at the top of their columns.
fn main_only_sets_up(g: &Graph, m: &Marks, hidden: &[LocId]) -> bool {
    let main = ThreadId::from_index(0);
    let marked =
        |e: EventId| m.failing.contains(&e) || m.races.iter().any(|&(a, b)| a == e || b == e);
    g.thread_events(main).iter().enumerate().all(|(i, ev)| {
        !marked(EventId::new(main, i))
            && match ev.kind {
                // not drawn
                _ if ev.kind.loc().is_some_and(|l| hidden.contains(&l)) => true,
                EventKind::Write(w) => w.kind == WriteKind::Alloc,
                EventKind::Spawn { .. } => true,
                _ => false,
            }
    })
}

/// What a diagram draws: everything (`focus` is `None`), or the events
/// that explain the failure ([`super::focus`]), the threads that have one
/// of them drawn as a box and the locations they touch; with
/// `writers_as_values`, a thread whose only such events are writes is not
/// drawn either, its writes left as values in their locations' columns
/// (with the line that wrote them).
#[derive(Clone, Copy)]
struct Choice<'a> {
    focus: Option<&'a BTreeSet<EventId>>,
    writers_as_values: bool,
}

fn labels(g: &Graph, st: &State, m: &Marks, style: Style, choice: Choice<'_>) -> Labels {
    let vals = Values::new(g, st);
    let marked =
        |e: EventId| m.failing.contains(&e) || m.races.iter().any(|&(a, b)| a == e || b == e);
    let bookkeeping_loc = |id: LocId| {
        st.locs
            .get(id.index())
            .copied()
            .flatten()
            .is_some_and(|i| i.kind.is_bookkeeping())
    };
    let mut l = Labels {
        hidden_events: g
            .events()
            .map(|(e, _)| e)
            .filter(|&e| g.kind(e).loc().is_none() && focus::is_bookkeeping(g, st, e))
            .collect(),
        ..Labels::default()
    };
    match choice.focus {
        None => {
            l.hidden_locs = g
                .locations()
                .map(|(id, _)| id)
                .filter(|&id| bookkeeping_loc(id))
                .collect();
            if main_only_sets_up(g, m, &l.hidden_locs) {
                l.hidden_threads.push(ThreadId::from_index(0));
            }
        }
        Some(f) => {
            let touched: BTreeSet<LocId> = f.iter().filter_map(|&e| g.kind(e).loc()).collect();
            l.hidden_locs = g
                .locations()
                .map(|(id, _)| id)
                .filter(|id| bookkeeping_loc(*id) || !touched.contains(id))
                .collect();
            // a creation is drawn as its location's first value, not a box
            let boxed = |e: EventId| f.contains(&e) && (!focus::is_alloc(g, e) || marked(e));
            for t in (0..g.num_threads()).map(ThreadId::from_index) {
                let mine: Vec<EventId> = (0..g.thread_len(t))
                    .map(|i| EventId::new(t, i))
                    .filter(|&e| boxed(e))
                    .collect();
                let only_writes = mine.iter().all(|&e| g.kind(e).is_write() && !marked(e));
                if mine.is_empty() || (choice.writers_as_values && only_writes) {
                    l.hidden_threads.push(t);
                    continue;
                }
                for i in 0..g.thread_len(t) {
                    let e = EventId::new(t, i);
                    let k = g.kind(e);
                    if boxed(e)
                        || matches!(k, EventKind::Start { .. } | EventKind::Finish)
                        || focus::is_bookkeeping(g, st, e)
                    {
                        continue;
                    }
                    l.elided_events.push(e);
                }
            }
            // a value whose write is not drawn says which line wrote it
            for (e, ev) in g.events() {
                if let EventKind::Write(w) = ev.kind {
                    let drawn = !l.hidden_threads.contains(&e.thread) && boxed(e);
                    if !drawn && w.kind != WriteKind::Alloc && touched.contains(&w.loc) {
                        if let Some(p) = event_place(st, g, e) {
                            let v = vals.show(w.loc, w.val);
                            l.value_text
                                .push((e, format!("{v}@{}", p.show(style.line_only))));
                        }
                    }
                }
            }
        }
    }
    let named: BTreeSet<EventId> = l.value_text.iter().map(|(e, _)| *e).collect();
    for (e, ev) in g.events() {
        let Some(loc) = ev.kind.loc() else { continue };
        if vals.is_pointer(loc) && !named.contains(&e) {
            let v = match ev.kind {
                EventKind::Read(r) => r.val,
                EventKind::Write(w) => w.val,
                _ => continue,
            };
            l.value_text.push((e, vals.show(loc, v)));
        }
    }
    for t in 0..g.num_threads() {
        l.thread_names
            .push((ThreadId::from_index(t), thread_name(st, t)));
    }
    for (id, _) in g.locations() {
        l.loc_names.push((
            id,
            names::object_label(st, id, style.line_only, style.split),
        ));
    }
    for (e, _) in g.events() {
        let op = op_text(g, st, &vals, e, style);
        let text = match event_place(st, g, e) {
            Some(p) => format!("{} {op}", p.show(style.line_only)),
            None => op,
        };
        l.event_text.push((e, text));
    }
    l
}

/// The one source file every label refers to, if there is one.
fn single_file<'a>(g: &Graph, st: &'a State) -> Option<&'a str> {
    let mut files = g
        .events()
        .filter(|&(e, _)| !focus::is_bookkeeping(g, st, e))
        .filter_map(|(e, _)| event_place(st, g, e))
        .chain(
            g.locations()
                .filter_map(|(l, _)| st.locs.get(l.index()).copied().flatten())
                .map(|i| names::Place::of(i.created)),
        )
        .map(|p| p.file);
    let first = files.next()?;
    files.all(|f| f == first).then_some(first)
}

/// The events a failure is about.
fn marks(
    g: &Graph,
    kind: &FailureKind,
    race: Option<(EventId, EventId)>,
    focus: Option<&BTreeSet<EventId>>,
) -> Marks {
    let mut m = Marks::default();
    if let Some(r) = race {
        m.races.push(r);
    }
    let last = |t: usize| {
        let t = ThreadId::from_index(t);
        let n = g.thread_len(t);
        (n > 0).then(|| EventId::new(t, n - 1))
    };
    match kind {
        FailureKind::Panic { thread, .. }
        | FailureKind::StackOverflow { thread, .. }
        | FailureKind::InvalidAccess { thread, .. }
        | FailureKind::UseAfterFree { thread, .. }
        | FailureKind::LoopBound { thread, .. }
        | FailureKind::Livelock { thread, .. } => {
            m.failing.extend(last(*thread));
        }
        FailureKind::Deadlock { threads } => {
            m.failing
                .extend(threads.iter().filter_map(|w| last(w.thread)));
        }
        // what leaked was allocated there
        FailureKind::Leak { .. } => m.failing.extend(focus.into_iter().flatten()),
        _ => {}
    }
    m
}

/// The diagram of a failing execution. `race` is the racing pair of a data
/// race. The diagram draws what explains the failure ([`super::focus`]);
/// when that does not fit [`WIDTH`] columns with full labels, shorter
/// labels are tried, then threads that only wrote are left as values.
pub(crate) fn render(
    g: &Graph,
    st: &State,
    kind: &FailureKind,
    race: Option<(EventId, EventId)>,
    svg_dir: Option<&Path>,
) -> (String, Option<Picture>) {
    let focus = focus::focus(g, st, kind, race);
    let m = marks(g, kind, race, focus.as_ref());
    let opts = TermOptions {
        width: WIDTH,
        ascii: false,
    };
    let file = single_file(g, st);
    let style = |line_only: bool, short: bool, split: bool| Style {
        line_only,
        short,
        split,
    };
    let full = style(false, false, false);
    let mut styles = vec![full];
    if file.is_some() {
        styles.push(style(true, false, false));
    }
    styles.push(style(file.is_some(), true, false));
    styles.push(style(file.is_some(), true, true));
    let mut choices = vec![Choice {
        focus: focus.as_ref(),
        writers_as_values: false,
    }];
    if matches!(kind, FailureKind::Leak { .. }) && focus.is_some() {
        // a leak's story is the whole execution, if it fits
        choices.insert(
            0,
            Choice {
                focus: None,
                writers_as_values: false,
            },
        );
    }
    if focus.is_some() {
        choices.push(Choice {
            focus: focus.as_ref(),
            writers_as_values: true,
        });
    }
    // the narrowest attempt: (width, threads, locations)
    let mut narrowest = (usize::MAX, 0, 0);
    for &choice in &choices {
        for &style in &styles {
            let labels = labels(g, st, &m, style, choice);
            match try_render_terminal(g, &labels, &m, &opts) {
                Ok(out) => {
                    let text = match (style.line_only, file) {
                        (true, Some(f)) => format!("(Ln: line n of {f})\n{out}"),
                        _ => out,
                    };
                    return (text, None);
                }
                Err(w) if w.width < narrowest.0 => {
                    let threads = g.num_threads() - labels.hidden_threads.len();
                    let locs = g.locations().count() - labels.hidden_locs.len();
                    narrowest = (w.width, threads, locs);
                }
                Err(_) => {}
            }
        }
    }
    // it cannot fit: the list of what explains the failure, and the
    // whole execution as a picture
    let list = match try_render_terminal(g, &labels(g, st, &m, full, choices[0]), &m, &opts) {
        Ok(out) => out,
        Err(w) => w.list,
    };
    let (width, threads, locs) = narrowest;
    let what = if focus.is_some() {
        "that explain this failure"
    } else {
        "of this execution"
    };
    let whole = labels(
        g,
        st,
        &m,
        full,
        Choice {
            focus: None,
            writers_as_values: false,
        },
    );
    let n = |k: usize, one: &str| {
        if k == 1 {
            format!("1 {one}")
        } else {
            format!("{k} {one}s")
        }
    };
    let picture = Picture {
        path: svg_path(svg_dir),
        svg: render_svg(g, &whole, &m),
        list: format!(
            "{list}(no diagram: the {} and {} {what} need {width} columns even with the \
             shortest labels, more than {WIDTH}; ",
            n(threads, "thread"),
            n(locs, "location"),
        ),
    };
    (picture.text(None), Some(picture))
}

/// The whole failing execution as an SVG picture, to be written when the
/// failure is the one reported (a parallel exploration may find others
/// that come after it, which must not overwrite it).
pub(crate) struct Picture {
    path: PathBuf,
    svg: String,
    /// The failure's diagram up to where it says where the picture is:
    /// the list of what explains the failure and why it is not drawn.
    list: String,
}

impl Picture {
    /// The failure's diagram in place of a drawing: the list, and where
    /// the picture is drawn, or (`failed`) why writing it failed.
    fn text(&self, failed: Option<std::io::Error>) -> String {
        let path = self.path.display();
        let r#where = match failed {
            None => format!("the whole execution is drawn in {path}"),
            Some(e) => format!("writing its picture to {path} failed: {e}"),
        };
        format!("{}{where})\n", self.list)
    }

    /// Writes the picture; if that fails, the failure's diagram says so
    /// instead of naming the file.
    pub(crate) fn write(self, failure: &mut crate::Failure) {
        let written = self
            .path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&self.path, &self.svg));
        if let (Err(e), Some(d)) = (written, failure.diagram.as_mut()) {
            *d = self.text(Some(e));
        }
    }
}

/// Where the picture of a failure goes: `dir` (default: `happens/` in
/// the system's temporary directory), as `happens-<name of the current
/// thread>.svg` (a test's thread is named after the test, and so are a
/// parallel exploration's helpers).
fn svg_path(dir: Option<&Path>) -> PathBuf {
    let dir = dir.map_or_else(|| std::env::temp_dir().join("happens"), Path::to_path_buf);
    let name: String = std::thread::current()
        .name()
        .unwrap_or("failure")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    dir.join(format!("happens-{name}.svg"))
}
