/* Treiber stack (cf. tests/treiber_stack.rs): nodes {val, next} from malloc,
 * push = weak-CAS loop publishing with PUBLISH (Release), pop = weak-CAS loop
 * with Acquire.  Threads 1 and 2 push (1,2) and (3,4); main joins and pops
 * everything, recording the order, and checks it got {1,2,3,4}.
 *   -DCONC_POP  a third thread pops concurrently with the pushes (until it has
 *               popped 4 or sees an empty stack); main pops the rest after joins
 *   -DRELOAD    push reloads head every iteration (do { h = load; ... } while)
 *               instead of the Rust shape (load once, retry with CAS's value)
 *   -DPUBLISH=memory_order_relaxed   relaxed publishing CAS                 */
#include <stdatomic.h>
#include <pthread.h>
#include <stdlib.h>
#include <assert.h>
#ifndef PUBLISH
#define PUBLISH memory_order_release
#endif

struct node { int val; struct node *next; };
static _Atomic(struct node *) head = NULL;
int order[4], n_popped;

static void push(int v)
{
	struct node *n = malloc(sizeof(*n));
	n->val = v;
#ifdef RELOAD
	struct node *h;
	do {
		h = atomic_load_explicit(&head, memory_order_relaxed);
		n->next = h;
	} while (!atomic_compare_exchange_weak_explicit(&head, &h, n, PUBLISH,
							memory_order_relaxed));
#else
	struct node *h = atomic_load_explicit(&head, memory_order_relaxed);
	do {
		n->next = h;
	} while (!atomic_compare_exchange_weak_explicit(&head, &h, n, PUBLISH,
							memory_order_relaxed));
#endif
}

/* single pop, Rust shape; returns 0 when empty */
static int pop(void)
{
	struct node *h = atomic_load_explicit(&head, memory_order_acquire);
	while (h) {
		struct node *next = h->next;
		if (atomic_compare_exchange_weak_explicit(&head, &h, next, memory_order_acquire,
							  memory_order_acquire)) {
			int v = h->val;
			free(h);
			return v;
		}
	}
	return 0;
}

void *pusher(void *arg)
{
	long base = (long)arg;
	push(base);
	push(base + 1);
	return NULL;
}

#ifdef CONC_POP
void *popper(void *arg)
{
	struct node *h = atomic_load_explicit(&head, memory_order_acquire);
	while (h && n_popped < 4) {
		struct node *next = h->next;
		if (atomic_compare_exchange_weak_explicit(&head, &h, next, memory_order_acquire,
							  memory_order_acquire)) {
			order[n_popped++] = h->val;
			free(h);
			h = atomic_load_explicit(&head, memory_order_acquire);
		}
	}
	return NULL;
}
#endif

int main()
{
	pthread_t a, b;
	pthread_create(&a, NULL, pusher, (void *)1L);
	pthread_create(&b, NULL, pusher, (void *)3L);
#ifdef CONC_POP
	pthread_t c;
	pthread_create(&c, NULL, popper, NULL);
	pthread_join(c, NULL);
#endif
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	int v;
	while ((v = pop()) != 0)
		order[n_popped++] = v;
	assert(n_popped == 4);
	int seen = 0;
	for (int i = 0; i < 4; i++)
		seen |= 1 << order[i];
	assert(seen == 0x1e);
	return 0;
}
