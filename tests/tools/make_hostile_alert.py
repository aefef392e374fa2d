#!/usr/bin/env python3
"""Write a pcap file whose DNS answers give hostile names to a scanner.

Usage: make_hostile_alert.py OUT

A DNS response from 10.0.0.53 binds the scanner 10.240.0.1 and its
target 10.241.0.1 to names whose labels carry CR, LF, a header line
("Bcc: victim@example.com"), a NUL, UTF-8 text, shell syntax and labels
of the maximum 63 octets.  Then 10.240.0.1 probes ports 1-20 of
10.241.0.1, which answers each SYN with RST-ACK: a vertical SYN scan
whose alert carries both names.
"""

import struct
import sys

SCANNER = bytes([10, 240, 0, 1])
TARGET = bytes([10, 241, 0, 1])
RESOLVER = bytes([10, 0, 0, 53])
MAC_A = bytes.fromhex("020000000001")
MAC_B = bytes.fromhex("020000000002")

SCANNER_LABELS = [
    b"evil\r\nBcc: victim@example.com\r\nX-Injected: yes",
    "caf\u00e9-\u2603".encode(),
    b"a" * 63,
    b"$(touch /tmp/netsentry-pwned);`id`|x",
    b"nul\x00byte",
    b"example",
]
TARGET_LABELS = [b"b" * 63, b"c" * 63, b"d" * 63, b"e" * 50, b"test"]


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    return ~total & 0xffff


def ipv4(src, dst, proto, payload):
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0,
                         64, proto, 0, src, dst)
    header = header[:10] + struct.pack("!H", checksum(header)) + header[12:]
    return header + payload


def ether(src, payload):
    macs = MAC_B + MAC_A if src != TARGET else MAC_A + MAC_B
    return macs + b"\x08\x00" + payload


def name(labels):
    return b"".join(bytes([len(label)]) + label for label in labels) + b"\0"


def dns_response():
    answers = b""
    for labels, addr in ((SCANNER_LABELS, SCANNER), (TARGET_LABELS, TARGET)):
        answers += name(labels) + struct.pack("!HHIH", 1, 1, 300, 4) + addr
    question = name(SCANNER_LABELS) + struct.pack("!HH", 1, 1)
    header = struct.pack("!HHHHHH", 0x1234, 0x8180, 1, 2, 0, 0)
    payload = header + question + answers
    udp = struct.pack("!HHHH", 53, 33333, 8 + len(payload), 0) + payload
    return ether(RESOLVER, ipv4(RESOLVER, TARGET, 17, udp))


def tcp(src, dst, sport, dport, flags, seq, ack):
    segment = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4,
                          flags, 1024, 0, 0)
    return ether(src, ipv4(src, dst, 6, segment))


def main():
    usec = 1700000000 * 1000000
    frames = [dns_response()]
    for port in range(1, 21):
        frames.append(tcp(SCANNER, TARGET, 40000, port, 0x02, 1000, 0))
        frames.append(tcp(TARGET, SCANNER, port, 40000, 0x14, 0, 1001))
    with open(sys.argv[1], "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for data in frames:
            f.write(struct.pack("<IIII", usec // 1000000, usec % 1000000,
                                len(data), len(data)))
            f.write(data)
            usec += 1000


if __name__ == "__main__":
    main()
