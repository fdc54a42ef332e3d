// Issue 8: N threads lock, unlock, then bump a relaxed counter. GenMC: 4 / 36 / 576 for N = 2 / 3 / 4.
#include <pthread.h>
#include <stdatomic.h>
#ifndef N
#define N 3
#endif
pthread_mutex_t m;
atomic_long c;
int x;
void *t(void *a) { pthread_mutex_lock(&m); x++; pthread_mutex_unlock(&m); atomic_fetch_add_explicit(&c, 1, memory_order_relaxed); return 0; }
int main() {
  pthread_t h[N];
  pthread_mutex_init(&m, 0);
  for (int i = 0; i < N; i++) pthread_create(&h[i], 0, t, 0);
  for (int i = 0; i < N; i++) pthread_join(h[i], 0);
  return 0;
}
