// Issue 8: two mutexes taken in opposite orders one after the other (never nested), a third thread taking one of them, and a relaxed counter bumped after each section. `genmc -rc11 -disable-sr B4_two_locks.c`.
#include <pthread.h>
#include <stdatomic.h>
pthread_mutex_t a, b;
atomic_int c;
void *t1(void *p) { pthread_mutex_lock(&a); pthread_mutex_unlock(&a); pthread_mutex_lock(&b); pthread_mutex_unlock(&b); atomic_fetch_add_explicit(&c, 1, memory_order_relaxed); return 0; }
void *t2(void *p) { pthread_mutex_lock(&b); pthread_mutex_unlock(&b); pthread_mutex_lock(&a); pthread_mutex_unlock(&a); atomic_fetch_add_explicit(&c, 1, memory_order_relaxed); return 0; }
void *t3(void *p) { pthread_mutex_lock(&a); pthread_mutex_unlock(&a); atomic_fetch_add_explicit(&c, 1, memory_order_relaxed); return 0; }
int main() {
  pthread_t h1, h2, h3;
  pthread_mutex_init(&a, 0);
  pthread_mutex_init(&b, 0);
  pthread_create(&h1, 0, t1, 0);
  pthread_create(&h2, 0, t2, 0);
  pthread_create(&h3, 0, t3, 0);
  pthread_join(h1, 0);
  pthread_join(h2, 0);
  pthread_join(h3, 0);
  return 0;
}
