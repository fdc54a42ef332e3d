/* two_reads: main spawns T1, which stores x = 1 (Relaxed); main reads x twice
 * from one call site, `for i in 0..2 { seen[i] = x.load(Relaxed) }`, joins T1,
 * then asserts !(seen[0] == 0 && seen[1] == 1).
 *   default     the assert is on: GenMC must report it (seen = [0, 1])
 *   -DNO_ASSERT no assert: the count of complete executions ([0,0] [0,1] [1,1]) */
#include <stdatomic.h>
#include <pthread.h>
#include <assert.h>

atomic_int x;

void *t1(void *arg)
{
	atomic_store_explicit(&x, 1, memory_order_relaxed);
	return NULL;
}

int main()
{
	pthread_t h;
	int seen[2];
	pthread_create(&h, NULL, t1, NULL);
	for (int i = 0; i < 2; i++)
		seen[i] = atomic_load_explicit(&x, memory_order_relaxed);
	pthread_join(h, NULL);
#ifndef NO_ASSERT
	assert(!(seen[0] == 0 && seen[1] == 1));
#endif
	return 0;
}
