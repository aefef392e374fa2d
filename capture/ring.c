/* netsentry: single-producer, single-consumer ring of decoded frames. */
#include "config.h"

#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ring.h"

/* Maximum sleep of an idle counter, in case a wake-up is missed. */
#define NS_RING_NAP_NS	10000000L
/* Yields of an idle counter before it sleeps. */
#define NS_RING_SPINS	64

int
ns_ring_init(struct ns_ring *r)
{
	/* Aligned, so that no cache line contains parts of two slots. */
	r->slots = aligned_alloc(64, NS_RING_SLOTS * sizeof(*r->slots));
	if (r->slots == NULL)
		return -1;
	memset(r->slots, 0, NS_RING_SLOTS * sizeof(*r->slots));
	atomic_init(&r->head, 0);
	r->seen_tail = 0;
	atomic_init(&r->tail, 0);
	r->taken = 0;
	atomic_init(&r->done, 0);
	atomic_init(&r->sleeping, 0);
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->wake, NULL);
	return 0;
}

void
ns_ring_free(struct ns_ring *r)
{
	if (r->slots == NULL)
		return;
	free(r->slots);
	r->slots = NULL;
	pthread_mutex_destroy(&r->lock);
	pthread_cond_destroy(&r->wake);
}

static void
ns_ring_wake(struct ns_ring *r)
{
	if (atomic_load_explicit(&r->sleeping, memory_order_relaxed)) {
		pthread_mutex_lock(&r->lock);
		pthread_cond_signal(&r->wake);
		pthread_mutex_unlock(&r->lock);
	}
}

struct ns_frame *
ns_ring_reserve(struct ns_ring *r)
{
	size_t	 next;

	next = atomic_load_explicit(&r->head, memory_order_relaxed);

	/*
	 * Read the counter's tail only when the last value seen shows the
	 * ring full, so the tail's cache line rarely moves.  A full ring
	 * means the counter is busy: let it run.
	 */
	while (next - r->seen_tail >= NS_RING_SLOTS) {
		r->seen_tail = atomic_load_explicit(&r->tail,
		    memory_order_acquire);
		if (next - r->seen_tail < NS_RING_SLOTS)
			break;
		ns_ring_wake(r);
		sched_yield();
	}
	return &r->slots[next & (NS_RING_SLOTS - 1)];
}

/*
 * Publish each frame at once, so a capture that arrives slowly is counted
 * as it comes.  The release store is a plain store on x86.  A counter that
 * goes to sleep just as a frame is published can miss the wake-up.  It
 * then finds the frame when its timed wait ends, NS_RING_NAP_NS later.
 */
void
ns_ring_commit(struct ns_ring *r)
{
	size_t	 head = atomic_load_explicit(&r->head, memory_order_relaxed);

	atomic_store_explicit(&r->head, head + 1, memory_order_release);
	ns_ring_wake(r);
}

void
ns_ring_close(struct ns_ring *r)
{
	atomic_store(&r->done, 1);
	pthread_mutex_lock(&r->lock);
	pthread_cond_signal(&r->wake);
	pthread_mutex_unlock(&r->lock);
}

size_t
ns_ring_wait(struct ns_ring *r)
{
	size_t		 tail, head;
	struct timespec	 until;
	unsigned	 spins;

	tail = r->taken;
	for (spins = 0;; spins++) {
		head = atomic_load(&r->head);
		if (head != tail)
			return head - tail;
		if (atomic_load(&r->done)) {
			head = atomic_load(&r->head);
			return head - tail;
		}

		/* At full speed the next frame is a moment away. */
		if (spins < NS_RING_SPINS) {
			sched_yield();
			continue;
		}

		pthread_mutex_lock(&r->lock);
		atomic_store(&r->sleeping, 1);
		if (atomic_load(&r->head) == tail && !atomic_load(&r->done)) {
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_nsec += NS_RING_NAP_NS;
			if (until.tv_nsec >= 1000000000L) {
				until.tv_sec++;
				until.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&r->wake, &r->lock, &until);
		}
		atomic_store(&r->sleeping, 0);
		pthread_mutex_unlock(&r->lock);
	}
}

struct ns_frame *
ns_ring_at(struct ns_ring *r, size_t i)
{
	return &r->slots[(r->taken + i) & (NS_RING_SLOTS - 1)];
}

void
ns_ring_release(struct ns_ring *r, size_t n)
{
	r->taken += n;
	atomic_store_explicit(&r->tail, r->taken, memory_order_release);
}
