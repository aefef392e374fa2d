/* netsentry: pid file and the switch to an unprivileged user. */
#ifndef NS_PRIVS_H
#define NS_PRIVS_H

#include <stddef.h>

/*
 * Switch to the user and group given by name or number, for good:
 * supplementary groups are reset and a later return to root is checked
 * to fail.  A user without a group takes the user's primary group.
 * Returns -1 with the reason in err; the caller must then exit.
 */
int	 ns_privs_drop(const char *user, const char *group, char *err,
	    size_t errlen);

/* Write the process id to path.  Returns -1 with the reason in err. */
int	 ns_pidfile_write(const char *path, char *err, size_t errlen);

#endif /* NS_PRIVS_H */
