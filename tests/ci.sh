#!/bin/sh
# The test command: install dependencies, build, and run every test
# (unit tests with Check, then integration tests that start a private
# snmpd, netsentryd, tshark and network namespaces).  Run as root from the
# top of the source tree.
set -eu
cd "$(dirname "$0")/.."

sh contrib/setup-debian.sh
status=0
make -j2 check || status=$?
for log in tests/*.log tests/integration/*.log; do
	[ -f "$log" ] || continue
	case "$log" in
	*/test-suite.log) continue ;;
	esac
	if grep -q '^:test-result: FAIL' "${log%.log}.trs" 2>/dev/null; then
		echo "===== $log"
		cat "$log"
	fi
done
pass=$(cat tests/*.trs tests/integration/*.trs 2>/dev/null |
    grep -c '^:test-result: PASS' || true)
fail=$(cat tests/*.trs tests/integration/*.trs 2>/dev/null |
    grep -c -E '^:test-result: (FAIL|ERROR|XPASS)' || true)
skip=$(cat tests/*.trs tests/integration/*.trs 2>/dev/null |
    grep -c '^:test-result: SKIP' || true)
echo "tests: $pass passed, $fail failed, $skip skipped"
if [ "$status" -ne 0 ]; then
	echo "tests: make check failed"
	exit "$status"
fi
if [ "${NS_DISTCHECK:-1}" = 1 ]; then
	NS_SKIP_INTEGRATION=1 make distcheck
fi
