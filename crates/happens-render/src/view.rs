//! What every renderer draws, computed once from a [`Graph`], [`Labels`] and
//! [`Marks`]: the visible threads and their events, the initial writes, each
//! location's modification order, the relations `po`, `rf`, `co`, `fr`, `sw`
//! (the engine's, [`happens_engine::sw::sync_edges`]), the text of each
//! event (its compact label, see [`crate::label`]) and its source text.
//!
//! Shown events: every event of a visible thread except `Start` and `Finish`
//! and the events [`Labels`] leaves out (elided and hidden events, accesses
//! to hidden locations), and every write of a hidden thread (drawn as an
//! initial value). Edges whose ends are not both shown are dropped.

use std::collections::{BTreeMap, BTreeSet};

use happens_engine::sw::{sync_edges, Sync};
use happens_engine::{EventId, EventKind, Graph, LocId, ReadAccess, ThreadId, Val};

use crate::label::{compact, Form, Names};
use crate::{Labels, Marks};

/// One visible thread.
#[derive(Clone, Debug)]
pub struct ThreadView {
    pub id: ThreadId,
    pub name: String,
    /// Shown events in program order.
    pub events: Vec<EventId>,
    /// `gaps[i]`: events were elided right before `events[i]` (after the
    /// previous shown event, or from the thread's start).
    pub gaps: Vec<bool>,
    /// Events were elided after the last shown event.
    pub gap_after: bool,
}

/// One live location.
#[derive(Clone, Debug)]
pub struct LocView {
    pub id: LocId,
    pub name: String,
    /// Modification order, oldest first.
    pub co: Vec<EventId>,
}

/// Everything a renderer needs, resolved.
pub struct View<'g> {
    pub g: &'g Graph,
    pub threads: Vec<ThreadView>,
    /// Writes of hidden threads (initial values) and elided writes, in
    /// event order.
    pub init: Vec<EventId>,
    pub locs: Vec<LocView>,
    /// Consecutive shown events of a thread.
    pub po: Vec<(EventId, EventId)>,
    /// `(write, read)`.
    pub rf: Vec<(EventId, EventId)>,
    /// Consecutive writes in a location's modification order.
    pub co: Vec<(EventId, EventId)>,
    /// `(read, write)`: the read and the write right after the one it read.
    pub fr: Vec<(EventId, EventId)>,
    /// `(release side, acquire side)`, without duplicates.
    pub sw: Vec<(EventId, EventId)>,
    /// The `sw` edges with the `rf` edges carrying them.
    pub syncs: Vec<Sync>,
    text: BTreeMap<EventId, String>,
    /// Where the value read starts in a read's text (see [`View::parts`]).
    result_at: BTreeMap<EventId, usize>,
    source: BTreeMap<EventId, String>,
    lines: BTreeMap<EventId, u32>,
    values: BTreeMap<EventId, String>,
    shown: BTreeSet<EventId>,
    raced: BTreeSet<EventId>,
    failing: BTreeSet<EventId>,
    pub races: Vec<(EventId, EventId)>,
    /// Names given to threads, drawn or not.
    names: BTreeMap<ThreadId, String>,
}

/// Formats a value: raw bits with the top bit set read as a negative number
/// (litmus `-1` is stored as `u64::MAX`).
pub fn fmt_val(v: Val) -> String {
    if (v as i64) < 0 {
        (v as i64).to_string()
    } else {
        v.to_string()
    }
}

impl<'g> View<'g> {
    /// Resolves `labels` and `marks` against `g`; `form` is the form of the
    /// compact labels.
    pub fn new(g: &'g Graph, labels: &Labels, marks: &Marks, form: Form) -> View<'g> {
        let hidden: BTreeSet<ThreadId> = labels.hidden_threads.iter().copied().collect();
        let hidden_locs: BTreeSet<LocId> = labels.hidden_locs.iter().copied().collect();
        let elided: BTreeSet<EventId> = labels.elided_events.iter().copied().collect();
        let dropped: BTreeSet<EventId> = labels.hidden_events.iter().copied().collect();
        let visible = |k: &EventKind| k.loc().map_or(true, |l| !hidden_locs.contains(&l));
        let tname: BTreeMap<ThreadId, &str> = labels
            .thread_names
            .iter()
            .map(|(t, n)| (*t, n.as_str()))
            .collect();
        let lname: BTreeMap<LocId, &str> = labels
            .loc_names
            .iter()
            .map(|(l, n)| (*l, n.as_str()))
            .collect();
        let given: BTreeMap<EventId, &str> = labels
            .event_text
            .iter()
            .map(|(e, s)| (*e, s.as_str()))
            .collect();
        let dest: BTreeMap<EventId, &str> = labels
            .event_dest
            .iter()
            .map(|(e, s)| (*e, s.as_str()))
            .collect();
        let thread_name = |t: ThreadId| {
            tname
                .get(&t)
                .map_or_else(|| format!("T{}", t.0), |s| s.to_string())
        };
        let loc_name = |l: LocId| {
            lname
                .get(&l)
                .map_or_else(|| format!("L{}", l.0), |s| s.to_string())
        };
        let mut threads = Vec::new();
        let mut init = Vec::new();
        let mut shown = BTreeSet::new();
        for t in 0..g.num_threads() {
            let t = ThreadId::from_index(t);
            let evs = g.thread_events(t);
            if hidden.contains(&t) {
                for (i, ev) in evs.iter().enumerate() {
                    let e = EventId::new(t, i);
                    if ev.kind.is_write() && visible(&ev.kind) && !dropped.contains(&e) {
                        init.push(EventId::new(t, i));
                        shown.insert(EventId::new(t, i));
                    }
                }
                continue;
            }
            if evs.is_empty() {
                continue;
            }
            let mut events = Vec::new();
            let mut gaps = Vec::new();
            let mut gap = false;
            for (i, ev) in evs.iter().enumerate() {
                let e = EventId::new(t, i);
                if matches!(ev.kind, EventKind::Start { .. } | EventKind::Finish)
                    || dropped.contains(&e)
                {
                    continue;
                }
                if elided.contains(&e) {
                    gap = true;
                    // its value stays in its location's column, read from
                    // like an initial value
                    if ev.kind.is_write() && visible(&ev.kind) {
                        init.push(e);
                        shown.insert(e);
                    }
                    continue;
                }
                if !visible(&ev.kind) {
                    continue;
                }
                events.push(e);
                gaps.push(std::mem::take(&mut gap));
            }
            shown.extend(events.iter().copied());
            threads.push(ThreadView {
                id: t,
                name: thread_name(t),
                events,
                gaps,
                gap_after: gap,
            });
        }
        let locs: Vec<LocView> = g
            .locations()
            .filter(|(id, _)| !hidden_locs.contains(id))
            .map(|(id, l)| LocView {
                id,
                name: loc_name(id),
                co: l.co.clone(),
            })
            .collect();
        let both = |a: &EventId, b: &EventId| shown.contains(a) && shown.contains(b);
        let mut po = Vec::new();
        for th in &threads {
            po.extend(th.events.windows(2).map(|w| (w[0], w[1])));
        }
        let mut rf = Vec::new();
        let mut fr = Vec::new();
        for &e in &shown {
            if let Some(r) = g.read(e) {
                if both(&r.rf, &e) {
                    rf.push((r.rf, e));
                }
                let co = g.co(r.loc);
                let pos = co.iter().position(|&w| w == r.rf);
                if let Some(&next) = pos.and_then(|p| co.get(p + 1)) {
                    if next != e && both(&e, &next) && Some(e) != g.rmw_read_of(next) {
                        fr.push((e, next));
                    }
                }
            }
        }
        let mut co = Vec::new();
        for l in &locs {
            co.extend(
                l.co.windows(2)
                    .filter(|w| both(&w[0], &w[1]))
                    .map(|w| (w[0], w[1])),
            );
        }
        let syncs: Vec<Sync> = sync_edges(g)
            .into_iter()
            .filter(|s| both(&s.src, &s.tgt) && both(&s.write, &s.read))
            .collect();
        let sw = syncs
            .iter()
            .map(|s| (s.src, s.tgt))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let names = Names {
            loc: &loc_name,
            thread: &thread_name,
        };
        let mut text = BTreeMap::new();
        let mut result_at = BTreeMap::new();
        let read_values: BTreeMap<EventId, &str> = labels
            .value_text
            .iter()
            .filter(|(e, _)| g.kind(*e).is_read())
            .map(|(e, s)| (*e, s.as_str()))
            .collect();
        for &e in &shown {
            let given = given.get(&e).copied();
            let read_value = read_values.get(&e).copied();
            let (s, at) = event_text(g, e, given, read_value, dest.get(&e).copied(), &names, form);
            text.insert(e, s);
            if let Some(at) = at {
                result_at.insert(e, at);
            }
        }
        let mut raced = BTreeSet::new();
        for &(a, b) in &marks.races {
            raced.insert(a);
            raced.insert(b);
        }
        View {
            g,
            threads,
            init,
            locs,
            po,
            rf,
            co,
            fr,
            sw,
            syncs,
            text,
            result_at,
            source: labels.event_source.iter().cloned().collect(),
            lines: labels.event_lines.iter().copied().collect(),
            values: labels.value_text.iter().cloned().collect(),
            shown,
            raced,
            failing: marks.failing.iter().copied().collect(),
            races: marks.races.clone(),
            names: labels.thread_names.iter().cloned().collect(),
        }
    }

    /// Whether `e` is drawn.
    pub fn is_shown(&self, e: EventId) -> bool {
        self.shown.contains(&e)
    }

    /// All drawn events: the initial writes, then each thread's events.
    pub fn shown_events(&self) -> Vec<EventId> {
        let mut v = self.init.clone();
        for th in &self.threads {
            v.extend(th.events.iter().copied());
        }
        v
    }

    /// The text of a shown event.
    pub fn text(&self, e: EventId) -> &str {
        self.text.get(&e).map_or("?", |s| s.as_str())
    }

    /// The text of a shown event split before the value it read:
    /// `("r0 = y rlx", Some("→ 0"))`; other events have no second part.
    pub fn parts(&self, e: EventId) -> (&str, Option<&str>) {
        let t = self.text(e);
        match self.result_at.get(&e) {
            Some(&at) => (&t[..at], Some(&t[at + 1..])),
            None => (t, None),
        }
    }

    /// The full source text of an event, if given.
    pub fn source(&self, e: EventId) -> Option<&str> {
        self.source.get(&e).map(|s| s.as_str())
    }

    /// Source line of an event, if given.
    pub fn line(&self, e: EventId) -> Option<u32> {
        self.lines.get(&e).copied()
    }

    /// Whether `e` takes part in a marked data race.
    pub fn is_raced(&self, e: EventId) -> bool {
        self.raced.contains(&e)
    }

    /// Whether `e` is marked as failing.
    pub fn is_failing(&self, e: EventId) -> bool {
        self.failing.contains(&e)
    }

    /// Whether `e` is marked at all.
    pub fn is_marked(&self, e: EventId) -> bool {
        self.is_raced(e) || self.is_failing(e)
    }

    /// Display name of thread `t` (a hidden thread without a given name is
    /// "init").
    pub fn thread_name(&self, t: ThreadId) -> &str {
        self.threads
            .iter()
            .find(|th| th.id == t)
            .map(|th| th.name.as_str())
            .or_else(|| self.names.get(&t).map(String::as_str))
            .unwrap_or("init")
    }

    /// The location view of `l`.
    pub fn loc(&self, l: LocId) -> Option<&LocView> {
        self.locs.iter().find(|x| x.id == l)
    }

    /// "P0: x = 1 rel (line 6)", or "init: x = 0".
    pub fn describe(&self, e: EventId) -> String {
        let mut s = format!("{}: {}", self.thread_name(e.thread), self.text(e));
        if let Some(l) = self.line(e) {
            s.push_str(&format!(" (line {l})"));
        }
        s
    }

    /// The tooltip of an event: [`View::describe`] with its marks, and on
    /// a second line the full source text when there is one (and it says
    /// more than the label).
    pub fn tooltip(&self, e: EventId) -> String {
        let mut s = self.describe(e);
        if self.is_raced(e) {
            s.push_str(" — in a data race");
        }
        if self.is_failing(e) {
            s.push_str(" — failed here");
        }
        if let Some(src) = self.source(e).filter(|&src| src != self.text(e)) {
            s.push('\n');
            s.push_str(src);
        }
        s
    }

    /// The value written by write `w`.
    pub fn value(&self, w: EventId) -> String {
        if let Some(s) = self.values.get(&w) {
            return s.clone();
        }
        self.g
            .write(w)
            .map_or_else(String::new, |wr| fmt_val(wr.val))
    }
}

/// The box text of event `e`: the front-end's own text `given` (with the
/// value a read read appended, ` = 0`), or else its compact label; and for
/// a read, where the space before the value read is.
fn event_text(
    g: &Graph,
    e: EventId,
    given: Option<&str>,
    read_value: Option<&str>,
    dest: Option<&str>,
    names: &Names<'_>,
    form: Form,
) -> (String, Option<usize>) {
    let arrow = if form.ascii { " -> " } else { " → " };
    let Some(given) = given else {
        let s = compact(g, e, dest, names, form);
        let at = g.kind(e).is_read().then(|| s.rfind(arrow)).flatten();
        return match (at, read_value) {
            (Some(at), Some(val)) => (format!("{}{arrow}{val}", &s[..at]), Some(at)),
            _ => (s, at),
        };
    };
    match g.kind(e) {
        EventKind::Read(r) => {
            let val = read_value.map_or_else(|| fmt_val(r.val), str::to_string);
            let result = match r.access {
                ReadAccess::Cas { .. } if r.is_exclusive() => format!("Ok({val})"),
                ReadAccess::Cas { .. } => format!("Err({val})"),
                _ => val,
            };
            (format!("{given} = {result}"), Some(given.len()))
        }
        _ => (given.to_string(), None),
    }
}
