/* netsentry: bounds-checked reads of captured packet bytes. */
#ifndef NS_PKTBUF_H
#define NS_PKTBUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * The captured bytes of one frame.  The decoder reads packet bytes only
 * through the functions below.  Each returns -1, without reading and
 * without changing its output, when any byte of the requested range lies
 * at or past pb_len.  Offsets and sizes are size_t so that no narrow type
 * can wrap.
 */
struct ns_pktbuf {
	const uint8_t	*pb_data;
	size_t		 pb_len;	/* captured length */
};

static inline void
ns_pktbuf_init(struct ns_pktbuf *pb, const uint8_t *data, size_t len)
{
	pb->pb_data = data;
	pb->pb_len = data != NULL ? len : 0;
}

/*
 * Returns 1 when len bytes at off were captured, else 0.  The test is
 * written so that off + len is never computed and so cannot overflow.
 */
static inline int
ns_pktbuf_has(const struct ns_pktbuf *pb, size_t off, size_t len)
{
	return len <= pb->pb_len && off <= pb->pb_len - len;
}

static inline int
ns_pktbuf_get_u8(const struct ns_pktbuf *pb, size_t off, uint8_t *v)
{
	if (!ns_pktbuf_has(pb, off, 1))
		return -1;
	*v = pb->pb_data[off];
	return 0;
}

/* Network byte order (big-endian). */
static inline int
ns_pktbuf_get_be16(const struct ns_pktbuf *pb, size_t off, uint16_t *v)
{
	const uint8_t	*p;

	if (!ns_pktbuf_has(pb, off, 2))
		return -1;
	p = pb->pb_data + off;
	*v = (uint16_t)(p[0] << 8 | p[1]);
	return 0;
}

static inline int
ns_pktbuf_get_be32(const struct ns_pktbuf *pb, size_t off, uint32_t *v)
{
	const uint8_t	*p;

	if (!ns_pktbuf_has(pb, off, 4))
		return -1;
	p = pb->pb_data + off;
	*v = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
	return 0;
}

/* Little-endian, as in radiotap and 802.11 headers. */
static inline int
ns_pktbuf_get_le16(const struct ns_pktbuf *pb, size_t off, uint16_t *v)
{
	const uint8_t	*p;

	if (!ns_pktbuf_has(pb, off, 2))
		return -1;
	p = pb->pb_data + off;
	*v = (uint16_t)(p[1] << 8 | p[0]);
	return 0;
}

static inline int
ns_pktbuf_get_le32(const struct ns_pktbuf *pb, size_t off, uint32_t *v)
{
	const uint8_t	*p;

	if (!ns_pktbuf_has(pb, off, 4))
		return -1;
	p = pb->pb_data + off;
	*v = (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[1] << 8 | p[0];
	return 0;
}

/* Host byte order, as in the TLVs of DLT_NFLOG frames. */
static inline int
ns_pktbuf_get_h16(const struct ns_pktbuf *pb, size_t off, uint16_t *v)
{
	if (!ns_pktbuf_has(pb, off, 2))
		return -1;
	memcpy(v, pb->pb_data + off, sizeof(*v));
	return 0;
}

/* Copies len bytes at off to dst. */
static inline int
ns_pktbuf_get_bytes(const struct ns_pktbuf *pb, size_t off, void *dst,
    size_t len)
{
	if (!ns_pktbuf_has(pb, off, len))
		return -1;
	if (len > 0)
		memcpy(dst, pb->pb_data + off, len);
	return 0;
}

#endif /* NS_PKTBUF_H */
