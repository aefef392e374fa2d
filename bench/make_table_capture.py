#!/usr/bin/python3
"""Generate pcap files that fill netsentryd's tables with many rows.

These captures are synthetic: every frame is a 60-byte Ethernet frame
carrying IPv4 and UDP (or, with --layer mac, an EtherType that netsentryd
does not decode, so only the MAC tables grow).  Addresses are distinct and
drawn at random from a fixed seed, so the rows reach the tables in random
index order, as real traffic would.

Source IPv4 addresses come from 198.18.0.0/15, the block RFC 2544 sets
aside for benchmarks, destination addresses from 192.0.2.0/24
(documentation, RFC 5737).  MAC addresses are locally administered
unicast (02:...).  Nothing is sent: the addresses only exist in the file.

Shapes:
  hosts N   N - 1 distinct sources send one frame each to one destination:
            N host rows and N - 1 pair rows per layer.
  pairs K   K hosts, one frame for every ordered pair of them:
            K host rows and K * (K - 1) pair rows per layer.

--layer both (the default) varies MAC and IP addresses together, --layer
mac only the MAC addresses (frames carry no IP), and --layer ip only the
IP addresses (every frame has the same two MAC addresses).

usage: make_table_capture.py SHAPE N -o OUT.pcap [--layer both|mac|ip]
"""

import argparse
import random
import struct

DLT_EN10MB = 1
SNAPLEN = 262144
FRAME_LEN = 60

ETHERTYPE_IPV4 = 0x0800
# IEEE 802 local experimental EtherType: netsentryd decodes no network
# header behind it, so such frames touch the MAC tables only.
ETHERTYPE_LOCAL = 0x88B5

BENCH_NET = (198 << 24) | (18 << 16)    # 198.18.0.0/15, RFC 2544
BENCH_NET_SIZE = 1 << 17
DOC_HOST = bytes([192, 0, 2, 1])        # RFC 5737
FIXED_SRC_MAC = bytes([0x02, 0, 0, 0, 0, 0x01])
FIXED_DST_MAC = bytes([0x02, 0, 0, 0, 0, 0x02])
START_SEC = 1_700_000_000


def ipv4_checksum(header):
    total = sum(struct.unpack("!10H", header))
    while total > 0xFFFF:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def make_hosts(count, rng):
    """Return count distinct (mac, ip) pairs in random order."""
    if count > BENCH_NET_SIZE:
        raise SystemExit(f"invalid count {count}: 198.18.0.0/15 has room "
                         f"for at most {BENCH_NET_SIZE} hosts")
    ips = rng.sample(range(BENCH_NET_SIZE), count)
    macs = rng.sample(range(3, 1 << 32), count)
    return [(bytes([0x02, 0x00]) + struct.pack("!I", m),
             struct.pack("!I", BENCH_NET + i)) for m, i in zip(macs, ips)]


def make_frame(src, dst, layer):
    """Return one 60-byte frame from host src to host dst."""
    src_mac, src_ip = src
    dst_mac, dst_ip = dst
    if layer == "ip":
        src_mac, dst_mac = FIXED_SRC_MAC, FIXED_DST_MAC
    if layer == "mac":
        eth = dst_mac + src_mac + struct.pack("!H", ETHERTYPE_LOCAL)
        return eth + bytes(FRAME_LEN - len(eth))

    eth = dst_mac + src_mac + struct.pack("!H", ETHERTYPE_IPV4)
    udp_len = FRAME_LEN - len(eth) - 20
    ip = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + udp_len, 0,
                               0, 64, 17, 0, src_ip, dst_ip))
    struct.pack_into("!H", ip, 10, ipv4_checksum(bytes(ip)))
    udp = struct.pack("!HHHH", 40000, 9, udp_len, 0)
    return eth + bytes(ip) + udp + bytes(udp_len - 8)


def frames_hosts(count, layer, rng):
    hosts = make_hosts(count, rng)
    sink = (FIXED_DST_MAC, DOC_HOST)
    for src in hosts[:-1]:
        yield make_frame(src, sink, layer)


def frames_pairs(count, layer, rng):
    hosts = make_hosts(count, rng)
    order = [(s, d) for s in hosts for d in hosts if s is not d]
    rng.shuffle(order)
    for src, dst in order:
        yield make_frame(src, dst, layer)


def write_pcap(path, frames):
    """Write frames 1 ms apart; return the number written."""
    record = struct.Struct("<IIII")
    written = 0
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, SNAPLEN,
                            DLT_EN10MB))
        for frame in frames:
            usec = written * 1000
            f.write(record.pack(START_SEC + usec // 1000000,
                                usec % 1000000, len(frame), len(frame)))
            f.write(frame)
            written += 1
    return written


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("shape", choices=("hosts", "pairs"))
    parser.add_argument("count", type=int,
                        help="hosts N: host rows; pairs K: hosts")
    parser.add_argument("-o", "--output", required=True)
    parser.add_argument("--layer", choices=("both", "mac", "ip"),
                        default="both")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    if args.count < 2:
        raise SystemExit("count must be at least 2")
    rng = random.Random(args.seed)
    if args.shape == "hosts":
        frames = frames_hosts(args.count, args.layer, rng)
    else:
        frames = frames_pairs(args.count, args.layer, rng)
    written = write_pcap(args.output, frames)
    print(f"make_table_capture: wrote {written} frames ({args.shape} "
          f"{args.count}, layer {args.layer}) to {args.output}")


if __name__ == "__main__":
    main()
