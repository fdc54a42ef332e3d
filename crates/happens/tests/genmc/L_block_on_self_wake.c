/* block_on_self_wake.rs registering_while_being_woken_passes (-DLOST:
   a_wake_before_the_flag_is_a_lost_wakeup): futures-util's waker cell, a
   notifier, and block_on as a one-task executor (the task flag the waker sets
   with a Release store; a pending poll takes it with an Acquire
   compare-exchange 1 -> 0, retried until it succeeds). */
#include <stdatomic.h>
#include <pthread.h>
#include <assert.h>
#include <stdbool.h>
#define WAITING 0
#define REGISTERING 1
#define WAKING 2
atomic_int state; int waker; atomic_int sched; atomic_bool flag;
static void wake_task(void) { atomic_store_explicit(&sched, 1, memory_order_release); }
static void cell_register(void) {
  int exp = WAITING;
  if (atomic_compare_exchange_strong_explicit(&state, &exp, REGISTERING, memory_order_acquire, memory_order_acquire)) {
    waker = 1;
    int e2 = REGISTERING;
    if (!atomic_compare_exchange_strong_explicit(&state, &e2, WAITING, memory_order_acq_rel, memory_order_acquire)) {
      int w = waker; waker = 0;
      atomic_exchange_explicit(&state, WAITING, memory_order_acq_rel);
      if (w) wake_task();
    }
  } else if (exp == WAKING) { wake_task(); }
}
static void cell_wake(void) {
  if (atomic_fetch_or_explicit(&state, WAKING, memory_order_acq_rel) == WAITING) {
    int w = waker; waker = 0;
    atomic_fetch_and_explicit(&state, ~WAKING, memory_order_release);
    if (w) wake_task();
  }
}
void *t1(void *a) {
#ifdef LOST
  cell_wake(); atomic_store_explicit(&flag, 1, memory_order_release);
#else
  atomic_store_explicit(&flag, 1, memory_order_release); cell_wake();
#endif
  return 0;
}
int main() {
  pthread_t t; pthread_create(&t, 0, t1, 0);
  while (1) {
    cell_register();
    if (atomic_load_explicit(&flag, memory_order_acquire)) break;
    int one = 1;
    while (!atomic_compare_exchange_strong_explicit(&sched, &one, 0, memory_order_acquire, memory_order_relaxed)) { one = 1; }
  }
  pthread_join(t, 0);
  return 0;
}
