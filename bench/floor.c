/*
 * netsentry benchmark: the fastest a pcap_loop() reader can go.
 *
 * Opens a capture file with pcap_open_offline(), runs pcap_loop() with a
 * callback that only counts packets, and prints the count, the elapsed
 * time from before the open to after the loop, and the packet rate.
 * netsentryd's file rate is compared against this floor.
 *
 * Build: cc -O2 -o floor floor.c -lpcap
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

static void
floor_count(u_char *arg, const struct pcap_pkthdr *h, const u_char *bytes)
{
	uint64_t	*count = (uint64_t *)arg;

	(void)h;
	(void)bytes;
	(*count)++;
}

static double
floor_seconds(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) +
	    (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

int
main(int argc, char **argv)
{
	char		 err[PCAP_ERRBUF_SIZE] = "";
	struct timespec	 start, end;
	pcap_t		*p;
	uint64_t	 count = 0;
	double		 secs;

	if (argc != 2) {
		fprintf(stderr, "usage: floor FILE\n");
		return 2;
	}

	clock_gettime(CLOCK_MONOTONIC, &start);
	p = pcap_open_offline(argv[1], err);
	if (p == NULL) {
		fprintf(stderr, "floor: cannot read capture file '%s': %s\n",
		    argv[1], err);
		return 1;
	}
	if (pcap_loop(p, -1, floor_count, (u_char *)&count) == -1) {
		fprintf(stderr, "floor: read error in '%s' after %llu "
		    "packets: %s\n", argv[1], (unsigned long long)count,
		    pcap_geterr(p));
		pcap_close(p);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &end);
	pcap_close(p);

	/* One line of key=value pairs, for run.sh to parse. */
	secs = floor_seconds(&start, &end);
	printf("packets=%llu seconds=%.6f pps=%.0f\n",
	    (unsigned long long)count, secs, secs > 0 ? count / secs : 0.0);
	return 0;
}
