/* The broken "load-then-store" mutex from the notes: the test and the set are
 * two separate relaxed accesses, so both threads can enter.  Expect a data
 * race on `counter` (two critical sections are not ordered at all).       */
#include <stdatomic.h>
#include <pthread.h>
#include <assert.h>

atomic_int locked;
int counter;

void *worker(void *arg)
{
	while (atomic_load_explicit(&locked, memory_order_relaxed) != 0) {}
	atomic_store_explicit(&locked, 1, memory_order_relaxed);
	counter += 1;		/* racy */
	atomic_store_explicit(&locked, 0, memory_order_relaxed);
	return NULL;
}

int main()
{
	pthread_t a, b;
	pthread_create(&a, NULL, worker, NULL);
	pthread_create(&b, NULL, worker, NULL);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	return 0;
}
