//! Weak compare-exchange (`atomic_compare_exchange_weak_explicit`) under the
//! axiomatic enumerator, with exact states and counts.
//!
//! Under `c++20` a weak compare-exchange is herd's C one: it may fail even
//! when it reads the expected value (its failure has no constraint), and a
//! failure writes the value it read back into the expected location, a
//! write the compare-exchange's own read of that location cannot read
//! (herd's `iico`; `cxx20.cat` has no `acyclic (sb | rf)` to forbid it, and
//! herd's candidates never have it). Under `arm` it is the mapping's LSE
//! `CAS`, the instruction a strong one compiles to, which fails only when the
//! values differ. Under `rust` (the explorer) the answers are `c++20`'s: no
//! load buffering is involved.
//!
//! The write-back's rule is one case of herd's C `po`, which orders the
//! events of one statement by its causality (`iico`): a store statement's
//! own load cannot read that store either. Every `c++20` and `rust` answer
//! here is herd7's (`cxx20.cat`, `rust.cat`) on the same test, counts
//! included. The `arm` states are herd7's (`aarch64.cat`) on the tests
//! compiled by hand with the corpus README's mapping (`CASA`/`CASAL`, the
//! write-back a `STR` on the failure branch); the `arm` counts are ours
//! (herd counts a failing CAS both with and without a write: 6 for the
//! message passing, 8 for the two compare-exchanges).

mod common;

use common::shown as states;
use happens_litmus::{parse, run, Holds, ModelKind, Outcome, RunOptions, Test};

fn test(src: &str) -> Test {
    match parse("t.litmus", src.as_bytes()) {
        Ok(t) => t,
        Err(d) => panic!("{d}"),
    }
}

fn under(model: ModelKind, src: &str) -> Outcome {
    let o = run(
        &test(src),
        &RunOptions {
            model,
            ..RunOptions::default()
        },
    );
    assert_eq!(o.errors, 0, "{model}: {o:?}");
    assert!(!o.undefined, "{model}: {o:?}");
    o
}

/// The observation: (holds, positive, negative).
fn observed(o: &Outcome) -> (Holds, u64, u64) {
    let c = o.condition.as_ref().expect("a condition");
    (c.holds, c.positive, c.negative)
}

/// Message passing into a weak acquire compare-exchange (`e1` is the
/// expected location: 0 after a failure that read the initial flag, 1 after
/// one that read the flag set).
const MP: &str = "C WCAS-MP
{ [data]=0; [flag]=0; [e1]=1; }
P0 (atomic_int* data, atomic_int* flag) {
  atomic_store_explicit(data, 1, memory_order_relaxed);
  atomic_store_explicit(flag, 1, memory_order_release);
}
P1 (atomic_int* data, atomic_int* flag, int* e1) {
  int r0 = atomic_compare_exchange_weak_explicit(flag, e1, 2, memory_order_acquire, memory_order_relaxed);
  int r1 = atomic_load_explicit(data, memory_order_relaxed);
}
locations [e1]
exists (1:r0=1 /\\ 1:r1=0)
";

#[test]
fn mp_fails_spuriously_under_cxx20_not_under_arm() {
    // c++20: a failure that read the initial flag (e1=0), a spurious one
    // that read the flag set (e1=1; relaxed, so it synchronises with
    // nothing and data may still be 0), and a success that read it (and
    // so data=1): 2 + 2 + 1 executions
    let all = [
        "1:r0=0 1:r1=0 e1=0",
        "1:r0=0 1:r1=0 e1=1",
        "1:r0=0 1:r1=1 e1=0",
        "1:r0=0 1:r1=1 e1=1",
        "1:r0=1 1:r1=1 e1=1",
    ];
    for model in [ModelKind::Cxx20, ModelKind::Rust] {
        let o = under(model, MP);
        assert_eq!(states(&o), all, "{model}");
        assert_eq!(o.executions, 5, "{model}");
        assert_eq!(observed(&o), (Holds::Never, 0, 5), "{model}");
    }
    // arm: the CASA fails only on the initial flag
    let o = under(ModelKind::Arm, MP);
    assert_eq!(
        states(&o),
        [
            "1:r0=0 1:r1=0 e1=0",
            "1:r0=0 1:r1=1 e1=0",
            "1:r0=1 1:r1=1 e1=1"
        ]
    );
    assert_eq!(o.executions, 3);
    assert_eq!(observed(&o), (Holds::Never, 0, 3));
    // a strong one never fails on the flag set, under c++20 either
    let strong = MP.replace("_weak_", "_strong_");
    let o = under(ModelKind::Cxx20, &strong);
    assert_eq!(states(&o), states(&under(ModelKind::Arm, MP)));
    assert_eq!(o.executions, 3);
}

/// Two weak compare-exchanges race to change `l` from 0.
const TWO: &str = "C WCAS-2CAS
{ [l]=0; [e0]=0; [e1]=0; }
P0 (atomic_int* l, int* e0) {
  int r0 = atomic_compare_exchange_weak_explicit(l, e0, 1, memory_order_acq_rel, memory_order_acquire);
}
P1 (atomic_int* l, int* e1) {
  int r0 = atomic_compare_exchange_weak_explicit(l, e1, 2, memory_order_acq_rel, memory_order_acquire);
}
locations [l; e0; e1]
exists (0:r0=0 /\\ 1:r0=0)
";

#[test]
fn two_cas_both_fail_only_spuriously() {
    // c++20: both cannot succeed (atomicity); when one does, the other
    // fails on its write (e=the value written) or spuriously on the initial
    // value (e=0), 2 + 2; both fail only spuriously, on the initial value
    let o = under(ModelKind::Cxx20, TWO);
    let all = [
        "0:r0=0 1:r0=0 l=0 e0=0 e1=0",
        "0:r0=0 1:r0=1 l=2 e0=0 e1=0",
        "0:r0=0 1:r0=1 l=2 e0=2 e1=0",
        "0:r0=1 1:r0=0 l=1 e0=0 e1=0",
        "0:r0=1 1:r0=0 l=1 e0=0 e1=1",
    ];
    assert_eq!(states(&o), all);
    assert_eq!(o.executions, 5);
    assert_eq!(observed(&o), (Holds::Sometimes, 1, 4));
    let o = under(ModelKind::Rust, TWO);
    assert_eq!(
        (states(&o), o.executions),
        (all.map(String::from).to_vec(), 5)
    );
    // arm: exactly one CAS succeeds, the other fails on its write
    let o = under(ModelKind::Arm, TWO);
    assert_eq!(
        states(&o),
        ["0:r0=0 1:r0=1 l=2 e0=2 e1=0", "0:r0=1 1:r0=0 l=1 e0=0 e1=1"]
    );
    assert_eq!(o.executions, 2);
    assert_eq!(observed(&o), (Holds::Never, 0, 2));
}

/// A failed weak compare-exchange's read of its expected location does not
/// read the write-back that same failure makes (it would read its own
/// output: a spurious failure seeing the value it is about to write), while
/// a later statement does read it.
#[test]
fn write_back_is_not_read_by_its_own_compare_exchange() {
    let src = "C WCAS-own
{ [x]=5; [e]=0; }
P0 (atomic_int* x, int* e) {
  int r0 = atomic_compare_exchange_weak_explicit(x, e, 1, memory_order_relaxed, memory_order_relaxed);
  int r1 = *e;
}
exists (0:r0=0 /\\ 0:r1=5)
";
    for model in [ModelKind::Cxx20, ModelKind::Rust, ModelKind::Arm] {
        let o = under(model, src);
        assert_eq!(states(&o), ["0:r0=0 0:r1=5"], "{model}");
        assert_eq!(o.executions, 1, "{model}");
    }
}

/// A store after the load that computes its value, in one statement: the
/// load is `po`-before the store (herd's `iico`), so it does not read it
/// (that would be a value out of thin air) and, when it reads the other
/// thread's store, its own store is `co`-after that one.
#[test]
fn a_statement_does_not_read_its_own_store() {
    let src = "C store-own
{ [x]=0; }
P0 (atomic_int* x) {
  atomic_store_explicit(x, atomic_load_explicit(x, memory_order_relaxed) + 0, memory_order_relaxed);
}
P1 (atomic_int* x) {
  atomic_store_explicit(x, 1, memory_order_relaxed);
}
exists ([x]=1)
";
    for model in [ModelKind::Cxx20, ModelKind::Rust] {
        let o = under(model, src);
        assert_eq!(states(&o), ["x=0", "x=1"], "{model}");
        assert_eq!(o.executions, 3, "{model}");
        assert_eq!(observed(&o), (Holds::Sometimes, 2, 1), "{model}");
    }
}
