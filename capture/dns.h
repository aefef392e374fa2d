/* netsentry: host names learned from DNS responses seen on the wire. */
#ifndef NS_DNS_H
#define NS_DNS_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <bsd/sys/queue.h>

#include "decode.h"
#include "tables.h"

#define NS_DNS_PORT		53
#define NS_MDNS_PORT		5353

/*
 * A name in text form: at most 253 characters for the 255 octets that
 * RFC 1035 section 2.3.4 allows on the wire, and the NUL.
 */
#define NS_DNS_NAME_SIZE	256

/*
 * Caps per response.  Real responses carry a few answers and CNAME
 * chains of two or three links.  Answers past NS_DNS_ANSWERS_MAX are not
 * read, so a response of thousands of records costs a bounded time.
 */
#define NS_DNS_ANSWERS_MAX	64
#define NS_DNS_BINDINGS_MAX	32
#define NS_DNS_CHAIN_MAX	8
/* Compression pointers followed while reading one name. */
#define NS_DNS_JUMPS_MAX	16

/* An address and the name that a response gave it. */
struct ns_dns_binding {
	uint8_t		 key[NS_IPKEY_LEN];	/* tables.h IP key form */
	char		 name[NS_DNS_NAME_SIZE];
};

/* The bindings of one response, and the fault if it was malformed. */
struct ns_dns_result {
	struct ns_dns_binding	 bindings[NS_DNS_BINDINGS_MAX];
	size_t			 nbindings;
	unsigned		 answers_skipped;	/* past the cap */
	const char		*malformed;	/* static string, or NULL */
};

/*
 * Parse one DNS message (RFC 1035 section 4) of len bytes, without the
 * 2-byte length prefix of DNS over TCP.  Returns 1 for a response, whose
 * A, AAAA and PTR answers are in r->bindings; 0 for a message that is not
 * a standard query response; -1 for a malformed message, with the reason
 * in r->malformed and no bindings.  Never reads outside msg[0 .. len-1].
 * Names are lowercase, and every octet outside [a-z0-9-_] of a label is
 * replaced by '?', so they are safe to print.
 */
int	 ns_dns_parse(const uint8_t *msg, size_t len, struct ns_dns_result *r);

/*
 * Find the DNS message inside a frame that ns_decode() decoded: the UDP
 * or TCP payload of a packet from port 53 or 5353.  Returns 0 and sets
 * *off and *len, or -1 when the frame carries no DNS response.
 */
int	 ns_dns_locate(const uint8_t *pkt, size_t caplen,
	    const struct ns_decoded *d, size_t *off, size_t *len);

/* One learned name, in the cache below. */
struct ns_name {
	struct ns_name		*hnext;		/* hash chain */
	TAILQ_ENTRY(ns_name)	 lru;		/* least recent first */
	TAILQ_ENTRY(ns_name)	 unsaved;	/* when on_unsaved is set */
	uint32_t		 hash;
	uint32_t		 last_seen;	/* packet time, seconds */
	uint32_t		 saved_seen;	/* last_seen in the file */
	int			 on_unsaved;
	uint8_t			 key[NS_IPKEY_LEN];
	char			 name[];
};

/* A name as the names file stores it. */
struct ns_name_record {
	uint8_t		 key[NS_IPKEY_LEN];
	uint32_t	 last_seen;
	char		 name[NS_DNS_NAME_SIZE];
};

/*
 * Address-to-name cache of one data source.  The reader thread fills it
 * and the agent thread reads it, both holding lock.  It has its own lock
 * because the reader never takes the store lock per packet.  The agent
 * takes lock while it holds the store lock, never the other way round.
 * When full, the name learned or refreshed longest ago goes.
 */
struct ns_names {
	pthread_mutex_t	 lock;
	struct ns_name	**buckets;
	size_t		 nbuckets;	/* power of two */
	size_t		 count;
	size_t		 max;
	TAILQ_HEAD(, ns_name) lru;
	uint64_t	 secret;	/* hash key */

	uint64_t	 responses;	/* DNS responses parsed */
	uint64_t	 malformed;	/* responses rejected as malformed */
	uint64_t	 learned;	/* bindings stored or refreshed */

	int		 learn_mdns;	/* read responses from port 5353 */
	int		 journal;	/* queue changes on unsaved */
	TAILQ_HEAD(, ns_name) unsaved;	/* changed since the last collect */
};

/*
 * Names kept per data source by default.  Estimate when full, with
 * glibc's malloc on x86-64: 512 KiB of buckets and about 130 bytes per
 * name of 30 characters, so 9 MB.
 */
#define NS_NAMES_DEFAULT	65536

/*
 * A refreshed name goes back on the journal only once its time is this
 * many seconds past the time in the names file.  The file's times only
 * order the eviction, so writing every refresh would cost writes for
 * nothing.
 */
#define NS_NAMES_RESAVE		60

/* Create a cache of max names that learns from mDNS and keeps no journal. */
struct ns_names	*ns_names_new(size_t max);
void		 ns_names_free(struct ns_names *);

/*
 * Store or refresh the name of the address key, at packet time sec.
 * The caller holds lock.  Returns -1 when out of memory.
 */
int	 ns_names_learn(struct ns_names *, const uint8_t *key,
	    const char *name, uint32_t sec);

/*
 * Store a name read from the names file, with its time sec, as the most
 * recent entry.  It is not counted in learned and not queued as
 * unsaved.  The caller holds lock.  Returns -1 when out of memory.
 */
int	 ns_names_restore(struct ns_names *, const uint8_t *key,
	    const char *name, uint32_t sec);

/*
 * Move up to max names that changed since the last call from the
 * journal to recs, and return how many.  Takes lock.  Only a cache
 * whose journal flag is set queues changes.
 */
size_t	 ns_names_collect(struct ns_names *, struct ns_name_record *recs,
	    size_t max);

/*
 * Copy the name of the address key into buf (size at least
 * NS_DNS_NAME_SIZE) and return its length, 0 when none is known.
 * Takes lock.
 */
size_t	 ns_names_lookup(struct ns_names *, const uint8_t *key, char *buf);

/*
 * Reader thread: learn the names carried by a decoded frame, if it is a
 * DNS response, or an mDNS response while learn_mdns is set.  Takes lock
 * for the update only.
 */
void	 ns_names_frame(struct ns_names *, const uint8_t *pkt, size_t caplen,
	    const struct ns_decoded *d, uint32_t sec);

#endif /* NS_DNS_H */
