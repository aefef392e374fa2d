#!/bin/bash
# The event history survives restarts in stateDir:
#   1. A daemon reads a scan and stops with SIGTERM; the next one, on
#      another capture, serves the old event (index 1, ended) beside its
#      own (index 2).
#   2. A second daemon with the same stateDir exits at once with status 1
#      and a message naming the file.
#   3. After kill -9, the next daemon still serves both events.
#   4. A corrupt file is moved aside with a log line and replaced.

. "${NS_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

ns_init state
ns_require_daemon

EV=.$NS_OID_NETSENTRY.1.4.8.1
state_dir=$NS_TMP/state
mkdir -p "$state_dir"
NS_DAEMON_CONF=$NS_TMP/netsentryd.conf
ns_daemon_write_conf "$NS_DAEMON_CONF" "stateDir $state_dir"

start() {
	NS_DAEMON_LOG=$NS_TMP/netsentryd-$1.log
	shift
	ns_daemon_start "$@"
	ns_wait_registered 20
	ns_wait_eof 1
}

stop() {
	ns_stop_pid "$NS_DAEMON_PID" 10
	ns_untrack "$NS_DAEMON_PID"
}

ns_snmpd_start

ns_info "run 1: a vertical scan"
start 1 -r "$NS_DATA/scans/vertical_syn_scan_10ports.pcap"
ns_expect_value "$EV.2.1" 1 "nsEventType.1 (portScan)"
stop

ns_info "run 2: the old event comes back beside a new one"
start 2 -r "$NS_DATA/scans/horizontal_smb445_scan_9hosts.pcap"
ns_expect_value "$EV.2.1" 1 "nsEventType.1 restored"
ns_expect_value "$EV.3.1" 2 "nsEventState.1 (ended)"
ns_expect_value "$EV.7.1" '"C0 A8 02 9A "' \
    "nsEventAttackerAddress.1 (192.168.2.154)"
ns_expect_value "$EV.7.2" '"B0 C0 96 03 "' \
    "nsEventAttackerAddress.2 (176.192.150.3)"

ns_info "a second daemon on the same stateDir"
if "$NS_DAEMON" -f -Le -c "$NS_DAEMON_CONF" -x "unix:$NS_AGENTX_SOCKET" \
    -r "$NS_DATA/benign/smtp_mail.pcap" >"$NS_TMP/second.out" 2>&1; then
	ns_error "a second daemon on the same stateDir kept running"
else
	ns_ok "a second daemon on the same stateDir exited with status $?"
fi
grep -q "locked by another running netsentryd" "$NS_TMP/second.out" &&
    ns_ok "its message: $(grep -m1 locked "$NS_TMP/second.out")" ||
    ns_error "no 'locked' message: $(head -n 3 "$NS_TMP/second.out")"

ns_info "run 3: kill -9, then start again"
sleep 2
kill -9 "$NS_DAEMON_PID"
wait "$NS_DAEMON_PID" 2>/dev/null
ns_untrack "$NS_DAEMON_PID"
start 3 -r "$NS_DATA/benign/smtp_mail.pcap"
ns_expect_value "$EV.2.1" 1 "nsEventType.1 after kill -9"
ns_expect_value "$EV.2.2" 1 "nsEventType.2 after kill -9"
stop

ns_info "run 4: a corrupt file"
head -c 4096 /dev/urandom >"$state_dir/events.db"
start 4 -r "$NS_DATA/benign/smtp_mail.pcap"
if grep -q "moved it to" "$NS_DAEMON_LOG"; then
	ns_ok "the log says: $(grep -m1 'moved it to' "$NS_DAEMON_LOG")"
else
	ns_error "no 'moved it to' line in the log"
fi
ls "$state_dir"/events.db.corrupt.* >/dev/null 2>&1 &&
    ns_ok "the corrupt file was kept aside" ||
    ns_error "no events.db.corrupt.* file in $state_dir"
stop

ns_finish
