//! `Builder::model`: the library explores under Rust's model by default
//! (C++20's SC rule), and under RC11, SC or x86-TSO on request. Two
//! programs where the rule matters, with the executions herd7 finds for
//! their litmus versions (`../shared/litmus/c11/cpp_memory_model/references/pldi17/`),
//! and one that x86 runs differently.

use std::path::Path;

use happens::model::{Builder, ModelKind};
use happens::sync::atomic::{AtomicUsize, Ordering::*};
use happens::thread;

fn executions<F: Fn() + Sync + Send + 'static>(model: Option<ModelKind>, f: F) -> u64 {
    let mut b = Builder::new();
    if let Some(m) = model {
        b.model(m);
    }
    let report = b.explore(f);
    assert!(report.failure.is_none(), "{}", report.failure.unwrap());
    assert!(report.complete);
    assert_eq!(report.blocked, 0);
    report.executions
}

/// WWmerge: `a = x acq; b = y sc` ‖ `x = 1 sc; x = 2 sc` ‖ `y = 1 sc; c =
/// x sc`. Each load reads one of its location's writes: 3 × 2 × 3 = 18
/// executions, all of them RC11-consistent. Under Rust's model, `a = 2`
/// makes `x = 1` (sequenced before `x = 2`, which synchronises with the
/// load of `a`, sequenced before the load of `b`) strongly happen before the
/// load of `b` (C++20 [intro.races]/12.3), so the SC order has `x = 1` before
/// it; `b = 0` puts that load before `y = 1`, which is before the load of
/// `c`; and `c = 0` puts that before `x = 1`: a cycle. So `a = 2, b = 0, c =
/// 0` is forbidden: 17 executions (herd7 with `rust.cat`: 17, with
/// `rc11.cat`: 18).
fn wwmerge() -> (usize, usize, usize) {
    let (x, y) = (AtomicUsize::new(0), AtomicUsize::new(0));
    thread::scope(|s| {
        let t1 = s.spawn(|| (x.load(Acquire), y.load(SeqCst)));
        s.spawn(|| {
            x.store(1, SeqCst);
            x.store(2, SeqCst);
        });
        let t3 = s.spawn(|| {
            y.store(1, SeqCst);
            x.load(SeqCst)
        });
        let (a, b) = t1.join().unwrap();
        (a, b, t3.join().unwrap())
    })
}

#[test]
fn wwmerge_17_under_rust_18_under_rc11() {
    let rust = executions(None, || {
        assert_ne!(wwmerge(), (2, 0, 0), "C++20's SC rule forbids it");
    });
    assert_eq!(rust, 17);
    assert_eq!(
        executions(Some(ModelKind::Rust), || {
            wwmerge();
        }),
        17
    );
    // RC11 reaches the merged outcome
    let report = Builder::new().model(ModelKind::Rc11).explore(|| {
        assert_ne!(wwmerge(), (2, 0, 0));
    });
    let failure = report.failure.expect("rc11 allows a = 2, b = 0, c = 0");
    assert!(failure.to_string().contains("assert"), "{failure}");
    assert_eq!(
        executions(Some(ModelKind::Rc11), || {
            wwmerge();
        }),
        18
    );
    // and SC forbids two more (see examples/litmus/wwmerge.litmus)
    assert_eq!(
        executions(Some(ModelKind::Sc), || {
            wwmerge();
        }),
        15
    );
    // the litmus file says the same
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/litmus/wwmerge.litmus");
    let test = happens_litmus::parse("wwmerge.litmus", &std::fs::read(path).unwrap()).unwrap();
    for (model, n) in [(ModelKind::Rust, 17), (ModelKind::Rc11, 18)] {
        let opts = happens_litmus::RunOptions {
            model,
            ..Default::default()
        };
        assert_eq!(happens_litmus::run(&test, &opts).executions, n, "{model}");
    }
}

/// Z6.U: `x = 1 sc; y = 1 rel` ‖ `b = fetch_add(y, 1) sc; c = y rlx` ‖
/// `y = 3 sc; a = x sc`. The fetch_add is one evaluation: `x = 1` is
/// sequenced before `y = 1`, which synchronises with the fetch_add when it
/// reads 1, but nothing is sequenced after `y = 1` and before the
/// fetch_add, so `x = 1` does not strongly happen before it (a rule that
/// counted the step from the RMW's read to its write, as GenMC does, would
/// order `x = 1` before the write and forbid 2 executions). herd7 with
/// `rust.cat`: 24 executions, among them `b = 1, c = 3, a = 0`.
#[test]
fn z6u_24_an_rmw_is_one_evaluation() {
    let z6u = || {
        let (x, y) = (AtomicUsize::new(0), AtomicUsize::new(0));
        thread::scope(|s| {
            s.spawn(|| {
                x.store(1, SeqCst);
                y.store(1, Release);
            });
            let t1 = s.spawn(|| (y.fetch_add(1, SeqCst), y.load(Relaxed)));
            let t2 = s.spawn(|| {
                y.store(3, SeqCst);
                x.load(SeqCst)
            });
            let (b, c) = t1.join().unwrap();
            (b, c, t2.join().unwrap())
        })
    };
    assert_eq!(
        executions(None, move || {
            z6u();
        }),
        24
    );
    assert_eq!(
        executions(Some(ModelKind::Rc11), move || {
            z6u();
        }),
        24
    );
    // the outcome GenMC's rule would forbid is reached
    let report = Builder::new().explore(move || {
        assert_ne!(z6u(), (1, 3, 0));
    });
    assert!(report.failure.is_some(), "b = 1, c = 3, a = 0 is allowed");
}

/// `ModelKind::X86` runs the program's operations as the standard mapping
/// compiles them, on x86-TSO (a model meant for litmus tests: see
/// `Builder::model`). Message passing with Relaxed only: Rust's model lets
/// the reader see the flag and stale data; x86, whose stores leave the
/// store buffer in order, does not: the reader's two loads read (0, 0),
/// (0, 42) or (1, 42), 3 executions.
#[test]
fn relaxed_message_passing_on_x86() {
    let mp = || {
        let (data, flag) = (AtomicUsize::new(0), AtomicUsize::new(0));
        thread::scope(|s| {
            s.spawn(|| {
                data.store(42, Relaxed);
                flag.store(1, Relaxed);
            });
            let r = s.spawn(|| (flag.load(Relaxed), data.load(Relaxed)));
            r.join().unwrap()
        })
    };
    assert_eq!(
        executions(Some(ModelKind::X86), move || {
            assert_ne!(mp(), (1, 0));
        }),
        3
    );
    let report = Builder::new().explore(move || {
        assert_ne!(mp(), (1, 0));
    });
    assert!(report.failure.is_some(), "rust allows flag 1, data 0");
}

/// `c++20` allows load buffering, which needs executions with `po ∪ rf`
/// cycles: only the litmus front-end enumerates those, so the library
/// refuses the model with a message saying where to use it.
#[test]
#[should_panic(expected = "the `c++20` model is for litmus tests only")]
fn cxx20_is_refused_by_the_library() {
    Builder::new().model(ModelKind::Cxx20);
}

/// So is `arm`, which needs the program's dependencies.
#[test]
#[should_panic(expected = "the `arm` model is for litmus tests only")]
fn arm_is_refused_by_the_library() {
    Builder::new().model(ModelKind::Arm);
}

/// Set through the public field, the model is refused when exploring.
#[test]
#[should_panic(expected = "the `c++20` model is for litmus tests only")]
fn cxx20_in_the_field_is_refused_by_explore() {
    let mut b = Builder::new();
    b.model = ModelKind::Cxx20;
    b.explore(|| {});
}
