//! `happens-bench`: how many executions per second the litmus front-end and
//! the explorer achieve together.
//!
//! ```text
//! cargo run --release -p happens-bench --bin happens-bench
//! ```
//!
//! Measures (each row: executions, wall time, executions per second):
//!
//! - the whole shared C11 corpus (`../shared/litmus/c11`, or
//!   `$HAPPENS_CORPUS`), once under each model (`rust`, `rc11`, `sc`; the
//!   time is exploration only; parsing all files is timed on its own row);
//! - the larger generated tests of [`happens_bench::generate`], under each
//!   model.
//!
//! `--slowest N` also lists the N corpus tests that took longest.

use std::time::{Duration, Instant};

use happens_bench::{corpus, generate};
use happens_engine::ModelKind;
use happens_litmus::{RunOptions, Test};

struct Row {
    name: String,
    model: ModelKind,
    tests: usize,
    executions: u64,
    time: Duration,
}

fn run_one(test: &Test, model: ModelKind) -> (u64, Duration) {
    let opts = RunOptions {
        model,
        ..RunOptions::default()
    };
    let start = Instant::now();
    let outcome = happens_litmus::run(test, &opts);
    (outcome.executions, start.elapsed())
}

fn print_table(rows: &[Row]) {
    println!(
        "{:<28} {:>5} {:>6} {:>12} {:>10} {:>14}",
        "test", "model", "tests", "executions", "time (s)", "executions/s"
    );
    for r in rows {
        let secs = r.time.as_secs_f64();
        let rate = if secs > 0.0 {
            r.executions as f64 / secs
        } else {
            0.0
        };
        println!(
            "{:<28} {:>5} {:>6} {:>12} {:>10.3} {:>14.0}",
            r.name,
            r.model.name(),
            r.tests,
            r.executions,
            secs,
            rate
        );
    }
}

fn main() {
    let mut slowest = 0usize;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match (a.as_str(), args.next()) {
            ("--slowest", Some(n)) if n.parse::<usize>().is_ok() => slowest = n.parse().unwrap(),
            _ => {
                eprintln!("usage: happens-bench [--slowest N]");
                std::process::exit(2);
            }
        }
    }

    let mut rows = Vec::new();
    let mut per_test: Vec<(Duration, String, ModelKind, u64)> = Vec::new();
    let mut parse_time = None;
    match corpus::shared_corpus() {
        Some(dir) => {
            let files = corpus::litmus_files(&dir);
            let mut tests = Vec::new();
            let mut failed = 0usize;
            let parse_start = Instant::now();
            for f in &files {
                let name = corpus::relative(f, &dir);
                let bytes = std::fs::read(f).unwrap_or_default();
                match happens_litmus::parse(&name, &bytes) {
                    Ok(t) => tests.push((name, t)),
                    Err(d) => {
                        eprintln!("happens-bench: skipped: {d}");
                        failed += 1;
                    }
                }
            }
            parse_time = Some((files.len(), parse_start.elapsed()));
            if failed > 0 {
                eprintln!("happens-bench: {failed} corpus files did not parse (skipped)");
            }
            // the explorer's throughput: the enumerated models (c++20, arm) are
            // measured by the conformance test's run time instead
            for model in ModelKind::ALL.into_iter().filter(|m| m.explorable()) {
                let mut row = Row {
                    name: "shared C11 corpus".to_string(),
                    model,
                    tests: tests.len(),
                    executions: 0,
                    time: Duration::ZERO,
                };
                for (name, t) in &tests {
                    let (n, d) = run_one(t, model);
                    row.executions += n;
                    row.time += d;
                    per_test.push((d, name.clone(), model, n));
                }
                rows.push(row);
            }
        }
        None => eprintln!("happens-bench: shared corpus not found (set HAPPENS_CORPUS)"),
    }

    for g in generate::tests() {
        let test = match happens_litmus::parse(&g.name, g.source.as_bytes()) {
            Ok(t) => t,
            Err(d) => {
                eprintln!("happens-bench: generated test does not parse: {d}");
                std::process::exit(1);
            }
        };
        // the explorer's throughput: the enumerated models (c++20, arm) are
        // measured by the conformance test's run time instead
        for model in ModelKind::ALL.into_iter().filter(|m| m.explorable()) {
            let (n, d) = run_one(&test, model);
            rows.push(Row {
                name: g.name.clone(),
                model,
                tests: 1,
                executions: n,
                time: d,
            });
        }
    }

    print_table(&rows);
    if let Some((n, d)) = parse_time {
        println!(
            "\nparsing the {n} corpus files (read included): {:.3} s",
            d.as_secs_f64()
        );
    }
    if slowest > 0 {
        per_test.sort_by_key(|t| std::cmp::Reverse(t.0));
        println!("\nslowest corpus tests:");
        for (d, name, model, n) in per_test.iter().take(slowest) {
            println!(
                "{:>10.3} s {:>10} executions  {} ({})",
                d.as_secs_f64(),
                n,
                name,
                model.name()
            );
        }
    }
}
