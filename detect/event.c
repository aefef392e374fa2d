/*
 * netsentry: the event history and the notifications it raises.
 *
 * Every data source's detectors write here, so one mutex guards the
 * history (a ring of the latest events, in index order) and the queue of
 * notifications that the agent thread sends as SNMP traps.
 */
#include "config.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"

struct ns_events {
	pthread_mutex_t	 lock;
	struct ns_event	*ring;		/* event i at (i - 1) % cap */
	uint8_t		*dirty;		/* changed since last collected */
	size_t		 cap;
	uint32_t	 next_index;	/* index of the next event */

	struct ns_note	*queue;
	size_t		 qcap;
	size_t		 qhead;		/* oldest queued note */
	size_t		 qlen;

	struct ns_event_stats stats;
};

static struct ns_events	ns_ev = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void
ns_events_nowake(void)
{
}

void (*ns_events_wake)(void) = ns_events_nowake;

int
ns_events_init(size_t history, size_t queue)
{
	ns_events_free();
	if (history == 0 || queue == 0)
		return -1;
	ns_ev.ring = calloc(history, sizeof(*ns_ev.ring));
	ns_ev.dirty = calloc(history, sizeof(*ns_ev.dirty));
	ns_ev.queue = calloc(queue, sizeof(*ns_ev.queue));
	if (ns_ev.ring == NULL || ns_ev.dirty == NULL || ns_ev.queue == NULL) {
		ns_events_free();
		return -1;
	}
	ns_ev.cap = history;
	ns_ev.qcap = queue;
	ns_ev.next_index = 1;
	return 0;
}

void
ns_events_free(void)
{
	free(ns_ev.ring);
	free(ns_ev.dirty);
	free(ns_ev.queue);
	ns_ev.ring = NULL;
	ns_ev.dirty = NULL;
	ns_ev.queue = NULL;
	ns_ev.cap = ns_ev.qcap = ns_ev.qhead = ns_ev.qlen = 0;
	memset(&ns_ev.stats, 0, sizeof(ns_ev.stats));
}

/* The history slot of index, or NULL once it has been overwritten. */
static struct ns_event *
ns_events_slot(uint32_t index)
{
	if (index == 0 || index >= ns_ev.next_index ||
	    ns_ev.next_index - index > ns_ev.cap)
		return NULL;
	return &ns_ev.ring[(index - 1) % ns_ev.cap];
}

/*
 * Queue a note, dropping the oldest when the queue is full: a trap about
 * the latest state of an attack is worth more than an old one.
 */
static void
ns_events_queue(int kind, const struct ns_event *ev)
{
	struct ns_note	*n;

	if (ns_ev.qcap == 0)
		return;
	if (ns_ev.qlen == ns_ev.qcap) {
		ns_ev.qhead = (ns_ev.qhead + 1) % ns_ev.qcap;
		ns_ev.qlen--;
		ns_ev.stats.notes_dropped++;
	}
	n = &ns_ev.queue[(ns_ev.qhead + ns_ev.qlen) % ns_ev.qcap];
	n->kind = kind;
	n->ev = *ev;
	ns_ev.qlen++;
}

uint32_t
ns_event_open(struct ns_event *ev)
{
	struct ns_event	*slot;

	pthread_mutex_lock(&ns_ev.lock);
	ev->index = ns_ev.next_index++;
	ev->state = NS_EVS_ACTIVE;
	slot = ns_events_slot(ev->index);
	if (slot != NULL) {
		*slot = *ev;
		ns_ev.dirty[slot - ns_ev.ring] = 1;
	}
	ns_ev.stats.total++;
	ns_ev.stats.active++;
	if (ev->type < NS_EV_TYPES) {
		ns_ev.stats.by_type[ev->type]++;
		ns_ev.stats.active_by_type[ev->type]++;
	}
	ns_events_queue(NS_NOTE_STARTED, ev);
	pthread_mutex_unlock(&ns_ev.lock);

	ns_events_wake();
	return ev->index;
}

void
ns_event_update(const struct ns_event *ev, int kind)
{
	struct ns_event	*slot;

	pthread_mutex_lock(&ns_ev.lock);
	slot = ns_events_slot(ev->index);
	if (slot != NULL && slot->index == ev->index) {
		*slot = *ev;
		ns_ev.dirty[slot - ns_ev.ring] = 1;
	}
	if (kind != 0)
		ns_events_queue(kind, ev);
	pthread_mutex_unlock(&ns_ev.lock);

	if (kind != 0)
		ns_events_wake();
}

void
ns_event_close(struct ns_event *ev)
{
	if (ev->state != NS_EVS_ACTIVE)
		return;
	ev->state = NS_EVS_ENDED;

	pthread_mutex_lock(&ns_ev.lock);
	if (ns_ev.stats.active > 0)
		ns_ev.stats.active--;
	if (ev->type < NS_EV_TYPES && ns_ev.stats.active_by_type[ev->type] > 0)
		ns_ev.stats.active_by_type[ev->type]--;
	pthread_mutex_unlock(&ns_ev.lock);

	ns_event_update(ev, NS_NOTE_ENDED);
}

int
ns_events_take(struct ns_note *out)
{
	int	 found = 0;

	pthread_mutex_lock(&ns_ev.lock);
	if (ns_ev.qlen > 0) {
		*out = ns_ev.queue[ns_ev.qhead];
		ns_ev.qhead = (ns_ev.qhead + 1) % ns_ev.qcap;
		ns_ev.qlen--;
		found = 1;
	}
	pthread_mutex_unlock(&ns_ev.lock);
	return found;
}

int
ns_events_find(uint32_t idx, int next, struct ns_event *ev)
{
	struct ns_event	*slot;
	uint32_t	 oldest;
	int		 found = 0;

	pthread_mutex_lock(&ns_ev.lock);
	if (ns_ev.cap > 0) {
		oldest = ns_ev.next_index > ns_ev.cap ?
		    ns_ev.next_index - (uint32_t)ns_ev.cap : 1;
		if (next)
			idx = idx < oldest ? oldest : idx + 1;
		slot = ns_events_slot(idx);
		if (slot != NULL) {
			*ev = *slot;
			found = 1;
		}
	}
	pthread_mutex_unlock(&ns_ev.lock);
	return found;
}

void
ns_events_stats(struct ns_event_stats *st)
{
	pthread_mutex_lock(&ns_ev.lock);
	*st = ns_ev.stats;
	st->waiting = (uint32_t)ns_ev.qlen;
	pthread_mutex_unlock(&ns_ev.lock);
}

const char *
ns_event_type_name(int type)
{
	static const char *const names[NS_EV_TYPES] = {
		"unknown", "portScan", "synFlood", "land", "badTcpFlags",
		"smurf", "pingOfDeath", "badFragment", "arpSpoof",
		"forbiddenPort"
	};

	return type > 0 && type < NS_EV_TYPES ? names[type] : names[0];
}

int
ns_event_type_parse(const char *name)
{
	int	 t;

	for (t = 1; t < NS_EV_TYPES; t++)
		if (strcmp(name, ns_event_type_name(t)) == 0)
			return t;
	return 0;
}

const char *
ns_probe_kind_name(int probe)
{
	static const char *const names[NS_PK_KINDS] = {
		"other", "other", "tcpSyn", "tcpConnect", "tcpFin",
		"tcpNull", "tcpXmas", "tcpAck", "udp", "icmpEcho", "arp"
	};

	return probe > 0 && probe < NS_PK_KINDS ? names[probe] : names[0];
}

const char *
ns_scan_shape_name(int shape)
{
	static const char *const names[] = {
		"none", "none", "vertical", "horizontal", "block",
		"distributed"
	};

	return shape > 0 && shape <= NS_SHAPE_DISTRIBUTED ?
	    names[shape] : names[0];
}

/* Write v in decimal, without a NUL, and return the digits written. */
static size_t
ns_byte_text(unsigned v, char *out)
{
	size_t	 n = 0;

	if (v >= 100)
		out[n++] = (char)('0' + v / 100);
	if (v >= 10)
		out[n++] = (char)('0' + v / 10 % 10);
	out[n++] = (char)('0' + v % 10);
	return n;
}

/*
 * IPv4 is written by hand because the detectors format a scan's target
 * whenever its event is refreshed, and inet_ntop() and snprintf() cost
 * far more than the digits.
 */
void
ns_addr_format(const struct ns_addr *a, char *buf, size_t len)
{
	char	 text[INET6_ADDRSTRLEN + 8] = "?";
	size_t	 i, n;

	if (len == 0)
		return;
	if (a->key[0] == NS_INET_IPV4) {
		for (i = 1, n = 0; i <= 4; i++) {
			if (i > 1)
				text[n++] = '.';
			n += ns_byte_text(a->key[i], text + n);
		}
		if (a->plen != 32) {
			text[n++] = '/';
			n += ns_byte_text(a->plen, text + n);
		}
		if (n >= len)
			n = len - 1;
		memcpy(buf, text, n);
		buf[n] = '\0';
		return;
	}
	if (a->key[0] == NS_INET_IPV6)
		inet_ntop(AF_INET6, a->key + 1, text, sizeof(text));
	if (a->key[0] != 0 && a->plen != 128)
		snprintf(buf, len, "%s/%u", text, a->plen);
	else
		snprintf(buf, len, "%s", text);
}

int
ns_events_restore(const struct ns_event *ev)
{
	struct ns_event	*slot;
	int		 restored = 0;

	pthread_mutex_lock(&ns_ev.lock);
	if (ns_ev.cap > 0 && ev->index != 0 && ev->index >= ns_ev.next_index) {
		ns_ev.next_index = ev->index + 1;
		slot = ns_events_slot(ev->index);
		*slot = *ev;
		if (slot->state == NS_EVS_ACTIVE)
			slot->state = NS_EVS_ENDED;
		ns_ev.dirty[slot - ns_ev.ring] = slot->state != ev->state;
		restored = 1;
	}
	pthread_mutex_unlock(&ns_ev.lock);
	return restored;
}

size_t
ns_events_collect(struct ns_event *out, size_t max)
{
	size_t	 i, n = 0;

	pthread_mutex_lock(&ns_ev.lock);
	for (i = 0; i < ns_ev.cap && n < max; i++) {
		if (!ns_ev.dirty[i])
			continue;
		ns_ev.dirty[i] = 0;
		if (ns_ev.ring[i].index != 0)
			out[n++] = ns_ev.ring[i];
	}
	pthread_mutex_unlock(&ns_ev.lock);
	return n;
}
