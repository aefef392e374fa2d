#!/bin/bash
# Host names learned from DNS survive restarts in stateDir/names.db, and
# the DNS counters of nsCaptureTable match tshark:
#   1. A daemon reads a capture with DNS responses: nsCaptureDnsResponses,
#      nsCaptureNamesLearned and nsCaptureNamesCached equal tshark's
#      counts; it stops with SIGTERM.
#   2. The next daemon reads the same capture without DNS (BPF "not port
#      53"), as two data sources: every named nsIpHostTable row still
#      has the name tshark finds, both sources restored every name, and
#      no name was learned.
#   3. After kill -9, one second after the last response, the names of
#      another capture are still there.
#   4. dnsCacheSize 5 keeps 5 names in the cache and in the file.
#   5. dnsCacheSize 0 learns nothing and writes no names.db; mdnsNames no
#      leaves the mDNS responses out.
#   6. A corrupt names.db is moved aside with a log line and replaced.
#   7. A crafted capture with a response cut inside its answer:
#      nsCaptureDnsMalformed equals tshark's malformed DNS responses.

. "${NS_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

ns_init names_persist
ns_require_daemon

WEB=$NS_DATA/benign/web_browsing_4631pkts.pcap
WIKI=$NS_DATA/benign/http_wikipedia.pcap
NO_DNS="not port 53 and not port 5353"

# nsCaptureTable columns
DNS_RESPONSES=15
DNS_MALFORMED=16
NAMES_LEARNED=17
NAMES_CACHED=18

# Write a configuration with stateDir $1 and the further lines given.
use_state() {
	local dir=$NS_TMP/$1

	shift
	mkdir -p "$dir"
	STATE_DIR=$dir
	NS_DAEMON_CONF=$NS_TMP/netsentryd.$(basename "$dir").conf
	ns_daemon_write_conf "$NS_DAEMON_CONF" "stateDir $dir" "$@"
}

start() {
	NS_DAEMON_LOG=$NS_TMP/netsentryd-$1.log
	shift
	ns_daemon_start "$@"
	ns_wait_registered 20
	ns_wait_eof 1
}

stop() {
	ns_stop_pid "$NS_DAEMON_PID" 10
	ns_untrack "$NS_DAEMON_PID"
}

# tshark's count of DNS responses that netsentryd reads: opcode QUERY,
# from UDP port 53 or 5353 or TCP port 53; $2 adds a condition.
tshark_responses() {
	local filter="dns.flags.response == 1 && dns.flags.opcode == 0"

	filter="$filter && (udp.srcport == 53 || udp.srcport == 5353"
	filter="$filter || tcp.srcport == 53)${2:+ && $2}"
	tshark -n -r "$1" -Y "$filter" -o tcp.desegment_tcp_streams:FALSE \
	    2>/dev/null | wc -l
}

# Compare the names of source $1 with dns_expect.py's for capture $2:
# every name served must be tshark's, from $3 to $4 rows must be named,
# and with $5 = all, every row that tshark names must have its name.
check_names() {
	local index=$1 capture=$2 minimum=$3 maximum=$4 mode=$5 what=$6
	local base=$NS_TMP/names.$index.$RANDOM

	"$NS_PYTHON" "$NS_TOOLS/dns_expect.py" "$capture" >"$base.expected" ||
	    ns_fail "dns_expect.py failed on $capture"
	ns_walk_to "$base.walk" "$NS_OID_IP_HOST.15.$index"
	if "$NS_PYTHON" - "$base.walk" "$base.expected" "$minimum" \
	    "$maximum" "$mode" >"$base.out" 2>&1 <<'PYEOF'
import ipaddress
import sys

walk, expected, mode = sys.argv[1], sys.argv[2], sys.argv[5]
minimum, maximum = int(sys.argv[3]), int(sys.argv[4])
want = dict(line.split(" ", 1) for line in open(expected).read().split("\n")
            if line)
bad = named = rows = 0
for line in open(walk):
    oid, _, value = line.rstrip("\n").partition(" = ")
    # .15.source.type.length.address bytes
    parts = oid.split(".15.", 1)[1].split(".")[1:]
    address = str(ipaddress.ip_address(bytes(int(x) for x in parts[2:])))
    name = value.strip('"')
    rows += 1
    if name == "":
        if mode == "all" and address in want:
            print("%s: nsIpHostName is empty, tshark shows %s"
                  % (address, want[address]))
            bad += 1
        continue
    named += 1
    if want.get(address) != name:
        print("%s: nsIpHostName is %s, tshark shows %s"
              % (address, name, want.get(address, "no name")))
        bad += 1
print("%d rows, %d named, %d differ from tshark" % (rows, named, bad))
sys.exit(1 if bad or not minimum <= named <= maximum else 0)
PYEOF
	then
		ns_ok "$what: $(tail -n 1 "$base.out")"
	else
		ns_error "$what: nsIpHostName differs from tshark" \
		    "($minimum to $maximum named rows expected):" \
		    "$(head -n 10 "$base.out")"
	fi
}

# Expect the counter column $1 of source $2 to be $3.
expect_counter() {
	local names=([15]=nsCaptureDnsResponses [16]=nsCaptureDnsMalformed
	    [17]=nsCaptureNamesLearned [18]=nsCaptureNamesCached)

	ns_expect_value "$NS_OID_CAPTURE.$1.$2" "$3" \
	    "${names[$1]}.$2 ($4)"
}

# Write a raw-IP pcap of DNS responses from 192.0.2.53: a valid one for
# good.example, one cut inside its answer's address, and a query.
write_fault_capture() {
	"$NS_PYTHON" - "$1" <<'PYEOF'
import struct
import sys


def name(text):
    out = b""
    for label in text.split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def a_response(question, address):
    header = struct.pack(">6H", 0x1234, 0x8180, 1, 1, 0, 0)
    answer = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) + bytes(address)
    return header + name(question) + struct.pack(">HH", 1, 1) + answer


def ipv4_udp(payload):
    udp = struct.pack(">4H", 53, 40000, 8 + len(payload), 0) + payload
    return struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64,
                       17, 0, bytes([192, 0, 2, 53]),
                       bytes([192, 0, 2, 1])) + udp


messages = [
    a_response("good.example", [192, 0, 2, 10]),
    a_response("cut.example", [192, 0, 2, 11])[:-2],
    struct.pack(">6H", 0x1234, 0x0100, 1, 0, 0, 0) + name("query.example")
    + struct.pack(">HH", 1, 1),
]
with open(sys.argv[1], "wb") as f:
    # LINKTYPE_RAW (101)
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 101))
    for i, message in enumerate(messages):
        frame = ipv4_udp(message)
        f.write(struct.pack("<4I", 1700000000 + i, 0, len(frame),
                            len(frame)) + frame)
PYEOF
}

# The counts that dns_expect.py gives: bindings, then named addresses.
read -r web_learned web_named < <("$NS_PYTHON" "$NS_TOOLS/dns_expect.py" \
    --counts "$WEB") || ns_fail "dns_expect.py --counts failed on $WEB"
web_responses=$(tshark_responses "$WEB")

ns_snmpd_start

ns_info "run 1: names learned from $WEB"
use_state persist
start 1 -r "$WEB"
expect_counter $DNS_RESPONSES 1 "$web_responses" "tshark's count"
expect_counter $DNS_MALFORMED 1 0 "tshark finds none"
expect_counter $NAMES_LEARNED 1 "$web_learned" "tshark's bindings"
expect_counter $NAMES_CACHED 1 "$web_named" "tshark's named addresses"
check_names 1 "$WEB" 20 999 all "run 1"
stop
[ -s "$STATE_DIR/names.db" ] && ns_ok "names.db was written" ||
    ns_error "no names.db in $STATE_DIR after SIGTERM"

ns_info "run 2: the same capture without DNS, as two data sources"
start 2 -r "$WEB" -r "$WEB" "$NO_DNS"
ns_wait_eof 2
expect_counter $DNS_RESPONSES 1 0 "no DNS in the filtered capture"
expect_counter $NAMES_LEARNED 1 0 "none learned"
expect_counter $NAMES_CACHED 1 "$web_named" "all restored"
expect_counter $NAMES_CACHED 2 "$web_named" "all restored"
check_names 1 "$WEB" 20 999 all "after SIGTERM, source 1"
check_names 2 "$WEB" 20 999 all "after SIGTERM, source 2"
grep -q "restored $web_named name(s)" "$NS_DAEMON_LOG" &&
    ns_ok "the log says: $(grep -m1 'name(s)' "$NS_DAEMON_LOG")" ||
    ns_error "no 'restored $web_named name(s)' line in the log"
stop

ns_info "run 3: kill -9 one second after the last response"
use_state crash
start 3 -r "$WIKI"
sleep 2
kill -9 "$NS_DAEMON_PID"
wait "$NS_DAEMON_PID" 2>/dev/null
ns_untrack "$NS_DAEMON_PID"
start 3b -r "$WIKI" "$NO_DNS"
check_names 1 "$WIKI" 2 999 all "after kill -9"
stop

ns_info "run 4: dnsCacheSize 5 bounds the cache and the file"
use_state small "dnsCacheSize 5"
start 4 -r "$WEB"
expect_counter $NAMES_CACHED 1 5 "dnsCacheSize"
expect_counter $NAMES_LEARNED 1 "$web_learned" "tshark's bindings"
stop
use_state small "dnsCacheSize 1000"
start 4b -r "$WEB" "$NO_DNS"
expect_counter $NAMES_CACHED 1 5 "the file kept 5"
check_names 1 "$WEB" 0 5 some "the 5 names kept"
stop

ns_info "run 5: dnsCacheSize 0 and mdnsNames no"
use_state off "dnsCacheSize 0"
start 5 -r "$WEB"
expect_counter $DNS_RESPONSES 1 0 "dnsCacheSize 0"
expect_counter $NAMES_CACHED 1 0 "dnsCacheSize 0"
check_names 1 "$WEB" 0 0 some "dnsCacheSize 0"
[ -e "$STATE_DIR/names.db" ] &&
    ns_error "dnsCacheSize 0 wrote $STATE_DIR/names.db" ||
    ns_ok "dnsCacheSize 0 wrote no names.db"
stop
use_state nomdns "mdnsNames no"
start 5b -r "$WIKI"
expect_counter $DNS_RESPONSES 1 \
    "$(tshark_responses "$WIKI" "!(udp.srcport == 5353)")" \
    "tshark's count without port 5353"
stop

ns_info "run 6: a corrupt names.db"
use_state persist
head -c 4096 /dev/urandom >"$STATE_DIR/names.db"
start 6 -r "$WEB" "$NO_DNS"
if grep -q "names.db is unreadable.*moved it to" "$NS_DAEMON_LOG"; then
	ns_ok "the log says: $(grep -m1 'moved it to' "$NS_DAEMON_LOG")"
else
	ns_error "no 'names.db is unreadable ... moved it to' line in the log"
fi
ls "$STATE_DIR"/names.db.corrupt.* >/dev/null 2>&1 &&
    ns_ok "the corrupt file was kept aside" ||
    ns_error "no names.db.corrupt.* file in $STATE_DIR"
expect_counter $NAMES_CACHED 1 0 "a new file"
stop

ns_info "run 7: a response cut inside its answer"
write_fault_capture "$NS_TMP/faults.pcap"
use_state faults
start 7 -r "$NS_TMP/faults.pcap"
expect_counter $DNS_RESPONSES 1 "$(tshark_responses "$NS_TMP/faults.pcap")" \
    "tshark's count"
expect_counter $DNS_MALFORMED 1 \
    "$(tshark_responses "$NS_TMP/faults.pcap" _ws.malformed)" \
    "tshark's malformed responses"
expect_counter $NAMES_LEARNED 1 1 "good.example only"
stop

ns_finish
