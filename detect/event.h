/* netsentry: the event history and the notifications it raises. */
#ifndef NS_EVENT_H
#define NS_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "tables.h"

/* nsEventType values. */
enum ns_event_type {
	NS_EV_PORT_SCAN = 1,
	NS_EV_SYN_FLOOD,
	NS_EV_LAND,
	NS_EV_BAD_TCP_FLAGS,
	NS_EV_SMURF,
	NS_EV_PING_OF_DEATH,
	NS_EV_BAD_FRAGMENT,
	NS_EV_ARP_SPOOF,
	NS_EV_FORBIDDEN_PORT,
	NS_EV_TYPES			/* one past the last type */
};

/* nsEventState values. */
enum ns_event_state {
	NS_EVS_ACTIVE = 1,
	NS_EVS_ENDED = 2
};

/* nsEventProbe values: what a scan sent. */
enum ns_probe_kind {
	NS_PK_OTHER = 1,
	NS_PK_TCP_SYN,
	NS_PK_TCP_CONNECT,
	NS_PK_TCP_FIN,
	NS_PK_TCP_NULL,
	NS_PK_TCP_XMAS,
	NS_PK_TCP_ACK,
	NS_PK_UDP,
	NS_PK_ICMP_ECHO,
	NS_PK_ARP,
	NS_PK_KINDS
};

/* nsEventShape values: how a scan spread over targets and ports. */
enum ns_scan_shape {
	NS_SHAPE_NONE = 1,		/* not a scan */
	NS_SHAPE_VERTICAL,		/* one target, many ports */
	NS_SHAPE_HORIZONTAL,		/* one port, many targets */
	NS_SHAPE_BLOCK,			/* many of both */
	NS_SHAPE_DISTRIBUTED		/* many sources, one target */
};

/*
 * An InetAddress with its type and, for a network, its prefix length.
 * key is an IP key of tables.h; key[0] == 0 means unknown(0).
 */
struct ns_addr {
	uint8_t		 key[NS_IPKEY_LEN];
	uint8_t		 plen;
};

#define NS_EVENT_DESCR	160

/* One nsEventTable row. */
struct ns_event {
	uint32_t	 index;		/* nsEventIndex, from 1 */
	uint32_t	 source;	/* nsCaptureIndex */
	uint8_t		 type;		/* enum ns_event_type */
	uint8_t		 state;		/* enum ns_event_state */
	uint8_t		 probe;		/* enum ns_probe_kind */
	uint8_t		 shape;		/* enum ns_scan_shape */
	uint32_t	 start_sec;	/* packet time */
	uint32_t	 last_sec;
	uint8_t		 start_tenths;
	uint8_t		 last_tenths;
	struct ns_addr	 attacker;
	struct ns_addr	 target;
	uint16_t	 port;		/* destination port, 0: several */
	uint32_t	 ports;		/* distinct destination ports */
	uint32_t	 targets;	/* distinct target addresses */
	uint32_t	 sources;	/* distinct source addresses */
	uint64_t	 packets;
	uint32_t	 peak_rate;	/* packets per second */
	uint32_t	 probes;	/* first contacts when detected */
	char		 descr[NS_EVENT_DESCR];
};

/* The change of an event that a queued notification reports. */
enum ns_note_kind {
	NS_NOTE_STARTED = 1,		/* the event was engaged */
	NS_NOTE_GREW,			/* its reach grew tenfold */
	NS_NOTE_ENDED			/* it was released */
};

struct ns_note {
	int		 kind;
	struct ns_event	 ev;		/* the event as it was then */
};

/* nsSecurity scalars and nsEventTypeTable counters. */
struct ns_event_stats {
	uint64_t	 total;
	uint32_t	 active;
	uint64_t	 by_type[NS_EV_TYPES];
	uint32_t	 active_by_type[NS_EV_TYPES];
	uint64_t	 notes_dropped;	/* the queue was full */
	uint32_t	 waiting;	/* notes queued now */
};

/*
 * Create the history of at most history events and a notification queue
 * of at most queue entries.  Returns -1 when memory runs out.
 */
int	 ns_events_init(size_t history, size_t queue);
void	 ns_events_free(void);

/* Called with no lock held after a note was queued; set by the agent. */
extern void (*ns_events_wake)(void);

/*
 * Called by the detectors.  ns_event_open() gives ev its index and
 * queues NS_NOTE_STARTED.  ns_event_update() copies ev's counters into
 * the history and, when kind is not 0, queues a note of that kind.
 * ns_event_close() marks ev ended and queues NS_NOTE_ENDED.
 */
uint32_t ns_event_open(struct ns_event *ev);
void	 ns_event_update(const struct ns_event *ev, int kind);
void	 ns_event_close(struct ns_event *ev);

/* Called by the agent: take the oldest queued note, 0 if none. */
int	 ns_events_take(struct ns_note *);

/*
 * The history row whose index equals idx (next == 0) or follows it
 * (next == 1), copied to ev.  Returns 0 when there is none.
 */
int	 ns_events_find(uint32_t idx, int next, struct ns_event *ev);
void	 ns_events_stats(struct ns_event_stats *);

/*
 * Persistence.  ns_events_restore() puts an event of an earlier run
 * back, in increasing index order, as ended; returns 1 when it was kept.
 * ns_events_collect() copies at most max events changed since the last
 * call to out and returns how many.
 */
int	 ns_events_restore(const struct ns_event *ev);
size_t	 ns_events_collect(struct ns_event *out, size_t max);

/* Names used in logs, descriptions and nsEventTypeName. */
const char	*ns_event_type_name(int type);

/* The type whose nsEventTypeName is name, 0 when there is none. */
int		 ns_event_type_parse(const char *name);
const char	*ns_probe_kind_name(int probe);
const char	*ns_scan_shape_name(int shape);

/* Print an address as text, with "/plen" for a network. */
void	 ns_addr_format(const struct ns_addr *, char *buf, size_t len);

#endif /* NS_EVENT_H */
