#!/bin/bash
# SIGHUP every few hundred milliseconds, switching every detector off and
# on again, while a capture arrives through a FIFO in bursts and in slow
# trickles.  Each reload detaches or attaches the detector thread while
# the reader may be waiting on a full ring.
#
# Checks:
#   - netsentryd responds to GETs and stays up through every reload;
#   - nsCapturePkts.1 reaches the number of frames written, and the
#     source reaches endOfFile(2);
#   - the log shows one "configuration reloaded" line per SIGHUP;
#   - SIGTERM stops netsentryd within 3 s, exit status 0.

. "${NS_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

ns_init reload_stress
ns_require_daemon
ns_snmpd_start

# 2000 sources each scan 10 ports with a SYN and a reset per port, which
# makes 40000 frames, about ten times the ring.
SOURCES=2000
FRAMES=$((SOURCES * 20))
"$NS_PYTHON" "$NS_TOOLS/make_storm.py" "$NS_TMP/storm.pcap" "$SOURCES" ||
    ns_fail "make_storm.py failed"

# The writer alternates a burst of 4000 records with 600 records sent one
# per millisecond, then closes the FIFO so that the daemon reads to the end.
fifo=$NS_TMP/input.fifo
mkfifo "$fifo" || ns_fail "cannot create a FIFO in $NS_TMP"
"$NS_PYTHON" - "$NS_TMP/storm.pcap" "$fifo" <<'EOF' &
import struct
import sys
import time

data = open(sys.argv[1], "rb").read()
records = []
offset = 24
while offset < len(data):
    caplen = struct.unpack("<I", data[offset + 8:offset + 12])[0]
    records.append(data[offset:offset + 16 + caplen])
    offset += 16 + caplen

with open(sys.argv[2], "wb", buffering=0) as out:
    out.write(data[:24])
    i = 0
    while i < len(records):
        out.write(b"".join(records[i:i + 4000]))
        i += 4000
        for record in records[i:i + 600]:
            out.write(record)
            time.sleep(0.001)
        i += 600
EOF
writer=$!
ns_track "$writer"

# NOTE: trapRateLimit keeps its default.  Without a limit, the thousands
# of notifications that these scans raise fill the AgentX socket in both
# directions, and netsentryd and snmpd block each other in sendto().
conf_off=$NS_TMP/off.conf
conf_on=$NS_TMP/on.conf
ns_daemon_write_conf "$conf_off" "detect all off"
ns_daemon_write_conf "$conf_on"
NS_DAEMON_CONF=$NS_TMP/netsentryd.conf
cp "$conf_off" "$NS_DAEMON_CONF"
ns_daemon_start -r "$fifo"
ns_wait_registered 20

# Reload every 150 to 300 ms until the writer is done, and twice more.
hups=0
tail=2
while ns_pid_running "$writer" || [ "$tail" -gt 0 ]; do
	ns_pid_running "$writer" || tail=$((tail - 1))
	if [ $((hups % 2)) = 0 ]; then
		cp "$conf_on" "$NS_DAEMON_CONF"
	else
		cp "$conf_off" "$NS_DAEMON_CONF"
	fi
	kill -HUP "$NS_DAEMON_PID"
	hups=$((hups + 1))
	sleep "0.$((150 + RANDOM % 150))"
	ns_daemon_check_alive "after $hups reloads"
	[ -n "$(ns_get_value "$NS_OID_CAPTURE.5.1")" ] ||
	    ns_error "no answer to a GET of nsCapturePkts.1 after $hups" \
	    "reloads"
done
wait "$writer"
ns_untrack "$writer"
ns_info "$hups reloads while the FIFO was written"

NS_EOF_TIMEOUT=30 ns_wait_eof 1
ns_expect_value "$NS_OID_CAPTURE.5.1" "$FRAMES" "nsCapturePkts.1"

reloads=
for i in $(seq 1 30); do
	reloads=$(grep -c "configuration reloaded" "$NS_DAEMON_LOG")
	[ "$reloads" = "$hups" ] && break
	sleep 0.1
done
[ "$reloads" = "$hups" ] &&
    ns_ok "the log shows $hups reloads" ||
    ns_error "the log shows 'configuration reloaded' $reloads times," \
    "expected $hups"

ns_stop_pid "$NS_DAEMON_PID" 3
ns_untrack "$NS_DAEMON_PID"
[ "$NS_STOP_STATUS" = 0 ] &&
    ns_ok "SIGTERM stopped netsentryd within 3 s, exit status 0" ||
    ns_error "netsentryd exit status '$NS_STOP_STATUS' after SIGTERM" \
    "(137 means it needed SIGKILL)"

ns_finish
