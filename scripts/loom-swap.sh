#!/usr/bin/env bash
# Adopting happens with one line, shown on examples/loom-swap: a workspace
# of two crates, `dep` and `app` (which depends on `dep`), both depending on
# `loom = "0.7"` under `cfg(loom)`, whose Cargo.toml differs from a project
# tested with loom itself by one `[patch.crates-io]` line pointing `loom` at
# crates/loom. Checks that `loom` resolves to the facade for both crates
# and runs app's loom test under happens:
#
#     RUSTFLAGS="--cfg loom" cargo test --release
#
# `--with-loom` also runs the same workspace without the patch line, under
# loom 0.7 itself (a copy in a scratch directory), to show the test is an
# ordinary loom test.
#
# On demand, not in CI: resolving `loom = "0.7"` reads the crates.io index
# (cargo's cache is enough once it has been read), and the first build
# takes about a minute.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
ex="$repo/examples/loom-swap"
export RUSTFLAGS="--cfg loom"

echo "== $ex/Cargo.toml: the one line"
grep -A1 '^\[patch.crates-io\]' "$ex/Cargo.toml"

echo "== loom in the dependency graph"
tree="$(cargo tree --manifest-path "$ex/Cargo.toml" --workspace -i loom)"
echo "$tree"
echo "$tree" | head -1 | grep -q "^loom v0\.7\.[0-9]* ($repo/crates/loom)" || {
  echo "loom-swap: loom does not resolve to $repo/crates/loom" >&2
  exit 1
}
for c in app dep; do
  echo "$tree" | grep -q "── $c v" || {
    echo "loom-swap: $c does not depend on the facade" >&2
    exit 1
  }
done

echo "== RUSTFLAGS=\"--cfg loom\" cargo test --release (happens)"
cargo test --release --manifest-path "$ex/Cargo.toml" --workspace

if [ "${1:-}" = "--with-loom" ]; then
  echo "== the same workspace without the patch line (loom 0.7 itself)"
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  cp -r "$ex/Cargo.toml" "$ex/app" "$ex/dep" "$tmp/"
  sed -i '/^\[patch.crates-io\]/,/^loom = /d' "$tmp/Cargo.toml"
  cargo tree --manifest-path "$tmp/Cargo.toml" --workspace -i loom --depth 0
  CARGO_TARGET_DIR="$ex/target/with-loom" \
    cargo test --release --manifest-path "$tmp/Cargo.toml" --workspace
fi
echo "loom-swap: ok"
