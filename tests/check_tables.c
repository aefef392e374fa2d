/* Unit tests for the per-source traffic tables. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "tables.h"

static struct ns_limits
limits(size_t hosts, size_t pairs, uint32_t idle)
{
	struct ns_limits	 l;

	l.max_mac_hosts = hosts;
	l.max_mac_pairs = pairs;
	l.max_ip_hosts = hosts;
	l.max_ip_pairs = pairs;
	l.idle_timeout = idle;
	return l;
}

/* An Ethernet IPv4 frame from host number src to host number dst. */
static struct ns_decoded
frame(unsigned src, unsigned dst)
{
	struct ns_decoded	 d;

	memset(&d, 0, sizeof(d));
	d.has_mac = 1;
	d.mac_src[0] = 0x02;
	d.mac_src[4] = (uint8_t)(src >> 8);
	d.mac_src[5] = (uint8_t)src;
	d.mac_dst[0] = 0x02;
	d.mac_dst[4] = (uint8_t)(dst >> 8);
	d.mac_dst[5] = (uint8_t)dst;
	d.l3 = NS_L3_IPV4;
	d.ip_valid = 1;
	d.ip_version = 4;
	d.ip_src[0] = 10;
	d.ip_src[2] = (uint8_t)(src >> 8);
	d.ip_src[3] = (uint8_t)src;
	d.ip_dst[0] = 10;
	d.ip_dst[2] = (uint8_t)(dst >> 8);
	d.ip_dst[3] = (uint8_t)dst;
	return d;
}

static uint32_t
fixed_ticks(void)
{
	return 4242;
}

static struct ns_mac_host *
mac_host(struct ns_store *st, unsigned n)
{
	struct ns_decoded	 d = frame(n, n);

	return (struct ns_mac_host *)ns_table_lookup(&st->mac_hosts,
	    d.mac_src);
}

START_TEST(count_hosts_and_pairs)
{
	struct ns_store		 st;
	struct ns_limits	 l = limits(100, 100, 0);
	struct ns_decoded	 d = frame(1, 2);
	struct ns_mac_host	*h;
	struct ns_ip_host	*ih;
	uint8_t			 key[NS_KEY_MAX] = { 0 };

	ck_assert_int_eq(ns_store_init(&st, &l), 0);
	ns_store_count(&st, &d, 100, 1000, 0);
	ns_store_count(&st, &d, 60, 1001, 0);
	d = frame(2, 1);
	ns_store_count(&st, &d, 1514, 1002, 0);

	h = mac_host(&st, 1);
	ck_assert_ptr_nonnull(h);
	ck_assert_uint_eq(h->out_pkts, 2);
	ck_assert_uint_eq(h->out_octets, 160);
	ck_assert_uint_eq(h->in_pkts, 1);
	ck_assert_uint_eq(h->in_octets, 1514);
	ck_assert_uint_eq(st.mac_hosts.count, 2);
	ck_assert_uint_eq(st.mac_pairs.count, 2);
	ck_assert_uint_eq(st.ip_hosts.count, 2);
	ck_assert_uint_eq(st.ip_pairs.count, 2);
	ck_assert_uint_eq(st.pkts, 3);
	ck_assert_uint_eq(st.octets, 1674);

	ns_ipkey_set(key, 4, d.ip_dst);
	ih = (struct ns_ip_host *)ns_table_lookup(&st.ip_hosts, key);
	ck_assert_ptr_nonnull(ih);
	ck_assert_uint_eq(ih->out_pkts, 2);
	ck_assert_uint_eq(ih->in_octets, 1514);
	ck_assert_uint_eq(ih->e.first_seen, 1000);
	ck_assert_uint_eq(ih->e.last_seen, 1002);
	ns_store_free(&st);
}
END_TEST

START_TEST(broadcast_and_multicast)
{
	struct ns_store		 st;
	struct ns_limits	 l = limits(100, 100, 0);
	struct ns_decoded	 d = frame(1, 2);
	struct ns_mac_host	*h;

	ck_assert_int_eq(ns_store_init(&st, &l), 0);
	memset(d.mac_dst, 0xff, NS_MAC_LEN);
	ns_store_count(&st, &d, 64, 1, 0);
	d.mac_dst[0] = 0x01;
	d.mac_dst[1] = 0x00;
	d.mac_dst[2] = 0x5e;
	ns_store_count(&st, &d, 64, 1, 0);
	h = mac_host(&st, 1);
	ck_assert_uint_eq(h->out_bcast, 1);
	ck_assert_uint_eq(h->out_mcast, 1);
	ck_assert_uint_eq(st.mac_hosts.count, 3);
	ns_store_free(&st);
}
END_TEST

START_TEST(invalid_ip_not_counted)
{
	struct ns_store		 st;
	struct ns_limits	 l = limits(100, 100, 0);
	struct ns_decoded	 d = frame(1, 2);

	ck_assert_int_eq(ns_store_init(&st, &l), 0);
	d.ip_valid = 0;
	d.malformed = "ipv4: header length < 20";
	ns_store_count(&st, &d, 64, 1, 0);
	ck_assert_uint_eq(st.malformed, 1);
	ck_assert_uint_eq(st.ip_hosts.count, 0);
	ck_assert_uint_eq(st.mac_hosts.count, 2);
	ns_store_free(&st);
}
END_TEST

START_TEST(cap_purges_least_recent)
{
	struct ns_store		 st;
	struct ns_limits	 l = limits(4, 100, 0);
	struct ns_decoded	 d;
	unsigned		 i;

	ck_assert_int_eq(ns_store_init(&st, &l), 0);
	/* Hosts 1..4 each talk to themselves; then 1 is active again. */
	for (i = 1; i <= 4; i++) {
		d = frame(i, i);
		ns_store_count(&st, &d, 64, i, 0);
	}
	d = frame(1, 1);
	ns_store_count(&st, &d, 64, 5, 0);
	d = frame(5, 5);
	ns_store_count(&st, &d, 64, 6, 0);

	ck_assert_uint_eq(st.mac_hosts.count, 4);
	ck_assert_ptr_nonnull(mac_host(&st, 1));
	ck_assert_ptr_null(mac_host(&st, 2));
	ck_assert_ptr_nonnull(mac_host(&st, 5));
	ck_assert_uint_eq(st.mac_hosts.deletes, 1);
	ns_store_free(&st);
}
END_TEST

START_TEST(spoofed_flood_stays_bounded)
{
	struct ns_store		 st;
	struct ns_limits	 l = limits(1000, 2000, 0);
	struct ns_decoded	 d;
	unsigned		 i;

	ck_assert_int_eq(ns_store_init(&st, &l), 0);
	for (i = 0; i < 50000; i++) {
		d = frame(i, 60000);
		ns_store_count(&st, &d, 64, 1 + i / 1000, 0);
	}
	ck_assert_uint_eq(st.mac_hosts.count, 1000);
	ck_assert_uint_eq(st.mac_pairs.count, 2000);
	ck_assert_uint_eq(st.ip_hosts.count, 1000);
	ck_assert_uint_eq(st.ip_pairs.count, 2000);
	ck_assert_uint_eq(st.order.live, 1000);
	/* The destination is active in every packet, so it survives. */
	ck_assert_ptr_nonnull(mac_host(&st, 60000));
	ns_store_free(&st);
}
END_TEST

START_TEST(cap_of_one_repeated_frames)
{
	struct ns_store		 st;
	struct ns_limits	 l = limits(1, 1, 0);
	struct ns_decoded	 d = frame(1, 2);
	struct ns_mac_host	*h;
	unsigned		 i;

	/*
	 * Each frame deletes the row made for its own source, so no set of
	 * rows may be reused from the conversation cache.
	 */
	ck_assert_int_eq(ns_store_init(&st, &l), 0);
	for (i = 0; i < 10; i++)
		ns_store_count(&st, &d, 64, 1, 0);
	ck_assert_uint_eq(st.mac_hosts.count, 1);
	ck_assert_ptr_null(mac_host(&st, 1));
	h = mac_host(&st, 2);
	ck_assert_ptr_nonnull(h);
	ck_assert_uint_eq(h->in_pkts, 1);
	ck_assert_uint_eq(h->out_pkts, 0);
	ck_assert_uint_eq(st.mac_hosts.deletes, 19);
	ck_assert_uint_eq(st.ip_hosts.count, 1);
	ns_store_free(&st);
}
END_TEST

START_TEST(cached_rows_count_like_lookups)
{
	struct ns_store		 st;
	struct ns_limits	 l = limits(100, 100, 0);
	struct ns_decoded	 d;
	struct ns_mac_host	*h;
	unsigned		 i;

	ck_assert_int_eq(ns_store_init(&st, &l), 0);
	for (i = 0; i < 1000; i++) {
		d = frame(i % 3, 7);
		ns_store_count(&st, &d, 100, 1 + i / 100, 0);
	}
	h = mac_host(&st, 7);
	ck_assert_uint_eq(h->in_pkts, 1000);
	ck_assert_uint_eq(h->in_octets, 100000);
	h = mac_host(&st, 1);
	ck_assert_uint_eq(h->out_pkts, 333);
	ck_assert_uint_eq(h->e.last_seen, 10);
	ck_assert_uint_eq(st.mac_pairs.count, 3);
	ns_store_free(&st);
}
END_TEST

START_TEST(idle_rows_expire)
{
	struct ns_store		 st;
	struct ns_limits	 l = limits(100, 100, 30);
	struct ns_decoded	 d;

	ck_assert_int_eq(ns_store_init(&st, &l), 0);
	d = frame(1, 2);
	ns_store_count(&st, &d, 64, 100, 0);
	d = frame(3, 3);
	ns_store_count(&st, &d, 64, 120, 0);
	ck_assert_uint_eq(st.mac_hosts.count, 3);

	/* At 131, hosts 1 and 2 have been idle 31 s; host 3 only 11 s. */
	ns_store_count(&st, &d, 64, 131, 0);
	ck_assert_uint_eq(st.mac_hosts.count, 1);
	ck_assert_ptr_null(mac_host(&st, 1));
	ck_assert_ptr_nonnull(mac_host(&st, 3));
	ck_assert_uint_eq(st.ip_pairs.count, 1);
	ck_assert_uint_eq(st.order.live, 1);
	ns_store_free(&st);
}
END_TEST

START_TEST(idle_timeout_zero_keeps_rows)
{
	struct ns_store		 st;
	struct ns_limits	 l = limits(100, 100, 0);
	struct ns_decoded	 d = frame(1, 2);

	ck_assert_int_eq(ns_store_init(&st, &l), 0);
	ns_store_count(&st, &d, 64, 100, 0);
	d = frame(3, 3);
	ns_store_count(&st, &d, 64, 100 + 86400 * 365, 0);
	ck_assert_uint_eq(st.mac_hosts.count, 3);
	ns_store_free(&st);
}
END_TEST

START_TEST(creation_order_after_deletes)
{
	struct ns_store		 st;
	struct ns_limits	 l = limits(50, 1000, 0);
	struct ns_decoded	 d;
	struct ns_mac_host	*h;
	unsigned		 i;
	size_t			 k;

	ck_assert_int_eq(ns_store_init(&st, &l), 0);
	/* 200 hosts through a 50-row table: 150 deletions, compactions. */
	for (i = 1; i <= 200; i++) {
		d = frame(i, i);
		ns_store_count(&st, &d, 64, i, 0);
	}
	ck_assert_uint_eq(st.order.live, 50);
	for (k = 1; k <= 50; k++) {
		h = ns_order_nth(&st.order, k);
		ck_assert_ptr_nonnull(h);
		ck_assert_uint_eq(h->e.key[5], (150 + k) & 0xff);
		ck_assert_uint_eq(ns_order_rank(&st.order, h), k);
	}
	ck_assert_ptr_null(ns_order_nth(&st.order, 51));
	ck_assert_ptr_null(ns_order_nth(&st.order, 0));
	ns_store_free(&st);
}
END_TEST

START_TEST(tree_in_key_order)
{
	struct ns_store		 st;
	struct ns_limits	 l = limits(1000, 1000, 0);
	struct ns_decoded	 d;
	struct ns_entry		*e, *prev = NULL;
	unsigned		 i, n = 0;

	ck_assert_int_eq(ns_store_init(&st, &l), 0);
	for (i = 0; i < 500; i++) {
		d = frame((i * 7919) % 997, (i * 104729) % 991);
		ns_store_count(&st, &d, 64, 1, 0);
	}
	for (e = ns_table_first(&st.ip_pairs); e != NULL;
	    e = ns_table_next(&st.ip_pairs, e)) {
		if (prev != NULL)
			ck_assert_int_lt(memcmp(prev->key, e->key,
			    NS_KEY_MAX), 0);
		prev = e;
		n++;
	}
	ck_assert_uint_eq(n, st.ip_pairs.count);
	ns_store_free(&st);
}
END_TEST

START_TEST(seen_times_follow_packets)
{
	struct ns_store		 st;
	struct ns_limits	 l = limits(100, 100, 0);
	struct ns_decoded	 d = frame(1, 2);
	struct ns_entry		*e;

	ck_assert_int_eq(ns_store_init(&st, &l), 0);
	/* A file whose frames run backwards in time. */
	ns_store_count(&st, &d, 64, 500, 730000);
	ns_store_count(&st, &d, 64, 400, 250000);
	ns_store_count(&st, &d, 64, 550, 999999);
	ns_store_count(&st, &d, 64, 450, 0);
	e = ns_table_first(&st.ip_pairs);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->first_seen, 500);
	ck_assert_uint_eq(e->first_tenths, 7);
	ck_assert_uint_eq(e->last_seen, 550);
	ck_assert_uint_eq(e->last_tenths, 9);
	ns_store_free(&st);
}
END_TEST

START_TEST(delete_time_recorded)
{
	struct ns_store		 st;
	struct ns_limits	 l = limits(2, 100, 0);
	struct ns_decoded	 d;
	unsigned		 i;

	ck_assert_int_eq(ns_store_init(&st, &l), 0);
	ck_assert_uint_eq(st.mac_hosts.last_delete, 0);
	ns_uptime_ticks = fixed_ticks;
	for (i = 1; i <= 3; i++) {
		d = frame(i, i);
		ns_store_count(&st, &d, 64, i, 0);
	}
	ck_assert_uint_eq(st.mac_hosts.last_delete, 4242);
	ck_assert_uint_eq(st.ip_hosts.last_delete, 4242);
	ck_assert_uint_eq(st.mac_pairs.last_delete, 0);
	ns_store_free(&st);
}
END_TEST

START_TEST(ipv6_key_after_ipv4)
{
	uint8_t	 k4[NS_IPKEY_LEN], k6[NS_IPKEY_LEN];
	uint8_t	 a4[4] = { 255, 255, 255, 255 };
	uint8_t	 a6[16] = { 0 };

	ns_ipkey_set(k4, 4, a4);
	ns_ipkey_set(k6, 6, a6);
	ck_assert_uint_eq(k4[0], NS_INET_IPV4);
	ck_assert_uint_eq(k6[0], NS_INET_IPV6);
	ck_assert_int_lt(memcmp(k4, k6, NS_IPKEY_LEN), 0);
}
END_TEST

static Suite *
tables_suite(void)
{
	Suite	*s = suite_create("tables");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, count_hosts_and_pairs);
	tcase_add_test(tc, broadcast_and_multicast);
	tcase_add_test(tc, invalid_ip_not_counted);
	tcase_add_test(tc, cap_purges_least_recent);
	tcase_add_test(tc, spoofed_flood_stays_bounded);
	tcase_add_test(tc, cap_of_one_repeated_frames);
	tcase_add_test(tc, cached_rows_count_like_lookups);
	tcase_add_test(tc, idle_rows_expire);
	tcase_add_test(tc, idle_timeout_zero_keeps_rows);
	tcase_add_test(tc, creation_order_after_deletes);
	tcase_add_test(tc, tree_in_key_order);
	tcase_add_test(tc, seen_times_follow_packets);
	tcase_add_test(tc, delete_time_recorded);
	tcase_add_test(tc, ipv6_key_after_ipv4);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(tables_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
