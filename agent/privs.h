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

/*
 * Pid file, as other daemons keep one: it rejects a second netsentryd,
 * replaces a stale file and is removed at exit.
 *
 * ns_pidfile_check() fails when a running netsentryd owns path: it holds
 * the file's lock, or the pid in the file is a live netsentryd.  It
 * changes nothing, so a daemon can call it before it detaches and report
 * the failure on its terminal.  A missing file passes.
 *
 * ns_pidfile_write() makes the same check, logs a stale pid that it
 * replaces, and writes this process's pid with mode 0644.  It keeps the
 * file open with an exclusive flock(2) until exit, so a second daemon
 * started at the same moment fails too.
 *
 * ns_pidfile_remove() deletes the file that ns_pidfile_write() wrote,
 * unless another process replaced it, and logs a failure.
 *
 * The functions return -1 with the reason in err.
 */
int	 ns_pidfile_check(const char *path, char *err, size_t errlen);
int	 ns_pidfile_write(const char *path, char *err, size_t errlen);
void	 ns_pidfile_remove(void);

#endif /* NS_PRIVS_H */
