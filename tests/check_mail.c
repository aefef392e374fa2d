/* Unit tests for the e-mail alert message and the mail settings. */
#include "config.h"

#include <sys/stat.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mail.h"

#define NOW	1700000000	/* 2023-11-14 22:13:20 UTC */

static struct ns_mail_conf	 conf;
static struct ns_alert		 alert;
static char			 msg[100 * 1024];

static void
set_v4(struct ns_addr *a, unsigned b0, unsigned b1, unsigned b2,
    unsigned b3, unsigned plen)
{
	memset(a, 0, sizeof(*a));
	a->key[0] = NS_INET_IPV4;
	a->key[1] = (uint8_t)b0;
	a->key[2] = (uint8_t)b1;
	a->key[3] = (uint8_t)b2;
	a->key[4] = (uint8_t)b3;
	a->plen = (uint8_t)plen;
}

/* A port scan from 192.0.2.1 over 198.51.100.0/24, just started. */
static void
setup(void)
{
	ck_assert_int_eq(ns_mail_conf_init(&conf), 0);
	snprintf(conf.hostname, sizeof(conf.hostname), "sensor.example");
	conf.server = strdup("127.0.0.1");
	conf.from = strdup("netsentry@sensor.example");
	conf.to[0] = strdup("soc@example.org");
	conf.to[1] = strdup("oncall@example.org");
	conf.nto = 2;

	memset(&alert, 0, sizeof(alert));
	alert.id = 42;
	alert.kind = NS_NOTE_STARTED;
	alert.severity = NS_SEV_WARNING;
	alert.raised = NOW;
	alert.ev.index = 7;
	alert.ev.type = NS_EV_PORT_SCAN;
	alert.ev.state = NS_EVS_ACTIVE;
	alert.ev.probe = NS_PK_TCP_SYN;
	alert.ev.shape = NS_SHAPE_HORIZONTAL;
	alert.ev.start_sec = NOW - 60;
	alert.ev.last_sec = NOW - 5;
	set_v4(&alert.ev.attacker, 192, 0, 2, 1, 32);
	set_v4(&alert.ev.target, 198, 51, 100, 0, 24);
	alert.ev.port = 22;
	alert.ev.ports = 1;
	alert.ev.targets = 254;
	alert.ev.sources = 1;
	alert.ev.packets = 508;
	alert.ev.peak_rate = 120;
	snprintf(alert.ev.descr, sizeof(alert.ev.descr),
	    "tcpSyn horizontal scan of 254 targets on port 22");
	snprintf(alert.attacker_name, sizeof(alert.attacker_name),
	    "scanner.example");
}

static void
teardown(void)
{
	ns_mail_conf_clear(&conf);
}

static size_t
compose(void)
{
	size_t	 n = ns_mail_compose(&conf, &alert, NOW, msg, sizeof(msg));

	ck_assert_uint_gt(n, 0);
	ck_assert_uint_eq(n, strlen(msg));
	return n;
}

/* Length of the header section, up to and including the empty line. */
static size_t
header_len(void)
{
	const char	*end = strstr(msg, "\r\n\r\n");

	ck_assert_ptr_nonnull(end);
	return (size_t)(end - msg) + 4;
}

/*
 * The header field named name, unfolded, copied to out; 0 when there is
 * none.  Fails the test when the field occurs twice.
 */
static int
header(const char *name, char *out, size_t outlen)
{
	size_t		 hlen = header_len(), n = strlen(name), o = 0;
	const char	*p, *found = NULL;

	for (p = msg; p < msg + hlen; p = strstr(p, "\r\n") + 2) {
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			ck_assert_msg(found == NULL, "%s appears twice", name);
			found = p + n + 1;
		}
	}
	if (found == NULL)
		return 0;
	while (*found == ' ')
		found++;
	for (p = found; o + 1 < outlen; p++) {
		if (p[0] == '\r' && p[1] == '\n') {
			if (p[2] != ' ' && p[2] != '\t')
				break;
			p++;
			continue;
		}
		out[o++] = *p;
	}
	out[o] = '\0';
	return 1;
}

static const char *
body(void)
{
	return msg + header_len();
}

/* Every line ends in CRLF, no CR or LF appears alone, none is too long. */
static void
check_lines(void)
{
	const char	*p, *line = msg;

	for (p = msg; *p != '\0'; p++) {
		if (*p == '\r')
			ck_assert_msg(p[1] == '\n', "bare CR at offset %td",
			    p - msg);
		if (*p == '\n') {
			ck_assert_msg(p > msg && p[-1] == '\r',
			    "bare LF at offset %td", p - msg);
			ck_assert_msg(p - 1 - line <= NS_MAIL_MAX_LINE,
			    "line at offset %td has %td octets", line - msg,
			    p - 1 - line);
			line = p + 1;
		}
	}
	ck_assert_msg(line == p, "the message does not end in CRLF");
}

/* Every header line is a known field or a continuation. */
static void
check_header_names(void)
{
	static const char *const known[] = {
		"Date:", "From:", "To:", "Subject:", "Message-ID:",
		"MIME-Version:", "Content-Type:",
		"Content-Transfer-Encoding:", "Auto-Submitted:",
		"X-Netsentry-Event:"
	};
	size_t		 hlen = header_len(), i;
	const char	*p;
	int		 ok;

	for (p = msg; p < msg + hlen - 2; p = strstr(p, "\r\n") + 2) {
		if (*p == ' ' || *p == '\t')
			continue;
		ok = 0;
		for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			if (strncmp(p, known[i], strlen(known[i])) == 0)
				ok = 1;
		ck_assert_msg(ok, "unexpected header line: %.40s", p);
	}
}

static int
b64_value(int c)
{
	const char	*tab = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	const char	*p = strchr(tab, c);

	return c != '\0' && p != NULL ? (int)(p - tab) : -1;
}

/* Decode a header value of "=?UTF-8?B?...?=" words into out. */
static void
decode_words(const char *value, char *out, size_t outlen)
{
	const char	*p = value, *end, *word;
	size_t		 o = 0;
	unsigned	 acc = 0;
	int		 bits = 0, v;

	while ((p = strstr(p, "=?UTF-8?B?")) != NULL) {
		word = p;
		p += 10;
		end = strstr(p, "?=");
		ck_assert_ptr_nonnull(end);
		ck_assert_int_le(end + 2 - word, 75);
		acc = 0;
		bits = 0;
		for (; p < end; p++) {
			if (*p == '=')
				continue;
			v = b64_value(*p);
			ck_assert_int_ge(v, 0);
			acc = (acc << 6) | (unsigned)v;
			bits += 6;
			if (bits >= 8) {
				bits -= 8;
				ck_assert_uint_lt(o + 1, outlen);
				out[o++] = (char)((acc >> bits) & 0xff);
			}
		}
		p = end + 2;
	}
	out[o] = '\0';
}

START_TEST(headers_present)
{
	static const char *const names[] = {
		"Date", "From", "To", "Subject", "Message-ID", "MIME-Version",
		"Content-Type", "Content-Transfer-Encoding", "Auto-Submitted",
		"X-Netsentry-Event"
	};
	char	 value[2048];
	size_t	 i;

	compose();
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		ck_assert_msg(header(names[i], value, sizeof(value)),
		    "no %s header", names[i]);
	header("Subject", value, sizeof(value));
	ck_assert_str_eq(value, "[netsentry] portScan started: 192.0.2.1 "
	    "(scanner.example) -> 198.51.100.0/24");
	header("To", value, sizeof(value));
	ck_assert_str_eq(value, "soc@example.org, oncall@example.org");
	header("From", value, sizeof(value));
	ck_assert_str_eq(value, "netsentry <netsentry@sensor.example>");
	header("Auto-Submitted", value, sizeof(value));
	ck_assert_str_eq(value, "auto-generated");
	header("X-Netsentry-Event", value, sizeof(value));
	ck_assert_str_eq(value, "7");
	header("Content-Type", value, sizeof(value));
	ck_assert_str_eq(value, "text/plain; charset=utf-8");
	header("Content-Transfer-Encoding", value, sizeof(value));
	ck_assert_str_eq(value, "7bit");
	header("Date", value, sizeof(value));
	ck_assert_str_eq(value, "Tue, 14 Nov 2023 22:13:20 +0000");
	check_lines();
	check_header_names();
}
END_TEST

START_TEST(body_fields)
{
	const char	*b;
	char		 host[256], line[512];

	compose();
	b = body();
	ck_assert_ptr_nonnull(strstr(b, "Event:        portScan started\r\n"));
	ck_assert_ptr_nonnull(strstr(b, "Probe:        tcpSyn\r\n"));
	ck_assert_ptr_nonnull(strstr(b, "Shape:        horizontal\r\n"));
	ck_assert_ptr_nonnull(strstr(b, "Started:      2023-11-14 22:12:20 "
	    "UTC (2023-11-14 22:12:20 +0000 local)\r\n"));
	ck_assert_ptr_nonnull(strstr(b, "Attacker:     192.0.2.1 "
	    "(scanner.example)\r\n"));
	ck_assert_ptr_nonnull(strstr(b, "Target:       198.51.100.0/24\r\n"));
	ck_assert_ptr_nonnull(strstr(b, "Port:         22\r\n"));
	ck_assert_ptr_nonnull(strstr(b, "Targets:      254\r\n"));
	ck_assert_ptr_nonnull(strstr(b, "Packets:      508\r\n"));
	ck_assert_ptr_nonnull(strstr(b, "Peak rate:    120 packets/s\r\n"));
	ck_assert_ptr_nonnull(strstr(b, "Description:  tcpSyn horizontal "
	    "scan of 254 targets on port 22\r\n"));
	ck_assert_ptr_nonnull(strstr(b, "Event index:  7\r\n"));

	/* The default mailSnmpTarget names this machine. */
	ck_assert_int_eq(gethostname(host, sizeof(host)), 0);
	snprintf(line, sizeof(line), "  snmpget -v2c -c public %s "
	    "NETSENTRY-MIB::nsEventDescription.7\r\n", host);
	ck_assert_ptr_nonnull(strstr(b, line));
	snprintf(line, sizeof(line), "  snmptable -v2c -c public %s "
	    "NETSENTRY-MIB::nsEventTable\r\n", host);
	ck_assert_ptr_nonnull(strstr(b, line));
}
END_TEST

START_TEST(subject_injection_stays_one_header)
{
	char	 value[2048];

	snprintf(alert.attacker_name, sizeof(alert.attacker_name),
	    "evil.example\r\nBcc: x@y");
	snprintf(alert.target_name, sizeof(alert.target_name),
	    "a\nSubject: spoofed\rTo: z@y\t");
	compose();
	check_lines();
	check_header_names();
	ck_assert(header("Subject", value, sizeof(value)));
	ck_assert_str_eq(value, "[netsentry] portScan started: 192.0.2.1 "
	    "(evil.example??Bcc: x@y) -> 198.51.100.0/24 "
	    "(a?Subject: spoofed?To: z@y?)");
	ck_assert(!header("Bcc", value, sizeof(value)));
}
END_TEST

START_TEST(body_injection_stays_one_line)
{
	const char	*b;

	snprintf(alert.ev.descr, sizeof(alert.ev.descr),
	    "scan\r\n.\r\nMAIL FROM:<x@y>\n\x1b[2J\x7f");
	compose();
	check_lines();
	b = body();
	ck_assert_ptr_null(strstr(b, "\r\n.\r\n"));
	ck_assert_ptr_null(strstr(b, "\r\nMAIL FROM"));
	ck_assert_ptr_nonnull(strstr(b, "Description:  scan??.??MAIL "
	    "FROM:<x@y>??[2J?\r\n"));
}
END_TEST

START_TEST(non_ascii_subject_encoded)
{
	char		 value[2048], decoded[2048];
	size_t		 hlen, i;

	snprintf(alert.target_name, sizeof(alert.target_name),
	    "b\xc3\xbc" "cher.example");
	compose();
	check_lines();
	hlen = header_len();
	for (i = 0; i < hlen; i++)
		ck_assert_msg((unsigned char)msg[i] < 0x80,
		    "non-ASCII octet in the header at offset %zu", i);
	header("Subject", value, sizeof(value));
	ck_assert_ptr_nonnull(strstr(value, "=?UTF-8?B?"));
	decode_words(value, decoded, sizeof(decoded));
	ck_assert_str_eq(decoded, "[netsentry] portScan started: 192.0.2.1 "
	    "(scanner.example) -> 198.51.100.0/24 (b\xc3\xbc" "cher.example)");
}
END_TEST

START_TEST(non_ascii_body_quoted_printable)
{
	char		 value[256];
	const char	*b, *p, *line;

	snprintf(alert.attacker_name, sizeof(alert.attacker_name),
	    "\xe2\x82\xac" "uro.example \xff\xfe bad");
	compose();
	check_lines();
	header("Content-Transfer-Encoding", value, sizeof(value));
	ck_assert_str_eq(value, "quoted-printable");
	b = body();
	ck_assert_ptr_nonnull(strstr(b, "=E2=82=ACuro.example ?? bad"));
	for (line = p = b; *p != '\0'; p++) {
		ck_assert_msg((unsigned char)*p < 0x80, "8-bit octet in body");
		if (*p == '\n') {
			ck_assert_int_le(p - 1 - line, 76);
			line = p + 1;
		}
	}
}
END_TEST

START_TEST(message_id_stable_per_alert)
{
	char	 first[256], again[256], date1[64], date2[64], other[256];

	compose();
	header("Message-ID", first, sizeof(first));
	header("Date", date1, sizeof(date1));
	ck_assert_str_eq(first, "<netsentry.42.7.1@sensor.example>");

	ck_assert_uint_gt(ns_mail_compose(&conf, &alert, NOW + 86400, msg,
	    sizeof(msg)), 0);
	header("Message-ID", again, sizeof(again));
	header("Date", date2, sizeof(date2));
	ck_assert_str_eq(first, again);
	ck_assert_str_ne(date1, date2);

	alert.id = 43;
	compose();
	header("Message-ID", other, sizeof(other));
	ck_assert_str_ne(first, other);

	alert.id = 42;
	alert.kind = NS_NOTE_ENDED;
	compose();
	header("Message-ID", other, sizeof(other));
	ck_assert_str_ne(first, other);
}
END_TEST

START_TEST(digest_body)
{
	char		 value[512];
	const char	*b;

	memset(&alert.ev, 0, sizeof(alert.ev));
	alert.kind = NS_ALERT_DIGEST;
	alert.suppressed = 12;
	alert.suppressed_by_type[NS_EV_PORT_SCAN] = 5;
	alert.suppressed_by_type[NS_EV_SYN_FLOOD] = 7;
	alert.suppressed_since = NOW - 3600;
	compose();
	check_lines();
	header("Subject", value, sizeof(value));
	ck_assert_str_eq(value, "[netsentry] 12 alerts held back since "
	    "2023-11-14 21:13:20 UTC");
	b = body();
	ck_assert_ptr_nonnull(strstr(b, "held back 12 alerts\r\nsince "
	    "2023-11-14 21:13:20 UTC"));
	ck_assert_ptr_nonnull(strstr(b, "  portScan       5\r\n"));
	ck_assert_ptr_nonnull(strstr(b, "  synFlood       7\r\n"));
	ck_assert_ptr_null(strstr(b, "  smurf"));
	ck_assert_ptr_null(strstr(b, "nsEventDescr"));
	ck_assert_ptr_nonnull(strstr(b, "NETSENTRY-MIB::nsEventTable"));
}
END_TEST

/* Fields filled to the last octet, without a NUL, as a bug could leave. */
START_TEST(unterminated_fields_bounded)
{
	char	 value[4096];

	memset(alert.ev.descr, 'D', sizeof(alert.ev.descr));
	memset(alert.attacker_name, 'a', sizeof(alert.attacker_name));
	memset(alert.target_name, 't', sizeof(alert.target_name));
	compose();
	check_lines();
	check_header_names();
	header("Subject", value, sizeof(value));
	ck_assert_uint_le(strlen(value), 1000);
	ck_assert_ptr_nonnull(strstr(body(), "Description:  DDDD"));
}
END_TEST

START_TEST(huge_settings_capped)
{
	char	*big = malloc(100 * 1024 + 1);
	size_t	 n;

	ck_assert_ptr_nonnull(big);
	memset(big, 'P', 100 * 1024);
	big[100 * 1024] = '\0';
	free(conf.subject_prefix);
	conf.subject_prefix = big;
	free(conf.snmp_target);
	conf.snmp_target = strdup(big);
	n = compose();
	ck_assert_uint_le(n, NS_MAIL_MAX_SIZE);
	check_lines();
	check_header_names();
}
END_TEST

START_TEST(small_buffer_returns_zero)
{
	char	 small[300];

	memset(small, 'x', sizeof(small));
	ck_assert_uint_eq(ns_mail_compose(&conf, &alert, NOW, small,
	    sizeof(small)), 0);
	ck_assert_int_eq(small[0], '\0');
	ck_assert_uint_eq(ns_mail_compose(&conf, &alert, NOW, small, 0), 0);
}
END_TEST

START_TEST(long_name_folded_under_998)
{
	char	 value[4096];

	memset(alert.attacker_name, 'n', 253);
	alert.attacker_name[253] = '\0';
	free(conf.subject_prefix);
	conf.subject_prefix = malloc(NS_MAIL_MAX_TEXT + 1);
	memset(conf.subject_prefix, 'p', NS_MAIL_MAX_TEXT);
	conf.subject_prefix[NS_MAIL_MAX_TEXT] = '\0';
	compose();
	check_lines();
	header("Subject", value, sizeof(value));
	ck_assert_ptr_nonnull(strstr(value, "192.0.2.1 (nnnn"));
}
END_TEST

START_TEST(address_validation)
{
	static const struct {
		const char	*address;
		int		 valid;
	} cases[] = {
		{ "soc@example.org", 1 },
		{ "first.last+tag@mail.example.org", 1 },
		{ "", 0 },
		{ "soc", 0 },
		{ "@example.org", 0 },
		{ "soc@", 0 },
		{ "a@b@c", 0 },
		{ "soc @example.org", 0 },
		{ "soc@example.org\r\nBcc: x@y", 0 },
		{ "soc@example.org\n", 0 },
		{ "<soc@example.org>", 0 },
		{ "soc@example.org,x@y", 0 },
		{ "s\xc3\xb6" "c@example.org", 0 },
	};
	size_t	 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(ns_mail_address_valid(cases[i].address) ==
		    cases[i].valid, "'%s' should be %s", cases[i].address,
		    cases[i].valid ? "valid" : "invalid");
}
END_TEST

/* Write text to a new file of the given mode; returns its path. */
static char *
password_file(const char *text, mode_t mode)
{
	static char	 path[64];
	int		 fd;

	snprintf(path, sizeof(path), "/tmp/check_mail.XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (int)strlen(text));
	close(fd);
	ck_assert_int_eq(chmod(path, mode), 0);
	return path;
}

START_TEST(password_read_and_trimmed)
{
	char	 pw[64], err[256];
	char	*path = password_file("s3cret pass\n", 0600);

	ck_assert_int_eq(ns_mail_read_password(path, pw, sizeof(pw), err,
	    sizeof(err)), 0);
	ck_assert_str_eq(pw, "s3cret pass");
	unlink(path);

	path = password_file("no-newline", 0640);
	ck_assert_int_eq(ns_mail_read_password(path, pw, sizeof(pw), err,
	    sizeof(err)), 0);
	ck_assert_str_eq(pw, "no-newline");
	unlink(path);
}
END_TEST

START_TEST(password_readable_by_others_rejected)
{
	char	 pw[64], err[256], want[256];
	char	*path = password_file("secret\n", 0644);

	ck_assert_int_eq(ns_mail_read_password(path, pw, sizeof(pw), err,
	    sizeof(err)), -1);
	snprintf(want, sizeof(want), "mailAuthPasswordFile %s is readable by "
	    "other users; chmod 600 it", path);
	ck_assert_str_eq(err, want);
	ck_assert_ptr_null(strstr(err, "secret"));
	unlink(path);

	path = password_file("secret\n", 0620);
	ck_assert_int_eq(ns_mail_read_password(path, pw, sizeof(pw), err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "writable by its group"));
	unlink(path);
}
END_TEST

START_TEST(password_bad_content_rejected)
{
	char	 pw[16], err[256];
	char	*path = password_file("", 0600);

	ck_assert_int_eq(ns_mail_read_password(path, pw, sizeof(pw), err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "is empty"));
	unlink(path);

	path = password_file("one\ntwo\n", 0600);
	ck_assert_int_eq(ns_mail_read_password(path, pw, sizeof(pw), err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "more than one line"));
	unlink(path);

	path = password_file("0123456789abcdefghij", 0600);
	ck_assert_int_eq(ns_mail_read_password(path, pw, sizeof(pw), err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "is longer than"));
	unlink(path);

	ck_assert_int_eq(ns_mail_read_password("/nonexistent/pw", pw,
	    sizeof(pw), err, sizeof(err)), -1);
	ck_assert_str_eq(err, "mailAuthPasswordFile /nonexistent/pw: No such "
	    "file or directory");
}
END_TEST

static Suite *
mail_suite(void)
{
	Suite	*s = suite_create("mail");
	TCase	*tc = tcase_create("compose");
	TCase	*settings = tcase_create("settings");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, headers_present);
	tcase_add_test(tc, body_fields);
	tcase_add_test(tc, subject_injection_stays_one_header);
	tcase_add_test(tc, body_injection_stays_one_line);
	tcase_add_test(tc, non_ascii_subject_encoded);
	tcase_add_test(tc, non_ascii_body_quoted_printable);
	tcase_add_test(tc, message_id_stable_per_alert);
	tcase_add_test(tc, digest_body);
	tcase_add_test(tc, unterminated_fields_bounded);
	tcase_add_test(tc, huge_settings_capped);
	tcase_add_test(tc, small_buffer_returns_zero);
	tcase_add_test(tc, long_name_folded_under_998);
	suite_add_tcase(s, tc);
	tcase_add_test(settings, address_validation);
	tcase_add_test(settings, password_read_and_trimmed);
	tcase_add_test(settings, password_readable_by_others_rejected);
	tcase_add_test(settings, password_bad_content_rejected);
	suite_add_tcase(s, settings);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(mail_suite());
	int	 failed;

	/* Local times in the body must not depend on the machine. */
	setenv("TZ", "UTC", 1);
	tzset();
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
