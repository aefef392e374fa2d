/* netsentry: an alert, the unit that the alert outputs deliver. */
#ifndef NS_ALERT_H
#define NS_ALERT_H

#include <stdint.h>
#include <time.h>

#include "event.h"

/* Alert severities, lowest first; a full spool drops low ones first. */
enum ns_severity {
	NS_SEV_INFO = 1,
	NS_SEV_WARNING,
	NS_SEV_CRITICAL
};

/*
 * Alert kinds: the event note kinds of event.h, and this one, a digest
 * of the alerts that an output's rate limit held back.
 */
#define NS_ALERT_DIGEST		4

/* A learned name: the 253 characters of a DNS name and the NUL. */
#define NS_ALERT_NAME		256

struct ns_alert {
	uint64_t	 id;		/* spool key, unique, never reused */
	uint8_t		 kind;		/* ns_note_kind or NS_ALERT_DIGEST */
	uint8_t		 severity;	/* enum ns_severity */
	int64_t		 raised;	/* wall-clock seconds since the epoch */
	struct ns_event	 ev;		/* the event as it was then */

	/* Names learned from DNS answers, "" when none is known. */
	char		 attacker_name[NS_ALERT_NAME];
	char		 target_name[NS_ALERT_NAME];

	/* A digest: alerts held back since suppressed_since, by type. */
	uint32_t	 suppressed;
	uint32_t	 suppressed_by_type[NS_EV_TYPES];
	int64_t		 suppressed_since;
};

const char	*ns_severity_name(int severity);
const char	*ns_alert_kind_name(int kind);

/*
 * A token bucket that contains at most rate tokens and gains rate tokens
 * per period seconds, evenly.  The rate limits of every output use one.
 */
struct ns_bucket {
	double		 tokens;
	struct timespec	 refilled;	/* CLOCK_MONOTONIC */
};

/* Fill the bucket: a full period's worth is available at once. */
void		 ns_bucket_fill(struct ns_bucket *, uint32_t rate);

/* Take a token.  Returns 0 when none is left; a rate of 0 never limits. */
int		 ns_bucket_take(struct ns_bucket *, uint32_t rate,
		    uint32_t period);

/* Format a time in UTC as 2026-12-04T21:03:25Z. */
void		 ns_time_iso(int64_t sec, char *buf, size_t len);

#endif /* NS_ALERT_H */
