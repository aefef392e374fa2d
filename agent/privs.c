/* netsentry: pid file and the switch to an unprivileged user. */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "privs.h"

/* The command name of netsentryd in /proc/PID/stat. */
#define NS_PIDFILE_COMM		"netsentryd"

/* State of the process whose pid a pid file contains. */
enum ns_pid_state {
	NS_PID_GONE,		/* exited, or it is this process */
	NS_PID_OTHER,		/* the pid was reused by another program */
	NS_PID_DAEMON		/* a netsentryd, or it cannot be identified */
};

/*
 * The pid file this process wrote, kept open and locked until exit, and
 * its inode, so that removal never deletes a file another process made.
 */
static int	 ns_pidfile_fd = -1;
static char	*ns_pidfile_path;
static dev_t	 ns_pidfile_dev;
static ino_t	 ns_pidfile_ino;

static int
ns_privs_group(const char *name, gid_t *gid, char *err, size_t errlen)
{
	struct group	*gr;
	char		*end;
	unsigned long	 v;

	if ((gr = getgrnam(name)) != NULL) {
		*gid = gr->gr_gid;
		return 0;
	}
	v = strtoul(name, &end, 10);
	if (*name != '\0' && *end == '\0') {
		*gid = (gid_t)v;
		return 0;
	}
	snprintf(err, errlen, "group '%s' not found", name);
	return -1;
}

static int
ns_privs_user(const char *name, uid_t *uid, gid_t *gid, char *err,
    size_t errlen)
{
	struct passwd	*pw;
	char		*end;
	unsigned long	 v;

	if ((pw = getpwnam(name)) != NULL) {
		*uid = pw->pw_uid;
		*gid = pw->pw_gid;
		return 0;
	}
	v = strtoul(name, &end, 10);
	if (*name != '\0' && *end == '\0') {
		*uid = (uid_t)v;
		*gid = (gid_t)v;
		return 0;
	}
	snprintf(err, errlen, "user '%s' not found", name);
	return -1;
}

int
ns_privs_drop(const char *user, const char *group, char *err, size_t errlen)
{
	uid_t	 uid = getuid();
	gid_t	 gid = getgid();

	if (user == NULL && group == NULL)
		return 0;
	if (user != NULL && ns_privs_user(user, &uid, &gid, err, errlen) == -1)
		return -1;
	if (group != NULL && ns_privs_group(group, &gid, err, errlen) == -1)
		return -1;

	/* Group first: after setuid() the process may no longer change it. */
	if (setgroups(1, &gid) == -1 || setgid(gid) == -1) {
		snprintf(err, errlen, "cannot switch to group %lu: %s",
		    (unsigned long)gid, strerror(errno));
		return -1;
	}
	if (user != NULL && setuid(uid) == -1) {
		snprintf(err, errlen, "cannot switch to user %lu: %s",
		    (unsigned long)uid, strerror(errno));
		return -1;
	}

	/* A process that could become root again has not dropped anything. */
	if (user != NULL && uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
		snprintf(err, errlen, "user %lu can still become root",
		    (unsigned long)uid);
		return -1;
	}
	return 0;
}


/* Parse the pid in a pid file.  Returns 0 when it contains no valid pid. */
static pid_t
ns_pidfile_read(int fd)
{
	char	 buf[32], *end;
	ssize_t	 n;
	long	 v;

	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return 0;
	buf[n] = '\0';

	errno = 0;
	v = strtol(buf, &end, 10);
	if (errno != 0 || end == buf || v <= 0 || v > INT_MAX)
		return 0;
	if (*end != '\n' && *end != '\0')
		return 0;
	return (pid_t)v;
}

/*
 * Tell whether pid is a running netsentryd, from the command name and
 * state in /proc/PID/stat.  name receives the command name.
 */
static enum ns_pid_state
ns_pid_state(pid_t pid, char *name, size_t namelen)
{
	char	 path[64], buf[512], *start, *end;
	FILE	*fp;
	size_t	 n;

	snprintf(name, namelen, "unknown");

	/* After a reboot, or in a container, this process may reuse it. */
	if (pid == getpid())
		return NS_PID_GONE;
	if (kill(pid, 0) == -1 && errno == ESRCH)
		return NS_PID_GONE;

	/*
	 * Without /proc the program cannot be identified.  Assume a
	 * netsentryd, so that start-up fails rather than run two daemons.
	 */
	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if ((fp = fopen(path, "r")) == NULL)
		return NS_PID_DAEMON;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';

	/* The line reads "PID (COMMAND) STATE ..."; COMMAND may contain ')'. */
	start = strchr(buf, '(');
	end = strrchr(buf, ')');
	if (start == NULL || end == NULL || end < start || end[1] != ' ')
		return NS_PID_DAEMON;
	snprintf(name, namelen, "%.*s", (int)(end - start - 1), start + 1);

	/* A zombie has exited, but its parent has not collected it yet. */
	if (end[2] == 'Z' || end[2] == 'X')
		return NS_PID_GONE;
	if (strcmp(name, NS_PIDFILE_COMM) != 0)
		return NS_PID_OTHER;
	return NS_PID_DAEMON;
}

/* Log why a pid file that names no running netsentryd gets replaced. */
static void
ns_pidfile_log_stale(const char *path, pid_t pid, enum ns_pid_state state,
    const char *name)
{
	if (state == NS_PID_OTHER)
		snmp_log(LOG_NOTICE, "replacing stale pid file %s: pid %ld "
		    "is now %s, not netsentryd\n", path, (long)pid, name);
	else
		snmp_log(LOG_NOTICE, "replacing stale pid file %s: process "
		    "%ld is gone\n", path, (long)pid);
}

/*
 * Reject the pid file open on fd when a running netsentryd owns it: one
 * that holds its lock, or the live process whose pid it contains.  On
 * success fd holds the lock, and a stale pid is logged when replace is
 * set.  Returns -1 with the reason in err.
 */
static int
ns_pidfile_claim(int fd, const char *path, int replace, char *err,
    size_t errlen)
{
	enum ns_pid_state	 state;
	char			 name[64], holder[32];
	pid_t			 pid;

	pid = ns_pidfile_read(fd);
	if (flock(fd, LOCK_EX | LOCK_NB) == -1 && errno == EWOULDBLOCK) {
		/* The holder may not have written its pid yet. */
		holder[0] = '\0';
		if (pid > 0)
			snprintf(holder, sizeof(holder), " (pid %ld)",
			    (long)pid);
		snprintf(err, errlen, "pid file %s is locked by a running "
		    "netsentryd%s: stop that daemon first, or give this one "
		    "another pid file with -p", path, holder);
		return -1;
	}
	if (pid == 0)
		return 0;

	state = ns_pid_state(pid, name, sizeof(name));
	if (state == NS_PID_DAEMON) {
		snprintf(err, errlen, "netsentryd is already running as pid "
		    "%ld (pid file %s): stop it first, or give this daemon "
		    "another pid file with -p", (long)pid, path);
		return -1;
	}
	if (replace)
		ns_pidfile_log_stale(path, pid, state, name);
	return 0;
}

/*
 * Open a pid file without following a symbolic link, so a link planted
 * in a shared directory cannot make root write elsewhere.
 */
static int
ns_pidfile_open(const char *path, int flags, struct stat *st, char *err,
    size_t errlen)
{
	int	 fd;

	fd = open(path, flags | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd == -1) {
		if (errno != ENOENT || (flags & O_CREAT))
			snprintf(err, errlen, "cannot open pid file %s: %s",
			    path, strerror(errno));
		return -1;
	}
	if (fstat(fd, st) == -1 || !S_ISREG(st->st_mode)) {
		snprintf(err, errlen, "pid file %s is not a regular file",
		    path);
		close(fd);
		return -1;
	}
	return fd;
}

int
ns_pidfile_check(const char *path, char *err, size_t errlen)
{
	struct stat	 st;
	int		 fd, rc;

	err[0] = '\0';
	fd = ns_pidfile_open(path, O_RDONLY, &st, err, errlen);
	if (fd == -1)
		return err[0] == '\0' ? 0 : -1;

	/* Closing the file releases the lock that the check may take. */
	rc = ns_pidfile_claim(fd, path, 0, err, errlen);
	close(fd);
	return rc;
}

/* Replace the contents with this process's pid, readable by everyone. */
static int
ns_pidfile_fill(int fd, const char *path, char *err, size_t errlen)
{
	char	 buf[32];
	int	 len;

	len = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == -1 || fchmod(fd, 0644) == -1 ||
	    pwrite(fd, buf, (size_t)len, 0) != len) {
		snprintf(err, errlen, "cannot write pid file %s: %s", path,
		    strerror(errno));
		return -1;
	}
	return 0;
}

int
ns_pidfile_write(const char *path, char *err, size_t errlen)
{
	struct stat	 st, now;
	int		 fd;

	fd = ns_pidfile_open(path, O_RDWR | O_CREAT, &st, err, errlen);
	if (fd == -1)
		return -1;
	if (ns_pidfile_claim(fd, path, 1, err, errlen) == -1)
		goto fail;

	/* An exiting daemon may have removed the file before the lock. */
	if (stat(path, &now) == -1 || now.st_dev != st.st_dev ||
	    now.st_ino != st.st_ino) {
		snprintf(err, errlen, "pid file %s was removed or replaced "
		    "while this daemon started: start it again", path);
		goto fail;
	}
	if (ns_pidfile_fill(fd, path, err, errlen) == -1)
		goto fail;

	if ((ns_pidfile_path = strdup(path)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	ns_pidfile_fd = fd;
	ns_pidfile_dev = st.st_dev;
	ns_pidfile_ino = st.st_ino;
	return 0;

fail:
	close(fd);
	return -1;
}

void
ns_pidfile_remove(void)
{
	struct stat	 st;

	if (ns_pidfile_fd == -1)
		return;

	/*
	 * After -u the directory may no longer be writable.  The file then
	 * stays, and the next start replaces it as stale.
	 */
	if (stat(ns_pidfile_path, &st) == 0 && st.st_dev == ns_pidfile_dev &&
	    st.st_ino == ns_pidfile_ino && unlink(ns_pidfile_path) == -1)
		snmp_log(LOG_WARNING, "cannot remove pid file %s: %s\n",
		    ns_pidfile_path, strerror(errno));

	close(ns_pidfile_fd);
	ns_pidfile_fd = -1;
	free(ns_pidfile_path);
	ns_pidfile_path = NULL;
}
