/* netsentry: one data source, a live interface or a capture file. */
#ifndef NS_SOURCE_H
#define NS_SOURCE_H

#include <pcap/pcap.h>
#include <pthread.h>
#include <stdatomic.h>

#include "pcapfile.h"
#include "ring.h"
#include "tables.h"

struct ns_capture_opts {
	int		 snaplen;
	int		 buffer_size;	/* bytes */
	int		 promiscuous;
	const char	*filter;	/* BPF expression or NULL */
	struct ns_limits limits;
	size_t		 dns_cache_size; /* names per source; 0: none */
	int		 learn_mdns;	/* names from port 5353 too */
};

struct ns_source {
	unsigned	 index;		/* nsCaptureIndex, from 1 */
	char		*name;		/* interface name or file path */
	int		 is_file;
	unsigned	 ifindex;	/* 0 for files */
	int		 dlt;
	int		 decodable;	/* the decoder knows dlt */
	pcap_t		*pcap;
	struct bpf_program filter;	/* compiled expression */
	int		 has_filter;
	struct ns_pcapfile file;	/* a mapped pcap file */
	int		 mapped;
	pthread_t	 reader;	/* libpcap and the decoder */
	pthread_t	 counter;	/* table updates */
	pthread_t	 detector;	/* the detectors */
	int		 started;
	atomic_int	 stop;
	struct ns_ring	 ring;
	time_t		 last_stats;
	struct ns_store	 store;
	/*
	 * The detector thread holds detect_lock for one batch of frames at
	 * a time.  A thread that needs both locks takes detect_lock first.
	 */
	pthread_mutex_t	 detect_lock;
	struct ns_detect *detect;	/* used under detect_lock */
};

int	 ns_source_open(struct ns_source *, const struct ns_capture_opts *,
	    char *err, size_t errlen);
int	 ns_source_start(struct ns_source *);
void	 ns_source_stop(struct ns_source *);
void	 ns_source_tick(struct ns_source *);
void	 ns_source_detect_refresh(struct ns_source *);
void	 ns_source_close(struct ns_source *);

#endif /* NS_SOURCE_H */
