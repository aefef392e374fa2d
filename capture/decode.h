/* netsentry: packet decoder from link layer to transport header. */
#ifndef NS_DECODE_H
#define NS_DECODE_H

#include <stddef.h>
#include <stdint.h>

#define NS_MAC_LEN	6

enum ns_l3 {
	NS_L3_NONE = 0,		/* no network header decoded */
	NS_L3_IPV4,
	NS_L3_IPV6,
	NS_L3_ARP
};

/* TCP flag bits as they appear in byte 13 of the TCP header. */
#define NS_TH_FIN	0x01
#define NS_TH_SYN	0x02
#define NS_TH_RST	0x04
#define NS_TH_PSH	0x08
#define NS_TH_ACK	0x10
#define NS_TH_URG	0x20
#define NS_TH_ECE	0x40
#define NS_TH_CWR	0x80

/*
 * Result of decoding one captured frame.  The decoder fills it from the
 * outermost headers only: the IP header quoted inside an ICMP error is not
 * decoded as a packet.  Address arrays are in network byte order.
 */
struct ns_decoded {
	/* Link layer: set for Ethernet frames, after any VLAN tags. */
	int		has_mac;
	uint8_t		mac_src[NS_MAC_LEN];
	uint8_t		mac_dst[NS_MAC_LEN];
	unsigned	vlan_tags;	/* 802.1Q and 802.1ad tags skipped */
	unsigned	mpls_labels;	/* MPLS labels skipped */
	int		pppoe;		/* carried in a PPPoE session */

	enum ns_l3	l3;

	/*
	 * Network layer.  ip_valid is set when the outermost IPv4 or IPv6
	 * header passed validation, so the addresses can be counted.
	 * IPv4 addresses use the first 4 bytes of ip_src and ip_dst.
	 */
	int		ip_valid;
	uint8_t		ip_version;	/* 4 or 6 */
	uint8_t		ip_src[16];
	uint8_t		ip_dst[16];
	uint8_t		ip_ttl;		/* TTL or hop limit */
	uint8_t		ip_proto;	/* upper-layer protocol after
					   IPv6 extension headers */
	uint32_t	ip_len;		/* IPv4 total length, or IPv6
					   payload length plus 40 */
	int		ip_options;	/* IPv4 header longer than 20 */
	int		ip_fragment;	/* a fragment, first or later */
	uint32_t	frag_offset;	/* in bytes */
	int		frag_more;	/* more-fragments flag */
	uint32_t	frag_id;
	uint32_t	frag_len;	/* fragment data after the IP
					   header and its extensions */

	/*
	 * Transport layer.  has_ports is set when a TCP or UDP header was
	 * read (never for a fragment after the first); has_icmp when an
	 * ICMP or ICMPv6 type and code were read.
	 */
	int		has_ports;
	uint16_t	sport;
	uint16_t	dport;
	uint8_t		tcp_flags;
	uint32_t	tcp_seq;
	uint32_t	tcp_ack;
	uint32_t	tcp_payload;	/* octets after the TCP header, as
					   the IP length states them */
	/*
	 * Where the TCP or UDP payload starts in the frame and how long
	 * the headers say it is; the captured part may be shorter.
	 */
	size_t		l4_payload_off;
	size_t		l4_payload_len;
	int		has_icmp;
	uint8_t		icmp_type;
	uint8_t		icmp_code;

	/*
	 * The IP header and the first transport bytes that an ICMP or
	 * ICMPv6 error message quotes, read only to tell which earlier
	 * packet the error answers.  They count as nothing else.
	 * has_inner is set when the quoted IP header and 4 bytes after it
	 * were captured; inner ports are 0 unless the quoted protocol is
	 * TCP or UDP.
	 */
	int		has_inner;
	uint8_t		inner_proto;
	uint8_t		inner_src[16];
	uint8_t		inner_dst[16];
	uint16_t	inner_sport;
	uint16_t	inner_dport;

	/* ARP over Ethernet and IPv4: operation and the four addresses. */
	uint16_t	arp_op;
	uint8_t		arp_sha[NS_MAC_LEN];
	uint8_t		arp_spa[4];
	uint8_t		arp_tha[NS_MAC_LEN];
	uint8_t		arp_tpa[4];

	/*
	 * Set when a header was invalid, or a header that the frame's wire
	 * length shows to be present was cut off: a static string naming the
	 * header and the fault, for example "ipv4: header length < 20".
	 * A header cut off by the snapshot length alone (captured length
	 * below wire length) is not malformed: it sets snap_truncated.
	 */
	const char	*malformed;
	int		snap_truncated;
};

/*
 * Decode one frame captured with the given DLT_ link type.  caplen bytes
 * are available at pkt; wirelen is the frame's length on the wire.
 * Returns 0 when every present header was valid, -1 when the frame is
 * malformed (d->malformed gives the reason).  Fields decoded before the fault stay
 * valid, so a frame with a good IP header and a bad TCP header still has
 * ip_valid set.  Never reads outside pkt[0 .. caplen-1].
 */
int	ns_decode(int dlt, const uint8_t *pkt, size_t caplen, size_t wirelen,
	    struct ns_decoded *d);

/* Returns 1 when the decoder supports the DLT_ link type, else 0. */
int	ns_decode_supported(int dlt);

#endif /* NS_DECODE_H */
