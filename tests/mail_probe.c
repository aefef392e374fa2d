/*
 * mail_probe: read the mail directives of a netsentryd.conf, compose a
 * sample alert and send it, for tests/integration/mail_send.sh.
 *
 * usage: mail_probe CONFIG [MESSAGE-FILE]
 *
 * The message is sent from a second thread that starts with every
 * signal blocked, as the daemon's worker threads do.  Exit status 0:
 * sent; 1: not sent, with the reason on stderr; 2: bad configuration.
 */
#include "config.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "conf.h"
#include "daemon.h"
#include "mail.h"

struct probe_job {
	const struct ns_mail_conf	*conf;
	const char			*msg;
	size_t				 len;
	char				 err[512];
	int				 rc;
};

/* A scan whose names carry a line break and a non-ASCII character. */
static void
probe_alert(struct ns_alert *a)
{
	memset(a, 0, sizeof(*a));
	a->id = 4242;
	a->kind = NS_NOTE_STARTED;
	a->severity = NS_SEV_WARNING;
	a->raised = time(NULL);
	a->ev.index = 17;
	a->ev.type = NS_EV_PORT_SCAN;
	a->ev.state = NS_EVS_ACTIVE;
	a->ev.probe = NS_PK_TCP_SYN;
	a->ev.shape = NS_SHAPE_VERTICAL;
	a->ev.start_sec = (uint32_t)a->raised - 30;
	a->ev.last_sec = (uint32_t)a->raised;
	a->ev.attacker.key[0] = NS_INET_IPV4;
	memcpy(a->ev.attacker.key + 1, "\xc0\x00\x02\x01", 4);
	a->ev.attacker.plen = 32;
	a->ev.target.key[0] = NS_INET_IPV4;
	memcpy(a->ev.target.key + 1, "\xc6\x33\x64\x0a", 4);
	a->ev.target.plen = 32;
	a->ev.ports = 1000;
	a->ev.targets = 1;
	a->ev.sources = 1;
	a->ev.packets = 1000;
	a->ev.peak_rate = 250;
	snprintf(a->ev.descr, sizeof(a->ev.descr), "tcpSyn vertical scan "
	    "of 198.51.100.10: 1000 ports");
	snprintf(a->attacker_name, sizeof(a->attacker_name),
	    "scanner.example\r\nBcc: victim@example.org");
	snprintf(a->target_name, sizeof(a->target_name),
	    "m\xc3\xbcnchen.example");
}

static void *
probe_send(void *arg)
{
	struct probe_job	*job = arg;

	job->rc = ns_mail_send(job->conf, job->msg, job->len, job->err,
	    sizeof(job->err));
	return NULL;
}

static struct ns_mail_conf *
probe_read_conf(const char *path)
{
	struct ns_mail_conf	*conf;

	snmp_enable_stderrlog();
	netsnmp_ds_set_string(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_APPTYPE,
	    NS_APP_NAME);
	ns_config_register_mail();
	read_config_with_type(path, NS_APP_NAME);
	conf = ns_config_mail_end();
	if (conf == NULL || ns_conf.errors > 0) {
		fprintf(stderr, "mail_probe: %s has %d error(s)\n", path,
		    ns_conf.errors);
		exit(2);
	}
	return conf;
}

int
main(int argc, char **argv)
{
	struct ns_mail_conf	*conf;
	struct ns_alert		 alert;
	struct probe_job	 job;
	static char		 msg[NS_MAIL_MAX_SIZE + 1];
	sigset_t		 all, old;
	pthread_t		 thread;
	FILE			*fp;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: mail_probe CONFIG [MESSAGE-FILE]\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	conf = probe_read_conf(argv[1]);

	probe_alert(&alert);
	memset(&job, 0, sizeof(job));
	job.conf = conf;
	job.msg = msg;
	if ((job.len = ns_mail_compose(conf, &alert, time(NULL), msg,
	    sizeof(msg))) == 0) {
		fprintf(stderr, "mail_probe: the message does not fit\n");
		return 1;
	}
	if (argc == 3 && ((fp = fopen(argv[2], "wb")) == NULL ||
	    fwrite(msg, 1, job.len, fp) != job.len || fclose(fp) != 0)) {
		perror(argv[2]);
		return 1;
	}

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	if (pthread_create(&thread, NULL, probe_send, &job) != 0) {
		fprintf(stderr, "mail_probe: cannot start a thread\n");
		return 1;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_join(thread, NULL);

	if (job.rc == -1) {
		fprintf(stderr, "mail_probe: %s\n", job.err);
		return 1;
	}
	printf("mail_probe: sent%s%s\n", job.err[0] != '\0' ? "; " : "",
	    job.err);
	ns_mail_conf_free(conf);
	return 0;
}
