//! Finding the litmus inputs: the shared C11 corpus (herd format, next to
//! the repository as `../shared/litmus/c11`) and the repository's own
//! `examples/litmus` (Rust-flavoured format).

use std::fs;
use std::path::{Path, PathBuf};

/// The repository root (two levels above this crate).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The shared C11 corpus: `$HAPPENS_CORPUS` if set, else `shared/litmus/c11`
/// beside the repository. `None` if it does not exist.
pub fn shared_corpus() -> Option<PathBuf> {
    let dir = match std::env::var_os("HAPPENS_CORPUS") {
        Some(d) => PathBuf::from(d),
        None => repo_root().join("../shared/litmus/c11"),
    };
    dir.is_dir().then_some(dir)
}

/// The repository's examples directory.
pub fn examples_dir() -> PathBuf {
    repo_root().join("examples/litmus")
}

/// Every `*.litmus` file below `dir`, sorted by path.
pub fn litmus_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    walk(dir, &mut out);
    out.sort();
    out
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out);
        } else if path.extension().is_some_and(|e| e == "litmus") {
            out.push(path);
        }
    }
}

/// A display name for `path` relative to `base` when it is below it.
pub fn relative(path: &Path, base: &Path) -> String {
    path.strip_prefix(base)
        .unwrap_or(path)
        .display()
        .to_string()
}
