//! Conformance with herd7 on the C11 corpus (`shared/litmus/c11`): for every
//! test, our final states, execution count, observation and race flag under
//! RC11 and SC must match herd's expected output. Also checks that no
//! execution graph is visited twice.
//!
//! Run in release mode: `cargo test --release -p happens-litmus --test conformance`.
//! `HAPPENS_LITMUS_CHECK_FULL=1` also re-checks every graph from scratch.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use happens_engine::{EventKind, Graph};
use happens_litmus::{parse, run_with, Holds, ModelKind, Outcome, RunOptions};

/// Tests that use features we do not support, with the reason. Each must
/// still fail to parse (so that the list cannot go stale silently).
const UNSUPPORTED: &[(&str, &str)] = &[(
    "cpp_memory_model/references/dat3m/manual/imm-E3.5.litmus",
    "array locations (`int y[2] = {0, 0}`, `y+r0`); the corpus README leaves the Dat3M original out",
)];

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

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else if p.extension().is_some_and(|x| x == "litmus") {
            out.push(p);
        }
    }
}

/// herd7's answer for one model.
#[derive(Debug)]
struct Expected {
    states: BTreeSet<BTreeMap<String, i64>>,
    keys: BTreeSet<String>,
    undef: bool,
    positive: u64,
    negative: u64,
    observation: Holds,
    obs_pos: u64,
    obs_neg: u64,
}

fn parse_expected(text: &str) -> Result<Expected, String> {
    let lines: Vec<&str> = text.lines().collect();
    let si = lines
        .iter()
        .position(|l| l.starts_with("States "))
        .ok_or("no States line")?;
    let n: usize = lines[si][7..].trim().parse().map_err(|_| "bad States")?;
    let mut states = BTreeSet::new();
    let mut keys = BTreeSet::new();
    for l in lines.get(si + 1..si + 1 + n).ok_or("short States")? {
        let mut st = BTreeMap::new();
        for part in l.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let (k, v) = part.split_once('=').ok_or("bad state")?;
            let k = k.trim().trim_start_matches('[').trim_end_matches(']');
            let v: i64 = v.trim().parse().map_err(|_| format!("bad value {v}"))?;
            keys.insert(k.to_string());
            st.insert(k.to_string(), v);
        }
        states.insert(st);
    }
    let undef = lines.contains(&"Undef");
    let pn = lines
        .iter()
        .find(|l| l.starts_with("Positive: "))
        .ok_or("no Positive line")?;
    let w: Vec<&str> = pn.split_whitespace().collect();
    let positive = w
        .get(1)
        .and_then(|x| x.parse().ok())
        .ok_or("bad Positive")?;
    let negative = w
        .get(3)
        .and_then(|x| x.parse().ok())
        .ok_or("bad Negative")?;
    let obs = lines
        .iter()
        .find(|l| l.starts_with("Observation "))
        .ok_or("no Observation line")?;
    let w: Vec<&str> = obs.split_whitespace().collect();
    let len = w.len();
    if len < 4 {
        return Err("bad Observation".into());
    }
    let observation = match w[len - 3] {
        "Always" => Holds::Always,
        "Sometimes" => Holds::Sometimes,
        "Never" => Holds::Never,
        o => return Err(format!("bad observation {o}")),
    };
    Ok(Expected {
        states,
        keys,
        undef,
        positive,
        negative,
        observation,
        obs_pos: w[len - 2].parse().map_err(|_| "bad obs")?,
        obs_neg: w[len - 1].parse().map_err(|_| "bad obs")?,
    })
}

/// rf of every read and co of every location.
fn fingerprint(g: &Graph) -> Vec<(u32, u32, u32, u32)> {
    let mut v = Vec::new();
    for (e, ev) in g.events() {
        if let EventKind::Read(r) = ev.kind {
            v.push((e.thread.0, e.index, r.rf.thread.0, r.rf.index));
        }
    }
    for (l, loc) in g.locations() {
        v.push((u32::MAX, l.0, 0, 0));
        for w in &loc.co {
            v.push((u32::MAX - 1, l.0, w.thread.0, w.index));
        }
    }
    v
}

fn compare(model: ModelKind, exp: &Expected, got: &Outcome) -> Vec<String> {
    let mut errs = Vec::new();
    let ours: BTreeSet<BTreeMap<String, i64>> = got
        .states
        .iter()
        .map(|s| {
            s.values
                .iter()
                .filter(|(k, _)| exp.keys.contains(k))
                .cloned()
                .collect()
        })
        .collect();
    let check_flag = model == ModelKind::Rc11;
    if check_flag && exp.undef != got.undefined {
        errs.push(format!(
            "{model}: race flag: herd {}, ours {}",
            exp.undef, got.undefined
        ));
    }
    if got.errors > 0 {
        errs.push(format!(
            "{model}: {} executions ended in an error: {}",
            got.errors,
            got.first_error.as_deref().unwrap_or("")
        ));
    }
    if exp.undef {
        if !ours.is_subset(&exp.states) {
            errs.push(format!(
                "{model}: states not a subset of herd's: ours {ours:?}, herd {:?}",
                exp.states
            ));
        }
        return errs;
    }
    if ours != exp.states {
        errs.push(format!(
            "{model}: states differ: ours {ours:?}, herd {:?}",
            exp.states
        ));
    }
    if got.executions != exp.positive + exp.negative {
        errs.push(format!(
            "{model}: executions: herd {}, ours {}",
            exp.positive + exp.negative,
            got.executions
        ));
    }
    let (holds, p, n) = match &got.condition {
        Some(c) => (c.holds, c.positive, c.negative),
        None => (Holds::Always, got.executions, 0),
    };
    if (holds, p, n) != (exp.observation, exp.obs_pos, exp.obs_neg) {
        errs.push(format!(
            "{model}: observation: herd {:?} {} {}, ours {holds:?} {p} {n}",
            exp.observation, exp.obs_pos, exp.obs_neg
        ));
    }
    errs
}

#[test]
fn corpus_matches_herd() {
    let Some(dir) = corpus_dir() else {
        println!("note: litmus corpus not found (set HAPPENS_LITMUS_CORPUS); skipping");
        return;
    };
    let mut files = Vec::new();
    walk(&dir, &mut files);
    files.sort();
    assert!(
        !files.is_empty(),
        "no .litmus files under {}",
        dir.display()
    );
    // HAPPENS_LITMUS_CHECK_FULL=1: re-check every graph with the model's
    // from-scratch checker (slower)
    let check_full = std::env::var_os("HAPPENS_LITMUS_CHECK_FULL").is_some();
    let t0 = Instant::now();
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    let mut report = String::new();
    for f in &files {
        let name = f.strip_prefix(&dir).unwrap_or(f).display().to_string();
        let mut errs = Vec::new();
        if let Some((_, why)) = UNSUPPORTED.iter().find(|(n, _)| *n == name) {
            let src = std::fs::read(f).unwrap_or_default();
            if parse(&name, &src).is_ok() {
                errs.push(format!(
                    "listed as unsupported ({why}) but parses now: update UNSUPPORTED"
                ));
            } else {
                skipped += 1;
                report.push_str(&format!("SKIP {name}: {why}\n"));
                continue;
            }
        }
        match std::fs::read(f) {
            Err(e) => errs.push(format!("cannot read: {e}")),
            Ok(src) => match parse(&name, &src) {
                Err(d) => errs.push(format!("parse error: {d}")),
                Ok(test) => {
                    for model in ModelKind::ALL {
                        let exp_path = format!("{}.{}.expected", f.display(), model.name());
                        let exp = match std::fs::read_to_string(&exp_path)
                            .map_err(|e| e.to_string())
                            .and_then(|t| parse_expected(&t))
                        {
                            Ok(e) => e,
                            Err(e) => {
                                errs.push(format!("{exp_path}: {e}"));
                                continue;
                            }
                        };
                        let opts = RunOptions {
                            model,
                            check_full,
                            ..RunOptions::default()
                        };
                        let mut seen = HashSet::new();
                        let mut dup = 0u64;
                        let got = run_with(&test, &opts, |r| {
                            if !seen.insert(fingerprint(r.graph)) {
                                dup += 1;
                            }
                        });
                        if dup > 0 {
                            errs.push(format!("{model}: {dup} execution graphs visited twice"));
                        }
                        errs.extend(compare(model, &exp, &got));
                    }
                }
            },
        }
        if errs.is_empty() {
            passed += 1;
        } else {
            failed += 1;
            report.push_str(&format!("FAIL {name}\n"));
            for e in errs.iter().take(3) {
                let short: String = e.chars().take(300).collect();
                report.push_str(&format!("    {short}\n"));
            }
        }
    }
    println!("{report}");
    println!(
        "{passed} passed, {failed} failed, {skipped} skipped as unsupported ({} tests, {:.1} s)",
        files.len(),
        t0.elapsed().as_secs_f64()
    );
    assert_eq!(failed, 0, "{failed} litmus tests disagree with herd7");
}
