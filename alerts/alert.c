/* netsentry: names and times that every alert output writes. */
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
