/* netsentry: fast reader for classic pcap files through mmap(2). */
#ifndef NS_PCAPFILE_H
#define NS_PCAPFILE_H

#include <pcap/pcap.h>
#include <stddef.h>
#include <stdint.h>

/*
 * libpcap reads a file with two fread() calls per record, which costs
 * about as much as decoding the frame.  A classic pcap file that is a
 * regular file is read straight from a read-only mapping instead, with
 * the rules of libpcap 1.10.  A record longer than the file's snapshot
 * length is cut to it.  One claiming more than NS_PCAPFILE_MAX_CAPLEN
 * octets, or ending past the end of the file, is a read error.  pcapng
 * files, pipes and FIFOs still go through libpcap.
 */
#define NS_PCAPFILE_MAX_CAPLEN	262144

struct ns_pcapfile {
	const uint8_t	*map;
	size_t		 size;
	size_t		 off;		/* next record header */
	size_t		 dropped;	/* pages before this are released */
	int		 swapped;	/* file byte order differs */
	int		 nanoseconds;
	uint32_t	 snaplen;
	char		 error[160];
};

/*
 * Map path if it is a regular classic pcap file.  Returns 1 when mapped,
 * 0 when the caller should read it with libpcap, -1 on a system error.
 */
int	 ns_pcapfile_open(struct ns_pcapfile *, const char *path,
	    uint32_t snaplen);
/*
 * Read the next record: 1 with h and data set, 0 at the end of the file,
 * -1 when the file is cut short or a record header is invalid, with the
 * reason in error.
 */
int	 ns_pcapfile_next(struct ns_pcapfile *, struct pcap_pkthdr *h,
	    const uint8_t **data);
void	 ns_pcapfile_close(struct ns_pcapfile *);

#endif /* NS_PCAPFILE_H */
