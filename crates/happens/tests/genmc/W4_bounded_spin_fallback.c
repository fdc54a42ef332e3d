/* bounded_spin_fallback: T1 polls a flag a bounded number of times,
 * `for i in 0..3 { if flag.load(Acquire) { return; } }`, then takes a
 * fallback path.  T2 writes data = 42 (non-atomic) and then sets the flag
 * (Release).  Main spawns both and joins both.
 *   default  the fallback does nothing: no error; the flag read true at the
 *            1st, 2nd or 3rd poll, or never
 *   -DBUG    the fallback reads data non-atomically: it races with T2's
 *            data = 42 (nothing orders them when all three polls read false) */
#include <stdatomic.h>
#include <stdbool.h>
#include <pthread.h>
#include <assert.h>

atomic_bool flag;
int data;
int seen; /* what the fallback read; written by T1 only, read by main after the joins */

void *t1(void *arg)
{
	for (int i = 0; i < 3; i++) {
		if (atomic_load_explicit(&flag, memory_order_acquire))
			return NULL;
	}
#ifdef BUG
	seen = data; /* the fallback path's racy read */
#endif
	return NULL;
}

void *t2(void *arg)
{
	data = 42;
	atomic_store_explicit(&flag, true, memory_order_release);
	return NULL;
}

int main()
{
	pthread_t a, b;
	pthread_create(&a, NULL, t1, NULL);
	pthread_create(&b, NULL, t2, NULL);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	return seen == 1; /* keeps `seen` used; never 1 */
}
