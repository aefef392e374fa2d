/* netsentry: netsentryd.conf directives, read by net-snmp's parser. */
#ifndef NS_CONF_H
#define NS_CONF_H

#include <stddef.h>
#include <stdint.h>

#include "source.h"

struct ns_source_spec {
	char	*name;
	int	 is_file;
};

struct ns_config {
	struct ns_source_spec	*sources;	/* config file ones first */
	size_t			 nsources;
	char			*filter;
	struct ns_capture_opts	 capture;
	int			 errors;	/* bad lines seen */
	int			 reading;	/* files being read */
	int			 reloading;	/* ... again, on SIGHUP */
	int			 registration_failures; /* AgentX */
	size_t			 event_history;	/* nsEventTable rows */
	char			*state_dir;	/* NULL: keep nothing */
	size_t			 trap_queue;	/* notifications waiting */
	uint32_t		 trap_rate;	/* per minute; 0: no limit */
};

extern struct ns_config ns_conf;

void	 ns_config_defaults(void);
void	 ns_config_register(void);
void	 ns_config_ignore_agentx(void);
int	 ns_config_add_source(const char *name, int is_file);
int	 ns_config_number(const char *token, const char *line,
	    unsigned long min, unsigned long max, unsigned long *out);

/* Detector directives (conf_detect.c). */
struct ns_detect_conf;
void	 ns_config_register_detect(void);
int	 ns_config_detect_begin(void);
struct ns_detect_conf *ns_config_detect_end(void);

/* Alert router and mail spool directives (conf_alerts.c). */
struct ns_alert_conf;
void	 ns_config_register_alerts(void);
int	 ns_config_alerts_begin(void);
struct ns_alert_conf *ns_config_alerts_end(void);

/*
 * Mail directives (conf_mail.c).  ns_config_mail_end() returns the
 * settings read since ns_config_mail_begin(); ns_config_register_mail()
 * begins the first ones.  ns_mail_conf_current is the set in force, NULL
 * or with no recipient when mail is off.
 */
struct ns_mail_conf;
extern struct ns_mail_conf *ns_mail_conf_current;
void	 ns_config_register_mail(void);
int	 ns_config_mail_begin(void);
struct ns_mail_conf *ns_config_mail_end(void);

/* Action output directives (conf_action.c). */
struct ns_action_conf;
void	 ns_config_register_action(void);
int	 ns_config_action_begin(void);
struct ns_action_conf *ns_config_action_end(void);

/* Read the configuration again (SIGHUP); see main.c. */
int	 ns_config_read_again(const char *conffile);

#endif /* NS_CONF_H */
