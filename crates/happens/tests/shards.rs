//! One exploration as N separate processes (`HAPPENS_SHARD=K/N`), merged:
//! the merge is exactly the sequential exploration's report, for N = 1, 3
//! and 7, for a program that passes and for one whose failure comes late
//! in the sequential order (its execution number and replay key).
//!
//! The shards are this test binary run again as child processes, each
//! running the ignored test `shard_child` with its `HAPPENS_SHARD`.

use std::path::Path;
use std::process::Command;

use happens::model::Builder;
use happens::shard::{merge, Merged, ShardReport};
use happens::sync::atomic::{AtomicUsize, Ordering::*};
use happens::sync::{Arc, Mutex};
use happens::thread;

/// Three threads: a lock around a counter, and an atomic each adds its id
/// to; `fails` makes one order of the additions (the second thread's,
/// the first's, the third's: execution 275 of the sequential order, past
/// the pieces the shards split off together) fail.
fn program(fails: bool) -> impl Fn() + Sync + Send + 'static {
    move || {
        let m = Arc::new(Mutex::new(0u32));
        let x = Arc::new(AtomicUsize::new(0));
        let hs: Vec<_> = (1..=3)
            .map(|id| {
                let (m, x) = (m.clone(), x.clone());
                thread::spawn(move || {
                    *m.lock().unwrap() += 1;
                    x.fetch_add(id, Relaxed)
                })
            })
            .collect();
        let seen: Vec<usize> = hs.into_iter().map(|h| h.join().unwrap()).collect();
        assert_eq!(*m.lock().unwrap(), 3);
        if fails {
            assert!(seen != [2, 0, 3], "the late state");
        }
    }
}

/// The child: one exploration of the program named by
/// `HAPPENS_SHARD_TEST_PROGRAM`, as its shard (`HAPPENS_SHARD`).
#[test]
#[ignore = "run by the shard tests as a child process"]
fn shard_child() {
    let fails = std::env::var("HAPPENS_SHARD_TEST_PROGRAM").as_deref() == Ok("fails");
    let mut b = Builder::new();
    b.diagram(false);
    assert!(b.shard.is_some(), "run with HAPPENS_SHARD");
    b.explore(program(fails));
}

/// Runs the `of` shards as processes (all at once) and merges them.
fn run_shards(of: usize, fails: bool, dir: &Path) -> Merged {
    let _ = std::fs::remove_dir_all(dir);
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..of)
        .map(|k| {
            Command::new(&exe)
                .args(["--exact", "shard_child", "--ignored", "--test-threads=1"])
                .env("HAPPENS_SHARD", format!("{k}/{of}"))
                .env("HAPPENS_SHARD_DIR", dir)
                .env(
                    "HAPPENS_SHARD_TEST_PROGRAM",
                    if fails { "fails" } else { "passes" },
                )
                .env("HAPPENS_WORKERS", "1")
                .output()
                .expect("run a shard")
        })
        .collect();
    for (k, c) in children.iter().enumerate() {
        assert!(
            c.status.success(),
            "shard {k}/{of}: {}",
            String::from_utf8_lossy(&c.stdout)
        );
    }
    let mut reports = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(e.unwrap().path()).unwrap();
        reports.push(ShardReport::from_json(&text).unwrap());
    }
    assert_eq!(reports.len(), of, "one report per shard");
    let mut merged = merge(&reports);
    assert_eq!(merged.len(), 1);
    merged.pop().unwrap().unwrap()
}

fn sequential(fails: bool) -> happens::Report {
    let mut b = Builder::new();
    b.diagram(false);
    b.shard = None;
    b.explore(program(fails))
}

#[test]
fn shards_merge_to_the_sequential_report() {
    let want = sequential(false);
    assert!(want.failure.is_none() && want.complete, "{want}");
    assert_eq!((want.executions, want.blocked), (1896, 0), "{want}");
    let dir = std::env::temp_dir().join(format!("happens-shards-test-{}", std::process::id()));
    for of in [1, 3, 7] {
        let got = run_shards(of, false, &dir.join(format!("pass-{of}")));
        assert_eq!(
            (got.executions, got.blocked, got.complete, got.shards),
            (want.executions, want.blocked, true, of),
            "{got}"
        );
        assert!(got.failure.is_none());
        assert_eq!(got.exploration, "shard_child#1");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_late_failure_merges_to_its_sequential_number_and_key() {
    let want = sequential(true);
    let f = want.failure.as_ref().expect("the late state fails");
    // late: past the executions every shard runs while it splits
    assert_eq!(f.execution, 275, "{want}");
    let dir = std::env::temp_dir().join(format!("happens-shards-fail-{}", std::process::id()));
    for of in [1, 3, 7] {
        let got = run_shards(of, true, &dir.join(format!("fail-{of}")));
        let gf = got.failure.as_ref().expect("the merge has the failure");
        assert_eq!(gf.execution, f.execution, "{of} shards: {got}");
        assert_eq!(gf.replay, f.replay, "{of} shards");
        assert_eq!(gf.kind, "panic");
        assert!(gf.text.contains("the late state"), "{}", gf.text);
        assert_eq!(
            (got.executions, got.blocked),
            (want.executions, want.blocked),
            "{of} shards"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
