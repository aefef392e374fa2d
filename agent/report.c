/*
 * netsentry: the offline report of --report, printed once every capture
 * file has been read: the capture, IP host and IP matrix tables of each
 * data source, then the events, as text for a person or as JSON for a
 * script.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "event.h"
#include "report.h"

static void
ns_report_key(const uint8_t *key, char *buf, size_t len)
{
	struct ns_addr	 a;

	memcpy(a.key, key, NS_IPKEY_LEN);
	a.plen = key[0] == NS_INET_IPV4 ? 32 : 128;
	ns_addr_format(&a, buf, len);
}

static void
ns_report_time(uint32_t sec, uint8_t tenths, char *buf, size_t len)
{
	time_t		 t = sec;
	struct tm	 tm;

	gmtime_r(&t, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%uZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, tenths % 10);
}

/* JSON string: every byte outside printable ASCII is escaped. */
static void
ns_report_json_str(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(fp, "\\%c", *s);
		else if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			fprintf(fp, "\\u%04x", (unsigned char)*s);
		else
			fputc(*s, fp);
	}
	fputc('"', fp);
}

static void
ns_report_text_source(FILE *fp, struct ns_source *src)
{
	struct ns_store		*st = &src->store;
	struct ns_entry		*e;
	struct ns_ip_host	*h;
	struct ns_ip_pair	*p;
	char			 a[INET6_ADDRSTRLEN + 8], b[sizeof(a)];

	fprintf(fp, "data source %u: %s\n", src->index, src->name);
	fprintf(fp, "  packets %llu  octets %llu  malformed %llu  "
	    "undecoded %llu\n\n", (unsigned long long)st->pkts,
	    (unsigned long long)st->octets, (unsigned long long)st->malformed,
	    (unsigned long long)st->undecoded);

	fprintf(fp, "  %-39s %10s %10s %12s %12s %8s %6s\n", "IP host",
	    "in pkts", "out pkts", "in octets", "out octets", "SYNs",
	    "failed");
	for (e = ns_table_first(&st->ip_hosts); e != NULL;
	    e = ns_table_next(&st->ip_hosts, e)) {
		h = (struct ns_ip_host *)e;
		ns_report_key(e->key, a, sizeof(a));
		fprintf(fp, "  %-39s %10llu %10llu %12llu %12llu %8llu %6u\n",
		    a, (unsigned long long)h->in_pkts,
		    (unsigned long long)h->out_pkts,
		    (unsigned long long)h->in_octets,
		    (unsigned long long)h->out_octets,
		    (unsigned long long)h->syns_sent, h->contacts_failed);
	}

	fprintf(fp, "\n  %-39s %-39s %10s %12s\n", "IP source", "destination",
	    "pkts", "octets");
	for (e = ns_table_first(&st->ip_pairs); e != NULL;
	    e = ns_table_next(&st->ip_pairs, e)) {
		p = (struct ns_ip_pair *)e;
		ns_report_key(e->key, a, sizeof(a));
		ns_report_key(e->key + NS_IPKEY_LEN, b, sizeof(b));
		fprintf(fp, "  %-39s %-39s %10llu %12llu\n", a, b,
		    (unsigned long long)p->pkts,
		    (unsigned long long)p->octets);
	}
	fputc('\n', fp);
}

static void
ns_report_text_events(FILE *fp)
{
	struct ns_event	 ev;
	char		 from[INET6_ADDRSTRLEN + 8], to[sizeof(from)];
	char		 start[40];
	uint32_t	 idx = 0;
	int		 n = 0;

	fprintf(fp, "events\n");
	while (ns_events_find(idx, 1, &ev)) {
		idx = ev.index;
		n++;
		ns_addr_format(&ev.attacker, from, sizeof(from));
		ns_addr_format(&ev.target, to, sizeof(to));
		ns_report_time(ev.start_sec, ev.start_tenths, start,
		    sizeof(start));
		fprintf(fp, "  %u %s %s %s -> %s port %u packets %llu: %s\n",
		    ev.index, start, ns_event_type_name(ev.type),
		    ev.attacker.key[0] ? from : "(several)", to, ev.port,
		    (unsigned long long)ev.packets, ev.descr);
	}
	if (n == 0)
		fprintf(fp, "  none\n");
}

static void
ns_report_json_event(FILE *fp, const struct ns_event *ev)
{
	char	 from[INET6_ADDRSTRLEN + 8], to[sizeof(from)], t[40];

	ns_addr_format(&ev->attacker, from, sizeof(from));
	ns_addr_format(&ev->target, to, sizeof(to));
	fprintf(fp, "{\"index\":%u,\"source\":%u,\"type\":\"%s\","
	    "\"state\":\"%s\",", ev->index, ev->source,
	    ns_event_type_name(ev->type),
	    ev->state == NS_EVS_ACTIVE ? "active" : "ended");
	ns_report_time(ev->start_sec, ev->start_tenths, t, sizeof(t));
	fprintf(fp, "\"start\":\"%s\",", t);
	ns_report_time(ev->last_sec, ev->last_tenths, t, sizeof(t));
	fprintf(fp, "\"last\":\"%s\",\"attacker\":", t);
	if (ev->attacker.key[0])
		ns_report_json_str(fp, from);
	else
		fputs("null", fp);
	fputs(",\"target\":", fp);
	ns_report_json_str(fp, to);
	fprintf(fp, ",\"targetPrefix\":%u,\"port\":%u,\"ports\":%u,"
	    "\"targets\":%u,\"sources\":%u,\"packets\":%llu,\"peakRate\":%u,"
	    "\"probes\":%u,\"probe\":\"%s\",\"shape\":\"%s\",\"description\":",
	    ev->target.plen, ev->port, ev->ports, ev->targets, ev->sources,
	    (unsigned long long)ev->packets, ev->peak_rate, ev->probes,
	    ns_probe_kind_name(ev->probe), ns_scan_shape_name(ev->shape));
	ns_report_json_str(fp, ev->descr);
	fputc('}', fp);
}

static void
ns_report_json_source(FILE *fp, struct ns_source *src)
{
	struct ns_store		*st = &src->store;
	struct ns_entry		*e;
	struct ns_ip_host	*h;
	struct ns_ip_pair	*p;
	char			 a[INET6_ADDRSTRLEN + 8], b[sizeof(a)];
	const char		*sep = "";

	fprintf(fp, "{\"index\":%u,\"name\":", src->index);
	ns_report_json_str(fp, src->name);
	fprintf(fp, ",\"packets\":%llu,\"octets\":%llu,\"malformed\":%llu,"
	    "\"undecoded\":%llu,\"ipHosts\":[", (unsigned long long)st->pkts,
	    (unsigned long long)st->octets, (unsigned long long)st->malformed,
	    (unsigned long long)st->undecoded);
	for (e = ns_table_first(&st->ip_hosts); e != NULL;
	    e = ns_table_next(&st->ip_hosts, e), sep = ",") {
		h = (struct ns_ip_host *)e;
		ns_report_key(e->key, a, sizeof(a));
		fprintf(fp, "%s{\"address\":\"%s\",\"inPkts\":%llu,"
		    "\"outPkts\":%llu,\"inOctets\":%llu,\"outOctets\":%llu,"
		    "\"synsSent\":%llu,\"failedContacts\":%u,"
		    "\"eventsAsAttacker\":%u,\"eventsAsTarget\":%u}", sep, a,
		    (unsigned long long)h->in_pkts,
		    (unsigned long long)h->out_pkts,
		    (unsigned long long)h->in_octets,
		    (unsigned long long)h->out_octets,
		    (unsigned long long)h->syns_sent, h->contacts_failed,
		    h->events_attacker, h->events_target);
	}
	fputs("],\"ipMatrix\":[", fp);
	sep = "";
	for (e = ns_table_first(&st->ip_pairs); e != NULL;
	    e = ns_table_next(&st->ip_pairs, e), sep = ",") {
		p = (struct ns_ip_pair *)e;
		ns_report_key(e->key, a, sizeof(a));
		ns_report_key(e->key + NS_IPKEY_LEN, b, sizeof(b));
		fprintf(fp, "%s{\"source\":\"%s\",\"destination\":\"%s\","
		    "\"pkts\":%llu,\"octets\":%llu}", sep, a, b,
		    (unsigned long long)p->pkts,
		    (unsigned long long)p->octets);
	}
	fputs("]}", fp);
}

void
ns_report(FILE *fp, int json)
{
	struct ns_event	 ev;
	uint32_t	 idx = 0;
	size_t		 i;
	const char	*sep = "";

	if (!json) {
		for (i = 0; i < ns_nsources; i++)
			ns_report_text_source(fp, &ns_sources[i]);
		ns_report_text_events(fp);
		return;
	}
	fputs("{\"sources\":[", fp);
	for (i = 0; i < ns_nsources; i++) {
		fputs(i > 0 ? "," : "", fp);
		ns_report_json_source(fp, &ns_sources[i]);
	}
	fputs("],\"events\":[", fp);
	while (ns_events_find(idx, 1, &ev)) {
		idx = ev.index;
		fputs(sep, fp);
		ns_report_json_event(fp, &ev);
		sep = ",";
	}
	fputs("]}\n", fp);
}

/*
 * Wait until every source has read its file.  On a terminal, one line
 * is rewritten with the packets read so far.
 */
void
ns_report_wait(void)
{
	int		 tty = isatty(STDERR_FILENO), running;
	unsigned long long pkts;
	size_t		 i;
	struct timespec	 pause = { 0, 200 * 1000000L };

	do {
		nanosleep(&pause, NULL);
		running = 0;
		pkts = 0;
		for (i = 0; i < ns_nsources; i++) {
			pthread_mutex_lock(&ns_sources[i].store.lock);
			if (ns_sources[i].store.state == NS_STATE_RUNNING)
				running++;
			pkts += ns_sources[i].store.pkts;
			pthread_mutex_unlock(&ns_sources[i].store.lock);
		}
		if (tty)
			fprintf(stderr, "\rnetsentryd: %llu packets read, "
			    "%d file(s) to go ", pkts, running);
	} while (running > 0);
	if (tty)
		fputc('\n', stderr);
}
