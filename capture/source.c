/*
 * netsentry: one data source, a live interface or a capture file.
 *
 * Each source runs three threads joined by a ring (ring.h): the reader
 * runs pcap_dispatch() and decodes, the counter updates the tables, and
 * the detector thread runs the detectors on each frame the counter has
 * passed on.  The counter holds the store lock, and the detector thread
 * its own lock, for one batch of frames at a time, so the agent thread
 * waits at most one batch.  The reader waits only when the ring is full.
 */
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "decode.h"
#include "dns.h"
#include "logq.h"
#include "source.h"

/* Packets per pcap_dispatch() call, and frames counted per lock. */
#define NS_BATCH	256
/* Read timeout of a live handle, so stop and idle expiry are noticed. */
#define NS_LIVE_TIMEOUT_MS	200

static int
ns_source_open_live(struct ns_source *src, const struct ns_capture_opts *o,
    char *err, size_t errlen)
{
	char	 pcaperr[PCAP_ERRBUF_SIZE] = "";
	int	 rc;

	src->pcap = pcap_create(src->name, pcaperr);
	if (src->pcap == NULL) {
		snprintf(err, errlen, "cannot capture on interface '%s': %s",
		    src->name, pcaperr);
		return -1;
	}
	pcap_set_snaplen(src->pcap, o->snaplen);
	pcap_set_promisc(src->pcap, o->promiscuous);
	pcap_set_timeout(src->pcap, NS_LIVE_TIMEOUT_MS);
	pcap_set_buffer_size(src->pcap, o->buffer_size);

	rc = pcap_activate(src->pcap);
	if (rc < 0) {
		snprintf(err, errlen, "cannot capture on interface '%s': %s%s",
		    src->name, pcap_statustostr(rc),
		    rc == PCAP_ERROR_NO_SUCH_DEVICE ?
		    "; check the name with 'ip link'" :
		    rc == PCAP_ERROR_PERM_DENIED ?
		    "; run as root or give the binary CAP_NET_RAW" : "");
		if (rc == PCAP_ERROR && *pcap_geterr(src->pcap) != '\0')
			snprintf(err, errlen, "cannot capture on interface "
			    "'%s': %s", src->name, pcap_geterr(src->pcap));
		return -1;
	}
	if (rc > 0)
		ns_logq_post(LOG_WARNING, "interface %s: %s", src->name,
		    pcap_statustostr(rc));
	src->ifindex = if_nametoindex(src->name);
	return 0;
}

static int
ns_source_open_file(struct ns_source *src, char *err, size_t errlen)
{
	char	 pcaperr[PCAP_ERRBUF_SIZE] = "";

	/* libpcap recognises pcap and pcapng by the magic number. */
	src->pcap = pcap_open_offline(src->name, pcaperr);
	if (src->pcap == NULL) {
		snprintf(err, errlen, "cannot read capture file '%s': %s",
		    src->name, pcaperr);
		return -1;
	}
	return 0;
}

static int
ns_source_set_filter(struct ns_source *src, const char *filter, char *err,
    size_t errlen)
{
	if (filter == NULL || *filter == '\0')
		return 0;
	if (pcap_compile(src->pcap, &src->filter, filter, 1,
	    PCAP_NETMASK_UNKNOWN) == -1) {
		snprintf(err, errlen, "invalid filter expression '%s': %s",
		    filter, pcap_geterr(src->pcap));
		return -1;
	}
	src->has_filter = 1;
	if (pcap_setfilter(src->pcap, &src->filter) == -1) {
		snprintf(err, errlen, "cannot set filter on %s: %s",
		    src->name, pcap_geterr(src->pcap));
		return -1;
	}
	return 0;
}

int
ns_source_open(struct ns_source *src, const struct ns_capture_opts *o,
    char *err, size_t errlen)
{
	int	 rc;

	pthread_mutex_init(&src->detect_lock, NULL);
	src->detect = ns_detect_new(src->index,
	    !src->is_file && strcmp(src->name, "lo") == 0, &src->store);
	if (ns_store_init(&src->store, &o->limits) == -1 ||
	    ns_ring_init(&src->ring) == -1 || src->detect == NULL ||
	    (o->dns_cache_size > 0 && (src->store.names =
	    ns_names_new(o->dns_cache_size)) == NULL)) {
		snprintf(err, errlen, "out of memory for the tables of %s",
		    src->name);
		return -1;
	}
	if (src->store.names != NULL)
		src->store.names->learn_mdns = o->learn_mdns;
	if (src->is_file)
		rc = ns_source_open_file(src, err, errlen);
	else
		rc = ns_source_open_live(src, o, err, errlen);
	if (rc == -1)
		return -1;
	if (ns_source_set_filter(src, o->filter, err, errlen) == -1)
		return -1;

	src->dlt = pcap_datalink(src->pcap);
	src->decodable = ns_decode_supported(src->dlt);
	if (!src->decodable)
		ns_logq_post(LOG_WARNING, "%s: link type %s is not decoded; "
		    "only packets and octets are counted", src->name,
		    pcap_datalink_val_to_name(src->dlt) != NULL ?
		    pcap_datalink_val_to_name(src->dlt) : "unknown");

	/* libpcap has checked the file header; read records directly. */
	if (src->is_file && src->decodable &&
	    ns_pcapfile_open(&src->file, src->name,
	    (uint32_t)pcap_snapshot(src->pcap)) == 1)
		src->mapped = 1;
	return 0;
}

static void
ns_source_packet(u_char *arg, const struct pcap_pkthdr *h,
    const u_char *bytes)
{
	struct ns_source	*src = (struct ns_source *)arg;
	struct ns_frame		*f;
	struct ns_decoded	 d;

	if (src->decodable) {
		ns_decode(src->dlt, bytes, h->caplen, h->len, &d);
		/* Parsed here, so the ring slot needs no payload. */
		ns_names_frame(src->store.names, bytes, h->caplen, &d,
		    (uint32_t)h->ts.tv_sec);
	} else
		memset(&d, 0, sizeof(d));

	f = ns_ring_reserve(&src->ring);
	ns_conv_key(&d, &f->ck);
	ns_probe_fill(&d, &f->probe);
	if (ns_detect_hashing(src->detect) && ns_ring_backlog(&src->ring))
		ns_probe_hash(&f->ck, &f->probe);
	f->wirelen = h->len;
	f->sec = (uint32_t)h->ts.tv_sec;
	f->usec = (uint32_t)h->ts.tv_usec;
	ns_ring_commit(&src->ring);

	/*
	 * pcap_dispatch() on a pipe or a FIFO returns only after a whole
	 * batch, so a frame that came through libpcap is published at once.
	 */
	if (!src->mapped)
		ns_ring_flush(&src->ring);
}

/* Counter thread: move decoded frames into the tables, batch by batch. */
static void *
ns_source_count(void *arg)
{
	struct ns_source	*src = arg;
	struct ns_frame		*f;
	size_t			 i, n;

	while ((n = ns_ring_wait(&src->ring, NS_STAGE_COUNTER)) > 0) {
		if (n > NS_BATCH)
			n = NS_BATCH;
		pthread_mutex_lock(&src->store.lock);
		for (i = 0; i < n; i++) {
			f = ns_ring_at(&src->ring, NS_STAGE_COUNTER, i);
			ns_store_count_keyed(&src->store, &f->ck, f->wirelen,
			    f->sec, f->usec);
			if (f->probe.flags & NS_PR_SYN)
				ns_store_count_syn(&src->store);
		}
		pthread_mutex_unlock(&src->store.lock);
		ns_ring_release(&src->ring, NS_STAGE_COUNTER, n);

		/*
		 * A mutex is not fair: without this, the counter would take
		 * the lock again at once and an SNMP request could wait for
		 * many batches.
		 */
		while (atomic_load(&src->store.agent_waiting) > 0)
			sched_yield();
	}
	return NULL;
}

/* How long a detached detector thread sleeps before it looks again. */
#define NS_DETECT_NAP_MS	100

/*
 * Attach the detector stage while any detector is on, else detach it, and
 * return whether it is attached.  The lock orders this with
 * ns_source_detect_refresh(), which may attach the stage itself.
 */
static int
ns_source_detect_follow(struct ns_source *src)
{
	int	 on;

	pthread_mutex_lock(&src->detect_lock);
	on = ns_detect_hashing(src->detect);
	if (on)
		ns_ring_attach(&src->ring);
	else
		ns_ring_detach(&src->ring);
	pthread_mutex_unlock(&src->detect_lock);
	return on;
}

/*
 * Detector thread: run the detectors on the frames the counter passed
 * on.  While every detector is off it detaches from the ring, so that
 * the reader need not wait for it, and naps until a reload attaches it.
 */
static void *
ns_source_detect(void *arg)
{
	struct ns_source	*src = arg;
	struct ns_frame		*f;
	size_t			 i, n;

	for (;;) {
		if (!ns_source_detect_follow(src)) {
			if (ns_ring_nap(&src->ring, NS_DETECT_NAP_MS))
				break;
			continue;
		}
		if ((n = ns_ring_wait(&src->ring, NS_STAGE_DETECTOR)) == 0)
			break;
		if (n > NS_BATCH)
			n = NS_BATCH;
		pthread_mutex_lock(&src->detect_lock);
		for (i = 0; i < n; i++) {
			f = ns_ring_at(&src->ring, NS_STAGE_DETECTOR, i);
			ns_detect_frame(src->detect, &f->ck, &f->probe,
			    f->sec, f->usec);
		}
		ns_detect_try_flush(src->detect);
		pthread_mutex_unlock(&src->detect_lock);
		ns_ring_release(&src->ring, NS_STAGE_DETECTOR, n);
	}
	ns_ring_detach(&src->ring);
	return NULL;
}

/*
 * Put new detector settings in force.  The caller holds detect_lock.
 * Detectors that come on attach the detector stage at once, so that they
 * see every frame the counter has not yet passed on, even while the
 * detector thread naps.
 */
void
ns_source_detect_refresh(struct ns_source *src)
{
	ns_detect_refresh(src->detect);
	if (ns_detect_hashing(src->detect))
		ns_ring_attach(&src->ring);
}

/* Let the detectors' clock reach now; called without the store lock. */
static void
ns_source_detect_tick(struct ns_source *src, uint32_t now)
{
	pthread_mutex_lock(&src->detect_lock);
	ns_detect_tick(src->detect, now);
	ns_detect_flush(src->detect);
	pthread_mutex_unlock(&src->detect_lock);
}

static void
ns_source_set_state(struct ns_source *src, int state)
{
	pthread_mutex_lock(&src->store.lock);
	src->store.state = state;
	pthread_mutex_unlock(&src->store.lock);
}

/*
 * Let wall-clock time pass on a live source that receives nothing.  On
 * Linux, libpcap's read timeout does not end a read while no packet
 * arrives at all (TPACKET_V3 retires no empty block), so the reader
 * cannot do this itself: the agent thread calls it once a second.
 */
void
ns_source_tick(struct ns_source *src)
{
	uint32_t	 now = (uint32_t)time(NULL);
	int		 idle = 0;

	if (src->is_file || !src->started)
		return;
	pthread_mutex_lock(&src->store.lock);
	if (now > src->store.now) {
		src->store.now = now;
		ns_store_expire(&src->store, now);
		idle = 1;
	}
	pthread_mutex_unlock(&src->store.lock);
	if (idle)
		ns_source_detect_tick(src, now);
}

/* Live sources: kernel drop counts, and expiry while no packet comes. */
static void
ns_source_poll_live(struct ns_source *src, int idle)
{
	struct pcap_stat	 ps;
	time_t			 now = time(NULL);

	if (now == src->last_stats)
		return;
	src->last_stats = now;
	pthread_mutex_lock(&src->store.lock);
	if (pcap_stats(src->pcap, &ps) == 0)
		src->store.drops = (uint64_t)ps.ps_drop + ps.ps_ifdrop;
	if (idle && (uint32_t)now > src->store.now) {
		src->store.now = (uint32_t)now;
		ns_store_expire(&src->store, src->store.now);
	} else
		idle = 0;
	pthread_mutex_unlock(&src->store.lock);
	if (idle)
		ns_source_detect_tick(src, (uint32_t)now);
}

static void
ns_source_read_error(struct ns_source *src)
{
	const char	*msg = src->mapped ? src->file.error :
			    pcap_geterr(src->pcap);

	if (src->is_file) {
		pthread_mutex_lock(&src->store.lock);
		src->store.read_errors++;
		src->store.state = NS_STATE_END_OF_FILE;
		pthread_mutex_unlock(&src->store.lock);
		ns_logq_post(LOG_ERR, "capture file %s cut short after %llu "
		    "packets: %s", src->name,
		    (unsigned long long)src->store.pkts, msg);
		return;
	}
	ns_source_set_state(src, NS_STATE_FAILED);
	ns_logq_post(LOG_ERR, "capture on interface %s failed: %s",
	    src->name, msg);
}

/* Outcome of a reader loop. */
enum ns_reader_end {
	NS_END_STOP,
	NS_END_EOF,
	NS_END_ERROR
};

static enum ns_reader_end
ns_source_read_mapped(struct ns_source *src)
{
	struct pcap_pkthdr	 h;
	const uint8_t		*data;
	int			 i, rc;

	while (!atomic_load(&src->stop)) {
		for (i = 0; i < NS_BATCH; i++) {
			rc = ns_pcapfile_next(&src->file, &h, &data);
			if (rc == 0)
				return NS_END_EOF;
			if (rc == -1)
				return NS_END_ERROR;
			if (src->has_filter &&
			    !pcap_offline_filter(&src->filter, &h, data))
				continue;
			ns_source_packet((u_char *)src, &h, data);
		}
		ns_ring_flush(&src->ring);
	}
	return NS_END_STOP;
}

static enum ns_reader_end
ns_source_read(struct ns_source *src)
{
	int	 n;

	while (!atomic_load(&src->stop)) {
		n = pcap_dispatch(src->pcap, NS_BATCH, ns_source_packet,
		    (u_char *)src);
		ns_ring_flush(&src->ring);
		if (n == PCAP_ERROR_BREAK || atomic_load(&src->stop))
			return NS_END_STOP;
		if (n < 0)
			return NS_END_ERROR;
		if (src->is_file && n == 0)
			return NS_END_EOF;
		if (!src->is_file)
			ns_source_poll_live(src, n == 0);
	}
	return NS_END_STOP;
}

/*
 * Reader thread.  The state changes only after the counter and the
 * detectors have seen every frame, so a poller that reads endOfFile gets
 * final tables and events.
 */
static void *
ns_source_run(void *arg)
{
	struct ns_source	*src = arg;
	enum ns_reader_end	 end;
	struct timespec		 t0, t1;
	double			 secs;
	sigset_t		 poke;

	/* Only this thread takes SIGUSR1, from ns_source_stop(). */
	sigemptyset(&poke);
	sigaddset(&poke, SIGUSR1);
	pthread_sigmask(SIG_UNBLOCK, &poke, NULL);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	end = src->mapped ? ns_source_read_mapped(src) : ns_source_read(src);
	ns_ring_close(&src->ring);
	pthread_join(src->counter, NULL);
	pthread_join(src->detector, NULL);

	if (end == NS_END_ERROR)
		ns_source_read_error(src);
	else if (end == NS_END_EOF) {
		clock_gettime(CLOCK_MONOTONIC, &t1);
		secs = (double)(t1.tv_sec - t0.tv_sec) +
		    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
		pthread_mutex_lock(&src->detect_lock);
		ns_detect_finish(src->detect);
		pthread_mutex_unlock(&src->detect_lock);
		pthread_mutex_lock(&src->store.lock);
		src->store.state = NS_STATE_END_OF_FILE;
		pthread_mutex_unlock(&src->store.lock);
		ns_logq_post(LOG_NOTICE, "capture file %s: end of file "
		    "after %llu packets in %.3f s", src->name,
		    (unsigned long long)src->store.pkts, secs);
	}
	return NULL;
}

int
ns_source_start(struct ns_source *src)
{
	sigset_t	 all, old;
	int		 rc;

	/* Attached before the first frame, so the detectors see them all. */
	if (ns_detect_hashing(src->detect))
		ns_ring_attach(&src->ring);

	/* Signals go to the agent thread, which owns the main loop. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(&src->counter, NULL, ns_source_count, src);
	if (rc == 0) {
		rc = pthread_create(&src->detector, NULL, ns_source_detect,
		    src);
		if (rc != 0) {
			ns_ring_close(&src->ring);
			pthread_join(src->counter, NULL);
		}
	}
	if (rc == 0) {
		rc = pthread_create(&src->reader, NULL, ns_source_run, src);
		if (rc != 0) {
			ns_ring_close(&src->ring);
			pthread_join(src->counter, NULL);
			pthread_join(src->detector, NULL);
		}
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		errno = rc;
		return -1;
	}
	src->started = 1;
	return 0;
}

/*
 * pcap_breakloop() cannot end a read that blocks on a pipe or a FIFO.
 * SIGUSR1, whose handler does nothing and is installed without
 * SA_RESTART, makes that read fail with EINTR; it is sent again every
 * NS_STOP_POKE_MS in case it arrived just before the read began.
 */
#define NS_STOP_POKE_MS	100

static void
ns_source_poked(int sig)
{
}

void
ns_source_stop(struct ns_source *src)
{
	struct sigaction	 sa;
	struct timespec		 until;

	if (!src->started)
		return;
	atomic_store(&src->stop, 1);
	pcap_breakloop(src->pcap);

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = ns_source_poked;
	sigaction(SIGUSR1, &sa, NULL);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += NS_STOP_POKE_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		if (pthread_clockjoin_np(src->reader, NULL, CLOCK_MONOTONIC,
		    &until) == 0)
			break;
		pthread_kill(src->reader, SIGUSR1);
	}
	src->started = 0;
}

void
ns_source_close(struct ns_source *src)
{
	ns_source_stop(src);

	if (src->pcap != NULL)
		pcap_close(src->pcap);
	if (src->has_filter)
		pcap_freecode(&src->filter);
	ns_pcapfile_close(&src->file);
	src->pcap = NULL;
	ns_names_free(src->store.names);
	src->store.names = NULL;
	ns_store_free(&src->store);
	ns_ring_free(&src->ring);
	ns_detect_free(src->detect);
	src->detect = NULL;
	pthread_mutex_destroy(&src->detect_lock);
}
