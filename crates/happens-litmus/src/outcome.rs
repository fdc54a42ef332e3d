//! Running a test: every execution under a model, summarised as an
//! [`Outcome`] (final states, condition, data races).

use std::collections::BTreeMap;

use happens_engine::{
    Config, Control, EventId, EventKind, Explorer, Graph, Model, ModelKind, Race, Rc11, ReplayKey,
    Rust, Sc, Status, ThreadId, WriteKind, X86,
};

pub use happens_render::Labels;

use crate::ast::{Key, Quantifier, Test};
use crate::interp::{Code, Machine};

/// How to run a test.
#[derive(Clone, Debug)]
pub struct RunOptions {
    pub model: ModelKind,
    /// A thread with more events than this ends its execution as
    /// [`Status::BoundExceeded`] (an unbounded loop).
    pub max_events_per_thread: usize,
    /// Re-check every execution with the model's from-scratch checker (slow).
    pub check_full: bool,
    /// For the models whose executions are enumerated whole (`c++20`,
    /// `arm`): how many candidates (`rf` and `co` choices) to try before
    /// giving up with an error.
    pub max_candidates: u64,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            model: ModelKind::default(),
            max_events_per_thread: 1000,
            check_full: false,
            max_candidates: 5_000_000,
        }
    }
}

/// One execution, as shown to the visitor of [`run_with`].
pub struct ExecutionRecord<'a> {
    pub graph: &'a Graph,
    pub status: &'a Status,
    pub races: &'a [Race],
    /// The values of the test's state keys in this execution.
    pub state: &'a [(String, i64)],
    /// The test's names for the execution's threads, locations and events,
    /// as the renderer takes them (see [`labels`]).
    pub labels: &'a Labels,
}

/// A value in a final state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Value {
    Int(i64),
    /// A value no write determines (out of thin air: `c++20` lets reads
    /// read each other's copies round an `rf` cycle), shown as herd shows it
    /// (`S8`: herd's solver variable, whose numbering is replayed for
    /// straight-line herd tests; otherwise numbered per state in the order
    /// of its keys, `S1`, `S2`, …). Two keys with the same symbol hold the
    /// same (any) value.
    Symbol(u32),
}

impl Value {
    /// The number, if it is one.
    pub fn as_int(self) -> Option<i64> {
        match self {
            Value::Int(v) => Some(v),
            Value::Symbol(_) => None,
        }
    }
}

impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Int(v) => write!(f, "{v}"),
            Value::Symbol(s) => write!(f, "S{s}"),
        }
    }
}

/// A final state and how many complete, race-free executions end in it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct State {
    pub values: Vec<(String, Value)>,
    pub executions: u64,
}

/// How often a proposition holds across the complete executions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Holds {
    Always,
    Sometimes,
    Never,
}

/// The final condition's verdict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConditionResult {
    pub quantifier: Quantifier,
    pub text: String,
    /// How often the proposition, without its quantifier, holds (herd's
    /// `Observation` line).
    pub holds: Holds,
    /// Complete executions where the proposition holds.
    pub positive: u64,
    /// Complete executions where it does not.
    pub negative: u64,
    /// Whether the quantified condition is validated (herd's `Ok`/`No`).
    pub validated: bool,
}

/// One side of a data race.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Access {
    pub thread: String,
    pub line: u32,
    pub write: bool,
    pub atomic: bool,
    pub text: String,
}

/// A data race between two accesses of the source.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct RaceReport {
    pub location: String,
    pub first: Access,
    pub second: Access,
}

/// Everything a run found.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub test: String,
    pub model: ModelKind,
    /// Complete executions (racy ones included).
    pub executions: u64,
    /// Executions that ended with a thread blocked (spin loops).
    pub blocked: u64,
    /// Executions stopped by `max_events_per_thread`.
    pub bound_exceeded: u64,
    /// Executions that ended in another error status (an engine bug:
    /// nondeterminism, or an inconsistency found by `check_full`).
    pub errors: u64,
    /// The first such error, described.
    pub first_error: Option<String>,
    /// Final states of complete race-free executions, sorted.
    pub states: Vec<State>,
    /// `None` when the test has no final condition.
    pub condition: Option<ConditionResult>,
    /// Some execution has a data race (undefined behaviour).
    pub undefined: bool,
    /// The distinct races, sorted.
    pub races: Vec<RaceReport>,
}

impl Outcome {
    /// An outcome with no executions yet.
    pub(crate) fn empty(test: &Test, model: ModelKind) -> Outcome {
        Outcome {
            test: test.name.clone(),
            model,
            executions: 0,
            blocked: 0,
            bound_exceeded: 0,
            errors: 0,
            first_error: None,
            states: Vec::new(),
            condition: None,
            undefined: false,
            races: Vec::new(),
        }
    }
}

/// Explores every execution of `test`.
pub fn run(test: &Test, opts: &RunOptions) -> Outcome {
    explore(test, opts, None, None, None)
}

/// Like [`run`], and calls `tick` after every execution (for progress
/// reports; cheaper than [`run_with`], which labels every execution).
pub fn run_with_progress(test: &Test, opts: &RunOptions, mut tick: impl FnMut()) -> Outcome {
    explore(test, opts, None, None, Some(&mut tick))
}

/// Runs only the execution that `key` describes (a key printed for an
/// execution of the same test) and calls `visit` on it. If the key does not
/// belong to this test, the execution's status is
/// [`Status::ReplayMismatch`] and it is counted in [`Outcome::errors`].
pub fn replay(
    test: &Test,
    opts: &RunOptions,
    key: &ReplayKey,
    mut visit: impl FnMut(&ExecutionRecord<'_>),
) -> Outcome {
    explore(test, opts, Some(key), Some(&mut visit), None)
}

/// Like [`run`], and calls `visit` on every execution.
pub fn run_with(
    test: &Test,
    opts: &RunOptions,
    mut visit: impl FnMut(&ExecutionRecord<'_>),
) -> Outcome {
    explore(test, opts, None, Some(&mut visit), None)
}

type Visitor<'v> = Option<&'v mut dyn FnMut(&ExecutionRecord<'_>)>;

fn explore(
    test: &Test,
    opts: &RunOptions,
    key: Option<&ReplayKey>,
    visit: Visitor<'_>,
    tick: Option<&mut dyn FnMut()>,
) -> Outcome {
    let config = Config {
        max_events_per_thread: opts.max_events_per_thread,
        stop_on_race: false,
        check_full: opts.check_full,
        ..Config::default()
    };
    match opts.model {
        ModelKind::Rust => explore_with(Rust, config, test, opts.model, key, visit, tick),
        ModelKind::Rc11 => explore_with(Rc11, config, test, opts.model, key, visit, tick),
        ModelKind::Sc => explore_with(Sc, config, test, opts.model, key, visit, tick),
        ModelKind::X86 => explore_with(X86, config, test, opts.model, key, visit, tick),
        // whole candidate executions, enumerated (no graphs: the visitor is
        // not called, and there are no replay keys)
        ModelKind::Cxx20 | ModelKind::Arm => match key {
            None => crate::axiomatic::run(test, opts.model, opts.max_candidates),
            Some(_) => {
                let mut o = Outcome::empty(test, opts.model);
                o.errors = 1;
                o.first_error = Some(format!(
                    "replay keys are not available under {}: its executions are enumerated, not explored",
                    opts.model
                ));
                o
            }
        },
    }
}

fn explore_with<M: Model>(
    model: M,
    config: Config,
    test: &Test,
    kind: ModelKind,
    key: Option<&ReplayKey>,
    mut visit: Visitor<'_>,
    mut tick: Option<&mut dyn FnMut()>,
) -> Outcome {
    let code = Code::compile(test);
    let mut machine = Machine::new(&code);
    let keys = test.state_keys();
    let key_names: Vec<String> = keys.iter().map(|&k| test.key_name(k)).collect();
    let mut out = Outcome::empty(test, kind);
    let mut states: BTreeMap<Vec<i64>, u64> = BTreeMap::new();
    let (mut pos, mut neg) = (0u64, 0u64);
    let mut explorer = Explorer::new(model, config);
    let mut values: Vec<i64> = Vec::with_capacity(keys.len());
    let mut each = |e: &happens_engine::Execution<'_>, m: &mut Machine<'_>| {
        if let Some(t) = tick.as_mut() {
            t();
        }
        values.clear();
        for &k in &keys {
            values.push(key_value(test, m, e.graph, k));
        }
        match e.status {
            Status::Complete => {
                out.executions += 1;
                if e.races.is_empty() {
                    *states.entry(values.clone()).or_insert(0) += 1;
                }
                if let Some(c) = &test.condition {
                    let holds = c
                        .prop
                        .eval(&|k| keys.iter().position(|&x| x == k).map_or(0, |i| values[i]));
                    if holds {
                        pos += 1;
                    } else {
                        neg += 1;
                    }
                }
            }
            Status::Blocked { .. } => out.blocked += 1,
            Status::BoundExceeded { .. } => out.bound_exceeded += 1,
            other => {
                out.errors += 1;
                if out.first_error.is_none() {
                    out.first_error = Some(match other {
                        // the interpreter fails a thread only for this
                        Status::Failed { thread } => {
                            let name = m
                                .tids
                                .iter()
                                .position(|t| t == thread)
                                .map_or("?", |i| test.threads[i].name.as_str());
                            format!("thread {name} accessed an array out of its bounds")
                        }
                        Status::ReplayMismatch => {
                            "the replay key does not describe an execution of this test".to_string()
                        }
                        other => format!("internal error (a bug in happens): {other:?}"),
                    });
                }
            }
        }
        let want_labels = visit.is_some() || !e.races.is_empty();
        if want_labels {
            let labels = labels(test, m, e.graph);
            if !e.races.is_empty() {
                out.undefined = true;
                for r in e.races {
                    let rep = race_report(test, m, e.graph, &labels, r);
                    if !out.races.contains(&rep) {
                        out.races.push(rep);
                    }
                }
            }
            if let Some(v) = visit.as_mut() {
                let state: Vec<(String, i64)> = key_names
                    .iter()
                    .cloned()
                    .zip(values.iter().copied())
                    .collect();
                v(&ExecutionRecord {
                    graph: e.graph,
                    status: e.status,
                    races: e.races,
                    state: &state,
                    labels: &labels,
                });
            }
        }
        Control::Continue
    };
    match key {
        Some(k) => explorer.replay(&mut machine, k, &mut each),
        None => explorer.run(&mut machine, &mut each),
    };
    out.races.sort();
    out.states = states
        .into_iter()
        .map(|(vals, n)| State {
            values: key_names
                .iter()
                .cloned()
                .zip(vals.into_iter().map(Value::Int))
                .collect(),
            executions: n,
        })
        .collect();
    out.condition = test.condition.as_ref().map(|c| {
        let holds = if pos == 0 {
            Holds::Never
        } else if neg == 0 {
            Holds::Always
        } else {
            Holds::Sometimes
        };
        let validated = match c.quantifier {
            Quantifier::Exists => pos > 0,
            Quantifier::NotExists => pos == 0,
            Quantifier::Forall => neg == 0,
        };
        ConditionResult {
            quantifier: c.quantifier,
            text: c.text.clone(),
            holds,
            positive: pos,
            negative: neg,
            validated,
        }
    });
    out
}

fn key_value(test: &Test, m: &Machine<'_>, g: &Graph, k: Key) -> i64 {
    match k {
        Key::Reg { thread, reg } => m
            .threads
            .get(thread)
            .and_then(|t| t.regs.get(reg))
            .copied()
            .unwrap_or(0),
        Key::Loc(l) => match m.locs.get(l) {
            Some(&id) if !g.co(id).is_empty() => g.final_value(id) as i64,
            _ => test.locations.get(l).map_or(0, |x| x.init),
        },
    }
}

/// Names every thread, location and event of `g` for the renderer: the
/// threads (`P0`…, `t1`…; the main thread `init`, which only allocates the
/// locations and spawns, is drawn as the initial values), the locations,
/// and each event's source line and statement (`event_source`: boxes carry
/// the renderer's compact labels, with the register a read's value goes to,
/// `event_dest`).
fn labels(test: &Test, m: &Machine<'_>, g: &Graph) -> Labels {
    let mut l = Labels {
        hidden_threads: vec![ThreadId(0)],
        ..Labels::default()
    };
    l.thread_names.push((ThreadId(0), "init".to_string()));
    for (i, &t) in m.tids.iter().enumerate() {
        l.thread_names.push((t, test.threads[i].name.clone()));
    }
    for (i, &id) in m.locs.iter().enumerate() {
        l.loc_names.push((id, test.locations[i].name.clone()));
    }
    // main thread: allocations, then spawns
    let mut alloc = 0;
    let mut spawn = 0;
    for (i, ev) in g.thread_events(ThreadId(0)).iter().enumerate() {
        let id = EventId::new(ThreadId(0), i);
        match ev.kind {
            EventKind::Write(w) if w.kind == WriteKind::Alloc => {
                if let Some(loc) = test.locations.get(alloc) {
                    l.event_lines.push((id, loc.line));
                    l.event_source
                        .push((id, format!("{} = {}", loc.name, loc.init)));
                }
                alloc += 1;
            }
            EventKind::Spawn { .. } => {
                if let Some(th) = test.threads.get(spawn) {
                    l.event_lines.push((id, th.line));
                    l.event_source.push((id, format!("spawn {}", th.name)));
                }
                spawn += 1;
            }
            _ => {}
        }
    }
    for (i, &t) in m.tids.iter().enumerate() {
        let Some(th) = m.threads.get(i) else { continue };
        let evs = g.thread_events(t);
        let mut op = 0;
        let mut j = 0;
        while j < evs.len() {
            if matches!(evs[j].kind, EventKind::Start { .. }) {
                j += 1;
                continue;
            }
            let site = th.ops.get(op).and_then(|&s| m.code.site(i, s));
            op += 1;
            // the two events of an RMW come from one operation
            let pair = matches!(evs[j].kind, EventKind::Read(r) if r.is_exclusive())
                && matches!(evs.get(j + 1).map(|e| e.kind), Some(EventKind::Write(w)) if w.kind == WriteKind::Rmw);
            let n = if pair { 2 } else { 1 };
            if let Some(site) = site {
                for k in 0..n {
                    let e = EventId::new(t, j + k);
                    l.event_lines.push((e, site.line));
                    l.event_source.push((e, site.text.clone()));
                }
                if let (Some(dest), true) = (&site.dest, evs[j].kind.is_read()) {
                    l.event_dest.push((EventId::new(t, j), dest.clone()));
                }
            }
            j += n;
        }
    }
    l
}

fn access(labels: &Labels, g: &Graph, e: EventId) -> Access {
    let k = g.kind(e);
    Access {
        thread: labels
            .thread_name(e.thread)
            .map_or_else(|| format!("thread {}", e.thread), str::to_string),
        line: labels.line(e).unwrap_or(0),
        write: k.is_write(),
        atomic: !k.is_non_atomic(),
        text: labels.source(e).unwrap_or("").to_string(),
    }
}

fn race_report(test: &Test, m: &Machine<'_>, g: &Graph, labels: &Labels, r: &Race) -> RaceReport {
    let loc = g.kind(r.first).loc();
    let location = loc
        .and_then(|l| m.locs.iter().position(|&x| x == l))
        .and_then(|i| test.locations.get(i))
        .map_or_else(|| "?".to_string(), |l| l.name.clone());
    // the same pair of accesses is one race whichever was added first:
    // name the access that comes first in the source first
    let (mut first, mut second) = (access(labels, g, r.first), access(labels, g, r.second));
    if (second.line, &second.thread) < (first.line, &first.thread) {
        std::mem::swap(&mut first, &mut second);
    }
    RaceReport {
        location,
        first,
        second,
    }
}
