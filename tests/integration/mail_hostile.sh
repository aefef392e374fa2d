#!/bin/bash
# The e-mail output against SMTP servers that misbehave on purpose
# (tests/tools/smtp_hostile.py on 127.0.0.1), through mail_probe:
#
#   1. A 4xx or 5xx reply at MAIL, DATA or the end of the message: not
#      sent, and the reason quotes the reply.
#   2. A greeting line that never ends: not sent, at once.  A 4xx or
#      5xx greeting or reply to EHLO: not sent, with that reply.
#   3. The only recipient rejected with 450 or 550 by a server that then
#      takes an empty message: not sent, and the reason names the
#      recipient.
#   4. A connection closed in the middle of the message, and a server
#      silent after it: not sent, the silent one within mailTimeout + 2 s.
#   5. A greeting that trickles in one byte a second, which resets every
#      read timeout: not sent, within 4 times mailTimeout + 2 s.
#
# Each case checks that mail_probe exits 1 (not sent), so the daemon
# keeps the alert in its spool for a later attempt.

. "${NS_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

ns_init mail_hostile

PROBE=$NS_TOP_BUILDDIR/tests/mail_probe
[ -x "$PROBE" ] ||
    ns_fail "$PROBE not found: run make check (or make tests/mail_probe)"

TIMEOUT=3

# Start smtp_hostile.py in mode $1 and set SERVER_PORT and SERVER_PID.
server_start() {
	local mode=$1 deadline

	rm -f "$NS_TMP/port"
	"$NS_PYTHON" "$NS_TOOLS/smtp_hostile.py" --mode "$mode" \
	    --port-file "$NS_TMP/port" --log "$NS_TMP/accepted.log" \
	    >"$NS_TMP/server.log" 2>&1 &
	SERVER_PID=$!
	ns_track "$SERVER_PID"
	deadline=$((SECONDS + 10))
	until [ -s "$NS_TMP/port" ]; do
		ns_pid_running "$SERVER_PID" ||
		    ns_fail "smtp_hostile.py --mode $mode exited:" \
		    "$(tail -n 3 "$NS_TMP/server.log")"
		[ "$SECONDS" -lt "$deadline" ] ||
		    ns_fail "smtp_hostile.py did not listen within 10 s"
		sleep 0.1
	done
	SERVER_PORT=$(cat "$NS_TMP/port")
}

server_stop() {
	ns_stop_pid "$SERVER_PID" 5
	ns_untrack "$SERVER_PID"
}

# Run mail_probe against a server in mode $1 and set PROBE_STATUS,
# PROBE_OUT and PROBE_SECS.
probe_mode() {
	local t0 t1

	server_start "$1"
	{
		echo "mailServer 127.0.0.1:$SERVER_PORT"
		echo "mailFrom netsentry@sensor.test"
		echo "mailTo soc@example.org"
		echo "mailTimeout $TIMEOUT"
		echo "mailStartTLS off"
	} >"$NS_TMP/probe.conf"
	t0=$(date +%s.%N)
	timeout 60 "$PROBE" "$NS_TMP/probe.conf" >"$NS_TMP/probe.out" 2>&1
	PROBE_STATUS=$?
	t1=$(date +%s.%N)
	PROBE_OUT=$(cat "$NS_TMP/probe.out")
	PROBE_SECS=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
	server_stop
}

# expect_failure MODE TEXT: not sent, and the reason contains TEXT.
expect_failure() {
	probe_mode "$1"
	if [ "$PROBE_STATUS" -ne 1 ]; then
		ns_error "$1: mail_probe exited $PROBE_STATUS, expected 1:" \
		    "$PROBE_OUT"
	elif [[ $PROBE_OUT != *"$2"* ]]; then
		ns_error "$1: reason '$PROBE_OUT' lacks '$2'"
	else
		ns_ok "$1: $PROBE_OUT (${PROBE_SECS} s)"
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

ns_info "0. a server that behaves"
probe_mode ok
[ "$PROBE_STATUS" -eq 0 ] && ns_ok "ok: sent" ||
    ns_error "ok: mail_probe exited $PROBE_STATUS: $PROBE_OUT"

ns_info "1. rejections"
expect_failure mail=451 "rejected MAIL FROM:<netsentry@sensor.test>: 451"
expect_failure mail=550 "rejected MAIL FROM:<netsentry@sensor.test>: 550"
expect_failure data=554 "rejected the message: 554"
expect_failure eod=452 "rejected the message: 452"
expect_failure eod=554 "rejected the message: 554"

ns_info "2. an endless greeting line"
expect_failure endless-greet "127.0.0.1:"
expect_within endless-greet 2
expect_failure greet=421 "greeted with 421 4.7.1"
expect_failure greet=554 "greeted with 554 5.7.1"
expect_failure ehlo=421 "rejected EHLO: 421 4.7.1"
expect_failure ehlo=554 "rejected EHLO: 554 5.7.1"

ns_info "3. every recipient rejected, then an empty message taken"
expect_failure rcpt=450 "rejected every recipient: soc@example.org: 450"
expect_failure rcpt=550 "rejected every recipient: soc@example.org: 550"

ns_info "4. a connection that breaks or falls silent in the message"
expect_failure close-mid-data \
    "closed the connection before its reply to the message"
expect_failure silent-eod \
    "sent no reply to the end of the message within $TIMEOUT s"
expect_within silent-eod $((TIMEOUT + 2))

ns_info "5. a greeting that trickles in one byte a second"
expect_failure trickle-greet \
    "timed out after $((TIMEOUT * 4)) s (4 times mailTimeout)"
expect_within trickle-greet $((TIMEOUT * 4 + 2))

ns_finish
