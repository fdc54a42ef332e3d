/* Exact shape of tests/seeds.rs lazy_init_with_atomic_ptr: main and ONE
 * spawned thread each call get(); load Acquire, CAS AcqRel / Acquire; the
 * loser frees its box and reads the winner's; main asserts both got 42 and
 * frees the winner's box.  happens reports (executions, blocked) = (4, 0). */
#include <stdatomic.h>
#include <pthread.h>
#include <stdlib.h>
#include <assert.h>

static _Atomic(int *) slot = NULL;

int get()
{
	int *p = atomic_load_explicit(&slot, memory_order_acquire);
	if (p != NULL)
		return *p;
	int *new = malloc(sizeof(int));
	*new = 42;
	int *other = NULL;
	if (atomic_compare_exchange_strong_explicit(&slot, &other, new, memory_order_acq_rel,
						    memory_order_acquire))
		return 42;
	free(new);
	return *other;
}

void *worker(void *arg) { return (void *)(long)get(); }

int main()
{
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	int a = get();
	void *b;
	pthread_join(t, &b);
	assert(a == 42 && (long)b == 42);
	free(atomic_load_explicit(&slot, memory_order_relaxed));
	return 0;
}
