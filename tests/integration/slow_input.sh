#!/bin/bash
# A capture that arrives slowly through a FIFO must not stall the agent,
# and SIGTERM must stop netsentryd while it waits for more bytes.
#
# Checks:
#   - with a writer that sends a pcap header and two records and then
#     stays silent, GETs of nsCapturePkts return at once and count the
#     two records;
#   - SIGTERM during the silence stops netsentryd within 3 s, exit 0.

. "${NS_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

ns_init slow_input
ns_require_daemon
ns_snmpd_start

capture=$NS_DATA/benign/http_wikipedia.pcap
fifo=$NS_TMP/capture.fifo
mkfifo "$fifo" || ns_fail "cannot create a FIFO in $NS_TMP"

# The pcap file header (24 bytes) and the first two records.
head_bytes=$("$NS_PYTHON" "$NS_TOOLS/ns_record_offsets.py" "$capture" 2 |
    cut -d' ' -f2)
[ -n "$head_bytes" ] || ns_fail "cannot find record offsets in $capture"

# The writer keeps the FIFO open and silent for 60 s; exec makes $! the
# sleeping process, so the cleanup stops it by pid.
(head -c "$head_bytes" "$capture"; exec sleep 60) >"$fifo" &
writer=$!
ns_track "$writer"

ns_daemon_start -r "$fifo"
ns_wait_registered 20

pkts=
for i in $(seq 1 50); do
	pkts=$(ns_get_value "$NS_OID_CAPTURE.5.1")
	[ "$pkts" = 2 ] && break
	sleep 0.1
done
[ "$pkts" = 2 ] && ns_ok "nsCapturePkts.1 is 2 while the FIFO is silent" ||
    ns_error "nsCapturePkts.1 is '${pkts:-no answer}', expected 2"

start=$SECONDS
answered=0
for i in 1 2 3 4 5; do
	v=$(ns_get_value "$NS_OID_CAPTURE.4.1")
	[ "$v" = "$NS_STATE_RUNNING" ] && answered=$((answered + 1))
done
[ "$answered" = 5 ] && ns_ok "5 of 5 GETs answered during the silence" ||
    ns_error "$answered of 5 GETs of nsCaptureState.1 answered running(1)"
[ $((SECONDS - start)) -le 5 ] ||
    ns_error "5 GETs took $((SECONDS - start)) s"

ns_stop_pid "$NS_DAEMON_PID" 3
ns_untrack "$NS_DAEMON_PID"
[ "$NS_STOP_STATUS" = 0 ] &&
    ns_ok "SIGTERM stopped netsentryd within 3 s, exit status 0" ||
    ns_error "netsentryd exit status '$NS_STOP_STATUS' after SIGTERM" \
    "(137 means it needed SIGKILL)"

ns_finish
