/*
 * netsentry: GET and GETNEXT for tables kept in index order.
 *
 * net-snmp's table_iterator helper scans every row for each GETNEXT, so a
 * walk of n rows costs O(n^2).  Here each table supplies a find callback
 * that descends its index-ordered tree, and this file turns requested
 * OIDs into (column, index) pairs and back.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mibtable.h"

void
ns_value_int(struct ns_value *val, u_char type, long v)
{
	val->type = type;
	val->len = sizeof(long);
	val->v.integer = v;
}

/*
 * Counter32 and TimeTicks count modulo 2^32 (RFC 2578).  The Gauge32
 * values served here are row counts, which stay far below 2^32.
 */
void
ns_value_u32(struct ns_value *val, u_char type, uint64_t v)
{
	val->type = type;
	val->len = sizeof(u_long);
	val->v.unsigned32 = (u_long)(v & 0xffffffffu);
}

void
ns_value_c64(struct ns_value *val, uint64_t v)
{
	val->type = ASN_COUNTER64;
	val->len = sizeof(struct counter64);
	val->v.counter64.high = (u_long)(v >> 32);
	val->v.counter64.low = (u_long)(v & 0xffffffffu);
}

void
ns_value_str(struct ns_value *val, const void *s, size_t len)
{
	if (len > NS_VALUE_MAX)
		len = NS_VALUE_MAX;
	val->type = ASN_OCTET_STR;
	val->len = len;
	memcpy(val->v.string, s, len);
}

void
ns_value_oid(struct ns_value *val, const oid *o, size_t len)
{
	if (len > MAX_OID_LEN)
		len = MAX_OID_LEN;
	val->type = ASN_OBJECT_ID;
	val->len = len * sizeof(oid);
	memcpy(val->v.objid, o, val->len);
}

/* DateAndTime (RFC 2579) in UTC: 11 octets with the "+0:0" offset. */
void
ns_value_date(struct ns_value *val, uint32_t unix_seconds, uint8_t tenths)
{
	time_t		 t = unix_seconds;
	struct tm	 tm;
	u_char		 b[11];

	gmtime_r(&t, &tm);
	b[0] = (u_char)((tm.tm_year + 1900) >> 8);
	b[1] = (u_char)((tm.tm_year + 1900) & 0xff);
	b[2] = (u_char)(tm.tm_mon + 1);
	b[3] = (u_char)tm.tm_mday;
	b[4] = (u_char)tm.tm_hour;
	b[5] = (u_char)tm.tm_min;
	b[6] = (u_char)(tm.tm_sec > 59 ? 59 : tm.tm_sec);
	b[7] = tenths < 10 ? tenths : 9;
	b[8] = '+';
	b[9] = 0;
	b[10] = 0;
	ns_value_str(val, b, sizeof(b));
}

static int
ns_mib_set(netsnmp_request_info *req, const struct ns_mib_table *t,
    unsigned col, const struct ns_row *row)
{
	oid	 name[MAX_OID_LEN];
	size_t	 len = t->entry_len;

	if (len + 1 + row->idxlen > MAX_OID_LEN)
		return SNMP_ERR_GENERR;
	memcpy(name, t->entry, len * sizeof(oid));
	name[len++] = col;
	memcpy(name + len, row->idx, row->idxlen * sizeof(oid));
	len += row->idxlen;

	snmp_set_var_objid(req->requestvb, name, len);
	snmp_set_var_typed_value(req->requestvb, row->value.type,
	    &row->value.v, row->value.len);
	return SNMP_ERR_NOERROR;
}

static void
ns_mib_get(netsnmp_request_info *req, const struct ns_mib_table *t)
{
	netsnmp_variable_list	*vb = req->requestvb;
	struct ns_row		 row;
	size_t			 base = t->entry_len;
	unsigned		 col;

	if (vb->name_length <= base + 1 ||
	    snmp_oid_compare(vb->name, base, t->entry, base) != 0) {
		netsnmp_set_request_error(NULL, req, SNMP_NOSUCHOBJECT);
		return;
	}
	col = (unsigned)vb->name[base];
	if (vb->name[base] < t->min_col || vb->name[base] > t->max_col) {
		netsnmp_set_request_error(NULL, req, SNMP_NOSUCHOBJECT);
		return;
	}
	memset(&row.value, 0, sizeof(row.value));
	if (!t->find(t, vb->name + base + 1, vb->name_length - base - 1, 0,
	    col, &row) || row.value.type == 0) {
		netsnmp_set_request_error(NULL, req, SNMP_NOSUCHINSTANCE);
		return;
	}
	snmp_set_var_typed_value(vb, row.value.type, &row.value.v,
	    row.value.len);
}

/*
 * Answer a GETNEXT.  The search starts at the requested column and index.
 * When a column has no row after the index, it goes on with the first row
 * of the next column.
 * Past the last column the request is left unanswered, so the agent goes
 * on to the next registered subtree.
 */
static void
ns_mib_getnext(netsnmp_request_info *req, const struct ns_mib_table *t)
{
	netsnmp_variable_list	*vb = req->requestvb;
	struct ns_row		 row;
	size_t			 base = t->entry_len, idxlen = 0;
	const oid		*idx = NULL;
	unsigned long		 col = t->min_col;
	int			 c;

	c = snmp_oid_compare(vb->name, vb->name_length > base ? base :
	    vb->name_length, t->entry, base);
	if (c > 0)
		return;
	if (c == 0 && vb->name_length > base) {
		col = vb->name[base];
		idx = vb->name + base + 1;
		idxlen = vb->name_length - base - 1;
		if (col < t->min_col) {
			col = t->min_col;
			idxlen = 0;
		}
	}

	for (; col <= t->max_col; col++, idxlen = 0) {
		memset(&row.value, 0, sizeof(row.value));
		if (t->find(t, idx, idxlen, 1, (unsigned)col, &row) &&
		    row.value.type != 0) {
			ns_mib_set(req, t, (unsigned)col, &row);
			return;
		}
	}
}

static int
ns_mib_handler(netsnmp_mib_handler *handler,
    netsnmp_handler_registration *reg,
    netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
	const struct ns_mib_table	*t = handler->myvoid;
	netsnmp_request_info		*req;

	for (req = requests; req != NULL; req = req->next) {
		if (req->processed)
			continue;
		switch (reqinfo->mode) {
		case MODE_GET:
			ns_mib_get(req, t);
			break;
		case MODE_GETNEXT:
			ns_mib_getnext(req, t);
			break;
		default:
			netsnmp_set_request_error(reqinfo, req,
			    SNMP_ERR_NOTWRITABLE);
			break;
		}
	}
	return SNMP_ERR_NOERROR;
}

int
ns_mib_register(const struct ns_mib_table *t)
{
	netsnmp_handler_registration	*reg;

	/* Register the table object, one level above the entry. */
	reg = netsnmp_create_handler_registration(t->name, ns_mib_handler,
	    t->entry, t->entry_len - 1, HANDLER_CAN_RONLY);
	if (reg == NULL)
		return -1;
	reg->handler->myvoid = (void *)(uintptr_t)t;
	return netsnmp_register_handler(reg) == MIB_REGISTERED_OK ? 0 : -1;
}

/*
 * Register a group of scalars: entry is the group's OID, columns min_col
 * to max_col its scalars, each with the single index 0.  Each scalar is
 * registered on its own, through a copy of t that covers its column
 * only, so that tables beside them in the group register separately.
 * (A range registration would be simpler, but net-snmp 5.9 splits it
 * when it registers again with a restarted master, which then rejects
 * the pieces as duplicates.)
 */
int
ns_mib_register_scalars(const struct ns_mib_table *t)
{
	netsnmp_handler_registration	*reg;
	struct ns_mib_table		*one;
	oid				 name[MAX_OID_LEN];
	unsigned			 col;

	if (t->entry_len + 1 > MAX_OID_LEN)
		return -1;
	for (col = t->min_col; col <= t->max_col; col++) {
		one = malloc(sizeof(*one));
		if (one == NULL)
			return -1;
		*one = *t;
		one->min_col = one->max_col = col;

		memcpy(name, t->entry, t->entry_len * sizeof(oid));
		name[t->entry_len] = col;
		reg = netsnmp_create_handler_registration(t->name,
		    ns_mib_handler, name, t->entry_len + 1,
		    HANDLER_CAN_RONLY);
		if (reg == NULL)
			return -1;
		reg->handler->myvoid = one;
		if (netsnmp_register_handler(reg) != MIB_REGISTERED_OK)
			return -1;
	}
	return 0;
}
