//! `happens advise` on the advisor's litmus examples: the exact answers,
//! the same as the library's for the same programs
//! (crates/happens/tests/advise.rs), and a counter-example with a diagram
//! and a replay key that replays.

use std::process::{Command, Output};

fn happens(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_happens"))
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .args(args)
        .output()
        .expect("run the happens binary")
}

/// The advice's summary: everything before the first counter-example.
fn summary(file: &str) -> String {
    let out = happens(&["advise", file]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    text.split("\nwhy ").next().unwrap().trim_end().to_string()
}

#[test]
fn the_seed_mutex_needs_acquire_to_lock_and_release_to_unlock() {
    let s = summary("examples/litmus/advise/seed_mutex.litmus");
    for t in ["t1 line 10", "t2 line 20"] {
        assert!(s.contains(&format!("{t} `while locked.compare_exchange_weak(false, true, SeqCst, SeqCst).is_err()` (compare-exchange (success)): Acquire (written SeqCst); Relaxed fails")), "{s}");
        assert!(s.contains(&format!("{t} `while locked.compare_exchange_weak(false, true, SeqCst, SeqCst).is_err()` (compare-exchange (failure)): Relaxed (written SeqCst)\n")), "{s}");
    }
    for t in ["t1 line 11", "t2 line 21"] {
        assert!(
            s.contains(&format!(
                "{t} `while locked.load(SeqCst)` (load): Relaxed (written SeqCst)\n"
            )),
            "{s}"
        );
    }
    for t in ["t1 line 17", "t2 line 27"] {
        assert!(s.contains(&format!("{t} `locked.store(false, SeqCst);` (store): Release (written SeqCst); Relaxed fails")), "{s}");
    }
    assert!(s.contains("together (passes):"), "{s}");
    assert!(
        s.starts_with(
            "examples/litmus/advise/seed_mutex.litmus: passes as written; 8 atomic sites"
        ),
        "{s}"
    );
}

#[test]
fn message_passing_needs_release_and_acquire() {
    let s = summary("examples/litmus/advise/mp_plain.litmus");
    assert_eq!(
        s,
        "examples/litmus/advise/mp_plain.litmus: passes as written; 2 atomic sites (10 runs)
each site alone, every other as written:
  t1 line 8 `flag.store(1, SeqCst);` (store): Release (written SeqCst); Relaxed fails
  t2 line 11 `let r1 = flag.load(SeqCst);` (load): Acquire (written SeqCst); Relaxed fails
together (passes):
  t1 line 8 `flag.store(1, SeqCst);` (store): Release
  t2 line 11 `let r1 = flag.load(SeqCst);` (load): Acquire"
    );
}

#[test]
fn the_z_program_needs_seq_cst_on_its_six_flag_accesses_only() {
    let s = summary("examples/litmus/seqcst_z.litmus");
    let alone = s.split("together").next().unwrap();
    assert_eq!(
        alone.matches("keep SeqCst; Release fails").count(),
        2,
        "{s}"
    );
    assert_eq!(
        alone.matches("keep SeqCst; Acquire fails").count(),
        4,
        "{s}"
    );
    assert_eq!(
        alone
            .matches("(read-modify-write): Relaxed (written SeqCst)")
            .count(),
        2,
        "{s}"
    );
    let together = s.split("together (passes):").nth(1).expect(&s);
    assert_eq!(together.matches(": SeqCst").count(), 6, "{s}");
    assert_eq!(together.matches(": Relaxed").count(), 2, "{s}");
}

#[test]
fn store_buffering_keeps_its_fences_and_relaxes_its_accesses() {
    let s = summary("examples/litmus/advise/sb_fences.litmus");
    let (alone, together) = s.split_once("together (passes):").expect(&s);
    assert_eq!(
        alone.matches("(fence): removed (written SeqCst)").count(),
        2,
        "{s}"
    );
    assert_eq!(
        alone.matches(": Relaxed (written SeqCst)").count(),
        4,
        "{s}"
    );
    assert_eq!(together.matches("(fence): SeqCst").count(), 2, "{s}");
    assert_eq!(together.matches(": Relaxed").count(), 4, "{s}");
}

#[test]
fn an_over_strong_program_is_relaxed_everywhere() {
    let s = summary("examples/litmus/advise/counter_seqcst.litmus");
    let together = s.split("together (passes):").nth(1).expect(&s);
    assert_eq!(together.matches(": Relaxed").count(), 2, "{s}");
}

#[test]
fn a_counter_example_is_drawn_with_a_key_that_replays() {
    let out = happens(&["advise", "examples/litmus/advise/mp_plain.litmus"]);
    let text = String::from_utf8(out.stdout).unwrap();
    let why = text.split("\nwhy ").nth(1).expect("a counter-example");
    assert!(
        why.starts_with(
            "t1 line 8 `flag.store(1, SeqCst);` (store) needs more than Relaxed: a data race"
        ),
        "{why}"
    );
    assert!(
        why.contains("data race: t1: data = 42 (line 7) ↔ t2: r2 = data → 42 (line 14)"),
        "{why}"
    );
    let key = why
        .split("replay (with Relaxed written there): happens replay examples/litmus/advise/mp_plain.litmus '")
        .nth(1)
        .and_then(|k| k.split('\'').next())
        .expect(why);
    // the key belongs to the test with the store written Relaxed
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("advise");
    std::fs::create_dir_all(&dir).unwrap();
    let src = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/litmus/advise/mp_plain.litmus"
    ))
    .unwrap();
    let weak = dir.join("mp_plain_relaxed.litmus");
    std::fs::write(
        &weak,
        src.replace("flag.store(1, SeqCst)", "flag.store(1, Relaxed)"),
    )
    .unwrap();
    let out = happens(&["replay", weak.to_str().unwrap(), key]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("data race"));
}

#[test]
fn a_failing_test_is_told_which_access_to_strengthen() {
    let out = happens(&["advise", "examples/litmus/mp_release_acquire.litmus"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("passes as written"), "{text}");
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("advise");
    std::fs::create_dir_all(&dir).unwrap();
    let src = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/litmus/mp_release_acquire.litmus"
    ))
    .unwrap();
    let weak = dir.join("mp_acquire_relaxed.litmus");
    std::fs::write(
        &weak,
        src.replace("flag.load(Acquire)", "flag.load(Relaxed)"),
    )
    .unwrap();
    let out = happens(&["advise", weak.to_str().unwrap()]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("fails as written"), "{text}");
    assert!(
        text.contains("`let r1 = flag.load(Relaxed);` (load): Relaxed -> Acquire makes it pass"),
        "{text}"
    );
}

#[test]
fn json_gives_each_site_its_orderings_and_keys() {
    let out = happens(&["advise", "--json", "examples/litmus/advise/mp_plain.litmus"]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["passes"], true);
    assert_eq!(v["together_passes"], true);
    let sites = v["sites"].as_array().unwrap();
    assert_eq!(sites.len(), 2);
    assert_eq!(sites[0]["kind"], "store");
    assert_eq!(sites[0]["weakest"], serde_json::json!(["Release"]));
    assert_eq!(sites[1]["together"], "Acquire");
    assert_eq!(sites[1]["why"][0]["ordering"], "Relaxed");
    assert!(sites[1]["why"][0]["replay"]
        .as_str()
        .unwrap()
        .starts_with("h1/"));
}
