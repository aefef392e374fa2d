#!/bin/sh
# netsentry: lint NETSENTRY-MIB with smilint and check its OIDs with
# snmptranslate.
#
# Environment: NS_TOP_SRCDIR is the source tree (default: two folders up
# from this script).  The standard modules that NETSENTRY-MIB imports
# (SNMPv2-SMI, SNMPv2-TC, SNMPv2-CONF, SNMP-FRAMEWORK-MIB, INET-ADDRESS-MIB)
# are files named MODULE.txt.  The test looks for them beside the source
# tree first, then in the folder that NS_SHARED_MIBS names.
# Exits 0 on success, 1 on a failed check, 77 (skip) without the
# standard modules and 99 (hard error) without smilint, snmptranslate or
# the MIB file.

set -u

if [ -z "${NS_TOP_SRCDIR:-}" ]; then
	NS_TOP_SRCDIR=$(cd "$(dirname "$0")/../.." && pwd) || exit 99
fi
mibfile="$NS_TOP_SRCDIR/mibs/NETSENTRY-MIB.txt"

ietfdir=
for dir in "$NS_TOP_SRCDIR/../shared/mibs/ietf" "${NS_SHARED_MIBS:-}"; do
	if [ -n "$dir" ] && [ -f "$dir/SNMPv2-SMI.txt" ]; then
		ietfdir=$dir
		break
	fi
done
if [ -z "$ietfdir" ]; then
	echo "SKIP: standard MIB modules not found: set NS_SHARED_MIBS to" \
	    "a folder that contains SNMPv2-SMI.txt, SNMPv2-TC.txt," \
	    "SNMPv2-CONF.txt, SNMP-FRAMEWORK-MIB.txt and INET-ADDRESS-MIB.txt"
	exit 77
fi

for tool in smilint snmptranslate; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "ERROR: $tool not found: install the Debian packages" \
		    "smitools (smilint) and snmp (snmptranslate)"
		exit 99
	fi
done
if [ ! -f "$mibfile" ]; then
	echo "ERROR: $mibfile not found"
	exit 99
fi

tmpdir=$(mktemp -d) || exit 99
trap 'rm -rf "$tmpdir"' EXIT
passed=0
failed=0

pass() {
	passed=$((passed + 1))
}

fail() {
	echo "FAIL: $*"
	failed=$((failed + 1))
}

# "-c /dev/null" makes smilint skip /etc/smi.conf, because its search
# path and error level would change the result.  SMIPATH alone then lists
# where the imported modules are.  Level 4 includes warnings, and a clean
# module prints nothing.
lint_output=$(SMIPATH="$ietfdir" smilint -c /dev/null -l 4 "$mibfile" 2>&1)
if [ -n "$lint_output" ]; then
	fail "smilint -l 4 reported problems:"
	printf '%s\n' "$lint_output"
else
	pass
fi

# Make snmptranslate read no configuration file, write no state outside
# the temporary folder and load only NETSENTRY-MIB and its imports.
MIBS=
SNMPCONFPATH="$tmpdir/noconf"
SNMP_PERSISTENT_DIR="$tmpdir/persist"
export MIBS SNMPCONFPATH SNMP_PERSISTENT_DIR
unset MIBDIRS MIBFILES 2>/dev/null

translate() {
	snmptranslate -M "+$ietfdir:$NS_TOP_SRCDIR/mibs" -m NETSENTRY-MIB "$@"
}

# The MIB parser reports errors on stderr but still exits 0.  The only
# other output allowed there is the notice that the persistent folder was
# created.
translate -Tp >"$tmpdir/tree" 2>"$tmpdir/tree.err"
status=$?
grep -v '^Created directory: ' "$tmpdir/tree.err" >"$tmpdir/tree.bad"
if [ "$status" -ne 0 ] || [ -s "$tmpdir/tree.bad" ]; then
	fail "snmptranslate -Tp failed (exit status $status):"
	cat "$tmpdir/tree.bad"
elif ! grep -q 'netsentryMIB(99999)' "$tmpdir/tree"; then
	fail "snmptranslate -Tp does not show netsentryMIB(99999)"
else
	pass
fi

# Each object name with its numeric OID, as the agent registers it.
while read -r name expected; do
	case $name in
	''|'#'*)
		continue
		;;
	esac
	got=$(translate -On "NETSENTRY-MIB::$name" </dev/null \
	    2>"$tmpdir/oid.err")
	if [ "$got" = "$expected" ]; then
		pass
	else
		fail "$name resolves to '$got', expected $expected"
		cat "$tmpdir/oid.err"
	fi
done <<'OIDS'
netsentryMIB			.1.3.6.1.4.1.99999
nsNotifications			.1.3.6.1.4.1.99999.0
nsObjects			.1.3.6.1.4.1.99999.1
nsCaptureTable			.1.3.6.1.4.1.99999.1.1
nsCaptureEntry			.1.3.6.1.4.1.99999.1.1.1
nsCaptureIndex			.1.3.6.1.4.1.99999.1.1.1.1
nsCaptureSource			.1.3.6.1.4.1.99999.1.1.1.2
nsCaptureType			.1.3.6.1.4.1.99999.1.1.1.3
nsCaptureState			.1.3.6.1.4.1.99999.1.1.1.4
nsCapturePkts			.1.3.6.1.4.1.99999.1.1.1.5
nsCaptureOctets			.1.3.6.1.4.1.99999.1.1.1.6
nsCaptureDrops			.1.3.6.1.4.1.99999.1.1.1.7
nsCaptureMalformed		.1.3.6.1.4.1.99999.1.1.1.8
nsCaptureReadErrors		.1.3.6.1.4.1.99999.1.1.1.9
nsCaptureLinkType		.1.3.6.1.4.1.99999.1.1.1.10
nsCaptureIpHostEntries		.1.3.6.1.4.1.99999.1.1.1.11
nsCaptureIpMatrixEntries	.1.3.6.1.4.1.99999.1.1.1.12
nsCaptureIpLastDeleteTime	.1.3.6.1.4.1.99999.1.1.1.13
nsCaptureUndecoded		.1.3.6.1.4.1.99999.1.1.1.14
nsIpHostTable			.1.3.6.1.4.1.99999.1.2
nsIpHostEntry			.1.3.6.1.4.1.99999.1.2.1
nsIpHostAddressType		.1.3.6.1.4.1.99999.1.2.1.1
nsIpHostAddress			.1.3.6.1.4.1.99999.1.2.1.2
nsIpHostInPkts			.1.3.6.1.4.1.99999.1.2.1.3
nsIpHostOutPkts			.1.3.6.1.4.1.99999.1.2.1.4
nsIpHostInOctets		.1.3.6.1.4.1.99999.1.2.1.5
nsIpHostOutOctets		.1.3.6.1.4.1.99999.1.2.1.6
nsIpHostFirstSeen		.1.3.6.1.4.1.99999.1.2.1.7
nsIpHostLastSeen		.1.3.6.1.4.1.99999.1.2.1.8
nsIpHostSynsSent		.1.3.6.1.4.1.99999.1.2.1.9
nsIpHostFailedContacts		.1.3.6.1.4.1.99999.1.2.1.10
nsIpHostPortsContacted		.1.3.6.1.4.1.99999.1.2.1.11
nsIpHostPeersContacted		.1.3.6.1.4.1.99999.1.2.1.12
nsIpHostAttackerEvents		.1.3.6.1.4.1.99999.1.2.1.13
nsIpHostTargetEvents		.1.3.6.1.4.1.99999.1.2.1.14
nsIpMatrixTable			.1.3.6.1.4.1.99999.1.3
nsIpMatrixEntry			.1.3.6.1.4.1.99999.1.3.1
nsIpMatrixSourceAddressType	.1.3.6.1.4.1.99999.1.3.1.1
nsIpMatrixSourceAddress		.1.3.6.1.4.1.99999.1.3.1.2
nsIpMatrixDestAddressType	.1.3.6.1.4.1.99999.1.3.1.3
nsIpMatrixDestAddress		.1.3.6.1.4.1.99999.1.3.1.4
nsIpMatrixPkts			.1.3.6.1.4.1.99999.1.3.1.5
nsIpMatrixOctets		.1.3.6.1.4.1.99999.1.3.1.6
nsIpMatrixFirstSeen		.1.3.6.1.4.1.99999.1.3.1.7
nsIpMatrixLastSeen		.1.3.6.1.4.1.99999.1.3.1.8
nsSecurity			.1.3.6.1.4.1.99999.1.4
nsEventsTotal			.1.3.6.1.4.1.99999.1.4.1
nsActiveEvents			.1.3.6.1.4.1.99999.1.4.2
nsNotificationsSent		.1.3.6.1.4.1.99999.1.4.3
nsNotificationsSuppressed	.1.3.6.1.4.1.99999.1.4.4
nsNotificationsDropped		.1.3.6.1.4.1.99999.1.4.5
nsNotificationsWaiting		.1.3.6.1.4.1.99999.1.4.6
nsEventTypeTable		.1.3.6.1.4.1.99999.1.4.7
nsEventTypeEnabled		.1.3.6.1.4.1.99999.1.4.7.1.3
nsEventTable			.1.3.6.1.4.1.99999.1.4.8
nsEventIndex			.1.3.6.1.4.1.99999.1.4.8.1.1
nsEventType			.1.3.6.1.4.1.99999.1.4.8.1.2
nsEventState			.1.3.6.1.4.1.99999.1.4.8.1.3
nsEventStartTime		.1.3.6.1.4.1.99999.1.4.8.1.4
nsEventAttackerAddressType	.1.3.6.1.4.1.99999.1.4.8.1.6
nsEventAttackerAddress		.1.3.6.1.4.1.99999.1.4.8.1.7
nsEventTargetAddressType	.1.3.6.1.4.1.99999.1.4.8.1.8
nsEventTargetAddress		.1.3.6.1.4.1.99999.1.4.8.1.9
nsEventDescription		.1.3.6.1.4.1.99999.1.4.8.1.21
nsTotalDrops			.1.3.6.1.4.1.99999.1.5.1
nsPortScanDetected		.1.3.6.1.4.1.99999.0.1
nsSynFloodStarted		.1.3.6.1.4.1.99999.0.2
nsSynFloodEnded			.1.3.6.1.4.1.99999.0.3
nsSuspiciousTraffic		.1.3.6.1.4.1.99999.0.4
nsConformance			.1.3.6.1.4.1.99999.2
nsCompliances			.1.3.6.1.4.1.99999.2.1
nsCompliance			.1.3.6.1.4.1.99999.2.1.1
nsGroups			.1.3.6.1.4.1.99999.2.2
nsCaptureGroup			.1.3.6.1.4.1.99999.2.2.1
nsIpHostGroup			.1.3.6.1.4.1.99999.2.2.2
nsIpMatrixGroup			.1.3.6.1.4.1.99999.2.2.3
OIDS

# docs/MIB.md is generated from the module: it must be current.
if command -v smidump >/dev/null 2>&1 && command -v python3 >/dev/null; then
	SMIPATH="$ietfdir" smidump -c /dev/null -f python "$mibfile" \
	    >"$tmpdir/mib.py" 2>"$tmpdir/smidump.err"
	if python3 "$NS_TOP_SRCDIR/tests/tools/mib_doc.py" "$tmpdir/mib.py" \
	    >"$tmpdir/MIB.md" &&
	    cmp -s "$tmpdir/MIB.md" "$NS_TOP_SRCDIR/docs/MIB.md"; then
		pass
	else
		fail "docs/MIB.md is not what tests/tools/mib_doc.py makes of" \
		    "the MIB; regenerate it (see the script's usage)"
		diff "$NS_TOP_SRCDIR/docs/MIB.md" "$tmpdir/MIB.md" | head -n 20
	fi
fi

echo "mib_lint: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
