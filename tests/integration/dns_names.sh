#!/bin/bash
# Check nsIpHostName, the names netsentryd learns from DNS responses,
# against tshark's dissection of the same captures.
#
# Checks, per capture (one data source each):
#   - every nsIpHostName that is not empty equals the name the last DNS
#     response of the capture gave the address, as tests/tools/
#     dns_expect.py computes it from tshark's fields;
#   - every address that tshark finds a name for and that has an
#     nsIpHostTable row has that name (none is missing);
#   - at least the given number of rows have a name.

. "${NS_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

ns_init dns_names
ns_require_daemon

# capture:minimum number of named rows
captures=(
	"benign/http_wikipedia.pcap:2"
	"benign/web_browsing_4631pkts.pcap:20"
)

# Compare the walk of nsIpHostName for source $1 with the expectation.
check_names() {
	local index=$1 capture=$2 minimum=$3 base=$NS_TMP/names.$1

	"$NS_PYTHON" "$NS_TOOLS/dns_expect.py" "$NS_DATA/$capture" \
	    >"$base.expected" || ns_fail "dns_expect.py failed on $capture"
	ns_walk_to "$base.walk" "$NS_OID_IP_HOST.15.$index"
	if "$NS_PYTHON" - "$base.walk" "$base.expected" "$minimum" \
	    >"$base.out" 2>&1 <<'PYEOF'
import ipaddress
import sys

walk, expected, minimum = sys.argv[1], sys.argv[2], int(sys.argv[3])
want = dict(line.split(" ", 1) for line in open(expected).read().split("\n")
            if line)
served = {}
for line in open(walk):
    oid, _, value = line.rstrip("\n").partition(" = ")
    # .15.source.type.length.address bytes
    parts = oid.split(".15.", 1)[1].split(".")[1:]
    raw = bytes(int(x) for x in parts[2:])
    served[str(ipaddress.ip_address(raw))] = value.strip('"')
bad = 0
named = 0
for address, name in sorted(served.items()):
    if name == "":
        if address in want:
            print("%s: nsIpHostName is empty, tshark shows %s"
                  % (address, want[address]))
            bad += 1
        continue
    named += 1
    if want.get(address) != name:
        print("%s: nsIpHostName is %s, tshark shows %s"
              % (address, name, want.get(address, "no name")))
        bad += 1
print("%d rows, %d named, %d differ from tshark" % (len(served), named, bad))
sys.exit(1 if bad or named < minimum else 0)
PYEOF
	then
		ns_ok "$capture: $(tail -n 1 "$base.out")"
	else
		ns_error "$capture: nsIpHostName differs from tshark" \
		    "(at least $minimum named rows expected):" \
		    "$(head -n 10 "$base.out")"
	fi
}

main() {
	local entry sources=() i

	for entry in "${captures[@]}"; do
		sources+=(-r "$NS_DATA/${entry%%:*}")
	done
	ns_snmpd_start
	ns_daemon_start "${sources[@]}"
	ns_wait_registered
	ns_wait_eof $(seq 1 "${#captures[@]}")

	for i in "${!captures[@]}"; do
		entry=${captures[$i]}
		check_names $((i + 1)) "${entry%%:*}" "${entry##*:}"
	done
	ns_finish
}

main
