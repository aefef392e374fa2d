/*
 * netsentry: the mail spool.
 *
 * Every alert routed to mail is stored in spool.db under stateDir, and
 * the file synced, before any attempt to send it.  The mail thread sends
 * the oldest alert that is due and deletes it only after the SMTP server
 * accepted it, so a crash between the two sends it again, with the same
 * Message-ID.  A failed attempt waits an exponential backoff with jitter
 * (about 7 to 15 seconds after the first failure, doubling up to
 * mailRetryMax).  An alert older than mailGiveUpAfter is given up and
 * logged.  When the spool is full, the oldest alert of the lowest
 * severity goes first.
 *
 * One mutex guards the file, the index and the counters: the agent
 * thread adds alerts, the mail thread sends and removes them.  SMTP runs
 * with the mutex released.  Log lines go through the log queue, since
 * net-snmp's logging is not thread-safe.
 */
#include "config.h"

#include <errno.h>
#include <gdbm.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "logq.h"
#include "mail.h"
#include "spool.h"
#include "statefile.h"

#define NS_SPOOL_FILE		"spool.db"
#define NS_SPOOL_VERSION	1
#define NS_SPOOL_FIRST_RETRY	15	/* seconds, before jitter */
#define NS_SPOOL_MESSAGE_MAX	(64 * 1024)
#define NS_SPOOL_LOG_EVERY	60	/* seconds between failure lines */
#define NS_SPOOL_STOP_GRACE	2	/* seconds past the flush deadline */
#define NS_SPOOL_BAD_MAX	1024	/* damaged records deleted per start */

/* A record is this header and the alert in the daemon's memory layout. */
struct ns_spool_record {
	uint32_t	 version;
	uint32_t	 size;
	uint32_t	 attempts;
	int64_t		 next_try;	/* wall clock */
	struct ns_alert	 alert;
};

/* When a kind of log line last went out, and how many were left out. */
struct ns_log_limit {
	int64_t		 logged;
	uint32_t	 unlogged;
};

/* The fields that pick the next alert to send, kept out of the file. */
struct ns_spool_entry {
	uint64_t	 id;
	int64_t		 raised;
	int64_t		 next_try;
	uint32_t	 attempts;
	uint8_t		 severity;
};

static char		 ns_spool_meta[] = "next-id";

static struct {
	pthread_mutex_t		 lock;
	pthread_cond_t		 wake;
	pthread_t		 thread;
	int			 running;
	int			 stopping;
	int64_t			 deadline;	/* of the flush at stop */

	GDBM_FILE		 db;
	char			 path[PATH_MAX];
	uint64_t		 next_id;
	struct ns_spool_entry	*entries;
	size_t			 count;
	size_t			 cap;

	size_t			 max;
	uint32_t		 retry_max;
	uint32_t		 give_up;

	struct ns_mail_conf	*mail;		/* settings in force */
	struct ns_mail_conf	*in_use;	/* by the send under way */
	struct ns_mail_conf	*retired;	/* to free after it */

	struct ns_spool_stats	 stats;
	struct ns_log_limit	 failures;	/* of delivery attempts */
	struct ns_log_limit	 file_errors;	/* of spool.db */
} ns_spool = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.wake = PTHREAD_COND_INITIALIZER,
	.max = 1000,
	.retry_max = 600,
	.give_up = 3 * 86400,
};

static int64_t
ns_spool_now(void)
{
	return (int64_t)time(NULL);
}

static datum
ns_spool_key(uint64_t *id)
{
	datum	 k;

	k.dptr = (char *)id;
	k.dsize = sizeof(*id);
	return k;
}

/*
 * Post a log line unless one of the same kind went out within the last
 * NS_SPOOL_LOG_EVERY seconds: a full disk or a mail server that is down
 * fails every attempt, and one line per alert would flood the log.  The
 * next line counts what was left out.
 */
static void __attribute__((format(printf, 4, 5)))
ns_spool_log_limited(struct ns_log_limit *limit, int priority,
    const char *what, const char *fmt, ...)
{
	char		 text[768];
	va_list		 ap;
	int64_t		 now = ns_spool_now();

	if (now - limit->logged < NS_SPOOL_LOG_EVERY) {
		limit->unlogged++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	ns_logq_post(priority, "%s (%u more %s since the last such line)",
	    text, limit->unlogged, what);
	limit->logged = now;
	limit->unlogged = 0;
}

/* Log an error of spool.db, limited as above. */
static void __attribute__((format(printf, 1, 2)))
ns_spool_log_error(const char *fmt, ...)
{
	char	 text[512];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	ns_spool_log_limited(&ns_spool.file_errors, LOG_ERR,
	    "error(s) of the file", "mail spool %s: %s", ns_spool.path, text);
}

/*
 * After a failed write (a full disk, for example) gdbm refuses every
 * call until the file is recovered.  Recovery rewrites the file, which
 * a full disk does not allow, so then the file is opened again: reads
 * and deletes work, and deletes free room.
 */
static void
ns_spool_recover(void)
{
	GDBM_FILE	 db;

	if (gdbm_errno != GDBM_NEED_RECOVERY)
		return;
	if (gdbm_recover(ns_spool.db, NULL, GDBM_RCVR_FORCE) == 0) {
		ns_spool_log_error("recovered the file after a failed write");
		return;
	}
	gdbm_close(ns_spool.db);
	db = gdbm_open(ns_spool.path, 0, GDBM_WRITER | GDBM_CLOEXEC, 0600,
	    NULL);
	if (db == NULL) {
		ns_spool_log_error("cannot open the file again after a failed "
		    "write: %s; alerts are no longer spooled",
		    gdbm_strerror(gdbm_errno));
		ns_spool.db = NULL;
		return;
	}
	ns_spool.db = db;
	ns_spool_log_error("opened the file again after a failed write");
}

static int
ns_spool_record_valid(const datum *d)
{
	const struct ns_spool_record	*r = (const void *)d->dptr;

	return d->dptr != NULL && (size_t)d->dsize == sizeof(*r) &&
	    r->version == NS_SPOOL_VERSION && r->size == sizeof(r->alert);
}

static int
ns_spool_index_add(const struct ns_spool_record *r)
{
	struct ns_spool_entry	*e;
	size_t			 cap;

	if (ns_spool.count == ns_spool.cap) {
		cap = ns_spool.cap ? 2 * ns_spool.cap : 64;
		e = reallocarray(ns_spool.entries, cap, sizeof(*e));
		if (e == NULL)
			return -1;
		ns_spool.entries = e;
		ns_spool.cap = cap;
	}
	e = &ns_spool.entries[ns_spool.count++];
	e->id = r->alert.id;
	e->raised = r->alert.raised;
	e->next_try = r->next_try;
	e->attempts = r->attempts;
	e->severity = r->alert.severity;
	return 0;
}

static struct ns_spool_entry *
ns_spool_index_find(uint64_t id)
{
	size_t	 i;

	for (i = 0; i < ns_spool.count; i++)
		if (ns_spool.entries[i].id == id)
			return &ns_spool.entries[i];
	return NULL;
}

static void
ns_spool_index_remove(uint64_t id)
{
	struct ns_spool_entry	*e = ns_spool_index_find(id);

	if (e != NULL)
		*e = ns_spool.entries[--ns_spool.count];
}

static void
ns_spool_store_meta(void)
{
	datum	 k, v;

	if (ns_spool.db == NULL)
		return;
	k.dptr = ns_spool_meta;
	k.dsize = sizeof(ns_spool_meta) - 1;
	v.dptr = (char *)&ns_spool.next_id;
	v.dsize = sizeof(ns_spool.next_id);
	(void)gdbm_store(ns_spool.db, k, v, GDBM_REPLACE);
}

/*
 * An id counter far beyond what a daemon can use is damage, and taking
 * it would let ids wrap and Message-IDs repeat.
 */
#define NS_SPOOL_ID_MAX		(UINT64_C(1) << 62)

/*
 * One record of the file: the id counter, or an alert stored under its
 * own id.  Returns -1 for a record that is neither, to delete.
 */
static int
ns_spool_load_one(datum key, datum val)
{
	struct ns_spool_record	*r = (struct ns_spool_record *)val.dptr;
	uint64_t		 id;

	if ((size_t)key.dsize == sizeof(ns_spool_meta) - 1 &&
	    memcmp(key.dptr, ns_spool_meta, key.dsize) == 0) {
		if ((size_t)val.dsize != sizeof(id))
			return -1;
		memcpy(&id, val.dptr, sizeof(id));
		if (id >= NS_SPOOL_ID_MAX)
			return -1;
		if (id > ns_spool.next_id)
			ns_spool.next_id = id;
		return 0;
	}
	if ((size_t)key.dsize != sizeof(id) || !ns_spool_record_valid(&val))
		return -1;
	memcpy(&id, key.dptr, sizeof(id));
	if (id != r->alert.id || id >= NS_SPOOL_ID_MAX)
		return -1;

	/* Resumed alerts are tried at once. */
	r->next_try = 0;
	if (id >= ns_spool.next_id)
		ns_spool.next_id = id;
	return ns_spool_index_add(r) == -1 ? -1 : 0;
}

/* Delete the records that the scan of the file found damaged. */
static void
ns_spool_delete_keys(GDBM_FILE db, datum *keys, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		(void)gdbm_delete(db, keys[i]);
		free(keys[i].dptr);
	}
	if (n > 0) {
		gdbm_sync(db);
		ns_logq_post(LOG_WARNING, "mail spool %s: deleted %zu damaged "
		    "record(s)", ns_spool.path, n);
	}
}

static int
ns_spool_load(GDBM_FILE db)
{
	datum	 key, next, val, bad[NS_SPOOL_BAD_MAX];
	size_t	 nbad = 0;

	ns_spool.count = 0;
	for (key = gdbm_firstkey(db); key.dptr != NULL; key = next) {
		val = gdbm_fetch(db, key);
		next = gdbm_nextkey(db, key);
		if ((val.dptr == NULL || ns_spool_load_one(key, val) == -1) &&
		    nbad < NS_SPOOL_BAD_MAX)
			bad[nbad++] = key;
		else
			free(key.dptr);
		free(val.dptr);
	}
	if (gdbm_last_errno(db) != GDBM_NO_ERROR &&
	    gdbm_last_errno(db) != GDBM_ITEM_NOT_FOUND) {
		while (nbad > 0)
			free(bad[--nbad].dptr);
		return -1;
	}
	ns_spool_delete_keys(db, bad, nbad);
	ns_spool.stats.length = (uint32_t)ns_spool.count;
	if (ns_spool.count > 0)
		ns_logq_post(LOG_NOTICE, "mail spool %s: %zu alert(s) of earlier "
		    "runs wait for delivery", ns_spool.path, ns_spool.count);
	return 0;
}

int
ns_spool_open(const char *dir, char *err, size_t errlen)
{
	snprintf(ns_spool.path, sizeof(ns_spool.path), "%s/%s", dir,
	    NS_SPOOL_FILE);
	return ns_state_file_open(ns_spool.path, "the mail spool",
	    ns_spool_load, &ns_spool.db, err, errlen);
}

void
ns_spool_set_limits(size_t max, uint32_t retry_max, uint32_t give_up)
{
	pthread_mutex_lock(&ns_spool.lock);
	ns_spool.max = max;
	ns_spool.retry_max = retry_max;
	ns_spool.give_up = give_up;
	pthread_mutex_unlock(&ns_spool.lock);
}

void
ns_spool_set_mail(struct ns_mail_conf *conf)
{
	size_t	 i;

	pthread_mutex_lock(&ns_spool.lock);
	if (ns_spool.mail != NULL && ns_spool.mail == ns_spool.in_use) {
		ns_mail_conf_free(ns_spool.retired);
		ns_spool.retired = ns_spool.mail;
	} else
		ns_mail_conf_free(ns_spool.mail);
	ns_spool.mail = conf;

	/* New settings may fix what failed: try every alert again now. */
	for (i = 0; i < ns_spool.count; i++)
		ns_spool.entries[i].next_try = 0;
	pthread_cond_signal(&ns_spool.wake);
	pthread_mutex_unlock(&ns_spool.lock);
}

static void
ns_spool_sync(void)
{
	if (ns_spool.db != NULL)
		gdbm_sync(ns_spool.db);
}

static void
ns_spool_delete(uint64_t id)
{
	if (ns_spool.db != NULL && gdbm_delete(ns_spool.db, ns_spool_key(&id)) != 0 &&
	    gdbm_errno != GDBM_ITEM_NOT_FOUND) {
		ns_spool_log_error("cannot delete alert %llu: %s; if it was "
		    "sent, it is sent again after a restart",
		    (unsigned long long)id, gdbm_strerror(gdbm_errno));
		ns_spool_recover();
	}
	ns_spool_index_remove(id);
	ns_spool.stats.length = (uint32_t)ns_spool.count;
}

/* The entry that a full spool gives up first: lowest severity, oldest. */
static struct ns_spool_entry *
ns_spool_victim(void)
{
	struct ns_spool_entry	*e, *v = NULL;
	size_t			 i;

	for (i = 0; i < ns_spool.count; i++) {
		e = &ns_spool.entries[i];
		if (v == NULL || e->severity < v->severity ||
		    (e->severity == v->severity && e->id < v->id))
			v = e;
	}
	return v;
}

/* Make room for a; returns 0 when a itself is the one to drop. */
static int
ns_spool_make_room(const struct ns_alert *a)
{
	struct ns_spool_entry	*v;
	uint64_t		 id;

	while (ns_spool.count >= ns_spool.max) {
		v = ns_spool_victim();
		if (v == NULL || v->severity > a->severity) {
			ns_spool.stats.dropped++;
			ns_logq_post(LOG_WARNING, "mail spool full (%zu alerts, "
			    "mailSpoolSize): dropped the new %s alert about "
			    "event %u", ns_spool.count,
			    ns_severity_name(a->severity), a->ev.index);
			return 0;
		}
		id = v->id;
		ns_logq_post(LOG_WARNING, "mail spool full (%zu alerts, "
		    "mailSpoolSize): dropped alert %llu, the oldest of "
		    "severity %s", ns_spool.count, (unsigned long long)id,
		    ns_severity_name(v->severity));
		ns_spool_delete(id);
		ns_spool.stats.dropped++;
	}
	return 1;
}

void
ns_spool_put(const struct ns_alert *a)
{
	struct ns_spool_record	 r;
	datum			 val;

	pthread_mutex_lock(&ns_spool.lock);
	if (ns_spool.db == NULL || !ns_spool_make_room(a)) {
		pthread_mutex_unlock(&ns_spool.lock);
		return;
	}
	memset(&r, 0, sizeof(r));
	r.version = NS_SPOOL_VERSION;
	r.size = sizeof(r.alert);
	r.alert = *a;
	r.alert.id = ++ns_spool.next_id;
	val.dptr = (char *)&r;
	val.dsize = sizeof(r);
	ns_spool_store_meta();
	if (gdbm_store(ns_spool.db, ns_spool_key(&r.alert.id), val,
	    GDBM_REPLACE) != 0 || ns_spool_index_add(&r) == -1) {
		ns_spool.stats.dropped++;
		ns_spool_log_error("cannot write the alert about event %u: %s",
		    a->ev.index, gdbm_strerror(gdbm_errno));
		ns_spool_recover();
	}
	ns_spool_sync();
	ns_spool.stats.length = (uint32_t)ns_spool.count;
	pthread_cond_signal(&ns_spool.wake);
	pthread_mutex_unlock(&ns_spool.lock);
}

/* Remove the alerts older than mailGiveUpAfter. */
static void
ns_spool_expire(int64_t now)
{
	struct ns_spool_entry	*e;
	size_t			 i = 0;

	while (i < ns_spool.count) {
		e = &ns_spool.entries[i];
		if (now - e->raised <= (int64_t)ns_spool.give_up) {
			i++;
			continue;
		}
		ns_logq_post(LOG_ERR, "mail spool: gave up alert %llu after %u "
		    "attempt(s) in %lld s (mailGiveUpAfter %u)",
		    (unsigned long long)e->id, e->attempts,
		    (long long)(now - e->raised), ns_spool.give_up);
		ns_spool.stats.dropped++;
		ns_spool_delete(e->id);
	}
}

/* The oldest due alert, and when the next one falls due otherwise. */
static struct ns_spool_entry *
ns_spool_due(int64_t now, int64_t *next)
{
	struct ns_spool_entry	*e, *due = NULL;
	size_t			 i;

	*next = now + 60;
	for (i = 0; i < ns_spool.count; i++) {
		e = &ns_spool.entries[i];
		if (e->next_try > now) {
			if (e->next_try < *next)
				*next = e->next_try;
			continue;
		}
		if (due == NULL || e->id < due->id)
			due = e;
	}
	return due;
}

/* Backoff after attempt n: 15 s doubling, capped, then 50-100 %. */
static int64_t
ns_spool_backoff(uint32_t attempts)
{
	uint64_t	 delay = NS_SPOOL_FIRST_RETRY;

	while (attempts-- > 1 && delay < ns_spool.retry_max)
		delay *= 2;
	if (delay > ns_spool.retry_max)
		delay = ns_spool.retry_max;
	return (int64_t)(delay / 2 + arc4random_uniform(
	    (uint32_t)(delay - delay / 2) + 1));
}

/* Record what became of one attempt; called with the lock held. */
static void
ns_spool_result(uint64_t id, int sent, const char *err)
{
	struct ns_spool_entry	*e = ns_spool_index_find(id);
	int64_t			 wait;

	if (e == NULL)
		return;			/* dropped while it was sent */
	e->attempts++;
	if (sent) {
		ns_logq_post(LOG_INFO, "mail for alert %llu accepted by the SMTP "
		    "server after %u attempt(s)%s%s", (unsigned long long)id,
		    e->attempts, err[0] != '\0' ? "; " : "", err);
		ns_spool.stats.sent++;
		ns_spool_delete(id);
		ns_spool_sync();
		return;
	}
	ns_spool.stats.failed++;
	wait = ns_spool_backoff(e->attempts);
	e->next_try = ns_spool_now() + wait;
	ns_spool_log_limited(&ns_spool.failures, LOG_WARNING, "failure(s)",
	    "mail for alert %llu not sent (attempt %u): %s; it stays in the "
	    "spool, next attempt in %lld s", (unsigned long long)e->id,
	    e->attempts, err, (long long)wait);
}

/* Send one alert with the lock released; returns 1 when accepted. */
static int
ns_spool_send(const struct ns_alert *a, struct ns_mail_conf *mail,
    char *err, size_t errlen)
{
	static char	 msg[NS_SPOOL_MESSAGE_MAX];
	size_t		 len;
	int		 sent;

	pthread_mutex_unlock(&ns_spool.lock);
	len = ns_mail_compose(mail, a, time(NULL), msg, sizeof(msg));
	if (len == 0) {
		snprintf(err, errlen, "the message does not fit in %d bytes",
		    NS_SPOOL_MESSAGE_MAX);
		sent = 0;
	} else
		sent = ns_mail_send(mail, msg, len, err, errlen) == 0;
	pthread_mutex_lock(&ns_spool.lock);
	return sent;
}

/*
 * Read alert id.  Returns 1 when it was read, 0 when its record is
 * missing or damaged, -1 when gdbm failed and the record may be fine.
 */
static int
ns_spool_fetch(uint64_t id, struct ns_alert *a)
{
	datum	 val;
	int	 ok;

	if (ns_spool.db == NULL)
		return -1;
	val = gdbm_fetch(ns_spool.db, ns_spool_key(&id));
	if (val.dptr == NULL && gdbm_errno != GDBM_ITEM_NOT_FOUND) {
		ns_spool_recover();
		return -1;
	}
	ok = ns_spool_record_valid(&val);
	if (ok)
		*a = ((struct ns_spool_record *)(void *)val.dptr)->alert;
	free(val.dptr);
	return ok;
}

static void
ns_spool_wait(int64_t until)
{
	struct timespec	 ts;

	ts.tv_sec = (time_t)until;
	ts.tv_nsec = 0;
	pthread_cond_timedwait(&ns_spool.wake, &ns_spool.lock, &ts);
}

/* Deliver one due alert; returns 0 when none was due. */
static int
ns_spool_deliver_one(int64_t now, int64_t *next)
{
	static struct ns_alert	 a;
	struct ns_spool_entry	*e;
	struct ns_mail_conf	*mail;
	char			 err[512];
	uint64_t		 id;
	int			 sent;

	if ((e = ns_spool_due(now, next)) == NULL || ns_spool.mail == NULL)
		return 0;
	id = e->id;
	switch (ns_spool_fetch(id, &a)) {
	case -1:
		ns_spool_result(id, 0, "cannot read it from the spool file");
		return 1;
	case 0:
		ns_logq_post(LOG_ERR, "mail spool %s: alert %llu is unreadable; "
		    "removed it", ns_spool.path, (unsigned long long)id);
		ns_spool.stats.dropped++;
		ns_spool_delete(id);
		return 1;
	}
	mail = ns_spool.in_use = ns_spool.mail;
	err[0] = '\0';
	sent = ns_spool_send(&a, mail, err, sizeof(err));
	ns_spool.in_use = NULL;
	ns_mail_conf_free(ns_spool.retired);
	ns_spool.retired = NULL;
	ns_spool_result(id, sent, err);
	return 1;
}

static void *
ns_spool_main(void *arg)
{
	int64_t	 now, next;

	pthread_mutex_lock(&ns_spool.lock);
	for (;;) {
		now = ns_spool_now();
		if (ns_spool.stopping && now >= ns_spool.deadline)
			break;
		ns_spool_expire(now);
		if (ns_spool_deliver_one(now, &next))
			continue;
		if (ns_spool.stopping)
			break;
		ns_spool_wait(next);
	}
	pthread_mutex_unlock(&ns_spool.lock);
	return NULL;
}

int
ns_spool_start(void)
{
	if (ns_spool.db == NULL)
		return 0;
	errno = pthread_create(&ns_spool.thread, NULL, ns_spool_main, NULL);
	if (errno != 0)
		return -1;
	ns_spool.running = 1;
	return 0;
}

/*
 * Wait for the mail thread until the flush deadline and a grace period
 * have passed.  Returns -1 when it is still inside an SMTP session, for
 * example with a server that stopped answering.
 */
static int
ns_spool_join(unsigned flush)
{
	struct timespec	 until;

	if (!ns_spool.running)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += (time_t)flush + NS_SPOOL_STOP_GRACE;
	if (pthread_clockjoin_np(ns_spool.thread, NULL, CLOCK_MONOTONIC,
	    &until) != 0)
		return -1;
	ns_spool.running = 0;
	return 0;
}

void
ns_spool_stop(unsigned flush)
{
	size_t	 i;

	pthread_mutex_lock(&ns_spool.lock);
	for (i = 0; i < ns_spool.count; i++)
		ns_spool.entries[i].next_try = 0;
	ns_spool.stopping = 1;
	ns_spool.deadline = ns_spool_now() + flush;
	pthread_cond_signal(&ns_spool.wake);
	pthread_mutex_unlock(&ns_spool.lock);

	/*
	 * The thread touches the file only under the lock.  Holding it for
	 * good keeps a late session from writing while the process exits,
	 * and the file was synced after its last change.
	 */
	if (ns_spool_join(flush) == -1) {
		pthread_mutex_lock(&ns_spool.lock);
		ns_logq_post(LOG_WARNING, "mail spool %s: a delivery was still "
		    "under way %u s after the stop began; its alert and %zu "
		    "in all stay in the spool for the next start",
		    ns_spool.path, flush + NS_SPOOL_STOP_GRACE,
		    ns_spool.count);
		return;
	}
	if (ns_spool.db == NULL)
		return;
	if (ns_spool.count > 0)
		ns_logq_post(LOG_NOTICE, "mail spool %s: %zu alert(s) wait for "
		    "the next start", ns_spool.path, ns_spool.count);
	gdbm_sync(ns_spool.db);
	gdbm_close(ns_spool.db);
	ns_spool.db = NULL;
}

void
ns_spool_stats(struct ns_spool_stats *st)
{
	int64_t	 oldest = 0;
	size_t	 i;

	pthread_mutex_lock(&ns_spool.lock);
	*st = ns_spool.stats;
	for (i = 0; i < ns_spool.count; i++)
		if (oldest == 0 || ns_spool.entries[i].raised < oldest)
			oldest = ns_spool.entries[i].raised;
	st->oldest_age = oldest == 0 ? 0 :
	    (uint32_t)(ns_spool_now() - oldest);
	pthread_mutex_unlock(&ns_spool.lock);
}
