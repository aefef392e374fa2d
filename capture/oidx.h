/* netsentry: SNMP index encoding of table keys, and ordered lookup. */
#ifndef NS_OIDX_H
#define NS_OIDX_H

#include <stddef.h>

#include "tables.h"

/* Same width as net-snmp's oid type, so index arrays pass through. */
typedef unsigned long ns_oid;

/* Longest index suffix any table here encodes: two InetAddress keys. */
#define NS_OIDX_MAX	40

/* Lexicographic order of two sub-identifier arrays, shorter first. */
int	 ns_oidx_cmp(const ns_oid *, size_t, const ns_oid *, size_t);

/* OCTET STRING index: the length, then one sub-identifier per octet. */
size_t	 ns_oidx_octets(ns_oid *out, const uint8_t *bytes, size_t len);
/* InetAddressType and InetAddress from a 17-byte IP key. */
size_t	 ns_oidx_ipkey(ns_oid *out, const uint8_t *key);

/* Index encoders for each row kind, after the data source index. */
size_t	 ns_oidx_mac_host(const struct ns_entry *, ns_oid *out);
size_t	 ns_oidx_mac_sd(const struct ns_entry *, ns_oid *out);
size_t	 ns_oidx_mac_ds(const struct ns_entry *, ns_oid *out);
size_t	 ns_oidx_ip_host(const struct ns_entry *, ns_oid *out);
size_t	 ns_oidx_ip_pair(const struct ns_entry *, ns_oid *out);

typedef size_t ns_oidx_encoder(const struct ns_entry *, ns_oid *);

/*
 * Find in a tree ordered like its encoded index the row whose index equals
 * the suffix (next == 0) or is the first greater than it (next == 1).
 * O(log n) encodings.
 */
struct ns_entry	*ns_oidx_find(struct ns_tree *, ns_oidx_encoder *,
		    const ns_oid *suffix, size_t len, int next);
struct ns_mac_pair *ns_oidx_find_ds(struct ns_dstree *,
		    const ns_oid *suffix, size_t len, int next);

#endif /* NS_OIDX_H */
