#!/bin/bash
# Run every capture in tests/data through one netsentryd and compare the
# events it reports with tests/data/events.tsv: in nsEventTable, read
# over SNMP from a private snmpd, and in the notifications a private
# snmptrapd received from that snmpd.  Benign captures must raise no
# event; each attack must raise exactly the events listed, with the
# listed attacker, target, port, probe, shape and counts.

. "${NS_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

ns_init detect_files
ns_require_daemon
ns_require_cmd snmptrapd

ns_all_captures

# Every notification must reach snmptrapd: no rate limit, room for all.
NS_DAEMON_CONF=$NS_TMP/netsentryd.conf
ns_daemon_write_conf "$NS_DAEMON_CONF" "trapRateLimit 0" "trapQueue 10000"
cat "$NS_DATA/detect.conf" >>"$NS_DAEMON_CONF"

ns_snmptrapd_start
ns_snmpd_start
ns_daemon_start "${daemon_args[@]}"
ns_wait_registered
ns_wait_eof $(seq 1 "${#captures[@]}")

ns_walk_to "$NS_TMP/events.walk" -Ox "$NS_OID_NETSENTRY.1.4.8"
events=$(grep -c "^\.$NS_OID_NETSENTRY\.1\.4\.8\.1\.2\." "$NS_TMP/events.walk")
notifications=$("$NS_PYTHON" - "$NS_TMP/events.walk" <<'PYEOF'
import sys
n = 0
for line in open(sys.argv[1]):
    if line.startswith(".1.3.6.1.4.1.99999.1.4.8.1.2."):
        n += 2 if line.split(" = ")[1].strip() == "2" else 1
print(n)
PYEOF
)
ns_info "$events events in nsEventTable; waiting for $notifications" \
    "notifications"
# The coldStart of snmpd is one more line in the log.
ns_wait_traps "$((notifications + 1))" 20 ||
    ns_error "snmptrapd received $(grep -c '^TRAP' "$NS_TRAP_LOG")" \
    "notifications, expected $((notifications + 1))"

if ! "$NS_PYTHON" "$NS_TOOLS/ns_eventcheck.py" "$NS_DATA/events.tsv" \
    "$NS_TMP/events.walk" "$NS_TRAP_LOG" "$NS_DATA" "${sources[@]}"; then
	ns_error "the events differ from tests/data/events.tsv (lines above)"
fi

ns_daemon_check_alive "after the walks"
ns_finish
