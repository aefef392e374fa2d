#!/bin/bash
# The Cacti and Zabbix templates in contrib/cacti and contrib/zabbix,
# which cannot run here, checked against NETSENTRY-MIB and a running
# netsentryd (private snmpd, captures with IPv4 and IPv6 hosts).
#
# Checks:
#   - every numeric OID that the template files name resolves with
#     snmptranslate to a read-only object of NETSENTRY-MIB, a scalar
#     with its .0 instance or a table column, with or without an
#     instance;
#   - each returns data: snmpget for a scalar or an instance, snmpgetnext
#     for a column, which must stay inside the column;
#   - the Cacti data query: its XML parses, and its regular expressions,
#     applied to a real walk as Cacti applies them, give every row's
#     index, data source, address type and address;
#   - the Zabbix template: its YAML parses, its UUIDs are 32 hex digits
#     and unique, item keys are unique, and every trigger names one of
#     them;
#   - the Zabbix discovery JavaScript, run with Duktape (the engine
#     Zabbix embeds), adds the right data source, address type and
#     address (RFC 5952 text for IPv6) to every row of a real walk.

. "${NS_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

ns_init nms_templates
ns_require_daemon
ns_require_cmd snmptranslate duk
[ -f "$NS_IETF_MIBDIR/SNMPv2-SMI.txt" ] ||
    ns_skip "standard MIB modules not found in $NS_IETF_MIBDIR"
"$NS_PYTHON" -c 'import yaml' 2>/dev/null ||
    ns_skip "the Python yaml module is missing (Debian package python3-yaml)"

TEMPLATE_FILES=("$NS_TOP_SRCDIR"/contrib/cacti/* \
    "$NS_TOP_SRCDIR"/contrib/zabbix/*)
CACTI_QUERY=$NS_TOP_SRCDIR/contrib/cacti/netsentry_ip_hosts.xml
ZABBIX_TEMPLATE=$NS_TOP_SRCDIR/contrib/zabbix/netsentry_snmp.yaml
OID_IP_HOST_IN_PKTS=$NS_OID_IP_HOST.3
CAPTURES=(recorded/nmap_sS_top100.pcap recorded/nmap_sS_top100_ipv6.pcap)

translate() {
	env MIBS= snmptranslate -m NETSENTRY-MIB -M "$NS_MIBDIR:$NS_IETF_MIBDIR" \
	    "$@"
}

# Print every numeric OID that the template files name, once each,
# without a leading dot.
template_oids() {
	grep -ohE '(^|[^0-9.])\.?1\.3\.6\.1(\.[0-9]+)+' "${TEMPLATE_FILES[@]}" |
	    grep -oE '1\.3\.6\.1(\.[0-9]+)+' | LC_ALL=C sort -u
}

# Check that an OID resolves to a read-only NETSENTRY-MIB object, and
# that the agent returns data for it.
check_oid() {
	local oid=$1 name object instance definition

	name=$(translate -OSb "$oid" 2>/dev/null)
	case $name in
	NETSENTRY-MIB::*)
		;;
	*)
		ns_error "$oid: not in NETSENTRY-MIB (snmptranslate: '$name')"
		return
		;;
	esac
	name=${name#NETSENTRY-MIB::}
	object=${name%%.*}
	instance=${name#"$object"}
	instance=${instance#.}
	definition=$(translate -Td "NETSENTRY-MIB::$object" 2>/dev/null)
	if ! grep -q 'MAX-ACCESS.read-only' <<<"$definition"; then
		ns_error "$oid: $object is not a read-only object"
		return
	fi
	if ! [[ $instance =~ ^[0-9.]*$ ]]; then
		ns_error "$oid: $object has an unknown part '$instance'"
		return
	fi
	if grep -q 'Entry([0-9]*) [0-9]* }$' <<<"$definition"; then
		check_column "$oid" "$object" "$instance"
	elif [ "$instance" = 0 ]; then
		check_get "$oid" "$object.0"
	else
		ns_error "$oid: the scalar $object needs instance .0," \
		    "not '$instance'"
	fi
}

check_column() {
	local oid=$1 object=$2 instance=$3 next

	if [ -n "$instance" ]; then
		check_get "$oid" "$object.$instance"
		return
	fi
	next=$(ns_snmpgetnext "$oid" 2>/dev/null)
	case $next in
	".$oid".*" = "*)
		ns_ok "$oid ($object): column, first row ${next%% = *}"
		;;
	*)
		ns_error "$oid ($object): getnext returned '$next'," \
		    "expected a row of the column"
		;;
	esac
}

check_get() {
	local oid=$1 what=$2 got

	got=$(ns_snmpget "$oid" 2>/dev/null)
	case $got in
	*"No Such"*|"")
		ns_error "$oid ($what): no data ('$got')"
		;;
	*)
		ns_ok "$oid ($what) = ${got#* = }"
		;;
	esac
}

# Apply the Cacti data query's regular expressions to walks of its
# columns, as lib/data_query.php of Cacti 1.2 does.  It replaces the
# whole OID with the first group (a string that does not match stays as
# it is), then decodes a value that looks like a length and that many
# printable octets as text.
check_cacti_query() {
	local column

	for column in 3 4 5 6 9 10 11 12 13 14; do
		ns_snmpwalk "$NS_OID_IP_HOST.$column" \
		    >"$NS_TMP/cacti.$column.walk" 2>&1 ||
		    ns_fail "snmpwalk of nsIpHostTable column $column failed"
	done
	"$NS_PYTHON" - "$CACTI_QUERY" "$NS_TMP" "$NS_OID_IP_HOST" <<'PYEOF'
import ipaddress
import re
import sys
import xml.etree.ElementTree as ET

query, tmp, table = sys.argv[1], sys.argv[2], "." + sys.argv[3]
failures = 0


def fail(message):
    global failures
    print("FAIL: " + message)
    failures += 1


def walk(oid):
    """Return [(oid, value)] from the walk of a column of the table."""
    column = oid[len(table) + 1:]
    rows = []
    for line in open("%s/cacti.%s.walk" % (tmp, column)):
        name, _, value = line.strip().partition(" = ")
        rows.append((name, value))
    return rows


def cacti_regexp(source, oid):
    """The value Cacti derives from an OID with OID/REGEXP:."""
    return re.sub(source.split(":", 1)[1], r"\1", oid)


def cacti_field(source, oid):
    """The value of an OID/REGEXP input field, which Cacti decodes as
    text when it looks like a length and that many printable octets."""
    value = cacti_regexp(source, oid)
    if re.fullmatch(r"\d{1,3}(\.\d{1,3}){2,}", value):
        size, *octets = [int(n) for n in value.split(".")]
        if len(octets) == size and all(31 < n < 127 for n in octets):
            return "".join(chr(n) for n in octets)
    return value


root = ET.parse(query).getroot()
index_oid = root.findtext("oid_index")
index_rows = walk(index_oid)
if not index_rows:
    fail("the walk of oid_index %s is empty" % index_oid)
expected = {}
for oid, _ in index_rows:
    index = cacti_regexp(root.findtext("oid_index_parse"), oid)
    if index != oid[len(index_oid) + 1:]:
        fail("oid_index_parse gives %r for %s" % (index, oid))
    parts = index.split(".")
    octets = bytes(int(p) for p in parts[3:])
    expected[index] = {
        "nsIpHostIndex": index,
        "nsCaptureIndex": parts[0],
        "nsIpHostAddressType": parts[1],
        "nsIpHostAddress": ".".join(parts[3:]),
    }
    if int(parts[2]) != len(octets) or len(octets) not in (4, 16):
        fail("%s: bad address length in the index" % oid)
    if parts[1] == "1" and expected[index]["nsIpHostAddress"] != str(
            ipaddress.IPv4Address(octets)):
        fail("%s: the IPv4 address is not dotted decimal" % oid)

for field in root.find("fields"):
    source, oid = field.findtext("source"), field.findtext("oid")
    rows = walk(oid)
    indexes = {name[len(oid) + 1:] for name, _ in rows}
    if indexes != set(expected):
        fail("%s: the walk of %s has other rows than oid_index"
             % (field.tag, oid))
    if field.findtext("direction") == "output":
        if source != "value":
            fail("%s: output source %r" % (field.tag, source))
        continue
    for name, _ in rows:
        got = cacti_field(source, name)
        want = expected[name[len(oid) + 1:]].get(field.tag)
        if got != want:
            fail("%s of %s: %r, expected %r" % (field.tag, name, got, want))

kinds = {row["nsIpHostAddressType"] for row in expected.values()}
print("ok: Cacti fields for %d rows, address types %s"
      % (len(expected), sorted(kinds)))
if kinds != {"1", "2"}:
    fail("the walk should have IPv4 and IPv6 rows, has types %s"
         % sorted(kinds))
sys.exit(1 if failures else 0)
PYEOF
}

# Check the structure of the Zabbix template and write its discovery
# JavaScript to $NS_TMP/discovery.js.
check_zabbix_structure() {
	"$NS_PYTHON" - "$ZABBIX_TEMPLATE" "$NS_TMP/discovery.js" <<'PYEOF'
import re
import sys

import yaml

export = yaml.safe_load(open(sys.argv[1]))["zabbix_export"]
failures = 0


def fail(message):
    global failures
    print("FAIL: " + message)
    failures += 1


def walk(node):
    """Yield every mapping in the document."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


uuids = [m["uuid"] for m in walk(export) if "uuid" in m]
for uuid in uuids:
    if not re.fullmatch(r"[0-9a-f]{32}", uuid):
        fail("UUID %r is not 32 hex digits" % uuid)
if len(set(uuids)) != len(uuids):
    fail("the UUIDs are not unique")

template = export["templates"][0]
keys = [item["key"] for item in template["items"]]
rule = template["discovery_rules"][0]
keys += [item["key"] for item in rule["item_prototypes"]]
if len(set(keys)) != len(keys):
    fail("the item keys are not unique")
for mapping in walk(template):
    expression = mapping.get("expression")
    if expression is None:
        continue
    for host, key in re.findall(r"\(/([^/]+)/([^),]+)", expression):
        if host != template["template"] or key not in keys:
            fail("expression %r names an unknown item" % expression)
scripts = [step["parameters"][0] for step in rule.get("preprocessing", [])
           if step["type"] == "JAVASCRIPT"]
if len(scripts) != 1:
    fail("the discovery rule has %d JavaScript steps, expected 1"
         % len(scripts))
else:
    open(sys.argv[2], "w").write(scripts[0])
print("ok: %d UUIDs, %d item keys, expressions name known items"
      % (len(uuids), len(keys)))
sys.exit(1 if failures else 0)
PYEOF
}

# Run the discovery JavaScript with duk on discovery[] output made from
# a real walk, as a plain array and as {"data": [...]}, plus rows for
# IPv6 zero compression, and compare the macros it adds.
check_zabbix_discovery() {
	"$NS_PYTHON" - "$NS_TMP/discovery.js" "$NS_TMP/cacti.3.walk" \
	    "$NS_TMP" ".$OID_IP_HOST_IN_PKTS" <<'PYEOF'
import ipaddress
import json
import subprocess
import sys

script, walk, tmp, column = sys.argv[1:5]
rows = []
for line in open(walk):
    name, _, value = line.strip().partition(" = ")
    rows.append({"{#SNMPINDEX}": name[len(column) + 1:],
                 "{#NSINPKTS}": value})
for text in ("2001:db8::1", "2001:db8:0:1:1:1:1:1", "2001:0:0:1:0:0:0:1",
             "2001:0:0:1:0:0:1:1", "::", "::1", "1::", "fe80::1:0:0:0"):
    octets = ipaddress.IPv6Address(text).packed
    rows.append({"{#SNMPINDEX}": "9.2.16." + ".".join(map(str, octets)),
                 "{#NSINPKTS}": "0"})

failures = 0
for shape, document in (("array", rows), ("data", {"data": rows})):
    program = ("var value = %s;\nvar result = (function (value) {\n%s\n})"
               "(value);\nprint(result);\n"
               % (json.dumps(json.dumps(document)), open(script).read()))
    open(tmp + "/discovery-run.js", "w").write(program)
    out = subprocess.run(["duk", tmp + "/discovery-run.js"],
                         capture_output=True, text=True)
    if out.returncode != 0:
        print("FAIL: duk exits %d: %s" % (out.returncode, out.stderr))
        sys.exit(1)
    result = json.loads(out.stdout)
    got_rows = result["data"] if shape == "data" else result
    for row in got_rows:
        parts = row["{#SNMPINDEX}"].split(".")
        octets = bytes(int(p) for p in parts[3:])
        kind = {"1": "ipv4", "2": "ipv6"}[parts[1]]
        want = (parts[0], kind, str(ipaddress.ip_address(octets)))
        got = (row.get("{#NSCAPTURE}"), row.get("{#NSADDRTYPE}"),
               row.get("{#NSADDRESS}"))
        if got != want:
            print("FAIL: %s: %s, expected %s" % (shape, got, want))
            failures += 1
    print("ok: %s shape: macros of %d rows" % (shape, len(got_rows)))
sys.exit(1 if failures else 0)
PYEOF
}

ns_snmpd_start
daemon_args=()
for capture in "${CAPTURES[@]}"; do
	daemon_args+=(-r "$NS_DATA/$capture")
done
ns_daemon_start "${daemon_args[@]}"
ns_wait_registered
ns_wait_eof $(seq 1 "${#CAPTURES[@]}")

oids=$(template_oids)
[ -n "$oids" ] || ns_fail "no OID found in ${TEMPLATE_FILES[*]}"
ns_info "$(wc -w <<<"$oids") OIDs in the template files"
for oid in $oids; do
	check_oid "$oid"
done

if check_cacti_query; then
	ns_ok "the Cacti data query derives every row's fields"
else
	ns_error "the Cacti data query is wrong (lines above)"
fi
if check_zabbix_structure; then
	ns_ok "the Zabbix template's structure"
	if check_zabbix_discovery; then
		ns_ok "the Zabbix discovery JavaScript"
	else
		ns_error "the Zabbix discovery JavaScript is wrong (lines above)"
	fi
else
	ns_error "the Zabbix template is wrong (lines above)"
fi

ns_daemon_check_alive "after the checks"
ns_finish
