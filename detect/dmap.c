/*
 * netsentry: bounded hash maps with an age list, for detector state.
 *
 * A detector map is keyed by bytes that an attacker chooses, so the hash
 * takes a secret seed drawn at start-up, and the map never grows past
 * its configured size: a full map drops its least recently touched node.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "dmap.h"

#define NS_DMAP_BUCKETS_MIN	64

uint64_t	ns_dmap_seed;

/* Draw the hash key once, before the first map exists. */
static void
ns_dmap_seed_init(void)
{
	if (ns_dmap_seed != 0)
		return;
	if (getrandom(&ns_dmap_seed, sizeof(ns_dmap_seed), 0) !=
	    sizeof(ns_dmap_seed))
		ns_dmap_seed = 0x9e3779b97f4a7c15ULL;
	ns_dmap_seed |= 1;
}

int
ns_dmap_init(struct ns_dmap *m, size_t keyoff, size_t keylen,
    size_t nodesize, size_t max)
{
	ns_dmap_seed_init();
	memset(m, 0, sizeof(*m));
	m->keyoff = keyoff;
	m->keylen = keylen;
	m->nodesize = nodesize;
	m->max = max;
	m->nbuckets = NS_DMAP_BUCKETS_MIN;
	m->buckets = calloc(m->nbuckets, sizeof(*m->buckets));
	TAILQ_INIT(&m->lru);
	return m->buckets == NULL ? -1 : 0;
}

void
ns_dmap_free(struct ns_dmap *m)
{
	struct ns_dnode	*n;

	while ((n = TAILQ_FIRST(&m->lru)) != NULL)
		ns_dmap_remove(m, n);
	free(m->buckets);
	m->buckets = NULL;
}

static const uint8_t *
ns_dmap_key(const struct ns_dmap *m, const struct ns_dnode *n)
{
	return (const uint8_t *)n + m->keyoff;
}

static struct ns_dnode *
ns_dmap_lookup(struct ns_dmap *m, const void *key, uint32_t h)
{
	struct ns_dnode	*n;

	for (n = m->buckets[h & (m->nbuckets - 1)]; n != NULL; n = n->hnext)
		if (n->hash == h &&
		    memcmp(ns_dmap_key(m, n), key, m->keylen) == 0)
			return n;
	return NULL;
}

void *
ns_dmap_find(struct ns_dmap *m, const void *key)
{
	return ns_dmap_lookup(m, key, ns_dmap_hash(key, m->keylen));
}

void *
ns_dmap_find_hash(struct ns_dmap *m, const void *key, uint32_t h)
{
	return ns_dmap_lookup(m, key, h);
}

/* Double the bucket array; without memory, chains just grow longer. */
static void
ns_dmap_grow(struct ns_dmap *m)
{
	struct ns_dnode	**nb, *n;
	size_t		  size = m->nbuckets * 2, b;

	nb = calloc(size, sizeof(*nb));
	if (nb == NULL)
		return;
	TAILQ_FOREACH(n, &m->lru, age) {
		b = n->hash & (size - 1);
		n->hnext = nb[b];
		nb[b] = n;
	}
	free(m->buckets);
	m->buckets = nb;
	m->nbuckets = size;
}

void *
ns_dmap_get(struct ns_dmap *m, const void *key, uint32_t now, int *created)
{
	return ns_dmap_get_hash(m, key, ns_dmap_hash(key, m->keylen), now,
	    created);
}

void *
ns_dmap_get_hash(struct ns_dmap *m, const void *key, uint32_t h,
    uint32_t now, int *created)
{
	struct ns_dnode	*n;

	*created = 0;
	n = ns_dmap_lookup(m, key, h);
	if (n != NULL) {
		ns_dmap_touch(m, n, now);
		return n;
	}

	/* After a reload lowered max, several nodes may have to go. */
	while (m->count >= m->max && !TAILQ_EMPTY(&m->lru)) {
		ns_dmap_remove(m, TAILQ_FIRST(&m->lru));
		m->evictions++;
	}
	if (m->count >= m->max || (n = calloc(1, m->nodesize)) == NULL)
		return NULL;
	memcpy((uint8_t *)n + m->keyoff, key, m->keylen);
	n->hash = h;
	n->touched = now;
	if (m->count >= m->nbuckets)
		ns_dmap_grow(m);
	n->hnext = m->buckets[h & (m->nbuckets - 1)];
	m->buckets[h & (m->nbuckets - 1)] = n;
	TAILQ_INSERT_TAIL(&m->lru, n, age);
	m->count++;
	*created = 1;
	return n;
}

void
ns_dmap_remove(struct ns_dmap *m, void *node)
{
	struct ns_dnode	*n = node, **pp;

	pp = &m->buckets[n->hash & (m->nbuckets - 1)];
	while (*pp != n)
		pp = &(*pp)->hnext;
	*pp = n->hnext;
	TAILQ_REMOVE(&m->lru, n, age);
	m->count--;
	if (m->on_remove != NULL)
		m->on_remove(m, n);
	free(n);
}

/* The slow part of ns_dmap_expire(), once the oldest node is due. */
void
ns_dmap_expire_due(struct ns_dmap *m, uint32_t now, uint32_t idle)
{
	struct ns_dnode	*n;

	while ((n = TAILQ_FIRST(&m->lru)) != NULL && now > n->touched &&
	    now - n->touched > idle)
		ns_dmap_remove(m, n);
}
