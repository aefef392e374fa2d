#!/usr/bin/python3
"""Write hostile capture files for every link type netsentryd decodes.

Usage: craft_hostile.py OUTDIR

Writes pcap and pcapng files into OUTDIR, and OUTDIR/manifest.tsv with
one line per file and these tab-separated columns:

  file         name of the file in OUTDIR
  outcome      eof: netsentryd reads every record and nsCaptureState
               becomes endOfFile(2) with nsCaptureReadErrors 0;
               read_error: it reads the records before a damaged one,
               then nsCaptureState becomes endOfFile(2) with
               nsCaptureReadErrors 1;
               reject: it exits with status 1 at start-up and names
               the file in its message
  packets      records libpcap delivers (eof and read_error), else -
  malformed    the range MIN-MAX that nsCaptureMalformed must fall in
               (eof and read_error), else -
  octets       sum of the records' wire lengths, which nsCaptureOctets
               must equal (eof and read_error), else -
  description  what the file tests

A frame counts as malformed when a header is invalid, or when the
frame's wire length states that a header is present but the frame ends
before it.  A header cut off only by the snapshot length (captured
length below wire length) is not malformed.  A frame past one of the
loop limits in capture/decode.c (8 VLAN tags, 16 MPLS labels, 256 IPv6
extension headers, 64 NFLOG TLVs) is malformed.  Frames whose verdict
depends on a choice the decoder may make either way widen the MAX of
the range.

The script needs only the Python 3 standard library.
"""

import os
import struct
import sys

# Link types as stored in the file header (LINKTYPE_ values).
LT_NULL = 0
LT_ETHERNET = 1
LT_RAW = 101
LT_LOOP = 108
LT_SLL = 113
LT_RADIOTAP = 127
LT_USER0 = 147
LT_IPV4 = 228
LT_IPV6 = 229
LT_NFLOG = 239
LT_SLL2 = 276

ETH_IPV4 = 0x0800
ETH_ARP = 0x0806
ETH_VLAN = 0x8100
ETH_IPV6 = 0x86dd
ETH_MPLS = 0x8847
ETH_PPPOE = 0x8864
ETH_QINQ = 0x88a8
ETH_QINQ_OLD = 0x9100

IP_HOPOPTS = 0
IP_ICMP = 1
IP_TCP = 6
IP_UDP = 17
IP_ROUTING = 43
IP_FRAGMENT = 44
IP_AH = 51
IP_ICMPV6 = 58
IP_NONE = 59
IP_DSTOPTS = 60
IP_EXPERIMENT = 253

MAC_A = bytes.fromhex("020000000001")
MAC_B = bytes.fromhex("020000000002")
IP4_A = bytes([192, 0, 2, 1])
IP4_B = bytes([198, 51, 100, 2])
IP6_A = bytes.fromhex("20010db8000000000000000000000001")
IP6_B = bytes.fromhex("20010db8000000000000000000000002")

# Largest captured length that libpcap 1.10.3 accepts in a pcap record
# of these link types: a record of 262145 bytes makes it report a read
# error.
PCAP_MAX_SNAPLEN = 262144

# Verdicts of one frame.
BAD = "bad"
GOOD = "good"
EITHER = "either"


class Frame:
    """One packet record: its bytes, lengths, time and verdict."""

    def __init__(self, data, verdict, caplen=None, wirelen=None,
                 sec=1700000000, usec=0):
        self.data = data
        self.verdict = verdict
        self.caplen = len(data) if caplen is None else caplen
        self.wirelen = len(data) if wirelen is None else wirelen
        self.sec = sec
        self.usec = usec


# Headers, outermost last: each builder takes its payload.

def be16(v):
    return struct.pack(">H", v & 0xffff)


def be32(v):
    return struct.pack(">I", v & 0xffffffff)


def udp(payload=b"", ulen=None, sport=53, dport=5353):
    if ulen is None:
        ulen = 8 + len(payload)
    return be16(sport) + be16(dport) + be16(ulen) + be16(0) + payload


def tcp(payload=b"", doff=5, flags=0x02, options=None):
    if options is None:
        options = bytes(max(0, doff * 4 - 20))
    return (be16(40000) + be16(80) + be32(1) + be32(0) +
            bytes([(doff & 0xf) << 4, flags]) + be16(65535) + be16(0) +
            be16(0) + options + payload)


def icmp(payload=b"\0" * 4, icmp_type=8):
    return bytes([icmp_type, 0]) + be16(0) + payload


def ipv4(payload, proto=IP_UDP, ihl=5, totlen=None, version=4,
         frag=0, src=IP4_A, dst=IP4_B):
    options = bytes(max(0, ihl * 4 - 20))
    if totlen is None:
        totlen = 20 + len(options) + len(payload)
    return (bytes([(version << 4) | (ihl & 0xf), 0]) + be16(totlen) +
            be16(0x1234) + be16(frag) + bytes([64, proto]) + be16(0) +
            src + dst + options + payload)


def ipv6(payload, nh=IP_UDP, plen=None, src=IP6_A, dst=IP6_B):
    if plen is None:
        plen = len(payload)
    return (be32(0x60000000) + be16(plen) + bytes([nh, 64]) + src + dst +
            payload)


def ext_header(nh, body_units=0):
    """An IPv6 Hop-by-Hop, Routing or Destination Options header."""
    return bytes([nh, body_units]) + bytes(6 + 8 * body_units)


def frag_header(nh, offset=0, more=0, ident=7):
    return bytes([nh, 0]) + be16((offset & 0xfff8) | more) + be32(ident)


def ether(payload, ethertype=ETH_IPV4, dst=MAC_B, src=MAC_A):
    return dst + src + be16(ethertype) + payload


def vlan_tags(tpids, inner_type):
    """Tag headers after the outer EtherType: TCI, then next type."""
    out = b""
    types = list(tpids[1:]) + [inner_type]

    for i, next_type in enumerate(types):
        out += be16(100 + i) + be16(next_type)
    return out


def mpls(labels, payload, bottom=True):
    out = b""

    for i in range(labels):
        bos = 1 if bottom and i == labels - 1 else 0
        out += be32(((1000 + i) << 12) | (bos << 8) | 64)
    return out + payload


def pppoe(payload, ver_type=0x11, code=0, length=None):
    if length is None:
        length = len(payload)
    return bytes([ver_type, code]) + be16(0x0001) + be16(length) + payload


def sll(payload, proto=ETH_IPV4, hatype=1, halen=6):
    return (be16(0) + be16(hatype) + be16(halen) + MAC_A + b"\0\0" +
            be16(proto) + payload)


def sll2(payload, proto=ETH_IPV4, hatype=1, halen=6):
    return (be16(proto) + be16(0) + be32(2) + be16(hatype) +
            bytes([0, halen & 0xff]) + MAC_A + b"\0\0" + payload)


def null_le(family, payload):
    return struct.pack("<I", family) + payload


def loop(family, payload):
    return be32(family) + payload


def wifi_data(body, fc=0x0008, seq=0):
    """802.11 data frame (From DS clear, To DS clear) with its body."""
    return (struct.pack("<H", fc) + b"\0\0" + MAC_B + MAC_A + MAC_A +
            struct.pack("<H", seq) + body)


def llc_snap(ethertype, payload):
    return b"\xaa\xaa\x03\0\0\0" + be16(ethertype) + payload


def radiotap(payload, present_words=(0,), fields=b"", version=0,
             rtlen=None):
    header = b"".join(struct.pack("<I", w) for w in present_words) + fields
    if rtlen is None:
        rtlen = 4 + len(header)
    return bytes([version, 0]) + struct.pack("<H", rtlen) + header + payload


def nflog_tlv(tlv_type, value, tlen=None):
    """One NFLOG TLV in little-endian host order, padded to 4 bytes."""
    if tlen is None:
        tlen = 4 + len(value)
    body = struct.pack("<HH", tlen & 0xffff, tlv_type) + value
    return body + bytes(-len(body) % 4)


def nflog(tlvs, family=2, version=0):
    return bytes([family, version]) + be16(0) + b"".join(tlvs)


# Valid base frames: one per link type.  Cutting them is part of the
# attack, so each carries headers down to the transport layer.

def base_frames():
    ip4_udp = ipv4(udp(b"hello"))
    ip6_tcp = ipv6(ext_header(IP_DSTOPTS) + ext_header(IP_TCP) +
                   tcp(b"x", doff=6), nh=IP_HOPOPTS)
    arp = (be16(1) + be16(ETH_IPV4) + bytes([6, 4]) + be16(1) + MAC_A +
           IP4_A + bytes(6) + IP4_B)
    return {
        "ether_ipv4": (LT_ETHERNET, ether(ip4_udp)),
        "ether_vlan_ipv6": (LT_ETHERNET, ether(
            vlan_tags([ETH_QINQ, ETH_VLAN], ETH_IPV6) + ip6_tcp,
            ETH_QINQ)),
        "ether_mpls_ipv4": (LT_ETHERNET, ether(
            mpls(3, ipv4(tcp(b"y"), proto=IP_TCP)), ETH_MPLS)),
        "ether_pppoe_ipv4": (LT_ETHERNET, ether(
            pppoe(be16(0x0021) + ip4_udp), ETH_PPPOE)),
        "ether_arp": (LT_ETHERNET, ether(arp, ETH_ARP)),
        "sll_ipv4": (LT_SLL, sll(ip4_udp)),
        "sll2_ipv6": (LT_SLL2, sll2(ip6_tcp, ETH_IPV6)),
        "null_ipv4": (LT_NULL, null_le(2, ip4_udp)),
        "loop_ipv6": (LT_LOOP, loop(24, ip6_tcp)),
        "raw_icmp": (LT_RAW, ipv4(icmp(), proto=IP_ICMP)),
        "ipv6_icmpv6": (LT_IPV6, ipv6(icmp(icmp_type=128),
                                      nh=IP_ICMPV6)),
        "radiotap_ipv4": (LT_RADIOTAP, radiotap(wifi_data(
            llc_snap(ETH_IPV4, ip4_udp)))),
        "nflog_ipv4": (LT_NFLOG, nflog([nflog_tlv(1, bytes(4)),
                                        nflog_tlv(9, ip4_udp)])),
    }


def cuts_snap(link, data):
    """Return the frame cut at every byte by the snapshot length only."""
    return [Frame(data[:i], GOOD, wirelen=len(data))
            for i in range(len(data))]


def cuts_wire(link, data):
    """Return the frame itself ending at every byte.

    Each cut leaves a header that runs past the end of the frame, except
    in NFLOG, where a cut between two TLVs leaves a shorter but valid TLV
    list.
    """
    verdict = EITHER if link == LT_NFLOG else BAD
    return [Frame(data[:i], verdict) for i in range(len(data))]


# Frames for each link type and layer.

def frames_vlan():
    ip = ipv4(udp(b"v"))
    frames = []

    for depth in range(1, 9):
        tpids = [(ETH_VLAN, ETH_QINQ, ETH_QINQ_OLD)[i % 3]
                 for i in range(depth)]
        frames.append(Frame(ether(vlan_tags(tpids, ETH_IPV4) + ip,
                                  tpids[0]), GOOD))

    for depth in (9, 16, 100, 700):
        tpids = [ETH_VLAN] * depth
        frames.append(Frame(ether(vlan_tags(tpids, ETH_IPV4) + ip,
                                  ETH_VLAN), BAD))

    # Tags up to the end of the frame, ending inside a tag.  Below the
    # limit of 8 tags, a snapshot cut there is not malformed.
    for depth in range(1, 8):
        tags = vlan_tags([ETH_VLAN] * depth, ETH_VLAN)
        for extra in (0, 2):
            frames.append(Frame(ether(tags + b"\x00" * extra, ETH_VLAN),
                                BAD))
            cut = ether(tags + b"\x00" * extra, ETH_VLAN)
            frames.append(Frame(cut, GOOD, wirelen=len(cut) + 100))

    for runt in range(14):
        frames.append(Frame(ether(b"")[:runt], BAD))
    frames.append(Frame(ether(b"\0" * 46, 46), GOOD))
    frames.append(Frame(ether(b"\0" * 46, 0xffff), GOOD))
    frames.append(Frame(ether(b"", 0x0000), GOOD))
    return frames


def frames_mpls():
    ip4 = ipv4(udp(b"m"))
    ip6 = ipv6(udp(b"m"))
    frames = [Frame(ether(mpls(n, ip4), ETH_MPLS), GOOD)
              for n in range(1, 17)]
    frames.append(Frame(ether(mpls(2, ip6), ETH_MPLS), GOOD))
    frames.append(Frame(ether(mpls(1, be32(0) + ip4), ETH_MPLS), GOOD))
    frames.append(Frame(ether(mpls(17, ip4), ETH_MPLS), BAD))
    frames.append(Frame(ether(mpls(1000, b"", bottom=False), ETH_MPLS),
                        BAD))

    for n in range(1, 17):
        frames.append(Frame(ether(mpls(n, b"", bottom=False), ETH_MPLS),
                            BAD))
        frames.append(Frame(ether(mpls(n, b"\x45", bottom=False) +
                                  b"\x45\x00", ETH_MPLS), BAD))
    frames.append(Frame(ether(mpls(1, b""), ETH_MPLS), BAD))
    frames.append(Frame(ether(mpls(1, b"\x45"), ETH_MPLS), BAD))
    vlan = vlan_tags([ETH_VLAN], ETH_MPLS)
    frames.append(Frame(ether(vlan + mpls(2, ip4), ETH_VLAN), GOOD))
    return frames


def frames_pppoe():
    ip4 = be16(0x0021) + ipv4(udp(b"p"))
    ip6 = be16(0x0057) + ipv6(udp(b"p"))
    frames = [
        Frame(ether(pppoe(ip4), ETH_PPPOE), GOOD),
        Frame(ether(pppoe(ip6), ETH_PPPOE), GOOD),
        Frame(ether(pppoe(be16(0xc021) + b"\x01\x01\x00\x04"),
                    ETH_PPPOE), GOOD),
        Frame(ether(pppoe(ip4) + bytes(20), ETH_PPPOE), GOOD),
        Frame(ether(pppoe(ip4, ver_type=0x12), ETH_PPPOE), BAD),
        Frame(ether(pppoe(ip4, ver_type=0x21), ETH_PPPOE), BAD),
        Frame(ether(pppoe(ip4, code=0x09), ETH_PPPOE), BAD),
        Frame(ether(pppoe(b"", length=0), ETH_PPPOE), BAD),
        Frame(ether(pppoe(b"\x00", length=1), ETH_PPPOE), BAD),
        Frame(ether(pppoe(ip4, length=0xffff), ETH_PPPOE), BAD),
        Frame(ether(pppoe(ip4, length=len(ip4) + 1), ETH_PPPOE), BAD),
        Frame(ether(b"\x11\x00\x00\x01\x00", ETH_PPPOE), BAD),
    ]

    # Every odd length shorter than the payload cuts the IP header or
    # the datagram that its total length announces.
    for length in range(1, len(ip4), 2):
        frames.append(Frame(ether(pppoe(ip4, length=length), ETH_PPPOE),
                            BAD))
    return frames


def frames_sll():
    """Return Linux cooked v1 and v2 frames as (link, frame) pairs."""
    ip4 = ipv4(udp(b"s"))
    pairs = []

    for halen in (0, 6, 8, 9, 255, 0xffff):
        pairs.append((LT_SLL, Frame(sll(ip4, halen=halen), GOOD)))
        pairs.append((LT_SLL2, Frame(sll2(ip4, halen=halen), GOOD)))
    netlink = b"\0" * 16
    pairs += [
        (LT_SLL, Frame(sll(netlink, proto=16, hatype=824), GOOD)),
        (LT_SLL2, Frame(sll2(netlink, proto=16, hatype=824), GOOD)),
        (LT_SLL, Frame(sll(vlan_tags([ETH_VLAN], ETH_IPV4) + ip4,
                           proto=ETH_VLAN), GOOD)),
        (LT_SLL, Frame(sll(b"\0" * 20, proto=0x0004), GOOD)),
        (LT_SLL, Frame(sll(ip4, proto=ETH_IPV6), BAD)),
        (LT_SLL2, Frame(sll2(ip4, proto=ETH_IPV6), BAD)),
    ]
    pairs += [(LT_SLL, Frame(sll(b"")[:n], BAD)) for n in range(16)]
    pairs += [(LT_SLL2, Frame(sll2(b"")[:n], BAD)) for n in range(20)]
    return pairs


def frames_null(link):
    ip4 = ipv4(udp(b"n"))
    ip6 = ipv6(udp(b"n"))
    pack = null_le if link == LT_NULL else loop
    frames = [Frame(pack(2, ip4), GOOD)]

    for family in (24, 28, 30):
        frames.append(Frame(pack(family, ip6), GOOD))

    for family in (0, 1, 3, 10, 17, 23, 0x7fffffff, 0xffffffff):
        frames.append(Frame(pack(family, ip4), GOOD))
    frames.append(Frame(pack(2, ip6), BAD))
    frames.append(Frame(pack(30, ip4), BAD))
    frames += [Frame(pack(2, b"")[:n], BAD) for n in range(4)]
    if link == LT_NULL:
        # A host of the other byte order wrote the family.
        frames.append(Frame(loop(2, ip4), GOOD))
        frames.append(Frame(loop(30, ip6), GOOD))
    else:
        frames.append(Frame(null_le(2, ip4), GOOD))
    return frames


def frames_radiotap():
    ip4 = ipv4(udp(b"r"))
    body = llc_snap(ETH_IPV4, ip4)
    data = wifi_data(body)
    frames = [
        Frame(radiotap(data), GOOD),
        Frame(radiotap(data, version=1), BAD),
        Frame(radiotap(data, version=0xff), BAD),
        Frame(radiotap(data, rtlen=0xffff), BAD),
        Frame(radiotap(data, rtlen=len(data) + 9), BAD),
        # The Flags field announces an FCS, and the frame carries one.
        Frame(radiotap(data + b"\xde\xad\xbe\xef", present_words=(2,),
                       fields=b"\x10", rtlen=9), GOOD),
        # DATAPAD with a 24-byte header, already a multiple of 4.
        Frame(radiotap(data, present_words=(2,), fields=b"\x20",
                       rtlen=9), GOOD),
        # TSFT then Flags, but the header ends before Flags, and a
        # header with both fields.
        Frame(radiotap(data, present_words=(3,)), GOOD),
        Frame(radiotap(data, present_words=(3,), fields=bytes(9)), GOOD),
        # Management frame, protected data, null data: no body decoded.
        Frame(radiotap(wifi_data(body, fc=0x0080)), GOOD),
        Frame(radiotap(wifi_data(body, fc=0x4008)), GOOD),
        Frame(radiotap(wifi_data(b"", fc=0x0048)), GOOD),
        # Later fragment: body is not LLC.
        Frame(radiotap(wifi_data(body, seq=3)), GOOD),
        # Body that is not RFC 1042 LLC.
        Frame(radiotap(wifi_data(b"\xaa\xaa\x03\x00\x00\x01\x08\x00" +
                                 ip4)), GOOD),
        Frame(radiotap(wifi_data(b"")), BAD),
        Frame(radiotap(wifi_data(b"\xaa\xaa\x03")), BAD),
        Frame(radiotap(wifi_data(b"", fc=0x0308)[:20]), BAD),
        Frame(radiotap(b""), BAD),
        Frame(radiotap(b"\x08"), BAD),
    ]

    for rtlen in range(8):
        frames.append(Frame(radiotap(data, rtlen=rtlen), BAD))

    # A chain of presence words, each announcing another, up to the
    # header's end and past it.
    for words in (2, 16, 17, 40):
        chain = [0x80000000] * (words - 1) + [0]
        frames.append(Frame(radiotap(data, present_words=chain), GOOD))
        endless = [0x80000002] * words
        frames.append(Frame(radiotap(data, present_words=endless),
                            GOOD))

    # A header longer than the frame's capture but not its wire length.
    cut = radiotap(data, rtlen=200)[:60]
    frames.append(Frame(cut, GOOD, wirelen=300))

    # FCS flag on a frame too short to hold an FCS after the header.
    frames.append(Frame(radiotap(b"\x08\x00", present_words=(2,),
                                 fields=b"\x10", rtlen=9), BAD))
    return frames


def frames_nflog():
    ip4 = ipv4(udp(b"f"))
    ip6 = ipv6(udp(b"f"))
    prefix = nflog_tlv(10, b"prefix\0")
    frames = [
        Frame(nflog([prefix, nflog_tlv(9, ip4)]), GOOD),
        Frame(nflog([nflog_tlv(9, ip6)], family=10), GOOD),
        Frame(nflog([nflog_tlv(0x8009, ip4)]), GOOD),
        Frame(nflog([nflog_tlv(0x4009, ip4)]), GOOD),
        Frame(nflog([nflog_tlv(9, ip4)], family=7), GOOD),
        Frame(nflog([]), GOOD),
        Frame(nflog([prefix]), GOOD),
        Frame(nflog([nflog_tlv(9, ip4)], version=1), BAD),
        Frame(nflog([nflog_tlv(9, ip4)], family=10), BAD),
        Frame(nflog([nflog_tlv(9, ip6)], family=2), BAD),
        Frame(nflog([nflog_tlv(9, ip4, tlen=0xffff)]), BAD),
        Frame(nflog([nflog_tlv(9, ip4, tlen=0x100)]), BAD),
        Frame(nflog([nflog_tlv(9, ip4, tlen=len(ip4) + 3)]), BAD),
        Frame(nflog([nflog_tlv(1, b"")] * 65), BAD),
        Frame(nflog([nflog_tlv(1, b"")] * 64), GOOD),
        Frame(nflog([nflog_tlv(1, b"")] * 64 + [nflog_tlv(9, ip4)]), BAD),
        Frame(nflog([nflog_tlv(1, b"")] * 63 + [nflog_tlv(9, ip4)]), GOOD),
        Frame(b"\x02\x00\x00", BAD),
        Frame(b"", BAD),
    ]

    for tlen in range(4):
        frames.append(Frame(nflog([nflog_tlv(1, bytes(8), tlen=tlen)]),
                            BAD))

    # The last TLV states an unpadded length: its padding would end past
    # the frame, so the list ends there.
    last = struct.pack("<HH", 5, 1) + b"z"
    frames.append(Frame(nflog([prefix]) + last, GOOD))
    return frames


def frames_ipv4():
    """Return raw IPv4 frames: every IHL with every edge total length."""
    frames = []
    frame_len = 60

    for ihl in range(16):
        hlen = ihl * 4
        for totlen in sorted({0, 1, 19, 20, hlen - 1, hlen, hlen + 4,
                              frame_len - 1, frame_len, frame_len + 1,
                              0xffff}):
            if totlen < 0:
                continue
            data = ipv4(b"", proto=IP_EXPERIMENT, ihl=ihl, totlen=totlen)
            data = (data + bytes(frame_len))[:frame_len]
            good = ihl >= 5 and hlen <= totlen <= frame_len
            frames.append(Frame(data, GOOD if good else BAD))

    for version in range(16):
        if version in (4, 6):
            continue
        frames.append(Frame(ipv4(udp(), version=version), BAD))

    # Linux BIG TCP: total length 0 on a packet over 65535 bytes.
    big = ipv4(tcp(bytes(70000), flags=0x10), proto=IP_TCP, totlen=0)
    frames.append(Frame(big, GOOD))
    frames.append(Frame(ipv4(tcp(b"", flags=0x10), proto=IP_TCP,
                             totlen=0), BAD))

    # A later fragment has no transport header to check.  A first
    # fragment must hold the fixed TCP header, but not its options.
    frames.append(Frame(ipv4(b"\xff" * 3, proto=IP_TCP, frag=0x0001),
                        GOOD))
    frames.append(Frame(ipv4(tcp(b"", doff=15, options=b"")[:20],
                             proto=IP_TCP, frag=0x2000), GOOD))
    frames.append(Frame(ipv4(tcp()[:12], proto=IP_TCP, frag=0x2000), BAD))
    frames.append(Frame(ipv4(udp(ulen=4000)[:8], frag=0x2000), GOOD))
    frames.append(Frame(ipv4(udp(b"x"), ihl=15), GOOD))

    # Trailing bytes past the total length are link padding.
    frames.append(Frame(ipv4(udp(b"x")) + bytes(30), GOOD))
    return frames


def frames_ipv6():
    """Return raw IPv6 frames: payload lengths, extension chains."""
    frames = [
        Frame(ipv6(udp(b"6")), GOOD),
        Frame(ipv6(udp(b"6"), plen=100), BAD),
        Frame(ipv6(udp(b"6"), plen=0xffff), BAD),
        Frame(ipv6(udp(b"6")) + bytes(10), GOOD),
        Frame(ipv6(b"", nh=IP_NONE), GOOD),
        Frame(ipv6(b"", nh=IP_UDP), BAD),
        Frame(ipv6(b"")[:39], BAD),
        Frame(ipv6(b"", plen=0, nh=IP_NONE) + bytes(8), GOOD),
    ]

    for count in (1, 2, 100, 255):
        chain = b"".join(ext_header(IP_DSTOPTS) for _ in range(count - 1))
        chain += ext_header(IP_UDP)
        frames.append(Frame(ipv6(chain + udp(b"e"), nh=IP_DSTOPTS), GOOD))

    # Chains of 256 headers and more, each naming another Hop-by-Hop
    # header, so the chain never reaches an upper layer.
    for count in (256, 257, 1000, 8000):
        chain = b"".join(ext_header(IP_HOPOPTS) for _ in range(count))
        frames.append(Frame(ipv6(chain, nh=IP_HOPOPTS), BAD))

    # A header whose length runs past the payload.
    frames.append(Frame(ipv6(bytes([IP_UDP, 255]) + bytes(6),
                             nh=IP_ROUTING), BAD))
    frames.append(Frame(ipv6(bytes([IP_UDP, 255]) + bytes(6),
                             nh=IP_AH), BAD))
    frames.append(Frame(ipv6(bytes([IP_UDP]), nh=IP_DSTOPTS), BAD))

    # AH counts 4-byte words less 2.
    ah = bytes([IP_UDP, 1]) + bytes(10)
    frames.append(Frame(ipv6(ah + udp(b"a"), nh=IP_AH), GOOD))

    # Fragments: atomic, first, later with garbage after the header.
    frames.append(Frame(ipv6(frag_header(IP_UDP) + udp(b"f"),
                             nh=IP_FRAGMENT), GOOD))
    frames.append(Frame(ipv6(frag_header(IP_UDP, more=1) +
                             udp(b"f", ulen=3000), nh=IP_FRAGMENT), GOOD))
    frames.append(Frame(ipv6(frag_header(IP_DSTOPTS, offset=8) +
                             b"\xff" * 9, nh=IP_FRAGMENT), GOOD))
    frames.append(Frame(ipv6(frag_header(IP_FRAGMENT) * 50 +
                             frag_header(IP_UDP) + udp(),
                             nh=IP_FRAGMENT), GOOD))

    # Jumbogram (RFC 2675): payload length 0, payload over 65535.
    jumbo = (bytes([IP_UDP, 0, 0xc2, 4]) + be32(70008 + 8) +
             udp(bytes(70000), ulen=0))
    frames.append(Frame(ipv6(jumbo, nh=IP_HOPOPTS, plen=0), GOOD))
    return frames


def frames_transport():
    frames = []

    for doff in range(16):
        for payload_len in (0, 20, 40, 60):
            seg = tcp(b"", doff=doff)[:20] + bytes(payload_len)
            good = doff >= 5 and doff * 4 <= len(seg)
            frames.append(Frame(ipv4(seg, proto=IP_TCP),
                                GOOD if good else BAD))
            frames.append(Frame(ipv6(seg, nh=IP_TCP),
                                GOOD if good else BAD))

    # Options cut by the snapshot length only.
    seg = tcp(b"", doff=15)
    pkt = ipv4(seg, proto=IP_TCP)
    frames.append(Frame(pkt[:50], GOOD, wirelen=len(pkt)))

    for ulen in (0, 1, 7, 8, 9, 100, 0xffff):
        seg = udp(b"x", ulen=ulen)
        good = 8 <= ulen <= len(seg)
        frames.append(Frame(ipv4(seg), GOOD if good else BAD))
        frames.append(Frame(ipv6(seg), GOOD if good else BAD))

    for n in range(8):
        frames.append(Frame(ipv4(icmp()[:n], proto=IP_ICMP), BAD))

    for n in range(4):
        frames.append(Frame(ipv6(icmp()[:n], nh=IP_ICMPV6), BAD))

    # The decoder reads no ICMP header in IPv6 and no ICMPv6 header in
    # IPv4.
    frames.append(Frame(ipv6(b"", nh=IP_ICMP), GOOD))
    frames.append(Frame(ipv4(b"", proto=IP_ICMPV6), GOOD))

    # An ICMP error quoting a malformed packet is itself valid.
    quoted = ipv4(b"", ihl=2, totlen=5)
    frames.append(Frame(ipv4(icmp(b"\0" * 4 + quoted, icmp_type=3),
                             proto=IP_ICMP), GOOD))
    return frames


def frames_record_headers():
    """Return valid Ethernet frames with odd record header fields."""
    data = ether(ipv4(udp(b"h")))
    n = len(data)
    frames = [
        Frame(data, GOOD, wirelen=10),
        Frame(data, GOOD, wirelen=0),
        Frame(b"", BAD, wirelen=0),
        Frame(b"", GOOD, wirelen=n),
        Frame(b"", GOOD, wirelen=0xffffffff),
        Frame(data, GOOD, wirelen=0xffffffff),
        Frame(data, GOOD, wirelen=0x7fffffff),
        Frame(data[:20], GOOD, wirelen=n + 1),
    ]

    # Timestamps going backwards, to zero, near 2^31 and 2^32, and a
    # microsecond field past one second.
    for sec, usec in ((1700000000, 0), (1600000000, 0), (0, 0),
                      (0x7fffffff, 999999), (0x80000000, 0),
                      (0xfffffffe, 0), (0xffffffff, 0xffffffff),
                      (1, 0), (0xffffffff, 0), (1700000000, 5000000)):
        frames.append(Frame(data, GOOD, sec=sec, usec=usec))
    return frames


# File writers.

def pcap_header(link, snaplen=65535, magic=0xa1b2c3d4, major=2, minor=4,
                order="<"):
    return struct.pack(order + "IHHiIII", magic, major, minor, 0, 0,
                       snaplen, link)


def pcap_record(frame, order="<"):
    return (struct.pack(order + "IIII", frame.sec & 0xffffffff,
                        frame.usec & 0xffffffff, frame.caplen & 0xffffffff,
                        frame.wirelen & 0xffffffff) + frame.data)


def pcap_file(link, frames, snaplen=PCAP_MAX_SNAPLEN, order="<"):
    return (pcap_header(link, snaplen, order=order) +
            b"".join(pcap_record(f, order) for f in frames))


def pcapng_block(block_type, body, length=None, trailer=None):
    body += bytes(-len(body) % 4)
    if length is None:
        length = 12 + len(body)
    if trailer is None:
        trailer = length
    return (struct.pack("<II", block_type, length & 0xffffffff) + body +
            struct.pack("<I", trailer & 0xffffffff))


def pcapng_shb(length=None, trailer=None, magic=0x1a2b3c4d):
    body = struct.pack("<IHHq", magic, 1, 0, -1)
    return pcapng_block(0x0a0d0d0a, body, length, trailer)


def pcapng_option(code, value):
    return (struct.pack("<HH", code, len(value)) + value +
            bytes(-len(value) % 4))


def pcapng_idb(link=LT_ETHERNET, snaplen=0, options=b""):
    if options:
        options += pcapng_option(0, b"")
    return pcapng_block(1, struct.pack("<HHI", link, 0, snaplen) + options)


def pcapng_epb(data, iface=0, ts=0, caplen=None, wirelen=None,
               length=None):
    if caplen is None:
        caplen = len(data)
    if wirelen is None:
        wirelen = len(data)
    body = struct.pack("<IIIII", iface, (ts >> 32) & 0xffffffff,
                       ts & 0xffffffff, caplen & 0xffffffff,
                       wirelen & 0xffffffff) + data
    return pcapng_block(6, body, length)


class Output:
    """Writer of the capture files and of the manifest lines."""

    def __init__(self, outdir):
        self.outdir = outdir
        self.lines = []

    def write(self, name, content):
        with open(os.path.join(self.outdir, name), "wb") as f:
            f.write(content)

    def frames(self, name, link, frames, description,
               snaplen=PCAP_MAX_SNAPLEN):
        """Write a pcap file of frames with the counts they imply."""
        self.write(name, pcap_file(link, frames, snaplen))
        bad = sum(1 for f in frames if f.verdict == BAD)
        either = sum(1 for f in frames if f.verdict == EITHER)
        octets = sum(f.wirelen for f in frames)
        self.add(name, "eof", len(frames), bad, bad + either, octets,
                 description)

    def mixed_links(self, name, pairs, description):
        """Write one pcap file for each link type in (link, frame) pairs."""
        for link in sorted({link for link, _ in pairs}):
            frames = [f for lt, f in pairs if lt == link]
            self.frames("%s_lt%d.pcap" % (name, link), link, frames,
                        description)

    def add(self, name, outcome, packets="-", low="-", high="-",
            octets="-", description=""):
        malformed = "-" if low == "-" else "%d-%d" % (low, high)
        self.lines.append("\t".join(str(v) for v in (
            name, outcome, packets, malformed, octets, description)))

    def manifest(self):
        header = ("file\toutcome\tpackets\tmalformed\toctets\t"
                  "description\n")
        self.write("manifest.tsv",
                   (header + "\n".join(self.lines) + "\n").encode())


def write_frame_files(out):
    out.frames("ether_vlan.pcap", LT_ETHERNET, frames_vlan(),
               "VLAN stacks 1-700 deep, stacks running off the frame, "
               "runts")
    out.frames("ether_mpls.pcap", LT_ETHERNET, frames_mpls(),
               "MPLS stacks 1-1000 deep, without bottom of stack")
    out.frames("ether_pppoe.pcap", LT_ETHERNET, frames_pppoe(),
               "PPPoE with bad version, code and odd lengths")
    out.mixed_links("sll", frames_sll(),
                    "Linux cooked v1 and v2 with bogus address lengths")
    out.frames("null.pcap", LT_NULL, frames_null(LT_NULL),
               "DLT_NULL with odd families, both byte orders")
    out.frames("loop.pcap", LT_LOOP, frames_null(LT_LOOP),
               "DLT_LOOP with odd families")
    out.frames("radiotap.pcap", LT_RADIOTAP, frames_radiotap(),
               "radiotap with bogus versions, lengths and presence chains")
    out.frames("nflog.pcap", LT_NFLOG, frames_nflog(),
               "NFLOG with bogus TLV lengths and counts")
    ip4 = frames_ipv4()
    out.frames("raw_ipv4.pcap", LT_RAW, ip4,
               "IPv4: every IHL with every total length, fragments")
    out.frames("dlt_ipv4.pcap", LT_IPV4, ip4,
               "IPv4 frames as LINKTYPE_IPV4")
    out.frames("raw_ipv6.pcap", LT_RAW, frames_ipv6(),
               "IPv6 payload lengths, extension chains up to 8000 long")
    out.frames("raw_transport.pcap", LT_RAW, frames_transport(),
               "TCP data offsets 0-15, UDP lengths, short ICMP")
    out.frames("record_headers.pcap", LT_ETHERNET, frames_record_headers(),
               "caplen > wirelen, caplen 0, wirelen 0 and 2^32-1, "
               "timestamps backwards and near 2^32")
    out.frames("unknown_link.pcap", LT_USER0,
               [Frame(b"", GOOD), Frame(b"\xff" * 100, GOOD)],
               "a link type the decoder does not know")

    for name, (link, data) in sorted(base_frames().items()):
        out.frames("cut_snap_%s.pcap" % name, link, cuts_snap(link, data),
                   "frame cut at every byte by the snapshot length")
        out.frames("cut_wire_%s.pcap" % name, link, cuts_wire(link, data),
                   "frame ending at every byte")


def write_pcap_files(out):
    """Write pcap files with damaged headers and records."""
    good = ether(ipv4(udp(b"g")))
    frame = Frame(good, GOOD)
    rec = pcap_record(frame)
    header = pcap_header(LT_ETHERNET)
    n = len(good)

    out.write("empty.pcap", b"")
    out.add("empty.pcap", "reject", description="empty file")
    out.write("short_header.pcap", header[:10])
    out.add("short_header.pcap", "reject", description="file header cut short")
    out.write("header_only.pcap", header)
    out.add("header_only.pcap", "eof", 0, 0, 0, 0, "no records")
    out.write("bad_version.pcap", pcap_header(LT_ETHERNET, major=1) + rec)
    out.add("bad_version.pcap", "reject", description="version 1.4")
    out.write("zero_magic.pcap", bytes(4096))
    out.add("zero_magic.pcap", "reject", description="4 KiB of zero bytes")

    # libpcap cuts a record longer than the snapshot length to it.
    small = pcap_header(LT_ETHERNET, snaplen=20)
    out.write("caplen_over_snaplen.pcap", small + rec + rec)
    out.add("caplen_over_snaplen.pcap", "eof", 2, 0, 0, 2 * n,
            "records longer than the file's snapshot length")

    for name, caplen in (("caplen_2g", 0x80000000),
                         ("caplen_4g", 0xffffffff),
                         ("caplen_max_plus_1", PCAP_MAX_SNAPLEN + 1)):
        bad = struct.pack("<IIII", 1, 0, caplen, caplen) + good
        out.write(name + ".pcap", header + rec + bad + rec)
        out.add(name + ".pcap", "read_error", 1, 0, 0, n,
                "record with caplen %#x after a good one" % caplen)
    out.write("record_cut.pcap", header + rec + rec[:30])
    out.add("record_cut.pcap", "read_error", 1, 0, 0, n,
            "last record cut inside its data")
    out.write("record_header_cut.pcap", header + rec + rec[:9])
    out.add("record_header_cut.pcap", "read_error", 1, 0, 0, n,
            "last record header cut short")

    for snaplen in (0, 1, 0x7fffffff, 0xffffffff):
        name = "snaplen_%#x.pcap" % snaplen
        out.write(name, pcap_header(LT_ETHERNET, snaplen=snaplen) + rec)
        out.add(name, "eof", 1, 0, 0, n, "file snapshot length %#x"
                % snaplen)

    # Big-endian and nanosecond files with the same records.
    out.write("big_endian.pcap", pcap_file(
        LT_ETHERNET, frames_record_headers(), order=">"))
    frames = frames_record_headers()
    out.add("big_endian.pcap", "eof", len(frames), 1, 1,
            sum(f.wirelen for f in frames), "big-endian record headers")
    nano = pcap_header(LT_ETHERNET, magic=0xa1b23c4d)
    nano_rec = pcap_record(Frame(good, GOOD, usec=0xffffffff))
    out.write("nanosecond_overflow.pcap", nano + nano_rec + rec)
    out.add("nanosecond_overflow.pcap", "eof", 2, 0, 0, 2 * n,
            "nanosecond file with a fraction past one second")

    # The link type field carries FCS bits above the type.
    out.write("fcs_bits_link.pcap",
              pcap_header(0x14000001) + rec)
    out.add("fcs_bits_link.pcap", "eof", 1, 0, 0, n,
            "link type with the FCS-present bits set")


def write_pcapng_files(out):
    """Write pcapng files with bogus block and option lengths."""
    good = ether(ipv4(udp(b"n")))
    n = len(good)
    shb = pcapng_shb()
    idb = pcapng_idb()
    epb = pcapng_epb(good)

    out.write("ng_shb_only.pcapng", shb)
    out.add("ng_shb_only.pcapng", "reject",
            description="section header without interfaces")

    for length in (0, 4, 12, 13, 27, 0xfffffffc, 0xffffffff):
        name = "ng_shb_len_%#x.pcapng" % length
        out.write(name, pcapng_shb(length=length) + idb + epb)
        out.add(name, "reject", description="section header block length %#x"
                % length)

    # libpcap 1.10.3 does not compare the trailing length of a section
    # header with the leading one.
    out.write("ng_shb_trailer.pcapng", pcapng_shb(trailer=0x1c + 4) +
              idb + epb)
    out.add("ng_shb_trailer.pcapng", "eof", 1, 0, 0, n,
            "section header trailing length differs")
    out.write("ng_shb_magic.pcapng", pcapng_shb(magic=0x12345678) + idb)
    out.add("ng_shb_magic.pcapng", "reject",
            description="section header with an unknown byte-order magic")

    body = shb + idb + epb

    for length in (0, 8, 13, 0x7ffffff0, 0xfffffff0):
        name = "ng_epb_len_%#x.pcapng" % length
        out.write(name, body + pcapng_epb(good, length=length) + epb)
        out.add(name, "read_error", 1, 0, 0, n,
                "enhanced packet block length %#x" % length)

    # The block pads the data to 4 bytes, so n + 8 is the first
    # captured length that runs past it.
    for caplen in (n + 8, 0x7fffffff, 0xffffffff):
        name = "ng_epb_caplen_%#x.pcapng" % caplen
        out.write(name, body + pcapng_epb(good, caplen=caplen))
        out.add(name, "read_error", 1, 0, 0, n,
                "enhanced packet block caplen %#x" % caplen)
    out.write("ng_epb_iface.pcapng", body + pcapng_epb(good, iface=7))
    out.add("ng_epb_iface.pcapng", "read_error", 1, 0, 0, n,
            "packet on an interface without a description")
    out.write("ng_epb_wirelen.pcapng",
              body + pcapng_epb(good, wirelen=0) +
              pcapng_epb(good, wirelen=0xffffffff))
    out.add("ng_epb_wirelen.pcapng", "eof", 3, 0, 0, n + 0xffffffff,
            "enhanced packet blocks with wire length 0 and 2^32-1")
    out.write("ng_no_idb.pcapng", shb + epb)
    out.add("ng_no_idb.pcapng", "reject",
            description="packet before any interface description")
    out.write("ng_cut.pcapng", body + epb[:20])
    out.add("ng_cut.pcapng", "read_error", 1, 0, 0, n,
            "last block cut short")

    # Timestamps: resolution and offset options at their limits.
    big_ts = (1 << 64) - 1

    for name, options in (
            ("tsresol_2_63", pcapng_option(9, b"\xbf")),
            ("tsresol_10_19", pcapng_option(9, b"\x13")),
            ("tsresol_10_0", pcapng_option(9, b"\x00")),
            ("tsresol_2_0", pcapng_option(9, b"\x80")),
            ("tsoffset_max", pcapng_option(14, struct.pack(
                "<q", (1 << 63) - 1))),
            ("tsoffset_min", pcapng_option(14, struct.pack(
                "<q", -(1 << 63))))):
        data = (shb + pcapng_idb(options=options) +
                pcapng_epb(good, ts=big_ts) + pcapng_epb(good, ts=0) +
                pcapng_epb(good, ts=1 << 40))
        out.write("ng_%s.pcapng" % name, data)
        out.add("ng_%s.pcapng" % name, "eof", 3, 0, 0, 3 * n,
                "interface option %s with timestamps 0, 2^40 and 2^64-1"
                % name)

    # An option that runs past its block.
    bad_option = struct.pack("<HH", 2, 0xfff0) + b"eth0"
    out.write("ng_option_len.pcapng",
              shb + pcapng_idb(options=bad_option) + epb)
    out.add("ng_option_len.pcapng", "reject",
            description="interface option length past the block")

    # Two interfaces of different link types.
    out.write("ng_two_links.pcapng",
              shb + idb + pcapng_idb(LT_RAW) + epb +
              pcapng_epb(ipv4(udp()), iface=1) + epb)
    out.add("ng_two_links.pcapng", "read_error", 0, 0, 0, 0,
            "second interface of another link type")

    # A block of an unknown type between packets is skipped.
    out.write("ng_unknown_block.pcapng", body +
              pcapng_block(0x0badf00d, bytes(64)) + epb)
    out.add("ng_unknown_block.pcapng", "eof", 2, 0, 0, 2 * n,
            "unknown block type between packets")
    out.write("ng_second_section_be.pcapng", body +
              be32(0x0a0d0d0a) + be32(28) + be32(0x1a2b3c4d) +
              be16(1) + be16(0) + b"\xff" * 8 + be32(28) +
              be32(1) + be32(20) + be16(LT_ETHERNET) + be16(0) +
              be32(0) + be32(20) +
              be32(6) + be32(32 + len(good) + (-n % 4)) + be32(0) +
              be32(0) + be32(0) + be32(n) + be32(n) + good +
              bytes(-n % 4) + be32(32 + n + (-n % 4)))

    # libpcap 1.10.3 reads the length of the new section header in the
    # byte order of the old section, so it reports a block of 469762048
    # bytes (28 byte-swapped) and stops.
    out.add("ng_second_section_be.pcapng", "read_error", 1, 0, 0, n,
            "second section in big-endian byte order")


def main(argv):
    if len(argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    os.makedirs(argv[1], exist_ok=True)
    out = Output(argv[1])
    write_frame_files(out)
    write_pcap_files(out)
    write_pcapng_files(out)
    out.manifest()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
