#!/bin/bash
# Record the captures in tests/data/recorded with real tools: two private
# network namespaces joined by a veth pair, tcpdump on the victim's end,
# and traffic from ping, curl, nmap and hping3 in the other namespace.
# Run as root from the top of the source tree; it replaces the files.
#
#   tests/tools/record_captures.sh
#
# Addresses come from 10.231.0.0/24 and fd00:231::/64, which exist only
# inside the two namespaces, so no packet leaves the machine.
set -eu
cd "$(dirname "$0")/../.."
out=tests/data/recorded
mkdir -p "$out"

victim_ns=nsrec-victim-$$
client_ns=nsrec-client-$$
tmp=$(mktemp -d /tmp/nsrec.XXXXXX)
pids=()

cleanup() {
	local pid

	for pid in "${pids[@]}"; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	ip netns del "$victim_ns" 2>/dev/null || true
	ip netns del "$client_ns" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

ip netns add "$victim_ns"
ip netns add "$client_ns"
ip link add nsrec0 netns "$victim_ns" type veth peer name nsrec1 \
    netns "$client_ns"
for spec in "$victim_ns nsrec0 10.231.0.1 fd00:231::1" \
    "$client_ns nsrec1 10.231.0.2 fd00:231::2"; do
	set -- $spec
	ip -n "$1" link set lo up
	ip -n "$1" addr add "$3/24" dev "$2"
	ip -n "$1" addr add "$4/64" dev "$2" nodad
	ip -n "$1" link set "$2" up
done

# A web server with a 200 kB file on the victim, for curl.
mkdir "$tmp/www"
head -c 200000 /dev/zero >"$tmp/www/file.bin"
(cd "$tmp/www" && exec ip netns exec "$victim_ns" /usr/bin/python3 \
    -m http.server --bind :: 80 >/dev/null 2>&1) &
pids+=($!)
sleep 1

client() {
	ip netns exec "$client_ns" "$@"
}

# Record what the command after the file name sends, on the victim's
# end, and stop tcpdump by pid once the traffic is over.
record() {
	local file=$1 tcpdump_pid

	shift
	ip netns exec "$victim_ns" tcpdump -n -U -s 262144 -i nsrec0 \
	    -Z root -w "$out/$file" 2>/dev/null &
	tcpdump_pid=$!
	sleep 1
	"$@" >/dev/null 2>&1 || true
	sleep 1
	kill -INT "$tcpdump_pid"
	wait "$tcpdump_pid" || true
	echo "record_captures: $file: $(tcpdump -n -r "$out/$file" \
	    2>/dev/null | wc -l) packets"
}

benign() {
	client ping -n -c 5 -i 0.2 10.231.0.1
	client ping -n -c 5 -i 0.2 fd00:231::1
	client curl -s -o /dev/null http://10.231.0.1/file.bin
	client curl -s -o /dev/null 'http://[fd00:231::1]/file.bin'
}

record ping_curl_ipv4_ipv6.pcap benign
record nmap_sS_top100.pcap client nmap -n -Pn -sS -T4 --top-ports 100 \
    10.231.0.1
record nmap_sS_top100_ipv6.pcap client nmap -6 -n -Pn -sS -T4 \
    --top-ports 100 fd00:231::1
record hping3_syn_2000.pcap client hping3 -q -n -S -p 80 -i u200 \
    -c 2000 10.231.0.1
