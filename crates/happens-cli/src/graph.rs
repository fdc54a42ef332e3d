//! `--graph` and `--html`: one execution diagram per outcome, drawn by
//! `happens-render` from the executions `happens-litmus` visits.
//!
//! For each distinct final state the first execution reaching it is drawn;
//! racy executions (which have no outcome) get one diagram per distinct set
//! of racing accesses, with the races marked.

use happens_engine::{Status, ThreadId};
use happens_litmus::{ExecutionRecord, Outcome, RunOptions, Test};
use happens_render::{Labels, Marks, TermOptions};

/// One drawn execution: its title, how many executions share it, and the
/// drawing.
pub struct Drawing {
    pub title: String,
    pub count: u64,
    pub picture: String,
}

fn labels(l: &happens_litmus::Labels) -> Labels {
    Labels {
        thread_names: l.thread_names.clone(),
        loc_names: l.loc_names.clone(),
        event_text: l.event_text.clone(),
        event_lines: l.event_lines.clone(),
        // The main thread only allocates the locations and spawns.
        hidden_threads: vec![ThreadId(0)],
    }
}

fn title(state: &[(String, i64)]) -> String {
    let parts: Vec<String> = state.iter().map(|(k, v)| format!("{k}={v}")).collect();
    parts.join("; ")
}

/// A drawing with the final state and raciness it stands for.
type Keyed = (Vec<(String, i64)>, bool, Drawing);

/// Runs `test` and draws one execution per outcome with `draw`.
pub fn draw_outcomes(
    test: &Test,
    opts: &RunOptions,
    draw: impl Fn(&happens_engine::Graph, &Labels, &Marks) -> String,
) -> (Outcome, Vec<Drawing>) {
    let mut drawings: Vec<Keyed> = Vec::new();
    let outcome = happens_litmus::run_with(test, opts, |e: &ExecutionRecord<'_>| {
        if *e.status != Status::Complete {
            return;
        }
        let racy = !e.races.is_empty();
        if let Some(d) = drawings
            .iter_mut()
            .find(|(s, r, _)| s.as_slice() == e.state && *r == racy)
        {
            d.2.count += 1;
            return;
        }
        let marks = if racy {
            Marks::from_races(e.graph)
        } else {
            Marks::default()
        };
        let mut t = title(e.state);
        if racy {
            t.push_str(" (data race: undefined behaviour)");
        }
        drawings.push((
            e.state.to_vec(),
            racy,
            Drawing {
                title: t,
                count: 1,
                picture: draw(e.graph, &labels(e.labels), &marks),
            },
        ));
    });
    (outcome, drawings.into_iter().map(|(_, _, d)| d).collect())
}

/// Terminal diagrams, one per outcome.
pub fn terminal(test: &Test, opts: &RunOptions, ascii: bool) -> (Outcome, Vec<Drawing>) {
    let term = TermOptions {
        ascii,
        ..TermOptions::default()
    };
    draw_outcomes(test, opts, |g, l, m| {
        happens_render::render_terminal(g, l, m, &term)
    })
}

/// A self-contained HTML page with an SVG per outcome.
pub fn html(test: &Test, opts: &RunOptions) -> (Outcome, String) {
    let (outcome, drawings) = draw_outcomes(test, opts, happens_render::render_svg);
    let outcomes: Vec<happens_render::Outcome> = drawings
        .into_iter()
        .map(|d| happens_render::Outcome {
            title: d.title,
            count: d.count,
            svg: d.picture,
        })
        .collect();
    let title = format!("{} ({})", test.name, opts.model.name());
    (outcome, happens_render::render_html(&title, &outcomes))
}
