/*
 * netsentry benchmark: the size of one row of each traffic table.
 *
 * Prints sizeof() of each row struct and what glibc's calloc() really
 * hands out for it (malloc_usable_size() plus the 8-byte chunk header).
 * run.sh sets these estimates beside the bytes per row it measures.
 *
 * Build: cc -O2 -I../capture -o entry_sizes entry_sizes.c
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>

#include "tables.h"

/* glibc keeps one size word in front of every chunk. */
#define SIZES_CHUNK_HEADER	sizeof(size_t)

static void
sizes_print(const char *table, size_t size)
{
	void	*p;

	p = calloc(1, size);
	if (p == NULL) {
		fprintf(stderr, "entry_sizes: calloc(%zu) failed\n", size);
		exit(1);
	}
	printf("%s struct=%zu chunk=%zu\n", table, size,
	    malloc_usable_size(p) + SIZES_CHUNK_HEADER);
	free(p);
}

int
main(void)
{
	sizes_print("hostTable", sizeof(struct ns_mac_host));
	sizes_print("matrixSDTable", sizeof(struct ns_mac_pair));
	sizes_print("nsIpHostTable", sizeof(struct ns_ip_host));
	sizes_print("nsIpMatrixTable", sizeof(struct ns_ip_pair));
	return 0;
}
