#!/bin/bash
# Attack a network namespace that netsentryd watches live, and check that
# the notifications reach a real snmptrapd within a second of the point
# where the detector decided, and that nsEventTable describes the attacks.
#
# The victim namespace runs netsentryd (-i on its veth end) and a Python
# HTTP server on port 80; the attacker namespace runs, one after the
# other:
#   - nmap -sS against 200 ports of the victim: nsPortScanDetected;
#   - hping3, 1000 SYNs per second for 3 s to port 80 from one source:
#     nsSynFloodStarted naming the attacker, then nsSynFloodEnded once
#     the hold-down time (3 s here) has passed;
#   - the same with --rand-source: a flood with no attacker named.
#
# Needs root, ip netns, veth, nmap and hping3; skips (77) otherwise.

. "${NS_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

ns_init detect_live
ns_require_root "creating network namespaces"
ns_require_cmd ip nmap hping3 ss snmptrapd
ns_require_daemon

victim_ns=ns-det-vic-$$
attacker_ns=ns-det-att-$$
victim_if=nsd$$v
attacker_if=nsd$$a
# A /24 that exists only inside the two namespaces.
victim_ip=10.212.88.1
attacker_ip=10.212.88.2
EV=.$NS_OID_NETSENTRY.1.4.8.1

ns_veth_pair "$victim_ns" "$victim_if" "$victim_ip" \
    "$attacker_ns" "$attacker_if" "$attacker_ip"

in_attacker() {
	ip netns exec "$attacker_ns" "$@"
}

ns_http_server "$victim_ns" "$victim_ip" 80 "$NS_TMP"

NS_DAEMON_CONF=$NS_TMP/netsentryd.conf
ns_daemon_write_conf "$NS_DAEMON_CONF" "trapRateLimit 0" "holdDown 3" \
    "scanContactTimeout 2" "localNet 10.212.88.0/24"
ns_snmptrapd_start
ns_snmpd_start
NS_DAEMON_PREFIX="ip netns exec $victim_ns"
ns_daemon_start -i "$victim_if"
ns_wait_registered

# The seconds since the epoch, with fractions, when the trap log first
# contains a notification with OID suffix $1 for event $2; empty after 20 s.
wait_notification() {
	local kind=$1 index=$2 i

	for ((i = 0; i < 400; i++)); do
		if grep -q "OID: .$NS_OID_NETSENTRY.0.$kind.*$EV.2.$index = " \
		    "$NS_TRAP_LOG"; then
			date +%s.%N
			return 0
		fi
		sleep 0.05
	done
	return 1
}

# nsEventStartTime of event $1 as seconds since the epoch (UTC).
event_start() {
	ns_get_value "$EV.4.$1" | "$NS_PYTHON" -c '
import calendar, sys
b = bytes(int(x, 16) for x in sys.stdin.read().strip().strip("\"").split())
t = calendar.timegm((b[0] << 8 | b[1], b[2], b[3], b[4], b[5], b[6]))
print("%.1f" % (t + b[7] / 10))'
}

# Check that notification $1 for event $2 arrived within a second of the
# event's start; the start is the packet that decided, to a tenth.
check_delay() {
	local kind=$1 index=$2 what=$3 arrived start delay

	arrived=$(wait_notification "$kind" "$index") || {
		ns_error "no $what notification for event $index"
		return
	}
	start=$(event_start "$index")
	delay=$(awk -v a="$arrived" -v s="$start" 'BEGIN { print a - s }')
	if awk -v d="$delay" 'BEGIN { exit !(d < 1.1) }'; then
		ns_ok "$what for event $index arrived $delay s after the" \
		    "detection point"
	else
		ns_error "$what for event $index arrived $delay s after the" \
		    "detection point (more than 1 s, with 0.1 s of rounding)"
	fi
}

# Check column $2 of event $1 against $3.
check_event() {
	local index=$1 col=$2 want=$3 what=$4 got

	got=$(ns_get_value "$EV.$col.$index")
	if [ "$got" = "$want" ]; then
		ns_ok "event $index: $what is $got"
	else
		ns_error "event $index: $what is '$got', expected '$want'"
	fi
}

ns_info "nmap SYN scan of 200 ports"
in_attacker nmap -n -Pn -sS -T4 -p 1-200 "$victim_ip" >"$NS_TMP/nmap.out" \
    2>&1 || ns_error "nmap failed: $(tail -n 2 "$NS_TMP/nmap.out")"
check_delay 1 1 "nsPortScanDetected"
check_event 1 2 1 "nsEventType"
check_event 1 7 '"0A D4 58 02 "' "nsEventAttackerAddress"
check_event 1 9 '"0A D4 58 01 "' "nsEventTargetAddress"
check_event 1 18 2 "nsEventProbe (tcpSyn)"
check_event 1 19 2 "nsEventShape (vertical)"

# hping3 runs in the background, so that the notification's arrival is
# timed while the flood goes on.
flood() {
	local out=$1

	shift
	in_attacker hping3 -q -n -S -p 80 -i u1000 -c 3000 "$@" \
	    "$victim_ip" >"$out" 2>&1 &
	hping3_pid=$!
	ns_track "$hping3_pid"
}

ns_info "hping3 SYN flood from one source, 1000 per second for 3 s"
flood "$NS_TMP/hping3.out"
check_delay 2 2 "nsSynFloodStarted"
check_event 2 2 2 "nsEventType"
check_event 2 7 '"0A D4 58 02 "' "nsEventAttackerAddress"
check_event 2 11 80 "nsEventPort"
if wait_notification 3 2 >/dev/null; then
	ns_ok "nsSynFloodEnded for event 2 arrived after the hold-down time"
	check_event 2 3 2 "nsEventState (ended)"
else
	ns_error "no nsSynFloodEnded for event 2"
fi

wait "$hping3_pid"
ns_untrack "$hping3_pid"

ns_info "hping3 SYN flood from random sources"
flood "$NS_TMP/hping3-rand.out" --rand-source
check_delay 2 3 "nsSynFloodStarted"
check_event 3 6 0 "nsEventAttackerAddressType (unknown)"
wait "$hping3_pid"
ns_untrack "$hping3_pid"
wait_notification 3 3 >/dev/null ||
    ns_error "no nsSynFloodEnded for event 3"
sources=$(ns_get_value "$EV.14.3")
if [ "${sources:-0}" -ge 1000 ]; then
	ns_ok "event 3: about $sources distinct sources"
else
	ns_error "event 3: nsEventSourceCount is '$sources', expected" \
	    "about 3000"
fi

events=$(ns_get_value ".$NS_OID_NETSENTRY.1.4.1.0")
if [ "$events" = 3 ]; then
	ns_ok "nsEventsTotal is 3"
else
	ns_error "nsEventsTotal is '$events', expected 3"
	ns_walk_to "$NS_TMP/events.walk" "$EV"
	cat "$NS_TMP/events.walk"
fi

ns_daemon_check_alive "after the attacks"
ns_finish
