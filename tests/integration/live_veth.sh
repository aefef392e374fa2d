#!/bin/bash
# Capture live traffic on a veth pair between two private network
# namespaces and compare netsentryd's counters with tshark's dissection
# of a tcpdump recording made on the same interface at the same time.
#
# The server namespace runs netsentryd (-i on its veth end), tcpdump and
# a Python HTTP server; the client namespace pings the server and
# downloads a file of known size with curl.  IPv6 is off in both, so no
# neighbour discovery or MLD frame arrives outside the recorded window.
#
# Checks:
#   - the download has the file's size and the recording holds the echo
#     requests and replies;
#   - nsCaptureState is running(1), nsCaptureDrops is 0, nsCapturePkts
#     and nsCaptureOctets equal the recording's frame count and bytes;
#   - every hostTable, hostTimeTable, matrix and nsIp table row and
#     counter equals tshark's counts of the recording.
#
# Needs root, working "ip netns" and veth; skips (77) otherwise.

. "${NS_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

ns_init live_veth
ns_require_root "creating network namespaces"
ns_require_cmd ip tcpdump curl ping ss
ns_require_daemon

PING_COUNT=5
FILE_SIZE=300000
HTTP_PORT=8080

# Names unique to this run; veth names have at most 15 characters.
server_ns=ns-live-srv-$$
client_ns=ns-live-cli-$$
server_if=nsv$$s
client_if=nsv$$c
# A /24 that exists only inside the two namespaces.
server_ip=10.211.77.1
client_ip=10.211.77.2

ns_veth_pair "$server_ns" "$server_if" "$server_ip" \
    "$client_ns" "$client_if" "$client_ip"
ns_info "namespaces $server_ns ($server_ip) and $client_ns ($client_ip)"

in_server() {
	ip netns exec "$server_ns" "$@"
}

in_client() {
	ip netns exec "$client_ns" "$@"
}

# The HTTP server starts before any capture, so no frame is sent before
# the capture.
mkdir -p "$NS_TMP/www"
head -c "$FILE_SIZE" /dev/urandom >"$NS_TMP/www/payload.bin"
ns_http_server "$server_ns" "$server_ip" "$HTTP_PORT" "$NS_TMP/www"

ns_snmpd_start
NS_DAEMON_PREFIX="ip netns exec $server_ns"
ns_daemon_start -i "$server_if"
ns_wait_registered
state=$(ns_get_value "$NS_OID_CAPTURE.4.1")
[ "$state" = "$NS_STATE_RUNNING" ] ||
    ns_fail "nsCaptureState.1 is '$state', expected running(1)"

recording=$NS_TMP/live.pcap
in_server tcpdump -n -U -Z root -i "$server_if" -w "$recording" \
    2>"$NS_TMP/tcpdump.err" &
tcpdump_pid=$!
ns_track "$tcpdump_pid"
deadline=$((SECONDS + 10))
until grep -q "listening on" "$NS_TMP/tcpdump.err"; do
	[ "$SECONDS" -lt "$deadline" ] ||
	    ns_fail "tcpdump did not start: $(head -n 3 "$NS_TMP/tcpdump.err")"
	sleep 0.1
done

ns_info "sending $PING_COUNT pings and an HTTP download of $FILE_SIZE bytes"
in_client ping -n -q -c "$PING_COUNT" -i 0.2 "$server_ip" >/dev/null ||
    ns_error "ping from $client_ns to $server_ip failed"
in_client env -u http_proxy -u HTTP_PROXY -u all_proxy -u ALL_PROXY \
    curl -s -S --noproxy '*' --max-time 20 -o "$NS_TMP/download.bin" \
    "http://$server_ip:$HTTP_PORT/payload.bin" ||
    ns_error "curl download from $server_ip failed"
size=$(stat -c %s "$NS_TMP/download.bin" 2>/dev/null)
if [ "${size:-0}" -eq "$FILE_SIZE" ]; then
	ns_ok "downloaded $size bytes over HTTP"
else
	ns_error "downloaded ${size:-no} bytes, expected $FILE_SIZE"
fi

sleep 1
ns_stop_pid "$tcpdump_pid" 5
ns_untrack "$tcpdump_pid"
frames=$(tshark -n -r "$recording" -T fields -e frame.number 2>/dev/null |
    wc -l)
echoes=$(tshark -n -r "$recording" -Y "icmp.type == 8 or icmp.type == 0" \
    -T fields -e frame.number 2>/dev/null | wc -l)
ns_info "tcpdump recorded $frames frames"
if [ "$echoes" -eq $((2 * PING_COUNT)) ]; then
	ns_ok "the recording holds $echoes ICMP echo requests and replies"
else
	ns_error "the recording holds $echoes ICMP echo frames, expected" \
	    "$((2 * PING_COUNT))"
fi

# The daemon reads its capture buffer on its own schedule: wait until it
# has counted as many frames as tcpdump recorded.
deadline=$((SECONDS + 10))
while :; do
	ns_daemon_check_alive "while counting live frames"
	counted=$(ns_get_value "$NS_OID_CAPTURE.5.1")
	[ "$counted" = "$frames" ] && break
	if [ "$SECONDS" -ge "$deadline" ]; then
		ns_error "nsCapturePkts.1 is '$counted' after 10 s," \
		    "tcpdump recorded $frames frames"
		break
	fi
	sleep 0.3
done

drops=$(ns_get_value "$NS_OID_CAPTURE.7.1")
if [ "$drops" = 0 ]; then
	ns_ok "nsCaptureDrops.1 = 0"
else
	ns_error "nsCaptureDrops.1 is '$drops', expected 0"
fi

ns_walk_to "$NS_TMP/rmon.walk" "$NS_OID_RMON"
ns_walk_to "$NS_TMP/netsentry.walk" "$NS_OID_NETSENTRY"
if "$NS_PYTHON" "$NS_TOOLS/ns_walkcmp.py" --state "$NS_STATE_RUNNING" \
    "$NS_TMP/rmon.walk" "$NS_TMP/netsentry.walk" -- "1:$recording"; then
	ns_ok "the live counters equal tshark's counts of the recording"
else
	ns_error "the live counters differ from tshark's counts of the" \
	    "recording"
fi

ns_finish
