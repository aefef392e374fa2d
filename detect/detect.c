/*
 * netsentry: port scan, SYN flood and suspicious traffic detectors.
 *
 * Port scans.  Evidence is counted per source, per first contact.  The
 * first probe from a source to a (target, port, protocol) opens a
 * contact, and the target's reply closes it as a success (SYN-ACK, any
 * UDP or ICMP echo reply, ARP reply) or a failure (RST, ICMP
 * unreachable).  A SYN, echo request or ARP request without a reply
 * within the contact timeout fails too.  Each outcome moves the
 * source's log likelihood ratio, as in the threshold random walk of
 * Jung, Paxson, Berger and Balakrishnan ("Fast Portscan Detection Using
 * Sequential Hypothesis Testing", IEEE S&P 2004), and crossing the upper
 * bound marks a scanner.  Retransmissions reuse their contact, replies
 * that match no contact (backscatter) open none, and ICMP errors only
 * close contacts.
 *
 * SYN floods.  Per target address and port, and per target network and
 * port, SYNs are counted in windows of one second against handshakes that
 * complete, matched through a fixed array rather than per-source state,
 * so a flood from spoofed sources costs one row per target.
 *
 * Every time is packet time, and every map is bounded (dmap.h).
 */
#include "config.h"

#include <arpa/inet.h>
#include <math.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect.h"
#include "dmap.h"

#define NS_HLL		128		/* registers per distinct counter */
#define NS_TOP		4		/* heavy hitters kept per target */
#define NS_HS_SLOTS	65536		/* handshake array, power of two */
#define NS_FLOW_SLOTS	65536		/* flow filter, power of two */
#define NS_PRESYN_SLOTS	8192		/* SYN pre-counts, power of two */
#define NS_FLOOD_MIN	8		/* SYNs in a second for a meter */
#define NS_FRAG_RANGES	8
#define NS_FRAG_IDLE	60		/* seconds a datagram is kept */
#define NS_USEC		1000000ULL

/* Pseudo protocol of ARP contacts. */
#define NS_PROTO_ARP	0xfe

#define NS_PROTO_ICMP	1
#define NS_PROTO_TCP	6
#define NS_PROTO_UDP	17
#define NS_PROTO_ICMPV6	58

/* UDP destination ports of traceroute's probes (Van Jacobson's default). */
#define NS_TRACEROUTE_LO	33434
#define NS_TRACEROUTE_HI	33534

struct ns_detect_conf ns_detect_conf;

/* Sketches. */

/*
 * A HyperLogLog distinct counter.  An estimate needs the sum of 2^-r over
 * the registers, which the counter keeps as it goes so that no estimate
 * reads every register.  Each term is a multiple of 2^-26 and the sum is
 * at most NS_HLL, so an integer in units of 2^-26 represents it exactly and
 * gives the same double as adding the terms one by one.  Both fields
 * count up from 0, so a zeroed counter is an empty one.
 */
#define NS_HLL_RANK_MAX	26

struct ns_hll {
	uint8_t		 reg[NS_HLL];
	uint64_t	 taken;		/* sum of 2^26 - 2^(26 - r) */
	uint8_t		 used;		/* registers that are not 0 */
};

/* One plus the trailing zero bits above the register index, at most 26. */
static int
ns_hll_rank(uint32_t h)
{
	uint32_t	 w = h >> 7;

	if (w == 0)
		return NS_HLL_RANK_MAX;
	return __builtin_ctz(w) < NS_HLL_RANK_MAX - 1 ?
	    __builtin_ctz(w) + 1 : NS_HLL_RANK_MAX;
}

/* Add an item whose hash is h. */
static void
ns_hll_add_hash(struct ns_hll *c, uint32_t h)
{
	uint8_t		*reg = &c->reg[h & (NS_HLL - 1)];
	uint8_t		 r = (uint8_t)ns_hll_rank(h);

	if (*reg >= r)
		return;
	if (*reg == 0)
		c->used++;
	c->taken += (1ULL << (NS_HLL_RANK_MAX - *reg)) -
	    (1ULL << (NS_HLL_RANK_MAX - r));
	*reg = r;
}

static void
ns_hll_add(struct ns_hll *c, const void *key, size_t len)
{
	ns_hll_add_hash(c, ns_dmap_hash(key, len));
}

/* HyperLogLog estimate, with linear counting while registers are empty. */
static uint32_t
ns_hll_count(const struct ns_hll *c)
{
	uint64_t	 units;
	double		 sum, est;
	int		 zeros = NS_HLL - c->used;

	/* Both conversions are exact: units < 2^53, and a power of two. */
	units = ((uint64_t)NS_HLL << NS_HLL_RANK_MAX) - c->taken;
	sum = (double)units * 0x1p-26;
	est = 0.709 * NS_HLL * NS_HLL / sum;
	if (est <= 2.5 * NS_HLL && zeros > 0)
		est = NS_HLL * log((double)NS_HLL / zeros);
	return (uint32_t)(est + 0.5);
}

/*
 * Return 1 when two IP keys are equal.  gcc 12 compiles a memcmp() of 17
 * bytes to a library call, and the flood meters compare keys per SYN.
 */
static inline int
ns_ipkey_equal(const uint8_t *a, const uint8_t *b)
{
	uint64_t	 a0, a1, b0, b1;

	memcpy(&a0, a, 8);
	memcpy(&a1, a + 8, 8);
	memcpy(&b0, b, 8);
	memcpy(&b1, b + 8, 8);
	return ((a0 ^ b0) | (a1 ^ b1)) == 0 && a[16] == b[16];
}

_Static_assert(NS_IPKEY_LEN == 17, "ns_ipkey_equal() reads 17 bytes");

/*
 * Space-saving heavy hitters: the sources that sent most SYNs.  The keyed
 * hash of each key lets a spoofed source, which matches no entry, skip
 * every key compare.  The fields are arrays, so that the hash test and
 * the search for the least count are a few compares without branches.
 */
struct ns_top {
	uint32_t	 hash[NS_TOP];
	uint32_t	 count[NS_TOP];
	uint8_t		 key[NS_TOP][NS_IPKEY_LEN];
};

_Static_assert(NS_TOP == 4, "ns_top_add() tests four entries");

/* One heavy hitter, copied out of struct ns_top to sort. */
struct ns_top_entry {
	uint8_t		 key[NS_IPKEY_LEN];
	uint32_t	 count;
};

/* Count key, whose keyed hash is h. */
static void
ns_top_add(struct ns_top *top, const uint8_t *key, uint32_t h)
{
	const uint32_t	*c = top->count;
	unsigned	 hits, i, min01, min23, min;

	hits = (top->hash[0] == h) | (top->hash[1] == h) << 1 |
	    (top->hash[2] == h) << 2 | (top->hash[3] == h) << 3;
	for (i = 0; hits != 0; i++, hits >>= 1) {
		if ((hits & 1) && c[i] > 0 &&
		    ns_ipkey_equal(top->key[i], key)) {
			top->count[i]++;
			return;
		}
	}

	/* The first entry with the least count makes room. */
	min01 = c[1] < c[0] ? 1 : 0;
	min23 = c[3] < c[2] ? 3 : 2;
	min = c[min23] < c[min01] ? min23 : min01;
	memcpy(top->key[min], key, NS_IPKEY_LEN);
	top->hash[min] = h;
	top->count[min]++;
}

static int
ns_top_cmp(const void *a, const void *b)
{
	const struct ns_top_entry	*x = a, *y = b;

	/* Largest count first. */
	if (x->count < y->count)
		return 1;
	if (x->count > y->count)
		return -1;
	return 0;
}

/* Settings. */

void
ns_detect_conf_defaults(struct ns_detect_conf *c)
{
	int	 t;

	ns_detect_conf_clear(c);
	for (t = 1; t < NS_EV_TYPES; t++)
		c->enabled[t] = 1;
	c->contact_timeout = 5;
	c->scan_window = 86400;
	c->hold_down = 60;
	c->sensitivity = NS_SENS_NORMAL;
	c->syn_rate = 100;
	c->half_open = 80;
	c->arp_window = 600;
	c->max_contacts = 131072;
	c->max_scanners = 32768;
	c->max_flood_targets = 4096;
	c->max_alerts = 4096;
	c->max_fragments = 8192;
	c->max_arp = 16384;
}

void
ns_detect_conf_clear(struct ns_detect_conf *c)
{
	free(c->policies);
	free(c->local_nets);
	memset(c, 0, sizeof(*c));
}

int
ns_cidr_parse(const char *text, uint8_t *key, uint8_t *plen, char *err,
    size_t errlen)
{
	char		 addr[INET6_ADDRSTRLEN + 8], *slash, *end;
	unsigned long	 n;
	int		 max;

	if (strlen(text) >= sizeof(addr)) {
		snprintf(err, errlen, "'%.40s...' is too long for a CIDR "
		    "block", text);
		return -1;
	}
	strcpy(addr, text);
	slash = strchr(addr, '/');
	if (slash != NULL)
		*slash++ = '\0';

	memset(key, 0, NS_IPKEY_LEN);
	if (inet_pton(AF_INET, addr, key + 1) == 1) {
		key[0] = NS_INET_IPV4;
		max = 32;
	} else if (inet_pton(AF_INET6, addr, key + 1) == 1) {
		key[0] = NS_INET_IPV6;
		max = 128;
	} else {
		snprintf(err, errlen, "'%s' is not an IPv4 or IPv6 address; "
		    "write a block as 192.0.2.0/24 or 2001:db8::/32", addr);
		return -1;
	}

	n = (unsigned long)max;
	if (slash != NULL) {
		n = strtoul(slash, &end, 10);
		if (*slash == '\0' || *end != '\0' || n > (unsigned long)max) {
			snprintf(err, errlen, "prefix length '%s' is not a "
			    "number from 0 to %d", slash, max);
			return -1;
		}
	}
	*plen = (uint8_t)n;
	return 0;
}

/* Does the IP key lie in the block net/plen? */
int
ns_cidr_match(const uint8_t *net, uint8_t plen, const uint8_t *key)
{
	unsigned	 bytes = plen / 8, bits = plen % 8;
	uint8_t		 mask;

	if (net[0] != key[0])
		return 0;
	if (memcmp(net + 1, key + 1, bytes) != 0)
		return 0;
	if (bits == 0)
		return 1;
	mask = (uint8_t)(0xff << (8 - bits));
	return (net[1 + bytes] & mask) == (key[1 + bytes] & mask);
}

/* The longest-prefix policy for an address, or NULL. */
static const struct ns_policy *
ns_policy_find(const uint8_t *key)
{
	const struct ns_policy	*p, *best = NULL;
	size_t			 i;

	for (i = 0; i < ns_detect_conf.npolicies; i++) {
		p = &ns_detect_conf.policies[i];
		if (ns_cidr_match(p->net, p->plen, key) &&
		    (best == NULL || p->plen > best->plen))
			best = p;
	}
	return best;
}

static int
ns_policy_exempt(const uint8_t *key)
{
	const struct ns_policy	*p = ns_policy_find(key);

	return p != NULL && p->exempt;
}

/* The configured local network holding key, or NULL. */
static const struct ns_policy *
ns_local_net(const uint8_t *key)
{
	const struct ns_policy	*p;
	size_t			 i;

	for (i = 0; i < ns_detect_conf.nlocal_nets; i++) {
		p = &ns_detect_conf.local_nets[i];
		if (ns_cidr_match(p->net, p->plen, key))
			return p;
	}
	return NULL;
}

/* Frame summary. */

void
ns_probe_fill(const struct ns_decoded *d, struct ns_probe *p)
{
	static const uint8_t	 bcast[NS_MAC_LEN] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff
	};

	memset(p, 0, sizeof(*p));
	if (d->has_mac && memcmp(d->mac_dst, bcast, NS_MAC_LEN) == 0)
		p->flags |= NS_PR_BCAST;
	if (d->l3 == NS_L3_ARP) {
		p->flags |= NS_PR_ARP;
		p->u.arp.op = d->arp_op;
		memcpy(p->u.arp.sha, d->arp_sha, NS_MAC_LEN);
		memcpy(p->u.arp.spa, d->arp_spa, 4);
		memcpy(p->u.arp.tpa, d->arp_tpa, 4);
		return;
	}
	if (!d->ip_valid)
		return;

	if (d->ip_version == 6)
		p->flags |= NS_PR_IPV6;
	p->proto = d->ip_proto;
	if (d->ip_fragment) {
		p->flags |= NS_PR_FRAG;
		if (d->frag_more)
			p->flags |= NS_PR_FRAG_MORE;
		p->frag_offset = (uint16_t)d->frag_offset;
		p->frag_len = d->frag_len;
		p->frag_id = d->frag_id;
	}
	if (d->has_ports) {
		p->flags |= NS_PR_PORTS;
		if (d->ip_proto == 6 && (d->tcp_flags & (NS_TH_SYN | NS_TH_ACK |
		    NS_TH_RST | NS_TH_FIN)) == NS_TH_SYN)
			p->flags |= NS_PR_SYN;
		p->sport = d->sport;
		p->dport = d->dport;
		p->tcp_flags = d->tcp_flags;
		p->tcp_seq = d->tcp_seq;
		p->tcp_ack = d->tcp_ack;
		if (d->ip_proto == 6 && d->tcp_payload > 0)
			p->flags |= NS_PR_DATA;
	}
	if (d->has_icmp) {
		p->flags |= NS_PR_ICMP;
		p->icmp_type = d->icmp_type;
		p->icmp_code = d->icmp_code;
	}
	if (d->has_inner) {
		p->flags |= NS_PR_INNER;
		p->inner_proto = d->inner_proto;
		p->inner_dport = d->inner_dport;
		memcpy(p->u.inner_dst, d->inner_dst, 16);
	}
}

/* Detector state. */

enum ns_contact_state {
	NS_CT_PENDING = 1,
	NS_CT_ANSWERED,			/* SYN-ACK seen, scanner not yet */
	NS_CT_DONE
};

/* First contact key: scanner, target, port, protocol. */
#define NS_CKEY_LEN	(2 * NS_IPKEY_LEN + 3)

struct ns_contact {
	struct ns_dnode		 head;
	uint8_t			 key[NS_CKEY_LEN];
	uint8_t			 state;
	uint8_t			 kind;		/* enum ns_probe_kind */
	uint32_t		 sent;		/* packet time, seconds */
	TAILQ_ENTRY(ns_contact)	 pending;	/* oldest first */
};

struct ns_scanner {
	struct ns_dnode		 head;
	uint8_t			 key[NS_IPKEY_LEN];
	double			 llr;		/* log likelihood ratio */
	uint32_t		 contacts;
	uint32_t		 answered;	/* successes, in half units */
	uint32_t		 refused;	/* failures, in half units */
	uint32_t		 port_contacts;	/* TCP and UDP ones */
	uint32_t		 probes_of[2];	/* port probes, sweeps */
	uint32_t		 failed;
	uint32_t		 probes[NS_PK_KINDS];
	uint32_t		 half_open;	/* scanner reset the answer */
	uint32_t		 completed;	/* scanner completed it */
	struct ns_hll		 hll_dst;
	struct ns_hll		 hll_port;
	/*
	 * The lowest and highest target of TCP and UDP probes (index 0) and
	 * of echo and ARP requests (index 1): a port scan that starts with
	 * an ARP request for its gateway still has one target.
	 */
	uint8_t			 dst_min[2][NS_IPKEY_LEN];
	uint8_t			 dst_max[2][NS_IPKEY_LEN];
	uint16_t		 port;		/* first port probed */
	int			 ports_vary;	/* another port followed */
	uint32_t		 last;		/* latest contact, seconds */
	uint8_t			 last_tenths;
	uint32_t		 reported;	/* reach last notified */
	struct ns_event		*ev;		/* engaged event or NULL */
	int			 dirty;		/* ev lags behind, see below */
	TAILQ_ENTRY(ns_scanner)	 dirty_link;
};

/*
 * A target of failed first contacts from sources that are not reported
 * scanners themselves: many of them against one target make a
 * distributed scan.
 */
#define NS_DIST_TRACK	32		/* sources a target remembers */

struct ns_victim {
	struct ns_dnode		 head;
	uint8_t			 key[NS_IPKEY_LEN];
	uint32_t		 failed;
	uint32_t		 reported;	/* failures last notified */
	struct ns_hll		 hll_src;
	struct ns_hll		 hll_port;
	uint8_t			 probe;		/* latest probe kind */
	unsigned		 nsrc;
	struct {
		uint8_t		 key[NS_IPKEY_LEN];
		uint32_t	 failed;
	}			 src[NS_DIST_TRACK];
	struct ns_event		*ev;
};

/* SYN flood meter key: target address or network, port, prefix. */
#define NS_FKEY_LEN	(NS_IPKEY_LEN + 3)

struct ns_flood {
	struct ns_dnode		 head;
	uint8_t			 key[NS_FKEY_LEN];
	uint64_t		 win_start;	/* microseconds; 0: none */
	uint32_t		 syns;		/* in the window */
	uint32_t		 done;		/* handshakes completed */
	uint64_t		 dsts;		/* targets seen, as bits */
	uint32_t		 quiet_since;	/* under thresholds since */
	struct ns_hll		 hll_src;
	struct ns_top		 top;
	uint64_t		 event_syns;
	uint32_t		 peak;
	struct ns_event		*ev;
	int			 busy;		/* on the busy list */
	TAILQ_ENTRY(ns_flood)	 busy_link;
	struct ns_presyn	*presyn;	/* slot that may cache it */
};

/* Suspicious traffic: type, attacker, target, port and its protocol. */
#define NS_AKEY_LEN	(1 + 2 * NS_IPKEY_LEN + 3)

/* Set in an alert's port to tell a UDP port from the same TCP port. */
#define NS_ALERT_UDP	0x10000

struct ns_alert {
	struct ns_dnode		 head;
	uint8_t			 key[NS_AKEY_LEN];
	struct ns_event		 ev;
};

/* A fragmented datagram: source, destination, identification, proto. */
#define NS_FRKEY_LEN	(2 * NS_IPKEY_LEN + 5)

struct ns_frag {
	struct ns_dnode		 head;
	uint8_t			 key[NS_FRKEY_LEN];
	unsigned		 n;
	uint32_t		 lo[NS_FRAG_RANGES];
	uint32_t		 hi[NS_FRAG_RANGES];
};

struct ns_arp_binding {
	struct ns_dnode		 head;
	uint8_t			 key[4];	/* IPv4 address */
	uint8_t			 mac[NS_MAC_LEN];
};

/*
 * SYNs to one target and port within one second, before a meter exists:
 * a scan sends one SYN per target port and needs no meter for each.
 */
struct ns_presyn {
	uint32_t		 tag;
	uint32_t		 sec;
	uint16_t		 count;
	uint16_t		 metered;	/* a meter was made */
	struct ns_flood		*meter;		/* that meter, or NULL */
};

/*
 * The latest SYN target, with the results of ns_key_group() and
 * ns_flood_net() for it.  Both depend on the configured local networks,
 * so ns_detect_refresh() clears the cache.
 */
struct ns_flood_net {
	int			 valid;
	int			 group;		/* ns_key_group(addr) */
	uint8_t			 addr[NS_IPKEY_LEN];	/* the target */
	uint8_t			 key[NS_IPKEY_LEN];	/* its network */
	uint8_t			 plen;
	uint32_t		 hash;		/* keyed hash of key */
};

/*
 * A change to the security counters of an nsIpHostTable row.  The
 * detectors run on their own thread without the store lock, so they log
 * changes and ns_detect_flush() applies them under it.
 */
enum ns_host_op {
	NS_HOST_FAILED,		/* contacts_failed += a */
	NS_HOST_ATTACKER,	/* events_attacker += a */
	NS_HOST_TARGET,		/* events_target += a */
	NS_HOST_REACH		/* ports_contacted = a, peers_contacted = b */
};

struct ns_host_update {
	uint8_t		 key[NS_IPKEY_LEN];
	uint8_t		 op;
	uint32_t	 a;
	uint32_t	 b;
};

/* Updates held before a flush must wait for the store lock. */
#define NS_HOST_LOG	256

TAILQ_HEAD(ns_pending_list, ns_contact);
TAILQ_HEAD(ns_flood_list, ns_flood);
TAILQ_HEAD(ns_scanner_list, ns_scanner);

struct ns_detect {
	unsigned		 source;
	int			 loopback;
	int			 enabled;	/* any detector is on */
	atomic_int		 hashing;	/* the reader fills hash[] */
	uint32_t		 now;		/* latest packet time */
	uint64_t		 now_us;
	uint32_t		 last_tick;
	struct ns_store		*st;		/* owns the host rows */
	struct ns_host_update	 log[NS_HOST_LOG];
	size_t			 nlog;
	uint32_t		 flushed;	/* packet time of last flush */

	struct ns_dmap		 contacts;
	struct ns_pending_list	 pending;
	struct ns_dmap		 scanners;
	struct ns_scanner_list	 dirty;		/* events to refresh */
	struct ns_dmap		 victims;
	struct ns_dmap		 floods;
	struct ns_flood_list	 busy;		/* meters with a window open
						   or a flood engaged */
	struct ns_dmap		 alerts;
	struct ns_dmap		 frags;
	struct ns_dmap		 arp;
	uint64_t		*handshakes;	/* tag << 32 | expected ack */
	struct ns_presyn	*presyn;
	struct ns_flood_net	 net;
	uint16_t		*flows;		/* tags of recent flows */
};

static void	ns_scan_release(struct ns_detect *, struct ns_scanner *);
static void	ns_victim_fill(struct ns_victim *);
static void	ns_flood_release(struct ns_detect *, struct ns_flood *);

static void
ns_contact_removed(struct ns_dmap *m, struct ns_dnode *n)
{
	struct ns_detect	*det = m->owner;
	struct ns_contact	*c = (struct ns_contact *)n;

	if (c->state == NS_CT_PENDING)
		TAILQ_REMOVE(&det->pending, c, pending);
}

static void
ns_scanner_removed(struct ns_dmap *m, struct ns_dnode *n)
{
	ns_scan_release(m->owner, (struct ns_scanner *)n);
}

static void
ns_victim_removed(struct ns_dmap *m, struct ns_dnode *n)
{
	struct ns_victim	*v = (struct ns_victim *)n;

	if (v->ev != NULL) {
		ns_victim_fill(v);
		ns_event_close(v->ev);
		free(v->ev);
	}
}

static void
ns_flood_removed(struct ns_dmap *m, struct ns_dnode *n)
{
	struct ns_detect	*det = m->owner;
	struct ns_flood		*f = (struct ns_flood *)n;

	ns_flood_release(det, f);
	if (f->busy)
		TAILQ_REMOVE(&det->busy, f, busy_link);
	if (f->presyn != NULL && f->presyn->meter == f)
		f->presyn->meter = NULL;
}

static void
ns_alert_removed(struct ns_dmap *m, struct ns_dnode *n)
{
	struct ns_alert	*a = (struct ns_alert *)n;

	ns_event_close(&a->ev);
}

/*
 * Map lookups with the key length known at the call, so that the hash is
 * inlined for that length.
 */
#define NS_DMAP_FIND(m, key, len)					\
	ns_dmap_find_hash((m), (key), ns_dmap_hash((key), (len)))
#define NS_DMAP_GET(m, key, len, now, created)				\
	ns_dmap_get_hash((m), (key), ns_dmap_hash((key), (len)), (now),	\
	    (created))

#define NS_DMAP_INIT(det, map, type, max)				\
	ns_dmap_init(&(det)->map, offsetof(type, key),			\
	    sizeof(((type *)0)->key), sizeof(type), (max))

struct ns_detect *
ns_detect_new(unsigned source, int loopback, struct ns_store *st)
{
	struct ns_detect_conf	*c = &ns_detect_conf;
	struct ns_detect	*det;
	int			 rc = 0, t;

	det = calloc(1, sizeof(*det));
	if (det == NULL)
		return NULL;
	det->source = source;
	det->loopback = loopback;
	det->st = st;
	for (t = 1; t < NS_EV_TYPES; t++)
		det->enabled |= c->enabled[t];
	atomic_init(&det->hashing, det->enabled);
	TAILQ_INIT(&det->pending);
	TAILQ_INIT(&det->busy);
	TAILQ_INIT(&det->dirty);

	rc |= NS_DMAP_INIT(det, contacts, struct ns_contact,
	    c->max_contacts);
	rc |= NS_DMAP_INIT(det, scanners, struct ns_scanner,
	    c->max_scanners);
	rc |= NS_DMAP_INIT(det, victims, struct ns_victim,
	    c->max_flood_targets);
	rc |= NS_DMAP_INIT(det, floods, struct ns_flood,
	    c->max_flood_targets);
	rc |= NS_DMAP_INIT(det, alerts, struct ns_alert, c->max_alerts);
	rc |= NS_DMAP_INIT(det, frags, struct ns_frag, c->max_fragments);
	rc |= NS_DMAP_INIT(det, arp, struct ns_arp_binding, c->max_arp);
	det->handshakes = calloc(NS_HS_SLOTS, sizeof(*det->handshakes));
	det->flows = calloc(NS_FLOW_SLOTS, sizeof(*det->flows));
	det->presyn = calloc(NS_PRESYN_SLOTS, sizeof(*det->presyn));
	if (rc != 0 || det->handshakes == NULL || det->flows == NULL ||
	    det->presyn == NULL) {
		ns_detect_free(det);
		return NULL;
	}

	det->contacts.owner = det->scanners.owner = det;
	det->floods.owner = det->alerts.owner = det;
	det->victims.owner = det;
	det->victims.on_remove = ns_victim_removed;
	det->contacts.on_remove = ns_contact_removed;
	det->scanners.on_remove = ns_scanner_removed;
	det->floods.on_remove = ns_flood_removed;
	det->alerts.on_remove = ns_alert_removed;
	return det;
}

void
ns_detect_refresh(struct ns_detect *det)
{
	struct ns_detect_conf	*c = &ns_detect_conf;
	int			 t;

	det->enabled = 0;
	for (t = 1; t < NS_EV_TYPES; t++)
		det->enabled |= c->enabled[t];
	det->net.valid = 0;
	atomic_store_explicit(&det->hashing, det->enabled,
	    memory_order_relaxed);
	det->contacts.max = c->max_contacts;
	det->scanners.max = c->max_scanners;
	det->victims.max = det->floods.max = c->max_flood_targets;
	det->alerts.max = c->max_alerts;
}

int
ns_detect_hashing(const struct ns_detect *det)
{
	return atomic_load_explicit(&det->hashing, memory_order_relaxed);
}

void
ns_detect_free(struct ns_detect *det)
{
	if (det == NULL)
		return;
	ns_dmap_free(&det->contacts);
	ns_dmap_free(&det->scanners);
	ns_dmap_free(&det->victims);
	ns_dmap_free(&det->floods);
	ns_dmap_free(&det->alerts);
	ns_dmap_free(&det->frags);
	ns_dmap_free(&det->arp);
	free(det->handshakes);
	free(det->flows);
	free(det->presyn);
	free(det);
}

size_t
ns_detect_memory(const struct ns_detect *det)
{
	size_t	 n = sizeof(*det);

	n += NS_HS_SLOTS * sizeof(*det->handshakes);
	n += NS_FLOW_SLOTS * sizeof(*det->flows);
	n += NS_PRESYN_SLOTS * sizeof(*det->presyn);
	n += det->contacts.count * det->contacts.nodesize +
	    det->contacts.nbuckets * sizeof(void *);
	n += det->scanners.count * (det->scanners.nodesize +
	    sizeof(struct ns_event)) + det->scanners.nbuckets * sizeof(void *);
	n += det->victims.count * (det->victims.nodesize +
	    sizeof(struct ns_event)) + det->victims.nbuckets * sizeof(void *);
	n += det->floods.count * (det->floods.nodesize +
	    sizeof(struct ns_event)) + det->floods.nbuckets * sizeof(void *);
	n += det->alerts.count * det->alerts.nodesize +
	    det->alerts.nbuckets * sizeof(void *);
	n += det->frags.count * det->frags.nodesize +
	    det->frags.nbuckets * sizeof(void *);
	n += det->arp.count * det->arp.nodesize +
	    det->arp.nbuckets * sizeof(void *);
	return n;
}

/* Events. */

/* Tenths of a second of the latest packet time. */
static uint8_t
ns_now_tenths(const struct ns_detect *det)
{
	return (uint8_t)((det->now_us % NS_USEC) / 100000);
}

static int
ns_enabled(int type)
{
	return ns_detect_conf.enabled[type];
}

static void
ns_host_apply(struct ns_store *st, const struct ns_host_update *u)
{
	struct ns_ip_host	*h;

	h = (struct ns_ip_host *)ns_table_lookup(&st->ip_hosts, u->key);
	if (h == NULL)
		return;
	switch (u->op) {
	case NS_HOST_FAILED:
		h->contacts_failed += u->a;
		break;
	case NS_HOST_ATTACKER:
		h->events_attacker += u->a;
		break;
	case NS_HOST_TARGET:
		h->events_target += u->a;
		break;
	case NS_HOST_REACH:
		h->ports_contacted = u->a;
		h->peers_contacted = u->b;
		break;
	}
}

static void
ns_host_apply_log(struct ns_detect *det)
{
	size_t	 i;

	for (i = 0; i < det->nlog; i++)
		ns_host_apply(det->st, &det->log[i]);
	det->nlog = 0;
	det->flushed = det->now;
}

void
ns_detect_flush(struct ns_detect *det)
{
	if (det->nlog == 0)
		return;
	pthread_mutex_lock(&det->st->lock);
	ns_host_apply_log(det);
	pthread_mutex_unlock(&det->st->lock);
}

int
ns_detect_try_flush(struct ns_detect *det)
{
	if (det->nlog == 0)
		return 1;
	if (pthread_mutex_trylock(&det->st->lock) != 0)
		return 0;
	ns_host_apply_log(det);
	pthread_mutex_unlock(&det->st->lock);
	return 1;
}

/*
 * Log a change to the row of key.  A scanner's failures come one after
 * another, so a change like the last one is merged into it.
 */
static void
ns_host_log(struct ns_detect *det, const uint8_t *key, int op, uint32_t a,
    uint32_t b)
{
	struct ns_host_update	*u;

	if (key[0] == 0)
		return;
	if (det->nlog > 0) {
		u = &det->log[det->nlog - 1];
		if (u->op == op && ns_ipkey_equal(u->key, key)) {
			if (op == NS_HOST_REACH) {
				u->a = a;
				u->b = b;
			} else
				u->a += a;
			return;
		}
	}
	if (det->nlog == NS_HOST_LOG)
		ns_detect_flush(det);
	u = &det->log[det->nlog++];
	memcpy(u->key, key, NS_IPKEY_LEN);
	u->op = (uint8_t)op;
	u->a = a;
	u->b = b;
}

static int
ns_key_is_host(const uint8_t *key, uint8_t plen)
{
	return plen == (key[0] == NS_INET_IPV4 ? 32 : 128);
}

/* Set the description; a long one is cut at the column's size. */
static void __attribute__((format(printf, 2, 3)))
ns_describe(struct ns_event *ev, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(ev->descr, sizeof(ev->descr), fmt, ap);
	va_end(ap);
}

/*
 * A description built by appending, cut at the buffer's size as
 * snprintf() cuts it.  An active scan's description is rewritten about
 * twice per second of packet time, and vsnprintf() took more time than
 * the rest of that refresh.
 */
struct ns_text {
	char		*buf;
	size_t		 size;		/* at least 1 */
	size_t		 len;
};

static void
ns_text_init(struct ns_text *t, char *buf, size_t size)
{
	t->buf = buf;
	t->size = size;
	t->len = 0;
	buf[0] = '\0';
}

static void
ns_text_add(struct ns_text *t, const char *s)
{
	size_t	 n = strlen(s), room = t->size - 1 - t->len;

	if (n > room)
		n = room;
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	t->buf[t->len] = '\0';
}

static void
ns_text_add_uint(struct ns_text *t, uint32_t v)
{
	char	 digits[11];
	size_t	 n = sizeof(digits) - 1;

	digits[n] = '\0';
	do {
		digits[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	ns_text_add(t, digits + n);
}

/* Start ev at the current packet time and count it on both hosts. */
static void
ns_event_begin(struct ns_detect *det, struct ns_event *ev)
{
	ev->source = det->source;
	ev->start_sec = ev->last_sec = det->now;
	ev->start_tenths = ev->last_tenths = ns_now_tenths(det);
	if (ev->shape == 0)
		ev->shape = NS_SHAPE_NONE;
	if (ev->probe == 0)
		ev->probe = NS_PK_OTHER;
	ns_event_open(ev);

	ns_host_log(det, ev->attacker.key, NS_HOST_ATTACKER, 1, 0);
	if (ns_key_is_host(ev->target.key, ev->target.plen))
		ns_host_log(det, ev->target.key, NS_HOST_TARGET, 1, 0);
}

static void
ns_event_seen(struct ns_detect *det, struct ns_event *ev)
{
	ev->last_sec = det->now;
	ev->last_tenths = ns_now_tenths(det);
}

static void
ns_addr_set(struct ns_addr *a, const uint8_t *key)
{
	memcpy(a->key, key, NS_IPKEY_LEN);
	a->plen = key[0] == NS_INET_IPV4 ? 32 : key[0] == NS_INET_IPV6 ?
	    128 : 0;
}

static void
ns_addr_text(const uint8_t *key, char *buf, size_t len)
{
	struct ns_addr	 a;

	ns_addr_set(&a, key);
	ns_addr_format(&a, buf, len);
}

/*
 * Suspicious traffic: one event per (type, attacker, target, port) while
 * packets keep coming; released after the hold-down time.  port may
 * carry NS_ALERT_UDP.
 */
static void
ns_alert_hit(struct ns_detect *det, int type, const uint8_t *attacker,
    const uint8_t *target, uint32_t port, const char *what)
{
	static const uint8_t	 none[NS_IPKEY_LEN];
	uint8_t			 key[NS_AKEY_LEN];
	struct ns_alert		*a;
	char			 from[INET6_ADDRSTRLEN], to[INET6_ADDRSTRLEN];
	int			 created;

	if (!ns_enabled(type) || ns_policy_exempt(attacker))
		return;
	if (target == NULL)
		target = none;
	key[0] = (uint8_t)type;
	memcpy(key + 1, attacker, NS_IPKEY_LEN);
	memcpy(key + 1 + NS_IPKEY_LEN, target, NS_IPKEY_LEN);
	key[NS_AKEY_LEN - 3] = (uint8_t)(port >> 16);
	key[NS_AKEY_LEN - 2] = (uint8_t)(port >> 8);
	key[NS_AKEY_LEN - 1] = (uint8_t)port;

	a = NS_DMAP_GET(&det->alerts, key, NS_AKEY_LEN, det->now, &created);
	if (a == NULL)
		return;
	if (!created) {
		a->ev.packets++;
		if (a->ev.last_sec != det->now) {
			ns_event_seen(det, &a->ev);
			ns_event_update(&a->ev, 0);
		}
		return;
	}

	a->ev.type = (uint8_t)type;
	ns_addr_set(&a->ev.attacker, attacker);
	ns_addr_set(&a->ev.target, target);
	port &= 0xffff;
	a->ev.port = (uint16_t)port;
	a->ev.ports = port != 0;
	a->ev.targets = target[0] != 0;
	a->ev.sources = 1;
	a->ev.packets = 1;
	ns_addr_text(attacker, from, sizeof(from));
	ns_addr_text(target, to, sizeof(to));
	if (target[0] != 0)
		ns_describe(&a->ev, "%s from %s to "
		    "%s", what, from, to);
	else
		ns_describe(&a->ev, "%s from %s",
		    what, from);
	ns_event_begin(det, &a->ev);
}

/* Port scans. */

/*
 * Threshold random walk parameters: a benign source's first contacts
 * succeed with probability 0.8, a scanner's with 0.2, and the upper bound
 * ln(beta / alpha) follows from the false positive rate alpha that the
 * sensitivity selects, with detection probability beta = 0.99.
 */
#define NS_TRW_THETA0	0.8
#define NS_TRW_THETA1	0.2
#define NS_TRW_BETA	0.99

static double
ns_trw_alpha(int sensitivity)
{
	switch (sensitivity) {
	case NS_SENS_LOW:
		return 0.001;
	case NS_SENS_HIGH:
		return 0.05;
	default:
		return 0.01;
	}
}

static double
ns_trw_upper(const uint8_t *key)
{
	const struct ns_policy	*p = ns_policy_find(key);
	int			 s = ns_detect_conf.sensitivity;

	if (p != NULL && p->sensitivity != NS_SENS_DEFAULT)
		s = p->sensitivity;
	return log(NS_TRW_BETA / ns_trw_alpha(s));
}

/* The lower bound: a source's evidence of being benign stops there. */
static double
ns_trw_lower(void)
{
	return log((1 - NS_TRW_BETA) / (1 - ns_trw_alpha(NS_SENS_NORMAL)));
}

/* Which probe kind dominates, telling connect() scans from SYN scans. */
static int
ns_scan_probe(const struct ns_scanner *s)
{
	int	 k, best = NS_PK_OTHER;

	for (k = NS_PK_TCP_SYN; k < NS_PK_KINDS; k++)
		if (s->probes[k] > s->probes[best])
			best = k;
	if (best == NS_PK_TCP_SYN && s->completed > s->half_open)
		best = NS_PK_TCP_CONNECT;
	return best;
}

/* Number of leading bits that two IP keys share. */
static uint8_t
ns_common_prefix(const uint8_t *a, const uint8_t *b)
{
	int	 i, bits = 0, max = a[0] == NS_INET_IPV4 ? 4 : 16;
	uint8_t	 x;

	for (i = 1; i <= max; i++) {
		x = a[i] ^ b[i];
		if (x != 0) {
			while ((x & 0x80) == 0) {
				x <<= 1;
				bits++;
			}
			return (uint8_t)bits;
		}
		bits += 8;
	}
	return (uint8_t)bits;
}

/* Copy key with the bits after plen cleared. */
static void
ns_prefix_mask(const uint8_t *key, uint8_t plen, uint8_t *out)
{
	unsigned	 bytes = plen / 8, bits = plen % 8;

	memcpy(out, key, NS_IPKEY_LEN);
	if (bytes >= NS_IPKEY_LEN - 1)
		return;
	if (bits != 0)
		out[1 + bytes++] &= (uint8_t)(0xff << (8 - bits));
	memset(out + 1 + bytes, 0, NS_IPKEY_LEN - 1 - bytes);
}

static void
ns_scan_fill(struct ns_scanner *s)
{
	struct ns_event	*ev = s->ev;
	struct ns_text	 t;
	char		 to[INET6_ADDRSTRLEN + 8];
	const uint8_t	*min, *max;
	int		 sweep;

	/* The targets of the probes the scan mostly used. */
	ev->probe = (uint8_t)ns_scan_probe(s);
	sweep = ev->probe == NS_PK_ARP || ev->probe == NS_PK_ICMP_ECHO;
	if (s->probes_of[sweep] == 0)
		sweep = !sweep;
	min = s->dst_min[sweep];
	max = s->dst_max[sweep];

	/*
	 * With one target every contact is another port, with one port
	 * another target, and every echo or ARP request of a sweep goes to
	 * another target, so those shapes are counted exactly.
	 */
	ev->packets = s->contacts;
	ev->ports = s->port_contacts > 0 ? ns_hll_count(&s->hll_port) : 0;
	ev->targets = ns_hll_count(&s->hll_dst);
	if (memcmp(min, max, NS_IPKEY_LEN) == 0) {
		ev->targets = 1;
		if (!sweep)
			ev->ports = s->port_contacts;
	} else if (sweep)
		ev->targets = s->probes_of[1];
	else if (!s->ports_vary) {
		ev->ports = 1;
		ev->targets = s->port_contacts;
	}
	ev->port = !sweep && ev->ports == 1 ? s->port : 0;

	ev->target.plen = ns_common_prefix(min, max);
	ns_prefix_mask(min, ev->target.plen, ev->target.key);
	if (ev->targets == 1)
		ev->shape = NS_SHAPE_VERTICAL;
	else if (sweep || ev->ports == 1)
		ev->shape = NS_SHAPE_HORIZONTAL;
	else
		ev->shape = NS_SHAPE_BLOCK;

	ns_addr_format(&ev->target, to, sizeof(to));
	ns_text_init(&t, ev->descr, sizeof(ev->descr));
	ns_text_add(&t, ns_probe_kind_name(ev->probe));
	ns_text_add(&t, " ");
	ns_text_add(&t, ns_scan_shape_name(ev->shape));
	ns_text_add(&t, " scan of ");
	ns_text_add(&t, to);
	ns_text_add(&t, ": ");
	ns_text_add_uint(&t, s->contacts);
	ns_text_add(&t, " first contacts, ");
	ns_text_add_uint(&t, s->failed);
	ns_text_add(&t, " failed, ");
	ns_text_add_uint(&t, ev->ports);
	ns_text_add(&t, " ports, ");
	ns_text_add_uint(&t, ev->targets);
	ns_text_add(&t, " targets");
}

static void
ns_scan_engage(struct ns_detect *det, struct ns_scanner *s)
{
	if (!ns_enabled(NS_EV_PORT_SCAN) || ns_policy_exempt(s->key))
		return;
	s->ev = calloc(1, sizeof(*s->ev));
	if (s->ev == NULL)
		return;
	s->ev->type = NS_EV_PORT_SCAN;
	ns_addr_set(&s->ev->attacker, s->key);
	s->ev->sources = 1;
	s->ev->probes = s->contacts;
	ns_scan_fill(s);
	ns_event_begin(det, s->ev);
	s->reported = s->contacts;
}

/* Fill the event of s from its counts and take it off the dirty list. */
static void
ns_scan_catch_up(struct ns_detect *det, struct ns_scanner *s)
{
	if (s->dirty) {
		TAILQ_REMOVE(&det->dirty, s, dirty_link);
		s->dirty = 0;
	}
	ns_scan_fill(s);
	if (s->last > s->ev->last_sec || (s->last == s->ev->last_sec &&
	    s->last_tenths > s->ev->last_tenths)) {
		s->ev->last_sec = s->last;
		s->ev->last_tenths = s->last_tenths;
	}
}

/* Bring the event of s up to date in the history. */
static void
ns_scan_refresh(struct ns_detect *det, struct ns_scanner *s, int kind)
{
	ns_scan_catch_up(det, s);
	ns_event_update(s->ev, kind);
}

/* Keep the event current; a tenfold reach is worth a new notification. */
static void
ns_scan_progress(struct ns_detect *det, struct ns_scanner *s)
{
	int	 kind = 0;

	if (s->ev == NULL)
		return;
	if (s->contacts >= 10 * (uint64_t)s->reported) {
		kind = NS_NOTE_GREW;
		s->reported = s->contacts;
	}

	/*
	 * Filling the event reads every sketch register, and the update
	 * takes the history's lock: within one second of packet time the
	 * scanner goes on the dirty list, which the next tick refreshes,
	 * unless a notification goes out now.
	 */
	if (kind == 0 && s->ev->last_sec == det->now) {
		if (!s->dirty) {
			TAILQ_INSERT_TAIL(&det->dirty, s, dirty_link);
			s->dirty = 1;
		}
		return;
	}
	ns_scan_refresh(det, s, kind);
}

static void
ns_scan_release(struct ns_detect *det, struct ns_scanner *s)
{
	if (s->ev == NULL)
		return;

	/* ns_scan_progress() may have left the event behind. */
	ns_scan_catch_up(det, s);
	ns_event_close(s->ev);
	free(s->ev);
	s->ev = NULL;
}

/* Outcomes of a first contact. */
enum ns_outcome {
	NS_OUT_NONE,			/* says nothing either way */
	NS_OUT_SUCCESS,
	NS_OUT_FAILURE,
	NS_OUT_SILENCE			/* no answer where none may come */
};

/*
 * An ARP sweep needs this many failures: routers ask for absent hosts
 * whenever traffic for them arrives, so a few failed requests are normal.
 */
#define NS_ARP_MIN_FAILED	16

static int
ns_scan_ready(const struct ns_scanner *s)
{
	return ns_scan_probe(s) != NS_PK_ARP || s->failed >= NS_ARP_MIN_FAILED;
}

/*
 * A distributed scan: at least NS_DIST_FAILED failed first contacts
 * against one target from NS_DIST_SOURCES sources or more that are not
 * reported scanners themselves, to NS_DIST_PORTS ports or more.  Scanners
 * reported on their own are left out, so many scanners hitting one
 * target are not reported twice, and a spoofed flood against one closed
 * port stays below the port count.
 */
#define NS_DIST_FAILED	20
#define NS_DIST_SOURCES	5
#define NS_DIST_PORTS	10

static void
ns_victim_fill(struct ns_victim *v)
{
	struct ns_event	*ev = v->ev;
	char		 to[INET6_ADDRSTRLEN];

	ev->packets = v->failed;
	ev->sources = ns_hll_count(&v->hll_src);
	ev->ports = ns_hll_count(&v->hll_port);
	ev->probe = v->probe;
	ns_addr_text(v->key, to, sizeof(to));
	ns_describe(ev, "%s distributed scan of %s: %u failed first "
	    "contacts from about %u sources to about %u ports",
	    ns_probe_kind_name(ev->probe), to, v->failed, ev->sources,
	    ev->ports);
}

static void
ns_victim_engage(struct ns_detect *det, struct ns_victim *v)
{
	if ((v->ev = calloc(1, sizeof(*v->ev))) == NULL)
		return;
	v->ev->type = NS_EV_PORT_SCAN;
	v->ev->shape = NS_SHAPE_DISTRIBUTED;
	ns_addr_set(&v->ev->target, v->key);
	v->ev->targets = 1;
	v->ev->probes = v->failed;
	ns_victim_fill(v);
	ns_event_begin(det, v->ev);
	v->reported = v->failed;
}

/* Remember a failure per source, for the first NS_DIST_TRACK sources. */
static void
ns_victim_count(struct ns_victim *v, const uint8_t *source)
{
	unsigned	 i;

	for (i = 0; i < v->nsrc; i++)
		if (memcmp(v->src[i].key, source, NS_IPKEY_LEN) == 0) {
			v->src[i].failed++;
			return;
		}
	if (v->nsrc < NS_DIST_TRACK) {
		memcpy(v->src[v->nsrc].key, source, NS_IPKEY_LEN);
		v->src[v->nsrc++].failed = 1;
	}
}

/* Do the failures of sources not reported on their own add up? */
static int
ns_victim_distributed(struct ns_detect *det, const struct ns_victim *v)
{
	struct ns_scanner	*s;
	unsigned		 i, sources = 0;
	uint32_t		 failed = 0;

	if (v->failed < NS_DIST_FAILED ||
	    ns_hll_count(&v->hll_port) < NS_DIST_PORTS)
		return 0;
	for (i = 0; i < v->nsrc; i++) {
		s = NS_DMAP_FIND(&det->scanners, v->src[i].key, NS_IPKEY_LEN);
		if (s != NULL && s->ev != NULL)
			continue;
		sources++;
		failed += v->src[i].failed;
	}
	return sources >= NS_DIST_SOURCES && failed >= NS_DIST_FAILED;
}

static void
ns_victim_failed(struct ns_detect *det, const uint8_t *ckey, int kind)
{
	const uint8_t		*target = ckey + NS_IPKEY_LEN;
	const uint8_t		*port = ckey + 2 * NS_IPKEY_LEN;
	struct ns_victim	*v;
	int			 created, note = 0;

	v = NS_DMAP_GET(&det->victims, target, NS_IPKEY_LEN, det->now,
	    &created);
	if (v == NULL)
		return;
	v->failed++;
	v->probe = (uint8_t)kind;
	ns_victim_count(v, ckey);
	ns_hll_add(&v->hll_src, ckey, NS_IPKEY_LEN);
	ns_hll_add(&v->hll_port, port, 2);
	if (v->ev == NULL) {
		if (ns_victim_distributed(det, v))
			ns_victim_engage(det, v);
		return;
	}
	if (v->failed >= 10 * (uint64_t)v->reported) {
		note = NS_NOTE_GREW;
		v->reported = v->failed;
	}
	ns_victim_fill(v);
	ns_event_seen(det, v->ev);
	ns_event_update(v->ev, note);
}

/*
 * Count the successful and failed first contacts of about the last
 * hundred, halving both when they grow.  The walk depends on the order
 * of the outcomes, and the timeouts of a P2P client's vanished peers
 * arrive together after its successful contacts.  So a source is
 * reported only while its failures also outnumber its successes.
 */
static void
ns_scan_tally(struct ns_scanner *s, int outcome)
{
	if (outcome == NS_OUT_SUCCESS)
		s->answered += 2;
	else
		s->refused += outcome == NS_OUT_SILENCE ? 1 : 2;
	if (s->answered + s->refused > 256) {
		s->answered /= 2;
		s->refused /= 2;
	}
}

/*
 * Move the walk.  Silence counts half a failure, because an open UDP
 * port, or an open port probed with FIN, NULL or Xmas, sends no reply
 * either.
 */
static void
ns_scan_outcome(struct ns_detect *det, const uint8_t *ckey, int outcome,
    int kind)
{
	const uint8_t		*scanner = ckey;
	struct ns_scanner	*s;
	double			 step;

	s = NS_DMAP_FIND(&det->scanners, scanner, NS_IPKEY_LEN);
	if (s == NULL || outcome == NS_OUT_NONE)
		return;
	ns_scan_tally(s, outcome);
	if (outcome == NS_OUT_SUCCESS) {
		step = log(NS_TRW_THETA1 / NS_TRW_THETA0);
		s->llr += step;
		if (s->llr < ns_trw_lower())
			s->llr = ns_trw_lower();
		return;
	}

	s->failed++;
	ns_host_log(det, scanner, NS_HOST_FAILED, 1, 0);
	step = log((1 - NS_TRW_THETA1) / (1 - NS_TRW_THETA0));
	s->llr += outcome == NS_OUT_SILENCE ? step / 2 : step;
	if (s->ev == NULL && s->llr >= ns_trw_upper(scanner) &&
	    ns_scan_ready(s) && s->refused > s->answered)
		ns_scan_engage(det, s);
	else if (s->ev != NULL)
		ns_scan_progress(det, s);
	if (s->ev == NULL && ns_enabled(NS_EV_PORT_SCAN) &&
	    !ns_policy_exempt(scanner))
		ns_victim_failed(det, ckey, kind);
}

static void
ns_contact_key(uint8_t *key, const uint8_t *scanner, const uint8_t *target,
    uint16_t port, uint8_t proto)
{
	memcpy(key, scanner, NS_IPKEY_LEN);
	memcpy(key + NS_IPKEY_LEN, target, NS_IPKEY_LEN);
	key[2 * NS_IPKEY_LEN] = (uint8_t)(port >> 8);
	key[2 * NS_IPKEY_LEN + 1] = (uint8_t)port;
	key[2 * NS_IPKEY_LEN + 2] = proto;
}

static void
ns_scanner_contact(struct ns_detect *det, const uint8_t *scanner,
    const uint8_t *target, uint16_t port, int kind)
{
	struct ns_scanner	*s;
	int			 created, sweep;

	s = NS_DMAP_GET(&det->scanners, scanner, NS_IPKEY_LEN, det->now,
	    &created);
	if (s == NULL)
		return;
	sweep = kind == NS_PK_ARP || kind == NS_PK_ICMP_ECHO;
	if (s->probes_of[sweep]++ == 0) {
		memcpy(s->dst_min[sweep], target, NS_IPKEY_LEN);
		memcpy(s->dst_max[sweep], target, NS_IPKEY_LEN);
	}
	if (memcmp(target, s->dst_min[sweep], NS_IPKEY_LEN) < 0)
		memcpy(s->dst_min[sweep], target, NS_IPKEY_LEN);
	if (memcmp(target, s->dst_max[sweep], NS_IPKEY_LEN) > 0)
		memcpy(s->dst_max[sweep], target, NS_IPKEY_LEN);
	if (!sweep && s->port_contacts == 0)
		s->port = port;
	else if (!sweep && port != s->port)
		s->ports_vary = 1;
	s->contacts++;
	if (kind != NS_PK_ARP && kind != NS_PK_ICMP_ECHO)
		s->port_contacts++;
	s->probes[kind]++;
	s->last = det->now;
	s->last_tenths = ns_now_tenths(det);
	ns_hll_add(&s->hll_dst, target, NS_IPKEY_LEN);
	ns_hll_add(&s->hll_port, &port, sizeof(port));

	/* Estimates cost a pass over the registers: refresh them seldom. */
	if ((s->contacts & (s->contacts - 1)) == 0 || s->contacts % 64 == 0)
		ns_host_log(det, scanner, NS_HOST_REACH,
		    ns_hll_count(&s->hll_port), ns_hll_count(&s->hll_dst));
	if (s->ev != NULL)
		ns_scan_progress(det, s);
}

/*
 * The hash of a first contact key, made from the keyed hashes of its
 * scanner (hs) and target (ht).  The contact map compares whole keys, so
 * the hash only has to spread them, and a SYN comes with both address
 * hashes already made for the flood meters.
 */
static uint32_t
ns_contact_mix(uint32_t hs, uint32_t ht, uint16_t port, uint8_t proto)
{
	uint64_t	 h;

	h = ((uint64_t)hs << 32 | ht) ^
	    ((uint64_t)port << 8 | proto) * 0x9e3779b97f4a7c15ULL;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 29;
	h *= 0xff51afd7ed558ccdULL;
	return (uint32_t)(h ^ (h >> 32));
}

static uint32_t
ns_contact_hash(const uint8_t *scanner, const uint8_t *target,
    uint16_t port, uint8_t proto)
{
	return ns_contact_mix(ns_dmap_hash(scanner, NS_IPKEY_LEN),
	    ns_dmap_hash(target, NS_IPKEY_LEN), port, proto);
}

/*
 * A probe from scanner to target: open a first contact unless one is
 * known.  h is the hash of the contact key.  Returns the contact, new or
 * old.
 */
static struct ns_contact *
ns_contact_open(struct ns_detect *det, const uint8_t *scanner,
    const uint8_t *target, uint16_t port, uint8_t proto, int kind,
    uint32_t h)
{
	uint8_t			 key[NS_CKEY_LEN];
	struct ns_contact	*c;
	int			 created;

	if (!ns_enabled(NS_EV_PORT_SCAN))
		return NULL;
	ns_contact_key(key, scanner, target, port, proto);
	c = ns_dmap_get_hash(&det->contacts, key, h, det->now, &created);
	if (c == NULL || !created)
		return c;
	c->state = NS_CT_PENDING;
	c->kind = (uint8_t)kind;
	c->sent = det->now;
	TAILQ_INSERT_TAIL(&det->pending, c, pending);
	ns_scanner_contact(det, scanner, target, port, kind);
	return c;
}

/* The contact of scanner to target, whose key hashes to h, or NULL. */
static struct ns_contact *
ns_contact_find(struct ns_detect *det, const uint8_t *scanner,
    const uint8_t *target, uint16_t port, uint8_t proto, uint32_t h)
{
	uint8_t	 key[NS_CKEY_LEN];

	ns_contact_key(key, scanner, target, port, proto);
	return ns_dmap_find_hash(&det->contacts, key, h);
}

/* An answer to a pending contact, or its timeout. */
static void
ns_contact_resolve(struct ns_detect *det, struct ns_contact *c, int outcome,
    int next_state)
{
	if (c == NULL || c->state != NS_CT_PENDING)
		return;
	TAILQ_REMOVE(&det->pending, c, pending);
	c->state = (uint8_t)next_state;
	ns_scan_outcome(det, c->key, outcome, c->kind);
}

/*
 * No answer within the timeout.  A SYN, an echo request or an ARP
 * request gets an answer from any live host, so silence fails them.  A
 * UDP, FIN, NULL or Xmas probe to an open or filtered port gets none.
 * An ACK probe opened for a flow seen from its middle gets none either,
 * so its silence proves nothing.
 */
static void
ns_contact_timeout(struct ns_detect *det, struct ns_contact *c)
{
	int	 outcome;

	switch (c->kind) {
	case NS_PK_TCP_SYN:
	case NS_PK_ICMP_ECHO:
	case NS_PK_ARP:
		outcome = NS_OUT_FAILURE;
		break;
	case NS_PK_TCP_ACK:
		outcome = NS_OUT_NONE;
		break;
	default:
		outcome = NS_OUT_SILENCE;
		break;
	}
	ns_contact_resolve(det, c, outcome, NS_CT_DONE);
}

static void
ns_contacts_expire(struct ns_detect *det, uint32_t now, int all)
{
	struct ns_contact	*c;

	while ((c = TAILQ_FIRST(&det->pending)) != NULL &&
	    (all || now - c->sent >= ns_detect_conf.contact_timeout))
		ns_contact_timeout(det, c);
}

/* SYN floods. */

/* The network a flood against key is counted in: a local net, or /24. */
static void
ns_flood_net(const uint8_t *key, uint8_t *net, uint8_t *plen)
{
	const struct ns_policy	*local = ns_local_net(key);

	*plen = local != NULL ? local->plen :
	    key[0] == NS_INET_IPV4 ? 24 : 64;
	ns_prefix_mask(key, *plen, net);
}

static void
ns_flood_key(uint8_t *key, const uint8_t *addr, uint16_t port, uint8_t plen)
{
	memcpy(key, addr, NS_IPKEY_LEN);
	key[NS_IPKEY_LEN] = (uint8_t)(port >> 8);
	key[NS_IPKEY_LEN + 1] = (uint8_t)port;
	key[NS_IPKEY_LEN + 2] = plen;
}

static int
ns_flood_is_net(const struct ns_flood *f)
{
	return !ns_key_is_host(f->key, f->key[NS_IPKEY_LEN + 2]);
}

static uint16_t
ns_flood_port(const struct ns_flood *f)
{
	return (uint16_t)(f->key[NS_IPKEY_LEN] << 8 |
	    f->key[NS_IPKEY_LEN + 1]);
}

static void
ns_flood_fill(struct ns_flood *f)
{
	struct ns_event		*ev = f->ev;
	struct ns_top_entry	 top[NS_TOP];
	char			 to[INET6_ADDRSTRLEN + 8];
	char			 who[3][INET6_ADDRSTRLEN];
	int			 i;

	for (i = 0; i < NS_TOP; i++) {
		memcpy(top[i].key, f->top.key[i], NS_IPKEY_LEN);
		top[i].count = f->top.count[i];
	}
	qsort(top, NS_TOP, sizeof(top[0]), ns_top_cmp);
	ev->packets = f->event_syns;
	ev->peak_rate = f->peak;
	ev->sources = ns_hll_count(&f->hll_src);
	if (ev->sources == 0)
		ev->sources = 1;

	/* One source sending most SYNs is the attacker; else spoofed. */
	memset(&ev->attacker, 0, sizeof(ev->attacker));
	if (2 * (uint64_t)top[0].count >= f->event_syns && top[0].count > 0)
		ns_addr_set(&ev->attacker, top[0].key);
	for (i = 0; i < 3; i++) {
		strcpy(who[i], "-");
		if (top[i].count > 0)
			ns_addr_text(top[i].key, who[i], sizeof(who[i]));
	}

	ns_addr_format(&ev->target, to, sizeof(to));
	ns_describe(ev, "SYN flood on %s port %u: "
	    "%llu SYNs, peak %u/s, about %u sources, top %s %s %s", to,
	    ns_flood_port(f), (unsigned long long)f->event_syns, f->peak,
	    ev->sources, who[0], who[1], who[2]);
}

static void
ns_flood_engage(struct ns_detect *det, struct ns_flood *f)
{
	f->ev = calloc(1, sizeof(*f->ev));
	if (f->ev == NULL)
		return;
	f->ev->type = NS_EV_SYN_FLOOD;
	memcpy(f->ev->target.key, f->key, NS_IPKEY_LEN);
	f->ev->target.plen = f->key[NS_IPKEY_LEN + 2];
	f->ev->port = ns_flood_port(f);
	f->ev->ports = 1;
	f->ev->targets = 1;
	f->ev->probes = (uint32_t)f->event_syns;
	ns_flood_fill(f);
	ns_event_begin(det, f->ev);
}

/* Forget the sources and counts gathered for the last event. */
static void
ns_flood_forget(struct ns_flood *f)
{
	memset(&f->hll_src, 0, sizeof(f->hll_src));
	memset(&f->top, 0, sizeof(f->top));
	f->event_syns = 0;
	f->peak = 0;
	f->quiet_since = 0;
}

static void
ns_flood_release(struct ns_detect *det, struct ns_flood *f)
{
	if (f->ev == NULL)
		return;
	ns_flood_fill(f);
	ns_event_close(f->ev);
	free(f->ev);
	f->ev = NULL;
	ns_flood_forget(f);
}

/* Distinct targets of a network meter, by linear counting of 64 bits. */
static uint32_t
ns_flood_targets(const struct ns_flood *f)
{
	int	 zeros = 64 - __builtin_popcountll(f->dsts);

	if (zeros == 0)
		return 64 * 5;
	return (uint32_t)(64 * log(64.0 / zeros) + 0.5);
}

/*
 * Return whether the closed window was a flood.  A network meter counts
 * only a flood spread over at least four targets, which the meters of
 * single targets may miss.  It also needs ten SYNs per target, so a
 * sweep that sends one SYN to each host is left to the scan detector.
 */
static int
ns_flood_over(const struct ns_flood *f)
{
	const struct ns_policy	*p = ns_policy_find(f->key);
	uint32_t		 rate = ns_detect_conf.syn_rate;
	uint32_t		 half = ns_detect_conf.half_open;
	uint32_t		 open;

	if (p != NULL && p->syn_rate != 0)
		rate = p->syn_rate;
	if (p != NULL && p->half_open != 0)
		half = p->half_open;
	if (f->syns < rate || f->syns == 0)
		return 0;
	open = f->done >= f->syns ? 0 : f->syns - f->done;
	if ((uint64_t)open * 100 < (uint64_t)half * f->syns)
		return 0;
	if (ns_flood_is_net(f) && (ns_flood_targets(f) < 4 ||
	    f->syns < 10 * ns_flood_targets(f)))
		return 0;
	return 1;
}

/* Close the window that started at win_start, then any empty ones. */
static void
ns_flood_close(struct ns_detect *det, struct ns_flood *f, uint64_t now_us)
{
	uint32_t	 end_sec;
	int		 over;

	if (f->win_start == 0)
		return;
	over = ns_flood_over(f) && ns_enabled(NS_EV_SYN_FLOOD);
	end_sec = (uint32_t)((f->win_start + NS_USEC) / NS_USEC);
	if (over) {
		f->quiet_since = 0;
		if (f->syns > f->peak)
			f->peak = f->syns;
		if (f->ev == NULL)
			ns_flood_engage(det, f);
		else {
			ns_flood_fill(f);
			ns_event_seen(det, f->ev);
			ns_event_update(f->ev, 0);
		}
	} else if (f->ev != NULL && f->quiet_since == 0)
		f->quiet_since = end_sec;

	if (f->ev == NULL)
		ns_flood_forget(f);
	f->syns = f->done = 0;
	f->dsts = 0;
	f->win_start = now_us >= f->win_start + NS_USEC ? 0 : f->win_start;

	/* No window follows until a SYN comes: the quiet starts now. */
	if (f->win_start == 0 && f->ev != NULL && f->quiet_since == 0 &&
	    now_us < UINT64_MAX / 2)
		f->quiet_since = end_sec;
}

/* Time passes for a meter: close a due window, end a quiet flood. */
static void
ns_flood_tick(struct ns_detect *det, struct ns_flood *f, uint64_t now_us,
    int final)
{
	if (f->win_start != 0 && (final || now_us >= f->win_start + NS_USEC))
		ns_flood_close(det, f, final ? UINT64_MAX / 2 : now_us);
	if (f->ev != NULL && f->quiet_since != 0 &&
	    now_us / NS_USEC >= (uint64_t)f->quiet_since +
	    ns_detect_conf.hold_down)
		ns_flood_release(det, f);
}

static struct ns_flood *
ns_flood_find(struct ns_detect *det, const uint8_t *addr, uint16_t port,
    uint8_t plen)
{
	uint8_t	 key[NS_FKEY_LEN];

	ns_flood_key(key, addr, port, plen);
	return NS_DMAP_FIND(&det->floods, key, NS_FKEY_LEN);
}

/*
 * Open a window on f unless one is open.  A new one starts at start_us.
 * Every metered SYN comes here, so it is inline.
 */
static inline void
ns_flood_open(struct ns_detect *det, struct ns_flood *f, uint64_t start_us)
{
	/* Most SYNs find the window open and no flood ending. */
	if ((f->win_start != 0 && det->now_us >= f->win_start + NS_USEC) ||
	    (f->ev != NULL && f->quiet_since != 0))
		ns_flood_tick(det, f, det->now_us, 0);
	if (f->win_start == 0)
		f->win_start = start_us;
	if (!f->busy) {
		TAILQ_INSERT_TAIL(&det->busy, f, busy_link);
		f->busy = 1;
	}
}

/* Return the meter with key, made if needed, with a window open. */
static struct ns_flood *
ns_flood_meter(struct ns_detect *det, const uint8_t *key, uint64_t start_us)
{
	struct ns_flood		*f;
	int			 created;

	f = NS_DMAP_GET(&det->floods, key, NS_FKEY_LEN, det->now, &created);
	if (f != NULL)
		ns_flood_open(det, f, start_us);
	return f;
}

static int
ns_fkey_equal(const uint8_t *a, const uint8_t *b)
{
	uint32_t	 a2, b2;

	memcpy(&a2, a + 16, 4);
	memcpy(&b2, b + 16, 4);
	return ns_ipkey_equal(a, b) && a2 == b2;
}

_Static_assert(NS_FKEY_LEN == 20, "ns_fkey_equal() reads 20 bytes");

static void
ns_presyn_keep(struct ns_presyn *ps, struct ns_flood *f)
{
	ps->meter = f;
	if (f != NULL)
		f->presyn = ps;
}

/*
 * The meter of a pre-count slot that made one.  Under a flood every SYN
 * takes this path, so the slot keeps a pointer to the meter, which
 * ns_flood_removed() clears, and a hit costs a key compare instead of a
 * hash and a map lookup.  The age list gets the same touch as on a lookup.
 */
static struct ns_flood *
ns_flood_metered(struct ns_detect *det, struct ns_presyn *ps,
    const uint8_t *key)
{
	struct ns_flood	*f = ps->meter;

	if (f != NULL && ns_fkey_equal(f->key, key)) {
		ns_dmap_touch(&det->floods, f, det->now);
		ns_flood_open(det, f, det->now_us);
		return f;
	}
	f = ns_flood_meter(det, key, det->now_us);
	ns_presyn_keep(ps, f);
	return f;
}

/* Count a SYN from src, whose hash is hs, to a target with hash hd. */
static void
ns_flood_count(struct ns_flood *f, const uint8_t *src, uint32_t hs,
    uint32_t hd)
{
	f->syns++;
	f->event_syns++;
	ns_hll_add_hash(&f->hll_src, hs);
	ns_top_add(&f->top, src, hs);
	f->dsts |= 1ULL << (hd & 63);
}

/*
 * The meter of addr/plen and port, whose key hashes to h, made only once
 * the key has had NS_FLOOD_MIN SYNs within one second; *before* is then
 * the number of SYNs the meter did not count.  A collision in the
 * pre-count array delays a meter by a few SYNs, no more.
 */
static struct ns_flood *
ns_flood_gate(struct ns_detect *det, uint32_t h, const uint8_t *addr,
    uint16_t port, uint8_t plen, uint32_t *before)
{
	struct ns_presyn	*ps = &det->presyn[h & (NS_PRESYN_SLOTS - 1)];
	uint32_t		 tag = (h >> 13) | 1;
	uint8_t			 key[NS_FKEY_LEN];
	struct ns_flood		*f;

	*before = 0;
	if (ps->tag == tag && ps->metered) {
		ns_flood_key(key, addr, port, plen);
		return ns_flood_metered(det, ps, key);
	}
	if (ps->tag != tag || ps->sec != det->now) {
		ps->tag = tag;
		ps->sec = det->now;
		ps->count = 0;
		ps->metered = 0;
		ps->meter = NULL;
	}
	if (++ps->count < NS_FLOOD_MIN)
		return NULL;
	ps->metered = 1;
	*before = ps->count - 1;

	/* The first window starts with the second of the SYNs counted. */
	ns_flood_key(key, addr, port, plen);
	f = ns_flood_meter(det, key, (uint64_t)ps->sec * NS_USEC);
	ns_presyn_keep(ps, f);
	return f;
}

/*
 * Engage a flood once its open window contains a second's worth of SYNs
 * over the thresholds, not when the window closes.  Until the event is
 * engaged every spoofed SYN opens a first contact, and the second of the
 * window that the first SYN starts may have most of it still to run.
 * Every 64th SYN of a window checks, because the policy lookup is not
 * free.
 */
static void
ns_flood_early(struct ns_detect *det, struct ns_flood *f)
{
	if (f->ev != NULL || (f->syns & 63) != 0 || !ns_flood_over(f))
		return;
	f->quiet_since = 0;
	if (f->syns > f->peak)
		f->peak = f->syns;
	ns_flood_engage(det, f);
}

static void
ns_flood_add(struct ns_detect *det, struct ns_flood *f, uint32_t before,
    const uint8_t *src, uint32_t hs, uint32_t hd)
{
	ns_flood_count(f, src, hs, hd);
	f->syns += before;
	f->event_syns += before;
	ns_flood_early(det, f);
}

/*
 * A SYN to dst:port, after ns_syn_target() for dst.  Returns 1 while a
 * flood against that port is engaged, so that its spoofed sources open
 * no first contacts.
 */
static int
ns_flood_syn(struct ns_detect *det, const uint8_t *src, const uint8_t *dst,
    const struct ns_probe *p)
{
	const struct ns_flood_net	*net = &det->net;
	struct ns_flood			*f, *n;
	uint32_t			 hs, hd, hn, before;

	if (!ns_enabled(NS_EV_SYN_FLOOD))
		return 0;
	if (p->flags & NS_PR_SYN) {
		hs = p->u.addr_hash.src;
		hd = p->u.addr_hash.dst;
	} else {
		hs = ns_dmap_hash(src, NS_IPKEY_LEN);
		hd = ns_dmap_hash(dst, NS_IPKEY_LEN);
	}
	f = ns_flood_gate(det, hd ^ (p->dport * 0x9e3779b1u), dst, p->dport,
	    dst[0] == NS_INET_IPV4 ? 32 : 128, &before);
	if (f != NULL)
		ns_flood_add(det, f, before, src, hs, hd);

	hn = net->hash ^ (p->dport * 0x85ebca6bu) ^ net->plen;
	n = ns_flood_gate(det, hn, net->key, p->dport, net->plen, &before);
	if (n != NULL)
		ns_flood_add(det, n, before, src, hs, hd);
	return (f != NULL && f->ev != NULL) || (n != NULL && n->ev != NULL);
}

/*
 * The server's SYN-ACK: remember the ACK number that completes it, in the
 * slot of the client's flow (tuple hash h of client to server).
 */
static void
ns_handshake_offer(struct ns_detect *det, uint32_t h, uint32_t seq)
{
	det->handshakes[h & (NS_HS_SLOTS - 1)] =
	    (uint64_t)((h >> 16) | 1) << 32 | (seq + 1);
}

/*
 * The client's ACK on its flow with tuple hash h: a completed handshake
 * counts against the flood.  Returns 1 when the ACK completed a
 * handshake seen here.
 */
static int
ns_handshake_ack(struct ns_detect *det, uint32_t h, const uint8_t *server,
    const struct ns_probe *p)
{
	uint8_t		 net[NS_IPKEY_LEN], plen;
	uint64_t	*slot = &det->handshakes[h & (NS_HS_SLOTS - 1)];
	struct ns_flood	*f;

	if (*slot != ((uint64_t)((h >> 16) | 1) << 32 | p->tcp_ack))
		return 0;
	*slot = 0;

	f = ns_flood_find(det, server, p->dport,
	    server[0] == NS_INET_IPV4 ? 32 : 128);
	if (f != NULL)
		f->done++;
	ns_flood_net(server, net, &plen);
	f = ns_flood_find(det, net, p->dport, plen);
	if (f != NULL)
		f->done++;
	return 1;
}

/* Suspicious traffic. */

static int
ns_key_unspecified(const uint8_t *key)
{
	static const uint8_t	 zero[16];

	return memcmp(key + 1, zero, key[0] == NS_INET_IPV4 ? 4 : 16) == 0;
}

static int
ns_key_loopback(const uint8_t *key)
{
	static const uint8_t	 one[16] = { [15] = 1 };

	if (key[0] == NS_INET_IPV4)
		return key[1] == 127;
	return memcmp(key + 1, one, 16) == 0;
}

/*
 * Multicast, limited broadcast or the directed broadcast of a local
 * network: such traffic answers no single host, so it opens no contact.
 */
static int
ns_key_group(const uint8_t *key)
{
	const struct ns_policy	*local;
	unsigned		 i;

	if (key[0] == NS_INET_IPV6)
		return key[1] == 0xff;
	if (key[1] >= 224)
		return 1;
	local = ns_local_net(key);
	if (local == NULL || local->plen >= 31)
		return 0;
	for (i = local->plen; i < 32; i++)
		if ((key[1 + i / 8] & (0x80 >> (i % 8))) == 0)
			return 0;
	return 1;
}

/*
 * Land attack: a TCP or UDP packet from an address and port to the same
 * address and port, which some stacks answered forever.  A host never
 * sends one to itself over a real link.
 */
static void
ns_check_land(struct ns_detect *det, const uint8_t *src, const uint8_t *dst,
    const struct ns_probe *p)
{
	if (!(p->flags & NS_PR_PORTS) || p->sport != p->dport)
		return;
	if (det->loopback || memcmp(src, dst, NS_IPKEY_LEN) != 0)
		return;
	if (ns_key_loopback(src) || ns_key_unspecified(src))
		return;
	ns_alert_hit(det, NS_EV_LAND, src, dst, p->dport,
	    "land attack (same source and destination address and port)");
}

/* TCP flag sets that no stack sends (RFC 9293 gives them no meaning). */
static const char *
ns_bad_flags(uint8_t flags)
{
	uint8_t	 f = flags & (NS_TH_FIN | NS_TH_SYN | NS_TH_RST | NS_TH_PSH |
		    NS_TH_ACK | NS_TH_URG);

	if (f == 0)
		return "TCP NULL packet (no flags)";
	if ((f & (NS_TH_SYN | NS_TH_FIN)) == (NS_TH_SYN | NS_TH_FIN))
		return "TCP SYN and FIN together";
	if ((f & (NS_TH_SYN | NS_TH_RST)) == (NS_TH_SYN | NS_TH_RST))
		return "TCP SYN and RST together";
	if ((f & (NS_TH_FIN | NS_TH_PSH | NS_TH_URG)) ==
	    (NS_TH_FIN | NS_TH_PSH | NS_TH_URG) && (f & NS_TH_ACK) == 0)
		return "TCP Xmas packet (FIN, PSH and URG)";
	return NULL;
}

static void
ns_check_fragment(struct ns_detect *det, const uint8_t *src,
    const uint8_t *dst, const struct ns_probe *p)
{
	uint8_t		 key[NS_FRKEY_LEN];
	struct ns_frag	*fr;
	uint32_t	 lo = p->frag_offset, hi = lo + p->frag_len;
	unsigned	 i;
	int		 created;

	if (hi > 65535 - (p->flags & NS_PR_IPV6 ? 0 : 20)) {
		if (p->proto == NS_PROTO_ICMP)
			ns_alert_hit(det, NS_EV_PING_OF_DEATH, src, dst, 0,
			    "ping of death (ICMP datagram over 65535 bytes)");
		else
			ns_alert_hit(det, NS_EV_BAD_FRAGMENT, src, dst, 0,
			    "fragment ends past 65535 bytes");
	}
	if (p->proto == NS_PROTO_TCP && lo == 0 &&
	    (p->flags & NS_PR_FRAG_MORE) && !(p->flags & NS_PR_PORTS))
		ns_alert_hit(det, NS_EV_BAD_FRAGMENT, src, dst, 0,
		    "tiny first fragment without the whole TCP header");
	if (p->proto == NS_PROTO_TCP && lo == 8)
		ns_alert_hit(det, NS_EV_BAD_FRAGMENT, src, dst, 0,
		    "TCP fragment at offset 8 (header overwrite)");

	memcpy(key, src, NS_IPKEY_LEN);
	memcpy(key + NS_IPKEY_LEN, dst, NS_IPKEY_LEN);
	memcpy(key + 2 * NS_IPKEY_LEN, &p->frag_id, 4);
	key[NS_FRKEY_LEN - 1] = p->proto;
	fr = NS_DMAP_GET(&det->frags, key, NS_FRKEY_LEN, det->now, &created);
	if (fr == NULL)
		return;
	for (i = 0; i < fr->n; i++) {
		/* An exact copy is a duplicate on the link, not an attack. */
		if (fr->lo[i] == lo && fr->hi[i] == hi)
			return;
		if (lo < fr->hi[i] && fr->lo[i] < hi) {
			ns_alert_hit(det, NS_EV_BAD_FRAGMENT, src, dst, 0,
			    "overlapping IP fragments");
			return;
		}
	}
	if (fr->n < NS_FRAG_RANGES) {
		fr->lo[fr->n] = lo;
		fr->hi[fr->n] = hi;
		fr->n++;
	}
}

static int
ns_port_forbidden(const uint8_t *set, uint16_t port)
{
	return (set[port / 8] & (1 << (port % 8))) != 0;
}

/* ARP: learn bindings, flag a changed one, open sweep contacts. */
static void
ns_detect_arp(struct ns_detect *det, const struct ns_probe *p)
{
	struct ns_arp_binding	*b;
	uint8_t			 spa[NS_IPKEY_LEN], tpa[NS_IPKEY_LEN];
	char			 what[96];
	uint32_t		 seen;
	int			 created;

	ns_ipkey_set(spa, 4, p->u.arp.spa);
	ns_ipkey_set(tpa, 4, p->u.arp.tpa);
	if (ns_key_unspecified(spa))
		return;

	if (p->u.arp.op == 1 && memcmp(spa, tpa, NS_IPKEY_LEN) != 0)
		ns_contact_open(det, spa, tpa, 0, NS_PROTO_ARP, NS_PK_ARP,
		    ns_contact_hash(spa, tpa, 0, NS_PROTO_ARP));
	else if (p->u.arp.op == 2)
		ns_contact_resolve(det, ns_contact_find(det, tpa, spa, 0,
		    NS_PROTO_ARP, ns_contact_hash(tpa, spa, 0, NS_PROTO_ARP)),
		    NS_OUT_SUCCESS, NS_CT_DONE);

	b = NS_DMAP_FIND(&det->arp, p->u.arp.spa, 4);
	seen = b != NULL ? b->head.touched : 0;
	b = NS_DMAP_GET(&det->arp, p->u.arp.spa, 4, det->now, &created);
	if (b == NULL)
		return;
	if (!created && memcmp(b->mac, p->u.arp.sha, NS_MAC_LEN) != 0 &&
	    det->now - seen <= ns_detect_conf.arp_window) {
		snprintf(what, sizeof(what), "ARP: address moved from "
		    "%02x:%02x:%02x:%02x:%02x:%02x to "
		    "%02x:%02x:%02x:%02x:%02x:%02x", b->mac[0], b->mac[1],
		    b->mac[2], b->mac[3], b->mac[4], b->mac[5],
		    p->u.arp.sha[0], p->u.arp.sha[1], p->u.arp.sha[2],
		    p->u.arp.sha[3], p->u.arp.sha[4], p->u.arp.sha[5]);
		ns_alert_hit(det, NS_EV_ARP_SPOOF, spa, NULL, 0, what);
	}
	memcpy(b->mac, p->u.arp.sha, NS_MAC_LEN);
}

/* Per-protocol steps. */

/*
 * The flow filter remembers recent flows by a tag per slot, so that only
 * the first packet of a flow looks up contacts.  A collision makes a
 * first packet look known, which at worst misses one probe.  The low 16
 * bits of the tuple hash pick the slot and the high ones make the tag,
 * with bit 0 set so that an empty slot matches no flow.  A tag takes 16
 * bits, so the filter fills less of the cache that the tables use.
 */
static uint32_t
ns_tuple_hash(const uint8_t *src, const uint8_t *dst, uint16_t sport,
    uint16_t dport, uint8_t proto)
{
	uint8_t		 key[2 * NS_IPKEY_LEN + 5];

	memcpy(key, src, NS_IPKEY_LEN);
	memcpy(key + NS_IPKEY_LEN, dst, NS_IPKEY_LEN);
	memcpy(key + 2 * NS_IPKEY_LEN, &sport, 2);
	memcpy(key + 2 * NS_IPKEY_LEN + 2, &dport, 2);
	key[sizeof(key) - 1] = proto;
	return ns_dmap_hash(key, sizeof(key));
}

/* Mark the flow with tuple hash h seen; returns 1 if it was seen before. */
static int
ns_flow_mark(struct ns_detect *det, uint32_t h)
{
	uint16_t	*slot = &det->flows[h & (NS_FLOW_SLOTS - 1)];
	uint16_t	 tag = (uint16_t)((h >> 16) | 1);

	if (*slot == tag)
		return 1;
	*slot = tag;
	return 0;
}

static int
ns_flow_known(struct ns_detect *det, uint32_t h)
{
	return det->flows[h & (NS_FLOW_SLOTS - 1)] == ((h >> 16) | 1);
}

/*
 * The hashes that ns_detect_tcp(), ns_detect_udp() and ns_detect_icmp()
 * read for a probe, as a mask of 1 << enum ns_probe_hash.  The tuple
 * hash of TCP marks the flow, a SYN opens a contact, a SYN-ACK offers
 * the reverse flow's handshake and resolves the reverse contact, a RST
 * closes a contact either way, and a bare ACK completes a handshake or
 * probes.  Bulk data segments are left alone.
 */
#define NS_PH(x)	(1u << (x))

static unsigned
ns_probe_hash_mask(const struct ns_conv_key *ck, const struct ns_probe *p)
{
	uint8_t	 f = p->tcp_flags & 0x3f;
	int	 v6 = (p->flags & NS_PR_IPV6) != 0;

	if ((p->flags & NS_PR_ARP) || !ck->key[1])
		return 0;
	if (p->proto == NS_PROTO_UDP && (p->flags & NS_PR_PORTS))
		return NS_PH(NS_PH_FLOW) | NS_PH(NS_PH_FLOW_REV) |
		    NS_PH(NS_PH_CONTACT) | NS_PH(NS_PH_CONTACT_REV);
	if (p->proto != NS_PROTO_TCP || !(p->flags & NS_PR_PORTS)) {
		if (!(p->flags & NS_PR_ICMP))
			return 0;
		if (p->icmp_type == (v6 ? 128 : 8))
			return NS_PH(NS_PH_CONTACT);
		if (p->icmp_type == (v6 ? 129 : 0))
			return NS_PH(NS_PH_CONTACT_REV);
		return 0;
	}

	if ((p->flags & NS_PR_DATA) && (f & ~NS_TH_PSH) == NS_TH_ACK)
		return 0;
	if ((f & (NS_TH_SYN | NS_TH_ACK | NS_TH_RST)) ==
	    (NS_TH_SYN | NS_TH_ACK))
		return NS_PH(NS_PH_FLOW) | NS_PH(NS_PH_FLOW_REV) |
		    NS_PH(NS_PH_CONTACT_REV);
	if (f & NS_TH_RST)
		return NS_PH(NS_PH_FLOW) | NS_PH(NS_PH_CONTACT) |
		    NS_PH(NS_PH_CONTACT_REV);
	if ((f & NS_TH_ACK) && !(f & NS_TH_SYN))
		return NS_PH(NS_PH_FLOW) | NS_PH(NS_PH_FLOW_REV) |
		    NS_PH(NS_PH_CONTACT);
	return NS_PH(NS_PH_FLOW) | NS_PH(NS_PH_CONTACT);
}

void
ns_probe_hash(const struct ns_conv_key *ck, struct ns_probe *p)
{
	const uint8_t	*src = ck->key + NS_CONV_IPKEYS;
	const uint8_t	*dst = src + NS_IPKEY_LEN;
	unsigned	 mask = ns_probe_hash_mask(ck, p);
	uint16_t	 sport = 0, dport = 0;
	uint32_t	 hs = 0, hd = 0;

	/* ICMP contacts have port 0. */
	if ((p->proto == NS_PROTO_TCP || p->proto == NS_PROTO_UDP) &&
	    (p->flags & NS_PR_PORTS)) {
		sport = p->sport;
		dport = p->dport;
	}
	if (mask & NS_PH(NS_PH_FLOW))
		p->hash[NS_PH_FLOW] = ns_tuple_hash(src, dst, sport, dport,
		    p->proto);
	if (mask & NS_PH(NS_PH_FLOW_REV))
		p->hash[NS_PH_FLOW_REV] = ns_tuple_hash(dst, src, dport,
		    sport, p->proto);
	if ((mask & (NS_PH(NS_PH_CONTACT) | NS_PH(NS_PH_CONTACT_REV))) ||
	    ((p->flags & NS_PR_SYN) && ck->key[1])) {
		hs = ns_dmap_hash(src, NS_IPKEY_LEN);
		hd = ns_dmap_hash(dst, NS_IPKEY_LEN);
	}
	if (mask & NS_PH(NS_PH_CONTACT))
		p->hash[NS_PH_CONTACT] = ns_contact_mix(hs, hd, dport,
		    p->proto);
	if (mask & NS_PH(NS_PH_CONTACT_REV))
		p->hash[NS_PH_CONTACT_REV] = ns_contact_mix(hd, hs, sport,
		    p->proto);
	if ((p->flags & NS_PR_SYN) && ck->key[1]) {
		p->u.addr_hash.src = hs;
		p->u.addr_hash.dst = hd;
	}
	p->flags |= NS_PR_HASHED;
}

/*
 * Update det->net for the target of a SYN and return it.  A flood sends
 * SYN after SYN to one target, so the cache mostly hits.
 */
static const struct ns_flood_net *
ns_syn_target(struct ns_detect *det, const uint8_t *dst)
{
	struct ns_flood_net	*net = &det->net;

	if (net->valid && ns_ipkey_equal(net->addr, dst))
		return net;
	memcpy(net->addr, dst, NS_IPKEY_LEN);
	net->group = ns_key_group(dst);
	ns_flood_net(dst, net->key, &net->plen);
	net->hash = ns_dmap_hash(net->key, NS_IPKEY_LEN);
	net->valid = 1;
	return net;
}

static void
ns_tcp_syn(struct ns_detect *det, const uint8_t *src, const uint8_t *dst,
    const struct ns_probe *p)
{
	if (ns_syn_target(det, dst)->group)
		return;
	if (ns_port_forbidden(ns_detect_conf.forbidden_tcp, p->dport))
		ns_alert_hit(det, NS_EV_FORBIDDEN_PORT, src, dst, p->dport,
		    "connection attempt to a forbidden TCP port");
	if (ns_flood_syn(det, src, dst, p))
		return;
	ns_contact_open(det, src, dst, p->dport, NS_PROTO_TCP,
	    NS_PK_TCP_SYN, p->hash[NS_PH_CONTACT]);
}

static void
ns_tcp_rst(struct ns_detect *det, const uint8_t *src, const uint8_t *dst,
    const struct ns_probe *p)
{
	struct ns_contact	*c;
	struct ns_scanner	*s;

	/* The target refuses: the probe failed. */
	c = ns_contact_find(det, dst, src, p->sport, NS_PROTO_TCP,
	    p->hash[NS_PH_CONTACT_REV]);
	if (c != NULL && c->state == NS_CT_PENDING) {
		ns_contact_resolve(det, c, NS_OUT_FAILURE, NS_CT_DONE);
		return;
	}

	/* The scanner resets an answered SYN: a half-open scan. */
	c = ns_contact_find(det, src, dst, p->dport, NS_PROTO_TCP,
	    p->hash[NS_PH_CONTACT]);
	if (c != NULL && c->state == NS_CT_ANSWERED) {
		c->state = NS_CT_DONE;
		s = NS_DMAP_FIND(&det->scanners, src, NS_IPKEY_LEN);
		if (s != NULL)
			s->half_open++;
	}
}

static void
ns_tcp_ack(struct ns_detect *det, const uint8_t *src, const uint8_t *dst,
    const struct ns_probe *p, uint32_t h, int seen)
{
	uint8_t			 f = p->tcp_flags & 0x3f;
	struct ns_contact	*c;
	struct ns_scanner	*s;

	if ((f & ~NS_TH_PSH) == NS_TH_ACK && ns_handshake_ack(det, h, dst, p)) {
		c = ns_contact_find(det, src, dst, p->dport, NS_PROTO_TCP,
		    p->hash[NS_PH_CONTACT]);
		if (c != NULL && c->state == NS_CT_ANSWERED) {
			c->state = NS_CT_DONE;
			s = NS_DMAP_FIND(&det->scanners, src, NS_IPKEY_LEN);
			if (s != NULL)
				s->completed++;
		}
		return;
	}

	/* An ACK that belongs to no flow seen: an ACK scan probe. */
	if (f == NS_TH_ACK && !seen && !ns_key_group(dst) &&
	    !ns_flow_known(det, p->hash[NS_PH_FLOW_REV]))
		ns_contact_open(det, src, dst, p->dport, NS_PROTO_TCP,
		    NS_PK_TCP_ACK, p->hash[NS_PH_CONTACT]);
}

static void
ns_detect_tcp(struct ns_detect *det, const uint8_t *src, const uint8_t *dst,
    const struct ns_probe *p)
{
	uint8_t		 f = p->tcp_flags & 0x3f;
	const char	*bad = ns_bad_flags(p->tcp_flags);
	uint32_t	 h;
	int		 seen, kind;

	if (bad != NULL)
		ns_alert_hit(det, NS_EV_BAD_TCP_FLAGS, src, dst, 0, bad);

	/*
	 * Data with ACK and no other flag is the bulk of TCP: it neither
	 * probes nor answers a probe, nor completes a handshake, so it is
	 * left alone.
	 */
	if ((p->flags & NS_PR_DATA) &&
	    (f & ~NS_TH_PSH) == NS_TH_ACK)
		return;
	h = p->hash[NS_PH_FLOW];
	seen = ns_flow_mark(det, h);

	if ((f & (NS_TH_SYN | NS_TH_ACK | NS_TH_RST | NS_TH_FIN)) ==
	    NS_TH_SYN)
		ns_tcp_syn(det, src, dst, p);
	else if ((f & (NS_TH_SYN | NS_TH_ACK | NS_TH_RST)) ==
	    (NS_TH_SYN | NS_TH_ACK)) {
		ns_handshake_offer(det, p->hash[NS_PH_FLOW_REV], p->tcp_seq);
		ns_contact_resolve(det, ns_contact_find(det, dst, src,
		    p->sport, NS_PROTO_TCP, p->hash[NS_PH_CONTACT_REV]),
		    NS_OUT_SUCCESS, NS_CT_ANSWERED);
	} else if (f & NS_TH_RST)
		ns_tcp_rst(det, src, dst, p);
	else if (f & NS_TH_ACK)
		ns_tcp_ack(det, src, dst, p, h, seen);
	else if (!seen && !ns_key_group(dst) && (f & NS_TH_SYN) == 0) {
		if (f == 0)
			kind = NS_PK_TCP_NULL;
		else if ((f & (NS_TH_FIN | NS_TH_PSH | NS_TH_URG)) ==
		    (NS_TH_FIN | NS_TH_PSH | NS_TH_URG))
			kind = NS_PK_TCP_XMAS;
		else
			kind = NS_PK_TCP_FIN;
		ns_contact_open(det, src, dst, p->dport, NS_PROTO_TCP, kind,
		    p->hash[NS_PH_CONTACT]);
	}
}

static void
ns_detect_udp(struct ns_detect *det, const uint8_t *src, const uint8_t *dst,
    const struct ns_probe *p)
{
	struct ns_contact	*c;

	if (ns_key_group(dst) || ns_key_unspecified(src))
		return;
	if (ns_flow_mark(det, p->hash[NS_PH_FLOW]))
		return;

	/* The first packet back from a probed port answers the probe. */
	c = ns_contact_find(det, dst, src, p->sport, NS_PROTO_UDP,
	    p->hash[NS_PH_CONTACT_REV]);
	if (c != NULL) {
		ns_contact_resolve(det, c, NS_OUT_SUCCESS, NS_CT_DONE);
		return;
	}

	/*
	 * Any other datagram from a well-known service port to a high port
	 * answers a request too, perhaps one forged by a reflection attack:
	 * never a probe, so it opens no contact.
	 */
	if (p->sport < 1024 && p->dport >= 1024)
		return;
	if (ns_flow_known(det, p->hash[NS_PH_FLOW_REV]))
		return;
	if (ns_port_forbidden(ns_detect_conf.forbidden_udp, p->dport))
		ns_alert_hit(det, NS_EV_FORBIDDEN_PORT, src, dst,
		    NS_ALERT_UDP | p->dport, "datagram to a forbidden UDP port");
	ns_contact_open(det, src, dst, p->dport, NS_PROTO_UDP, NS_PK_UDP,
	    p->hash[NS_PH_CONTACT]);
}

/*
 * Does an ICMP error report that the quoted probe could not reach its
 * port or host?  Other errors, and the answers to traceroute's probes,
 * say nothing about a scan.
 */
static int
ns_icmp_failure(const struct ns_probe *p)
{
	if (p->inner_proto == NS_PROTO_UDP &&
	    p->inner_dport >= NS_TRACEROUTE_LO &&
	    p->inner_dport <= NS_TRACEROUTE_HI)
		return NS_OUT_NONE;
	if (!(p->flags & NS_PR_IPV6))
		return p->icmp_type == 3 && (p->icmp_code <= 1 ||
		    p->icmp_code == 3 || p->icmp_code == 9 ||
		    p->icmp_code == 10 || p->icmp_code == 13) ?
		    NS_OUT_FAILURE : NS_OUT_NONE;
	return p->icmp_type == 1 && p->icmp_code != 2 &&
	    p->icmp_code <= 4 ? NS_OUT_FAILURE : NS_OUT_NONE;
}

static int
ns_key_broadcast(const uint8_t *key, const struct ns_probe *p)
{
	if (key[0] != NS_INET_IPV4)
		return 0;
	if (p->flags & NS_PR_BCAST)
		return 1;
	if (key[1] == 255 && key[2] == 255 && key[3] == 255 && key[4] == 255)
		return 1;
	return key[1] < 224 && ns_key_group(key);
}

static void
ns_detect_icmp(struct ns_detect *det, const uint8_t *src, const uint8_t *dst,
    const struct ns_probe *p)
{
	int		 v6 = (p->flags & NS_PR_IPV6) != 0;
	uint8_t		 target[NS_IPKEY_LEN];
	uint16_t	 port;

	if (p->icmp_type == (v6 ? 128 : 8)) {
		if (ns_key_broadcast(dst, p))
			ns_alert_hit(det, NS_EV_SMURF, src, dst, 0,
			    "smurf: ICMP echo request to a broadcast address");
		if (!ns_key_group(dst) && !ns_key_unspecified(src))
			ns_contact_open(det, src, dst, 0, p->proto,
			    NS_PK_ICMP_ECHO, p->hash[NS_PH_CONTACT]);
	} else if (p->icmp_type == (v6 ? 129 : 0)) {
		ns_contact_resolve(det, ns_contact_find(det, dst, src, 0,
		    p->proto, p->hash[NS_PH_CONTACT_REV]), NS_OUT_SUCCESS,
		    NS_CT_DONE);
	} else if (p->flags & NS_PR_INNER) {
		ns_ipkey_set(target, v6 ? 6 : 4, p->u.inner_dst);
		port = p->inner_proto == NS_PROTO_TCP ||
		    p->inner_proto == NS_PROTO_UDP ? p->inner_dport : 0;
		ns_contact_resolve(det, ns_contact_find(det, dst, target, port,
		    p->inner_proto, ns_contact_hash(dst, target, port,
		    p->inner_proto)), ns_icmp_failure(p), NS_CT_DONE);
	}
}

/* Entry points. */

static void
ns_detect_clock(struct ns_detect *det, uint32_t sec, uint32_t usec)
{
	uint64_t	 us = (uint64_t)sec * NS_USEC + (usec < NS_USEC ?
			    usec : NS_USEC - 1);

	if (us > det->now_us) {
		det->now_us = us;
		det->now = sec;
	}
}

void
ns_detect_frame(struct ns_detect *det, const struct ns_conv_key *ck,
    const struct ns_probe *p, uint32_t sec, uint32_t usec)
{
	const uint8_t	*src = ck->key + NS_CONV_IPKEYS;
	const uint8_t	*dst = src + NS_IPKEY_LEN;
	struct ns_probe	 hashed;

	if (!det->enabled)
		return;
	if (!(p->flags & NS_PR_HASHED)) {
		hashed = *p;
		ns_probe_hash(ck, &hashed);
		p = &hashed;
	}
	ns_detect_clock(det, sec, usec);
	if (det->now != det->last_tick)
		ns_detect_tick(det, det->now);

	if (p->flags & NS_PR_ARP) {
		ns_detect_arp(det, p);
		return;
	}
	if (!ck->key[1])
		return;

	ns_check_land(det, src, dst, p);
	if (p->flags & NS_PR_FRAG)
		ns_check_fragment(det, src, dst, p);
	if (p->proto == NS_PROTO_TCP && (p->flags & NS_PR_PORTS))
		ns_detect_tcp(det, src, dst, p);
	else if (p->proto == NS_PROTO_UDP && (p->flags & NS_PR_PORTS))
		ns_detect_udp(det, src, dst, p);
	else if (p->flags & NS_PR_ICMP)
		ns_detect_icmp(det, src, dst, p);
}

void
ns_detect_tick(struct ns_detect *det, uint32_t sec)
{
	struct ns_detect_conf	*c = &ns_detect_conf;
	struct ns_flood		*f, *next;
	struct ns_scanner	*s;

	if (sec > det->now)
		ns_detect_clock(det, sec, 0);
	det->last_tick = det->now;

	ns_contacts_expire(det, det->now, 0);
	while ((s = TAILQ_FIRST(&det->dirty)) != NULL)
		ns_scan_refresh(det, s, 0);
	ns_dmap_expire(&det->contacts, det->now, c->scan_window);
	ns_dmap_expire(&det->scanners, det->now, c->scan_window);
	ns_dmap_expire(&det->victims, det->now, c->scan_window);

	/* Only meters with a window open or a flood engaged have work. */
	for (f = TAILQ_FIRST(&det->busy); f != NULL; f = next) {
		next = TAILQ_NEXT(f, busy_link);
		ns_flood_tick(det, f, det->now_us, 0);
		if (f->win_start == 0 && f->ev == NULL) {
			TAILQ_REMOVE(&det->busy, f, busy_link);
			f->busy = 0;
		}
	}
	ns_dmap_expire(&det->floods, det->now, c->hold_down + 2);

	ns_dmap_expire(&det->alerts, det->now, c->hold_down);
	ns_dmap_expire(&det->frags, det->now, NS_FRAG_IDLE);
	ns_dmap_expire(&det->arp, det->now, c->arp_window);

	/* Changes wait for a free lock, but not past a second. */
	if (!ns_detect_try_flush(det) && det->now != det->flushed)
		ns_detect_flush(det);
}

void
ns_detect_finish(struct ns_detect *det)
{
	struct ns_flood		*f;
	struct ns_scanner	*s;
	struct ns_dnode		*n;

	ns_contacts_expire(det, det->now, 1);
	for (f = NS_DMAP_FIRST(&det->floods); f != NULL; f = NS_DMAP_NEXT(f)) {
		ns_flood_tick(det, f, det->now_us, 1);
		ns_flood_release(det, f);
	}
	for (s = NS_DMAP_FIRST(&det->scanners); s != NULL;
	    s = NS_DMAP_NEXT(s))
		ns_scan_release(det, s);
	while ((n = NS_DMAP_FIRST(&det->alerts)) != NULL)
		ns_dmap_remove(&det->alerts, n);
	while ((n = NS_DMAP_FIRST(&det->victims)) != NULL)
		ns_dmap_remove(&det->victims, n);
	ns_detect_flush(det);
}
