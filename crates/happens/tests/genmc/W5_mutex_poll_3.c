/* mutex_poll_3: three threads.  A pthread_mutex guards a plain int done_count;
 * two workers each lock, increment, unlock.  Main polls without bound,
 *   while (1) { lock; if (done_count == 2) { unlock; break; } unlock; }
 * then joins both workers.
 *   default     the mutex version above
 *   -DLOCKFREE  the lock-free version: workers fetch_add(1, Release), main
 *               spins `while (load(Acquire) != 2) ;`, then joins
 *   -DTWO_HANDLES  spawn the workers as `pthread_t a, b` instead of from a
 *               loop over `pthread_t w[2]`: the loop's store to w[0] between
 *               the two spawns keeps GenMC's automatic symmetry reduction
 *               (on unless -disable-sr) from deeming the workers symmetric */
#include <stdatomic.h>
#include <pthread.h>
#include <assert.h>

#ifndef LOCKFREE
pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
int done_count;

void *worker(void *arg)
{
	pthread_mutex_lock(&m);
	done_count += 1;
	pthread_mutex_unlock(&m);
	return NULL;
}
#else
atomic_int c;

void *worker(void *arg)
{
	atomic_fetch_add_explicit(&c, 1, memory_order_release);
	return NULL;
}
#endif

int main()
{
#ifndef TWO_HANDLES
	pthread_t w[2];
	for (int i = 0; i < 2; i++)
		pthread_create(&w[i], NULL, worker, NULL);
#else
	pthread_t a, b;
	pthread_create(&a, NULL, worker, NULL);
	pthread_create(&b, NULL, worker, NULL);
#endif
#ifndef LOCKFREE
	while (1) {
		pthread_mutex_lock(&m);
		if (done_count == 2) {
			pthread_mutex_unlock(&m);
			break;
		}
		pthread_mutex_unlock(&m);
	}
#else
	while (atomic_load_explicit(&c, memory_order_acquire) != 2)
		;
#endif
#ifndef TWO_HANDLES
	for (int i = 0; i < 2; i++)
		pthread_join(w[i], NULL);
#else
	pthread_join(a, NULL);
	pthread_join(b, NULL);
#endif
	return 0;
}
