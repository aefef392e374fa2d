#!/bin/bash
# Record the captures in tests/data/detect for the scan and flood detector.
# They hold port scans, address sweeps and SYN floods from nmap and
# hping3, and benign traffic that a detector must not report: a busy web
# server, a resolver that talks to many servers, traceroute.  Two private
# network namespaces are joined by a veth pair, and tcpdump runs on the
# victim's end.  Run as root from the top of the source tree.  The script
# replaces every capture in the folder, then prints the counts that its
# README lists.
#
#   tests/tools/record_detect.sh          record, then count
#   tests/tools/record_detect.sh count    count the existing captures only
#
# Addresses come from 10.232.0.0/16 and fd00:232::/48, which exist only
# inside the two namespaces, so no packet leaves the machine.  Needs
# ip, tcpdump, tshark, nmap, hping3, curl, ab (apache2-utils), traceroute
# and python3.
set -eu
cd "$(dirname "$0")/../.."
out=tests/data/detect

victim_ns=nsdet-victim-$$
client_ns=nsdet-client-$$
victim_if=detv0
client_if=detc0
client4=10.232.0.2
client6=fd00:232::2
tmp=
pids=()

# Stop the services by pid and delete both namespaces, which also
# deletes the veth pair.
cleanup() {
	local pid

	for pid in "${pids[@]}"; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	ip netns del "$victim_ns" 2>/dev/null || true
	ip netns del "$client_ns" 2>/dev/null || true
	[ -z "$tmp" ] || rm -rf "$tmp"
}

# Run a command in a namespace.  Start background processes with "ip
# netns exec" itself, not with these functions, because "$!" of a
# function run with "&" is a subshell's pid.  A signal sent to that pid
# misses the process that the subshell started.
victim() {
	ip netns exec "$victim_ns" "$@"
}

client() {
	ip netns exec "$client_ns" "$@"
}

# Print the victim's ten extra hosts, an IPv4 and an IPv6 address per
# line, so that sweeps of 10.232.1.0/24 and fd00:232:1::/64 find ten.
victim_hosts() {
	local i

	for i in $(seq 1 10); do
		echo "10.232.1.$i fd00:232:1::$i"
	done
}

make_namespaces() {
	local ns

	ip netns add "$victim_ns"
	ip netns add "$client_ns"

	# Without router advertisements to wait for, neither end sends
	# router solicitations, which would otherwise recur in every
	# capture.  The setting must precede the veth pair, which copies
	# "default".
	for ns in "$victim_ns" "$client_ns"; do
		ip netns exec "$ns" sysctl -q -w \
		    net.ipv6.conf.default.accept_ra=0
		ip -n "$ns" link set lo up
	done
	ip link add "$victim_if" netns "$victim_ns" type veth \
	    peer name "$client_if" netns "$client_ns"
}

configure_victim() {
	local addr4 addr6

	ip -n "$victim_ns" addr add 10.232.0.1/24 dev "$victim_if"
	ip -n "$victim_ns" addr add fd00:232::1/64 dev "$victim_if" nodad
	ip -n "$victim_ns" link set "$victim_if" up
	victim_hosts | while read -r addr4 addr6; do
		ip -n "$victim_ns" addr add "$addr4/32" dev lo
		ip -n "$victim_ns" addr add "$addr6/128" dev lo nodad
	done

	# The other 246 addresses of each network are absent, so their
	# packets are dropped without a reply.
	ip -n "$victim_ns" route add blackhole 10.232.1.0/24
	ip -n "$victim_ns" -6 route add blackhole fd00:232:1::/64

	# A default route, as a real server has, so that the victim
	# sends SYN-ACKs to the spoofed sources of a SYN flood.  The
	# client, which does not forward, drops them.
	ip -n "$victim_ns" route add default via "$client4"

	# Turn off ICMP rate limiting, so that a UDP scan gets one port
	# unreachable for each closed port.
	victim sysctl -q -w net.ipv4.icmp_ratelimit=0
	victim sysctl -q -w net.ipv6.icmp.ratelimit=0
	victim sysctl -q -w net.ipv4.icmp_msgs_per_sec=1000000
	victim sysctl -q -w net.ipv4.icmp_msgs_burst=1000000
}

configure_client() {
	ip -n "$client_ns" addr add "$client4/24" dev "$client_if"
	ip -n "$client_ns" addr add "$client6/64" dev "$client_if" nodad
	ip -n "$client_ns" link set "$client_if" up
	ip -n "$client_ns" route add 10.232.1.0/24 via 10.232.0.1
	ip -n "$client_ns" -6 route add fd00:232:1::/64 via fd00:232::1
}

# Write the UDP responder, a stand-in DNS server on port 53.  It binds
# each address on its own socket, so that every reply leaves from the
# address that the query was sent to.
write_udp_responder() {
	cat >"$tmp/udp_responder.py" <<'EOF'
import selectors
import socket
import sys

selector = selectors.DefaultSelector()
for address in sys.argv[1:]:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    sock.bind((address, 53))
    selector.register(sock, selectors.EVENT_READ)

while True:
    for key, _ in selector.select():
        data, peer = key.fileobj.recvfrom(4096)
        reply = bytearray(data)
        # Set the DNS QR bit, so that a query comes back as a response
        # that repeats the question and has no answer records.
        if len(reply) >= 3:
            reply[2] |= 0x80
        key.fileobj.sendto(bytes(reply), peer)
EOF
}

# Write the DNS client.  Each round sends one A query to each server,
# each from a new socket and so from a new random source port, and reads
# the response.
write_dns_client() {
	cat >"$tmp/dns_client.py" <<'EOF'
import random
import socket
import struct
import sys
import time

rounds = int(sys.argv[1])
servers = sys.argv[2:]


def build_query(query_id, name):
    header = struct.pack("!HHHHHH", query_id, 0x0100, 1, 0, 0, 0)
    labels = b"".join(bytes([len(label)]) + label.encode()
                      for label in name.split("."))
    return header + labels + b"\0" + struct.pack("!HH", 1, 1)


timeouts = 0
for round_number in range(rounds):
    for server in servers:
        family = socket.AF_INET6 if ":" in server else socket.AF_INET
        with socket.socket(family, socket.SOCK_DGRAM) as sock:
            sock.settimeout(1.0)
            sock.connect((server, 53))
            name = "host%d.example.test" % random.randrange(1000)
            sock.send(build_query(random.randrange(65536), name))
            try:
                sock.recv(4096)
            except socket.timeout:
                timeouts += 1
        time.sleep(0.01)
if timeouts:
    sys.exit("dns_client: %d of %d queries got no response within 1 s"
             % (timeouts, rounds * len(servers)))
EOF
}

start_services() {
	local addr4 addr6 responder_args=(10.232.0.1 fd00:232::1)

	mkdir "$tmp/www"
	printf '<html><body>%s</body></html>\n' "netsentry test page" \
	    >"$tmp/www/small.html"
	(cd "$tmp/www" && exec ip netns exec "$victim_ns" /usr/bin/python3 \
	    -m http.server --bind :: 80 >/dev/null 2>&1) &
	pids+=($!)

	write_udp_responder
	while read -r addr4 addr6; do
		responder_args+=("$addr4" "$addr6")
	done < <(victim_hosts)
	ip netns exec "$victim_ns" /usr/bin/python3 "$tmp/udp_responder.py" \
	    "${responder_args[@]}" >/dev/null 2>&1 &
	pids+=($!)

	write_dns_client

	# Wait for the services, and for the link-up traffic (duplicate
	# address detection, MLD reports) to end before the first capture.
	sleep 3
}

# Record what the command after the file name sends, on the victim's
# end, and stop tcpdump by pid once the traffic is over.
record() {
	local file=$1 tcpdump_pid status=0

	shift
	ip netns exec "$victim_ns" tcpdump -n -U -s 256 -i "$victim_if" \
	    -Z root -w "$out/$file" 2>/dev/null &
	tcpdump_pid=$!
	sleep 1
	"$@" >"$tmp/command.log" 2>&1 || status=$?
	sleep 1
	kill -INT "$tcpdump_pid"
	wait "$tcpdump_pid" || true

	if [ "$status" -ne 0 ]; then
		echo "record_detect: $file: the command exited with status" \
		    "$status, and its last output lines follow." >&2
		tail -n 5 "$tmp/command.log" >&2
	fi
	echo "record_detect: $file: $(tcpdump -n -r "$out/$file" \
	    2>/dev/null | wc -l) packets"
}

web_busy() {
	local i

	client ab -n 800 -c 20 http://10.232.1.1/small.html
	for i in $(seq 1 200); do
		client curl -s -o /dev/null http://10.232.1.1/small.html
	done
}

dns_many_servers() {
	local addr4 addr6 servers=()

	while read -r addr4 addr6; do
		servers+=("$addr4")
	done < <(victim_hosts)
	client /usr/bin/python3 "$tmp/dns_client.py" 20 "${servers[@]}"
}

mixed_benign() {
	client ping -n -c 5 -i 0.2 10.232.1.1
	client curl -s -o /dev/null http://10.232.1.1/small.html
	client /usr/bin/python3 "$tmp/dns_client.py" 3 10.232.1.1
	client ping -n -c 5 -i 0.2 fd00:232:1::1
}

record_scans() {
	record nmap_sS_vertical.pcap client nmap -n -Pn -sS -T4 -p 1-1000 \
	    10.232.1.1
	record nmap_sT_connect.pcap client nmap -n -Pn -sT -T4 \
	    --top-ports 200 10.232.1.1
	record nmap_sF_fin.pcap client nmap -n -Pn -sF -T4 -p 1-200 10.232.1.1
	record nmap_sN_null.pcap client nmap -n -Pn -sN -T4 -p 1-200 \
	    10.232.1.1
	record nmap_sX_xmas.pcap client nmap -n -Pn -sX -T4 -p 1-200 \
	    10.232.1.1
	record nmap_sA_ack.pcap client nmap -n -Pn -sA -T4 -p 1-200 10.232.1.1
	record nmap_sU_udp.pcap client nmap -n -Pn -sU -T4 -p 1-200 10.232.1.1
	record nmap_sn_arp_sweep.pcap client nmap -n -sn 10.232.0.0/24
	record nmap_sn_routed_sweep.pcap client nmap -n -sn -T4 10.232.1.0/24
	record nmap_sS_horizontal.pcap client nmap -n -Pn -sS -T4 -p 22 \
	    10.232.1.0/24
	record nmap_sS_ipv6_vertical.pcap client nmap -6 -n -Pn -sS -T4 \
	    -p 1-300 fd00:232:1::1
	record nmap_sS_slow.pcap client nmap -n -Pn -sS --scan-delay 2s \
	    --max-retries 0 -p 1-25 10.232.1.2
}

# Record the spoofed flood last, because the victim retransmits its
# SYN-ACKs to the spoofed addresses for about a minute, and they would
# leak into the next capture.
record_floods_and_benign() {
	record hping3_syn_flood.pcap client hping3 -q -n -S -p 80 -i u100 \
	    -c 6000 10.232.1.1
	record web_busy_ab.pcap web_busy
	record dns_resolver_many_servers.pcap dns_many_servers
	record udp_traceroute.pcap client traceroute -n -q 3 10.232.1.1
	record mixed_benign.pcap mixed_benign
	record hping3_syn_flood_rand_source.pcap client hping3 -q -n -S \
	    -p 80 --rand-source -i u100 -c 10000 10.232.1.1
}

# Print the number of distinct lines of the fields (-e options) in the
# packets of a capture that match a display filter.
count_distinct() {
	local file=$1 filter=$2 lines

	shift 2
	lines=$(tshark -n -r "$out/$file" -Y "$filter" -T fields "$@" \
	    2>"$tmp/tshark.err") || {
		echo "record_detect: tshark failed on $file with the filter" \
		    "'$filter': $(grep -v '^Running as' "$tmp/tshark.err" |
		    tail -n 1)" >&2
		exit 1
	}
	if [ -z "$lines" ]; then
		echo 0
	else
		printf '%s\n' "$lines" | sort -u | wc -l
	fi
}

count_packets() {
	count_distinct "$1" "$2" -e frame.number
}

# Display filters for the client's own packets and for the replies sent
# to it.  An ICMP error quotes the header of the packet that caused it,
# and tshark matches the fields of both headers unless the filter names
# the outer one with the layer operator ("ip.src#1", documented in the
# wireshark-filter(4) page of tshark 4.0.17).  ICMP is left out of the
# first two, so that their TCP and UDP ports are never quoted ones.
from_client="(ip.src#1 == $client4 || ipv6.src#1 == $client6)"
from_client="$from_client && !icmp && !icmpv6"
to_client="(ip.dst#1 == $client4 || ipv6.dst#1 == $client6)"
to_client="$to_client && !icmp && !icmpv6"
icmp_unreachable_to_client="icmp.type == 3 && icmp.code == 3"
icmp_unreachable_to_client+=" && ip.dst#1 == $client4"
tcp_destination_fields="-e ip.dst -e ipv6.dst -e tcp.dstport"
tcp_source_fields="-e ip.src -e ipv6.src -e tcp.srcport"

# Count the (target, port) pairs that a TCP scan probed with the given
# flags, and the pairs that replied with a SYN-ACK or with a RST.
count_tcp_scan() {
	local file=$1 flags=$2

	echo "  probed pairs ($flags):" \
	    "$(count_distinct "$file" "$from_client && tcp.flags == $flags" \
	    $tcp_destination_fields)"
	echo "  pairs that sent SYN-ACK:" \
	    "$(count_distinct "$file" "$to_client && tcp.flags == 0x012" \
	    $tcp_source_fields)"
	echo "  pairs that sent RST:" \
	    "$(count_distinct "$file" "$to_client && tcp.flags.reset == 1" \
	    $tcp_source_fields)"
	echo "  targets probed:" \
	    "$(count_distinct "$file" "$from_client && tcp.flags == $flags" \
	    -e ip.dst -e ipv6.dst)"
}

count_udp_scan() {
	local file=$1

	echo "  probed pairs:" \
	    "$(count_distinct "$file" "$from_client && udp" \
	    -e ip.dst -e udp.dstport)"
	echo "  pairs that sent a UDP reply:" \
	    "$(count_distinct "$file" "$to_client && udp" \
	    -e ip.src -e udp.srcport)"
	echo "  ports reported unreachable by ICMP:" \
	    "$(count_distinct "$file" "$icmp_unreachable_to_client" \
	    -e udp.dstport)"
}

count_arp_sweep() {
	local file=$1

	echo "  addresses asked for:" \
	    "$(count_distinct "$file" "arp.opcode == 1 &&
	    arp.src.proto_ipv4 == $client4" -e arp.dst.proto_ipv4)"
	echo "  addresses that replied:" \
	    "$(count_distinct "$file" "arp.opcode == 2" -e arp.src.proto_ipv4)"
}

# Nmap's host discovery of a routed network probes each address with an
# ICMP echo, a SYN to port 443, an ACK to port 80 and an ICMP timestamp
# request, and stops probing an address once it replies.
count_routed_sweep() {
	local file=$1 probe

	echo "  addresses probed:" \
	    "$(count_distinct "$file" "ip.src#1 == $client4" -e ip.dst)"
	for probe in "icmp.type == 8" "icmp.type == 13" \
	    "tcp.flags == 0x002 && tcp.dstport == 443" \
	    "tcp.flags == 0x010 && tcp.dstport == 80"; do
		echo "  addresses probed with $probe:" \
		    "$(count_distinct "$file" "ip.src#1 == $client4 && $probe" \
		    -e ip.dst)"
	done
	echo "  addresses that replied:" \
	    "$(count_distinct "$file" "ip.dst#1 == $client4" -e ip.src)"
}

count_syn_flood() {
	local file=$1 syn="tcp.flags == 0x002"

	echo "  SYN packets: $(count_packets "$file" "$syn")"
	echo "  SYN source addresses:" \
	    "$(count_distinct "$file" "$syn" -e ip.src)"
	echo "  SYN-ACK packets: $(count_packets "$file" "tcp.flags == 0x012")"
	echo "  RST packets: $(count_packets "$file" "tcp.flags.reset == 1")"
}

count_web() {
	local file=$1

	echo "  connections (SYN):" \
	    "$(count_packets "$file" "$from_client && tcp.flags == 0x002")"
	echo "  SYN-ACK packets:" \
	    "$(count_packets "$file" "$to_client && tcp.flags == 0x012")"
	echo "  HTTP requests: $(count_packets "$file" "http.request")"
	echo "  HTTP responses: $(count_packets "$file" "http.response")"
}

count_dns() {
	local file=$1 query="dns.flags.response == 0"

	echo "  queries: $(count_packets "$file" "$query")"
	echo "  responses: $(count_packets "$file" "dns.flags.response == 1")"
	echo "  servers queried: $(count_distinct "$file" "$query" -e ip.dst)"
	echo "  source ports: $(count_distinct "$file" "$query" -e udp.srcport)"
}

count_traceroute() {
	local file=$1 probe="$from_client && udp"

	echo "  UDP probes: $(count_packets "$file" "$probe")"
	echo "  destination ports: $(count_distinct "$file" "$probe" \
	    -e udp.dstport)"
	echo "  ICMP port unreachable:" \
	    "$(count_packets "$file" "$icmp_unreachable_to_client")"
}

# Print, for each capture, the numbers that tests/data/detect/README.md
# lists.
count_all() {
	local file

	for file in $(cd "$out" && ls *.pcap); do
		echo "$file: $(count_packets "$file" "frame") packets"
		case $file in
		nmap_sS_*|nmap_sT_*)
			count_tcp_scan "$file" 0x002 ;;
		nmap_sF_*)
			count_tcp_scan "$file" 0x001 ;;
		nmap_sN_*)
			count_tcp_scan "$file" 0x000 ;;
		nmap_sX_*)
			count_tcp_scan "$file" 0x029 ;;
		nmap_sA_*)
			count_tcp_scan "$file" 0x010 ;;
		nmap_sU_*)
			count_udp_scan "$file" ;;
		nmap_sn_arp_*)
			count_arp_sweep "$file" ;;
		nmap_sn_routed_*)
			count_routed_sweep "$file" ;;
		hping3_syn_flood*)
			count_syn_flood "$file" ;;
		web_*)
			count_web "$file" ;;
		dns_*)
			count_dns "$file" ;;
		udp_traceroute*)
			count_traceroute "$file" ;;
		esac
	done
}

record_all() {
	mkdir -p "$out"
	rm -f "$out"/*.pcap

	make_namespaces
	configure_victim
	configure_client
	start_services

	record_scans
	record_floods_and_benign
}

set -o pipefail
trap cleanup EXIT
tmp=$(mktemp -d /tmp/nsdet.XXXXXX)
case "${1:-}" in
"")
	record_all
	count_all
	;;
count)
	count_all
	;;
*)
	echo "usage: $0 [count]" >&2
	exit 2
	;;
esac
