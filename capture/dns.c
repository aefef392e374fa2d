/*
 * netsentry: host names learned from DNS responses seen on the wire.
 *
 * Decodes the answer section of DNS responses (RFC 1035, AAAA from
 * RFC 3596, mDNS from RFC 6762) and keeps, per data source, the last name
 * given to each address.  No query is ever sent.  The messages come from
 * hostile traffic, so every read goes through pktbuf.h, each name is
 * checked as RFC 1035 section 4.1.4 requires of compression, and every
 * count is capped.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "dns.h"
#include "pktbuf.h"

#define DNS_HDR_LEN		12
#define DNS_QR			0x8000	/* header flag: a response */
#define DNS_OPCODE(flags)	(((flags) >> 11) & 0xf)
#define DNS_LABEL_MAX		63
#define DNS_WIRE_NAME_MAX	255	/* octets, RFC 1035 section 2.3.4 */
#define DNS_PTR_MASK		0xc0
#define DNS_PTR_OFF_MASK	0x3fff

#define DNS_TYPE_A		1
#define DNS_TYPE_CNAME		5
#define DNS_TYPE_PTR		12
#define DNS_TYPE_AAAA		28
#define DNS_CLASS_IN		1
/* mDNS sets the top bit of the class for cache flush (RFC 6762). */
#define DNS_CLASS_MASK		0x7fff

/* Questions read before the answers; real messages carry one. */
#define DNS_QUESTIONS_MAX	4

#define DNS_IPPROTO_TCP		6
#define DNS_IPPROTO_UDP		17

/* A CNAME record: the alias and the name it stands for. */
struct dns_alias {
	char	 owner[NS_DNS_NAME_SIZE];
	char	 target[NS_DNS_NAME_SIZE];
};

/* The parser's state for one message. */
struct dns_msg {
	struct ns_pktbuf	 pb;
	size_t			 off;		/* next unread byte */
	struct dns_alias	 aliases[NS_DNS_CHAIN_MAX];
	size_t			 naliases;
	struct ns_dns_result	*r;
};

/* Copies a name of at most NS_DNS_NAME_SIZE - 1 characters. */
static size_t
dns_name_copy(char *dst, const char *src)
{
	size_t	 n = strnlen(src, NS_DNS_NAME_SIZE - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
	return n;
}

/* Returns the printable form of one label octet. */
static char
dns_name_char(uint8_t c)
{
	if (c >= 'A' && c <= 'Z')
		return (char)(c - 'A' + 'a');
	if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	    c == '-' || c == '_')
		return (char)c;
	/* A '.' inside a label would fake a label boundary. */
	return '?';
}

/*
 * Read the name at off into out (NS_DNS_NAME_SIZE bytes) and set *next
 * to the byte after it in the message.  A compression pointer must point
 * inside the message and before itself.  Loops among backward pointers
 * end at NS_DNS_JUMPS_MAX or at the 255-octet limit.  Returns 0, or -1
 * with the fault in *why.
 */
static int
dns_read_name(const struct ns_pktbuf *pb, size_t off, char *out,
    size_t *next, const char **why)
{
	size_t		 pos = off, wire = 0, n = 0, i;
	unsigned	 jumps = 0;
	uint16_t	 ptr;
	uint8_t		 len, c;

	*next = 0;
	for (;;) {
		if (ns_pktbuf_get_u8(pb, pos, &len) == -1)
			goto truncated;

		if ((len & DNS_PTR_MASK) == DNS_PTR_MASK) {
			if (ns_pktbuf_get_be16(pb, pos, &ptr) == -1)
				goto truncated;
			ptr &= DNS_PTR_OFF_MASK;
			if (ptr >= pb->pb_len) {
				*why = "dns: compression pointer past end";
				return -1;
			}
			if (ptr >= pos) {
				*why = "dns: compression pointer not backward";
				return -1;
			}
			if (++jumps > NS_DNS_JUMPS_MAX) {
				*why = "dns: too many compression pointers";
				return -1;
			}
			if (*next == 0)
				*next = pos + 2;
			pos = ptr;
			continue;
		}
		if (len > DNS_LABEL_MAX) {
			/* 0x40 and 0x80 are the obsolete extended labels. */
			*why = "dns: label longer than 63 octets";
			return -1;
		}

		/* The length octet, the label, and the root octet after. */
		wire += 1 + (size_t)len;
		if (wire + (len == 0 ? 0 : 1) > DNS_WIRE_NAME_MAX) {
			*why = "dns: name longer than 255 octets";
			return -1;
		}
		if (len == 0)
			break;

		if (n > 0)
			out[n++] = '.';
		for (i = 0; i < len; i++) {
			if (ns_pktbuf_get_u8(pb, pos + 1 + i, &c) == -1)
				goto truncated;
			out[n++] = dns_name_char(c);
		}
		pos += 1 + (size_t)len;
	}
	out[n] = '\0';
	if (*next == 0)
		*next = pos + 1;
	return 0;

truncated:
	*why = "dns: name past end of message";
	return -1;
}

/* Parses one decimal label of an in-addr.arpa name, 0 to 255. */
static int
dns_parse_octet(const char *s, size_t len, uint8_t *v)
{
	unsigned	 x = 0;
	size_t		 i;

	if (len == 0 || len > 3)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		x = x * 10 + (unsigned)(s[i] - '0');
	}
	if (x > 255)
		return -1;
	*v = (uint8_t)x;
	return 0;
}

static int
dns_hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* "d.c.b.a.in-addr.arpa" (RFC 1035 section 3.5) to the key of a.b.c.d. */
static int
dns_ptr_v4(const char *name, size_t len, uint8_t *key)
{
	static const char	 suffix[] = ".in-addr.arpa";
	uint8_t			 addr[4];
	size_t			 start = 0, end, i;
	const char		*dot;

	if (len < sizeof(suffix) || strcmp(name + len - (sizeof(suffix) - 1),
	    suffix) != 0)
		return -1;
	len -= sizeof(suffix) - 1;

	for (i = 0; i < 4; i++) {
		dot = memchr(name + start, '.', len - start);
		end = dot != NULL ? (size_t)(dot - name) : len;
		if ((i == 3) != (dot == NULL))
			return -1;
		if (dns_parse_octet(name + start, end - start,
		    &addr[3 - i]) == -1)
			return -1;
		start = end + 1;
	}
	ns_ipkey_set(key, 4, addr);
	return 0;
}

/* 32 nibble labels then ".ip6.arpa" (RFC 3596 section 2.5). */
static int
dns_ptr_v6(const char *name, size_t len, uint8_t *key)
{
	static const char	 suffix[] = ".ip6.arpa";
	uint8_t			 addr[16];
	size_t			 i;
	int			 v;

	/* 32 nibbles and the 31 dots between them: 63 characters. */
	if (len != 63 + sizeof(suffix) - 1 ||
	    strcmp(name + 63, suffix) != 0)
		return -1;
	memset(addr, 0, sizeof(addr));
	for (i = 0; i < 32; i++) {
		v = dns_hex_value(name[2 * i]);
		if (v == -1 || (i < 31 && name[2 * i + 1] != '.'))
			return -1;
		/* The first label is the low nibble of the last byte. */
		addr[15 - i / 2] |= (uint8_t)(i % 2 == 0 ? v : v << 4);
	}
	ns_ipkey_set(key, 6, addr);
	return 0;
}

static void
dns_bind(struct dns_msg *m, const uint8_t *key, const char *name)
{
	struct ns_dns_binding	*b;

	if (m->r->nbindings == NS_DNS_BINDINGS_MAX || *name == '\0')
		return;
	b = &m->r->bindings[m->r->nbindings++];
	memcpy(b->key, key, NS_IPKEY_LEN);
	dns_name_copy(b->name, name);
}

/*
 * Replace an address record's owner by the first alias of its CNAME
 * chain, which is the name in the question.  A chain longer than the alias
 * list, or a loop, stops at NS_DNS_CHAIN_MAX steps.
 */
static const char *
dns_chain_start(const struct dns_msg *m, const char *owner)
{
	size_t		 steps, i;

	for (steps = 0; steps < NS_DNS_CHAIN_MAX; steps++) {
		for (i = 0; i < m->naliases; i++)
			if (strcmp(m->aliases[i].target, owner) == 0)
				break;
		if (i == m->naliases)
			break;
		owner = m->aliases[i].owner;
	}
	return owner;
}

/* Reads one answer record at m->off.  Returns 0, or -1 when malformed. */
static int
dns_read_answer(struct dns_msg *m, struct ns_dns_binding *addrs,
    size_t *naddrs)
{
	char		 owner[NS_DNS_NAME_SIZE], target[NS_DNS_NAME_SIZE];
	uint8_t		 raw[16], key[NS_IPKEY_LEN];
	uint16_t	 type, class, rdlen;
	size_t		 rdata, end;

	if (dns_read_name(&m->pb, m->off, owner, &m->off,
	    &m->r->malformed) == -1)
		return -1;
	if (ns_pktbuf_get_be16(&m->pb, m->off, &type) == -1 ||
	    ns_pktbuf_get_be16(&m->pb, m->off + 2, &class) == -1 ||
	    ns_pktbuf_get_be16(&m->pb, m->off + 8, &rdlen) == -1) {
		m->r->malformed = "dns: record header past end of message";
		return -1;
	}
	rdata = m->off + 10;
	if (!ns_pktbuf_has(&m->pb, rdata, rdlen)) {
		m->r->malformed = "dns: record data past end of message";
		return -1;
	}
	m->off = end = rdata + rdlen;
	if ((class & DNS_CLASS_MASK) != DNS_CLASS_IN)
		return 0;

	switch (type) {
	case DNS_TYPE_A:
	case DNS_TYPE_AAAA:
		if (rdlen != (type == DNS_TYPE_A ? 4 : 16)) {
			m->r->malformed = "dns: address record of wrong length";
			return -1;
		}
		if (*naddrs == NS_DNS_BINDINGS_MAX)
			return 0;
		ns_pktbuf_get_bytes(&m->pb, rdata, raw, rdlen);
		ns_ipkey_set(addrs[*naddrs].key, type == DNS_TYPE_A ? 4 : 6,
		    raw);
		dns_name_copy(addrs[*naddrs].name, owner);
		(*naddrs)++;
		return 0;
	case DNS_TYPE_CNAME:
	case DNS_TYPE_PTR:
		if (dns_read_name(&m->pb, rdata, target, &rdata,
		    &m->r->malformed) == -1)
			return -1;
		if (rdata != end) {
			m->r->malformed = "dns: name does not fill record";
			return -1;
		}
		break;
	default:
		return 0;
	}

	if (type == DNS_TYPE_PTR) {
		if (dns_ptr_v4(owner, strlen(owner), key) == 0 ||
		    dns_ptr_v6(owner, strlen(owner), key) == 0)
			dns_bind(m, key, target);
	} else if (m->naliases < NS_DNS_CHAIN_MAX) {
		dns_name_copy(m->aliases[m->naliases].owner, owner);
		dns_name_copy(m->aliases[m->naliases].target, target);
		m->naliases++;
	}
	return 0;
}

/* Skips the question section.  Returns 0, or -1 when malformed. */
static int
dns_skip_questions(struct dns_msg *m, uint16_t qdcount)
{
	char		 qname[NS_DNS_NAME_SIZE];
	uint16_t	 i;

	if (qdcount > DNS_QUESTIONS_MAX) {
		m->r->malformed = "dns: too many questions";
		return -1;
	}
	for (i = 0; i < qdcount; i++) {
		if (dns_read_name(&m->pb, m->off, qname, &m->off,
		    &m->r->malformed) == -1)
			return -1;
		if (!ns_pktbuf_has(&m->pb, m->off, 4)) {
			m->r->malformed = "dns: question past end of message";
			return -1;
		}
		m->off += 4;
	}
	return 0;
}

static int
dns_read_answers(struct dns_msg *m, uint16_t ancount)
{
	struct ns_dns_binding	 addrs[NS_DNS_BINDINGS_MAX];
	size_t			 naddrs = 0, i;
	uint16_t		 n;

	n = ancount;
	if (n > NS_DNS_ANSWERS_MAX) {
		m->r->answers_skipped = n - NS_DNS_ANSWERS_MAX;
		n = NS_DNS_ANSWERS_MAX;
	}
	for (; n > 0; n--)
		if (dns_read_answer(m, addrs, &naddrs) == -1)
			return -1;

	/* CNAME records may follow the address records they explain. */
	for (i = 0; i < naddrs; i++)
		dns_bind(m, addrs[i].key, dns_chain_start(m, addrs[i].name));
	return 0;
}

int
ns_dns_parse(const uint8_t *msg, size_t len, struct ns_dns_result *r)
{
	struct dns_msg	 msgstate, *m = &msgstate;
	uint16_t	 flags, qdcount, ancount;
	int		 rc = -1;

	r->nbindings = 0;
	r->answers_skipped = 0;
	r->malformed = NULL;

	ns_pktbuf_init(&m->pb, msg, len);
	m->naliases = 0;
	m->r = r;

	if (ns_pktbuf_get_be16(&m->pb, 2, &flags) == -1 ||
	    ns_pktbuf_get_be16(&m->pb, 4, &qdcount) == -1 ||
	    ns_pktbuf_get_be16(&m->pb, 6, &ancount) == -1 ||
	    !ns_pktbuf_has(&m->pb, 0, DNS_HDR_LEN)) {
		r->malformed = "dns: header past end of message";
		goto done;
	}
	if (!(flags & DNS_QR) || DNS_OPCODE(flags) != 0) {
		rc = 0;
		goto done;
	}
	m->off = DNS_HDR_LEN;
	if (dns_skip_questions(m, qdcount) == -1 ||
	    dns_read_answers(m, ancount) == -1)
		goto done;
	rc = 1;

done:
	if (rc == -1)
		r->nbindings = 0;
	return rc;
}

/*
 * Finds the DNS message of a response in the frame: the UDP payload from
 * port 53 or 5353, or over TCP from port 53 one whole message after its
 * 2-byte length (RFC 1035 4.2.2).  The decoder gives where the transport
 * payload starts; a message cut by the snapshot length is read as cut.
 */
int
ns_dns_locate(const uint8_t *pkt, size_t caplen, const struct ns_decoded *d,
    size_t *off, size_t *len)
{
	struct ns_pktbuf	 pb;
	uint16_t		 n;

	if (!d->ip_valid || !d->has_ports || d->ip_fragment ||
	    d->l4_payload_off == 0 || d->l4_payload_off > caplen)
		return -1;
	*off = d->l4_payload_off;
	*len = d->l4_payload_len;
	if (d->ip_proto == DNS_IPPROTO_UDP) {
		if (d->sport != NS_DNS_PORT && d->sport != NS_MDNS_PORT)
			return -1;
	} else if (d->ip_proto == DNS_IPPROTO_TCP && d->sport == NS_DNS_PORT) {
		ns_pktbuf_init(&pb, pkt, caplen);
		if (*len < 2 || ns_pktbuf_get_be16(&pb, *off, &n) == -1 ||
		    n > *len - 2)
			return -1;
		*off += 2;
		*len = n;
	} else
		return -1;

	if (*len > caplen - *off)
		*len = caplen - *off;
	return 0;
}

/*
 * The name cache.
 */

static uint32_t
names_hash(const struct ns_names *nc, const uint8_t *key)
{
	uint64_t	 h = nc->secret;
	size_t		 i;

	for (i = 0; i < NS_IPKEY_LEN; i++) {
		h ^= key[i];
		h *= 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
	}
	return (uint32_t)(h ^ (h >> 32));
}

struct ns_names *
ns_names_new(size_t max)
{
	struct ns_names	*nc;

	if (max == 0)
		max = 1;
	nc = calloc(1, sizeof(*nc));
	if (nc == NULL)
		return NULL;
	nc->max = max;
	for (nc->nbuckets = 16; nc->nbuckets < max; nc->nbuckets *= 2)
		;
	nc->buckets = calloc(nc->nbuckets, sizeof(*nc->buckets));
	if (nc->buckets == NULL || pthread_mutex_init(&nc->lock, NULL) != 0) {
		free(nc->buckets);
		free(nc);
		return NULL;
	}
	TAILQ_INIT(&nc->lru);
	TAILQ_INIT(&nc->unsaved);
	nc->learn_mdns = 1;
	/* A keyed hash, so spoofed answers cannot fill one chain. */
	if (getrandom(&nc->secret, sizeof(nc->secret), 0) !=
	    sizeof(nc->secret))
		nc->secret = (uint64_t)(uintptr_t)nc ^ 0x5851f42d4c957f2dULL;
	return nc;
}

void
ns_names_free(struct ns_names *nc)
{
	struct ns_name	*e;

	if (nc == NULL)
		return;
	while ((e = TAILQ_FIRST(&nc->lru)) != NULL) {
		TAILQ_REMOVE(&nc->lru, e, lru);
		free(e);
	}
	pthread_mutex_destroy(&nc->lock);
	free(nc->buckets);
	free(nc);
}

/* Returns the link that points at the entry of key, or at the NULL end. */
static struct ns_name **
names_find(struct ns_names *nc, const uint8_t *key, uint32_t h)
{
	struct ns_name	**pp;

	pp = &nc->buckets[h & (nc->nbuckets - 1)];
	for (; *pp != NULL; pp = &(*pp)->hnext)
		if ((*pp)->hash == h &&
		    memcmp((*pp)->key, key, NS_IPKEY_LEN) == 0)
			break;
	return pp;
}

static void
names_remove(struct ns_names *nc, struct ns_name *e)
{
	struct ns_name	**pp = names_find(nc, e->key, e->hash);

	*pp = e->hnext;
	TAILQ_REMOVE(&nc->lru, e, lru);
	if (e->on_unsaved)
		TAILQ_REMOVE(&nc->unsaved, e, unsaved);
	nc->count--;
	free(e);
}

static void
names_mark_unsaved(struct ns_names *nc, struct ns_name *e)
{
	if (!nc->journal || e->on_unsaved)
		return;
	TAILQ_INSERT_TAIL(&nc->unsaved, e, unsaved);
	e->on_unsaved = 1;
}

/*
 * Store the name of key as the most recent entry, replacing the entry
 * of key or, when the cache is full, the least recent one.  Returns the
 * entry, or NULL when out of memory.
 */
static struct ns_name *
names_insert(struct ns_names *nc, struct ns_name **pp, const uint8_t *key,
    uint32_t h, const char *name, size_t len)
{
	struct ns_name	*e = *pp;

	if (e != NULL)
		names_remove(nc, e);
	else if (nc->count >= nc->max)
		names_remove(nc, TAILQ_FIRST(&nc->lru));

	e = calloc(1, sizeof(*e) + len + 1);
	if (e == NULL)
		return NULL;
	memcpy(e->key, key, NS_IPKEY_LEN);
	memcpy(e->name, name, len);
	e->name[len] = '\0';
	e->hash = h;
	pp = &nc->buckets[h & (nc->nbuckets - 1)];
	e->hnext = *pp;
	*pp = e;
	TAILQ_INSERT_TAIL(&nc->lru, e, lru);
	nc->count++;
	return e;
}

int
ns_names_learn(struct ns_names *nc, const uint8_t *key, const char *name,
    uint32_t sec)
{
	struct ns_name	**pp, *e;
	uint32_t	 h = names_hash(nc, key);
	size_t		 len = strnlen(name, NS_DNS_NAME_SIZE - 1);

	pp = names_find(nc, key, h);
	e = *pp;
	if (e != NULL && strlen(e->name) == len &&
	    memcmp(e->name, name, len) == 0) {
		e->last_seen = sec;
		TAILQ_REMOVE(&nc->lru, e, lru);
		TAILQ_INSERT_TAIL(&nc->lru, e, lru);
		nc->learned++;
		if (sec > e->saved_seen &&
		    sec - e->saved_seen >= NS_NAMES_RESAVE)
			names_mark_unsaved(nc, e);
		return 0;
	}

	/* A new name for a known address replaces the entry. */
	if ((e = names_insert(nc, pp, key, h, name, len)) == NULL)
		return -1;
	e->last_seen = sec;
	nc->learned++;
	names_mark_unsaved(nc, e);
	return 0;
}

int
ns_names_restore(struct ns_names *nc, const uint8_t *key, const char *name,
    uint32_t sec)
{
	struct ns_name	*e;
	uint32_t	 h = names_hash(nc, key);
	size_t		 len = strnlen(name, NS_DNS_NAME_SIZE - 1);

	e = names_insert(nc, names_find(nc, key, h), key, h, name, len);
	if (e == NULL)
		return -1;
	e->last_seen = e->saved_seen = sec;
	return 0;
}

size_t
ns_names_collect(struct ns_names *nc, struct ns_name_record *recs,
    size_t max)
{
	struct ns_name	*e;
	size_t		 n = 0;

	pthread_mutex_lock(&nc->lock);
	while (n < max && (e = TAILQ_FIRST(&nc->unsaved)) != NULL) {
		TAILQ_REMOVE(&nc->unsaved, e, unsaved);
		e->on_unsaved = 0;
		e->saved_seen = e->last_seen;
		memcpy(recs[n].key, e->key, NS_IPKEY_LEN);
		recs[n].last_seen = e->last_seen;
		dns_name_copy(recs[n].name, e->name);
		n++;
	}
	pthread_mutex_unlock(&nc->lock);
	return n;
}

size_t
ns_names_lookup(struct ns_names *nc, const uint8_t *key, char *buf)
{
	struct ns_name	*e;
	size_t		 len = 0;

	pthread_mutex_lock(&nc->lock);
	e = *names_find(nc, key, names_hash(nc, key));
	if (e != NULL)
		len = dns_name_copy(buf, e->name);
	pthread_mutex_unlock(&nc->lock);
	if (e == NULL)
		buf[0] = '\0';
	return len;
}

void
ns_names_frame(struct ns_names *nc, const uint8_t *pkt, size_t caplen,
    const struct ns_decoded *d, uint32_t sec)
{
	struct ns_dns_result	 r;
	size_t			 off, len, i;
	int			 rc;

	if (nc == NULL || ns_dns_locate(pkt, caplen, d, &off, &len) == -1)
		return;
	if (!nc->learn_mdns && d->sport == NS_MDNS_PORT)
		return;
	rc = ns_dns_parse(pkt + off, len, &r);
	if (rc == 0)
		return;

	pthread_mutex_lock(&nc->lock);
	nc->responses++;
	if (rc == -1)
		nc->malformed++;
	for (i = 0; i < r.nbindings; i++)
		ns_names_learn(nc, r.bindings[i].key, r.bindings[i].name, sec);
	pthread_mutex_unlock(&nc->lock);
}
