/* counter_loop: T1 does c.fetch_add(1, Relaxed) twice; main reads the counter
 * from one call site, `for i in 0..2 { r[i] = c.load(Relaxed) }`, then joins T1.
 * No assert: the count of complete executions (r non-decreasing in {0,1,2}). */
#include <stdatomic.h>
#include <pthread.h>
#include <assert.h>

atomic_int c;
int r[2];

void *t1(void *arg)
{
	atomic_fetch_add_explicit(&c, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&c, 1, memory_order_relaxed);
	return NULL;
}

int main()
{
	pthread_t h;
	pthread_create(&h, NULL, t1, NULL);
	for (int i = 0; i < 2; i++)
		r[i] = atomic_load_explicit(&c, memory_order_relaxed);
	pthread_join(h, NULL);
	return 0;
}
