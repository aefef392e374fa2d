/*
 * netsentry: SNMP index encoding of table keys, and ordered lookup.
 *
 * The trees hold rows in the order of their encoded index (see the key
 * layout in tables.h), so a GETNEXT is one descent that compares encoded
 * indexes, with no scan of the table.
 */
#include "config.h"

#include <string.h>

#include "oidx.h"

int
ns_oidx_cmp(const ns_oid *a, size_t alen, const ns_oid *b, size_t blen)
{
	size_t	 i, n = alen < blen ? alen : blen;

	for (i = 0; i < n; i++) {
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	}
	if (alen == blen)
		return 0;
	return alen < blen ? -1 : 1;
}

size_t
ns_oidx_octets(ns_oid *out, const uint8_t *bytes, size_t len)
{
	size_t	 i;

	out[0] = len;
	for (i = 0; i < len; i++)
		out[i + 1] = bytes[i];
	return len + 1;
}

size_t
ns_oidx_ipkey(ns_oid *out, const uint8_t *key)
{
	size_t	 len = key[0] == NS_INET_IPV4 ? 4 : 16;

	out[0] = key[0];
	return 1 + ns_oidx_octets(out + 1, key + 1, len);
}

size_t
ns_oidx_mac_host(const struct ns_entry *e, ns_oid *out)
{
	return ns_oidx_octets(out, e->key, NS_MAC_LEN);
}

size_t
ns_oidx_mac_sd(const struct ns_entry *e, ns_oid *out)
{
	size_t	 n;

	n = ns_oidx_octets(out, e->key, NS_MAC_LEN);
	return n + ns_oidx_octets(out + n, e->key + NS_MAC_LEN, NS_MAC_LEN);
}

size_t
ns_oidx_mac_ds(const struct ns_entry *e, ns_oid *out)
{
	size_t	 n;

	n = ns_oidx_octets(out, e->key + NS_MAC_LEN, NS_MAC_LEN);
	return n + ns_oidx_octets(out + n, e->key, NS_MAC_LEN);
}

size_t
ns_oidx_ip_host(const struct ns_entry *e, ns_oid *out)
{
	return ns_oidx_ipkey(out, e->key);
}

size_t
ns_oidx_ip_pair(const struct ns_entry *e, ns_oid *out)
{
	size_t	 n;

	n = ns_oidx_ipkey(out, e->key);
	return n + ns_oidx_ipkey(out + n, e->key + NS_IPKEY_LEN);
}

/* Compare a row's encoded index with the suffix. */
static int
ns_oidx_cmp_entry(const struct ns_entry *e, ns_oidx_encoder *enc,
    const ns_oid *suffix, size_t len)
{
	ns_oid	 idx[NS_OIDX_MAX];
	size_t	 n;

	n = enc(e, idx);
	return ns_oidx_cmp(idx, n, suffix, len);
}

struct ns_entry *
ns_oidx_find(struct ns_tree *tree, ns_oidx_encoder *enc,
    const ns_oid *suffix, size_t len, int next)
{
	struct ns_entry	*node, *best = NULL;
	int		 c;

	node = RB_ROOT(tree);
	while (node != NULL) {
		c = ns_oidx_cmp_entry(node, enc, suffix, len);
		if (c > 0 || (c == 0 && !next)) {
			best = node;
			node = RB_LEFT(node, rb);
		} else
			node = RB_RIGHT(node, rb);
	}
	if (best != NULL && !next &&
	    ns_oidx_cmp_entry(best, enc, suffix, len) != 0)
		return NULL;
	return best;
}

struct ns_mac_pair *
ns_oidx_find_ds(struct ns_dstree *tree, const ns_oid *suffix, size_t len,
    int next)
{
	struct ns_mac_pair	*node, *best = NULL;
	int			 c;

	node = RB_ROOT(tree);
	while (node != NULL) {
		c = ns_oidx_cmp_entry(&node->e, ns_oidx_mac_ds, suffix, len);
		if (c > 0 || (c == 0 && !next)) {
			best = node;
			node = RB_LEFT(node, ds);
		} else
			node = RB_RIGHT(node, ds);
	}
	if (best != NULL && !next &&
	    ns_oidx_cmp_entry(&best->e, ns_oidx_mac_ds, suffix, len) != 0)
		return NULL;
	return best;
}
