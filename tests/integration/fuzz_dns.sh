#!/bin/sh
# netsentry: run the libFuzzer target of the DNS response parser for 30
# seconds under AddressSanitizer and UndefinedBehaviorSanitizer.  A
# crash, a sanitizer report or a broken check in the target fails the
# test and leaves the input that caused it in the log.  The parser reads
# names that end up in SNMP strings, so it must hold against any input.
# Skips (77) without clang or libFuzzer.

set -u

top=${NS_TOP_SRCDIR:-$(dirname "$0")/../..}
build=${NS_TOP_BUILDDIR:-$top}
fuzz_seconds=30

if [ "${NS_SKIP_INTEGRATION:-0}" = 1 ]; then
	echo "fuzz_dns: skipped, NS_SKIP_INTEGRATION=1 is set"
	exit 77
fi
if ! command -v clang >/dev/null 2>&1; then
	echo "SKIP: clang not found; install the Debian package clang"
	exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fuzz_dns.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

# config.h comes from the build folder; dns.c needs the IP keys of
# tables.c.
if ! clang -g -O1 -fsanitize=fuzzer,address,undefined \
    -fno-sanitize-recover=all -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION \
    -I"$build" -I"$top/capture" -o "$tmp/fuzz_dns" \
    "$top/tests/fuzz/fuzz_dns.c" "$top/capture/dns.c" \
    "$top/capture/tables.c" \
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

mkdir "$tmp/corpus"
if "$tmp/fuzz_dns" -max_total_time="$fuzz_seconds" -max_len=1024 \
    -artifact_prefix="$tmp/" "$tmp/corpus" >"$tmp/fuzz.log" 2>&1; then
	tail -n 3 "$tmp/fuzz.log"
	echo "fuzz_dns: $fuzz_seconds s without a crash"
	exit 0
fi
tail -n 40 "$tmp/fuzz.log"
for f in "$tmp"/crash-* "$tmp"/leak-* "$tmp"/timeout-*; do
	[ -f "$f" ] && echo "input $f:" && od -A d -t x1 "$f" | head -n 20
done
echo "FAIL: the DNS parser fuzz target found a fault"
exit 1
