/* netsentry: libFuzzer target for the DNS response parser. */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"

/*
 * The input is one DNS message, as the UDP payload of a response.  The
 * bindings also go into a small name cache, so eviction and replacement
 * run on every input.
 */
#define FUZZ_CACHE_NAMES	8

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct ns_names	*fuzz_cache;

/* Aborts unless every character is one that dns.h allows in a name. */
static void
fuzz_check_name(const char *name)
{
	size_t	 len = strnlen(name, NS_DNS_NAME_SIZE);

	if (len == 0 || len >= NS_DNS_NAME_SIZE - 2)
		abort();
	if (strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-_.?") != len)
		abort();
}

/* Aborts unless the result keeps the contract stated in dns.h. */
static void
fuzz_check(int rc, const struct ns_dns_result *r)
{
	size_t	 i;

	if (rc < -1 || rc > 1)
		abort();
	if ((rc == -1) != (r->malformed != NULL))
		abort();
	if (rc != 1 && r->nbindings != 0)
		abort();
	if (r->nbindings > NS_DNS_BINDINGS_MAX)
		abort();
	for (i = 0; i < r->nbindings; i++)
		fuzz_check_name(r->bindings[i].name);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ns_dns_result	 r;
	char			 name[NS_DNS_NAME_SIZE];
	size_t			 i;
	int			 rc;

	if (fuzz_cache == NULL &&
	    (fuzz_cache = ns_names_new(FUZZ_CACHE_NAMES)) == NULL)
		abort();

	rc = ns_dns_parse(data, size, &r);
	fuzz_check(rc, &r);

	pthread_mutex_lock(&fuzz_cache->lock);
	for (i = 0; i < r.nbindings; i++)
		ns_names_learn(fuzz_cache, r.bindings[i].key,
		    r.bindings[i].name, 0);
	pthread_mutex_unlock(&fuzz_cache->lock);
	if (fuzz_cache->count > FUZZ_CACHE_NAMES)
		abort();
	for (i = 0; i < r.nbindings; i++)
		if (ns_names_lookup(fuzz_cache, r.bindings[i].key, name) == 0 &&
		    fuzz_cache->count == 0)
			abort();
	return 0;
}
