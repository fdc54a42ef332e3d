//! What a run of a test finds, whichever way it runs (the explorer or the
//! axiomatic enumerator): an [`Outcome`] (final states, condition, data
//! races), and each explored execution as its visitor sees it
//! ([`ExecutionRecord`]).

use happens_engine::{Graph, ModelKind, Race, Status};

pub use happens_render::Labels;

use crate::ast::{Quantifier, Test};

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

/// One execution, as shown to the visitor of [`crate::run_with`].
pub struct ExecutionRecord<'a> {
    pub graph: &'a Graph,
    pub status: &'a Status,
    pub races: &'a [Race],
    /// The values of the test's state keys in this execution.
    pub state: &'a [(String, i64)],
    /// Whether the final condition's proposition holds in it (`None`
    /// without a condition, or when it did not complete).
    pub holds: Option<bool>,
    /// The test's names for the execution's threads, locations and events,
    /// as the renderer takes them: each event's statement is its
    /// `event_source`, and the main thread, which only allocates and
    /// spawns, is hidden (drawn as the initial values).
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

impl RaceReport {
    /// The race of accesses `a` and `b` to `location`. The same pair is one
    /// race whichever was found first: the access that comes first in the
    /// source (by line, then thread) is named first.
    pub(crate) fn new(location: String, a: Access, b: Access) -> RaceReport {
        let (first, second) = if (b.line, &b.thread) < (a.line, &a.thread) {
            (b, a)
        } else {
            (a, b)
        };
        RaceReport {
            location,
            first,
            second,
        }
    }
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
