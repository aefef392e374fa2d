/*
 * netsentry: the alert router.
 *
 * The agent thread takes every note that the detectors queue (event.c),
 * turns it into an alert with its severity and the names learned from
 * DNS, and hands it to each output whose routes match: trap, mail,
 * syslog and action.  A token bucket per output holds back a storm.
 * What a bucket holds back is counted by type and reported in one digest
 * alert per output, digestDelay seconds after the first alert it held.
 * Traps have their own limit (trapRateLimit, notify.c), whose count every
 * notification carries, so the router does not limit them again.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "detect.h"
#include "router.h"

struct ns_alert_conf ns_alert_conf;

/*
 * Defaults.  Twenty mails an hour tell an administrator that something
 * is going on without burying the mailbox, and a digest a minute later
 * counts how much more there was.  A mail spool of 1000 alerts outlasts
 * two days of SMTP outage at the default rate.
 */
#define NS_DEF_MAIL_RATE	20	/* per hour */
#define NS_DEF_SYSLOG_RATE	120	/* per minute */
#define NS_DEF_ACTION_RATE	30	/* per minute */
#define NS_DEF_DIGEST_DELAY	60
#define NS_DEF_SPOOL_MAX	1000
#define NS_DEF_RETRY_MAX	600
#define NS_DEF_GIVE_UP		(3 * 86400)

/* The rate limit and digest state of one output. */
struct ns_output_state {
	struct ns_bucket bucket;
	uint32_t	 held;			/* since the last digest */
	uint32_t	 held_by_type[NS_EV_TYPES];
	int64_t		 held_since;		/* wall clock */
	time_t		 digest_due;		/* monotonic seconds */
};

static struct {
	struct ns_router_outputs out;
	struct ns_output_state	 state[NS_OUTPUTS];
	uint64_t		 next_id;
	struct ns_router_stats	 stats;
} ns_router;

void
ns_alert_conf_defaults(struct ns_alert_conf *c)
{
	static const uint8_t severity[NS_EV_TYPES] = {
		[NS_EV_PORT_SCAN] = NS_SEV_WARNING,
		[NS_EV_SYN_FLOOD] = NS_SEV_CRITICAL,
		[NS_EV_LAND] = NS_SEV_WARNING,
		[NS_EV_BAD_TCP_FLAGS] = NS_SEV_INFO,
		[NS_EV_SMURF] = NS_SEV_WARNING,
		[NS_EV_PING_OF_DEATH] = NS_SEV_WARNING,
		[NS_EV_BAD_FRAGMENT] = NS_SEV_INFO,
		[NS_EV_ARP_SPOOF] = NS_SEV_CRITICAL,
		[NS_EV_FORBIDDEN_PORT] = NS_SEV_WARNING,
	};

	memset(c, 0, sizeof(*c));
	memcpy(c->severity, severity, sizeof(c->severity));
	c->rate[NS_OUT_MAIL] = NS_DEF_MAIL_RATE;
	c->rate[NS_OUT_SYSLOG] = NS_DEF_SYSLOG_RATE;
	c->rate[NS_OUT_ACTION] = NS_DEF_ACTION_RATE;
	c->digest_delay = NS_DEF_DIGEST_DELAY;
	c->spool_max = NS_DEF_SPOOL_MAX;
	c->retry_max = NS_DEF_RETRY_MAX;
	c->give_up = NS_DEF_GIVE_UP;
}

void
ns_alert_conf_clear(struct ns_alert_conf *c)
{
	free(c->routes);
	c->routes = NULL;
	c->nroutes = 0;
}

uint32_t
ns_output_period(int output)
{
	return output == NS_OUT_MAIL ? 3600 : 60;
}

const char *
ns_output_name(int output)
{
	static const char *const names[NS_OUTPUTS] = {
		"trap", "mail", "syslog", "action"
	};

	return output >= 0 && output < NS_OUTPUTS ? names[output] : "?";
}

static time_t
ns_router_now(void)
{
	struct timespec	 now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec;
}

void
ns_router_init(const struct ns_router_outputs *out)
{
	int	 i;

	memset(&ns_router, 0, sizeof(ns_router));
	ns_router.out = *out;
	for (i = 0; i < NS_OUTPUTS; i++)
		ns_bucket_fill(&ns_router.state[i].bucket,
		    ns_alert_conf.rate[i]);
}

/* An address matches a block of plen 0 only when the block is unset. */
static int
ns_route_addr(const uint8_t *net, uint8_t plen, const struct ns_addr *a)
{
	if (net[0] == 0)
		return 1;
	if (a->key[0] == 0 || a->plen < plen)
		return 0;
	return ns_cidr_match(net, plen, a->key);
}

static int
ns_route_matches(const struct ns_route *r, const struct ns_alert *a)
{
	if (r->types != 0 && (r->types & (1u << a->ev.type)) == 0)
		return 0;
	if (a->severity < r->min_severity)
		return 0;
	return ns_route_addr(r->from, r->from_plen, &a->ev.attacker) &&
	    ns_route_addr(r->to, r->to_plen, &a->ev.target);
}

/*
 * An output with no alertRoute line receives every alert.  With lines,
 * it receives the alerts that one of them matches, and none when a line
 * turns it off, wherever that line is.
 */
int
ns_router_match(const struct ns_alert_conf *c, int output,
    const struct ns_alert *a)
{
	const struct ns_route	*r;
	size_t			 i;
	int			 routed = 0, matched = 0;

	for (i = 0; i < c->nroutes; i++) {
		r = &c->routes[i];
		if (r->output != output)
			continue;
		if (r->off)
			return 0;
		routed = 1;
		matched |= ns_route_matches(r, a);
	}
	return !routed || matched;
}

static void
ns_router_hold(int output, const struct ns_alert *a)
{
	struct ns_output_state	*s = &ns_router.state[output];

	if (s->held == 0) {
		s->held_since = a->raised;
		s->digest_due = ns_router_now() +
		    (time_t)ns_alert_conf.digest_delay;
	}
	s->held++;
	if (a->ev.type < NS_EV_TYPES)
		s->held_by_type[a->ev.type]++;
	ns_router.stats.suppressed[output]++;
}

static void
ns_router_deliver(int output, const struct ns_alert *a,
    const struct ns_note *n)
{
	switch (output) {
	case NS_OUT_TRAP:
		if (n != NULL)
			ns_router.out.trap(n);
		break;
	case NS_OUT_MAIL:
		ns_router.out.mail(a);
		break;
	case NS_OUT_SYSLOG:
		ns_alert_log(a);
		ns_router.stats.syslog_lines++;
		break;
	case NS_OUT_ACTION:
		ns_router.out.action(a);
		break;
	}
}

static int
ns_router_enabled(int output)
{
	int	 set = 1;

	switch (output) {
	case NS_OUT_MAIL:
		set = ns_router.out.mail != NULL;
		break;
	case NS_OUT_ACTION:
		set = ns_router.out.action != NULL;
		break;
	case NS_OUT_TRAP:
		set = ns_router.out.trap != NULL;
		break;
	}
	return set && (ns_router.out.enabled == NULL ||
	    ns_router.out.enabled(output));
}

static void
ns_router_names(struct ns_alert *a)
{
	const struct ns_event	*ev = &a->ev;
	int			 full;

	if (ns_router.out.lookup == NULL)
		return;
	if (ev->attacker.key[0] != 0)
		ns_router.out.lookup(ev->source, ev->attacker.key,
		    a->attacker_name);
	full = ev->target.key[0] == NS_INET_IPV4 ? 32 : 128;
	if (ev->target.key[0] != 0 && ev->target.plen == full)
		ns_router.out.lookup(ev->source, ev->target.key,
		    a->target_name);
}

static void
ns_router_make(const struct ns_note *n, struct ns_alert *a)
{
	memset(a, 0, sizeof(*a));
	a->id = ++ns_router.next_id;
	a->kind = (uint8_t)n->kind;
	a->ev = n->ev;
	a->raised = (int64_t)time(NULL);
	a->severity = n->ev.type < NS_EV_TYPES ?
	    ns_alert_conf.severity[n->ev.type] : NS_SEV_WARNING;
	if (a->severity == 0)
		a->severity = NS_SEV_WARNING;
	ns_router_names(a);
}

void
ns_router_pump(void)
{
	struct ns_note		 n;
	static struct ns_alert	 a;
	int			 out;

	while (ns_events_take(&n)) {
		ns_router_make(&n, &a);
		ns_router.stats.alerts++;
		for (out = 0; out < NS_OUTPUTS; out++) {
			if (!ns_router_enabled(out) ||
			    !ns_router_match(&ns_alert_conf, out, &a))
				continue;
			if (out != NS_OUT_TRAP && !ns_bucket_take(
			    &ns_router.state[out].bucket,
			    ns_alert_conf.rate[out], ns_output_period(out)))
				ns_router_hold(out, &a);
			else
				ns_router_deliver(out, &a, &n);
		}
	}
}

/* Send one output's digest: what its rate limit held back. */
static void
ns_router_digest(int output)
{
	struct ns_output_state	*s = &ns_router.state[output];
	static struct ns_alert	 a;

	memset(&a, 0, sizeof(a));
	a.id = ++ns_router.next_id;
	a.kind = NS_ALERT_DIGEST;
	a.severity = NS_SEV_INFO;
	a.raised = (int64_t)time(NULL);
	a.suppressed = s->held;
	memcpy(a.suppressed_by_type, s->held_by_type,
	    sizeof(a.suppressed_by_type));
	a.suppressed_since = s->held_since;
	s->held = 0;
	memset(s->held_by_type, 0, sizeof(s->held_by_type));
	ns_router.stats.digests[output]++;
	ns_router_deliver(output, &a, NULL);
}

void
ns_router_tick(void)
{
	time_t	 now = ns_router_now();
	int	 out;

	for (out = 0; out < NS_OUTPUTS; out++)
		if (ns_router.state[out].held > 0 &&
		    now >= ns_router.state[out].digest_due &&
		    ns_router_enabled(out))
			ns_router_digest(out);
}

void
ns_router_stats(struct ns_router_stats *st)
{
	*st = ns_router.stats;
}
