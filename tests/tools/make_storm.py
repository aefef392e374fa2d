#!/usr/bin/env python3
"""Write a pcap file in which many sources each probe closed ports.

Usage: make_storm.py OUT SOURCES [FIRST [START [PORTS [spread]]]]

Source i (from FIRST, default 1) is 10.240.i/256.i%256; each sends SYNs
to PORTS ports (default 10) of 10.241.0.1, which answers each with
RST-ACK.  With "spread", source i probes 10.241.i/256.i%256 instead, so
that the scans have a target each and make no distributed scan.  With the default, every source probes ports 1-10, so a
detector sees one vertical scan per source: notify_limits.sh uses that
for storms of events.  With fewer ports, source i probes its own ports
from i * PORTS + 1, too few for a scan of its own: together the
sources make a distributed scan.
"""

import struct
import sys

TARGET = bytes([10, 241, 0, 1])
MAC_A = bytes.fromhex("020000000001")
MAC_B = bytes.fromhex("020000000002")


def frame(src, dst, sport, dport, flags, seq, ack, answer):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags,
                      1024, 0, 0)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0, 64, 6,
                     0, src, dst)
    eth = (MAC_A + MAC_B if answer else MAC_B + MAC_A) + b"\x08\x00"
    return eth + ip + tcp


def main():
    out, sources = sys.argv[1], int(sys.argv[2])
    first = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    usec = int(sys.argv[4]) * 1000000 if len(sys.argv) > 4 else \
        1700000000 * 1000000
    ports = int(sys.argv[5]) if len(sys.argv) > 5 else 10
    spread = len(sys.argv) > 6 and sys.argv[6] == "spread"
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i in range(first, first + sources):
            src = bytes([10, 240, i // 256, i % 256])
            dst = bytes([10, 241, i // 256, i % 256]) if spread else TARGET
            base = 0 if ports == 10 else i * ports
            for port in range(base + 1, base + ports + 1):
                for data in (frame(src, dst, 40000, port, 0x02, 1000, 0,
                                   False),
                             frame(dst, src, port, 40000, 0x14, 0, 1001,
                                   True)):
                    f.write(struct.pack("<IIII", usec // 1000000,
                                        usec % 1000000, len(data),
                                        len(data)))
                    f.write(data)
                    usec += 100


if __name__ == "__main__":
    main()
