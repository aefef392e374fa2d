/* netsentry: bounded traffic tables for one data source. */
#ifndef NS_TABLES_H
#define NS_TABLES_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <bsd/sys/queue.h>
#include <bsd/sys/tree.h>

#include "decode.h"

/*
 * Keys are stored so that memcmp() order equals the order of the SNMP
 * index they encode: a MAC address is its 6 bytes; an IP address is the
 * InetAddressType (1 for IPv4, 2 for IPv6) followed by 16 bytes, IPv4
 * using the first 4 and zero after.  Because the type fixes the length,
 * comparing the padded form gives the same order as comparing the
 * length-prefixed OID encoding.
 */
#define NS_IPKEY_LEN	17
#define NS_KEY_MAX	(2 * NS_IPKEY_LEN)

#define NS_INET_IPV4	1	/* InetAddressType ipv4(1) */
#define NS_INET_IPV6	2	/* InetAddressType ipv6(2) */

/* Common head of every table row. */
struct ns_entry {
	struct ns_entry		*hnext;		/* hash chain */
	RB_ENTRY(ns_entry)	 rb;		/* index order */
	TAILQ_ENTRY(ns_entry)	 lru;		/* least recent first */
	uint32_t		 first_seen;	/* packet time, seconds */
	uint32_t		 last_seen;
	uint32_t		 hash;
	uint8_t			 key[NS_KEY_MAX];
	uint8_t			 first_tenths;	/* tenths of a second */
	uint8_t			 last_tenths;
};

RB_HEAD(ns_tree, ns_entry);

/* hostTable and hostTimeTable row (RFC 2819). */
struct ns_mac_host {
	struct ns_entry	e;
	uint32_t	slot;		/* position in creation order */
	uint64_t	in_pkts;
	uint64_t	out_pkts;
	uint64_t	in_octets;
	uint64_t	out_octets;
	uint64_t	out_bcast;
	uint64_t	out_mcast;
};

/* matrixSDTable and matrixDSTable row; key is source then destination. */
struct ns_mac_pair {
	struct ns_entry	e;
	RB_ENTRY(ns_mac_pair) ds;	/* destination-source order */
	uint64_t	pkts;
	uint64_t	octets;
};

RB_HEAD(ns_dstree, ns_mac_pair);

/* nsIpHostTable row, with the security counters the detectors keep. */
struct ns_ip_host {
	struct ns_entry	e;
	uint64_t	in_pkts;
	uint64_t	out_pkts;
	uint64_t	in_octets;
	uint64_t	out_octets;
	uint64_t	syns_sent;
	uint32_t	contacts_failed;
	uint32_t	ports_contacted;	/* estimated */
	uint32_t	peers_contacted;	/* estimated */
	uint32_t	events_attacker;
	uint32_t	events_target;
};

/* nsIpMatrixTable row; key is source then destination IP key. */
struct ns_ip_pair {
	struct ns_entry	e;
	uint64_t	pkts;
	uint64_t	octets;
};

struct ns_table;
typedef void ns_entry_hook(struct ns_table *, struct ns_entry *);

struct ns_table {
	const char	*name;
	size_t		 keylen;
	size_t		 entry_size;
	size_t		 max_entries;	/* cap; the oldest idle row goes */
	uint32_t	 idle_timeout;	/* seconds of packet time; 0: never */

	struct ns_entry	**buckets;
	size_t		 nbuckets;	/* power of two */
	size_t		 count;
	struct ns_tree	 tree;
	TAILQ_HEAD(, ns_entry) lru;

	uint64_t	 inserts;
	uint64_t	 deletes;
	uint32_t	 last_delete;	/* agent uptime, centiseconds */

	uint64_t	*epoch;		/* the store's, bumped per delete */

	ns_entry_hook	*on_insert;	/* optional */
	ns_entry_hook	*on_remove;	/* optional, before free */
	void		*owner;
};

/*
 * Creation order of hostTable rows, kept as slots in insertion order with
 * a Fenwick tree over "slot in use", so that the k-th oldest live row
 * (hostCreationOrder k) and the rank of a row are found in O(log n).
 */
struct ns_order {
	struct ns_mac_host **slots;
	uint32_t	*fenwick;
	size_t		 cap;		/* slots allocated */
	size_t		 used;		/* slots handed out, live or freed */
	size_t		 live;
};

/*
 * Consecutive frames mostly belong to a few conversations.  A small
 * direct-mapped cache keeps, per recent conversation (both MAC addresses
 * and both IP addresses), the six rows its frames update, so the next
 * frame skips six hash lookups.  A slot is valid only while no row of the
 * store has been deleted since it was filled (same epoch).
 */
#define NS_CONV_SLOTS	1024
#define NS_CONV_KEY	(2 + 2 * NS_MAC_LEN + 2 * NS_IPKEY_LEN)
#define NS_CONV_ROWS	6
/*
 * Layout of the key: has_mac, ip_valid, source and destination MAC, then
 * source and destination IP keys.
 */
#define NS_CONV_MACS	2
#define NS_CONV_IPKEYS	(2 + 2 * NS_MAC_LEN)

enum ns_frame_verdict {
	NS_FRAME_OK = 0,
	NS_FRAME_MALFORMED,		/* counted in nsCaptureMalformed */
	NS_FRAME_UNDECODED		/* counted in nsCaptureUndecoded */
};

/*
 * Conversation key and verdict of a decoded frame: all that the tables
 * need of it.  The reader thread builds it, so the counter thread gets
 * one cache line per frame instead of the whole decoder output.
 */
struct ns_conv_key {
	uint8_t		 key[NS_CONV_KEY];
	uint8_t		 verdict;	/* enum ns_frame_verdict */
};

struct ns_conv {
	uint64_t	 epoch;		/* 0: empty */
	uint8_t		 key[NS_CONV_KEY];
	struct ns_entry	*rows[NS_CONV_ROWS];
};

enum ns_capture_state {
	NS_STATE_RUNNING = 1,		/* nsCaptureState values */
	NS_STATE_END_OF_FILE = 2,
	NS_STATE_FAILED = 3
};

struct ns_limits {
	size_t		max_mac_hosts;
	size_t		max_mac_pairs;
	size_t		max_ip_hosts;
	size_t		max_ip_pairs;
	uint32_t	idle_timeout;
};

struct ns_names;

/*
 * Everything one data source counts.  The counter thread updates it and
 * the agent thread reads it, both holding lock.
 */
struct ns_store {
	pthread_mutex_t	lock;
	atomic_int	agent_waiting;	/* the agent wants lock */
	struct ns_table	mac_hosts;
	struct ns_table	mac_pairs;
	struct ns_dstree ds_tree;
	struct ns_order	order;
	struct ns_table	ip_hosts;
	struct ns_table	ip_pairs;

	struct ns_conv	*conv;		/* NS_CONV_SLOTS */
	uint64_t	epoch;

	uint32_t	now;		/* latest packet time, seconds */
	struct ns_ip_host *frame_src;	/* row of the frame just counted */
	struct ns_names	*names;		/* from DNS; own lock, see dns.h */
	uint32_t	last_sweep;

	/* nsCaptureTable counters */
	uint64_t	pkts;
	uint64_t	octets;
	uint64_t	malformed;
	uint64_t	drops;
	uint64_t	read_errors;
	uint64_t	undecoded;
	uint64_t	order_failures;	/* rows missing from hostTimeTable */
	int		state;		/* enum ns_capture_state */
};

/* Count a TCP SYN from the source of the frame just counted. */
static inline void
ns_store_count_syn(struct ns_store *st)
{
	if (st->frame_src != NULL)
		st->frame_src->syns_sent++;
}

int	 ns_store_init(struct ns_store *, const struct ns_limits *);
void	 ns_store_free(struct ns_store *);

/* Count one decoded frame of wirelen octets captured at sec.usec. */
void	 ns_store_count(struct ns_store *, const struct ns_decoded *,
	    uint32_t wirelen, uint32_t sec, uint32_t usec);

/*
 * Count a frame whose conversation key ns_conv_key() built beforehand.
 * Building the key needs no lock, so the reader thread does it.
 */
void	 ns_conv_key(const struct ns_decoded *, struct ns_conv_key *);
void	 ns_store_count_keyed(struct ns_store *, const struct ns_conv_key *,
	    uint32_t wirelen, uint32_t sec, uint32_t usec);

/* Drop rows idle for longer than the idle timeout at time sec. */
void	 ns_store_expire(struct ns_store *, uint32_t sec);

struct ns_entry	*ns_table_lookup(struct ns_table *, const uint8_t *key);
struct ns_entry	*ns_table_first(struct ns_table *);
struct ns_entry	*ns_table_next(struct ns_table *, struct ns_entry *);

/* k-th oldest live hostTable row, k from 1; NULL past the end. */
struct ns_mac_host *ns_order_nth(struct ns_order *, size_t k);
/* hostCreationOrder of a live row, from 1. */
size_t	 ns_order_rank(struct ns_order *, const struct ns_mac_host *);

/* Fill an IP key from a decoded address of the given IP version. */
void	 ns_ipkey_set(uint8_t *key, int version, const uint8_t *addr);

int	 ns_entry_cmp(struct ns_entry *, struct ns_entry *);
int	 ns_pair_ds_cmp(struct ns_mac_pair *, struct ns_mac_pair *);
RB_PROTOTYPE(ns_tree, ns_entry, rb, ns_entry_cmp)
RB_PROTOTYPE(ns_dstree, ns_mac_pair, ds, ns_pair_ds_cmp)

/* Uptime in centiseconds for LastDeleteTime; set by the agent. */
extern uint32_t (*ns_uptime_ticks)(void);

#endif /* NS_TABLES_H */
