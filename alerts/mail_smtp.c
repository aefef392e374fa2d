/*
 * netsentry: send an alert message over SMTP with libESMTP.
 *
 * RFC 5321 (SMTP), RFC 3207 (STARTTLS), RFC 4954 (AUTH) with the SASL
 * PLAIN and LOGIN mechanisms of RFC 4616 and draft-murchison-sasl-login,
 * which libESMTP 1.1 loads as plugins (sasl-plain.so, sasl-login.so;
 * CRAM-MD5 and NTLM are there too).
 *
 * libESMTP 1.1 has no connect timeout: it calls a blocking connect().
 * A per-thread POSIX timer sends NS_MAIL_TIMER_SIGNAL to the calling
 * thread when conf->timeout passes before the connection is up, which
 * ends connect() with EINTR.  Every later stage has libESMTP's own
 * timeouts, set to conf->timeout below the RFC 5321 minimums (5 minutes
 * for the greeting, 10 for the end of DATA), which libESMTP enforces
 * unless the call sets Timeout_OVERRIDE_RFC2822_MINIMUM.
 *
 * Those timeouts apply to each read, so a server that sends a byte a
 * second would hold the session for ever.  Once connected, the same
 * timer is armed for the whole session, NS_MAIL_SESSION_STAGES times
 * conf->timeout, and its handler shuts the socket down, which makes
 * libESMTP's next read fail.
 */
#include "config.h"

#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <auth-client.h>
#include <libesmtp.h>

#include "mail.h"

#define NS_MAIL_TIMER_SIGNAL	(SIGRTMIN + 1)
#define NS_MAIL_SESSION_STAGES	4
#define NS_MAIL_FD_SCAN		4096	/* descriptors looked at */

/* glibc 2.36 has the field but not the name that sigevent(7) gives it. */
#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id	_sigev_un._tid
#endif

/* The session's progress, from libESMTP's event and monitor callbacks. */
struct ns_smtp_trace {
	const struct ns_mail_conf	*conf;
	char		 server[300];	/* "host:port" for messages */
	int		 verify;	/* the certificate must be valid */
	int		 connected;
	int		 greeted;
	int		 tls_up;
	int		 no_starttls;	/* required but not offered */
	char		 tls_error[256];
	int		 auth_pending;	/* AUTH sent, final reply not yet */
	int		 auth_failed;
	int		 auth_asked;	/* a mechanism requested the password */
	int		 auth_offered;	/* an EHLO reply listed AUTH */
	char		 auth_reply[256];
	int		 in_data;	/* between 354 and the next reply */
	int		 awaiting;	/* a line was sent, no reply since */
	double		 elapsed;	/* seconds the session took */
	char		 command[16];	/* verb of the last command sent */
	char		 reply[256];	/* last reply line */
	char		 refusal[256];	/* first 4xx or 5xx reply line */
	char		 refused[16];	/* its command, "" for the greeting */
	timer_t		 timer;
	int		 has_timer;
	uint8_t		 open_fds[NS_MAIL_FD_SCAN / 8];
};

static pthread_once_t	 ns_smtp_once = PTHREAD_ONCE_INIT;

/* The socket of this thread's session, for the timer's handler. */
static __thread volatile int		 ns_smtp_fd = -1;
static __thread volatile uint16_t	 ns_smtp_port;
static __thread volatile sig_atomic_t	 ns_smtp_expired;

static uint16_t
ns_smtp_peer_port(int fd)
{
	struct sockaddr_storage	 peer;
	socklen_t		 len = sizeof(peer);

	if (getpeername(fd, (struct sockaddr *)&peer, &len) == -1)
		return 0;
	if (peer.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&peer)->sin_port);
	if (peer.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&peer)->sin6_port);
	return 0;
}

/*
 * Before the connection is up, the signal only ends connect() with
 * EINTR.  After it, the session deadline passed: shutdown(), which is
 * async-signal-safe, ends the session at libESMTP's next read or write.
 * The peer port is checked again, in case libESMTP closed the socket
 * and another thread reused its number in the meantime.
 */
static void
ns_smtp_on_timer(int sig)
{
	int	 fd = ns_smtp_fd;

	if (fd >= 0 && ns_smtp_peer_port(fd) == ns_smtp_port) {
		ns_smtp_expired = 1;
		(void)shutdown(fd, SHUT_RDWR);
	}
}

/* Mark the descriptors open before the session, in bits. */
static void
ns_smtp_fds_before(uint8_t *open_fds)
{
	int	 fd;

	memset(open_fds, 0, NS_MAIL_FD_SCAN / 8);
	for (fd = 0; fd < NS_MAIL_FD_SCAN; fd++)
		if (fcntl(fd, F_GETFD) != -1)
			open_fds[fd / 8] |= (uint8_t)(1u << (fd % 8));
}

/*
 * Find the session's socket: libESMTP does not expose it, but it is the
 * one TCP socket opened since the session began whose peer port is the
 * server's.  Returns -1 when none is found.
 */
static int
ns_smtp_find_socket(const uint8_t *open_fds, uint16_t port)
{
	socklen_t	 len;
	int		 fd, type;

	for (fd = 0; fd < NS_MAIL_FD_SCAN; fd++) {
		if (open_fds[fd / 8] & (1u << (fd % 8)))
			continue;
		len = sizeof(type);
		if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == -1 ||
		    type != SOCK_STREAM)
			continue;
		if (ns_smtp_peer_port(fd) == port)
			return fd;
	}
	return -1;
}

/*
 * The connection is up: arm the timer again for the whole session, or
 * stop it when the socket cannot be found.
 */
static void
ns_smtp_session_deadline(struct ns_smtp_trace *tr)
{
	struct itimerspec	 its = { { 0, 0 }, { 0, 0 } };

	if (!tr->has_timer)
		return;
	ns_smtp_port = tr->conf->port;
	ns_smtp_fd = ns_smtp_find_socket(tr->open_fds, tr->conf->port);
	if (ns_smtp_fd >= 0)
		its.it_value.tv_sec = (time_t)tr->conf->timeout *
		    NS_MAIL_SESSION_STAGES;
	timer_settime(tr->timer, 0, &its, NULL);
}

/*
 * Process-wide set-up, once, whichever thread sends first: OpenSSL's
 * tables, the SASL plugin list and the timer signal's handler, without
 * SA_RESTART so that connect() returns EINTR.
 */
static void
ns_smtp_init(void)
{
	struct sigaction	 sa;

	OPENSSL_init_ssl(OPENSSL_INIT_LOAD_SSL_STRINGS |
	    OPENSSL_INIT_LOAD_CRYPTO_STRINGS, NULL);
	auth_client_init();

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = ns_smtp_on_timer;
	sigaction(NS_MAIL_TIMER_SIGNAL, &sa, NULL);
}

static void __attribute__((format(printf, 3, 4)))
ns_smtp_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Copy server text for a message: printable ASCII, at most one line. */
static void
ns_smtp_copy_line(char *dst, size_t dstlen, const char *src, size_t n)
{
	size_t	 i, o = 0;

	for (i = 0; i < n && src[i] != '\r' && src[i] != '\n' &&
	    o + 1 < dstlen; i++)
		dst[o++] = src[i] >= ' ' && src[i] < 0x7f ? src[i] : '?';
	dst[o] = '\0';
}

/* One reply line from the server: "250-..." continues, "250 ..." ends. */
static void
ns_smtp_reply_line(struct ns_smtp_trace *tr, const char *line, size_t n)
{
	int	 code;

	if (n >= 9 && strncmp(line + 4, "AUTH", 4) == 0 &&
	    (line[8] == ' ' || line[8] == '='))
		tr->auth_offered = 1;
	if (n < 4 || line[3] == '-')
		return;
	ns_smtp_copy_line(tr->reply, sizeof(tr->reply), line, n);
	tr->greeted = 1;
	tr->awaiting = 0;
	code = atoi(tr->reply);
	if (code >= 400 && tr->refusal[0] == '\0') {
		memcpy(tr->refusal, tr->reply, sizeof(tr->refusal));
		memcpy(tr->refused, tr->command, sizeof(tr->refused));
	}
	if (tr->auth_pending && code != 334) {
		tr->auth_pending = 0;
		if (code >= 400) {
			tr->auth_failed = 1;
			snprintf(tr->auth_reply, sizeof(tr->auth_reply), "%s",
			    tr->reply);
		}
	}
	tr->in_data = code == 354;
}

/*
 * A command line sent by libESMTP: keep its verb for messages.  Lines
 * during AUTH carry credentials and message lines follow 354: neither
 * is looked at.
 */
static void
ns_smtp_command(struct ns_smtp_trace *tr, const char *line, size_t n)
{
	size_t	 i;

	tr->awaiting = 1;
	if (tr->auth_pending || tr->in_data)
		return;
	for (i = 0; i < n && i + 1 < sizeof(tr->command); i++) {
		if (line[i] < 'A' || line[i] > 'Z')
			break;
		tr->command[i] = line[i];
	}
	tr->command[i] = '\0';
	if (strcmp(tr->command, "AUTH") == 0)
		tr->auth_pending = 1;
}

static void
ns_smtp_monitor(const char *buf, int buflen, int writing, void *arg)
{
	struct ns_smtp_trace	*tr = arg;
	const char		*line = buf, *end = buf + buflen, *eol;

	if (writing == SMTP_CB_HEADERS)
		return;
	while (line < end) {
		eol = memchr(line, '\n', (size_t)(end - line));
		if (eol == NULL)
			eol = end - 1;
		if (writing == SMTP_CB_READING)
			ns_smtp_reply_line(tr, line, (size_t)(eol - line + 1));
		else
			ns_smtp_command(tr, line, (size_t)(eol - line + 1));
		line = eol + 1;
	}
}

/*
 * libESMTP 1.1 matches the server name against the certificate's DNS
 * names only.  OpenSSL's checks add IP address names (for a server
 * given as an address) and the wildcard rules of RFC 6125.
 */
static int
ns_smtp_name_matches(const struct ns_smtp_trace *tr, SSL *ssl)
{
	X509	*cert = SSL_get1_peer_certificate(ssl);
	int	 ok;

	if (cert == NULL)
		return 0;
	ok = X509_check_ip_asc(cert, tr->conf->server, 0) == 1 ||
	    X509_check_host(cert, tr->conf->server, 0, 0, NULL) == 1;
	X509_free(cert);
	return ok;
}

static void
ns_smtp_event(smtp_session_t session, int event, void *arg, ...)
{
	struct ns_smtp_trace	*tr = arg;
	va_list			 ap;
	long			 result;
	int			*ok;
	SSL			*ssl;

	va_start(ap, arg);
	switch (event) {
	case SMTP_EV_CONNECT:
		tr->connected = 1;
		ns_smtp_session_deadline(tr);
		break;
	case SMTP_EV_DISCONNECT:
		ns_smtp_fd = -1;
		break;
	case SMTP_EV_EXTNA_STARTTLS:
		tr->no_starttls = 1;
		break;
	case SMTP_EV_STARTTLS_OK:
		tr->tls_up = 1;
		break;
	case SMTP_EV_INVALID_PEER_CERTIFICATE:
		result = va_arg(ap, long);
		ok = va_arg(ap, int *);
		*ok = !tr->verify;
		if (tr->verify)
			snprintf(tr->tls_error, sizeof(tr->tls_error),
			    "the server's certificate is not valid: %s",
			    X509_verify_cert_error_string(result));
		break;
	case SMTP_EV_WRONG_PEER_CERTIFICATE:
		ok = va_arg(ap, int *);
		(void)va_arg(ap, char *);
		ssl = va_arg(ap, SSL *);
		*ok = !tr->verify || ns_smtp_name_matches(tr, ssl);
		if (!*ok)
			snprintf(tr->tls_error, sizeof(tr->tls_error),
			    "the server's certificate does not name %s",
			    tr->conf->server);
		break;
	case SMTP_EV_NO_PEER_CERTIFICATE:
		ok = va_arg(ap, int *);
		*ok = !tr->verify;
		if (tr->verify)
			snprintf(tr->tls_error, sizeof(tr->tls_error),
			    "the server sent no certificate");
		break;
	case SMTP_EV_WEAK_CIPHER:
		(void)va_arg(ap, int);
		ok = va_arg(ap, int *);
		*ok = 0;
		snprintf(tr->tls_error, sizeof(tr->tls_error),
		    "the server chose a cipher of 40 bits or fewer");
		break;
	}
	va_end(ap);
}

/* Supply the user name and password that a SASL mechanism requests. */
static int
ns_smtp_interact(auth_client_request_t request, char **result, int fields,
    void *arg)
{
	struct ns_smtp_trace	*tr = arg;
	int			 i;

	for (i = 0; i < fields; i++) {
		if (request[i].flags & AUTH_USER)
			result[i] = tr->conf->auth_user;
		else if (request[i].flags & AUTH_PASS)
			result[i] = tr->conf->password;
		else
			return 0;
		if (result[i] == NULL)
			return 0;
	}
	tr->auth_asked = 1;
	return 1;
}

/* The message, handed to libESMTP in one piece from memory. */
struct ns_smtp_source {
	const char	*msg;
	size_t		 len;
};

static const char *
ns_smtp_message(void **ctx, int *len, void *arg)
{
	const struct ns_smtp_source	*src = arg;
	int				*sent;

	/* libESMTP frees *ctx with free() when the session ends. */
	if (*ctx == NULL && (*ctx = calloc(1, sizeof(int))) == NULL) {
		if (len != NULL)
			*len = 0;
		return NULL;
	}
	sent = *ctx;
	if (len == NULL) {		/* rewind */
		*sent = 0;
		return NULL;
	}
	*len = *sent ? 0 : (int)src->len;
	*sent = 1;
	return src->msg;
}

/*
 * A context that verifies with the configured CA file, else with the
 * system's trust store.  libESMTP's own context would read the trust
 * anchors from ~/.authenticate instead.
 */
static SSL_CTX *
ns_smtp_tls_context(const struct ns_mail_conf *conf, char *err,
    size_t errlen)
{
	SSL_CTX	*ctx;
	int	 ok;

	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL) {
		ns_smtp_err(err, errlen, "cannot create a TLS context");
		return NULL;
	}
	/*
	 * NOTE: with TLS 1.3, libESMTP 1.1 sometimes misses the EHLO reply
	 * that follows the handshake and quits after mailTimeout.  It did so
	 * in most runs under valgrind against aiosmtpd and never with TLS
	 * 1.2, so 1.2 is the only version offered.
	 */
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
	if (conf->ca_file != NULL)
		ok = SSL_CTX_load_verify_locations(ctx, conf->ca_file, NULL);
	else
		ok = SSL_CTX_set_default_verify_paths(ctx);
	if (ok != 1) {
		ns_smtp_err(err, errlen, "cannot load the CA certificates "
		    "from %s", conf->ca_file != NULL ? conf->ca_file :
		    "the system's trust store");
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

static int
ns_smtp_timeouts(smtp_session_t session, unsigned int seconds)
{
	static const int stages[] = {
		Timeout_GREETING, Timeout_ENVELOPE, Timeout_DATA,
		Timeout_TRANSFER, Timeout_DATA2
	};
	long	 ms = (long)seconds * 1000;
	size_t	 i;

	for (i = 0; i < sizeof(stages) / sizeof(stages[0]); i++)
		if (smtp_set_timeout(session, stages[i] |
		    Timeout_OVERRIDE_RFC2822_MINIMUM, ms) == 0)
			return -1;
	return 0;
}

/* Arm the connect timer for this thread; without one, connect() waits. */
static void
ns_smtp_timer_start(struct ns_smtp_trace *tr, unsigned int seconds)
{
	struct sigevent		 sev;
	struct itimerspec	 its = { { 0, 0 }, { (time_t)seconds, 0 } };

	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = NS_MAIL_TIMER_SIGNAL;
	sev.sigev_notify_thread_id = gettid();
	if (timer_create(CLOCK_MONOTONIC, &sev, &tr->timer) == -1)
		return;
	tr->has_timer = 1;
	timer_settime(tr->timer, 0, &its, NULL);
}

static int
ns_smtp_setup(smtp_session_t session, smtp_message_t message,
    struct ns_smtp_trace *tr, struct ns_smtp_source *src,
    auth_context_t *auth, char *err, size_t errlen)
{
	const struct ns_mail_conf	*conf = tr->conf;
	SSL_CTX				*ctx;
	size_t				 i;

	if (!smtp_set_server(session, tr->server) ||
	    !smtp_set_reverse_path(message, conf->from) ||
	    !smtp_set_messagecb(message, ns_smtp_message, src) ||
	    !smtp_set_eventcb(session, ns_smtp_event, tr) ||
	    !smtp_set_monitorcb(session, ns_smtp_monitor, tr, 0) ||
	    ns_smtp_timeouts(session, conf->timeout) == -1)
		goto fail;
	for (i = 0; i < conf->nto; i++)
		if (smtp_add_recipient(message, conf->to[i]) == NULL)
			goto fail;

	if (conf->starttls != NS_MAIL_TLS_OFF) {
		if ((ctx = ns_smtp_tls_context(conf, err, errlen)) == NULL)
			return -1;
		smtp_starttls_set_ctx(session, ctx);
		SSL_CTX_free(ctx);	/* the session holds a reference */
		smtp_starttls_enable(session,
		    conf->starttls == NS_MAIL_TLS_REQUIRE ?
		    Starttls_REQUIRED : Starttls_ENABLED);
	}

	/*
	 * PLAIN and LOGIN send the password as is: only over TLS.
	 * NOTE: after a rejected AUTH, libESMTP 1.1 goes on to MAIL FROM, so
	 * a server that takes mail without AUTH still gets the message.
	 */
	if (conf->auth_user != NULL) {
		if ((*auth = auth_create_context()) == NULL)
			goto fail;
		auth_set_mechanism_flags(*auth, AUTH_PLUGIN_PLAIN, 0);
		auth_set_interact_cb(*auth, ns_smtp_interact, tr);
		smtp_auth_set_context(session, *auth);
	}
	return 0;
fail:
	ns_smtp_err(err, errlen, "cannot set up the SMTP session: %s",
	    strerror(ENOMEM));
	return -1;
}

/* A status as "550 text", for a message. */
static void
ns_smtp_status_text(const smtp_status_t *st, char *buf, size_t len)
{
	char	 text[200];

	ns_smtp_copy_line(text, sizeof(text), st->text != NULL ? st->text :
	    "", st->text != NULL ? strlen(st->text) : 0);
	snprintf(buf, len, "%d %s", st->code, text);
}

/* Recipients that the server rejected, as "a@b: 550 ...; c@d: ...". */
struct ns_smtp_rejects {
	char	*buf;
	size_t	 len;
	int	 count;
};

static void
ns_smtp_recipient(smtp_recipient_t recipient, const char *mailbox,
    void *arg)
{
	struct ns_smtp_rejects	*r = arg;
	const smtp_status_t	*st = smtp_recipient_status(recipient);
	char			 status[220];
	size_t			 used = strlen(r->buf);

	/* 0: never sent, as the session ended before RCPT. */
	if (st == NULL || st->code < 400)
		return;
	r->count++;
	ns_smtp_status_text(st, status, sizeof(status));
	if (used + 1 < r->len)
		snprintf(r->buf + used, r->len - used, "%s%s: %s",
		    used > 0 ? "; " : "", mailbox, status);
}

/*
 * Explain a failure before the envelope: connection, greeting, STARTTLS,
 * AUTH or a reply that never came.  Returns 0 when none of them failed.
 */
static int
ns_smtp_failure_session(const struct ns_smtp_trace *tr, int smtp_error,
    char *err, size_t errlen)
{
	const struct ns_mail_conf	*conf = tr->conf;
	char				 buf[160];
	const char			*text;
	int				 timed_out;

	if ((text = smtp_strerror(smtp_error, buf, sizeof(buf))) == NULL)
		text = "unknown error";
	timed_out = tr->elapsed + 1 >= conf->timeout;
	if (ns_smtp_expired)
		ns_smtp_err(err, errlen, "SMTP session with %s timed out after "
		    "%u s (%d times mailTimeout): the server is too slow",
		    tr->server, conf->timeout * NS_MAIL_SESSION_STAGES,
		    NS_MAIL_SESSION_STAGES);
	else if (!tr->connected && smtp_error == -EINTR)
		ns_smtp_err(err, errlen, "connect to %s timed out after %u s",
		    tr->server, conf->timeout);
	else if (!tr->connected)
		ns_smtp_err(err, errlen, "connect to %s failed: %s",
		    tr->server, text);
	else if (!tr->greeted && timed_out)
		ns_smtp_err(err, errlen, "SMTP server %s sent no greeting "
		    "within %u s", tr->server, conf->timeout);
	else if (!tr->greeted)
		ns_smtp_err(err, errlen, "SMTP server %s closed the connection "
		    "before its greeting", tr->server);
	else if (tr->no_starttls)
		ns_smtp_err(err, errlen, "SMTP server %s does not offer "
		    "STARTTLS, and mailStartTLS is require", tr->server);
	else if (tr->tls_error[0] != '\0')
		ns_smtp_err(err, errlen, "STARTTLS with %s failed: %s",
		    tr->server, tr->tls_error);
	else if (tr->auth_failed)
		ns_smtp_err(err, errlen, "SMTP server %s rejected AUTH for "
		    "user %s: %s", tr->server, conf->auth_user,
		    tr->auth_reply);
	else if (tr->in_data && timed_out)
		ns_smtp_err(err, errlen, "SMTP server %s sent no reply to the "
		    "end of the message within %u s", tr->server,
		    conf->timeout);
	else if (tr->in_data)
		ns_smtp_err(err, errlen, "SMTP server %s closed the connection "
		    "before its reply to the message", tr->server);
	else if (tr->awaiting && timed_out)
		ns_smtp_err(err, errlen, "SMTP server %s sent no reply to %s "
		    "within %u s", tr->server, tr->command, conf->timeout);
	else if (tr->awaiting)
		ns_smtp_err(err, errlen, "SMTP server %s closed the connection "
		    "after %s", tr->server, tr->command);
	else
		return 0;
	return -1;
}

/* Explain a session that delivered nothing, the first cause first. */
static void
ns_smtp_failure(const struct ns_smtp_trace *tr, smtp_message_t message,
    int smtp_error, char *err, size_t errlen)
{
	const struct ns_mail_conf	*conf = tr->conf;
	const smtp_status_t		*st;
	struct ns_smtp_rejects		 r;
	char				 reason[256] = "", status[220];

	if (ns_smtp_failure_session(tr, smtp_error, err, errlen) == -1)
		return;

	r = (struct ns_smtp_rejects){ reason, sizeof(reason), 0 };
	smtp_enumerate_recipients(message, ns_smtp_recipient, &r);
	if ((st = smtp_reverse_path_status(message)) != NULL &&
	    st->code >= 400) {
		ns_smtp_status_text(st, status, sizeof(status));
		ns_smtp_err(err, errlen, "SMTP server %s rejected MAIL "
		    "FROM:<%s>: %s", tr->server, conf->from, status);
	} else if (r.count == (int)conf->nto)
		ns_smtp_err(err, errlen, "SMTP server %s rejected every "
		    "recipient: %s", tr->server, reason);
	else if ((st = smtp_message_transfer_status(message)) != NULL &&
	    st->code >= 400) {
		ns_smtp_status_text(st, status, sizeof(status));
		ns_smtp_err(err, errlen, "SMTP server %s rejected the "
		    "message: %s", tr->server, status);
	} else if (tr->refusal[0] != '\0' && tr->refused[0] == '\0')
		ns_smtp_err(err, errlen, "SMTP server %s greeted with %s",
		    tr->server, tr->refusal);
	else if (tr->refusal[0] != '\0')
		ns_smtp_err(err, errlen, "SMTP server %s rejected %s: %s",
		    tr->server, tr->refused, tr->refusal);
	else
		ns_smtp_err(err, errlen, "SMTP session with %s ended after %s "
		    "without delivering the message%s%s", tr->server,
		    tr->command[0] != '\0' ? tr->command : "connect",
		    tr->reply[0] != '\0' ? "; last reply: " : "", tr->reply);

	if (conf->auth_user != NULL && !tr->auth_offered &&
	    strlen(err) + 1 < errlen)
		snprintf(err + strlen(err), errlen - strlen(err), " (the "
		    "server did not offer AUTH)");
	else if (conf->auth_user != NULL && !tr->auth_asked &&
	    strlen(err) + 1 < errlen)
		snprintf(err + strlen(err), errlen - strlen(err), " (the "
		    "server offered no AUTH mechanism that netsentryd can use: "
		    "PLAIN, LOGIN or CRAM-MD5)");
}

static int
ns_smtp_result(const struct ns_smtp_trace *tr, smtp_message_t message,
    int started, int smtp_error, char *err, size_t errlen)
{
	const smtp_status_t	*st = smtp_message_transfer_status(message);
	struct ns_smtp_rejects	 r = { err, errlen, 0 };

	err[0] = '\0';
	if (started && st != NULL && st->code >= 200 && st->code < 300) {
		/* Delivered: name any recipient rejected on the way. */
		smtp_enumerate_recipients(message, ns_smtp_recipient, &r);
		if (r.count < (int)tr->conf->nto)
			return 0;

		/*
		 * libESMTP 1.1 sends DATA and an empty message even when
		 * every RCPT failed, and a lax server accepts it with 250.
		 */
		err[0] = '\0';
	}
	ns_smtp_failure(tr, message, smtp_error, err, errlen);
	return -1;
}

int
ns_mail_send(const struct ns_mail_conf *conf, const char *msg, size_t len,
    char *err, size_t errlen)
{
	struct ns_smtp_trace	 tr;
	struct ns_smtp_source	 src = { msg, len };
	smtp_session_t		 session;
	smtp_message_t		 message;
	auth_context_t		 auth = NULL;
	sigset_t		 timer_set, old;
	struct timespec		 t0, t1;
	int			 started, smtp_error, rc = -1;

	if (conf->server == NULL || conf->from == NULL || conf->nto == 0 ||
	    len > (size_t)INT32_MAX) {
		ns_smtp_err(err, errlen, "mail is not configured: mailServer, "
		    "mailFrom and mailTo are needed");
		return -1;
	}
	/* libESMTP 1.1 takes the text before the first ':' as the host. */
	if (strchr(conf->server, ':') != NULL) {
		ns_smtp_err(err, errlen, "libESMTP cannot connect to the IPv6 "
		    "address %s; give mailServer a host name that resolves to "
		    "it", conf->server);
		return -1;
	}
	pthread_once(&ns_smtp_once, ns_smtp_init);

	memset(&tr, 0, sizeof(tr));
	tr.conf = conf;
	tr.verify = conf->starttls == NS_MAIL_TLS_REQUIRE ||
	    conf->ca_file != NULL;
	snprintf(tr.server, sizeof(tr.server), "%s:%u", conf->server,
	    (unsigned int)conf->port);

	if ((session = smtp_create_session()) == NULL ||
	    (message = smtp_add_message(session)) == NULL) {
		ns_smtp_err(err, errlen, "out of memory for an SMTP session");
		goto done;
	}
	if (ns_smtp_setup(session, message, &tr, &src, &auth, err,
	    errlen) == -1)
		goto done;

	/* The timer signal must reach this thread while it connects. */
	sigemptyset(&timer_set);
	sigaddset(&timer_set, NS_MAIL_TIMER_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &timer_set, &old);
	ns_smtp_fds_before(tr.open_fds);
	ns_smtp_fd = -1;
	ns_smtp_expired = 0;
	ns_smtp_timer_start(&tr, conf->timeout);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	started = smtp_start_session(session);
	smtp_error = started ? 0 : smtp_errno();
	clock_gettime(CLOCK_MONOTONIC, &t1);
	tr.elapsed = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (tr.has_timer)
		timer_delete(tr.timer);
	ns_smtp_fd = -1;
	pthread_sigmask(SIG_SETMASK, &old, NULL);

	rc = ns_smtp_result(&tr, message, started, smtp_error, err, errlen);
done:
	if (session != NULL)
		smtp_destroy_session(session);
	if (auth != NULL)
		auth_destroy_context(auth);
	return rc;
}
