#!/usr/bin/python3
"""Build a large pcap file from the real Ethernet captures in tests/data.

The packets of every Ethernet capture found in the given folders are
copied in turn, file after file and then again from the first file, until
the requested number of packets is written.  Timestamps keep the spacing
inside each source file, except that a gap longer than one second
shrinks to one second (some test files join captures made years apart),
and never go backwards: each copy of a file starts 1 ms after the last
packet written.  Captures of another link type
are skipped, because one pcap file has one link type.  pcapng files are
converted with editcap (from the tshark package) first.

usage: make_real_capture.py -n PACKETS -o OUT.pcap DIR...
"""

import argparse
import os
import struct
import subprocess
import sys
import tempfile

DLT_EN10MB = 1
SNAPLEN = 262144
GAP_USEC = 1000
MAX_GAP_USEC = 1000000

# pcap file magic numbers (libpcap's savefile.c).
MAGIC_USEC = 0xA1B2C3D4
MAGIC_NSEC = 0xA1B23C4D


def read_pcap(path):
    """Return (linktype, packets) with packets as (usec, wirelen, bytes)."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise ValueError(f"{path}: shorter than a pcap file header")
    for endian in ("<", ">"):
        magic = struct.unpack(endian + "I", data[:4])[0]
        if magic in (MAGIC_USEC, MAGIC_NSEC):
            break
    else:
        raise ValueError(f"{path}: not a pcap file (magic {data[:4].hex()})")
    linktype = struct.unpack(endian + "I", data[20:24])[0] & 0x0FFFFFFF
    divisor = 1000 if magic == MAGIC_NSEC else 1
    record = struct.Struct(endian + "IIII")

    packets = []
    offset = 24
    while offset + 16 <= len(data):
        sec, frac, caplen, wirelen = record.unpack_from(data, offset)
        offset += 16
        if offset + caplen > len(data):
            break
        usec = sec * 1000000 + frac // divisor
        packets.append((usec, wirelen, data[offset:offset + caplen]))
        offset += caplen
    return linktype, packets


def load_sources(folders, tmpdir):
    """Return [(path, packets)] for every Ethernet capture, sorted by path."""
    sources = []
    paths = []
    for folder in folders:
        for name in os.listdir(folder):
            if name.endswith((".pcap", ".pcapng")):
                paths.append(os.path.join(folder, name))

    for path in sorted(paths):
        readable = path
        if path.endswith(".pcapng"):
            readable = os.path.join(tmpdir, os.path.basename(path) + ".pcap")
            subprocess.run(["editcap", "-F", "pcap", path, readable],
                           check=True)
        linktype, packets = read_pcap(readable)
        if linktype != DLT_EN10MB:
            print(f"make_real_capture: skipping {path}: link type "
                  f"{linktype}, not Ethernet", file=sys.stderr)
            continue
        if packets:
            sources.append((path, packets))
    return sources


def write_capture(out, sources, count):
    """Write count packets from sources, cycling, with rising timestamps."""
    header = struct.pack("<IHHiIII", MAGIC_USEC, 2, 4, 0, 0, SNAPLEN,
                         DLT_EN10MB)
    record = struct.Struct("<IIII")
    written = 0
    clock = 1_700_000_000 * 1000000

    with open(out, "wb") as f:
        f.write(header)
        while written < count:
            for _, packets in sources:
                previous = packets[0][0]
                clock += GAP_USEC
                for usec, wirelen, data in packets:
                    clock += min(max(usec - previous, 0), MAX_GAP_USEC)
                    previous = usec
                    f.write(record.pack(clock // 1000000, clock % 1000000,
                                        len(data), wirelen))
                    f.write(data)
                    written += 1
                    if written == count:
                        return written
    return written


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--packets", type=int, required=True,
                        help="number of packets to write")
    parser.add_argument("-o", "--output", required=True,
                        help="pcap file to write")
    parser.add_argument("folders", nargs="+",
                        help="folders with pcap or pcapng files")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmpdir:
        sources = load_sources(args.folders, tmpdir)
    if not sources:
        sys.exit("make_real_capture: no Ethernet capture found in "
                 + " ".join(args.folders))

    per_cycle = sum(len(p) for _, p in sources)
    written = write_capture(args.output, sources, args.packets)
    print(f"make_real_capture: wrote {written} packets from "
          f"{len(sources)} files ({per_cycle} packets per cycle) "
          f"to {args.output}")


if __name__ == "__main__":
    main()
