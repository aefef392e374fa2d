/* netsentry: log messages from capture threads, written by the agent. */
#ifndef NS_LOGQ_H
#define NS_LOGQ_H

#include <syslog.h>

/*
 * net-snmp is not thread-safe, so capture threads never call snmp_log().
 * They post messages here; the agent thread drains the queue when the
 * wake-up pipe becomes readable.
 */
int	 ns_logq_init(void);
int	 ns_logq_fd(void);
void	 ns_logq_post(int priority, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	 ns_logq_wake(void);
void	 ns_logq_drain(void);

#endif /* NS_LOGQ_H */
