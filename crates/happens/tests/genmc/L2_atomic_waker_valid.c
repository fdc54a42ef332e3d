/* loom_futures.rs atomic_waker_valid: happens' AtomicWaker is a Mutex<Option<Waker>>;
   block_on is a one-task executor (the waker sets the task's flag with a
   Release store; a pending poll takes it with an Acquire CAS 1 -> 0). */
#include <stdatomic.h>
#include <pthread.h>
#include <stdbool.h>
pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
int waker; atomic_bool done; atomic_int sched;
void *t1(void *a) {
  atomic_store_explicit(&done, 1, memory_order_release);
  pthread_mutex_lock(&m); int w = waker; waker = 0; pthread_mutex_unlock(&m);
  if (w) atomic_store_explicit(&sched, 1, memory_order_release);
  return 0;
}
int main() {
  pthread_t t; pthread_create(&t, 0, t1, 0);
  while (1) {
    pthread_mutex_lock(&m); waker = 1; pthread_mutex_unlock(&m);
    if (atomic_load_explicit(&done, memory_order_acquire)) break;
    int one = 1;
    while (!atomic_compare_exchange_strong_explicit(&sched, &one, 0, memory_order_acquire, memory_order_relaxed)) { one = 1; }
  }
  pthread_join(t, 0);
  return 0;
}
