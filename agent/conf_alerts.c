/*
 * netsentry: netsentryd.conf directives of the alert router and the
 * mail spool.
 */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "conf.h"
#include "detect.h"
#include "router.h"

/*
 * The settings that the directives write: ns_alert_conf at start-up, a
 * copy being built during a reload.
 */
static struct ns_alert_conf *ns_conf_alert = &ns_alert_conf;

static int
ns_conf_severity(const char *name)
{
	int	 s;

	for (s = NS_SEV_INFO; s <= NS_SEV_CRITICAL; s++)
		if (strcmp(name, ns_severity_name(s)) == 0)
			return s;
	return 0;
}

static int
ns_conf_output(const char *name)
{
	int	 out;

	for (out = 0; out < NS_OUTPUTS; out++)
		if (strcmp(name, ns_output_name(out)) == 0)
			return out;
	return -1;
}

/* eventSeverity TYPE info|warning|critical */
static void
ns_conf_event_severity(const char *token, char *line)
{
	char	 type[64], level[16];
	int	 t, s;

	line = copy_nword(line, type, sizeof(type));
	level[0] = '\0';
	if (line != NULL)
		line = copy_nword(line, level, sizeof(level));
	t = ns_event_type_parse(type);
	s = ns_conf_severity(level);
	if (t == 0 || s == 0 || line != NULL) {
		netsnmp_config_error("%s needs an event type and info, warning "
		    "or critical, as in 'eventSeverity portScan critical'",
		    token);
		ns_conf.errors++;
		return;
	}
	ns_conf_alert->severity[t] = (uint8_t)s;
}

/* types=portScan,synFlood */
static int
ns_conf_route_types(const char *list, uint32_t *types)
{
	char	 copy[256], *name, *next;
	int	 t;

	snprintf(copy, sizeof(copy), "%s", list);
	for (name = copy; name != NULL; name = next) {
		if ((next = strchr(name, ',')) != NULL)
			*next++ = '\0';
		if ((t = ns_event_type_parse(name)) == 0) {
			netsnmp_config_error("alertRoute: unknown event type "
			    "'%s'; the types are the nsEventType names, such "
			    "as portScan or synFlood", name);
			return -1;
		}
		*types |= 1u << t;
	}
	return 0;
}

static int
ns_conf_route_cidr(const char *text, uint8_t *key, uint8_t *plen)
{
	char	 err[128];

	if (ns_cidr_parse(text, key, plen, err, sizeof(err)) == -1) {
		netsnmp_config_error("alertRoute: %s", err);
		return -1;
	}
	return 0;
}

/* One word after the output of an alertRoute line. */
static int
ns_conf_route_word(struct ns_route *r, const char *w)
{
	if (strcmp(w, "off") == 0) {
		r->off = 1;
		return 0;
	}
	if (strncmp(w, "types=", 6) == 0)
		return ns_conf_route_types(w + 6, &r->types);
	if (strncmp(w, "severity=", 9) == 0) {
		if ((r->min_severity = (uint8_t)ns_conf_severity(w + 9)) != 0)
			return 0;
		netsnmp_config_error("alertRoute: invalid severity '%s': "
		    "expected info, warning or critical", w + 9);
		return -1;
	}
	if (strncmp(w, "from=", 5) == 0)
		return ns_conf_route_cidr(w + 5, r->from, &r->from_plen);
	if (strncmp(w, "to=", 3) == 0)
		return ns_conf_route_cidr(w + 3, r->to, &r->to_plen);
	netsnmp_config_error("alertRoute: invalid word '%s': expected off, "
	    "types=LIST, severity=LEVEL, from=CIDR or to=CIDR", w);
	return -1;
}

/* alertRoute trap|mail|syslog|action [off] [types=..] [severity=..] ... */
static void
ns_conf_alert_route(const char *token, char *line)
{
	struct ns_route	 r, *routes;
	char		 word[256];

	memset(&r, 0, sizeof(r));
	line = copy_nword(line, word, sizeof(word));
	if ((r.output = ns_conf_output(word)) == -1) {
		netsnmp_config_error("%s needs an output first: trap, mail, "
		    "syslog or action", token);
		ns_conf.errors++;
		return;
	}
	while (line != NULL) {
		line = copy_nword(line, word, sizeof(word));
		if (ns_conf_route_word(&r, word) == -1) {
			ns_conf.errors++;
			return;
		}
	}

	routes = reallocarray(ns_conf_alert->routes,
	    ns_conf_alert->nroutes + 1, sizeof(*routes));
	if (routes == NULL) {
		ns_conf.errors++;
		return;
	}
	routes[ns_conf_alert->nroutes++] = r;
	ns_conf_alert->routes = routes;
}

/* Numeric directives, found by their offset in struct ns_alert_conf. */
struct ns_conf_alert_number {
	const char	*token;
	unsigned long	 min;
	unsigned long	 max;
	int		 is_size;	/* size_t, else uint32_t */
	size_t		 offset;
};

#define NS_ALC(field)	offsetof(struct ns_alert_conf, field)

static const struct ns_conf_alert_number ns_conf_alert_numbers[] = {
	{ "mailRateLimit", 0, 100000, 0, NS_ALC(rate[NS_OUT_MAIL]) },
	{ "syslogRateLimit", 0, 1000000, 0, NS_ALC(rate[NS_OUT_SYSLOG]) },
	{ "actionRateLimit", 0, 100000, 0, NS_ALC(rate[NS_OUT_ACTION]) },
	{ "alertDigestDelay", 1, 86400, 0, NS_ALC(digest_delay) },
	{ "mailSpoolSize", 1, 1000000, 1, NS_ALC(spool_max) },
	{ "mailRetryMax", 30, 86400, 0, NS_ALC(retry_max) },
	{ "mailGiveUpAfter", 10, 30 * 86400, 0, NS_ALC(give_up) },
};

#define NS_ALERT_NUMBERS \
	(sizeof(ns_conf_alert_numbers) / sizeof(ns_conf_alert_numbers[0]))

static void
ns_conf_alert_number(const char *token, char *line)
{
	const struct ns_conf_alert_number	*n;
	unsigned long				 v;
	uint8_t					*value;
	size_t					 i;

	for (i = 0; i < NS_ALERT_NUMBERS; i++) {
		n = &ns_conf_alert_numbers[i];
		if (strcmp(token, n->token) != 0)
			continue;
		if (ns_config_number(token, line, n->min, n->max, &v) == -1)
			return;
		value = (uint8_t *)ns_conf_alert + n->offset;
		if (n->is_size)
			*(size_t *)(void *)value = v;
		else
			*(uint32_t *)(void *)value = (uint32_t)v;
	}
}

/*
 * Start building new alert settings for a reload, from the defaults.
 * Returns -1 when memory runs out.
 */
int
ns_config_alerts_begin(void)
{
	struct ns_alert_conf	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return -1;
	ns_alert_conf_defaults(c);
	ns_conf_alert = c;
	return 0;
}

/* Return the settings built since ns_config_alerts_begin(). */
struct ns_alert_conf *
ns_config_alerts_end(void)
{
	struct ns_alert_conf	*c = ns_conf_alert;

	ns_conf_alert = &ns_alert_conf;
	return c;
}

void
ns_config_register_alerts(void)
{
	size_t	 i;

	ns_alert_conf_defaults(&ns_alert_conf);
	register_app_config_handler("alertRoute", ns_conf_alert_route, NULL,
	    "trap|mail|syslog|action [off] [types=TYPE,...] "
	    "[severity=LEVEL] [from=CIDR] [to=CIDR]");
	register_app_config_handler("eventSeverity", ns_conf_event_severity,
	    NULL, "TYPE info|warning|critical");
	for (i = 0; i < NS_ALERT_NUMBERS; i++)
		register_app_config_handler(ns_conf_alert_numbers[i].token,
		    ns_conf_alert_number, NULL, "NUMBER");
}
