/* three_reads_summed: T1 stores x = 1 then x = 2 (both Relaxed); main reads x
 * three times from one call site, `for i in 0..3 { sum += x.load(Relaxed) }`,
 * then joins T1.  No assert: the count of complete executions.
 *   -DSUM=s   keep only the executions whose sum is s (__VERIFIER_assume), so
 *             the complete count is the number of executions with that sum
 *             (the others become blocked).                                  */
#include <stdatomic.h>
#include <pthread.h>
#include <assert.h>
#include <genmc.h>

atomic_int x;

void *t1(void *arg)
{
	atomic_store_explicit(&x, 1, memory_order_relaxed);
	atomic_store_explicit(&x, 2, memory_order_relaxed);
	return NULL;
}

int main()
{
	pthread_t h;
	int sum = 0;
	pthread_create(&h, NULL, t1, NULL);
	for (int i = 0; i < 3; i++)
		sum += atomic_load_explicit(&x, memory_order_relaxed);
	pthread_join(h, NULL);
#ifdef SUM
	__VERIFIER_assume(sum == SUM);
#endif
	return 0;
}
