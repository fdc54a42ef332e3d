// tests/waiting.rs, waited_flag: a waiter notes in a local that it went round
// its spin loop, then asserts it did not; a setter stores the flag. GenMC
// finds the assertion (the loop has an effect, so it is no spin-assume).
#include <stdatomic.h>
#include <pthread.h>
#include <assert.h>
#include <stdbool.h>
atomic_bool flag;
void *setter(void *a) { atomic_store_explicit(&flag, true, memory_order_release); return NULL; }
void *waiter(void *a) {
  bool waited = false;
  while (!atomic_load_explicit(&flag, memory_order_acquire)) waited = true;
  assert(!waited);
  return NULL;
}
int main() {
  pthread_t s, w;
  pthread_create(&s, NULL, setter, NULL);
  pthread_create(&w, NULL, waiter, NULL);
  pthread_join(s, NULL);
  pthread_join(w, NULL);
  return 0;
}
