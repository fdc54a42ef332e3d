/* Box publication through an AtomicPtr: thread 1 boxes 42 and stores the
 * pointer (Release); thread 2 loads it (Acquire) and, if non-null, reads the
 * box.  Main joins both and frees the box.
 *   -DRELAXED: both accesses Relaxed (expect a race: *p = 42 vs *q)
 *   -DNO_MALLOC: the box is a global int (never freed), so GenMC reports the
 *     relaxed race as a data race rather than as non-allocated memory     */
#include <stdatomic.h>
#include <pthread.h>
#include <stdlib.h>
#include <assert.h>
#ifdef RELAXED
#define ST memory_order_relaxed
#define LD memory_order_relaxed
#else
#define ST memory_order_release
#define LD memory_order_acquire
#endif

static _Atomic(int *) P = NULL;
#ifdef NO_MALLOC
int box;
#define ALLOC() (&box)
#define FREE(p) ((void)0)
#else
#define ALLOC() malloc(sizeof(int))
#define FREE(p) free(p)
#endif

void *t1(void *arg)
{
	int *p = ALLOC();
	*p = 42;			/* write */
	atomic_store_explicit(&P, p, ST);
	return NULL;
}

void *t2(void *arg)
{
	int *q = atomic_load_explicit(&P, LD);
	if (q)
		assert(*q == 42);	/* read */
	return NULL;
}

int main()
{
	pthread_t a, b;
	pthread_create(&a, NULL, t1, NULL);
	pthread_create(&b, NULL, t2, NULL);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	FREE(atomic_load_explicit(&P, memory_order_relaxed));
	return 0;
}
