//! The library fuzzer's generator and checks, in process: the first
//! 1000 programs of seed 1 (as `happens-libfuzz --seed 1` runs them) give no
//! finding, and between them fail in several ways.

use std::collections::BTreeSet;

use happens_bench::libfuzz::{check, generate, Settings};

#[test]
fn a_thousand_generated_programs_give_no_finding() {
    let settings = Settings::default();
    let mut kinds = BTreeSet::new();
    let mut executions = 0;
    for i in 0..1000u64 {
        let case = (1u64 << 40) + i;
        let o = check(case, settings);
        assert!(
            o.findings.is_empty(),
            "case {case}: {:?}\n{}",
            o.findings,
            generate(case, false)
        );
        executions += o.executions;
        kinds.extend(o.failure);
    }
    assert!(executions > 0);
    for k in ["panic", "data race", "deadlock", "livelock"] {
        assert!(kinds.contains(k), "no {k} among {kinds:?}");
    }
}

#[test]
fn programs_are_determined_by_their_case_number() {
    for case in [0, 7, 1 << 40, u64::MAX] {
        assert_eq!(
            generate(case, false).to_string(),
            generate(case, false).to_string()
        );
    }
}
