/*
 * netsentry: the action output, which runs an administrator's command
 * for an alert (to add a firewall rule, for example).
 */
#ifndef NS_ACTION_H
#define NS_ACTION_H

#include <stddef.h>
#include <stdint.h>

#include "alert.h"

#define NS_ACTION_TIMEOUT	10	/* seconds, alertActionTimeout */
#define NS_ACTION_TIMEOUT_MAX	3600
#define NS_ACTION_QUEUE		64	/* alerts waiting, alertActionQueue */
#define NS_ACTION_QUEUE_MAX	100000

/* The alertAction settings. */
struct ns_action_conf {
	char		**argv;		/* the command path, then the
					   fixed arguments; NULL: none */
	size_t		 argc;
	uint32_t	 timeout;	/* seconds */
	size_t		 queue_size;	/* alerts waiting, at most */
};

/* Counters for the MIB. */
struct ns_action_stats {
	uint64_t	 run;		/* commands started */
	uint64_t	 failed;	/* exit status not 0, signal, timeout,
					   fork or exec failure */
	uint64_t	 dropped;	/* the queue was full */
	uint32_t	 waiting;	/* alerts queued now */
};

/* The settings in force; the agent thread alone reads and writes them. */
extern struct ns_action_conf ns_action_conf;

/*
 * Log function of the worker thread and of ns_action_submit(), which
 * must not call snmp_log() directly: net-snmp is not thread-safe.  It is
 * ns_logq_post() unless a test replaces it.
 */
extern void (*ns_action_log)(int priority, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

void	 ns_action_conf_defaults(struct ns_action_conf *);
void	 ns_action_conf_clear(struct ns_action_conf *);

/*
 * Set the command from an alertAction line: an absolute path to an
 * executable regular file that others cannot write, then arguments
 * split on spaces and tabs, with no quoting and no shell.  Returns -1
 * with the reason in err and conf unchanged.
 */
int	 ns_action_conf_set_command(struct ns_action_conf *conf,
	    const char *line, char *err, size_t errlen);

/*
 * Put the settings of next in force and free the old ones; the caller
 * frees next itself.  Alerts already queued keep the command and
 * timeout they were submitted with.
 */
void	 ns_action_swap(struct ns_action_conf *next);

/*
 * Start the worker thread, which runs the queued commands one at a
 * time, and log a warning when the daemon's user cannot execute the
 * command.  Call it after the switch to that user.  Returns -1 with
 * errno set when the thread cannot be created.
 */
int	 ns_action_start(void);

/*
 * Stop the worker thread: wait for the command that runs, which its
 * timeout bounds, then discard the queue and log how many alerts were
 * discarded.  Without a running worker it only discards the queue.
 */
void	 ns_action_stop(void);

/*
 * Queue a copy of the alert and of conf's command and timeout, without
 * blocking.  Returns 0 and queues nothing when conf has no command.
 * Returns -1 and counts a drop when the queue already contains
 * conf->queue_size alerts, memory runs out, or ns_action_stop() has
 * begun.
 */
int	 ns_action_submit(const struct ns_action_conf *conf,
	    const struct ns_alert *alert);

void	 ns_action_stats(struct ns_action_stats *);

#endif /* NS_ACTION_H */
