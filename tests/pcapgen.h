/* netsentry tests: frames built in memory for the decoder tests. */
#ifndef NS_PCAPGEN_H
#define NS_PCAPGEN_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * A frame under construction.  Each pg_ function appends one header and
 * returns its offset, so that a pg_*_end() function can fill in a length
 * once the rest of the frame is built.  Building past PG_FRAME_MAX aborts
 * the test.  Addresses are byte arrays in network order.
 */
#define PG_FRAME_MAX	4096

struct pg_frame {
	uint8_t	buf[PG_FRAME_MAX];
	size_t	len;
};

static const uint8_t PG_MAC_DST[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };
static const uint8_t PG_MAC_SRC[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };

static inline void
pg_init(struct pg_frame *f)
{
	memset(f, 0, sizeof(*f));
}

static inline size_t
pg_put(struct pg_frame *f, const void *p, size_t n)
{
	size_t	off = f->len;

	if (n > PG_FRAME_MAX - f->len)
		abort();
	memcpy(f->buf + off, p, n);
	f->len += n;
	return off;
}

static inline size_t
pg_zero(struct pg_frame *f, size_t n)
{
	size_t	off = f->len;

	if (n > PG_FRAME_MAX - f->len)
		abort();
	memset(f->buf + off, 0, n);
	f->len += n;
	return off;
}

static inline void
pg_set_be16(struct pg_frame *f, size_t off, uint16_t v)
{
	f->buf[off] = v >> 8;
	f->buf[off + 1] = v & 0xff;
}

static inline void
pg_set_be32(struct pg_frame *f, size_t off, uint32_t v)
{
	pg_set_be16(f, off, v >> 16);
	pg_set_be16(f, off + 2, v & 0xffff);
}

static inline size_t
pg_u8(struct pg_frame *f, uint8_t v)
{
	return pg_put(f, &v, 1);
}

static inline size_t
pg_be16(struct pg_frame *f, uint16_t v)
{
	size_t	off = pg_zero(f, 2);

	pg_set_be16(f, off, v);
	return off;
}

static inline size_t
pg_be32(struct pg_frame *f, uint32_t v)
{
	size_t	off = pg_zero(f, 4);

	pg_set_be32(f, off, v);
	return off;
}

/* Appends a 32-bit value in host byte order, as DLT_NULL stores it. */
static inline size_t
pg_h32(struct pg_frame *f, uint32_t v)
{
	return pg_put(f, &v, sizeof(v));
}

/* Link layers. */

static inline size_t
pg_ether(struct pg_frame *f, uint16_t type)
{
	size_t	off = pg_put(f, PG_MAC_DST, 6);

	pg_put(f, PG_MAC_SRC, 6);
	pg_be16(f, type);
	return off;
}

/* Appends the TCI of a VLAN tag and the EtherType that follows it. */
static inline size_t
pg_vlan(struct pg_frame *f, uint16_t vid, uint16_t type)
{
	size_t	off = pg_be16(f, vid & 0x0fff);

	pg_be16(f, type);
	return off;
}

/* Linux cooked capture v1, packet type 4 (sent by this host). */
static inline size_t
pg_sll(struct pg_frame *f, uint16_t hatype, uint16_t proto)
{
	size_t	off = pg_be16(f, 4);

	pg_be16(f, hatype);
	pg_be16(f, 6);
	pg_put(f, PG_MAC_SRC, 6);
	pg_zero(f, 2);
	pg_be16(f, proto);
	return off;
}

static inline size_t
pg_sll2(struct pg_frame *f, uint16_t hatype, uint16_t proto)
{
	size_t	off = pg_be16(f, proto);

	pg_zero(f, 2);
	pg_be32(f, 1);			/* interface index */
	pg_be16(f, hatype);
	pg_u8(f, 0);			/* packet type: to us */
	pg_u8(f, 6);
	pg_put(f, PG_MAC_SRC, 6);
	pg_zero(f, 2);
	return off;
}

/*
 * Appends radiotap with TSFT and Flags, an 802.11 QoS data header with
 * frame control fc, and an RFC 1042 LLC/SNAP header carrying type.
 */
#define PG_RT_FLAGS_FCS		0x10
#define PG_RT_FLAGS_DATAPAD	0x20

static inline size_t
pg_radiotap_qos_data(struct pg_frame *f, uint8_t rtflags, uint16_t fc,
    uint16_t type)
{
	static const uint8_t	snap[6] = { 0xaa, 0xaa, 0x03, 0, 0, 0 };
	size_t			off = pg_u8(f, 0);

	pg_u8(f, 0);
	pg_u8(f, 17);			/* it_len, little-endian */
	pg_u8(f, 0);
	pg_u8(f, 0x03);			/* present: TSFT, Flags */
	pg_zero(f, 3);
	pg_zero(f, 8);			/* TSFT */
	pg_u8(f, rtflags);

	pg_u8(f, fc & 0xff);		/* frame control, little-endian */
	pg_u8(f, fc >> 8);
	pg_zero(f, 2);			/* duration */
	pg_put(f, PG_MAC_DST, 6);
	pg_put(f, PG_MAC_SRC, 6);
	pg_put(f, PG_MAC_DST, 6);
	pg_zero(f, 2);			/* sequence control */
	pg_zero(f, 2);			/* QoS control */
	if (rtflags & PG_RT_FLAGS_DATAPAD)
		pg_zero(f, 2);
	pg_put(f, snap, sizeof(snap));
	pg_be16(f, type);
	return off;
}

/*
 * Appends an NFLOG header, a prefix TLV and the start of an NFULA_PAYLOAD
 * TLV.  pg_nflog_end() sets the payload TLV length.
 */
static inline size_t
pg_nflog(struct pg_frame *f, uint8_t family)
{
	uint16_t	h16;
	size_t		tlv;

	pg_u8(f, family);
	pg_u8(f, 0);
	pg_be16(f, 0);			/* resource id */

	h16 = 7;			/* NFULA_PREFIX "pg\0", padded */
	pg_put(f, &h16, 2);
	h16 = 10;
	pg_put(f, &h16, 2);
	pg_put(f, "pg", 3);
	pg_zero(f, 1);

	tlv = pg_zero(f, 2);
	h16 = 9;			/* NFULA_PAYLOAD */
	pg_put(f, &h16, 2);
	return tlv;
}

static inline void
pg_nflog_end(struct pg_frame *f, size_t tlv)
{
	uint16_t	h16 = (uint16_t)(f->len - tlv);

	memcpy(f->buf + tlv, &h16, 2);
}

/* Encapsulations. */

static inline size_t
pg_mpls(struct pg_frame *f, uint32_t label, int bottom)
{
	return pg_be32(f, label << 12 | (bottom ? 0x100 : 0) | 64);
}

static inline size_t
pg_pppoe(struct pg_frame *f, uint16_t ppp_proto)
{
	size_t	off = pg_u8(f, 0x11);

	pg_u8(f, 0);			/* code: session data */
	pg_be16(f, 0x0001);		/* session id */
	pg_be16(f, 0);			/* length, set by pg_pppoe_end() */
	pg_be16(f, ppp_proto);
	return off;
}

static inline void
pg_pppoe_end(struct pg_frame *f, size_t off)
{
	pg_set_be16(f, off + 4, (uint16_t)(f->len - off - 6));
}

static inline size_t
pg_arp(struct pg_frame *f, uint16_t op, const uint8_t sha[6],
    const uint8_t spa[4], const uint8_t tha[6], const uint8_t tpa[4])
{
	size_t	off = pg_be16(f, 1);

	pg_be16(f, 0x0800);
	pg_u8(f, 6);
	pg_u8(f, 4);
	pg_be16(f, op);
	pg_put(f, sha, 6);
	pg_put(f, spa, 4);
	pg_put(f, tha, 6);
	pg_put(f, tpa, 4);
	return off;
}

/* IPv4 and IPv6. */

/* IPv4 header with optlen bytes of NOP options (a multiple of 4). */
static inline size_t
pg_ipv4(struct pg_frame *f, uint8_t proto, const uint8_t src[4],
    const uint8_t dst[4], size_t optlen)
{
	size_t	off = pg_u8(f, 0x40 | (uint8_t)((20 + optlen) / 4));

	pg_u8(f, 0);
	pg_be16(f, 0);			/* total length: pg_ipv4_end() */
	pg_be16(f, 0x1234);		/* identification */
	pg_be16(f, 0);			/* flags, fragment offset */
	pg_u8(f, 64);
	pg_u8(f, proto);
	pg_be16(f, 0);			/* checksum: pg_ipv4_end() */
	pg_put(f, src, 4);
	pg_put(f, dst, 4);
	memset(f->buf + pg_zero(f, optlen), 0x01, optlen);
	return off;
}

/* Sets the fragment fields.  frag_offset is in bytes, a multiple of 8. */
static inline void
pg_ipv4_frag(struct pg_frame *f, size_t off, uint32_t frag_offset,
    int more)
{
	pg_set_be16(f, off + 6,
	    (uint16_t)((more ? 0x2000 : 0) | (frag_offset / 8)));
}

static inline void
pg_ipv4_end(struct pg_frame *f, size_t off)
{
	size_t		hlen = (size_t)(f->buf[off] & 0x0f) * 4, i;
	uint32_t	sum = 0;

	pg_set_be16(f, off + 2, (uint16_t)(f->len - off));
	pg_set_be16(f, off + 10, 0);
	for (i = 0; i < hlen; i += 2)
		sum += (uint32_t)f->buf[off + i] << 8 | f->buf[off + i + 1];
	while (sum > 0xffff)
		sum = (sum & 0xffff) + (sum >> 16);
	pg_set_be16(f, off + 10, (uint16_t)~sum);
}

static inline size_t
pg_ipv6(struct pg_frame *f, uint8_t next, const uint8_t src[16],
    const uint8_t dst[16])
{
	size_t	off = pg_be32(f, 0x60000000);

	pg_be16(f, 0);			/* payload length: pg_ipv6_end() */
	pg_u8(f, next);
	pg_u8(f, 64);
	pg_put(f, src, 16);
	pg_put(f, dst, 16);
	return off;
}

static inline void
pg_ipv6_end(struct pg_frame *f, size_t off)
{
	pg_set_be16(f, off + 4, (uint16_t)(f->len - off - 40));
}

/*
 * Extension header of (len8 + 1) * 8 bytes, zero-filled: Pad1 options for
 * Hop-by-Hop and Destination Options, routing type 0 with no segments
 * left for Routing.
 */
static inline size_t
pg_ipv6_ext(struct pg_frame *f, uint8_t next, uint8_t len8)
{
	size_t	off = pg_u8(f, next);

	pg_u8(f, len8);
	pg_zero(f, (size_t)len8 * 8 + 6);
	return off;
}

static inline size_t
pg_ipv6_frag(struct pg_frame *f, uint8_t next, uint32_t frag_offset,
    int more, uint32_t id)
{
	size_t	off = pg_u8(f, next);

	pg_u8(f, 0);
	pg_be16(f, (uint16_t)((frag_offset & 0xfff8) | (more ? 1 : 0)));
	pg_be32(f, id);
	return off;
}

/* Authentication Header of (len4 + 2) * 4 bytes (RFC 4302). */
static inline size_t
pg_ipv6_ah(struct pg_frame *f, uint8_t next, uint8_t len4)
{
	size_t	off = pg_u8(f, next);

	pg_u8(f, len4);
	pg_zero(f, 2);
	pg_be32(f, 0x100);		/* SPI */
	pg_be32(f, 1);			/* sequence number */
	pg_zero(f, ((size_t)len4 + 2) * 4 - 12);
	return off;
}

/* Transport layer. */

/* TCP header with optlen bytes of NOP options (a multiple of 4). */
static inline size_t
pg_tcp(struct pg_frame *f, uint16_t sport, uint16_t dport, uint8_t flags,
    uint32_t seq, uint32_t ack, size_t optlen)
{
	size_t	off = pg_be16(f, sport);

	pg_be16(f, dport);
	pg_be32(f, seq);
	pg_be32(f, ack);
	pg_u8(f, (uint8_t)((20 + optlen) / 4) << 4);
	pg_u8(f, flags);
	pg_be16(f, 65535);		/* window */
	pg_zero(f, 4);			/* checksum, urgent pointer */
	memset(f->buf + pg_zero(f, optlen), 0x01, optlen);
	return off;
}

static inline size_t
pg_udp(struct pg_frame *f, uint16_t sport, uint16_t dport)
{
	size_t	off = pg_be16(f, sport);

	pg_be16(f, dport);
	pg_be16(f, 8);			/* length: pg_udp_end() */
	pg_be16(f, 0);
	return off;
}

static inline void
pg_udp_end(struct pg_frame *f, size_t off)
{
	pg_set_be16(f, off + 4, (uint16_t)(f->len - off));
}

/* Appends an ICMP or ICMPv6 header: type, code, checksum, 4 zero bytes. */
static inline size_t
pg_icmp(struct pg_frame *f, uint8_t type, uint8_t code)
{
	size_t	off = pg_u8(f, type);

	pg_u8(f, code);
	pg_zero(f, 6);
	return off;
}

#endif /* NS_PCAPGEN_H */
