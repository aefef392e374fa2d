/* netsentry: the alert router, which sends each event to its outputs. */
#ifndef NS_ROUTER_H
#define NS_ROUTER_H

#include <stddef.h>
#include <stdint.h>

#include "alert.h"

enum ns_output {
	NS_OUT_TRAP,
	NS_OUT_MAIL,
	NS_OUT_SYSLOG,
	NS_OUT_ACTION,
	NS_OUTPUTS
};

/*
 * An alertRoute line: the alerts that one output receives.  An empty
 * field matches everything.
 */
struct ns_route {
	int		 output;	/* enum ns_output */
	int		 off;		/* the output receives nothing */
	uint32_t	 types;		/* bit (1 << type); 0: every type */
	uint8_t		 min_severity;	/* 0: every severity */
	uint8_t		 from[NS_IPKEY_LEN];	/* attacker block */
	uint8_t		 from_plen;
	uint8_t		 to[NS_IPKEY_LEN];	/* target block */
	uint8_t		 to_plen;
};

/* Alert settings; ns_alert_conf contains the ones in force. */
struct ns_alert_conf {
	uint8_t		 severity[NS_EV_TYPES];	/* eventSeverity */
	struct ns_route	*routes;
	size_t		 nroutes;
	uint32_t	 rate[NS_OUTPUTS];	/* per period; 0: no limit */
	uint32_t	 digest_delay;		/* seconds */
	size_t		 spool_max;		/* mailSpoolSize */
	uint32_t	 retry_max;		/* seconds */
	uint32_t	 give_up;		/* seconds */
};

extern struct ns_alert_conf ns_alert_conf;

void	 ns_alert_conf_defaults(struct ns_alert_conf *);
void	 ns_alert_conf_clear(struct ns_alert_conf *);

/* The seconds over which an output's rate limit counts alerts. */
uint32_t ns_output_period(int output);
const char *ns_output_name(int output);

/* The outputs that the router hands alerts to, set by the agent. */
struct ns_router_outputs {
	/* The learned name of an address, 0 when none is known. */
	size_t	(*lookup)(unsigned source, const uint8_t *key, char *buf);
	void	(*trap)(const struct ns_note *);
	void	(*mail)(const struct ns_alert *);	/* NULL: no mail */
	void	(*action)(const struct ns_alert *);	/* NULL: none */
	/* Returns 0 while a reload has turned output off; NULL: never. */
	int	(*enabled)(int output);
};

void	 ns_router_init(const struct ns_router_outputs *);

/* Route an alert for every queued note; called by the agent thread. */
void	 ns_router_pump(void);

/* Once a second: send the digests that are due. */
void	 ns_router_tick(void);

/* Return 1 when the routes of output let alert a through. */
int	 ns_router_match(const struct ns_alert_conf *, int output,
	    const struct ns_alert *a);

struct ns_router_stats {
	uint64_t	 alerts;		/* alerts routed */
	uint64_t	 suppressed[NS_OUTPUTS];
	uint64_t	 digests[NS_OUTPUTS];
	uint64_t	 syslog_lines;
};

void	 ns_router_stats(struct ns_router_stats *);

/* Write an alert as one key=value line to net-snmp's log (logline.c). */
void	 ns_alert_log(const struct ns_alert *);

/*
 * Format value into buf as the value of a key=value field: bare when it
 * is a plain token, else in double quotes.  Inside quotes '"' and '\\'
 * get a backslash, and octets outside printable ASCII become \xNN.
 * Returns buf.
 */
char	*ns_kv_quote(const char *value, char *buf, size_t len);

#endif /* NS_ROUTER_H */
