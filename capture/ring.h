/* netsentry: single-producer, single-consumer ring of decoded frames. */
#ifndef NS_RING_H
#define NS_RING_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "detect.h"
#include "tables.h"

/*
 * A data source runs on two threads.  The reader calls libpcap, decodes
 * each frame and writes what the tables and the detectors need into a
 * ring slot.  The counter moves slots into both.  On a two-core probe,
 * reading and decoding then run in parallel with the table updates and
 * the detectors.
 */
#define NS_RING_SLOTS	4096	/* power of two */

/*
 * One slot is two cache lines: what the tables count, and what the
 * detectors examine.
 */
struct ns_frame {
	struct ns_conv_key	 ck;
	uint32_t		 wirelen;
	uint32_t		 sec;
	uint32_t		 usec;
	struct ns_probe		 probe;
};

_Static_assert(sizeof(struct ns_probe) <= 64,
    "the detectors' part of a frame must fit one cache line");

/*
 * The reader's and the counter's fields sit on separate cache lines, so
 * neither thread's writes evict the line the other reads per frame.
 */
struct ns_ring {
	struct ns_frame	*slots;
	_Alignas(64) _Atomic size_t head; /* first slot not yet published */
	size_t		 seen_tail;	/* reader's last look at tail */
	_Alignas(64) _Atomic size_t tail; /* next slot the counter takes */
	size_t		 taken;		/* counter's copy of tail */
	_Alignas(64) atomic_int done;	/* the reader will add no more */
	atomic_int	 sleeping;	/* the counter waits on wake */
	pthread_mutex_t	 lock;
	pthread_cond_t	 wake;
};

int		 ns_ring_init(struct ns_ring *);
void		 ns_ring_free(struct ns_ring *);

/*
 * Reader side.  ns_ring_reserve() returns a free slot, waiting while the
 * ring is full, and ns_ring_commit() publishes it to the counter.
 */
struct ns_frame	*ns_ring_reserve(struct ns_ring *);
void		 ns_ring_commit(struct ns_ring *);
void		 ns_ring_close(struct ns_ring *);

/*
 * Counter side: wait for frames and return how many are ready from the
 * tail, 0 once the ring is closed and empty.  ns_ring_release() hands
 * n slots back.
 */
size_t		 ns_ring_wait(struct ns_ring *);
struct ns_frame	*ns_ring_at(struct ns_ring *, size_t i);
void		 ns_ring_release(struct ns_ring *, size_t n);

#endif /* NS_RING_H */
