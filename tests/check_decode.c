/* netsentry tests: packet decoder on built frames and on tests/data. */

#include <sys/types.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <check.h>
#include <dirent.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "pcapgen.h"

#define DLT_SLL2	276	/* DLT_LINUX_SLL2, absent from older libpcap */
#define DLT_V4		228	/* DLT_IPV4 */
#define DLT_V6		229	/* DLT_IPV6 */
#define DLT_NFLOG_	239	/* DLT_NFLOG */

static const uint8_t A4_SRC[4] = { 192, 0, 2, 1 };
static const uint8_t A4_DST[4] = { 198, 51, 100, 2 };
static const uint8_t A4_OTHER[4] = { 203, 0, 113, 9 };
static const uint8_t A6_SRC[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t A6_DST[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
static const uint8_t A6_OTHER[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 9 };

/*
 * Decodes caplen bytes of f from a heap copy of exactly that size, so
 * that AddressSanitizer and valgrind see any read past the captured end.
 */
static int
decode_cut(int dlt, const struct pg_frame *f, size_t caplen, size_t wirelen,
    struct ns_decoded *d)
{
	uint8_t	*copy;
	int	 rc;

	copy = malloc(caplen > 0 ? caplen : 1);
	ck_assert_ptr_nonnull(copy);
	memcpy(copy, f->buf, caplen);
	rc = ns_decode(dlt, copy, caplen, wirelen, d);
	free(copy);
	return rc;
}

static int
decode_frame(int dlt, const struct pg_frame *f, struct ns_decoded *d)
{
	return decode_cut(dlt, f, f->len, f->len, d);
}

static void
assert_ipv4_addrs(const struct ns_decoded *d, const uint8_t src[4],
    const uint8_t dst[4])
{
	ck_assert_int_eq(d->ip_valid, 1);
	ck_assert_int_eq(d->ip_version, 4);
	ck_assert_mem_eq(d->ip_src, src, 4);
	ck_assert_mem_eq(d->ip_dst, dst, 4);
}

static void
assert_ipv6_addrs(const struct ns_decoded *d, const uint8_t src[16],
    const uint8_t dst[16])
{
	ck_assert_int_eq(d->ip_valid, 1);
	ck_assert_int_eq(d->ip_version, 6);
	ck_assert_mem_eq(d->ip_src, src, 16);
	ck_assert_mem_eq(d->ip_dst, dst, 16);
}

static void
assert_ports(const struct ns_decoded *d, uint16_t sport, uint16_t dport)
{
	ck_assert_int_eq(d->has_ports, 1);
	ck_assert_uint_eq(d->sport, sport);
	ck_assert_uint_eq(d->dport, dport);
}

static void
assert_malformed(int rc, const struct ns_decoded *d, const char *msg)
{
	ck_assert_int_eq(rc, -1);
	ck_assert_ptr_nonnull(d->malformed);
	ck_assert_str_eq(d->malformed, msg);
	ck_assert_int_eq(d->snap_truncated, 0);
}

/* Appends IPv4 and TCP 40000 -> 80 with SYN to f. */
static void
build_ipv4_tcp(struct pg_frame *f)
{
	size_t	ip = pg_ipv4(f, 6, A4_SRC, A4_DST, 0);

	pg_tcp(f, 40000, 80, NS_TH_SYN, 1000, 0, 0);
	pg_ipv4_end(f, ip);
}

/* Appends IPv6 and UDP 5353 -> 53 with 4 payload bytes to f. */
static void
build_ipv6_udp(struct pg_frame *f)
{
	size_t	ip = pg_ipv6(f, 17, A6_SRC, A6_DST);
	size_t	udp = pg_udp(f, 5353, 53);

	pg_zero(f, 4);
	pg_udp_end(f, udp);
	pg_ipv6_end(f, ip);
}

/*
 * Link layers.
 */

START_TEST(test_ether_ipv4_tcp)
{
	struct pg_frame		f;
	struct ns_decoded	d;
	size_t			ip;

	pg_init(&f);
	pg_ether(&f, 0x0800);
	ip = pg_ipv4(&f, 6, A4_SRC, A4_DST, 0);
	pg_tcp(&f, 40000, 443, NS_TH_SYN | NS_TH_ACK, 0x01020304,
	    0xa0b0c0d0, 0);
	pg_ipv4_end(&f, ip);

	ck_assert_int_eq(decode_frame(DLT_EN10MB, &f, &d), 0);
	ck_assert_ptr_null(d.malformed);
	ck_assert_int_eq(d.has_mac, 1);
	ck_assert_mem_eq(d.mac_dst, PG_MAC_DST, 6);
	ck_assert_mem_eq(d.mac_src, PG_MAC_SRC, 6);
	ck_assert_int_eq(d.l3, NS_L3_IPV4);
	assert_ipv4_addrs(&d, A4_SRC, A4_DST);
	ck_assert_uint_eq(d.ip_ttl, 64);
	ck_assert_uint_eq(d.ip_proto, 6);
	ck_assert_uint_eq(d.ip_len, f.len - ip);
	ck_assert_int_eq(d.ip_options, 0);
	ck_assert_int_eq(d.ip_fragment, 0);
	ck_assert_uint_eq(d.frag_id, 0x1234);
	assert_ports(&d, 40000, 443);
	ck_assert_uint_eq(d.tcp_flags, NS_TH_SYN | NS_TH_ACK);
	ck_assert_uint_eq(d.tcp_seq, 0x01020304);
	ck_assert_uint_eq(d.tcp_ack, 0xa0b0c0d0);
	ck_assert_int_eq(d.has_icmp, 0);
	ck_assert_uint_eq(d.vlan_tags, 0);
	ck_assert_int_eq(d.snap_truncated, 0);
}
END_TEST

START_TEST(test_ether_ipv6_udp)
{
	struct pg_frame		f;
	struct ns_decoded	d;

	pg_init(&f);
	pg_ether(&f, 0x86dd);
	build_ipv6_udp(&f);

	ck_assert_int_eq(decode_frame(DLT_EN10MB, &f, &d), 0);
	ck_assert_int_eq(d.l3, NS_L3_IPV6);
	assert_ipv6_addrs(&d, A6_SRC, A6_DST);
	ck_assert_uint_eq(d.ip_proto, 17);
	ck_assert_uint_eq(d.ip_ttl, 64);
	ck_assert_uint_eq(d.ip_len, 40 + 12);
	assert_ports(&d, 5353, 53);
}
END_TEST

START_TEST(test_ether_padding_ignored)
{
	struct pg_frame		f;
	struct ns_decoded	d;

	pg_init(&f);
	pg_ether(&f, 0x0800);
	build_ipv4_tcp(&f);
	pg_zero(&f, 6);			/* padding to the 60-byte minimum */

	ck_assert_int_eq(decode_frame(DLT_EN10MB, &f, &d), 0);
	ck_assert_uint_eq(d.ip_len, 40);
	assert_ports(&d, 40000, 80);
}
END_TEST

START_TEST(test_ether_8023_llc_not_ip)
{
	static const uint8_t	llc_stp[3] = { 0x42, 0x42, 0x03 };
	struct pg_frame		f;
	struct ns_decoded	d;

	pg_init(&f);
	pg_ether(&f, 38);		/* IEEE 802.3 length field */
	pg_put(&f, llc_stp, sizeof(llc_stp));
	pg_zero(&f, 35);

	ck_assert_int_eq(decode_frame(DLT_EN10MB, &f, &d), 0);
	ck_assert_ptr_null(d.malformed);
	ck_assert_int_eq(d.l3, NS_L3_NONE);
	ck_assert_int_eq(d.has_mac, 1);
	ck_assert_int_eq(d.ip_valid, 0);
}
END_TEST

START_TEST(test_ether_unknown_type)
{
	struct pg_frame		f;
	struct ns_decoded	d;

	pg_init(&f);
	pg_ether(&f, 0x88cc);		/* LLDP */
	pg_zero(&f, 46);

	ck_assert_int_eq(decode_frame(DLT_EN10MB, &f, &d), 0);
	ck_assert_int_eq(d.l3, NS_L3_NONE);
}
END_TEST

START_TEST(test_vlan_8021q)
{
	struct pg_frame		f;
	struct ns_decoded	d;

	pg_init(&f);
	pg_ether(&f, 0x8100);
	pg_vlan(&f, 123, 0x0800);
	build_ipv4_tcp(&f);

	ck_assert_int_eq(decode_frame(DLT_EN10MB, &f, &d), 0);
	ck_assert_uint_eq(d.vlan_tags, 1);
	assert_ipv4_addrs(&d, A4_SRC, A4_DST);
	assert_ports(&d, 40000, 80);
}
END_TEST

START_TEST(test_vlan_qinq_8021ad)
{
	struct pg_frame		f;
	struct ns_decoded	d;

	pg_init(&f);
	pg_ether(&f, 0x88a8);
	pg_vlan(&f, 100, 0x8100);
	pg_vlan(&f, 200, 0x86dd);
	build_ipv6_udp(&f);

	ck_assert_int_eq(decode_frame(DLT_EN10MB, &f, &d), 0);
	ck_assert_uint_eq(d.vlan_tags, 2);
	assert_ipv6_addrs(&d, A6_SRC, A6_DST);
	assert_ports(&d, 5353, 53);
}
END_TEST

START_TEST(test_vlan_three_tags_9100)
{
	struct pg_frame		f;
	struct ns_decoded	d;

	pg_init(&f);
	pg_ether(&f, 0x9100);
	pg_vlan(&f, 1, 0x88a8);
	pg_vlan(&f, 2, 0x8100);
	pg_vlan(&f, 3, 0x0800);
	build_ipv4_tcp(&f);

	ck_assert_int_eq(decode_frame(DLT_EN10MB, &f, &d), 0);
	ck_assert_uint_eq(d.vlan_tags, 3);
	assert_ports(&d, 40000, 80);
}
END_TEST

START_TEST(test_vlan_too_many_tags)
{
	struct pg_frame		f;
	struct ns_decoded	d;
	int			i;

	pg_init(&f);
	pg_ether(&f, 0x8100);
	for (i = 0; i < 8; i++)
		pg_vlan(&f, (uint16_t)i, 0x8100);
	pg_vlan(&f, 9, 0x0800);
	build_ipv4_tcp(&f);

	assert_malformed(decode_frame(DLT_EN10MB, &f, &d), &d,
	    "vlan: more than 8 tags");
	ck_assert_uint_eq(d.vlan_tags, 8);
	ck_assert_int_eq(d.ip_valid, 0);
}
END_TEST

START_TEST(test_sll_ipv4)
{
	struct pg_frame		f;
	struct ns_decoded	d;

	pg_init(&f);
	pg_sll(&f, 1, 0x0800);
	build_ipv4_tcp(&f);

	ck_assert_int_eq(decode_frame(DLT_LINUX_SLL, &f, &d), 0);
	ck_assert_int_eq(d.has_mac, 0);
	assert_ipv4_addrs(&d, A4_SRC, A4_DST);
	assert_ports(&d, 40000, 80);
}
END_TEST

START_TEST(test_sll_vlan_tag)
{
	struct pg_frame		f;
	struct ns_decoded	d;

	pg_init(&f);
	pg_sll(&f, 1, 0x8100);
	pg_vlan(&f, 7, 0x86dd);
	build_ipv6_udp(&f);

	ck_assert_int_eq(decode_frame(DLT_LINUX_SLL, &f, &d), 0);
	ck_assert_uint_eq(d.vlan_tags, 1);
	assert_ipv6_addrs(&d, A6_SRC, A6_DST);
}
END_TEST

START_TEST(test_sll_netlink_not_ip)
{
	struct pg_frame		f;
	struct ns_decoded	d;

	pg_init(&f);
	/* ARPHRD_NETLINK: the protocol is a netlink family. */
	pg_sll(&f, 824, 0x0800);
	pg_zero(&f, 20);

	ck_assert_int_eq(decode_frame(DLT_LINUX_SLL, &f, &d), 0);
	ck_assert_int_eq(d.l3, NS_L3_NONE);
}
END_TEST

START_TEST(test_sll2_ipv6)
{
	struct pg_frame		f;
	struct ns_decoded	d;

	pg_init(&f);
	pg_sll2(&f, 1, 0x86dd);
	build_ipv6_udp(&f);

	ck_assert_int_eq(decode_frame(DLT_SLL2, &f, &d), 0);
	ck_assert_int_eq(d.has_mac, 0);
	assert_ipv6_addrs(&d, A6_SRC, A6_DST);
	assert_ports(&d, 5353, 53);
}
END_TEST

START_TEST(test_sll2_arp)
{
	struct pg_frame		f;
	struct ns_decoded	d;

	pg_init(&f);
	pg_sll2(&f, 1, 0x0806);
	pg_arp(&f, 2, PG_MAC_SRC, A4_SRC, PG_MAC_DST, A4_DST);

	ck_assert_int_eq(decode_frame(DLT_SLL2, &f, &d), 0);
	ck_assert_int_eq(d.l3, NS_L3_ARP);
	ck_assert_uint_eq(d.arp_op, 2);
	ck_assert_mem_eq(d.arp_spa, A4_SRC, 4);
}
END_TEST

static const int raw_dlts[] = { 12, 14, 101 };

START_TEST(test_raw_ipv4_and_ipv6)
{
	struct pg_frame		f;
	struct ns_decoded	d;
	int			dlt = raw_dlts[_i];

	ck_assert_int_eq(ns_decode_supported(dlt), 1);

	pg_init(&f);
	build_ipv4_tcp(&f);
	ck_assert_int_eq(decode_frame(dlt, &f, &d), 0);
	assert_ipv4_addrs(&d, A4_SRC, A4_DST);
	assert_ports(&d, 40000, 80);

	pg_init(&f);
	build_ipv6_udp(&f);
	ck_assert_int_eq(decode_frame(dlt, &f, &d), 0);
	assert_ipv6_addrs(&d, A6_SRC, A6_DST);
	assert_ports(&d, 5353, 53);
}
END_TEST

START_TEST(test_raw_bad_version)
{
	struct pg_frame		f;
	struct ns_decoded	d;

	pg_init(&f);
	build_ipv4_tcp(&f);
	f.buf[0] = 0x55;

	assert_malformed(decode_frame(12, &f, &d), &d,
	    "raw: IP version not 4 or 6");
	ck_assert_int_eq(d.l3, NS_L3_NONE);
}
END_TEST

START_TEST(test_dlt_ipv4_ipv6)
{
	struct pg_frame		f;
	struct ns_decoded	d;

	pg_init(&f);
	build_ipv4_tcp(&f);
	ck_assert_int_eq(decode_frame(DLT_V4, &f, &d), 0);
	assert_ipv4_addrs(&d, A4_SRC, A4_DST);

	/* DLT_IPV6 does not look at the version nibble to pick IPv4. */
	assert_malformed(decode_frame(DLT_V6, &f, &d), &d,
	    "ipv6: version not 6");

	pg_init(&f);
	build_ipv6_udp(&f);
	ck_assert_int_eq(decode_frame(DLT_V6, &f, &d), 0);
	assert_ipv6_addrs(&d, A6_SRC, A6_DST);
}
END_TEST

/* Address families of DLT_NULL: AF_INET and the three BSD AF_INET6. */
static const struct {
	uint32_t	af;
	int		version;
} null_afs[] = {
	{ 2, 4 }, { 24, 6 }, { 28, 6 }, { 30, 6 }
};

static uint32_t
bswap32(uint32_t v)
{
	return (v >> 24) | ((v >> 8) & 0xff00) | ((v << 8) & 0xff0000) |
	    (v << 24);
}

START_TEST(test_null_both_byte_orders)
{
	struct pg_frame		f;
	struct ns_decoded	d;
	int			swap;

	for (swap = 0; swap <= 1; swap++) {
		pg_init(&f);
		pg_h32(&f, swap ? bswap32(null_afs[_i].af) : null_afs[_i].af);
		if (null_afs[_i].version == 4)
			build_ipv4_tcp(&f);
		else
			build_ipv6_udp(&f);

		ck_assert_int_eq(decode_frame(DLT_NULL, &f, &d), 0);
		ck_assert_int_eq(d.ip_valid, 1);
		ck_assert_uint_eq(d.ip_version, null_afs[_i].version);
		ck_assert_int_eq(d.has_ports, 1);
	}
}
END_TEST

START_TEST(test_null_unknown_family)
{
	struct pg_frame		f;
	struct ns_decoded	d;

	pg_init(&f);
	pg_be32(&f, 0x0f000800);
	build_ipv4_tcp(&f);

	ck_assert_int_eq(decode_frame(DLT_NULL, &f, &d), 0);
	ck_assert_int_eq(d.l3, NS_L3_NONE);
	ck_assert_int_eq(d.ip_valid, 0);
}
END_TEST

START_TEST(test_loop_network_order)
{
	struct pg_frame		f;
	struct ns_decoded	d;

	pg_init(&f);
	pg_be32(&f, 24);
	build_ipv6_udp(&f);
	ck_assert_int_eq(decode_frame(DLT_LOOP, &f, &d), 0);
	assert_ipv6_addrs(&d, A6_SRC, A6_DST);

	/* DLT_LOOP is always network order: a swapped family is unknown. */
	pg_init(&f);
	pg_be32(&f, bswap32(2));
	build_ipv4_tcp(&f);
	ck_assert_int_eq(decode_frame(DLT_LOOP, &f, &d), 0);
	ck_assert_int_eq(d.l3, NS_L3_NONE);
}
END_TEST

START_TEST(test_radiotap_qos_data)
{
	struct pg_frame		f;
	struct ns_decoded	d;

	pg_init(&f);
	pg_radiotap_qos_data(&f, 0, 0x0188, 0x0800);
	build_ipv4_tcp(&f);

	ck_assert_int_eq(decode_frame(DLT_IEEE802_11_RADIO, &f, &d), 0);
	ck_assert_int_eq(d.has_mac, 0);
	assert_ipv4_addrs(&d, A4_SRC, A4_DST);
	assert_ports(&d, 40000, 80);
}
END_TEST

START_TEST(test_radiotap_datapad_fcs)
{
	struct pg_frame		f;
	struct ns_decoded	d;

	pg_init(&f);
	pg_radiotap_qos_data(&f, PG_RT_FLAGS_DATAPAD | PG_RT_FLAGS_FCS,
	    0x0188, 0x86dd);
	build_ipv6_udp(&f);
	pg_be32(&f, 0xdeadbeef);	/* FCS */

	ck_assert_int_eq(decode_frame(DLT_IEEE802_11_RADIO, &f, &d), 0);
	assert_ipv6_addrs(&d, A6_SRC, A6_DST);
	assert_ports(&d, 5353, 53);
}
END_TEST

START_TEST(test_radiotap_not_decoded)
{
	/* Protected data, QoS Null, and a beacon (management). */
	static const uint16_t	fcs[] = { 0x4188, 0x01c8, 0x0080 };
	struct pg_frame		f;
	struct ns_decoded	d;
	size_t			i;

	for (i = 0; i < sizeof(fcs) / sizeof(fcs[0]); i++) {
		pg_init(&f);
		pg_radiotap_qos_data(&f, 0, fcs[i], 0x0800);
		build_ipv4_tcp(&f);

		ck_assert_int_eq(decode_frame(DLT_IEEE802_11_RADIO, &f, &d),
		    0);
		ck_assert_int_eq(d.l3, NS_L3_NONE);
	}
}
END_TEST

START_TEST(test_nflog_ipv4_and_ipv6)
{
	struct pg_frame		f;
	struct ns_decoded	d;
	size_t			tlv;

	pg_init(&f);
	tlv = pg_nflog(&f, 2);
	build_ipv4_tcp(&f);
	pg_nflog_end(&f, tlv);
	ck_assert_int_eq(decode_frame(DLT_NFLOG_, &f, &d), 0);
	assert_ipv4_addrs(&d, A4_SRC, A4_DST);
	assert_ports(&d, 40000, 80);

	pg_init(&f);
	tlv = pg_nflog(&f, 10);
	build_ipv6_udp(&f);
	pg_nflog_end(&f, tlv);
	ck_assert_int_eq(decode_frame(DLT_NFLOG_, &f, &d), 0);
	assert_ipv6_addrs(&d, A6_SRC, A6_DST);
}
END_TEST

START_TEST(test_unsupported_link_type)
{
	struct pg_frame		f;
	struct ns_decoded	d;

	pg_init(&f);
	build_ipv4_tcp(&f);

	ck_assert_int_eq(ns_decode_supported(DLT_IEEE802_11), 0);
	assert_malformed(decode_frame(DLT_IEEE802_11, &f, &d), &d,
	    "decode: link type not supported");
}
END_TEST

START_TEST(test_supported_link_types)
{
	static const int	dlts[] = { DLT_NULL, DLT_EN10MB, 12, 14, 101,
	    DLT_LOOP, DLT_LINUX_SLL, DLT_IEEE802_11_RADIO, DLT_V4, DLT_V6,
	    DLT_NFLOG_, DLT_SLL2 };
	size_t			i;

	for (i = 0; i < sizeof(dlts) / sizeof(dlts[0]); i++)
		ck_assert_int_eq(ns_decode_supported(dlts[i]), 1);
	ck_assert_int_eq(ns_decode_supported(-1), 0);
	ck_assert_int_eq(ns_decode_supported(DLT_PPP), 0);
}
END_TEST

/*
 * Encapsulations.
 */

START_TEST(test_mpls_one_label)
{
	struct pg_frame		f;
	struct ns_decoded	d;

	pg_init(&f);
	pg_ether(&f, 0x8847);
	pg_mpls(&f, 29, 1);
	build_ipv4_tcp(&f);

	ck_assert_int_eq(decode_frame(DLT_EN10MB, &f, &d), 0);
	ck_assert_uint_eq(d.mpls_labels, 1);
	assert_ipv4_addrs(&d, A4_SRC, A4_DST);
	assert_ports(&d, 40000, 80);
}
END_TEST

START_TEST(test_mpls_stack_ipv6)
{
	struct pg_frame		f;
	struct ns_decoded	d;

	pg_init(&f);
	pg_ether(&f, 0x8100);
	pg_vlan(&f, 5, 0x8848);
	pg_mpls(&f, 100, 0);
	pg_mpls(&f, 200, 0);
	pg_mpls(&f, 2, 1);		/* IPv6 explicit null */
	build_ipv6_udp(&f);

	ck_assert_int_eq(decode_frame(DLT_EN10MB, &f, &d), 0);
	ck_assert_uint_eq(d.vlan_tags, 1);
	ck_assert_uint_eq(d.mpls_labels, 3);
	assert_ipv6_addrs(&d, A6_SRC, A6_DST);
	assert_ports(&d, 5353, 53);
}
END_TEST

START_TEST(test_mpls_pseudowire_not_ip)
{
	struct pg_frame		f;
	struct ns_decoded	d;

	pg_init(&f);
	pg_ether(&f, 0x8847);
	pg_mpls(&f, 16, 1);
	pg_be32(&f, 0);			/* pseudowire control word */
	pg_ether(&f, 0x0800);
	build_ipv4_tcp(&f);

	ck_assert_int_eq(decode_frame(DLT_EN10MB, &f, &d), 0);
	ck_assert_int_eq(d.l3, NS_L3_NONE);
	ck_assert_uint_eq(d.mpls_labels, 1);
}
END_TEST

START_TEST(test_mpls_too_many_labels)
{
	struct pg_frame		f;
	struct ns_decoded	d;
	int			i;

	pg_init(&f);
	pg_ether(&f, 0x8847);
	for (i = 0; i < 16; i++)
		pg_mpls(&f, 16 + (uint32_t)i, 0);
	pg_mpls(&f, 3, 1);
	build_ipv4_tcp(&f);

	assert_malformed(decode_frame(DLT_EN10MB, &f, &d), &d,
	    "mpls: more than 16 labels");
	ck_assert_uint_eq(d.mpls_labels, 16);
}
END_TEST

START_TEST(test_pppoe_ipv4)
{
	struct pg_frame		f;
	struct ns_decoded	d;
	size_t			pppoe;

	pg_init(&f);
	pg_ether(&f, 0x8864);
	pppoe = pg_pppoe(&f, 0x0021);
	build_ipv4_tcp(&f);
	pg_pppoe_end(&f, pppoe);
	pg_zero(&f, 4);			/* padding after the PPPoE payload */

	ck_assert_int_eq(decode_frame(DLT_EN10MB, &f, &d), 0);
	ck_assert_int_eq(d.pppoe, 1);
	assert_ipv4_addrs(&d, A4_SRC, A4_DST);
	assert_ports(&d, 40000, 80);
}
END_TEST

START_TEST(test_pppoe_ipv6_in_vlan)
{
	struct pg_frame		f;
	struct ns_decoded	d;
	size_t			pppoe;

	pg_init(&f);
	pg_ether(&f, 0x8100);
	pg_vlan(&f, 10, 0x8864);
	pppoe = pg_pppoe(&f, 0x0057);
	build_ipv6_udp(&f);
	pg_pppoe_end(&f, pppoe);

	ck_assert_int_eq(decode_frame(DLT_EN10MB, &f, &d), 0);
	ck_assert_int_eq(d.pppoe, 1);
	ck_assert_uint_eq(d.vlan_tags, 1);
	assert_ipv6_addrs(&d, A6_SRC, A6_DST);
}
END_TEST

START_TEST(test_pppoe_lcp_not_ip)
{
	struct pg_frame		f;
	struct ns_decoded	d;
	size_t			pppoe;

	pg_init(&f);
	pg_ether(&f, 0x8864);
	pppoe = pg_pppoe(&f, 0xc021);
	pg_zero(&f, 10);
	pg_pppoe_end(&f, pppoe);

	ck_assert_int_eq(decode_frame(DLT_EN10MB, &f, &d), 0);
	ck_assert_int_eq(d.pppoe, 1);
	ck_assert_int_eq(d.l3, NS_L3_NONE);
}
END_TEST

START_TEST(test_pppoe_bad_header)
{
	struct pg_frame		f;
	struct ns_decoded	d;
	size_t			pppoe;

	pg_init(&f);
	pg_ether(&f, 0x8864);
	pppoe = pg_pppoe(&f, 0x0021);
	build_ipv4_tcp(&f);
	pg_pppoe_end(&f, pppoe);

	f.buf[pppoe] = 0x21;
	assert_malformed(decode_frame(DLT_EN10MB, &f, &d), &d,
	    "pppoe: version or type not 1");

	f.buf[pppoe] = 0x11;
	f.buf[pppoe + 1] = 0x09;	/* PADI */
	assert_malformed(decode_frame(DLT_EN10MB, &f, &d), &d,
	    "pppoe: session code not 0");

	f.buf[pppoe + 1] = 0;
	pg_set_be16(&f, pppoe + 4, (uint16_t)(f.len - pppoe - 5));
	assert_malformed(decode_frame(DLT_EN10MB, &f, &d), &d,
	    "pppoe: length greater than frame");
	ck_assert_int_eq(d.ip_valid, 0);
}
END_TEST

/* A PPPoE length shorter than the IP packet cuts the IP packet. */
START_TEST(test_pppoe_length_bounds_ip)
{
	struct pg_frame		f;
	struct ns_decoded	d;
	size_t			pppoe;

	pg_init(&f);
	pg_ether(&f, 0x8864);
	pppoe = pg_pppoe(&f, 0x0021);
	build_ipv4_tcp(&f);
	pg_set_be16(&f, pppoe + 4, 2 + 20);

	assert_malformed(decode_frame(DLT_EN10MB, &f, &d), &d,
	    "ipv4: total length greater than frame");
}
END_TEST

/*
 * ARP.
 */

START_TEST(test_arp_request)
{
	static const uint8_t	zero_mac[6] = { 0 };
	struct pg_frame		f;
	struct ns_decoded	d;

	pg_init(&f);
	pg_ether(&f, 0x0806);
	pg_arp(&f, 1, PG_MAC_SRC, A4_SRC, zero_mac, A4_DST);

	ck_assert_int_eq(decode_frame(DLT_EN10MB, &f, &d), 0);
	ck_assert_int_eq(d.l3, NS_L3_ARP);
	ck_assert_int_eq(d.ip_valid, 0);
	ck_assert_uint_eq(d.arp_op, 1);
	ck_assert_mem_eq(d.arp_sha, PG_MAC_SRC, 6);
	ck_assert_mem_eq(d.arp_spa, A4_SRC, 4);
	ck_assert_mem_eq(d.arp_tha, zero_mac, 6);
	ck_assert_mem_eq(d.arp_tpa, A4_DST, 4);
}
END_TEST

START_TEST(test_arp_other_hardware)
{
	struct pg_frame		f;
	struct ns_decoded	d;
	size_t			arp;

	pg_init(&f);
	pg_ether(&f, 0x0806);
	arp = pg_arp(&f, 1, PG_MAC_SRC, A4_SRC, PG_MAC_DST, A4_DST);
	pg_set_be16(&f, arp, 6);	/* IEEE 802 networks */

	ck_assert_int_eq(decode_frame(DLT_EN10MB, &f, &d), 0);
	ck_assert_int_eq(d.l3, NS_L3_NONE);
	ck_assert_uint_eq(d.arp_op, 0);
}
END_TEST

/*
 * IPv4.
 */

START_TEST(test_ipv4_options)
{
	struct pg_frame		f;
	struct ns_decoded	d;
	size_t			ip;

	pg_init(&f);
	pg_ether(&f, 0x0800);
	ip = pg_ipv4(&f, 17, A4_SRC, A4_DST, 40);
	pg_udp(&f, 1000, 2000);
	pg_ipv4_end(&f, ip);

	ck_assert_int_eq(decode_frame(DLT_EN10MB, &f, &d), 0);
	ck_assert_int_eq(d.ip_options, 1);
	ck_assert_uint_eq(d.ip_len, 68);
	assert_ports(&d, 1000, 2000);
}
END_TEST

START_TEST(test_ipv4_first_fragment)
{
	struct pg_frame		f;
	struct ns_decoded	d;
	size_t			ip, udp;

	pg_init(&f);
	pg_ether(&f, 0x0800);
	ip = pg_ipv4(&f, 17, A4_SRC, A4_DST, 0);
	udp = pg_udp(&f, 53, 33000);
	pg_zero(&f, 32);
	pg_set_be16(&f, udp + 4, 3000);	/* the whole datagram */
	pg_ipv4_frag(&f, ip, 0, 1);
	pg_ipv4_end(&f, ip);

	ck_assert_int_eq(decode_frame(DLT_EN10MB, &f, &d), 0);
	ck_assert_int_eq(d.ip_fragment, 1);
	ck_assert_int_eq(d.frag_more, 1);
	ck_assert_uint_eq(d.frag_offset, 0);
	ck_assert_uint_eq(d.frag_id, 0x1234);
	assert_ports(&d, 53, 33000);
}
END_TEST

START_TEST(test_ipv4_later_fragment)
{
	struct pg_frame		f;
	struct ns_decoded	d;
	size_t			ip;

	pg_init(&f);
	pg_ether(&f, 0x0800);
	ip = pg_ipv4(&f, 6, A4_SRC, A4_DST, 0);
	pg_tcp(&f, 1, 2, 0, 0, 0, 0);	/* data that looks like TCP */
	pg_ipv4_frag(&f, ip, 1480, 0);
	pg_ipv4_end(&f, ip);

	ck_assert_int_eq(decode_frame(DLT_EN10MB, &f, &d), 0);
	assert_ipv4_addrs(&d, A4_SRC, A4_DST);
	ck_assert_int_eq(d.ip_fragment, 1);
	ck_assert_int_eq(d.frag_more, 0);
	ck_assert_uint_eq(d.frag_offset, 1480);
	ck_assert_uint_eq(d.ip_proto, 6);
	ck_assert_int_eq(d.has_ports, 0);
}
END_TEST

/* A first fragment must hold the fixed transport header (RFC 1858). */
START_TEST(test_ipv4_tiny_first_fragment)
{
	struct pg_frame		f;
	struct ns_decoded	d;
	size_t			ip;

	pg_init(&f);
	pg_ether(&f, 0x0800);
	ip = pg_ipv4(&f, 6, A4_SRC, A4_DST, 0);
	pg_be32(&f, 0x9c400050);	/* ports only */
	pg_be32(&f, 1);
	pg_ipv4_frag(&f, ip, 0, 1);
	pg_ipv4_end(&f, ip);

	assert_malformed(decode_frame(DLT_EN10MB, &f, &d), &d,
	    "tcp: header past end of IP payload");
	ck_assert_int_eq(d.ip_valid, 1);
	ck_assert_int_eq(d.has_ports, 0);
}
END_TEST

START_TEST(test_ipv4_bad_version)
{
	struct pg_frame		f;
	struct ns_decoded	d;

	pg_init(&f);
	pg_ether(&f, 0x0800);
	build_ipv4_tcp(&f);
	f.buf[14] = 0x65;

	assert_malformed(decode_frame(DLT_EN10MB, &f, &d), &d,
	    "ipv4: version not 4");
	ck_assert_int_eq(d.l3, NS_L3_IPV4);
	ck_assert_int_eq(d.ip_valid, 0);
}
END_TEST

START_TEST(test_ipv4_ihl_below_5)
{
	struct pg_frame		f;
	struct ns_decoded	d;

	pg_init(&f);
	pg_ether(&f, 0x0800);
	build_ipv4_tcp(&f);
	f.buf[14] = 0x44;

	assert_malformed(decode_frame(DLT_EN10MB, &f, &d), &d,
	    "ipv4: header length < 20");
	ck_assert_int_eq(d.ip_valid, 0);
}
END_TEST

START_TEST(test_ipv4_ihl_past_frame)
{
	struct pg_frame		f;
	struct ns_decoded	d;

	pg_init(&f);
	pg_ether(&f, 0x0800);
	build_ipv4_tcp(&f);
	f.buf[14] = 0x4f;		/* 60 bytes, the frame has 40 */

	assert_malformed(decode_frame(DLT_EN10MB, &f, &d), &d,
	    "ipv4: header past end of frame");
}
END_TEST

START_TEST(test_ipv4_total_below_header)
{
	struct pg_frame		f;
	struct ns_decoded	d;
	size_t			ip;

	pg_init(&f);
	pg_ether(&f, 0x0800);
	ip = pg_ipv4(&f, 6, A4_SRC, A4_DST, 8);
	pg_tcp(&f, 1, 2, 0, 0, 0, 0);
	pg_set_be16(&f, ip + 2, 24);

	assert_malformed(decode_frame(DLT_EN10MB, &f, &d), &d,
	    "ipv4: total length < header length");
	ck_assert_int_eq(d.ip_valid, 0);
}
END_TEST

/* A total length past the frame is invalid, and the header not counted. */
START_TEST(test_ipv4_total_past_frame)
{
	struct pg_frame		f;
	struct ns_decoded	d;
	size_t			ip;

	pg_init(&f);
	pg_ether(&f, 0x0800);
	ip = f.len;
	build_ipv4_tcp(&f);
	pg_set_be16(&f, ip + 2, 41);

	assert_malformed(decode_frame(DLT_EN10MB, &f, &d), &d,
	    "ipv4: total length greater than frame");
	ck_assert_int_eq(d.l3, NS_L3_IPV4);
	ck_assert_int_eq(d.ip_valid, 0);
	ck_assert_int_eq(d.has_ports, 0);

	/* The same length fits a frame with a larger wire length. */
	ck_assert_int_eq(decode_cut(DLT_EN10MB, &f, f.len, f.len + 1, &d), 0);
	ck_assert_int_eq(d.ip_valid, 1);
	ck_assert_int_eq(d.snap_truncated, 0);
}
END_TEST

START_TEST(test_ipv4_total_zero_small_frame)
{
	struct pg_frame		f;
	struct ns_decoded	d;
	size_t			ip;

	pg_init(&f);
	pg_ether(&f, 0x0800);
	ip = f.len;
	build_ipv4_tcp(&f);
	pg_set_be16(&f, ip + 2, 0);

	assert_malformed(decode_frame(DLT_EN10MB, &f, &d), &d,
	    "ipv4: total length < header length");
}
END_TEST

/* Linux BIG TCP: total length 0 on a frame over 64 KiB is valid. */
START_TEST(test_ipv4_big_tcp)
{
	struct pg_frame		f;
	struct ns_decoded	d;
	size_t			ip;

	pg_init(&f);
	pg_ether(&f, 0x0800);
	ip = f.len;
	build_ipv4_tcp(&f);
	pg_set_be16(&f, ip + 2, 0);

	ck_assert_int_eq(decode_cut(DLT_EN10MB, &f, f.len, 80014, &d), 0);
	ck_assert_int_eq(d.ip_valid, 1);
	ck_assert_uint_eq(d.ip_len, 80000);
	assert_ports(&d, 40000, 80);
	ck_assert_int_eq(d.snap_truncated, 0);

	/* One byte short of needing BIG TCP, the same header is invalid. */
	ck_assert_int_eq(decode_cut(DLT_EN10MB, &f, f.len, 14 + 65535, &d),
	    -1);
	ck_assert_int_eq(d.ip_valid, 0);
}
END_TEST

/*
 * IPv6.
 */

START_TEST(test_ipv6_extension_chain)
{
	struct pg_frame		f;
	struct ns_decoded	d;
	size_t			ip;

	pg_init(&f);
	pg_ether(&f, 0x86dd);
	ip = pg_ipv6(&f, 0, A6_SRC, A6_DST);
	pg_ipv6_ext(&f, 43, 0);		/* Hop-by-Hop */
	pg_ipv6_ext(&f, 60, 2);		/* Routing, 24 bytes */
	pg_ipv6_ext(&f, 51, 1);		/* Destination Options */
	pg_ipv6_ah(&f, 6, 4);		/* AH, 24 bytes */
	pg_tcp(&f, 2000, 22, NS_TH_ACK, 7, 8, 12);
	pg_ipv6_end(&f, ip);

	ck_assert_int_eq(decode_frame(DLT_EN10MB, &f, &d), 0);
	assert_ipv6_addrs(&d, A6_SRC, A6_DST);
	ck_assert_uint_eq(d.ip_proto, 6);
	ck_assert_int_eq(d.ip_fragment, 0);
	assert_ports(&d, 2000, 22);
	ck_assert_uint_eq(d.tcp_flags, NS_TH_ACK);
}
END_TEST

START_TEST(test_ipv6_mobility_no_next)
{
	struct pg_frame		f;
	struct ns_decoded	d;
	size_t			ip;

	pg_init(&f);
	pg_ether(&f, 0x86dd);
	ip = pg_ipv6(&f, 135, A6_SRC, A6_DST);
	pg_ipv6_ext(&f, 59, 1);		/* Mobility, no next header */
	pg_ipv6_end(&f, ip);

	ck_assert_int_eq(decode_frame(DLT_EN10MB, &f, &d), 0);
	ck_assert_uint_eq(d.ip_proto, 59);
	ck_assert_int_eq(d.has_ports, 0);
}
END_TEST

START_TEST(test_ipv6_first_fragment)
{
	struct pg_frame		f;
	struct ns_decoded	d;
	size_t			ip, udp;

	pg_init(&f);
	pg_ether(&f, 0x86dd);
	ip = pg_ipv6(&f, 44, A6_SRC, A6_DST);
	pg_ipv6_frag(&f, 17, 0, 1, 0xcafe0001);
	udp = pg_udp(&f, 4000, 5000);
	pg_zero(&f, 16);
	pg_set_be16(&f, udp + 4, 4000);
	pg_ipv6_end(&f, ip);

	ck_assert_int_eq(decode_frame(DLT_EN10MB, &f, &d), 0);
	ck_assert_int_eq(d.ip_fragment, 1);
	ck_assert_int_eq(d.frag_more, 1);
	ck_assert_uint_eq(d.frag_offset, 0);
	ck_assert_uint_eq(d.frag_id, 0xcafe0001);
	ck_assert_uint_eq(d.ip_proto, 17);
	assert_ports(&d, 4000, 5000);
}
END_TEST

START_TEST(test_ipv6_later_fragment)
{
	struct pg_frame		f;
	struct ns_decoded	d;
	size_t			ip;

	pg_init(&f);
	pg_ether(&f, 0x86dd);
	ip = pg_ipv6(&f, 0, A6_SRC, A6_DST);
	pg_ipv6_ext(&f, 44, 0);
	pg_ipv6_frag(&f, 58, 1232, 0, 7);
	pg_icmp(&f, 128, 0);		/* data that looks like ICMPv6 */
	pg_ipv6_end(&f, ip);

	ck_assert_int_eq(decode_frame(DLT_EN10MB, &f, &d), 0);
	ck_assert_int_eq(d.ip_fragment, 1);
	ck_assert_int_eq(d.frag_more, 0);
	ck_assert_uint_eq(d.frag_offset, 1232);
	ck_assert_uint_eq(d.frag_id, 7);
	ck_assert_uint_eq(d.ip_proto, 58);
	ck_assert_int_eq(d.has_icmp, 0);
	ck_assert_int_eq(d.has_ports, 0);
}
END_TEST

/* RFC 6946: offset 0 and M clear is the whole packet. */
START_TEST(test_ipv6_atomic_fragment)
{
	struct pg_frame		f;
	struct ns_decoded	d;
	size_t			ip, udp;

	pg_init(&f);
	pg_ether(&f, 0x86dd);
	ip = pg_ipv6(&f, 44, A6_SRC, A6_DST);
	pg_ipv6_frag(&f, 17, 0, 0, 3);
	udp = pg_udp(&f, 1, 2);
	pg_udp_end(&f, udp);
	pg_ipv6_end(&f, ip);

	ck_assert_int_eq(decode_frame(DLT_EN10MB, &f, &d), 0);
	ck_assert_int_eq(d.ip_fragment, 0);
	ck_assert_uint_eq(d.frag_id, 3);
	assert_ports(&d, 1, 2);
}
END_TEST

/* Appends n Destination Options headers, then UDP 7 -> 9. */
static void
build_ipv6_chain(struct pg_frame *f, unsigned n)
{
	size_t		ip, udp;
	unsigned	i;

	ip = pg_ipv6(f, 60, A6_SRC, A6_DST);
	for (i = 0; i < n; i++)
		pg_ipv6_ext(f, i + 1 < n ? 60 : 17, 0);
	udp = pg_udp(f, 7, 9);
	pg_udp_end(f, udp);
	pg_ipv6_end(f, ip);
}

START_TEST(test_ipv6_chain_120_valid)
{
	struct pg_frame		f;
	struct ns_decoded	d;

	pg_init(&f);
	pg_ether(&f, 0x86dd);
	build_ipv6_chain(&f, 120);

	ck_assert_int_eq(decode_frame(DLT_EN10MB, &f, &d), 0);
	ck_assert_uint_eq(d.ip_proto, 17);
	assert_ports(&d, 7, 9);
}
END_TEST

START_TEST(test_ipv6_chain_over_limit)
{
	struct pg_frame		f;
	struct ns_decoded	d;

	pg_init(&f);
	pg_ether(&f, 0x86dd);
	build_ipv6_chain(&f, 300);

	assert_malformed(decode_frame(DLT_EN10MB, &f, &d), &d,
	    "ipv6: more than 256 extension headers");
	ck_assert_int_eq(d.ip_valid, 1);
	ck_assert_int_eq(d.has_ports, 0);
}
END_TEST

START_TEST(test_ipv6_chain_past_payload)
{
	struct pg_frame		f;
	struct ns_decoded	d;
	size_t			ip;

	pg_init(&f);
	pg_ether(&f, 0x86dd);
	ip = pg_ipv6(&f, 0, A6_SRC, A6_DST);
	pg_ipv6_ext(&f, 60, 0);
	pg_ipv6_ext(&f, 17, 0);
	f.buf[f.len - 7] = 200;		/* claims 1608 bytes */
	pg_ipv6_end(&f, ip);

	assert_malformed(decode_frame(DLT_EN10MB, &f, &d), &d,
	    "ipv6: extension header past end of payload");
	ck_assert_int_eq(d.ip_valid, 1);

	/* The payload length bounds the chain even if the frame is longer. */
	ck_assert_int_eq(decode_cut(DLT_EN10MB, &f, f.len, f.len + 4000, &d),
	    -1);
	ck_assert_int_eq(d.snap_truncated, 0);
}
END_TEST

START_TEST(test_ipv6_payload_past_frame)
{
	struct pg_frame		f;
	struct ns_decoded	d;
	size_t			ip;

	pg_init(&f);
	pg_ether(&f, 0x86dd);
	ip = f.len;
	build_ipv6_udp(&f);
	pg_set_be16(&f, ip + 4, 13);

	assert_malformed(decode_frame(DLT_EN10MB, &f, &d), &d,
	    "ipv6: payload length greater than frame");
	ck_assert_int_eq(d.l3, NS_L3_IPV6);
	ck_assert_int_eq(d.ip_valid, 0);
}
END_TEST

START_TEST(test_ipv6_bad_version)
{
	struct pg_frame		f;
	struct ns_decoded	d;

	pg_init(&f);
	pg_ether(&f, 0x86dd);
	build_ipv6_udp(&f);
	f.buf[14] = 0x40;

	assert_malformed(decode_frame(DLT_EN10MB, &f, &d), &d,
	    "ipv6: version not 6");
}
END_TEST

/*
 * Transport layer.
 */

START_TEST(test_tcp_all_flags)
{
	struct pg_frame		f;
	struct ns_decoded	d;
	size_t			ip;

	pg_init(&f);
	pg_ether(&f, 0x0800);
	ip = pg_ipv4(&f, 6, A4_SRC, A4_DST, 0);
	pg_tcp(&f, 6260, 80, 0xff, 576462951, 486026015, 20);
	pg_ipv4_end(&f, ip);

	ck_assert_int_eq(decode_frame(DLT_EN10MB, &f, &d), 0);
	ck_assert_uint_eq(d.tcp_flags, NS_TH_FIN | NS_TH_SYN | NS_TH_RST |
	    NS_TH_PSH | NS_TH_ACK | NS_TH_URG | NS_TH_ECE | NS_TH_CWR);
	ck_assert_uint_eq(d.tcp_seq, 576462951);
	ck_assert_uint_eq(d.tcp_ack, 486026015);
}
END_TEST

START_TEST(test_tcp_data_offset_below_5)
{
	struct pg_frame		f;
	struct ns_decoded	d;

	pg_init(&f);
	pg_ether(&f, 0x0800);
	build_ipv4_tcp(&f);
	f.buf[14 + 20 + 12] = 0x40;

	assert_malformed(decode_frame(DLT_EN10MB, &f, &d), &d,
	    "tcp: data offset < 5");
	ck_assert_int_eq(d.ip_valid, 1);
	assert_ipv4_addrs(&d, A4_SRC, A4_DST);
	ck_assert_int_eq(d.has_ports, 0);
}
END_TEST

START_TEST(test_tcp_data_offset_past_payload)
{
	struct pg_frame		f;
	struct ns_decoded	d;

	pg_init(&f);
	pg_ether(&f, 0x0800);
	build_ipv4_tcp(&f);
	f.buf[14 + 20 + 12] = 0x60;

	assert_malformed(decode_frame(DLT_EN10MB, &f, &d), &d,
	    "tcp: data offset past end of IP payload");
	ck_assert_int_eq(d.ip_valid, 1);
	ck_assert_int_eq(d.has_ports, 0);
}
END_TEST

/* TCP options may continue in the next fragment. */
START_TEST(test_tcp_options_in_next_fragment)
{
	struct pg_frame		f;
	struct ns_decoded	d;
	size_t			ip;

	pg_init(&f);
	pg_ether(&f, 0x0800);
	ip = pg_ipv4(&f, 6, A4_SRC, A4_DST, 0);
	pg_tcp(&f, 12345, 80, NS_TH_SYN, 1000, 0, 4);
	f.buf[f.len - 24 + 12] = 0xa0;	/* 40-byte header */
	pg_ipv4_frag(&f, ip, 0, 1);
	pg_ipv4_end(&f, ip);

	ck_assert_int_eq(decode_frame(DLT_EN10MB, &f, &d), 0);
	assert_ports(&d, 12345, 80);
	ck_assert_uint_eq(d.tcp_flags, NS_TH_SYN);
}
END_TEST

START_TEST(test_udp_length_below_8)
{
	struct pg_frame		f;
	struct ns_decoded	d;

	pg_init(&f);
	pg_ether(&f, 0x86dd);
	build_ipv6_udp(&f);
	pg_set_be16(&f, 14 + 40 + 4, 7);

	assert_malformed(decode_frame(DLT_EN10MB, &f, &d), &d,
	    "udp: length < 8");
	ck_assert_int_eq(d.ip_valid, 1);
	ck_assert_int_eq(d.has_ports, 0);
}
END_TEST

START_TEST(test_udp_length_past_payload)
{
	struct pg_frame		f;
	struct ns_decoded	d;

	pg_init(&f);
	pg_ether(&f, 0x86dd);
	build_ipv6_udp(&f);
	pg_set_be16(&f, 14 + 40 + 4, 13);

	assert_malformed(decode_frame(DLT_EN10MB, &f, &d), &d,
	    "udp: length greater than IP payload");
}
END_TEST

START_TEST(test_udp_header_past_payload)
{
	struct pg_frame		f;
	struct ns_decoded	d;
	size_t			ip;

	pg_init(&f);
	pg_ether(&f, 0x0800);
	ip = pg_ipv4(&f, 17, A4_SRC, A4_DST, 0);
	pg_be32(&f, 0x81580035);	/* 4 of the 8 header bytes */
	pg_ipv4_end(&f, ip);

	assert_malformed(decode_frame(DLT_EN10MB, &f, &d), &d,
	    "udp: header past end of IP payload");
	ck_assert_int_eq(d.ip_valid, 1);
}
END_TEST

/* The IP header quoted by an ICMP error is not the packet's. */
START_TEST(test_icmp_error_keeps_outer)
{
	struct pg_frame		f;
	struct ns_decoded	d;
	size_t			ip, quoted, udp;

	pg_init(&f);
	pg_ether(&f, 0x0800);
	ip = pg_ipv4(&f, 1, A4_SRC, A4_DST, 0);
	pg_icmp(&f, 3, 3);		/* port unreachable */
	quoted = pg_ipv4(&f, 17, A4_DST, A4_OTHER, 0);
	udp = pg_udp(&f, 33434, 53);
	pg_udp_end(&f, udp);
	pg_ipv4_end(&f, quoted);
	pg_ipv4_end(&f, ip);

	ck_assert_int_eq(decode_frame(DLT_EN10MB, &f, &d), 0);
	assert_ipv4_addrs(&d, A4_SRC, A4_DST);
	ck_assert_uint_eq(d.ip_proto, 1);
	ck_assert_int_eq(d.has_icmp, 1);
	ck_assert_uint_eq(d.icmp_type, 3);
	ck_assert_uint_eq(d.icmp_code, 3);
	ck_assert_int_eq(d.has_ports, 0);
}
END_TEST

START_TEST(test_icmpv6_error_keeps_outer)
{
	struct pg_frame		f;
	struct ns_decoded	d;
	size_t			ip, quoted, udp;

	pg_init(&f);
	pg_ether(&f, 0x86dd);
	ip = pg_ipv6(&f, 58, A6_SRC, A6_DST);
	pg_icmp(&f, 1, 4);		/* port unreachable */
	quoted = pg_ipv6(&f, 17, A6_DST, A6_OTHER);
	udp = pg_udp(&f, 33434, 53);
	pg_udp_end(&f, udp);
	pg_ipv6_end(&f, quoted);
	pg_ipv6_end(&f, ip);

	ck_assert_int_eq(decode_frame(DLT_EN10MB, &f, &d), 0);
	assert_ipv6_addrs(&d, A6_SRC, A6_DST);
	ck_assert_int_eq(d.has_icmp, 1);
	ck_assert_uint_eq(d.icmp_type, 1);
	ck_assert_uint_eq(d.icmp_code, 4);
	ck_assert_int_eq(d.has_ports, 0);
}
END_TEST

START_TEST(test_icmpv6_echo)
{
	struct pg_frame		f;
	struct ns_decoded	d;
	size_t			ip;

	pg_init(&f);
	ip = pg_ipv6(&f, 58, A6_SRC, A6_DST);
	pg_icmp(&f, 128, 0);
	pg_ipv6_end(&f, ip);

	ck_assert_int_eq(decode_frame(DLT_V6, &f, &d), 0);
	ck_assert_int_eq(d.has_icmp, 1);
	ck_assert_uint_eq(d.icmp_type, 128);
}
END_TEST

/*
 * Truncation.  Each frame below ends with its last header, except for
 * the last `payload` bytes, so a cut before those lands inside a header.
 */

struct cut_case {
	const char	*name;
	int		 dlt;
	void		(*build)(struct pg_frame *);
	size_t		 payload;
	size_t		 valid_cuts[3];	/* cuts that leave a whole frame */
};

static void
cut_ether_ipv4_tcp(struct pg_frame *f)
{
	size_t	ip;

	pg_ether(f, 0x0800);
	ip = pg_ipv4(f, 6, A4_SRC, A4_DST, 8);
	pg_tcp(f, 1, 2, NS_TH_SYN, 3, 4, 12);
	pg_ipv4_end(f, ip);
}

static void
cut_vlan_ipv6_chain_udp(struct pg_frame *f)
{
	size_t	ip, udp;

	pg_ether(f, 0x88a8);
	pg_vlan(f, 1, 0x8100);
	pg_vlan(f, 2, 0x86dd);
	ip = pg_ipv6(f, 0, A6_SRC, A6_DST);
	pg_ipv6_ext(f, 51, 1);
	pg_ipv6_ah(f, 44, 4);
	pg_ipv6_frag(f, 17, 0, 0, 1);
	udp = pg_udp(f, 7, 9);
	pg_udp_end(f, udp);
	pg_ipv6_end(f, ip);
}

static void
cut_pppoe_ipv6_icmpv6(struct pg_frame *f)
{
	size_t	pppoe, ip;

	pg_ether(f, 0x8864);
	pppoe = pg_pppoe(f, 0x0057);
	ip = pg_ipv6(f, 58, A6_SRC, A6_DST);
	pg_icmp(f, 135, 0);
	pg_ipv6_end(f, ip);
	pg_pppoe_end(f, pppoe);
}

static void
cut_mpls_ipv4_icmp(struct pg_frame *f)
{
	size_t	ip;

	pg_ether(f, 0x8847);
	pg_mpls(f, 100, 0);
	pg_mpls(f, 0, 1);
	ip = pg_ipv4(f, 1, A4_SRC, A4_DST, 0);
	pg_icmp(f, 8, 0);
	pg_ipv4_end(f, ip);
}

static void
cut_ether_arp(struct pg_frame *f)
{
	pg_ether(f, 0x0806);
	pg_arp(f, 1, PG_MAC_SRC, A4_SRC, PG_MAC_DST, A4_DST);
}

static void
cut_sll_ipv4_udp(struct pg_frame *f)
{
	size_t	ip, udp;

	pg_sll(f, 1, 0x0800);
	ip = pg_ipv4(f, 17, A4_SRC, A4_DST, 0);
	udp = pg_udp(f, 53, 53);
	pg_udp_end(f, udp);
	pg_ipv4_end(f, ip);
}

static void
cut_sll2_ipv6_tcp(struct pg_frame *f)
{
	size_t	ip;

	pg_sll2(f, 1, 0x86dd);
	ip = pg_ipv6(f, 6, A6_SRC, A6_DST);
	pg_tcp(f, 1, 2, NS_TH_ACK, 3, 4, 0);
	pg_ipv6_end(f, ip);
}

static void
cut_radiotap_ipv4_tcp(struct pg_frame *f)
{
	pg_radiotap_qos_data(f, PG_RT_FLAGS_DATAPAD, 0x0188, 0x0800);
	build_ipv4_tcp(f);
}

static void
cut_nflog_ipv4_tcp(struct pg_frame *f)
{
	size_t	tlv = pg_nflog(f, 2);

	build_ipv4_tcp(f);
	pg_nflog_end(f, tlv);
}

static void
cut_null_ipv6_udp(struct pg_frame *f)
{
	size_t	ip, udp;

	pg_h32(f, 30);
	ip = pg_ipv6(f, 17, A6_SRC, A6_DST);
	udp = pg_udp(f, 1, 2);
	pg_udp_end(f, udp);
	pg_ipv6_end(f, ip);
}

static void
cut_raw_ipv4_fragment_udp(struct pg_frame *f)
{
	size_t	ip, udp;

	ip = pg_ipv4(f, 17, A4_SRC, A4_DST, 4);
	udp = pg_udp(f, 1, 2);
	pg_set_be16(f, udp + 4, 1000);
	pg_ipv4_frag(f, ip, 0, 1);
	pg_ipv4_end(f, ip);
}

#define NO_CUT	{ SIZE_MAX, SIZE_MAX, SIZE_MAX }

static const struct cut_case cut_cases[] = {
	{ "ether_ipv4_tcp", DLT_EN10MB, cut_ether_ipv4_tcp, 0, NO_CUT },
	{ "vlan_ipv6_chain_udp", DLT_EN10MB, cut_vlan_ipv6_chain_udp, 0,
	    NO_CUT },
	/* The ICMPv6 header is 4 bytes, and 4 bytes of message body follow. */
	{ "pppoe_ipv6_icmpv6", DLT_EN10MB, cut_pppoe_ipv6_icmpv6, 4, NO_CUT },
	{ "mpls_ipv4_icmp", DLT_EN10MB, cut_mpls_ipv4_icmp, 0, NO_CUT },
	{ "ether_arp", DLT_EN10MB, cut_ether_arp, 0, NO_CUT },
	{ "sll_ipv4_udp", DLT_LINUX_SLL, cut_sll_ipv4_udp, 0, NO_CUT },
	{ "sll2_ipv6_tcp", DLT_SLL2, cut_sll2_ipv6_tcp, 0, NO_CUT },
	{ "radiotap_ipv4_tcp", DLT_IEEE802_11_RADIO, cut_radiotap_ipv4_tcp,
	    0, NO_CUT },
	/*
	 * A cut after the NFLOG header or after the prefix TLV, with or
	 * without its padding, leaves a frame without a payload TLV.
	 */
	{ "nflog_ipv4_tcp", DLT_NFLOG_, cut_nflog_ipv4_tcp, 0,
	    { 4, 11, 12 } },
	{ "null_ipv6_udp", DLT_NULL, cut_null_ipv6_udp, 0, NO_CUT },
	{ "raw_ipv4_fragment_udp", 12, cut_raw_ipv4_fragment_udp, 0,
	    NO_CUT },
};

#define NCUT_CASES	(sizeof(cut_cases) / sizeof(cut_cases[0]))

/* With caplen == wirelen, every cut is malformed. */
START_TEST(test_cut_is_malformed)
{
	const struct cut_case	*c = &cut_cases[_i];
	struct pg_frame		 f;
	struct ns_decoded	 d;
	size_t			 k;
	int			 rc;

	pg_init(&f);
	c->build(&f);
	ck_assert_msg(decode_frame(c->dlt, &f, &d) == 0,
	    "%s: whole frame rejected: %s", c->name,
	    d.malformed ? d.malformed : "");

	for (k = 0; k < f.len; k++) {
		rc = decode_cut(c->dlt, &f, k, k, &d);
		ck_assert_msg(d.snap_truncated == 0,
		    "%s cut at %zu: snap_truncated", c->name, k);
		if (k == c->valid_cuts[0] || k == c->valid_cuts[1] ||
		    k == c->valid_cuts[2]) {
			ck_assert_int_eq(rc, 0);
			continue;
		}
		ck_assert_msg(rc == -1 && d.malformed != NULL,
		    "%s cut at %zu: not malformed", c->name, k);
	}
}
END_TEST

/*
 * With wirelen > caplen, no cut is malformed, and every cut inside a
 * header is snap_truncated.
 */
START_TEST(test_cut_is_snap_truncated)
{
	const struct cut_case	*c = &cut_cases[_i];
	struct pg_frame		 f;
	struct ns_decoded	 d;
	size_t			 k;
	int			 rc;

	pg_init(&f);
	c->build(&f);

	for (k = 0; k < f.len; k++) {
		rc = decode_cut(c->dlt, &f, k, f.len, &d);
		ck_assert_msg(rc == 0 && d.malformed == NULL,
		    "%s cut at %zu: malformed: %s", c->name, k,
		    d.malformed ? d.malformed : "");
		ck_assert_msg(d.snap_truncated == (k < f.len - c->payload),
		    "%s cut at %zu: snap_truncated is %d", c->name, k,
		    d.snap_truncated);
	}
}
END_TEST

/* A null pointer with a captured length of 0 is an empty capture. */
START_TEST(test_empty_frame)
{
	struct ns_decoded	d;

	ck_assert_int_eq(ns_decode(DLT_EN10MB, NULL, 0, 0, &d), -1);
	ck_assert_str_eq(d.malformed, "ethernet: header past end of frame");
	ck_assert_int_eq(ns_decode(DLT_EN10MB, NULL, 0, 60, &d), 0);
	ck_assert_int_eq(d.snap_truncated, 1);
}
END_TEST

/*
 * Captures under tests/data.  The expected values come from
 * tshark -n -r FILE -T fields.
 */

#define PATH_LEN	4096

/* Writes NS_TOP_SRCDIR (default ".") + "/tests/data/" + rel to path. */
static void
data_path(char path[PATH_LEN], const char *rel)
{
	const char	*top = getenv("NS_TOP_SRCDIR");
	int		 n;

	if (top == NULL || *top == '\0')
		top = ".";
	n = snprintf(path, PATH_LEN, "%s/tests/data/%s", top, rel);
	ck_assert_msg(n > 0 && n < PATH_LEN, "path too long: %s", top);
}

static pcap_t *
open_capture(const char *path)
{
	char	 errbuf[PCAP_ERRBUF_SIZE];
	pcap_t	*p;

	p = pcap_open_offline(path, errbuf);
	ck_assert_msg(p != NULL, "%s: %s", path, errbuf);
	return p;
}

/*
 * Decodes frame number n (from 1, as tshark counts) of a capture under
 * tests/data and returns ns_decode()'s result.
 */
static int
decode_file_frame(const char *rel, unsigned n, struct ns_decoded *d)
{
	struct pcap_pkthdr	*h = NULL;
	const u_char		*bytes = NULL;
	char			 path[PATH_LEN];
	pcap_t			*p;
	unsigned		 i;
	int			 rc;

	data_path(path, rel);
	p = open_capture(path);
	for (i = 0; i < n; i++)
		ck_assert_msg(pcap_next_ex(p, &h, &bytes) == 1,
		    "%s: no frame %u", path, n);
	rc = ns_decode(pcap_datalink(p), bytes, h->caplen, h->len, d);
	pcap_close(p);
	return rc;
}

struct file_stats {
	int		dlt;
	unsigned	frames;
	unsigned	malformed;
	unsigned	snap;
	unsigned	l3[4];		/* indexed by enum ns_l3 */
	unsigned	ports;
	unsigned	icmp;
	unsigned	vlan;		/* frames with a VLAN tag */
	unsigned	mpls;		/* frames with an MPLS label */
	unsigned	mac;
};

/* Checks what must hold for every decoded frame, whatever its bytes. */
static void
assert_consistent(const char *path, unsigned n, int rc,
    const struct ns_decoded *d, size_t caplen, size_t wirelen)
{
	ck_assert_msg((rc == -1) == (d->malformed != NULL),
	    "%s frame %u: return value disagrees with malformed", path, n);
	ck_assert_msg(!(d->malformed != NULL && d->snap_truncated),
	    "%s frame %u: both malformed and snap_truncated", path, n);
	ck_assert_msg(caplen < wirelen || !d->snap_truncated,
	    "%s frame %u: snap_truncated without a snapshot cut", path, n);
	ck_assert_msg(!d->ip_valid || d->l3 == NS_L3_IPV4 ||
	    d->l3 == NS_L3_IPV6, "%s frame %u: ip_valid without IP", path, n);
	ck_assert_msg(!d->has_ports || (d->ip_valid && d->frag_offset == 0 &&
	    (d->ip_proto == 6 || d->ip_proto == 17)),
	    "%s frame %u: ports without a first TCP or UDP header", path, n);
	ck_assert_msg(!(d->has_ports && d->has_icmp),
	    "%s frame %u: both ports and ICMP", path, n);
}

static void
scan_file(const char *path, struct file_stats *st)
{
	struct pcap_pkthdr	*h;
	const u_char		*bytes;
	struct ns_decoded	 d;
	pcap_t			*p = open_capture(path);
	int			 rc;

	memset(st, 0, sizeof(*st));
	st->dlt = pcap_datalink(p);
	ck_assert_msg(ns_decode_supported(st->dlt), "%s: link type %d",
	    path, st->dlt);

	while (pcap_next_ex(p, &h, &bytes) == 1) {
		st->frames++;
		rc = ns_decode(st->dlt, bytes, h->caplen, h->len, &d);
		assert_consistent(path, st->frames, rc, &d, h->caplen, h->len);
		st->malformed += rc == -1;
		st->snap += d.snap_truncated != 0;
		st->l3[d.l3]++;
		st->ports += d.has_ports != 0;
		st->icmp += d.has_icmp != 0;
		st->vlan += d.vlan_tags > 0;
		st->mpls += d.mpls_labels > 0;
		st->mac += d.has_mac != 0;
	}
	pcap_close(p);
}

static void
scan_data_file(const char *rel, struct file_stats *st)
{
	char	path[PATH_LEN];

	data_path(path, rel);
	scan_file(path, st);
}

static int
is_capture_name(const char *name)
{
	size_t	len = strlen(name);

	return (len > 5 && strcmp(name + len - 5, ".pcap") == 0) ||
	    (len > 7 && strcmp(name + len - 7, ".pcapng") == 0);
}

struct walk_totals {
	unsigned	files;
	unsigned	frames;
	unsigned	malformed_outside_odd;
};

/* Decodes every capture under dir, to a depth of 4 folders. */
static void
walk_captures(const char *dir, int depth, struct walk_totals *t)
{
	struct file_stats	 st;
	struct dirent		*de;
	struct stat		 sb;
	DIR			*dp;
	char			 path[PATH_LEN];
	int			 n;

	dp = opendir(dir);
	ck_assert_msg(dp != NULL, "cannot open %s", dir);
	while ((de = readdir(dp)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		n = snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		ck_assert_msg(n > 0 && n < PATH_LEN, "path too long: %s", dir);
		ck_assert_int_eq(stat(path, &sb), 0);
		if (S_ISDIR(sb.st_mode) && depth < 4)
			walk_captures(path, depth + 1, t);
		else if (S_ISREG(sb.st_mode) && is_capture_name(de->d_name)) {
			scan_file(path, &st);
			t->files++;
			t->frames += st.frames;
			if (strstr(path, "/odd/") == NULL &&
			    strstr(path, "/suspicious/") == NULL)
				t->malformed_outside_odd += st.malformed;
		}
	}
	closedir(dp);
}

START_TEST(test_files_decode_all)
{
	struct walk_totals	t;
	char			root[PATH_LEN];

	data_path(root, "");
	memset(&t, 0, sizeof(t));
	walk_captures(root, 0, &t);

	ck_assert_uint_ge(t.files, 50);
	ck_assert_uint_ge(t.frames, 70000);
	/*
	 * Only the captures under odd/, and the attacks under suspicious/
	 * (tiny TCP fragments), were made to be invalid.
	 */
	ck_assert_uint_eq(t.malformed_outside_odd, 0);
}
END_TEST

START_TEST(test_file_qinq_arp)
{
	static const uint8_t	spa[4] = { 172, 21, 79, 97 };
	static const uint8_t	tpa[4] = { 172, 21, 79, 100 };
	static const uint8_t	sha[6] = { 0x00, 0x20, 0xd2, 0x5a, 0xfb,
	    0x3f };
	struct ns_decoded	d;

	ck_assert_int_eq(decode_file_frame("benign/qinq_8021ad_arp.pcap", 1,
	    &d), 0);
	ck_assert_uint_eq(d.vlan_tags, 2);
	ck_assert_int_eq(d.l3, NS_L3_ARP);
	ck_assert_uint_eq(d.arp_op, 1);
	ck_assert_mem_eq(d.arp_sha, sha, 6);
	ck_assert_mem_eq(d.arp_spa, spa, 4);
	ck_assert_mem_eq(d.arp_tpa, tpa, 4);

	ck_assert_int_eq(decode_file_frame("benign/qinq_8021ad_arp.pcap", 2,
	    &d), 0);
	ck_assert_uint_eq(d.arp_op, 2);
	ck_assert_mem_eq(d.arp_tha, sha, 6);
}
END_TEST

START_TEST(test_file_ihl_16_malformed)
{
	struct ns_decoded	d;

	assert_malformed(decode_file_frame("odd/ipv4_ihl_16_invalid.pcap", 1,
	    &d), &d, "ipv4: header length < 20");
	ck_assert_int_eq(d.ip_valid, 0);
}
END_TEST

START_TEST(test_file_null_loopback)
{
	static const uint8_t	lo6[16] = { [15] = 1 };
	static const uint8_t	src[4] = { 172, 16, 1, 117 };
	static const uint8_t	dst[4] = { 172, 16, 1, 255 };
	const char		*file = "benign/null_loopback_bsd.pcap";
	struct ns_decoded	 d;

	ck_assert_int_eq(decode_file_frame(file, 1, &d), 0);
	assert_ipv6_addrs(&d, lo6, lo6);
	assert_ports(&d, 49888, 81);

	ck_assert_int_eq(decode_file_frame(file, 2, &d), 0);
	assert_ipv4_addrs(&d, src, dst);
	assert_ports(&d, 55369, 8612);

	/* Address family 0x0f000800 in either byte order is unknown. */
	ck_assert_int_eq(decode_file_frame(file, 3, &d), 0);
	ck_assert_int_eq(d.l3, NS_L3_NONE);
	ck_assert_int_eq(d.ip_valid, 0);
}
END_TEST

START_TEST(test_file_total_length_exceeds)
{
	struct ns_decoded	d;

	assert_malformed(decode_file_frame(
	    "odd/ipv4_total_length_exceeds_frame.pcap", 1, &d), &d,
	    "ipv4: total length greater than frame");
	ck_assert_int_eq(d.ip_valid, 0);
}
END_TEST

START_TEST(test_file_total_length_zero)
{
	struct ns_decoded	d;

	assert_malformed(decode_file_frame("odd/ipv4_total_length_zero.pcapng",
	    1, &d), &d, "ipv4: total length < header length");
}
END_TEST

START_TEST(test_file_big_tcp)
{
	static const uint8_t	src[4] = { 10, 25, 132, 13 };
	static const uint8_t	dst[4] = { 10, 25, 132, 11 };
	struct ns_decoded	d;

	ck_assert_int_eq(decode_file_frame(
	    "odd/ipv4_bigtcp_total_length_zero_80KB.pcap", 1, &d), 0);
	assert_ipv4_addrs(&d, src, dst);
	ck_assert_uint_eq(d.ip_len, 80052);
	assert_ports(&d, 35871, 36425);
	ck_assert_uint_eq(d.tcp_flags, NS_TH_PSH | NS_TH_ACK);
}
END_TEST

START_TEST(test_file_bad_fragment_in_mpls)
{
	struct ns_decoded	d;

	assert_malformed(decode_file_frame(
	    "odd/ipv4_bad_fragment_in_mpls.pcap", 1, &d), &d,
	    "ipv4: header past end of frame");
	ck_assert_uint_eq(d.mpls_labels, 1);
	ck_assert_int_eq(d.l3, NS_L3_IPV4);
	ck_assert_int_eq(d.ip_valid, 0);
}
END_TEST

START_TEST(test_file_snaplen_1)
{
	struct ns_decoded	d;

	ck_assert_int_eq(decode_file_frame(
	    "odd/snaplen1_caplen8_trunc_ether.pcap", 1, &d), 0);
	ck_assert_int_eq(d.snap_truncated, 1);
	ck_assert_int_eq(d.has_mac, 0);
}
END_TEST

START_TEST(test_file_snaplen_68)
{
	static const uint8_t	src[4] = { 201, 186, 157, 67 };
	static const uint8_t	dst[4] = { 128, 3, 26, 249 };
	const char		*file = "odd/snaplen68_truncated_tcp.pcap";
	struct ns_decoded	 d;

	/* 40 bytes of TCP header, 20 of them cut off by the snapshot. */
	ck_assert_int_eq(decode_file_frame(file, 1, &d), 0);
	ck_assert_int_eq(d.snap_truncated, 1);
	assert_ipv4_addrs(&d, src, dst);
	assert_ports(&d, 60827, 25);
	ck_assert_uint_eq(d.tcp_flags, NS_TH_SYN | NS_TH_ECE | NS_TH_CWR);

	ck_assert_int_eq(decode_file_frame(file, 2, &d), 0);
	ck_assert_int_eq(d.snap_truncated, 0);
	ck_assert_int_eq(d.has_ports, 1);
}
END_TEST

START_TEST(test_file_ipv6_chain_100)
{
	struct ns_decoded	d;

	ck_assert_int_eq(decode_file_frame(
	    "odd/ipv6_ext_header_chain_long.pcap", 1, &d), 0);
	ck_assert_uint_eq(d.ip_proto, 17);
	ck_assert_uint_eq(d.ip_len, 858);
	ck_assert_int_eq(d.ip_fragment, 0);
	assert_ports(&d, 12345, 54321);
}
END_TEST

START_TEST(test_file_fragmented_syn)
{
	const char		*file = "odd/ipv4_fragmented_syn.pcap";
	struct ns_decoded	 d;

	/* The 40-byte TCP header continues in the second fragment. */
	ck_assert_int_eq(decode_file_frame(file, 1, &d), 0);
	ck_assert_int_eq(d.ip_fragment, 1);
	ck_assert_int_eq(d.frag_more, 1);
	ck_assert_uint_eq(d.frag_id, 1);
	assert_ports(&d, 12345, 80);
	ck_assert_uint_eq(d.tcp_flags, NS_TH_SYN);

	ck_assert_int_eq(decode_file_frame(file, 2, &d), 0);
	ck_assert_int_eq(d.ip_fragment, 1);
	ck_assert_int_eq(d.frag_more, 0);
	ck_assert_uint_eq(d.frag_offset, 24);
	ck_assert_int_eq(d.has_ports, 0);
}
END_TEST

START_TEST(test_file_ipv6_fragments)
{
	const char		*file = "odd/ipv6_frag_duplicate_overlap.pcap";
	struct ns_decoded	 d;

	ck_assert_int_eq(decode_file_frame(file, 5, &d), 0);
	ck_assert_int_eq(d.ip_fragment, 1);
	ck_assert_uint_eq(d.frag_offset, 0);
	ck_assert_uint_eq(d.frag_id, 1);
	ck_assert_int_eq(d.has_icmp, 1);
	ck_assert_uint_eq(d.icmp_type, 128);

	ck_assert_int_eq(decode_file_frame(file, 6, &d), 0);
	ck_assert_uint_eq(d.frag_offset, 408);
	ck_assert_int_eq(d.frag_more, 1);
	ck_assert_uint_eq(d.ip_proto, 58);
	ck_assert_int_eq(d.has_icmp, 0);

	ck_assert_int_eq(decode_file_frame(file, 9, &d), 0);
	ck_assert_uint_eq(d.frag_offset, 808);
	ck_assert_int_eq(d.frag_more, 0);
}
END_TEST

START_TEST(test_file_tcp_all_flags)
{
	struct ns_decoded	d;

	ck_assert_int_eq(decode_file_frame("odd/tcp_all_8_flags_set.pcap", 1,
	    &d), 0);
	assert_ports(&d, 6260, 80);
	ck_assert_uint_eq(d.tcp_flags, 0xff);
	ck_assert_uint_eq(d.tcp_seq, 576462951);
	ck_assert_uint_eq(d.tcp_ack, 486026015);
}
END_TEST

START_TEST(test_file_icmp_time_exceeded)
{
	static const uint8_t	router[4] = { 192, 168, 100, 1 };
	static const uint8_t	host[4] = { 192, 168, 100, 138 };
	struct ns_decoded	d;

	ck_assert_int_eq(decode_file_frame("benign/icmp_traceroute.pcapng", 2,
	    &d), 0);
	assert_ipv4_addrs(&d, router, host);
	ck_assert_int_eq(d.has_icmp, 1);
	ck_assert_uint_eq(d.icmp_type, 11);
	ck_assert_uint_eq(d.icmp_code, 0);
}
END_TEST

/*
 * Transport headers that the IP length leaves no room for.  GRE is not
 * decoded, so its frames are valid.
 */
START_TEST(test_file_too_small_transport)
{
	static const struct {
		const char	*malformed;
		uint8_t		 version;
	} want[8] = {
		{ "tcp: header past end of IP payload", 4 },
		{ "udp: header past end of IP payload", 4 },
		{ "udp: header past end of IP payload", 4 },
		{ NULL, 4 },
		{ "tcp: header past end of IP payload", 6 },
		{ "udp: header past end of IP payload", 6 },
		{ "udp: header past end of IP payload", 6 },
		{ NULL, 6 },
	};
	struct ns_decoded	d;
	unsigned		i;
	int			rc;

	for (i = 0; i < 8; i++) {
		rc = decode_file_frame(
		    "odd/decode_too_small_empty_tcp_udp.pcap", i + 1, &d);
		ck_assert_int_eq(d.ip_valid, 1);
		ck_assert_uint_eq(d.ip_version, want[i].version);
		ck_assert_int_eq(d.has_ports, 0);
		if (want[i].malformed == NULL)
			ck_assert_int_eq(rc, 0);
		else
			assert_malformed(rc, &d, want[i].malformed);
	}
}
END_TEST

/* The UDP length fits the IP length, and the snapshot cut the payload. */
START_TEST(test_file_udp_length_exceeds_capture)
{
	struct ns_decoded	d;

	ck_assert_int_eq(decode_file_frame(
	    "odd/udp_length_exceeds_packet.pcap", 1, &d), 0);
	ck_assert_uint_eq(d.ip_len, 65535);
	assert_ports(&d, 40000, 55555);
	ck_assert_int_eq(d.snap_truncated, 0);
}
END_TEST

START_TEST(test_file_raw_dlt101)
{
	static const uint8_t	src[16] = { 0x20, 0x01, 0x06, 0x18, 0x04,
	    [12] = 0x51, 0x99, 0xcc, 0x70 };
	struct file_stats	st;
	struct ns_decoded	d;

	scan_data_file("benign/raw_ip_dlt101.pcap", &st);
	ck_assert_uint_eq(st.frames, 100);
	ck_assert_uint_eq(st.l3[NS_L3_IPV4], 50);
	ck_assert_uint_eq(st.l3[NS_L3_IPV6], 50);
	ck_assert_uint_eq(st.mac, 0);

	ck_assert_int_eq(decode_file_frame("benign/raw_ip_dlt101.pcap", 1,
	    &d), 0);
	ck_assert_mem_eq(d.ip_src, src, 16);
	assert_ports(&d, 35995, 80);
}
END_TEST

START_TEST(test_file_nflog)
{
	static const uint8_t	src[4] = { 10, 0, 2, 15 };
	static const uint8_t	dst[4] = { 93, 184, 216, 34 };
	struct file_stats	st;
	struct ns_decoded	d;

	scan_data_file("benign/nflog_http.pcap", &st);
	ck_assert_int_eq(st.dlt, DLT_NFLOG_);
	ck_assert_uint_eq(st.ports, st.frames);

	ck_assert_int_eq(decode_file_frame("benign/nflog_http.pcap", 1, &d),
	    0);
	assert_ipv4_addrs(&d, src, dst);
	assert_ports(&d, 49762, 80);
	ck_assert_uint_eq(d.tcp_flags, NS_TH_SYN);
}
END_TEST

START_TEST(test_file_radiotap)
{
	static const uint8_t	src[4] = { 172, 5, 5, 113 };
	static const uint8_t	dst[4] = { 14, 17, 32, 211 };
	struct file_stats	st;
	struct ns_decoded	d;

	scan_data_file("benign/wifi_radiotap_http.pcap", &st);
	ck_assert_int_eq(st.dlt, DLT_IEEE802_11_RADIO);
	ck_assert_uint_eq(st.ports, 26);

	ck_assert_int_eq(decode_file_frame("benign/wifi_radiotap_http.pcap", 1,
	    &d), 0);
	assert_ipv4_addrs(&d, src, dst);
	assert_ports(&d, 49417, 80);
}
END_TEST

START_TEST(test_file_mpls_basic)
{
	struct file_stats	st;

	/* 17 frames under label 29, a CDP frame and 5 loopback frames. */
	scan_data_file("benign/mpls_basic.pcap", &st);
	ck_assert_uint_eq(st.frames, 58);
	ck_assert_uint_eq(st.mpls, 17);
	ck_assert_uint_eq(st.l3[NS_L3_NONE], 6);
	ck_assert_uint_eq(st.l3[NS_L3_IPV4], 52);
}
END_TEST

START_TEST(test_file_linux_sll)
{
	struct file_stats	st;

	scan_data_file("benign/linux_sll_cooked_mixed.pcap", &st);
	ck_assert_uint_eq(st.frames, 518);
	ck_assert_uint_eq(st.l3[NS_L3_ARP], 7);
	ck_assert_uint_eq(st.l3[NS_L3_IPV6], 1);
	ck_assert_uint_eq(st.l3[NS_L3_IPV4], 510);
	ck_assert_uint_eq(st.mac, 0);
}
END_TEST

START_TEST(test_file_vlan_8021q)
{
	struct file_stats	st;

	scan_data_file("benign/vlan_8021q_icmp_arp.pcap", &st);
	ck_assert_uint_eq(st.vlan, 15);
	ck_assert_uint_eq(st.l3[NS_L3_ARP], 6);
	ck_assert_uint_eq(st.icmp, 9);
}
END_TEST

static Suite *
decode_suite(void)
{
	Suite	*s = suite_create("decode");
	TCase	*tc;

	tc = tcase_create("link");
	tcase_add_test(tc, test_ether_ipv4_tcp);
	tcase_add_test(tc, test_ether_ipv6_udp);
	tcase_add_test(tc, test_ether_padding_ignored);
	tcase_add_test(tc, test_ether_8023_llc_not_ip);
	tcase_add_test(tc, test_ether_unknown_type);
	tcase_add_test(tc, test_vlan_8021q);
	tcase_add_test(tc, test_vlan_qinq_8021ad);
	tcase_add_test(tc, test_vlan_three_tags_9100);
	tcase_add_test(tc, test_vlan_too_many_tags);
	tcase_add_test(tc, test_sll_ipv4);
	tcase_add_test(tc, test_sll_vlan_tag);
	tcase_add_test(tc, test_sll_netlink_not_ip);
	tcase_add_test(tc, test_sll2_ipv6);
	tcase_add_test(tc, test_sll2_arp);
	tcase_add_loop_test(tc, test_raw_ipv4_and_ipv6, 0,
	    sizeof(raw_dlts) / sizeof(raw_dlts[0]));
	tcase_add_test(tc, test_raw_bad_version);
	tcase_add_test(tc, test_dlt_ipv4_ipv6);
	tcase_add_loop_test(tc, test_null_both_byte_orders, 0,
	    sizeof(null_afs) / sizeof(null_afs[0]));
	tcase_add_test(tc, test_null_unknown_family);
	tcase_add_test(tc, test_loop_network_order);
	tcase_add_test(tc, test_radiotap_qos_data);
	tcase_add_test(tc, test_radiotap_datapad_fcs);
	tcase_add_test(tc, test_radiotap_not_decoded);
	tcase_add_test(tc, test_nflog_ipv4_and_ipv6);
	tcase_add_test(tc, test_unsupported_link_type);
	tcase_add_test(tc, test_supported_link_types);
	suite_add_tcase(s, tc);

	tc = tcase_create("encapsulation");
	tcase_add_test(tc, test_mpls_one_label);
	tcase_add_test(tc, test_mpls_stack_ipv6);
	tcase_add_test(tc, test_mpls_pseudowire_not_ip);
	tcase_add_test(tc, test_mpls_too_many_labels);
	tcase_add_test(tc, test_pppoe_ipv4);
	tcase_add_test(tc, test_pppoe_ipv6_in_vlan);
	tcase_add_test(tc, test_pppoe_lcp_not_ip);
	tcase_add_test(tc, test_pppoe_bad_header);
	tcase_add_test(tc, test_pppoe_length_bounds_ip);
	tcase_add_test(tc, test_arp_request);
	tcase_add_test(tc, test_arp_other_hardware);
	suite_add_tcase(s, tc);

	tc = tcase_create("ip");
	tcase_add_test(tc, test_ipv4_options);
	tcase_add_test(tc, test_ipv4_first_fragment);
	tcase_add_test(tc, test_ipv4_later_fragment);
	tcase_add_test(tc, test_ipv4_tiny_first_fragment);
	tcase_add_test(tc, test_ipv4_bad_version);
	tcase_add_test(tc, test_ipv4_ihl_below_5);
	tcase_add_test(tc, test_ipv4_ihl_past_frame);
	tcase_add_test(tc, test_ipv4_total_below_header);
	tcase_add_test(tc, test_ipv4_total_past_frame);
	tcase_add_test(tc, test_ipv4_total_zero_small_frame);
	tcase_add_test(tc, test_ipv4_big_tcp);
	tcase_add_test(tc, test_ipv6_extension_chain);
	tcase_add_test(tc, test_ipv6_mobility_no_next);
	tcase_add_test(tc, test_ipv6_first_fragment);
	tcase_add_test(tc, test_ipv6_later_fragment);
	tcase_add_test(tc, test_ipv6_atomic_fragment);
	tcase_add_test(tc, test_ipv6_chain_120_valid);
	tcase_add_test(tc, test_ipv6_chain_over_limit);
	tcase_add_test(tc, test_ipv6_chain_past_payload);
	tcase_add_test(tc, test_ipv6_payload_past_frame);
	tcase_add_test(tc, test_ipv6_bad_version);
	suite_add_tcase(s, tc);

	tc = tcase_create("transport");
	tcase_add_test(tc, test_tcp_all_flags);
	tcase_add_test(tc, test_tcp_data_offset_below_5);
	tcase_add_test(tc, test_tcp_data_offset_past_payload);
	tcase_add_test(tc, test_tcp_options_in_next_fragment);
	tcase_add_test(tc, test_udp_length_below_8);
	tcase_add_test(tc, test_udp_length_past_payload);
	tcase_add_test(tc, test_udp_header_past_payload);
	tcase_add_test(tc, test_icmp_error_keeps_outer);
	tcase_add_test(tc, test_icmpv6_error_keeps_outer);
	tcase_add_test(tc, test_icmpv6_echo);
	suite_add_tcase(s, tc);

	tc = tcase_create("truncation");
	tcase_add_loop_test(tc, test_cut_is_malformed, 0, NCUT_CASES);
	tcase_add_loop_test(tc, test_cut_is_snap_truncated, 0, NCUT_CASES);
	tcase_add_test(tc, test_empty_frame);
	suite_add_tcase(s, tc);

	/*
	 * Reading every capture under valgrind takes longer than Check's
	 * default timeout of 4 s.
	 */
	tc = tcase_create("files");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_files_decode_all);
	tcase_add_test(tc, test_file_qinq_arp);
	tcase_add_test(tc, test_file_ihl_16_malformed);
	tcase_add_test(tc, test_file_null_loopback);
	tcase_add_test(tc, test_file_total_length_exceeds);
	tcase_add_test(tc, test_file_total_length_zero);
	tcase_add_test(tc, test_file_big_tcp);
	tcase_add_test(tc, test_file_bad_fragment_in_mpls);
	tcase_add_test(tc, test_file_snaplen_1);
	tcase_add_test(tc, test_file_snaplen_68);
	tcase_add_test(tc, test_file_ipv6_chain_100);
	tcase_add_test(tc, test_file_fragmented_syn);
	tcase_add_test(tc, test_file_ipv6_fragments);
	tcase_add_test(tc, test_file_tcp_all_flags);
	tcase_add_test(tc, test_file_icmp_time_exceeded);
	tcase_add_test(tc, test_file_too_small_transport);
	tcase_add_test(tc, test_file_udp_length_exceeds_capture);
	tcase_add_test(tc, test_file_raw_dlt101);
	tcase_add_test(tc, test_file_nflog);
	tcase_add_test(tc, test_file_radiotap);
	tcase_add_test(tc, test_file_mpls_basic);
	tcase_add_test(tc, test_file_linux_sll);
	tcase_add_test(tc, test_file_vlan_8021q);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(decode_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
