/*
 * netsentry: NETSENTRY-MIB capture and IP tables, and the lookup across
 * data sources that every table here and in rmon.c shares.
 */
#include "config.h"

#include <string.h>

#include "dns.h"
#include "tables_mib.h"

static const oid capture_entry[] = { NS_MIB_OID, 1, 1, 1 };
static const oid ip_host_entry[] = { NS_MIB_OID, 1, 2, 1 };
static const oid ip_matrix_entry[] = { NS_MIB_OID, 1, 3, 1 };
static const oid if_index[] = { 1, 3, 6, 1, 2, 1, 2, 2, 1, 1 };

#define NS_CAPTURE_SOURCE_COL	2
#define NS_TYPE_INTERFACE	1
#define NS_TYPE_FILE		2

int
ns_find_by_source(const oid *idx, size_t idxlen, int next, unsigned col,
    struct ns_row *row, ns_source_find *fn)
{
	struct ns_source	*src;
	size_t			 s, start;
	int			 found;

	start = idxlen > 0 ? idx[0] : 0;
	if (!next && (idxlen == 0 || start < 1 || start > ns_nsources))
		return 0;

	for (s = start < 1 ? 1 : start; s <= ns_nsources; s++) {
		src = &ns_sources[s - 1];
		atomic_fetch_add(&src->store.agent_waiting, 1);
		pthread_mutex_lock(&src->store.lock);
		atomic_fetch_sub(&src->store.agent_waiting, 1);
		if (s == start)
			found = fn(src, idx + 1, idxlen - 1, next, 0, col, row);
		else
			found = fn(src, NULL, 0, next, 1, col, row);
		pthread_mutex_unlock(&src->store.lock);

		if (found) {
			row->idx[0] = s;
			row->idxlen++;
			return 1;
		}
		if (!next)
			return 0;
	}
	return 0;
}

int
ns_find_source_row(const oid *sub, size_t sublen, int next, int from_start)
{
	if (next)
		return from_start;
	return sublen == 0;
}

void
ns_value_data_source(struct ns_value *val, const struct ns_source *src)
{
	oid	 o[MAX_OID_LEN];
	size_t	 n;

	if (!src->is_file && src->ifindex != 0) {
		n = OID_LENGTH(if_index);
		memcpy(o, if_index, sizeof(if_index));
	} else {
		n = OID_LENGTH(capture_entry);
		memcpy(o, capture_entry, sizeof(capture_entry));
		o[n++] = NS_CAPTURE_SOURCE_COL;
	}
	o[n++] = src->is_file ? src->index : src->ifindex;
	ns_value_oid(val, o, n);
}

/*
 * nsCaptureDnsResponses to nsCaptureNamesCached, columns 15 to 18: 0
 * without a name cache (dnsCacheSize 0).
 */
static void
ns_capture_names(struct ns_names *nc, unsigned col, struct ns_value *val)
{
	uint64_t	 v[4] = { 0, 0, 0, 0 };

	if (nc != NULL) {
		pthread_mutex_lock(&nc->lock);
		v[0] = nc->responses;
		v[1] = nc->malformed;
		v[2] = nc->learned;
		v[3] = nc->count;
		pthread_mutex_unlock(&nc->lock);
	}
	if (col == 18)
		ns_value_u32(val, ASN_GAUGE, (uint32_t)v[3]);
	else
		ns_value_c64(val, v[col - 15]);
}

static void
ns_capture_value(struct ns_source *src, unsigned col, struct ns_value *val)
{
	struct ns_store	*st = &src->store;

	switch (col) {
	case 2:
		ns_value_str(val, src->name, strlen(src->name));
		break;
	case 3:
		ns_value_int(val, ASN_INTEGER, src->is_file ?
		    NS_TYPE_FILE : NS_TYPE_INTERFACE);
		break;
	case 4:
		ns_value_int(val, ASN_INTEGER, st->state);
		break;
	case 5:
		ns_value_c64(val, st->pkts);
		break;
	case 6:
		ns_value_c64(val, st->octets);
		break;
	case 7:
		ns_value_c64(val, st->drops);
		break;
	case 8:
		ns_value_c64(val, st->malformed);
		break;
	case 9:
		ns_value_c64(val, st->read_errors);
		break;
	case 10:
		ns_value_int(val, ASN_INTEGER, src->dlt);
		break;
	case 11:
		ns_value_u32(val, ASN_GAUGE, st->ip_hosts.count);
		break;
	case 12:
		ns_value_u32(val, ASN_GAUGE, st->ip_pairs.count);
		break;
	case 13:
		ns_value_u32(val, ASN_TIMETICKS, st->ip_hosts.last_delete >
		    st->ip_pairs.last_delete ? st->ip_hosts.last_delete :
		    st->ip_pairs.last_delete);
		break;
	case 14:
		ns_value_c64(val, st->undecoded);
		break;
	default:
		ns_capture_names(st->names, col, val);
		break;
	}
}

static int
ns_capture_find_one(struct ns_source *src, const oid *sub, size_t sublen,
    int next, int from_start, unsigned col, struct ns_row *row)
{
	if (!ns_find_source_row(sub, sublen, next, from_start))
		return 0;
	row->idxlen = 0;
	ns_capture_value(src, col, &row->value);
	return 1;
}

/* The security counters of nsIpHostTable, columns 9 to 14. */
static void
ns_ip_host_security(const struct ns_ip_host *h, unsigned col,
    struct ns_value *val)
{
	switch (col) {
	case 9:
		ns_value_c64(val, h->syns_sent);
		break;
	case 10:
		ns_value_u32(val, ASN_COUNTER, h->contacts_failed);
		break;
	case 11:
		ns_value_u32(val, ASN_GAUGE, h->ports_contacted);
		break;
	case 12:
		ns_value_u32(val, ASN_GAUGE, h->peers_contacted);
		break;
	case 13:
		ns_value_u32(val, ASN_COUNTER, h->events_attacker);
		break;
	case 14:
		ns_value_u32(val, ASN_COUNTER, h->events_target);
		break;
	}
}

/* nsIpHostName: the last name a DNS response gave the address. */
static void
ns_ip_host_name(struct ns_store *st, const struct ns_ip_host *h,
    struct ns_value *val)
{
	char	 name[NS_DNS_NAME_SIZE];
	size_t	 len = 0;

	if (st->names != NULL)
		len = ns_names_lookup(st->names, h->e.key, name);
	ns_value_str(val, name, len);
}

static int
ns_ip_host_find_one(struct ns_source *src, const oid *sub, size_t sublen,
    int next, int from_start, unsigned col, struct ns_row *row)
{
	struct ns_ip_host	*h;

	h = (struct ns_ip_host *)ns_oidx_find(&src->store.ip_hosts.tree,
	    ns_oidx_ip_host, sub, sublen, next);
	if (h == NULL)
		return 0;
	row->idxlen = ns_oidx_ip_host(&h->e, row->idx + 1);

	switch (col) {
	case 3:
		ns_value_c64(&row->value, h->in_pkts);
		break;
	case 4:
		ns_value_c64(&row->value, h->out_pkts);
		break;
	case 5:
		ns_value_c64(&row->value, h->in_octets);
		break;
	case 6:
		ns_value_c64(&row->value, h->out_octets);
		break;
	case 7:
		ns_value_date(&row->value, h->e.first_seen,
		    h->e.first_tenths);
		break;
	case 8:
		ns_value_date(&row->value, h->e.last_seen,
		    h->e.last_tenths);
		break;
	case 15:
		ns_ip_host_name(&src->store, h, &row->value);
		break;
	default:
		ns_ip_host_security(h, col, &row->value);
		break;
	}
	return 1;
}

static int
ns_ip_matrix_find_one(struct ns_source *src, const oid *sub, size_t sublen,
    int next, int from_start, unsigned col, struct ns_row *row)
{
	struct ns_ip_pair	*p;

	p = (struct ns_ip_pair *)ns_oidx_find(&src->store.ip_pairs.tree,
	    ns_oidx_ip_pair, sub, sublen, next);
	if (p == NULL)
		return 0;
	row->idxlen = ns_oidx_ip_pair(&p->e, row->idx + 1);

	switch (col) {
	case 5:
		ns_value_c64(&row->value, p->pkts);
		break;
	case 6:
		ns_value_c64(&row->value, p->octets);
		break;
	case 7:
		ns_value_date(&row->value, p->e.first_seen,
		    p->e.first_tenths);
		break;
	case 8:
		ns_value_date(&row->value, p->e.last_seen,
		    p->e.last_tenths);
		break;
	}
	return 1;
}

NS_SOURCE_TABLE_FIND(ns_capture_find, ns_capture_find_one)
NS_SOURCE_TABLE_FIND(ns_ip_host_find, ns_ip_host_find_one)
NS_SOURCE_TABLE_FIND(ns_ip_matrix_find, ns_ip_matrix_find_one)

static const struct ns_mib_table ns_tables[] = {
	{ "nsCaptureTable", capture_entry, OID_LENGTH(capture_entry),
	    2, 18, ns_capture_find },
	{ "nsIpHostTable", ip_host_entry, OID_LENGTH(ip_host_entry),
	    3, 15, ns_ip_host_find },
	{ "nsIpMatrixTable", ip_matrix_entry, OID_LENGTH(ip_matrix_entry),
	    5, 8, ns_ip_matrix_find },
};

int
ns_nsmib_register(void)
{
	size_t	 i;

	for (i = 0; i < sizeof(ns_tables) / sizeof(ns_tables[0]); i++)
		if (ns_mib_register(&ns_tables[i]) == -1)
			return -1;
	return 0;
}
