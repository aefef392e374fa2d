/* netsentry: netsentryd.conf directives of the action output. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "action.h"
#include "conf.h"

/*
 * The settings that the directives write: ns_action_conf at start-up,
 * a copy being built during a reload.
 */
static struct ns_action_conf *ns_conf_act = &ns_action_conf;

/* alertAction PATH [ARG...] */
static void
ns_conf_alert_action(const char *token, char *line)
{
	char	 err[512];

	if (ns_action_conf_set_command(ns_conf_act, line, err,
	    sizeof(err)) == -1) {
		netsnmp_config_error("%s: %s", token, err);
		ns_conf.errors++;
	}
}

/* alertActionTimeout SECONDS, alertActionQueue ALERTS */
static void
ns_conf_alert_action_number(const char *token, char *line)
{
	unsigned long	 v;

	if (strcmp(token, "alertActionTimeout") == 0) {
		if (ns_config_number(token, line, 1, NS_ACTION_TIMEOUT_MAX,
		    &v) == 0)
			ns_conf_act->timeout = (uint32_t)v;
	} else if (ns_config_number(token, line, 1, NS_ACTION_QUEUE_MAX,
	    &v) == 0)
		ns_conf_act->queue_size = v;
}

/*
 * Start building new action settings for a reload, from the defaults,
 * so that a file without alertAction turns the action off.  Returns -1
 * when memory runs out.
 */
int
ns_config_action_begin(void)
{
	struct ns_action_conf	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return -1;
	ns_action_conf_defaults(c);
	ns_conf_act = c;
	return 0;
}

/*
 * Return the settings built since ns_config_action_begin(); the caller
 * owns them: ns_action_swap() puts them in force, or
 * ns_action_conf_clear() and free() discard them.  The directives write
 * to ns_action_conf again.
 */
struct ns_action_conf *
ns_config_action_end(void)
{
	struct ns_action_conf	*c = ns_conf_act;

	ns_conf_act = &ns_action_conf;
	return c;
}

void
ns_config_register_action(void)
{
	ns_action_conf_defaults(&ns_action_conf);
	register_app_config_handler("alertAction", ns_conf_alert_action, NULL,
	    "PATH [ARGUMENT...]");
	register_app_config_handler("alertActionTimeout",
	    ns_conf_alert_action_number, NULL, "SECONDS");
	register_app_config_handler("alertActionQueue",
	    ns_conf_alert_action_number, NULL, "ALERTS");
}
