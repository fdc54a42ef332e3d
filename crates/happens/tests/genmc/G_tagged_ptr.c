/* Tagged pointer: thread 1 boxes 7 and publishes it with the low bit set via
 * a strong CAS 0 -> (p | 1) (Release, Relaxed); thread 2 loads (Acquire), and
 * if non-zero clears the tag and reads the box.  Main joins and frees.     */
#include <stdatomic.h>
#include <stdint.h>
#include <pthread.h>
#include <stdlib.h>
#include <assert.h>

static _Atomic(uintptr_t) P = 0;

void *t1(void *arg)
{
	int *p = malloc(sizeof(int));
	*p = 7;
	uintptr_t e = 0;
	atomic_compare_exchange_strong_explicit(&P, &e, (uintptr_t)p | 1, memory_order_release,
						memory_order_relaxed);
	return NULL;
}

void *t2(void *arg)
{
	uintptr_t v = atomic_load_explicit(&P, memory_order_acquire);
	if (v != 0) {
		int *q = (int *)(v & ~(uintptr_t)1);
		assert(*q == 7);
	}
	return NULL;
}

int main()
{
	pthread_t a, b;
	pthread_create(&a, NULL, t1, NULL);
	pthread_create(&b, NULL, t2, NULL);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	free((int *)(atomic_load_explicit(&P, memory_order_relaxed) & ~(uintptr_t)1));
	return 0;
}
