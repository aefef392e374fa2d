/* netsentry: fast reader for classic pcap files through mmap(2). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pcapfile.h"

#define NS_PCAP_FILE_HEADER	24
#define NS_PCAP_RECORD_HEADER	16

/*
 * Pages already read are released every NS_PCAPFILE_DROP bytes, so the
 * daemon's resident size does not grow with the file: the page cache
 * keeps the pages, but they stop counting as the daemon's memory.
 */
#define NS_PCAPFILE_DROP	(1024 * 1024)

static uint32_t
ns_pcapfile_u32(const struct ns_pcapfile *pf, const uint8_t *p)
{
	uint32_t	 v;

	memcpy(&v, p, sizeof(v));
	return pf->swapped ? __builtin_bswap32(v) : v;
}

/* Set the byte order and time unit from the magic number, 0 if unknown. */
static int
ns_pcapfile_magic(struct ns_pcapfile *pf, const uint8_t *p)
{
	uint32_t	 magic;

	memcpy(&magic, p, sizeof(magic));
	switch (magic) {
	case 0xa1b2c3d4:
	case 0xa1b23c4d:
		pf->swapped = 0;
		break;
	case 0xd4c3b2a1:
	case 0x4d3cb2a1:
		pf->swapped = 1;
		magic = __builtin_bswap32(magic);
		break;
	default:
		return 0;
	}
	pf->nanoseconds = magic == 0xa1b23c4d;
	return 1;
}

int
ns_pcapfile_open(struct ns_pcapfile *pf, const char *path, uint32_t snaplen)
{
	struct stat	 st;
	void		*map;
	int		 fd;

	memset(pf, 0, sizeof(*pf));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return -1;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size < NS_PCAP_FILE_HEADER ||
	    (uint64_t)st.st_size > SIZE_MAX) {
		close(fd);
		return 0;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return 0;

	pf->map = map;
	pf->size = (size_t)st.st_size;
	if (!ns_pcapfile_magic(pf, pf->map)) {
		ns_pcapfile_close(pf);
		return 0;
	}
	madvise(map, pf->size, MADV_SEQUENTIAL);
	pf->off = NS_PCAP_FILE_HEADER;
	pf->snaplen = snaplen;
	return 1;
}

int
ns_pcapfile_next(struct ns_pcapfile *pf, struct pcap_pkthdr *h,
    const uint8_t **data)
{
	const uint8_t	*rec;
	uint32_t	 caplen;
	size_t		 left = pf->size - pf->off;

	if (left == 0)
		return 0;
	if (left < NS_PCAP_RECORD_HEADER) {
		snprintf(pf->error, sizeof(pf->error), "truncated dump file; "
		    "tried to read %d header bytes, only got %zu",
		    NS_PCAP_RECORD_HEADER, left);
		return -1;
	}

	rec = pf->map + pf->off;
	caplen = ns_pcapfile_u32(pf, rec + 8);
	if (caplen > NS_PCAPFILE_MAX_CAPLEN) {
		snprintf(pf->error, sizeof(pf->error), "invalid packet "
		    "capture length %u, bigger than maximum of %u", caplen,
		    NS_PCAPFILE_MAX_CAPLEN);
		return -1;
	}
	if (caplen > left - NS_PCAP_RECORD_HEADER) {
		snprintf(pf->error, sizeof(pf->error), "truncated dump file; "
		    "tried to read %u captured bytes, only got %zu", caplen,
		    left - NS_PCAP_RECORD_HEADER);
		return -1;
	}

	h->ts.tv_sec = ns_pcapfile_u32(pf, rec);
	h->ts.tv_usec = ns_pcapfile_u32(pf, rec + 4);
	if (pf->nanoseconds)
		h->ts.tv_usec /= 1000;
	h->len = ns_pcapfile_u32(pf, rec + 12);
	h->caplen = caplen > pf->snaplen ? pf->snaplen : caplen;
	*data = rec + NS_PCAP_RECORD_HEADER;

	/* Release whole pages before this record; its bytes stay mapped. */
	if (pf->off - pf->dropped >= NS_PCAPFILE_DROP) {
		size_t	 upto = pf->off & ~((size_t)sysconf(_SC_PAGESIZE) - 1);

		madvise((void *)(uintptr_t)(pf->map + pf->dropped),
		    upto - pf->dropped, MADV_DONTNEED);
		pf->dropped = upto;
	}
	pf->off += NS_PCAP_RECORD_HEADER + (size_t)caplen;
	return 1;
}

void
ns_pcapfile_close(struct ns_pcapfile *pf)
{
	if (pf->map != NULL)
		munmap((void *)(uintptr_t)pf->map, pf->size);
	pf->map = NULL;
}
