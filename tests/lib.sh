#!/bin/bash
# Shared helpers for the netsentry integration tests (bash, sourced).
#
# Each test sources this file, calls ns_init, starts a private snmpd
# master and netsentryd, checks what they serve, and ends with ns_finish.
# Exit status follows automake: 0 pass, 1 fail, 77 skip.
#
# The tests use only real components: snmpd from net-snmp as the AgentX
# master, the net-snmp command-line clients, and tshark as the oracle.
# Every process a test starts is recorded by pid and stopped by the EXIT
# trap, which also removes the private directory.  Set NS_KEEP_TMP=1 to
# keep that directory for a look after a failure.

# Automake sets both variables; a test run by hand uses the checkout that
# contains this file.
NS_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${NS_TOP_SRCDIR:=$(cd "$NS_LIB_DIR/.." && pwd)}"
: "${NS_TOP_BUILDDIR:=$NS_TOP_SRCDIR}"
export NS_TOP_SRCDIR NS_TOP_BUILDDIR

NS_DATA=$NS_TOP_SRCDIR/tests/data
NS_TOOLS=$NS_TOP_SRCDIR/tests/tools
NS_DAEMON=$NS_TOP_BUILDDIR/netsentryd

# Debian's interpreter: the python3 first on PATH may be another one.
NS_PYTHON=/usr/bin/python3

# Standard MIB modules (RMON-MIB and what it imports) kept beside the
# repository, and the project's own NETSENTRY-MIB.
NS_IETF_MIBDIR=$NS_TOP_SRCDIR/../shared/mibs/ietf
NS_MIBDIR=$NS_TOP_SRCDIR/mibs

# Object identifiers used by more than one test.
NS_OID_SYSUPTIME=1.3.6.1.2.1.1.3.0
NS_OID_RMON=1.3.6.1.2.1.16
NS_OID_HOST_CONTROL=1.3.6.1.2.1.16.4.1.1
NS_OID_HOST=1.3.6.1.2.1.16.4.2.1
NS_OID_HOST_TIME=1.3.6.1.2.1.16.4.3.1
NS_OID_MATRIX_CONTROL=1.3.6.1.2.1.16.6.1.1
NS_OID_MATRIX_SD=1.3.6.1.2.1.16.6.2.1
NS_OID_MATRIX_DS=1.3.6.1.2.1.16.6.3.1
NS_OID_NETSENTRY=1.3.6.1.4.1.99999
NS_OID_CAPTURE=1.3.6.1.4.1.99999.1.1.1
NS_OID_IP_HOST=1.3.6.1.4.1.99999.1.2.1
NS_OID_IP_MATRIX=1.3.6.1.4.1.99999.1.3.1

# nsCaptureState values.
NS_STATE_RUNNING=1
NS_STATE_END_OF_FILE=2
NS_STATE_FAILED=3

NS_PIDS=()
NS_CLEANUP=()
NS_FAILURES=0
NS_TMP=

# Print a progress line for the test log.
ns_info() {
	printf '%s: %s\n' "$NS_TEST_NAME" "$*"
}

# Print a check that passed.
ns_ok() {
	printf '%s: ok: %s\n' "$NS_TEST_NAME" "$*"
}

# Record a failed check and go on, so one run reports every failure.
ns_error() {
	printf '%s: FAIL: %s\n' "$NS_TEST_NAME" "$*" >&2
	NS_FAILURES=$((NS_FAILURES + 1))
}

# Stop the test at once with a failure.
ns_fail() {
	printf '%s: FAIL: %s\n' "$NS_TEST_NAME" "$*" >&2
	ns_dump_logs
	exit 1
}

# Stop the test as skipped: the environment lacks what it needs.
ns_skip() {
	printf '%s: SKIP: %s\n' "$NS_TEST_NAME" "$*"
	exit 77
}

# Skip unless every named command is installed.
ns_require_cmd() {
	local cmd

	for cmd in "$@"; do
		command -v "$cmd" >/dev/null 2>&1 ||
		    ns_skip "required command $cmd not found"
	done
}

# Skip unless the tests run as root.
ns_require_root() {
	[ "$(id -u)" -eq 0 ] || ns_skip "$1 needs root"
}

# End the test: exit 1 when any check failed, else 0.
ns_finish() {
	if [ "$NS_FAILURES" -gt 0 ]; then
		ns_info "$NS_FAILURES check(s) failed"
		ns_dump_logs
		exit 1
	fi
	ns_info "all checks passed"
	exit 0
}

# Start a test: name it, check the common tools, make the private
# directory and install the cleanup trap.
ns_init() {
	NS_TEST_NAME=$1

	# make distcheck runs the unit tests only; tests/ci.sh already ran
	# these against the same sources.
	[ "${NS_SKIP_INTEGRATION:-0}" = 1 ] &&
	    ns_skip "NS_SKIP_INTEGRATION=1 is set"

	ns_require_cmd snmpd snmpget snmpwalk snmpbulkwalk tshark
	[ -x "$NS_PYTHON" ] || ns_skip "$NS_PYTHON not found"

	NS_TMP=$(mktemp -d /tmp/ns-test.XXXXXX) ||
	    ns_fail "cannot create a temporary directory"
	trap ns_cleanup EXIT
	trap 'exit 1' HUP INT TERM

	# Client settings: no system snmp.conf, no MIBs unless a call loads
	# them with -m, and no writes under /var/lib/snmp.
	# Creating cert_indexes here keeps the clients from printing a
	# "Created directory" line on their first run.
	mkdir -p "$NS_TMP/client-conf" "$NS_TMP/client-state/cert_indexes"
	echo "hexOutputLength 0" >"$NS_TMP/client-conf/snmp.conf"
	NS_CLIENT_ENV=(env "MIBS=" "MIBDIRS=" \
	    "SNMPCONFPATH=$NS_TMP/client-conf" \
	    "SNMP_PERSISTENT_DIR=$NS_TMP/client-state")
}

# Record a background process for the cleanup trap.
ns_track() {
	NS_PIDS+=("$1")
}

# Forget a process that a test stopped itself.
ns_untrack() {
	local i

	for i in "${!NS_PIDS[@]}"; do
		[ "${NS_PIDS[$i]}" = "$1" ] && unset 'NS_PIDS[i]'
	done
}

# Run a command in the cleanup trap, after the processes are stopped.
ns_on_cleanup() {
	NS_CLEANUP+=("$*")
}

# Stop one process by pid: TERM, then KILL after timeout seconds.  Set
# NS_STOP_STATUS to its exit status when it was a child of this shell.
# Call it directly, not in $(...): a subshell cannot wait for the child.
ns_stop_pid() {
	local pid=$1 timeout=${2:-5} tenths=0

	NS_STOP_STATUS=
	if kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null
	fi
	while ns_pid_running "$pid"; do
		if [ "$tenths" -ge $((timeout * 10)) ]; then
			ns_info "pid $pid ignored SIGTERM for ${timeout} s," \
			    "sending SIGKILL"
			kill -KILL "$pid" 2>/dev/null
			break
		fi
		sleep 0.1
		tenths=$((tenths + 1))
	done
	wait "$pid" 2>/dev/null
	NS_STOP_STATUS=$?
}

# True while a process runs.  A child that exited stays a zombie, which
# kill -0 still finds, until wait reaps it; /proc shows its state as Z.
ns_pid_running() {
	local stat

	read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
	stat=${stat##*) }
	case ${stat%% *} in
	Z|X|x)
		return 1
		;;
	esac
	return 0
}

ns_cleanup() {
	local status=$? pids=() i cmd

	# Stop the processes in the reverse order of their start, so the
	# daemon goes before the master it is connected to.
	pids=("${NS_PIDS[@]}")
	for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
		ns_stop_pid "${pids[$i]}"
	done
	for cmd in "${NS_CLEANUP[@]}"; do
		eval "$cmd" >/dev/null 2>&1
	done
	if [ -n "$NS_TMP" ] && [ -d "$NS_TMP" ]; then
		if [ "${NS_KEEP_TMP:-0}" = 1 ]; then
			echo "$NS_TEST_NAME: kept $NS_TMP"
		else
			rm -rf "$NS_TMP"
		fi
	fi
	exit "$status"
}

# Print the tails of the logs a failed test left.
ns_dump_logs() {
	local log

	for log in "$NS_TMP"/snmpd.log "$NS_TMP"/netsentryd*.log \
	    "$NS_TMP"/netsentryd.stderr; do
		[ -s "$log" ] || continue
		echo "---- last lines of $(basename "$log") ----" >&2
		tail -n 25 "$log" >&2
	done
}

# Print a UDP port on 127.0.0.1 that is free now.  The kernel picks it, so
# two tests started together get different ports.
ns_free_udp_port() {
	"$NS_PYTHON" -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
'
}

# Print a TCP port on 127.0.0.1 that is free now, as above.
ns_free_tcp_port() {
	"$NS_PYTHON" -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
'
}

# Write the master agent's configuration.
ns_snmpd_write_conf() {
	cat >"$NS_TMP/snmpd.conf" <<EOF
agentAddress udp:127.0.0.1:$NS_SNMP_PORT
master agentx
agentXSocket unix:$NS_AGENTX_SOCKET
agentXPerms 0660 0700
rocommunity public 127.0.0.1
dontLogTCPWrappersConnects yes
EOF
	if [ -n "${NS_TRAP_PORT:-}" ]; then
		echo "trap2sink udp:127.0.0.1:$NS_TRAP_PORT public" \
		    >>"$NS_TMP/snmpd.conf"
	fi
}

# Start snmptrapd on a free UDP port of 127.0.0.1, before snmpd so that
# the master can name it as its trap sink.  It writes one line per
# notification to NS_TRAP_LOG: "TRAP" and the varbinds, tab-separated,
# with numeric OIDs.
ns_snmptrapd_start() {
	ns_require_cmd snmptrapd
	NS_TRAP_PORT=$(ns_free_udp_port)
	NS_TRAP_LOG=$NS_TMP/traps.log
	# One line per notification: hex strings unbroken.
	printf 'authCommunity log public\n[snmp] hexOutputLength 0\n' \
	    >"$NS_TMP/snmptrapd.conf"
	: >"$NS_TRAP_LOG"
	env MIBS= SNMP_PERSISTENT_DIR="$NS_TMP/snmpd-state" \
	    snmptrapd -f -n -C -c "$NS_TMP/snmptrapd.conf" -X -On -Ox \
	    -F 'TRAP\t%v\n' -Lf "$NS_TRAP_LOG" \
	    "udp:127.0.0.1:$NS_TRAP_PORT" 2>>"$NS_TMP/snmptrapd.stderr" &
	NS_SNMPTRAPD_PID=$!
	ns_track "$NS_SNMPTRAPD_PID"
	ns_info "snmptrapd pid $NS_SNMPTRAPD_PID listens on" \
	    "udp:127.0.0.1:$NS_TRAP_PORT"
}

# Wait up to $2 seconds until the trap log contains $1 notifications.
ns_wait_traps() {
	local want=$1 secs=${2:-10} i

	for ((i = 0; i < secs * 10; i++)); do
		[ "$(grep -c '^TRAP' "$NS_TRAP_LOG")" -ge "$want" ] && return 0
		sleep 0.1
	done
	return 1
}

# Start a private snmpd master agent: SNMP on a free UDP port of
# 127.0.0.1, AgentX on a unix socket in the private directory, no SMUX
# (which would listen on TCP port 199 on every address).  A restart with
# NS_SNMP_PORT set keeps the port and the socket.
ns_snmpd_start() {
	local attempt

	NS_AGENTX_SOCKET=${NS_AGENTX_SOCKET:-$NS_TMP/master.sock}
	mkdir -p "$NS_TMP/snmpd-state/cert_indexes"
	for attempt in 1 2 3; do
		[ -n "${NS_SNMP_PORT:-}" ] || NS_SNMP_PORT=$(ns_free_udp_port)
		ns_snmpd_write_conf
		env MIBS= SNMP_PERSISTENT_DIR="$NS_TMP/snmpd-state" \
		    snmpd -f -C -c "$NS_TMP/snmpd.conf" -I -smux \
		    -Lf "$NS_TMP/snmpd.log" -p "$NS_TMP/snmpd.pid" &
		NS_SNMPD_PID=$!
		ns_track "$NS_SNMPD_PID"
		if ns_snmpd_wait_ready 10; then
			ns_info "snmpd pid $NS_SNMPD_PID listens on" \
			    "udp:127.0.0.1:$NS_SNMP_PORT, AgentX on" \
			    "$NS_AGENTX_SOCKET"
			return 0
		fi
		ns_snmpd_stop

		# Another program may have taken the port between the check
		# and snmpd's bind: try a new one.
		grep -q "Address already in use" "$NS_TMP/snmpd.log" ||
		    break
		NS_SNMP_PORT=
	done
	ns_fail "snmpd did not answer sysUpTime.0 on 127.0.0.1:$NS_SNMP_PORT"
}

# Wait up to the given seconds until snmpd responds to sysUpTime.0.
ns_snmpd_wait_ready() {
	local deadline=$((SECONDS + $1))

	while [ "$SECONDS" -lt "$deadline" ]; do
		kill -0 "$NS_SNMPD_PID" 2>/dev/null || return 1
		if ns_snmpget -t 0.5 -r 0 "$NS_OID_SYSUPTIME" 2>/dev/null |
		    grep -q ' = [0-9]'; then
			return 0
		fi
		sleep 0.2
	done
	return 1
}

# Stop the snmpd master by pid; NS_STOP_STATUS is its exit status.
ns_snmpd_stop() {
	ns_stop_pid "$NS_SNMPD_PID" 5
	ns_untrack "$NS_SNMPD_PID"
}

# Net-snmp clients against the private master, SNMPv2c, reading no system
# configuration.  Usage: ns_snmpget [OPTIONS] OID...; options come first,
# as for the net-snmp tools.  Values print as "OID = value" with numeric
# OIDs, enumerations and time ticks.
ns_snmpget() {
	ns_snmp_call snmpget "$@"
}

ns_snmpwalk() {
	ns_snmp_call snmpwalk "$@"
}

ns_snmpbulkwalk() {
	ns_snmp_call snmpbulkwalk "$@"
}

# snmptable needs the MIB modules (-m, -M) and names its columns from
# them, so it runs without the numeric output options of the others.
ns_snmpgetnext() {
	ns_snmp_call snmpgetnext "$@"
}

ns_snmptable() {
	NS_OUTPUT_OPTIONS="" ns_snmp_call snmptable "$@"
}

# Run a client: the agent address goes after the options and before the
# OIDs.  Options that take a separate argument: -t -r -m -M.
ns_snmp_call() {
	local tool=$1 options=()

	shift
	while [ $# -gt 0 ]; do
		case $1 in
		-t|-r|-m|-M|-Cf)
			options+=("$1" "$2")
			shift 2
			;;
		-*)
			options+=("$1")
			shift
			;;
		*)
			break
			;;
		esac
	done
	"${NS_CLIENT_ENV[@]}" "$tool" -v2c -c public -t 5 -r 1 \
	    ${NS_OUTPUT_OPTIONS--On -OQ -Oe -Ot -OU} "${options[@]}" \
	    "127.0.0.1:$NS_SNMP_PORT" "$@"
}

# Print the value of one object, or nothing when the GET failed.
ns_get_value() {
	ns_snmpget "$1" 2>/dev/null | sed -n 's/^[.0-9]* = //p'
}

# Check that object $1 has the value $2; $3 names it in the message.
ns_expect_value() {
	local oid=$1 want=$2 what=$3 got

	got=$(ns_get_value "$oid")
	if [ "$got" = "$want" ]; then
		ns_ok "$what is $got"
	else
		ns_error "$what is '$got', expected $want"
	fi
}

# Write a netsentryd configuration: tests count every packet, so nothing
# may expire or be evicted.  Extra lines come from the arguments.
ns_daemon_write_conf() {
	local conf=$1 line

	shift
	{
		echo "idleTimeout 0"
		echo "maxHostEntries 65535"
		echo "maxMatrixEntries 262144"
		echo "maxIpHostEntries 262144"
		echo "maxIpMatrixEntries 262144"
		echo "agentxPingInterval 1"
		for line in "$@"; do
			echo "$line"
		done
	} >"$conf"
}

# Fail the test unless the daemon binary was built.
ns_require_daemon() {
	[ -x "$NS_DAEMON" ] ||
	    ns_fail "$NS_DAEMON not found: run make in $NS_TOP_BUILDDIR first"
}

# Start netsentryd in the foreground, in the background of this shell,
# with the configuration in NS_DAEMON_CONF (written by ns_daemon_write_conf
# when unset).  The arguments are its data sources and options.  A prefix
# command (e.g. ip netns exec NS) can be set in NS_DAEMON_PREFIX.
ns_daemon_start() {
	ns_require_daemon
	if [ -z "${NS_DAEMON_CONF:-}" ]; then
		NS_DAEMON_CONF=$NS_TMP/netsentryd.conf
		ns_daemon_write_conf "$NS_DAEMON_CONF"
	fi
	NS_DAEMON_LOG=${NS_DAEMON_LOG:-$NS_TMP/netsentryd.log}
	${NS_DAEMON_PREFIX:-} "$NS_DAEMON" -f -Lf "$NS_DAEMON_LOG" \
	    -c "$NS_DAEMON_CONF" -x "unix:$NS_AGENTX_SOCKET" "$@" \
	    2>>"$NS_TMP/netsentryd.stderr" &
	NS_DAEMON_PID=$!
	ns_track "$NS_DAEMON_PID"
	ns_info "netsentryd pid $NS_DAEMON_PID started with: $*"
}

# Fail unless the daemon is still running.
ns_daemon_check_alive() {
	ns_pid_running "$NS_DAEMON_PID" && return 0
	wait "$NS_DAEMON_PID"
	ns_fail "netsentryd exited with status $? ($1)"
}

# Wait until nsCaptureState.N is endOfFile(2) for every N given, at most
# NS_EOF_TIMEOUT seconds (default 120) in all.
ns_wait_eof() {
	local deadline=$((SECONDS + ${NS_EOF_TIMEOUT:-120})) index state

	for index in "$@"; do
		while :; do
			ns_daemon_check_alive "waiting for source $index"
			state=$(ns_get_value "$NS_OID_CAPTURE.4.$index")
			[ "$state" = "$NS_STATE_END_OF_FILE" ] && break
			[ "$state" = "$NS_STATE_FAILED" ] &&
			    ns_fail "nsCaptureState.$index is failed(3)"
			[ "$SECONDS" -ge "$deadline" ] &&
			    ns_fail "nsCaptureState.$index is" \
			    "'${state:-no answer}' after" \
			    "${NS_EOF_TIMEOUT:-120} s, expected endOfFile(2)"
			sleep 0.3
		done
	done
	ns_info "sources $1..${!#}: nsCaptureState is endOfFile(2)"
}

# Wait until the subagent's tables answer through the master, at most the
# given seconds (default 20).
ns_wait_registered() {
	local deadline=$((SECONDS + ${1:-20})) state

	while [ "$SECONDS" -lt "$deadline" ]; do
		ns_daemon_check_alive "waiting for AgentX registration"
		state=$(ns_get_value "$NS_OID_CAPTURE.4.1")
		case $state in
		[0-9]*)
			return 0
			;;
		esac
		sleep 0.2
	done
	ns_fail "nsCaptureState.1 did not answer within ${1:-20} s:" \
	    "netsentryd is not registered with the master"
}

# Walk a subtree with GETBULK into a file; fail on a client error.
ns_walk_to() {
	local out=$1

	shift
	ns_snmpbulkwalk -Cr25 "$@" >"$out" 2>"$out.err" ||
	    ns_fail "snmpbulkwalk $* failed: $(head -n 3 "$out.err")"
	if grep -q . "$out.err"; then
		ns_fail "snmpbulkwalk $* printed: $(head -n 3 "$out.err")"
	fi
}

# Create the network namespaces $1 and $4, joined by a veth pair whose
# end $2 in $1 has the address $3/24 and whose end $5 in $4 has $6/24.
# IPv6 is off in both, so no neighbour discovery frame reaches a
# capture.  The namespaces are deleted at cleanup; the test skips where
# namespaces or veth pairs cannot be made.
ns_veth_pair() {
	local ns1=$1 if1=$2 ip1=$3 ns2=$4 if2=$5 ip2=$6

	ip netns add "$ns1" 2>"$NS_TMP/netns.err" ||
	    ns_skip "ip netns add failed: $(head -n 1 "$NS_TMP/netns.err")"
	ns_on_cleanup ip netns del "$ns1"
	ip netns add "$ns2" || ns_fail "ip netns add $ns2 failed"
	ns_on_cleanup ip netns del "$ns2"
	ip link add "$if1" netns "$ns1" type veth peer name "$if2" \
	    netns "$ns2" 2>"$NS_TMP/veth.err" ||
	    ns_skip "cannot create a veth pair:" \
	    "$(head -n 1 "$NS_TMP/veth.err")"
	ns_netns_address "$ns1" "$if1" "$ip1"
	ns_netns_address "$ns2" "$if2" "$ip2"
}

ns_netns_address() {
	local netns=$1 ifname=$2 address=$3

	ip netns exec "$netns" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 \
	    net.ipv6.conf.default.disable_ipv6=1 >/dev/null ||
	    ns_fail "cannot turn IPv6 off in $netns"
	ip -n "$netns" link set lo up &&
	    ip -n "$netns" addr add "$address/24" dev "$ifname" &&
	    ip -n "$netns" link set "$ifname" up ||
	    ns_fail "cannot configure $ifname in $netns"
}

# Serve folder $4 over HTTP on $2:$3 in namespace $1, and return once
# the server listens, checked with ss inside the namespace so that no
# frame is sent.
ns_http_server() {
	local netns=$1 address=$2 port=$3 dir=$4 deadline

	(cd "$dir" && exec ip netns exec "$netns" "$NS_PYTHON" \
	    -m http.server --bind "$address" "$port" \
	    >"$NS_TMP/http.log" 2>&1) &
	ns_track $!
	deadline=$((SECONDS + 10))
	until ip netns exec "$netns" ss -Hltn "sport = :$port" |
	    grep -q LISTEN; do
		[ "$SECONDS" -lt "$deadline" ] ||
		    ns_fail "the HTTP server did not listen within 10 s:" \
		    "$(head -n 3 "$NS_TMP/http.log")"
		sleep 0.2
	done
}

# Set captures to every capture file under tests/data, in name order,
# daemon_args to the -r options that read them as data sources 1 to n,
# and sources to their "INDEX:PATH" pairs for the comparison tools.
ns_all_captures() {
	local file i

	captures=()
	while IFS= read -r file; do
		captures+=("$file")
	done < <(find "$NS_DATA" -type f \( -name '*.pcap' -o \
	    -name '*.pcapng' \) | LC_ALL=C sort)
	[ "${#captures[@]}" -gt 0 ] ||
	    ns_fail "no capture files under $NS_DATA"

	sources=()
	daemon_args=()
	for i in "${!captures[@]}"; do
		daemon_args+=(-r "${captures[$i]}")
		sources+=("$((i + 1)):${captures[$i]}")
	done
}
