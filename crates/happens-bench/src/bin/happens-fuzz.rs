//! `happens-fuzz`: fuzzes `happens_litmus::parse` on the stable toolchain.
//!
//! ```text
//! cargo run --release -p happens-bench --bin happens-fuzz -- --seconds 300
//! ```
//!
//! Inputs come from [`happens_bench::mutate::input`]: mutations, splices and
//! truncations of the shared C11 corpus and `examples/litmus`, token soups,
//! deep nesting and random bytes up to 10 MiB. Each input is determined by
//! its case number, so any finding can be regenerated.
//!
//! The driver runs as a supervisor plus a worker process. The worker parses
//! input after input, catching panics with `catch_unwind` (each is a finding,
//! saved under `fuzz/artifacts/stable/`). Before each parse it reports the
//! case number to the supervisor, so that a crash that cannot be caught (a
//! stack overflow aborts the process) or a hang (no progress for
//! `--hang-seconds`) is still pinned to its input: the supervisor saves it and
//! starts a new worker for the remaining time. The exit code is 0 when no
//! finding was made, 1 otherwise.

use std::io::{BufRead, BufReader, Write};
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use happens_bench::{corpus, mutate};

struct Opts {
    seconds: f64,
    seed: u64,
    hang_seconds: u64,
    artifacts: PathBuf,
    /// Run as a worker (started by the supervisor).
    worker: bool,
    /// Worker: the index of its first input.
    start: u64,
    /// Regenerate and parse this one case number.
    replay: Option<u64>,
}

fn usage() -> ! {
    eprintln!(
        "usage: happens-fuzz [--seconds S] [--seed N] [--hang-seconds S] [--artifacts DIR] [--replay CASE]"
    );
    std::process::exit(2)
}

fn parse_args() -> Opts {
    let mut o = Opts {
        seconds: 60.0,
        seed: 1,
        hang_seconds: 20,
        artifacts: corpus::repo_root().join("fuzz/artifacts/stable"),
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
            "--artifacts" => o.artifacts = PathBuf::from(value()),
            "--replay" => o.replay = Some(value().parse().unwrap_or_else(|_| usage())),
            "--worker" => o.worker = true,
            "--start" => o.start = value().parse().unwrap_or_else(|_| usage()),
            _ => usage(),
        }
    }
    o
}

/// The seed inputs: every litmus file of the shared corpus and the examples.
fn seeds() -> Vec<Vec<u8>> {
    let mut dirs = vec![corpus::examples_dir()];
    dirs.extend(corpus::shared_corpus());
    dirs.iter()
        .flat_map(|d| corpus::litmus_files(d))
        .filter_map(|p| std::fs::read(p).ok())
        .collect()
}

/// The case number of the `i`-th input of a run; `seed` separates runs.
fn case_number(seed: u64, i: u64) -> u64 {
    seed.wrapping_mul(1 << 40).wrapping_add(i)
}

fn save(artifacts: &Path, kind: &str, case: u64, data: &[u8]) -> PathBuf {
    let _ = std::fs::create_dir_all(artifacts);
    let path = artifacts.join(format!("{kind}-{case}.litmus"));
    if let Err(e) = std::fs::write(&path, data) {
        eprintln!("happens-fuzz: cannot save {}: {e}", path.display());
    }
    path
}

/// Worker: parse inputs from case `start` on until the deadline; print
/// `case N` before each, `panic N` after a caught panic, `done N` at the end.
fn worker(o: &Opts, seeds: &[Vec<u8>], start: u64) {
    panic::set_hook(Box::new(|info| {
        eprintln!("happens-fuzz: panic: {info}");
    }));
    let deadline = Instant::now() + Duration::from_secs_f64(o.seconds);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut i = start;
    let mut tried = 0u64;
    while Instant::now() < deadline {
        let case = case_number(o.seed, i);
        let data = mutate::input(seeds, case);
        let _ = writeln!(out, "case {i}");
        let _ = out.flush();
        let r = panic::catch_unwind(AssertUnwindSafe(|| {
            let _ = happens_litmus::parse("fuzz.litmus", &data);
        }));
        if r.is_err() {
            let path = save(&o.artifacts, "panic", case, &data);
            let _ = writeln!(out, "panic {i} {}", path.display());
        }
        i += 1;
        tried += 1;
    }
    let _ = writeln!(out, "done {tried}");
    let _ = out.flush();
}

struct Summary {
    tried: u64,
    panics: u64,
    aborts: u64,
    hangs: u64,
}

/// Supervisor: run workers until the time is up, restarting after an abort
/// or a hang.
fn supervise(o: &Opts, seeds: &[Vec<u8>]) -> Summary {
    let start = Instant::now();
    let mut s = Summary {
        tried: 0,
        panics: 0,
        aborts: 0,
        hangs: 0,
    };
    let mut next = 0u64;
    let exe = std::env::current_exe().expect("the path of this executable");
    loop {
        let left = o.seconds - start.elapsed().as_secs_f64();
        if left <= 0.05 {
            break;
        }
        let mut child = Command::new(&exe)
            .args(["--worker", "--seconds", &format!("{left:.3}")])
            .args(["--seed", &o.seed.to_string()])
            .args(["--start", &next.to_string()])
            .args(["--artifacts", &o.artifacts.display().to_string()])
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
        loop {
            match rx.recv_timeout(Duration::from_secs(o.hang_seconds)) {
                Ok(line) => {
                    let mut parts = line.split_whitespace();
                    let word = parts.next().unwrap_or("");
                    let n: u64 = parts.next().and_then(|n| n.parse().ok()).unwrap_or(0);
                    match word {
                        "case" => last = Some(n),
                        "panic" => {
                            s.panics += 1;
                            eprintln!(
                                "happens-fuzz: panic on case {}: {line}",
                                case_number(o.seed, n)
                            );
                        }
                        "done" => {
                            s.tried += n;
                            finished = true;
                        }
                        _ => {}
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    hung = true;
                    let _ = child.kill();
                    break;
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
        }
        let status = child.wait().expect("wait for the fuzz worker");
        let _ = reader.join();
        if finished && status.success() {
            break;
        }
        // The worker died (or hung) while parsing case `last`.
        let Some(i) = last else {
            eprintln!("happens-fuzz: worker failed before its first input ({status})");
            break;
        };
        s.tried += i - next + 1;
        let case = case_number(o.seed, i);
        let data = mutate::input(seeds, case);
        let kind = if hung { "hang" } else { "abort" };
        let path = save(&o.artifacts, kind, case, &data);
        eprintln!(
            "happens-fuzz: {kind} on case {case} ({} bytes, {status}), saved to {}",
            data.len(),
            path.display()
        );
        if hung {
            s.hangs += 1;
        } else {
            s.aborts += 1;
        }
        next = i + 1;
    }
    s
}

fn main() {
    let o = parse_args();
    let seeds = seeds();
    if o.worker {
        worker(&o, &seeds, o.start);
        return;
    }
    if let Some(case) = o.replay {
        let data = mutate::input(&seeds, case);
        let path = save(&o.artifacts, "replay", case, &data);
        println!(
            "case {case}: {} bytes, saved to {}",
            data.len(),
            path.display()
        );
        match happens_litmus::parse("fuzz.litmus", &data) {
            Ok(t) => println!("parsed: test {}", t.name),
            Err(d) => println!("{d}"),
        }
        return;
    }
    let start = Instant::now();
    let s = supervise(&o, &seeds);
    let secs = start.elapsed().as_secs_f64();
    println!(
        "happens-fuzz: {} seed files, seed {}, {} inputs in {:.1} s ({:.0}/s): {} panics, {} aborts, {} hangs",
        seeds.len(),
        o.seed,
        s.tried,
        secs,
        s.tried as f64 / secs,
        s.panics,
        s.aborts,
        s.hangs
    );
    if s.panics + s.aborts + s.hangs > 0 {
        std::process::exit(1);
    }
}
