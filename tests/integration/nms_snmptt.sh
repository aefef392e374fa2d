#!/bin/bash
# netsentryd's notifications through snmptrapd and snmptt in daemon
# mode, with the files of contrib/snmptt.  snmptrapd runs the shipped
# snmptrapd.conf, whose traphandle line points snmptthandler at a
# private snmptt.ini.  snmptt runs in the foreground with that
# snmptt.ini, which takes the [General] settings of the shipped one and
# has its own log file and spool folder and no syslog.
#
# Checks:
#   - the EVENT lines and description blocks of snmptt.conf.netsentry
#     equal what snmpttconvertmib generates from NETSENTRY-MIB;
#   - captures with two port scans (IPv4 and IPv6), two SYN floods (one
#     source, and spoofed sources against 10.10.10.10, an address
#     net-snmp would print as text without -Ox) and a land attack:
#     snmptt logs exactly one line per notification that snmptrapd
#     received, for the same notification and event;
#   - each line is the readable sentence of its event: no marker left,
#     and type, state, attacker, target, prefix, port and description
#     equal the nsEventTable row of the event index;
#   - the attackers and targets are the ones tests/data/events.tsv
#     lists for the captures.

. "${NS_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

ns_init nms_snmptt
ns_require_daemon
ns_require_cmd snmptrapd snmptt snmptthandler snmpttconvertmib
[ -f "$NS_IETF_MIBDIR/SNMPv2-SMI.txt" ] ||
    ns_skip "standard MIB modules not found in $NS_IETF_MIBDIR"

CONTRIB=$NS_TOP_SRCDIR/contrib/snmptt
EVENTS_CONF=$CONTRIB/snmptt.conf.netsentry
MIB_PATH=$NS_MIBDIR:$NS_IETF_MIBDIR
TT=$NS_TMP/snmptt
CAPTURES=(recorded/nmap_sS_top100.pcap recorded/nmap_sS_top100_ipv6.pcap
    recorded/hping3_syn_2000.pcap floods/syn_flood_spoofed_37k_sources.pcap
    suspicious/land_hping3.pcap)

# Compare the EVENT lines and SDESC ... EDESC blocks of the shipped file
# with snmpttconvertmib's conversion of the MIB.
check_conversion() {
	env MIBDIRS="$MIB_PATH" MIBS=NETSENTRY-MIB snmpttconvertmib \
	    --in="$NS_MIBDIR/NETSENTRY-MIB.txt" --out="$NS_TMP/converted.conf" \
	    >"$NS_TMP/convert.out" 2>&1 ||
	    ns_fail "snmpttconvertmib failed: $(tail -n 3 "$NS_TMP/convert.out")"
	if "$NS_PYTHON" - "$NS_TMP/converted.conf" "$EVENTS_CONF" <<'PYEOF'
import re
import sys


def events(path):
    """Map each EVENT name to its OID and description block."""
    found = {}
    for m in re.finditer(r"(?ms)^EVENT (\S+) (\S+) .*?^SDESC\n(.*?)^EDESC",
                         open(path).read()):
        found[m.group(1)] = (m.group(2), m.group(3))
    return found


converted, shipped = events(sys.argv[1]), events(sys.argv[2])
status = 0
if sorted(converted) != sorted(shipped):
    print("EVENT names: converted %s, shipped %s"
          % (sorted(converted), sorted(shipped)))
    status = 1
for name in sorted(set(converted) & set(shipped)):
    if converted[name][0] != shipped[name][0]:
        print("%s: OID %s, snmpttconvertmib has %s"
              % (name, shipped[name][0], converted[name][0]))
        status = 1
    if converted[name][1] != shipped[name][1]:
        print("%s: the description block differs from snmpttconvertmib's"
              % name)
        status = 1
sys.exit(status)
PYEOF
	then
		ns_ok "EVENT lines and descriptions equal snmpttconvertmib's"
	else
		ns_error "snmptt.conf.netsentry differs from snmpttconvertmib" \
		    "(lines above)"
	fi
}

# Write the private snmptt.ini: the [General] keys of the shipped
# snmptt.ini, a spool folder, a log file and no syslog, and the shipped
# event definitions.
write_snmptt_ini() {
	mkdir -p "$TT/spool"
	{
		echo "[General]"
		sed -n '/^\[General\]/,/^\[/{/^[a-z_]* *=/p}' \
		    "$CONTRIB/snmptt.ini"
		echo "dns_enable = 0"
		echo "snmptt_system_name = test"
		echo "[DaemonMode]"
		echo "daemon_fork = 0"
		echo "daemon_uid ="
		echo "pid_file = $TT/snmptt.pid"
		echo "spool_directory = $TT/spool/"
		echo "sleep = 1"
		echo "[Logging]"
		echo "stdout_enable = 0"
		echo "log_enable = 1"
		echo "log_file = $TT/snmptt.log"
		echo "log_system_enable = 1"
		echo "log_system_file = $TT/snmpttsystem.log"
		echo "unknown_trap_log_enable = 1"
		echo "unknown_trap_log_file = $TT/unknown.log"
		echo "syslog_enable = 0"
		echo "syslog_system_enable = 0"
		echo "[Exec]"
		echo "exec_enable = 0"
		echo "[TrapFiles]"
		echo "snmptt_conf_files = <<END"
		echo "$EVENTS_CONF"
		echo "END"
	} >"$TT/snmptt.ini"
	grep -q '^allow_unsafe_regex = 1$' "$TT/snmptt.ini" ||
	    ns_fail "the shipped snmptt.ini does not set allow_unsafe_regex = 1"
}

# Start snmptt in daemon mode, in the foreground so that its pid is
# known.
start_snmptt() {
	snmptt --daemon --ini="$TT/snmptt.ini" >"$TT/snmptt.stdout" \
	    2>"$TT/snmptt.stderr" &
	ns_track "$!"
	ns_info "snmptt pid $! reads $TT/spool"
}

# Start snmptrapd with the shipped snmptrapd.conf, its traphandle line
# pointed at the private snmptt.ini.  It also logs one line per
# notification to NS_TRAP_LOG, as ns_snmptrapd_start does.
start_snmptrapd() {
	local conf=$NS_TMP/snmptrapd.conf

	sed "s|^traphandle default /usr/sbin/snmptthandler\$|& --ini=$TT/snmptt.ini|" \
	    "$CONTRIB/snmptrapd.conf" >"$conf"
	[ "$(grep -c -- "--ini=$TT/snmptt.ini\$" "$conf")" = 1 ] ||
	    ns_fail "no \"traphandle default /usr/sbin/snmptthandler\" line" \
	    "in $CONTRIB/snmptrapd.conf"
	NS_TRAP_PORT=$(ns_free_udp_port)
	NS_TRAP_LOG=$NS_TMP/traps.log
	: >"$NS_TRAP_LOG"
	env -u MIBS MIBDIRS="$MIB_PATH" \
	    SNMP_PERSISTENT_DIR="$NS_TMP/snmpd-state" \
	    snmptrapd -f -n -C -c "$conf" -F 'TRAP\t%v\n' -Lf "$NS_TRAP_LOG" \
	    "udp:127.0.0.1:$NS_TRAP_PORT" 2>"$NS_TMP/snmptrapd.stderr" &
	ns_track "$!"
	ns_info "snmptrapd pid $! listens on udp:127.0.0.1:$NS_TRAP_PORT"
}

# Print how many lines of file $2 match $1: 0 also for a missing file.
count_lines() {
	if [ ! -f "$2" ]; then
		echo 0
		return
	fi
	grep -c -- "$1" "$2" || true
}

# Wait until snmptrapd has received no netsentry notification for 2 s
# (at most 200 s), then at most 20 s until snmptt has logged as many
# lines.
wait_translated() {
	local traps=-1 now i

	for ((i = 0; i < 100; i++)); do
		now=$(count_lines "OID: \.$NS_OID_NETSENTRY\.0\." "$NS_TRAP_LOG")
		[ "$now" = "$traps" ] && break
		traps=$now
		sleep 2
	done
	ns_info "snmptrapd received $traps netsentry notifications"
	for ((i = 0; i < 200; i++)); do
		[ "$(count_lines ' - netsentry event ' "$TT/snmptt.log")" \
		    -ge "$traps" ] && return 0
		sleep 0.1
	done
	ns_error "snmptt logged" \
	    "$(count_lines ' - netsentry event ' "$TT/snmptt.log") lines" \
	    "in 20 s, expected $traps"
}

check_conversion
write_snmptt_ini
start_snmptt
start_snmptrapd
ns_snmpd_start

NS_DAEMON_CONF=$NS_TMP/netsentryd.conf
ns_daemon_write_conf "$NS_DAEMON_CONF" "trapRateLimit 0" "trapQueue 10000"
daemon_args=()
for capture in "${CAPTURES[@]}"; do
	daemon_args+=(-r "$NS_DATA/$capture")
done
ns_daemon_start "${daemon_args[@]}"
ns_wait_registered
ns_wait_eof $(seq 1 "${#CAPTURES[@]}")
ns_walk_to "$NS_TMP/events.walk" -Ox "$NS_OID_NETSENTRY.1.4.8"
wait_translated

if "$NS_PYTHON" - "$TT/snmptt.log" "$NS_TRAP_LOG" "$NS_TMP/events.walk" \
    "$NS_DATA/events.tsv" "${CAPTURES[@]}" <<'PYEOF'
import collections
import re
import socket
import sys

log, traps, walk, tsv = sys.argv[1:5]
captures = sys.argv[5:]
EVENT = ".1.3.6.1.4.1.99999.1.4.8.1."
TRAP = ".1.3.6.1.4.1.99999.0."
# The position of each field among the NETSENTRY-MIB varbinds of each
# notification (keyed by the last number of its OID), as the OBJECTS
# clauses list them.
COLUMNS = {
    "1": {"type": 1, "state": 2, "attacker": 4, "target": 6, "prefix": 7,
          "port": 8, "text": 14},
    "2": {"type": 1, "state": 2, "attacker": 4, "target": 6, "prefix": 7,
          "port": 8, "text": 12},
    "4": {"type": 1, "state": 2, "attacker": 4, "target": 6, "port": 7,
          "text": 9},
}
COLUMNS["3"] = COLUMNS["2"]
LINE = re.compile(r" (\.1\.3\.6\.1\.4\.1\.99999\.0\.\d+) \S+ \"Security\" "
                  r"\S+ - netsentry event (\d+): (\w+) (\w+)"
                  r"(?: \(\w+ \w+ scan\))? from (\S+) against (\S+), "
                  r"(several ports|no port|port \d+): (.*) "
                  r"\(notifications suppressed so far: \d+\)$")
failures = 0


def fail(message):
    global failures
    print(message)
    failures += 1


def address(octets):
    """Format InetAddress octets as snmptt.conf.netsentry does."""
    if len(octets) == 4:
        return socket.inet_ntop(socket.AF_INET, octets)
    if len(octets) == 16:
        return socket.inet_ntop(socket.AF_INET6, octets)
    return "unknown"


def value(text):
    """The value of a varbind printed as "TYPE: value"."""
    kind, _, rest = text.partition(": ")
    if kind == "Hex-STRING":
        return bytes.fromhex(rest.replace(" ", ""))
    if kind == "INTEGER":
        return re.sub(r"\(\d+\)$", "", rest)
    if text == '""':
        return b""
    return rest.strip('"').split(" ")[0] if kind == "Gauge32" else rest


def expected(varbinds):
    """The fields of the log line for one received notification."""
    oid = varbinds[".1.3.6.1.6.3.1.1.4.1.0"].partition(": ")[2]
    trap = oid[len(TRAP):]
    ours = [(name, text) for name, text in varbinds.items()
            if name.startswith(EVENT)]
    index = int(ours[0][0].rsplit(".", 1)[1])
    column = {}
    for name, col in COLUMNS[trap].items():
        column[name] = value(ours[col - 1][1])
    target = address(column["target"])
    if "prefix" in column:
        target += "/" + column["prefix"]
    port = int(column["port"])
    if port != 0:
        where = "port %d" % port
    else:
        where = "several ports" if trap == "1" else "no port"
    state = {"2": "started", "3": "ended"}.get(trap, column["state"])
    return (oid, index, column["type"], state,
            address(column["attacker"]), target, where, column["text"])


received = collections.Counter()
for line in open(traps):
    if not line.startswith("TRAP\t") or TRAP not in line:
        continue
    varbinds = {}
    for field in line.rstrip("\n").split("\t")[1:]:
        name, _, text = field.partition(" = ")
        varbinds[name] = text
    received[expected(varbinds)] += 1

logged = collections.Counter()
for line in open(log):
    if " - netsentry event " not in line:
        continue
    if "{" in line:
        fail("a marker is left in: " + line.strip())
    m = LINE.search(line)
    if not m:
        fail("unexpected log line: " + line.strip())
        continue
    fields = list(m.groups())
    fields[1] = int(fields[1])
    logged[tuple(fields)] += 1

if logged != received:
    for fields in sorted(set(logged) | set(received)):
        if logged[fields] != received[fields]:
            fail("%d logged, %d received: %s"
                 % (logged[fields], received[fields], fields))
else:
    print("ok: %d lines, one per notification, with its values"
          % sum(logged.values()))

# Attacker and target do not change during an event: compare them with
# the nsEventTable row too.
rows = collections.defaultdict(dict)
for line in open(walk):
    name, _, text = line.strip().partition(" = ")
    if name.startswith(EVENT) and name[len(EVENT):].split(".")[0] in (
            "7", "9"):
        column, index = name[len(EVENT):].split(".")
        rows[int(index)][column] = address(
            bytes.fromhex(text.strip().strip('"').replace(" ", "")))
for fields in logged:
    row = rows.get(fields[1], {})
    got = (fields[4], fields[5].split("/")[0])
    if got != (row.get("7"), row.get("9")):
        fail("event %d: logged %s, nsEventTable has %s"
             % (fields[1], got, (row.get("7"), row.get("9"))))

listed = set()
for line in open(tsv):
    columns = line.rstrip("\n").split("\t")
    if line.startswith("#") or columns[0] not in captures:
        continue
    attacker = "unknown" if columns[2] == "-" else columns[2]
    target = columns[3]
    if columns[1] not in ("portScan", "synFlood"):
        target = target.split("/")[0]
    listed.add((columns[1], attacker, target))
seen = {(fields[2], fields[4], fields[5]) for fields in logged}
if seen != listed:
    fail("logged %s, events.tsv lists %s" % (sorted(seen), sorted(listed)))
else:
    print("ok: attackers and targets as events.tsv lists")
sys.exit(1 if failures else 0)
PYEOF
then
	ns_ok "snmptt logged one readable line per notification"
else
	ns_error "the snmptt log differs from the notifications (lines above)"
	tail -n 20 "$TT/snmptt.log" >&2
fi

if [ -s "$TT/unknown.log" ] &&
    grep -q "\.$NS_OID_NETSENTRY\.0\." "$TT/unknown.log"; then
	ns_error "snmptt logged netsentry notifications as unknown:" \
	    "$(head -n 3 "$TT/unknown.log")"
fi
ns_daemon_check_alive "after the notifications"
ns_finish
