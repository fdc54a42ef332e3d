/* Mirrors tests/seeds.rs: mutex_program(N, Acquire, Release)
 * (acquire_release_spin_mutex_passes) and, with -DACQ=relaxed -DREL=relaxed,
 * relaxed_spin_mutex_races_on_the_cell.  N workers each take the lock once and
 * increment a non-atomic counter; main joins them, then takes the lock and
 * asserts counter == N (as in the Rust program's final with_lock).
 *   -DN=2|3|4   number of workers (default 2)
 *   -DACQ=..    CAS success ordering (default memory_order_acquire)
 *   -DREL=..    unlock ordering (default memory_order_release)
 *   -DYIELD     thread::yield_now() -> sched_yield() (default: nothing)   */
#include <stdatomic.h>
#include <stdbool.h>
#include <pthread.h>
#include <stdlib.h>
#include <assert.h>
#ifdef YIELD
#include <sched.h>
#define yield_now() sched_yield()
#else
#define yield_now() ((void)0)
#endif
#ifndef N
#define N 2
#endif
#ifndef ACQ
#define ACQ memory_order_acquire
#endif
#ifndef REL
#define REL memory_order_release
#endif

atomic_bool locked;
int counter; /* the UnsafeCell */

static int with_lock_inc(int inc)
{
	bool expected = false;
	while (!atomic_compare_exchange_weak_explicit(&locked, &expected, true, ACQ,
						      memory_order_relaxed)) {
		expected = false;
		while (atomic_load_explicit(&locked, memory_order_relaxed))
			yield_now();
		yield_now();
	}
	counter += inc;		/* SEED-CRITICAL */
	int v = counter;
	atomic_store_explicit(&locked, false, REL);
	return v;
}

void *worker(void *arg) { with_lock_inc(1); return NULL; }

int main()
{
	pthread_t t[N];
	for (int i = 0; i < N; i++)
		pthread_create(&t[i], NULL, worker, NULL);
	for (int i = 0; i < N; i++)
		pthread_join(t[i], NULL);
	assert(with_lock_inc(0) == N);
	return 0;
}
