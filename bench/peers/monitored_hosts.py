#!/usr/bin/python3
"""Pick the addresses that the peers in bench/peers.sh should protect.

scanlogd only receives packets addressed to its own host, and fastnetmon
only counts traffic of hosts in its networks list, so each capture needs
a set of monitored hosts.  The rule, applied the same way to every
capture:

  initiators = sources of probes: TCP segments with neither ACK nor RST
               (SYN, FIN, NULL, Xmas), UDP, ICMP or ICMPv6 echo requests
  monitored  = unicast destinations of probes, minus initiators

If that leaves nothing (an ACK scan has no probes), the monitored hosts
are the sources of answers: TCP RSTs and SYN-ACKs, ICMP and ICMPv6
errors and echo replies.  If there are none either, every unicast
destination is monitored.  Reads the capture with tshark.

An optional fourth argument, a comma-separated list of CIDR blocks,
replaces the rule for captures where it picks the wrong side
(bench/peers/monitored.tsv).

Writes two files: NETWORKS, one CIDR block a line for fastnetmon, and
ROUTES, "route add local CIDR dev lo" lines for `ip -batch` that make the
IPv4 blocks local to the sensor namespace for scanlogd.  Prints the
number of IPv4 and IPv6 blocks.
"""

import ipaddress
import subprocess
import sys

FIELDS = ("ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "tcp.flags",
          "udp.srcport", "icmp.type", "icmpv6.type")

TH_SYN = 0x02
TH_RST = 0x04
TH_ACK = 0x10

ICMP_PROBES = ("8",)
ICMP_ANSWERS = ("0", "3", "11")
ICMPV6_PROBES = ("128",)
ICMPV6_ANSWERS = ("1", "3", "129")

PROBE = "probe"
ANSWER = "answer"


def classify(tcp_flags, udp, icmp, icmp6):
    """Return PROBE, ANSWER or None for one packet's header fields."""
    if tcp_flags:
        flags = int(tcp_flags, 16)
        if not flags & (TH_ACK | TH_RST):
            return PROBE
        if flags & TH_RST or (flags & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK):
            return ANSWER
        return None
    if udp or icmp in ICMP_PROBES or icmp6 in ICMPV6_PROBES:
        return PROBE
    if icmp in ICMP_ANSWERS or icmp6 in ICMPV6_ANSWERS:
        return ANSWER
    return None


def read_packets(path):
    """Yield (src, dst, kind) for each IP packet of the capture."""
    cmd = ["tshark", "-n", "-r", path, "-T", "fields", "-E",
           "occurrence=f", "-E", "separator=\t"]
    for field in FIELDS:
        cmd += ["-e", field]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    for line in out.stdout.splitlines():
        row = (line.split("\t") + [""] * len(FIELDS))[:len(FIELDS)]
        src4, dst4, src6, dst6, tcp_flags, udp, icmp, icmp6 = row
        src, dst = (src4, dst4) if src4 else (src6, dst6)
        if not src or not dst:
            continue
        # The first occurrence is the outer header, so the packet quoted
        # inside an ICMP error is not taken for a second packet.
        yield ipaddress.ip_address(src), ipaddress.ip_address(dst), \
            classify(tcp_flags, udp, icmp, icmp6)


def is_unicast(addr):
    """Return whether addr can be a host's own address."""
    if addr.is_multicast or addr.is_unspecified:
        return False
    return not (addr.version == 4 and
                addr == ipaddress.IPv4Address("255.255.255.255"))


def monitored_hosts(path):
    """Apply the rule in the module documentation to one capture."""
    initiators, targets, answerers, destinations = set(), set(), set(), set()
    for src, dst, kind in read_packets(path):
        if not is_unicast(dst):
            continue
        destinations.add(dst)
        if kind == PROBE:
            initiators.add(src)
            targets.add(dst)
        elif kind == ANSWER and is_unicast(src):
            answerers.add(src)

    hosts = targets - initiators
    if not hosts:
        hosts = answerers
    if not hosts:
        hosts = destinations
    return sorted(hosts, key=lambda a: (a.version, int(a)))


def main():
    if len(sys.argv) not in (4, 5):
        sys.stderr.write(
            "usage: monitored_hosts.py PCAP NETWORKS ROUTES [CIDR,...]\n")
        return 2

    if len(sys.argv) == 5:
        blocks = [ipaddress.ip_network(c) for c in sys.argv[4].split(",")]
    else:
        blocks = [ipaddress.ip_network(a) for a in
                  monitored_hosts(sys.argv[1])]

    with open(sys.argv[2], "w", encoding="ascii") as networks, \
            open(sys.argv[3], "w", encoding="ascii") as routes:
        for block in blocks:
            networks.write("%s\n" % block)
            if block.version == 4:
                routes.write("route add local %s dev lo\n" % block)

    v4 = sum(1 for b in blocks if b.version == 4)
    print("%d %d" % (v4, len(blocks) - v4))
    return 0


if __name__ == "__main__":
    sys.exit(main())
