/* netsentry: bounded hash maps with an age list, for detector state. */
#ifndef NS_DMAP_H
#define NS_DMAP_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <bsd/sys/queue.h>

/*
 * Every node starts with this head, followed by the key and then the
 * user's fields.  The age list runs from the least recently touched node
 * to the most recent, so both the oldest idle node and the victim of a
 * full map are at its head.
 */
struct ns_dnode {
	struct ns_dnode		*hnext;
	TAILQ_ENTRY(ns_dnode)	 age;
	uint32_t		 hash;
	uint32_t		 touched;	/* packet time, seconds */
};

struct ns_dmap;
typedef void ns_dnode_fn(struct ns_dmap *, struct ns_dnode *);

struct ns_dmap {
	struct ns_dnode		**buckets;
	size_t			  nbuckets;	/* power of two */
	size_t			  count;
	size_t			  max;
	size_t			  keylen;
	size_t			  keyoff;	/* key offset in the node */
	size_t			  nodesize;
	TAILQ_HEAD(, ns_dnode)	  lru;
	ns_dnode_fn		 *on_remove;	/* optional, before free */
	void			 *owner;
	uint64_t		  evictions;	/* removed to make room */
};

int	 ns_dmap_init(struct ns_dmap *, size_t keyoff, size_t keylen,
	    size_t nodesize, size_t max);
void	 ns_dmap_free(struct ns_dmap *);

void	*ns_dmap_find(struct ns_dmap *, const void *key);
/* Find or create; *created tells which.  NULL when memory runs out. */
void	*ns_dmap_get(struct ns_dmap *, const void *key, uint32_t now,
	    int *created);
void	 ns_dmap_remove(struct ns_dmap *, void *node);
void	 ns_dmap_expire_due(struct ns_dmap *, uint32_t now, uint32_t idle);

/*
 * Remove the nodes untouched for more than idle seconds at now.  The
 * detectors call it for every map once per second of packet time, and
 * mostly nothing is due, so the test of the oldest node is inline.
 */
static inline void
ns_dmap_expire(struct ns_dmap *m, uint32_t now, uint32_t idle)
{
	const struct ns_dnode	*n = TAILQ_FIRST(&m->lru);

	if (n != NULL && now > n->touched && now - n->touched > idle)
		ns_dmap_expire_due(m, now, idle);
}

/*
 * Record a touch at now and move node to the newest end of the age list.
 * A now older than the node's last touch changes nothing.
 */
static inline void
ns_dmap_touch(struct ns_dmap *m, void *node, uint32_t now)
{
	struct ns_dnode	*n = node;

	if (now >= n->touched) {
		n->touched = now;
		if (TAILQ_NEXT(n, age) != NULL) {
			TAILQ_REMOVE(&m->lru, n, age);
			TAILQ_INSERT_TAIL(&m->lru, n, age);
		}
	}
}

#define NS_DMAP_FIRST(m)	((void *)TAILQ_FIRST(&(m)->lru))
#define NS_DMAP_NEXT(n)		((void *)TAILQ_NEXT(&(n)->head, age))

/* The secret hash key, drawn by the first ns_dmap_init(). */
extern uint64_t	ns_dmap_seed;

/*
 * Keyed hash of len bytes.  It is inline so that a caller with a constant
 * len gets every memcpy() below as plain loads, not library calls.
 */
static inline uint32_t
ns_dmap_hash(const void *key, size_t len)
{
	const uint8_t	*p = key;
	uint64_t	 h, w;
	size_t		 i;

	h = ns_dmap_seed ^ (len * 0xff51afd7ed558ccdULL);
	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, p + i, 8);
		h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
		h ^= h >> 29;
	}
	w = 0;
	memcpy(&w, p + i, len - i);
	h = (h ^ w ^ ns_dmap_seed) * 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 32;
	return (uint32_t)h;
}

/*
 * The same as ns_dmap_find() and ns_dmap_get() with the key's hash h
 * given, which must be ns_dmap_hash(key, m->keylen).
 */
void	*ns_dmap_find_hash(struct ns_dmap *, const void *key, uint32_t h);
void	*ns_dmap_get_hash(struct ns_dmap *, const void *key, uint32_t h,
	    uint32_t now, int *created);

#endif /* NS_DMAP_H */
