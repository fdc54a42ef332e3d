//! `--graph` and `--html`: one execution diagram per outcome, drawn by
//! `happens-render` from the executions `happens-litmus` visits.
//!
//! Which executions are drawn is a [`Selection`]: by default, for each
//! distinct final state the first execution reaching it (racy executions,
//! which have no outcome, get one diagram per final state with the races
//! marked); or every execution; or the N-th one. Every drawing carries the
//! execution's number and its replay key (`happens replay FILE KEY`).

use std::str::FromStr;

use happens_engine::{ReplayKey, Status};
use happens_litmus::{ExecutionRecord, Outcome, RunOptions, Test};
use happens_render::{Labels, Marks, TermOptions};

/// Which executions `--graph` draws.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Selection {
    /// One execution per final state.
    Outcomes,
    /// Every execution.
    All,
    /// The N-th execution visited (1-based).
    Nth(u64),
}

impl FromStr for Selection {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "outcomes" => Ok(Selection::Outcomes),
            "all" => Ok(Selection::All),
            n => match n.parse::<u64>() {
                Ok(k) if k > 0 => Ok(Selection::Nth(k)),
                _ => Err(format!(
                    "expected `outcomes`, `all` or an execution number (1, 2, ...), found `{s}`"
                )),
            },
        }
    }
}

/// One drawn execution: its title, how many executions share it, and the
/// drawing.
pub struct Drawing {
    pub title: String,
    pub count: u64,
    pub picture: String,
    /// Position of the drawn execution in the exploration (1-based).
    pub number: u64,
    /// Its replay key.
    pub key: String,
}

fn title(state: &[(String, i64)]) -> String {
    let parts: Vec<String> = state.iter().map(|(k, v)| format!("{k}={v}")).collect();
    parts.join("; ")
}

/// A drawing with the final state and raciness it stands for.
type Keyed = (Vec<(String, i64)>, bool, Drawing);

/// Runs `test` and draws the selected executions with `draw`.
pub fn draw_outcomes(
    test: &Test,
    opts: &RunOptions,
    select: Selection,
    draw: impl Fn(&happens_engine::Graph, &Labels, &Marks) -> String,
) -> (Outcome, Vec<Drawing>) {
    let mut drawings: Vec<Keyed> = Vec::new();
    let mut number = 0u64;
    let outcome = happens_litmus::run_with(test, opts, |e: &ExecutionRecord<'_>| {
        number += 1;
        let racy = !e.races.is_empty();
        match select {
            Selection::Outcomes => {
                if *e.status != Status::Complete {
                    return;
                }
                if let Some(d) = drawings
                    .iter_mut()
                    .find(|(s, r, _)| s.as_slice() == e.state && *r == racy)
                {
                    d.2.count += 1;
                    return;
                }
            }
            Selection::All => {}
            Selection::Nth(n) if n == number => {}
            Selection::Nth(_) => return,
        }
        drawings.push((e.state.to_vec(), racy, drawing(e, number, &draw)));
    });
    (outcome, drawings.into_iter().map(|(_, _, d)| d).collect())
}

/// The drawing of one execution.
pub fn drawing(
    e: &ExecutionRecord<'_>,
    number: u64,
    draw: &impl Fn(&happens_engine::Graph, &Labels, &Marks) -> String,
) -> Drawing {
    let racy = !e.races.is_empty();
    let marks = Marks::from_races(e.races);
    let mut t = title(e.state);
    match e.status {
        Status::Complete => {}
        Status::Blocked { .. } => t.push_str(" (blocked)"),
        other => t.push_str(&format!(" ({other:?})")),
    }
    if racy {
        t.push_str(" (data race: undefined behaviour)");
    }
    Drawing {
        title: t,
        count: 1,
        picture: draw(e.graph, e.labels, &marks),
        number,
        key: ReplayKey::of(e.graph).to_string(),
    }
}

/// Terminal diagrams of the selected executions.
pub fn terminal(
    test: &Test,
    opts: &RunOptions,
    select: Selection,
    ascii: bool,
    width: usize,
) -> (Outcome, Vec<Drawing>) {
    let term = TermOptions { ascii, width };
    draw_outcomes(test, opts, select, |g, l, m| {
        happens_render::render_terminal(g, l, m, &term)
    })
}

/// The outcomes of one test for an HTML report: an SVG per outcome.
pub fn html_outcomes(
    test: &Test,
    opts: &RunOptions,
    prefix: &str,
) -> (Outcome, Vec<happens_render::Outcome>) {
    let (outcome, drawings) =
        draw_outcomes(test, opts, Selection::Outcomes, happens_render::render_svg);
    let outcomes = drawings
        .into_iter()
        .map(|d| happens_render::Outcome {
            title: format!("{prefix}{}", d.title),
            count: d.count,
            svg: d.picture,
        })
        .collect();
    (outcome, outcomes)
}
