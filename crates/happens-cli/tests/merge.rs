//! `happens merge`: shard reports in, one exploration's report out, with
//! the documented exit codes.

use std::path::PathBuf;
use std::process::{Command, Output};

use happens::shard::{Piece, PieceFailure, ShardReport};

fn happens(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_happens"))
        .args(args)
        .output()
        .expect("run the happens binary")
}

fn dir(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("merge")
        .join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn piece(key: &[u32], visited: u64, failure: Option<u64>) -> Piece {
    Piece {
        key: key.to_vec(),
        visited,
        blocked: 1,
        failure: failure.map(|n| PieceFailure {
            execution: n,
            kind: "panic".into(),
            replay: "h1/x".into(),
            text: "the \"text\"\nof it".into(),
        }),
    }
}

fn report(shard: usize, of: usize, pieces: Vec<Piece>) -> ShardReport {
    ShardReport {
        exploration: "t#1".into(),
        shard,
        of,
        objects: 0,
        refuted: Vec::new(),
        pieces,
        complete: true,
    }
}

#[test]
fn shards_merge_in_key_order() {
    let d = dir("pass");
    // shard 0: the rest of the search (key []) and piece 2; shard 1: piece 1
    report(
        0,
        2,
        vec![piece(&[], 10, None), piece(&[u32::MAX - 2], 5, None)],
    )
    .write_to(&d)
    .unwrap();
    report(1, 2, vec![piece(&[u32::MAX - 1], 7, None)])
        .write_to(&d)
        .unwrap();
    let out = happens(&["merge", d.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "t#1: 19 executions (3 blocked) over 2 shards, passed\n"
    );
}

#[test]
fn the_first_failure_in_key_order_is_numbered_in_it() {
    let d = dir("fail");
    // in key order: [] (10), [MAX-2] (5, fails at its 3rd), [MAX-1] (7,
    // fails too, but later)
    report(
        0,
        2,
        vec![piece(&[], 10, None), piece(&[u32::MAX - 2], 5, Some(3))],
    )
    .write_to(&d)
    .unwrap();
    report(1, 2, vec![piece(&[u32::MAX - 1], 7, Some(1))])
        .write_to(&d)
        .unwrap();
    let out = happens(&["merge", "--json", d.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["failure"]["execution"], 13);
    assert_eq!(v["failure"]["text"], "the \"text\"\nof it");
    assert_eq!(v["executions"], 15 - 2);
}

#[test]
fn a_missing_shard_is_a_usage_error() {
    let d = dir("missing");
    report(0, 3, vec![piece(&[], 10, None)])
        .write_to(&d)
        .unwrap();
    report(2, 3, vec![]).write_to(&d).unwrap();
    let out = happens(&["merge", d.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("t#1: shard 1/3 is missing"));
    std::fs::write(d.join("junk.json"), "{\"exploration\": 3").unwrap();
    let out = happens(&["merge", d.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("junk.json: error: not a shard report"));
}
