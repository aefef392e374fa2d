/* netsentry: the mail spool, alerts kept in gdbm until a server took them. */
#ifndef NS_SPOOL_H
#define NS_SPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "alert.h"

struct ns_mail_conf;

struct ns_spool_stats {
	uint32_t	 length;	/* alerts waiting */
	uint32_t	 oldest_age;	/* seconds the oldest has waited */
	uint64_t	 sent;		/* accepted by the SMTP server */
	uint64_t	 failed;	/* delivery attempts that failed */
	uint64_t	 dropped;	/* spool full, or given up */
};

/*
 * Open spool.db in dir and read the alerts an earlier run left there;
 * they are tried again as soon as the mail thread starts.  Returns -1
 * with the reason in err when the file cannot be used.  A corrupt file is
 * moved aside, as the other state files are.
 */
int	 ns_spool_open(const char *dir, char *err, size_t errlen);

/* Start the mail thread.  Returns -1 when it cannot be created. */
int	 ns_spool_start(void);

/*
 * Put mail settings in force and try every waiting alert again at once.
 * The spool owns conf from now on and frees the previous settings once
 * no delivery uses them.  NULL stops delivery; the alerts stay.
 */
void	 ns_spool_set_mail(struct ns_mail_conf *conf);

/*
 * Size cap, longest interval between attempts and age after which an
 * alert is given up, in seconds.
 */
void	 ns_spool_set_limits(size_t max, uint32_t retry_max,
	    uint32_t give_up);

/*
 * Store an alert, synced to disk, and wake the mail thread.  The spool
 * gives it an id of its own, unique across restarts.  Called by the
 * agent thread.
 */
void	 ns_spool_put(const struct ns_alert *);

/*
 * Try every waiting alert once more for at most flush seconds, stop the
 * mail thread and close the file.  What is not sent stays on disk for
 * the next start.
 */
void	 ns_spool_stop(unsigned flush);

void	 ns_spool_stats(struct ns_spool_stats *);

#endif /* NS_SPOOL_H */
