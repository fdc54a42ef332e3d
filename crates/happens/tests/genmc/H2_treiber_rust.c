/* Exact shape of tests/treiber_stack.rs run(publish): two threads push 1 and 2
 * while main pops once; after the joins main pops the rest and checks {1,2}.
 *   default PUBLISH = Release (release_acquire_stack_is_correct)
 *   -DPUBLISH=memory_order_relaxed (relaxed_publication_races: expect a race
 *    between the node's value init (MARK-INIT) and the pop's read (MARK-READ))
 *   -DNO_MALLOC: nodes are global (pool[v-1]) and never freed, so GenMC
 *    reports the relaxed race as a data race rather than as an access to
 *    memory whose allocation it cannot see                                 */
#include <stdatomic.h>
#include <pthread.h>
#include <stdlib.h>
#include <assert.h>
#ifndef PUBLISH
#define PUBLISH memory_order_release
#endif

struct node { int value; struct node *next; };
static _Atomic(struct node *) head = NULL;
#ifdef NO_MALLOC
struct node pool[2];
#define ALLOC(v) (&pool[(v) - 1])
#define FREE(p) ((void)0)
#else
#define ALLOC(v) malloc(sizeof(struct node))
#define FREE(p) free(p)
#endif

static void push(int v)
{
	struct node *n = ALLOC(v);
	n->value = 0;
	n->next = NULL;
	n->value = v;					/* MARK-INIT */
	struct node *h = atomic_load_explicit(&head, memory_order_relaxed);
	for (;;) {
		n->next = h;
		if (atomic_compare_exchange_weak_explicit(&head, &h, n, PUBLISH,
							  memory_order_relaxed))
			return;
	}
}

static int pop(void)	/* 0 = None */
{
	struct node *h = atomic_load_explicit(&head, memory_order_acquire);
	for (;;) {
		if (!h)
			return 0;
		struct node *next = h->next;
		if (atomic_compare_exchange_weak_explicit(&head, &h, next, memory_order_acquire,
							  memory_order_acquire)) {
			int v = h->value;			/* MARK-READ */
			FREE(h);
			return v;
		}
	}
}

void *pusher(void *arg) { push((int)(long)arg); return NULL; }

int main()
{
	pthread_t a, b;
	pthread_create(&a, NULL, pusher, (void *)1L);
	pthread_create(&b, NULL, pusher, (void *)2L);
	int got[3], n = 0, v;
	if ((v = pop()) != 0)
		got[n++] = v;
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	while ((v = pop()) != 0)
		got[n++] = v;
	assert(n == 2 && got[0] + got[1] == 3 && got[0] != got[1]);
	return 0;
}
