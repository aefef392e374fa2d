#!/bin/bash
# netsentryd without -f detaches and still reads capture files right:
# the parent processes it leaves must not disturb the files it opened.
#
# Checks that netsentryd returns 0 at once, that the detached daemon
# counts a pcap and a pcapng file exactly (nsCapturePkts equals tshark's
# frame count), and that SIGTERM stops it.

. "${NS_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

ns_init daemon_mode
ns_require_daemon
ns_snmpd_start

captures=("$NS_DATA/benign/smtp_mail.pcap"
    "$NS_DATA/benign/http_ipv4_and_ipv6.pcapng")
conf=$NS_TMP/netsentryd.conf
log=$NS_TMP/daemon.log
ns_daemon_write_conf "$conf"

"$NS_DAEMON" -Lf "$log" -c "$conf" -x "unix:$NS_AGENTX_SOCKET" \
    -r "${captures[0]}" -r "${captures[1]}" ||
    ns_fail "netsentryd without -f exited with status $?"

# The daemon is the process whose command line names this test's log.
NS_DAEMON_PID=
for i in $(seq 1 50); do
	for dir in /proc/[0-9]*; do
		if tr '\0' ' ' <"$dir/cmdline" 2>/dev/null |
		    grep -qF -- "-Lf $log "; then
			NS_DAEMON_PID=${dir#/proc/}
		fi
	done
	[ -n "$NS_DAEMON_PID" ] && break
	sleep 0.1
done
[ -n "$NS_DAEMON_PID" ] || ns_fail "no detached netsentryd found"
ns_track "$NS_DAEMON_PID"
ns_ok "netsentryd detached as pid $NS_DAEMON_PID"

ns_wait_registered 20
ns_wait_eof 1 2
for i in 0 1; do
	f=${captures[$i]}
	want=$(tshark -n -r "$f" 2>/dev/null | wc -l)
	got=$(ns_get_value "$NS_OID_CAPTURE.5.$((i + 1))")
	[ "$got" = "$want" ] &&
	    ns_ok "$(basename "$f"): $got packets, as tshark counts" ||
	    ns_error "$(basename "$f"): nsCapturePkts is '$got'," \
	    "tshark counts $want"
done

kill -TERM "$NS_DAEMON_PID"
for i in $(seq 1 50); do
	[ -d "/proc/$NS_DAEMON_PID" ] || break
	sleep 0.1
done
[ -d "/proc/$NS_DAEMON_PID" ] &&
    ns_error "the daemon still runs 5 s after SIGTERM" ||
    ns_ok "SIGTERM stopped the daemon"
ns_untrack "$NS_DAEMON_PID"

ns_finish
