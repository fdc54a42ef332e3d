//! The text that goes with a terminal diagram: the list form used when the
//! diagram does not fit, and the footer naming the `sw` edges, races and
//! failures.

use happens_engine::EventId;

use crate::view::View;

/// The list form, for diagrams that do not fit: each thread's events, by
/// their labels with their source lines and text.
pub(crate) fn list(v: &View<'_>, ascii: bool) -> String {
    let mut out = String::new();
    let mark = |e: EventId| if v.is_marked(e) { "!! " } else { "   " };
    for th in &v.threads {
        out.push_str(&format!("{}:\n", th.name));
        for &e in &th.events {
            out.push_str(&format!(" {}{}", mark(e), v.text(e)));
            match (v.line(e), v.source(e)) {
                (Some(l), Some(src)) => out.push_str(&format!("  (line {l}: {src})")),
                (Some(l), None) => out.push_str(&format!("  (line {l})")),
                (None, Some(src)) => out.push_str(&format!("  ({src})")),
                (None, None) => {}
            }
            if let Some(&(w, _)) = v.rf.iter().find(|(_, r)| *r == e) {
                let from = if w.thread == e.thread {
                    "its own thread".to_string()
                } else {
                    v.thread_name(w.thread).to_string()
                };
                out.push_str(&format!("  [reads {} from {from}]", v.value(w)));
            }
            out.push('\n');
        }
    }
    out.push_str("modification order:\n");
    let arrow = if ascii { " -> " } else { " → " };
    for l in &v.locs {
        let vals: Vec<String> =
            l.co.iter()
                .map(|&w| format!("{} ({})", v.value(w), v.thread_name(w.thread)))
                .collect();
        out.push_str(&format!("  {}: {}\n", l.name, vals.join(arrow)));
    }
    out
}

/// Lines under the diagram: sw edges, races, failures.
pub(crate) fn footer(v: &View<'_>, ascii: bool) -> String {
    let mut out = String::new();
    let (arrow, both) = if ascii { ("->", "<->") } else { ("→", "↔") };
    if !v.sw.is_empty() {
        out.push_str("synchronises-with:\n");
        for &(a, b) in &v.sw {
            out.push_str(&format!("  {} {arrow} {}\n", v.describe(a), v.describe(b)));
        }
    }
    for &(a, b) in &v.races {
        out.push_str(&format!(
            "data race: {} {both} {}\n",
            v.describe(a),
            v.describe(b)
        ));
    }
    for th in &v.threads {
        for &e in &th.events {
            if v.is_failing(e) {
                out.push_str(&format!("failed at: {}\n", v.describe(e)));
            }
        }
    }
    out
}
