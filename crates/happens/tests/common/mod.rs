//! Helpers shared by the loom ports: run a model and check it passed, or
//! get its failure; collect the outcomes of every execution; find the line
//! of a marker comment in a test's own source.
#![allow(dead_code)]

pub mod freed;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use happens::model::Builder;
use happens::{Failure, Report};

/// Explores `f`; it must pass every execution.
#[track_caller]
pub fn ok(f: impl Fn() + Sync + Send + 'static) -> Report {
    let r = Builder::new().explore(f);
    assert!(r.failure.is_none(), "{r}");
    assert!(r.complete, "{r}");
    r
}

/// Explores `f`; it must fail.
#[track_caller]
pub fn fails(f: impl Fn() + Sync + Send + 'static) -> Failure {
    Builder::new()
        .explore(f)
        .failure
        .expect("expected the model to find a failure")
}

/// Explores `f`, which must pass, and collects what each execution returned.
#[track_caller]
pub fn outcomes<T: Ord + Clone + Send + 'static>(
    f: impl Fn() -> T + Sync + Send + 'static,
) -> (Vec<T>, Report) {
    let seen = Arc::new(Mutex::new(BTreeSet::new()));
    let s2 = seen.clone();
    let r = ok(move || {
        let v = f();
        s2.lock().unwrap().insert(v);
    });
    let v = seen.lock().unwrap().iter().cloned().collect();
    (v, r)
}

/// `tests/<file>:<line>:` of the line of `src` holding `marker` (a comment
/// naming the place a failure must point at).
pub fn place(file: &str, src: &str, marker: &str) -> String {
    let line = src
        .lines()
        .position(|l| l.contains(marker) && !l.contains("place("))
        .unwrap_or_else(|| panic!("no marker {marker}"))
        + 1;
    format!("tests/{file}:{line}:")
}

/// The generator of the differential tests' programs: xorshift64*, seeded
/// from a program's number, so program `n` is the same on every machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }

    /// A number below `n`.
    pub fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 33) as usize % n
    }
}
