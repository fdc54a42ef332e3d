//! The `x86` model: hand-checked answers, the decisions its module documents
//! (a failed compare-exchange is a locked instruction, a SeqCst store is
//! `xchg`, other fences compile to nothing), and the soundness of the
//! mapping on the corpus (`shared/litmus/c11`): on a race-free test, every
//! state x86 allows is one `rust` allows.
//!
//! Counts are execution graphs of the C test's events up to `rf` and `co`
//! (a SeqCst store is one write here, where herd's `xchg` also has a read).

mod common;

use std::path::Path;

use happens_litmus::{parse, run, Holds, ModelKind, Outcome, RunOptions, Test};

fn test(name: &str, src: &str) -> Test {
    match parse(name, src.as_bytes()) {
        Ok(t) => t,
        Err(d) => panic!("{d}"),
    }
}

fn under(model: ModelKind, t: &Test) -> Outcome {
    run(
        t,
        &RunOptions {
            model,
            ..RunOptions::default()
        },
    )
}

/// Each state as `k=v` pairs joined by spaces, with its executions.
fn states(o: &Outcome) -> Vec<(String, u64)> {
    o.states
        .iter()
        .map(|s| {
            let v: Vec<String> = s.values.iter().map(|(k, v)| format!("{k}={v}")).collect();
            (v.join(" "), s.executions)
        })
        .collect()
}

/// Runs `t` under x86 and checks every state with its count, the total and
/// the condition's verdict; x86 reports no race and no blocked execution.
fn check(t: &Test, want: &[(&str, u64)], holds: Holds) {
    let o = under(ModelKind::X86, t);
    let want: Vec<(String, u64)> = want.iter().map(|(s, n)| (s.to_string(), *n)).collect();
    assert_eq!(states(&o), want, "{}: {o:?}", t.name);
    assert_eq!(o.executions, want.iter().map(|(_, n)| n).sum::<u64>());
    assert_eq!((o.blocked, o.bound_exceeded, o.errors), (0, 0, 0));
    assert!(!o.undefined && o.races.is_empty(), "{o:?}");
    assert_eq!(o.condition.map(|c| c.holds), Some(holds), "{}", t.name);
}

/// A corpus test, or `None` (with a note) when the corpus is not there.
fn corpus_test(rel: &str) -> Option<Test> {
    let Some(dir) = common::corpus_dir() else {
        println!("note: litmus corpus not found (set HAPPENS_LITMUS_CORPUS); skipping");
        return None;
    };
    let src = std::fs::read(dir.join(rel)).expect("corpus file");
    Some(parse(rel, &src).expect("corpus test parses"))
}

/// The README's five classic tests, answers checked by hand: SB is the one
/// reordering x86 shows; MP, LB, IRIW and 2+2W are forbidden.
#[test]
fn classic_tests() {
    // SB+rlx: each store waits in its core's buffer while the other core's
    // load reads memory: both loads may read 0
    let Some(sb) = corpus_test("classic/SB+rlx.litmus") else {
        return;
    };
    let all4 = [
        ("0:r0=0 1:r0=0", 1),
        ("0:r0=0 1:r0=1", 1),
        ("0:r0=1 1:r0=0", 1),
        ("0:r0=1 1:r0=1", 1),
    ];
    check(&sb, &all4, Holds::Sometimes);
    // MP+rel+acq: stores leave the buffer in order and loads are not
    // reordered: flag seen means data seen
    let mp = corpus_test("classic/MP+rel+acq.litmus").unwrap();
    let mp3 = [
        ("1:r0=0 1:r1=0", 1),
        ("1:r0=0 1:r1=1", 1),
        ("1:r0=1 1:r1=1", 1),
    ];
    check(&mp, &mp3, Holds::Never);
    // LB+rlx: a load is never delayed past a later store (R → W is in ppo),
    // so the two loads cannot both read the other thread's store
    let lb = corpus_test("classic/LB+rlx.litmus").unwrap();
    let lb3 = [
        ("0:r0=0 1:r0=0", 1),
        ("0:r0=0 1:r0=1", 1),
        ("0:r0=1 1:r0=0", 1),
    ];
    check(&lb, &lb3, Holds::Never);
    // IRIW+sc: one memory, so both readers see the two stores in one order;
    // 16 combinations but the one where they disagree
    let iriw = corpus_test("classic/IRIW+sc.litmus").unwrap();
    let mut iriw15: Vec<(String, u64)> = Vec::new();
    for bits in 0..16u32 {
        let v = |i: u32| (bits >> (3 - i)) & 1;
        if (v(0), v(1), v(2), v(3)) != (1, 0, 1, 0) {
            iriw15.push((
                format!("1:r0={} 1:r1={} 3:r0={} 3:r1={}", v(0), v(1), v(2), v(3)),
                1,
            ));
        }
    }
    let iriw15: Vec<(&str, u64)> = iriw15.iter().map(|(s, n)| (s.as_str(), *n)).collect();
    check(&iriw, &iriw15, Holds::Never);
    // 2+2W+rlx: each thread's two stores reach memory in program order, so
    // x = 1 (P1's store of 1 after P0's 2) and y = 1 (P0's 1 after P1's 2)
    // would need a cycle; the three other co orders remain
    let w2 = corpus_test("classic/2+2W+rlx.litmus").unwrap();
    let w3 = [("x=1 y=2", 1), ("x=2 y=1", 1), ("x=2 y=2", 1)];
    check(&w2, &w3, Holds::Never);
}

const SB: &str = "litmus SB_x86
let x: AtomicUsize = 0;
let y: AtomicUsize = 0;
let z: AtomicUsize = 0;
thread t1 {
    x.store(1, Relaxed);
    MIDDLE1
    let r1 = y.load(Relaxed);
}
thread t2 {
    y.store(1, Relaxed);
    MIDDLE2
    let r2 = x.load(Relaxed);
}
exists (t1.r1 == 0 && t2.r2 == 0)
";

fn sb_with(middle1: &str, middle2: &str) -> Test {
    let src = SB.replace("MIDDLE1", middle1).replace("MIDDLE2", middle2);
    test("sb.litmus", &src)
}

const SB_ALL: [(&str, u64); 4] = [
    ("t1.r1=0 t2.r2=0", 1),
    ("t1.r1=0 t2.r2=1", 1),
    ("t1.r1=1 t2.r2=0", 1),
    ("t1.r1=1 t2.r2=1", 1),
];
const SB_NOT_00: [(&str, u64); 3] = [
    ("t1.r1=0 t2.r2=1", 1),
    ("t1.r1=1 t2.r2=0", 1),
    ("t1.r1=1 t2.r2=1", 1),
];

/// What orders a store before a later load on x86: `mfence` (a SeqCst
/// fence), any locked instruction, a compare-exchange that fails included
/// (herd's `lock cmpxchg` makes a locked read then), and a SeqCst store
/// (`xchg`). Acquire, release and acq_rel fences compile to nothing.
#[test]
fn what_orders_a_store_before_a_load() {
    check(&sb_with("", ""), &SB_ALL, Holds::Sometimes);
    for f in ["Acquire", "Release", "AcqRel"] {
        let fence = format!("fence({f});");
        check(&sb_with(&fence, &fence), &SB_ALL, Holds::Sometimes);
    }
    let mfence = "fence(SeqCst);";
    check(&sb_with(mfence, mfence), &SB_NOT_00, Holds::Never);
    // one fence is not enough: the other thread's store may still wait
    check(&sb_with(mfence, ""), &SB_ALL, Holds::Sometimes);
    // a relaxed fetch_add on a third location (`lock addl`). The two are
    // ordered in `co`; the second reads the first, so the first thread's
    // store comes before the second thread's load, which reads 1: t1's
    // first gives (0 or 1, 1), t2's first (1, 0 or 1)
    let add = "z.fetch_add(1, Relaxed);";
    let by_co_order = [
        ("t1.r1=0 t2.r2=1", 1),
        ("t1.r1=1 t2.r2=0", 1),
        ("t1.r1=1 t2.r2=1", 2),
    ];
    check(&sb_with(add, add), &by_co_order, Holds::Never);
    // a compare-exchange that fails (z is 0, never 5): a locked read
    let cas = "let c = z.compare_exchange(5, 6, Relaxed, Relaxed);";
    check(&sb_with(cas, cas), &SB_NOT_00, Holds::Never);
    // a weak one is `lock cmpxchg` too: it neither fails spuriously nor
    // lets the store pass
    let weak = "let c = z.compare_exchange_weak(5, 6, Relaxed, Relaxed);";
    check(&sb_with(weak, weak), &SB_NOT_00, Holds::Never);
    // the same tests under rust: no ordering from relaxed RMWs or fences
    let o = under(ModelKind::Rust, &sb_with(cas, cas));
    assert_eq!(o.condition.unwrap().holds, Holds::Sometimes);
}

/// A SeqCst store is `xchg`: SB with SeqCst stores and relaxed loads is
/// forbidden on x86 (and allowed by `rust`, where SeqCst stores alone order
/// nothing before relaxed loads). A SeqCst load is a plain `mov`: SB with
/// release stores and SeqCst loads stays allowed.
#[test]
fn seqcst_store_is_xchg() {
    let sc_stores = test(
        "sb.litmus",
        &SB.replace("MIDDLE1", "")
            .replace("MIDDLE2", "")
            .replace("store(1, Relaxed)", "store(1, SeqCst)"),
    );
    check(&sc_stores, &SB_NOT_00, Holds::Never);
    let o = under(ModelKind::Rust, &sc_stores);
    assert_eq!(o.condition.unwrap().holds, Holds::Sometimes);
    let sc_loads = test(
        "sb.litmus",
        &SB.replace("MIDDLE1", "")
            .replace("MIDDLE2", "")
            .replace("store(1, Relaxed)", "store(1, Release)")
            .replace("load(Relaxed)", "load(SeqCst)"),
    );
    check(&sc_loads, &SB_ALL, Holds::Sometimes);
}

/// Soundness of the mapping (corpus README, "Sanity check"): on every
/// race-free test with an x86 file, the states x86 allows are among those
/// `rust` allows: a subset on all 171, the same set on 147 (not on the
/// three weak compare-exchange tests: `lock cmpxchg` never fails
/// spuriously, so x86 lacks the states of a spurious failure).
#[test]
fn x86_states_are_rust_states_on_race_free_tests() {
    let Some((dir, files)) = common::corpus_files() else {
        return;
    };
    let (mut race_free, mut equal) = (0, 0);
    let mut bad = Vec::new();
    for f in &files {
        if !Path::new(&format!("{}.x86.expected", f.display())).exists() {
            continue;
        }
        let name = f.strip_prefix(&dir).unwrap_or(f).display().to_string();
        let t = parse(&name, &std::fs::read(f).unwrap()).expect("corpus test parses");
        let rust = under(ModelKind::Rust, &t);
        if rust.undefined {
            continue;
        }
        race_free += 1;
        let x86 = under(ModelKind::X86, &t);
        let rust_states: Vec<_> = rust.states.iter().map(|s| &s.values).collect();
        let x86_states: Vec<_> = x86.states.iter().map(|s| &s.values).collect();
        if !x86_states.iter().all(|s| rust_states.contains(s)) {
            bad.push(name);
        } else if x86_states.len() == rust_states.len() {
            equal += 1;
        }
    }
    assert!(bad.is_empty(), "x86 allows states rust forbids: {bad:?}");
    assert_eq!((race_free, equal), (171, 147));
}
