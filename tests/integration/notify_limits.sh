#!/bin/bash
# The bounds on notifications, with a real snmpd and snmptrapd:
#
#   - queue: 50 scans happen while the master agent is down.  The
#     notifications wait in a queue of 20 (trapQueue); when snmpd comes
#     back the latest 20 arrive, nsNotificationsDropped is 30 and
#     nsNotificationsWaiting is 0.
#   - rate limit: 30 scans at once with trapRateLimit 10: 10
#     notifications arrive and nsNotificationsSuppressed is 20; a scan
#     seconds later, once the bucket has a token again, arrives carrying
#     nsNotificationsSuppressed = 20.
#   - no limit: 3,000 scans of 3,000 targets at once with trapRateLimit
#     0.  The daemon sends all 3,000 notifications to the master, serves
#     GETs meanwhile, and SIGTERM stops it.  Sent in one go, the Notify
#     PDUs and the master's responses filled the AgentX socket both ways
#     and both processes hung.
#
# The scans come from tests/tools/make_storm.py, written into a FIFO
# that the daemon reads, so the test decides when they happen.

. "${NS_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

ns_init notify_limits
ns_require_daemon
ns_require_cmd snmptrapd

SEC=.$NS_OID_NETSENTRY.1.4
SCAN_TRAP="OID: .$NS_OID_NETSENTRY.0.1"

# Start a daemon reading a FIFO that gets the pcap header now, the
# frames of $2 once the file $1 exists, and those of $4 once $3 exists
# ("-" for none).  More config lines follow.
start_fifo_daemon() {
	local go=$1 storm=$2 go_late=$3 late=$4 fifo=$NS_TMP/storm.fifo

	shift 4
	rm -f "$fifo"
	mkfifo "$fifo" || ns_fail "cannot create a FIFO"
	(head -c 24 "$storm"
	 while [ ! -e "$go" ]; do sleep 0.1; done
	 tail -c +25 "$storm"
	 if [ "$late" != - ]; then
		while [ ! -e "$go_late" ]; do sleep 0.1; done
		tail -c +25 "$late"
	 fi
	 exec sleep 120) >"$fifo" &
	writer=$!
	ns_track "$writer"
	NS_DAEMON_CONF=$NS_TMP/netsentryd.conf
	ns_daemon_write_conf "$NS_DAEMON_CONF" "$@"
	ns_daemon_start -r "$fifo"
	ns_wait_registered 20
}

stop_fifo_daemon() {
	ns_stop_pid "$NS_DAEMON_PID" 10
	ns_untrack "$NS_DAEMON_PID"
	ns_stop_pid "$writer" 5
	ns_untrack "$writer"
}

scan_traps() {
	grep -c "$SCAN_TRAP" "$NS_TRAP_LOG"
}

"$NS_PYTHON" "$NS_TOOLS/make_storm.py" "$NS_TMP/storm50.pcap" 50 ||
    ns_fail "make_storm.py failed"
ns_snmptrapd_start
ns_snmpd_start

ns_info "queue: 50 scans while snmpd is down, trapQueue 20"
start_fifo_daemon "$NS_TMP/go1" "$NS_TMP/storm50.pcap" - - \
    "trapRateLimit 0" "trapQueue 20"
ns_snmpd_stop
touch "$NS_TMP/go1"
sleep 2
ns_daemon_check_alive "after the scans"
ns_snmpd_start
ns_wait_registered 20
if ns_wait_traps 22 10; then
	ns_ok "20 queued notifications arrived after snmpd came back"
fi
sleep 1
got=$(scan_traps)
[ "$got" = 20 ] && ns_ok "exactly 20 nsPortScanDetected" ||
    ns_error "$got nsPortScanDetected arrived, expected 20"
first=$(grep "$SCAN_TRAP" "$NS_TRAP_LOG" | head -n 1 |
    grep -o '1\.4\.8\.1\.2\.[0-9]* =' | sed 's/.*\.\([0-9]*\) =/\1/')
[ "$first" = 31 ] && ns_ok "the oldest 30 were dropped, event 31 came" \
    "first" || ns_error "the first notification is for event '$first'," \
    "expected 31"
ns_expect_value "$SEC.1.0" 50 "nsEventsTotal"
ns_expect_value "$SEC.5.0" 30 "nsNotificationsDropped"
ns_expect_value "$SEC.6.0" 0 "nsNotificationsWaiting"
ns_expect_value "$SEC.3.0" 20 "nsNotificationsSent"
stop_fifo_daemon

ns_info "rate limit: 30 scans at once, trapRateLimit 10"
"$NS_PYTHON" "$NS_TOOLS/make_storm.py" "$NS_TMP/storm31.pcap" 30 ||
    ns_fail "make_storm.py failed"
"$NS_PYTHON" "$NS_TOOLS/make_storm.py" "$NS_TMP/late.pcap" 1 31 \
    1700000100 || ns_fail "make_storm.py failed"
before=$(grep -c '^TRAP' "$NS_TRAP_LOG")
before_scans=$(scan_traps)
start_fifo_daemon "$NS_TMP/go2" "$NS_TMP/storm31.pcap" "$NS_TMP/go3" \
    "$NS_TMP/late.pcap" "trapRateLimit 10" "trapQueue 100"
touch "$NS_TMP/go2"
ns_wait_traps "$((before + 10))" 10
sleep 2
got=$(($(scan_traps) - before_scans))
[ "$got" = 10 ] && ns_ok "10 nsPortScanDetected for 30 scans" ||
    ns_error "$got nsPortScanDetected arrived, expected 10"
ns_expect_value "$SEC.4.0" 20 "nsNotificationsSuppressed"
ns_expect_value "$SEC.1.0" 30 "nsEventsTotal"

# At 10 a minute the bucket gains a token every 6 s.
ns_info "one more scan 7 s later"
sleep 5
touch "$NS_TMP/go3"
if ns_wait_traps "$((before + 11))" 10; then
	carried=$(grep "$SCAN_TRAP" "$NS_TRAP_LOG" | tail -n 1 |
	    grep -o "$SEC\.4\.0 = Counter32: [0-9]*" | sed 's/.* //')
	[ "$carried" = 20 ] &&
	    ns_ok "the next notification carries nsNotificationsSuppressed" \
	    "= 20" ||
	    ns_error "the next notification carries" \
	    "nsNotificationsSuppressed = '$carried', expected 20"
else
	ns_error "no notification for the scan after the storm"
fi
stop_fifo_daemon

ns_info "no limit: 3000 scans at once, trapRateLimit 0"
"$NS_PYTHON" "$NS_TOOLS/make_storm.py" "$NS_TMP/storm3000.pcap" 3000 \
    40000 1700000000 10 spread || ns_fail "make_storm.py failed"
before=$(grep -c '^TRAP' "$NS_TRAP_LOG")
start_fifo_daemon "$NS_TMP/go4" "$NS_TMP/storm3000.pcap" - - \
    "trapRateLimit 0" "trapQueue 10000"
touch "$NS_TMP/go4"
# snmpd forwards the notifications to snmptrapd over UDP, which may drop
# some of so many at once: the daemon's part is that it sent them all.
ns_wait_traps "$((before + 3000))" 60
got=$(($(grep -c '^TRAP' "$NS_TRAP_LOG") - before))
[ "$got" -ge 1500 ] && ns_ok "$got of 3000 notifications arrived" ||
    ns_error "$got of 3000 notifications arrived within 60 s"
ns_daemon_check_alive "after the storm"
ns_expect_value "$SEC.3.0" 3000 "nsNotificationsSent"
ns_stop_pid "$NS_DAEMON_PID" 10
[ "$NS_STOP_STATUS" = 0 ] && ns_ok "SIGTERM stopped netsentryd" ||
    ns_error "netsentryd exited with status $NS_STOP_STATUS after" \
    "SIGTERM (137: it ignored SIGTERM and was killed)"
ns_untrack "$NS_DAEMON_PID"
ns_stop_pid "$writer" 5
ns_untrack "$writer"
ns_finish
