//! `happens litmus --graph` draws within 100 columns: the classic tests of
//! the herd corpus (`shared/litmus/c11/classic`) and every bundled example,
//! as box diagrams (not the list form) with compact labels (`x = 1 rlx`,
//! `r0 = y rlx → 0`) rather than the tests' C calls. The HTML report of a
//! corpus test is titled with the test's name and keeps the C calls in its
//! tooltips.

use std::path::{Path, PathBuf};
use std::process::Command;

const WIDTH: usize = 100;

/// The corpus: `$HAPPENS_LITMUS_CORPUS`, or `shared/litmus/c11` beside an
/// ancestor of this crate, or `../shared/litmus/c11` beside the checkout (as
/// the conformance test finds it).
fn corpus_dir() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("HAPPENS_LITMUS_CORPUS") {
        return Some(PathBuf::from(p));
    }
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    for a in manifest.ancestors() {
        let c = a.join("shared/litmus/c11");
        if c.is_dir() {
            return Some(c);
        }
    }
    let root = manifest.parent()?.parent()?;
    let c = root.join("../shared/litmus/c11");
    c.is_dir().then_some(c)
}

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/litmus")
}

/// `happens litmus --graph=all --width 100 FILE`: its standard output.
fn graph_all(file: &Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_happens"))
        .args(["litmus", "--graph=all", "--width", "100"])
        .arg(file)
        .output()
        .expect("run happens");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Each drawing: the lines from an `Execution N, ending in …` heading to its
/// `replay:` line (the picture and the lines under it, not the heading nor
/// the replay command).
fn drawings(out: &str) -> Vec<Vec<&str>> {
    let mut all = Vec::new();
    let mut cur: Option<Vec<&str>> = None;
    for line in out.lines() {
        if line.starts_with("Execution ") && line.contains("ending in") {
            cur = Some(Vec::new());
        } else if line.starts_with("replay: ") {
            all.extend(cur.take());
        } else if let Some(c) = cur.as_mut() {
            c.push(line);
        }
    }
    all
}

/// Every drawing of `file` is a box diagram within 100 columns; returns
/// the whole output.
fn check_widths(file: &Path) -> String {
    let out = graph_all(file);
    let ds = drawings(&out);
    assert!(!ds.is_empty(), "{}: no drawing:\n{out}", file.display());
    for d in &ds {
        let text = d.join("\n");
        let widest = d.iter().map(|l| l.chars().count()).max().unwrap_or(0);
        assert!(
            widest <= WIDTH,
            "{}: a line of {widest} columns:\n{text}",
            file.display()
        );
        assert!(
            text.contains('╭') && !text.contains("the diagram needs"),
            "{}: not drawn as a diagram:\n{text}",
            file.display()
        );
    }
    out
}

#[test]
fn classic_corpus_tests_draw_within_100_columns() {
    let Some(dir) = corpus_dir() else {
        println!("note: litmus corpus not found (set HAPPENS_LITMUS_CORPUS); skipping");
        return;
    };
    let tests: [(&str, &[&str]); 5] = [
        ("SB+rlx", &["x = 1 rlx", "r0 = y rlx → 0", "r0 = x rlx → 1"]),
        ("MP+rel+acq", &["x = 1 rlx", "y = 1 rel", "r0 = y acq → 1"]),
        ("LB+rlx", &["r0 = x rlx → 0", "y = 1 rlx"]),
        ("IRIW+sc", &["x = 1 sc", "r0 = x sc → 1", "r1 = y sc → 0"]),
        ("2+2W+rlx", &["x = 1 rlx", "y = 2 rlx", "x = 2 rlx"]),
    ];
    for (name, labels) in tests {
        let file = dir.join("classic").join(format!("{name}.litmus"));
        let out = check_widths(&file);
        for label in labels {
            assert!(
                out.contains(&format!(" {label} ")),
                "{name}: no `{label}`:\n{out}"
            );
        }
        // the C calls are in the source, not in the boxes
        for d in drawings(&out) {
            let text = d.join("\n");
            assert!(!text.contains("atomic_"), "{name}:\n{text}");
            assert!(!text.contains("memory_order"), "{name}:\n{text}");
        }
    }
}

#[test]
fn every_example_draws_within_100_columns() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(examples_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "litmus"))
        .collect();
    files.sort();
    assert!(files.len() >= 10, "{files:?}");
    for f in &files {
        check_widths(f);
    }
}

/// The report of one corpus test is titled with the test's name, and each
/// event's tooltip holds its C call.
#[test]
fn html_report_names_the_test_and_keeps_the_source() {
    let Some(dir) = corpus_dir() else {
        println!("note: litmus corpus not found (set HAPPENS_LITMUS_CORPUS); skipping");
        return;
    };
    let out_dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("html_title");
    let _ = std::fs::remove_dir_all(&out_dir);
    let page = out_dir.join("some-report.html");
    let out = Command::new(env!("CARGO_BIN_EXE_happens"))
        .args(["litmus", "--html"])
        .arg(&page)
        .arg(dir.join("classic/SB+rlx.litmus"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("<title>SB+rlx (rust)</title>"), "{html}");
    assert!(html.contains("<h1>SB+rlx (rust)</h1>"), "{html}");
    assert!(!html.contains("some-report"), "{html}");
    // boxes show compact labels; tooltips the statement
    assert!(html.contains(">r0 = y rlx → 0</text>"), "{html}");
    assert!(
        html.contains(
            "<title>P0: x = 1 rlx (line 6)\natomic_store_explicit(x, 1, memory_order_relaxed);</title>"
        ),
        "{html}"
    );
}
