//! What the corpus tests share: finding the herd7 corpus and its tests.

#![allow(dead_code)] // each test file uses what it needs

use std::path::PathBuf;

use happens_litmus::Outcome;

/// The corpus (`shared/litmus/c11`): `HAPPENS_LITMUS_CORPUS`, or a
/// `shared/litmus/c11` next to an ancestor of this crate (or of the
/// checkout).
pub fn corpus_dir() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("HAPPENS_LITMUS_CORPUS") {
        return Some(PathBuf::from(p));
    }
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest
        .ancestors()
        .flat_map(|a| [a.join("shared/litmus/c11"), a.join("../shared/litmus/c11")])
        .find(|c| c.is_dir())
}

/// The corpus and its `.litmus` files, sorted; `None` (with a note) when
/// the corpus is not there.
pub fn corpus_files() -> Option<(PathBuf, Vec<PathBuf>)> {
    let Some(dir) = corpus_dir() else {
        println!("note: litmus corpus not found (set HAPPENS_LITMUS_CORPUS); skipping");
        return None;
    };
    let files = happens_litmus::litmus_files(&dir);
    Some((dir, files))
}

/// The final states as `key=value` strings, one per state.
pub fn shown(o: &Outcome) -> Vec<String> {
    o.states
        .iter()
        .map(|s| {
            s.values
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}
