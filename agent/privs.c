/* netsentry: pid file and the switch to an unprivileged user. */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "privs.h"

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

int
ns_pidfile_write(const char *path, char *err, size_t errlen)
{
	FILE	*fp;

	fp = fopen(path, "w");
	if (fp == NULL) {
		snprintf(err, errlen, "cannot write pid file %s: %s", path,
		    strerror(errno));
		return -1;
	}
	fprintf(fp, "%ld\n", (long)getpid());
	if (fclose(fp) == EOF) {
		snprintf(err, errlen, "cannot write pid file %s: %s", path,
		    strerror(errno));
		return -1;
	}
	return 0;
}
