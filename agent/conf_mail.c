/*
 * netsentry: netsentryd.conf directives of the e-mail alert output.
 *
 * The directives fill a staging struct ns_mail_conf, which
 * ns_config_mail_end() checks as a whole and hands over.  The caller
 * puts it in force by setting ns_mail_conf_current.
 */
#include "config.h"

#include <arpa/inet.h>

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "conf.h"
#include "mail.h"

struct ns_mail_conf		*ns_mail_conf_current;

/* The settings being read, from ns_config_mail_begin() to _end(). */
static struct ns_mail_conf	*ns_conf_mail;

static struct ns_mail_conf *
ns_conf_mail_staging(void)
{
	if (ns_conf_mail == NULL && ns_config_mail_begin() == -1) {
		netsnmp_config_error("out of memory for the mail settings");
		ns_conf.errors++;
	}
	return ns_conf_mail;
}

static void
ns_conf_mail_bad(void)
{
	ns_conf.errors++;
}

/* Replace *field with a copy of value. */
static void
ns_conf_mail_set(char **field, const char *value)
{
	char	*copy;

	if ((copy = strdup(value)) == NULL) {
		netsnmp_config_error("out of memory");
		ns_conf_mail_bad();
		return;
	}
	free(*field);
	*field = copy;
}

/* The one word of line, or NULL after reporting a missing or extra one. */
static char *
ns_conf_mail_word(const char *token, char *line, char *word, size_t len,
    const char *what)
{
	char	*rest;

	rest = copy_nword(line, word, len);
	if (word[0] == '\0' || rest != NULL) {
		netsnmp_config_error("%s needs exactly one %s", token, what);
		ns_conf_mail_bad();
		return NULL;
	}
	return word;
}

/* Text for a header or a command line: printable, at most max octets. */
static int
ns_conf_mail_text_valid(const char *token, const char *text, size_t max)
{
	const unsigned char	*s;

	if (strlen(text) > max) {
		netsnmp_config_error("%s is longer than %zu characters", token,
		    max);
		ns_conf_mail_bad();
		return 0;
	}
	for (s = (const unsigned char *)text; *s != '\0'; s++)
		if (*s < ' ' || *s == 0x7f) {
			netsnmp_config_error("%s contains a control "
			    "character", token);
			ns_conf_mail_bad();
			return 0;
		}
	return 1;
}

/* A host name (letters, digits, '-', '.', '_') or an IPv4 address. */
static int
ns_conf_mail_host_valid(const char *host)
{
	size_t	 n = strlen(host), i;

	if (n == 0 || n > 253)
		return 0;
	for (i = 0; i < n; i++)
		if (!((host[i] >= 'a' && host[i] <= 'z') ||
		    (host[i] >= 'A' && host[i] <= 'Z') ||
		    (host[i] >= '0' && host[i] <= '9') ||
		    host[i] == '-' || host[i] == '.' || host[i] == '_'))
			return 0;
	return 1;
}

/* Split "HOST", "HOST:PORT", "[IPV6]" or "[IPV6]:PORT" in place. */
static int
ns_conf_mail_split_server(char *word, char **host, char **port)
{
	char	*end;

	*port = NULL;
	if (word[0] == '[') {
		if ((end = strchr(word, ']')) == NULL)
			return -1;
		*end = '\0';
		*host = word + 1;
		if (end[1] == ':')
			*port = end + 2;
		else if (end[1] != '\0')
			return -1;
		return 0;
	}
	*host = word;
	if ((end = strchr(word, ':')) != NULL) {
		*end = '\0';
		*port = end + 1;
	}
	return 0;
}

/* mailServer HOST[:PORT] or [IPV6]:PORT */
static void
ns_conf_mail_server(const char *token, char *line)
{
	struct ns_mail_conf	*c = ns_conf_mail_staging();
	struct in6_addr		 a6;
	char			 word[300], *host, *port;
	unsigned long		 v = NS_MAIL_DEF_PORT;
	int			 ipv6;

	if (c == NULL || ns_conf_mail_word(token, line, word, sizeof(word),
	    "HOST[:PORT]") == NULL)
		return;
	ipv6 = word[0] == '[';
	if (ns_conf_mail_split_server(word, &host, &port) == -1 ||
	    (ipv6 && inet_pton(AF_INET6, host, &a6) != 1) ||
	    (!ipv6 && !ns_conf_mail_host_valid(host))) {
		netsnmp_config_error("invalid %s '%s': expected HOST, "
		    "HOST:PORT or [IPV6-ADDRESS]:PORT", token, line);
		ns_conf_mail_bad();
		return;
	}
	if (port != NULL && ns_config_number(token, port, 1, 65535, &v) == -1)
		return;

	/* libESMTP 1.1 splits its "host:port" at the first ':'. */
	if (ipv6) {
		netsnmp_config_error("%s [%s]: libESMTP cannot connect to an "
		    "IPv6 address; give a host name that resolves to it, for "
		    "example from /etc/hosts", token, host);
		ns_conf_mail_bad();
		return;
	}
	ns_conf_mail_set(&c->server, host);
	c->port = (uint16_t)v;
}

static int
ns_conf_mail_address(const char *token, char *line, char *word, size_t len)
{
	if (ns_conf_mail_word(token, line, word, len, "ADDRESS") == NULL)
		return -1;
	if (!ns_mail_address_valid(word)) {
		netsnmp_config_error("invalid address '%s' for %s: expected "
		    "local-part@domain in printable ASCII, without spaces or "
		    "any of <>()[],;:\\\"", word, token);
		ns_conf_mail_bad();
		return -1;
	}
	return 0;
}

/* mailFrom ADDRESS */
static void
ns_conf_mail_from(const char *token, char *line)
{
	struct ns_mail_conf	*c = ns_conf_mail_staging();
	char			 word[NS_MAIL_MAX_ADDRESS + 2];

	if (c != NULL &&
	    ns_conf_mail_address(token, line, word, sizeof(word)) == 0)
		ns_conf_mail_set(&c->from, word);
}

/* mailTo ADDRESS, once per recipient */
static void
ns_conf_mail_to(const char *token, char *line)
{
	struct ns_mail_conf	*c = ns_conf_mail_staging();
	char			 word[NS_MAIL_MAX_ADDRESS + 2];

	if (c == NULL ||
	    ns_conf_mail_address(token, line, word, sizeof(word)) == -1)
		return;
	if (c->nto == NS_MAIL_MAX_TO) {
		netsnmp_config_error("more than %d %s lines; send to a list "
		    "address instead", NS_MAIL_MAX_TO, token);
		ns_conf_mail_bad();
		return;
	}
	if ((c->to[c->nto] = strdup(word)) == NULL) {
		ns_conf_mail_bad();
		return;
	}
	c->nto++;
}

/* mailStartTLS off|maybe|require */
static void
ns_conf_mail_starttls(const char *token, char *line)
{
	struct ns_mail_conf	*c = ns_conf_mail_staging();
	char			 word[16];

	if (c == NULL || ns_conf_mail_word(token, line, word, sizeof(word),
	    "of off, maybe or require") == NULL)
		return;
	if (strcmp(word, "off") == 0)
		c->starttls = NS_MAIL_TLS_OFF;
	else if (strcmp(word, "maybe") == 0)
		c->starttls = NS_MAIL_TLS_MAYBE;
	else if (strcmp(word, "require") == 0)
		c->starttls = NS_MAIL_TLS_REQUIRE;
	else {
		netsnmp_config_error("invalid value '%s' for %s: expected "
		    "off, maybe or require", word, token);
		ns_conf_mail_bad();
	}
}

/* mailAuthUser USER */
static void
ns_conf_mail_user(const char *token, char *line)
{
	struct ns_mail_conf	*c = ns_conf_mail_staging();
	char			 word[256];

	if (c != NULL && ns_conf_mail_word(token, line, word, sizeof(word),
	    "user name") != NULL &&
	    ns_conf_mail_text_valid(token, word, sizeof(word) - 1))
		ns_conf_mail_set(&c->auth_user, word);
}

/*
 * mailAuthPasswordFile PATH: read at once, so that a file that only root
 * can read works at start-up.  A reload reads it as the daemon's user.
 */
static void
ns_conf_mail_password(const char *token, char *line)
{
	struct ns_mail_conf	*c = ns_conf_mail_staging();
	char			 path[PATH_MAX], pw[NS_MAIL_MAX_PASSWORD + 2];
	char			 err[PATH_MAX + 128];

	if (c == NULL || ns_conf_mail_word(token, line, path, sizeof(path),
	    "file path") == NULL)
		return;
	/* Set even when unreadable, so the checks do not call it missing. */
	ns_conf_mail_set(&c->password_file, path);
	if (ns_mail_read_password(path, pw, sizeof(pw), err,
	    sizeof(err)) == -1) {
		netsnmp_config_error("%s", err);
		ns_conf_mail_bad();
		return;
	}
	if (c->password != NULL)
		explicit_bzero(c->password, strlen(c->password));
	ns_conf_mail_set(&c->password, pw);
	explicit_bzero(pw, sizeof(pw));
}

/* mailTLSCAFile PATH */
static void
ns_conf_mail_ca_file(const char *token, char *line)
{
	struct ns_mail_conf	*c = ns_conf_mail_staging();
	char			 path[PATH_MAX];

	if (c == NULL || ns_conf_mail_word(token, line, path, sizeof(path),
	    "file path") == NULL)
		return;
	if (access(path, R_OK) == -1) {
		netsnmp_config_error("%s %s: %s", token, path,
		    strerror(errno));
		ns_conf_mail_bad();
		return;
	}
	ns_conf_mail_set(&c->ca_file, path);
}

/* mailSubjectPrefix TEXT and mailSnmpTarget TEXT: the rest of the line. */
static void
ns_conf_mail_text(const char *token, char *line)
{
	struct ns_mail_conf	*c = ns_conf_mail_staging();

	if (c == NULL ||
	    !ns_conf_mail_text_valid(token, line, NS_MAIL_MAX_TEXT))
		return;
	if (strcmp(token, "mailSubjectPrefix") == 0)
		ns_conf_mail_set(&c->subject_prefix, line);
	else
		ns_conf_mail_set(&c->snmp_target, line);
}

/* mailTimeout SECONDS */
static void
ns_conf_mail_timeout(const char *token, char *line)
{
	struct ns_mail_conf	*c = ns_conf_mail_staging();
	unsigned long		 v;

	if (c != NULL && ns_config_number(token, line, 1, 3600, &v) == 0)
		c->timeout = (unsigned int)v;
}

static void
ns_conf_mail_missing(const char *have, const char *need, const char *hint)
{
	snmp_log(LOG_ERR, "configuration: %s is set but %s is missing; %s\n",
	    have, need, hint);
	ns_conf.errors++;
}

/* Checks across directives, after every file was read. */
static void
ns_conf_mail_check(const struct ns_mail_conf *c)
{
	const char	*set = c->from != NULL ? "mailFrom" :
			    c->server != NULL ? "mailServer" :
			    c->auth_user != NULL ? "mailAuthUser" : NULL;

	if (c->nto == 0) {
		if (set != NULL)
			ns_conf_mail_missing(set, "mailTo", "add 'mailTo "
			    "ADDRESS' or remove the mail directives");
		return;
	}
	if (c->from == NULL)
		ns_conf_mail_missing("mailTo", "mailFrom",
		    "add 'mailFrom ADDRESS'");
	if (c->server == NULL)
		ns_conf_mail_missing("mailTo", "mailServer",
		    "add 'mailServer HOST[:PORT]'");
	if (c->auth_user != NULL && c->password_file == NULL)
		ns_conf_mail_missing("mailAuthUser", "mailAuthPasswordFile",
		    "add 'mailAuthPasswordFile PATH'");
	if (c->password != NULL && c->auth_user == NULL)
		ns_conf_mail_missing("mailAuthPasswordFile", "mailAuthUser",
		    "add 'mailAuthUser USER'");
	if (c->auth_user != NULL && c->starttls != NS_MAIL_TLS_REQUIRE) {
		snmp_log(LOG_ERR, "configuration: mailAuthUser needs "
		    "'mailStartTLS require': AUTH PLAIN and LOGIN would send "
		    "the password unencrypted or to a server whose "
		    "certificate was not checked\n");
		ns_conf.errors++;
	}
	if (c->ca_file != NULL && c->starttls == NS_MAIL_TLS_OFF) {
		snmp_log(LOG_ERR, "configuration: mailTLSCAFile is set but "
		    "mailStartTLS is off; set mailStartTLS to maybe or "
		    "require, or remove mailTLSCAFile\n");
		ns_conf.errors++;
	}
}

/*
 * Start new mail settings from the defaults; the directives write there
 * until ns_config_mail_end().  Returns -1 when memory runs out.
 */
int
ns_config_mail_begin(void)
{
	struct ns_mail_conf	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return -1;
	if (ns_mail_conf_init(c) == -1) {
		free(c);
		return -1;
	}
	if (ns_conf_mail != NULL)
		ns_mail_conf_free(ns_conf_mail);
	ns_conf_mail = c;
	return 0;
}

/*
 * Check the settings read since ns_config_mail_begin() and return them;
 * the caller owns them (ns_mail_conf_free()).  Each failed check is
 * logged and counted in ns_conf.errors.  Returns NULL only when memory
 * ran out.
 */
struct ns_mail_conf *
ns_config_mail_end(void)
{
	struct ns_mail_conf	*c = ns_conf_mail_staging();

	if (c != NULL)
		ns_conf_mail_check(c);
	ns_conf_mail = NULL;
	return c;
}

void
ns_config_register_mail(void)
{
	if (ns_config_mail_begin() == -1)
		ns_conf.errors++;

	register_app_config_handler("mailServer", ns_conf_mail_server, NULL,
	    "HOST[:PORT]");
	register_app_config_handler("mailFrom", ns_conf_mail_from, NULL,
	    "ADDRESS");
	register_app_config_handler("mailTo", ns_conf_mail_to, NULL,
	    "ADDRESS");
	register_app_config_handler("mailStartTLS", ns_conf_mail_starttls,
	    NULL, "off|maybe|require");
	register_app_config_handler("mailAuthUser", ns_conf_mail_user, NULL,
	    "USER");
	register_app_config_handler("mailAuthPasswordFile",
	    ns_conf_mail_password, NULL, "PATH");
	register_app_config_handler("mailSubjectPrefix", ns_conf_mail_text,
	    NULL, "TEXT");
	register_app_config_handler("mailTimeout", ns_conf_mail_timeout, NULL,
	    "SECONDS");
	register_app_config_handler("mailTLSCAFile", ns_conf_mail_ca_file,
	    NULL, "PATH");
	register_app_config_handler("mailSnmpTarget", ns_conf_mail_text, NULL,
	    "TEXT");
}
