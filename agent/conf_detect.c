/*
 * netsentry: netsentryd.conf directives of the detectors and of the
 * event history and notifications.
 */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "conf.h"
#include "detect.h"

/*
 * The settings that the directives write: ns_detect_conf at start-up,
 * a copy being built during a reload.
 */
static struct ns_detect_conf *ns_conf_det = &ns_detect_conf;

#define NS_DEF_HISTORY		1000
#define NS_DEF_TRAP_QUEUE	256
#define NS_DEF_TRAP_RATE	60

static void
ns_conf_bad(void)
{
	ns_conf.errors++;
}

/* detect TYPE|all on|off */
static void
ns_conf_detect(const char *token, char *line)
{
	char	 type[64], value[16];
	int	 t, on;

	line = copy_nword(line, type, sizeof(type));
	if (line != NULL)
		line = copy_nword(line, value, sizeof(value));
	else
		value[0] = '\0';
	on = strcmp(value, "on") == 0;
	if ((!on && strcmp(value, "off") != 0) || line != NULL) {
		netsnmp_config_error("%s needs an event type (or all) and on "
		    "or off, as in 'detect smurf off'", token);
		ns_conf_bad();
		return;
	}
	if (strcmp(type, "all") == 0) {
		for (t = 1; t < NS_EV_TYPES; t++)
			ns_conf_det->enabled[t] = on;
		return;
	}
	if ((t = ns_event_type_parse(type)) == 0) {
		netsnmp_config_error("unknown event type '%s' for %s: use "
		    "portScan, synFlood, land, badTcpFlags, smurf, "
		    "pingOfDeath, badFragment, arpSpoof, forbiddenPort or all",
		    type, token);
		ns_conf_bad();
		return;
	}
	ns_conf_det->enabled[t] = on;
}

static int
ns_conf_sensitivity(const char *token, const char *value)
{
	if (strcmp(value, "low") == 0)
		return NS_SENS_LOW;
	if (strcmp(value, "normal") == 0)
		return NS_SENS_NORMAL;
	if (strcmp(value, "high") == 0)
		return NS_SENS_HIGH;
	netsnmp_config_error("invalid sensitivity '%s' for %s: expected "
	    "low, normal or high", value, token);
	ns_conf_bad();
	return -1;
}

static struct ns_policy *
ns_conf_add_block(struct ns_policy **list, size_t *n, const char *token,
    const char *cidr)
{
	struct ns_policy	*p;
	char			 err[160];
	uint8_t			 key[NS_IPKEY_LEN], plen;

	if (ns_cidr_parse(cidr, key, &plen, err, sizeof(err)) == -1) {
		netsnmp_config_error("%s: %s", token, err);
		ns_conf_bad();
		return NULL;
	}
	p = reallocarray(*list, *n + 1, sizeof(**list));
	if (p == NULL) {
		ns_conf_bad();
		return NULL;
	}
	*list = p;
	p = &p[(*n)++];
	memset(p, 0, sizeof(*p));
	memcpy(p->net, key, NS_IPKEY_LEN);
	p->plen = plen;
	return p;
}

/* localNet CIDR */
static void
ns_conf_local_net(const char *token, char *line)
{
	char	 cidr[128];

	copy_nword(line, cidr, sizeof(cidr));
	ns_conf_add_block(&ns_conf_det->local_nets,
	    &ns_conf_det->nlocal_nets, token, cidr);
}

static void
ns_conf_policy_option(struct ns_policy *p, const char *token, char *opt)
{
	char		*value = strchr(opt, '=');
	unsigned long	 v;
	int		 s;

	if (value != NULL)
		*value++ = '\0';
	if (strcmp(opt, "exempt") == 0 && value == NULL)
		p->exempt = 1;
	else if (strcmp(opt, "sensitivity") == 0 && value != NULL) {
		if ((s = ns_conf_sensitivity(token, value)) != -1)
			p->sensitivity = s;
	} else if (strcmp(opt, "synFloodRate") == 0 && value != NULL) {
		if (ns_config_number("synFloodRate", value, 1, 1000000000,
		    &v) == 0)
			p->syn_rate = (uint32_t)v;
	} else if (strcmp(opt, "synFloodHalfOpen") == 0 && value != NULL) {
		if (ns_config_number("synFloodHalfOpen", value, 1, 100,
		    &v) == 0)
			p->half_open = (uint32_t)v;
	} else {
		netsnmp_config_error("unknown %s option '%s': use exempt, "
		    "sensitivity=low|normal|high, synFloodRate=N or "
		    "synFloodHalfOpen=PERCENT", token, opt);
		ns_conf_bad();
	}
}

/* policy CIDR OPTION... */
static void
ns_conf_policy(const char *token, char *line)
{
	struct ns_policy	*p;
	char			 word[128];

	line = copy_nword(line, word, sizeof(word));
	if (line == NULL) {
		netsnmp_config_error("%s needs a CIDR block and at least one "
		    "option, as in 'policy 192.0.2.0/24 exempt'", token);
		ns_conf_bad();
		return;
	}
	p = ns_conf_add_block(&ns_conf_det->policies,
	    &ns_conf_det->npolicies, token, word);
	while (p != NULL && line != NULL) {
		line = copy_nword(line, word, sizeof(word));
		ns_conf_policy_option(p, token, word);
	}
}

static void
ns_conf_port_range(uint8_t *set, const char *token, const char *word)
{
	unsigned long	 lo, hi;
	char		 first[16];
	const char	*dash = strchr(word, '-');

	if (dash != NULL && (size_t)(dash - word) < sizeof(first)) {
		memcpy(first, word, (size_t)(dash - word));
		first[dash - word] = '\0';
		if (ns_config_number(token, first, 1, 65535, &lo) == -1 ||
		    ns_config_number(token, dash + 1, lo, 65535, &hi) == -1)
			return;
	} else if (ns_config_number(token, word, 1, 65535, &lo) == 0)
		hi = lo;
	else
		return;
	for (; lo <= hi; lo++)
		set[lo / 8] |= (uint8_t)(1 << (lo % 8));
}

/* forbiddenPorts tcp|udp PORT[-PORT]... */
static void
ns_conf_forbidden(const char *token, char *line)
{
	char	 word[64];
	uint8_t	*set;

	line = copy_nword(line, word, sizeof(word));
	if (strcmp(word, "tcp") == 0)
		set = ns_conf_det->forbidden_tcp;
	else if (strcmp(word, "udp") == 0)
		set = ns_conf_det->forbidden_udp;
	else
		set = NULL;
	if (set == NULL || line == NULL) {
		netsnmp_config_error("%s needs tcp or udp and a list of ports "
		    "or ranges, as in 'forbiddenPorts tcp 12345 31337-31340'",
		    token);
		ns_conf_bad();
		return;
	}
	while (line != NULL) {
		line = copy_nword(line, word, sizeof(word));
		ns_conf_port_range(set, token, word);
	}
}

/* scanSensitivity low|normal|high */
static void
ns_conf_scan_sensitivity(const char *token, char *line)
{
	int	 s = ns_conf_sensitivity(token, line);

	if (s != -1)
		ns_conf_det->sensitivity = s;
}

/*
 * Numeric directives.  A detector setting is found by its offset in
 * struct ns_detect_conf, so that a reload fills the copy it builds.  The
 * event history and notification queue sizes are used only at start-up.
 */
struct ns_conf_number {
	const char	*token;
	unsigned long	 min;
	unsigned long	 max;
	int		 is_size;	/* size_t, else uint32_t */
	size_t		 offset;	/* in struct ns_detect_conf */
	void		*value;		/* or NULL when offset is used */
};

#define NS_DET(field)	offsetof(struct ns_detect_conf, field), NULL

static struct ns_conf_number ns_conf_numbers[] = {
	{ "scanContactTimeout", 1, 3600, 0, NS_DET(contact_timeout) },
	{ "scanWindow", 1, 2592000, 0, NS_DET(scan_window) },
	{ "holdDown", 1, 86400, 0, NS_DET(hold_down) },
	{ "synFloodRate", 1, 1000000000, 0, NS_DET(syn_rate) },
	{ "synFloodHalfOpen", 1, 100, 0, NS_DET(half_open) },
	{ "arpWindow", 1, 2592000, 0, NS_DET(arp_window) },
	{ "maxContacts", 16, 100000000, 1, NS_DET(max_contacts) },
	{ "maxScanSources", 16, 100000000, 1, NS_DET(max_scanners) },
	{ "maxFloodTargets", 16, 10000000, 1, NS_DET(max_flood_targets) },
	{ "maxActiveAlerts", 16, 10000000, 1, NS_DET(max_alerts) },
	{ "eventHistory", 1, 1000000, 1, 0, &ns_conf.event_history },
	{ "trapQueue", 1, 100000, 1, 0, &ns_conf.trap_queue },
	{ "trapRateLimit", 0, 100000, 0, 0, &ns_conf.trap_rate },
};

static void
ns_conf_number_line(const char *token, char *line)
{
	struct ns_conf_number	*n;
	unsigned long		 v;
	void			*value;
	size_t			 i;

	for (i = 0; i < sizeof(ns_conf_numbers) / sizeof(*n); i++) {
		n = &ns_conf_numbers[i];
		if (strcmp(token, n->token) != 0)
			continue;
		if (ns_config_number(token, line, n->min, n->max, &v) == -1)
			return;
		value = n->value != NULL ? n->value :
		    (uint8_t *)ns_conf_det + n->offset;
		if (n->is_size)
			*(size_t *)value = v;
		else
			*(uint32_t *)value = (uint32_t)v;
	}
}

/*
 * Start building new detector settings for a reload, from the defaults.
 * Returns -1 when memory runs out.
 */
int
ns_config_detect_begin(void)
{
	struct ns_detect_conf	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return -1;
	ns_detect_conf_defaults(c);
	ns_conf_det = c;
	return 0;
}

/*
 * Return the settings built since ns_config_detect_begin(); the caller
 * owns them.  The directives write to ns_detect_conf again.
 */
struct ns_detect_conf *
ns_config_detect_end(void)
{
	struct ns_detect_conf	*c = ns_conf_det;

	ns_conf_det = &ns_detect_conf;
	return c;
}

void
ns_config_register_detect(void)
{
	size_t	 i;

	ns_detect_conf_defaults(&ns_detect_conf);
	ns_conf.event_history = NS_DEF_HISTORY;
	ns_conf.trap_queue = NS_DEF_TRAP_QUEUE;
	ns_conf.trap_rate = NS_DEF_TRAP_RATE;

	register_app_config_handler("detect", ns_conf_detect, NULL,
	    "TYPE|all on|off");
	register_app_config_handler("localNet", ns_conf_local_net, NULL,
	    "CIDR");
	register_app_config_handler("policy", ns_conf_policy, NULL,
	    "CIDR [exempt] [sensitivity=S] [synFloodRate=N] "
	    "[synFloodHalfOpen=P]");
	register_app_config_handler("forbiddenPorts", ns_conf_forbidden, NULL,
	    "tcp|udp PORT[-PORT]...");
	register_app_config_handler("scanSensitivity",
	    ns_conf_scan_sensitivity, NULL, "low|normal|high");
	for (i = 0; i < sizeof(ns_conf_numbers) / sizeof(ns_conf_numbers[0]);
	    i++)
		register_app_config_handler(ns_conf_numbers[i].token,
		    ns_conf_number_line, NULL, "NUMBER");
}
