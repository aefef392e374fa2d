/*
 * netsentry: netsentryd.conf directives.
 *
 * net-snmp's parser reads the file, so the subagent directives it handles
 * (agentXSocket, agentxPingInterval) work here too, and every message
 * about a bad line names the file and the line.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "conf.h"
#include "daemon.h"
#include "dns.h"

struct ns_config ns_conf;

/*
 * Defaults.  A snapshot length of 262144 is libpcap's own maximum, so no
 * frame is cut; 4 MiB of kernel buffer absorbs bursts of about 3000
 * full-size frames.  hostCreationOrder is Integer32 (1..65535), which
 * bounds the hostTable.  An hour of idleness ends a row, as a host that
 * left the segment should not hold memory for a day.
 */
#define NS_DEF_SNAPLEN		262144
#define NS_DEF_BUFFER		(4 * 1024 * 1024)
#define NS_MAX_HOSTS		65535
#define NS_DEF_MATRIX		262144
#define NS_DEF_IP_HOSTS		262144
#define NS_DEF_IP_MATRIX	524288
#define NS_DEF_IDLE		3600
/*
 * The name cache allocates a hash bucket of 8 octets per name up
 * front, so 2^24 names cost 128 MiB per data source before any name is
 * learned.
 */
#define NS_MAX_DNS_CACHE	16777216

void
ns_config_defaults(void)
{
	struct ns_capture_opts	*o = &ns_conf.capture;

	o->snaplen = NS_DEF_SNAPLEN;
	o->buffer_size = NS_DEF_BUFFER;
	o->promiscuous = 1;
	o->limits.max_mac_hosts = NS_MAX_HOSTS;
	o->limits.max_mac_pairs = NS_DEF_MATRIX;
	o->limits.max_ip_hosts = NS_DEF_IP_HOSTS;
	o->limits.max_ip_pairs = NS_DEF_IP_MATRIX;
	o->limits.idle_timeout = NS_DEF_IDLE;
	o->dns_cache_size = NS_NAMES_DEFAULT;
	o->learn_mdns = 1;
}

int
ns_config_add_source(const char *name, int is_file)
{
	struct ns_source_spec	*s;

	s = reallocarray(ns_conf.sources, ns_conf.nsources + 1, sizeof(*s));
	if (s == NULL)
		return -1;
	ns_conf.sources = s;
	s[ns_conf.nsources].name = strdup(name);
	if (s[ns_conf.nsources].name == NULL)
		return -1;
	s[ns_conf.nsources].is_file = is_file;
	ns_conf.nsources++;
	return 0;
}

/* Parse "N" in [min, max]; on error report the line and return -1. */
int
ns_config_number(const char *token, const char *line, unsigned long min,
    unsigned long max, unsigned long *out)
{
	char		*end;
	unsigned long	 v;

	errno = 0;
	v = strtoul(line, &end, 10);
	while (*end == ' ' || *end == '\t')
		end++;
	if (line[0] == '-' || end == line || *end != '\0' || errno != 0 ||
	    v < min || v > max) {
		netsnmp_config_error("invalid value '%s' for %s: expected a "
		    "whole number from %lu to %lu", line, token, min, max);
		ns_conf.errors++;
		return -1;
	}
	*out = v;
	return 0;
}

static void
ns_config_source(const char *token, char *line)
{
	char	 word[PATH_MAX];

	/* The data sources are open: a reload cannot add or drop one. */
	if (ns_conf.reloading)
		return;

	copy_nword(line, word, sizeof(word));
	if (word[0] == '\0') {
		netsnmp_config_error("%s needs a %s", token,
		    strcmp(token, "interface") == 0 ? "interface name" :
		    "file path");
		ns_conf.errors++;
		return;
	}
	if (ns_config_add_source(word, strcmp(token, "captureFile") == 0))
		ns_conf.errors++;
}

/* stateDir DIR: the directory must exist, the daemon creates no path. */
static void
ns_config_state_dir(const char *token, char *line)
{
	char		 dir[PATH_MAX];
	struct stat	 sb;

	if (ns_conf.reloading)
		return;
	copy_nword(line, dir, sizeof(dir));
	if (dir[0] != '/') {
		netsnmp_config_error("%s needs an absolute directory path, as "
		    "in 'stateDir /var/lib/netsentry'", token);
		ns_conf.errors++;
		return;
	}
	if (stat(dir, &sb) == -1 || !S_ISDIR(sb.st_mode)) {
		netsnmp_config_error("%s %s: %s; create it (mkdir -p %s) and "
		    "let the daemon's user write there", token, dir,
		    stat(dir, &sb) == -1 ? strerror(errno) : "not a directory",
		    dir);
		ns_conf.errors++;
		return;
	}
	free(ns_conf.state_dir);
	if ((ns_conf.state_dir = strdup(dir)) == NULL)
		ns_conf.errors++;
}

/*
 * Compile the expression once for Ethernet, so that a syntax error is
 * reported with the file and line.  Each source compiles it again for
 * its own link type when it opens.
 */
static void
ns_config_filter(const char *token, char *line)
{
	struct bpf_program	 prog;
	pcap_t			*p;

	p = pcap_open_dead(DLT_EN10MB, 262144);
	if (p != NULL && pcap_compile(p, &prog, line, 1,
	    PCAP_NETMASK_UNKNOWN) == -1) {
		netsnmp_config_error("invalid filter expression '%s': %s",
		    line, pcap_geterr(p));
		ns_conf.errors++;
		pcap_close(p);
		return;
	}
	if (p != NULL) {
		pcap_freecode(&prog);
		pcap_close(p);
	}

	free(ns_conf.filter);
	ns_conf.filter = strdup(line);
	if (ns_conf.filter == NULL)
		ns_conf.errors++;
}

/* promiscuous, mdnsNames: yes or no. */
static void
ns_config_yes_no(const char *token, char *line)
{
	int	*flag = strcmp(token, "promiscuous") == 0 ?
		    &ns_conf.capture.promiscuous : &ns_conf.capture.learn_mdns;

	if (strcmp(line, "yes") == 0)
		*flag = 1;
	else if (strcmp(line, "no") == 0)
		*flag = 0;
	else {
		netsnmp_config_error("invalid value '%s' for %s: expected "
		    "yes or no", line, token);
		ns_conf.errors++;
	}
}

static void
ns_config_size(const char *token, char *line)
{
	struct ns_capture_opts	*o = &ns_conf.capture;
	unsigned long		 v;

	if (strcmp(token, "snaplen") == 0) {
		if (ns_config_number(token, line, 64, 262144, &v) == 0)
			o->snaplen = (int)v;
	} else if (strcmp(token, "bufferSize") == 0) {
		if (ns_config_number(token, line, 65536, INT_MAX, &v) == 0)
			o->buffer_size = (int)v;
	} else if (strcmp(token, "maxHostEntries") == 0) {
		if (ns_config_number(token, line, 1, NS_MAX_HOSTS, &v) == 0)
			o->limits.max_mac_hosts = v;
	} else if (strcmp(token, "maxMatrixEntries") == 0) {
		if (ns_config_number(token, line, 1, UINT32_MAX, &v) == 0)
			o->limits.max_mac_pairs = v;
	} else if (strcmp(token, "maxIpHostEntries") == 0) {
		if (ns_config_number(token, line, 1, UINT32_MAX, &v) == 0)
			o->limits.max_ip_hosts = v;
	} else if (strcmp(token, "maxIpMatrixEntries") == 0) {
		if (ns_config_number(token, line, 1, UINT32_MAX, &v) == 0)
			o->limits.max_ip_pairs = v;
	} else if (strcmp(token, "idleTimeout") == 0) {
		if (ns_config_number(token, line, 0, UINT32_MAX, &v) == 0)
			o->limits.idle_timeout = (uint32_t)v;
	} else if (strcmp(token, "dnsCacheSize") == 0) {
		if (ns_config_number(token, line, 0, NS_MAX_DNS_CACHE,
		    &v) == 0)
			o->dns_cache_size = v;
	}
}

/*
 * Count net-snmp's own messages about bad lines while the files are read:
 * it only warns about an unknown directive, but a typo must stop start-up.
 */
static int
ns_config_log_callback(int major, int minor, void *server, void *client)
{
	const struct snmp_log_message	*m = server;

	if (m == NULL || m->msg == NULL)
		return 0;
	if (strstr(m->msg, "registering pdu failed") != NULL)
		ns_conf.registration_failures++;
	if (!ns_conf.reading)
		return 0;
	if (strstr(m->msg, ": Unknown token:") != NULL ||
	    strstr(m->msg, ": Error: ") != NULL)
		ns_conf.errors++;
	return 0;
}

/* Read one file again, if it exists. */
static void
ns_config_read_file(const char *path)
{
	if (access(path, R_OK) == 0)
		read_config_with_type(path, NS_APP_NAME);
}

/*
 * Read the configuration files again, as at start-up: the file given
 * with -c, else every netsentryd.conf and netsentryd.local.conf in the
 * configuration path.  Directives write the settings they always write;
 * the caller decides which take effect.  Returns the number of bad lines.
 */
int
ns_config_read_again(const char *conffile)
{
	char		 path[PATH_MAX], *dirs, *dir, *next;

	ns_conf.errors = 0;
	ns_conf.reading = ns_conf.reloading = 1;
	if (conffile != NULL)
		ns_config_read_file(conffile);
	else if ((dirs = strdup(get_configuration_directory())) != NULL) {
		for (dir = dirs; dir != NULL; dir = next) {
			next = strchr(dir, ENV_SEPARATOR_CHAR);
			if (next != NULL)
				*next++ = '\0';
			snprintf(path, sizeof(path), "%s/%s.conf", dir,
			    NS_APP_NAME);
			ns_config_read_file(path);
			snprintf(path, sizeof(path), "%s/%s.local.conf", dir,
			    NS_APP_NAME);
			ns_config_read_file(path);
		}
		free(dirs);
	}
	ns_conf.reading = ns_conf.reloading = 0;
	return ns_conf.errors;
}

static void
ns_config_ignore(const char *token, char *line)
{
}

/*
 * Without init_agent(), which --report skips, no handler is registered
 * for the AgentX directives.  Accept them, so that one file serves both
 * modes.
 */
void
ns_config_ignore_agentx(void)
{
	static const char *tokens[] = {
		"agentXSocket", "agentXPerms", "agentxPingInterval",
		"agentXTimeout", "agentXRetries",
	};
	size_t	 i;

	for (i = 0; i < sizeof(tokens) / sizeof(tokens[0]); i++)
		register_app_config_handler(tokens[i], ns_config_ignore, NULL,
		    "(not used by --report)");
}

void
ns_config_register(void)
{
	static const char *sizes[] = {
		"snaplen", "bufferSize", "maxHostEntries", "maxMatrixEntries",
		"maxIpHostEntries", "maxIpMatrixEntries", "idleTimeout",
		"dnsCacheSize",
	};
	size_t	 i;

	register_app_config_handler("interface", ns_config_source, NULL,
	    "IFACE");
	register_app_config_handler("captureFile", ns_config_source, NULL,
	    "PATH");
	register_app_config_handler("filter", ns_config_filter, NULL,
	    "BPF-EXPRESSION");
	register_app_config_handler("stateDir", ns_config_state_dir, NULL,
	    "DIRECTORY");
	register_app_config_handler("promiscuous", ns_config_yes_no,
	    NULL, "yes|no");
	register_app_config_handler("mdnsNames", ns_config_yes_no,
	    NULL, "yes|no");
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		register_app_config_handler(sizes[i], ns_config_size, NULL,
		    "NUMBER");

	ns_config_register_detect();
	ns_config_register_alerts();
	ns_config_register_mail();
	ns_config_register_action();

	netsnmp_register_loghandler(NETSNMP_LOGHANDLER_CALLBACK, LOG_DEBUG);
	snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING,
	    ns_config_log_callback, NULL);
}
