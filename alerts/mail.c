/*
 * netsentry: e-mail alert messages and the mail settings.
 *
 * Implements the message format of RFC 5322 (header fields, line length,
 * folding), MIME of RFC 2045 (quoted-printable body), RFC 2047 encoded
 * words for non-ASCII header text and the Auto-Submitted field of RFC
 * 3834.  Names and descriptions come from captured packets and are
 * hostile: every one passes through ns_mail_clean() before it reaches
 * the message.  ns_mail_send() is in mail_smtp.c.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mail.h"

/* A bounded output buffer; full is set once anything did not fit. */
struct ns_mbuf {
	char	*p;
	size_t	 len;
	size_t	 cap;
	int	 full;
};

/*
 * Header lines fold before this column when the text has spaces, as RFC
 * 5322 section 2.1.1 recommends 78.  An encoded word has at most 75
 * characters (RFC 2047 section 2), so 45 octets of UTF-8: 60 in base64.
 */
#define NS_MAIL_FOLD		78
#define NS_MAIL_WORD_OCTETS	45

/* Maximum length of a body line before quoted-printable encoding. */
#define NS_MAIL_BODY_LINE	512

static const char ns_b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int
ns_mail_conf_init(struct ns_mail_conf *conf)
{
	char	 target[NS_MAIL_MAX_TEXT];

	memset(conf, 0, sizeof(*conf));
	conf->port = NS_MAIL_DEF_PORT;
	conf->starttls = NS_MAIL_TLS_MAYBE;
	conf->timeout = NS_MAIL_DEF_TIMEOUT;
	if (gethostname(conf->hostname, sizeof(conf->hostname)) == -1 ||
	    conf->hostname[0] == '\0')
		strcpy(conf->hostname, "localhost");
	conf->hostname[sizeof(conf->hostname) - 1] = '\0';

	snprintf(target, sizeof(target), "-v2c -c public %s", conf->hostname);
	conf->subject_prefix = strdup(NS_MAIL_DEF_PREFIX);
	conf->snmp_target = strdup(target);
	if (conf->subject_prefix == NULL || conf->snmp_target == NULL) {
		ns_mail_conf_clear(conf);
		return -1;
	}
	return 0;
}

void
ns_mail_conf_clear(struct ns_mail_conf *conf)
{
	size_t	 i;

	free(conf->server);
	free(conf->from);
	for (i = 0; i < conf->nto; i++)
		free(conf->to[i]);
	free(conf->auth_user);
	free(conf->password_file);
	if (conf->password != NULL) {
		explicit_bzero(conf->password, strlen(conf->password));
		free(conf->password);
	}
	free(conf->ca_file);
	free(conf->subject_prefix);
	free(conf->snmp_target);
	memset(conf, 0, sizeof(*conf));
}

void
ns_mail_conf_free(struct ns_mail_conf *conf)
{
	if (conf == NULL)
		return;
	ns_mail_conf_clear(conf);
	free(conf);
}

int
ns_mail_address_valid(const char *address)
{
	const char	*at = strchr(address, '@');
	size_t		 n = strlen(address);
	size_t		 i;

	if (n == 0 || n > NS_MAIL_MAX_ADDRESS || at == NULL ||
	    at == address || at[1] == '\0' || strchr(at + 1, '@') != NULL)
		return 0;

	/* Printable ASCII without the specials that end an address. */
	for (i = 0; i < n; i++) {
		if (address[i] <= ' ' || address[i] >= 0x7f ||
		    strchr("<>()[],;:\\\"", address[i]) != NULL)
			return 0;
	}
	return 1;
}

static int
ns_mail_password_mode(const char *path, const struct stat *sb, char *err,
    size_t errlen)
{
	const char	*problem;

	if (!S_ISREG(sb->st_mode)) {
		snprintf(err, errlen, "mailAuthPasswordFile %s is not a "
		    "regular file", path);
		return -1;
	}
	if (sb->st_mode & S_IROTH)
		problem = "readable by other users";
	else if (sb->st_mode & (S_IWOTH | S_IXOTH))
		problem = "writable by other users";
	else if (sb->st_mode & S_IWGRP)
		problem = "writable by its group";
	else
		return 0;
	snprintf(err, errlen, "mailAuthPasswordFile %s is %s; chmod 600 it",
	    path, problem);
	return -1;
}

/* Check the text read: one line, not empty, no NUL inside. */
static int
ns_mail_password_text(const char *path, char *buf, size_t n, char *err,
    size_t errlen)
{
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	if (n == 0) {
		snprintf(err, errlen, "mailAuthPasswordFile %s is empty",
		    path);
		return -1;
	}
	if (strlen(buf) != n || strpbrk(buf, "\r\n") != NULL) {
		snprintf(err, errlen, "mailAuthPasswordFile %s contains more "
		    "than one line or a NUL byte; the file must hold the "
		    "password alone", path);
		return -1;
	}
	return 0;
}

int
ns_mail_read_password(const char *path, char *buf, size_t len, char *err,
    size_t errlen)
{
	struct stat	 sb;
	ssize_t		 n;
	int		 fd, rc = -1;

	if (len < 2) {
		snprintf(err, errlen, "no room for the password");
		return -1;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		snprintf(err, errlen, "mailAuthPasswordFile %s: %s", path,
		    strerror(errno));
		return -1;
	}

	/* Check the file that is open, not the name, which can change. */
	if (fstat(fd, &sb) == -1) {
		snprintf(err, errlen, "mailAuthPasswordFile %s: %s", path,
		    strerror(errno));
		goto done;
	}
	if (ns_mail_password_mode(path, &sb, err, errlen) == -1)
		goto done;

	/* A file that fills the buffer is longer than any valid password. */
	n = read(fd, buf, len);
	if (n == -1)
		snprintf(err, errlen, "mailAuthPasswordFile %s: %s", path,
		    strerror(errno));
	else if ((size_t)n == len)
		snprintf(err, errlen, "mailAuthPasswordFile %s is longer than "
		    "%zu bytes", path, len - 2);
	else
		rc = ns_mail_password_text(path, buf, (size_t)n, err, errlen);
done:
	close(fd);
	if (rc == -1)
		explicit_bzero(buf, len);
	return rc;
}

static void
ns_mbuf_add(struct ns_mbuf *mb, const char *s, size_t n)
{
	if (mb->full || n > mb->cap - mb->len) {
		mb->full = 1;
		return;
	}
	memcpy(mb->p + mb->len, s, n);
	mb->len += n;
}

static void
ns_mbuf_str(struct ns_mbuf *mb, const char *s)
{
	ns_mbuf_add(mb, s, strlen(s));
}

static void __attribute__((format(printf, 2, 3)))
ns_mbuf_printf(struct ns_mbuf *mb, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	if (mb->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(mb->p + mb->len, mb->cap - mb->len + 1, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n > mb->cap - mb->len)
		mb->full = 1;
	else
		mb->len += (size_t)n;
}

/*
 * Length of the UTF-8 sequence at s (at most n octets) when it is a well
 * formed, shortest-form encoding of a scalar value (RFC 3629), else 0.
 * The code point goes to cp.
 */
static size_t
ns_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t		 len, i;
	uint32_t	 c;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		c = s[0] & 0x07;
	} else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/*
 * Code points that must not reach a message: the C0 and C1 controls and
 * DEL, which include CR and LF, and the Unicode line and paragraph
 * separators and directional overrides, which can make a name display as
 * something else.
 */
static int
ns_utf8_forbidden(uint32_t c)
{
	return c < 0x20 || (c >= 0x7f && c <= 0x9f) ||
	    c == 0x200e || c == 0x200f || c == 0x2028 || c == 0x2029 ||
	    (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

/*
 * Copy at most srclen octets of src (NUL-terminated or not) to dst as
 * valid UTF-8 without forbidden code points, each of which, like every
 * invalid octet, becomes '?'.  dst is always NUL-terminated.
 */
static void
ns_mail_clean(const char *src, size_t srclen, char *dst, size_t dstlen)
{
	const unsigned char	*s = (const unsigned char *)src;
	size_t			 n = strnlen(src, srclen), i = 0, o = 0, k;
	uint32_t		 cp;

	while (i < n) {
		k = ns_utf8_decode(s + i, n - i, &cp);
		if (k == 0 || ns_utf8_forbidden(cp)) {
			if (o + 1 >= dstlen)
				break;
			dst[o++] = '?';
			i += k == 0 ? 1 : k;
			continue;
		}
		if (o + k >= dstlen)
			break;
		memcpy(dst + o, s + i, k);
		o += k;
		i += k;
	}
	dst[o] = '\0';
}

static int
ns_is_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return 0;
	return 1;
}

/*
 * Write "name: value" for a printable ASCII value, folded at its spaces
 * before column 78 where it can be.  A run without spaces that would
 * pass NS_MAIL_MAX_LINE is cut into pieces on continuation lines.
 */
static void
ns_mail_header_ascii(struct ns_mbuf *mb, const char *name, const char *value)
{
	size_t	 col, n, piece;
	int	 first = 1;

	ns_mbuf_printf(mb, "%s:", name);
	col = strlen(name) + 1;
	for (;;) {
		n = strcspn(value, " ");
		if (!first && col + 1 + n > NS_MAIL_FOLD) {
			ns_mbuf_str(mb, "\r\n ");
			col = 1;
		} else {
			ns_mbuf_str(mb, " ");
			col++;
		}
		while (col + n > NS_MAIL_MAX_LINE) {
			piece = NS_MAIL_MAX_LINE - col;
			ns_mbuf_add(mb, value, piece);
			ns_mbuf_str(mb, "\r\n ");
			col = 1;
			value += piece;
			n -= piece;
		}
		ns_mbuf_add(mb, value, n);
		col += n;
		value += n;
		if (*value == '\0')
			break;
		value++;		/* the space that the fold replaces */
		first = 0;
	}
	ns_mbuf_str(mb, "\r\n");
}

static void
ns_base64(struct ns_mbuf *mb, const unsigned char *s, size_t n)
{
	char		 out[4];
	uint32_t	 v;
	size_t		 i;

	for (i = 0; i < n; i += 3) {
		v = (uint32_t)s[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)s[i + 1] << 8;
		if (i + 2 < n)
			v |= s[i + 2];
		out[0] = ns_b64[(v >> 18) & 0x3f];
		out[1] = ns_b64[(v >> 12) & 0x3f];
		out[2] = i + 1 < n ? ns_b64[(v >> 6) & 0x3f] : '=';
		out[3] = i + 2 < n ? ns_b64[v & 0x3f] : '=';
		ns_mbuf_add(mb, out, sizeof(out));
	}
}

/*
 * Write "name: value" for clean UTF-8 text: as is when it is ASCII, else
 * as RFC 2047 "B" encoded words of whole characters, one per line.  A
 * decoder drops the folding white space between adjacent encoded words.
 */
static void
ns_mail_header_text(struct ns_mbuf *mb, const char *name, const char *value)
{
	const unsigned char	*s = (const unsigned char *)value;
	size_t			 n = strlen(value), i = 0, chunk, k;
	uint32_t		 cp;

	if (ns_is_ascii(value)) {
		ns_mail_header_ascii(mb, name, value);
		return;
	}
	ns_mbuf_printf(mb, "%s:", name);
	while (i < n) {
		chunk = 0;
		while (i + chunk < n) {
			k = ns_utf8_decode(s + i + chunk, n - i - chunk, &cp);
			if (k == 0 || chunk + k > NS_MAIL_WORD_OCTETS)
				break;
			chunk += k;
		}
		if (chunk == 0)		/* not clean text: cannot happen */
			break;
		ns_mbuf_str(mb, i == 0 ? " =?UTF-8?B?" : "\r\n =?UTF-8?B?");
		ns_base64(mb, s + i, chunk);
		ns_mbuf_str(mb, "?=");
		i += chunk;
	}
	ns_mbuf_str(mb, "\r\n");
}

/* RFC 5322 date-time in local time, with names that ignore the locale. */
static void
ns_mail_date(time_t t, char *buf, size_t len)
{
	static const char *const days[] = {
		"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
	};
	static const char *const months[] = {
		"Jan", "Feb", "Mar", "Apr", "May", "Jun",
		"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
	};
	struct tm	 tm;
	long		 off;

	localtime_r(&t, &tm);
	off = tm.tm_gmtoff / 60;
	snprintf(buf, len, "%s, %02d %s %04d %02d:%02d:%02d %c%02ld%02ld",
	    days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec,
	    off < 0 ? '-' : '+', labs(off) / 60, labs(off) % 60);
}

/* "2024-05-01 10:00:00 UTC" */
static void
ns_mail_utc(int64_t t, char *buf, size_t len)
{
	time_t		 tt = (time_t)t;
	struct tm	 tm;

	gmtime_r(&tt, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm);
}

/* "2024-05-01 10:00:00 UTC (2024-05-01 12:00:00 +0200 local)" */
static void
ns_mail_when(int64_t t, char *buf, size_t len)
{
	time_t		 tt = (time_t)t;
	struct tm	 tm;
	char		 utc[32], local[40];

	ns_mail_utc(t, utc, sizeof(utc));
	localtime_r(&tt, &tm);
	strftime(local, sizeof(local), "%Y-%m-%d %H:%M:%S %z", &tm);
	snprintf(buf, len, "%s (%s local)", utc, local);
}

/* The host part of the Message-ID: letters, digits, dots and hyphens. */
static void
ns_mail_id_host(const char *hostname, char *buf, size_t len)
{
	size_t	 o = 0;

	for (; *hostname != '\0' && o + 1 < len; hostname++)
		if ((*hostname >= 'a' && *hostname <= 'z') ||
		    (*hostname >= 'A' && *hostname <= 'Z') ||
		    (*hostname >= '0' && *hostname <= '9') ||
		    *hostname == '.' || *hostname == '-')
			buf[o++] = *hostname;
	buf[o] = '\0';
	if (o == 0)
		snprintf(buf, len, "localhost");
}

/* The attacker or target as "address (name)", or the address alone. */
static void
ns_mail_party(const struct ns_addr *addr, const char *name, size_t namelen,
    char *buf, size_t len)
{
	char	 text[64], clean[NS_ALERT_NAME * 3];

	ns_addr_format(addr, text, sizeof(text));
	ns_mail_clean(name, namelen, clean, sizeof(clean));
	if (clean[0] != '\0')
		snprintf(buf, len, "%s (%s)", text, clean);
	else
		snprintf(buf, len, "%s", text);
}

static void
ns_mail_subject(struct ns_mbuf *mb, const struct ns_mail_conf *conf,
    const struct ns_alert *a)
{
	char	 prefix[NS_MAIL_MAX_TEXT * 3], when[80];
	char	 from[NS_ALERT_NAME * 3 + 96], to[NS_ALERT_NAME * 3 + 96];
	char	 subject[NS_MAIL_MAX_TEXT * 3 + sizeof(from) * 2 + 64];

	ns_mail_clean(conf->subject_prefix != NULL ? conf->subject_prefix :
	    NS_MAIL_DEF_PREFIX, SIZE_MAX, prefix, sizeof(prefix));
	if (a->kind == NS_ALERT_DIGEST) {
		ns_mail_utc(a->suppressed_since, when, sizeof(when));
		snprintf(subject, sizeof(subject), "%s%s%" PRIu32 " alerts "
		    "held back since %s", prefix, prefix[0] != '\0' ? " " : "",
		    a->suppressed, when);
	} else {
		ns_mail_party(&a->ev.attacker, a->attacker_name,
		    sizeof(a->attacker_name), from, sizeof(from));
		ns_mail_party(&a->ev.target, a->target_name,
		    sizeof(a->target_name), to, sizeof(to));
		snprintf(subject, sizeof(subject), "%s%s%s %s: %s -> %s",
		    prefix, prefix[0] != '\0' ? " " : "",
		    ns_event_type_name(a->ev.type), ns_alert_kind_name(a->kind),
		    from, to);
	}
	ns_mail_header_text(mb, "Subject", subject);
}

static void
ns_mail_headers(struct ns_mbuf *mb, const struct ns_mail_conf *conf,
    const struct ns_alert *a, time_t now, int qp)
{
	char		 date[64], host[256];
	char		 to[NS_MAIL_MAX_TO * (NS_MAIL_MAX_ADDRESS + 2) + 1];
	struct ns_mbuf	 list = { to, 0, sizeof(to) - 1, 0 };
	size_t		 i;

	ns_mail_date(now, date, sizeof(date));
	ns_mail_header_ascii(mb, "Date", date);
	ns_mbuf_printf(mb, "From: netsentry <%s>\r\n",
	    conf->from != NULL ? conf->from : "netsentry@localhost");

	for (i = 0; i < conf->nto; i++)
		ns_mbuf_printf(&list, "%s%s", i > 0 ? ", " : "", conf->to[i]);
	to[list.len] = '\0';
	ns_mail_header_ascii(mb, "To", to);
	ns_mail_subject(mb, conf, a);

	/* The same alert gets the same Message-ID when it is sent again. */
	ns_mail_id_host(conf->hostname, host, sizeof(host));
	ns_mbuf_printf(mb, "Message-ID: <netsentry.%" PRIu64 ".%" PRIu32
	    ".%u@%s>\r\n", a->id, a->ev.index, (unsigned int)a->kind, host);
	ns_mbuf_str(mb, "MIME-Version: 1.0\r\n");
	ns_mbuf_str(mb, "Content-Type: text/plain; charset=utf-8\r\n");
	ns_mbuf_printf(mb, "Content-Transfer-Encoding: %s\r\n",
	    qp ? "quoted-printable" : "7bit");
	ns_mbuf_str(mb, "Auto-Submitted: auto-generated\r\n");
	ns_mbuf_printf(mb, "X-Netsentry-Event: %" PRIu32 "\r\n", a->ev.index);
	ns_mbuf_str(mb, "\r\n");
}

static void __attribute__((format(printf, 3, 4)))
ns_body_field(struct ns_mbuf *mb, const char *label, const char *fmt, ...)
{
	char	 value[NS_MAIL_BODY_LINE];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	ns_mbuf_printf(mb, "%-13s %s\r\n", label, value);
}

static void
ns_body_event(struct ns_mbuf *mb, const struct ns_alert *a)
{
	const struct ns_event	*ev = &a->ev;
	char			 party[NS_ALERT_NAME * 3 + 96], when[80];
	char			 descr[NS_EVENT_DESCR * 3];

	ns_body_field(mb, "Event:", "%s %s", ns_event_type_name(ev->type),
	    ns_alert_kind_name(a->kind));
	ns_body_field(mb, "Severity:", "%s",
	    ns_severity_name(a->severity));
	ns_body_field(mb, "Probe:", "%s", ns_probe_kind_name(ev->probe));
	ns_body_field(mb, "Shape:", "%s", ns_scan_shape_name(ev->shape));
	ns_body_field(mb, "State:", "%s",
	    ev->state == NS_EVS_ENDED ? "ended" : "active");
	ns_mail_when(ev->start_sec, when, sizeof(when));
	ns_body_field(mb, "Started:", "%s", when);
	ns_mail_when(ev->last_sec, when, sizeof(when));
	ns_body_field(mb, "Last packet:", "%s", when);

	ns_mail_party(&ev->attacker, a->attacker_name,
	    sizeof(a->attacker_name), party, sizeof(party));
	ns_body_field(mb, "Attacker:", "%s", party);
	ns_mail_party(&ev->target, a->target_name, sizeof(a->target_name),
	    party, sizeof(party));
	ns_body_field(mb, "Target:", "%s", party);

	if (ev->port != 0)
		ns_body_field(mb, "Port:", "%u", (unsigned int)ev->port);
	else
		ns_body_field(mb, "Port:", "several");
	ns_body_field(mb, "Ports:", "%" PRIu32, ev->ports);
	ns_body_field(mb, "Targets:", "%" PRIu32, ev->targets);
	ns_body_field(mb, "Sources:", "%" PRIu32, ev->sources);
	ns_body_field(mb, "Packets:", "%" PRIu64, ev->packets);
	ns_body_field(mb, "Peak rate:", "%" PRIu32 " packets/s",
	    ev->peak_rate);

	ns_mail_clean(ev->descr, sizeof(ev->descr), descr, sizeof(descr));
	ns_body_field(mb, "Description:", "%s", descr);
	ns_body_field(mb, "Event index:", "%" PRIu32, ev->index);
}

static void
ns_body_digest(struct ns_mbuf *mb, const struct ns_alert *a)
{
	char	 when[80];
	int	 t;

	ns_mail_when(a->suppressed_since, when, sizeof(when));
	ns_mbuf_printf(mb, "The mail rate limit held back %" PRIu32 " "
	    "alerts\r\nsince %s.\r\n\r\nHeld back, by event type:\r\n",
	    a->suppressed, when);
	for (t = 1; t < NS_EV_TYPES; t++)
		if (a->suppressed_by_type[t] > 0)
			ns_mbuf_printf(mb, "  %-14s %" PRIu32 "\r\n",
			    ns_event_type_name(t), a->suppressed_by_type[t]);
}

static void
ns_mail_body(struct ns_mbuf *mb, const struct ns_mail_conf *conf,
    const struct ns_alert *a)
{
	char	 target[NS_MAIL_MAX_TEXT * 3], host[256];

	ns_mail_clean(conf->hostname, sizeof(conf->hostname), host,
	    sizeof(host));
	ns_mbuf_printf(mb, "netsentryd on %s raised this alert.\r\n\r\n",
	    host);
	if (a->kind == NS_ALERT_DIGEST)
		ns_body_digest(mb, a);
	else
		ns_body_event(mb, a);

	ns_mail_clean(conf->snmp_target != NULL ? conf->snmp_target : "",
	    SIZE_MAX, target, sizeof(target));
	ns_mbuf_str(mb, "\r\nMore detail from the agent:\r\n");
	if (a->kind != NS_ALERT_DIGEST)
		ns_mbuf_printf(mb, "  snmpget %s NETSENTRY-MIB::nsEventDescription."
		    "%" PRIu32 "\r\n", target, a->ev.index);
	ns_mbuf_printf(mb, "  snmptable %s NETSENTRY-MIB::nsEventTable\r\n",
	    target);
}

/*
 * Quoted-printable (RFC 2045 section 6.7) of a CRLF text: octets above
 * 126, '=' and a space or tab before a line end are encoded, and a soft
 * line break keeps every encoded line within 76 characters.
 */
static void
ns_mail_qp(struct ns_mbuf *mb, const char *text, size_t n)
{
	char	 enc[4];
	size_t	 i, col = 0, w;
	int	 c, eol;

	for (i = 0; i < n; i++) {
		c = (unsigned char)text[i];
		if (c == '\r' && i + 1 < n && text[i + 1] == '\n') {
			ns_mbuf_str(mb, "\r\n");
			col = 0;
			i++;
			continue;
		}
		eol = i + 1 == n || text[i + 1] == '\r';
		if (c > 126 || c == '=' || ((c == ' ' || c == '\t') && eol)) {
			snprintf(enc, sizeof(enc), "=%02X", c);
			w = 3;
		} else {
			enc[0] = (char)c;
			enc[1] = '\0';
			w = 1;
		}
		if (col + w > 75) {
			ns_mbuf_str(mb, "=\r\n");
			col = 0;
		}
		ns_mbuf_add(mb, enc, w);
		col += w;
	}
}

size_t
ns_mail_compose(const struct ns_mail_conf *conf, const struct ns_alert *a,
    time_t now, char *buf, size_t len)
{
	struct ns_mbuf	 body, msg;
	char		*text;
	size_t		 cap;
	int		 qp;

	if (len == 0)
		return 0;
	cap = len - 1 < NS_MAIL_MAX_SIZE ? len - 1 : NS_MAIL_MAX_SIZE;

	/* The body first: its octets decide the transfer encoding. */
	if ((text = malloc(NS_MAIL_MAX_SIZE + 1)) == NULL)
		return 0;
	body = (struct ns_mbuf){ text, 0, NS_MAIL_MAX_SIZE, 0 };
	ns_mail_body(&body, conf, a);
	body.p[body.len] = '\0';
	qp = !ns_is_ascii(body.p);

	msg = (struct ns_mbuf){ buf, 0, cap, body.full };
	ns_mail_headers(&msg, conf, a, now, qp);
	if (qp)
		ns_mail_qp(&msg, body.p, body.len);
	else
		ns_mbuf_add(&msg, body.p, body.len);
	free(text);

	if (msg.full) {
		buf[0] = '\0';
		return 0;
	}
	buf[msg.len] = '\0';
	return msg.len;
}
