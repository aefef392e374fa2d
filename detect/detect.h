/* netsentry: port scan, SYN flood and suspicious traffic detectors. */
#ifndef NS_DETECT_H
#define NS_DETECT_H

#include <stddef.h>
#include <stdint.h>

#include "decode.h"
#include "event.h"
#include "tables.h"

/*
 * The fields of a decoded frame that the detectors need beyond its
 * conversation key, whose IP keys give the addresses.  The reader thread
 * fills it, so it must fit one cache line of the ring.
 */
#define NS_PR_PORTS	0x01	/* sport and dport are valid */
#define NS_PR_ICMP	0x02	/* icmp_type and icmp_code are valid */
#define NS_PR_INNER	0x04	/* an ICMP error quoted a header */
#define NS_PR_FRAG	0x08	/* an IP fragment, first or later */
#define NS_PR_FRAG_MORE	0x10
#define NS_PR_ARP	0x20	/* u.arp is valid */
#define NS_PR_BCAST	0x40	/* Ethernet broadcast destination */
#define NS_PR_IPV6	0x80
#define NS_PR_DATA	0x100	/* a TCP segment that carries data */
#define NS_PR_HASHED	0x200	/* ns_probe_hash() filled hash[] */
#define NS_PR_SYN	0x400	/* a TCP SYN without ACK, RST or FIN */

/*
 * The detectors' keyed hashes of a packet's tuple and of its first
 * contact keys, one per direction.  ns_probe_hash() sets only those that
 * the probe's kind and TCP flags make the detectors read, and an ICMP
 * contact key has port 0.  For a probe with NS_PR_SYN it also sets
 * u.addr_hash, which the SYN flood meters read.
 */
enum ns_probe_hash {
	NS_PH_FLOW,		/* source to destination */
	NS_PH_FLOW_REV,		/* destination to source */
	NS_PH_CONTACT,		/* source probes destination port */
	NS_PH_CONTACT_REV,	/* destination probes source port */
	NS_PH_COUNT
};

struct ns_probe {
	uint16_t	 flags;
	uint8_t		 proto;		/* IP protocol after extensions */
	uint8_t		 tcp_flags;
	uint8_t		 icmp_type;
	uint8_t		 icmp_code;
	uint8_t		 inner_proto;
	uint16_t	 sport;
	uint16_t	 dport;
	uint16_t	 inner_dport;
	uint16_t	 frag_offset;	/* at most 8191 * 8 */
	uint32_t	 tcp_seq;
	uint32_t	 tcp_ack;
	uint32_t	 frag_len;
	uint32_t	 frag_id;
	union {
		uint8_t	 inner_dst[16];	/* quoted destination address */
		struct {
			uint16_t op;
			uint8_t	 sha[NS_MAC_LEN];
			uint8_t	 spa[4];
			uint8_t	 tpa[4];
		} arp;
		struct {
			uint32_t src;	/* keyed hash of the source IP key */
			uint32_t dst;
		} addr_hash;
	} u;
	uint32_t	 hash[NS_PH_COUNT];
};

void	 ns_probe_fill(const struct ns_decoded *, struct ns_probe *);

/*
 * Fill p->hash, and u.addr_hash of a SYN, from the addresses in ck.
 * While ns_detect_hashing() is true, the reader thread calls it when the
 * other two threads lag behind it, so that it takes work off them.
 * ns_detect_frame() hashes a probe that comes without them.
 */
void	 ns_probe_hash(const struct ns_conv_key *ck, struct ns_probe *p);

/* Sensitivity of the port scan test, per subnet. */
enum ns_sensitivity {
	NS_SENS_DEFAULT = 0,
	NS_SENS_LOW,
	NS_SENS_NORMAL,
	NS_SENS_HIGH
};

/* A policy directive: settings for the addresses in one CIDR block. */
struct ns_policy {
	uint8_t		 net[NS_IPKEY_LEN];
	uint8_t		 plen;
	int		 exempt;	/* never reported as an attacker */
	int		 sensitivity;	/* enum ns_sensitivity */
	uint32_t	 syn_rate;	/* 0: the global value */
	uint32_t	 half_open;	/* percent; 0: the global value */
};

/* Detector settings; ns_detect_conf contains the ones in force. */
struct ns_detect_conf {
	int		 enabled[NS_EV_TYPES];
	uint32_t	 contact_timeout;	/* seconds */
	uint32_t	 scan_window;		/* seconds */
	uint32_t	 hold_down;		/* seconds */
	int		 sensitivity;		/* enum ns_sensitivity */
	uint32_t	 syn_rate;		/* SYNs per second */
	uint32_t	 half_open;		/* percent of SYNs */
	uint32_t	 arp_window;		/* seconds */
	size_t		 max_contacts;
	size_t		 max_scanners;
	size_t		 max_flood_targets;
	size_t		 max_alerts;
	size_t		 max_fragments;
	size_t		 max_arp;
	uint8_t		 forbidden_tcp[65536 / 8];
	uint8_t		 forbidden_udp[65536 / 8];
	struct ns_policy *policies;
	size_t		 npolicies;
	struct ns_policy *local_nets;	/* only net and plen are used */
	size_t		 nlocal_nets;
};

extern struct ns_detect_conf ns_detect_conf;

/* Put the defaults into c. */
void	 ns_detect_conf_defaults(struct ns_detect_conf *c);
void	 ns_detect_conf_clear(struct ns_detect_conf *c);

/*
 * Parse "ADDRESS/PREFIX" into an IP key and a prefix length.  Returns -1
 * with a reason in err when the text is not a CIDR block.
 */
int	 ns_cidr_parse(const char *text, uint8_t *key, uint8_t *plen,
	    char *err, size_t errlen);

/* Return 1 when the IP key lies in the block net/plen. */
int	 ns_cidr_match(const uint8_t *net, uint8_t plen, const uint8_t *key);

struct ns_detect;

/*
 * One detector set per data source, used by one thread at a time.
 * source is the nsCaptureIndex that events name; loopback is set for a
 * loopback interface, where a packet from an address to itself is normal.
 * st holds the nsIpHostTable rows whose security counters the detectors
 * keep; they change only under st's lock (see ns_detect_flush()).
 */
struct ns_detect *ns_detect_new(unsigned source, int loopback,
	    struct ns_store *st);
void	 ns_detect_free(struct ns_detect *);

/*
 * Apply ns_detect_conf after it changed: the switches and the sizes of
 * the maps, which shrink as new entries push the oldest out.
 */
void	 ns_detect_refresh(struct ns_detect *);

/* Whether the reader should call ns_probe_hash(); any thread may ask. */
int	 ns_detect_hashing(const struct ns_detect *);

/*
 * Examine one frame, after the tables counted it.  The caller does not
 * hold the store lock.
 */
void	 ns_detect_frame(struct ns_detect *, const struct ns_conv_key *,
	    const struct ns_probe *, uint32_t sec, uint32_t usec);

/*
 * Let time pass without packets: timeouts and hold-down times.  It
 * flushes the logged counter changes if the store lock is free, or
 * waits for the lock if the last flush was in an earlier second.
 */
void	 ns_detect_tick(struct ns_detect *, uint32_t sec);

/*
 * The input ended: pending first contacts count as failed, every active
 * event is released at the time of the last packet, and the logged
 * counter changes are flushed.
 */
void	 ns_detect_finish(struct ns_detect *);

/*
 * The detectors log changes to the security counters of nsIpHostTable
 * and apply them in batches, taking the store lock once per batch.
 * ns_detect_flush() waits for the lock; ns_detect_try_flush() returns 0
 * without waiting when another thread holds it.  A full log is flushed
 * at once.
 */
void	 ns_detect_flush(struct ns_detect *);
int	 ns_detect_try_flush(struct ns_detect *);

/* Bytes held by detector state, for the benchmarks. */
size_t	 ns_detect_memory(const struct ns_detect *);

#endif /* NS_DETECT_H */
