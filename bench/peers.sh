#!/bin/bash
# Replay capture files to two peers from Debian, scanlogd and fastnetmon,
# and print what each detected: one TSV row per capture and peer.
# docs/PEERS.md describes the set-up and records the results.
#
# usage: bench/peers.sh [-k] [-w DIR] FILE...
#
# Needs root.  Each capture is replayed with tcpreplay from one network
# namespace over a veth pair into a second one, the sensor, where both
# peers listen.  Nothing leaves the two namespaces: the replay namespace
# has no address and no route, and the sensor's default route is a
# blackhole.

set -eu

# Captures that last longer than this replay at LONG_CAPTURE_PPS, and
# shorter ones at their own timing.  Replaying days in real time is not
# practical.
REALTIME_MAX_SECONDS=60

# Replay rate of long captures, in packets per second.  It is below
# FASTNETMON_THRESHOLD_PPS, so compressing a long capture cannot raise
# a flood alert by itself.
LONG_CAPTURE_PPS=100

# fastnetmon's per-host ban threshold in packets per second.  Its
# default, 20000, is meant for ISP uplinks and no capture here reaches it.
FASTNETMON_THRESHOLD_PPS=500

# Time to wait after the last packet before the peers are stopped.
# fastnetmon recomputes rates once a second, and in our runs it reported
# an attack within two seconds of the packets that caused it.
SETTLE_SECONDS=4

# Locally administered MAC addresses of the two veth ends.  tcprewrite
# sets every frame's destination to the sensor's address, because the
# sensor's kernel drops frames addressed to other hosts before scanlogd's
# raw socket can see them.
SENSOR_MAC=02:00:00:00:00:01
REPLAY_MAC=02:00:00:00:00:02

PYTHON=/usr/bin/python3
HELPERS=$(cd "$(dirname "$0")" && pwd)/peers

NS_SENSOR=peers-sensor-$$
NS_REPLAY=peers-replay-$$

WORK=
KEEP_WORK=0
FAILED=0

# Processes that cleanup() stops.  SCANLOGD_* hold the unshare(1)
# process, the PID namespace's init and scanlogd itself.
REPLAY_PID=
SINK_PID=
TCPDUMP_PID=
FASTNETMON_PID=
SCANLOGD_UNSHARE_PID=
SCANLOGD_INIT_PID=
SCANLOGD_PID=

usage()
{
	echo "usage: $0 [-k] [-w DIR] FILE..." >&2
	echo "  -k      keep the work folder" >&2
	echo "  -w DIR  work folder (default: a new folder in /tmp)" >&2
	exit 2
}

die()
{
	echo "peers.sh: $*" >&2
	exit 1
}

note()
{
	echo "peers.sh: $*" >&2
}

check_tools()
{
	local tool

	[ "$(id -u)" -eq 0 ] || die "must run as root (namespaces, raw sockets)"
	for tool in /usr/sbin/scanlogd /usr/sbin/fastnetmon tcpreplay \
	    tcprewrite tcpdump editcap capinfos tshark ip unshare "$PYTHON"; do
		command -v "$tool" >/dev/null ||
		    die "$tool not found; install with: apt-get install" \
			"scanlogd fastnetmon tcpreplay tcpdump tshark"
	done
	getent passwd scanlogd >/dev/null ||
	    die "user scanlogd is missing; reinstall the scanlogd package"
}

# Return whether process $1 exists and is not a zombie.
is_running()
{
	local state

	state=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	case $state in
	Z*) return 1 ;;
	esac
	return 0
}

# Send signal $2 (default TERM) to process $1, give it 5 seconds to exit,
# then kill it.  Reap it if it is a child of this shell.
stop_pid()
{
	local pid=$1 signal=${2:-TERM} tries=50

	[ -n "$pid" ] || return 0
	kill -s "$signal" "$pid" 2>/dev/null || true
	while [ "$tries" -gt 0 ] && is_running "$pid"; do
		sleep 0.1
		tries=$((tries - 1))
	done
	if is_running "$pid"; then
		note "process $pid ignored SIG$signal; sending SIGKILL"
		kill -s KILL "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || true
}

stop_scanlogd()
{
	stop_pid "$SCANLOGD_PID"
	# Killing the init of a PID namespace ends every process in it.
	stop_pid "$SCANLOGD_INIT_PID" KILL
	stop_pid "$SCANLOGD_UNSHARE_PID"
	SCANLOGD_PID= SCANLOGD_INIT_PID= SCANLOGD_UNSHARE_PID=
}

stop_sensors()
{
	stop_scanlogd
	stop_pid "$FASTNETMON_PID"
	stop_pid "$TCPDUMP_PID"
	stop_pid "$SINK_PID"
	FASTNETMON_PID= TCPDUMP_PID= SINK_PID=
}

delete_namespaces()
{
	ip netns delete "$NS_SENSOR" 2>/dev/null || true
	ip netns delete "$NS_REPLAY" 2>/dev/null || true
}

cleanup()
{
	stop_pid "$REPLAY_PID"
	stop_sensors
	delete_namespaces
	if [ -n "$WORK" ] && [ "$KEEP_WORK" -eq 0 ]; then
		rm -rf "$WORK"
	elif [ -n "$WORK" ]; then
		note "work folder kept: $WORK"
	fi
}

# Create the sensor and replay namespaces joined by a veth pair, and make
# the monitored IPv4 blocks in $1 (an `ip -batch` file) local to the
# sensor.
make_namespaces()
{
	local routes=$1

	ip netns add "$NS_SENSOR"
	ip netns add "$NS_REPLAY"

	# No IPv6 on either side, so neither kernel sends router
	# solicitations or MLD reports into the replayed traffic.  Reverse
	# path filtering is off because the capture's sources have no route.
	# accept_local keeps packets from one monitored host to another,
	# which the kernel would otherwise drop for their local source.
	ip netns exec "$NS_REPLAY" sysctl -qw \
	    net.ipv6.conf.all.disable_ipv6=1 \
	    net.ipv6.conf.default.disable_ipv6=1
	ip netns exec "$NS_SENSOR" sysctl -qw \
	    net.ipv6.conf.all.disable_ipv6=1 \
	    net.ipv6.conf.default.disable_ipv6=1 \
	    net.ipv4.conf.all.rp_filter=0 \
	    net.ipv4.conf.default.rp_filter=0 \
	    net.ipv4.conf.all.accept_local=1 \
	    net.ipv4.conf.default.accept_local=1

	# 65535 bytes is the veth maximum.  Some recorded frames are GRO
	# aggregates of about 64 kB.
	ip link add name s0 address "$SENSOR_MAC" mtu 65535 \
	    netns "$NS_SENSOR" type veth peer name r0 address "$REPLAY_MAC" \
	    mtu 65535 netns "$NS_REPLAY"
	ip -n "$NS_SENSOR" link set lo up
	ip -n "$NS_SENSOR" link set s0 up
	ip -n "$NS_REPLAY" link set r0 up

	# Replies of the sensor's kernel (RSTs, ICMP errors) are dropped
	# here rather than sent back over the veth.
	ip -n "$NS_SENSOR" route add blackhole default
	ip -n "$NS_SENSOR" -batch "$routes"
}

# Print the CIDR list of bench/peers/monitored.tsv for capture $1, or
# nothing if the automatic rule applies.
monitored_override()
{
	local name

	name=$(basename "$1")
	awk -F '\t' -v name="$name" \
	    '$1 !~ /^#/ && $1 == name { print $2; exit }' \
	    "$HELPERS/monitored.tsv"
}

# Write the capture $1 as Ethernet pcap addressed to the sensor into $2.
# Prints the packet count and the duration in seconds.
prepare_capture()
{
	local input=$1 output=$2 info format encap count duration

	info=$(capinfos -M -T -r -t -E -c -u "$input") ||
	    { note "$input: capinfos failed"; return 1; }
	format=$(echo "$info" | cut -f2)
	encap=$(echo "$info" | cut -f3)
	count=$(echo "$info" | cut -f4)
	duration=$(echo "$info" | cut -f5)

	if [ "$encap" != ether ]; then
		note "$input: link type $encap is not supported (Ethernet only)"
		return 1
	fi
	if [ "$format" != pcap ]; then
		editcap -F pcap "$input" "$WORK/converted.pcap" ||
		    { note "$input: editcap failed"; return 1; }
		input=$WORK/converted.pcap
	fi

	# VLAN tags are removed because the sensor has no VLAN interface
	# and its kernel would drop tagged frames.
	tcprewrite --enet-dmac="$SENSOR_MAC" --enet-vlan=del \
	    -i "$input" -o "$output" 2>"$WORK/tcprewrite.err" ||
	    { cat "$WORK/tcprewrite.err" >&2; return 1; }

	echo "$count $duration"
}

write_fastnetmon_config()
{
	cat >"$WORK/notify.sh" <<-EOF
	#!/bin/sh
	# fastnetmon notify script.  Arguments: IP DIRECTION PPS ACTION.
	# The attack details arrive on standard input.
	{
		printf 'NOTIFY %s' "\$(date +%s%N)"
		printf ' [%s]' "\$@"
		echo
		cat
		echo END
	} >>"$WORK/notify.log"
	EOF
	chmod 755 "$WORK/notify.sh"
	: >"$WORK/whitelist"

	sed -e "s|@WORK@|$WORK|g" \
	    -e "s|@THRESHOLD_PPS@|$FASTNETMON_THRESHOLD_PPS|g" \
	    "$HELPERS/fastnetmon.conf.in" >"$WORK/fastnetmon.conf"
}

# Wait up to $3 seconds for file $1 to contain the extended regular
# expression $2.
wait_for_line()
{
	local file=$1 pattern=$2 tries=$(($3 * 10))

	while [ "$tries" -gt 0 ]; do
		grep -Eq "$pattern" "$file" 2>/dev/null && return 0
		sleep 0.1
		tries=$((tries - 1))
	done
	return 1
}

start_sink()
{
	rm -f "$WORK/log.sock"
	"$PYTHON" "$HELPERS/syslog_sink.py" "$WORK/log.sock" \
	    "$WORK/syslog.txt" &
	SINK_PID=$!
	while [ ! -S "$WORK/log.sock" ]; do
		kill -0 "$SINK_PID" 2>/dev/null || die "syslog sink failed"
		sleep 0.1
	done
}

start_tcpdump()
{
	ip netns exec "$NS_SENSOR" tcpdump -n -i s0 -Q in -s 128 -B 16384 \
	    --time-stamp-precision=nano -w "$WORK/sensor.pcap" \
	    2>"$WORK/tcpdump.err" &
	TCPDUMP_PID=$!
	wait_for_line "$WORK/tcpdump.err" "listening on" 10 ||
	    die "tcpdump did not start: $(cat "$WORK/tcpdump.err")"
}

# Print the PID of the first child of process $1, or nothing.
first_child_of()
{
	awk '{ print $1 }' "/proc/$1/task/$1/children" 2>/dev/null || true
}

start_scanlogd()
{
	local tries=100

	ip netns exec "$NS_SENSOR" unshare --mount --pid --fork \
	    --propagation private "$HELPERS/run_scanlogd.sh" \
	    "$WORK/log.sock" >"$WORK/scanlogd.out" 2>&1 &
	SCANLOGD_UNSHARE_PID=$!

	# Once the init runs sleep, scanlogd has opened its raw socket and
	# forked, and its daemon process is the init's only child.
	while [ "$tries" -gt 0 ]; do
		SCANLOGD_INIT_PID=$(first_child_of "$SCANLOGD_UNSHARE_PID")
		if [ -n "$SCANLOGD_INIT_PID" ] &&
		    [ "$(cat "/proc/$SCANLOGD_INIT_PID/comm" 2>/dev/null)" = \
		    sleep ]; then
			SCANLOGD_PID=$(first_child_of "$SCANLOGD_INIT_PID")
			break
		fi
		kill -0 "$SCANLOGD_UNSHARE_PID" 2>/dev/null || break
		sleep 0.1
		tries=$((tries - 1))
	done
	[ -n "$SCANLOGD_PID" ] ||
	    die "scanlogd did not start: $(cat "$WORK/scanlogd.out")"
}

# Print the number of packet sockets bound to an interface in the sensor.
count_packet_sockets()
{
	ip netns exec "$NS_SENSOR" awk \
	    'NR > 1 && $5 != 0 { n++ } END { print n + 0 }' /proc/net/packet
}

start_fastnetmon()
{
	local cpus_line='We have ([0-9]+) cpus for AF_PACKET' workers tries=100

	ip netns exec "$NS_SENSOR" unshare --mount --propagation private \
	    "$HELPERS/run_fastnetmon.sh" "$WORK/fastnetmon.conf" \
	    "$WORK/fastnetmon.log" >"$WORK/fastnetmon.out" 2>&1 &
	FASTNETMON_PID=$!

	wait_for_line "$WORK/fastnetmon.log" "$cpus_line" 20 ||
	    die "fastnetmon did not start: $(cat "$WORK/fastnetmon.out")"

	# fastnetmon opens one AF_PACKET socket per CPU, and tcpdump has one.
	workers=$(sed -nE "s/.*$cpus_line.*/\\1/p" "$WORK/fastnetmon.log")
	while [ "$(count_packet_sockets)" -lt $((workers + 1)) ]; do
		tries=$((tries - 1))
		[ "$tries" -gt 0 ] ||
		    die "fastnetmon did not open its capture sockets in" \
			"10 s: $(tail -n 5 "$WORK/fastnetmon.log")"
		sleep 0.1
	done
}

# Return whether a capture of $1 seconds replays at LONG_CAPTURE_PPS.
is_long_capture()
{
	awk -v d="$1" -v max="$REALTIME_MAX_SECONDS" \
	    'BEGIN { exit !(d + 0 > max) }'
}

# Print how a capture of $1 seconds is replayed, for the progress line.
describe_replay()
{
	if is_long_capture "$1"; then
		echo "at $LONG_CAPTURE_PPS packets/s"
	else
		echo "at capture timing"
	fi
}

# Replay $1, a capture of $2 seconds, into the sensor.
replay()
{
	local capture=$1 duration=$2 rate=()

	if is_long_capture "$duration"; then
		rate=(--pps="$LONG_CAPTURE_PPS")
	fi
	# In the background, because bash runs the INT and TERM traps only
	# after a foreground command ends, and wait returns at once.
	ip netns exec "$NS_REPLAY" tcpreplay -q "${rate[@]}" -i r0 \
	    "$capture" >"$WORK/tcpreplay.out" 2>&1 &
	REPLAY_PID=$!
	if ! wait "$REPLAY_PID"; then
		REPLAY_PID=
		cat "$WORK/tcpreplay.out" >&2
		return 1
	fi
	REPLAY_PID=
}

clear_run_files()
{
	rm -f "$WORK"/syslog.txt "$WORK"/notify.log "$WORK"/sensor.pcap \
	    "$WORK"/fastnetmon.log "$WORK"/converted.pcap \
	    "$WORK"/tcpreplay.out
	: >"$WORK/syslog.txt"
	: >"$WORK/notify.log"
}

# Replay capture $1 to fresh instances of both peers in fresh namespaces
# and print its two TSV rows.
run_capture()
{
	local file=$1 label override counts v4 v6 info count duration sent

	label=$(basename "$file")
	clear_run_files

	if ! info=$(prepare_capture "$file" "$WORK/replay.pcap"); then
		FAILED=1
		return 0
	fi
	read -r count duration <<<"$info"

	override=$(monitored_override "$file")
	counts=$("$PYTHON" "$HELPERS/monitored_hosts.py" "$file" \
	    "$WORK/networks" "$WORK/routes" ${override:+"$override"})
	read -r v4 v6 <<<"$counts"
	note "$label: $count packets, $duration s, replayed" \
	    "$(describe_replay "$duration"); monitoring $v4 IPv4 and $v6" \
	    "IPv6 blocks${override:+ from monitored.tsv}"

	make_namespaces "$WORK/routes"
	start_sink
	start_tcpdump
	start_scanlogd
	start_fastnetmon

	if [ "$count" -gt 0 ] && ! replay "$WORK/replay.pcap" "$duration"; then
		note "$label: tcpreplay failed"
		FAILED=1
	fi
	sleep "$SETTLE_SECONDS"
	stop_sensors
	delete_namespaces

	sent=0
	if [ -f "$WORK/tcpreplay.out" ]; then
		sent=$(awk '/Successful packets:/ { print $3 }' \
		    "$WORK/tcpreplay.out")
	fi
	note "$label: sent ${sent:-0} packets," \
	    "sensor received $(capinfos -M -c "$WORK/sensor.pcap" |
	    awk '/Number of packets/ { print $NF }')"

	"$PYTHON" "$HELPERS/summarize.py" "$label" "$WORK/sensor.pcap" \
	    "$WORK/networks" "$WORK/syslog.txt" "$WORK/notify.log"
}

main()
{
	local opt file

	while getopts "kw:" opt; do
		case $opt in
		k) KEEP_WORK=1 ;;
		w) WORK=$OPTARG ;;
		*) usage ;;
		esac
	done
	shift $((OPTIND - 1))
	[ "$#" -gt 0 ] || usage

	check_tools
	trap cleanup EXIT
	trap 'exit 130' INT TERM

	if [ -n "$WORK" ]; then
		mkdir -p "$WORK"
		KEEP_WORK=1
	else
		WORK=$(mktemp -d /tmp/peers.XXXXXX)
	fi
	write_fastnetmon_config

	printf 'capture\tpeer\tdetected\talerts\tfirst_alert\t'
	printf 'packets_before_first_alert\n'
	for file in "$@"; do
		run_capture "$file"
	done
	return "$FAILED"
}

main "$@"
