/* netsentry: MIB tables served by netsentryd, indexed by data source. */
#ifndef NS_TABLES_MIB_H
#define NS_TABLES_MIB_H

#include "daemon.h"
#include "mibtable.h"

/* NETSENTRY-MIB, under a placeholder enterprise number (see the MIB). */
#define NS_MIB_OID		1, 3, 6, 1, 4, 1, 99999
#define NS_OID_EVENT_ENTRY	NS_MIB_OID, 1, 4, 8, 1	/* nsEventEntry */

/*
 * Find within one data source, called with its store locked.  sub is the
 * index after the data source index; from_start requests the source's
 * first row.  On success the row's index after the source index goes to
 * row->idx + 1 with its length in row->idxlen.
 */
typedef int ns_source_find(struct ns_source *, const oid *sub,
    size_t sublen, int next, int from_start, unsigned col,
    struct ns_row *row);

int	 ns_find_by_source(const oid *idx, size_t idxlen, int next,
	    unsigned col, struct ns_row *row, ns_source_find *fn);

/* Define name, a table's ns_mib_find, from fn, its per-source find. */
#define NS_SOURCE_TABLE_FIND(name, fn)					\
static int								\
name(const struct ns_mib_table *t, const oid *idx, size_t idxlen,	\
    int next, unsigned col, struct ns_row *row)				\
{									\
	return ns_find_by_source(idx, idxlen, next, col, row, fn);	\
}

/* Index and value of a table whose only index is the data source. */
int	 ns_find_source_row(const oid *sub, size_t sublen, int next,
	    int from_start);

/* DataSource value: ifIndex.N for an interface, nsCaptureSource.N else. */
void	 ns_value_data_source(struct ns_value *, const struct ns_source *);

int	 ns_rmon_register(void);
int	 ns_nsmib_register(void);
int	 ns_secmib_register(void);

#endif /* NS_TABLES_MIB_H */
