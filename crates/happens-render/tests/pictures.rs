//! SVG, DOT and HTML output: structure checks with exact counts, Graphviz
//! accepting the DOT, and a headless-Chromium screenshot of the report.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use common::*;
use happens_engine::*;
use happens_render::*;
use I::*;

fn mp_rel_acq() -> Vec<(Vec<Vec<u64>>, Graph)> {
    explore(
        &[0, 0],
        vec![
            vec![St(0, 1, StoreOrd::Relaxed), St(1, 1, StoreOrd::Release)],
            vec![Ld(1, LoadOrd::Acquire), Ld(0, LoadOrd::Relaxed)],
        ],
    )
}

/// `(class list, data-from, data-to)` of every element with `edge` in its class.
fn edges(doc: &roxmltree::Document, kind: &str) -> Vec<(EventId, EventId)> {
    let parse = |s: &str| {
        let (t, i) = s.split_once('.').unwrap();
        EventId::new(ThreadId(t.parse().unwrap()), i.parse().unwrap())
    };
    doc.descendants()
        .filter(|n| {
            let c: Vec<&str> = n.attribute("class").unwrap_or("").split(' ').collect();
            c.contains(&"edge") && c.contains(&kind)
        })
        .map(|n| {
            (
                parse(n.attribute("data-from").unwrap()),
                parse(n.attribute("data-to").unwrap()),
            )
        })
        .collect()
}

#[test]
fn svg_has_one_node_per_event_and_one_edge_per_relation_pair() {
    let ex = mp_rel_acq();
    let g = find(&ex, &[&[], &[1, 1]]);
    let svg = render_svg(&g, &labels(&g, &["x", "y"], true), &no_marks());
    let doc = roxmltree::Document::parse(&svg).expect("SVG is well-formed XML");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    let events: Vec<String> = doc
        .descendants()
        .filter(|n| {
            n.attribute("class")
                .is_some_and(|c| c.split(' ').any(|x| x == "event"))
        })
        .map(|n| n.attribute("data-id").unwrap().to_string())
        .collect();
    // 2 initial writes (hidden main thread) + 2 events in each of P0, P1
    let want: BTreeSet<String> = ["0.0", "0.1", "1.1", "1.2", "2.1", "2.2"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(events.len(), 6);
    assert_eq!(events.into_iter().collect::<BTreeSet<_>>(), want);
    let e = |t: u32, i: usize| EventId::new(ThreadId(t), i);
    // r1 reads y=1 from P0's release store, r2 reads x=1 from P0's first store
    let mut rf = edges(&doc, "rf");
    rf.sort();
    assert_eq!(rf, vec![(e(1, 1), e(2, 2)), (e(1, 2), e(2, 1))]);
    // co: init x → x=1, init y → y=1
    let mut co = edges(&doc, "co");
    co.sort();
    assert_eq!(co, vec![(e(0, 0), e(1, 1)), (e(0, 1), e(1, 2))]);
    assert_eq!(edges(&doc, "sw"), vec![(e(1, 2), e(2, 1))]);
    assert_eq!(edges(&doc, "sw"), sw_edges(&g));
    assert_eq!(edges(&doc, "fr"), vec![]);
    assert_eq!(edges(&doc, "po").len(), 2);
    // each edge has its arrowhead
    let heads = doc
        .descendants()
        .filter(|n| {
            n.attribute("class")
                .is_some_and(|c| c.starts_with("arrowhead"))
        })
        .count();
    assert_eq!(heads, 2 + 2 + 1 + 2);
}

#[test]
fn svg_fr_edges_and_marks() {
    let t = vec![
        vec![St(0, 1, StoreOrd::Relaxed), Ld(1, LoadOrd::Relaxed)],
        vec![St(1, 1, StoreOrd::Relaxed), Ld(0, LoadOrd::NonAtomic)],
    ];
    let ex = explore(&[0, 0], t);
    let g = find(&ex, &[&[0], &[0]]);
    let marks = Marks {
        races: vec![],
        failing: vec![EventId::new(ThreadId(2), 2)],
    };
    let svg = render_svg(&g, &labels(&g, &["x", "y"], true), &marks);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let e = |t: u32, i: usize| EventId::new(ThreadId(t), i);
    // both reads read the initial value; each is fr-before the other thread's store
    let mut fr = edges(&doc, "fr");
    fr.sort();
    assert_eq!(fr, vec![(e(1, 2), e(2, 1)), (e(2, 2), e(1, 1))]);
    assert!(edges(&doc, "sw").is_empty());
    let marked: Vec<&str> = doc
        .descendants()
        .filter(|n| n.attribute("class").is_some_and(|c| c.contains("marked")))
        .map(|n| n.attribute("data-id").unwrap())
        .collect();
    assert_eq!(marked, vec!["2.2"]);
}

#[test]
fn dot_has_the_same_content_and_graphviz_accepts_it() {
    let ex = mp_rel_acq();
    let g = find(&ex, &[&[], &[1, 1]]);
    let dot = render_dot(&g, &labels(&g, &["x", "y"], true), &no_marks());
    assert!(dot.starts_with("digraph execution {"));
    let count = |pat: &str| dot.lines().filter(|l| l.contains(pat)).count();
    let nodes = dot
        .lines()
        .filter(|l| l.trim_start().starts_with('e') && l.contains(" [label=\""))
        .count();
    assert_eq!(nodes, 6, "6 nodes:\n{dot}");
    assert_eq!(count("[label=rf,"), 2);
    assert_eq!(count("[label=co,"), 2);
    assert_eq!(count("[label=sw,"), 1);
    assert_eq!(count("[label=po,"), 2);
    assert!(
        dot.contains("e1_2 -> e2_1 [label=sw, color=\"#c62828\""),
        "{dot}"
    );
    assert_eq!(count("legend_"), 5);
    let have_dot = Command::new("dot").arg("-V").output().is_ok();
    if !have_dot {
        println!("note: Graphviz `dot` is not installed; skipping `dot -Tsvg`");
        return;
    }
    let dir = std::env::temp_dir().join(format!("happens-render-dot-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("mp.dot");
    std::fs::write(&input, &dot).unwrap();
    let out = Command::new("dot")
        .arg("-Tsvg")
        .arg(&input)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "dot failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let svg = String::from_utf8(out.stdout).unwrap();
    let opts = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..roxmltree::ParsingOptions::default()
    };
    roxmltree::Document::parse_with_options(&svg, opts).expect("Graphviz output parses");
    assert!(svg.contains("r1 = y acq → 1"), "{svg}");
}

fn report() -> String {
    let ex = mp_rel_acq();
    let mut outcomes: Vec<Outcome> = Vec::new();
    for (regs, g) in &ex {
        let title = format!("r1={}; r2={}", regs[1][0], regs[1][1]);
        match outcomes.iter_mut().find(|o| o.title == title) {
            Some(o) => o.count += 1,
            None => outcomes.push(Outcome {
                title,
                count: 1,
                svg: render_svg(g, &labels(g, &["x", "y"], true), &no_marks()),
            }),
        }
    }
    outcomes.sort_by(|a, b| a.title.cmp(&b.title));
    render_html("MP+rel+acq", &outcomes)
}

#[test]
fn html_report_is_self_contained() {
    let html = report();
    assert!(html.starts_with("<!DOCTYPE html>"));
    // MP with release/acquire: 3 executions, 3 outcomes (r1=1; r2=0 is forbidden)
    assert!(html.contains("3 outcomes, 3 executions."), "{html}");
    for t in ["r1=0; r2=0", "r1=0; r2=1", "r1=1; r2=1"] {
        assert!(html.contains(&format!("<code>{t}</code></td>")), "{t}");
    }
    assert!(!html.contains("r1=1; r2=0"));
    assert_eq!(html.matches("<tr class=\"outcome\"").count(), 3);
    assert_eq!(html.matches("<svg ").count(), 3);
    assert_eq!(html.matches("class=\"diagram\"").count(), 3);
    // nothing loaded from elsewhere
    assert!(!html.contains(" src="));
    assert!(!html.contains(" href="));
    assert!(!html.contains("@import"));
    assert_eq!(
        html.matches("http").count(),
        html.matches("xmlns=\"http://www.w3.org/2000/svg\"").count()
    );
}

fn png_size_and_colours(path: &Path) -> (u32, u32, usize) {
    let bytes = std::fs::read(path).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    assert_eq!(&bytes[12..16], b"IHDR");
    let w = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let h = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    let mut dec = png::Decoder::new(std::io::Cursor::new(bytes));
    dec.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = dec.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let px = info.color_type.samples();
    let colours: BTreeSet<&[u8]> = buf[..info.buffer_size()].chunks(px).collect();
    (w, h, colours.len())
}

#[test]
fn html_report_renders_in_headless_chromium() {
    let chromium = Path::new("/usr/bin/chromium");
    if !chromium.exists() {
        println!("note: /usr/bin/chromium is not installed; skipping the screenshot test");
        return;
    }
    let dir = std::env::temp_dir().join(format!("happens-render-html-{}", std::process::id()));
    let profile = dir.join("profile");
    std::fs::create_dir_all(&profile).unwrap();
    let page = dir.join("report.html");
    std::fs::write(&page, report()).unwrap();
    let shot = dir.join("report.png");
    let out = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--screenshot={}", shot.display()))
        .arg("--window-size=1000,800")
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(
        shot.exists(),
        "no screenshot; chromium said: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (w, h, colours) = png_size_and_colours(&shot);
    assert_eq!((w, h), (1000, 800));
    // text, table shading and the coloured edges of the shown diagram
    assert!(colours > 20, "page looks blank: {colours} colours");
    if std::env::var_os("HAPPENS_KEEP_SCREENSHOT").is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    } else {
        println!("screenshot: {}", shot.display());
    }
}

/// A hidden location (say, a reference count) is not drawn, nor are the
/// accesses to it: MP with an extra location both threads update draws
/// exactly as MP.
#[test]
fn hidden_locations_and_their_accesses_are_not_drawn() {
    let ex = explore(
        &[0, 0, 0],
        vec![
            vec![
                St(0, 1, StoreOrd::Relaxed),
                Cas(2, 0, 1, RmwOrd::Relaxed, LoadOrd::Relaxed),
                St(1, 1, StoreOrd::Release),
            ],
            vec![
                Ld(1, LoadOrd::Acquire),
                St(2, 7, StoreOrd::Relaxed),
                Ld(0, LoadOrd::Relaxed),
            ],
        ],
    );
    let (_, g) = ex
        .iter()
        .find(|(regs, _)| regs[1].first() == Some(&1))
        .expect("an execution where P1 sees the flag");
    let mut l = labels(g, &["x", "y", "count"], false);
    l.hidden_locs.push(LocId(2));
    let svg = render_svg(g, &l, &no_marks());
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let events = doc
        .descendants()
        .filter(|n| {
            n.attribute("class")
                .is_some_and(|c| c.split(' ').any(|x| x == "event"))
        })
        .count();
    // 2 initial writes + 2 visible events in each thread (`count`'s are gone)
    assert_eq!(events, 6);
    assert!(!svg.contains("count"), "{svg}");
    let term = render_terminal(g, &l, &no_marks(), &TermOptions::default());
    assert!(!term.contains("count"), "{term}");
    assert!(term.contains("x = 1 rlx"), "{term}");
}
