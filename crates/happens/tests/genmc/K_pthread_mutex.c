/* N threads each lock one pthread_mutex once around a non-atomic counter
 * increment (the std::sync::Mutex analogue; cf. tests/loom_mutex.rs without
 * the Arc); main joins and asserts counter == N.
 *   -DN=2|3|4 (default 2); expected N! lock orders                         */
#include <pthread.h>
#include <assert.h>
#ifndef N
#define N 2
#endif

pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
int counter;

void *worker(void *arg)
{
	pthread_mutex_lock(&m);
	counter += 1;
	pthread_mutex_unlock(&m);
	return NULL;
}

int main()
{
	pthread_t t[N];
	for (int i = 0; i < N; i++)
		pthread_create(&t[i], NULL, worker, NULL);
	for (int i = 0; i < N; i++)
		pthread_join(t[i], NULL);
	assert(counter == N);
	return 0;
}
