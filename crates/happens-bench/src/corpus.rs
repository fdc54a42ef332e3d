//! Finding the litmus inputs: the shared C11 corpus (herd format, next to
//! the repository as `../shared/litmus/c11`) and the repository's own
//! `examples/litmus` (Rust-flavoured format).

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

pub use happens_litmus::litmus_files;

/// A display name for `path` relative to `base` when it is below it.
pub fn relative(path: &Path, base: &Path) -> String {
    path.strip_prefix(base)
        .unwrap_or(path)
        .display()
        .to_string()
}
