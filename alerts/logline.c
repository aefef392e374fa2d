/*
 * netsentry: the syslog output, one key=value line per alert.
 *
 * The line goes through net-snmp's logging, so -Ls FACILITY sends it to
 * syslog and -Lf FILE to a file.  Values that came off the wire (names,
 * descriptions) are quoted and escaped, so a SIEM parses every line the
 * same way and a hostile name cannot forge a field or a second line.
 * Octets outside printable ASCII are written as \xNN.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "router.h"

#define NS_LOGLINE_MAX	2048

static int
ns_kv_plain(const char *value)
{
	const unsigned char	*v = (const unsigned char *)value;

	if (*v == '\0')
		return 0;
	for (; *v != '\0'; v++)
		if (*v <= ' ' || *v >= 0x7f || *v == '"' || *v == '\\' ||
		    *v == '=')
			return 0;
	return 1;
}

char *
ns_kv_quote(const char *value, char *buf, size_t len)
{
	const unsigned char	*v = (const unsigned char *)value;
	size_t			 n = 0;

	if (len < 3 || ns_kv_plain(value)) {
		snprintf(buf, len, "%s", len < 3 ? "" : value);
		return buf;
	}
	buf[n++] = '"';
	for (; *v != '\0' && n + 6 < len; v++) {
		if (*v == '"' || *v == '\\') {
			buf[n++] = '\\';
			buf[n++] = (char)*v;
		} else if (*v < ' ' || *v >= 0x7f)
			n += (size_t)snprintf(buf + n, len - n, "\\x%02x", *v);
		else
			buf[n++] = (char)*v;
	}
	buf[n++] = '"';
	buf[n] = '\0';
	return buf;
}

static int
ns_alert_priority(const struct ns_alert *a)
{
	if (a->kind == NS_ALERT_DIGEST || a->kind == NS_NOTE_ENDED)
		return LOG_NOTICE;
	switch (a->severity) {
	case NS_SEV_CRITICAL:
		return LOG_CRIT;
	case NS_SEV_WARNING:
		return LOG_WARNING;
	}
	return LOG_NOTICE;
}

static void
ns_alert_log_digest(const struct ns_alert *a)
{
	char	 line[NS_LOGLINE_MAX], since[32];
	size_t	 n;
	int	 t;

	ns_time_iso(a->suppressed_since, since, sizeof(since));
	n = (size_t)snprintf(line, sizeof(line), "alert=digest output=syslog "
	    "suppressed=%u since=%s", a->suppressed, since);
	for (t = 1; t < NS_EV_TYPES && n < sizeof(line); t++)
		if (a->suppressed_by_type[t] > 0)
			n += (size_t)snprintf(line + n, sizeof(line) - n,
			    " %s=%u", ns_event_type_name(t),
			    a->suppressed_by_type[t]);
	snmp_log(LOG_NOTICE, "netsentry %s\n", line);
}

void
ns_alert_log(const struct ns_alert *a)
{
	const struct ns_event	*ev = &a->ev;
	char			 attacker[64], target[64], start[32], last[32];
	char			 aname[2 * NS_ALERT_NAME], tname[2 * NS_ALERT_NAME];
	char			 descr[4 * NS_EVENT_DESCR];

	if (a->kind == NS_ALERT_DIGEST) {
		ns_alert_log_digest(a);
		return;
	}
	ns_addr_format(&ev->attacker, attacker, sizeof(attacker));
	ns_addr_format(&ev->target, target, sizeof(target));
	ns_time_iso(ev->start_sec, start, sizeof(start));
	ns_time_iso(ev->last_sec, last, sizeof(last));
	ns_kv_quote(a->attacker_name, aname, sizeof(aname));
	ns_kv_quote(a->target_name, tname, sizeof(tname));
	ns_kv_quote(ev->descr, descr, sizeof(descr));

	snmp_log(ns_alert_priority(a), "netsentry alert=%s event=%u type=%s "
	    "severity=%s attacker=%s attacker_name=%s target=%s "
	    "target_name=%s port=%u ports=%u targets=%u sources=%u "
	    "packets=%llu peak_rate=%u probe=%s shape=%s start=%s last=%s "
	    "source=%u descr=%s\n", ns_alert_kind_name(a->kind), ev->index,
	    ns_event_type_name(ev->type), ns_severity_name(a->severity),
	    ev->attacker.key[0] != 0 ? attacker : "-", aname,
	    ev->target.key[0] != 0 ? target : "-", tname, ev->port,
	    ev->ports, ev->targets, ev->sources,
	    (unsigned long long)ev->packets, ev->peak_rate,
	    ns_probe_kind_name(ev->probe), ns_scan_shape_name(ev->shape),
	    start, last, ev->source, descr);
}
