/* Strong-CAS spin lock with an empty retry loop (no spin hint):
 *   while locked.compare_exchange(false, true, Acquire, Relaxed).is_err() {}
 * 2 workers increment a non-atomic counter; main joins and asserts 2.
 * (Same shape as tests/litmus_parity.rs spin_mutex_acqrel minus spin_loop().)
 * The C failure path writes the observed value into `e`, so the loop body
 * resets it (Rust passes `false` by value each time).                     */
#include <stdatomic.h>
#include <stdbool.h>
#include <pthread.h>
#include <assert.h>

atomic_bool l;
int counter;

void *worker(void *arg)
{
	bool e = false;
	while (!atomic_compare_exchange_strong_explicit(&l, &e, true, memory_order_acquire,
							memory_order_relaxed))
		e = false;
	counter += 1;
	atomic_store_explicit(&l, false, memory_order_release);
	return NULL;
}

int main()
{
	pthread_t a, b;
	pthread_create(&a, NULL, worker, NULL);
	pthread_create(&b, NULL, worker, NULL);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	assert(counter == 2);
	return 0;
}
