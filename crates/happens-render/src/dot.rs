//! Graphviz DOT output with the content of the other pictures: one node per
//! shown event (`"e1_2"` for event `1.2`), one cluster per visible thread and
//! one for the initial writes, edges `po`, `rf`, `co`, `fr`, `sw` in the
//! colours and dash styles of [`crate::svg::EDGE_STYLES`], and a legend.
//! Nodes are labelled with compact labels; their tooltips carry the source
//! text.

use std::fmt::Write as _;

use happens_engine::{EventId, Graph};

use crate::label::Form;
use crate::svg::EDGE_STYLES;
use crate::view::View;
use crate::{Labels, Marks};

fn node(e: EventId) -> String {
    format!("e{}_{}", e.thread.0, e.index)
}

/// Quotes a DOT string.
fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// DOT `style` for a dash pattern.
fn style(dash: &str) -> &'static str {
    match dash {
        "" => "solid",
        "2 3" => "dotted",
        _ => "dashed",
    }
}

/// Renders one execution as a Graphviz `digraph`.
pub fn render_dot(g: &Graph, labels: &Labels, marks: &Marks) -> String {
    let v = View::new(g, labels, marks, Form::default());
    let mut s = String::new();
    s.push_str("digraph execution {\n");
    s.push_str("  rankdir=TB;\n  newrank=true;\n");
    s.push_str("  node [shape=box, style=\"rounded,filled\", fillcolor=\"#f5f5f5\", fontname=\"monospace\", fontsize=11];\n");
    s.push_str("  edge [fontname=\"monospace\", fontsize=9];\n");
    let attrs = |e: EventId| {
        let mut a = format!("label={}", quote(v.text(e)));
        a.push_str(&format!(", tooltip={}", quote(&v.tooltip(e))));
        if v.is_marked(e) {
            a.push_str(", color=\"#c62828\", penwidth=2.5, fillcolor=\"#ffebee\"");
        }
        a
    };
    if !v.init.is_empty() {
        s.push_str("  subgraph cluster_init {\n    label=\"initial values\";\n    style=dashed;\n    color=\"#9e9d24\";\n");
        for &e in &v.init {
            let _ = writeln!(s, "    {} [{}, fillcolor=\"#fffde7\"];", node(e), attrs(e));
        }
        s.push_str("  }\n");
    }
    for th in &v.threads {
        let _ = writeln!(
            s,
            "  subgraph cluster_t{} {{\n    label={};\n    style=rounded;\n    color=\"#888888\";",
            th.id.0,
            quote(&th.name)
        );
        for &e in &th.events {
            let _ = writeln!(s, "    {} [{}];", node(e), attrs(e));
        }
        s.push_str("  }\n");
    }
    let kinds: [&Vec<(EventId, EventId)>; 5] = [&v.po, &v.rf, &v.co, &v.fr, &v.sw];
    for (k, edges) in kinds.iter().enumerate() {
        let (kind, color, dash, width, _) = EDGE_STYLES[k];
        for &(a, b) in edges.iter() {
            let extra = if kind == "po" {
                ", weight=10"
            } else {
                ", constraint=false"
            };
            let _ = writeln!(
                s,
                "  {} -> {} [label={kind}, color=\"{color}\", fontcolor=\"{color}\", style={}, penwidth={width}{extra}];",
                node(a),
                node(b),
                style(dash)
            );
        }
    }
    s.push_str("  subgraph cluster_legend {\n    label=\"legend\";\n    style=dotted;\n    node [shape=plaintext, style=\"\", label=\"\", width=0.1, height=0.1];\n");
    for (kind, color, dash, width, text) in EDGE_STYLES {
        let _ = writeln!(
            s,
            "    legend_{kind}_a -> legend_{kind}_b [label={}, color=\"{color}\", fontcolor=\"{color}\", style={}, penwidth={width}];",
            quote(text),
            style(dash)
        );
    }
    s.push_str("  }\n}\n");
    s
}
