/* netsentry: names, times and rate limits that every alert output uses. */
#include "config.h"

#include <stdio.h>
#include <time.h>

#include "alert.h"

const char *
ns_severity_name(int severity)
{
	switch (severity) {
	case NS_SEV_INFO:
		return "info";
	case NS_SEV_WARNING:
		return "warning";
	case NS_SEV_CRITICAL:
		return "critical";
	}
	return "unknown";
}

const char *
ns_alert_kind_name(int kind)
{
	switch (kind) {
	case NS_NOTE_STARTED:
		return "started";
	case NS_NOTE_GREW:
		return "grew";
	case NS_NOTE_ENDED:
		return "ended";
	case NS_ALERT_DIGEST:
		return "digest";
	}
	return "unknown";
}

void
ns_time_iso(int64_t sec, char *buf, size_t len)
{
	struct tm	 tm;
	time_t		 t = (time_t)sec;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "%lld", (long long)sec);
}

void
ns_bucket_fill(struct ns_bucket *b, uint32_t rate)
{
	b->tokens = rate;
	clock_gettime(CLOCK_MONOTONIC, &b->refilled);
}

int
ns_bucket_take(struct ns_bucket *b, uint32_t rate, uint32_t period)
{
	struct timespec	 now;
	double		 secs;

	if (rate == 0)
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &now);
	secs = (double)(now.tv_sec - b->refilled.tv_sec) +
	    (double)(now.tv_nsec - b->refilled.tv_nsec) / 1e9;
	b->refilled = now;
	b->tokens += secs * rate / period;
	if (b->tokens > rate)
		b->tokens = rate;
	if (b->tokens < 1)
		return 0;
	b->tokens -= 1;
	return 1;
}
