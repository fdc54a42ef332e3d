//! Larger litmus tests for the benchmark, generated as Rust-syntax source
//! text: 3–4 threads of 4–6 accesses each over a few shared locations,
//! mixing SeqCst with weaker orderings, and read-modify-writes (`fetch_add`,
//! `swap`, `compare_exchange`) among plain loads and stores.
//!
//! The programs are drawn from a fixed seed, so every run of the benchmark
//! measures the same three tests.

use std::fmt::Write as _;

use crate::rng::Rng;

/// A generated test.
#[derive(Clone, Debug)]
pub struct Generated {
    pub name: String,
    pub source: String,
}

/// Shape of a generated test.
#[derive(Clone, Copy, Debug)]
pub struct Shape {
    pub threads: usize,
    pub min_accesses: usize,
    pub max_accesses: usize,
    pub locations: usize,
    pub seed: u64,
}

const LOAD_ORDS: [&str; 3] = ["Relaxed", "Acquire", "SeqCst"];
const STORE_ORDS: [&str; 3] = ["Relaxed", "Release", "SeqCst"];
const RMW_ORDS: [&str; 5] = ["Relaxed", "Acquire", "Release", "AcqRel", "SeqCst"];

/// Generates one test of the given shape. Every load and RMW result goes to
/// a fresh register; all registers and locations are observed.
pub fn generate(name: &str, shape: Shape) -> Generated {
    let mut rng = Rng::new(shape.seed);
    let locs: Vec<String> = (0..shape.locations).map(|i| format!("m{i}")).collect();
    let mut src = String::new();
    let _ = writeln!(
        src,
        "// Generated: {} threads, {}-{} accesses each, seed {}.",
        shape.threads, shape.min_accesses, shape.max_accesses, shape.seed
    );
    let _ = writeln!(src, "litmus {name}");
    for l in &locs {
        let _ = writeln!(src, "let {l}: AtomicUsize = 0;");
    }
    let mut value = 0u64;
    for t in 0..shape.threads {
        let _ = writeln!(src, "thread t{t} {{");
        let n = shape.min_accesses + rng.below(shape.max_accesses - shape.min_accesses + 1);
        for i in 0..n {
            let loc = rng.pick(&locs);
            value += 1;
            // SeqCst about one access in three.
            let sc = rng.one_in(3);
            let line = match rng.below(10) {
                0..=2 => {
                    let o = if sc {
                        "SeqCst"
                    } else {
                        rng.pick(&LOAD_ORDS[..2])
                    };
                    format!("let r{i} = {loc}.load({o});")
                }
                3..=5 => {
                    let o = if sc {
                        "SeqCst"
                    } else {
                        rng.pick(&STORE_ORDS[..2])
                    };
                    format!("{loc}.store({value}, {o});")
                }
                6..=7 => {
                    let o = if sc {
                        "SeqCst"
                    } else {
                        rng.pick(&RMW_ORDS[..4])
                    };
                    format!("let r{i} = {loc}.fetch_add(1, {o});")
                }
                8 => {
                    let o = if sc {
                        "SeqCst"
                    } else {
                        rng.pick(&RMW_ORDS[..4])
                    };
                    format!("let r{i} = {loc}.swap({value}, {o});")
                }
                _ => {
                    let o = if sc {
                        "SeqCst"
                    } else {
                        rng.pick(&RMW_ORDS[..4])
                    };
                    let f = if sc { "SeqCst" } else { "Relaxed" };
                    format!("let r{i} = {loc}.compare_exchange(0, {value}, {o}, {f});")
                }
            };
            let _ = writeln!(src, "    {line}");
        }
        let _ = writeln!(src, "}}");
    }
    Generated {
        name: name.to_string(),
        source: src,
    }
}

/// The benchmark's three generated tests.
pub fn tests() -> Vec<Generated> {
    vec![
        generate(
            "gen_3x6",
            Shape {
                threads: 3,
                min_accesses: 5,
                max_accesses: 6,
                locations: 2,
                seed: 11,
            },
        ),
        generate(
            "gen_4x4",
            Shape {
                threads: 4,
                min_accesses: 4,
                max_accesses: 4,
                locations: 3,
                seed: 22,
            },
        ),
        generate(
            "gen_4x5",
            Shape {
                threads: 4,
                min_accesses: 4,
                max_accesses: 5,
                locations: 2,
                seed: 35,
            },
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_tests_parse() {
        for g in tests() {
            let t = happens_litmus::parse(&g.name, g.source.as_bytes())
                .unwrap_or_else(|d| panic!("{d}\n{}", g.source));
            assert!(t.threads.len() >= 3, "{}", g.source);
        }
    }

    #[test]
    fn generation_is_deterministic() {
        let a: Vec<String> = tests().into_iter().map(|g| g.source).collect();
        let b: Vec<String> = tests().into_iter().map(|g| g.source).collect();
        assert_eq!(a, b);
    }
}
