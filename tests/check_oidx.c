/* Unit tests for SNMP index encoding and ordered lookup. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "oidx.h"

static struct ns_store	 st;

static void
setup(void)
{
	struct ns_limits	 l = { 5000, 5000, 5000, 5000, 0 };

	ck_assert_int_eq(ns_store_init(&st, &l), 0);
}

static void
teardown(void)
{
	ns_store_free(&st);
}

/* Count a frame between two random hosts, IPv4 or IPv6. */
static void
count_random(unsigned seed)
{
	struct ns_decoded	 d;
	unsigned		 i;

	memset(&d, 0, sizeof(d));
	srandom(seed);
	d.has_mac = 1;
	d.ip_valid = 1;
	d.ip_version = random() % 3 == 0 ? 6 : 4;
	d.l3 = d.ip_version == 4 ? NS_L3_IPV4 : NS_L3_IPV6;
	for (i = 0; i < NS_MAC_LEN; i++) {
		d.mac_src[i] = (uint8_t)(random() % 4 * 85);
		d.mac_dst[i] = (uint8_t)(random() % 4 * 85);
	}
	for (i = 0; i < 16; i++) {
		d.ip_src[i] = (uint8_t)(random() % 3 * 127);
		d.ip_dst[i] = (uint8_t)(random() % 3 * 127);
	}
	ns_store_count(&st, &d, 64, 1, 0);
}

START_TEST(octets_length_prefixed)
{
	ns_oid		 out[8];
	const uint8_t	 mac[6] = { 8, 0, 32, 27, 3, 176 };
	const ns_oid	 want[7] = { 6, 8, 0, 32, 27, 3, 176 };

	ck_assert_uint_eq(ns_oidx_octets(out, mac, 6), 7);
	ck_assert_int_eq(memcmp(out, want, sizeof(want)), 0);
}
END_TEST

START_TEST(ipkey_inet_address)
{
	uint8_t		 key[NS_IPKEY_LEN];
	const uint8_t	 a4[4] = { 192, 0, 2, 1 };
	const uint8_t	 a6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	ns_oid		 out[NS_OIDX_MAX];
	const ns_oid	 want4[6] = { 1, 4, 192, 0, 2, 1 };

	ns_ipkey_set(key, 4, a4);
	ck_assert_uint_eq(ns_oidx_ipkey(out, key), 6);
	ck_assert_int_eq(memcmp(out, want4, sizeof(want4)), 0);

	ns_ipkey_set(key, 6, a6);
	ck_assert_uint_eq(ns_oidx_ipkey(out, key), 18);
	ck_assert_uint_eq(out[0], 2);
	ck_assert_uint_eq(out[1], 16);
	ck_assert_uint_eq(out[2], 0x20);
	ck_assert_uint_eq(out[17], 1);
}
END_TEST

START_TEST(cmp_shorter_prefix_first)
{
	const ns_oid	 a[2] = { 1, 2 };
	const ns_oid	 b[3] = { 1, 2, 0 };
	const ns_oid	 c[1] = { 3 };

	ck_assert_int_lt(ns_oidx_cmp(a, 2, b, 3), 0);
	ck_assert_int_gt(ns_oidx_cmp(b, 3, a, 2), 0);
	ck_assert_int_eq(ns_oidx_cmp(a, 2, a, 2), 0);
	ck_assert_int_lt(ns_oidx_cmp(b, 3, c, 1), 0);
	ck_assert_int_lt(ns_oidx_cmp(NULL, 0, a, 2), 0);
}
END_TEST

/*
 * Walk a tree with repeated "find next" from each returned index and
 * check that indexes strictly increase and every row is visited: the
 * same sequence a GETNEXT walk produces.
 */
static void
check_walk(struct ns_tree *tree, ns_oidx_encoder *enc, size_t rows)
{
	ns_oid		 idx[NS_OIDX_MAX], prev[NS_OIDX_MAX];
	size_t		 len = 0, plen = 0, seen = 0;
	struct ns_entry	*e, *again;

	while ((e = ns_oidx_find(tree, enc, idx, len, 1)) != NULL) {
		memcpy(prev, idx, len * sizeof(ns_oid));
		plen = len;
		len = enc(e, idx);
		if (seen > 0)
			ck_assert_int_lt(ns_oidx_cmp(prev, plen, idx, len), 0);
		again = ns_oidx_find(tree, enc, idx, len, 0);
		ck_assert_ptr_eq(again, e);
		seen++;
		ck_assert_uint_le(seen, rows);
	}
	ck_assert_uint_eq(seen, rows);
}

START_TEST(walk_every_table)
{
	unsigned	 i;

	for (i = 0; i < 2000; i++)
		count_random(i);
	check_walk(&st.mac_hosts.tree, ns_oidx_mac_host, st.mac_hosts.count);
	check_walk(&st.mac_pairs.tree, ns_oidx_mac_sd, st.mac_pairs.count);
	check_walk(&st.ip_hosts.tree, ns_oidx_ip_host, st.ip_hosts.count);
	check_walk(&st.ip_pairs.tree, ns_oidx_ip_pair, st.ip_pairs.count);
}
END_TEST

START_TEST(walk_ds_order)
{
	ns_oid			 idx[NS_OIDX_MAX], prev[NS_OIDX_MAX];
	size_t			 len = 0, plen, seen = 0;
	struct ns_mac_pair	*p;
	unsigned		 i;

	for (i = 0; i < 2000; i++)
		count_random(i);
	while ((p = ns_oidx_find_ds(&st.ds_tree, idx, len, 1)) != NULL) {
		memcpy(prev, idx, len * sizeof(ns_oid));
		plen = len;
		len = ns_oidx_mac_ds(&p->e, idx);
		if (seen > 0)
			ck_assert_int_lt(ns_oidx_cmp(prev, plen, idx, len), 0);
		ck_assert_ptr_eq(ns_oidx_find_ds(&st.ds_tree, idx, len, 0), p);
		seen++;
	}
	ck_assert_uint_eq(seen, st.mac_pairs.count);
}
END_TEST

START_TEST(partial_and_odd_suffixes)
{
	struct ns_entry	*first, *e;
	ns_oid		 idx[NS_OIDX_MAX];
	size_t		 len;
	const ns_oid	 huge[2] = { 4294967295UL, 7 };
	const ns_oid	 type_only[1] = { 1 };

	count_random(1);
	count_random(2);
	first = ns_table_first(&st.ip_hosts);
	len = ns_oidx_ip_host(first, idx);

	/* A prefix of the first index sorts before it. */
	e = ns_oidx_find(&st.ip_hosts.tree, ns_oidx_ip_host, idx, len - 1, 1);
	ck_assert_ptr_eq(e, first);
	ck_assert_ptr_null(ns_oidx_find(&st.ip_hosts.tree, ns_oidx_ip_host,
	    idx, len - 1, 0));
	ck_assert_ptr_null(ns_oidx_find(&st.ip_hosts.tree, ns_oidx_ip_host,
	    huge, 2, 1));
	e = ns_oidx_find(&st.ip_hosts.tree, ns_oidx_ip_host, type_only, 1, 1);
	ck_assert_ptr_nonnull(e);
}
END_TEST

static Suite *
oidx_suite(void)
{
	Suite	*s = suite_create("oidx");
	TCase	*tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, octets_length_prefixed);
	tcase_add_test(tc, ipkey_inet_address);
	tcase_add_test(tc, cmp_shorter_prefix_first);
	tcase_add_test(tc, walk_every_table);
	tcase_add_test(tc, walk_ds_order);
	tcase_add_test(tc, partial_and_odd_suffixes);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(oidx_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
