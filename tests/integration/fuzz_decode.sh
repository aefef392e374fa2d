#!/bin/sh
# netsentry: fuzz the packet decoder for 60 seconds with libFuzzer.
#
# Builds tests/fuzz/fuzz_decode.c and capture/decode.c with clang, ASan and
# UBSan, seeds the corpus with the frames of the captures under tests/data,
# and fails if the fuzzer finds a crash, a sanitizer error or a broken
# decoder contract.  Exits 77 (automake's SKIP) without clang or libFuzzer.
# Run by `make check` with NS_TOP_SRCDIR set, or by hand from any folder.

set -u

top=${NS_TOP_SRCDIR:-$(dirname "$0")/../..}
fuzz_seconds=60
seeds_per_capture=40
seed_max_bytes=2048

if [ "${NS_SKIP_INTEGRATION:-0}" = 1 ]; then
	echo "fuzz_decode: skipped, NS_SKIP_INTEGRATION=1 is set"
	exit 77
fi
if ! command -v clang >/dev/null 2>&1; then
	echo "SKIP: clang not found; install the Debian package clang"
	exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fuzz_decode.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

# FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION makes the decoder abort when a
# bounds-checked read is rejected, which means a missing length check.
if ! clang -g -O1 -fsanitize=fuzzer,address,undefined \
    -fno-sanitize-recover=all -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION \
    -I"$top/capture" -o "$tmp/fuzz_decode" \
    "$top/tests/fuzz/fuzz_decode.c" "$top/capture/decode.c" \
    >"$tmp/cc.log" 2>&1; then
	if grep -q 'libclang_rt\.fuzzer\|-lclang_rt' "$tmp/cc.log"; then
		echo "SKIP: clang cannot link libFuzzer;" \
		    "install the Debian package libclang-rt-14-dev"
		exit 77
	fi
	cat "$tmp/cc.log"
	echo "FAIL: building the fuzz target failed"
	exit 1
fi

# One seed per frame, up to seeds_per_capture from each capture: the link
# type (2 bytes, big-endian), a wire length byte w with 2*w*w >= bytes cut
# off, then at most seed_max_bytes bytes.  The first Ethernet IP frames of
# each capture are also copied under link types that no capture uses.
mkdir "$tmp/corpus"
if ! command -v python3 >/dev/null 2>&1; then
	echo "fuzz_decode: python3 not found, fuzzing without seeds"
elif ! python3 - "$top/tests/data" "$tmp/corpus" "$seeds_per_capture" \
    "$seed_max_bytes" <<'EOF'
import hashlib
import math
import os
import struct
import sys

data_dir, corpus, per_capture, max_bytes = sys.argv[1:5]
per_capture = int(per_capture)
max_bytes = int(max_bytes)


def pcap_frames(buf):
    """Yield (linktype, bytes, wire length) from a pcap file."""
    magic = buf[:4]
    if magic in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1'):
        order = '<'
    elif magic in (b'\xa1\xb2\xc3\xd4', b'\xa1\xb2\x3c\x4d'):
        order = '>'
    else:
        return
    # The upper bits of the link-type field carry FCS information.
    linktype = struct.unpack(order + 'I', buf[20:24])[0] & 0x03ffffff
    off = 24
    while off + 16 <= len(buf):
        caplen, wirelen = struct.unpack(order + 'II', buf[off + 8:off + 16])
        off += 16
        yield linktype, buf[off:off + caplen], wirelen
        off += caplen


def pcapng_frames(buf):
    """Yield (linktype, bytes, wire length) from a pcapng file."""
    order = '<'
    linktypes = []
    off = 0
    while off + 12 <= len(buf):
        if buf[off:off + 4] == b'\x0a\x0d\x0d\x0a':
            bom = buf[off + 8:off + 12]
            order = '<' if bom == b'\x4d\x3c\x2b\x1a' else '>'
            linktypes = []
        btype, blen = struct.unpack(order + 'II', buf[off:off + 8])
        if blen < 12 or off + blen > len(buf):
            return
        body = buf[off + 8:off + blen - 4]
        if btype == 1 and len(body) >= 2:
            linktypes.append(struct.unpack(order + 'H', body[:2])[0])
        elif btype == 6 and len(body) >= 20:
            ifid, _, _, caplen, wirelen = struct.unpack(order + 'IIIII',
                                                        body[:20])
            if ifid < len(linktypes):
                yield linktypes[ifid], body[20:20 + caplen], wirelen
        off += blen


def seed(linktype, frame, wirelen):
    frame = frame[:max_bytes]
    cut = max(wirelen - len(frame), 0)
    w = min(255, math.ceil(math.sqrt(cut / 2)))
    return struct.pack('>HB', linktype & 0xffff, w) + frame


def relinked(frame, wirelen):
    """Yield an Ethernet IP frame under link types that no capture has."""
    if len(frame) < 15 or frame[12:14] not in (b'\x08\x00', b'\x86\xdd'):
        return
    ip, ipv6 = frame[14:], frame[12:14] == b'\x86\xdd'
    sll2 = frame[12:14] + struct.pack('>HIHBB', 0, 1, 1, 0, 6)
    sll2 += frame[6:12] + bytes(2)
    yield 276, sll2 + ip, wirelen + 6                   # DLT_LINUX_SLL2
    yield 108, struct.pack('>I', 24 if ipv6 else 2) + ip, wirelen - 10
    yield 12, ip, wirelen - 14                          # DLT_RAW
    yield 14, ip, wirelen - 14                          # DLT_RAW, OpenBSD
    yield 229 if ipv6 else 228, ip, wirelen - 14        # DLT_IPV6, IPV4


def write(data):
    path = os.path.join(corpus, hashlib.sha1(data).hexdigest())
    with open(path, 'wb') as f:
        f.write(data)


for root, dirs, files in os.walk(data_dir):
    dirs.sort()
    for name in sorted(files):
        with open(os.path.join(root, name), 'rb') as f:
            buf = f.read()
        if buf[:4] == b'\x0a\x0d\x0d\x0a':
            frames = pcapng_frames(buf)
        else:
            frames = pcap_frames(buf)
        for i, (linktype, frame, wirelen) in enumerate(frames):
            if i == per_capture:
                break
            write(seed(linktype, frame, wirelen))
            if linktype == 1 and i < 5:
                for other in relinked(frame, wirelen):
                    write(seed(*other))
print('fuzz_decode: %d seeds from %s' % (len(os.listdir(corpus)), data_dir))
EOF
then
	echo "FAIL: building the seed corpus failed"
	exit 1
fi

# -max_len fits the largest seed: 3 header bytes and a cut frame.
"$tmp/fuzz_decode" -max_total_time="$fuzz_seconds" -rss_limit_mb=2048 \
    -timeout=10 -max_len=$((seed_max_bytes + 3)) -print_final_stats=1 \
    -artifact_prefix="$tmp/" "$tmp/corpus" >"$tmp/fuzz.log" 2>&1
status=$?

if [ "$status" -ne 0 ]; then
	tail -n 60 "$tmp/fuzz.log"
	for crash in "$tmp"/crash-* "$tmp"/timeout-* "$tmp"/oom-*; do
		[ -f "$crash" ] || continue
		kept=./fuzz_decode-$(basename "$crash")
		cp "$crash" "$kept"
		echo "FAIL: input kept as $kept (first 2 bytes: link type," \
		    "third: wire length); it starts:"
		od -A d -t x1 "$crash" | head -n 8
	done
	echo "FAIL: fuzz_decode exited with status $status"
	exit 1
fi

grep -E '^#[0-9]+[[:space:]]+DONE|^stat::number_of_executed_units' \
    "$tmp/fuzz.log"
echo "PASS: fuzz_decode ran ${fuzz_seconds}s without a crash"
exit 0
