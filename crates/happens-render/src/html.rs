//! A self-contained HTML report: a table of outcomes (final values and how
//! many executions reach each), and the diagram of one execution per
//! outcome. Clicking a row shows its diagram; the first is shown at first.
//! Everything is inline (CSS, a few lines of JavaScript, SVG): the page loads
//! nothing from anywhere.

use std::fmt::Write as _;

use crate::svg::escape;

/// One row of the report.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// What the outcome is, e.g. `r1=1; r2=0`.
    pub title: String,
    /// How many executions reach it.
    pub count: u64,
    /// An SVG picture of one of them (e.g. from [`crate::render_svg`]).
    pub svg: String,
}

const STYLE: &str = "body{font-family:sans-serif;margin:16px;color:#222;background:#fff}\
h1{font-size:20px;margin:0 0 12px}\
table{border-collapse:collapse;margin-bottom:16px}\
th,td{border:1px solid #bbb;padding:4px 10px;text-align:left}\
th{background:#e8eaf6}\
tr.outcome{cursor:pointer}\
tr.outcome:hover{background:#f3f3f3}\
tr.outcome.selected{background:#c5cae9}\
td.count{text-align:right;font-variant-numeric:tabular-nums}\
code{font-family:monospace}\
.diagram{display:none;overflow:auto;border:1px solid #ddd;padding:8px}\
.diagram.shown{display:block}\
.diagram h2{font-size:16px;margin:0 0 8px}";

const SCRIPT: &str = "function show(i){\
document.querySelectorAll('.diagram').forEach(function(d){d.classList.toggle('shown',d.id==='diagram-'+i)});\
document.querySelectorAll('tr.outcome').forEach(function(r){r.classList.toggle('selected',r.dataset.index===String(i))});}\
document.querySelectorAll('tr.outcome').forEach(function(r){r.addEventListener('click',function(){show(r.dataset.index)})});\
if(document.querySelector('tr.outcome')){show(0)}";

/// Renders the report page. `title` heads the page (e.g. the test name).
pub fn render_html(title: &str, outcomes: &[Outcome]) -> String {
    let total: u64 = outcomes.iter().map(|o| o.count).sum();
    let mut s = String::new();
    s.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    let _ = writeln!(s, "<title>{}</title>", escape(title));
    let _ = writeln!(s, "<style>{STYLE}</style>\n</head>\n<body>");
    let _ = writeln!(s, "<h1>{}</h1>", escape(title));
    let _ = writeln!(
        s,
        "<p>{} outcome{}, {} execution{}. Click an outcome to see an execution that reaches it.</p>",
        outcomes.len(),
        if outcomes.len() == 1 { "" } else { "s" },
        total,
        if total == 1 { "" } else { "s" }
    );
    s.push_str("<table class=\"outcomes\">\n<tr><th>outcome</th><th>executions</th></tr>\n");
    for (i, o) in outcomes.iter().enumerate() {
        let _ = writeln!(
            s,
            "<tr class=\"outcome\" data-index=\"{i}\"><td><code>{}</code></td><td class=\"count\">{}</td></tr>",
            escape(&o.title),
            o.count
        );
    }
    s.push_str("</table>\n");
    for (i, o) in outcomes.iter().enumerate() {
        let _ = writeln!(
            s,
            "<div class=\"diagram\" id=\"diagram-{i}\">\n<h2><code>{}</code></h2>\n{}\n</div>",
            escape(&o.title),
            o.svg.trim()
        );
    }
    let _ = writeln!(s, "<script>{SCRIPT}</script>\n</body>\n</html>");
    s
}
