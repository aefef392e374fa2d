/*
 * netsentry: packet decoder from link layer to transport header.
 *
 * The decoder reads the link-layer headers of the libpcap link types in
 * ns_decode_supported(), then Ethernet II with any stack of IEEE 802.1Q
 * and 802.1ad tags, MPLS label stacks (RFC 3032) and PPPoE sessions
 * (RFC 2516).  Below them it reads ARP (RFC 826), IPv4 (RFC 791), IPv6
 * and its extension headers (RFC 8200, with AH from RFC 4302), TCP
 * (RFC 9293), UDP (RFC 768), ICMP (RFC 792) and ICMPv6 (RFC 4443).
 *
 * Each layer calls dec_need() before it reads a header.  dec_need()
 * distinguishes a header cut off by the snapshot length (snap_truncated,
 * not an error) from a header that the frame itself lacks (malformed).
 * Packet bytes are read only through the ns_pktbuf accessors.
 */

#include <pcap/dlt.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "pktbuf.h"

/* Link types that older <pcap/dlt.h> files lack. */
#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2		276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4		228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6		229
#endif
#ifndef DLT_NFLOG
#define DLT_NFLOG		239
#endif

/*
 * Raw IP has three values.  DLT_RAW is 12 on Linux and most systems and
 * 14 on OpenBSD.  A savefile stores LINKTYPE_RAW (101), which libpcap
 * normally maps to DLT_RAW when it opens the file.
 */
#define DEC_DLT_RAW_12		12
#define DEC_DLT_RAW_14		14
#define DEC_LINKTYPE_RAW	101

#define DEC_ETHERTYPE_IPV4	0x0800
#define DEC_ETHERTYPE_ARP	0x0806
#define DEC_ETHERTYPE_8021Q	0x8100
#define DEC_ETHERTYPE_IPV6	0x86dd
#define DEC_ETHERTYPE_MPLS	0x8847
#define DEC_ETHERTYPE_MPLS_MC	0x8848
#define DEC_ETHERTYPE_PPPOE	0x8864
#define DEC_ETHERTYPE_8021AD	0x88a8
#define DEC_ETHERTYPE_QINQ_OLD	0x9100	/* pre-802.1ad provider tag */

#define DEC_PPP_IPV4		0x0021
#define DEC_PPP_IPV6		0x0057

#define DEC_IPPROTO_HOPOPTS	0
#define DEC_IPPROTO_ICMP	1
#define DEC_IPPROTO_TCP		6
#define DEC_IPPROTO_UDP		17
#define DEC_IPPROTO_ROUTING	43
#define DEC_IPPROTO_FRAGMENT	44
#define DEC_IPPROTO_AH		51
#define DEC_IPPROTO_ICMPV6	58
#define DEC_IPPROTO_DSTOPTS	60
#define DEC_IPPROTO_MOBILITY	135
#define DEC_IPPROTO_HIP		139
#define DEC_IPPROTO_SHIM6	140

/*
 * Loop limits.  Every loop below is also bounded by the bytes of the frame,
 * so a count limit only stops a frame built to waste decoding time.  A
 * frame over a limit is reported malformed.  Provider networks usually
 * stack 2 VLAN tags and MPLS networks a few labels, so the limits leave
 * room.  A real capture has a chain of 100 IPv6 extension headers, which
 * must stay valid.
 */
#define DEC_VLAN_MAX		8
#define DEC_MPLS_MAX		16
#define DEC_IPV6_EXT_MAX	256
#define DEC_NFLOG_TLV_MAX	64
#define DEC_RADIOTAP_WORDS_MAX	16

#define DEC_STR(x)		DEC_STR2(x)
#define DEC_STR2(x)		#x

/*
 * A frame carrying more than this many bytes from its IPv4 or IPv6 header
 * on cannot state its length in the 16-bit length field.
 */
#define DEC_IP_LEN_MAX		0xffff

/* Decoding state of one frame. */
struct dec {
	struct ns_pktbuf	 pb;
	size_t			 wirelen;
	struct ns_decoded	*d;
	int			 fault;	/* an accessor rejected a read */
};

static int	dec_ethertype(struct dec *, uint16_t, size_t, size_t);
static int	dec_ipv4(struct dec *, size_t, size_t);
static int	dec_ipv6(struct dec *, size_t, size_t);

/* Marks the frame malformed.  msg must be a string constant. */
static int
dec_invalid(struct dec *x, const char *msg)
{
	x->d->malformed = msg;
	return -1;
}

/*
 * Checks that len bytes at off lie before end, the end of the enclosing
 * header's data as the frame states it, and that they were captured.
 * Returns 0 when the bytes can be read.  Returns -1 to stop decoding:
 * with malformed set when the frame lacks the bytes, or with
 * snap_truncated set when only the snapshot length cut them off.
 */
static int
dec_need(struct dec *x, size_t off, size_t len, size_t end, const char *msg)
{
	if (len > end || off > end - len)
		return dec_invalid(x, msg);
	if (!ns_pktbuf_has(&x->pb, off, len)) {
		x->d->snap_truncated = 1;
		return -1;
	}
	return 0;
}

/*
 * Records a read that an accessor rejected, which means that a dec_need()
 * call is missing.  ns_decode() reports the frame as malformed.  A fuzzing
 * build aborts instead, so that the fuzzer keeps the input.
 */
static void
dec_fault(struct dec *x)
{
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
	abort();
#endif
	x->fault = 1;
}

/* Readers of bytes that dec_need() has checked, returning 0 on a fault. */
static uint8_t
dec_u8(struct dec *x, size_t off)
{
	uint8_t	v;

	if (ns_pktbuf_get_u8(&x->pb, off, &v) == -1) {
		dec_fault(x);
		return 0;
	}
	return v;
}

static uint16_t
dec_be16(struct dec *x, size_t off)
{
	uint16_t	v;

	if (ns_pktbuf_get_be16(&x->pb, off, &v) == -1) {
		dec_fault(x);
		return 0;
	}
	return v;
}

static uint32_t
dec_be32(struct dec *x, size_t off)
{
	uint32_t	v;

	if (ns_pktbuf_get_be32(&x->pb, off, &v) == -1) {
		dec_fault(x);
		return 0;
	}
	return v;
}

static uint16_t
dec_le16(struct dec *x, size_t off)
{
	uint16_t	v;

	if (ns_pktbuf_get_le16(&x->pb, off, &v) == -1) {
		dec_fault(x);
		return 0;
	}
	return v;
}

static uint32_t
dec_le32(struct dec *x, size_t off)
{
	uint32_t	v;

	if (ns_pktbuf_get_le32(&x->pb, off, &v) == -1) {
		dec_fault(x);
		return 0;
	}
	return v;
}

static uint16_t
dec_h16(struct dec *x, size_t off)
{
	uint16_t	v;

	if (ns_pktbuf_get_h16(&x->pb, off, &v) == -1) {
		dec_fault(x);
		return 0;
	}
	return v;
}

static void
dec_copy(struct dec *x, size_t off, void *dst, size_t len)
{
	if (ns_pktbuf_get_bytes(&x->pb, off, dst, len) == -1) {
		dec_fault(x);
		memset(dst, 0, len);
	}
}

static uint32_t
dec_clamp32(size_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/*
 * Transport layer.  off is the first byte after the network headers and
 * end the end of the IP payload.
 */

/*
 * In a first fragment (more-fragments set) end is the end of the fragment,
 * while the TCP data offset and the UDP length describe the whole datagram,
 * so they are not compared with end.  The fixed part of the header must
 * still be in the first fragment.  RFC 1858 describes the attack that
 * splits it, and RFC 7112 requires the whole IPv6 header chain in the
 * first fragment.
 */
static int
dec_tcp(struct dec *x, size_t off, size_t end)
{
	struct ns_decoded	*d = x->d;
	size_t			 hlen;

	if (dec_need(x, off, 20, end, "tcp: header past end of IP payload"))
		return -1;

	hlen = (size_t)(dec_u8(x, off + 12) >> 4) * 4;
	if (hlen < 20)
		return dec_invalid(x, "tcp: data offset < 5");
	if (hlen > end - off && !d->frag_more)
		return dec_invalid(x,
		    "tcp: data offset past end of IP payload");

	d->has_ports = 1;
	d->sport = dec_be16(x, off);
	d->dport = dec_be16(x, off + 2);
	d->tcp_seq = dec_be32(x, off + 4);
	d->tcp_ack = dec_be32(x, off + 8);
	d->tcp_flags = dec_u8(x, off + 13);

	/* In a first fragment the options may continue in the next one. */
	if (hlen > end - off)
		return 0;
	d->tcp_payload = dec_clamp32(end - off - hlen);
	d->l4_payload_off = off + hlen;
	d->l4_payload_len = end - off - hlen;

	/* The options are part of the header, so a snapshot cut is flagged. */
	return dec_need(x, off, hlen, end,
	    "tcp: options past end of IP payload");
}

static int
dec_udp(struct dec *x, size_t off, size_t end)
{
	struct ns_decoded	*d = x->d;
	size_t			 ulen;

	if (dec_need(x, off, 8, end, "udp: header past end of IP payload"))
		return -1;

	/*
	 * Length 0 is allowed only in an IPv6 jumbogram (RFC 2675), where
	 * the payload does not fit the field.
	 */
	ulen = dec_be16(x, off + 4);
	if (ulen == 0 && d->ip_version == 6 && end - off > DEC_IP_LEN_MAX)
		ulen = end - off;
	if (ulen < 8)
		return dec_invalid(x, "udp: length < 8");
	if (ulen > end - off && !d->frag_more)
		return dec_invalid(x, "udp: length greater than IP payload");

	d->has_ports = 1;
	d->sport = dec_be16(x, off);
	d->dport = dec_be16(x, off + 2);
	d->l4_payload_off = off + 8;
	d->l4_payload_len = ulen > end - off ? end - off - 8 : ulen - 8;
	return 0;
}

/* ICMP (RFC 792) and ICMPv6 (RFC 4443) messages that quote a packet. */
static int
dec_icmp_is_error(int version, uint8_t type)
{
	if (version == 4)
		return type == 3 || type == 4 || type == 5 || type == 11 ||
		    type == 12;
	return type >= 1 && type <= 4;
}

/*
 * Reads the quoted IP header at off and the 4 bytes after it.  A quote
 * that was not captured in full, or whose header is not plain IPv4 or
 * IPv6 of the outer version, is skipped.  An error message may quote
 * little, so a short quote is not a fault of the frame.
 */
static void
dec_icmp_inner(struct dec *x, size_t off, size_t end)
{
	struct ns_decoded	*d = x->d;
	size_t			 hlen;
	uint8_t			 vihl;

	if (off >= end || ns_pktbuf_get_u8(&x->pb, off, &vihl) == -1)
		return;
	if (d->ip_version == 4) {
		hlen = (size_t)(vihl & 0x0f) * 4;
		if (vihl >> 4 != 4 || hlen < 20)
			return;
	} else {
		hlen = 40;
		if (vihl >> 4 != 6)
			return;
	}
	if (hlen + 4 > end - off || !ns_pktbuf_has(&x->pb, off, hlen + 4))
		return;

	d->inner_proto = dec_u8(x, off + (d->ip_version == 4 ? 9 : 6));
	if (d->ip_version == 4) {
		dec_copy(x, off + 12, d->inner_src, 4);
		dec_copy(x, off + 16, d->inner_dst, 4);
	} else {
		dec_copy(x, off + 8, d->inner_src, 16);
		dec_copy(x, off + 24, d->inner_dst, 16);
	}
	if (d->inner_proto == DEC_IPPROTO_TCP ||
	    d->inner_proto == DEC_IPPROTO_UDP) {
		d->inner_sport = dec_be16(x, off + hlen);
		d->inner_dport = dec_be16(x, off + hlen + 2);
	}
	d->has_inner = 1;
}

/*
 * Reads the type and code of an ICMP or ICMPv6 message, and for an error
 * message the header it quotes.  The quoted addresses go to the inner_
 * fields only, so they never reach the counted addresses.
 */
static int
dec_icmp(struct dec *x, size_t off, size_t end, size_t hlen, const char *msg)
{
	struct ns_decoded	*d = x->d;

	if (dec_need(x, off, hlen, end, msg))
		return -1;

	d->has_icmp = 1;
	d->icmp_type = dec_u8(x, off);
	d->icmp_code = dec_u8(x, off + 1);

	/* Both message formats put the quote after 8 header bytes. */
	if (dec_icmp_is_error(d->ip_version, d->icmp_type) &&
	    !d->ip_fragment && end - off > 8)
		dec_icmp_inner(x, off + 8, end);
	return 0;
}

static int
dec_transport(struct dec *x, uint8_t proto, size_t off, size_t end)
{
	switch (proto) {
	case DEC_IPPROTO_TCP:
		return dec_tcp(x, off, end);
	case DEC_IPPROTO_UDP:
		return dec_udp(x, off, end);
	case DEC_IPPROTO_ICMP:
		/* Every ICMP message starts with 8 header bytes. */
		if (x->d->ip_version != 4)
			return 0;
		return dec_icmp(x, off, end, 8,
		    "icmp: header past end of IP payload");
	case DEC_IPPROTO_ICMPV6:
		/* RFC 4443 2.1: type, code and checksum. */
		if (x->d->ip_version != 6)
			return 0;
		return dec_icmp(x, off, end, 4,
		    "icmpv6: header past end of IP payload");
	default:
		return 0;
	}
}

/*
 * Network layer.  off is the first byte of the header and end the end of
 * the bytes that the frame carries for it on the wire.
 */

/*
 * Returns the length of the IP packet.  stated is the IPv4 total length,
 * or the IPv6 payload length plus base (0 for IPv4, 40 for IPv6), and
 * carried counts the bytes from the IP header to the end of the frame.
 *
 * A length field of 0 with more than 65535 bytes carried after base gives
 * carried.  Linux IPv4 BIG TCP sends such packets with total length 0
 * (Linux commit b1a78b9b9886, "net: add support for ipv4 big tcp"), and an
 * IPv6 jumbogram (RFC 2675) has payload length 0.  Both are valid.
 */
static size_t
dec_ip_len(size_t stated, size_t base, size_t carried)
{
	if (stated == base && carried - base > DEC_IP_LEN_MAX)
		return carried;
	return stated;
}

static void
dec_ipv4_frag(struct dec *x, size_t off)
{
	struct ns_decoded	*d = x->d;
	uint16_t		 frag;

	frag = dec_be16(x, off + 6);
	d->frag_id = dec_be16(x, off + 4);
	d->frag_more = (frag & 0x2000) != 0;
	d->frag_offset = (uint32_t)(frag & 0x1fff) * 8;
	d->ip_fragment = d->frag_more || d->frag_offset != 0;
}

static int
dec_ipv4(struct dec *x, size_t off, size_t end)
{
	struct ns_decoded	*d = x->d;
	size_t			 hlen, totlen, iplen;
	uint8_t			 vihl;

	d->l3 = NS_L3_IPV4;
	d->ip_version = 4;
	if (dec_need(x, off, 1, end, "ipv4: header past end of frame"))
		return -1;

	vihl = dec_u8(x, off);
	if (vihl >> 4 != 4)
		return dec_invalid(x, "ipv4: version not 4");
	hlen = (size_t)(vihl & 0x0f) * 4;
	if (hlen < 20)
		return dec_invalid(x, "ipv4: header length < 20");
	if (dec_need(x, off, hlen, end, "ipv4: header past end of frame"))
		return -1;

	/*
	 * tcpdump 4.99 prints a total length greater than the frame as
	 * truncated-ip, and Wireshark 4.0 flags it.  It is invalid here, and
	 * ip_valid stays 0 so that the addresses are not counted.
	 */
	totlen = dec_be16(x, off + 2);
	if (totlen > end - off)
		return dec_invalid(x, "ipv4: total length greater than frame");
	iplen = dec_ip_len(totlen, 0, end - off);
	if (iplen < hlen)
		return dec_invalid(x, "ipv4: total length < header length");

	d->ip_valid = 1;
	d->ip_len = dec_clamp32(iplen);
	d->ip_options = hlen > 20;
	d->ip_ttl = dec_u8(x, off + 8);
	d->ip_proto = dec_u8(x, off + 9);
	dec_copy(x, off + 12, d->ip_src, 4);
	dec_copy(x, off + 16, d->ip_dst, 4);
	dec_ipv4_frag(x, off);
	d->frag_len = dec_clamp32(iplen - hlen);

	/* Only the first fragment carries the transport header. */
	if (d->frag_offset != 0)
		return 0;
	return dec_transport(x, d->ip_proto, off + hlen, off + iplen);
}

static int
dec_ipv6_is_ext(uint8_t nh)
{
	switch (nh) {
	case DEC_IPPROTO_HOPOPTS:
	case DEC_IPPROTO_ROUTING:
	case DEC_IPPROTO_FRAGMENT:
	case DEC_IPPROTO_AH:
	case DEC_IPPROTO_DSTOPTS:
	case DEC_IPPROTO_MOBILITY:
	case DEC_IPPROTO_HIP:
	case DEC_IPPROTO_SHIM6:
		return 1;
	default:
		return 0;
	}
}

/*
 * Records an IPv6 Fragment header.  A header with offset 0 and M clear
 * marks an atomic fragment (RFC 6946), which is a whole packet, so
 * ip_fragment stays 0.
 */
static void
dec_ipv6_frag(struct dec *x, size_t off)
{
	struct ns_decoded	*d = x->d;
	uint16_t		 frag;

	frag = dec_be16(x, off + 2);
	d->frag_offset = frag & 0xfff8;
	d->frag_more = (frag & 0x0001) != 0;
	d->frag_id = dec_be32(x, off + 4);
	d->ip_fragment = d->frag_more || d->frag_offset != 0;
}

/*
 * Walks the extension header chain from next header nh at off to the
 * upper-layer header and decodes that header.  The payload ends at end.
 */
static int
dec_ipv6_ext(struct dec *x, uint8_t nh, size_t off, size_t end)
{
	struct ns_decoded	*d = x->d;
	unsigned		 count;
	size_t			 hlen;
	uint8_t			 next;

	for (count = 0; dec_ipv6_is_ext(nh); count++) {
		if (count == DEC_IPV6_EXT_MAX)
			return dec_invalid(x, "ipv6: more than "
			    DEC_STR(DEC_IPV6_EXT_MAX) " extension headers");
		if (dec_need(x, off, 2, end,
		    "ipv6: extension header past end of payload"))
			return -1;

		next = dec_u8(x, off);
		if (nh == DEC_IPPROTO_FRAGMENT)
			hlen = 8;
		else if (nh == DEC_IPPROTO_AH)
			hlen = ((size_t)dec_u8(x, off + 1) + 2) * 4;
		else
			hlen = ((size_t)dec_u8(x, off + 1) + 1) * 8;
		if (dec_need(x, off, hlen, end,
		    "ipv6: extension header past end of payload"))
			return -1;

		/*
		 * After the Fragment header of a later fragment come
		 * fragment data, not headers.
		 */
		if (nh == DEC_IPPROTO_FRAGMENT) {
			dec_ipv6_frag(x, off);
			d->frag_len = dec_clamp32(end - off - hlen);
			if (d->frag_offset != 0) {
				d->ip_proto = next;
				return 0;
			}
		}
		nh = next;
		off += hlen;
		d->ip_proto = nh;
	}
	return dec_transport(x, nh, off, end);
}

static int
dec_ipv6(struct dec *x, size_t off, size_t end)
{
	struct ns_decoded	*d = x->d;
	size_t			 plen, iplen;

	d->l3 = NS_L3_IPV6;
	d->ip_version = 6;
	if (dec_need(x, off, 1, end, "ipv6: header past end of frame"))
		return -1;
	if (dec_u8(x, off) >> 4 != 6)
		return dec_invalid(x, "ipv6: version not 6");
	if (dec_need(x, off, 40, end, "ipv6: header past end of frame"))
		return -1;

	/* As for IPv4, a payload past the frame leaves ip_valid at 0. */
	plen = dec_be16(x, off + 4);
	if (plen > end - off - 40)
		return dec_invalid(x,
		    "ipv6: payload length greater than frame");
	iplen = dec_ip_len(plen + 40, 40, end - off);

	d->ip_valid = 1;
	d->ip_len = dec_clamp32(iplen);
	d->ip_proto = dec_u8(x, off + 6);
	d->ip_ttl = dec_u8(x, off + 7);
	dec_copy(x, off + 8, d->ip_src, 16);
	dec_copy(x, off + 24, d->ip_dst, 16);
	return dec_ipv6_ext(x, d->ip_proto, off + 40, off + iplen);
}

/*
 * Decodes ARP for Ethernet and IPv4 (htype 1, ptype 0x0800, hlen 6,
 * plen 4).  Other ARP packets leave l3 at NS_L3_NONE.
 */
static int
dec_arp(struct dec *x, size_t off, size_t end)
{
	struct ns_decoded	*d = x->d;

	if (dec_need(x, off, 8, end, "arp: header past end of frame"))
		return -1;
	if (dec_be16(x, off) != 1 || dec_be16(x, off + 2) != 0x0800 ||
	    dec_u8(x, off + 4) != NS_MAC_LEN || dec_u8(x, off + 5) != 4)
		return 0;
	if (dec_need(x, off, 28, end, "arp: addresses past end of frame"))
		return -1;

	d->l3 = NS_L3_ARP;
	d->arp_op = dec_be16(x, off + 6);
	dec_copy(x, off + 8, d->arp_sha, NS_MAC_LEN);
	dec_copy(x, off + 14, d->arp_spa, 4);
	dec_copy(x, off + 18, d->arp_tha, NS_MAC_LEN);
	dec_copy(x, off + 24, d->arp_tpa, 4);
	return 0;
}

/*
 * Encapsulations carried by an EtherType.
 */

/*
 * Pops an MPLS label stack to the entry with the bottom-of-stack bit.
 * RFC 3032 leaves the payload type to the label, so the version nibble
 * selects IPv4 or IPv6.  Any other payload, such as a pseudowire control
 * word, leaves l3 at NS_L3_NONE.
 */
static int
dec_mpls(struct dec *x, size_t off, size_t end)
{
	struct ns_decoded	*d = x->d;
	uint32_t		 entry;
	uint8_t			 version;

	do {
		if (d->mpls_labels == DEC_MPLS_MAX)
			return dec_invalid(x, "mpls: more than "
			    DEC_STR(DEC_MPLS_MAX) " labels");
		if (dec_need(x, off, 4, end, "mpls: label past end of frame"))
			return -1;
		entry = dec_be32(x, off);
		off += 4;
		d->mpls_labels++;
	} while ((entry & 0x100) == 0);

	if (dec_need(x, off, 1, end, "mpls: payload past end of frame"))
		return -1;
	version = dec_u8(x, off) >> 4;
	if (version == 4)
		return dec_ipv4(x, off, end);
	if (version == 6)
		return dec_ipv6(x, off, end);
	return 0;
}

/* Decodes a PPPoE session header (RFC 2516) and its PPP protocol. */
static int
dec_pppoe(struct dec *x, size_t off, size_t end)
{
	size_t		 len;
	uint16_t	 proto;

	if (dec_need(x, off, 6, end, "pppoe: header past end of frame"))
		return -1;
	if (dec_u8(x, off) != 0x11)
		return dec_invalid(x, "pppoe: version or type not 1");
	if (dec_u8(x, off + 1) != 0)
		return dec_invalid(x, "pppoe: session code not 0");
	len = dec_be16(x, off + 4);
	if (len > end - off - 6)
		return dec_invalid(x, "pppoe: length greater than frame");
	x->d->pppoe = 1;

	/* Bytes after the PPPoE payload are Ethernet padding. */
	end = off + 6 + len;
	off += 6;
	if (dec_need(x, off, 2, end,
	    "ppp: protocol past end of PPPoE payload"))
		return -1;
	proto = dec_be16(x, off);
	if (proto == DEC_PPP_IPV4)
		return dec_ipv4(x, off + 2, end);
	if (proto == DEC_PPP_IPV6)
		return dec_ipv6(x, off + 2, end);
	return 0;
}

static int
dec_is_vlan_tpid(uint16_t type)
{
	return type == DEC_ETHERTYPE_8021Q || type == DEC_ETHERTYPE_8021AD ||
	    type == DEC_ETHERTYPE_QINQ_OLD;
}

/*
 * Decodes the header that EtherType type announces at off, after any VLAN
 * tags.  Values up to 1500 are IEEE 802.3 length fields followed by LLC.
 * Those frames and unknown EtherTypes leave l3 at NS_L3_NONE and are not
 * malformed.
 */
static int
dec_ethertype(struct dec *x, uint16_t type, size_t off, size_t end)
{
	struct ns_decoded	*d = x->d;

	/* Each tag is a TCI and then the next EtherType. */
	while (dec_is_vlan_tpid(type)) {
		if (d->vlan_tags == DEC_VLAN_MAX)
			return dec_invalid(x, "vlan: more than "
			    DEC_STR(DEC_VLAN_MAX) " tags");
		if (dec_need(x, off, 4, end, "vlan: tag past end of frame"))
			return -1;
		type = dec_be16(x, off + 2);
		off += 4;
		d->vlan_tags++;
	}

	switch (type) {
	case DEC_ETHERTYPE_IPV4:
		return dec_ipv4(x, off, end);
	case DEC_ETHERTYPE_IPV6:
		return dec_ipv6(x, off, end);
	case DEC_ETHERTYPE_ARP:
		return dec_arp(x, off, end);
	case DEC_ETHERTYPE_MPLS:
	case DEC_ETHERTYPE_MPLS_MC:
		return dec_mpls(x, off, end);
	case DEC_ETHERTYPE_PPPOE:
		return dec_pppoe(x, off, end);
	default:
		return 0;
	}
}

/*
 * Link layers.  Each starts at offset 0 and ends at the wire length.
 */

static int
dec_ether(struct dec *x)
{
	struct ns_decoded	*d = x->d;

	if (dec_need(x, 0, 14, x->wirelen,
	    "ethernet: header past end of frame"))
		return -1;

	d->has_mac = 1;
	dec_copy(x, 0, d->mac_dst, NS_MAC_LEN);
	dec_copy(x, 6, d->mac_src, NS_MAC_LEN);
	return dec_ethertype(x, dec_be16(x, 12), 14, x->wirelen);
}

/*
 * Linux cooked capture: DLT_LINUX_SLL has the protocol at byte 14 of a
 * 16-byte header, DLT_LINUX_SLL2 at byte 0 of a 20-byte header.  For a
 * netlink device the protocol is a netlink family, not an EtherType.
 */
#define DEC_ARPHRD_NETLINK	824

static int
dec_sll(struct dec *x)
{
	if (dec_need(x, 0, 16, x->wirelen, "sll: header past end of frame"))
		return -1;
	if (dec_be16(x, 2) == DEC_ARPHRD_NETLINK)
		return 0;
	return dec_ethertype(x, dec_be16(x, 14), 16, x->wirelen);
}

static int
dec_sll2(struct dec *x)
{
	if (dec_need(x, 0, 20, x->wirelen, "sll2: header past end of frame"))
		return -1;
	if (dec_be16(x, 8) == DEC_ARPHRD_NETLINK)
		return 0;
	return dec_ethertype(x, dec_be16(x, 0), 20, x->wirelen);
}

/* Raw IP: the version nibble selects IPv4 or IPv6. */
static int
dec_raw(struct dec *x)
{
	uint8_t	version;

	if (dec_need(x, 0, 1, x->wirelen, "raw: IP header past end of frame"))
		return -1;
	version = dec_u8(x, 0) >> 4;
	if (version == 4)
		return dec_ipv4(x, 0, x->wirelen);
	if (version == 6)
		return dec_ipv6(x, 0, x->wirelen);
	return dec_invalid(x, "raw: IP version not 4 or 6");
}

/*
 * DLT_NULL and DLT_LOOP: a 4-byte address family, in the capturing host's
 * byte order for DLT_NULL and network order for DLT_LOOP.  AF_INET6 is 24
 * on NetBSD and OpenBSD, 28 on FreeBSD and 30 on macOS.  Unknown families
 * leave l3 at NS_L3_NONE.
 */
static int
dec_null_af(uint32_t af)
{
	switch (af) {
	case 2:
		return 4;
	case 24:
	case 28:
	case 30:
		return 6;
	default:
		return 0;
	}
}

static uint32_t
dec_bswap32(uint32_t v)
{
	return (v >> 24) | ((v >> 8) & 0xff00) | ((v << 8) & 0xff0000) |
	    (v << 24);
}

static int
dec_null(struct dec *x, int loop)
{
	uint32_t	af;
	int		version;

	if (dec_need(x, 0, 4, x->wirelen, "null: header past end of frame"))
		return -1;
	af = dec_be32(x, 0);
	version = dec_null_af(af);
	if (version == 0 && !loop)
		version = dec_null_af(dec_bswap32(af));

	if (version == 4)
		return dec_ipv4(x, 4, x->wirelen);
	if (version == 6)
		return dec_ipv6(x, 4, x->wirelen);
	return 0;
}

/*
 * Returns the radiotap Flags field, or 0 when the header has none.  The
 * fields follow the chain of presence words (bit 31 of each announces
 * another), in bit order of the first word, and TSFT (bit 0, 8 bytes) is
 * aligned to 8 bytes from the start of the header.
 */
#define DEC_RT_TSFT		0x00000001
#define DEC_RT_FLAGS		0x00000002
#define DEC_RT_EXT		0x80000000
#define DEC_RT_F_FCS		0x10	/* frame ends with a 4-byte FCS */
#define DEC_RT_F_DATAPAD	0x20	/* 802.11 header padded to 4 bytes */

static uint8_t
dec_radiotap_flags(struct dec *x, size_t rtlen)
{
	uint32_t	first, word;
	size_t		off;
	unsigned	n;

	off = 4;
	first = word = dec_le32(x, off);
	for (n = 0; word & DEC_RT_EXT; n++) {
		off += 4;
		if (n == DEC_RADIOTAP_WORDS_MAX || rtlen - off < 4)
			return 0;
		word = dec_le32(x, off);
	}
	off += 4;

	if (first & DEC_RT_TSFT)
		off = ((off + 7) & ~(size_t)7) + 8;
	if ((first & DEC_RT_FLAGS) == 0 || off >= rtlen)
		return 0;
	return dec_u8(x, off);
}

/*
 * 802.11 frame control bits, as read little-endian from the first two
 * bytes of the MAC header.
 */
#define DEC_FC_VERSION		0x0003
#define DEC_FC_TYPE		0x000c
#define DEC_FC_TYPE_DATA	0x0008
#define DEC_FC_NODATA		0x0040	/* Null and CF subtypes: no body */
#define DEC_FC_QOS		0x0080	/* QoS subtypes */
#define DEC_FC_DS		0x0300	/* To DS and From DS */
#define DEC_FC_PROTECTED	0x4000
#define DEC_FC_ORDER		0x8000	/* in QoS frames: HT Control present */

/*
 * Returns the MAC header length of a data frame with frame control fc,
 * or 0 when the frame has no body to decode: not a data frame, a subtype
 * without data, or an encrypted body.
 */
static size_t
dec_80211_hdrlen(uint16_t fc, uint8_t rtflags)
{
	size_t	hlen;

	if ((fc & DEC_FC_VERSION) != 0 ||
	    (fc & DEC_FC_TYPE) != DEC_FC_TYPE_DATA ||
	    (fc & (DEC_FC_NODATA | DEC_FC_PROTECTED)) != 0)
		return 0;

	hlen = (fc & DEC_FC_DS) == DEC_FC_DS ? 30 : 24;	/* Address 4 */
	if (fc & DEC_FC_QOS)
		hlen += 2;
	if ((fc & DEC_FC_QOS) && (fc & DEC_FC_ORDER))
		hlen += 4;
	if (rtflags & DEC_RT_F_DATAPAD)
		hlen = (hlen + 3) & ~(size_t)3;
	return hlen;
}

/*
 * Returns 1 when the body of the data frame at off starts with LLC: the
 * frame is the first fragment (fragment number 0 in Sequence Control) and
 * not an A-MSDU (bit 7 of QoS Control).  The header must be captured.
 */
static int
dec_80211_has_llc(struct dec *x, size_t off, uint16_t fc)
{
	size_t	qos_off;

	if ((dec_le16(x, off + 22) & 0x000f) != 0)
		return 0;
	if ((fc & DEC_FC_QOS) == 0)
		return 1;
	qos_off = (fc & DEC_FC_DS) == DEC_FC_DS ? 30 : 24;
	return (dec_u8(x, off + qos_off) & 0x80) == 0;
}

/*
 * Decodes a radiotap header, the 802.11 data frame after it, and the
 * LLC/SNAP header of its body: RFC 1042 or 802.1H encapsulation of an
 * EtherType.  Other frames leave l3 at NS_L3_NONE.
 */
static int
dec_radiotap(struct dec *x)
{
	static const uint8_t	 rfc1042[6] = { 0xaa, 0xaa, 0x03, 0, 0, 0 };
	static const uint8_t	 tunnel[6] = { 0xaa, 0xaa, 0x03, 0, 0, 0xf8 };
	size_t			 rtlen, hlen, end;
	uint16_t		 fc;
	uint8_t			 rtflags, snap[6];

	end = x->wirelen;
	if (dec_need(x, 0, 8, end, "radiotap: header past end of frame"))
		return -1;
	if (dec_u8(x, 0) != 0)
		return dec_invalid(x, "radiotap: version not 0");
	rtlen = dec_le16(x, 2);
	if (rtlen < 8)
		return dec_invalid(x, "radiotap: length < 8");
	if (dec_need(x, 0, rtlen, end, "radiotap: header past end of frame"))
		return -1;

	rtflags = dec_radiotap_flags(x, rtlen);
	if ((rtflags & DEC_RT_F_FCS) && end - rtlen >= 4)
		end -= 4;
	if (dec_need(x, rtlen, 2, end, "802.11: header past end of frame"))
		return -1;
	fc = dec_le16(x, rtlen);
	hlen = dec_80211_hdrlen(fc, rtflags);
	if (hlen == 0)
		return 0;
	if (dec_need(x, rtlen, hlen, end, "802.11: header past end of frame"))
		return -1;
	if (!dec_80211_has_llc(x, rtlen, fc))
		return 0;

	if (dec_need(x, rtlen + hlen, 8, end, "802.11: LLC past end of frame"))
		return -1;
	dec_copy(x, rtlen + hlen, snap, sizeof(snap));
	if (memcmp(snap, rfc1042, sizeof(snap)) != 0 &&
	    memcmp(snap, tunnel, sizeof(snap)) != 0)
		return 0;
	return dec_ethertype(x, dec_be16(x, rtlen + hlen + 6),
	    rtlen + hlen + 8, end);
}

/*
 * DLT_NFLOG: a 4-byte header with the address family, then TLVs whose
 * length and type are in host byte order (libpcap converts them when it
 * reads a savefile written on a host of the other byte order).  The
 * length counts the 4-byte TLV header, and TLVs are padded to 4 bytes.
 * Type 9 (NFULA_PAYLOAD) carries the IP packet.
 */
#define DEC_NFULA_PAYLOAD	9
#define DEC_NFLOG_AF_INET	2
#define DEC_NFLOG_AF_INET6	10

static int
dec_nflog_payload(struct dec *x, uint8_t family, size_t off, size_t end)
{
	if (family == DEC_NFLOG_AF_INET)
		return dec_ipv4(x, off, end);
	if (family == DEC_NFLOG_AF_INET6)
		return dec_ipv6(x, off, end);
	return 0;
}

static int
dec_nflog(struct dec *x)
{
	size_t		off, tlen, step, end;
	unsigned	n;
	uint8_t		family;

	end = x->wirelen;
	if (dec_need(x, 0, 4, end, "nflog: header past end of frame"))
		return -1;
	family = dec_u8(x, 0);
	if (dec_u8(x, 1) != 0)
		return dec_invalid(x, "nflog: version not 0");

	off = 4;
	for (n = 0; off < end; n++) {
		if (n == DEC_NFLOG_TLV_MAX)
			return dec_invalid(x, "nflog: more than "
			    DEC_STR(DEC_NFLOG_TLV_MAX) " TLVs");
		if (dec_need(x, off, 4, end, "nflog: TLV past end of frame"))
			return -1;
		tlen = dec_h16(x, off);
		if (tlen < 4)
			return dec_invalid(x, "nflog: TLV length < 4");
		if (tlen > end - off)
			return dec_invalid(x, "nflog: TLV past end of frame");

		/* The two high bits of the type are netlink flags. */
		if ((dec_h16(x, off + 2) & 0x3fff) == DEC_NFULA_PAYLOAD)
			return dec_nflog_payload(x, family, off + 4,
			    off + tlen);

		step = (tlen + 3) & ~(size_t)3;
		if (step > end - off)
			break;
		off += step;
	}
	return 0;
}

int
ns_decode_supported(int dlt)
{
	switch (dlt) {
	case DLT_NULL:
	case DLT_EN10MB:
	case DEC_DLT_RAW_12:
	case DEC_DLT_RAW_14:
	case DEC_LINKTYPE_RAW:
	case DLT_LOOP:
	case DLT_LINUX_SLL:
	case DLT_IEEE802_11_RADIO:
	case DLT_IPV4:
	case DLT_IPV6:
	case DLT_NFLOG:
	case DLT_LINUX_SLL2:
		return 1;
	default:
		return 0;
	}
}

static void
dec_link(struct dec *x, int dlt)
{
	switch (dlt) {
	case DLT_NULL:
		(void)dec_null(x, 0);
		break;
	case DLT_LOOP:
		(void)dec_null(x, 1);
		break;
	case DLT_EN10MB:
		(void)dec_ether(x);
		break;
	case DEC_DLT_RAW_12:
	case DEC_DLT_RAW_14:
	case DEC_LINKTYPE_RAW:
		(void)dec_raw(x);
		break;
	case DLT_IPV4:
		(void)dec_ipv4(x, 0, x->wirelen);
		break;
	case DLT_IPV6:
		(void)dec_ipv6(x, 0, x->wirelen);
		break;
	case DLT_LINUX_SLL:
		(void)dec_sll(x);
		break;
	case DLT_LINUX_SLL2:
		(void)dec_sll2(x);
		break;
	case DLT_IEEE802_11_RADIO:
		(void)dec_radiotap(x);
		break;
	case DLT_NFLOG:
		(void)dec_nflog(x);
		break;
	default:
		(void)dec_invalid(x, "decode: link type not supported");
		break;
	}
}

/*
 * A wire length below the captured length comes from a damaged record
 * header.  The captured bytes are real, so the wire length is raised to
 * the captured length.  An unsupported link type is reported as malformed.
 */
int
ns_decode(int dlt, const uint8_t *pkt, size_t caplen, size_t wirelen,
    struct ns_decoded *d)
{
	struct dec	x;

	memset(d, 0, sizeof(*d));
	ns_pktbuf_init(&x.pb, pkt, caplen);
	x.wirelen = wirelen < x.pb.pb_len ? x.pb.pb_len : wirelen;
	x.d = d;
	x.fault = 0;

	dec_link(&x, dlt);

	if (x.fault && d->malformed == NULL)
		d->malformed = "decode: read outside checked bounds";
	return d->malformed != NULL ? -1 : 0;
}
