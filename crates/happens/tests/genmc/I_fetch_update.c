/* AtomicUsize::fetch_update(SeqCst, SeqCst, |v| Some(v + 1)) from 3 threads,
 * as std implements it: one load with the fetch ordering, then a strong-CAS
 * loop retrying with the value the failed CAS returned.  Main asserts x == 3.
 *   -DRELAXED: fetch_update(Relaxed, Relaxed, ..)                          */
#include <stdatomic.h>
#include <pthread.h>
#include <assert.h>
#ifdef RELAXED
#define ORD memory_order_relaxed
#else
#define ORD memory_order_seq_cst
#endif

atomic_int x;

void *worker(void *arg)
{
	int prev = atomic_load_explicit(&x, ORD);
	while (!atomic_compare_exchange_strong_explicit(&x, &prev, prev + 1, ORD, ORD)) {}
	return NULL;
}

int main()
{
	pthread_t t[3];
	for (int i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, worker, NULL);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	assert(atomic_load_explicit(&x, memory_order_relaxed) == 3);
	return 0;
}
