/* netsentry: the e-mail alert output (RFC 5322 messages sent over SMTP). */
#ifndef NS_MAIL_H
#define NS_MAIL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "alert.h"

/* mailStartTLS values. */
enum ns_mail_starttls {
	NS_MAIL_TLS_OFF,
	NS_MAIL_TLS_MAYBE,		/* use STARTTLS when offered */
	NS_MAIL_TLS_REQUIRE		/* quit unless STARTTLS succeeds */
};

/*
 * Limits.  The largest message that compose can write, with the field
 * sizes of struct ns_alert and NS_MAIL_MAX_TO recipients, is under 10
 * KiB, so the 16 KiB cap leaves room to spare.  RFC 5322 section 2.1.1
 * caps a line at 998 octets before the CRLF.
 */
#define NS_MAIL_MAX_SIZE	16384
#define NS_MAIL_MAX_LINE	998
#define NS_MAIL_MAX_TO		16
#define NS_MAIL_MAX_ADDRESS	254	/* RFC 5321 path, less the brackets */
#define NS_MAIL_MAX_TEXT	128	/* mailSubjectPrefix, mailSnmpTarget */
#define NS_MAIL_MAX_PASSWORD	256

#define NS_MAIL_DEF_PORT	25
#define NS_MAIL_DEF_TIMEOUT	30	/* seconds, per protocol stage */
#define NS_MAIL_DEF_PREFIX	"[netsentry]"

/*
 * The mail settings.  Strings are NUL-terminated copies that
 * ns_mail_conf_clear() frees; NULL means not set.  nto == 0 turns the
 * output off.
 */
struct ns_mail_conf {
	char		*server;	/* host name or address, no brackets */
	uint16_t	 port;
	char		*from;
	char		*to[NS_MAIL_MAX_TO];
	size_t		 nto;
	int		 starttls;	/* enum ns_mail_starttls */
	char		*auth_user;	/* NULL: no AUTH */
	char		*password_file;
	char		*password;	/* read from password_file */
	char		*ca_file;	/* NULL: the system's trust store */
	char		*subject_prefix;
	unsigned int	 timeout;	/* seconds */
	char		*snmp_target;	/* snmpget options and agent */
	char		 hostname[256];	/* this machine, for the Message-ID */
};

/*
 * Fill conf with the defaults; returns -1 when memory runs out.
 * ns_mail_conf_clear() frees the strings, ns_mail_conf_free() also conf.
 */
int	 ns_mail_conf_init(struct ns_mail_conf *conf);
void	 ns_mail_conf_clear(struct ns_mail_conf *conf);
void	 ns_mail_conf_free(struct ns_mail_conf *conf);

/*
 * Write the message for alert a into buf: headers and a text/plain body,
 * CRLF line ends, at most NS_MAIL_MAX_SIZE octets, NUL-terminated.  now
 * gives the Date header.  Returns the length without the NUL, or 0 when
 * the message does not fit in len or in NS_MAIL_MAX_SIZE.
 */
size_t	 ns_mail_compose(const struct ns_mail_conf *conf,
	    const struct ns_alert *a, time_t now, char *buf, size_t len);

/*
 * Send one composed message in one SMTP session.  The connection and
 * each wait for a reply take at most conf->timeout, and a session waits
 * about a dozen times plus once per recipient.  Safe to call from any
 * thread, one call at a time per thread.  SIGPIPE must be ignored, as
 * netsentryd does at start-up, and SIGRTMIN + 1 is left to this module.
 *
 * Returns 0 when the server accepted the message after DATA, which it
 * does only once it accepted at least one recipient.  A recipient that
 * it rejected is then reported in err as a warning, else err is "".
 * Returns -1 with the reason in err when no recipient got the message.
 */
int	 ns_mail_send(const struct ns_mail_conf *conf, const char *msg,
	    size_t len, char *err, size_t errlen);

/*
 * Read the SMTP password from path into buf, without one trailing
 * newline.  Rejects a file that is not a regular file, that other users
 * can read or write or that the group can write, and an empty password.
 */
int	 ns_mail_read_password(const char *path, char *buf, size_t len,
	    char *err, size_t errlen);

/*
 * Check an envelope address: printable ASCII, no space, exactly one @
 * with text on both sides, at most NS_MAIL_MAX_ADDRESS octets.
 */
int	 ns_mail_address_valid(const char *address);

#endif /* NS_MAIL_H */
