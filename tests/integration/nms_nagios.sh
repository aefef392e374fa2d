#!/bin/bash
# The Nagios checks of contrib/nagios/netsentry.cfg, run with the real
# check_snmp against a private snmpd and netsentryd.  The command lines
# come from the shipped file.  Each service's check_command picks its
# command, and the test fills in the $ARGn$, $USER1$, $HOSTADDRESS$ and
# custom variable macros as Nagios would.  sh runs the result, as
# Nagios does for a command line that contains quotes.
#
# Checks:
#   - nagios4 -v accepts the file with Debian's sample templates and a
#     sensor host (skipped with a note when nagios4 is not installed);
#   - benign traffic (a benign capture through a FIFO that stays open,
#     so the source is running): every service is OK, the counter
#     services on their first and on their second sample;
#   - attacks come through FIFOs that stay open, so their events stay
#     active.  One scan makes "active events" WARNING;
#   - four more scans and a SYN flood make "active events" and "SYN
#     floods" CRITICAL;
#   - the notifications that trapRateLimit 2 suppressed make
#     "notifications lost" WARNING;
#   - the drops command alerts when pointed at a Counter64 that grows
#     (nsCapturePkts.1, because a FIFO never drops a frame);
#   - the capture service turns CRITICAL once the source reaches its end
#     of file;
#   - with the SMTP server unreachable, the 24 alerts of 12 scans wait in
#     the mail spool: "mail spool" is CRITICAL, "mail spool age" OK,
#     and the age command is CRITICAL with a threshold of 0 s.

. "${NS_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

ns_init nms_nagios
ns_require_daemon

CFG=$NS_TOP_SRCDIR/contrib/nagios/netsentry.cfg
PLUGINS=/usr/lib/nagios/plugins
[ -x "$PLUGINS/check_snmp" ] ||
    ns_skip "$PLUGINS/check_snmp not found (Debian package" \
    "monitoring-plugins-standard)"

OID_DROPS=1.3.6.1.4.1.99999.1.5.1.0
OID_PKTS_1=$NS_OID_CAPTURE.5.1
OID_EVENTS_TOTAL=.$NS_OID_NETSENTRY.1.4.1.0
OID_ACTIVE=.$NS_OID_NETSENTRY.1.4.2.0

# Nagios exit statuses.
OK=0
WARNING=1
CRITICAL=2

# Print "service<TAB>command line" for every service of the file, with
# the macros filled in: the test snmpd's port and community (public,
# from tests/lib.sh) for _SNMP_PORT and _SNMP_COMMUNITY, a private
# folder for _MP_STATE_PATH, and the file's values for the other custom
# variables.  Fail on a macro that is left over, so a macro the test
# does not know about cannot hide.
service_commands() {
	"$NS_PYTHON" - "$CFG" "$PLUGINS" 127.0.0.1 "$NS_SNMP_PORT" \
	    "$NS_TMP/plugin-state" <<'PYEOF'
import re
import sys

cfg, user1, address, port, state = sys.argv[1:6]


def objects(text):
    """Yield (type, {directive: value}) for each define block."""
    text = re.sub(r"(?m)^\s*[#;].*$", "", text)
    for kind, body in re.findall(r"define\s+(\w+)\s*\{(.*?)\}", text, re.S):
        fields = {}
        for line in body.splitlines():
            parts = line.strip().split(None, 1)
            if len(parts) == 2:
                fields[parts[0]] = parts[1].strip()
        yield kind, fields


def custom_variables(fields, prefix):
    """Map the custom variable macros of a definition to their values."""
    return {"$_%s%s$" % (prefix, k[1:].upper()): v
            for k, v in fields.items() if k.startswith("_")}


commands, services, variables = {}, [], {}
for kind, fields in objects(open(cfg).read()):
    if kind == "command":
        commands[fields["command_name"]] = fields["command_line"]
    elif kind == "service" and "service_description" in fields:
        services.append(fields)
    elif kind == "host" and fields.get("name") == "netsentry-sensor":
        variables.update(custom_variables(fields, "HOST"))
    elif kind == "service" and fields.get("name") == "netsentry-service":
        variables.update(custom_variables(fields, "SERVICE"))
variables["$_HOSTSNMP_PORT$"] = port
variables["$_HOSTSNMP_COMMUNITY$"] = "public"
variables["$_SERVICEMP_STATE_PATH$"] = state

if not services:
    sys.exit("no service definitions in " + cfg)
for svc in services:
    name, *args = svc["check_command"].split("!")
    line = commands[name]
    for i, arg in enumerate(args, 1):
        line = line.replace("$ARG%d$" % i, arg)
    line = line.replace("$USER1$", user1)
    line = line.replace("$HOSTADDRESS$", address)
    for macro, value in variables.items():
        line = line.replace(macro, value)
    left = re.findall(r"\$[A-Z0-9_]+\$", line)
    if left:
        sys.exit("%s: macros left in %s" % (svc["service_description"], left))
    print("%s\t%s" % (svc["service_description"], line))
PYEOF
}

# Load the command line of every service into COMMAND_OF.
load_commands() {
	local name line

	declare -gA COMMAND_OF=()
	service_commands >"$NS_TMP/services.tsv" ||
	    ns_fail "cannot read the services of $CFG"
	while IFS=$'\t' read -r name line; do
		COMMAND_OF[$name]=$line
	done <"$NS_TMP/services.tsv"
	ns_ok "read ${#COMMAND_OF[@]} services from netsentry.cfg"
}

# Run a command line as Nagios does.  RUN_STATUS and RUN_OUTPUT get the
# exit status and the output.
run_line() {
	RUN_OUTPUT=$(sh -c "$1" 2>&1)
	RUN_STATUS=$?
}

# Run a service's check and compare its exit status with the expected
# one.
expect_service() {
	local name=$1 want=$2 line=${COMMAND_OF[$1]:-}

	[ -n "$line" ] || ns_fail "no service \"$name\" in netsentry.cfg"
	run_line "$line"
	if [ "$RUN_STATUS" = "$want" ]; then
		ns_ok "$name: exit $RUN_STATUS ($RUN_OUTPUT)"
	else
		ns_error "$name: exit $RUN_STATUS, expected $want" \
		    "($RUN_OUTPUT; command: $line)"
	fi
}

# Check the file with Nagios's own verifier, beside Debian's sample
# templates, time periods and contacts and a sensor host.
verify_with_nagios() {
	local dir=$NS_TMP/nagios objects=/etc/nagios4/objects

	if ! command -v nagios4 >/dev/null || [ ! -d "$objects" ]; then
		ns_info "note: nagios4 not installed (Debian package" \
		    "nagios4-core), netsentry.cfg not verified"
		return
	fi
	mkdir -p "$dir"
	cat >"$dir/hosts.cfg" <<'EOF'
define command {
	command_name	test-host-alive
	command_line	$USER1$/check_dummy 0
}
define host {
	use		linux-server,netsentry-sensor
	host_name	sensor1
	address		127.0.0.1
	check_command	test-host-alive
}
EOF
	# nagios4 reads the object files as nagios_user, which must be able
	# to enter the private folder (mode 0700).
	cat >"$dir/nagios.cfg" <<EOF
nagios_user=$(id -un)
nagios_group=$(id -gn)
log_file=$dir/nagios.log
resource_file=/etc/nagios4/resource.cfg
cfg_file=$objects/commands.cfg
cfg_file=$objects/contacts.cfg
cfg_file=$objects/timeperiods.cfg
cfg_file=$objects/templates.cfg
cfg_file=$CFG
cfg_file=$dir/hosts.cfg
illegal_macro_output_chars=\`~\$&|'"<>
EOF
	if nagios4 -v "$dir/nagios.cfg" >"$dir/verify.out" 2>&1 &&
	    grep -q '^Total Warnings: *0$' "$dir/verify.out" &&
	    grep -q '^Total Errors: *0$' "$dir/verify.out"; then
		ns_ok "nagios4 -v: no warnings, no errors"
	else
		ns_error "nagios4 -v rejects netsentry.cfg:" \
		    "$(grep -E '^(Error|Warning)' "$dir/verify.out" | head -n 5)"
	fi
}

# Start a writer that sends the pcap header of $2 to FIFO $1 at once.
# Each further pair of arguments GO CAPTURE sends the records of CAPTURE
# once the file GO exists, or at once for "-".  Then the writer keeps
# the FIFO open until it is stopped.  WRITER_PID gets its pid.
start_writer() {
	local fifo=$1 header=$2

	shift 2
	rm -f "$fifo"
	mkfifo "$fifo" || ns_fail "cannot create a FIFO in $NS_TMP"
	(head -c 24 "$header"
	 while [ $# -ge 2 ]; do
		while [ "$1" != - ] && [ ! -e "$1" ]; do sleep 0.1; done
		tail -c +25 "$2"
		shift 2
	 done
	 exec sleep 300) >"$fifo" &
	WRITER_PID=$!
	ns_track "$WRITER_PID"
}

# Wait up to 20 s until an object has the given value.
wait_value() {
	local oid=$1 want=$2 what=$3 got i

	for ((i = 0; i < 200; i++)); do
		got=$(ns_get_value "$oid")
		[ "$got" = "$want" ] && return 0
		sleep 0.1
	done
	ns_fail "$what is '$got' after 20 s, expected $want"
}

# Write a pcap file with the last record of $1 again, $3 seconds later:
# a SYN flood meter decides on a second of traffic only once a later
# packet shows that the second is over.
write_late_copy() {
	"$NS_PYTHON" - "$1" "$2" "$3" <<'PYEOF'
import struct
import sys

src, out, delay = sys.argv[1], sys.argv[2], float(sys.argv[3])
data = open(src, "rb").read()
if data[:4] != b"\xd4\xc3\xb2\xa1":
    sys.exit(src + ": not a little-endian microsecond pcap file")
pos, last = 24, None
while pos + 16 <= len(data):
    caplen = struct.unpack_from("<I", data, pos + 8)[0]
    last = pos
    pos += 16 + caplen
sec, usec, caplen, wirelen = struct.unpack_from("<IIII", data, last)
when = sec * 1000000 + usec + int(delay * 1000000)
with open(out, "wb") as f:
    f.write(data[:24])
    f.write(struct.pack("<IIII", when // 1000000, when % 1000000, caplen,
                        wirelen))
    f.write(data[last + 16:last + 16 + caplen])
PYEOF
}

stop_daemon() {
	ns_stop_pid "$NS_DAEMON_PID" 10
	ns_untrack "$NS_DAEMON_PID"
}

verify_with_nagios
ns_snmpd_start
load_commands

RATE_SERVICES=("netsentry capture drops" "netsentry notifications lost")

ns_info "benign traffic: every service OK"
benign=$NS_DATA/benign/web_browsing_4631pkts.pcap
frames=$(tshark -n -r "$benign" -T fields -e frame.number 2>/dev/null |
    wc -l)
start_writer "$NS_TMP/benign.fifo" "$benign" - "$benign"
benign_writer=$WRITER_PID
ns_daemon_start -r "$NS_TMP/benign.fifo"
ns_wait_registered 20
wait_value "$OID_PKTS_1" "$frames" "nsCapturePkts.1"
ns_info "netsentryd read the $frames frames of $(basename "$benign")"

for name in "${!COMMAND_OF[@]}"; do
	expect_service "$name" "$OK"
done
# check_snmp counts the time between samples in whole seconds.
sleep 1.1
for name in "${RATE_SERVICES[@]}"; do
	expect_service "$name" "$OK"
	case $RUN_OUTPUT in
	*"No previous data"*)
		ns_error "$name: the second sample computed no rate"
		;;
	esac
done
stop_daemon
ns_stop_pid "$benign_writer" 5
ns_untrack "$benign_writer"

ns_info "attacks: one scan, then four scans and a SYN flood"
rm -rf "$NS_TMP/plugin-state"
"$NS_PYTHON" "$NS_TOOLS/make_storm.py" "$NS_TMP/scan1.pcap" 1 ||
    ns_fail "make_storm.py failed"
"$NS_PYTHON" "$NS_TOOLS/make_storm.py" "$NS_TMP/scan4.pcap" 4 2 \
    1700000001 || ns_fail "make_storm.py failed"
flood=$NS_DATA/floods/syn_flood_1src_200syn_in_0.2s.pcap
start_writer "$NS_TMP/scans.fifo" "$NS_TMP/scan1.pcap" \
    "$NS_TMP/go1" "$NS_TMP/scan1.pcap" "$NS_TMP/go2" "$NS_TMP/scan4.pcap"
scan_writer=$WRITER_PID
write_late_copy "$flood" "$NS_TMP/flood_end.pcap" 1.5 ||
    ns_fail "cannot write $NS_TMP/flood_end.pcap"
start_writer "$NS_TMP/flood.fifo" "$flood" "$NS_TMP/go2" "$flood" \
    - "$NS_TMP/flood_end.pcap"

# A rate limit of 2 a minute suppresses most of the six notifications.
NS_DAEMON_CONF=$NS_TMP/netsentryd.conf
ns_daemon_write_conf "$NS_DAEMON_CONF" "trapRateLimit 2"
ns_daemon_start -r "$NS_TMP/scans.fifo" -r "$NS_TMP/flood.fifo"
ns_wait_registered 20

# The drops command as shipped, but polling a Counter64 that grows.
packets_line=${COMMAND_OF["netsentry capture drops"]/$OID_DROPS/$OID_PKTS_1}
[ "$packets_line" != "${COMMAND_OF["netsentry capture drops"]}" ] ||
    ns_fail "the drops command does not poll $OID_DROPS"

ns_info "no attack yet: every service OK"
for name in "${!COMMAND_OF[@]}"; do
	expect_service "$name" "$OK"
done
run_line "$packets_line"

touch "$NS_TMP/go1"
wait_value "$OID_EVENTS_TOTAL" 1 "nsEventsTotal.0"
ns_info "one scan"
expect_service "netsentry active events" "$WARNING"
expect_service "netsentry SYN floods" "$OK"

sleep 1.1
touch "$NS_TMP/go2"
wait_value "$OID_EVENTS_TOTAL" 6 "nsEventsTotal.0"
wait_value "$OID_ACTIVE" 6 "nsActiveEvents.0"
ns_info "five scans and a SYN flood, all active"
expect_service "netsentry active events" "$CRITICAL"
expect_service "netsentry SYN floods" "$CRITICAL"
expect_service "netsentry capture drops" "$OK"
expect_service "netsentry capture 1" "$OK"

suppressed=$(ns_get_value ".$NS_OID_NETSENTRY.1.4.4.0")
if [ "${suppressed:-0}" -gt 0 ]; then
	ns_info "nsNotificationsSuppressed.0 is $suppressed"
	expect_service "netsentry notifications lost" "$WARNING"
else
	ns_error "nsNotificationsSuppressed.0 is '$suppressed'," \
	    "expected more than 0 with trapRateLimit 2"
fi

run_line "$packets_line"
case $RUN_STATUS in
"$WARNING"|"$CRITICAL")
	ns_ok "the drops command alerts on a growing Counter64:" \
	    "exit $RUN_STATUS ($RUN_OUTPUT)"
	;;
*)
	ns_error "the drops command on nsCapturePkts.1 exits $RUN_STATUS," \
	    "expected 1 or 2 ($RUN_OUTPUT)"
	;;
esac

ns_info "the scan source reaches its end of file"
ns_stop_pid "$scan_writer" 5
ns_untrack "$scan_writer"
wait_value "$NS_OID_CAPTURE.4.1" "$NS_STATE_END_OF_FILE" "nsCaptureState.1"
expect_service "netsentry capture 1" "$CRITICAL"

ns_daemon_check_alive "after the checks"
stop_daemon

ns_info "mail path down: alerts wait in the spool"
mkdir -p "$NS_TMP/state"
closed=$(ns_free_tcp_port)
"$NS_PYTHON" "$NS_TOOLS/make_storm.py" "$NS_TMP/scan12.pcap" 12 ||
    ns_fail "make_storm.py failed"
NS_DAEMON_CONF=$NS_TMP/netsentryd-mail.conf
ns_daemon_write_conf "$NS_DAEMON_CONF" "stateDir $NS_TMP/state" \
    "mailServer 127.0.0.1:$closed" "mailFrom netsentry@example.org" \
    "mailTo noc@example.org" "mailRateLimit 0"
ns_daemon_start -r "$NS_TMP/scan12.pcap"
ns_wait_registered 20
wait_value ".$NS_OID_NETSENTRY.1.6.1.0" 24 "nsSpoolLength.0"
expect_service "netsentry mail spool" "$CRITICAL"
expect_service "netsentry mail spool age" "$OK"
sleep 1.1
age_line=${COMMAND_OF["netsentry mail spool age"]/-c \'1800\'/-c \'0\'}
[ "$age_line" != "${COMMAND_OF["netsentry mail spool age"]}" ] ||
    ns_fail "the spool age command has no -c '1800'"
run_line "$age_line"
[ "$RUN_STATUS" = "$CRITICAL" ] &&
    ns_ok "the spool age command with -c 0: exit 2 ($RUN_OUTPUT)" ||
    ns_error "the spool age command with -c 0: exit $RUN_STATUS" \
    "($RUN_OUTPUT)"
ns_finish
