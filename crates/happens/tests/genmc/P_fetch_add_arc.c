/* benches/peers.rs, `counters`: N threads spawned in a loop, each with a
   clone of an Arc'd counter, each doing one relaxed fetch_add; the Arc's
   count is an atomic as in A2_spin_mutex_arc.c (clone = fetch_add relaxed,
   drop = fetch_sub release, + acquire fence and the weak count's
   fetch_sub when it was the last). */
#include <stdatomic.h>
#include <pthread.h>
#ifndef N
#define N 3
#endif
atomic_long counter;
atomic_long strong = 1, weak = 1;
static void drop_arc(void) {
	if (atomic_fetch_sub_explicit(&strong, 1, memory_order_release) == 1) {
		atomic_thread_fence(memory_order_acquire);
		atomic_fetch_sub_explicit(&weak, 1, memory_order_release);
	}
}
void *worker(void *a) { atomic_fetch_add_explicit(&counter, 1, memory_order_relaxed); drop_arc(); return NULL; }
int main() {
	pthread_t t[N];
	for (int i = 0; i < N; i++) { atomic_fetch_add_explicit(&strong, 1, memory_order_relaxed); pthread_create(&t[i], NULL, worker, NULL); }
	for (int i = 0; i < N; i++) pthread_join(t[i], NULL);
	drop_arc();
	return 0;
}
