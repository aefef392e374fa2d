#!/bin/bash
# SIGHUP reloads the configuration without losing tables, and a reload
# with an invalid file keeps the old settings.
#
#   1. The daemon starts with "detect portScan off" and reads a FIFO.  A
#      scan arrives: no event, nsEventTypeEnabled.portScan is false(2).
#   2. The file turns port scan detection on; SIGHUP.  The log says the
#      configuration was reloaded, nsEventTypeEnabled.portScan is
#      true(1), nsCapturePkts keeps counting from where it was, and the
#      next scan raises an event and its notification.
#   3. The file gets an unknown directive and an invalid value; SIGHUP.
#      The log names each bad line with the file and line number, says
#      the previous settings stay, and a third scan is still detected.
#   4. Every detector off; SIGHUP.  A fourth scan raises no event.
#      Every detector on; SIGHUP.  A fifth scan that arrives as soon as
#      the log reports the reload is detected.

. "${NS_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

ns_init reload
ns_require_daemon
ns_require_cmd snmptrapd

SEC=.$NS_OID_NETSENTRY.1.4
ENABLED=$SEC.7.1.3.1
FRAMES_PER_SCAN=20

for i in 1 2 3 4 5; do
	"$NS_PYTHON" "$NS_TOOLS/make_storm.py" "$NS_TMP/scan$i.pcap" 1 "$i" \
	    "$((1700000000 + 100 * i))" || ns_fail "make_storm.py failed"
done

# The FIFO gets the pcap header now and scan N once the file goN exists.
fifo=$NS_TMP/input.fifo
mkfifo "$fifo" || ns_fail "cannot create a FIFO"
(head -c 24 "$NS_TMP/scan1.pcap"
 for i in 1 2 3 4 5; do
	while [ ! -e "$NS_TMP/go$i" ]; do sleep 0.01; done
	tail -c +25 "$NS_TMP/scan$i.pcap"
 done
 exec sleep 120) >"$fifo" &
ns_track $!

write_conf() {
	NS_DAEMON_CONF=$NS_TMP/netsentryd.conf
	ns_daemon_write_conf "$NS_DAEMON_CONF" "trapRateLimit 0" "$@"
}

# Feed scan $1 and wait until the daemon has counted its frames.
feed_scan() {
	local want=$(($1 * FRAMES_PER_SCAN)) i

	touch "$NS_TMP/go$1"
	for ((i = 0; i < 100; i++)); do
		[ "$(ns_get_value "$NS_OID_CAPTURE.5.1")" = "$want" ] && return
		sleep 0.1
	done
	ns_error "nsCapturePkts.1 did not reach $want after scan $1"
}

wait_log() {
	local pattern=$1 i

	for ((i = 0; i < 50; i++)); do
		grep -q "$pattern" "$NS_DAEMON_LOG" && return 0
		sleep 0.1
	done
	return 1
}

# Send SIGHUP and wait, polling every 10 ms, until the log has one more
# "configuration reloaded" line.
reload_now() {
	local before i

	before=$(grep -c "configuration reloaded" "$NS_DAEMON_LOG")
	kill -HUP "$NS_DAEMON_PID"
	for ((i = 0; i < 500; i++)); do
		[ "$(grep -c "configuration reloaded" "$NS_DAEMON_LOG")" -gt \
		    "$before" ] && return 0
		sleep 0.01
	done
	return 1
}

ns_snmptrapd_start
ns_snmpd_start
write_conf "detect portScan off"
ns_daemon_start -r "$fifo"
ns_wait_registered 20

ns_info "step 1: port scan detection off"
feed_scan 1
ns_expect_value "$SEC.1.0" 0 "nsEventsTotal"
ns_expect_value "$ENABLED" 2 "nsEventTypeEnabled.portScan"

ns_info "step 2: turn it on and send SIGHUP"
write_conf "detect portScan on"
kill -HUP "$NS_DAEMON_PID"
wait_log "configuration reloaded" && ns_ok "the log says the configuration" \
    "was reloaded" || ns_error "no 'configuration reloaded' in the log"
ns_daemon_check_alive "after SIGHUP"
ns_expect_value "$ENABLED" 1 "nsEventTypeEnabled.portScan"
feed_scan 2
ns_expect_value "$NS_OID_CAPTURE.5.1" "$((2 * FRAMES_PER_SCAN))" \
    "nsCapturePkts.1 (tables kept)"
ns_expect_value "$SEC.1.0" 1 "nsEventsTotal"
ns_wait_traps 2 10 && ns_ok "the scan's notification arrived" ||
    ns_error "no notification for the scan after the reload"

ns_info "step 3: an invalid file and SIGHUP"
write_conf "detect portScan off" "detct portScan off" "holdDown forever"
kill -HUP "$NS_DAEMON_PID"
if wait_log "reload failed"; then
	ns_ok "the log says the reload failed"
else
	ns_error "no 'reload failed' in the log"
fi
for pattern in "netsentryd.conf: line 9:" "netsentryd.conf: line 10:"; do
	grep -q "$pattern" "$NS_DAEMON_LOG" &&
	    ns_ok "the log names $pattern" ||
	    ns_error "the log does not name '$pattern'"
done
ns_daemon_check_alive "after a failed reload"
ns_expect_value "$ENABLED" 1 "nsEventTypeEnabled.portScan (kept)"
feed_scan 3
ns_expect_value "$SEC.1.0" 2 "nsEventsTotal"

ns_info "step 4: every detector off, then on, and a scan at once"
write_conf "detect all off"
reload_now || ns_error "no 'configuration reloaded' after 'detect all off'"
feed_scan 4
ns_expect_value "$SEC.1.0" 2 "nsEventsTotal (every detector off)"
write_conf "detect portScan on"
reload_now || ns_error "no 'configuration reloaded' after 'detect all on'"
feed_scan 5
ns_expect_value "$SEC.1.0" 3 "nsEventsTotal"

ns_finish
