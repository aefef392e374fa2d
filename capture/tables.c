/*
 * netsentry: bounded traffic tables for one data source.
 *
 * Each table keeps its rows in three structures.  A hash table serves the
 * per-packet lookup, and a red-black tree in SNMP index order serves GET
 * and GETNEXT in O(log n).  A list in order of last activity serves idle
 * expiry and purging, since RFC 2819 suggests deleting the least
 * recently used entries first.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "tables.h"

#define NS_BUCKETS_MIN	1024

static const uint8_t ns_broadcast[NS_MAC_LEN] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff
};

static uint64_t	ns_hash_secret;

static uint32_t
ns_uptime_zero(void)
{
	return 0;
}

uint32_t (*ns_uptime_ticks)(void) = ns_uptime_zero;

int
ns_entry_cmp(struct ns_entry *a, struct ns_entry *b)
{
	return memcmp(a->key, b->key, NS_KEY_MAX);
}

/* matrixDSTable order: destination address first. */
int
ns_pair_ds_cmp(struct ns_mac_pair *a, struct ns_mac_pair *b)
{
	int	 r;

	r = memcmp(a->e.key + NS_MAC_LEN, b->e.key + NS_MAC_LEN, NS_MAC_LEN);
	if (r != 0)
		return r;
	return memcmp(a->e.key, b->e.key, NS_MAC_LEN);
}

RB_GENERATE(ns_tree, ns_entry, rb, ns_entry_cmp)
RB_GENERATE(ns_dstree, ns_mac_pair, ds, ns_pair_ds_cmp)

/* Load n bytes, n a constant after inlining, into a word. */
static inline uint64_t
ns_load(const uint8_t *p, size_t n)
{
	uint64_t	 w = 0;

	memcpy(&w, p, n);
	return w;
}

static inline uint64_t
ns_mix(uint64_t h, uint64_t w)
{
	h ^= w;
	h *= 0xff51afd7ed558ccdULL;
	return h ^ (h >> 32);
}

/*
 * Keyed hash over the key bytes.  The secret comes from getrandom() so a
 * sender of spoofed addresses cannot choose keys that share one chain.
 * NOTE: a multiply-xorshift mix, not SipHash: it resists blind collision
 * attempts, not an attacker who can measure lookup times.  One case per
 * key length keeps every load a fixed size.
 */
static uint32_t
ns_hash(const uint8_t *key, size_t len)
{
	uint64_t	 h = ns_hash_secret ^ len;

	switch (len) {
	case NS_MAC_LEN:
		h = ns_mix(h, ns_load(key, NS_MAC_LEN));
		break;
	case 2 * NS_MAC_LEN:
		h = ns_mix(h, ns_load(key, 8));
		h = ns_mix(h, ns_load(key + 8, 4));
		break;
	case NS_IPKEY_LEN:
		h = ns_mix(h, ns_load(key, 8));
		h = ns_mix(h, ns_load(key + 8, 8));
		h = ns_mix(h, ns_load(key + 16, 1));
		break;
	case NS_CONV_KEY:
		for (size_t i = 0; i < NS_CONV_KEY; i += 8)
			h = ns_mix(h, ns_load(key + i, 8));
		break;
	default:
		for (size_t i = 0; i < len; i += 8)
			h = ns_mix(h, ns_load(key + i, len - i < 8 ?
			    len - i : 8));
		break;
	}
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 29;
	return (uint32_t)(h ^ (h >> 32));
}

/* Key equality with a fixed-size compare for each key length. */
static inline int
ns_key_eq(const uint8_t *a, const uint8_t *b, size_t len)
{
	switch (len) {
	case NS_MAC_LEN:
		return memcmp(a, b, NS_MAC_LEN) == 0;
	case 2 * NS_MAC_LEN:
		return memcmp(a, b, 2 * NS_MAC_LEN) == 0;
	case NS_IPKEY_LEN:
		return memcmp(a, b, NS_IPKEY_LEN) == 0;
	case 2 * NS_IPKEY_LEN:
		return memcmp(a, b, 2 * NS_IPKEY_LEN) == 0;
	default:
		return memcmp(a, b, len) == 0;
	}
}

static void
ns_hash_init(void)
{
	uint64_t	 seed;

	if (ns_hash_secret != 0)
		return;
	if (getrandom(&seed, sizeof(seed), 0) != sizeof(seed))
		seed = (uint64_t)(uintptr_t)&seed ^ 0x5bd1e995u;
	ns_hash_secret = seed | 1;
}

static int
ns_table_init(struct ns_table *t, const char *name, size_t keylen,
    size_t entry_size, size_t max_entries, uint32_t idle)
{
	memset(t, 0, sizeof(*t));
	t->name = name;
	t->keylen = keylen;
	t->entry_size = entry_size;
	t->max_entries = max_entries;
	t->idle_timeout = idle;
	t->nbuckets = NS_BUCKETS_MIN;
	t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
	if (t->buckets == NULL)
		return -1;
	RB_INIT(&t->tree);
	TAILQ_INIT(&t->lru);
	return 0;
}

static void
ns_table_free(struct ns_table *t)
{
	struct ns_entry	*e, *next;

	for (e = TAILQ_FIRST(&t->lru); e != NULL; e = next) {
		next = TAILQ_NEXT(e, lru);
		free(e);
	}
	free(t->buckets);
	t->buckets = NULL;
	t->count = 0;
}

/* Double the bucket array; on allocation failure keep the old one. */
static void
ns_table_grow(struct ns_table *t)
{
	struct ns_entry	**nb, *e;
	size_t		  n = t->nbuckets * 2, b;

	nb = calloc(n, sizeof(*nb));
	if (nb == NULL)
		return;
	TAILQ_FOREACH(e, &t->lru, lru) {
		b = e->hash & (n - 1);
		e->hnext = nb[b];
		nb[b] = e;
	}
	free(t->buckets);
	t->buckets = nb;
	t->nbuckets = n;
}

static struct ns_entry *
ns_table_find(struct ns_table *t, const uint8_t *key, uint32_t h)
{
	struct ns_entry	*e;

	for (e = t->buckets[h & (t->nbuckets - 1)]; e != NULL; e = e->hnext)
		if (e->hash == h && ns_key_eq(e->key, key, t->keylen))
			return e;
	return NULL;
}

struct ns_entry *
ns_table_lookup(struct ns_table *t, const uint8_t *key)
{
	return ns_table_find(t, key, ns_hash(key, t->keylen));
}

static void
ns_table_remove(struct ns_table *t, struct ns_entry *e)
{
	struct ns_entry	**pp;

	pp = &t->buckets[e->hash & (t->nbuckets - 1)];
	while (*pp != e)
		pp = &(*pp)->hnext;
	*pp = e->hnext;

	(*t->epoch)++;
	RB_REMOVE(ns_tree, &t->tree, e);
	TAILQ_REMOVE(&t->lru, e, lru);
	if (t->on_remove != NULL)
		t->on_remove(t, e);
	free(e);

	t->count--;
	t->deletes++;
	t->last_delete = ns_uptime_ticks();
}

/* Packet time of one frame: seconds, and tenths for DateAndTime. */
struct ns_when {
	uint32_t	 sec;
	uint8_t		 tenths;
};

static struct ns_entry *
ns_table_insert(struct ns_table *t, const uint8_t *key, uint32_t h,
    const struct ns_when *when)
{
	struct ns_entry	*e;

	/* A full table makes room by deleting its least recently active row. */
	if (t->count >= t->max_entries && !TAILQ_EMPTY(&t->lru))
		ns_table_remove(t, TAILQ_FIRST(&t->lru));
	if (t->count >= t->max_entries)
		return NULL;

	e = calloc(1, t->entry_size);
	if (e == NULL)
		return NULL;
	memcpy(e->key, key, t->keylen);
	e->hash = h;
	e->first_seen = e->last_seen = when->sec;
	e->first_tenths = e->last_tenths = when->tenths;

	if (t->count >= t->nbuckets)
		ns_table_grow(t);
	e->hnext = t->buckets[h & (t->nbuckets - 1)];
	t->buckets[h & (t->nbuckets - 1)] = e;
	RB_INSERT(ns_tree, &t->tree, e);
	TAILQ_INSERT_TAIL(&t->lru, e, lru);
	t->count++;
	t->inserts++;
	if (t->on_insert != NULL)
		t->on_insert(t, e);
	return e;
}

/*
 * Extend last_seen to the frame's time.  first_seen keeps the time of the
 * frame that created the row, and frames out of order never move either
 * time back.
 */
static void
ns_entry_seen(struct ns_entry *e, const struct ns_when *when)
{
	if (when->sec > e->last_seen || (when->sec == e->last_seen &&
	    when->tenths > e->last_tenths)) {
		e->last_seen = when->sec;
		e->last_tenths = when->tenths;
	}
}

/*
 * Mark a row active at the frame's time.  The activity list stays ordered
 * by last_seen in whole seconds, so a row moves to its tail only when its
 * second changes.
 */
static inline void
ns_table_refresh(struct ns_table *t, struct ns_entry *e,
    const struct ns_when *when)
{
	if (when->sec > e->last_seen && TAILQ_NEXT(e, lru) != NULL) {
		TAILQ_REMOVE(&t->lru, e, lru);
		TAILQ_INSERT_TAIL(&t->lru, e, lru);
	}
	ns_entry_seen(e, when);
}

/*
 * Find the row for key, creating it if needed, and mark it active at the
 * frame's time.  Returns NULL only when memory runs out.  Kept out of
 * line so that the cached path in ns_table_row() stays small.
 */
static __attribute__((noinline)) struct ns_entry *
ns_table_touch(struct ns_table *t, const uint8_t *key,
    const struct ns_when *when)
{
	struct ns_entry	*e;
	uint32_t	 h = ns_hash(key, t->keylen);

	e = ns_table_find(t, key, h);
	if (e == NULL)
		return ns_table_insert(t, key, h, when);
	ns_table_refresh(t, e, when);
	return e;
}

/* A cached row if the conversation cache had one, else a lookup. */
static inline struct ns_entry *
ns_table_row(struct ns_table *t, struct ns_entry **row, const uint8_t *key,
    const struct ns_when *when)
{
	if (*row != NULL) {
		ns_table_refresh(t, *row, when);
		return *row;
	}
	*row = ns_table_touch(t, key, when);
	return *row;
}

struct ns_entry *
ns_table_first(struct ns_table *t)
{
	return RB_MIN(ns_tree, &t->tree);
}

struct ns_entry *
ns_table_next(struct ns_table *t, struct ns_entry *e)
{
	return RB_NEXT(ns_tree, &t->tree, e);
}

static void
ns_table_expire(struct ns_table *t, uint32_t now)
{
	struct ns_entry	*e;

	if (t->idle_timeout == 0)
		return;
	while ((e = TAILQ_FIRST(&t->lru)) != NULL &&
	    now - e->last_seen > t->idle_timeout && now > e->last_seen)
		ns_table_remove(t, e);
}

/* Fenwick tree over slots, 1-based inside, 0-based for callers. */
static void
ns_fenwick_add(struct ns_order *o, size_t slot, int delta)
{
	size_t	 i;

	for (i = slot + 1; i <= o->cap; i += i & (~i + 1))
		o->fenwick[i - 1] += (uint32_t)delta;
}

static size_t
ns_fenwick_sum(const struct ns_order *o, size_t slot)
{
	size_t	 i, sum = 0;

	for (i = slot + 1; i > 0; i -= i & (~i + 1))
		sum += o->fenwick[i - 1];
	return sum;
}

/* Rebuild the slots with only live rows, in the same order. */
static int
ns_order_rebuild(struct ns_order *o, size_t newcap)
{
	struct ns_mac_host	**slots;
	uint32_t		 *fen;
	size_t			  i, n = 0;

	slots = calloc(newcap, sizeof(*slots));
	fen = calloc(newcap, sizeof(*fen));
	if (slots == NULL || fen == NULL) {
		free(slots);
		free(fen);
		return -1;
	}
	for (i = 0; i < o->used; i++) {
		if (o->slots[i] == NULL)
			continue;
		slots[n] = o->slots[i];
		slots[n]->slot = (uint32_t)n;
		n++;
	}
	free(o->slots);
	free(o->fenwick);
	o->slots = slots;
	o->fenwick = fen;
	o->cap = newcap;
	o->used = n;
	for (i = 0; i < n; i++)
		ns_fenwick_add(o, i, 1);
	return 0;
}

static int
ns_order_append(struct ns_order *o, struct ns_mac_host *h)
{
	size_t	 newcap;

	if (o->used == o->cap) {
		/* Compact when half the slots are holes, else double. */
		newcap = o->cap < 64 ? 64 : o->cap;
		if (o->live >= o->cap / 2)
			newcap = o->cap * 2 < 64 ? 64 : o->cap * 2;
		if (ns_order_rebuild(o, newcap) == -1)
			return -1;
	}
	h->slot = (uint32_t)o->used;
	o->slots[o->used++] = h;
	o->live++;
	ns_fenwick_add(o, h->slot, 1);
	return 0;
}

static void
ns_order_remove(struct ns_order *o, struct ns_mac_host *h)
{
	if (h->slot >= o->used || o->slots[h->slot] != h)
		return;
	o->slots[h->slot] = NULL;
	o->live--;
	ns_fenwick_add(o, h->slot, -1);
}

struct ns_mac_host *
ns_order_nth(struct ns_order *o, size_t k)
{
	size_t	 pos = 0, step;

	if (k == 0 || k > o->live)
		return NULL;

	/* Binary lifting: the largest prefix with sum < k ends at pos. */
	for (step = 1; step * 2 <= o->cap; step *= 2)
		;
	for (; step > 0; step /= 2) {
		if (pos + step <= o->cap && o->fenwick[pos + step - 1] < k) {
			pos += step;
			k -= o->fenwick[pos - 1];
		}
	}
	return pos < o->used ? o->slots[pos] : NULL;
}

size_t
ns_order_rank(struct ns_order *o, const struct ns_mac_host *h)
{
	return ns_fenwick_sum(o, h->slot);
}

static void
ns_host_inserted(struct ns_table *t, struct ns_entry *e)
{
	struct ns_store	*st = t->owner;

	/*
	 * Without a creation-order slot the row could not appear in
	 * hostTimeTable, which must hold the same rows as hostTable.
	 */
	if (ns_order_append(&st->order, (struct ns_mac_host *)e) == -1)
		st->order_failures++;
}

static void
ns_host_removed(struct ns_table *t, struct ns_entry *e)
{
	struct ns_store	*st = t->owner;

	ns_order_remove(&st->order, (struct ns_mac_host *)e);
}

static void
ns_pair_inserted(struct ns_table *t, struct ns_entry *e)
{
	struct ns_store	*st = t->owner;

	RB_INSERT(ns_dstree, &st->ds_tree, (struct ns_mac_pair *)e);
}

static void
ns_pair_removed(struct ns_table *t, struct ns_entry *e)
{
	struct ns_store	*st = t->owner;

	RB_REMOVE(ns_dstree, &st->ds_tree, (struct ns_mac_pair *)e);
}

int
ns_store_init(struct ns_store *st, const struct ns_limits *lim)
{
	memset(st, 0, sizeof(*st));
	ns_hash_init();
	if (pthread_mutex_init(&st->lock, NULL) != 0)
		return -1;
	st->epoch = 1;
	st->conv = calloc(NS_CONV_SLOTS, sizeof(*st->conv));
	if (st->conv == NULL)
		return -1;
	RB_INIT(&st->ds_tree);
	st->state = NS_STATE_RUNNING;

	if (ns_table_init(&st->mac_hosts, "hostTable", NS_MAC_LEN,
	    sizeof(struct ns_mac_host), lim->max_mac_hosts,
	    lim->idle_timeout) == -1 ||
	    ns_table_init(&st->mac_pairs, "matrixSDTable", 2 * NS_MAC_LEN,
	    sizeof(struct ns_mac_pair), lim->max_mac_pairs,
	    lim->idle_timeout) == -1 ||
	    ns_table_init(&st->ip_hosts, "nsIpHostTable", NS_IPKEY_LEN,
	    sizeof(struct ns_ip_host), lim->max_ip_hosts,
	    lim->idle_timeout) == -1 ||
	    ns_table_init(&st->ip_pairs, "nsIpMatrixTable", 2 * NS_IPKEY_LEN,
	    sizeof(struct ns_ip_pair), lim->max_ip_pairs,
	    lim->idle_timeout) == -1) {
		ns_store_free(st);
		return -1;
	}

	st->mac_hosts.epoch = st->mac_pairs.epoch = &st->epoch;
	st->ip_hosts.epoch = st->ip_pairs.epoch = &st->epoch;
	st->mac_hosts.owner = st;
	st->mac_hosts.on_insert = ns_host_inserted;
	st->mac_hosts.on_remove = ns_host_removed;
	st->mac_pairs.owner = st;
	st->mac_pairs.on_insert = ns_pair_inserted;
	st->mac_pairs.on_remove = ns_pair_removed;
	return 0;
}

void
ns_store_free(struct ns_store *st)
{
	ns_table_free(&st->mac_hosts);
	ns_table_free(&st->mac_pairs);
	ns_table_free(&st->ip_hosts);
	ns_table_free(&st->ip_pairs);
	free(st->conv);
	st->conv = NULL;
	free(st->order.slots);
	free(st->order.fenwick);
	memset(&st->order, 0, sizeof(st->order));
	RB_INIT(&st->ds_tree);
}

void
ns_ipkey_set(uint8_t *key, int version, const uint8_t *addr)
{
	memset(key, 0, NS_IPKEY_LEN);
	if (version == 4) {
		key[0] = NS_INET_IPV4;
		memcpy(key + 1, addr, 4);
	} else {
		key[0] = NS_INET_IPV6;
		memcpy(key + 1, addr, 16);
	}
}

/*
 * hostTable and matrix group: every source and destination MAC.  Each
 * row is counted right after it is found, because creating the next one
 * may delete it when the table is full.
 */
static void
ns_count_mac(struct ns_store *st, const uint8_t *macs, uint32_t len,
    const struct ns_when *now, struct ns_entry **rows)
{
	struct ns_mac_host	*h;
	struct ns_mac_pair	*p;
	const uint8_t		*dst = macs + NS_MAC_LEN;

	h = (struct ns_mac_host *)ns_table_row(&st->mac_hosts, &rows[0],
	    macs, now);
	if (h != NULL) {
		h->out_pkts++;
		h->out_octets += len;
		if (memcmp(dst, ns_broadcast, NS_MAC_LEN) == 0)
			h->out_bcast++;
		else if (dst[0] & 0x01)
			h->out_mcast++;
	}

	h = (struct ns_mac_host *)ns_table_row(&st->mac_hosts, &rows[1],
	    dst, now);
	if (h != NULL) {
		h->in_pkts++;
		h->in_octets += len;
	}

	/* The source and destination, side by side, are the pair's key. */
	p = (struct ns_mac_pair *)ns_table_row(&st->mac_pairs, &rows[2], macs,
	    now);
	if (p != NULL) {
		p->pkts++;
		p->octets += len;
	}
}

/* nsIpHostTable and nsIpMatrixTable: the outermost IP header. */
static void
ns_count_ip(struct ns_store *st, const uint8_t *ipkeys, uint32_t len,
    const struct ns_when *now, struct ns_entry **rows)
{
	struct ns_ip_host	*h;
	struct ns_ip_pair	*p;
	uint64_t		 epoch;

	h = (struct ns_ip_host *)ns_table_row(&st->ip_hosts, &rows[3],
	    ipkeys, now);
	if (h != NULL) {
		h->out_pkts++;
		h->out_octets += len;
	}
	st->frame_src = h;
	epoch = st->epoch;

	h = (struct ns_ip_host *)ns_table_row(&st->ip_hosts, &rows[4],
	    ipkeys + NS_IPKEY_LEN, now);
	if (h != NULL) {
		h->in_pkts++;
		h->in_octets += len;
	}

	/* Making room for the destination may have deleted the source. */
	if (st->epoch != epoch)
		st->frame_src = NULL;

	p = (struct ns_ip_pair *)ns_table_row(&st->ip_pairs, &rows[5],
	    ipkeys, now);
	if (p != NULL) {
		p->pkts++;
		p->octets += len;
	}
}

void
ns_conv_key(const struct ns_decoded *d, struct ns_conv_key *k)
{
	uint8_t	*ipkeys = k->key + NS_CONV_IPKEYS;

	memset(k->key, 0, sizeof(k->key));
	if (d->malformed != NULL)
		k->verdict = NS_FRAME_MALFORMED;
	else if (d->l3 == NS_L3_NONE)
		k->verdict = NS_FRAME_UNDECODED;
	else
		k->verdict = NS_FRAME_OK;
	k->key[0] = (uint8_t)d->has_mac;
	k->key[1] = (uint8_t)d->ip_valid;
	if (d->has_mac) {
		memcpy(k->key + NS_CONV_MACS, d->mac_src, NS_MAC_LEN);
		memcpy(k->key + NS_CONV_MACS + NS_MAC_LEN, d->mac_dst,
		    NS_MAC_LEN);
	}
	if (d->ip_valid) {
		ns_ipkey_set(ipkeys, d->ip_version, d->ip_src);
		ns_ipkey_set(ipkeys + NS_IPKEY_LEN, d->ip_version, d->ip_dst);
	}
}

/*
 * Count a frame through the conversation cache.  A valid slot supplies
 * the rows.  Otherwise they are looked up, and the slot keeps them unless
 * a row was deleted meanwhile.
 */
static void
ns_count_rows(struct ns_store *st, const struct ns_conv_key *k, uint32_t len,
    const struct ns_when *now)
{
	struct ns_conv	*slot;
	struct ns_entry	*rows[NS_CONV_ROWS] = { NULL };
	uint64_t	 epoch = st->epoch;
	int		 cached;

	slot = &st->conv[ns_hash(k->key, NS_CONV_KEY) & (NS_CONV_SLOTS - 1)];
	cached = slot->epoch == epoch &&
	    memcmp(slot->key, k->key, NS_CONV_KEY) == 0;
	if (cached)
		memcpy(rows, slot->rows, sizeof(rows));

	if (k->key[0])
		ns_count_mac(st, k->key + NS_CONV_MACS, len, now, rows);
	if (k->key[1])
		ns_count_ip(st, k->key + NS_CONV_IPKEYS, len, now, rows);

	if (!cached && st->epoch == epoch) {
		slot->epoch = epoch;
		memcpy(slot->key, k->key, NS_CONV_KEY);
		memcpy(slot->rows, rows, sizeof(rows));
	}
}

void
ns_store_expire(struct ns_store *st, uint32_t now)
{
	st->last_sweep = now;
	ns_table_expire(&st->mac_hosts, now);
	ns_table_expire(&st->mac_pairs, now);
	ns_table_expire(&st->ip_hosts, now);
	ns_table_expire(&st->ip_pairs, now);
}

void
ns_store_count_keyed(struct ns_store *st, const struct ns_conv_key *k,
    uint32_t wirelen, uint32_t sec, uint32_t usec)
{
	struct ns_when	 when;

	st->pkts++;
	st->octets += wirelen;
	st->frame_src = NULL;
	if (k->verdict == NS_FRAME_MALFORMED)
		st->malformed++;
	else if (k->verdict == NS_FRAME_UNDECODED)
		st->undecoded++;

	/* Packet time only moves forward, so a reordered file is harmless. */
	if (sec > st->now)
		st->now = sec;
	if (st->now != st->last_sweep)
		ns_store_expire(st, st->now);

	when.sec = sec;
	when.tenths = (uint8_t)(usec < 1000000 ? usec / 100000 : 9);
	if (k->key[0] || k->key[1])
		ns_count_rows(st, k, wirelen, &when);
}

void
ns_store_count(struct ns_store *st, const struct ns_decoded *d,
    uint32_t wirelen, uint32_t sec, uint32_t usec)
{
	struct ns_conv_key	 k;

	ns_conv_key(d, &k);
	ns_store_count_keyed(st, &k, wirelen, sec, usec);
}
