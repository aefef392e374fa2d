/* netsentry: ring of decoded frames, one producer and two stages. */
#ifndef NS_RING_H
#define NS_RING_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "detect.h"
#include "tables.h"

/*
 * A data source runs on three threads.  The reader calls libpcap, decodes
 * each frame and writes what the tables and the detectors need into a
 * ring slot.  The counter stage moves each slot into the tables, then the
 * detector stage runs the detectors on it.  Reading, counting and
 * detecting then overlap, and the detectors see a frame only after the
 * tables counted it, as the per-address security counters need.
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

/* The stages in the order in which they see a frame. */
enum ns_ring_stage {
	NS_STAGE_COUNTER,
	NS_STAGE_DETECTOR,
	NS_STAGES
};

/*
 * One consumer.  tail sits on its own cache line, so that the threads
 * that read it per batch do not evict the line the others write.
 */
struct ns_ring_cursor {
	_Alignas(64) _Atomic size_t tail; /* next slot the stage takes */
	size_t		 taken;		/* the stage's copy of tail */
	atomic_int	 sleeping;	/* the stage waits on wake */
	_Atomic size_t	 asleep_at;	/* taken when it went to sleep */
	atomic_int	 finished;	/* it will take no more slots */
	pthread_cond_t	 wake;
};

struct ns_ring {
	struct ns_frame	*slots;
	_Alignas(64) _Atomic size_t head; /* first slot not yet published */
	size_t		 filled;	/* first slot not yet filled */
	size_t		 looked;	/* filled when seen_tail was read */
	size_t		 seen_tail;	/* reader's last look at a tail */
	_Alignas(64) atomic_int done;	/* the reader will add no more */
	atomic_int	 detecting;	/* the detector stage holds slots */
	atomic_int	 full;		/* the reader waits on space */
	pthread_cond_t	 space;
	pthread_mutex_t	 lock;
	struct ns_ring_cursor stage[NS_STAGES];
};

int		 ns_ring_init(struct ns_ring *);
void		 ns_ring_free(struct ns_ring *);

/*
 * Reader side.  ns_ring_reserve() returns a free slot, waiting while the
 * ring is full, and ns_ring_commit() marks it filled.  Filled slots reach
 * the counter in groups: ns_ring_flush() publishes them at once, and the
 * reader calls it whenever it is about to wait for packets, so that a
 * capture that arrives slowly is counted as it comes.
 */
struct ns_frame	*ns_ring_reserve(struct ns_ring *);
void		 ns_ring_commit(struct ns_ring *);
void		 ns_ring_flush(struct ns_ring *);
int		 ns_ring_backlog(struct ns_ring *);
void		 ns_ring_close(struct ns_ring *);

/*
 * Stage side: wait for frames that the stage before has released and
 * return how many are ready, 0 once the ring is closed and the stage
 * before has finished.  ns_ring_release() passes n slots on.
 */
size_t		 ns_ring_wait(struct ns_ring *, int stage);
struct ns_frame	*ns_ring_at(struct ns_ring *, int stage, size_t i);
void		 ns_ring_release(struct ns_ring *, int stage, size_t n);

/*
 * The detector stage takes slots only while attached.  Detached, the
 * reader overwrites slots as soon as the counter released them, so that
 * with every detector off the detector thread costs nothing per frame.
 * Callers serialize attach and detach.  The detector thread calls them
 * between batches, and a source also attaches before its threads start
 * and, under detect_lock, when a reload turns detectors on.
 * ns_ring_nap() sleeps up to ms milliseconds, until the stage is attached
 * or until the counter finishes, and returns 1 once the counter has.
 */
void		 ns_ring_attach(struct ns_ring *);
void		 ns_ring_detach(struct ns_ring *);
int		 ns_ring_nap(struct ns_ring *, long ms);

#endif /* NS_RING_H */
