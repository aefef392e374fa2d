/*
 * netsentry: the action output.
 *
 * A worker thread runs the administrator's command once per queued
 * alert, one command at a time, so the agent thread never waits for it.
 * The command runs through fork(2) and execve(2), never through a shell,
 * with the fixed arguments of its alertAction line.  The alert reaches
 * it only in environment variables, so no byte from the wire ever
 * becomes an argument.
 */
#include "config.h"

#include <sys/queue.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "action.h"
#include "logq.h"

/* The whole environment of a command, besides the alert's variables. */
#define NS_ACTION_PATH		"/usr/sbin:/usr/bin:/sbin:/bin"

/* Seconds between SIGTERM and SIGKILL to a command that timed out. */
#define NS_ACTION_KILL_GRACE	2

/* Bytes of output kept for the log: the first line, at most this many. */
#define NS_ACTION_OUTPUT	200

/*
 * Milliseconds between checks whether the command exited: the delay
 * that a run's log line can add to its duration.
 */
#define NS_ACTION_TICK		20

/*
 * The environment of one command: 21 variables, whose longest values
 * are the two names (NS_ALERT_NAME) and the description
 * (NS_EVENT_DESCR), which fit in the buffer with room to spare.
 */
#define NS_ACTION_ENV_VARS	24
#define NS_ACTION_ENV_SIZE	4096

struct ns_action_env {
	char	*vec[NS_ACTION_ENV_VARS + 1];
	size_t	 n;
	char	 buf[NS_ACTION_ENV_SIZE];
	size_t	 used;
};

/* A queued alert with its own copy of the command and timeout. */
struct ns_action_job {
	TAILQ_ENTRY(ns_action_job) link;
	struct ns_alert		 alert;
	uint32_t		 timeout;
	char			**argv;		/* in the same allocation */
};

/* The first line of a command's output (stdout and stderr). */
struct ns_action_output {
	char	 text[NS_ACTION_OUTPUT];
	size_t	 len;
	int	 full;		/* a newline or the size ended it */
};

TAILQ_HEAD(ns_action_queue, ns_action_job);

static struct {
	pthread_mutex_t		 lock;
	pthread_cond_t		 wake;
	pthread_t		 worker;
	int			 running;	/* the worker exists */
	int			 stopping;
	struct ns_action_queue	 queue;
	size_t			 waiting;
	int			 dropping;	/* a drop was logged */
	uint64_t		 dropped_since;	/* ... and counted since */
	struct ns_action_stats	 stats;
} act = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.wake = PTHREAD_COND_INITIALIZER,
	.queue = TAILQ_HEAD_INITIALIZER(act.queue),
};

struct ns_action_conf ns_action_conf = {
	.timeout = NS_ACTION_TIMEOUT,
	.queue_size = NS_ACTION_QUEUE,
};

void (*ns_action_log)(int, const char *, ...) = ns_logq_post;

void
ns_action_conf_defaults(struct ns_action_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	conf->timeout = NS_ACTION_TIMEOUT;
	conf->queue_size = NS_ACTION_QUEUE;
}

/* Free the command; the timeout and queue size stay. */
void
ns_action_conf_clear(struct ns_action_conf *conf)
{
	size_t	 i;

	for (i = 0; i < conf->argc; i++)
		free(conf->argv[i]);
	free(conf->argv);
	conf->argv = NULL;
	conf->argc = 0;
}

static void
ns_action_free_words(char **words)
{
	size_t	 i;

	for (i = 0; words != NULL && words[i] != NULL; i++)
		free(words[i]);
	free(words);
}

/* Split line on spaces and tabs into a NULL-terminated vector. */
static char **
ns_action_split(const char *line, size_t *count)
{
	char	**words = NULL, **grown, *copy, *word, *save;
	size_t	 n = 0;

	if ((copy = strdup(line)) == NULL)
		return NULL;
	for (word = strtok_r(copy, " \t", &save); word != NULL;
	    word = strtok_r(NULL, " \t", &save)) {
		grown = reallocarray(words, n + 2, sizeof(*words));
		if (grown == NULL)
			goto fail;
		words = grown;
		words[n + 1] = NULL;
		if ((words[n] = strdup(word)) == NULL)
			goto fail;
		n++;
	}
	free(copy);
	if (words == NULL)
		words = calloc(1, sizeof(*words));
	*count = n;
	return words;

fail:
	free(copy);
	ns_action_free_words(words);
	return NULL;
}

/*
 * At start-up the daemon reads its configuration as root, and for root
 * access(2) passes any file with one execute bit.  So ns_action_start(),
 * called after the switch to the daemon's user, checks again.
 */
static int
ns_action_check_path(const char *path, char *err, size_t errlen)
{
	struct stat	 sb;

	if (path[0] != '/') {
		snprintf(err, errlen, "'%s' is not an absolute path", path);
		return -1;
	}
	if (stat(path, &sb) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		return -1;
	}
	if (sb.st_mode & S_IWOTH) {
		snprintf(err, errlen, "%s: any user can write it, so any "
		    "user could run commands as the daemon; run chmod o-w %s",
		    path, path);
		return -1;
	}
	if (access(path, X_OK) == -1) {
		snprintf(err, errlen, "%s: not executable by uid %ld: %s",
		    path, (long)geteuid(), strerror(errno));
		return -1;
	}
	return 0;
}

int
ns_action_conf_set_command(struct ns_action_conf *conf, const char *line,
    char *err, size_t errlen)
{
	char	**words;
	size_t	 n;

	if ((words = ns_action_split(line, &n)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (n == 0) {
		snprintf(err, errlen, "needs the absolute path of a command, "
		    "as in 'alertAction /usr/local/sbin/block-attacker'");
		ns_action_free_words(words);
		return -1;
	}
	if (ns_action_check_path(words[0], err, errlen) == -1) {
		ns_action_free_words(words);
		return -1;
	}
	ns_action_conf_clear(conf);
	conf->argv = words;
	conf->argc = n;
	return 0;
}

void
ns_action_swap(struct ns_action_conf *next)
{
	ns_action_conf_clear(&ns_action_conf);
	ns_action_conf = *next;
	memset(next, 0, sizeof(*next));
}

/* The alert as log lines name it: "event 12 (portScan started)". */
static void
ns_action_label(const struct ns_alert *a, char *buf, size_t len)
{
	if (a->kind == NS_ALERT_DIGEST)
		snprintf(buf, len, "a digest of %" PRIu32 " held-back alerts",
		    a->suppressed);
	else
		snprintf(buf, len, "event %" PRIu32 " (%s %s)", a->ev.index,
		    ns_event_type_name(a->ev.type),
		    ns_alert_kind_name(a->kind));
}

/* Copy a string from the wire with its control characters as '?'. */
static void
ns_action_clean(char *dst, const char *src, size_t srclen)
{
	size_t		 i, n = strnlen(src, srclen - 1);
	unsigned char	 c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)src[i];
		dst[i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	dst[n] = '\0';
}

/* Add NAME=value; the buffer is sized so that nothing is left out. */
static void __attribute__((format(printf, 3, 4)))
ns_action_env_add(struct ns_action_env *e, const char *name,
    const char *fmt, ...)
{
	va_list	 ap;
	char	*p = e->buf + e->used;
	size_t	 room = sizeof(e->buf) - e->used;
	int	 n, m;

	if (e->n == NS_ACTION_ENV_VARS)
		return;
	n = snprintf(p, room, "%s=", name);
	if (n < 0 || (size_t)n >= room)
		return;
	va_start(ap, fmt);
	m = vsnprintf(p + n, room - (size_t)n, fmt, ap);
	va_end(ap);
	if (m < 0 || (size_t)(n + m) >= room)
		return;
	e->vec[e->n++] = p;
	e->vec[e->n] = NULL;
	e->used += (size_t)(n + m) + 1;
}

static void
ns_action_env_time(struct ns_action_env *e, const char *name, uint32_t sec)
{
	char	 text[32];

	ns_time_iso(sec, text, sizeof(text));
	ns_action_env_add(e, name, "%s", text);
}

/* An address as text, "" when unknown, with "/plen" for a network. */
static void
ns_action_env_addr(struct ns_action_env *e, const char *name,
    const struct ns_addr *addr)
{
	char	 text[64] = "";

	if (addr->key[0] != 0)
		ns_addr_format(addr, text, sizeof(text));
	ns_action_env_add(e, name, "%s", text);
}

static void
ns_action_env_text(struct ns_action_env *e, const char *name,
    const char *wire, size_t len)
{
	char	 text[NS_ALERT_NAME];

	ns_action_clean(text, wire, len < sizeof(text) ? len : sizeof(text));
	ns_action_env_add(e, name, "%s", text);
}

static void
ns_action_env_event(struct ns_action_env *e, const struct ns_alert *a)
{
	const struct ns_event	*ev = &a->ev;

	ns_action_env_add(e, "NETSENTRY_EVENT_INDEX", "%" PRIu32, ev->index);
	ns_action_env_add(e, "NETSENTRY_EVENT_TYPE", "%s",
	    ns_event_type_name(ev->type));
	ns_action_env_add(e, "NETSENTRY_PROBE", "%s",
	    ns_probe_kind_name(ev->probe));
	ns_action_env_add(e, "NETSENTRY_SHAPE", "%s",
	    ns_scan_shape_name(ev->shape));
	ns_action_env_addr(e, "NETSENTRY_ATTACKER", &ev->attacker);
	ns_action_env_text(e, "NETSENTRY_ATTACKER_NAME", a->attacker_name,
	    sizeof(a->attacker_name));
	ns_action_env_addr(e, "NETSENTRY_TARGET", &ev->target);
	ns_action_env_text(e, "NETSENTRY_TARGET_NAME", a->target_name,
	    sizeof(a->target_name));
	ns_action_env_add(e, "NETSENTRY_PORT", "%u", (unsigned)ev->port);
	ns_action_env_add(e, "NETSENTRY_PORTS", "%" PRIu32, ev->ports);
	ns_action_env_add(e, "NETSENTRY_TARGETS", "%" PRIu32, ev->targets);
	ns_action_env_add(e, "NETSENTRY_SOURCES", "%" PRIu32, ev->sources);
	ns_action_env_add(e, "NETSENTRY_PACKETS", "%" PRIu64, ev->packets);
	ns_action_env_add(e, "NETSENTRY_PEAK_RATE", "%" PRIu32,
	    ev->peak_rate);
	ns_action_env_time(e, "NETSENTRY_START", ev->start_sec);
	ns_action_env_time(e, "NETSENTRY_LAST", ev->last_sec);
	ns_action_env_text(e, "NETSENTRY_DESCR", ev->descr,
	    sizeof(ev->descr));
}

/*
 * The command's whole environment: PATH and the alert.  A digest that
 * carries no event (index 0) gets no event variables.
 */
static void
ns_action_env_build(struct ns_action_env *e, const struct ns_alert *a)
{
	e->n = e->used = 0;
	e->vec[0] = NULL;
	ns_action_env_add(e, "PATH", "%s", NS_ACTION_PATH);
	ns_action_env_add(e, "NETSENTRY_ALERT", "%s",
	    ns_alert_kind_name(a->kind));
	ns_action_env_add(e, "NETSENTRY_SEVERITY", "%s",
	    ns_severity_name(a->severity));
	if (a->kind == NS_ALERT_DIGEST)
		ns_action_env_add(e, "NETSENTRY_SUPPRESSED", "%" PRIu32,
		    a->suppressed);
	if (a->ev.index != 0)
		ns_action_env_event(e, a);
}

/*
 * A close-on-exec pipe whose ends are above fd 3, so that the child can
 * put its own descriptors at 0 to 3 without overwriting them.
 */
static int
ns_action_pipe(int fds[2])
{
	int	 i, fd;

	if (pipe2(fds, O_CLOEXEC) == -1)
		return -1;
	for (i = 0; i < 2; i++) {
		if (fds[i] > 3)
			continue;
		fd = fcntl(fds[i], F_DUPFD_CLOEXEC, 4);
		close(fds[i]);
		fds[i] = fd;
	}
	if (fds[0] == -1 || fds[1] == -1) {
		if (fds[0] != -1)
			close(fds[0]);
		if (fds[1] != -1)
			close(fds[1]);
		return -1;
	}
	return 0;
}

/*
 * The child, between fork(2) and execve(2): async-signal-safe calls
 * only, as the daemon has other threads.  An error is written as an
 * errno to fd 3, which closes on exec.
 */
static void __attribute__((noreturn))
ns_action_child(char *const argv[], char *const envp[], int out, int report)
{
	struct sigaction	 sa;
	sigset_t		 none;
	int			 sig, fd, err;

	if (dup2(report, 3) == -1 || fcntl(3, F_SETFD, FD_CLOEXEC) == -1) {
		err = errno;
		(void)!write(report, &err, sizeof(err));
		_exit(127);
	}

	/* A group of its own, so that a timeout kills what it started. */
	(void)setpgid(0, 0);

	/*
	 * The daemon ignores SIGPIPE and its threads block signals; a
	 * command must start with the defaults.  SIGKILL and SIGSTOP fail
	 * with EINVAL, and so do the two signals that glibc reserves (32
	 * and 33), which keep the daemon's disposition.
	 */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (sig = 1; sig < NSIG; sig++)
		(void)sigaction(sig, &sa, NULL);
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);

	/* The capture handles, gdbm files and AgentX socket stay behind. */
	if ((fd = open("/dev/null", O_RDONLY)) == -1 ||
	    dup2(fd, STDIN_FILENO) == -1 || dup2(out, STDOUT_FILENO) == -1 ||
	    dup2(out, STDERR_FILENO) == -1 || chdir("/") == -1)
		goto fail;
	closefrom(4);

	execve(argv[0], argv, envp);
fail:
	err = errno;
	(void)!write(3, &err, sizeof(err));
	_exit(127);
}

/*
 * Start the command.  Returns its pid, with its output in *outfd, or -1
 * with errno set and the failed step ("fork", "exec") in *step.
 */
static pid_t
ns_action_spawn(char *const argv[], char *const envp[], int *outfd,
    const char **step)
{
	int	 out[2], report[2], err;
	pid_t	 pid;
	ssize_t	 n;

	*step = "pipe";
	if (ns_action_pipe(out) == -1)
		return -1;
	if (ns_action_pipe(report) == -1) {
		err = errno;
		close(out[0]);
		close(out[1]);
		errno = err;
		return -1;
	}

	*step = "fork";
	if ((pid = fork()) == 0)
		ns_action_child(argv, envp, out[1], report[1]);
	err = errno;
	close(out[1]);
	close(report[1]);
	if (pid == -1) {
		close(out[0]);
		close(report[0]);
		errno = err;
		return -1;
	}

	/* Also here, so that a kill of the group never precedes it. */
	(void)setpgid(pid, pid);

	/* End of file: execve() succeeded and closed the report pipe. */
	*step = "exec";
	do
		n = read(report[0], &err, sizeof(err));
	while (n == -1 && errno == EINTR);
	close(report[0]);
	if (n == (ssize_t)sizeof(err)) {
		while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
			;
		close(out[0]);
		errno = err;
		return -1;
	}
	*outfd = out[0];
	return pid;
}

/* Keep the first line of the output; read and discard the rest. */
static int
ns_action_read(int fd, struct ns_action_output *out)
{
	char	 buf[4096];
	ssize_t	 n, i;

	n = read(fd, buf, sizeof(buf));
	if (n <= 0)
		return (int)n;
	for (i = 0; i < n && !out->full; i++) {
		if (buf[i] == '\n' || out->len == sizeof(out->text)) {
			out->full = 1;
			break;
		}
		out->text[out->len++] = buf[i];
	}
	return 1;
}

static int64_t
ns_action_ms_until(const struct timespec *deadline)
{
	struct timespec	 now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int64_t)(deadline->tv_sec - now.tv_sec) * 1000 +
	    (deadline->tv_nsec - now.tv_nsec) / 1000000;
}

static void
ns_action_sleep_ms(int64_t ms)
{
	struct timespec	 ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000;
	nanosleep(&ts, NULL);
}

/* Reap pid within ms milliseconds; returns 1 when it was reaped. */
static int
ns_action_reap(pid_t pid, int64_t ms, int *status)
{
	struct timespec	 deadline;
	int64_t		 left;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += ms / 1000;
	deadline.tv_nsec += (ms % 1000) * 1000000;
	for (;;) {
		if (waitpid(pid, status, WNOHANG) == pid)
			return 1;
		if ((left = ns_action_ms_until(&deadline)) <= 0)
			return 0;
		ns_action_sleep_ms(left < NS_ACTION_TICK ? left :
		    NS_ACTION_TICK);
	}
}

/*
 * SIGTERM to the command's process group, SIGKILL after the grace time
 * to what is left of the group, and reap the command.
 */
static void
ns_action_kill(pid_t pid, int *status)
{
	int	 reaped;

	(void)kill(-pid, SIGTERM);
	reaped = ns_action_reap(pid, NS_ACTION_KILL_GRACE * 1000, status);
	(void)kill(-pid, SIGKILL);
	if (!reaped)
		while (waitpid(pid, status, 0) == -1 && errno == EINTR)
			;
}

/*
 * Collect the output until the command exits or its timeout expires.
 * Returns 1 when it timed out and was killed.
 */
static int
ns_action_wait(pid_t pid, int fd, uint32_t timeout,
    struct ns_action_output *out, int *status)
{
	struct timespec	 deadline;
	struct pollfd	 pfd;
	int64_t		 left;
	int		 open = 1;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout;
	pfd.fd = fd;
	pfd.events = POLLIN;
	for (;;) {
		if (waitpid(pid, status, WNOHANG) == pid)
			break;
		if ((left = ns_action_ms_until(&deadline)) <= 0) {
			ns_action_kill(pid, status);
			return 1;
		}

		/*
		 * A process that the command left behind may hold the pipe
		 * open after the command exited: poll briefly.
		 */
		if (!open)
			ns_action_sleep_ms(left < NS_ACTION_TICK ? left :
			    NS_ACTION_TICK);
		else if (poll(&pfd, 1, left < 100 ? (int)left : 100) > 0 &&
		    ns_action_read(fd, out) == 0)
			open = 0;
	}

	/* What the command wrote just before it exited. */
	if (open && fcntl(fd, F_SETFL, O_NONBLOCK) == 0)
		while (!out->full && ns_action_read(fd, out) > 0)
			;
	return 0;
}

/* The output for a log line: a backslash, or \xHH for a byte. */
static void
ns_action_escape(char *dst, size_t dstlen, const char *src, size_t len)
{
	size_t		 i, o = 0;
	unsigned char	 c;

	for (i = 0; i < len && o + 5 < dstlen; i++) {
		c = (unsigned char)src[i];
		if (c == '\\') {
			dst[o++] = '\\';
			dst[o++] = '\\';
		} else if (c >= 0x20 && c < 0x7f)
			dst[o++] = (char)c;
		else
			o += (size_t)snprintf(dst + o, dstlen - o, "\\x%02x",
			    c);
	}
	dst[o] = '\0';
}

static void
ns_action_count(int failed)
{
	pthread_mutex_lock(&act.lock);
	act.stats.run++;
	if (failed)
		act.stats.failed++;
	pthread_mutex_unlock(&act.lock);
}

/* Log how the command ended; returns 1 when that counts as failed. */
static int
ns_action_log_status(const struct ns_action_job *job, const char *label,
    int status, int timed_out, double secs)
{
	const char	*path = job->argv[0];
	int		 code, sig;

	if (timed_out) {
		ns_action_log(LOG_WARNING, "action %s for %s: killed after "
		    "timeout of %" PRIu32 " s", path, label, job->timeout);
		return 1;
	}
	if (WIFEXITED(status)) {
		code = WEXITSTATUS(status);
		ns_action_log(code == 0 ? LOG_INFO : LOG_WARNING, "action %s "
		    "for %s: exit status %d in %.2f s", path, label, code,
		    secs);
		return code != 0;
	}
	sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	ns_action_log(LOG_WARNING, "action %s for %s: killed by signal %d "
	    "(SIG%s) in %.2f s", path, label, sig,
	    sigabbrev_np(sig) != NULL ? sigabbrev_np(sig) : "?", secs);
	return 1;
}

static void
ns_action_run(struct ns_action_job *job)
{
	struct ns_action_env	 env;
	struct ns_action_output	 out;
	struct timespec		 t0, t1;
	const char		*step;
	char			 label[96], text[4 * NS_ACTION_OUTPUT + 1];
	char			 reason[128];
	pid_t			 pid;
	int			 fd, status = 0, timed_out, failed;

	ns_action_label(&job->alert, label, sizeof(label));
	ns_action_env_build(&env, &job->alert);
	memset(&out, 0, sizeof(out));

	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = ns_action_spawn(job->argv, env.vec, &fd, &step);
	if (pid == -1) {
		ns_action_log(LOG_ERR, "action %s for %s: %s failed: %s",
		    job->argv[0], label, step,
		    strerror_r(errno, reason, sizeof(reason)));
		ns_action_count(1);
		return;
	}
	timed_out = ns_action_wait(pid, fd, job->timeout, &out, &status);
	close(fd);
	clock_gettime(CLOCK_MONOTONIC, &t1);

	failed = ns_action_log_status(job, label, status, timed_out,
	    (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	if (out.len > 0) {
		ns_action_escape(text, sizeof(text), out.text, out.len);
		ns_action_log(LOG_INFO, "action %s output: %s", job->argv[0],
		    text);
	}
	ns_action_count(failed);
}

static void *
ns_action_main(void *arg)
{
	struct ns_action_job	*job;

	pthread_mutex_lock(&act.lock);
	for (;;) {
		while (!act.stopping && TAILQ_EMPTY(&act.queue))
			pthread_cond_wait(&act.wake, &act.lock);
		if (act.stopping)
			break;
		job = TAILQ_FIRST(&act.queue);
		TAILQ_REMOVE(&act.queue, job, link);
		act.waiting--;
		pthread_mutex_unlock(&act.lock);

		ns_action_run(job);
		free(job);
		pthread_mutex_lock(&act.lock);
	}
	pthread_mutex_unlock(&act.lock);
	return NULL;
}

int
ns_action_start(void)
{
	sigset_t	 all, old;
	char		*path = NULL;
	int		 rc = 0;

	pthread_mutex_lock(&act.lock);
	if (!act.running) {
		act.stopping = 0;

		/* Signals go to the agent thread, which owns the main loop. */
		sigfillset(&all);
		pthread_sigmask(SIG_BLOCK, &all, &old);
		rc = pthread_create(&act.worker, NULL, ns_action_main, NULL);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		act.running = rc == 0;
		if (rc == 0)
			pthread_setname_np(act.worker, "ns-action");
	}
	pthread_mutex_unlock(&act.lock);
	if (rc != 0) {
		errno = rc;
		return -1;
	}

	if (ns_action_conf.argv != NULL)
		path = ns_action_conf.argv[0];
	if (path != NULL && access(path, X_OK) == -1)
		ns_action_log(LOG_WARNING, "action %s is not executable by "
		    "uid %ld (%s): every alert's run of it will fail", path,
		    (long)geteuid(), strerror(errno));
	return 0;
}

void
ns_action_stop(void)
{
	struct ns_action_job	*job;
	size_t			 discarded = 0;
	int			 running;

	pthread_mutex_lock(&act.lock);
	act.stopping = 1;
	running = act.running;
	pthread_cond_signal(&act.wake);
	pthread_mutex_unlock(&act.lock);
	if (running)
		pthread_join(act.worker, NULL);

	pthread_mutex_lock(&act.lock);
	act.running = 0;
	while ((job = TAILQ_FIRST(&act.queue)) != NULL) {
		TAILQ_REMOVE(&act.queue, job, link);
		free(job);
		discarded++;
	}
	act.waiting = 0;
	pthread_mutex_unlock(&act.lock);
	ns_action_log(LOG_INFO, "action worker stopped: %zu queued alerts "
	    "discarded", discarded);
}

/* Copy the command into the job's own allocation, after the job. */
static struct ns_action_job *
ns_action_job_new(const struct ns_action_conf *conf,
    const struct ns_alert *alert)
{
	struct ns_action_job	*job;
	size_t			 i, n, size, vec;
	char			*p;

	vec = (conf->argc + 1) * sizeof(char *);
	size = sizeof(*job) + vec;
	for (i = 0; i < conf->argc; i++)
		size += strlen(conf->argv[i]) + 1;
	if ((job = malloc(size)) == NULL)
		return NULL;

	job->alert = *alert;
	job->timeout = conf->timeout;
	job->argv = (char **)(job + 1);
	p = (char *)job->argv + vec;
	for (i = 0; i < conf->argc; i++) {
		n = strlen(conf->argv[i]) + 1;
		memcpy(p, conf->argv[i], n);
		job->argv[i] = p;
		p += n;
	}
	job->argv[conf->argc] = NULL;
	return job;
}

/*
 * Queue the job, or count a drop and return why.  A drop is logged only
 * when it follows a queued alert (*first), and the next alert queued
 * logs how many were dropped (*recovered), so that a flood of alerts
 * does not flood the log.
 */
static const char *
ns_action_enqueue(struct ns_action_job *job, size_t queue_size,
    int *first, uint64_t *recovered)
{
	const char	*reason = NULL;

	*first = 0;
	*recovered = 0;
	pthread_mutex_lock(&act.lock);
	if (job == NULL)
		reason = "out of memory";
	else if (act.stopping)
		reason = "the action worker is stopping";
	else if (act.waiting >= queue_size)
		reason = "the queue is full";

	if (reason != NULL) {
		act.stats.dropped++;
		act.dropped_since++;
		*first = !act.dropping;
		act.dropping = 1;
	} else {
		TAILQ_INSERT_TAIL(&act.queue, job, link);
		act.waiting++;
		if (act.dropping)
			*recovered = act.dropped_since;
		act.dropping = 0;
		act.dropped_since = 0;
		pthread_cond_signal(&act.wake);
	}
	pthread_mutex_unlock(&act.lock);
	return reason;
}

int
ns_action_submit(const struct ns_action_conf *conf,
    const struct ns_alert *alert)
{
	struct ns_action_job	*job;
	const char		*reason;
	char			 label[96];
	uint64_t		 recovered;
	int			 first;

	if (conf->argv == NULL)
		return 0;
	job = ns_action_job_new(conf, alert);
	reason = ns_action_enqueue(job, conf->queue_size, &first, &recovered);
	if (reason != NULL) {
		free(job);
		if (first) {
			ns_action_label(alert, label, sizeof(label));
			ns_action_log(LOG_WARNING, "action for %s dropped: %s "
			    "(alertActionQueue %zu); further drops are only "
			    "counted until an alert is queued again", label,
			    reason, conf->queue_size);
		}
		return -1;
	}
	if (recovered > 0)
		ns_action_log(LOG_NOTICE, "action queue accepts alerts again; "
		    "%" PRIu64 " were dropped", recovered);
	return 0;
}

void
ns_action_stats(struct ns_action_stats *stats)
{
	pthread_mutex_lock(&act.lock);
	*stats = act.stats;
	stats->waiting = (uint32_t)act.waiting;
	pthread_mutex_unlock(&act.lock);
}
