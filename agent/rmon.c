/*
 * netsentry: RMON-MIB (RFC 2819) hosts and matrix groups.
 *
 * One hostControlEntry and one matrixControlEntry per data source, created
 * from the configuration and read-only.  Every frame libpcap delivers is
 * counted as a good packet: drivers drop frames with a bad FCS before
 * capture, so hostOutErrors and matrixSDErrors stay 0.
 */
#include "config.h"

#include "tables_mib.h"

#define RMON_OID	1, 3, 6, 1, 2, 1, 16

static const oid host_control_entry[] = { RMON_OID, 4, 1, 1 };
static const oid host_entry[] = { RMON_OID, 4, 2, 1 };
static const oid host_time_entry[] = { RMON_OID, 4, 3, 1 };
static const oid matrix_control_entry[] = { RMON_OID, 6, 1, 1 };
static const oid matrix_sd_entry[] = { RMON_OID, 6, 2, 1 };
static const oid matrix_ds_entry[] = { RMON_OID, 6, 3, 1 };

/* OwnerString of rows the probe made itself, as RFC 2819 suggests. */
static const char rmon_owner[] = "monitor";

#define RMON_VALID	1	/* EntryStatus valid(1) */

static void
rmon_control_value(struct ns_source *src, unsigned col, size_t size,
    uint32_t last_delete, struct ns_value *val)
{
	switch (col) {
	case 1:
		ns_value_int(val, ASN_INTEGER, (long)src->index);
		break;
	case 2:
		ns_value_data_source(val, src);
		break;
	case 3:
		ns_value_int(val, ASN_INTEGER, (long)size);
		break;
	case 4:
		ns_value_u32(val, ASN_TIMETICKS, last_delete);
		break;
	case 5:
		ns_value_str(val, rmon_owner, sizeof(rmon_owner) - 1);
		break;
	case 6:
		ns_value_int(val, ASN_INTEGER, RMON_VALID);
		break;
	}
}

static int
rmon_host_control_find(struct ns_source *src, const oid *sub,
    size_t sublen, int next, int from_start, unsigned col,
    struct ns_row *row)
{
	struct ns_table	*t = &src->store.mac_hosts;

	if (!ns_find_source_row(sub, sublen, next, from_start))
		return 0;
	row->idxlen = 0;
	rmon_control_value(src, col, t->count, t->last_delete, &row->value);
	return 1;
}

static int
rmon_matrix_control_find(struct ns_source *src, const oid *sub,
    size_t sublen, int next, int from_start, unsigned col,
    struct ns_row *row)
{
	struct ns_table	*t = &src->store.mac_pairs;

	if (!ns_find_source_row(sub, sublen, next, from_start))
		return 0;
	row->idxlen = 0;
	rmon_control_value(src, col, t->count, t->last_delete, &row->value);
	return 1;
}

/* Columns 4 to 10 of hostEntry and hostTimeEntry. */
static void
rmon_host_counter(const struct ns_mac_host *h, unsigned col,
    struct ns_value *val)
{
	switch (col) {
	case 4:
		ns_value_u32(val, ASN_COUNTER, h->in_pkts);
		break;
	case 5:
		ns_value_u32(val, ASN_COUNTER, h->out_pkts);
		break;
	case 6:
		ns_value_u32(val, ASN_COUNTER, h->in_octets);
		break;
	case 7:
		ns_value_u32(val, ASN_COUNTER, h->out_octets);
		break;
	case 8:
		ns_value_u32(val, ASN_COUNTER, 0);
		break;
	case 9:
		ns_value_u32(val, ASN_COUNTER, h->out_bcast);
		break;
	case 10:
		ns_value_u32(val, ASN_COUNTER, h->out_mcast);
		break;
	}
}

static void
rmon_host_value(struct ns_source *src, const struct ns_mac_host *h,
    unsigned col, struct ns_value *val)
{
	switch (col) {
	case 1:
		ns_value_str(val, h->e.key, NS_MAC_LEN);
		break;
	case 2:
		ns_value_int(val, ASN_INTEGER,
		    (long)ns_order_rank(&src->store.order, h));
		break;
	case 3:
		ns_value_int(val, ASN_INTEGER, (long)src->index);
		break;
	default:
		rmon_host_counter(h, col, val);
		break;
	}
}

static int
rmon_host_find(struct ns_source *src, const oid *sub, size_t sublen,
    int next, int from_start, unsigned col, struct ns_row *row)
{
	struct ns_entry	*e;

	e = ns_oidx_find(&src->store.mac_hosts.tree, ns_oidx_mac_host,
	    sub, sublen, next);
	if (e == NULL)
		return 0;
	row->idxlen = ns_oidx_mac_host(e, row->idx + 1);
	rmon_host_value(src, (struct ns_mac_host *)e, col, &row->value);
	return 1;
}

static int
rmon_host_time_find(struct ns_source *src, const oid *sub, size_t sublen,
    int next, int from_start, unsigned col, struct ns_row *row)
{
	struct ns_mac_host	*h;
	size_t			 k;

	/* hostTimeCreationOrder runs from 1 to the number of rows. */
	if (!next) {
		if (sublen != 1)
			return 0;
		k = sub[0];
	} else if (from_start || sublen == 0)
		k = 1;
	else if (sub[0] < src->store.order.live)
		k = sub[0] + 1;
	else
		return 0;

	h = ns_order_nth(&src->store.order, k);
	if (h == NULL)
		return 0;
	row->idx[1] = k;
	row->idxlen = 1;
	rmon_host_value(src, h, col, &row->value);
	if (col == 2)
		ns_value_int(&row->value, ASN_INTEGER, (long)k);
	return 1;
}

static void
rmon_pair_value(struct ns_source *src, const struct ns_mac_pair *p,
    unsigned col, struct ns_value *val)
{
	switch (col) {
	case 1:
		ns_value_str(val, p->e.key, NS_MAC_LEN);
		break;
	case 2:
		ns_value_str(val, p->e.key + NS_MAC_LEN, NS_MAC_LEN);
		break;
	case 3:
		ns_value_int(val, ASN_INTEGER, (long)src->index);
		break;
	case 4:
		ns_value_u32(val, ASN_COUNTER, p->pkts);
		break;
	case 5:
		ns_value_u32(val, ASN_COUNTER, p->octets);
		break;
	case 6:
		ns_value_u32(val, ASN_COUNTER, 0);
		break;
	}
}

static int
rmon_matrix_sd_find(struct ns_source *src, const oid *sub, size_t sublen,
    int next, int from_start, unsigned col, struct ns_row *row)
{
	struct ns_entry	*e;

	e = ns_oidx_find(&src->store.mac_pairs.tree, ns_oidx_mac_sd,
	    sub, sublen, next);
	if (e == NULL)
		return 0;
	row->idxlen = ns_oidx_mac_sd(e, row->idx + 1);
	rmon_pair_value(src, (struct ns_mac_pair *)e, col, &row->value);
	return 1;
}

static int
rmon_matrix_ds_find(struct ns_source *src, const oid *sub, size_t sublen,
    int next, int from_start, unsigned col, struct ns_row *row)
{
	struct ns_mac_pair	*p;

	p = ns_oidx_find_ds(&src->store.ds_tree, sub, sublen, next);
	if (p == NULL)
		return 0;
	row->idxlen = ns_oidx_mac_ds(&p->e, row->idx + 1);
	rmon_pair_value(src, p, col, &row->value);
	return 1;
}

NS_SOURCE_TABLE_FIND(host_control_find, rmon_host_control_find)
NS_SOURCE_TABLE_FIND(host_find, rmon_host_find)
NS_SOURCE_TABLE_FIND(host_time_find, rmon_host_time_find)
NS_SOURCE_TABLE_FIND(matrix_control_find, rmon_matrix_control_find)
NS_SOURCE_TABLE_FIND(matrix_sd_find, rmon_matrix_sd_find)
NS_SOURCE_TABLE_FIND(matrix_ds_find, rmon_matrix_ds_find)

static const struct ns_mib_table rmon_tables[] = {
	{ "hostControlTable", host_control_entry,
	    OID_LENGTH(host_control_entry), 1, 6, host_control_find },
	{ "hostTable", host_entry, OID_LENGTH(host_entry), 1, 10,
	    host_find },
	{ "hostTimeTable", host_time_entry, OID_LENGTH(host_time_entry),
	    1, 10, host_time_find },
	{ "matrixControlTable", matrix_control_entry,
	    OID_LENGTH(matrix_control_entry), 1, 6, matrix_control_find },
	{ "matrixSDTable", matrix_sd_entry, OID_LENGTH(matrix_sd_entry),
	    1, 6, matrix_sd_find },
	{ "matrixDSTable", matrix_ds_entry, OID_LENGTH(matrix_ds_entry),
	    1, 6, matrix_ds_find },
};

int
ns_rmon_register(void)
{
	size_t	 i;

	for (i = 0; i < sizeof(rmon_tables) / sizeof(rmon_tables[0]); i++)
		if (ns_mib_register(&rmon_tables[i]) == -1)
			return -1;
	return 0;
}
