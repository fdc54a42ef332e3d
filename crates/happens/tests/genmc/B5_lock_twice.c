// Issue 8: three threads each take one mutex twice: every interleaving of the six sections that keeps each thread's two in order, 6!/(2!·2!·2!) = 90. `genmc -rc11 -disable-sr B5_lock_twice.c`.
#include <pthread.h>
pthread_mutex_t m;
int x;
void *t(void *p) { for (int i = 0; i < 2; i++) { pthread_mutex_lock(&m); x++; pthread_mutex_unlock(&m); } return 0; }
int main() {
  pthread_t h[3];
  pthread_mutex_init(&m, 0);
  for (int i = 0; i < 3; i++) pthread_create(&h[i], 0, t, 0);
  for (int i = 0; i < 3; i++) pthread_join(h[i], 0);
  return 0;
}
