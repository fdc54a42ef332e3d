//! The `arm` model against the language models, on the corpus
//! (`shared/litmus/c11`), and the textbook shapes by hand.
//!
//! Soundness of the mapping: on a race-free test, every final state the
//! compiled program can reach on Arm must be one the language allows. Arm
//! keeps dependencies but reorders a plain `LDR` with a later independent
//! `STR`, so it shows load buffering: its states are within `c++20`'s
//! (which allows load buffering) on every race-free test with an Arm file,
//! but not within `rust`'s (no thin air) on exactly the load-buffering
//! shapes the corpus README lists. That is why RC11's Arm mapping needs a
//! dependency or a fence after each relaxed load.
//!
//! Run in release mode: `cargo test --release -p happens-litmus --test hardware`.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use happens_litmus::{parse, run, ModelKind, Outcome, RunOptions, Test, Value};

fn under(test: &Test, model: ModelKind) -> Outcome {
    run(
        test,
        &RunOptions {
            model,
            ..RunOptions::default()
        },
    )
}

/// The final states, each as its printed values.
fn states(o: &Outcome) -> BTreeSet<Vec<(String, Value)>> {
    o.states.iter().map(|s| s.values.clone()).collect()
}

/// The 47 race-free tests on which Arm reaches a state `rust` forbids, the
/// corpus README's list: all load buffering (`LB+rlx`; Dat3M's and popl15's
/// `b*` and `lb`, with their copies; herdrc11's `LB+*`; `imm-E3.6` and `imm-E3.10`; paul_oota's `oota-causality-7`,
/// `oota-causality-11` and `simple-reordering`). `imm-E3.10` is the IMM
/// paper's example: the store that closes the cycle depends on the result
/// of a release `fetch_add` (`LDADDL`) after the load, and a release orders
/// only the RMW's write, not what follows.
const ARM_BEYOND_RUST: [&str; 47] = [
    "classic/LB+rlx.litmus",
    "cpp_memory_model/references/dat3m/auto/b+acq+rel.litmus",
    "cpp_memory_model/references/dat3m/auto/b+acq+rlx.litmus",
    "cpp_memory_model/references/dat3m/auto/b+acq+sc.litmus",
    "cpp_memory_model/references/dat3m/auto/b+rlx+rel.litmus",
    "cpp_memory_model/references/dat3m/auto/b+rlx+rlx.litmus",
    "cpp_memory_model/references/dat3m/auto/b+rlx+sc.litmus",
    "cpp_memory_model/references/dat3m/auto/b+sc+rel.litmus",
    "cpp_memory_model/references/dat3m/auto/b+sc+rlx.litmus",
    "cpp_memory_model/references/dat3m/auto/b+sc+sc.litmus",
    "cpp_memory_model/references/dat3m/auto/b.litmus",
    "cpp_memory_model/references/dat3m/auto/lb.litmus",
    "cpp_memory_model/references/dat3m/manual/imm-E3.10.litmus",
    "cpp_memory_model/references/dat3m/manual/imm-E3.6.litmus",
    "cpp_memory_model/references/herdrc11/LB+fetch.addrlxrlx-porlxrlxs.litmus",
    "cpp_memory_model/references/herdrc11/LB+porlxrlx+fetch.addrlxrlx-porlxrlx.litmus",
    "cpp_memory_model/references/herdrc11/LB+porlxrlx+posWrlxrlx-porlxrlx.litmus",
    "cpp_memory_model/references/herdrc11/LB+porlxrlx+rmwrlxrlx-porlxrlx.litmus",
    "cpp_memory_model/references/herdrc11/LB+posWrlxrlx-porlxrlx+fetch.addrlxrlx-porlxrlx.litmus",
    "cpp_memory_model/references/herdrc11/LB+rmwrlxrlx-porlxrlx+fetch.addrlxrlx-porlxrlx.litmus",
    "cpp_memory_model/references/paul_oota/oota-causality-11.litmus",
    "cpp_memory_model/references/paul_oota/oota-causality-7.litmus",
    "cpp_memory_model/references/paul_oota/simple-reordering.litmus",
    "cpp_memory_model/references/popl15/auto/b+acq+rel.litmus",
    "cpp_memory_model/references/popl15/auto/b+acq+rlx.litmus",
    "cpp_memory_model/references/popl15/auto/b+acq+sc.litmus",
    "cpp_memory_model/references/popl15/auto/b+rlx+rel.litmus",
    "cpp_memory_model/references/popl15/auto/b+rlx+rlx.litmus",
    "cpp_memory_model/references/popl15/auto/b+rlx+sc.litmus",
    "cpp_memory_model/references/popl15/auto/b+sc+rel.litmus",
    "cpp_memory_model/references/popl15/auto/b+sc+rlx.litmus",
    "cpp_memory_model/references/popl15/auto/b+sc+sc.litmus",
    "cpp_memory_model/references/popl15/manual/b.litmus",
    "cpp_memory_model/references/popl15/manual/lb.litmus",
    "dat3m/auto/b+acq+rel.litmus",
    "dat3m/auto/b+acq+rlx.litmus",
    "dat3m/auto/b+acq+sc.litmus",
    "dat3m/auto/b+rlx+rel.litmus",
    "dat3m/auto/b+rlx+rlx.litmus",
    "dat3m/auto/b+rlx+sc.litmus",
    "dat3m/auto/b+sc+rel.litmus",
    "dat3m/auto/b+sc+rlx.litmus",
    "dat3m/auto/b+sc+sc.litmus",
    "dat3m/auto/b.litmus",
    "dat3m/auto/lb.litmus",
    "dat3m/manual/imm-E3.10.litmus",
    "dat3m/manual/imm-E3.6.litmus",
];

#[test]
fn arm_is_within_cxx20_and_beyond_rust_only_on_load_buffering() {
    let Some((dir, files)) = common::corpus_files() else {
        return;
    };
    let (mut race_free, mut within_cxx20) = (0, 0);
    let mut not_within = Vec::new();
    let mut beyond_rust = Vec::new();
    for f in &files {
        if !Path::new(&format!("{}.arm.expected", f.display())).exists() {
            continue;
        }
        let name = f.strip_prefix(&dir).unwrap_or(f).display().to_string();
        let src = std::fs::read(f).unwrap();
        let test = parse(&name, &src).unwrap();
        let cxx20 = under(&test, ModelKind::Cxx20);
        if cxx20.undefined {
            continue;
        }
        race_free += 1;
        let arm = states(&under(&test, ModelKind::Arm));
        if arm.is_subset(&states(&cxx20)) {
            within_cxx20 += 1;
        } else {
            not_within.push(name.clone());
        }
        if !arm.is_subset(&states(&under(&test, ModelKind::Rust))) {
            beyond_rust.push(name);
        }
    }
    println!("race-free tests with an Arm file: {race_free}; arm within c++20: {within_cxx20}; beyond rust: {}", beyond_rust.len());
    for n in &beyond_rust {
        println!("  {n}");
    }
    assert_eq!(race_free, 200);
    assert_eq!(not_within, Vec::<String>::new());
    assert_eq!(beyond_rust, ARM_BEYOND_RUST);
}

fn arm(src: &str) -> Outcome {
    let test = parse("t.litmus", src.as_bytes()).unwrap_or_else(|d| panic!("{d}"));
    let o = under(&test, ModelKind::Arm);
    assert_eq!(o.errors, 0, "{o:?}");
    o
}

/// The textbook shapes on Arm (the corpus README's hand checks): store
/// buffering, relaxed message passing, relaxed load buffering and 2+2W are
/// allowed; message passing with release/acquire and IRIW with SeqCst are
/// forbidden; load buffering through a data or a control dependency is
/// forbidden (Arm keeps dependencies).
#[test]
fn arm_textbook_shapes() {
    // SB: each LDR may be satisfied before the other thread's STR is seen
    let o = arm("litmus sb
let x: AtomicUsize = 0;
let y: AtomicUsize = 0;
thread t1 { x.store(1, Relaxed); let r1 = y.load(Relaxed); }
thread t2 { y.store(1, Relaxed); let r2 = x.load(Relaxed); }
exists (t1.r1 == 0 && t2.r2 == 0)");
    assert_eq!(
        common::shown(&o),
        [
            "t1.r1=0 t2.r2=0",
            "t1.r1=0 t2.r2=1",
            "t1.r1=1 t2.r2=0",
            "t1.r1=1 t2.r2=1"
        ]
    );
    // MP, all relaxed: the two STRs (or the two LDRs) may be reordered
    let mp = |w: &str, r: &str| {
        format!(
            "litmus mp
let data: AtomicUsize = 0;
let flag: AtomicUsize = 0;
thread t1 {{ data.store(42, Relaxed); flag.store(1, {w}); }}
thread t2 {{ let r1 = flag.load({r}); let r2 = data.load(Relaxed); }}
exists (t2.r1 == 1 && t2.r2 == 0)"
        )
    };
    let o = arm(&mp("Relaxed", "Relaxed"));
    assert_eq!(
        common::shown(&o),
        [
            "t2.r1=0 t2.r2=0",
            "t2.r1=0 t2.r2=42",
            "t2.r1=1 t2.r2=0",
            "t2.r1=1 t2.r2=42"
        ]
    );
    // MP with STLR and LDAR: forbidden
    let o = arm(&mp("Release", "Acquire"));
    assert_eq!(
        common::shown(&o),
        ["t2.r1=0 t2.r2=0", "t2.r1=0 t2.r2=42", "t2.r1=1 t2.r2=42"]
    );
    // LB, relaxed: a plain LDR is reordered with a later independent STR
    let lb = |s1: &str, s2: &str| {
        format!(
            "litmus lb
let x: AtomicUsize = 0;
let y: AtomicUsize = 0;
thread t1 {{ let r1 = x.load(Relaxed); {s1} }}
thread t2 {{ let r2 = y.load(Relaxed); {s2} }}
exists (t1.r1 == 1 && t2.r2 == 1)"
        )
    };
    let o = arm(&lb("y.store(1, Relaxed);", "x.store(1, Relaxed);"));
    assert_eq!(
        common::shown(&o),
        [
            "t1.r1=0 t2.r2=0",
            "t1.r1=0 t2.r2=1",
            "t1.r1=1 t2.r2=0",
            "t1.r1=1 t2.r2=1"
        ]
    );
    // ... but not through a data dependency (no thin air on Arm) ...
    let o = arm(&lb("y.store(r1, Relaxed);", "x.store(r2, Relaxed);"));
    assert_eq!(common::shown(&o), ["t1.r1=0 t2.r2=0"]);
    // ... nor a control dependency
    let o = arm(&lb(
        "if r1 == 1 { y.store(1, Relaxed); }",
        "if r2 == 1 { x.store(1, Relaxed); }",
    ));
    assert_eq!(common::shown(&o), ["t1.r1=0 t2.r2=0"]);
    // 2+2W: each location may end with either store: x = y = 1 (each
    // thread's first store last in its location's co) is allowed
    let o = arm("litmus 2+2W
let x: AtomicUsize = 0;
let y: AtomicUsize = 0;
thread t1 { x.store(1, Relaxed); y.store(2, Relaxed); }
thread t2 { y.store(1, Relaxed); x.store(2, Relaxed); }
exists (x == 1 && y == 1)");
    assert_eq!(
        common::shown(&o),
        ["x=1 y=1", "x=1 y=2", "x=2 y=1", "x=2 y=2"]
    );
    let c = o.condition.unwrap();
    assert!(c.validated);
    // IRIW with SeqCst (LDAR/STLR): the readers agree on the order of the
    // writes (Arm is multi-copy atomic and LDAR is ordered): 15 of the 16
    // states
    let o = arm("litmus iriw
let x: AtomicUsize = 0;
let y: AtomicUsize = 0;
thread w1 { x.store(1, SeqCst); }
thread w2 { y.store(1, SeqCst); }
thread r1 { let a = x.load(SeqCst); let b = y.load(SeqCst); }
thread r2 { let c = y.load(SeqCst); let d = x.load(SeqCst); }
exists (r1.a == 1 && r1.b == 0 && r2.c == 1 && r2.d == 0)");
    assert_eq!(o.states.len(), 15);
    assert!(!common::shown(&o).contains(&"r1.a=1 r1.b=0 r2.c=1 r2.d=0".to_string()));
    let c = o.condition.unwrap();
    assert!(!c.validated);
}
