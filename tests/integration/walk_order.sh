#!/bin/bash
# Walk every table netsentryd serves and check the order and form of what
# the master agent returns.
#
# Checks:
#   - snmpwalk (GETNEXT) of each table and of both subtrees exits 0, prints
#     nothing on stderr and never "OID not increasing";
#   - every OID lies under the walked OID and is greater than the one
#     before it (checked again by ns_oid_order.py);
#   - snmpbulkwalk (GETBULK) prints exactly what snmpwalk printed;
#   - snmptable, with RMON-MIB and NETSENTRY-MIB loaded, prints each table
#     with one line per row;
#   - GETs of chosen hostTable, matrixSDTable and nsIpHostTable instances
#     return the counts tshark gives, and a GET of an absent host returns
#     noSuchInstance.
#
# Sources: an Ethernet capture with IPv4 and IPv6, an empty capture (its
# tables are empty between full ones), a raw-IP capture (IP tables only,
# with IPv4 and IPv6 rows) and an MPLS capture with frames a host sends
# to itself.

. "${NS_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

ns_init walk_order
ns_require_daemon

ns_snmpd_start
ns_daemon_start \
    -r "$NS_DATA/benign/http_ipv4_and_ipv6.pcapng" \
    -r "$NS_DATA/odd/empty_0_packets.pcap" \
    -r "$NS_DATA/benign/raw_ip_dlt101.pcap" \
    -r "$NS_DATA/benign/mpls_basic.pcap"
ns_wait_registered
ns_wait_eof 1 2 3 4

# name:entry OID:MIB module of every table.
tables=(
	"hostControlTable:$NS_OID_HOST_CONTROL:RMON-MIB"
	"hostTable:$NS_OID_HOST:RMON-MIB"
	"hostTimeTable:$NS_OID_HOST_TIME:RMON-MIB"
	"matrixControlTable:$NS_OID_MATRIX_CONTROL:RMON-MIB"
	"matrixSDTable:$NS_OID_MATRIX_SD:RMON-MIB"
	"matrixDSTable:$NS_OID_MATRIX_DS:RMON-MIB"
	"nsCaptureTable:$NS_OID_CAPTURE:NETSENTRY-MIB"
	"nsIpHostTable:$NS_OID_IP_HOST:NETSENTRY-MIB"
	"nsIpMatrixTable:$NS_OID_IP_MATRIX:NETSENTRY-MIB"
)

# Walk OID with snmpwalk and snmpbulkwalk; check order and equality.
# Sets rows to the number of distinct indexes under OID.
check_walk() {
	local name=$1 oid=$2 base=$NS_TMP/$1 status order

	ns_snmpwalk "$oid" >"$base.walk" 2>"$base.err"
	status=$?
	if [ "$status" -ne 0 ]; then
		ns_error "snmpwalk of $name exited with status $status:" \
		    "$(head -n 3 "$base.err")"
	fi
	if grep -qi "not increasing" "$base.walk" "$base.err"; then
		ns_error "snmpwalk of $name: $(grep -hi "not increasing" \
		    "$base.walk" "$base.err" | head -n 3)"
	fi
	if [ -s "$base.err" ]; then
		ns_error "snmpwalk of $name printed on stderr:" \
		    "$(head -n 3 "$base.err")"
	fi

	if order=$("$NS_PYTHON" "$NS_TOOLS/ns_oid_order.py" "$base.walk" \
	    "$oid"); then
		ns_ok "$name: $(tail -n 1 <<<"$order"), in increasing order"
	else
		ns_error "$name: OIDs out of order or missing: $order"
	fi
	rows=$(sed -n 's/^[0-9]* OIDs, \([0-9]*\) rows.*/\1/p' <<<"$order")

	ns_snmpbulkwalk "$oid" >"$base.bulk" 2>"$base.bulk.err"
	status=$?
	if [ "$status" -ne 0 ] || [ -s "$base.bulk.err" ]; then
		ns_error "snmpbulkwalk of $name exited with status $status:" \
		    "$(head -n 3 "$base.bulk.err")"
	elif cmp -s "$base.walk" "$base.bulk"; then
		ns_ok "$name: snmpbulkwalk output equals snmpwalk output"
	else
		ns_error "$name: snmpbulkwalk output differs from snmpwalk:" \
		    "$(diff "$base.walk" "$base.bulk" | head -n 6)"
	fi
}

# Print a table with snmptable and check it has the given number of rows
# (lines that start with the index, which begins with the data source).
# -Ob prints indexes as numbers.  snmptable 5.9.3 matches values to rows
# by the printed index, and two MAC addresses without a printable byte
# both print as "......", which makes it stop with "OID not increasing".
check_snmptable() {
	local name=$1 module=$2 expected_rows=$3 out=$NS_TMP/$1.table
	local status printed

	ns_snmptable -M "$NS_IETF_MIBDIR:$NS_MIBDIR" \
	    -m "RMON-MIB:NETSENTRY-MIB" -Ob -Cf , -Ci "$module::$name" \
	    >"$out" 2>"$out.err"
	status=$?
	if [ "$status" -ne 0 ] || [ -s "$out.err" ]; then
		ns_error "snmptable $module::$name exited with status" \
		    "$status: $(head -n 3 "$out.err")"
		return
	fi
	printed=$(grep -c '^[0-9]' "$out")
	if [ "$printed" -eq "$expected_rows" ]; then
		ns_ok "snmptable $name: $printed rows"
	else
		ns_error "snmptable $name printed $printed rows, the walk" \
		    "found $expected_rows: $(head -n 5 "$out")"
	fi
	if ! grep -q "^SNMP table: $module::$name" "$out"; then
		ns_error "snmptable $name printed no title:" \
		    "$(head -n 2 "$out")"
	fi
}

have_mibs=1
for mib in "$NS_IETF_MIBDIR/RMON-MIB.txt" "$NS_MIBDIR/NETSENTRY-MIB.txt"; do
	if [ ! -r "$mib" ]; then
		ns_info "not checking snmptable: $mib not found"
		have_mibs=0
	fi
done

for entry in "${tables[@]}"; do
	IFS=: read -r name oid module <<<"$entry"
	check_walk "$name" "$oid"
	if [ "$rows" -eq 0 ]; then
		ns_error "$name: the walk returned no rows"
	fi
	[ "$have_mibs" = 1 ] && check_snmptable "$name" "$module" "$rows"
done
check_walk rmon "$NS_OID_RMON"
check_walk netsentry "$NS_OID_NETSENTRY"

# Check the value of one instance.
check_get() {
	local description=$1 oid=$2 expected=$3 got

	got=$(ns_snmpget "$oid" 2>&1 | sed -n 's/^[.0-9]* = //p')
	if [ "$got" = "$expected" ]; then
		ns_ok "GET $description = $expected"
	else
		ns_error "GET $description (.$oid): expected '$expected'," \
		    "got '${got:-no answer}'"
	fi
}

# Expected values: tshark -z endpoints,eth, conv,eth and endpoints,ipv6
# and endpoints,ip on benign/http_ipv4_and_ipv6.pcapng (data source 1).
mac_1=6.0.12.41.31.167.85	# 00:0c:29:1f:a7:55
mac_2=6.0.12.41.211.70.221	# 00:0c:29:d3:46:dd
ipv6=2.16.32.1.13.184.0.1.0.2.0.0.0.0.0.0.16.2	# 2001:db8:1:2::1002
ipv4=1.4.172.16.16.140
check_get "hostInPkts 00:0c:29:1f:a7:55" "$NS_OID_HOST.4.1.$mac_1" 12
check_get "hostOutOctets 00:0c:29:1f:a7:55" "$NS_OID_HOST.7.1.$mac_1" 1606
check_get "matrixSDPkts 00:0c:29:1f:a7:55 to 00:0c:29:d3:46:dd" \
    "$NS_OID_MATRIX_SD.4.1.$mac_1.$mac_2" 8
check_get "matrixDSOctets 00:0c:29:1f:a7:55 to 00:0c:29:d3:46:dd" \
    "$NS_OID_MATRIX_DS.5.1.$mac_2.$mac_1" 1606
check_get "nsIpHostOutPkts 2001:db8:1:2::1002" "$NS_OID_IP_HOST.4.1.$ipv6" 6
check_get "nsIpHostInOctets 2001:db8:1:2::1002" "$NS_OID_IP_HOST.5.1.$ipv6" 843
check_get "nsIpHostInPkts 172.16.16.140" "$NS_OID_IP_HOST.3.1.$ipv4" 4
check_get "nsIpHostOutOctets 172.16.16.140" "$NS_OID_IP_HOST.6.1.$ipv4" 481
check_get "hostInPkts of an absent address" \
    "$NS_OID_HOST.4.1.6.0.12.41.31.167.86" \
    "No Such Instance currently exists at this OID"
check_get "nsIpHostInPkts on the empty capture" \
    "$NS_OID_IP_HOST.3.2.$ipv4" \
    "No Such Instance currently exists at this OID"

ns_daemon_check_alive "after the walks"
ns_finish
