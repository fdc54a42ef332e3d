//! A self-contained SVG picture of one execution, laid out here (no
//! Graphviz): the initial writes in a row at the top, then one column per
//! visible thread with its events as rows, placed so that a read is below
//! the write it reads from where `po ∪ rf` allows it.
//!
//! Structure (stable, for tests and scripts): every shown event is one
//! `<g class="event" data-id="T.I">` (`class="event init"` for initial
//! writes, `marked` added for marked events) whose `<title>` tooltip holds
//! the event's source text, and whose box shows its compact label; every `po`, `rf`, `co`, `fr`
//! and `sw` edge is one `<path class="edge KIND">` followed by its
//! arrowhead `<polygon class="arrowhead KIND">`. Arrowheads are drawn as
//! polygons rather than markers, so several pictures can share one HTML page.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use happens_engine::{EventId, Graph};

use crate::label::Form;
use crate::view::View;
use crate::{Labels, Marks};

/// How each kind of edge is drawn: class, colour, dash pattern, width,
/// legend text. Shared with the DOT output.
pub const EDGE_STYLES: [(&str, &str, &str, f32, &str); 5] = [
    ("po", "#444444", "", 1.5, "po: program order"),
    ("rf", "#2e7d32", "", 1.5, "rf: reads from"),
    ("co", "#1565c0", "6 3", 1.5, "co: modification order"),
    (
        "fr",
        "#ef6c00",
        "2 3",
        1.5,
        "fr: from-read (read before a later write)",
    ),
    ("sw", "#c62828", "10 4 2 4", 2.2, "sw: synchronises with"),
];

const CHAR_W: f32 = 7.2;
const NODE_H: f32 = 26.0;
const ROW_H: f32 = 60.0;
const COL_GAP: f32 = 110.0;
const MARGIN: f32 = 20.0;
const HEAD_H: f32 = 24.0;

/// Escapes text for XML (also used by the HTML report).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[derive(Clone, Copy)]
struct Node {
    x: f32,
    y: f32,
    w: f32,
}

/// Row of each visible event: the longest `po ∪ rf` path to it (rows start
/// at 1; row 0 holds the initial writes). Cycles (impossible under RC11) are
/// cut after as many passes as there are events.
fn rows(v: &View<'_>) -> BTreeMap<EventId, usize> {
    let mut row: BTreeMap<EventId, usize> = BTreeMap::new();
    for th in &v.threads {
        for (i, &e) in th.events.iter().enumerate() {
            row.insert(e, i + 1);
        }
    }
    let n = row.len();
    for _ in 0..n {
        let mut changed = false;
        for th in &v.threads {
            for (i, &e) in th.events.iter().enumerate() {
                let mut r = if i == 0 {
                    1
                } else {
                    row[&th.events[i - 1]] + 1
                };
                if let Some(&(w, _)) = v.rf.iter().find(|(_, x)| *x == e) {
                    if let Some(&rw) = row.get(&w) {
                        r = r.max(rw + 1);
                    }
                }
                if r != row[&e] {
                    row.insert(e, r);
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    row
}

fn text_w(s: &str) -> f32 {
    s.chars().count() as f32 * CHAR_W + 20.0
}

/// Renders one execution as a standalone SVG document.
pub fn render_svg(g: &Graph, labels: &Labels, marks: &Marks) -> String {
    let v = View::new(g, labels, marks, Form::default());
    let row = rows(&v);
    let mut nodes: BTreeMap<EventId, Node> = BTreeMap::new();
    // initial writes along the top
    let mut x = MARGIN;
    let top = MARGIN + HEAD_H;
    for &e in &v.init {
        let w = text_w(v.text(e));
        nodes.insert(e, Node { x, y: top, w });
        x += w + 20.0;
    }
    let mut width = x;
    // thread columns
    let mut x = MARGIN;
    let mut heads = Vec::new();
    for th in &v.threads {
        let w = th
            .events
            .iter()
            .map(|&e| text_w(v.text(e)))
            .fold(text_w(&th.name), f32::max);
        for &e in &th.events {
            let y = top + row[&e] as f32 * ROW_H;
            nodes.insert(e, Node { x, y, w });
        }
        heads.push((x + w / 2.0, th.name.as_str()));
        x += w + COL_GAP;
    }
    width = width.max(x - COL_GAP + MARGIN);
    let max_row = row.values().copied().max().unwrap_or(0);
    let legend_y = top + (max_row as f32 + 1.0) * ROW_H;
    let height = legend_y + 30.0;
    let width = width.max(5.0 * 150.0 + 2.0 * MARGIN);

    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="happens-execution" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" font-family="monospace" font-size="12">"#
    );
    let _ = writeln!(
        s,
        r#"<rect class="background" x="0" y="0" width="{width:.0}" height="{height:.0}" fill="white"/>"#
    );
    for (cx, name) in heads {
        let _ = writeln!(
            s,
            r#"<text class="thread-name" x="{cx:.1}" y="{:.1}" text-anchor="middle" font-weight="bold">{}</text>"#,
            top + ROW_H - 8.0,
            escape(name)
        );
    }
    // edges under nodes
    let kinds: [(&str, &Vec<(EventId, EventId)>); 5] = [
        ("po", &v.po),
        ("rf", &v.rf),
        ("co", &v.co),
        ("fr", &v.fr),
        ("sw", &v.sw),
    ];
    for (k, (kind, edges)) in kinds.iter().enumerate() {
        let (_, color, dash, sw, _) = EDGE_STYLES[k];
        for (n, &(a, b)) in edges.iter().enumerate() {
            let (Some(na), Some(nb)) = (nodes.get(&a), nodes.get(&b)) else {
                continue;
            };
            let bend = 30.0 + 12.0 * (n % 4) as f32 + 8.0 * k as f32;
            let (d, tip, from) = if *kind == "po" {
                let cx = na.x + na.w / 2.0;
                let (y1, y2) = (na.y + NODE_H, nb.y);
                (
                    format!("M {cx:.1} {y1:.1} L {cx:.1} {y2:.1}"),
                    (cx, y2),
                    (cx, y1),
                )
            } else {
                curve(na, nb, bend)
            };
            let dash_attr = if dash.is_empty() {
                String::new()
            } else {
                format!(r#" stroke-dasharray="{dash}""#)
            };
            let _ = writeln!(
                s,
                r#"<path class="edge {kind}" data-from="{a}" data-to="{b}" d="{d}" fill="none" stroke="{color}" stroke-width="{sw}"{dash_attr}><title>{kind}: {} → {}</title></path>"#,
                escape(&v.describe(a)),
                escape(&v.describe(b))
            );
            let _ = writeln!(
                s,
                r#"<polygon class="arrowhead {kind}" points="{}" fill="{color}"/>"#,
                arrowhead(from, tip)
            );
        }
    }
    // nodes
    for (&e, n) in &nodes {
        let init = if v.is_shown(e) && v.init.contains(&e) {
            " init"
        } else {
            ""
        };
        let marked = if v.is_marked(e) { " marked" } else { "" };
        let (fill, stroke, sw) = if v.is_marked(e) {
            ("#ffebee", "#c62828", 2.5)
        } else if init.is_empty() {
            ("#f5f5f5", "#333333", 1.0)
        } else {
            ("#fffde7", "#9e9d24", 1.0)
        };
        let title = v.tooltip(e);
        let _ = writeln!(
            s,
            r#"<g class="event{init}{marked}" data-id="{e}"><title>{}</title><rect x="{:.1}" y="{:.1}" width="{:.1}" height="{NODE_H}" rx="8" fill="{fill}" stroke="{stroke}" stroke-width="{sw}"/><text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text></g>"#,
            escape(&title),
            n.x,
            n.y,
            n.w,
            n.x + n.w / 2.0,
            n.y + NODE_H / 2.0 + 4.0,
            escape(v.text(e))
        );
    }
    // legend
    let _ = writeln!(s, r#"<g class="legend">"#);
    for (k, (kind, color, dash, sw, text)) in EDGE_STYLES.iter().enumerate() {
        let lx = MARGIN + k as f32 * 150.0;
        let dash_attr = if dash.is_empty() {
            String::new()
        } else {
            format!(r#" stroke-dasharray="{dash}""#)
        };
        let label = text.split(':').next().unwrap_or(kind);
        let _ = writeln!(
            s,
            r#"<line class="legend-{kind}" x1="{lx:.1}" y1="{legend_y:.1}" x2="{:.1}" y2="{legend_y:.1}" stroke="{color}" stroke-width="{sw}"{dash_attr}/><text x="{:.1}" y="{:.1}"><title>{}</title>{label}</text>"#,
            lx + 40.0,
            lx + 46.0,
            legend_y + 4.0,
            escape(text)
        );
    }
    let _ = writeln!(s, "</g>\n</svg>");
    s
}

/// A cubic curve between the facing sides of two nodes (or, within one
/// column, a bulge to the right). Returns the path, the tip and the point
/// the tip is approached from.
fn curve(a: &Node, b: &Node, bend: f32) -> (String, (f32, f32), (f32, f32)) {
    let (acx, bcx) = (a.x + a.w / 2.0, b.x + b.w / 2.0);
    let (ay, by) = (a.y + NODE_H / 2.0, b.y + NODE_H / 2.0);
    if b.y - a.y > NODE_H * 1.5 && a.y < MARGIN + HEAD_H + 1.0 {
        // from an initial write: leave downwards, enter the nearer side
        let (x1, y1) = (acx, a.y + NODE_H);
        let (x2, c2) = if acx <= bcx {
            (b.x, b.x - bend)
        } else {
            (b.x + b.w, b.x + b.w + bend)
        };
        return (
            format!(
                "M {x1:.1} {y1:.1} C {x1:.1} {:.1}, {c2:.1} {by:.1}, {x2:.1} {by:.1}",
                y1 + 40.0
            ),
            (x2, by),
            (c2, by),
        );
    }
    let ((x1, c1), (x2, c2)) = if (acx - bcx).abs() < 1.0 {
        let (r1, r2) = (a.x + a.w, b.x + b.w);
        ((r1, r1 + bend), (r2, r2 + bend))
    } else if acx < bcx {
        ((a.x + a.w, a.x + a.w + bend), (b.x, b.x - bend))
    } else {
        ((a.x, a.x - bend), (b.x + b.w, b.x + b.w + bend))
    };
    (
        format!("M {x1:.1} {ay:.1} C {c1:.1} {ay:.1}, {c2:.1} {by:.1}, {x2:.1} {by:.1}"),
        (x2, by),
        (c2, by),
    )
}

/// Points of a triangle with its tip at `tip`, pointing away from `from`.
fn arrowhead(from: (f32, f32), tip: (f32, f32)) -> String {
    let (dx, dy) = (tip.0 - from.0, tip.1 - from.1);
    let len = (dx * dx + dy * dy).sqrt().max(0.001);
    let (ux, uy) = (dx / len, dy / len);
    let (bx, by) = (tip.0 - 9.0 * ux, tip.1 - 9.0 * uy);
    let (px, py) = (-uy * 4.5, ux * 4.5);
    format!(
        "{:.1},{:.1} {:.1},{:.1} {:.1},{:.1}",
        tip.0,
        tip.1,
        bx + px,
        by + py,
        bx - px,
        by - py
    )
}
