/* netsentry: the names of alert kinds and severities. */
#include "config.h"

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
