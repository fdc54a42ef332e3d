//! Running tests: outcomes, spin loops, bounds, races and labels.

mod common;

use common::shown as states;
use happens_engine::{EventKind, Status};
use happens_litmus::{parse, run, run_with, Holds, ModelKind, Outcome, RunOptions, Test};

fn test(src: &str) -> Test {
    match parse("t.litmus", src.as_bytes()) {
        Ok(t) => t,
        Err(d) => panic!("{d}"),
    }
}

const MP: &str = "litmus MP
let x: AtomicUsize = 0;
let data = 0;
thread t1 { data = 42; x.store(1, Release); }
thread t2 { let r1 = x.load(Acquire); if r1 == 1 { let r2 = data; } }
exists (t2.r1 == 1 && t2.r2 == 0)
";

#[test]
fn message_passing_rust_syntax() {
    let o = run(&test(MP), &RunOptions::default());
    assert_eq!(o.executions, 2);
    assert!(!o.undefined);
    assert_eq!(states(&o), ["t2.r1=0 t2.r2=0", "t2.r1=1 t2.r2=42"], "{o:?}");
    let c = o.condition.unwrap();
    assert_eq!(
        (c.holds, c.positive, c.negative, c.validated),
        (Holds::Never, 0, 2, false)
    );
}

#[test]
fn relaxed_message_passing_races() {
    let src = MP
        .replace("Release", "Relaxed")
        .replace("Acquire", "Relaxed");
    let o = run(&test(&src), &RunOptions::default());
    assert!(o.undefined);
    assert_eq!(o.races.len(), 1, "{:?}", o.races);
    let r = &o.races[0];
    assert_eq!(r.location, "data");
    let mut sides = [&r.first, &r.second];
    sides.sort_by_key(|a| a.line);
    assert_eq!(
        (sides[0].thread.as_str(), sides[0].line, sides[0].write),
        ("t1", 4, true)
    );
    assert_eq!(sides[0].text, "data = 42;");
    assert_eq!(
        (sides[1].thread.as_str(), sides[1].line, sides[1].write),
        ("t2", 5, false)
    );
    assert!(!sides[0].atomic && !sides[1].atomic);
    // racy executions are not outcomes: every execution that reads x == 1
    // races on `data`
    assert_eq!(states(&o), ["t2.r1=0 t2.r2=0"]);
    assert_eq!(o.executions, 3);
}

#[test]
fn spin_loop_blocks_instead_of_unrolling() {
    let src = "litmus spin
let flag: AtomicUsize = 0;
let data = 0;
thread t1 { data = 1; flag.store(1, Release); }
thread t2 { while flag.load(Acquire) == 0 { spin_loop(); } let r = data; }
forall (t2.r == 1)
";
    let o = run(&test(src), &RunOptions::default());
    assert_eq!(
        (o.executions, o.blocked, o.bound_exceeded),
        (1, 1, 0),
        "{o:?}"
    );
    assert!(!o.undefined);
    let c = o.condition.unwrap();
    assert!(c.validated);
    assert_eq!(c.holds, Holds::Always);
}

#[test]
fn register_loop_runs_until_it_changes() {
    // the body assigns the register the condition reads: an iteration that
    // reads 0 changes nothing and blocks; reading 1 exits
    let src = "litmus spin2
let flag: AtomicUsize = 0;
thread t1 { flag.store(1, Relaxed); }
thread t2 { let r = 0; while r == 0 { r = flag.load(Relaxed); } }
";
    let o = run(&test(src), &RunOptions::default());
    assert_eq!((o.executions, o.blocked), (1, 1), "{o:?}");
    assert_eq!(states(&o), ["t2.r=1 flag=1"]);
}

#[test]
fn loop_with_stores_hits_the_bound() {
    let src = "litmus busy
let x: AtomicUsize = 0;
thread t1 { while true { x.fetch_add(1, Relaxed); } }
";
    let opts = RunOptions {
        max_events_per_thread: 20,
        ..RunOptions::default()
    };
    let o = run(&test(src), &opts);
    assert_eq!(o.executions, 0);
    assert_eq!(o.bound_exceeded, 1, "{o:?}");
}

#[test]
fn compare_exchange_pair_and_is_ok() {
    let src = "litmus cas
let x: AtomicI64 = 0;
thread a { let (old, ok) = x.compare_exchange(0, 1, AcqRel, Relaxed); }
thread b { let won = x.compare_exchange(0, 2, SeqCst, Relaxed).is_ok(); let seen = x.compare_exchange(5, 6, Relaxed, Relaxed); }
";
    let o = run(&test(src), &RunOptions::default());
    assert_eq!(
        states(&o),
        [
            "a.old=0 a.ok=1 b.won=0 b.seen=1 x=1",
            "a.old=2 a.ok=0 b.won=1 b.seen=2 x=2",
        ],
        "{o:?}"
    );
}

#[test]
fn herd_cas_writes_back_on_failure() {
    let src = "C cas
{ [x]=1; [e]=0; }
P0 (atomic_int* x, int* e) {
  int r0 = atomic_compare_exchange_strong_explicit(x, e, 5, memory_order_seq_cst, memory_order_relaxed);
  int r1 = *e;
}
forall (0:r0=0 /\\ 0:r1=1 /\\ x=1 /\\ e=1)
";
    let o = run(&test(src), &RunOptions::default());
    assert_eq!(o.executions, 1);
    assert!(o.condition.unwrap().validated, "{:?}", o.states);
}

#[test]
fn sc_forbids_store_buffering() {
    let src = "litmus SB
let x: AtomicUsize = 0;
let y: AtomicUsize = 0;
thread a { x.store(1, Relaxed); let r = y.load(Relaxed); }
thread b { y.store(1, Relaxed); let r = x.load(Relaxed); }
exists (a.r == 0 && b.r == 0)
";
    let t = test(src);
    let rc = run(&t, &RunOptions::default());
    assert_eq!(
        (rc.executions, rc.condition.unwrap().holds),
        (4, Holds::Sometimes)
    );
    let sc = run(
        &t,
        &RunOptions {
            model: ModelKind::Sc,
            ..RunOptions::default()
        },
    );
    assert_eq!(
        (sc.executions, sc.condition.unwrap().holds),
        (3, Holds::Never)
    );
}

#[test]
fn labels_name_threads_locations_and_events() {
    let t = test(MP);
    let mut seen = 0;
    run_with(&t, &RunOptions::default(), |r| {
        seen += 1;
        assert_eq!(*r.status, Status::Complete);
        assert_eq!(r.state.len(), 2);
        let names: Vec<&str> = r
            .labels
            .thread_names
            .iter()
            .map(|(_, n)| n.as_str())
            .collect();
        assert_eq!(names, ["init", "t1", "t2"]);
        let locs: Vec<&str> = r.labels.loc_names.iter().map(|(_, n)| n.as_str()).collect();
        assert_eq!(locs, ["x", "data"]);
        for (e, ev) in r.graph.events() {
            if let EventKind::Read(_) = ev.kind {
                let line = r.labels.line(e).expect("read without a line");
                let text = r.labels.source(e).unwrap_or("");
                assert_eq!(line, 5);
                assert!(
                    text.starts_with("let r") || text.starts_with("if"),
                    "{text}"
                );
            }
        }
    });
    assert_eq!(seen, 2);
}

#[test]
fn rust_syntax_features() {
    let src = "litmus features // trailing comment
let x: std::sync::atomic::AtomicI64 = AtomicI64::new(-3);
let y: AtomicUsize = 0;
thread a {
    let m = x.fetch_max(4, Ordering::AcqRel);
    fence(SeqCst);
    if m < 0 { y.store(1, Release); } else if m == 4 { y.store(2, Relaxed); } else { y.store(3, Relaxed); }
    let n = x.fetch_nand(1, Relaxed);
}
thread b {
    while y.load(Acquire) == 0 { std::thread::yield_now(); }
    let v = x.load(Relaxed) % 3 - 1;
}
observe y, a.m;
!exists (b.v == 5)
";
    let t = test(src);
    assert_eq!(t.locations[0].init, -3);
    assert!(t.locations[0].atomic);
    let o = run(&t, &RunOptions::default());
    let c = o.condition.as_ref().unwrap();
    assert!(c.validated, "{o:?}");
    assert_eq!(c.holds, Holds::Never);
    // b acquires y = 1, released after the fetch_max: it reads x = 4 (v = 0)
    // or the fetch_nand result !(4 & 1) = -1 (v = -1 % 3 - 1 = -2), never -3
    assert!(o.blocked >= 1, "{o:?}");
    for s in &o.states {
        let get = |k: &str| {
            s.values
                .iter()
                .find(|(n, _)| n == k)
                .and_then(|(_, v)| v.as_int())
        };
        assert_eq!(get("a.m"), Some(-3));
        assert_eq!(get("y"), Some(1));
        assert!(matches!(get("b.v"), Some(0) | Some(-2)), "{s:?}");
    }
    assert_eq!(o.states.len(), 2, "{o:?}");
}

/// The replay key of each execution brings back that execution (same
/// state, same graph), and a key of another test does not replay.
#[test]
fn replay_keys_bring_back_each_execution() {
    let t = test(MP);
    let opts = RunOptions::default();
    let mut seen = Vec::new();
    let all = run_with(&t, &opts, |r| {
        seen.push((happens_litmus::ReplayKey::of(r.graph), r.state.to_vec()));
    });
    // r1 = 0, or r1 = 1 and then r2 = 42 (the only write data can show)
    assert_eq!(all.executions, 2);
    assert_eq!(seen.len(), 2);
    for (key, state) in &seen {
        let text = key.to_string();
        let key = happens_litmus::ReplayKey::parse(&text).unwrap();
        let mut got = Vec::new();
        let one = happens_litmus::replay(&t, &opts, &key, |r| {
            assert_eq!(happens_litmus::ReplayKey::of(r.graph), key);
            got.push(r.state.to_vec());
        });
        assert_eq!((one.executions, one.errors), (1, 0));
        assert_eq!(got, vec![state.clone()]);
    }
    let other =
        test("litmus other\nlet y: AtomicUsize = 0;\nthread t { let a = y.load(Relaxed); }\n");
    let bad = happens_litmus::replay(&other, &opts, &seen[0].0, |_| {});
    assert_eq!((bad.executions, bad.errors), (0, 1));
}

/// herd arrays: `int y[2] = {..}` makes `y` and `y[1]`; `y+e` (and
/// `&y[e]`) address an element computed at run time; an offset outside the
/// array fails the thread (an error execution, not an outcome).
#[test]
fn herd_arrays_and_computed_addresses() {
    let t = test(
        "C arr
{ int y[2] = {5, 7}; [i] = 0; }
P0 (atomic_int* i, int* y) {
  int r0 = atomic_load_explicit(i, memory_order_relaxed);
  int r1 = atomic_load_explicit(y+r0, memory_order_relaxed);
  int r2 = atomic_load_explicit(&y[1], memory_order_relaxed);
}
P1 (atomic_int* i) {
  atomic_store_explicit(i, 1, memory_order_relaxed);
}
locations [0:r1; 0:r2]
",
    );
    assert_eq!(t.locations[0].name, "y");
    assert_eq!(t.locations[1].name, "y[1]");
    assert_eq!(t.locations[0].array_len, Some(2));
    let o = run(&t, &RunOptions::default());
    // r0 = 0 reads y[0] = 5, r0 = 1 reads y[1] = 7; r2 is always y[1]
    assert_eq!(states(&o), ["0:r1=5 0:r2=7", "0:r1=7 0:r2=7"]);
    assert_eq!((o.executions, o.errors), (2, 0));

    let out_of_bounds = test(
        "C oob
{ int y[2] = {0, 0}; [i] = 0; }
P0 (atomic_int* i, int* y) {
  int r0 = atomic_load_explicit(i, memory_order_relaxed);
  int r1 = atomic_load_explicit(y+r0, memory_order_relaxed);
}
P1 (atomic_int* i) {
  atomic_store_explicit(i, 2, memory_order_relaxed);
}
",
    );
    let o = run(&out_of_bounds, &RunOptions::default());
    // r0 = 0 is fine; r0 = 2 is past the end of y
    assert_eq!((o.executions, o.errors), (1, 1));

    let d = parse(
        "scalar.litmus",
        b"C s\n{ [x] = 0; }\nP0 (atomic_int* x) {\n  int r0 = atomic_load_explicit(x+1, memory_order_relaxed);\n}\n",
    )
    .unwrap_err();
    assert_eq!((d.line, d.column), (4, 33), "{d}");
    assert!(d.message.starts_with("`x` is not an array"), "{d}");
}

/// A test-and-set loop (`swap` on a held lock writes back what it read)
/// blocks like a loop of loads, while a loop whose RMW changes memory runs
/// on until its condition ends it.
#[test]
fn loops_block_only_when_an_iteration_changed_nothing() {
    let tas = test(
        "litmus tas
let locked: AtomicUsize = 0;
let n = 0;
thread t1 {
    while locked.swap(1, Acquire) == 1 { spin_loop(); }
    let c = n;
    n = c + 1;
    locked.store(0, Release);
}
thread t2 {
    while locked.swap(1, Acquire) == 1 { spin_loop(); }
    let c = n;
    n = c + 1;
    locked.store(0, Release);
}
forall (n == 2)
",
    );
    let o = run(&tas, &RunOptions::default());
    assert_eq!((o.executions, o.bound_exceeded, o.undefined), (2, 0, false));
    assert_eq!(o.condition.as_ref().map(|c| c.holds), Some(Holds::Always));
    assert!(o.blocked > 0);

    let counting = test(
        "litmus count
let x: AtomicUsize = 0;
thread t { while x.fetch_add(1, Relaxed) < 3 { } }
observe x;
",
    );
    let o = run(&counting, &RunOptions::default());
    // four increments, then the loop ends: one execution, nothing blocked
    assert_eq!(states(&o), ["x=4"]);
    assert_eq!((o.executions, o.blocked, o.bound_exceeded), (1, 0, 0));
}

/// The register a read's value is assigned to, by event text: only reads
/// that are a statement's whole right-hand side have one.
fn dests(src: &str) -> Vec<(String, String)> {
    let t = test(src);
    let mut out = Vec::new();
    run_with(&t, &RunOptions::default(), |r| {
        if !out.is_empty() {
            return;
        }
        for (e, d) in &r.labels.event_dest {
            assert!(r.graph.kind(*e).is_read(), "{e:?} is not a read");
            out.push((r.labels.source(*e).unwrap_or("").to_string(), d.clone()));
        }
    });
    out
}

#[test]
fn labels_name_the_registers_reads_go_to() {
    let herd = "C dest
{ [x]=0; [y]=0; int e=0; }
P0 (atomic_int* x, atomic_int* y, int* e) {
  int r0 = atomic_load_explicit(y, memory_order_relaxed);
  int r1 = atomic_load_explicit(x, memory_order_relaxed) + 1;
  int r2 = atomic_compare_exchange_strong_explicit(x, e, 1, memory_order_acq_rel, memory_order_acquire);
  int r3 = atomic_fetch_add_explicit(y, 2, memory_order_relaxed);
}
exists (0:r0=0)
";
    let cas = "int r2 = atomic_compare_exchange_strong_explicit(x, e, 1, memory_order_acq_rel, memory_order_acquire);";
    assert_eq!(
        dests(herd),
        [
            (
                "int r0 = atomic_load_explicit(y, memory_order_relaxed);".to_string(),
                "r0".to_string()
            ),
            // not the read of `e` the compare-exchange compares with
            (cas.to_string(), "r2".to_string()),
            (
                "int r3 = atomic_fetch_add_explicit(y, 2, memory_order_relaxed);".to_string(),
                "r3".to_string()
            ),
        ]
    );
    let rust = "litmus dest
let x: AtomicUsize = 0;
thread a { let (old, ok) = x.compare_exchange(0, 1, AcqRel, Relaxed); let v = x.load(Relaxed); if x.load(Acquire) == 1 { } }
";
    let got = dests(rust);
    let regs: Vec<&str> = got.iter().map(|(_, d)| d.as_str()).collect();
    assert_eq!(regs, ["(old, ok)", "v"], "{got:?}");
}

fn cxx20(src: &str) -> Outcome {
    let o = run(
        &test(src),
        &RunOptions {
            model: ModelKind::Cxx20,
            ..RunOptions::default()
        },
    );
    assert_eq!((o.errors, o.blocked, o.bound_exceeded), (0, 0, 0), "{o:?}");
    o
}

/// `c++20` unrolls a loop as herd does for C (`-unroll 2`): the body runs at
/// most twice, and a path whose condition still holds after that is dropped.
/// Here the spin loop reads the initial 0 zero, one or two times before
/// reading 1: three executions, one per count; reading 0 a third time would
/// need a third iteration.
#[test]
fn cxx20_unrolls_loops_twice() {
    let o = cxx20(
        "litmus spin
let x: AtomicUsize = 0;
thread t1 { x.store(1, Relaxed); }
thread t2 {
    let n = 0;
    while x.load(Relaxed) == 0 { n = n + 1; }
}
exists (t2.n == 2)",
    );
    assert_eq!(states(&o), ["t2.n=0", "t2.n=1", "t2.n=2"]);
    assert_eq!(o.executions, 3);
    let c = o.condition.unwrap();
    assert_eq!((c.holds, c.positive, c.negative), (Holds::Sometimes, 1, 2));
}

/// Load buffering with control dependencies: each thread stores 1 only if
/// it read 1. C++20 allows the self-satisfying execution in which both read
/// the other's store (the values are the constants the stores write), as
/// herd's `cxx20.cat` does; `rust` forbids it (a `po ∪ rf` cycle). The
/// paths where one thread stores and the other does not cannot read 1: 2
/// executions.
#[test]
fn cxx20_allows_self_satisfying_control_cycles() {
    let src = "litmus lb_ctrl
let x: AtomicUsize = 0;
let y: AtomicUsize = 0;
thread t1 { let r1 = x.load(Relaxed); if r1 == 1 { y.store(1, Relaxed); } }
thread t2 { let r2 = y.load(Relaxed); if r2 == 1 { x.store(1, Relaxed); } }
exists (t1.r1 == 1 && t2.r2 == 1)";
    let o = cxx20(src);
    assert_eq!(states(&o), ["t1.r1=0 t2.r2=0", "t1.r1=1 t2.r2=1"]);
    assert_eq!(o.executions, 2);
    let rust = run(&test(src), &RunOptions::default());
    assert_eq!(states(&rust), ["t1.r1=0 t2.r2=0"]);
}

/// An `rf` cycle of copies leaves a value no write determines: it is
/// reported as a symbol (herd's `S8`), the same in both registers. A cycle
/// through arithmetic (`y = r1 + 1`) has no solution (herd's solver leaves
/// `v = v + 1` unsolved and drops the candidate), so it is no execution.
#[test]
fn cxx20_thin_air_values_are_symbols_and_arithmetic_cycles_are_dropped() {
    let o = cxx20(
        "litmus lb_copy
let x: AtomicUsize = 0;
let y: AtomicUsize = 0;
thread t1 { let r1 = x.load(Relaxed); y.store(r1, Relaxed); }
thread t2 { let r2 = y.load(Relaxed); x.store(r2, Relaxed); }
exists (t1.r1 == 1 && t2.r2 == 1)",
    );
    assert_eq!(states(&o), ["t1.r1=0 t2.r2=0", "t1.r1=S1 t2.r2=S1"]);
    assert_eq!(o.executions, 4);
    let c = o.condition.unwrap();
    // a thin-air value is no particular number
    assert_eq!((c.holds, c.positive, c.negative), (Holds::Never, 0, 4));
    let o = cxx20(
        "litmus lb_inc
let x: AtomicUsize = 0;
let y: AtomicUsize = 0;
thread t1 { let r1 = x.load(Relaxed); y.store(r1 + 1, Relaxed); }
thread t2 { let r2 = y.load(Relaxed); x.store(r2, Relaxed); }
exists (t1.r1 == 1 && t2.r2 == 1)",
    );
    assert_eq!(states(&o), ["t1.r1=0 t2.r2=0", "t1.r1=0 t2.r2=1"]);
    assert_eq!(o.executions, 3);
}

/// The enumerator tries every candidate; past `max_candidates` it stops
/// with an error (a value, not a hang). SB has 4 `rf` choices (each with
/// one `co`): a budget of 3 is exceeded.
#[test]
fn cxx20_gives_up_past_max_candidates() {
    let src = "litmus sb
let x: AtomicUsize = 0;
let y: AtomicUsize = 0;
thread t1 { x.store(1, Relaxed); let r1 = y.load(Relaxed); }
thread t2 { y.store(1, Relaxed); let r2 = x.load(Relaxed); }
exists (t1.r1 == 0 && t2.r2 == 0)";
    let opts = |max_candidates| RunOptions {
        model: ModelKind::Cxx20,
        max_candidates,
        ..RunOptions::default()
    };
    let o = run(&test(src), &opts(3));
    assert_eq!(o.errors, 1, "{o:?}");
    assert!(o
        .first_error
        .as_deref()
        .is_some_and(|e| e.starts_with("more than 3 candidate executions")));
    let o = run(&test(src), &opts(8));
    assert_eq!((o.errors, o.executions), (0, 4), "{o:?}");
}
