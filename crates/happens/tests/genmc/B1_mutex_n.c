// Issue 8: N threads each lock one mutex once (N! orders). `genmc -rc11 -disable-sr -- -DN=4 B1_mutex_n.c`: 2 / 6 / 24 for N = 2 / 3 / 4.
#include <pthread.h>
#include <stdatomic.h>
#ifndef N
#define N 3
#endif
pthread_mutex_t m;
int x;
void *t(void *a) { pthread_mutex_lock(&m); x++; pthread_mutex_unlock(&m); return 0; }
int main() {
  pthread_t h[N];
  pthread_mutex_init(&m, 0);
  for (int i = 0; i < N; i++) pthread_create(&h[i], 0, t, 0);
  for (int i = 0; i < N; i++) pthread_join(h[i], 0);
  return 0;
}
