// Issue 8: N threads lock a mutex shared through an Arc (the reference count as RMWs: clone = relaxed fetch_add, drop = release fetch_sub + acquire fence). GenMC: 5 / 57 / 1145 for N = 2 / 3 / 4.
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#ifndef N
#define N 3
#endif
pthread_mutex_t m;
atomic_long rc;
int x;
void drop(void) {
  if (atomic_fetch_sub_explicit(&rc, 1, memory_order_release) == 1) {
    atomic_thread_fence(memory_order_acquire);
  }
}
void *t(void *a) { pthread_mutex_lock(&m); x++; pthread_mutex_unlock(&m); drop(); return 0; }
int main() {
  pthread_t h[N];
  pthread_mutex_init(&m, 0);
  atomic_init(&rc, 1);
  for (int i = 0; i < N; i++) { atomic_fetch_add_explicit(&rc, 1, memory_order_relaxed); pthread_create(&h[i], 0, t, 0); }
  for (int i = 0; i < N; i++) pthread_join(h[i], 0);
  drop();
  return 0;
}
