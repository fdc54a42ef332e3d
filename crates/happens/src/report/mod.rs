//! Failures: how the verdict on an execution is reached, and how a
//! failure is put in words and drawn. Detection and rendering are apart:
//! both use the data, and no module uses one that uses it back.
//!
//! - `failure`: the data, [`Failure`] and [`FailureKind`].
//! - `detect`: the verdict on a finished execution, a [`FailureKind`]
//!   built from the execution and the call sites of its events
//!   (`names::site`), never from words.
//! - `names`: the words for threads, objects, values and call sites.
//! - `focus`: which events explain a failure (and which are the
//!   library's bookkeeping), using `names` for call sites.
//! - `why`, `trace`, `diagram`: the why-chain, the trace and the diagram,
//!   using `focus` and `names`, which this module puts together into a
//!   [`Failure`]; `display`, how a failure reads, using `names`.
//!
//! What renders never decides a verdict.

use happens_engine::{Blocked, EventKind, Execution, ReplayKey, Status};

pub(crate) mod detect;
pub(crate) mod diagram;
mod display;
mod failure;
mod focus;
pub(crate) mod names;
mod trace;
mod why;

use crate::rt::State;
use diagram::Picture;
pub use failure::{
    Access, AccessKind, Did, Failure, FailureKind, Object, Origin, PanicLocation, TraceEvent,
    Waiter, WaitsFor,
};

/// What a failure draws: its diagram (if at all), and where the SVG
/// picture of an execution too wide for the terminal goes (`None`: the
/// system's temporary directory).
#[derive(Clone, Copy)]
pub(crate) struct Pictures<'a> {
    pub diagram: bool,
    pub svg_dir: Option<&'a std::path::Path>,
}

/// The failure of execution number `execution`, with a diagram if asked,
/// and the picture to write if it is the one reported and its diagram
/// does not fit the terminal.
pub(crate) fn failure(
    kind: FailureKind,
    e: &Execution<'_>,
    st: &State,
    execution: u64,
    pictures: Pictures<'_>,
) -> (Failure, Option<Picture>) {
    // a thread waiting in a blocking primitive has no event for its wait:
    // it is drawn and listed as one
    let shown;
    let g = match e.status {
        Status::Blocked { threads }
            if threads.iter().any(|(_, b)| matches!(b, Blocked::Await(..))) =>
        {
            let mut c = e.graph.clone();
            for &(t, b) in threads {
                if let Blocked::Await(_, site) = b {
                    // at the call site of the wait
                    let block = EventKind::Block(happens_engine::BlockReason::Spin);
                    c.push_at(t, block, site, None);
                }
            }
            shown = c;
            &shown
        }
        _ => e.graph,
    };
    let race = match e.status {
        Status::Race(r) => Some((r.first, r.second)),
        _ => None,
    };
    let why = match kind {
        FailureKind::Panic { thread, .. }
        | FailureKind::StackOverflow { thread, .. }
        | FailureKind::InvalidAccess { thread, .. }
        | FailureKind::UseAfterFree { thread, .. } => why::why_values(g, st, thread),
        FailureKind::DataRace { .. } => race
            .map(|(a, b)| why::why_no_hb(g, st, a, b))
            .into_iter()
            .collect(),
        _ => Vec::new(),
    };
    let (diagram, picture) = match pictures.diagram {
        true => {
            let (text, picture) = diagram::render(g, st, &kind, race, pictures.svg_dir);
            (Some(text), picture)
        }
        false => (None, None),
    };
    let failure = Failure {
        diagram,
        kind,
        why,
        trace: trace::trace(g, st),
        replay: ReplayKey::of(e.graph).to_string(),
        execution,
    };
    (failure, picture)
}
