/* spin_then_park (crates/happens/tests/programs.rs `spin_then_park`): a waiter
 * spins a few times (a backoff) and then parks; the notifier (main) sets
 * `ready` and unparks the waiter if it said it sleeps, then joins it.
 *   default  spin_then_park(SeqCst, SeqCst): done right, no error
 *   -DLOST   spin_then_park(Release, Acquire): the wakeup can be lost
 * C has no park/unpark.  They are modelled with a permit (a futex-like
 * atomic int): unpark() sets it (Release); park() spins until it is set
 * (Acquire) and then consumes it.  No spurious wakeups.  A lost wakeup is a
 * park() that never returns: GenMC's spin-assume turns its spin into a
 * blocked execution, and -check-liveness reports it as a liveness violation.
 * happens::hint::spin_loop() is nothing here.                               */
#include <stdatomic.h>
#include <stdbool.h>
#include <pthread.h>
#include <assert.h>

#ifdef LOST
#define STORE memory_order_release
#define LOAD memory_order_acquire
#else
#define STORE memory_order_seq_cst
#define LOAD memory_order_seq_cst
#endif

atomic_bool ready, sleeping;
atomic_int permit; /* the waiter's park token */

static void park(void)
{
	while (!atomic_load_explicit(&permit, memory_order_acquire))
		;
	atomic_store_explicit(&permit, 0, memory_order_relaxed);
}

static void unpark(void)
{
	atomic_store_explicit(&permit, 1, memory_order_release);
}

void *waiter(void *arg)
{
	int step = 0;
	while (!atomic_load_explicit(&ready, memory_order_acquire)) {
		if (step < 6) {
			step += 1;
			continue;
		}
		atomic_store_explicit(&sleeping, true, STORE);
		if (!atomic_load_explicit(&ready, LOAD))
			park(); /* MARK-PARK */
		atomic_store_explicit(&sleeping, false, memory_order_relaxed);
	}
	return NULL;
}

int main()
{
	pthread_t w;
	pthread_create(&w, NULL, waiter, NULL);
	atomic_store_explicit(&ready, true, STORE);
	if (atomic_load_explicit(&sleeping, LOAD))
		unpark();
	pthread_join(w, NULL); /* MARK-JOIN */
	return 0;
}
