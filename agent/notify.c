/*
 * netsentry: SNMP notifications about events.
 *
 * The alert router hands over the notes routed to traps (router.c).
 * This file, on the agent thread, turns them into notifications with
 * send_v2trap().  A subagent sends them to the master as AgentX Notify
 * PDUs, and the master sends them to every trap destination it has.
 * While the AgentX session is down the notes wait in a bounded queue,
 * which drops its oldest note when full.  A token bucket refilled at
 * the configured rate keeps a storm of attacks from becoming a storm of
 * traps.  The notifications it holds back are counted in
 * nsNotificationsSuppressed, which every notification carries.
 */
#include "config.h"

#include <stdlib.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <net-snmp/agent/agent_callbacks.h>

#include "alert.h"
#include "notify.h"
#include "tables_mib.h"

static const oid snmp_trap_oid[] = { 1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0 };
static const oid notifications[] = { NS_MIB_OID, 0 };
static const oid event_entry[] = { NS_OID_EVENT_ENTRY };
static const oid suppressed_oid[] = { NS_MIB_OID, 1, 4, 4, 0 };

/*
 * Notifications sent per call of ns_notify_pump().  The master sends a
 * Response to each Notify PDU.  A subagent that sends thousands without
 * reading the responses fills the socket buffers both ways, and then it
 * and the master each block in send() on the other.
 */
#define NS_NOTIFY_BURST	16

/* nsNotifications sub-identifiers. */
#define NS_TRAP_PORT_SCAN	1
#define NS_TRAP_FLOOD_STARTED	2
#define NS_TRAP_FLOOD_ENDED	3
#define NS_TRAP_SUSPICIOUS	4

static struct {
	int		 up;		/* AgentX session open */
	uint32_t	 rate;		/* per minute, 0: no limit */
	struct ns_bucket bucket;
	struct ns_note	*queue;		/* ring of notes waiting */
	size_t		 qcap;
	size_t		 qhead;
	size_t		 qlen;
	struct ns_notify_stats stats;
} ns_notify;

static int	 ns_notify_trap(const struct ns_note *);

static int
ns_notify_session_up(int major, int minor, void *server, void *client)
{
	ns_notify.up = 1;
	snmp_log(LOG_NOTICE, "AgentX session with the master agent is up\n");
	return 0;
}

static int
ns_notify_session_down(int major, int minor, void *server, void *client)
{
	ns_notify.up = 0;
	snmp_log(LOG_WARNING, "AgentX session with the master agent is down; "
	    "notifications wait until it is back\n");
	return 0;
}

void
ns_notify_set_rate(uint32_t rate)
{
	ns_notify.rate = rate;
	ns_bucket_fill(&ns_notify.bucket, rate);
}

int
ns_notify_init_queue(size_t len)
{
	free(ns_notify.queue);
	ns_notify.queue = calloc(len, sizeof(*ns_notify.queue));
	if (ns_notify.queue == NULL)
		return -1;
	ns_notify.qcap = len;
	ns_notify.qhead = ns_notify.qlen = 0;
	return 0;
}

/*
 * Queue a note, dropping the oldest when the queue is full: a trap about
 * the latest state of an attack is worth more than an old one.
 */
void
ns_notify_queue(const struct ns_note *n)
{
	if (ns_notify.qcap == 0 || ns_notify_trap(n) == 0)
		return;
	if (ns_notify.qlen == ns_notify.qcap) {
		ns_notify.qhead = (ns_notify.qhead + 1) % ns_notify.qcap;
		ns_notify.qlen--;
		ns_notify.stats.dropped++;
	}
	ns_notify.queue[(ns_notify.qhead + ns_notify.qlen) %
	    ns_notify.qcap] = *n;
	ns_notify.qlen++;
}

static int
ns_notify_take(struct ns_note *n)
{
	if (ns_notify.qlen == 0)
		return 0;
	*n = ns_notify.queue[ns_notify.qhead];
	ns_notify.qhead = (ns_notify.qhead + 1) % ns_notify.qcap;
	ns_notify.qlen--;
	return 1;
}

void
ns_notify_init(void)
{
	snmp_register_callback(SNMP_CALLBACK_APPLICATION,
	    SNMPD_CALLBACK_INDEX_START, ns_notify_session_up, NULL);
	snmp_register_callback(SNMP_CALLBACK_APPLICATION,
	    SNMPD_CALLBACK_INDEX_STOP, ns_notify_session_down, NULL);
}

void
ns_notify_stats(struct ns_notify_stats *st)
{
	*st = ns_notify.stats;
	st->waiting = (uint32_t)ns_notify.qlen;
}

/* Which notification a note becomes; 0 for none. */
static int
ns_notify_trap(const struct ns_note *n)
{
	switch (n->ev.type) {
	case NS_EV_PORT_SCAN:
		return n->kind == NS_NOTE_ENDED ? 0 : NS_TRAP_PORT_SCAN;
	case NS_EV_SYN_FLOOD:
		if (n->kind == NS_NOTE_STARTED)
			return NS_TRAP_FLOOD_STARTED;
		return n->kind == NS_NOTE_ENDED ? NS_TRAP_FLOOD_ENDED : 0;
	default:
		return n->kind == NS_NOTE_STARTED ? NS_TRAP_SUSPICIOUS : 0;
	}
}

/* The nsEventTable columns each notification carries, in MIB order. */
static const unsigned ns_scan_cols[] = {
	2, 3, 6, 7, 8, 9, 10, 11, 12, 13, 15, 18, 19, 21, 0
};
static const unsigned ns_flood_cols[] = {
	2, 3, 6, 7, 8, 9, 10, 11, 15, 16, 14, 21, 0
};
static const unsigned ns_suspicious_cols[] = {
	2, 3, 6, 7, 8, 9, 11, 15, 21, 0
};

static void
ns_notify_add(netsnmp_variable_list **vars, const struct ns_event *ev,
    unsigned col)
{
	struct ns_value	 val;
	oid		 name[MAX_OID_LEN];
	size_t		 len = OID_LENGTH(event_entry);

	memcpy(name, event_entry, sizeof(event_entry));
	name[len++] = col;
	name[len++] = ev->index;
	memset(&val, 0, sizeof(val));
	ns_event_value(ev, col, &val);
	snmp_varlist_add_variable(vars, name, len, val.type,
	    (const u_char *)&val.v, val.len);
}

static void
ns_notify_send(const struct ns_note *n, int trap)
{
	netsnmp_variable_list	*vars = NULL;
	const unsigned		*cols;
	oid			 trap_oid[MAX_OID_LEN];
	size_t			 len = OID_LENGTH(notifications);
	u_long			 suppressed;

	memcpy(trap_oid, notifications, sizeof(notifications));
	trap_oid[len++] = (oid)trap;
	snmp_varlist_add_variable(&vars, snmp_trap_oid,
	    OID_LENGTH(snmp_trap_oid), ASN_OBJECT_ID, (u_char *)trap_oid,
	    len * sizeof(oid));

	cols = trap == NS_TRAP_PORT_SCAN ? ns_scan_cols :
	    trap == NS_TRAP_SUSPICIOUS ? ns_suspicious_cols : ns_flood_cols;
	for (; *cols != 0; cols++)
		ns_notify_add(&vars, &n->ev, *cols);
	suppressed = (u_long)(ns_notify.stats.suppressed & 0xffffffffu);
	snmp_varlist_add_variable(&vars, suppressed_oid,
	    OID_LENGTH(suppressed_oid), ASN_COUNTER, (u_char *)&suppressed,
	    sizeof(suppressed));

	send_v2trap(vars);
	snmp_free_varbind(vars);
	ns_notify.stats.sent++;
}

int
ns_notify_pump(void)
{
	struct ns_note	 n;
	int		 trap, sent = 0;

	while (sent < NS_NOTIFY_BURST && ns_notify.up && ns_notify_take(&n)) {
		trap = ns_notify_trap(&n);
		if (trap == 0)
			continue;
		if (!ns_bucket_take(&ns_notify.bucket, ns_notify.rate, 60)) {
			ns_notify.stats.suppressed++;
			continue;
		}
		ns_notify_send(&n, trap);
		sent++;
	}
	return ns_notify.up && ns_notify.qlen > 0;
}
