#!/bin/bash
# Start netsentryd with bad input and check that it fails cleanly, or,
# for a capture file cut short, keeps running and counts what it read.
#
# Checks:
#   - a missing capture file, a file that is not a capture, a missing
#     interface, an invalid BPF expression and an unknown configuration
#     directive each make netsentryd exit with status 1.  Its message
#     (stderr or log) names the file, interface or expression, or the
#     configuration file and line;
#   - a pcap and a pcapng file cut in the middle of a packet record: the
#     daemon keeps running, nsCaptureState becomes endOfFile(2),
#     nsCapturePkts counts the complete records, nsCaptureReadErrors is 1,
#     every table equals tshark's counts for the complete records, and
#     the log says the file was cut short.

. "${NS_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

ns_init bad_input
ns_require_daemon
ns_require_cmd timeout

# A master agent is running, so the only fault is the one under test.
ns_snmpd_start

good_capture=$NS_DATA/odd/tcp_all_8_flags_set.pcap
good_conf=$NS_TMP/good.conf
ns_daemon_write_conf "$good_conf"

# Run the daemon in the foreground with a bounded time; expect exit
# status 1 and a message that contains every given text.
expect_start_error() {
	local description=$1 conf=$2 log=$NS_TMP/case.log status text
	local missing=0

	shift 2
	rm -f "$log"
	timeout 20 "$NS_DAEMON" -f -Lf "$log" -c "$conf" \
	    -x "unix:$NS_AGENTX_SOCKET" "${EXPECT_ARGS[@]}" \
	    >"$NS_TMP/case.out" 2>&1
	status=$?
	cat "$log" "$NS_TMP/case.out" >"$NS_TMP/case.all" 2>/dev/null
	if [ "$status" -ne 1 ]; then
		ns_error "$description: exit status $status, expected 1;" \
		    "output: $(head -n 5 "$NS_TMP/case.all")"
		return
	fi
	for text in "$@"; do
		if ! grep -qF -- "$text" "$NS_TMP/case.all"; then
			ns_error "$description: the message does not contain" \
			    "'$text': $(head -n 5 "$NS_TMP/case.all")"
			missing=1
		fi
	done
	[ "$missing" = 0 ] && ns_ok "$description: exit status 1," \
	    "message: $(grep -F -- "$1" "$NS_TMP/case.all" | head -n 1)"
}

EXPECT_ARGS=(-r "$NS_TMP/no-such-file.pcap")
expect_start_error "missing capture file" "$good_conf" \
    "$NS_TMP/no-such-file.pcap"

printf 'This is a text file, not a capture.\n' >"$NS_TMP/text.pcap"
EXPECT_ARGS=(-r "$NS_TMP/text.pcap")
expect_start_error "text file as capture" "$good_conf" "$NS_TMP/text.pcap"

EXPECT_ARGS=(-i nsnoexist0)
expect_start_error "missing interface" "$good_conf" nsnoexist0

EXPECT_ARGS=(-r "$good_capture" tcp port '((')
expect_start_error "invalid BPF expression" "$good_conf" "tcp port (("

bad_conf=$NS_TMP/unknown-directive.conf
ns_daemon_write_conf "$bad_conf" "bogusDirective 5"
line=$(grep -n '^bogusDirective' "$bad_conf" | cut -d: -f1)
EXPECT_ARGS=(-r "$good_capture")
expect_start_error "unknown configuration directive" "$bad_conf" \
    "$bad_conf" "line $line" bogusDirective

bad_conf=$NS_TMP/bad-filter.conf
ns_daemon_write_conf "$bad_conf" "filter tcp port (("
line=$(grep -n '^filter' "$bad_conf" | cut -d: -f1)
expect_start_error "invalid filter directive" "$bad_conf" \
    "$bad_conf" "line $line" "tcp port (("

bad_conf=$NS_TMP/bad-number.conf
ns_daemon_write_conf "$bad_conf" "maxHostEntries 70000"
line=$(grep -n '^maxHostEntries 70000' "$bad_conf" | cut -d: -f1)
expect_start_error "maxHostEntries out of range" "$bad_conf" \
    "$bad_conf" "line $line" "70000"

# Copy a capture cut in the middle of packet record N to the third path,
# and its complete records alone (records 1 to N-1) to the fourth.
cut_capture() {
	local source=$1 record=$2 cut=$3 whole=$4 start end

	read -r start end < <("$NS_PYTHON" "$NS_TOOLS/ns_record_offsets.py" \
	    "$source" "$record") ||
	    ns_fail "cannot find record $record in $source"
	head -c $(((start + end) / 2)) "$source" >"$cut"
	head -c "$start" "$source" >"$whole"
}

# Record 100 of 136 in the pcap file, record 1000 of 2011 in the pcapng
# file: 99 and 999 complete records come before the cut.
cut_capture "$NS_DATA/benign/http_wikipedia.pcap" 100 \
    "$NS_TMP/cut.pcap" "$NS_TMP/whole.pcap"
cut_capture "$NS_DATA/scans/nmap_syn_scan_1000ports.pcapng" 1000 \
    "$NS_TMP/cut.pcapng" "$NS_TMP/whole.pcapng"

ns_daemon_start -r "$NS_TMP/cut.pcap" -r "$NS_TMP/cut.pcapng"
ns_wait_registered
ns_wait_eof 1 2
sleep 1
ns_daemon_check_alive "after reading the cut captures"
ns_ok "netsentryd still runs after the cut captures"

check_value() {
	local description=$1 oid=$2 expected=$3 got

	got=$(ns_get_value "$oid")
	if [ "$got" = "$expected" ]; then
		ns_ok "$description = $expected"
	else
		ns_error "$description: expected $expected, got '${got:-no answer}'"
	fi
}

check_value "nsCapturePkts.1 (cut pcap)" "$NS_OID_CAPTURE.5.1" 99
check_value "nsCapturePkts.2 (cut pcapng)" "$NS_OID_CAPTURE.5.2" 999
check_value "nsCaptureReadErrors.1" "$NS_OID_CAPTURE.9.1" 1
check_value "nsCaptureReadErrors.2" "$NS_OID_CAPTURE.9.2" 1

for capture in cut.pcap cut.pcapng; do
	# -w keeps cut.pcap from matching the lines about cut.pcapng.
	if grep -wF "$NS_TMP/$capture" "$NS_DAEMON_LOG" |
	    grep -qiE 'cut short|truncated'; then
		ns_ok "the log says $capture was cut short:" \
		    "$(grep -wF "$NS_TMP/$capture" "$NS_DAEMON_LOG" |
		    grep -iE 'cut short|truncated' | head -n 1)"
	else
		ns_error "the log does not say that $capture was cut short"
	fi
done

ns_walk_to "$NS_TMP/rmon.walk" "$NS_OID_RMON"
ns_walk_to "$NS_TMP/netsentry.walk" "$NS_OID_NETSENTRY"
if "$NS_PYTHON" "$NS_TOOLS/ns_walkcmp.py" --read-errors 1 \
    "$NS_TMP/rmon.walk" "$NS_TMP/netsentry.walk" -- \
    "1:$NS_TMP/whole.pcap" "2:$NS_TMP/whole.pcapng"; then
	ns_ok "the tables equal tshark's counts of the complete records"
else
	ns_error "the tables of the cut captures differ from tshark"
fi

ns_finish
