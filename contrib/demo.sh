#!/bin/sh
# Demo: build netsentryd, start a private snmpd master on 127.0.0.1, feed
# netsentryd a capture (or a live interface) and print its tables with
# snmptable.  Run as root from the top of the source tree.
#
#   sh contrib/demo.sh                 read a web browsing capture and a
#                                      recorded nmap scan
#   sh contrib/demo.sh -r FILE         read another capture
#   sh contrib/demo.sh -i IFACE        monitor a live interface
#   sh contrib/demo.sh -n ...          print the tables once and exit
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)

source_opt="-r"
source_arg="$top/tests/data/benign/http_wikipedia.pcap"
# The second default source is an attack, so the events table has rows.
scan_file="$top/tests/data/detect/nmap_sS_vertical.pcap"
once=0
while getopts "i:nr:" opt; do
	case "$opt" in
	i) source_opt="-i"; source_arg="$OPTARG"; scan_file="" ;;
	r) source_opt="-r"; source_arg="$OPTARG"; scan_file="" ;;
	n) once=1 ;;
	*) echo "usage: demo.sh [-n] [-i IFACE | -r FILE]" >&2; exit 2 ;;
	esac
done

sh contrib/setup-debian.sh

dir=$(mktemp -d /tmp/netsentry-demo.XXXXXX)
chmod 700 "$dir"
pids=""
cleanup() {
	for pid in $pids; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in $pids; do
		wait "$pid" 2>/dev/null || true
	done
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# An unprivileged UDP port that nothing listens on.
port=$(/usr/bin/python3 -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')

cat > "$dir/snmpd.conf" <<CONF
agentAddress udp:127.0.0.1:$port
master agentx
agentXSocket unix:$dir/master.sock
agentXPerms 0660 0700
rocommunity public 127.0.0.1
dontLogTCPWrappersConnects yes
CONF
export SNMP_PERSISTENT_DIR="$dir/persist" MIBS= SNMPCONFPATH="$dir"
mkdir -p "$SNMP_PERSISTENT_DIR"
snmpd -f -C -c "$dir/snmpd.conf" -I -smux -Lf "$dir/snmpd.log" &
pids="$!"

snmp="-v2c -c public 127.0.0.1:$port"
i=0
until snmpget -Oqv $snmp .1.3.6.1.2.1.1.3.0 >/dev/null 2>&1; do
	i=$((i + 1))
	if [ "$i" -gt 50 ]; then
		echo "demo: snmpd did not start; its log:" >&2
		cat "$dir/snmpd.log" >&2
		exit 1
	fi
	sleep 0.2
done

printf 'idleTimeout 0\nagentxPingInterval 1\n' > "$dir/netsentryd.conf"
./netsentryd -f -Lf "$dir/netsentryd.log" -c "$dir/netsentryd.conf" \
    -x "unix:$dir/master.sock" "$source_opt" "$source_arg" \
    ${scan_file:+-r "$scan_file"} &
daemon=$!
pids="$pids $daemon"

# Wait until every file was read (nsCaptureState endOfFile(2)), or a
# live interface runs (running(1)).
state=.1.3.6.1.4.1.99999.1.1.1.4
last=1
[ -n "$scan_file" ] && last=2
i=0
while :; do
	v=$(snmpget -Oqv $snmp "$state.1" "$state.$last" 2>/dev/null |
	    sort -u | tr -d '\n' || true)
	[ "$v" = 2 ] && break
	[ "$source_opt" = "-i" ] && [ "$v" = 1 ] && break
	if ! kill -0 "$daemon" 2>/dev/null; then
		echo "demo: netsentryd exited; its log:" >&2
		cat "$dir/netsentryd.log" >&2
		exit 1
	fi
	i=$((i + 1))
	if [ "$i" -gt 100 ]; then
		echo "demo: netsentryd did not respond in 20 s; its log:" >&2
		cat "$dir/netsentryd.log" >&2
		exit 1
	fi
	sleep 0.2
done

# The standard MIB modules are not in Debian's main archive; use the copy
# beside the project when there is one, else print numeric OIDs.
mibdirs="$top/mibs"
[ -d "$top/../shared/mibs/ietf" ] && mibdirs="$mibdirs:$top/../shared/mibs/ietf"
mibopt="-M +$mibdirs -m RMON-MIB:NETSENTRY-MIB"
# snmptable cannot re-read an OCTET STRING index it printed as text
# (MAC addresses with unprintable octets), so MAC tables use -Ob.
show() {
	echo
	echo "== $1"
	if snmptranslate $mibopt "RMON-MIB::hostTable" >/dev/null 2>&1; then
		snmptable $mibopt ${4:-} -Cb -Ci $snmp "$2" || true
	else
		snmpwalk -On $snmp "$3" || true
	fi
}

while :; do
	show "hostTable (RMON-MIB, per MAC address)" RMON-MIB::hostTable \
	    .1.3.6.1.2.1.16.4.2 -Ob
	show "matrixSDTable (RMON-MIB, per MAC pair)" \
	    RMON-MIB::matrixSDTable .1.3.6.1.2.1.16.6.2 -Ob
	show "nsIpHostTable (NETSENTRY-MIB, per IP address)" \
	    NETSENTRY-MIB::nsIpHostTable .1.3.6.1.4.1.99999.1.2
	show "nsIpMatrixTable (NETSENTRY-MIB, per IP pair)" \
	    NETSENTRY-MIB::nsIpMatrixTable .1.3.6.1.4.1.99999.1.3
	show "nsCaptureTable (NETSENTRY-MIB, per data source)" \
	    NETSENTRY-MIB::nsCaptureTable .1.3.6.1.4.1.99999.1.1
	show "nsEventTable (NETSENTRY-MIB, attacks detected)" \
	    NETSENTRY-MIB::nsEventTable .1.3.6.1.4.1.99999.1.4.8
	echo
	[ "$once" = 1 ] && exit 0
	echo "Poll it yourself while this runs:"
	echo "  MIBS= SNMPCONFPATH=$dir snmpwalk -Ob $mibopt $snmp" \
	    ".1.3.6.1.2.1.16"
	echo "Press Ctrl-C to stop; the tables print again in 30 seconds."

	# wait, unlike a sleep in the foreground, lets a signal end it.
	sleep 30 &
	pids="$pids $!"
	wait $!
done
