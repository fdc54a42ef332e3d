//! Runs every test of `examples/litmus` through the `happens` binary under
//! each model (`rust`, the default, `rc11` and `sc`; `c++20` and `arm` where
//! they show something: load buffering, message passing, store buffering)
//! and checks its exact
//! outcome: the final states with their execution counts, the totals, the
//! condition's verdict and the races. `rust` and `rc11` agree on every
//! example but `wwmerge`, which is there to show where they part. The
//! examples that answer how a machine runs the program (message passing
//! and store buffering with Relaxed, the SeqCst `z` program) are also run
//! under `x86`.
//!
//! Counts are execution graphs up to reads-from (`rf`) and modification
//! order (`co`). The reasoning behind each expectation is next to it; the
//! comment at the top of each example says the same in prose.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/litmus")
}

/// What one example must give under one model.
struct Expect<'a> {
    executions: u64,
    blocked: u64,
    /// Each final state as its values in column order, and its executions.
    states: &'a [(&'a [i64], u64)],
    /// `always`, `sometimes` or `never`, then `Ok`, `No` or `Undef`.
    holds: &'static str,
    verdict: &'static str,
    positive: u64,
    negative: u64,
    /// Races as (location, first thread, first line, second thread, second line).
    races: &'a [(&'a str, &'a str, u64, &'a str, u64)],
}

fn run(file: &str, model: &str) -> Value {
    let path = examples_dir().join(file);
    let out = Command::new(env!("CARGO_BIN_EXE_happens"))
        .args(["litmus", "--json", "--model", model])
        .arg(&path)
        .output()
        .expect("run happens");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{file}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    serde_json::from_str(&stdout).expect("one JSON object")
}

fn check(file: &str, model: &str, columns: &[&str], e: &Expect) {
    let o = run(file, model);
    let ctx = format!("{file} under {model}: {o}");
    assert_eq!(o["model"], model, "{ctx}");
    assert_eq!(o["executions"], e.executions, "{ctx}");
    assert_eq!(o["blocked"], e.blocked, "{ctx}");
    assert_eq!(o["bound_exceeded"], 0, "{ctx}");
    assert_eq!(o["errors"], 0, "{ctx}");
    let states: Vec<(Vec<i64>, u64)> = o["states"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let values = s["values"].as_object().unwrap();
            assert_eq!(values.len(), columns.len(), "{ctx}");
            (
                columns
                    .iter()
                    .map(|c| values[*c].as_i64().unwrap())
                    .collect(),
                s["executions"].as_u64().unwrap(),
            )
        })
        .collect();
    let want: Vec<(Vec<i64>, u64)> = e.states.iter().map(|(v, n)| (v.to_vec(), *n)).collect();
    assert_eq!(states, want, "{ctx}");
    let c = &o["condition"];
    assert_eq!(c["holds"], e.holds, "{ctx}");
    assert_eq!(c["verdict"], e.verdict, "{ctx}");
    assert_eq!(c["positive"], e.positive, "{ctx}");
    assert_eq!(c["negative"], e.negative, "{ctx}");
    assert_eq!(o["undefined"], !e.races.is_empty(), "{ctx}");
    let races: Vec<(String, String, u64, String, u64)> = o["races"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["location"].as_str().unwrap().to_string(),
                r["first"]["thread"].as_str().unwrap().to_string(),
                r["first"]["line"].as_u64().unwrap(),
                r["second"]["thread"].as_str().unwrap().to_string(),
                r["second"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    let want: Vec<(String, String, u64, String, u64)> = e
        .races
        .iter()
        .map(|&(l, t1, l1, t2, l2)| (l.into(), t1.into(), l1, t2.into(), l2))
        .collect();
    assert_eq!(races, want, "{ctx}");
}

/// [`check`] under `rust` and under `rc11`, which agree here: the two differ
/// only in which SeqCst accesses their SC order must respect (see
/// `wwmerge`).
fn check_rust_rc11(file: &str, columns: &[&str], e: &Expect) {
    check(file, "rust", columns, e);
    check(file, "rc11", columns, e);
}

const NO_RACES: &[(&str, &str, u64, &str, u64)] = &[];

/// Every example is covered below; a new file must get expectations too.
#[test]
fn every_example_is_checked() {
    let mut names: Vec<String> = std::fs::read_dir(examples_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".litmus"))
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "acqrel_z.litmus",
            "lazy_init.litmus",
            "lazy_init_relaxed.litmus",
            "mp_relaxed.litmus",
            "mp_release_acquire.litmus",
            "sb_relaxed.litmus",
            "sb_seqcst.litmus",
            "seqcst_z.litmus",
            "spin_mutex_acqrel.litmus",
            "spin_mutex_relaxed.litmus",
            "too_relaxed.litmus",
            "wwmerge.litmus",
        ]
    );
}

// Store buffering. Each load reads the initial 0 or the other thread's 1:
// four rf choices, one execution each. RC11 with Relaxed allows all four; SC
// (and RC11 with SeqCst, whose SC order must be acyclic) forbid both loads
// reading 0.
#[test]
fn sb_relaxed() {
    let cols = ["t1.r1", "t2.r2"];
    let all4: &[(&[i64], u64)] = &[(&[0, 0], 1), (&[0, 1], 1), (&[1, 0], 1), (&[1, 1], 1)];
    let sc3: &[(&[i64], u64)] = &[(&[0, 1], 1), (&[1, 0], 1), (&[1, 1], 1)];
    let rc11 = Expect {
        executions: 4,
        blocked: 0,
        states: all4,
        holds: "sometimes",
        verdict: "Ok",
        positive: 1,
        negative: 3,
        races: NO_RACES,
    };
    check_rust_rc11("sb_relaxed.litmus", &cols, &rc11);
    let sc = Expect {
        executions: 3,
        states: sc3,
        holds: "never",
        verdict: "No",
        positive: 0,
        negative: 3,
        ..rc11
    };
    check("sb_relaxed.litmus", "sc", &cols, &sc);
    // x86: each store may still sit in its core's store buffer when the
    // other core's load reads memory, so both loads may read 0: RC11's
    // four executions
    check("sb_relaxed.litmus", "x86", &cols, &rc11);
    // Arm: each STR may be seen late (a store buffer), so both LDRs may
    // read 0, as under rust
    check("sb_relaxed.litmus", "arm", &cols, &rc11);
}

#[test]
fn sb_seqcst() {
    let cols = ["t1.r1", "t2.r2"];
    let e = Expect {
        executions: 3,
        blocked: 0,
        states: &[(&[0, 1], 1), (&[1, 0], 1), (&[1, 1], 1)],
        holds: "never",
        verdict: "No",
        positive: 0,
        negative: 3,
        races: NO_RACES,
    };
    check_rust_rc11("sb_seqcst.litmus", &cols, &e);
    check("sb_seqcst.litmus", "sc", &cols, &e);
}

// Message passing. t2's two loads each read the initial 0 or t1's store: four
// rf choices. Relaxed: all four under RC11 (flag 1 with stale data 0
// included); SC forbids reading the flag's 1 and then the data's 0.
#[test]
fn mp_relaxed() {
    let cols = ["t2.r1", "t2.r2"];
    let rc11 = Expect {
        executions: 4,
        blocked: 0,
        states: &[(&[0, 0], 1), (&[0, 42], 1), (&[1, 0], 1), (&[1, 42], 1)],
        holds: "sometimes",
        verdict: "Ok",
        positive: 1,
        negative: 3,
        races: NO_RACES,
    };
    check_rust_rc11("mp_relaxed.litmus", &cols, &rc11);
    let sc = Expect {
        executions: 3,
        states: &[(&[0, 0], 1), (&[0, 42], 1), (&[1, 42], 1)],
        holds: "never",
        verdict: "No",
        positive: 0,
        negative: 3,
        ..rc11
    };
    check("mp_relaxed.litmus", "sc", &cols, &sc);
    // x86: plain moves, but stores leave the store buffer in order and
    // loads are not reordered with loads, so the flag's 1 comes with the
    // data's 42: SC's three executions
    check("mp_relaxed.litmus", "x86", &cols, &sc);
    // Arm: plain STRs and LDRs may be reordered, so the stale read shows, as
    // under rust
    check("mp_relaxed.litmus", "arm", &cols, &rc11);
}

// Release/Acquire with non-atomic data read only after the flag is seen:
// flag 0 (data not read, r2 stays 0), or flag 1, which synchronises, so the
// data read must see 42 and does not race. Two executions under both models.
#[test]
fn mp_release_acquire() {
    let cols = ["t2.r1", "t2.r2"];
    let e = Expect {
        executions: 2,
        blocked: 0,
        states: &[(&[0, 0], 1), (&[1, 42], 1)],
        holds: "never",
        verdict: "No",
        positive: 0,
        negative: 2,
        races: NO_RACES,
    };
    check_rust_rc11("mp_release_acquire.litmus", &cols, &e);
    check("mp_release_acquire.litmus", "sc", &cols, &e);
}

// Load buffering. r1 reads y's 0 or t2's 42; r2 reads x's 0 or t1's store of
// r1. Four rf choices, but r1 = 42 with r2 reading t1's store is a po ∪ rf
// cycle, which RC11 forbids (and SC too). Left: (0,0) twice (r2 reads the
// initial 0, or t1's stored 0) and (42,0) once.
#[test]
fn too_relaxed() {
    let cols = ["t1.r1", "t2.r2"];
    let e = Expect {
        executions: 3,
        blocked: 0,
        states: &[(&[0, 0], 2), (&[42, 0], 1)],
        holds: "never",
        verdict: "No",
        positive: 0,
        negative: 3,
        races: NO_RACES,
    };
    check_rust_rc11("too_relaxed.litmus", &cols, &e);
    check("too_relaxed.litmus", "sc", &cols, &e);
    // C++20 as written has no no-thin-air axiom: the fourth rf choice, t1
    // reading t2's 42 and t2 reading t1's store of it, is consistent (all
    // relaxed: hb is po, which never relates two accesses of one location
    // here), and 42 comes from t2's constant store, so r1 = r2 = 42.
    let cxx20 = Expect {
        executions: 4,
        states: &[(&[0, 0], 2), (&[42, 0], 1), (&[42, 42], 1)],
        holds: "sometimes",
        verdict: "Ok",
        positive: 1,
        negative: 3,
        ..e
    };
    check("too_relaxed.litmus", "c++20", &cols, &cxx20);
    // Arm: t2's plain LDR of x may be satisfied after its independent STR of
    // 42 is seen by t1 (t1's own store depends on its load: data), so Arm
    // shows the load buffering rust forbids
    check("too_relaxed.litmus", "arm", &cols, &cxx20);
}

// The `z` program. A reader finishes only after seeing its flag set; then
// its second load reads the other flag as false (initial) or true. With
// SeqCst, "both read false" is the SB cycle and is forbidden: (true, true)
// gives z = 2 with the two increments in either co order (2 executions),
// (true, false) and (false, true) give z = 1 (1 each). Blocked executions, in
// which a reader's spin load reads the initial false and nothing writes its
// flag after that: both readers blocked (1), t1 blocked while t2 reads x as
// false or true (2), t2 blocked likewise (2): 5.
#[test]
fn seqcst_z() {
    let e = Expect {
        executions: 4,
        blocked: 5,
        states: &[(&[1], 2), (&[2], 2)],
        holds: "never",
        verdict: "No",
        positive: 0,
        negative: 4,
        races: NO_RACES,
    };
    check_rust_rc11("seqcst_z.litmus", &["z"], &e);
    check("seqcst_z.litmus", "sc", &["z"], &e);
    // x86: the SeqCst stores are `xchg`, the loads plain moves. Both
    // readers missing the other flag would be IRIW (t1 sees x set before y,
    // t2 y before x), which x86's single memory forbids: the same outcomes
    check("seqcst_z.litmus", "x86", &["z"], &e);
    // Arm (LDAR/STLR, herd's unrolling of each spin loop: up to two rounds
    // reading false): z == 0 never, in seqcst_z's 36 executions (18 with z = 1, 18
    // with z = 2).
    let arm = Expect {
        executions: 36,
        blocked: 0,
        states: &[(&[1], 18), (&[2], 18)],
        holds: "never",
        verdict: "No",
        positive: 0,
        negative: 36,
        races: NO_RACES,
    };
    check("seqcst_z.litmus", "arm", &["z"], &arm);
}

// Release/Acquire: as above, plus (false, false), which RC11 allows (no SC
// order to agree on): z = 0 in one execution. SC is as for seqcst_z.
#[test]
fn acqrel_z() {
    let rc11 = Expect {
        executions: 5,
        blocked: 5,
        states: &[(&[0], 1), (&[1], 2), (&[2], 2)],
        holds: "sometimes",
        verdict: "Ok",
        positive: 1,
        negative: 4,
        races: NO_RACES,
    };
    check_rust_rc11("acqrel_z.litmus", &["z"], &rc11);
    let sc = Expect {
        executions: 4,
        states: &[(&[1], 2), (&[2], 2)],
        holds: "never",
        verdict: "No",
        positive: 0,
        negative: 4,
        ..rc11
    };
    check("acqrel_z.litmus", "sc", &["z"], &sc);
    // x86: all plain moves, yet as for seqcst_z (0, 0) is IRIW, which x86
    // forbids whatever the instructions: SC's outcomes
    check("acqrel_z.litmus", "x86", &["z"], &sc);
    // Arm (LDAR/STLR, herd's unrolling of each spin loop: up to two rounds
    // reading false): z == 0 never, in acqrel_z's 36 executions (18 with z = 1, 18
    // with z = 2): each reader's two LDARs stay in order (`[A] ; po` is in
    // `ob`) and Arm is multi-copy atomic, so the readers cannot see the two
    // flags set in opposite orders (IRIW), which C++'s acquire/release
    // allows.
    let arm = Expect {
        executions: 36,
        blocked: 0,
        states: &[(&[1], 18), (&[2], 18)],
        holds: "never",
        verdict: "No",
        positive: 0,
        negative: 36,
        races: NO_RACES,
    };
    check("acqrel_z.litmus", "arm", &["z"], &arm);
}

// Spin mutex with Acquire/Release. Complete executions: t1 locks first or t2
// does (2); the second CAS reads the first thread's Release unlock and
// synchronises, so the second critical section reads 1 and the counter ends
// at 2. Blocked: per lock order, the execution in which the second thread's
// CAS reads the held lock (true), fails and its thread never sees a newer
// write (2).
#[test]
fn spin_mutex_acqrel() {
    let e = Expect {
        executions: 2,
        blocked: 2,
        states: &[(&[2], 2)],
        holds: "always",
        verdict: "Ok",
        positive: 2,
        negative: 0,
        races: NO_RACES,
    };
    check_rust_rc11("spin_mutex_acqrel.litmus", &["counter"], &e);
    check("spin_mutex_acqrel.litmus", "sc", &["counter"], &e);
}

// Spin mutex with Relaxed. Under RC11 nothing orders the two critical
// sections. Per lock order (2): the first thread's read sees the initial 0
// (reading the other's write would be a po ∪ rf cycle through the lock); the
// second thread's read sees 1 (then its write is co-after: counter 2) or the
// initial 0 (then the two writes of 1 can be co-ordered either way): 3
// executions, 6 in all, only 2 of them ending with counter == 2. All are racy,
// so no final state is listed. The three distinct races on `counter`: t1's
// read (line 18) with t2's write (27), t1's write (19) with t2's read (26),
// and the two writes. SC has no undefined behaviour: the outcomes of the
// Acquire/Release version.
#[test]
fn spin_mutex_relaxed() {
    let rc11 = Expect {
        executions: 6,
        blocked: 2,
        states: &[],
        holds: "sometimes",
        verdict: "Undef",
        positive: 2,
        negative: 4,
        races: &[
            ("counter", "t1", 18, "t2", 27),
            ("counter", "t1", 19, "t2", 26),
            ("counter", "t1", 19, "t2", 27),
        ],
    };
    check_rust_rc11("spin_mutex_relaxed.litmus", &["counter"], &rc11);
    let sc = Expect {
        executions: 2,
        blocked: 2,
        states: &[(&[2], 2)],
        holds: "always",
        verdict: "Ok",
        positive: 2,
        negative: 0,
        races: NO_RACES,
    };
    check("spin_mutex_relaxed.litmus", "sc", &["counter"], &sc);
}

// Lazy initialisation. Exactly one CAS succeeds (t1's or t2's: RMW atomicity
// forbids both reading the initial null); the loser's CAS reads the winner's
// pointer. The reader sees null or the installed pointer. 2 × 2 = 4
// executions, the payloads always seen (11 or 22, never 0), no race.
#[test]
fn lazy_init() {
    let cols = ["t1.v", "t2.v", "reader.p", "reader.v"];
    let e = Expect {
        executions: 4,
        blocked: 0,
        states: &[
            (&[11, 11, 0, -1], 1),
            (&[11, 11, 1, 11], 1),
            (&[22, 22, 0, -1], 1),
            (&[22, 22, 2, 22], 1),
        ],
        holds: "never",
        verdict: "No",
        positive: 0,
        negative: 4,
        races: NO_RACES,
    };
    check_rust_rc11("lazy_init.litmus", &cols, &e);
    check("lazy_init.litmus", "sc", &cols, &e);
}

// Relaxed lazy initialisation under RC11: per winner (2), the reader sees
// null (1) or the pointer and then reads the payload as 0 or the value (2),
// and independently the loser reads the winner's payload as 0 or the value
// (2): (1 + 2) × 2 = 6 per winner, 12 in all. A 0 is read in 3 + 1 = 4 of each
// winner's 6: positive 8. Races: each payload write with the loser's and the
// reader's read of it. SC: no races, the outcomes of lazy_init.
#[test]
fn lazy_init_relaxed() {
    let cols = ["t1.v", "t2.v", "reader.p", "reader.v"];
    let rc11 = Expect {
        executions: 12,
        blocked: 0,
        states: &[],
        holds: "sometimes",
        verdict: "Undef",
        positive: 8,
        negative: 4,
        races: &[
            ("obj1", "t1", 17, "reader", 40),
            ("obj1", "t1", 17, "t2", 33),
            ("obj2", "t1", 23, "t2", 27),
            ("obj2", "t2", 27, "reader", 43),
        ],
    };
    check_rust_rc11("lazy_init_relaxed.litmus", &cols, &rc11);
    let sc = Expect {
        executions: 4,
        blocked: 0,
        states: &[
            (&[11, 11, 0, -1], 1),
            (&[11, 11, 1, 11], 1),
            (&[22, 22, 0, -1], 1),
            (&[22, 22, 2, 22], 1),
        ],
        holds: "never",
        verdict: "No",
        positive: 0,
        negative: 4,
        races: NO_RACES,
    };
    check("lazy_init_relaxed.litmus", "sc", &cols, &sc);
}

// WWmerge: t2 stores x = 1 then x = 2 (SeqCst); t1 reads x (Acquire) then y
// (SeqCst); t3 stores y then reads x (SeqCst). Each of the three loads reads
// one of its location's writes (3 × 2 × 3 = 18 rf choices, co fixed by po)
// and no rf choice breaks coherence, so RC11 allows all 18, one execution
// each. Rust's model (C++20's SC rule) forbids a = 2, b = 0, c = 0: when t1
// reads 2, x = 1 strongly happens before t1's load of y, and b = 0, c = 0
// close the SC cycle x = 1 → load y → store y → load x → x = 1. SC allows
// 15: besides that one, a = 1, b = 0, c = 0 (t1 saw x = 1 but not y = 1,
// and t3 then cannot miss x = 1) and a = 2, b = 0, c = 1 (t1 saw x = 2
// before y = 1, and t3 saw only x = 1, older than 2).
#[test]
fn wwmerge() {
    let cols = ["t1.a", "t1.b", "t3.c"];
    // every combination, one execution each, but those a model forbids
    let all: Vec<[i64; 3]> = (0..3)
        .flat_map(|a| (0..2).flat_map(move |b| (0..3).map(move |c| [a, b, c])))
        .collect();
    let but = |forbidden: &[[i64; 3]]| -> Vec<(&[i64], u64)> {
        all.iter()
            .filter(|v| !forbidden.contains(v))
            .map(|v| (&v[..], 1))
            .collect()
    };
    let (rust_states, rc11_states) = (but(&[[2, 0, 0]]), but(&[]));
    let sc_states = but(&[[1, 0, 0], [2, 0, 0], [2, 0, 1]]);
    let rust = Expect {
        executions: 17,
        blocked: 0,
        states: &rust_states,
        holds: "never",
        verdict: "No",
        positive: 0,
        negative: 17,
        races: NO_RACES,
    };
    check("wwmerge.litmus", "rust", &cols, &rust);
    let rc11 = Expect {
        executions: 18,
        states: &rc11_states,
        holds: "sometimes",
        verdict: "Ok",
        positive: 1,
        negative: 17,
        ..rust
    };
    check("wwmerge.litmus", "rc11", &cols, &rc11);
    let sc = Expect {
        executions: 15,
        states: &sc_states,
        holds: "never",
        verdict: "No",
        positive: 0,
        negative: 15,
        ..rust
    };
    check("wwmerge.litmus", "sc", &cols, &sc);
    // the default model is rust
    let (code, text, _) = happens(&["litmus", "examples/litmus/wwmerge.litmus"]);
    assert_eq!(code, 0);
    assert!(
        text.starts_with("Test WWmerge (model rust)\nStates 17\n"),
        "{text}"
    );
    let (code, text, _) = happens(&[
        "compare",
        "--models",
        "rust,rc11",
        "examples/litmus/wwmerge.litmus",
    ]);
    assert_eq!(code, 0);
    assert!(text.contains("     2     0     0     -     1\n"), "{text}");
    assert!(text.contains("Executions  rust: 17, blocked 0  rc11: 18, blocked 0\n"));
    // the execution rust forbids, drawn under rc11: its replay command names
    // the model, and replays under rc11 only
    let (code, text, _) = happens(&[
        "litmus",
        "--model",
        "rc11",
        "--graph",
        "examples/litmus/wwmerge.litmus",
    ]);
    assert_eq!(code, 0);
    let prefix = "replay: happens replay --model rc11 examples/litmus/wwmerge.litmus '";
    let key = text
        .lines()
        .skip_while(|l| !l.contains("ending in t1.a=2; t1.b=0; t3.c=0 "))
        .find_map(|l| l.strip_prefix(prefix))
        .unwrap_or_else(|| panic!("{text}"))
        .trim_end_matches('\'');
    let wwmerge = "examples/litmus/wwmerge.litmus";
    let (code, text, err) = happens(&["replay", "--model", "rc11", wwmerge, key]);
    assert_eq!(code, 0, "{err}");
    assert!(text.contains("ending in t1.a=2; t1.b=0; t3.c=0:"), "{text}");
    let (code, _, err) = happens(&["replay", wwmerge, key]);
    assert_eq!(code, 1);
    assert!(err.contains("does not describe an execution"), "{err}");
}

// The text report of the README's first command, byte for byte.
#[test]
fn text_report_of_sb_relaxed() {
    let out = Command::new(env!("CARGO_BIN_EXE_happens"))
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
        .args(["litmus", "examples/litmus/sb_relaxed.litmus"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "Test SB_relaxed (model rust)
States 4
  t1.r1  t2.r2  executions
      0      0           1
      0      1           1
      1      0           1
      1      1           1
Condition exists (t1.r1 == 0 && t2.r2 == 0): sometimes (1 of 4 executions), Ok
Executions 4, blocked 0
"
    );
}

// `compare` puts the models side by side (all of them by default); `-` marks
// a forbidden state.
#[test]
fn compare_report_of_mp_relaxed() {
    let out = Command::new(env!("CARGO_BIN_EXE_happens"))
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
        .args(["compare", "examples/litmus/mp_relaxed.litmus"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
"Test MP_relaxed (rust vs rc11 vs sc vs c++20 vs x86 vs arm)
  t2.r1  t2.r2  rust  rc11  sc  c++20  x86  arm
      0      0     1     1   1      1    1    1
      0     42     1     1   1      1    1    1
      1      0     1     1   -      1    -    1
      1     42     1     1   1      1    1    1
Condition exists (t2.r1 == 1 && t2.r2 == 0)
  rust:  sometimes (1 of 4 executions), Ok
  rc11:  sometimes (1 of 4 executions), Ok
  sc:    never (0 of 3 executions), No
  c++20: sometimes (1 of 4 executions), Ok
  x86:   never (0 of 3 executions), No
  arm:   sometimes (1 of 4 executions), Ok
Executions  rust: 4, blocked 0  rc11: 4, blocked 0  sc: 3, blocked 0  c++20: 4, blocked 0  x86: 3, blocked 0  arm: 4, blocked 0
"
    );
}

// `--graph` draws one execution per final state after the report; `--html`
// writes a page with an SVG per outcome.
#[test]
fn graph_and_html() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = Command::new(env!("CARGO_BIN_EXE_happens"))
        .current_dir(&root)
        .args([
            "litmus",
            "--graph",
            "examples/litmus/mp_release_acquire.litmus",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let headings: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("Execution ") && l.contains("ending in"))
        .collect();
    assert_eq!(
        headings,
        [
            "Execution 1, ending in t2.r1=1; t2.r2=42 (1 execution ends there):",
            "Execution 2, ending in t2.r1=0; t2.r2=0 (1 execution ends there):",
        ]
    );
    assert_eq!(text.matches("replay: happens replay ").count(), 2);
    // compact labels in the boxes
    assert!(text.contains("│ flag = 1 rel ├"), "{text}");
    assert!(text.contains(" r1 = flag acq → 1 │"), "{text}");

    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("html_report");
    let _ = std::fs::remove_dir_all(&dir);
    let out = Command::new(env!("CARGO_BIN_EXE_happens"))
        .current_dir(&root)
        .args(["litmus", "--html"])
        .arg(&dir)
        .arg("examples/litmus/spin_mutex_relaxed.litmus")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let page = std::fs::read_to_string(dir.join("spin_mutex_relaxed.rust.html")).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("<svg"));
    assert!(page.contains("data race"));
}

fn happens(args: &[&str]) -> (i32, String, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = Command::new(env!("CARGO_BIN_EXE_happens"))
        .current_dir(&root)
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

// `--graph=all` draws every execution (4 for relaxed SB), `--graph=N` only
// the N-th, and each drawing's replay key brings back that execution.
#[test]
fn graph_selection_and_replay() {
    let sb = "examples/litmus/sb_relaxed.litmus";
    let (code, all, _) = happens(&["litmus", "--graph=all", sb]);
    assert_eq!(code, 0);
    let keys: Vec<String> = all
        .lines()
        .filter_map(|l| l.strip_prefix(&format!("replay: happens replay {sb} '")))
        .map(|k| k.trim_end_matches('\'').to_string())
        .collect();
    assert_eq!(keys.len(), 4, "{all}");
    // the value may also follow as a separate word
    let (code, spaced, _) = happens(&["litmus", "--graph", "all", sb]);
    assert_eq!((code, spaced.matches("replay: ").count()), (0, 4));
    let (code, third, _) = happens(&["litmus", "--graph=3", sb]);
    assert_eq!(code, 0);
    assert_eq!(third.matches("replay: ").count(), 1);
    assert!(third.contains(&keys[2]));
    for (i, key) in keys.iter().enumerate() {
        let (code, text, err) = happens(&["replay", sb, key]);
        assert_eq!(code, 0, "{err}");
        assert!(text.contains("Executions 1, blocked 0"), "{text}");
        // the state shown is the one the N-th drawing ended in
        let heading = all
            .lines()
            .filter(|l| l.starts_with("Execution ") && l.contains("ending in"))
            .nth(i)
            .unwrap();
        let state = heading
            .split("ending in ")
            .nth(1)
            .unwrap()
            .trim_end_matches(':');
        assert!(text.contains(&format!("ending in {state}:")), "{text}");
    }
    let (code, _, err) = happens(&["replay", sb, "h1/9.9<0.0/"]);
    assert_eq!(code, 1);
    assert!(err.contains("does not describe an execution"), "{err}");
    let (code, _, err) = happens(&["replay", sb, "nonsense"]);
    assert_eq!(code, 1);
    assert!(err.contains("invalid replay key"), "{err}");
    // a diagram wider than --width becomes a list that says how to get SVG
    let (code, narrow, _) = happens(&["litmus", "--graph=1", "--width", "40", sb]);
    assert_eq!(code, 0);
    assert!(narrow.contains("more than 40: use --svg FILE"), "{narrow}");
    let (code, _, err) = happens(&["litmus", "--graph=0", sb]);
    assert_eq!(code, 2);
    assert!(
        err.contains("expected `outcomes`, `all` or an execution number"),
        "{err}"
    );
}

// `--html FILE.html` writes one self-contained page for all tests, and
// `replay --svg/--dot` writes the pictures of one execution.
#[test]
fn html_file_and_pictures() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("html_file");
    let _ = std::fs::remove_dir_all(&dir);
    let page = dir.join("report.html");
    let (code, _, err) = happens(&[
        "litmus",
        "--html",
        page.to_str().unwrap(),
        "examples/litmus/sb_relaxed.litmus",
        "examples/litmus/mp_release_acquire.litmus",
    ]);
    assert_eq!(code, 0, "{err}");
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    // 4 outcomes of SB and 2 of MP, each with its diagram
    assert_eq!(html.matches("<svg").count(), 6, "{html}");
    // each outcome's title is in the table and above its diagram
    assert_eq!(html.matches("SB_relaxed: ").count(), 2 * 4);
    assert_eq!(html.matches("MP_release_acquire: ").count(), 2 * 2);
    // the page is titled with the tests, not the file it was written to
    let title = "SB_relaxed, MP_release_acquire (rust)";
    assert!(html.contains(&format!("<title>{title}</title>")), "{html}");
    assert!(html.contains(&format!("<h1>{title}</h1>")), "{html}");
    let (_, all, _) = happens(&["litmus", "--graph=1", "examples/litmus/sb_relaxed.litmus"]);
    let key = all
        .lines()
        .find_map(|l| l.strip_prefix("replay: happens replay examples/litmus/sb_relaxed.litmus '"))
        .unwrap()
        .trim_end_matches('\'')
        .to_string();
    let svg = dir.join("one.svg");
    let dot = dir.join("one.dot");
    let (code, _, err) = happens(&[
        "replay",
        "examples/litmus/sb_relaxed.litmus",
        &key,
        "--svg",
        svg.to_str().unwrap(),
        "--dot",
        dot.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let svg = std::fs::read_to_string(svg).unwrap();
    assert!(svg.starts_with("<svg") || svg.starts_with("<?xml"), "{svg}");
    assert!(std::fs::read_to_string(dot).unwrap().starts_with("digraph"));
}
