#!/bin/sh
# Run the netsentryd benchmarks and print a results table.
#
# Starts a private snmpd (UDP on a free port of 127.0.0.1, AgentX on a
# socket in the work folder), then runs the parts that bench/nsbench.py
# implements: rate (packets per second against a pcap_loop floor),
# memory (bytes per table row), walk (snmpbulkwalk time) and detect
# (packet rate with the detectors on and off, and memory under a spoofed
# SYN flood), and on request profile (callgrind instructions per packet).
# Every timed measurement is repeated three times and the median is
# reported, except the flood runs of the detect part: they measure
# memory and run once.
# See bench/README.md.  Run from anywhere after building netsentryd.
set -eu

usage() {
	cat <<EOF
usage: sh bench/run.sh [-k] [-n PACKETS] [-p PART]... [-s SOURCES] [-w DIR]
  -k          keep the work folder (captures, logs) when done
  -n PACKETS  packets in the real-traffic and attack-mix captures
              (default 1000000)
  -p PART     run only this part: rate, memory, walk, detect or profile
              (repeatable; the default is rate, memory, walk and detect)
  -s SOURCES  SYNs, each from its own source address, in the flood
              capture of the detect part (default 10000000)
  -w DIR      work folder; captures already in it are reused
EOF
}

bench_dir=$(cd "$(dirname "$0")" && pwd)
top_dir=$(dirname "$bench_dir")
python=/usr/bin/python3
packets=1000000
sources=10000000
parts=""
keep=0
work=""

while getopts hkn:p:s:w: opt; do
	case $opt in
	h)	usage; exit 0 ;;
	k)	keep=1 ;;
	n)	packets=$OPTARG ;;
	p)	case $OPTARG in
		rate|memory|walk|detect|profile) parts="$parts $OPTARG" ;;
		*)	echo "run.sh: unknown part '$OPTARG'" >&2
			usage >&2; exit 2 ;;
		esac ;;
	s)	sources=$OPTARG ;;
	w)	work=$OPTARG; keep=1 ;;
	*)	usage >&2; exit 2 ;;
	esac
done
[ -n "$parts" ] || parts="rate memory walk detect"

tools="cc snmpd snmpget snmpbulkwalk editcap"
case $parts in
*profile*) tools="$tools valgrind callgrind_annotate" ;;
esac
for cmd in $tools; do
	command -v "$cmd" >/dev/null 2>&1 || {
		echo "run.sh: $cmd not found; run sh contrib/setup-debian.sh" \
		    "(valgrind: apt-get install valgrind)" >&2
		exit 1
	}
done
if [ ! -x "$top_dir/netsentryd" ]; then
	echo "run.sh: $top_dir/netsentryd not found; build it with" \
	    "sh contrib/setup-debian.sh" >&2
	exit 1
fi

if [ -z "$work" ]; then
	work=$(mktemp -d "${TMPDIR:-/tmp}/netsentry-bench.XXXXXX")
fi
mkdir -p "$work/snmp" "$work/persist" "$work/clientconf"
work=$(cd "$work" && pwd)

snmpd_pid=""
cleanup() {
	if [ -n "$snmpd_pid" ]; then
		kill "$snmpd_pid" 2>/dev/null || true
		wait "$snmpd_pid" 2>/dev/null || true
	fi
	if [ "$keep" = 0 ]; then
		rm -rf "$work"
	else
		echo "run.sh: work folder kept: $work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Clients read no system configuration and write nothing under
# /var/lib/snmp; the subagent and master keep their state in $work.
MIBS=
SNMPCONFPATH=$work/clientconf
SNMP_PERSISTENT_DIR=$work/persist
export MIBS SNMPCONFPATH SNMP_PERSISTENT_DIR

cc -O2 -Wall -Wextra -o "$work/floor" "$bench_dir/floor.c" -lpcap
cc -O2 -Wall -Wextra -I"$top_dir" -I"$top_dir/capture" \
    -o "$work/entry_sizes" "$bench_dir/entry_sizes.c"

free_udp_port() {
	"$python" -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# Start snmpd on a free port; another process may take the port between
# the probe and the bind, so try a few times.
start_snmpd() {
	tries=0
	while [ $tries -lt 5 ]; do
		tries=$((tries + 1))
		port=$(free_udp_port)
		cat >"$work/snmp/snmpd.conf" <<EOF
agentAddress udp:127.0.0.1:$port
master agentx
agentXSocket unix:$work/snmp/master.sock
agentXPerms 0660 0700
rocommunity public 127.0.0.1
dontLogTCPWrappersConnects yes
EOF
		# -I -smux: no SMUX listener on TCP port 199 of every address.
		snmpd -f -C -c "$work/snmp/snmpd.conf" -I -smux \
		    -Lf "$work/snmp/snmpd.log" -p "$work/snmp/snmpd.pid" &
		snmpd_pid=$!
		i=0
		while [ $i -lt 50 ]; do
			if snmpget -v2c -c public -t 0.2 -r 0 "127.0.0.1:$port" \
			    .1.3.6.1.2.1.1.3.0 >/dev/null 2>&1; then
				return 0
			fi
			kill -0 "$snmpd_pid" 2>/dev/null || break
			sleep 0.1
			i=$((i + 1))
		done
		kill "$snmpd_pid" 2>/dev/null || true
		wait "$snmpd_pid" 2>/dev/null || true
		snmpd_pid=""
	done
	echo "run.sh: snmpd did not start; see $work/snmp/snmpd.log" >&2
	exit 1
}

machine_info() {
	echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "nproc: $(nproc)"
	echo "cpu: $(lscpu | sed -n 's/^Model name: *//p')"
	echo "memory: $(free -g | awk '/^Mem:/ { print $2 " GiB" }')"
	echo "kernel: $(uname -r)"
	echo "libpcap: $(dpkg-query -W -f='${Version}' libpcap0.8 2>/dev/null)"
	echo "net-snmp: $(snmpd -v | sed -n 's/^NET-SNMP version: *//p')"
	echo "netsentryd: $("$top_dir/netsentryd" -v), built" \
	    "$(date -u -r "$top_dir/netsentryd" '+%Y-%m-%d %H:%M UTC')"
	if git -C "$top_dir" rev-parse --git-dir >/dev/null 2>&1; then
		# The daemon is built from the work tree, not only from HEAD.
		dirty=$(git -C "$top_dir" status --porcelain -- capture agent \
		    configure.ac Makefile.am | wc -l)
		echo "source: $(git -C "$top_dir" rev-parse --short HEAD)," \
		    "$dirty changed files in capture/, agent/ and the build"
	fi
}

start_snmpd
# Rows never expire, so every run ends with all the rows it created.
echo "idleTimeout 0" >"$work/netsentryd.conf"

results=$work/results.tsv
: >"$results"
machine_info
started=$(date +%s)
for part in $parts; do
	# Other users of the machine show in the load average.
	echo "== $part (load average before: $(cut -d' ' -f1-3 /proc/loadavg))"
	"$python" "$bench_dir/nsbench.py" "$part" --work "$work" \
	    --port "$port" --socket "$work/snmp/master.sock" \
	    --snmpd-pid "$snmpd_pid" \
	    --daemon "$top_dir/netsentryd" --floor "$work/floor" \
	    --data "$top_dir/tests/data" --packets "$packets" \
	    --flood-sources "$sources" --results "$results"
	echo "== $part done (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
done

echo
echo "Results (timed values are the median of 3 runs, 9 in the detect part;" \
    "$(($(date +%s) - started)) s in all)"
{
	printf 'part\tmeasurement\tvalue\tunit\ttarget\tverdict\tnote\n'
	cat "$results"
} | column -t -s "$(printf '\t')"
