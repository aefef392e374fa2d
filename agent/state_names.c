/*
 * netsentry: host names kept across restarts in names.db under stateDir.
 *
 * A record maps an address, in the IP key form of tables.h, to the name
 * that a DNS response last gave it and the packet time of that response.
 * Names are keyed by address only, because the name of an address does
 * not depend on the interface it was seen on, and because the data
 * sources may be numbered differently in the next run.  At start-up
 * every data source's cache gets every name.  When two data sources
 * learn different names for one address, the file keeps the one written
 * last.
 *
 * The agent thread writes the names that changed once a second, so a
 * crash loses at most the last second.  The file keeps the dnsCacheSize
 * names with the newest times.  While the daemon runs it may grow by an
 * eighth past that before the oldest records are deleted, so that a
 * full file is not scanned on every write.
 */
#include "config.h"

#include <gdbm.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "daemon.h"
#include "dns.h"
#include "state.h"
#include "statefile.h"

#define NS_NAMES_FILE		"names.db"
#define NS_NAMES_VERSION	1
#define NS_NAMES_BATCH		256

/*
 * The value of a record: this header and the name without its NUL.  The
 * file belongs to one machine, so the integers are in host order.
 */
struct names_value {
	uint32_t	 version;
	uint32_t	 last_seen;	/* packet time, seconds */
	char		 name[NS_DNS_NAME_SIZE - 1];
};

#define NAMES_VALUE_HDR		offsetof(struct names_value, name)

/* One record read from the file. */
struct names_entry {
	datum		 key;		/* as gdbm returned it */
	uint32_t	 last_seen;
	char		*name;		/* NULL: invalid or deleted */
};

struct names_list {
	struct names_entry	*v;
	size_t			 n;
	size_t			 cap;
};

static GDBM_FILE		 names_db;
static char			 names_path[PATH_MAX];
static size_t			 names_max;	/* dnsCacheSize */
static size_t			 names_count;	/* valid records in the file */
static struct names_list	 names_loaded;	/* until restored */

/* Every octet of a stored name is one that ns_dns_parse() writes. */
static int
names_valid_text(const char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
		    s[i] == '_' || s[i] == '.' || s[i] == '?'))
			return 0;
	return 1;
}

/* Fill e from a record, or leave e->name NULL when it is invalid. */
static void
names_parse(const datum *key, const datum *val, struct names_entry *e)
{
	struct names_value	 v;
	size_t			 len;

	e->key = *key;
	e->last_seen = 0;
	e->name = NULL;
	if (key->dsize != NS_IPKEY_LEN || val->dptr == NULL ||
	    (size_t)val->dsize < NAMES_VALUE_HDR ||
	    (size_t)val->dsize > sizeof(v))
		return;
	memcpy(&v, val->dptr, (size_t)val->dsize);
	len = (size_t)val->dsize - NAMES_VALUE_HDR;
	if (v.version != NS_NAMES_VERSION || !names_valid_text(v.name, len))
		return;
	if ((e->name = malloc(len + 1)) == NULL)
		return;
	memcpy(e->name, v.name, len);
	e->name[len] = '\0';
	e->last_seen = v.last_seen;
}

static int
names_list_add(struct names_list *l, const struct names_entry *e)
{
	struct names_entry	*more;
	size_t			 cap;

	if (l->n == l->cap) {
		cap = l->cap ? 2 * l->cap : 256;
		if ((more = reallocarray(l->v, cap, sizeof(*more))) == NULL)
			return -1;
		l->v = more;
		l->cap = cap;
	}
	l->v[l->n++] = *e;
	return 0;
}

static void
names_list_free(struct names_list *l)
{
	size_t	 i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].key.dptr);
		free(l->v[i].name);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/*
 * Read every record of db into l.  Returns -1 when gdbm fails while
 * reading, which means a damaged file.  Out of memory ends the read
 * early with a log line.
 */
static int
names_read(GDBM_FILE db, struct names_list *l)
{
	struct names_entry	 e;
	datum			 key, next, val;

	for (key = gdbm_firstkey(db); key.dptr != NULL; key = next) {
		val = gdbm_fetch(db, key);
		names_parse(&key, &val, &e);
		free(val.dptr);
		next = gdbm_nextkey(db, key);
		if (names_list_add(l, &e) == -1) {
			free(e.name);
			free(key.dptr);
			free(next.dptr);
			snmp_log(LOG_ERR, "out of memory while reading %s: "
			    "read %zu names\n", names_path, l->n);
			return 0;
		}
	}
	if (gdbm_last_errno(db) != GDBM_NO_ERROR &&
	    gdbm_last_errno(db) != GDBM_ITEM_NOT_FOUND) {
		names_list_free(l);
		return -1;
	}
	return 0;
}

/* Invalid records first, then the oldest, then by address. */
static int
names_entry_cmp(const void *a, const void *b)
{
	const struct names_entry	*x = a, *y = b;

	if ((x->name == NULL) != (y->name == NULL))
		return x->name == NULL ? -1 : 1;
	if (x->last_seen != y->last_seen)
		return x->last_seen < y->last_seen ? -1 : 1;
	if (x->key.dsize != y->key.dsize)
		return x->key.dsize < y->key.dsize ? -1 : 1;
	return memcmp(x->key.dptr, y->key.dptr, (size_t)x->key.dsize);
}

/*
 * Delete the invalid records and all but the keep newest valid ones
 * from the file, and mark them deleted in l, which ends up sorted oldest
 * first.  Sets names_count.
 */
static void
names_trim(struct names_list *l, size_t keep)
{
	size_t	 i, valid = 0, excess;

	qsort(l->v, l->n, sizeof(*l->v), names_entry_cmp);
	for (i = 0; i < l->n; i++)
		valid += l->v[i].name != NULL;
	excess = valid > keep ? valid - keep : 0;

	for (i = 0; i < l->n; i++) {
		if (l->v[i].name != NULL) {
			if (excess == 0)
				continue;
			excess--;
			free(l->v[i].name);
			l->v[i].name = NULL;
		}
		(void)gdbm_delete(names_db, l->v[i].key);
	}
	names_count = valid > keep ? keep : valid;
}

/* ns_state_file_open() callback: read the names to restore later. */
static int
names_load(GDBM_FILE db)
{
	names_db = db;
	names_list_free(&names_loaded);
	if (names_read(db, &names_loaded) == -1)
		return -1;
	names_trim(&names_loaded, names_max);
	return 0;
}

int
ns_state_names_open(const char *dir, size_t max, char *err, size_t errlen)
{
	names_max = max;
	snprintf(names_path, sizeof(names_path), "%s/%s", dir,
	    NS_NAMES_FILE);
	return ns_state_file_open(names_path, "the name cache", names_load,
	    &names_db, err, errlen);
}

/* Put the names read at open into one cache, oldest first. */
static size_t
names_restore_cache(struct ns_names *nc)
{
	const struct names_entry	*e;
	size_t				 i, kept = 0;

	pthread_mutex_lock(&nc->lock);
	nc->journal = 1;
	for (i = 0; i < names_loaded.n; i++) {
		e = &names_loaded.v[i];
		if (e->name != NULL && ns_names_restore(nc,
		    (const uint8_t *)e->key.dptr, e->name, e->last_seen) == 0)
			kept++;
	}
	pthread_mutex_unlock(&nc->lock);
	return kept;
}

void
ns_state_names_restore(void)
{
	size_t	 i, kept = 0;

	if (names_db == NULL)
		return;
	for (i = 0; i < ns_nsources; i++)
		if (ns_sources[i].store.names != NULL)
			kept = names_restore_cache(ns_sources[i].store.names);
	names_list_free(&names_loaded);
	snmp_log(LOG_INFO, "state file %s: restored %zu name(s) of earlier "
	    "runs into each data source\n", names_path, kept);
}

/* Write one name.  Returns -1, with gdbm_errno set, on failure. */
static int
names_store(struct ns_name_record *r)
{
	struct names_value	 v;
	datum			 key, val;
	size_t			 len = strnlen(r->name, sizeof(v.name));
	int			 exists;

	memset(&v, 0, NAMES_VALUE_HDR);
	v.version = NS_NAMES_VERSION;
	v.last_seen = r->last_seen;
	memcpy(v.name, r->name, len);
	key.dptr = (char *)r->key;
	key.dsize = NS_IPKEY_LEN;
	val.dptr = (char *)&v;
	val.dsize = (int)(NAMES_VALUE_HDR + len);

	exists = gdbm_exists(names_db, key);
	if (gdbm_store(names_db, key, val, GDBM_REPLACE) != 0)
		return -1;
	if (!exists)
		names_count++;
	return 0;
}

/* Delete the oldest records until the file keeps names_max. */
static void
names_compact(void)
{
	struct names_list	 l = { 0 };

	if (names_read(names_db, &l) == -1) {
		snmp_log(LOG_ERR, "cannot read %s to delete its oldest names: "
		    "%s\n", names_path, gdbm_strerror(gdbm_errno));
		/* Try again after another eighth, not on every tick. */
		names_count = names_max;
		return;
	}
	names_trim(&l, names_max);
	names_list_free(&l);
}

/* Write the changed names of one cache and return how many writes failed. */
static size_t
names_save_cache(struct ns_names *nc, size_t *stored)
{
	static struct ns_name_record	 recs[NS_NAMES_BATCH];
	size_t				 n, i, failed = 0;

	while ((n = ns_names_collect(nc, recs, NS_NAMES_BATCH)) > 0)
		for (i = 0; i < n; i++) {
			if (names_store(&recs[i]) == 0)
				(*stored)++;
			else
				failed++;
		}
	return failed;
}

void
ns_state_names_save(void)
{
	size_t	 i, stored = 0, failed = 0;

	if (names_db == NULL)
		return;
	for (i = 0; i < ns_nsources; i++)
		if (ns_sources[i].store.names != NULL)
			failed += names_save_cache(ns_sources[i].store.names,
			    &stored);
	if (failed > 0)
		snmp_log(LOG_ERR, "cannot write %zu name(s) to %s: %s\n",
		    failed, names_path, gdbm_strerror(gdbm_errno));
	if (names_count > names_max + names_max / 8)
		names_compact();
	if (stored > 0)
		gdbm_sync(names_db);
}

void
ns_state_names_close(void)
{
	if (names_db == NULL)
		return;
	ns_state_names_save();
	if (names_count > names_max)
		names_compact();
	gdbm_close(names_db);
	names_db = NULL;
}
