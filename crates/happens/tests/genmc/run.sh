#!/usr/bin/env bash
# Re-run every C twin under GenMC and print one summary line per variant.
# usage: [GENMC=...] [OPTS="..."] [LOGDIR=...] run.sh
#   GENMC   default /work/genmc/bin/genmc
#   OPTS    default "-rc11 -disable-sr"; OPTS="" runs plain `genmc FILE.c`
#   LOGDIR  full outputs, default /tmp/genmc-logs
set -u
cd "$(dirname "$0")"
G=${GENMC:-/work/genmc/bin/genmc}
OPTS=${OPTS--rc11 -disable-sr}
LOGDIR=${LOGDIR:-/tmp/genmc-logs}; mkdir -p "$LOGDIR"
variants=(
  "A_spin_mutex.c -DN=2" "A_spin_mutex.c -DN=3" "A_spin_mutex.c -DN=4"
  "A_spin_mutex.c -DN=2 -DYIELD" "A_spin_mutex.c -DN=3 -DYIELD" "A_spin_mutex.c -DN=4 -DYIELD"
  "A_spin_mutex.c -DN=2 -DACQ=memory_order_relaxed -DREL=memory_order_relaxed"
  "B_strong_cas_lock.c"
  "C_load_then_store.c"
  "D_lazy_init.c" "D_lazy_init.c -DSUCC=memory_order_acq_rel" "D_lazy_init.c -DFAIL_FENCE"
  "D_lazy_init.c -DRELAXED" "D_lazy_init.c -DRELAXED -DNO_MALLOC" "D2_lazy_init_seed.c"
  "E_box_publish.c" "E_box_publish.c -DRELAXED" "E_box_publish.c -DRELAXED -DNO_MALLOC"
  "F_sb_ring3.c" "F_sb_ring3.c -DSC"
  "G_tagged_ptr.c"
  "H_treiber.c" "H_treiber.c -DRELOAD" "H_treiber.c -DCONC_POP" "H_treiber.c -DCONC_POP -DRELOAD"
  "H_treiber.c -DPUBLISH=memory_order_relaxed" "H_treiber.c -DCONC_POP -DPUBLISH=memory_order_relaxed"
  "H2_treiber_rust.c" "H2_treiber_rust.c -DPUBLISH=memory_order_relaxed"
  "H2_treiber_rust.c -DNO_MALLOC" "H2_treiber_rust.c -DPUBLISH=memory_order_relaxed -DNO_MALLOC"
  "I_fetch_update.c" "I_fetch_update.c -DRELAXED"
  "K_pthread_mutex.c -DN=2" "K_pthread_mutex.c -DN=3" "K_pthread_mutex.c -DN=4"
  "K2_condvar.c" "K2_condvar.c -DSIGNAL_INSIDE"
  "W1_two_reads.c" "W1_two_reads.c -DNO_ASSERT" "W2_three_reads_summed.c" "W3_counter_loop.c"
  "W4_bounded_spin_fallback.c" "W4_bounded_spin_fallback.c -DBUG"
  "W5_mutex_poll_3.c" "W5_mutex_poll_3.c -DLOCKFREE" "W6_spin_then_park.c" "W6_spin_then_park.c -DLOST"
  "L_block_on_self_wake.c" "L2_atomic_waker_valid.c"
)
for v in "${variants[@]}"; do
  set -- $v; f=$1; shift
  log="$LOGDIR/$(echo "$f $* $OPTS" | tr -c 'A-Za-z0-9_=.-' '_').log"
  timeout 900 $G $OPTS -- "$@" "$f" >"$log" 2>&1
  c=$(sed -n 's/^Number of complete executions explored: //p' "$log")
  b=$(sed -n 's/^Number of blocked executions seen: //p' "$log")
  e=$(grep -m1 -E '^Error|^Warning|error:' "$log")
  # the events GenMC names ("Event (2, 3) conflicts with event (1, 4)"), with their source lines
  for ev in $(grep -m1 -E '^Event \(' "$log" | grep -oE '\([0-9]+, [0-9]+\)' | tr -d ' '); do
    d=$(sed 's/ //g' "$log" | grep -m1 -F "${ev}:" | sed 's/^\t*//')
    e="$e | $d"
  done
  printf '%-70s complete=%-6s blocked=%-6s %s\n' "$G $OPTS -- $* $f" "${c:--}" "${b:-0}" "$e"
done
