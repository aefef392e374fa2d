/*
 * netsentryd: network security monitor and RMON AgentX subagent.
 *
 * The main thread is the agent thread: it owns every net-snmp call.  Each
 * data source captures on a thread of its own (capture/source.c).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include "conf.h"
#include "daemon.h"
#include "detect.h"
#include "dns.h"
#include "action.h"
#include "logq.h"
#include "mail.h"
#include "notify.h"
#include "privs.h"
#include "report.h"
#include "router.h"
#include "spool.h"
#include "state.h"
#include "tables_mib.h"

/*
 * Notes waiting for the alert router.  It drains them each time the
 * detectors wake the agent thread, so the queue only has to absorb the
 * burst of one busy second.
 */
#define NS_ALERT_QUEUE		16384

/* Seconds that SIGTERM gives the mail spool for a last attempt. */
#define NS_SPOOL_FLUSH		10

/* Reconnect to a restarted master within this many seconds. */
#define NS_PING_INTERVAL	5

struct ns_source	*ns_sources;
size_t			 ns_nsources;

static volatile sig_atomic_t	 ns_stop_signal;
static volatile sig_atomic_t	 ns_reload_signal;
static const char		*ns_conffile;
static struct timespec		 ns_start_time;
static const char		*ns_agentx_address;
static int			 ns_mail_open;	/* the spool is in use */
static int			 ns_mail_on;	/* mail settings in force */

static void
ns_usage(FILE *fp)
{
	fprintf(fp,
	    "usage: netsentryd [-fhv] [-c FILE] [-x ADDRESS] [-L LOGOPTS] "
	    "[-p FILE]\n"
	    "                  [-u USER] [-g GROUP] [-i IFACE]... "
	    "[-r FILE]... [expression]\n"
	    "       netsentryd --report=text|json [-c FILE] -r FILE... "
	    "[expression]\n"
	    "  -c FILE     read only this configuration file\n"
	    "  -f          stay in the foreground\n"
	    "  -g GROUP    run as GROUP once the sources are open\n"
	    "  -h          print this help and exit\n"
	    "  -i IFACE    capture live on IFACE (repeatable)\n"
	    "  -L LOGOPTS  net-snmp logging: -Le stderr, -Lf FILE, "
	    "-Ls FACILITY, -Lo stdout\n"
	    "  -p FILE     write the process id to FILE\n"
	    "  -r FILE     read a pcap or pcapng file (repeatable)\n"
	    "  -u USER     run as USER once the sources are open\n"
	    "  -v          print the version and exit\n"
	    "  -x ADDRESS  AgentX address of the master: a socket path "
	    "or tcp:HOST:PORT\n"
	    "  --report=FORMAT  read the files, print the tables and events "
	    "as text or json,\n"
	    "              and exit; no snmpd is needed\n"
	    "  expression  BPF filter for every source, as in tcpdump\n");
}

/*
 * Uptime of this subagent in centiseconds, for the LastDeleteTime objects.
 * NOTE: RFC 2819 specifies sysUpTime, which the master reports from its
 * own start; the two differ by the time snmpd ran before netsentryd.
 */
static uint32_t
ns_agent_uptime(void)
{
	struct timespec	 now;
	int64_t		 cs;

	clock_gettime(CLOCK_MONOTONIC, &now);
	cs = (int64_t)(now.tv_sec - ns_start_time.tv_sec) * 100 +
	    (now.tv_nsec - ns_start_time.tv_nsec) / 10000000;

	/* 0 means "no deletion" in LastDeleteTime, so never return it. */
	return cs > 0 ? (uint32_t)cs : 1;
}

static void
ns_on_signal(int sig)
{
	ns_stop_signal = sig;
	ns_logq_wake();
}

static void
ns_on_hup(int sig)
{
	ns_reload_signal = 1;
	ns_logq_wake();
}

static void
ns_on_wake(int fd, void *data)
{
	ns_logq_drain();
	ns_router_pump();
	ns_notify_pump();
	ns_state_save();
}

/* The name that data source source learned for an address. */
static size_t
ns_lookup_name(unsigned source, const uint8_t *key, char *buf)
{
	struct ns_names	*names;

	buf[0] = '\0';
	if (source == 0 || source > ns_nsources)
		return 0;
	names = ns_sources[source - 1].store.names;
	return names != NULL ? ns_names_lookup(names, key, buf) : 0;
}

static void
ns_submit_action(const struct ns_alert *a)
{
	(void)ns_action_submit(&ns_action_conf, a);
}

/* Reloads can turn mail and the action on and off. */
static int
ns_output_enabled(int output)
{
	if (output == NS_OUT_MAIL)
		return ns_mail_on;
	if (output == NS_OUT_ACTION)
		return ns_action_conf.argv != NULL;
	return 1;
}

static int
ns_mail_configured(const struct ns_mail_conf *mail)
{
	return mail != NULL && mail->nto > 0;
}

/*
 * Open the mail spool before privileges are dropped, like the other
 * state files.  Mail without stateDir would lose alerts at a restart.
 */
static int
ns_alerts_open(char *err, size_t errlen)
{
	if (!ns_mail_configured(ns_mail_conf_current))
		return 0;
	if (ns_conf.state_dir == NULL) {
		snprintf(err, errlen, "mailTo needs stateDir: alerts wait for "
		    "delivery in a spool there; add 'stateDir DIR' to the "
		    "configuration");
		return -1;
	}
	if (ns_spool_open(ns_conf.state_dir, err, errlen) == -1)
		return -1;
	ns_spool_set_limits(ns_alert_conf.spool_max, ns_alert_conf.retry_max,
	    ns_alert_conf.give_up);
	ns_spool_set_mail(ns_mail_conf_current);
	ns_mail_conf_current = NULL;
	ns_mail_open = ns_mail_on = 1;
	return 0;
}

/*
 * Start the mail and action threads, after the daemon detached, and
 * connect the alert router to the outputs that are configured.
 */
static void
ns_alerts_start(void)
{
	struct ns_router_outputs	 out;

	memset(&out, 0, sizeof(out));
	out.lookup = ns_lookup_name;
	out.trap = ns_notify_queue;
	if (ns_mail_open) {
		if (ns_spool_start() == -1) {
			snmp_log(LOG_ERR, "cannot start the mail thread: %s\n",
			    strerror(errno));
			exit(1);
		}
		out.mail = ns_spool_put;
	}
	if (ns_action_start() == -1) {
		snmp_log(LOG_ERR, "cannot start the action thread: %s\n",
		    strerror(errno));
		exit(1);
	}
	out.action = ns_submit_action;
	out.enabled = ns_output_enabled;
	ns_router_init(&out);
}

/* SIGTERM: a last attempt at the mail spool, then stop the threads. */
static void
ns_alerts_stop(void)
{
	if (ns_mail_open)
		ns_spool_stop(NS_SPOOL_FLUSH);
	ns_action_stop();
}

static void
ns_signals(void)
{
	struct sigaction	 sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = ns_on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = ns_on_hup;
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

/* -x wins over an agentXSocket line: re-apply it after the files. */
static int
ns_apply_agentx_address(int major, int minor, void *server, void *client)
{
	if (ns_agentx_address != NULL)
		netsnmp_ds_set_string(NETSNMP_DS_APPLICATION_ID,
		    NETSNMP_DS_AGENT_X_SOCKET, ns_agentx_address);
	return 0;
}

/*
 * Detach from the terminal.  The parents leave with _exit(): a normal
 * exit() flushes stdio, and a stream libpcap has open on a capture file
 * would move the read offset that the daemon shares with them.  Without
 * -L, the log goes to syslog, since stderr is closed.
 */
static int
ns_daemonize(int to_syslog)
{
	pid_t	 pid;
	int	 fd;

	for (int i = 0; i < 2; i++) {
		pid = fork();
		if (pid == -1)
			return -1;
		if (pid > 0)
			_exit(0);
		if (i == 0 && setsid() == -1)
			return -1;
	}

	fd = open("/dev/null", O_RDWR);
	if (fd == -1)
		return -1;
	dup2(fd, STDIN_FILENO);
	dup2(fd, STDOUT_FILENO);
	if (to_syslog) {
		snmp_disable_stderrlog();
		snmp_enable_syslog_ident(NS_APP_NAME, LOG_DAEMON);
		dup2(fd, STDERR_FILENO);
	}
	if (fd > STDERR_FILENO)
		close(fd);
	return 0;
}

/*
 * net-snmp only logs "registering pdu failed" when the master rejects a
 * registration, typically because another netsentryd already serves the
 * same tables there.  Say what that means, once per burst.
 */
static void
ns_check_registration(void)
{
	static int	 reported;

	if (ns_conf.registration_failures == reported)
		return;
	reported = ns_conf.registration_failures;
	snmp_log(LOG_ERR, "the master rejected %d registration(s) of the "
	    "netsentry tables: another netsentryd may already serve them "
	    "on this master; requests for those tables do not reach this "
	    "daemon\n", reported);
}

static char *
ns_join_args(int argc, char **argv)
{
	size_t	 len = 1;
	char	*s;
	int	 i;

	if (argc == 0)
		return NULL;
	for (i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	s = calloc(1, len);
	if (s == NULL)
		return NULL;
	for (i = 0; i < argc; i++) {
		if (i > 0)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

/*
 * Set up net-snmp and read the configuration.  A report reads the same
 * file but never becomes a subagent, so it needs no master.
 */
static void
ns_agent_init(const char *conffile, int report)
{
	if (!report)
		netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID,
		    NETSNMP_DS_AGENT_ROLE, 1);

	/* A subagent keeps no state in net-snmp's persistent directory. */
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
	    NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
	    NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
	if (conffile != NULL) {
		netsnmp_ds_set_string(NETSNMP_DS_LIBRARY_ID,
		    NETSNMP_DS_LIB_OPTIONALCONFIG, conffile);
		netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
		    NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
	}
	ns_apply_agentx_address(0, 0, NULL, NULL);
	netsnmp_register_callback(SNMP_CALLBACK_LIBRARY,
	    SNMP_CALLBACK_POST_READ_CONFIG, ns_apply_agentx_address, NULL,
	    NETSNMP_CALLBACK_HIGHEST_PRIORITY);

	/*
	 * A report needs no agent: without init_agent() net-snmp neither
	 * connects nor warns that a master agent has no access control.
	 */
	if (!report) {
		init_agent(NS_APP_NAME);
		/* init_agent() sets 15; 0 would mean never reconnect. */
		netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID,
		    NETSNMP_DS_AGENT_AGENTX_PING_INTERVAL, NS_PING_INTERVAL);
		ns_notify_init();
	} else {
		/* init_agent() would name the configuration file. */
		netsnmp_ds_set_string(NETSNMP_DS_LIBRARY_ID,
		    NETSNMP_DS_LIB_APPTYPE, NS_APP_NAME);
		ns_config_ignore_agentx();
	}
	ns_config_register();

	/*
	 * The subagent never translates OID names, and loading the system's
	 * MIB files only prints warnings about modules Debian does not ship.
	 */
	setenv("MIBS", "", 1);

	ns_conf.reading = 1;
	init_snmp(NS_APP_NAME);
	ns_conf.reading = 0;
	ns_mail_conf_current = ns_config_mail_end();
	if (ns_conf.errors > 0) {
		snmp_log(LOG_ERR, "configuration has errors (see the lines "
		    "above); fix them and start again\n");
		exit(1);
	}
	ns_notify_set_rate(ns_conf.trap_rate);
	if (ns_events_init(ns_conf.event_history, NS_ALERT_QUEUE) == -1 ||
	    ns_notify_init_queue(ns_conf.trap_queue) == -1) {
		snmp_log(LOG_ERR, "out of memory for the event history\n");
		exit(1);
	}
}

static void
ns_sources_open(const char *filter)
{
	struct ns_capture_opts	 opts = ns_conf.capture;
	char			 err[PCAP_ERRBUF_SIZE + 512];
	size_t			 i;

	if (ns_conf.nsources == 0) {
		snmp_log(LOG_ERR, "no data source: give -i IFACE or -r FILE, "
		    "or interface or captureFile in netsentryd.conf\n");
		exit(1);
	}
	ns_sources = calloc(ns_conf.nsources, sizeof(*ns_sources));
	if (ns_sources == NULL) {
		snmp_log(LOG_ERR, "out of memory\n");
		exit(1);
	}
	opts.filter = filter != NULL ? filter : ns_conf.filter;

	for (i = 0; i < ns_conf.nsources; i++) {
		ns_sources[i].index = (unsigned)i + 1;
		ns_sources[i].name = ns_conf.sources[i].name;
		ns_sources[i].is_file = ns_conf.sources[i].is_file;
		if (ns_source_open(&ns_sources[i], &opts, err,
		    sizeof(err)) == -1) {
			snmp_log(LOG_ERR, "%s\n", err);
			exit(1);
		}
		ns_nsources++;
	}
}

static void
ns_sources_start(void)
{
	size_t	 i;

	for (i = 0; i < ns_nsources; i++) {
		snmp_log(LOG_INFO, "data source %u: %s %s\n",
		    ns_sources[i].index, ns_sources[i].is_file ? "file" :
		    "interface", ns_sources[i].name);
		if (ns_source_start(&ns_sources[i]) == -1) {
			snmp_log(LOG_ERR, "cannot start capture thread for "
			    "%s: %s\n", ns_sources[i].name, strerror(errno));
			exit(1);
		}
	}
}

/* Put new detector settings in force under every detector lock. */
static void
ns_detect_swap(struct ns_detect_conf *next)
{
	struct ns_detect_conf	 old;
	size_t			 i;

	for (i = 0; i < ns_nsources; i++)
		pthread_mutex_lock(&ns_sources[i].detect_lock);
	old = ns_detect_conf;
	ns_detect_conf = *next;
	for (i = 0; i < ns_nsources; i++)
		ns_source_detect_refresh(&ns_sources[i]);
	for (i = ns_nsources; i > 0; i--)
		pthread_mutex_unlock(&ns_sources[i - 1].detect_lock);
	ns_detect_conf_clear(&old);
}

/* Settings that a reload builds beside the ones in force. */
struct ns_staged {
	struct ns_detect_conf	*detect;
	struct ns_alert_conf	*alerts;
	struct ns_mail_conf	*mail;
	struct ns_action_conf	*action;
};

/* Collect what the directives wrote since the begin calls. */
static void
ns_stage_end(struct ns_staged *st)
{
	st->detect = ns_config_detect_end();
	st->alerts = ns_config_alerts_end();
	st->mail = ns_config_mail_end();
	st->action = ns_config_action_end();
}

/* Start building new settings; returns -1 when memory runs out. */
static int
ns_stage_begin(struct ns_staged *st)
{
	if (ns_config_detect_begin() == 0 && ns_config_alerts_begin() == 0 &&
	    ns_config_mail_begin() == 0 && ns_config_action_begin() == 0)
		return 0;
	ns_stage_end(st);
	return -1;
}

/* Free settings that did not go into force. */
static void
ns_stage_discard(struct ns_staged *st)
{
	if (st->detect != &ns_detect_conf) {
		ns_detect_conf_clear(st->detect);
		free(st->detect);
	}
	if (st->alerts != &ns_alert_conf) {
		ns_alert_conf_clear(st->alerts);
		free(st->alerts);
	}
	ns_mail_conf_free(st->mail);
	if (st->action != &ns_action_conf) {
		ns_action_conf_clear(st->action);
		free(st->action);
	}
}

/*
 * Put new settings in force.  The mail spool takes the mail settings
 * when it is open.  Mail that was off at start-up stays off until a
 * restart, because the spool file opens before privileges are dropped.
 */
static void
ns_stage_apply(struct ns_staged *st)
{
	ns_detect_swap(st->detect);
	free(st->detect);
	ns_alert_conf_clear(&ns_alert_conf);
	ns_alert_conf = *st->alerts;
	free(st->alerts);
	ns_action_swap(st->action);
	free(st->action);
	if (ns_mail_open) {
		ns_mail_on = ns_mail_configured(st->mail);
		if (!ns_mail_on) {
			snmp_log(LOG_WARNING, "reload: mail is off; alerts "
			    "already in the spool wait until mail settings "
			    "come back\n");
			ns_mail_conf_free(st->mail);
			st->mail = NULL;
		}
		ns_spool_set_mail(st->mail);
		ns_spool_set_limits(ns_alert_conf.spool_max,
		    ns_alert_conf.retry_max, ns_alert_conf.give_up);
	} else {
		if (ns_mail_configured(st->mail))
			snmp_log(LOG_WARNING, "reload: mail was off at "
			    "start-up; restart netsentryd to send mail\n");
		ns_mail_conf_free(st->mail);
	}
	ns_notify_set_rate(ns_conf.trap_rate);
}

/*
 * SIGHUP: read the configuration again and apply the detector,
 * notification and alert settings.  The data sources, filter, capture
 * options, table sizes, eventHistory and trapQueue keep their start-up
 * values.  A file with an error changes nothing.
 */
static void
ns_reload(void)
{
	struct ns_staged	 st;
	uint32_t		 rate = ns_conf.trap_rate;
	int			 errors;

	snmp_log(LOG_NOTICE, "received SIGHUP: reading the configuration "
	    "again\n");
	if (ns_stage_begin(&st) == -1) {
		ns_stage_discard(&st);
		snmp_log(LOG_ERR, "reload failed: out of memory; the previous "
		    "settings stay in force\n");
		return;
	}
	(void)ns_config_read_again(ns_conffile);
	ns_stage_end(&st);

	/* The mail settings are checked as a whole when they end. */
	errors = ns_conf.errors;
	if (errors > 0) {
		snmp_log(LOG_ERR, "reload failed: the configuration has "
		    "errors (see the lines above); the previous settings stay "
		    "in force\n");
		ns_conf.trap_rate = rate;
		ns_stage_discard(&st);
		return;
	}
	ns_stage_apply(&st);
	snmp_log(LOG_NOTICE, "configuration reloaded: detector, "
	    "notification and alert settings are in force; data sources, "
	    "filter, capture and table sizes change only at a restart\n");
}

/* Once a second: time passes for live sources that receive nothing. */
static void
ns_sources_tick(unsigned int reg, void *arg)
{
	size_t	 i;

	for (i = 0; i < ns_nsources; i++)
		ns_source_tick(&ns_sources[i]);
	ns_router_tick();
	ns_state_save();
	ns_state_names_save();
}

static void
ns_sources_stop(void)
{
	size_t	 i;

	for (i = 0; i < ns_nsources; i++)
		ns_source_stop(&ns_sources[i]);
}

static void
ns_sources_close(void)
{
	size_t	 i;

	for (i = 0; i < ns_nsources; i++)
		ns_source_close(&ns_sources[i]);
}

/* --report: read every file to its end, print, and exit. */
static int
ns_run_report(int json)
{
	size_t	 i;

	for (i = 0; i < ns_nsources; i++)
		if (!ns_sources[i].is_file) {
			snmp_log(LOG_ERR, "--report reads capture files only; "
			    "%s is an interface\n", ns_sources[i].name);
			return 1;
		}
	ns_sources_start();
	ns_report_wait();
	ns_logq_drain();
	ns_report(stdout, json);
	ns_sources_close();
	ns_logq_drain();
	return fflush(stdout) == 0 ? 0 : 1;
}

/* The value of --report: 1 for text, 2 for json, -1 if unknown. */
static int
ns_report_format(const char *arg)
{
	if (strcmp(arg, "text") == 0)
		return 1;
	if (strcmp(arg, "json") == 0)
		return 2;
	fprintf(stderr, "netsentryd: invalid report format '%s': use "
	    "--report=text or --report=json\n", arg);
	return -1;
}

static const struct option ns_long_options[] = {
	{ "report", required_argument, NULL, 'R' },
	{ NULL, 0, NULL, 0 }
};

int
main(int argc, char **argv)
{
	const char	*conffile = NULL, *pidfile = NULL;
	const char	*run_user = NULL, *run_group = NULL;
	char		*filter;
	char		 err[512];
	int		 ch, foreground = 0, logging = 0, report = 0, more = 0;

	clock_gettime(CLOCK_MONOTONIC, &ns_start_time);
	ns_uptime_ticks = ns_agent_uptime;
	ns_config_defaults();

	while ((ch = getopt_long(argc, argv, "c:fg:hi:L:p:r:u:vx:",
	    ns_long_options, NULL)) != -1) {
		switch (ch) {
		case 'R':
			if ((report = ns_report_format(optarg)) == -1)
				return 1;
			break;
		case 'c':
			conffile = optarg;
			break;
		case 'f':
			foreground = 1;
			break;
		case 'h':
			ns_usage(stdout);
			return 0;
		case 'i':
		case 'r':
			if (ns_config_add_source(optarg, ch == 'r') == -1)
				return 1;
			break;
		case 'L':
			if (snmp_log_options(optarg, argc, argv) < 0) {
				fprintf(stderr, "netsentryd: invalid logging "
				    "option -L%s\n", optarg);
				return 1;
			}
			logging = 1;
			break;
		case 'v':
			printf("netsentryd %s\n", PACKAGE_VERSION);
			return 0;
		case 'x':
			ns_agentx_address = optarg;
			break;
		case 'g':
			run_group = optarg;
			break;
		case 'p':
			pidfile = optarg;
			break;
		case 'u':
			run_user = optarg;
			break;
		default:
			ns_usage(stderr);
			return 1;
		}
	}
	filter = ns_join_args(argc - optind, argv + optind);

	if (!logging)
		snmp_enable_stderrlog();
	if (conffile != NULL && access(conffile, R_OK) == -1) {
		snmp_log(LOG_ERR, "cannot read configuration file %s: %s\n",
		    conffile, strerror(errno));
		return 1;
	}
	if (ns_logq_init() == -1) {
		snmp_log(LOG_ERR, "cannot create pipe: %s\n", strerror(errno));
		return 1;
	}

	/*
	 * Fail before anything is opened, and while stderr still reaches the
	 * terminal, when another netsentryd owns the pid file.  The write
	 * after detaching checks again, under the file's lock.
	 */
	if (pidfile != NULL && !report &&
	    ns_pidfile_check(pidfile, err, sizeof(err)) == -1) {
		snmp_log(LOG_ERR, "%s\n", err);
		return 1;
	}

	ns_conffile = conffile;
	ns_agent_init(conffile, report);
	ns_events_wake = ns_logq_wake;
	if (!report && ns_conf.state_dir != NULL &&
	    ns_state_open(ns_conf.state_dir, ns_conf.event_history, err,
	    sizeof(err)) == -1) {
		snmp_log(LOG_ERR, "%s\n", err);
		return 1;
	}
	if (!report && ns_alerts_open(err, sizeof(err)) == -1) {
		snmp_log(LOG_ERR, "%s\n", err);
		return 1;
	}
	/* dnsCacheSize 0 learns no names, and leaves names.db alone. */
	if (!report && ns_conf.state_dir != NULL &&
	    ns_conf.capture.dns_cache_size > 0 &&
	    ns_state_names_open(ns_conf.state_dir,
	    ns_conf.capture.dns_cache_size, err, sizeof(err)) == -1) {
		snmp_log(LOG_ERR, "%s\n", err);
		return 1;
	}
	ns_sources_open(filter);
	ns_state_names_restore();
	if (report)
		return ns_run_report(report == 2);

	/*
	 * Register only once every source is open, so the master never
	 * forwards requests to a subagent that is still opening a slow
	 * input, or that is about to exit because a source failed.
	 */
	if (ns_rmon_register() == -1 || ns_nsmib_register() == -1 ||
	    ns_secmib_register() == -1) {
		snmp_log(LOG_ERR, "cannot register the MIB tables\n");
		return 1;
	}
	ns_logq_drain();
	if (!foreground && ns_daemonize(!logging) == -1) {
		snmp_log(LOG_ERR, "cannot become a daemon: %s\n",
		    strerror(errno));
		return 1;
	}

	if (pidfile != NULL && ns_pidfile_write(pidfile, err,
	    sizeof(err)) == -1) {
		snmp_log(LOG_ERR, "%s\n", err);
		return 1;
	}

	/*
	 * Capture handles and the AgentX session are open: nothing after
	 * this point needs root.
	 */
	if (ns_privs_drop(run_user, run_group, err, sizeof(err)) == -1) {
		snmp_log(LOG_ERR, "%s\n", err);
		return 1;
	}
	if (run_user != NULL || run_group != NULL)
		snmp_log(LOG_INFO, "running as uid %ld gid %ld\n",
		    (long)getuid(), (long)getgid());

	ns_signals();
	ns_alerts_start();
	register_readfd(ns_logq_fd(), ns_on_wake, NULL);
	snmp_alarm_register(1, SA_REPEAT, ns_sources_tick, NULL);
	snmp_log(LOG_NOTICE, "netsentryd %s started with %zu data "
	    "source(s)\n", PACKAGE_VERSION, ns_nsources);
	ns_sources_start();

	while (!ns_stop_signal) {
		/* While notifications wait, poll the sockets and go on. */
		agent_check_and_process(!more);
		if (ns_reload_signal) {
			ns_reload_signal = 0;
			ns_reload();
		}
		ns_check_registration();
		ns_router_pump();
		more = ns_notify_pump();
	}

	snmp_log(LOG_NOTICE, "netsentryd stopping: received %s\n",
	    strsignal(ns_stop_signal));
	/* The names are written once no reader can change them. */
	ns_sources_stop();
	ns_router_pump();
	ns_alerts_stop();
	ns_logq_drain();
	ns_state_names_close();
	ns_state_close();
	ns_sources_close();
	ns_pidfile_remove();
	snmp_shutdown(NS_APP_NAME);
	free(filter);
	return 0;
}
