#!/usr/bin/env bash
# Checks the table of crates/happens/tests/auto_traits.rs against the
# references themselves: compiles that file in a scratch crate that depends
# on loom 0.7 from crates.io (needs the registry) and invokes its tables
# with `loom` (the types loom has) and `std` (the ones it lacks). It builds
# only when every row says what loom's and std's types actually implement.
# Run on demand; CI runs the happens side (`cargo test -p happens`).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/src"
cat >"$dir/Cargo.toml" <<TOML
[package]
name = "loom-auto-traits"
version = "0.0.0"
edition = "2021"
publish = false

[workspace]

[features]
default = ["futures"]
futures = []

[dependencies]
loom = { version = "0.7", features = ["futures"] }
happens = { path = "$repo/crates/happens", features = ["futures"] }
TOML
cat >"$dir/src/main.rs" <<RS
include!("$repo/crates/happens/tests/auto_traits.rs");

mod reference {
    use super::{NotSend, NotSync, NotUnwindSafe};

    loom_types!(loom);
    std_types!(std);
}

fn main() {
    println!("the auto-trait table holds for loom 0.7, std and happens");
}
RS
CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$repo/target/loom-auto-traits}" \
  cargo run --quiet --manifest-path "$dir/Cargo.toml"
cargo tree --quiet --manifest-path "$dir/Cargo.toml" -i loom --depth 0 2>/dev/null || true
