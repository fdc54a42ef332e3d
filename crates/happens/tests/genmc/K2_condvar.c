/* Condvar handshake, shape of tests/loom_condvar.rs notify_one: the spawned
 * thread does `*m.lock() += 1` (guard dropped at the end of the statement)
 * then notify_one(); main locks, `while (n == 0) wait`, asserts n == 1,
 * unlocks, joins.  happens reports (executions, blocked) = (2, 3).
 *   -DSIGNAL_INSIDE  signal while still holding the mutex                 */
#include <pthread.h>
#include <assert.h>

pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
pthread_cond_t c = PTHREAD_COND_INITIALIZER;
int n;

void *signaller(void *arg)
{
	pthread_mutex_lock(&m);
	n += 1;
#ifdef SIGNAL_INSIDE
	pthread_cond_signal(&c);
	pthread_mutex_unlock(&m);
#else
	pthread_mutex_unlock(&m);
	pthread_cond_signal(&c);
#endif
	return NULL;
}

int main()
{
	pthread_t t;
	pthread_create(&t, NULL, signaller, NULL);
	pthread_mutex_lock(&m);
	while (n == 0)
		pthread_cond_wait(&c, &m);
	assert(n == 1);
	pthread_mutex_unlock(&m);
	pthread_join(t, NULL);
	return 0;
}
