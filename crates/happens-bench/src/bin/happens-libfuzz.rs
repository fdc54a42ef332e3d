//! `happens-libfuzz`: fuzzes the `happens` library on the stable toolchain.
//!
//! ```text
//! cargo run --release -p happens-bench --bin happens-libfuzz -- --seconds 600 --seed 1
//! ```
//!
//! Each case is a small generated program ([`happens_bench::libfuzz`]:
//! threads, atomics, a cell, locks, a condvar, panics, destructors that
//! panic, deep recursion, boxes handed over through an `AtomicPtr`),
//! explored under `happens::model::Builder` with a budget, then checked:
//! the report renders, a failure is well formed, and its replay key gives
//! a failure of the same kind again. Each program is determined by its case
//! number, so a finding is regenerated with `--replay CASE`.
//!
//! The driver runs as a supervisor plus a worker process, as `happens-fuzz`
//! does. The worker runs case after case and reports each case number on
//! stdout before it starts, and its outcome after; a crash of the worker
//! (a signal, an abort) or a hang (no progress for `--hang-seconds`) is
//! pinned to that case: the supervisor saves it under
//! `fuzz/artifacts/library/` and starts a new worker from the next case.
//! At the end it prints the figures; the exit code is 0 when there was no
//! finding, 1 otherwise.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use happens_bench::corpus;
use happens_bench::libfuzz::{self, Settings, KINDS};

struct Opts {
    seconds: f64,
    seed: u64,
    hang_seconds: u64,
    artifacts: PathBuf,
    settings: Settings,
    /// Run as a worker (started by the supervisor).
    worker: bool,
    /// Worker: the index of its first case.
    start: u64,
    /// Regenerate, print and explore this one case number.
    replay: Option<u64>,
}

const USAGE: &str = "usage: happens-libfuzz [--seconds S] [--seed N] [--hang-seconds S] \
[--executions N] [--avoid-known-bugs] [--artifacts DIR] [--replay CASE]

Explores generated programs under happens::model and checks every report:
no crash, no hang, every failure well formed and replayable.

  --seconds S       run for S seconds (default 60)
  --seed N          separates runs: case numbers are seed * 2^40 + i (default 1)
  --hang-seconds S  a worker silent this long is hung (default 30)
  --executions N    execution budget per program (default 20000)
  --artifacts DIR   where findings are saved (default fuzz/artifacts/library)
  --avoid-known-bugs  generate no program that shows a known bug of happens
                    (no panics: see libfuzz::avoid_known_bugs)
  --replay CASE     print case CASE's program, its report and the checks";

fn usage() -> ! {
    eprintln!("{USAGE}");
    std::process::exit(2)
}

fn parse_args() -> Opts {
    let mut o = Opts {
        seconds: 60.0,
        seed: 1,
        hang_seconds: 30,
        artifacts: corpus::repo_root().join("fuzz/artifacts/library"),
        settings: Settings::default(),
        worker: false,
        start: 0,
        replay: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| usage());
        match a.as_str() {
            "--seconds" => o.seconds = value().parse().unwrap_or_else(|_| usage()),
            "--seed" => o.seed = value().parse().unwrap_or_else(|_| usage()),
            "--hang-seconds" => o.hang_seconds = value().parse().unwrap_or_else(|_| usage()),
            "--executions" => o.settings.executions = value().parse().unwrap_or_else(|_| usage()),
            "--avoid-known-bugs" => o.settings.avoid_known_bugs = true,
            "--artifacts" => o.artifacts = PathBuf::from(value()),
            "--replay" => o.replay = Some(value().parse().unwrap_or_else(|_| usage())),
            "--worker" => o.worker = true,
            "--start" => o.start = value().parse().unwrap_or_else(|_| usage()),
            "--help" | "-h" => {
                println!("{USAGE}");
                std::process::exit(0)
            }
            _ => usage(),
        }
    }
    o
}

/// The case number of the `i`-th program of a run; `seed` separates runs.
fn case_number(seed: u64, i: u64) -> u64 {
    seed.wrapping_mul(1 << 40).wrapping_add(i)
}

/// Saves a finding: the case number and seed regenerate the program; the
/// program's text and what was wrong are there to read.
fn save(o: &Opts, kind: &str, case: u64, what: &str) -> PathBuf {
    let (artifacts, seed) = (&o.artifacts, o.seed);
    let avoid = o.settings.avoid_known_bugs;
    let _ = std::fs::create_dir_all(artifacts);
    let path = artifacts.join(format!("{kind}-{case}.txt"));
    let text = format!(
        "{kind}: {what}\nseed {seed}, case {case}\nregenerate: cargo run --release -p happens-bench --bin happens-libfuzz -- --replay {case}{}\n\n{}",
        if avoid { " --avoid-known-bugs" } else { "" },
        libfuzz::generate(case, avoid)
    );
    if let Err(e) = std::fs::write(&path, text) {
        eprintln!("happens-libfuzz: cannot save {}: {e}", path.display());
    }
    path
}

/// Worker: run cases from `start` on until the deadline. Prints `case I`
/// before each, `ok I EXECUTIONS KIND` after (`KIND` the failure's kind
/// name with `_` for spaces, or `-`), `finding I TEXT` for each finding,
/// and `done` at the end.
fn worker(o: &Opts) {
    let deadline = Instant::now() + Duration::from_secs_f64(o.seconds);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut i = o.start;
    while Instant::now() < deadline {
        let case = case_number(o.seed, i);
        let _ = writeln!(out, "case {i}");
        let _ = out.flush();
        let r = libfuzz::check(case, o.settings);
        for f in &r.findings {
            let f = f.replace('\n', " / ");
            let path = save(o, "malformed", case, &f);
            let _ = writeln!(out, "finding {i} {f} (saved to {})", path.display());
        }
        let kind = r.failure.map_or("-".to_string(), |k| k.replace(' ', "_"));
        let _ = writeln!(out, "ok {i} {} {kind}", r.executions);
        i += 1;
    }
    let _ = writeln!(out, "done");
    let _ = out.flush();
}

#[derive(Default)]
struct Summary {
    programs: u64,
    executions: u64,
    failures: BTreeMap<String, u64>,
    malformed: u64,
    crashes: u64,
    hangs: u64,
}

impl Summary {
    fn failures_text(&self) -> String {
        let mut parts: Vec<String> = KINDS
            .iter()
            .filter_map(|k| self.failures.get(*k).map(|n| format!("{n} {k}")))
            .collect();
        for (k, n) in &self.failures {
            if !KINDS.contains(&k.as_str()) {
                parts.push(format!("{n} {k}"));
            }
        }
        if parts.is_empty() {
            "none".to_string()
        } else {
            parts.join(", ")
        }
    }
}

/// Supervisor: run workers until the time is up, restarting after a crash
/// or a hang.
fn supervise(o: &Opts) -> Summary {
    let start = Instant::now();
    let mut s = Summary::default();
    let mut next = 0u64;
    let exe = std::env::current_exe().expect("the path of this executable");
    let mut last_progress = Instant::now();
    loop {
        let left = o.seconds - start.elapsed().as_secs_f64();
        if left <= 0.05 {
            break;
        }
        let mut child = Command::new(&exe)
            .args(["--worker", "--seconds", &format!("{left:.3}")])
            .args(["--seed", &o.seed.to_string()])
            .args(["--start", &next.to_string()])
            .args(["--executions", &o.settings.executions.to_string()])
            .args(["--artifacts", &o.artifacts.display().to_string()])
            .args(o.settings.avoid_known_bugs.then_some("--avoid-known-bugs"))
            .stdout(Stdio::piped())
            .spawn()
            .expect("start a fuzz worker");
        let stdout = child.stdout.take().expect("worker stdout");
        let (tx, rx) = mpsc::channel::<String>();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut last: Option<u64> = None;
        let mut finished = false;
        let mut hung = false;
        let mut case_started = Instant::now();
        loop {
            let waited = case_started.elapsed();
            let limit = Duration::from_secs(o.hang_seconds);
            let wait = limit.saturating_sub(waited).min(Duration::from_secs(1));
            match rx.recv_timeout(wait) {
                Ok(line) => {
                    let (word, rest) = line.split_once(' ').unwrap_or((&line, ""));
                    match word {
                        "case" => {
                            last = rest.parse().ok();
                            case_started = Instant::now();
                        }
                        "ok" => {
                            let mut p = rest.split(' ');
                            let _i = p.next();
                            let n: u64 = p.next().and_then(|n| n.parse().ok()).unwrap_or(0);
                            s.programs += 1;
                            s.executions += n;
                            if let Some(k) = p.next().filter(|k| *k != "-") {
                                *s.failures.entry(k.replace('_', " ")).or_default() += 1;
                            }
                        }
                        "finding" => {
                            s.malformed += 1;
                            let (i, what) = rest.split_once(' ').unwrap_or((rest, ""));
                            let case = case_number(o.seed, i.parse().unwrap_or(0));
                            eprintln!("happens-libfuzz: finding on case {case}: {what}");
                        }
                        "done" => finished = true,
                        _ => {}
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if case_started.elapsed() >= limit {
                        hung = true;
                        let _ = child.kill();
                        break;
                    }
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
            if last_progress.elapsed() >= Duration::from_secs(10) {
                last_progress = Instant::now();
                eprintln!(
                    "happens-libfuzz: {:.0} s: {} programs, {} executions; failures: {}; findings: {} malformed, {} crashes, {} hangs",
                    start.elapsed().as_secs_f64(),
                    s.programs,
                    s.executions,
                    s.failures_text(),
                    s.malformed,
                    s.crashes,
                    s.hangs
                );
            }
        }
        let status = child.wait().expect("wait for the fuzz worker");
        let _ = reader.join();
        if finished && status.success() {
            break;
        }
        // The worker died (or hung) while running case `last`.
        let Some(i) = last else {
            eprintln!("happens-libfuzz: worker failed before its first case ({status})");
            s.crashes += 1;
            break;
        };
        s.programs += 1;
        let case = case_number(o.seed, i);
        let kind = if hung { "hang" } else { "crash" };
        let what = if hung {
            format!("no progress for {} s", o.hang_seconds)
        } else {
            format!("the worker died: {status}")
        };
        let path = save(o, kind, case, &what);
        eprintln!(
            "happens-libfuzz: {kind} on case {case} ({what}), saved to {}",
            path.display()
        );
        if hung {
            s.hangs += 1;
        } else {
            s.crashes += 1;
        }
        next = i + 1;
    }
    s
}

fn main() {
    let o = parse_args();
    if o.worker {
        worker(&o);
        return;
    }
    if let Some(case) = o.replay {
        print!("{}", libfuzz::describe(case, o.settings));
        return;
    }
    let start = Instant::now();
    let s = supervise(&o);
    let secs = start.elapsed().as_secs_f64();
    println!(
        "happens-libfuzz: seed {}{}, {:.1} s: {} programs ({:.1}/s), {} executions ({:.0}/s)",
        o.seed,
        if o.settings.avoid_known_bugs {
            " (avoiding known bugs)"
        } else {
            ""
        },
        secs,
        s.programs,
        s.programs as f64 / secs,
        s.executions,
        s.executions as f64 / secs,
    );
    println!("  failures found: {}", s.failures_text());
    println!(
        "  findings: {} malformed or unreplayable failures, {} crashes, {} hangs",
        s.malformed, s.crashes, s.hangs
    );
    if s.malformed + s.crashes + s.hangs > 0 {
        std::process::exit(1);
    }
}
