#!/usr/bin/python3
"""Print where a packet record starts and ends in a pcap or pcapng file.

Usage: ns_record_offsets.py FILE N

Prints "START END" for packet record N (from 1): the byte offset of its
record header (pcap) or block (pcapng) and the offset just past it.  A
test cuts the file with head -c at an offset between the two to make a
capture that ends in the middle of a record, and at START for the same
capture with only the N-1 complete records.
"""

import struct
import sys

PCAP_MAGICS = {
    b"\xd4\xc3\xb2\xa1": "<", b"\x4d\x3c\xb2\xa1": "<",
    b"\xa1\xb2\xc3\xd4": ">", b"\xa1\xb2\x3c\x4d": ">",
}
PCAPNG_MAGIC = b"\x0a\x0d\x0d\x0a"

# pcapng blocks that hold a packet: Enhanced, Simple and the obsolete
# Packet Block.
PCAPNG_PACKET_BLOCKS = (6, 3, 2)

PCAP_FILE_HEADER = 24
PCAP_RECORD_HEADER = 16


def pcap_records(data, order):
    offset = PCAP_FILE_HEADER
    while offset + PCAP_RECORD_HEADER <= len(data):
        caplen = struct.unpack(order + "I", data[offset + 8:offset + 12])[0]
        end = offset + PCAP_RECORD_HEADER + caplen
        yield offset, end
        offset = end


def pcapng_records(data):
    offset = 0
    order = "<"
    while offset + 12 <= len(data):
        block_type = struct.unpack(order + "I", data[offset:offset + 4])[0]
        if data[offset:offset + 4] == PCAPNG_MAGIC:
            # The byte-order magic of a Section Header Block sets the
            # order of every block in its section.
            magic = data[offset + 8:offset + 12]
            order = "<" if magic == b"\x4d\x3c\x2b\x1a" else ">"
        length = struct.unpack(order + "I", data[offset + 4:offset + 8])[0]
        if length < 12:
            raise ValueError("invalid block length %d at offset %d"
                             % (length, offset))
        if block_type in PCAPNG_PACKET_BLOCKS:
            yield offset, offset + length
        offset += length


def main(argv):
    if len(argv) != 3 or not argv[2].isdigit() or int(argv[2]) < 1:
        sys.stderr.write(__doc__)
        return 2
    with open(argv[1], "rb") as capture:
        data = capture.read()
    wanted = int(argv[2])
    if data[:4] in PCAP_MAGICS:
        records = pcap_records(data, PCAP_MAGICS[data[:4]])
    elif data[:4] == PCAPNG_MAGIC:
        records = pcapng_records(data)
    else:
        sys.stderr.write("%s: not a pcap or pcapng file\n" % argv[1])
        return 2
    for number, (start, end) in enumerate(records, 1):
        if number == wanted:
            print(start, end)
            return 0
    sys.stderr.write("%s has fewer than %d records\n" % (argv[1], wanted))
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
