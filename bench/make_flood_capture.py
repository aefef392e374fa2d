#!/usr/bin/python3
"""Write a pcap file of a SYN flood from spoofed sources that never repeat.

Every frame is a 60-byte Ethernet frame carrying IPv4 and a TCP SYN
without options, all to one target, 192.0.2.80 port 80 (documentation,
RFC 5737).  Frame n comes from its own source address, a bijection of n
on 30 bits (multiplications by odd constants and xor-shifts) placed in
128.0.0.0/2.  So no two of the first 2**30 frames share a source, and
every source is unicast, outside 0/8, 127/8 and 224/3.  The source port
(32768 to 65535), sequence number and IP identification come from a
second mix of the source, and the IP and TCP checksums are correct.
Frames are --rate per second of packet time, evenly spaced, from
2023-11-14 22:13:20 UTC.  MAC addresses are locally administered (02:..).
Nothing is sent: the addresses only exist in the file.  Ten million
frames take 760 MB.

The file is written in chunks of at most 65,536 frames, without a
Python step per frame: a chunk starts as copies of one record template,
and each field that varies is computed for the whole chunk at once.
The values of a field sit in one Python integer as 64-bit lanes (frame
i in bits 64*i to 64*i+63), so one addition, shift or mask of that
integer is the same step for every frame.  Every step keeps each lane
below 2**64, so no carry crosses into the next frame.  The lanes are
then converted to bytes and copied into the chunk one byte column at a
time with a slice of step RECORD_LEN.

usage: make_flood_capture.py [-n FRAMES] [--rate FRAMES_PER_S] -o OUT.pcap
"""

import argparse
import struct
import sys

DLT_EN10MB = 1
SNAPLEN = 262144
FRAME_LEN = 60
RECORD_LEN = 16 + FRAME_LEN             # pcap record header and frame
START_SEC = 1_700_000_000
MAX_CHUNK = 65536
LANE_BYTES = 8

TARGET = bytes([192, 0, 2, 80])         # RFC 5737
TARGET_PORT = 80
SOURCE_NET = 0x80000000                 # 128.0.0.0/2
SOURCE_BITS = 30
SRC_MAC = bytes([0x02, 0, 0, 0, 0, 0x01])
DST_MAC = bytes([0x02, 0, 0, 0, 0, 0x02])
TTL = 64
IP_DONT_FRAGMENT = 0x4000
PROTO_TCP = 6
TCP_SYN = 0x02
TCP_WINDOW = 64240

# Offsets in a record: the pcap record header (16 bytes), Ethernet (14),
# IPv4 (20), TCP (20), then 6 bytes of Ethernet padding.
OFF_SEC = 0
OFF_USEC = 4
OFF_IP_ID = 16 + 14 + 4
OFF_IP_SUM = 16 + 14 + 10
OFF_IP_SRC = 16 + 14 + 12
OFF_TCP_SPORT = 16 + 34
OFF_TCP_SEQ = 16 + 34 + 4
OFF_TCP_SUM = 16 + 34 + 16


def record_template():
    """Return one record with every field that does not vary filled in."""
    header = struct.pack("<IIII", 0, 0, FRAME_LEN, FRAME_LEN)
    eth = DST_MAC + SRC_MAC + struct.pack("!H", 0x0800)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, 0, IP_DONT_FRAGMENT,
                     TTL, PROTO_TCP, 0, bytes(4), TARGET)
    tcp = struct.pack("!HHIIBBHHH", 0, TARGET_PORT, 0, 0, 5 << 4, TCP_SYN,
                      TCP_WINDOW, 0, 0)
    record = header + eth + ip + tcp
    return record + bytes(RECORD_LEN - len(record))


def words_sum(data):
    """Return the sum of the big-endian 16-bit words of data."""
    return sum(struct.unpack(f"!{len(data) // 2}H", data))


def checksum_bases(template):
    """Return the word sums of the template's IPv4 header and TCP segment.

    The fields that vary are zero in the template, so they add nothing.
    The TCP sum includes the pseudo-header.
    """
    ip = template[16 + 14:16 + 34]
    tcp = template[16 + 34:16 + 54]
    pseudo = TARGET + struct.pack("!BBH", 0, PROTO_TCP, len(tcp))
    return words_sum(ip), words_sum(pseudo) + words_sum(tcp)


class Lanes:
    """Constants for arithmetic on count 64-bit lanes of one integer."""

    def __init__(self, count):
        self.count = count
        self.ones = self.constant(1)
        self.index = int.from_bytes(b"".join(
            i.to_bytes(LANE_BYTES, "little") for i in range(count)),
            "little")

    def constant(self, value):
        """Return an integer with value in every lane."""
        return int.from_bytes(value.to_bytes(LANE_BYTES, "little") *
                              self.count, "little")

    def mask(self, bits):
        return self.constant((1 << bits) - 1)

    def to_bytes(self, value):
        return value.to_bytes(self.count * LANE_BYTES, "little")


class FloodFields:
    """The varying fields of a chunk of frames, computed in lanes."""

    def __init__(self, lanes, ip_base, tcp_base):
        self.lanes = lanes
        self.low15 = lanes.mask(15)
        self.low16 = lanes.mask(16)
        self.low30 = lanes.mask(SOURCE_BITS)
        self.low32 = lanes.mask(32)
        self.source_net = lanes.constant(SOURCE_NET)
        self.high_ports = lanes.constant(0x8000)
        self.ip_base = lanes.constant(ip_base)
        self.tcp_base = lanes.constant(tcp_base)
        self.mix_add = lanes.constant(0x2545F491)
        self.seq_add = lanes.constant(0x6A09E667)

    def sources(self, first):
        """Return the source addresses of frames first, first + 1, ...

        Multiplying by an odd number and x ^= x >> k are bijections on
        [0, 2**30), so distinct frame numbers give distinct addresses.
        """
        x = (self.lanes.index + first * self.lanes.ones) & self.low30
        x = (x * 0x9E3779B1 + self.mix_add) & self.low30
        x ^= (x >> 15) & self.low30
        x = (x * 0x85EBCA6B) & self.low30
        x ^= (x >> 13) & self.low30
        x = (x * 0xC2B2AE35) & self.low30
        x ^= (x >> 16) & self.low30
        return x | self.source_net

    def fold(self, total):
        """Return the checksum of a word sum: carries folded, complemented."""
        total = (total & self.low16) + ((total >> 16) & self.low16)
        total = (total & self.low16) + ((total >> 16) & self.low16)
        return total ^ self.low16

    def compute(self, first):
        """Return {record offset: (value lanes, size in bytes)}."""
        src = self.sources(first)
        seq = (src * 0x27D4EB2F + self.seq_add) & self.low32
        src_words = ((src >> 16) & self.low16) + (src & self.low16)
        seq_words = ((seq >> 16) & self.low16) + (seq & self.low16)
        ip_id = seq & self.low16
        sport = ((seq >> 17) & self.low15) | self.high_ports
        ip_sum = self.fold(self.ip_base + ip_id + src_words)
        tcp_sum = self.fold(self.tcp_base + src_words + sport + seq_words)
        return {OFF_IP_ID: (ip_id, 2), OFF_IP_SUM: (ip_sum, 2),
                OFF_IP_SRC: (src, 4), OFF_TCP_SPORT: (sport, 2),
                OFF_TCP_SEQ: (seq, 4), OFF_TCP_SUM: (tcp_sum, 2)}


def put_column(buf, data, offset, size, big_endian):
    """Copy byte j of every lane of data into field offset of each record."""
    for j in range(size):
        at = offset + (size - 1 - j if big_endian else j)
        buf[at::RECORD_LEN] = data[j::LANE_BYTES]


def chunk_frames(rate):
    """Return the frames per chunk: a divisor of rate, at most MAX_CHUNK.

    A chunk then never spans two seconds, so its frames share the
    seconds field of their timestamps.
    """
    parts = -(-rate // MAX_CHUNK)
    while rate % parts != 0:
        parts += 1
    return rate // parts


def write_flood(path, frames, rate):
    step_us = 1_000_000 // rate
    per_chunk = chunk_frames(rate)
    lanes = Lanes(per_chunk)
    template = record_template()
    fields = FloodFields(lanes, *checksum_bases(template))
    step_lanes = step_us * lanes.index
    chunk = bytearray(template * per_chunk)

    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, SNAPLEN,
                            DLT_EN10MB))
        for first in range(0, frames, per_chunk):
            second, in_second = divmod(first, rate)
            seconds = lanes.constant(START_SEC + second)
            put_column(chunk, lanes.to_bytes(seconds), OFF_SEC, 4, False)
            usec = in_second * step_us * lanes.ones + step_lanes
            put_column(chunk, lanes.to_bytes(usec), OFF_USEC, 4, False)
            for offset, (value, size) in fields.compute(first).items():
                put_column(chunk, lanes.to_bytes(value), offset, size,
                           True)
            count = min(per_chunk, frames - first)
            f.write(memoryview(chunk)[:count * RECORD_LEN])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--frames", type=int, default=10_000_000,
                        help="number of SYN frames (default 10000000)")
    parser.add_argument("--rate", type=int, default=1_000_000,
                        help="frames per second of packet time, a divisor "
                        "of 1000000 (default 1000000)")
    parser.add_argument("-o", "--output", required=True,
                        help="pcap file to write")
    args = parser.parse_args()

    if not 1 <= args.frames <= 1 << SOURCE_BITS:
        sys.exit(f"make_flood_capture: invalid frame count {args.frames}: "
                 f"expected 1 to {1 << SOURCE_BITS} distinct sources")
    if args.rate < 1 or 1_000_000 % args.rate != 0:
        sys.exit(f"make_flood_capture: invalid rate {args.rate}: use a "
                 "divisor of 1000000, such as 1000000 or 500000")
    write_flood(args.output, args.frames, args.rate)
    print(f"make_flood_capture: wrote {args.frames} SYNs at {args.rate} "
          f"frames/s to {args.output}")


if __name__ == "__main__":
    main()
