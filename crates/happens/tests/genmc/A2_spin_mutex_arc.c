/* Seed mutex shared through an Arc: the reference count is an atomic;
   clone = fetch_add relaxed, drop = fetch_sub release (+ acquire fence and
   the weak count's fetch_sub when it was the last). */
#include <stdatomic.h>
#include <pthread.h>
#include <assert.h>
#include <stdbool.h>
#ifndef N
#define N 3
#endif
atomic_bool locked;
int counter;
atomic_long strong = 1, weak = 1;
static void lock(void) {
	bool e;
	while (!(e = false, atomic_compare_exchange_weak_explicit(&locked, &e, true, memory_order_acquire, memory_order_relaxed)))
		while (atomic_load_explicit(&locked, memory_order_relaxed)) {}
}
static void unlock(void) { atomic_store_explicit(&locked, false, memory_order_release); }
static void drop_arc(void) {
	if (atomic_fetch_sub_explicit(&strong, 1, memory_order_release) == 1) {
		atomic_thread_fence(memory_order_acquire);
		atomic_fetch_sub_explicit(&weak, 1, memory_order_release);
	}
}
void *worker(void *a) { lock(); counter += 1; unlock(); drop_arc(); return NULL; }
int main() {
	pthread_t t[N];
	for (int i = 0; i < N; i++) { atomic_fetch_add_explicit(&strong, 1, memory_order_relaxed); pthread_create(&t[i], NULL, worker, NULL); }
	for (int i = 0; i < N; i++) pthread_join(t[i], NULL);
	lock(); int v = counter; unlock();
	assert(v == N);
	drop_arc();
	return 0;
}
