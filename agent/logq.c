/* netsentry: log messages from capture threads, written by the agent. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "logq.h"

/*
 * Capture threads post rarely (start, end of file, errors), so a small
 * ring is enough.  When it is full, a message is dropped and counted, and
 * the count is logged at the next drain.
 */
#define NS_LOGQ_SLOTS	64
#define NS_LOGQ_MSGLEN	512

struct ns_logq_msg {
	int	 priority;
	char	 text[NS_LOGQ_MSGLEN];
};

static struct ns_logq_msg	 logq_ring[NS_LOGQ_SLOTS];
static unsigned			 logq_head, logq_tail, logq_lost;
static pthread_mutex_t		 logq_lock = PTHREAD_MUTEX_INITIALIZER;
static int			 logq_pipe[2] = { -1, -1 };

int
ns_logq_init(void)
{
	int	 i;

	if (pipe(logq_pipe) == -1)
		return -1;
	for (i = 0; i < 2; i++) {
		fcntl(logq_pipe[i], F_SETFL, O_NONBLOCK);
		fcntl(logq_pipe[i], F_SETFD, FD_CLOEXEC);
	}
	return 0;
}

int
ns_logq_fd(void)
{
	return logq_pipe[0];
}

/* Async-signal-safe: only write(2). */
void
ns_logq_wake(void)
{
	int	 saved = errno;
	char	 c = 0;

	if (logq_pipe[1] != -1)
		(void)!write(logq_pipe[1], &c, 1);
	errno = saved;
}

void
ns_logq_post(int priority, const char *fmt, ...)
{
	struct ns_logq_msg	*m;
	va_list			 ap;

	pthread_mutex_lock(&logq_lock);
	if (logq_tail - logq_head == NS_LOGQ_SLOTS) {
		logq_lost++;
		pthread_mutex_unlock(&logq_lock);
		return;
	}
	m = &logq_ring[logq_tail % NS_LOGQ_SLOTS];
	m->priority = priority;
	va_start(ap, fmt);
	vsnprintf(m->text, sizeof(m->text), fmt, ap);
	va_end(ap);
	logq_tail++;
	pthread_mutex_unlock(&logq_lock);
	ns_logq_wake();
}

void
ns_logq_drain(void)
{
	struct ns_logq_msg	 m;
	unsigned		 lost;
	char			 buf[64];

	while (read(logq_pipe[0], buf, sizeof(buf)) > 0)
		;
	for (;;) {
		pthread_mutex_lock(&logq_lock);
		if (logq_head == logq_tail) {
			lost = logq_lost;
			logq_lost = 0;
			pthread_mutex_unlock(&logq_lock);
			break;
		}
		m = logq_ring[logq_head % NS_LOGQ_SLOTS];
		logq_head++;
		pthread_mutex_unlock(&logq_lock);
		snmp_log(m.priority, "%s\n", m.text);
	}
	if (lost > 0)
		snmp_log(LOG_WARNING, "%u log messages from capture threads "
		    "were dropped: queue full\n", lost);
}
