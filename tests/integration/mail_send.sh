#!/bin/bash
# The e-mail output against a real SMTP server (aiosmtpd) on 127.0.0.1.
#
#   1. Plain delivery: the server receives the composed message byte for
#      byte, and Python's email module parses it with every header, the
#      Subject in one header despite the CR LF in a name, and the body.
#   2. mailStartTLS require against a server without STARTTLS: not sent.
#   3. A recipient that the server rejects: named in a warning when
#      others got the message, and the reason when none did.
#   4. STARTTLS required, the server's certificate trusted through
#      mailTLSCAFile, AUTH with the right password: delivered over TLS
#      as the user.
#   5. The wrong password: not sent, and the message names the user and
#      the 535 reply but not the password.
#   6. mailStartTLS require without mailTLSCAFile: the self-signed
#      certificate is not trusted, so nothing is sent.
#   7. A trusted certificate that names another address: not sent.
#      mailStartTLS maybe without mailTLSCAFile: sent over TLS, as
#      opportunistic TLS does not check the certificate.
#   8. A server that accepts the connection and never greets, and one
#      whose accept queue is full: each fails within mailTimeout + 2 s.
#   9. Bad directives (an invalid mailTo, a password file readable by
#      others, AUTH without 'mailStartTLS require') are reported with the
#      file and line, or by name.
#
# The certificates are made with openssl in the test's private
# directory.

. "${NS_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

ns_init mail_send
ns_require_cmd openssl
"$NS_PYTHON" -c 'import aiosmtpd' 2>/dev/null ||
    ns_skip "python3-aiosmtpd is not installed for $NS_PYTHON"

PROBE=$NS_TOP_BUILDDIR/tests/mail_probe
[ -x "$PROBE" ] ||
    ns_fail "$PROBE not found: run make check (or make tests/mail_probe)"

TIMEOUT=3

# Start smtp_sink.py with the given options; sets SINK_PORT, SINK_PID
# and SINK_DIR, where the received messages go.
sink_start() {
	local name=$1 deadline

	shift
	SINK_DIR=$NS_TMP/$name
	mkdir -p "$SINK_DIR"
	"$NS_PYTHON" "$NS_TOOLS/smtp_sink.py" --dir "$SINK_DIR" \
	    --port-file "$NS_TMP/$name.port" "$@" \
	    >"$NS_TMP/$name.log" 2>&1 &
	SINK_PID=$!
	ns_track "$SINK_PID"
	deadline=$((SECONDS + 10))
	until [ -s "$NS_TMP/$name.port" ]; do
		ns_pid_running "$SINK_PID" ||
		    ns_fail "smtp_sink.py ($name) exited:" \
		    "$(tail -n 3 "$NS_TMP/$name.log")"
		[ "$SECONDS" -lt "$deadline" ] ||
		    ns_fail "smtp_sink.py ($name) did not listen within 10 s"
		sleep 0.1
	done
	SINK_PORT=$(cat "$NS_TMP/$name.port")
	ns_info "smtp_sink.py ($name) pid $SINK_PID on 127.0.0.1:$SINK_PORT"
}

sink_stop() {
	ns_stop_pid "$SINK_PID" 5
	ns_untrack "$SINK_PID"
}

# Write a configuration file: $1 the path, then one directive per
# argument, after the server, sender and recipients.
write_conf() {
	local conf=$1 line

	shift
	{
		echo "mailServer 127.0.0.1:$SINK_PORT"
		echo "mailFrom netsentry@sensor.test"
		echo "mailTo soc@example.org"
		echo "mailTo oncall@example.org"
		echo "mailTimeout $TIMEOUT"
		for line in "$@"; do
			echo "$line"
		done
	} >"$conf"
}

# Run mail_probe; PROBE_STATUS, PROBE_OUT (stdout and stderr) and
# PROBE_SECS (wall-clock seconds) tell how it went.
run_probe() {
	local t0 t1

	t0=$(date +%s.%N)
	"$PROBE" "$@" >"$NS_TMP/probe.out" 2>&1
	PROBE_STATUS=$?
	t1=$(date +%s.%N)
	PROBE_OUT=$(cat "$NS_TMP/probe.out")
	PROBE_SECS=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
}

expect_sent() {
	if [ "$PROBE_STATUS" -eq 0 ]; then
		ns_ok "$1: sent"
	else
		ns_error "$1: mail_probe exited $PROBE_STATUS: $PROBE_OUT"
	fi
}

# expect_failure CASE TEXT: not sent, and the reason contains TEXT.
expect_failure() {
	if [ "$PROBE_STATUS" -ne 1 ]; then
		ns_error "$1: mail_probe exited $PROBE_STATUS, expected 1:" \
		    "$PROBE_OUT"
	elif [[ $PROBE_OUT != *"$2"* ]]; then
		ns_error "$1: reason '$PROBE_OUT' lacks '$2'"
	else
		ns_ok "$1: $PROBE_OUT"
	fi
}

expect_within() {
	if awk -v s="$PROBE_SECS" -v max="$2" 'BEGIN { exit !(s <= max) }'
	then
		ns_ok "$1: gave up after $PROBE_SECS s"
	else
		ns_error "$1: took $PROBE_SECS s, more than $2 s"
	fi
}

# The received message as Python's email module reads it.
check_parsed() {
	"$NS_PYTHON" - "$1" <<'EOF'
import email
import email.policy
import sys

with open(sys.argv[1], "rb") as f:
    msg = email.message_from_binary_file(f, policy=email.policy.default)
problems = []
for name in ("Date", "From", "To", "Subject", "Message-ID",
             "MIME-Version", "Content-Type", "Content-Transfer-Encoding",
             "Auto-Submitted", "X-Netsentry-Event"):
    if len(msg.get_all(name, [])) != 1:
        problems.append("%s appears %d times" % (name,
                        len(msg.get_all(name, []))))
for name in msg.keys():
    if name.lower() == "bcc":
        problems.append("a Bcc header came from a name")
want = ("[netsentry] portScan started: 192.0.2.1 (scanner.example??Bcc: "
        "victim@example.org) -> 198.51.100.10 (m\u00fcnchen.example)")
if str(msg["Subject"]) != want:
    problems.append("Subject is %r" % str(msg["Subject"]))
if msg["Message-ID"] != "<netsentry.4242.17.1@%s>" % msg["Message-ID"] \
        .split("@")[1].rstrip(">"):
    problems.append("Message-ID is %r" % msg["Message-ID"])
if msg["To"] != "soc@example.org, oncall@example.org":
    problems.append("To is %r" % msg["To"])
if msg["Auto-Submitted"] != "auto-generated":
    problems.append("Auto-Submitted is %r" % msg["Auto-Submitted"])
if msg["X-Netsentry-Event"] != "17":
    problems.append("X-Netsentry-Event is %r" % msg["X-Netsentry-Event"])
if msg.get_content_type() != "text/plain" or \
        msg.get_content_charset() != "utf-8":
    problems.append("Content-Type is %r" % msg["Content-Type"])
body = msg.get_content()
for text in ("Event:        portScan started",
             "Target:       198.51.100.10 (m\u00fcnchen.example)",
             "Event index:  17",
             "NETSENTRY-MIB::nsEventDescription.17",
             "NETSENTRY-MIB::nsEventTable"):
    if text not in body:
        problems.append("body lacks %r" % text)
for problem in problems:
    print(problem)
sys.exit(1 if problems else 0)
EOF
}

check_envelope() {
	"$NS_PYTHON" - "$1" "$2" "$3" <<'EOF'
import json
import sys

meta = json.load(open(sys.argv[1]))
want_tls = sys.argv[2] == "tls"
want_user = sys.argv[3] or None
problems = []
if meta["mail_from"] != "netsentry@sensor.test":
    problems.append("MAIL FROM was %r" % meta["mail_from"])
if sorted(meta["rcpt_tos"]) != ["oncall@example.org", "soc@example.org"]:
    problems.append("RCPT TO was %r" % meta["rcpt_tos"])
if meta["tls"] != want_tls:
    problems.append("TLS was %r" % meta["tls"])
if meta["auth_user"] != want_user:
    problems.append("AUTH user was %r" % meta["auth_user"])
print("; ".join(problems))
sys.exit(1 if problems else 0)
EOF
}

# A throwaway self-signed certificate for 127.0.0.1, an IP address
# name, which libESMTP's own name check does not read.
openssl req -x509 -newkey rsa:2048 -nodes -days 1 \
    -keyout "$NS_TMP/key.pem" -out "$NS_TMP/cert.pem" \
    -subj "/CN=netsentry mail test" \
    -addext "subjectAltName=IP:127.0.0.1" >"$NS_TMP/openssl.log" 2>&1 ||
    ns_fail "openssl could not make a certificate:" \
    "$(tail -n 3 "$NS_TMP/openssl.log")"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 \
    -keyout "$NS_TMP/other-key.pem" -out "$NS_TMP/other.pem" \
    -subj "/CN=netsentry mail test" \
    -addext "subjectAltName=IP:192.0.2.25" >"$NS_TMP/openssl.log" 2>&1 ||
    ns_fail "openssl could not make a certificate:" \
    "$(tail -n 3 "$NS_TMP/openssl.log")"
PASSWORD=correct-horse-battery
printf '%s\n' "$PASSWORD" >"$NS_TMP/password"
printf 'not-the-password\n' >"$NS_TMP/wrong"
chmod 600 "$NS_TMP/password" "$NS_TMP/wrong"

# 1. Plain delivery.
sink_start plain --reject-rcpt gone@example.org
write_conf "$NS_TMP/plain.conf" "mailStartTLS off"
run_probe "$NS_TMP/plain.conf" "$NS_TMP/composed.eml"
expect_sent "plain"
if [ -s "$SINK_DIR/msg-1.eml" ]; then
	cmp -s "$NS_TMP/composed.eml" "$SINK_DIR/msg-1.eml" &&
	    ns_ok "plain: received byte for byte as composed" ||
	    ns_error "plain: the received message differs from the composed one"
	problems=$(check_parsed "$SINK_DIR/msg-1.eml") &&
	    ns_ok "plain: the email module parses every header and the body" ||
	    ns_error "plain: $problems"
	problems=$(check_envelope "$SINK_DIR/msg-1.json" plain "") &&
	    ns_ok "plain: envelope from and both recipients" ||
	    ns_error "plain: $problems"
else
	ns_error "plain: the server stored no message"
fi

# 2. require against a server that offers no STARTTLS.
write_conf "$NS_TMP/notls.conf" "mailStartTLS require"
run_probe "$NS_TMP/notls.conf"
expect_failure "require without STARTTLS" "does not offer STARTTLS"
[ ! -e "$SINK_DIR/msg-2.eml" ] &&
    ns_ok "require without STARTTLS: nothing delivered" ||
    ns_error "require without STARTTLS: a message was delivered"

# 3. A rejected recipient: a warning while others got the message, a
#    failure when it was the only one.
write_conf "$NS_TMP/gone.conf" "mailStartTLS off" "mailTo gone@example.org"
run_probe "$NS_TMP/gone.conf"
expect_sent "one of three recipients rejected"
[[ $PROBE_OUT == *"gone@example.org: 550 5.1.1 No such mailbox"* ]] &&
    ns_ok "one of three recipients rejected: named in the warning" ||
    ns_error "one of three recipients rejected: output '$PROBE_OUT'"
{
	echo "mailServer 127.0.0.1:$SINK_PORT"
	echo "mailFrom netsentry@sensor.test"
	echo "mailTo gone@example.org"
	echo "mailStartTLS off"
} >"$NS_TMP/allgone.conf"
run_probe "$NS_TMP/allgone.conf"
expect_failure "only recipient rejected" \
    "rejected every recipient: gone@example.org: 550 5.1.1 No such mailbox"
sink_stop

# 4. STARTTLS required, CA file, AUTH.
sink_start tls --tls-cert "$NS_TMP/cert.pem" --tls-key "$NS_TMP/key.pem" \
    --require-tls --auth-user alerts \
    --auth-password-file "$NS_TMP/password"
write_conf "$NS_TMP/tls.conf" "mailStartTLS require" \
    "mailTLSCAFile $NS_TMP/cert.pem" "mailAuthUser alerts" \
    "mailAuthPasswordFile $NS_TMP/password"
run_probe "$NS_TMP/tls.conf"
expect_sent "STARTTLS and AUTH"
if [ -s "$SINK_DIR/msg-1.json" ]; then
	problems=$(check_envelope "$SINK_DIR/msg-1.json" tls alerts) &&
	    ns_ok "STARTTLS and AUTH: received over TLS as user alerts" ||
	    ns_error "STARTTLS and AUTH: $problems"
else
	ns_error "STARTTLS and AUTH: the server stored no message"
fi

# 5. The wrong password.
write_conf "$NS_TMP/wrong.conf" "mailStartTLS require" \
    "mailTLSCAFile $NS_TMP/cert.pem" "mailAuthUser alerts" \
    "mailAuthPasswordFile $NS_TMP/wrong"
run_probe "$NS_TMP/wrong.conf"
expect_failure "wrong password" \
    "SMTP server 127.0.0.1:$SINK_PORT rejected AUTH for user alerts: 535"
[[ $PROBE_OUT != *not-the-password* && $PROBE_OUT != *$PASSWORD* ]] &&
    ns_ok "wrong password: the message shows no password" ||
    ns_error "wrong password: the message shows a password"

# 6. No mailTLSCAFile: the system's trust store lacks the certificate.
write_conf "$NS_TMP/untrusted.conf" "mailStartTLS require" \
    "mailAuthUser alerts" "mailAuthPasswordFile $NS_TMP/password"
run_probe "$NS_TMP/untrusted.conf"
expect_failure "untrusted certificate" "certificate is not valid"
[ ! -e "$SINK_DIR/msg-2.eml" ] &&
    ns_ok "wrong password and untrusted certificate: nothing delivered" ||
    ns_error "a message was delivered without valid AUTH or certificate"
sink_stop

# 7. A trusted certificate for another address, and opportunistic TLS.
sink_start othername --tls-cert "$NS_TMP/other.pem" \
    --tls-key "$NS_TMP/other-key.pem"
write_conf "$NS_TMP/othername.conf" "mailStartTLS require" \
    "mailTLSCAFile $NS_TMP/other.pem"
run_probe "$NS_TMP/othername.conf"
expect_failure "certificate for another address" \
    "the server's certificate does not name 127.0.0.1"
write_conf "$NS_TMP/maybe.conf" "mailStartTLS maybe"
run_probe "$NS_TMP/maybe.conf"
expect_sent "maybe without mailTLSCAFile"
if [ -s "$SINK_DIR/msg-1.json" ]; then
	problems=$(check_envelope "$SINK_DIR/msg-1.json" tls "") &&
	    ns_ok "maybe without mailTLSCAFile: received over TLS" ||
	    ns_error "maybe without mailTLSCAFile: $problems"
else
	ns_error "maybe without mailTLSCAFile: the server stored no message"
fi
[ ! -e "$SINK_DIR/msg-2.eml" ] &&
    ns_ok "certificate for another address: nothing delivered" ||
    ns_error "certificate for another address: a message was delivered"
sink_stop

# 8. A silent server, and a connection that never completes.
sink_start silent --silent
write_conf "$NS_TMP/silent.conf" "mailStartTLS off"
run_probe "$NS_TMP/silent.conf"
expect_failure "silent server" "sent no greeting within $TIMEOUT s"
expect_within "silent server" $((TIMEOUT + 2))
sink_stop

sink_start backlog --no-accept
write_conf "$NS_TMP/backlog.conf" "mailStartTLS off"
run_probe "$NS_TMP/backlog.conf"
expect_failure "full accept queue" \
    "connect to 127.0.0.1:$SINK_PORT timed out after $TIMEOUT s"
expect_within "full accept queue" $((TIMEOUT + 2))
sink_stop

# 9. Bad directives.
write_conf "$NS_TMP/bad.conf" "mailTo soc@example.org\\r\\nBcc:x@y"
run_probe "$NS_TMP/bad.conf"
[ "$PROBE_STATUS" -eq 2 ] &&
    [[ $PROBE_OUT == *"bad.conf: line 6: Error: invalid address"* ]] &&
    ns_ok "invalid mailTo: reported with file and line" ||
    ns_error "invalid mailTo: exit $PROBE_STATUS: $PROBE_OUT"

chmod 644 "$NS_TMP/password"
write_conf "$NS_TMP/mode.conf" "mailStartTLS require" \
    "mailAuthUser alerts" "mailAuthPasswordFile $NS_TMP/password"
run_probe "$NS_TMP/mode.conf"
want="line 8: Error: mailAuthPasswordFile $NS_TMP/password is readable"
want="$want by other users; chmod 600 it"
[ "$PROBE_STATUS" -eq 2 ] && [[ $PROBE_OUT == *"$want"* ]] &&
    ns_ok "password file mode 644: reported with file and line" ||
    ns_error "password file mode 644: exit $PROBE_STATUS: $PROBE_OUT"
chmod 600 "$NS_TMP/password"

write_conf "$NS_TMP/plainauth.conf" "mailStartTLS maybe" \
    "mailAuthUser alerts" "mailAuthPasswordFile $NS_TMP/password"
run_probe "$NS_TMP/plainauth.conf"
[ "$PROBE_STATUS" -eq 2 ] &&
    [[ $PROBE_OUT == *"mailAuthUser needs 'mailStartTLS require'"* ]] &&
    ns_ok "AUTH without required TLS: rejected" ||
    ns_error "AUTH without required TLS: exit $PROBE_STATUS: $PROBE_OUT"

ns_finish
