/* netsentry: SNMP notifications about events, sent by the agent thread. */
#ifndef NS_NOTIFY_H
#define NS_NOTIFY_H

#include <stdint.h>

#include "event.h"
#include "mibtable.h"

struct ns_notify_stats {
	uint64_t	 sent;
	uint64_t	 suppressed;
	uint64_t	 dropped;	/* the queue was full */
	uint32_t	 waiting;	/* notes queued now */
};

/* Track the AgentX session; call before init_snmp() opens it. */
void	 ns_notify_init(void);

/*
 * Create the queue of at most len notes that wait for the master.
 * Returns -1 when memory runs out.
 */
int	 ns_notify_init_queue(size_t len);

/* Queue a note for a notification; called by the alert router. */
void	 ns_notify_queue(const struct ns_note *);

/* Set the maximum notifications sent per minute, 0 for no limit. */
void	 ns_notify_set_rate(uint32_t rate);

/*
 * Send queued notifications while the master is connected, a burst at a
 * time, and return 1 when more wait: the caller lets the agent read the
 * master's responses before the next burst.
 */
int	 ns_notify_pump(void);
void	 ns_notify_stats(struct ns_notify_stats *);

/* The value of column col of an nsEventTable row (secmib.c). */
void	 ns_event_value(const struct ns_event *, unsigned col,
	    struct ns_value *);

#endif /* NS_NOTIFY_H */
