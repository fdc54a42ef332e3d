//! # happens-render
//!
//! Draws execution graphs of [`happens_engine`]; it never explores.
//!
//! Every renderer takes a finished [`Graph`](happens_engine::Graph) plus [`Labels`] (how threads,
//! locations and events are called in the user's source) and [`Marks`]
//! (events to flag: data races, the read that made an assertion fail):
//!
//! - [`terminal`]: a text diagram in the style of the Rustonomicon-like
//!   pictures the project follows — one column per thread with its events as
//!   boxes in program order (`⇓` between them), one column per location with
//!   its values in modification order, a line from each write to its value
//!   and from each value to the reads of it, arrows where a release and an
//!   acquire synchronise. When it cannot fit the requested width it tries
//!   labels without locations and a tighter layout, and then falls back to a
//!   list ([`try_render_terminal`] returns how wide it would be instead).
//!   Events a front-end leaves out ([`Labels::elided_events`]) are marked
//!   `⋮` on their thread's line.
//! - [`dot`]: Graphviz DOT with the same content.
//! - [`svg`]: a self-contained SVG laid out here (no Graphviz needed).
//! - [`html`]: one self-contained HTML page with an outcome table and the
//!   diagram of each outcome.
//!
//! Every picture labels its events the same way, in [`label`]'s compact
//! form (`x = 1 rlx`, `r0 = y acq → 1`, `cas 0→1 acq`, `fence sc`); the
//! source text a front-end gives goes to lists and tooltips.
//!
//! The relations drawn are computed in [`view`] from the graph's public data:
//! `po`, `rf`, `co` (consecutive pairs), `fr` (each read to the write right
//! after the one it read) and `sw`, the engine's ([`happens_engine::sw`]:
//! for each `rf` edge that synchronises, the release and acquire sides
//! nearest it, [`sw_edges`]).

pub mod dot;
mod grid;
pub mod html;
pub mod label;
mod list;
pub mod svg;
pub mod terminal;
pub mod view;

use happens_engine::{EventId, LocId, Race, ThreadId};

pub use dot::render_dot;
pub use happens_engine::sw::{sw_edges, sync_edges, Sync};
pub use html::{render_html, Outcome};
pub use svg::render_svg;
pub use terminal::{render_terminal, try_render_terminal, TermOptions, Wide};

/// How the things of a graph are called in the program it came from. Every
/// field is optional: what is missing is derived (`T1`, `L0`, and the
/// compact labels of [`label`], `x = 1 rel`).
#[derive(Clone, Debug, Default)]
pub struct Labels {
    /// Display names of threads (`"P0"`, `"t1"`).
    pub thread_names: Vec<(ThreadId, String)>,
    /// Display names of locations (`"x"`, `"locked"`). A name with line
    /// breaks is drawn on as many lines at the top of its column.
    pub loc_names: Vec<(LocId, String)>,
    /// A front-end's own box text for an event, replacing its compact label
    /// (e.g. `L28 load(Relaxed)`). For reads the value read is appended
    /// (` = 0`; for a compare-exchange ` = Ok(0)` / ` = Err(1)`).
    pub event_text: Vec<(EventId, String)>,
    /// The full source text of an event's operation (e.g. the C call
    /// `atomic_store_explicit(x, 1, memory_order_relaxed);`): diagrams draw
    /// the compact label and show this in lists and tooltips.
    pub event_source: Vec<(EventId, String)>,
    /// The register a read's value goes to (`r0`), written into its compact
    /// label: `r0 = y rlx → 0`.
    pub event_dest: Vec<(EventId, String)>,
    /// Source line of an event (shown in lists, SVG tooltips and DOT).
    pub event_lines: Vec<(EventId, u32)>,
    /// Threads not drawn as columns (e.g. a litmus test's main thread that
    /// only allocates and spawns). Their writes still appear as the initial
    /// values of their locations.
    pub hidden_threads: Vec<ThreadId>,
    /// Locations not drawn at all, nor the accesses to them (a library's
    /// internal bookkeeping, such as reference counts).
    pub hidden_locs: Vec<LocId>,
    /// Events of visible threads left out of the picture because they do
    /// not explain what it shows (a failure's diagram keeps the events on
    /// the paths that matter). The terminal diagram marks the place of each
    /// run of them on its thread's spine with `⋮`. A write left out still
    /// has its value in its location's column, unconnected.
    pub elided_events: Vec<EventId>,
    /// Events left out silently (a library's bookkeeping that touches no
    /// location, such as the fence of dropping the last `Arc`).
    pub hidden_events: Vec<EventId>,
    /// How a value is written, replacing the number: for a write the value
    /// it wrote (its value cell), for a read the value it read (e.g. a
    /// pointer as `p1`, a value with the line that wrote it `1 (L12)`).
    pub value_text: Vec<(EventId, String)>,
}

impl Labels {
    /// The name given to thread `t`.
    pub fn thread_name(&self, t: ThreadId) -> Option<&str> {
        find(&self.thread_names, t).map(String::as_str)
    }

    /// The name given to location `l`.
    pub fn loc_name(&self, l: LocId) -> Option<&str> {
        find(&self.loc_names, l).map(String::as_str)
    }

    /// The source line of event `e`.
    pub fn line(&self, e: EventId) -> Option<u32> {
        find(&self.event_lines, e).copied()
    }

    /// The source text of event `e`'s operation.
    pub fn source(&self, e: EventId) -> Option<&str> {
        find(&self.event_source, e).map(String::as_str)
    }
}

/// The value given to `key` in a list of pairs.
fn find<K: PartialEq, V>(list: &[(K, V)], key: K) -> Option<&V> {
    list.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
}

/// Events to flag in a diagram.
#[derive(Clone, Debug, Default)]
pub struct Marks {
    /// Pairs of accesses in a data race (both are marked).
    pub races: Vec<(EventId, EventId)>,
    /// Events where the execution went wrong (e.g. the read whose value made
    /// an assertion fail).
    pub failing: Vec<EventId>,
}

impl Marks {
    /// Marks of the data races a front-end was given with its execution
    /// (the explorer's [`happens_engine::Execution::races`]); the renderer
    /// never looks for races itself.
    pub fn from_races(races: &[Race]) -> Marks {
        Marks {
            races: races.iter().map(|r| (r.first, r.second)).collect(),
            failing: Vec::new(),
        }
    }
}
