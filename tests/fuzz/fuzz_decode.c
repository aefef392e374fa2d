/* netsentry: libFuzzer target for the packet decoder. */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "decode.h"

/*
 * Input layout: 2 bytes (big-endian) that pick the link type, 1 byte w
 * that picks the wire length, then the captured frame.  A link-type value
 * that the decoder supports is used as is, so seeds can carry the DLT of
 * their capture.  Any other value picks from the supported list by its
 * remainder.  The wire length is the captured length plus 2 * w * w bytes
 * (up to 130050), so w = 0 gives caplen == wirelen, small w a snapshot
 * cut, and large w a frame over 64 KiB as with Linux BIG TCP.
 */
#define FUZZ_HDR_LEN	3
/* DLT values below FUZZ_DLT_PROBE are tried with ns_decode_supported(). */
#define FUZZ_DLT_PROBE	512
#define FUZZ_DLT_MAX	64

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int	fuzz_dlts[FUZZ_DLT_MAX];
static size_t	fuzz_ndlts;

static void
fuzz_list_dlts(void)
{
	int	dlt;

	for (dlt = 0; dlt < FUZZ_DLT_PROBE && fuzz_ndlts < FUZZ_DLT_MAX; dlt++)
		if (ns_decode_supported(dlt))
			fuzz_dlts[fuzz_ndlts++] = dlt;
	if (fuzz_ndlts == 0)
		abort();
}

/* Aborts unless the result keeps the contract stated in decode.h. */
static void
fuzz_check(int rc, const struct ns_decoded *d, size_t caplen, size_t wirelen)
{
	if ((rc == -1) != (d->malformed != NULL))
		abort();
	if (d->malformed != NULL && d->snap_truncated)
		abort();
	if (caplen == wirelen && d->snap_truncated)
		abort();
	if (d->ip_valid && d->l3 != NS_L3_IPV4 && d->l3 != NS_L3_IPV6)
		abort();
	if (d->has_ports && (!d->ip_valid || d->frag_offset != 0))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ns_decoded	d;
	size_t			caplen, wirelen, w;
	int			dlt, rc;

	if (fuzz_ndlts == 0)
		fuzz_list_dlts();
	if (size < FUZZ_HDR_LEN)
		return 0;

	dlt = data[0] << 8 | data[1];
	if (!ns_decode_supported(dlt))
		dlt = fuzz_dlts[(size_t)dlt % fuzz_ndlts];
	w = data[2];
	caplen = size - FUZZ_HDR_LEN;
	wirelen = caplen + 2 * w * w;

	/* The frame ends where libFuzzer's buffer ends, for ASan to see. */
	rc = ns_decode(dlt, data + FUZZ_HDR_LEN, caplen, wirelen, &d);
	fuzz_check(rc, &d, caplen, wirelen);
	return 0;
}
