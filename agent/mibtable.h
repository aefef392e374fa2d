/* netsentry: GET and GETNEXT for tables kept in index order. */
#ifndef NS_MIBTABLE_H
#define NS_MIBTABLE_H

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include "oidx.h"

#define NS_VALUE_MAX	255	/* SnmpAdminString limit */

/* One column value of one row, copied out while the store is locked. */
struct ns_value {
	u_char		 type;		/* ASN_ type, 0 if no such column */
	size_t		 len;
	union {
		long		 integer;
		u_long		 unsigned32;
		struct counter64 counter64;
		oid		 objid[MAX_OID_LEN];
		u_char		 string[NS_VALUE_MAX];
	} v;
};

/* A row found by a table's find callback: its index and one value. */
struct ns_row {
	oid		 idx[NS_OIDX_MAX + 1];
	size_t		 idxlen;
	struct ns_value	 value;
};

struct ns_mib_table;

/*
 * Find the row whose index equals idx (next == 0) or is the first after
 * it (next == 1), and fill row->idx and the value of column col.  Returns
 * 1 when a row was found, 0 otherwise.
 */
typedef int ns_mib_find(const struct ns_mib_table *, const oid *idx,
    size_t idxlen, int next, unsigned col, struct ns_row *row);

struct ns_mib_table {
	const char	*name;
	const oid	*entry;		/* OID of the table's Entry object */
	size_t		 entry_len;
	unsigned	 min_col;	/* first and last accessible column */
	unsigned	 max_col;
	ns_mib_find	*find;
};

int	 ns_mib_register(const struct ns_mib_table *);
int	 ns_mib_register_scalars(const struct ns_mib_table *);

void	 ns_value_int(struct ns_value *, u_char type, long);
void	 ns_value_u32(struct ns_value *, u_char type, uint64_t);
void	 ns_value_c64(struct ns_value *, uint64_t);
void	 ns_value_str(struct ns_value *, const void *, size_t);
void	 ns_value_oid(struct ns_value *, const oid *, size_t);
void	 ns_value_date(struct ns_value *, uint32_t unix_seconds,
	    uint8_t tenths);

#endif /* NS_MIBTABLE_H */
