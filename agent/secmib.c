/*
 * netsentry: NETSENTRY-MIB security objects: the event history, the
 * counters per event type, the alert counters, and the scalars that
 * checks poll.
 */
#include "config.h"

#include <string.h>

#include "action.h"
#include "detect.h"
#include "event.h"
#include "notify.h"
#include "router.h"
#include "spool.h"
#include "tables_mib.h"

static const oid security[] = { NS_MIB_OID, 1, 4 };
static const oid summary[] = { NS_MIB_OID, 1, 5 };
static const oid alerts[] = { NS_MIB_OID, 1, 6 };
static const oid event_type_entry[] = { NS_MIB_OID, 1, 4, 7, 1 };
static const oid event_entry[] = { NS_OID_EVENT_ENTRY };

#define NS_TRUTH_TRUE	1
#define NS_TRUTH_FALSE	2

/* InetAddress value: 4 or 16 octets, or none for unknown(0). */
static void
ns_value_inet(struct ns_value *val, const struct ns_addr *a)
{
	size_t	 len = a->key[0] == NS_INET_IPV4 ? 4 :
		    a->key[0] == NS_INET_IPV6 ? 16 : 0;

	ns_value_str(val, a->key + 1, len);
}

/* The value of column col of an nsEventTable row. */
void
ns_event_value(const struct ns_event *ev, unsigned col, struct ns_value *val)
{
	switch (col) {
	case 2:
		ns_value_int(val, ASN_INTEGER, ev->type);
		break;
	case 3:
		ns_value_int(val, ASN_INTEGER, ev->state);
		break;
	case 4:
		ns_value_date(val, ev->start_sec, ev->start_tenths);
		break;
	case 5:
		ns_value_date(val, ev->last_sec, ev->last_tenths);
		break;
	case 6:
		ns_value_int(val, ASN_INTEGER, ev->attacker.key[0]);
		break;
	case 7:
		ns_value_inet(val, &ev->attacker);
		break;
	case 8:
		ns_value_int(val, ASN_INTEGER, ev->target.key[0]);
		break;
	case 9:
		ns_value_inet(val, &ev->target);
		break;
	case 10:
		ns_value_u32(val, ASN_UNSIGNED, ev->target.plen);
		break;
	case 11:
		ns_value_u32(val, ASN_UNSIGNED, ev->port);
		break;
	case 12:
		ns_value_u32(val, ASN_GAUGE, ev->ports);
		break;
	case 13:
		ns_value_u32(val, ASN_GAUGE, ev->targets);
		break;
	case 14:
		ns_value_u32(val, ASN_GAUGE, ev->sources);
		break;
	case 15:
		ns_value_u32(val, ASN_GAUGE, ev->packets > UINT32_MAX ?
		    UINT32_MAX : ev->packets);
		break;
	case 16:
		ns_value_u32(val, ASN_GAUGE, ev->peak_rate);
		break;
	case 17:
		ns_value_u32(val, ASN_GAUGE, ev->probes);
		break;
	case 18:
		ns_value_int(val, ASN_INTEGER, ev->probe);
		break;
	case 19:
		ns_value_int(val, ASN_INTEGER, ev->shape);
		break;
	case 20:
		ns_value_int(val, ASN_INTEGER, (long)ev->source);
		break;
	case 21:
		ns_value_str(val, ev->descr, strnlen(ev->descr,
		    sizeof(ev->descr)));
		break;
	}
}

/*
 * nsEventTable is indexed by nsEventIndex alone.  For GETNEXT, an index
 * longer than one sub-identifier sorts after its first one, so the next
 * row is the one after idx[0] in either case.
 */
static int
ns_event_find(const struct ns_mib_table *t, const oid *idx, size_t idxlen,
    int next, unsigned col, struct ns_row *row)
{
	struct ns_event	 ev;
	uint32_t	 want = 0;

	if (idxlen > 0) {
		if (idx[0] > UINT32_MAX)
			return 0;
		want = (uint32_t)idx[0];
	}
	if (!next && (idxlen != 1 || want == 0))
		return 0;
	if (!ns_events_find(want, next, &ev))
		return 0;

	row->idx[0] = ev.index;
	row->idxlen = 1;
	ns_event_value(&ev, col, &row->value);
	return 1;
}

static int
ns_event_type_find(const struct ns_mib_table *t, const oid *idx,
    size_t idxlen, int next, unsigned col, struct ns_row *row)
{
	struct ns_event_stats	 st;
	oid			 type;

	if (next)
		type = idxlen == 0 ? 1 : idx[0] + 1;
	else if (idxlen == 1)
		type = idx[0];
	else
		return 0;
	if (type < 1 || type >= NS_EV_TYPES)
		return 0;

	ns_events_stats(&st);
	row->idx[0] = type;
	row->idxlen = 1;
	switch (col) {
	case 2:
		ns_value_str(&row->value, ns_event_type_name((int)type),
		    strlen(ns_event_type_name((int)type)));
		break;
	case 3:
		ns_value_int(&row->value, ASN_INTEGER,
		    ns_detect_conf.enabled[type] ? NS_TRUTH_TRUE :
		    NS_TRUTH_FALSE);
		break;
	case 4:
		ns_value_u32(&row->value, ASN_COUNTER, st.by_type[type]);
		break;
	case 5:
		ns_value_u32(&row->value, ASN_GAUGE, st.active_by_type[type]);
		break;
	}
	return 1;
}

/*
 * Scalars, served by the table engine as columns whose only row has the
 * index 0: nsSecurity.N.0 and nsSummary.N.0.
 */
static int
ns_scalar_row(const oid *idx, size_t idxlen, int next, struct ns_row *row)
{
	if (next ? idxlen != 0 : idxlen != 1 || idx[0] != 0)
		return 0;
	row->idx[0] = 0;
	row->idxlen = 1;
	return 1;
}

static int
ns_security_find(const struct ns_mib_table *t, const oid *idx,
    size_t idxlen, int next, unsigned col, struct ns_row *row)
{
	struct ns_event_stats	 st;
	struct ns_notify_stats	 ns;

	if (!ns_scalar_row(idx, idxlen, next, row))
		return 0;
	ns_events_stats(&st);
	ns_notify_stats(&ns);
	switch (col) {
	case 1:
		ns_value_u32(&row->value, ASN_COUNTER, st.total);
		break;
	case 2:
		ns_value_u32(&row->value, ASN_GAUGE, st.active);
		break;
	case 3:
		ns_value_u32(&row->value, ASN_COUNTER, ns.sent);
		break;
	case 4:
		ns_value_u32(&row->value, ASN_COUNTER, ns.suppressed);
		break;
	case 5:
		ns_value_u32(&row->value, ASN_COUNTER, ns.dropped);
		break;
	case 6:
		ns_value_u32(&row->value, ASN_GAUGE, ns.waiting);
		break;
	}
	return 1;
}

static int
ns_summary_find(const struct ns_mib_table *t, const oid *idx,
    size_t idxlen, int next, unsigned col, struct ns_row *row)
{
	uint64_t	 drops = 0;
	size_t		 i;

	if (!ns_scalar_row(idx, idxlen, next, row))
		return 0;
	for (i = 0; i < ns_nsources; i++) {
		pthread_mutex_lock(&ns_sources[i].store.lock);
		drops += ns_sources[i].store.drops;
		pthread_mutex_unlock(&ns_sources[i].store.lock);
	}
	ns_value_c64(&row->value, drops);
	return 1;
}

/* nsAlerts: the router, the mail spool and the alert action. */
static int
ns_alerts_find(const struct ns_mib_table *t, const oid *idx,
    size_t idxlen, int next, unsigned col, struct ns_row *row)
{
	struct ns_spool_stats	 sp;
	struct ns_router_stats	 rt;
	struct ns_action_stats	 ac;
	struct ns_event_stats	 ev;
	uint64_t		 held = 0;
	int			 out;

	if (!ns_scalar_row(idx, idxlen, next, row))
		return 0;
	ns_spool_stats(&sp);
	ns_router_stats(&rt);
	ns_action_stats(&ac);
	ns_events_stats(&ev);
	for (out = 0; out < NS_OUTPUTS; out++)
		held += rt.suppressed[out];

	switch (col) {
	case 1:
		ns_value_u32(&row->value, ASN_GAUGE, sp.length);
		break;
	case 2:
		ns_value_u32(&row->value, ASN_GAUGE, sp.oldest_age);
		break;
	case 3:
		ns_value_u32(&row->value, ASN_COUNTER, sp.sent);
		break;
	case 4:
		ns_value_u32(&row->value, ASN_COUNTER, sp.failed);
		break;
	case 5:
		ns_value_u32(&row->value, ASN_COUNTER, sp.dropped);
		break;
	case 6:
		ns_value_u32(&row->value, ASN_COUNTER, rt.alerts);
		break;
	case 7:
		ns_value_u32(&row->value, ASN_COUNTER, held);
		break;
	case 8:
		ns_value_u32(&row->value, ASN_COUNTER, ev.notes_dropped);
		break;
	case 9:
		ns_value_u32(&row->value, ASN_COUNTER, ac.run);
		break;
	case 10:
		ns_value_u32(&row->value, ASN_COUNTER, ac.failed);
		break;
	case 11:
		ns_value_u32(&row->value, ASN_COUNTER, ac.dropped);
		break;
	}
	return 1;
}

static const struct ns_mib_table ns_security_tables[] = {
	{ "nsEventTypeTable", event_type_entry, OID_LENGTH(event_type_entry),
	    2, 5, ns_event_type_find },
	{ "nsEventTable", event_entry, OID_LENGTH(event_entry),
	    2, 21, ns_event_find },
};

/*
 * The scalar groups register their own OID (the table engine registers
 * one level above its entry), so the tables under nsSecurity stay
 * separate registrations.
 */
static const struct ns_mib_table ns_security_scalars[] = {
	{ "nsSecurity", security, OID_LENGTH(security), 1, 6,
	    ns_security_find },
	{ "nsSummary", summary, OID_LENGTH(summary), 1, 1,
	    ns_summary_find },
	{ "nsAlerts", alerts, OID_LENGTH(alerts), 1, 11, ns_alerts_find },
};

int
ns_secmib_register(void)
{
	size_t	 i;

	for (i = 0; i < sizeof(ns_security_tables) /
	    sizeof(ns_security_tables[0]); i++)
		if (ns_mib_register(&ns_security_tables[i]) == -1)
			return -1;
	for (i = 0; i < sizeof(ns_security_scalars) /
	    sizeof(ns_security_scalars[0]); i++)
		if (ns_mib_register_scalars(&ns_security_scalars[i]) == -1)
			return -1;
	return 0;
}
