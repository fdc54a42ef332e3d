#!/usr/bin/env bash
# Runs the loom suites of published crates with happens in loom's place,
# the crates' code and tests untouched: one `[patch.crates-io]` line points
# `loom` (theirs and their dependencies', crossbeam-utils' for
# crossbeam-epoch) at this checkout's `loom` facade, which re-exports happens.
#
#   scripts/real-suites.sh [concurrent-queue|event-listener|crossbeam-epoch]...
#
# For each crate: fetches its published source, runs
# `RUSTFLAGS="--cfg <its loom cfg>" cargo test --release --test loom --features loom`
# with cargo test's default (parallel) test threads, exhaustively
# (no LOOM_MAX_PREEMPTIONS) except crossbeam-epoch, whose Treiber stack over
# the epoch collector is run as its CI runs it, with LOOM_MAX_PREEMPTIONS=2,
# and prints the suite's result line, its wall time and its peak RSS. Not
# run by CI (it downloads crates).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
work="${HAPPENS_SUITES_DIR:-${TMPDIR:-/tmp}/happens-real-suites}"
mkdir -p "$work"

declare -A version=([concurrent-queue]=2.5.0 [event-listener]=5.4.2 [crossbeam-epoch]=0.9.21)
declare -A cfg=([concurrent-queue]=loom [event-listener]=loom [crossbeam-epoch]=crossbeam_loom)
declare -A preemptions=([crossbeam-epoch]=2)
crates=("$@")
[ ${#crates[@]} -eq 0 ] && crates=(concurrent-queue event-listener crossbeam-epoch)

fetch() { # name version -> path of the unpacked source
    local name=$1 ver=$2 dir="$work/$1-$2"
    if [ ! -d "$dir" ]; then
        curl -sSfL "https://static.crates.io/crates/$name/$name-$ver.crate" |
            tar -xz -C "$work"
    fi
    echo "$dir"
}

for name in "${crates[@]}"; do
    ver=${version[$name]:?unknown crate $name (concurrent-queue, event-listener or crossbeam-epoch)}
    src=$(fetch "$name" "$ver")
    # the one change, as a user adopts happens: loom, for the crate and for
    # its dependencies that use loom too (event-listener's `parking`), is
    # this checkout's `loom` facade over happens
    if ! grep -q '^\[patch.crates-io\]' "$src/Cargo.toml"; then
        printf '\n[patch.crates-io]\nloom = { path = "%s" }\n' "$root/crates/loom" >>"$src/Cargo.toml"
    fi
    bound=${preemptions[$name]:-}
    echo "== $name $ver ($src)${bound:+, LOOM_MAX_PREEMPTIONS=$bound}"
    (
        cd "$src"
        # the shipped lock file (if any) pins loom from crates.io
        rm -f Cargo.lock
        export RUSTFLAGS="--cfg ${cfg[$name]}"
        if [ -n "$bound" ]; then export LOOM_MAX_PREEMPTIONS=$bound; fi
        cargo build --release --tests --features loom -q 2>&1 | tail -3
        /usr/bin/time -f "wall %e s, peak RSS %M KiB" \
            cargo test --release --test loom --features loom -q 2>&1 |
            grep -E "^test result|wall|panicked|FAILED|error" || true
    )
done
