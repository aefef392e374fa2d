#!/bin/bash
# Count every capture in tests/data with one netsentryd and compare the
# RMON-MIB host and matrix tables and the NETSENTRY-MIB capture and IP
# tables with tshark's dissection of the same files.
#
# Checks, per capture file (one data source each):
#   - tshark's own -z endpoints/conv packet counts agree with the counts
#     the oracle makes from tshark's per-frame fields;
#   - nsCaptureState is endOfFile(2), nsCapturePkts and nsCaptureOctets
#     equal tshark's frame count and sum of frame.len, nsCaptureLinkType
#     is the file's DLT_, nsCaptureDrops and nsCaptureReadErrors are 0,
#     and nsCaptureMalformed counts at least the invalid IP headers;
#   - Ethernet captures: every hostTable, hostTimeTable, matrixSDTable
#     and matrixDSTable row and counter, hostControlTableSize and
#     matrixControlTableSize equal to the rows served;
#   - other link types: no hostTable or matrix rows;
#   - every nsIpHostTable and nsIpMatrixTable row, counter and
#     FirstSeen/LastSeen time, and nsCaptureIpHostEntries and
#     nsCaptureIpMatrixEntries.

. "${NS_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

ns_init oracle_files
ns_require_daemon

ns_all_captures

ns_snmpd_start
ns_daemon_start "${daemon_args[@]}"
ns_wait_registered
ns_wait_eof $(seq 1 "${#captures[@]}")
ns_daemon_check_alive "after reading every capture"

ns_info "walking the RMON-MIB host and matrix groups"
ns_walk_to "$NS_TMP/rmon.walk" "$NS_OID_RMON"
ns_info "walking the NETSENTRY-MIB tables"
ns_walk_to "$NS_TMP/netsentry.walk" "$NS_OID_NETSENTRY"

ns_info "comparing ${#captures[@]} captures with tshark"
if ! "$NS_PYTHON" "$NS_TOOLS/ns_walkcmp.py" --crosscheck --times \
    "$NS_TMP/rmon.walk" "$NS_TMP/netsentry.walk" -- "${sources[@]}"; then
	ns_error "netsentryd's tables differ from tshark (lines above)"
fi

ns_daemon_check_alive "after the walks"
ns_finish
