#!/bin/bash
# Restart the snmpd master under a running netsentryd, and start
# netsentryd before any master exists.
#
# Checks, with agentxPingInterval 1:
#   - snmpd stopped (SIGTERM by pid) and restarted on the same AgentX
#     socket: netsentryd keeps running with the same pid, its log shows
#     the AgentX session lost and connected again, its tables respond
#     again within the ping interval plus a margin, and a walk of both
#     subtrees returns exactly what it returned before the restart;
#   - the counters after the restart equal tshark's;
#   - SIGTERM stops netsentryd with exit status 0;
#   - netsentryd started while no master listens keeps running, connects
#     on its own once snmpd starts, within the same bound, and serves the
#     same tables.

. "${NS_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

ns_init master_restart
ns_require_daemon

PING_INTERVAL=1
# Time allowed beyond the ping interval: the reconnect attempt itself,
# snmpd's start-up and the polling of the test.
MARGIN=4
captures=(-r "$NS_DATA/benign/http_wikipedia.pcap"
    -r "$NS_DATA/benign/ipv6_mixed_snaplen2000.pcap")
NS_DAEMON_CONF=$NS_TMP/netsentryd.conf
ns_daemon_write_conf "$NS_DAEMON_CONF"
grep -q "^agentxPingInterval $PING_INTERVAL\$" "$NS_DAEMON_CONF" ||
    ns_fail "the test configuration must set agentxPingInterval" \
    "$PING_INTERVAL"

# Count the log lines that match an extended regular expression.
count_log_lines() {
	grep -cE "$2" "$1"
}

CONNECTED='AgentX subagent connected'
DISCONNECTED='AgentX master disconnected|failed to respond|lost|closed'

# Wait up to the given seconds until the daemon log has at least count
# lines that match the pattern.
wait_log_lines() {
	local log=$1 pattern=$2 count=$3 seconds=$4
	local deadline=$((SECONDS + seconds))

	while [ "$(count_log_lines "$log" "$pattern")" -lt "$count" ]; do
		[ "$SECONDS" -ge "$deadline" ] && return 1
		sleep 0.2
	done
	return 0
}

# Print the seconds since a start time taken from EPOCHREALTIME.
elapsed_since() {
	"$NS_PYTHON" -c 'import sys, time
print("%.1f" % (time.time() - float(sys.argv[1])))' "$1"
}

# Wait until the tables respond through the master, at most the ping
# interval plus the margin after the given start time; print the time.
wait_reconnected() {
	local started=$1 what=$2 took

	ns_wait_registered $((PING_INTERVAL + MARGIN))
	took=$(elapsed_since "$started")
	ns_ok "$what: the tables respond after $took s" \
	    "(bound $((PING_INTERVAL + MARGIN)) s)"
}

ns_info "part 1: restart the master under a running daemon"
ns_snmpd_start
ns_daemon_start "${captures[@]}"
daemon_pid=$NS_DAEMON_PID
ns_wait_registered
ns_wait_eof 1 2
ns_walk_to "$NS_TMP/before.rmon" "$NS_OID_RMON"
ns_walk_to "$NS_TMP/before.netsentry" "$NS_OID_NETSENTRY"
connects=$(count_log_lines "$NS_DAEMON_LOG" "$CONNECTED")
[ "$connects" -eq 1 ] ||
    ns_error "expected 1 '$CONNECTED' log line at start, found $connects"

ns_snmpd_stop
[ "$NS_STOP_STATUS" = 0 ] ||
    ns_error "snmpd exited with status $NS_STOP_STATUS on SIGTERM"
if ns_snmpget -t 0.5 -r 0 "$NS_OID_SYSUPTIME" >/dev/null 2>&1; then
	ns_fail "sysUpTime.0 still answers after snmpd was stopped"
fi
if wait_log_lines "$NS_DAEMON_LOG" "$DISCONNECTED" 1 \
    $((PING_INTERVAL + MARGIN)); then
	ns_ok "the log shows the session lost:" \
	    "$(grep -E "$DISCONNECTED" "$NS_DAEMON_LOG" | head -n 1)"
else
	ns_error "no line in the log shows the AgentX session lost"
fi

# Stay down for a few ping intervals, so the daemon retries and fails.
sleep 3
ns_daemon_check_alive "while the master was down"

started=$EPOCHREALTIME
ns_snmpd_start
wait_reconnected "$started" "master restarted"
if wait_log_lines "$NS_DAEMON_LOG" "$CONNECTED" 2 2; then
	ns_ok "the log shows the session connected again"
else
	ns_error "no second '$CONNECTED' line in the log"
fi

ns_daemon_check_alive "after the master restart"
if [ "$NS_DAEMON_PID" = "$daemon_pid" ] &&
    [ "$(count_log_lines "$NS_DAEMON_LOG" 'started with')" -eq 1 ]; then
	ns_ok "netsentryd did not restart (pid $daemon_pid, one start line)"
else
	ns_error "netsentryd restarted: pid $NS_DAEMON_PID, start lines" \
	    "$(count_log_lines "$NS_DAEMON_LOG" 'started with')"
fi

ns_walk_to "$NS_TMP/after.rmon" "$NS_OID_RMON"
ns_walk_to "$NS_TMP/after.netsentry" "$NS_OID_NETSENTRY"
for tree in rmon netsentry; do
	if cmp -s "$NS_TMP/before.$tree" "$NS_TMP/after.$tree"; then
		ns_ok "$tree walk after the restart equals the walk before" \
		    "($(wc -l <"$NS_TMP/after.$tree") lines)"
	else
		ns_error "$tree walk changed across the restart:" \
		    "$(diff "$NS_TMP/before.$tree" "$NS_TMP/after.$tree" |
		    head -n 6)"
	fi
done
if "$NS_PYTHON" "$NS_TOOLS/ns_walkcmp.py" "$NS_TMP/after.rmon" \
    "$NS_TMP/after.netsentry" -- \
    "1:$NS_DATA/benign/http_wikipedia.pcap" \
    "2:$NS_DATA/benign/ipv6_mixed_snaplen2000.pcap"; then
	ns_ok "the counters after the restart equal tshark's"
else
	ns_error "the counters after the restart differ from tshark's"
fi

ns_stop_pid "$daemon_pid" 5
ns_untrack "$daemon_pid"
if [ "$NS_STOP_STATUS" = 0 ]; then
	ns_ok "SIGTERM stopped netsentryd with exit status 0"
else
	ns_error "netsentryd exited with status $NS_STOP_STATUS on SIGTERM"
fi
ns_snmpd_stop

ns_info "part 2: start the daemon first, the master later"
NS_AGENTX_SOCKET=$NS_TMP/late-master.sock
NS_SNMP_PORT=
NS_DAEMON_LOG=$NS_TMP/netsentryd-late.log
ns_daemon_start "${captures[@]}"
sleep 2
ns_daemon_check_alive "without a master"
ns_ok "netsentryd keeps running while no master listens"

started=$EPOCHREALTIME
ns_snmpd_start
wait_reconnected "$started" "master started after the daemon"
ns_wait_eof 1 2
ns_walk_to "$NS_TMP/late.rmon" "$NS_OID_RMON"
ns_walk_to "$NS_TMP/late.netsentry" "$NS_OID_NETSENTRY"

# The distinct counts of nsIpHostTable and nsEventTable (and the event
# descriptions that quote them) are HyperLogLog estimates whose hash key
# each daemon draws at start-up, so two runs may differ there.
for walk in before late; do
	grep -Ev "^\.$NS_OID_NETSENTRY\.1\.(2\.1\.1[12]|4\.8\.1\.(1[234]|21))\." \
	    "$NS_TMP/$walk.netsentry" >"$NS_TMP/$walk.netsentry.exact"
	mv "$NS_TMP/$walk.netsentry.exact" "$NS_TMP/$walk.netsentry"
done
for tree in rmon netsentry; do
	if cmp -s "$NS_TMP/before.$tree" "$NS_TMP/late.$tree"; then
		ns_ok "$tree walk equals the walk of part 1"
	else
		ns_error "$tree walk differs from part 1:" \
		    "$(diff "$NS_TMP/before.$tree" "$NS_TMP/late.$tree" |
		    head -n 6)"
	fi
done

ns_finish
