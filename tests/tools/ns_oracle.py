#!/usr/bin/python3
"""Compute the traffic counts netsentryd should report for a capture file.

tshark dissects the file and this module counts, per MAC address, per MAC
pair, per IP address and per IP pair, the packets and wire octets
(frame.len) that RMON-MIB (RFC 2819) and NETSENTRY-MIB define:

  - MAC tables: the outermost Ethernet header of every frame of an
    Ethernet (DLT_EN10MB) capture, broadcast and multicast included.
  - IP tables: the outermost IPv4 or IPv6 header of every packet whose
    header is valid.  The IP header quoted inside an ICMP error and the
    inner header of a tunnel are not counted.

The same tshark run also prints its own statistics (-z endpoints and -z
conv), and crosscheck() compares their packet counts with counts made from
the per-frame fields, so a mistake in the field parsing shows up as a
mismatch.  The -z tables round byte counts, so only packets are compared.

Usage:
  ns_oracle.py expect FILE      print the expected counts as JSON
  ns_oracle.py crosscheck FILE  compare the field counts with tshark -z
"""

import ipaddress
import json
import os
import re
import struct
import subprocess
import sys
import xml.etree.ElementTree as ElementTree

# Wireshark reassembles IP fragments by default and then dissects the
# reassembled datagram in the frame that completes it.  netsentryd counts
# every fragment as the packet it is, so reassembly is turned off.
TSHARK_PREFS = ["-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE"]

FIELDS = [
    "frame.number", "frame.len", "frame.time_epoch", "frame.protocols",
    "eth.src", "eth.dst",
    "ip.src", "ip.dst", "ipv6.src", "ipv6.dst",
    "null.type", "ipv6.fraghdr.offset", "_ws.malformed", "tcp.flags",
    "ip.len", "ip.hdr_len", "ip.flags.mf",
]

# Expert fields that tshark adds to an IPv4 or IPv6 header whose version,
# header length or total length is invalid.  A packet whose outermost IP
# header carries one of them is malformed for netsentryd and is left out
# of the IP tables.
IP_INVALID_FIELDS = [
    "ip.bogus_ip_version", "ip.bogus_header_length", "ip.bogus_ip_length",
    "ipv6.bogus_ipv6_version", "ipv6.invalid_header",
    "ipv6.plen_exceeds_framing",
]

# Largest IPv4 datagram whose length fits the 16-bit total length field.
# Linux BIG TCP sends larger ones with a total length of 0.
IPV4_MAX_TOTAL_LENGTH = 65535

BROADCAST_MAC = "ff:ff:ff:ff:ff:ff"

DLT_NULL = 0
DLT_EN10MB = 1

# LINKTYPE_ values in a file header that libpcap's pcap_datalink() turns
# into a different DLT_ value; above 103 the two are equal.  The DLT_
# values are Linux's (libpcap pcap/dlt.h): DLT_RAW is 14 on OpenBSD.
LINKTYPE_TO_DLT = {100: 11, 101: 12, 102: 15, 103: 16}

# MAC host columns, in the order of hostTable (RFC 2819) counters.
MAC_HOST_COLUMNS = ["InPkts", "OutPkts", "InOctets", "OutOctets",
                    "OutBroadcastPkts", "OutMulticastPkts"]
PAIR_COLUMNS = ["Pkts", "Octets"]
IP_HOST_COLUMNS = ["InPkts", "OutPkts", "InOctets", "OutOctets",
                   "SynsSent"]

# TCP flag bits (RFC 9293).  nsIpHostSynsSent counts segments with SYN
# set and ACK, RST and FIN clear.
TCP_FIN, TCP_SYN, TCP_RST, TCP_ACK = 0x01, 0x02, 0x04, 0x10


class OracleError(Exception):
    """A capture that tshark or this module cannot read."""


def read_link_type(path):
    """Return the DLT_ value that pcap_datalink() gives for a pcap file
    or a pcapng file's first interface, from the file header itself."""
    return LINKTYPE_TO_DLT.get(read_file_link_type(path),
                               read_file_link_type(path))


def read_file_link_type(path):
    """Return the LINKTYPE_ value recorded in a capture file's header."""
    with open(path, "rb") as capture:
        head = capture.read(24)
        if len(head) < 24:
            raise OracleError("%s: shorter than a capture file header"
                              % path)
        magic = head[:4]
        if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
            return struct.unpack("<I", head[20:24])[0]
        if magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
            return struct.unpack(">I", head[20:24])[0]
        if magic == b"\x0a\x0d\x0d\x0a":
            return read_pcapng_link_type(capture, head, path)
    raise OracleError("%s: not a pcap or pcapng file" % path)


def read_pcapng_link_type(capture, head, path):
    """Return the link type of the first Interface Description Block."""
    order = "<" if head[8:12] == b"\x4d\x3c\x2b\x1a" else ">"
    offset = struct.unpack(order + "I", head[4:8])[0]
    while True:
        capture.seek(offset)
        block = capture.read(12)
        if len(block) < 12:
            raise OracleError("%s: pcapng file without an interface"
                              % path)
        block_type, block_len = struct.unpack(order + "II", block[:8])
        if block_type == 1:
            return struct.unpack(order + "H", block[8:10])[0]
        if block_len < 12:
            raise OracleError("%s: invalid pcapng block length %d"
                              % (path, block_len))
        offset += block_len


def run_tshark(args):
    """Run tshark with a fixed locale and return its standard output."""
    env = dict(os.environ, LC_ALL="C")
    command = ["tshark", "-n"] + TSHARK_PREFS + args
    result = subprocess.run(command, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE,
                            universal_newlines=True)
    if result.returncode != 0:
        raise OracleError("%s failed (exit %d): %s"
                          % (" ".join(command), result.returncode,
                             result.stderr.strip()))
    return result.stdout


def ip_key(family, text):
    """Return the canonical key of an IP address: 'ipv4 A' or 'ipv6 A'."""
    address = ipaddress.ip_address(text)
    return "%s %s" % (family, address.compressed)


def ip_layers(protocols):
    """Return the IP layers of a frame in order, as (family, quoted)
    pairs, where quoted marks a header inside an ICMP or ICMPv6 error."""
    layers = []
    quoted = False
    for name in protocols.split(":"):
        if name in ("icmp", "icmpv6"):
            quoted = True
        elif name == "ip":
            layers.append(("ipv4", quoted))
        elif name == "ipv6":
            layers.append(("ipv6", quoted))
    return layers


def parse_epoch(text):
    """Return a frame.time_epoch value as [seconds, nanoseconds]."""
    seconds, _, fraction = text.partition(".")
    return [int(seconds), int((fraction + "000000000")[:9])]


def split_field(value):
    return value.split(",") if value else []


class Frame:
    """The fields of one frame that the counts need."""

    def __init__(self, line):
        values = line.rstrip("\n").split("\t")
        if len(values) != len(FIELDS):
            raise OracleError("unexpected tshark line: %r" % line)
        field = dict(zip(FIELDS, values))
        self.number = int(field["frame.number"])
        self.length = int(field["frame.len"])
        self.time = parse_epoch(field["frame.time_epoch"])
        self.protocols = field["frame.protocols"]
        self.eth_src = split_field(field["eth.src"])
        self.eth_dst = split_field(field["eth.dst"])
        self.addresses = {
            "ipv4": list(zip(split_field(field["ip.src"]),
                             split_field(field["ip.dst"]))),
            "ipv6": list(zip(split_field(field["ipv6.src"]),
                             split_field(field["ipv6.dst"]))),
        }
        self.null_type = field["null.type"]
        self.ipv6_fragment_offsets = split_field(
            field["ipv6.fraghdr.offset"])
        self.malformed = field["_ws.malformed"]
        self.tcp_flags = split_field(field["tcp.flags"])
        self.ipv4_len = split_field(field["ip.len"])
        self.ipv4_hdr_len = split_field(field["ip.hdr_len"])
        self.ipv4_more_fragments = split_field(field["ip.flags.mf"])

    def tapped_ip_pairs(self):
        """Return the (source, destination) keys of every IP header that
        tshark 4.0's -z statistics count.  Those are all but the headers
        quoted in ICMP errors (tunnel inner headers included), except
        that tshark counts no IP header whose own dissection failed, and
        no IPv6 fragment after the first when reassembly is off."""
        pairs = []
        used = {"ipv4": 0, "ipv6": 0}
        layers = ip_layers(self.protocols)
        for position, (family, quoted) in enumerate(layers):
            index = used[family]
            used[family] += 1
            if quoted or index >= len(self.addresses[family]):
                continue
            if position == len(layers) - 1 and self.ip_dissection_failed(
                    family):
                continue
            if family == "ipv6" and self.ipv6_later_fragment():
                continue
            source, destination = self.addresses[family][index]
            pairs.append((ip_key(family, source),
                          ip_key(family, destination)))
        return pairs

    def ip_dissection_failed(self, family):
        name = "IPv4" if family == "ipv4" else "IPv6"
        return "[Malformed Packet: %s]" % name in self.malformed

    def ipv6_later_fragment(self):
        # NOTE: only the outermost fragment header is looked at, which is
        # exact for captures without IPv6 tunnels.
        offsets = self.ipv6_fragment_offsets
        return bool(offsets) and offsets[0] != "0"

    def outer_tcp_syn(self):
        """Return whether the transport header right after the outermost
        IP header (and its IPv6 extension headers) is a TCP SYN without
        ACK, RST or FIN.  A TCP header quoted in an ICMP error or carried
        in a tunnel comes later in frame.protocols and is not counted."""
        names = self.protocols.split(":")
        for i, name in enumerate(names):
            if name in ("ip", "ipv6"):
                break
        else:
            return False
        following = [n for n in names[i + 1:] if not n.startswith("ipv6.")]
        if not following or following[0] != "tcp" or not self.tcp_flags:
            return False
        if names[i] == "ip" and self.tiny_first_fragment():
            return False
        flags = int(self.tcp_flags[0], 16)
        return flags & (TCP_SYN | TCP_ACK | TCP_RST | TCP_FIN) == TCP_SYN

    def tiny_first_fragment(self):
        """Return whether the outermost IPv4 header starts a fragmented
        datagram but carries less than a whole 20-byte TCP header.
        tshark shows the flags it has; netsentryd counts the fragment as
        malformed (the tiny fragment attack of RFC 1858) and reads no
        TCP field of it."""
        if not self.ipv4_len or not self.ipv4_hdr_len:
            return False
        payload = int(self.ipv4_len[0]) - int(self.ipv4_hdr_len[0])
        more = self.ipv4_more_fragments[:1] in (["1"], ["True"])
        return more and payload < 20

    def outer_ip_pair(self):
        """Return the keys of the outermost IP header, or None."""
        layers = ip_layers(self.protocols)
        if not layers:
            return None
        family = layers[0][0]
        if not self.addresses[family]:
            return None
        source, destination = self.addresses[family][0]
        return ip_key(family, source), ip_key(family, destination)


def read_outer_ip_details(path):
    """Return ({frame number: reason}, {frame number: address}): the
    frames whose outermost IP header is invalid, and the destination
    field of outermost IPv4 headers that carry a source route option.

    tshark runs here with IPv4 TSO support off, so an IPv4 total length of
    0 is reported as invalid like any total length below the header
    length.  The caller accepts such a packet again when it is a Linux
    BIG TCP packet.  For a source-routed packet tshark's ip.dst is the
    final destination from the option, while the header's destination
    field, which netsentryd counts, is ip.cur_rt.  Both are looked up in
    the PDML tree of the outermost IP layer only, because a tunnel's
    inner header or a header quoted in an ICMP error can carry them too.
    """
    display_filter = " or ".join(IP_INVALID_FIELDS + ["ip.cur_rt"])
    pdml = run_tshark(["-o", "ip.tso_support:FALSE", "-r", path,
                       "-Y", display_filter, "-T", "pdml"])
    invalid = {}
    current_route = {}
    root = ElementTree.fromstring(pdml)
    for packet in root.iter("packet"):
        number, outer = find_outer_ip_layer(packet)
        if number is None or outer is None:
            continue
        for field in outer.iter("field"):
            name = field.get("name")
            if name in IP_INVALID_FIELDS and number not in invalid:
                invalid[number] = field.get("showname") or name
            elif name == "ip.cur_rt" and number not in current_route:
                current_route[number] = field.get("show")
    return invalid, current_route


def find_outer_ip_layer(packet):
    """Return (frame number, PDML element of the first IP layer)."""
    number = None
    outer = None
    for proto in packet.findall("proto"):
        if proto.get("name") == "frame":
            for field in proto.iter("field"):
                if field.get("name") == "frame.number":
                    number = int(field.get("show"))
        if proto.get("name") in ("ip", "ipv6") and outer is None:
            outer = proto
    return number, outer


def read_frames(path, statistics):
    """Run tshark once for the per-frame fields and, when statistics is
    true, the -z tables; return (frames, -z output text)."""
    args = ["-r", path, "-T", "fields", "-E", "occurrence=a",
            "-E", "aggregator=,", "-E", "quote=n"]
    for name in FIELDS:
        args += ["-e", name]
    if statistics:
        for table in ("endpoints,eth", "conv,eth", "endpoints,ip",
                      "endpoints,ipv6", "conv,ip", "conv,ipv6"):
            args += ["-z", table]
    output = run_tshark(args)

    # tshark prints the -z tables after the last frame; each starts with
    # a row of '=' signs, which no field line can start with.
    frames = []
    lines = output.splitlines(True)
    index = 0
    while index < len(lines) and not lines[index].startswith("="):
        frames.append(Frame(lines[index]))
        index += 1
    return frames, "".join(lines[index:])


def new_counter(columns):
    return dict((name, 0) for name in columns)


def add_mac_frame(counts, source, destination, length):
    hosts = counts["mac_hosts"]
    for mac in (source, destination):
        hosts.setdefault(mac, new_counter(MAC_HOST_COLUMNS))
    hosts[source]["OutPkts"] += 1
    hosts[source]["OutOctets"] += length
    hosts[destination]["InPkts"] += 1
    hosts[destination]["InOctets"] += length

    # RFC 2819 hostOutMulticastPkts leaves out broadcast packets; the
    # group bit is the least significant bit of the first octet.
    if destination == BROADCAST_MAC:
        hosts[source]["OutBroadcastPkts"] += 1
    elif int(destination[:2], 16) & 1:
        hosts[source]["OutMulticastPkts"] += 1

    pair = counts["mac_pairs"].setdefault("%s>%s" % (source, destination),
                                          new_counter(PAIR_COLUMNS))
    pair["Pkts"] += 1
    pair["Octets"] += length


def add_ip_packet(counts, source, destination, length, time):
    hosts = counts["ip_hosts"]
    for address in (source, destination):
        hosts.setdefault(address, new_ip_row(IP_HOST_COLUMNS, time))
    hosts[source]["OutPkts"] += 1
    hosts[source]["OutOctets"] += length
    hosts[destination]["InPkts"] += 1
    hosts[destination]["InOctets"] += length
    pair = counts["ip_pairs"].setdefault("%s>%s" % (source, destination),
                                         new_ip_row(PAIR_COLUMNS, time))
    pair["Pkts"] += 1
    pair["Octets"] += length

    # NETSENTRY-MIB: FirstSeen is the time of the packet that created the
    # row, LastSeen that of the latest packet counted in it.  Timestamps
    # in a file can go backwards, so "latest" is the largest.
    for row in (hosts[source], hosts[destination], pair):
        row["LastSeen"] = max(row["LastSeen"], time)


def new_ip_row(columns, time):
    row = new_counter(columns)
    row["FirstSeen"] = time
    row["LastSeen"] = time
    return row


def ip_exclusion(frame, link_type, invalid, big_tcp):
    """Return why a frame's outermost IP header is not counted, or None.

    Each reason is a case where netsentryd's rule and tshark's differ, so
    tshark shows addresses that netsentryd must not count.
    """
    if frame.number in invalid and frame.number not in big_tcp:
        return "invalid IP header: " + invalid[frame.number]
    if link_type == DLT_NULL and frame.null_type:
        # LINKTYPE_NULL carries an address family (2 for IPv4; 24, 28 or
        # 30 for IPv6).  tshark also takes a value that looks like an
        # Ethernet type as one, which the link type does not define.
        return "DLT_NULL header is an Ethernet type, not an address family"
    return None


def find_big_tcp_frames(frames, invalid):
    """Return the numbers of the frames in invalid that are Linux BIG TCP
    packets: IPv4 with a total length of 0 in a frame longer than 65535
    octets.  Only a total length of 0 can make such a header invalid while
    tshark, with TSO support on, still shows its addresses: a version or
    header length fault hides them, and no 16-bit total length can exceed
    the frame."""
    big_tcp = set()
    for frame in frames:
        if frame.number not in invalid:
            continue
        pair = frame.outer_ip_pair()
        if pair is None or not pair[0].startswith("ipv4"):
            continue
        if frame.length > IPV4_MAX_TOTAL_LENGTH:
            big_tcp.add(frame.number)
    return big_tcp


def expected_counts(path, crosscheck_statistics=False):
    """Return the counts netsentryd should report for a capture file.

    With crosscheck_statistics, return (counts, problems) where problems
    lists where tshark's -z tables disagree with the per-frame fields
    (see crosscheck()); both come from one tshark run.
    """
    link_type = read_link_type(path)
    frames, text = read_frames(path, statistics=crosscheck_statistics)
    counts = counts_from_frames(path, link_type, frames)
    if not crosscheck_statistics:
        return counts
    return counts, compare_statistics(path, frames, text)


def counts_from_frames(path, link_type, frames):
    invalid, current_route = read_outer_ip_details(path) if frames else \
        ({}, {})
    big_tcp = find_big_tcp_frames(frames, invalid)
    counts = {
        "file": path, "link_type": link_type,
        "frames": len(frames), "octets": sum(f.length for f in frames),
        "mac_hosts": {}, "mac_pairs": {}, "ip_hosts": {}, "ip_pairs": {},
        "mac_first_seen": {}, "excluded": {},
        "invalid_ip": len(set(invalid) - big_tcp),
    }
    for frame in frames:
        if link_type == DLT_EN10MB and frame.eth_src and frame.eth_dst:
            source, destination = frame.eth_src[0], frame.eth_dst[0]
            add_mac_frame(counts, source, destination, frame.length)
            for mac in (source, destination):
                counts["mac_first_seen"].setdefault(mac, frame.number)

        pair = frame.outer_ip_pair()
        if pair is None:
            continue
        reason = ip_exclusion(frame, link_type, invalid, big_tcp)
        if reason is not None:
            counts["excluded"][str(frame.number)] = reason
            continue
        source, destination = pair
        if frame.number in current_route:
            destination = ip_key("ipv4", current_route[frame.number])
        add_ip_packet(counts, source, destination, frame.length,
                      frame.time)
        if frame.outer_tcp_syn():
            counts["ip_hosts"][source]["SynsSent"] += 1
    return counts


def parse_statistics(text):
    """Parse tshark -z endpoints and conv tables into
    {title: {key: packets}}, where an endpoint key is an address with
    'Tx' or 'Rx' and a conversation key is 'A>B' for packets from A."""
    tables = {}
    title = None
    for line in text.splitlines():
        if line.startswith("=") or not line.strip():
            title = None
            continue
        if title is None:
            title = line.strip()
            tables[title] = {}
            continue
        if line.startswith("Filter:") or "|" in line:
            continue
        parse_statistics_row(tables[title], title, line)
    return tables


CONV_ROW = re.compile(r"^(\S+)\s+<->\s+(\S+)\s+(\d+)\s+\d+\s+\S+\s+"
                      r"(\d+)\s+\d+\s+\S+\s+\d+\s+\d+\s+\S+")
ENDPOINT_ROW = re.compile(r"^(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+"
                          r"(\d+)\s+(\d+)\s*$")


def parse_statistics_row(table, title, line):
    family = "ipv6" if title.startswith("IPv6") else "ipv4"

    def key(address):
        if title.startswith("Ethernet"):
            return address
        return ip_key(family, address)

    if title.endswith("Conversations"):
        match = CONV_ROW.match(line)
        if not match:
            raise OracleError("unexpected tshark -z row: %r" % line)
        a, b = key(match.group(1)), key(match.group(2))
        # Column "<-" counts frames from B to A, column "->" from A to B.
        table["%s>%s" % (b, a)] = table.get("%s>%s" % (b, a), 0) + \
            int(match.group(3))
        table["%s>%s" % (a, b)] = table.get("%s>%s" % (a, b), 0) + \
            int(match.group(4))
    elif title.endswith("Endpoints"):
        match = ENDPOINT_ROW.match(line)
        if not match:
            raise OracleError("unexpected tshark -z row: %r" % line)
        address = key(match.group(1))
        table[address + " Tx"] = int(match.group(4))
        table[address + " Rx"] = int(match.group(6))
    else:
        raise OracleError("unexpected tshark -z table %r" % title)


def tshark_view(frames):
    """Count packets the way tshark's -z taps do: every Ethernet header
    and every IP header not quoted in an ICMP error, from the fields."""
    view = {"Ethernet Endpoints": {}, "Ethernet Conversations": {},
            "IPv4 Endpoints": {}, "IPv4 Conversations": {},
            "IPv6 Endpoints": {}, "IPv6 Conversations": {}}

    def bump(table, key):
        view[table][key] = view[table].get(key, 0) + 1

    for frame in frames:
        for source, destination in zip(frame.eth_src, frame.eth_dst):
            bump("Ethernet Endpoints", source + " Tx")
            bump("Ethernet Endpoints", destination + " Rx")
            bump("Ethernet Conversations", source + ">" + destination)
        for source, destination in frame.tapped_ip_pairs():
            prefix = "IPv6" if source.startswith("ipv6") else "IPv4"
            bump(prefix + " Endpoints", source + " Tx")
            bump(prefix + " Endpoints", destination + " Rx")
            bump(prefix + " Conversations", source + ">" + destination)
    return view


def crosscheck(path):
    """Compare tshark's -z packet counts with counts from the fields.
    Return a list of mismatch lines, empty when they agree."""
    frames, text = read_frames(path, statistics=True)
    return compare_statistics(path, frames, text)


def compare_statistics(path, frames, text):
    tables = parse_statistics(text)
    view = tshark_view(frames)
    problems = []
    for title, counted in sorted(view.items()):
        reported = tables.get(title, {})
        for key in sorted(set(counted) | set(reported)):
            expected = reported.get(key, 0)
            got = counted.get(key, 0)
            if expected != got:
                problems.append("%s: %s %s: tshark -z %d, fields %d"
                                % (path, title, key, expected, got))
    return problems


def main(argv):
    if len(argv) != 3 or argv[1] not in ("expect", "crosscheck"):
        sys.stderr.write(__doc__)
        return 2
    try:
        if argv[1] == "expect":
            json.dump(expected_counts(argv[2]), sys.stdout, indent=1,
                      sort_keys=True)
            sys.stdout.write("\n")
            return 0
        problems = crosscheck(argv[2])
    except (OracleError, OSError) as error:
        sys.stderr.write("ns_oracle.py: %s\n" % error)
        return 2
    for line in problems:
        print(line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
