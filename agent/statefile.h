/* netsentry: the gdbm file handling that the stateDir files share. */
#ifndef NS_STATEFILE_H
#define NS_STATEFILE_H

#include <stddef.h>
#include <gdbm.h>

/*
 * Open the gdbm file at path for writing and pass it to load, which
 * reads it back into memory.  A file that gdbm or load cannot read is
 * moved aside and a new file is started, with a log line that names
 * contents, such as "the event history", as what the old file keeps.
 * Returns 0 with the file in *dbp, or -1 with the reason in err, for
 * example when another netsentryd holds the file's lock.
 */
int	 ns_state_file_open(const char *path, const char *contents,
	    int (*load)(GDBM_FILE), GDBM_FILE *dbp, char *err,
	    size_t errlen);

#endif /* NS_STATEFILE_H */
