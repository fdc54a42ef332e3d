/* Lazy initialisation through an AtomicPtr (cf. tests/seeds.rs
 * lazy_init_with_atomic_ptr, here with 3 spawned threads): each thread calls
 * get_data() and asserts *p == 42; main joins and frees the winner's box.
 *   default: load Acquire, CAS success Release / failure Acquire
 *   -DRELAXED: every atomic access Relaxed (expect a race on *p)
 *   -DSUCC=memory_order_acq_rel: GenMC v0.11 gives a CAS's read the SUCCESS
 *     ordering even when it fails (the failure ordering is ignored), so the
 *     Release/Acquire CAS's failure path does not acquire under GenMC.
 *   -DFAIL_FENCE: CAS Release/Relaxed + atomic_thread_fence(Acquire) on the
 *     failure path (C11-equivalent to the Acquire failure ordering)
 *   -DNO_MALLOC: boxes are global ints (one per thread), never freed, so
 *     GenMC reports the relaxed publication as a plain data race instead of
 *     an access to memory whose allocation it cannot see                  */
#include <stdatomic.h>
#include <pthread.h>
#include <stdlib.h>
#include <assert.h>
#ifdef RELAXED
#define LD memory_order_relaxed
#define SUCC memory_order_relaxed
#define FAIL memory_order_relaxed
#else
#define LD memory_order_acquire
#ifndef SUCC
#define SUCC memory_order_release
#endif
#ifdef FAIL_FENCE
#define FAIL memory_order_relaxed
#else
#define FAIL memory_order_acquire
#endif
#endif

static _Atomic(int *) PTR = NULL;
#ifdef NO_MALLOC
int boxes[3];
#define ALLOC(id) (&boxes[id])
#define FREE(p) ((void)0)
#else
#define ALLOC(id) malloc(sizeof(int))
#define FREE(p) free(p)
#endif

int *get_data(long id)
{
	int *p = atomic_load_explicit(&PTR, LD);
	if (p == NULL) {
		p = ALLOC(id);
		*p = 42;	/* initialisation */
		int *exp = NULL;
		if (!atomic_compare_exchange_strong_explicit(&PTR, &exp, p, SUCC, FAIL)) {
#ifdef FAIL_FENCE
			atomic_thread_fence(memory_order_acquire);
#endif
			FREE(p);
			p = exp;
		}
	}
	return p;
}

void *worker(void *arg)
{
	int *p = get_data((long)arg);
	assert(*p == 42);	/* read */
	return NULL;
}

int main()
{
	pthread_t t[3];
	for (long i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, worker, (void *)i);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	FREE(atomic_load_explicit(&PTR, memory_order_relaxed));
	return 0;
}
