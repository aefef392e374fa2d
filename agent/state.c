/*
 * netsentry: state kept across restarts in gdbm files under stateDir.
 *
 * events.db keeps nsEventTable: one record per event, keyed by its
 * index.  The agent thread writes the events that changed once a
 * second and when a notification is queued, then syncs the file, so a
 * crash loses at most the last second.  gdbm locks the file for its
 * writer, which keeps a second netsentryd from sharing the directory.
 */
#include "config.h"

#include <errno.h>
#include <gdbm.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "event.h"
#include "state.h"
#include "statefile.h"

#define NS_STATE_EVENTS		"events.db"
#define NS_STATE_BATCH		256

/*
 * A record is this header and the event in the daemon's memory layout.
 * The file belongs to one machine and one build, so a record whose size
 * or version differs is skipped.
 */
#define NS_STATE_VERSION	1

struct ns_state_record {
	uint32_t	 version;
	uint32_t	 size;
	struct ns_event	 ev;
};

static GDBM_FILE	 ns_state_events;
static char		 ns_state_path[PATH_MAX];
static size_t		 ns_state_history;	/* eventHistory */

static GDBM_FILE
ns_state_try(const char *path)
{
	return gdbm_open(path, 0, GDBM_WRCREAT | GDBM_CLOEXEC, 0600, NULL);
}

/*
 * Move a file gdbm cannot read aside, so a new one can be made.
 * contents names what the file keeps, for the log line.
 */
static int
ns_state_move_aside(const char *path, const char *why, const char *contents)
{
	char	 aside[PATH_MAX + 32];

	snprintf(aside, sizeof(aside), "%s.corrupt.%lld", path,
	    (long long)time(NULL));
	if (rename(path, aside) == -1) {
		snmp_log(LOG_ERR, "state file %s is unreadable (%s) and "
		    "cannot be moved aside: %s\n", path, why, strerror(errno));
		return -1;
	}
	snmp_log(LOG_WARNING, "state file %s is unreadable (%s): moved it "
	    "to %s and started a new one; %s of earlier runs is in that "
	    "file\n", path, why, aside, contents);
	return 0;
}

static int
ns_state_record_valid(const datum *d)
{
	const struct ns_state_record	*r = (const void *)d->dptr;

	return d->dptr != NULL && (size_t)d->dsize == sizeof(*r) &&
	    r->version == NS_STATE_VERSION && r->size == sizeof(r->ev);
}

static int
ns_state_index_cmp(const void *a, const void *b)
{
	const struct ns_event	*x = a, *y = b;

	return x->index < y->index ? -1 : x->index > y->index;
}

/*
 * Read every event of the file and restore them in index order.
 * Returns -1 when gdbm fails while reading, which means a damaged file.
 */
static int
ns_state_load(GDBM_FILE db)
{
	struct ns_event	*evs = NULL, *more;
	size_t		 n = 0, cap = 0, kept = 0, i;
	datum		 key, next, val;

	for (key = gdbm_firstkey(db); key.dptr != NULL;
	    key = next) {
		val = gdbm_fetch(db, key);
		if (ns_state_record_valid(&val)) {
			if (n == cap) {
				cap = cap ? 2 * cap : 256;
				if ((more = reallocarray(evs, cap,
				    sizeof(*evs))) == NULL)
					break;
				evs = more;
			}
			evs[n++] = ((struct ns_state_record *)val.dptr)->ev;
		}
		free(val.dptr);
		next = gdbm_nextkey(db, key);
		free(key.dptr);
	}
	if (gdbm_last_errno(db) != GDBM_NO_ERROR &&
	    gdbm_last_errno(db) != GDBM_ITEM_NOT_FOUND) {
		free(evs);
		return -1;
	}

	qsort(evs, n, sizeof(*evs), ns_state_index_cmp);
	for (i = 0; i < n; i++)
		kept += ns_events_restore(&evs[i]);
	free(evs);
	snmp_log(LOG_INFO, "state file %s: restored %zu event(s) of earlier "
	    "runs\n", ns_state_path, kept);
	return 0;
}

int
ns_state_file_open(const char *path, const char *contents,
    int (*load)(GDBM_FILE), GDBM_FILE *dbp, char *err, size_t errlen)
{
	for (int attempt = 0; attempt < 2; attempt++) {
		*dbp = ns_state_try(path);
		if (*dbp == NULL && gdbm_errno == GDBM_CANT_BE_WRITER) {
			snprintf(err, errlen, "state file %s is locked by "
			    "another running netsentryd: give each instance "
			    "its own stateDir", path);
			return -1;
		}
		if (*dbp == NULL && (gdbm_errno == GDBM_FILE_OPEN_ERROR ||
		    gdbm_errno == GDBM_FILE_WRITE_ERROR)) {
			snprintf(err, errlen, "cannot open state file %s: %s; "
			    "check that stateDir exists and that the daemon's "
			    "user may write there", path, strerror(errno));
			return -1;
		}
		if (*dbp != NULL && load(*dbp) == 0)
			return 0;

		/* The file exists but gdbm cannot use it. */
		if (*dbp != NULL) {
			gdbm_close(*dbp);
			*dbp = NULL;
		}
		if (attempt > 0 || ns_state_move_aside(path,
		    gdbm_strerror(gdbm_errno), contents) == -1)
			break;
	}
	snprintf(err, errlen, "cannot use state file %s: %s", path,
	    gdbm_strerror(gdbm_errno));
	return -1;
}

int
ns_state_open(const char *dir, size_t history, char *err, size_t errlen)
{
	ns_state_history = history;
	snprintf(ns_state_path, sizeof(ns_state_path), "%s/%s", dir,
	    NS_STATE_EVENTS);
	return ns_state_file_open(ns_state_path, "the event history",
	    ns_state_load, &ns_state_events, err, errlen);
}

/* Delete the record that event index pushes out of the history. */
static void
ns_state_forget(uint32_t index)
{
	uint32_t	 old;
	datum		 key;

	if (index <= ns_state_history)
		return;
	old = index - (uint32_t)ns_state_history;
	key.dptr = (char *)&old;
	key.dsize = sizeof(old);
	(void)gdbm_delete(ns_state_events, key);
}

/* Write one event; returns -1 when gdbm fails. */
static int
ns_state_store(const struct ns_event *ev)
{
	struct ns_state_record	 r;
	uint32_t		 index = ev->index;
	datum			 key, val;

	memset(&r, 0, sizeof(r));
	r.version = NS_STATE_VERSION;
	r.size = sizeof(r.ev);
	r.ev = *ev;
	key.dptr = (char *)&index;
	key.dsize = sizeof(index);
	val.dptr = (char *)&r;
	val.dsize = sizeof(r);
	ns_state_forget(index);
	return gdbm_store(ns_state_events, key, val, GDBM_REPLACE) == 0 ?
	    0 : -1;
}

/*
 * Write the events that changed.  A failing disk fails every write, so
 * one line per call counts the failures instead of one line per event.
 */
void
ns_state_save(void)
{
	static struct ns_event	 evs[NS_STATE_BATCH];
	size_t			 n, i, stored = 0, failed = 0;
	uint32_t		 first = 0;

	if (ns_state_events == NULL)
		return;
	while ((n = ns_events_collect(evs, NS_STATE_BATCH)) > 0) {
		for (i = 0; i < n; i++) {
			if (ns_state_store(&evs[i]) == 0) {
				stored++;
				continue;
			}
			if (failed++ == 0)
				first = evs[i].index;
		}
	}
	if (failed > 0)
		snmp_log(LOG_ERR, "cannot write %zu event(s) to %s, the first "
		    "event %u: %s\n", failed, ns_state_path, first,
		    gdbm_strerror(gdbm_errno));
	if (stored > 0)
		gdbm_sync(ns_state_events);
}

void
ns_state_close(void)
{
	if (ns_state_events == NULL)
		return;
	ns_state_save();
	gdbm_close(ns_state_events);
	ns_state_events = NULL;
}
