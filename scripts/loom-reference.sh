#!/usr/bin/env bash
# Checks the claims the repository makes about loom against loom 0.7 itself
# (from crates.io: needs the registry, or cargo's cache of it):
#
# - the auto-trait table of crates/happens/tests/auto_traits.rs, compiled
#   with its tables invoked on `loom` (the types loom has) and `std` (the
#   ones it lacks): it builds only when every row says what loom's and
#   std's types implement;
# - crates/loom/tests/api.rs, loom's public API by path, compiled and run
#   against loom itself (the facade passes the same file in CI).
#
# Run on demand; CI runs the happens side of both.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/src" "$dir/tests"
cat >"$dir/Cargo.toml" <<TOML
[package]
name = "loom-reference"
version = "0.0.0"
edition = "2021"
publish = false

[workspace]

[features]
default = ["futures"]
futures = []

[dependencies]
loom = { version = "0.7", features = ["futures", "checkpoint"] }
happens = { path = "$repo/crates/happens", features = ["futures"] }
TOML
cat >"$dir/src/lib.rs" <<RS
include!("$repo/crates/happens/tests/auto_traits.rs");

mod reference {
    use super::{NotSend, NotSync, NotUnwindSafe};

    loom_types!(loom);
    std_types!(std);
}
RS
cp "$repo/crates/loom/tests/api.rs" "$dir/tests/api.rs"
CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$repo/target/loom-reference}" \
  cargo test --release --quiet --manifest-path "$dir/Cargo.toml"
cargo tree --quiet --manifest-path "$dir/Cargo.toml" -i loom --depth 0
echo "loom-reference: the auto-trait table and the API test hold for loom itself"
