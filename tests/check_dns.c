/* Unit tests for the DNS response parser and the name cache. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"

#define DNS_RESPONSE	0x8180	/* QR, RD, RA, no error */

/* A DNS message under construction. */
struct msg {
	uint8_t		 b[20000];
	size_t		 len;
};

static struct ns_dns_result	 res;

static void
put8(struct msg *m, unsigned v)
{
	ck_assert_uint_lt(m->len, sizeof(m->b));
	m->b[m->len++] = (uint8_t)v;
}

static void
put16(struct msg *m, unsigned v)
{
	put8(m, v >> 8);
	put8(m, v & 0xff);
}

static void
put_bytes(struct msg *m, const void *p, size_t n)
{
	ck_assert_uint_le(n, sizeof(m->b) - m->len);
	memcpy(m->b + m->len, p, n);
	m->len += n;
}

/* Labels of a dotted name, without the root octet. */
static void
put_labels(struct msg *m, const char *name)
{
	const char	*dot;
	size_t		 n;

	while (*name != '\0') {
		dot = strchr(name, '.');
		n = dot != NULL ? (size_t)(dot - name) : strlen(name);
		put8(m, (unsigned)n);
		put_bytes(m, name, n);
		name += n + (dot != NULL);
	}
}

static void
put_name(struct msg *m, const char *name)
{
	put_labels(m, name);
	put8(m, 0);
}

static void
put_pointer(struct msg *m, unsigned off)
{
	put16(m, 0xc000 | off);
}

static void
put_header(struct msg *m, unsigned flags, unsigned qd, unsigned an)
{
	m->len = 0;
	put16(m, 0x1234);
	put16(m, flags);
	put16(m, qd);
	put16(m, an);
	put16(m, 0);
	put16(m, 0);
}

/* Type, class IN, TTL and the record data length. */
static void
put_rr_fixed(struct msg *m, unsigned type, unsigned rdlen)
{
	put16(m, type);
	put16(m, 1);
	put16(m, 0);
	put16(m, 300);
	put16(m, rdlen);
}

static void
put_question(struct msg *m, const char *name, unsigned type)
{
	put_name(m, name);
	put16(m, type);
	put16(m, 1);
}

static void
put_a(struct msg *m, const char *owner, uint8_t a, uint8_t b, uint8_t c,
    uint8_t d)
{
	const uint8_t	 addr[4] = { a, b, c, d };

	put_name(m, owner);
	put_rr_fixed(m, 1, 4);
	put_bytes(m, addr, 4);
}

static void
put_cname(struct msg *m, const char *owner, const char *target)
{
	put_name(m, owner);
	put_rr_fixed(m, 5, (unsigned)strlen(target) + 2);
	put_name(m, target);
}

static int
parse(const struct msg *m)
{
	return ns_dns_parse(m->b, m->len, &res);
}

static void
check_v4(size_t i, uint8_t a, uint8_t b, uint8_t c, uint8_t d,
    const char *name)
{
	const uint8_t	 addr[4] = { a, b, c, d };
	uint8_t		 key[NS_IPKEY_LEN];

	ns_ipkey_set(key, 4, addr);
	ck_assert_uint_gt(res.nbindings, i);
	ck_assert_mem_eq(res.bindings[i].key, key, NS_IPKEY_LEN);
	ck_assert_str_eq(res.bindings[i].name, name);
}

static void
check_malformed(const struct msg *m)
{
	ck_assert_int_eq(parse(m), -1);
	ck_assert_ptr_nonnull(res.malformed);
	ck_assert_uint_eq(res.nbindings, 0);
}

START_TEST(a_record)
{
	struct msg	 m;

	put_header(&m, DNS_RESPONSE, 1, 1);
	put_question(&m, "www.Example.com", 1);
	put_a(&m, "www.example.com", 192, 0, 2, 1);
	ck_assert_int_eq(parse(&m), 1);
	ck_assert_uint_eq(res.nbindings, 1);
	check_v4(0, 192, 0, 2, 1, "www.example.com");
}
END_TEST

START_TEST(aaaa_record)
{
	static const uint8_t addr[16] = { 0x20, 0x01, 0x0d, 0xb8,
	    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01 };
	struct msg	 m;
	uint8_t		 key[NS_IPKEY_LEN];

	put_header(&m, DNS_RESPONSE, 1, 1);
	put_question(&m, "v6.example.com", 28);
	put_name(&m, "v6.example.com");
	put_rr_fixed(&m, 28, 16);
	put_bytes(&m, addr, 16);
	ck_assert_int_eq(parse(&m), 1);
	ck_assert_uint_eq(res.nbindings, 1);
	ns_ipkey_set(key, 6, addr);
	ck_assert_mem_eq(res.bindings[0].key, key, NS_IPKEY_LEN);
	ck_assert_str_eq(res.bindings[0].name, "v6.example.com");
}
END_TEST

START_TEST(cname_chain_to_question)
{
	struct msg	 m;

	put_header(&m, DNS_RESPONSE, 1, 4);
	put_question(&m, "www.example.com", 1);
	put_cname(&m, "www.example.com", "edge.cdn.example");
	/* The address comes before the CNAME that leads to it. */
	put_a(&m, "e1.cdn.example", 192, 0, 2, 7);
	put_cname(&m, "edge.cdn.example", "e1.cdn.example");
	put_a(&m, "e1.cdn.example", 192, 0, 2, 8);
	ck_assert_int_eq(parse(&m), 1);
	ck_assert_uint_eq(res.nbindings, 2);
	check_v4(0, 192, 0, 2, 7, "www.example.com");
	check_v4(1, 192, 0, 2, 8, "www.example.com");
}
END_TEST

START_TEST(cname_loop_is_bounded)
{
	struct msg	 m;

	put_header(&m, DNS_RESPONSE, 0, 3);
	put_cname(&m, "a.example", "b.example");
	put_cname(&m, "b.example", "a.example");
	put_a(&m, "a.example", 192, 0, 2, 9);
	ck_assert_int_eq(parse(&m), 1);
	ck_assert_uint_eq(res.nbindings, 1);
	ck_assert_uint_eq(res.bindings[0].key[0], NS_INET_IPV4);
}
END_TEST

START_TEST(ptr_ipv4)
{
	struct msg	 m;

	put_header(&m, DNS_RESPONSE, 1, 1);
	put_question(&m, "1.2.0.192.in-addr.arpa", 12);
	put_pointer(&m, 12);
	put_rr_fixed(&m, 12, 18);
	put_name(&m, "host.example.org");
	ck_assert_int_eq(parse(&m), 1);
	ck_assert_uint_eq(res.nbindings, 1);
	check_v4(0, 192, 0, 2, 1, "host.example.org");
}
END_TEST

START_TEST(ptr_ipv4_invalid_owner)
{
	static const char *owners[] = {
		"1.2.0.in-addr.arpa", "256.2.0.192.in-addr.arpa",
		"0/25.2.0.192.in-addr.arpa", "5.1.2.0.192.in-addr.arpa",
		"in-addr.arpa", "1.2.0.192.in-addr.arpa.example",
	};
	struct msg	 m;
	size_t		 i;

	for (i = 0; i < sizeof(owners) / sizeof(owners[0]); i++) {
		put_header(&m, DNS_RESPONSE, 0, 1);
		put_name(&m, owners[i]);
		put_rr_fixed(&m, 12, 7);
		put_name(&m, "x.org");
		ck_assert_int_eq(parse(&m), 1);
		ck_assert_msg(res.nbindings == 0, "%s gave a binding",
		    owners[i]);
	}
}
END_TEST

START_TEST(ptr_ipv6)
{
	static const uint8_t addr[16] = { 0x20, 0x01, 0x0d, 0xb8,
	    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xab, 0xcd };
	const char	*owner = "d.c.b.a.0.0.0.0.0.0.0.0.0.0.0.0."
			    "0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa";
	struct msg	 m;
	uint8_t		 key[NS_IPKEY_LEN];

	put_header(&m, DNS_RESPONSE, 0, 1);
	put_name(&m, owner);
	put_rr_fixed(&m, 12, 9);
	put_name(&m, "v6.host");
	ck_assert_int_eq(parse(&m), 1);
	ck_assert_uint_eq(res.nbindings, 1);
	ns_ipkey_set(key, 6, addr);
	ck_assert_mem_eq(res.bindings[0].key, key, NS_IPKEY_LEN);
	ck_assert_str_eq(res.bindings[0].name, "v6.host");
}
END_TEST

START_TEST(compressed_suffix)
{
	struct msg	 m;

	put_header(&m, DNS_RESPONSE, 1, 1);
	put_question(&m, "example.com", 1);
	/*
	 * "mail" then a pointer to "example.com" in the question.  No
	 * CNAME links the owner to the question, so the owner is the name.
	 */
	put_labels(&m, "mail");
	put_pointer(&m, 12);
	put_rr_fixed(&m, 1, 4);
	put_bytes(&m, "\xc0\x00\x02\x05", 4);
	ck_assert_int_eq(parse(&m), 1);
	check_v4(0, 192, 0, 2, 5, "mail.example.com");
}
END_TEST

START_TEST(compressed_owner_no_question)
{
	struct msg	 m;

	put_header(&m, DNS_RESPONSE, 0, 2);
	put_a(&m, "example.com", 192, 0, 2, 5);
	put_labels(&m, "mail");
	put_pointer(&m, 12);
	put_rr_fixed(&m, 1, 4);
	put_bytes(&m, "\xc0\x00\x02\x06", 4);
	ck_assert_int_eq(parse(&m), 1);
	check_v4(1, 192, 0, 2, 6, "mail.example.com");
}
END_TEST

START_TEST(pointer_loop)
{
	struct msg	 m;

	put_header(&m, DNS_RESPONSE, 1, 0);
	/* "a" at 12, then a pointer back to 12: a backward loop. */
	put_labels(&m, "a");
	put_pointer(&m, 12);
	put16(&m, 1);
	put16(&m, 1);
	check_malformed(&m);
}
END_TEST

START_TEST(pointer_to_itself)
{
	struct msg	 m;

	put_header(&m, DNS_RESPONSE, 1, 0);
	put_pointer(&m, 12);
	put16(&m, 1);
	put16(&m, 1);
	check_malformed(&m);
}
END_TEST

START_TEST(pointer_past_end)
{
	struct msg	 m;

	put_header(&m, DNS_RESPONSE, 1, 0);
	put_pointer(&m, 0x3fff);
	put16(&m, 1);
	put16(&m, 1);
	check_malformed(&m);
}
END_TEST

START_TEST(forward_pointer)
{
	struct msg	 m;

	put_header(&m, DNS_RESPONSE, 1, 0);
	/* Points at the name written after the question. */
	put_pointer(&m, 18);
	put16(&m, 1);
	put16(&m, 1);
	put_name(&m, "x");
	check_malformed(&m);
}
END_TEST

START_TEST(label_of_64)
{
	struct msg	 m;
	char		 label[65];

	memset(label, 'a', 64);
	label[64] = '\0';
	put_header(&m, DNS_RESPONSE, 1, 0);
	put_question(&m, label, 1);
	check_malformed(&m);

	label[63] = '\0';
	put_header(&m, DNS_RESPONSE, 1, 0);
	put_question(&m, label, 1);
	ck_assert_int_eq(parse(&m), 1);
}
END_TEST

/* A name of n labels of 63 octets and one of last octets. */
static void
put_long_name(struct msg *m, int n, size_t last)
{
	char	 label[64];
	int	 i;

	memset(label, 'x', 63);
	for (i = 0; i < n; i++) {
		put8(m, 63);
		put_bytes(m, label, 63);
	}
	put8(m, (unsigned)last);
	put_bytes(m, label, last);
	put8(m, 0);
}

START_TEST(name_over_255)
{
	struct msg	 m;

	/* 3 * 64 + 62 + 1 = 255 octets: the longest valid name. */
	put_header(&m, DNS_RESPONSE, 0, 1);
	put_long_name(&m, 3, 61);
	put_rr_fixed(&m, 1, 4);
	put_bytes(&m, "\x0a\x00\x00\x01", 4);
	ck_assert_int_eq(parse(&m), 1);
	ck_assert_uint_eq(res.nbindings, 1);
	ck_assert_uint_eq(strlen(res.bindings[0].name), 253);

	put_header(&m, DNS_RESPONSE, 0, 1);
	put_long_name(&m, 3, 62);
	put_rr_fixed(&m, 1, 4);
	put_bytes(&m, "\x0a\x00\x00\x01", 4);
	check_malformed(&m);
}
END_TEST

START_TEST(truncated_answer)
{
	struct msg	 m;
	size_t		 full;

	put_header(&m, DNS_RESPONSE, 1, 2);
	put_question(&m, "www.example.com", 1);
	put_a(&m, "www.example.com", 192, 0, 2, 1);
	put_a(&m, "www.example.com", 192, 0, 2, 2);
	full = m.len;
	for (m.len = full - 1; m.len > 12; m.len--)
		check_malformed(&m);
	m.len = full;
	ck_assert_int_eq(parse(&m), 1);
}
END_TEST

START_TEST(short_header)
{
	struct msg	 m;

	put_header(&m, DNS_RESPONSE, 0, 0);
	m.len = 11;
	check_malformed(&m);
	ck_assert_int_eq(ns_dns_parse(NULL, 0, &res), -1);
}
END_TEST

START_TEST(unprintable_octets_replaced)
{
	static const uint8_t owner[] = {
		3, 'W', 'w', 'W', 6, 'e', 'v', '\r', '\n', 'i', 'l',
		4, 0x00, 0x7f, 0xc3, 0xa9, 3, 'a', '.', 'b', 3, 'c', 'o', 'm',
		0
	};
	struct msg	 m;

	put_header(&m, DNS_RESPONSE, 0, 1);
	put_bytes(&m, owner, sizeof(owner));
	put_rr_fixed(&m, 1, 4);
	put_bytes(&m, "\xc0\x00\x02\x01", 4);
	ck_assert_int_eq(parse(&m), 1);
	check_v4(0, 192, 0, 2, 1, "www.ev??il.????.a?b.com");
}
END_TEST

START_TEST(thousand_answers_capped)
{
	struct msg	 m;
	unsigned	 i;

	put_header(&m, DNS_RESPONSE, 1, 1000);
	put_question(&m, "many.example", 1);
	for (i = 0; i < 1000; i++) {
		put_pointer(&m, 12);
		put_rr_fixed(&m, 1, 4);
		put8(&m, 10);
		put8(&m, 0);
		put8(&m, i >> 8);
		put8(&m, i & 0xff);
	}
	ck_assert_int_eq(parse(&m), 1);
	ck_assert_uint_eq(res.nbindings, NS_DNS_BINDINGS_MAX);
	ck_assert_uint_eq(res.answers_skipped, 1000 - NS_DNS_ANSWERS_MAX);
	check_v4(0, 10, 0, 0, 0, "many.example");
}
END_TEST

START_TEST(query_ignored)
{
	struct msg	 m;

	put_header(&m, 0x0100, 1, 0);
	put_question(&m, "www.example.com", 1);
	ck_assert_int_eq(parse(&m), 0);
	ck_assert_uint_eq(res.nbindings, 0);
}
END_TEST

START_TEST(wrong_address_length)
{
	struct msg	 m;

	put_header(&m, DNS_RESPONSE, 0, 1);
	put_name(&m, "x.example");
	put_rr_fixed(&m, 1, 5);
	put_bytes(&m, "\x01\x02\x03\x04\x05", 5);
	check_malformed(&m);
}
END_TEST

/* Ethernet, IPv4 and UDP headers before a DNS message. */
static size_t
put_udp_frame(struct msg *f, const struct msg *dns)
{
	static const uint8_t eth[14] = {
		2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x08, 0x00
	};
	size_t		 iplen = 20 + 8 + dns->len;

	f->len = 0;
	put_bytes(f, eth, sizeof(eth));
	put8(f, 0x45);
	put8(f, 0);
	put16(f, (unsigned)iplen);
	put16(f, 1);
	put16(f, 0);
	put8(f, 64);
	put8(f, 17);
	put16(f, 0);
	put_bytes(f, "\xc0\x00\x02\x35\xc0\x00\x02\x0a", 8);
	put16(f, 53);
	put16(f, 40000);
	put16(f, (unsigned)(8 + dns->len));
	put16(f, 0);
	put_bytes(f, dns->b, dns->len);
	return 14 + 28;
}

START_TEST(locate_udp_payload)
{
	struct msg		 dns, frame;
	struct ns_decoded	 d;
	size_t			 want, off, len;

	put_header(&dns, DNS_RESPONSE, 1, 1);
	put_question(&dns, "www.example.com", 1);
	put_a(&dns, "www.example.com", 192, 0, 2, 1);
	want = put_udp_frame(&frame, &dns);
	ck_assert_int_eq(ns_decode(1, frame.b, frame.len, frame.len, &d), 0);
	ck_assert_int_eq(ns_dns_locate(frame.b, frame.len, &d, &off, &len),
	    0);
	ck_assert_uint_eq(off, want);
	ck_assert_uint_eq(len, dns.len);

	/* Cut by the snapshot length: the message is shorter. */
	ck_assert_int_eq(ns_dns_locate(frame.b, frame.len - 5, &d, &off,
	    &len), 0);
	ck_assert_uint_eq(len, dns.len - 5);

	d.sport = 40000;
	ck_assert_int_eq(ns_dns_locate(frame.b, frame.len, &d, &off, &len),
	    -1);
}
END_TEST

static void
key_v4(uint8_t *key, uint8_t last)
{
	const uint8_t	 addr[4] = { 192, 0, 2, last };

	ns_ipkey_set(key, 4, addr);
}

START_TEST(cache_lru_eviction)
{
	struct ns_names	*nc = ns_names_new(2);
	uint8_t		 a[NS_IPKEY_LEN], b[NS_IPKEY_LEN], c[NS_IPKEY_LEN];
	char		 name[NS_DNS_NAME_SIZE];

	ck_assert_ptr_nonnull(nc);
	key_v4(a, 1);
	key_v4(b, 2);
	key_v4(c, 3);
	pthread_mutex_lock(&nc->lock);
	ck_assert_int_eq(ns_names_learn(nc, a, "a.example", 1), 0);
	ck_assert_int_eq(ns_names_learn(nc, b, "b.example", 2), 0);
	/* Refreshing a makes b the least recent. */
	ck_assert_int_eq(ns_names_learn(nc, a, "a.example", 3), 0);
	ck_assert_int_eq(ns_names_learn(nc, c, "c.example", 4), 0);
	pthread_mutex_unlock(&nc->lock);

	ck_assert_uint_eq(nc->count, 2);
	ck_assert_uint_eq(ns_names_lookup(nc, b, name), 0);
	ck_assert_str_eq(name, "");
	ck_assert_uint_eq(ns_names_lookup(nc, a, name), 9);
	ck_assert_str_eq(name, "a.example");
	ck_assert_uint_eq(ns_names_lookup(nc, c, name), 9);
	ck_assert_str_eq(name, "c.example");
	ns_names_free(nc);
}
END_TEST

START_TEST(cache_new_name_replaces)
{
	struct ns_names	*nc = ns_names_new(NS_NAMES_DEFAULT);
	uint8_t		 a[NS_IPKEY_LEN];
	char		 name[NS_DNS_NAME_SIZE];

	ck_assert_ptr_nonnull(nc);
	key_v4(a, 1);
	pthread_mutex_lock(&nc->lock);
	ns_names_learn(nc, a, "old.example", 1);
	ns_names_learn(nc, a, "a-much-longer-new-name.example", 2);
	pthread_mutex_unlock(&nc->lock);
	ck_assert_uint_eq(nc->count, 1);
	ns_names_lookup(nc, a, name);
	ck_assert_str_eq(name, "a-much-longer-new-name.example");
	ns_names_free(nc);
}
END_TEST

START_TEST(cache_journal_collects_changes)
{
	struct ns_names		*nc = ns_names_new(NS_NAMES_DEFAULT);
	struct ns_name_record	 recs[4];
	uint8_t			 a[NS_IPKEY_LEN], b[NS_IPKEY_LEN];

	ck_assert_ptr_nonnull(nc);
	nc->journal = 1;
	key_v4(a, 1);
	key_v4(b, 2);
	pthread_mutex_lock(&nc->lock);
	ns_names_learn(nc, a, "a.example", 100);
	ns_names_learn(nc, b, "b.example", 101);
	pthread_mutex_unlock(&nc->lock);

	ck_assert_uint_eq(ns_names_collect(nc, recs, 4), 2);
	ck_assert_mem_eq(recs[0].key, a, NS_IPKEY_LEN);
	ck_assert_str_eq(recs[0].name, "a.example");
	ck_assert_uint_eq(recs[0].last_seen, 100);
	ck_assert_mem_eq(recs[1].key, b, NS_IPKEY_LEN);
	ck_assert_uint_eq(recs[1].last_seen, 101);
	ck_assert_uint_eq(ns_names_collect(nc, recs, 4), 0);

	/* A refresh within NS_NAMES_RESAVE seconds is not written again. */
	pthread_mutex_lock(&nc->lock);
	ns_names_learn(nc, a, "a.example", 100 + NS_NAMES_RESAVE - 1);
	pthread_mutex_unlock(&nc->lock);
	ck_assert_uint_eq(ns_names_collect(nc, recs, 4), 0);

	pthread_mutex_lock(&nc->lock);
	ns_names_learn(nc, a, "a.example", 100 + NS_NAMES_RESAVE);
	ns_names_learn(nc, b, "new-b.example", 102);
	pthread_mutex_unlock(&nc->lock);
	ck_assert_uint_eq(ns_names_collect(nc, recs, 1), 1);
	ck_assert_uint_eq(recs[0].last_seen, 100 + NS_NAMES_RESAVE);
	ck_assert_uint_eq(ns_names_collect(nc, recs, 4), 1);
	ck_assert_str_eq(recs[0].name, "new-b.example");
	ns_names_free(nc);
}
END_TEST

START_TEST(cache_journal_drops_evicted)
{
	struct ns_names		*nc = ns_names_new(1);
	struct ns_name_record	 recs[4];
	uint8_t			 a[NS_IPKEY_LEN], b[NS_IPKEY_LEN];

	ck_assert_ptr_nonnull(nc);
	nc->journal = 1;
	key_v4(a, 1);
	key_v4(b, 2);
	pthread_mutex_lock(&nc->lock);
	ns_names_learn(nc, a, "a.example", 1);
	ns_names_learn(nc, b, "b.example", 2);
	pthread_mutex_unlock(&nc->lock);

	ck_assert_uint_eq(ns_names_collect(nc, recs, 4), 1);
	ck_assert_str_eq(recs[0].name, "b.example");
	ns_names_free(nc);
}
END_TEST

START_TEST(cache_restore_not_counted)
{
	struct ns_names		*nc = ns_names_new(NS_NAMES_DEFAULT);
	struct ns_name_record	 recs[4];
	uint8_t			 a[NS_IPKEY_LEN];
	char			 name[NS_DNS_NAME_SIZE];

	ck_assert_ptr_nonnull(nc);
	nc->journal = 1;
	key_v4(a, 1);
	pthread_mutex_lock(&nc->lock);
	ck_assert_int_eq(ns_names_restore(nc, a, "a.example", 50), 0);
	pthread_mutex_unlock(&nc->lock);

	ck_assert_uint_eq(nc->count, 1);
	ck_assert_uint_eq(nc->learned, 0);
	ck_assert_uint_eq(ns_names_collect(nc, recs, 4), 0);
	ck_assert_uint_eq(ns_names_lookup(nc, a, name), 9);
	ck_assert_str_eq(name, "a.example");
	ns_names_free(nc);
}
END_TEST

static Suite *
dns_suite(void)
{
	Suite	*s = suite_create("dns");
	TCase	*tc = tcase_create("parse");
	TCase	*cache = tcase_create("cache");

	tcase_add_test(tc, a_record);
	tcase_add_test(tc, aaaa_record);
	tcase_add_test(tc, cname_chain_to_question);
	tcase_add_test(tc, cname_loop_is_bounded);
	tcase_add_test(tc, ptr_ipv4);
	tcase_add_test(tc, ptr_ipv4_invalid_owner);
	tcase_add_test(tc, ptr_ipv6);
	tcase_add_test(tc, compressed_suffix);
	tcase_add_test(tc, compressed_owner_no_question);
	tcase_add_test(tc, pointer_loop);
	tcase_add_test(tc, pointer_to_itself);
	tcase_add_test(tc, pointer_past_end);
	tcase_add_test(tc, forward_pointer);
	tcase_add_test(tc, label_of_64);
	tcase_add_test(tc, name_over_255);
	tcase_add_test(tc, truncated_answer);
	tcase_add_test(tc, short_header);
	tcase_add_test(tc, unprintable_octets_replaced);
	tcase_add_test(tc, thousand_answers_capped);
	tcase_add_test(tc, query_ignored);
	tcase_add_test(tc, wrong_address_length);
	tcase_add_test(tc, locate_udp_payload);
	suite_add_tcase(s, tc);
	tcase_add_test(cache, cache_lru_eviction);
	tcase_add_test(cache, cache_new_name_replaces);
	tcase_add_test(cache, cache_journal_collects_changes);
	tcase_add_test(cache, cache_journal_drops_evicted);
	tcase_add_test(cache, cache_restore_not_counted);
	suite_add_tcase(s, cache);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(dns_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
