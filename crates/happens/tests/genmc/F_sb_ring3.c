/* 3-thread store-buffering ring over an array of 3 atomics: thread i stores
 * x[i] = 1 then loads x[(i+1) % 3].  Relaxed: 2^3 = 8 executions; with
 * -DSC (all SeqCst) the all-zero outcome is forbidden: 7.                  */
#include <stdatomic.h>
#include <pthread.h>
#ifdef SC
#define ORD memory_order_seq_cst
#else
#define ORD memory_order_relaxed
#endif

atomic_int x[3];
int r[3];

void *t(void *arg)
{
	long i = (long)arg;
	atomic_store_explicit(&x[i], 1, ORD);
	r[i] = atomic_load_explicit(&x[(i + 1) % 3], ORD);
	return NULL;
}

int main()
{
	pthread_t th[3];
	for (long i = 0; i < 3; i++)
		pthread_create(&th[i], NULL, t, (void *)i);
	for (int i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	return 0;
}
