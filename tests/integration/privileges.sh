#!/bin/bash
# netsentryd opens its sources and the AgentX session as root, then runs
# as the user and group given with -u and -g; -p writes its pid.
#
# Checks:
#   - every uid and gid of the running daemon (real, effective, saved,
#     file system) is the requested one, and it has no supplementary
#     group but that one;
#   - the pid file contains the daemon's pid;
#   - the tables still answer and count the capture exactly;
#   - an unknown user stops start-up with exit status 1 and a message
#     naming the user.
# Uses the system's nobody user and nogroup group.

. "${NS_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

ns_init privileges
ns_require_root privileges
ns_require_daemon
getent passwd nobody >/dev/null || ns_skip "no user nobody"
getent group nogroup >/dev/null || ns_skip "no group nogroup"
uid=$(id -u nobody)
gid=$(getent group nogroup | cut -d: -f3)
ns_snmpd_start

capture=$NS_DATA/benign/smtp_mail.pcap
pidfile=$NS_TMP/netsentryd.pid
ns_daemon_start -u nobody -g nogroup -p "$pidfile" -r "$capture"
ns_wait_registered 20
ns_wait_eof 1

status=/proc/$NS_DAEMON_PID/status
want_ids="$uid $uid $uid $uid"
got=$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "$status")
[ "$got" = "$want_ids" ] && ns_ok "Uid: $got" ||
    ns_error "Uid line is '$got', expected '$want_ids'"
want_ids="$gid $gid $gid $gid"
got=$(awk '/^Gid:/ { print $2, $3, $4, $5 }' "$status")
[ "$got" = "$want_ids" ] && ns_ok "Gid: $got" ||
    ns_error "Gid line is '$got', expected '$want_ids'"
got=$(awk '/^Groups:/ { $1 = ""; print }' "$status" | xargs)
[ "$got" = "$gid" ] && ns_ok "supplementary groups: $got" ||
    ns_error "supplementary groups are '$got', expected '$gid'"

got=$(cat "$pidfile" 2>/dev/null)
[ "$got" = "$NS_DAEMON_PID" ] && ns_ok "pid file contains $got" ||
    ns_error "pid file contains '$got', expected $NS_DAEMON_PID"

want=$(tshark -n -r "$capture" 2>/dev/null | wc -l)
got=$(ns_get_value "$NS_OID_CAPTURE.5.1")
[ "$got" = "$want" ] && ns_ok "nsCapturePkts.1 is $got after the switch" ||
    ns_error "nsCapturePkts.1 is '$got', tshark counts $want"

out=$NS_TMP/baduser.out
timeout 20 "$NS_DAEMON" -f -Le -c "$NS_DAEMON_CONF" \
    -x "unix:$NS_AGENTX_SOCKET" -u nsnosuchuser -r "$capture" \
    >"$out" 2>&1
rc=$?
[ "$rc" = 1 ] && grep -q "user 'nsnosuchuser' not found" "$out" &&
    ns_ok "unknown user: exit 1, $(grep -F nsnosuchuser "$out")" ||
    ns_error "unknown user: exit status $rc, output: $(head -n 3 "$out")"

ns_finish
