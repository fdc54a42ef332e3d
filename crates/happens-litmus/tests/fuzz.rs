//! `parse` never panics: random bytes, random token soup, and mutated
//! corpus files. (Running the parsed tests is covered by `run.rs`; here a
//! successful parse of a mutated file is also run, with a small bound.)

use std::path::PathBuf;

use happens_litmus::{parse, run, RunOptions};
use proptest::prelude::*;

fn corpus_samples() -> Vec<Vec<u8>> {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = std::env::var("HAPPENS_LITMUS_CORPUS")
        .map(PathBuf::from)
        .ok()
        .or_else(|| {
            manifest
                .ancestors()
                .map(|a| a.join("shared/litmus/c11"))
                .find(|c| c.is_dir())
        });
    let mut out = vec![
        b"litmus MP\nlet x: AtomicUsize = 0;\nlet d = 0;\nthread t1 { d = 1; x.store(1, Release); }\nthread t2 { while x.load(Acquire) == 0 { spin_loop(); } let r = d; let (o, k) = x.compare_exchange(1, 2, AcqRel, Relaxed); }\nexists (t2.r == 0 || !(x == 2))\n".to_vec(),
    ];
    if let Some(dir) = dir {
        for sub in ["classic", "dat3m/auto", "herdtools7"] {
            if let Ok(rd) = std::fs::read_dir(dir.join(sub)) {
                let mut files: Vec<PathBuf> = rd
                    .flatten()
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|x| x == "litmus"))
                    .collect();
                files.sort();
                for f in files.iter().take(8) {
                    if let Ok(b) = std::fs::read(f) {
                        out.push(b);
                    }
                }
            }
        }
    }
    out
}

const TOKENS: &[&str] = &[
    "C ",
    "litmus ",
    "P0",
    "(",
    ")",
    "{",
    "}",
    "[",
    "]",
    ";",
    ",",
    "=",
    "==",
    "!=",
    "*",
    "-",
    "/\\",
    "\\/",
    "~",
    "!",
    "exists",
    "forall",
    "locations",
    "int",
    "atomic_int*",
    "x",
    "r0",
    "0:r0",
    "1",
    "-7",
    "if",
    "else",
    "while",
    "thread",
    "let",
    "t1",
    ".",
    "load",
    "store(",
    "Relaxed",
    "SeqCst",
    "atomic_load_explicit(",
    "atomic_store_explicit(",
    "memory_order_seq_cst",
    "atomic_compare_exchange_strong_explicit(",
    "(*",
    "*)",
    "//",
    "/*",
    "\n",
    " ",
    "::",
    "99999999999999999999",
    "\u{e9}",
    "&&",
    "||",
    "%",
    "/",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = parse("fuzz", &bytes);
    }

    #[test]
    fn token_soup_never_panics(
        head in prop_oneof![Just("C T\n"), Just("litmus T\n"), Just("")],
        toks in proptest::collection::vec(proptest::sample::select(TOKENS), 0..60),
    ) {
        let src = format!("{head}{}", toks.concat());
        if let Ok(t) = parse("fuzz", src.as_bytes()) {
            let _ = run(&t, &RunOptions { max_events_per_thread: 50, ..RunOptions::default() });
        }
    }

    #[test]
    fn mutated_corpus_never_panics(
        pick in any::<prop::sample::Index>(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), 0u8..4, any::<u8>()), 1..6),
    ) {
        let samples = corpus_samples();
        let mut src = pick.get(&samples).clone();
        for (at, kind, byte) in edits {
            if src.is_empty() {
                break;
            }
            let i = at.index(src.len());
            match kind {
                0 => { src.remove(i); }
                1 => src.insert(i, byte),
                2 => src[i] = byte,
                _ => src.truncate(i),
            }
        }
        if let Ok(t) = parse("fuzz", &src) {
            let _ = run(&t, &RunOptions { max_events_per_thread: 50, ..RunOptions::default() });
        }
    }
}
