/*
 * Unit tests for the action output: real shell scripts, written by each
 * test into a private directory, run by the worker thread.
 */
#include "config.h"

#include <sys/stat.h>

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "action.h"

/* Slack for a loaded machine when waiting for a short script. */
#define WAIT_SECONDS	20

static char		 dir[64];
static char		 logbuf[65536];
static size_t		 loglen;
static pthread_mutex_t	 loglock = PTHREAD_MUTEX_INITIALIZER;

static void __attribute__((format(printf, 2, 3)))
capture_log(int priority, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	pthread_mutex_lock(&loglock);
	va_start(ap, fmt);
	n = vsnprintf(logbuf + loglen, sizeof(logbuf) - loglen - 1, fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n < sizeof(logbuf) - loglen - 1) {
		loglen += (size_t)n;
		logbuf[loglen++] = '\n';
		logbuf[loglen] = '\0';
	}
	pthread_mutex_unlock(&loglock);
}

static int
log_contains(const char *text)
{
	int	 found;

	pthread_mutex_lock(&loglock);
	found = strstr(logbuf, text) != NULL;
	pthread_mutex_unlock(&loglock);
	return found;
}

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/ns-check-action.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	loglen = 0;
	logbuf[0] = '\0';
	ns_action_log = capture_log;
	ns_action_conf_defaults(&ns_action_conf);
}

static void
teardown(void)
{
	struct dirent	*d;
	char		 path[sizeof(dir) + sizeof(d->d_name) + 1];
	DIR		*dp;

	if ((dp = opendir(dir)) == NULL)
		return;
	while ((d = readdir(dp)) != NULL) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		unlink(path);
	}
	closedir(dp);
	rmdir(dir);
}

/* dir/name, in buf. */
static const char *
in_dir(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
	return buf;
}

static void
write_file(const char *path, const char *text, mode_t mode)
{
	FILE	*f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(chmod(path, mode), 0);
}

/* A script dir/name with body after the #! line; returns its path. */
static const char *
write_script(char *path, size_t len, const char *name, const char *body)
{
	char	 text[4096];

	snprintf(text, sizeof(text), "#!/bin/sh\n%s", body);
	write_file(in_dir(path, len, name), text, 0700);
	return path;
}

/* Whole file into buf; "" when it is missing. */
static const char *
read_file(const char *path, char *buf, size_t len)
{
	FILE	*f = fopen(path, "r");
	size_t	 n = 0;

	if (f != NULL) {
		n = fread(buf, 1, len - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

static void
set_command(struct ns_action_conf *conf, const char *line)
{
	char	 err[512] = "";

	ck_assert_msg(ns_action_conf_set_command(conf, line, err,
	    sizeof(err)) == 0, "alertAction %s: %s", line, err);
}

static double
seconds_since(const struct timespec *t0)
{
	struct timespec	 now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) +
	    (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Wait until n commands have run; returns the stats then. */
static struct ns_action_stats
wait_runs(uint64_t n, double max)
{
	struct ns_action_stats	 st;
	struct timespec		 t0, tick = { 0, 10000000 };

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		ns_action_stats(&st);
		if (st.run >= n || seconds_since(&t0) > max)
			return st;
		nanosleep(&tick, NULL);
	}
}

static void
set_ipv4(struct ns_addr *a, uint8_t b0, uint8_t b1, uint8_t b2, uint8_t b3,
    uint8_t plen)
{
	memset(a, 0, sizeof(*a));
	a->key[0] = NS_INET_IPV4;
	a->key[1] = b0;
	a->key[2] = b1;
	a->key[3] = b2;
	a->key[4] = b3;
	a->plen = plen;
}

/* A port scan from 192.0.2.7 of 2001:db8::1. */
static void
make_alert(struct ns_alert *a)
{
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };

	memset(a, 0, sizeof(*a));
	a->id = 5;
	a->kind = NS_NOTE_STARTED;
	a->severity = NS_SEV_WARNING;
	a->ev.index = 12;
	a->ev.type = NS_EV_PORT_SCAN;
	a->ev.state = NS_EVS_ACTIVE;
	a->ev.probe = NS_PK_TCP_SYN;
	a->ev.shape = NS_SHAPE_VERTICAL;
	a->ev.start_sec = 1700000000;
	a->ev.last_sec = 1700000060;
	set_ipv4(&a->ev.attacker, 192, 0, 2, 7, 32);
	a->ev.target.key[0] = NS_INET_IPV6;
	memcpy(a->ev.target.key + 1, v6, sizeof(v6));
	a->ev.target.plen = 128;
	a->ev.port = 22;
	a->ev.ports = 150;
	a->ev.targets = 1;
	a->ev.sources = 1;
	a->ev.packets = 300;
	a->ev.peak_rate = 75;
	snprintf(a->ev.descr, sizeof(a->ev.descr), "scan of 150 ports");
	snprintf(a->attacker_name, sizeof(a->attacker_name),
	    "scanner.example.net");
	snprintf(a->target_name, sizeof(a->target_name), "www.example.org");
}

/* Run the alert through a script that dumps env and argv to dir/env. */
static const char *
run_env_dump(const struct ns_alert *a, char *env, size_t len)
{
	char	 script[256], out[256], line[600];

	write_script(script, sizeof(script), "dump",
	    "exec /usr/bin/env >\"$1\"\n");
	snprintf(line, sizeof(line), "%s %s", script,
	    in_dir(out, sizeof(out), "env"));
	set_command(&ns_action_conf, line);

	ck_assert_int_eq(ns_action_submit(&ns_action_conf, a), 0);
	ck_assert_int_eq(ns_action_start(), 0);
	ck_assert_uint_eq(wait_runs(1, WAIT_SECONDS).run, 1);
	ns_action_stop();
	return read_file(out, env, len);
}

/* The variable's line, NAME=value and a newline, is in env. */
static void
assert_var(const char *env, const char *assignment)
{
	char	 line[600];

	snprintf(line, sizeof(line), "\n%s\n", assignment);
	ck_assert_msg(strstr(env, line) != NULL ||
	    strncmp(env, line + 1, strlen(line + 1)) == 0,
	    "%s not in the environment:\n%s", assignment, env);
}

/*
 * Count the NETSENTRY_ variables, and check that every other line is
 * PATH or a variable that /bin/sh itself exports (dash: PWD; bash also
 * SHLVL and _).
 */
static size_t
count_alert_vars(const char *env)
{
	static const char *const shell[] = { "PATH=", "PWD=", "SHLVL=", "_=" };
	const char	*line, *end;
	size_t		 i, n = 0;
	int		 known;

	for (line = env; *line != '\0'; line = end + 1) {
		end = strchr(line, '\n');
		ck_assert_ptr_nonnull(end);
		if (strncmp(line, "NETSENTRY_", strlen("NETSENTRY_")) == 0) {
			n++;
			continue;
		}
		known = 0;
		for (i = 0; i < sizeof(shell) / sizeof(shell[0]); i++)
			known |= strncmp(line, shell[i], strlen(shell[i])) == 0;
		ck_assert_msg(known, "unexpected variable: %.*s",
		    (int)(end - line), line);
	}
	return n;
}

START_TEST(env_of_started_alert)
{
	struct ns_alert	 a;
	char		 env[8192];

	setenv("NS_CHECK_SECRET", "inherited", 1);
	make_alert(&a);
	run_env_dump(&a, env, sizeof(env));

	assert_var(env, "PATH=/usr/sbin:/usr/bin:/sbin:/bin");
	assert_var(env, "NETSENTRY_ALERT=started");
	assert_var(env, "NETSENTRY_EVENT_INDEX=12");
	assert_var(env, "NETSENTRY_EVENT_TYPE=portScan");
	assert_var(env, "NETSENTRY_SEVERITY=warning");
	assert_var(env, "NETSENTRY_PROBE=tcpSyn");
	assert_var(env, "NETSENTRY_SHAPE=vertical");
	assert_var(env, "NETSENTRY_ATTACKER=192.0.2.7");
	assert_var(env, "NETSENTRY_ATTACKER_NAME=scanner.example.net");
	assert_var(env, "NETSENTRY_TARGET=2001:db8::1");
	assert_var(env, "NETSENTRY_TARGET_NAME=www.example.org");
	assert_var(env, "NETSENTRY_PORT=22");
	assert_var(env, "NETSENTRY_PORTS=150");
	assert_var(env, "NETSENTRY_TARGETS=1");
	assert_var(env, "NETSENTRY_SOURCES=1");
	assert_var(env, "NETSENTRY_PACKETS=300");
	assert_var(env, "NETSENTRY_PEAK_RATE=75");
	assert_var(env, "NETSENTRY_START=2023-11-14T22:13:20Z");
	assert_var(env, "NETSENTRY_LAST=2023-11-14T22:14:20Z");
	assert_var(env, "NETSENTRY_DESCR=scan of 150 ports");

	/* dash exports PWD, which shows the command runs in /. */
	assert_var(env, "PWD=/");
	ck_assert_uint_eq(count_alert_vars(env), 19);
	ck_assert_ptr_null(strstr(env, "NS_CHECK_SECRET"));
	ck_assert_ptr_null(strstr(env, "NETSENTRY_SUPPRESSED"));
	ck_assert_msg(log_contains(": exit status 0 in "), "log:\n%s",
	    logbuf);
	ck_assert_msg(log_contains("for event 12 (portScan started)"),
	    "log:\n%s", logbuf);
}
END_TEST

START_TEST(env_of_network_and_unknown)
{
	struct ns_alert	 a;
	char		 env[8192];

	make_alert(&a);
	a.kind = NS_NOTE_ENDED;
	a.severity = NS_SEV_CRITICAL;
	set_ipv4(&a.ev.attacker, 198, 51, 100, 0, 24);
	memset(&a.ev.target, 0, sizeof(a.ev.target));
	a.attacker_name[0] = '\0';
	a.ev.port = 0;
	run_env_dump(&a, env, sizeof(env));

	assert_var(env, "NETSENTRY_ALERT=ended");
	assert_var(env, "NETSENTRY_SEVERITY=critical");
	assert_var(env, "NETSENTRY_ATTACKER=198.51.100.0/24");
	assert_var(env, "NETSENTRY_ATTACKER_NAME=");
	assert_var(env, "NETSENTRY_TARGET=");
	assert_var(env, "NETSENTRY_PORT=0");
}
END_TEST

START_TEST(env_of_digest)
{
	struct ns_alert	 a;
	char		 env[8192];

	memset(&a, 0, sizeof(a));
	a.kind = NS_ALERT_DIGEST;
	a.severity = NS_SEV_INFO;
	a.suppressed = 17;
	run_env_dump(&a, env, sizeof(env));

	assert_var(env, "NETSENTRY_ALERT=digest");
	assert_var(env, "NETSENTRY_SEVERITY=info");
	assert_var(env, "NETSENTRY_SUPPRESSED=17");
	ck_assert_ptr_null(strstr(env, "NETSENTRY_EVENT_INDEX"));
	ck_assert_uint_eq(count_alert_vars(env), 3);
	ck_assert_msg(log_contains("for a digest of 17 held-back alerts"),
	    "log:\n%s", logbuf);
}
END_TEST

START_TEST(fixed_arguments_only)
{
	struct ns_alert	 a;
	char		 script[256], out[256], line[600], text[1024];

	write_script(script, sizeof(script), "args",
	    "printf '%s|' \"$#\" \"$@\" >\"$1\"\n");
	snprintf(line, sizeof(line), "  %s\t%s  --type   portScan ", script,
	    in_dir(out, sizeof(out), "args.out"));
	set_command(&ns_action_conf, line);
	ck_assert_uint_eq(ns_action_conf.argc, 4);

	make_alert(&a);
	ck_assert_int_eq(ns_action_submit(&ns_action_conf, &a), 0);
	ck_assert_int_eq(ns_action_start(), 0);
	ck_assert_uint_eq(wait_runs(1, WAIT_SECONDS).run, 1);
	ns_action_stop();

	snprintf(line, sizeof(line), "3|%s|--type|portScan|", out);
	ck_assert_str_eq(read_file(out, text, sizeof(text)), line);
}
END_TEST

/* Shell syntax in wire values arrives as text; nothing runs it. */
START_TEST(hostile_names_are_text)
{
	struct ns_alert	 a;
	char		 script[256], out[256], pwned[sizeof(dir) + 8];
	char		 line[600];
	char		 text[2048], expect[1024];

	in_dir(pwned, sizeof(pwned), "pwned");
	write_script(script, sizeof(script), "names",
	    "printf '%s\\n' \"$NETSENTRY_ATTACKER_NAME\" "
	    "\"$NETSENTRY_TARGET_NAME\" \"$NETSENTRY_DESCR\" >\"$1\"\n");
	snprintf(line, sizeof(line), "%s %s", script,
	    in_dir(out, sizeof(out), "names.out"));
	set_command(&ns_action_conf, line);

	make_alert(&a);
	snprintf(a.attacker_name, sizeof(a.attacker_name),
	    "$(touch %s).example", pwned);
	snprintf(a.target_name, sizeof(a.target_name),
	    "`touch %s`;touch %s\nNETSENTRY_ALERT=x", pwned, pwned);
	snprintf(a.ev.descr, sizeof(a.ev.descr), "a\x1b[31mred\r\x7f|$HOME");
	ck_assert_int_eq(ns_action_submit(&ns_action_conf, &a), 0);
	ck_assert_int_eq(ns_action_start(), 0);
	ck_assert_uint_eq(wait_runs(1, WAIT_SECONDS).run, 1);
	ns_action_stop();

	snprintf(expect, sizeof(expect), "$(touch %s).example\n"
	    "`touch %s`;touch %s?NETSENTRY_ALERT=x\n"
	    "a?[31mred??|$HOME\n", pwned, pwned, pwned);
	ck_assert_str_eq(read_file(out, text, sizeof(text)), expect);
	ck_assert_int_eq(access(pwned, F_OK), -1);
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

START_TEST(timeout_kills_group)
{
	struct ns_action_stats	 st;
	struct ns_alert		 a;
	struct timespec		 t0;
	char			 script[256], pidfile[256], line[600];
	char			 text[64];
	double			 took;
	long			 pid;

	/*
	 * The script and the sleep it starts ignore SIGTERM, so only the
	 * SIGKILL to the whole group ends them.
	 */
	write_script(script, sizeof(script), "slow",
	    "trap '' TERM\n"
	    "sleep 30 &\n"
	    "echo $! >\"$1\"\n"
	    "wait\n");
	snprintf(line, sizeof(line), "%s %s", script,
	    in_dir(pidfile, sizeof(pidfile), "sleep.pid"));
	set_command(&ns_action_conf, line);
	ns_action_conf.timeout = 1;

	make_alert(&a);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(ns_action_submit(&ns_action_conf, &a), 0);
	ck_assert_int_eq(ns_action_start(), 0);
	st = wait_runs(1, 1 + 3);
	took = seconds_since(&t0);
	ns_action_stop();

	ck_assert_uint_eq(st.run, 1);
	ck_assert_uint_eq(st.failed, 1);
	ck_assert_msg(took <= 1 + 3, "took %.2f s", took);
	ck_assert_msg(took >= 1, "took %.2f s", took);
	ck_assert_msg(log_contains(": killed after timeout of 1 s"),
	    "log:\n%s", logbuf);

	/* The sleep is gone: init reaped it, or it is a zombie at most. */
	pid = strtol(read_file(pidfile, text, sizeof(text)), NULL, 10);
	ck_assert_int_gt(pid, 1);
	snprintf(line, sizeof(line), "/proc/%ld/stat", pid);
	read_file(line, text, sizeof(text));
	ck_assert_msg(text[0] == '\0' || strstr(text, ") Z ") != NULL,
	    "sleep %ld still runs: %s", pid, text);
}
END_TEST

/* ns_action_stop() waits for a running command only up to its timeout. */
START_TEST(stop_bounded_by_timeout)
{
	struct ns_action_stats	 st;
	struct ns_alert		 a;
	struct timespec		 t0, tick = { 0, 200000000 };
	char			 script[256];
	double			 took;

	write_script(script, sizeof(script), "sleeper", "exec sleep 30\n");
	set_command(&ns_action_conf, script);
	ns_action_conf.timeout = 1;

	make_alert(&a);
	ck_assert_int_eq(ns_action_submit(&ns_action_conf, &a), 0);
	ck_assert_int_eq(ns_action_submit(&ns_action_conf, &a), 0);
	ck_assert_int_eq(ns_action_start(), 0);
	nanosleep(&tick, NULL);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	ns_action_stop();
	took = seconds_since(&t0);
	ns_action_stats(&st);

	ck_assert_msg(took <= 1 + 3, "took %.2f s", took);
	ck_assert_uint_eq(st.run, 1);
	ck_assert_uint_eq(st.failed, 1);
	ck_assert_uint_eq(st.waiting, 0);
	ck_assert_msg(log_contains("action worker stopped: 1 queued alerts "
	    "discarded"), "log:\n%s", logbuf);
	ck_assert_int_eq(ns_action_submit(&ns_action_conf, &a), -1);
}
END_TEST

START_TEST(nonzero_exit_fails)
{
	struct ns_action_stats	 st;
	struct ns_alert		 a;
	char			 script[256];

	write_script(script, sizeof(script), "three",
	    "printf 'first\\033[31m \\\\ line\\nsecond line\\n'\n"
	    "exit 3\n");
	set_command(&ns_action_conf, script);

	make_alert(&a);
	ck_assert_int_eq(ns_action_submit(&ns_action_conf, &a), 0);
	ck_assert_int_eq(ns_action_start(), 0);
	st = wait_runs(1, WAIT_SECONDS);
	ns_action_stop();

	ck_assert_uint_eq(st.run, 1);
	ck_assert_uint_eq(st.failed, 1);
	ck_assert_msg(log_contains(": exit status 3 in "), "log:\n%s",
	    logbuf);
	ck_assert_msg(log_contains(" output: first\\x1b[31m \\\\ line\n"),
	    "log:\n%s", logbuf);
	ck_assert_msg(!log_contains("second line"), "log:\n%s", logbuf);
}
END_TEST

START_TEST(signal_death_fails)
{
	struct ns_action_stats	 st;
	struct ns_alert		 a;
	char			 script[256];

	write_script(script, sizeof(script), "killed", "kill -KILL $$\n");
	set_command(&ns_action_conf, script);

	make_alert(&a);
	ck_assert_int_eq(ns_action_submit(&ns_action_conf, &a), 0);
	ck_assert_int_eq(ns_action_start(), 0);
	st = wait_runs(1, WAIT_SECONDS);
	ns_action_stop();

	ck_assert_uint_eq(st.failed, 1);
	ck_assert_msg(log_contains(": killed by signal 9 (SIGKILL)"),
	    "log:\n%s", logbuf);
}
END_TEST

START_TEST(exec_failure_fails)
{
	struct ns_action_stats	 st;
	struct ns_alert		 a;
	char			 script[256];

	write_script(script, sizeof(script), "gone", "exit 0\n");
	set_command(&ns_action_conf, script);
	ck_assert_int_eq(unlink(script), 0);

	make_alert(&a);
	ck_assert_int_eq(ns_action_submit(&ns_action_conf, &a), 0);
	ck_assert_int_eq(ns_action_start(), 0);
	st = wait_runs(1, WAIT_SECONDS);
	ns_action_stop();

	ck_assert_uint_eq(st.run, 1);
	ck_assert_uint_eq(st.failed, 1);
	ck_assert_msg(log_contains(": exec failed: No such file or "
	    "directory"), "log:\n%s", logbuf);
	ck_assert_msg(log_contains("is not executable by uid"), "log:\n%s",
	    logbuf);
}
END_TEST

START_TEST(full_queue_drops)
{
	struct ns_action_stats	 st;
	struct ns_alert		 a;
	char			 script[256];

	write_script(script, sizeof(script), "ok", "exit 0\n");
	set_command(&ns_action_conf, script);
	ns_action_conf.queue_size = 2;

	/* No worker yet, so nothing leaves the queue. */
	make_alert(&a);
	ck_assert_int_eq(ns_action_submit(&ns_action_conf, &a), 0);
	ck_assert_int_eq(ns_action_submit(&ns_action_conf, &a), 0);
	ck_assert_int_eq(ns_action_submit(&ns_action_conf, &a), -1);
	ck_assert_int_eq(ns_action_submit(&ns_action_conf, &a), -1);
	ns_action_stats(&st);
	ck_assert_uint_eq(st.dropped, 2);
	ck_assert_uint_eq(st.waiting, 2);
	ck_assert_msg(log_contains("the queue is full"), "log:\n%s", logbuf);

	ck_assert_int_eq(ns_action_start(), 0);
	st = wait_runs(2, WAIT_SECONDS);
	ck_assert_uint_eq(st.run, 2);
	ck_assert_uint_eq(st.failed, 0);
	ck_assert_int_eq(ns_action_submit(&ns_action_conf, &a), 0);
	st = wait_runs(3, WAIT_SECONDS);
	ns_action_stop();
	ck_assert_uint_eq(st.run, 3);
	ck_assert_uint_eq(st.dropped, 2);
	ck_assert_msg(log_contains("accepts alerts again; 2 were dropped"),
	    "log:\n%s", logbuf);
}
END_TEST

/* Descriptors 0 to 2 only, with stdin on /dev/null. */
START_TEST(child_fds_closed)
{
	struct ns_alert	 a;
	char		 script[256], out[256], line[600], text[4096];
	char		 *p, *arrow;
	int		 fds[2], extra;
	long		 fd;

	ck_assert_int_eq(pipe(fds), 0);
	extra = open("/dev/null", O_RDONLY);
	ck_assert_int_ge(extra, 0);
	ck_assert_int_eq(dup2(extra, 50), 50);

	write_script(script, sizeof(script), "fds",
	    "exec /bin/ls -l /proc/self/fd >\"$1\"\n");
	snprintf(line, sizeof(line), "%s %s", script,
	    in_dir(out, sizeof(out), "fds.out"));
	set_command(&ns_action_conf, line);

	make_alert(&a);
	ck_assert_int_eq(ns_action_submit(&ns_action_conf, &a), 0);
	ck_assert_int_eq(ns_action_start(), 0);
	ck_assert_uint_eq(wait_runs(1, WAIT_SECONDS).run, 1);
	ns_action_stop();

	/* ls reads the directory through fd 3, the lowest one free. */
	read_file(out, text, sizeof(text));
	ck_assert_ptr_nonnull(strstr(text, " 0 -> /dev/null\n"));
	ck_assert_ptr_nonnull(strstr(text, " 1 -> "));
	ck_assert_ptr_nonnull(strstr(text, " 2 -> pipe:"));
	for (p = text; (arrow = strstr(p, " -> ")) != NULL; p = arrow + 4) {
		while (arrow > p && arrow[-1] != ' ')
			arrow--;
		fd = strtol(arrow, NULL, 10);
		ck_assert_msg(fd <= 3, "fd %ld open in the command:\n%s", fd,
		    text);
		arrow = strstr(arrow, " -> ");
	}
	close(fds[0]);
	close(fds[1]);
	close(extra);
	close(50);
}
END_TEST

/* The daemon's ignored and blocked signals do not reach the command. */
START_TEST(child_signals_reset)
{
	struct ns_alert	 a;
	sigset_t	 block;
	char		 script[256], out[256], line[600], text[4096];
	char		*p;
	unsigned long long ignored;
	long		 pid, pgrp;

	signal(SIGPIPE, SIG_IGN);
	signal(SIGUSR2, SIG_IGN);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &block, NULL);

	write_script(script, sizeof(script), "sigs",
	    "read -r pid comm state ppid pgrp rest </proc/$$/stat\n"
	    "echo \"$pid $pgrp\" >\"$1\"\n"
	    "exec /bin/grep -E '^Sig(Blk|Ign)' /proc/self/status >>\"$1\"\n");
	snprintf(line, sizeof(line), "%s %s", script,
	    in_dir(out, sizeof(out), "sigs.out"));
	set_command(&ns_action_conf, line);

	make_alert(&a);
	ck_assert_int_eq(ns_action_submit(&ns_action_conf, &a), 0);
	ck_assert_int_eq(ns_action_start(), 0);
	ck_assert_uint_eq(wait_runs(1, WAIT_SECONDS).run, 1);
	ns_action_stop();

	read_file(out, text, sizeof(text));
	ck_assert_int_eq(sscanf(text, "%ld %ld", &pid, &pgrp), 2);
	ck_assert_int_eq(pid, pgrp);
	ck_assert_ptr_nonnull(strstr(text, "SigBlk:\t0000000000000000\n"));

	/*
	 * sigaction() rejects signals 32 and 33, which glibc reserves, and
	 * processes that GNU make starts may inherit them ignored.
	 */
	p = strstr(text, "SigIgn:\t");
	ck_assert_ptr_nonnull(p);
	ignored = strtoull(p + strlen("SigIgn:\t"), NULL, 16);
	ck_assert_msg((ignored & ~(3ULL << 31)) == 0, "%s", text);
}
END_TEST

START_TEST(command_checked)
{
	struct ns_action_conf	 c;
	char			 err[512], path[256], line[600];

	ns_action_conf_defaults(&c);
	ck_assert_int_eq(ns_action_conf_set_command(&c, "  ", err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "needs the absolute path"));
	ck_assert_int_eq(ns_action_conf_set_command(&c, "bin/true", err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "not an absolute path"));
	ck_assert_int_eq(ns_action_conf_set_command(&c, dir, err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "not a regular file"));

	in_dir(path, sizeof(path), "missing");
	ck_assert_int_eq(ns_action_conf_set_command(&c, path, err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "No such file"));

	write_file(in_dir(path, sizeof(path), "plain"), "exit 0\n", 0644);
	ck_assert_int_eq(ns_action_conf_set_command(&c, path, err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "not executable"));

	write_file(in_dir(path, sizeof(path), "open"), "exit 0\n", 0777);
	ck_assert_int_eq(ns_action_conf_set_command(&c, path, err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "chmod o-w"));

	write_script(path, sizeof(path), "good", "exit 0\n");
	snprintf(line, sizeof(line), "%s a b", path);
	ck_assert_int_eq(ns_action_conf_set_command(&c, line, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(c.argc, 3);
	ck_assert_str_eq(c.argv[0], path);
	ck_assert_str_eq(c.argv[2], "b");
	ck_assert_ptr_null(c.argv[3]);

	/* A rejected line keeps the command in force. */
	ck_assert_int_eq(ns_action_conf_set_command(&c, "x", err,
	    sizeof(err)), -1);
	ck_assert_uint_eq(c.argc, 3);
	ns_action_conf_clear(&c);
	ck_assert_ptr_null(c.argv);
	ck_assert_uint_eq(c.timeout, NS_ACTION_TIMEOUT);
	ck_assert_uint_eq(c.queue_size, NS_ACTION_QUEUE);
}
END_TEST

START_TEST(no_command_queues_nothing)
{
	struct ns_action_stats	 st;
	struct ns_alert		 a;

	make_alert(&a);
	ck_assert_int_eq(ns_action_submit(&ns_action_conf, &a), 0);
	ns_action_stats(&st);
	ck_assert_uint_eq(st.waiting, 0);
	ck_assert_uint_eq(st.dropped, 0);
}
END_TEST

/* A swap while an alert waits: it runs with the command it had. */
START_TEST(swap_keeps_queued_command)
{
	struct ns_action_conf	*next;
	struct ns_alert		 a;
	char			 first[256], second[256], out[256];
	char			 line[600], text[256];

	in_dir(out, sizeof(out), "which");
	write_script(first, sizeof(first), "first",
	    "echo first >>\"$1\"\n");
	write_script(second, sizeof(second), "second",
	    "echo second >>\"$1\"\n");
	snprintf(line, sizeof(line), "%s %s", first, out);
	set_command(&ns_action_conf, line);

	make_alert(&a);
	ck_assert_int_eq(ns_action_submit(&ns_action_conf, &a), 0);
	next = calloc(1, sizeof(*next));
	ck_assert_ptr_nonnull(next);
	ns_action_conf_defaults(next);
	snprintf(line, sizeof(line), "%s %s", second, out);
	set_command(next, line);
	ns_action_swap(next);
	free(next);
	ck_assert_int_eq(ns_action_submit(&ns_action_conf, &a), 0);

	ck_assert_int_eq(ns_action_start(), 0);
	ck_assert_uint_eq(wait_runs(2, WAIT_SECONDS).run, 2);
	ns_action_stop();
	ck_assert_str_eq(read_file(out, text, sizeof(text)),
	    "first\nsecond\n");
}
END_TEST

static Suite *
action_suite(void)
{
	Suite	*s = suite_create("action");
	TCase	*tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	/* Timeout tests take up to 3 s each on their own. */
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, env_of_started_alert);
	tcase_add_test(tc, env_of_network_and_unknown);
	tcase_add_test(tc, env_of_digest);
	tcase_add_test(tc, fixed_arguments_only);
	tcase_add_test(tc, hostile_names_are_text);
	tcase_add_test(tc, timeout_kills_group);
	tcase_add_test(tc, stop_bounded_by_timeout);
	tcase_add_test(tc, nonzero_exit_fails);
	tcase_add_test(tc, signal_death_fails);
	tcase_add_test(tc, exec_failure_fails);
	tcase_add_test(tc, full_queue_drops);
	tcase_add_test(tc, child_fds_closed);
	tcase_add_test(tc, child_signals_reset);
	tcase_add_test(tc, command_checked);
	tcase_add_test(tc, no_command_queues_nothing);
	tcase_add_test(tc, swap_keeps_queued_command);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(action_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
