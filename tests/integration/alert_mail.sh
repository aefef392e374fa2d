#!/bin/bash
# Alerts by mail, syslog and action, with a real SMTP server (aiosmtpd,
# tests/tools/smtp_sink.py) on loopback and a real snmpd:
#
#   1. delivery: a scan gives one mail as it starts and one as it ends,
#      to both recipients, with the right headers and body; two key=value
#      log lines; two action runs with the event in the environment;
#      nsMailSent 2, nsSpoolLength 0, nsActionsRun 2.
#   2. outage: three scans while no server listens: six alerts wait in
#      the spool (nsSpoolLength 6, nsMailFailed > 0).  kill -9, a
#      restart, SIGTERM with the spool still full, another start, and
#      only then the server comes up: exactly six mails arrive, none
#      twice.  A foreign record and an alert copied under another key,
#      added while the daemon is down, are deleted at the next start.
#   3. AUTH over STARTTLS with a wrong password: a clear log line and the
#      alert stays spooled; SIGHUP after the password file is fixed
#      sends it.
#   4. injection: DNS answers give the scanner and its target names with
#      CR, LF, a Bcc line, UTF-8, shell syntax and long labels: the
#      mails stay well-formed, the log lines stay one per alert, and
#      nsIpHostName stays printable.
#   5. storm: 2000 scans at once with mailRateLimit 5 give five mails and
#      a digest that accounts for every other alert.  The syslog output
#      stops at its limit and writes a digest line too.
#   6. a full spool: the storm again with no server and mailSpoolSize
#      10.  The spool keeps the 10 newest critical alerts (SYN floods),
#      counts the others in nsMailDropped and logs each drop.  When the
#      server comes up, exactly those 10 arrive.
#   7. mailGiveUpAfter 10 with no server: the alerts are given up,
#      logged and counted in nsMailDropped.  Then spool.db is replaced by
#      garbage: the next start moves it aside with a log line and runs.
#   8. a server that accepts connections and never answers, with
#      mailTimeout 30: SIGTERM still stops the daemon within 15 s, and
#      both alerts wait in the spool for the next start.
#   9. a full disk: stateDir on a tmpfs of 160 KiB and a storm with no
#      rate limit.  The alerts that fit are all delivered, the rest are
#      counted in nsMailDropped, the daemon keeps running, and the
#      errors of the file take one log line a minute, not one per alert.

. "${NS_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

ns_init alert_mail
ns_require_daemon
ns_require_cmd openssl
"$NS_PYTHON" -c 'import aiosmtpd' 2>/dev/null ||
    ns_skip "python3-aiosmtpd is not installed"

ALERTS=.$NS_OID_NETSENTRY.1.6
SCAN=$NS_DATA/scans/vertical_syn_scan_10ports.pcap
QUIET=$NS_DATA/benign/smtp_mail.pcap

# Start smtp_sink.py on port $1, storing mail in directory $2; more
# options follow.
sink_start() {
	local port=$1 dir=$2

	shift 2
	mkdir -p "$dir"
	rm -f "$NS_TMP/sink.pid"
	"$NS_PYTHON" "$NS_TOOLS/smtp_sink.py" --port "$port" --dir "$dir" \
	    --pid-file "$NS_TMP/sink.pid" "$@" \
	    >>"$NS_TMP/sink.log" 2>&1 &
	SINK_PID=$!
	ns_track "$SINK_PID"
	for _ in $(seq 1 100); do
		[ -s "$NS_TMP/sink.pid" ] && return 0
		sleep 0.1
	done
	ns_fail "smtp_sink.py did not start: $(tail -n 3 "$NS_TMP/sink.log")"
}

sink_stop() {
	ns_stop_pid "$SINK_PID" 5
	ns_untrack "$SINK_PID"
}

mail_count() {
	find "$1" -name '*.eml' 2>/dev/null | wc -l
}

# Wait until directory $1 contains $2 mails, at most $3 seconds.
wait_mails() {
	for _ in $(seq 1 $(($3 * 10))); do
		[ "$(mail_count "$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

# Wait until object $1 has the value $2, at most $3 seconds.
wait_value() {
	for _ in $(seq 1 $(($3 * 5))); do
		[ "$(ns_get_value "$1")" = "$2" ] && return 0
		sleep 0.2
	done
	return 1
}

# Check the mails in $1 with mail_check.py; sets MAIL_SUMMARY.
check_mails() {
	local out

	out=$("$NS_PYTHON" "$NS_TOOLS/mail_check.py" "$1" 2>"$NS_TMP/check.err")
	if [ $? -eq 0 ]; then
		ns_ok "the mails in $(basename "$1") are well-formed"
	else
		ns_error "malformed mails: $(head -n 5 "$NS_TMP/check.err")"
	fi
	MAIL_SUMMARY=$(echo "$out" | head -n 1)
	MAIL_SUBJECTS=$(echo "$out" | tail -n 1)
	ns_info "mails: $MAIL_SUMMARY"
}

summary_field() {
	echo "$MAIL_SUMMARY" | tr ' ' '\n' | sed -n "s/^$1=//p"
}

expect_field() {
	local got

	got=$(summary_field "$1")
	[ "$got" = "$2" ] && ns_ok "$3: $got" ||
	    ns_error "$3: $got, expected $2"
}

# Start the daemon with log $1 and the configuration lines after the
# data source $2.
start() {
	local log=$1 source=$2

	shift 2
	NS_DAEMON_CONF=$NS_TMP/netsentryd-$log.conf
	ns_daemon_write_conf "$NS_DAEMON_CONF" "stateDir $STATE" \
	    "mailFrom netsentry@example.org" "mailTo noc@example.org" \
	    "mailTo soc@example.net" "mailTimeout 5" "mailRetryMax 30" "$@"
	NS_DAEMON_LOG=$NS_TMP/netsentryd-$log.log
	ns_daemon_start -r "$source"
	ns_wait_registered 20
}

stop() {
	ns_stop_pid "$NS_DAEMON_PID" 20
	ns_untrack "$NS_DAEMON_PID"
}

# Alert lines in log $1, digests not counted.
alert_lines() {
	grep "^netsentry alert=" "$1" 2>/dev/null | grep -vc "alert=digest"
}

ns_snmpd_start

# An action that records its environment, one file per run.
ACTION_DIR=$NS_TMP/actions
mkdir -p "$ACTION_DIR"
cat >"$NS_TMP/record-action" <<EOF
#!/bin/sh
env >"$ACTION_DIR/run-\$\$"
EOF
chmod 755 "$NS_TMP/record-action"

ns_info "1. delivery"
STATE=$NS_TMP/state1
mkdir -p "$STATE"
PORT=$(ns_free_tcp_port)
sink_start "$PORT" "$NS_TMP/mail1"
start 1 "$SCAN" "mailServer 127.0.0.1:$PORT" \
    "alertAction $NS_TMP/record-action"
ns_wait_eof 1
wait_mails "$NS_TMP/mail1" 2 20 && ns_ok "two mails arrived" ||
    ns_error "$(mail_count "$NS_TMP/mail1") mail(s) arrived, expected 2"
sleep 1
check_mails "$NS_TMP/mail1"
expect_field messages 2 "mails for one scan"
expect_field started 1 "mails about its start"
expect_field ended 1 "mails about its end"
case $MAIL_SUBJECTS in
*"[netsentry] portScan started: 192.168.2.154 -> 192.168.2.22"*)
	ns_ok "subject: ${MAIL_SUBJECTS%%|*}" ;;
*)	ns_error "unexpected subjects: $MAIL_SUBJECTS" ;;
esac
first=$(ls "$NS_TMP/mail1"/*.eml | head -n 1)
for text in "^Attacker: +192\.168\.2\.154" "^Event index: +1" \
    "^Started: +2017-10-25 21:56:41 UTC" "snmptable .*::nsEventTable" \
    "snmpget .*::nsEventDescription\.1"; do
	grep -qE "$text" "$first" && ns_ok "the body matches '$text'" ||
	    ns_error "the body does not match '$text'"
done
grep -q '"rcpt_tos": \["noc@example.org", "soc@example.net"\]' \
    "${first%.eml}.json" && ns_ok "both recipients in the envelope" ||
    ns_error "envelope: $(cat "${first%.eml}.json")"
[ "$(alert_lines "$NS_DAEMON_LOG")" = 2 ] &&
    ns_ok "two alert lines in the log" ||
    ns_error "$(alert_lines "$NS_DAEMON_LOG") alert lines in the log"
grep -q "^netsentry alert=started event=1 type=portScan severity=warning attacker=192.168.2.154 " \
    "$NS_DAEMON_LOG" && ns_ok "the started line has its fields" ||
    ns_error "no started line: $(grep -m1 alert= "$NS_DAEMON_LOG")"
ns_expect_value "$ALERTS.3.0" 2 "nsMailSent"
ns_expect_value "$ALERTS.1.0" 0 "nsSpoolLength"
ns_expect_value "$ALERTS.6.0" 2 "nsAlertsRouted"
wait_value "$ALERTS.9.0" 2 10
ns_expect_value "$ALERTS.9.0" 2 "nsActionsRun"
ns_expect_value "$ALERTS.10.0" 0 "nsActionsFailed"
runs=$(ls "$ACTION_DIR" | wc -l)
[ "$runs" = 2 ] && ns_ok "the action ran twice" ||
    ns_error "the action ran $runs time(s)"
grep -l "^NETSENTRY_ALERT=started$" "$ACTION_DIR"/* >/dev/null &&
    grep -q "^NETSENTRY_ATTACKER=192.168.2.154$" "$ACTION_DIR"/* &&
    ns_ok "the action saw NETSENTRY_ALERT and NETSENTRY_ATTACKER" ||
    ns_error "the action environment lacks the alert: $(cat "$ACTION_DIR"/* | grep NETSENTRY | head -n 4)"
stop
sink_stop

ns_info "2. outage, kill -9 and SIGTERM with a full spool"
STATE=$NS_TMP/state2
mkdir -p "$STATE"
PORT=$(ns_free_tcp_port)
"$NS_PYTHON" "$NS_TOOLS/make_storm.py" "$NS_TMP/three.pcap" 3 ||
    ns_fail "make_storm.py failed"
start 2a "$NS_TMP/three.pcap" "mailServer 127.0.0.1:$PORT"
ns_wait_eof 1
wait_value "$ALERTS.1.0" 6 20 && ns_ok "nsSpoolLength reached 6" ||
    ns_error "nsSpoolLength is $(ns_get_value "$ALERTS.1.0"), expected 6"
failed=$(ns_get_value "$ALERTS.4.0")
[ "${failed:-0}" -ge 1 ] && ns_ok "nsMailFailed is $failed" ||
    ns_error "nsMailFailed is '$failed', expected at least 1"
kill -9 "$NS_DAEMON_PID"
wait "$NS_DAEMON_PID" 2>/dev/null
ns_untrack "$NS_DAEMON_PID"
ns_info "killed netsentryd with SIGKILL"

# Damage the spool as a careless edit would: a foreign record, and an
# alert copied under a key that is not its id.
"$NS_PYTHON" - "$STATE/spool.db" <<'PYEOF' || ns_fail "cannot edit spool.db"
import dbm.gnu
import struct
import sys

db = dbm.gnu.open(sys.argv[1], "w")
alert = next(k for k in db.keys() if len(k) == 8)
db[b"junk"] = b"x"
db[struct.pack("=Q", 999)] = db[alert]
db.close()
PYEOF
start 2b "$QUIET" "mailServer 127.0.0.1:$PORT"
ns_wait_eof 1
grep -q "6 alert(s) of earlier runs wait for delivery" "$NS_DAEMON_LOG" &&
    ns_ok "the restarted daemon found the 6 spooled alerts" ||
    ns_error "no resume line in $(basename "$NS_DAEMON_LOG")"
grep -q "deleted 2 damaged record(s)" "$NS_DAEMON_LOG" &&
    ns_ok "the two damaged records were deleted" ||
    ns_error "no 'deleted 2 damaged record(s)' line"
ns_expect_value "$ALERTS.1.0" 6 "nsSpoolLength after kill -9"
sleep 1.5
age=$(ns_get_value "$ALERTS.2.0")
[ "${age:-0}" -ge 1 ] && ns_ok "nsSpoolOldestAge is $age s" ||
    ns_error "nsSpoolOldestAge is '$age'"
stop
grep -q "6 alert(s) wait for the next start" "$NS_DAEMON_LOG" &&
    ns_ok "SIGTERM left the 6 alerts in the spool, and said so" ||
    ns_error "no 'wait for the next start' line after SIGTERM"

start 2c "$QUIET" "mailServer 127.0.0.1:$PORT"
sleep 2
sink_start "$PORT" "$NS_TMP/mail2"
wait_mails "$NS_TMP/mail2" 6 40 && ns_ok "the six mails arrived" ||
    ns_error "$(mail_count "$NS_TMP/mail2") mail(s) arrived, expected 6"
sleep 2
check_mails "$NS_TMP/mail2"
expect_field messages 6 "mails after the outage"
expect_field events 3 "distinct events"
expect_field started 3 "started mails"
expect_field ended 3 "ended mails"
wait_value "$ALERTS.1.0" 0 10
ns_expect_value "$ALERTS.1.0" 0 "nsSpoolLength after delivery"
stop
sink_stop

ns_info "3. AUTH over STARTTLS with a wrong password, then SIGHUP"
STATE=$NS_TMP/state3
mkdir -p "$STATE"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
    -addext "subjectAltName=IP:127.0.0.1" -keyout "$NS_TMP/key.pem" \
    -out "$NS_TMP/cert.pem" 2>/dev/null || ns_fail "openssl req failed"
printf 'right-secret\n' >"$NS_TMP/sink-password"
printf 'wrong-secret\n' >"$NS_TMP/password"
chmod 600 "$NS_TMP/password"
PORT=$(ns_free_tcp_port)
sink_start "$PORT" "$NS_TMP/mail3" --tls-cert "$NS_TMP/cert.pem" \
    --tls-key "$NS_TMP/key.pem" --require-tls --auth-user alerts \
    --auth-password-file "$NS_TMP/sink-password"
start 3 "$SCAN" "mailServer 127.0.0.1:$PORT" "mailStartTLS require" \
    "mailTLSCAFile $NS_TMP/cert.pem" "mailAuthUser alerts" \
    "mailAuthPasswordFile $NS_TMP/password"
ns_wait_eof 1
wait_value "$ALERTS.1.0" 2 20
ns_expect_value "$ALERTS.1.0" 2 "nsSpoolLength with a wrong password"
grep -m1 "not sent" "$NS_DAEMON_LOG" | grep -qi "auth" &&
    ns_ok "log: $(grep -m1 'not sent' "$NS_DAEMON_LOG")" ||
    ns_error "no AUTH failure line: $(grep -m1 'not sent' "$NS_DAEMON_LOG")"
grep -q "right-secret\|wrong-secret" "$NS_DAEMON_LOG" &&
    ns_error "the log contains a password" ||
    ns_ok "the log contains no password"
[ "$(mail_count "$NS_TMP/mail3")" = 0 ] && ns_ok "no mail arrived" ||
    ns_error "mail arrived despite the wrong password"
printf 'right-secret\n' >"$NS_TMP/password"
kill -HUP "$NS_DAEMON_PID"
wait_mails "$NS_TMP/mail3" 2 5 &&
    ns_ok "within 5 s of SIGHUP with the right password both mails arrived" ||
    ns_error "$(mail_count "$NS_TMP/mail3") mail(s) after SIGHUP"
sleep 1
grep -q '"tls": true' "$NS_TMP/mail3"/msg-1.json &&
    grep -q '"auth_user": "alerts"' "$NS_TMP/mail3"/msg-1.json &&
    ns_ok "the session used TLS and AUTH" ||
    ns_error "envelope: $(cat "$NS_TMP/mail3"/msg-1.json)"
stop
sink_stop

ns_info "4. hostile names from DNS answers"
STATE=$NS_TMP/state4
mkdir -p "$STATE"
"$NS_PYTHON" "$NS_TOOLS/make_hostile_alert.py" "$NS_TMP/hostile.pcap" ||
    ns_fail "make_hostile_alert.py failed"
PORT=$(ns_free_tcp_port)
sink_start "$PORT" "$NS_TMP/mail4"
start 4 "$NS_TMP/hostile.pcap" "mailServer 127.0.0.1:$PORT"
ns_wait_eof 1
wait_mails "$NS_TMP/mail4" 2 20 && ns_ok "two mails arrived" ||
    ns_error "$(mail_count "$NS_TMP/mail4") mail(s), expected 2"
sleep 1
check_mails "$NS_TMP/mail4"
expect_field messages 2 "mails about the hostile scan"
grep -q "evil" "$NS_TMP/mail4"/msg-1.eml &&
    ns_ok "the learned name is in the mail" ||
    ns_error "the learned name is missing from the mail"
[ "$(alert_lines "$NS_DAEMON_LOG")" = 2 ] &&
    ns_ok "two alert lines in the log, one per alert" ||
    ns_error "$(alert_lines "$NS_DAEMON_LOG") alert lines, expected 2"
bad=$(grep -c "^Bcc\|^X-Injected" "$NS_DAEMON_LOG")
[ "$bad" = 0 ] && ns_ok "no log line starts with an injected header" ||
    ns_error "$bad injected line(s) in the log"
# -Ox prints every value as quoted hex octets, so the client hides no
# octet; an empty one prints as "".
names=$(ns_snmpwalk -Ox ".$NS_OID_IP_HOST.15")
verdict=$(echo "$names" | "$NS_PYTHON" -c 'import sys
named = bad = 0
for line in sys.stdin:
    value = line.split(" = ", 1)[-1].strip().strip("\"")
    if not value:
        continue
    data = bytes.fromhex(value.replace(" ", ""))
    named += 1
    bad += any(b < 0x20 or b > 0x7e for b in data)
print(named, bad)')
[ "$verdict" = "2 0" ] &&
    ns_ok "both learned nsIpHostName values are printable ASCII" ||
    ns_error "nsIpHostName: named and unprintable: $verdict in: $names"
stop
sink_stop

ns_info "5. a storm of 2000 scans"
STATE=$NS_TMP/state5
mkdir -p "$STATE"
"$NS_PYTHON" "$NS_TOOLS/make_storm.py" "$NS_TMP/storm.pcap" 2000 ||
    ns_fail "make_storm.py failed"
PORT=$(ns_free_tcp_port)
sink_start "$PORT" "$NS_TMP/mail5"
start 5 "$NS_TMP/storm.pcap" "mailServer 127.0.0.1:$PORT" \
    "mailRateLimit 5" "syslogRateLimit 50" "alertDigestDelay 2"
ns_wait_eof 1
wait_mails "$NS_TMP/mail5" 6 30
sleep 4
check_mails "$NS_TMP/mail5"
# The SYNs of 2000 sources against one address make SYN flood events
# on its 10 ports, engaged at their 128th SYN.  A source that scans
# after a flood started counts towards the flood, not as a scan of its
# own, because SYNs to a flooded target open no contact: about 130
# sources scan before that.  Each event starts and ends.
routed=$(ns_get_value "$ALERTS.6.0")
[ "${routed:-0}" -ge 200 ] && ns_ok "nsAlertsRouted is $routed" ||
    ns_error "nsAlertsRouted is '$routed', expected at least 200"
expect_field messages 6 "mails for the storm"
expect_field digests 1 "digest mails"
sent=$(( $(summary_field messages) - $(summary_field digests) ))
held=$(summary_field held)
[ $((sent + held)) = "${routed:-0}" ] &&
    ns_ok "$sent mails and $held held back account for every alert" ||
    ns_error "$sent mails + $held held back != $routed alerts"
# The bucket refills by one line per 1.2 s while the storm lasts.
lines=$(alert_lines "$NS_DAEMON_LOG")
[ "$lines" -ge 50 ] && [ "$lines" -le 55 ] &&
    ns_ok "syslogRateLimit let $lines alert lines through" ||
    ns_error "$lines alert lines, expected 50 to 55"
logged=$(sed -n 's/^netsentry alert=digest output=syslog suppressed=\([0-9]*\) .*/\1/p' \
    "$NS_DAEMON_LOG" | awk '{ n += $1 } END { print n + 0 }')
[ $((lines + logged)) = "${routed:-0}" ] &&
    ns_ok "$lines lines and digests of $logged account for every alert" ||
    ns_error "$lines lines + $logged in digests != $routed alerts"
ns_expect_value "$ALERTS.7.0" $((logged + held)) \
    "nsAlertsSuppressed (syslog and mail)"
stop
sink_stop

ns_info "6. a full spool"
STATE=$NS_TMP/state6
mkdir -p "$STATE"
PORT=$(ns_free_tcp_port)
start 6 "$NS_TMP/storm.pcap" "mailServer 127.0.0.1:$PORT" \
    "mailRateLimit 0" "mailSpoolSize 10"
ns_wait_eof 1
sleep 2
routed=$(ns_get_value "$ALERTS.6.0")
ns_expect_value "$ALERTS.1.0" 10 "nsSpoolLength at mailSpoolSize 10"
ns_expect_value "$ALERTS.5.0" $((routed - 10)) "nsMailDropped"
grep -q "mail spool full (10 alerts, mailSpoolSize): dropped" \
    "$NS_DAEMON_LOG" && ns_ok "the drops are logged" ||
    ns_error "no 'mail spool full' line in the log"
sink_start "$PORT" "$NS_TMP/mail6"
wait_mails "$NS_TMP/mail6" 10 40
sleep 2
check_mails "$NS_TMP/mail6"
expect_field messages 10 "mails from the full spool"
floods=$(echo "$MAIL_SUBJECTS" | tr '|' '\n' | grep -c " synFlood ")
[ "$floods" = 10 ] && ns_ok "all 10 are critical synFlood alerts" ||
    ns_error "$floods of 10 are synFlood alerts: $MAIL_SUBJECTS"
stop
sink_stop

ns_info "7. alerts given up, and a corrupt spool"
STATE=$NS_TMP/state7
mkdir -p "$STATE"
PORT=$(ns_free_tcp_port)
start 7a "$SCAN" "mailServer 127.0.0.1:$PORT" "mailGiveUpAfter 10"
ns_wait_eof 1
wait_value "$ALERTS.5.0" 2 45 &&
    ns_ok "both alerts given up after mailGiveUpAfter 10" ||
    ns_error "nsMailDropped is $(ns_get_value "$ALERTS.5.0"), expected 2"
ns_expect_value "$ALERTS.1.0" 0 "nsSpoolLength after giving up"
grep -q "mail spool: gave up alert 1 after" "$NS_DAEMON_LOG" &&
    ns_ok "log: $(grep -m1 'gave up' "$NS_DAEMON_LOG")" ||
    ns_error "no 'gave up' line in the log"
stop
head -c 4096 /dev/urandom >"$STATE/spool.db"
start 7b "$QUIET" "mailServer 127.0.0.1:$PORT"
ns_wait_eof 1
ns_daemon_check_alive "with a corrupt spool.db"
ls "$STATE"/spool.db.corrupt.* >/dev/null 2>&1 &&
    grep -q "spool.db is unreadable" "$NS_DAEMON_LOG" &&
    ns_ok "the corrupt spool.db was moved aside with a log line" ||
    ns_error "no move-aside of the corrupt spool.db"
stop

ns_info "8. SIGTERM while a server says nothing"
STATE=$NS_TMP/state8
mkdir -p "$STATE"
PORT=$(ns_free_tcp_port)
sink_start "$PORT" "$NS_TMP/mail8" --silent
start 8a "$SCAN" "mailServer 127.0.0.1:$PORT" "mailTimeout 30"
ns_wait_eof 1
sleep 1
began=$(date +%s)
kill -TERM "$NS_DAEMON_PID"
for _ in $(seq 1 200); do
	ns_pid_running "$NS_DAEMON_PID" || break
	sleep 0.1
done
took=$(($(date +%s) - began))
if ns_pid_running "$NS_DAEMON_PID"; then
	ns_error "netsentryd still runs 20 s after SIGTERM"
elif [ "$took" -gt 15 ]; then
	ns_error "netsentryd took $took s to stop after SIGTERM"
else
	ns_ok "netsentryd stopped $took s after SIGTERM"
fi
stop
sink_stop
start 8b "$QUIET" "mailServer 127.0.0.1:$PORT"
ns_wait_eof 1
grep -q "2 alert(s) of earlier runs wait for delivery" "$NS_DAEMON_LOG" &&
    ns_ok "both alerts waited in the spool" ||
    ns_error "no '2 alert(s) of earlier runs' line"
stop

ns_info "9. a full disk under stateDir"
STATE=$NS_TMP/state9
mkdir -p "$STATE"
if mount -t tmpfs -o size=160k tmpfs "$STATE" 2>"$NS_TMP/mount.err"; then
	ns_on_cleanup umount "$STATE"
	"$NS_PYTHON" "$NS_TOOLS/make_storm.py" "$NS_TMP/storm300.pcap" 300 ||
	    ns_fail "make_storm.py failed"
	PORT=$(ns_free_tcp_port)
	sink_start "$PORT" "$NS_TMP/mail9"
	start 9 "$NS_TMP/storm300.pcap" "mailServer 127.0.0.1:$PORT" \
	    "mailRateLimit 0"
	ns_wait_eof 1
	wait_value "$ALERTS.1.0" 0 60
	sleep 1
	ns_daemon_check_alive "with a full stateDir"
	sent=$(ns_get_value "$ALERTS.3.0")
	dropped=$(ns_get_value "$ALERTS.5.0")
	[ "${sent:-0}" -ge 1 ] && [ "${dropped:-0}" -ge 1 ] &&
	    ns_ok "nsMailSent $sent, nsMailDropped $dropped on a full disk" ||
	    ns_error "nsMailSent '$sent', nsMailDropped '$dropped'"
	[ "$(mail_count "$NS_TMP/mail9")" = "$sent" ] &&
	    ns_ok "every alert that reached the spool arrived" ||
	    ns_error "$(mail_count "$NS_TMP/mail9") mails, nsMailSent $sent"
	ns_expect_value "$ALERTS.1.0" 0 "nsSpoolLength on a full disk"
	errors=$(grep -c "^mail spool .*spool.db: " "$NS_DAEMON_LOG")
	[ "$errors" -le 2 ] && ns_ok "$errors log line(s) about the file" ||
	    ns_error "$errors log lines about the file, expected at most 2"
	stop
	sink_stop
else
	ns_info "note: cannot mount a tmpfs ($(cat "$NS_TMP/mount.err"));" \
	    "part 9 skipped"
fi

ns_finish
