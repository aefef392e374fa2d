/* netsentry: ring of decoded frames, one producer and two stages. */
#include "config.h"

#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ring.h"

/* Maximum sleep of an idle stage, in case a wake-up is missed. */
#define NS_RING_NAP_NS	10000000L
/* Yields of an idle stage before it sleeps. */
#define NS_RING_SPINS	4
/*
 * Frames that wake a sleeping stage.  The reader, the counter and the
 * detector share two cores, and a stage that woke up for every frame
 * would take turns with the thread feeding it, one frame at a time.
 * A stage therefore sleeps until a batch is ready, or NS_RING_NAP_NS.
 */
#define NS_RING_WAKE_BATCH	128
/*
 * Frames the reader fills before it publishes them.  Publishing moves the
 * head's cache line to the counter's core, so it is done per group.
 */
#define NS_RING_PUBLISH	16

int
ns_ring_init(struct ns_ring *r)
{
	pthread_condattr_t	 attr;
	int			 s;

	/* Aligned, so that no cache line contains parts of two slots. */
	r->slots = aligned_alloc(64, NS_RING_SLOTS * sizeof(*r->slots));
	if (r->slots == NULL)
		return -1;
	memset(r->slots, 0, NS_RING_SLOTS * sizeof(*r->slots));
	atomic_init(&r->head, 0);
	r->filled = 0;
	r->seen_tail = 0;
	r->looked = 0;
	atomic_init(&r->done, 0);
	atomic_init(&r->detecting, 0);
	atomic_init(&r->full, 0);

	/*
	 * Missed and batched wake-ups rely on the timed waits ending.  They
	 * run on the monotonic clock, because a wall clock stepped back
	 * would stretch a 10 ms wait by the size of the step.
	 */
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&r->space, &attr);
	pthread_mutex_init(&r->lock, NULL);
	for (s = 0; s < NS_STAGES; s++) {
		atomic_init(&r->stage[s].tail, 0);
		r->stage[s].taken = 0;
		atomic_init(&r->stage[s].asleep_at, 0);
		atomic_init(&r->stage[s].sleeping, 0);
		atomic_init(&r->stage[s].finished, 0);
		pthread_cond_init(&r->stage[s].wake, &attr);
	}
	pthread_condattr_destroy(&attr);
	return 0;
}

void
ns_ring_free(struct ns_ring *r)
{
	int	 s;

	if (r->slots == NULL)
		return;
	free(r->slots);
	r->slots = NULL;
	pthread_mutex_destroy(&r->lock);
	pthread_cond_destroy(&r->space);
	for (s = 0; s < NS_STAGES; s++)
		pthread_cond_destroy(&r->stage[s].wake);
}

/* Signal cond under the ring lock, which every timed wait holds. */
static void
ns_ring_signal(struct ns_ring *r, pthread_cond_t *cond)
{
	pthread_mutex_lock(&r->lock);
	pthread_cond_signal(cond);
	pthread_mutex_unlock(&r->lock);
}

static void
ns_ring_wake(struct ns_ring *r, int s)
{
	if (atomic_load_explicit(&r->stage[s].sleeping, memory_order_relaxed))
		ns_ring_signal(r, &r->stage[s].wake);
}

/* Wake stage s when it sleeps and its new bound, up, completes a batch. */
static void
ns_ring_feed(struct ns_ring *r, int s, size_t up)
{
	struct ns_ring_cursor	*c = &r->stage[s];

	if (atomic_load_explicit(&c->sleeping, memory_order_relaxed) &&
	    up - atomic_load_explicit(&c->asleep_at, memory_order_relaxed) >=
	    NS_RING_WAKE_BATCH)
		ns_ring_signal(r, &c->wake);
}

/*
 * Return the tail of the last stage in use, which the reader waits for.
 * The counter's tail is read before detecting, as ns_ring_attach() needs.
 */
static size_t
ns_ring_last_tail(struct ns_ring *r)
{
	size_t	 tail;

	tail = atomic_load(&r->stage[NS_STAGE_COUNTER].tail);
	if (atomic_load(&r->detecting))
		tail = atomic_load(&r->stage[NS_STAGE_DETECTOR].tail);
	return tail;
}

static void ns_ring_sleep(struct ns_ring *, pthread_cond_t *, long);

/*
 * A full ring means a stage is slower than the reader.  Sleep until the
 * stages have emptied half of it, so that the reader neither takes CPU
 * time from them nor wakes up once per slot.
 */
static void
ns_ring_wait_space(struct ns_ring *r, size_t next)
{
	int	 s;

	ns_ring_flush(r);
	for (s = 0; s < NS_STAGES; s++)
		ns_ring_wake(r, s);
	pthread_mutex_lock(&r->lock);
	atomic_store(&r->full, 1);
	if (next - ns_ring_last_tail(r) > NS_RING_SLOTS / 2)
		ns_ring_sleep(r, &r->space, NS_RING_NAP_NS);
	atomic_store(&r->full, 0);
	pthread_mutex_unlock(&r->lock);
}

struct ns_frame *
ns_ring_reserve(struct ns_ring *r)
{
	size_t	 next = r->filled;

	/*
	 * Read a stage's tail only when the last value seen shows the ring
	 * full, so the tail's cache line rarely moves.
	 */
	while (next - r->seen_tail >= NS_RING_SLOTS) {
		r->seen_tail = ns_ring_last_tail(r);
		if (next - r->seen_tail < NS_RING_SLOTS)
			break;
		ns_ring_wait_space(r, next);
	}
	return &r->slots[next & (NS_RING_SLOTS - 1)];
}

/*
 * Publish the filled slots.  The release store is a plain store on x86.
 * A stage that goes to sleep just as frames are published can miss the
 * wake-up.  It then finds them when its timed wait ends, NS_RING_NAP_NS
 * later.
 */
void
ns_ring_flush(struct ns_ring *r)
{
	if (atomic_load_explicit(&r->head, memory_order_relaxed) == r->filled)
		return;
	atomic_store_explicit(&r->head, r->filled, memory_order_release);
	ns_ring_feed(r, NS_STAGE_COUNTER, r->filled);
}

/*
 * Whether the stages lag behind the reader by more than a quarter of the
 * ring.  The tail is read again every NS_RING_PUBLISH frames.
 */
int
ns_ring_backlog(struct ns_ring *r)
{
	if (r->filled - r->looked >= NS_RING_PUBLISH) {
		r->looked = r->filled;
		r->seen_tail = ns_ring_last_tail(r);
	}
	return r->filled - r->seen_tail > NS_RING_SLOTS / 4;
}

void
ns_ring_commit(struct ns_ring *r)
{
	r->filled++;
	if (r->filled - atomic_load_explicit(&r->head, memory_order_relaxed) >=
	    NS_RING_PUBLISH)
		ns_ring_flush(r);
}

void
ns_ring_close(struct ns_ring *r)
{
	int	 s;

	ns_ring_flush(r);
	atomic_store(&r->done, 1);
	pthread_mutex_lock(&r->lock);
	for (s = 0; s < NS_STAGES; s++)
		pthread_cond_signal(&r->stage[s].wake);
	pthread_mutex_unlock(&r->lock);
}

/* Where stage s may read up to, and whether that bound has stopped. */
static size_t
ns_ring_upstream(struct ns_ring *r, int s, int *ended)
{
	if (s == NS_STAGE_COUNTER) {
		*ended = atomic_load(&r->done);
		return atomic_load(&r->head);
	}
	*ended = atomic_load(&r->stage[s - 1].finished);
	return atomic_load(&r->stage[s - 1].tail);
}

static void
ns_ring_sleep(struct ns_ring *r, pthread_cond_t *cond, long ns)
{
	struct timespec	 until;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_nsec += ns;
	while (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(cond, &r->lock, &until);
}

static void
ns_ring_finish(struct ns_ring *r, int s)
{
	atomic_store(&r->stage[s].finished, 1);
	if (s + 1 < NS_STAGES)
		ns_ring_signal(r, &r->stage[s + 1].wake);
}

size_t
ns_ring_wait(struct ns_ring *r, int s)
{
	struct ns_ring_cursor	*c = &r->stage[s];
	size_t			 up;
	unsigned		 spins;
	int			 ended;

	for (spins = 0;; spins++) {
		up = ns_ring_upstream(r, s, &ended);
		if (up != c->taken)
			return up - c->taken;

		/* The bound is final only if it was read after the end. */
		if (ended) {
			up = ns_ring_upstream(r, s, &ended);
			if (up != c->taken)
				return up - c->taken;
			ns_ring_finish(r, s);
			return 0;
		}

		/* At full speed the next frame is a moment away. */
		if (spins < NS_RING_SPINS) {
			sched_yield();
			continue;
		}

		pthread_mutex_lock(&r->lock);
		atomic_store_explicit(&c->asleep_at, c->taken,
		    memory_order_relaxed);
		atomic_store(&c->sleeping, 1);
		if (ns_ring_upstream(r, s, &ended) == c->taken && !ended)
			ns_ring_sleep(r, &c->wake, NS_RING_NAP_NS);
		atomic_store(&c->sleeping, 0);
		pthread_mutex_unlock(&r->lock);
	}
}

struct ns_frame *
ns_ring_at(struct ns_ring *r, int s, size_t i)
{
	return &r->slots[(r->stage[s].taken + i) & (NS_RING_SLOTS - 1)];
}

void
ns_ring_release(struct ns_ring *r, int s, size_t n)
{
	struct ns_ring_cursor	*c = &r->stage[s];

	c->taken += n;
	atomic_store_explicit(&c->tail, c->taken, memory_order_release);
	if (s + 1 < NS_STAGES)
		ns_ring_feed(r, s + 1, c->taken);

	/* Any stage may be the one that the reader waits for, so each checks. */
	if (atomic_load_explicit(&r->full, memory_order_relaxed) &&
	    atomic_load(&r->head) - ns_ring_last_tail(r) <= NS_RING_SLOTS / 2)
		ns_ring_signal(r, &r->space);
}

/*
 * Start after the last slot the counter released.  detecting is set
 * before that tail is read, and ns_ring_last_tail() reads the tail before
 * detecting, all in sequentially consistent order, so a reader that finds
 * the detector detached has read a counter tail no later than the start.
 * The tail stored first bounds a reader that already finds it attached.
 */
void
ns_ring_attach(struct ns_ring *r)
{
	struct ns_ring_cursor	*c = &r->stage[NS_STAGE_DETECTOR];

	if (atomic_load(&r->detecting))
		return;
	atomic_store(&c->tail, atomic_load(&r->stage[NS_STAGE_COUNTER].tail));
	atomic_store(&r->detecting, 1);
	c->taken = atomic_load(&r->stage[NS_STAGE_COUNTER].tail);
	atomic_store(&c->tail, c->taken);

	/* Another thread may attach the stage while it naps. */
	ns_ring_signal(r, &c->wake);
}

void
ns_ring_detach(struct ns_ring *r)
{
	atomic_store(&r->detecting, 0);
}

int
ns_ring_nap(struct ns_ring *r, long ms)
{
	/*
	 * sleeping stays clear, so the counter does not wake a detached
	 * stage after each batch.  Only ns_ring_attach() and the end of the
	 * counter wake it.
	 */
	pthread_mutex_lock(&r->lock);
	if (!atomic_load(&r->stage[NS_STAGE_COUNTER].finished) &&
	    !atomic_load(&r->detecting))
		ns_ring_sleep(r, &r->stage[NS_STAGE_DETECTOR].wake,
		    ms * 1000000L);
	pthread_mutex_unlock(&r->lock);
	return atomic_load(&r->stage[NS_STAGE_COUNTER].finished);
}
