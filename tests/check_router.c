/*
 * Unit tests of the alert router: route matching, rate limits and
 * digests, and the quoting of key=value log fields.
 */
#include "config.h"

#include <arpa/inet.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "detect.h"
#include "router.h"

#define MAX_SEEN	64

static struct ns_alert	 seen[NS_OUTPUTS][MAX_SEEN];
static size_t		 nseen[NS_OUTPUTS];

static void
record(int output, const struct ns_alert *a)
{
	if (nseen[output] < MAX_SEEN)
		seen[output][nseen[output]] = *a;
	nseen[output]++;
}

static void
on_mail(const struct ns_alert *a)
{
	record(NS_OUT_MAIL, a);
}

static void
on_action(const struct ns_alert *a)
{
	record(NS_OUT_ACTION, a);
}

static size_t
lookup(unsigned source, const uint8_t *key, char *buf)
{
	strcpy(buf, "host.example");
	return strlen(buf);
}

static void
setup(void)
{
	struct ns_router_outputs	 out;

	memset(seen, 0, sizeof(seen));
	memset(nseen, 0, sizeof(nseen));
	ck_assert_int_eq(ns_events_init(100, 1000), 0);
	ns_alert_conf_defaults(&ns_alert_conf);
	memset(&out, 0, sizeof(out));
	out.lookup = lookup;
	out.mail = on_mail;
	out.action = on_action;
	ns_router_init(&out);
}

/* Start the router again, so its buckets take the rates now set. */
static void
reinit(void)
{
	struct ns_router_outputs	 out;

	memset(&out, 0, sizeof(out));
	out.mail = on_mail;
	out.action = on_action;
	ns_router_init(&out);
}

static void
teardown(void)
{
	ns_alert_conf_clear(&ns_alert_conf);
	ns_events_free();
}

static void
set_v4(struct ns_addr *a, const char *text, uint8_t plen)
{
	uint8_t	 addr[4];

	ck_assert_int_eq(inet_pton(AF_INET, text, addr), 1);
	ns_ipkey_set(a->key, 4, addr);
	a->plen = plen;
}

static struct ns_alert
make_alert(int type, const char *attacker, const char *target)
{
	struct ns_alert	 a;

	memset(&a, 0, sizeof(a));
	a.kind = NS_NOTE_STARTED;
	a.ev.type = (uint8_t)type;
	a.severity = ns_alert_conf.severity[type];
	set_v4(&a.ev.attacker, attacker, 32);
	set_v4(&a.ev.target, target, 32);
	return a;
}

static void
add_route(int output, const char *words)
{
	char	 err[128];
	struct ns_route	 r;
	char	*copy, *w, *save = NULL;

	memset(&r, 0, sizeof(r));
	r.output = output;
	copy = strdup(words);
	for (w = strtok_r(copy, " ", &save); w != NULL;
	    w = strtok_r(NULL, " ", &save)) {
		if (strcmp(w, "off") == 0)
			r.off = 1;
		else if (strncmp(w, "to=", 3) == 0)
			ck_assert_int_eq(ns_cidr_parse(w + 3, r.to, &r.to_plen,
			    err, sizeof(err)), 0);
		else if (strncmp(w, "from=", 5) == 0)
			ck_assert_int_eq(ns_cidr_parse(w + 5, r.from,
			    &r.from_plen, err, sizeof(err)), 0);
		else if (strcmp(w, "scans") == 0)
			r.types |= 1u << NS_EV_PORT_SCAN;
		else if (strcmp(w, "critical") == 0)
			r.min_severity = NS_SEV_CRITICAL;
	}
	free(copy);
	ns_alert_conf.routes = reallocarray(ns_alert_conf.routes,
	    ns_alert_conf.nroutes + 1, sizeof(r));
	ns_alert_conf.routes[ns_alert_conf.nroutes++] = r;
}

START_TEST(route_none_passes_all)
{
	struct ns_alert	 a = make_alert(NS_EV_LAND, "192.0.2.1",
	    "198.51.100.1");

	ck_assert_int_eq(ns_router_match(&ns_alert_conf, NS_OUT_MAIL, &a), 1);
}
END_TEST

START_TEST(route_by_type)
{
	struct ns_alert	 scan = make_alert(NS_EV_PORT_SCAN, "192.0.2.1",
	    "198.51.100.1");
	struct ns_alert	 land = make_alert(NS_EV_LAND, "192.0.2.1",
	    "198.51.100.1");

	add_route(NS_OUT_MAIL, "scans");
	ck_assert_int_eq(ns_router_match(&ns_alert_conf, NS_OUT_MAIL, &scan),
	    1);
	ck_assert_int_eq(ns_router_match(&ns_alert_conf, NS_OUT_MAIL, &land),
	    0);
	/* Another output's routes do not apply. */
	ck_assert_int_eq(ns_router_match(&ns_alert_conf, NS_OUT_SYSLOG,
	    &land), 1);
}
END_TEST

START_TEST(route_by_severity)
{
	struct ns_alert	 flood = make_alert(NS_EV_SYN_FLOOD, "192.0.2.1",
	    "198.51.100.1");
	struct ns_alert	 scan = make_alert(NS_EV_PORT_SCAN, "192.0.2.1",
	    "198.51.100.1");

	add_route(NS_OUT_MAIL, "critical");
	ck_assert_int_eq(ns_router_match(&ns_alert_conf, NS_OUT_MAIL, &flood),
	    1);
	ck_assert_int_eq(ns_router_match(&ns_alert_conf, NS_OUT_MAIL, &scan),
	    0);
}
END_TEST

START_TEST(route_by_target_block)
{
	struct ns_alert	 in = make_alert(NS_EV_PORT_SCAN, "192.0.2.1",
	    "198.51.100.77");
	struct ns_alert	 out = make_alert(NS_EV_PORT_SCAN, "192.0.2.1",
	    "203.0.113.5");
	struct ns_alert	 wide = make_alert(NS_EV_PORT_SCAN, "192.0.2.1",
	    "198.51.0.0");

	wide.ev.target.plen = 16;
	add_route(NS_OUT_MAIL, "to=198.51.100.0/24");
	ck_assert_int_eq(ns_router_match(&ns_alert_conf, NS_OUT_MAIL, &in),
	    1);
	ck_assert_int_eq(ns_router_match(&ns_alert_conf, NS_OUT_MAIL, &out),
	    0);
	/* A target network wider than the block does not lie inside it. */
	ck_assert_int_eq(ns_router_match(&ns_alert_conf, NS_OUT_MAIL, &wide),
	    0);
}
END_TEST

START_TEST(route_by_attacker_block)
{
	struct ns_alert	 a = make_alert(NS_EV_PORT_SCAN, "10.1.2.3",
	    "198.51.100.1");
	struct ns_alert	 b = make_alert(NS_EV_PORT_SCAN, "192.0.2.1",
	    "198.51.100.1");

	add_route(NS_OUT_ACTION, "from=10.0.0.0/8");
	ck_assert_int_eq(ns_router_match(&ns_alert_conf, NS_OUT_ACTION, &a),
	    1);
	ck_assert_int_eq(ns_router_match(&ns_alert_conf, NS_OUT_ACTION, &b),
	    0);
}
END_TEST

START_TEST(route_off_wins)
{
	struct ns_alert	 a = make_alert(NS_EV_PORT_SCAN, "192.0.2.1",
	    "198.51.100.1");

	add_route(NS_OUT_MAIL, "scans");
	add_route(NS_OUT_MAIL, "off");
	ck_assert_int_eq(ns_router_match(&ns_alert_conf, NS_OUT_MAIL, &a), 0);
}
END_TEST

/* Open n scan events, each of which queues a started note. */
static void
open_scans(int n)
{
	struct ns_event	 ev;
	int		 i;

	for (i = 0; i < n; i++) {
		memset(&ev, 0, sizeof(ev));
		ev.type = NS_EV_PORT_SCAN;
		ev.source = 1;
		set_v4(&ev.attacker, "192.0.2.1", 32);
		ev.attacker.key[4] = (uint8_t)i;
		set_v4(&ev.target, "198.51.100.1", 32);
		ns_event_open(&ev);
	}
}

START_TEST(pump_fills_alert)
{
	const struct ns_alert	*a = &seen[NS_OUT_MAIL][0];

	open_scans(1);
	ns_router_pump();
	ck_assert_uint_eq(nseen[NS_OUT_MAIL], 1);
	ck_assert_uint_eq(a->kind, NS_NOTE_STARTED);
	ck_assert_uint_eq(a->severity, NS_SEV_WARNING);
	ck_assert_uint_eq(a->ev.index, 1);
	ck_assert_str_eq(a->attacker_name, "host.example");
	ck_assert_str_eq(a->target_name, "host.example");
	ck_assert_int_gt(a->raised, 0);
}
END_TEST

START_TEST(rate_limit_then_digest)
{
	struct ns_router_stats	 st;
	const struct ns_alert	*d;

	ns_alert_conf.rate[NS_OUT_MAIL] = 3;
	ns_alert_conf.rate[NS_OUT_ACTION] = 0;
	ns_alert_conf.digest_delay = 1;
	reinit();
	open_scans(10);
	ns_router_pump();
	ck_assert_uint_eq(nseen[NS_OUT_MAIL], 3);
	ck_assert_uint_eq(nseen[NS_OUT_ACTION], 10);

	/* No digest before the delay. */
	ns_router_tick();
	ck_assert_uint_eq(nseen[NS_OUT_MAIL], 3);
	sleep(2);
	ns_router_tick();
	ck_assert_uint_eq(nseen[NS_OUT_MAIL], 4);
	d = &seen[NS_OUT_MAIL][3];
	ck_assert_uint_eq(d->kind, NS_ALERT_DIGEST);
	ck_assert_uint_eq(d->suppressed, 7);
	ck_assert_uint_eq(d->suppressed_by_type[NS_EV_PORT_SCAN], 7);

	/* One digest per burst. */
	ns_router_tick();
	ck_assert_uint_eq(nseen[NS_OUT_MAIL], 4);
	ns_router_stats(&st);
	ck_assert_uint_eq(st.alerts, 10);
	ck_assert_uint_eq(st.suppressed[NS_OUT_MAIL], 7);
	ck_assert_uint_eq(st.suppressed[NS_OUT_ACTION], 0);
	ck_assert_uint_eq(st.digests[NS_OUT_MAIL], 1);
}
END_TEST

START_TEST(kv_quote_plain_token)
{
	char	 buf[64];

	ck_assert_str_eq(ns_kv_quote("host.example", buf, sizeof(buf)),
	    "host.example");
}
END_TEST

START_TEST(kv_quote_escapes)
{
	char	 buf[128];

	ck_assert_str_eq(ns_kv_quote("", buf, sizeof(buf)), "\"\"");
	ck_assert_str_eq(ns_kv_quote("a b", buf, sizeof(buf)), "\"a b\"");
	ck_assert_str_eq(ns_kv_quote("x=1", buf, sizeof(buf)), "\"x=1\"");
	ck_assert_str_eq(ns_kv_quote("say \"hi\"\\", buf, sizeof(buf)),
	    "\"say \\\"hi\\\"\\\\\"");
	ck_assert_str_eq(ns_kv_quote("a\r\nb", buf, sizeof(buf)),
	    "\"a\\x0d\\x0ab\"");
	ck_assert_str_eq(ns_kv_quote("caf\xc3\xa9", buf, sizeof(buf)),
	    "\"caf\\xc3\\xa9\"");
}
END_TEST

START_TEST(kv_quote_truncates_safely)
{
	char	 buf[8];
	size_t	 len;

	ns_kv_quote("\n\n\n\n\n\n\n\n", buf, sizeof(buf));
	len = strlen(buf);
	ck_assert_uint_lt(len, sizeof(buf));
	ck_assert_int_eq(buf[0], '"');
	ck_assert_int_eq(buf[len - 1], '"');
	ck_assert_ptr_null(strchr(buf, '\n'));
}
END_TEST

static Suite *
router_suite(void)
{
	Suite	*s = suite_create("router");
	TCase	*tc = tcase_create("routes");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, route_none_passes_all);
	tcase_add_test(tc, route_by_type);
	tcase_add_test(tc, route_by_severity);
	tcase_add_test(tc, route_by_target_block);
	tcase_add_test(tc, route_by_attacker_block);
	tcase_add_test(tc, route_off_wins);
	tcase_add_test(tc, pump_fills_alert);
	tcase_add_test(tc, rate_limit_then_digest);
	tcase_set_timeout(tc, 10);
	suite_add_tcase(s, tc);

	tc = tcase_create("kv");
	tcase_add_test(tc, kv_quote_plain_token);
	tcase_add_test(tc, kv_quote_escapes);
	tcase_add_test(tc, kv_quote_truncates_safely);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(router_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
