#!/bin/bash
# netsentryd -p keeps a pid file as other daemons do.
#
# Checks:
#   - a pid file that names a live process of another program is
#     replaced, and the daemon logs the replacement;
#   - the file contains the daemon's pid and has mode 0644, even under
#     umask 077 and over a file of mode 0600;
#   - a second daemon with the same pid file exits with status 1 and a
#     message that names the file and the running pid, and the first
#     daemon and its file stay as they were;
#   - a second daemon whose own pid file names the running daemon is
#     rejected the same way;
#   - after kill -9 the file stays, and the next start replaces it and
#     logs that the process is gone;
#   - SIGTERM removes the file;
#   - without -f the file contains the pid of the detached daemon, which
#     removes it at SIGTERM too.

# No set -e: the lib.sh helpers return the status of the commands they
# check (ns_stop_pid ends with the daemon's exit status), and a failed
# check must be reported by ns_error, not end the test.
set -u

. "${NS_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

capture=$NS_DATA/benign/smtp_mail.pcap

# Wait until the pid file contains the given pid, at most 10 s.
wait_pidfile() {
	local file=$1 want=$2 deadline=$((SECONDS + 10))

	while [ "$SECONDS" -lt "$deadline" ]; do
		[ "$(cat "$file" 2>/dev/null)" = "$want" ] && return 0
		sleep 0.1
	done
	return 1
}

# Wait until a process exits by itself, at most the given seconds.
wait_exit() {
	local pid=$1 deadline=$((SECONDS + $2))

	while ns_pid_running "$pid"; do
		[ "$SECONDS" -ge "$deadline" ] && return 1
		sleep 0.1
	done
	return 0
}

# Start the daemon in the foreground with the pid file and a log of its
# own.  umask 077 would leave a file created by plain open(2) at 0600.
start_daemon() {
	local mask

	NS_DAEMON_LOG=$NS_TMP/netsentryd-$1.log
	mask=$(umask)
	umask 077
	ns_daemon_start -p "$pidfile" -r "$capture"
	umask "$mask"
	ns_wait_registered 20
}

check_written() {
	local mode

	if wait_pidfile "$pidfile" "$NS_DAEMON_PID"; then
		ns_ok "$1: pid file contains the daemon's pid $NS_DAEMON_PID"
	else
		ns_error "$1: pid file contains" \
		    "'$(cat "$pidfile" 2>/dev/null)', expected $NS_DAEMON_PID"
	fi
	mode=$(stat -c %a "$pidfile" 2>/dev/null)
	[ "$mode" = 644 ] && ns_ok "$1: pid file mode is 0644" ||
	    ns_error "$1: pid file mode is '$mode', expected 644"
}

# A process of another program now has the pid that the file contains,
# as after a reboot.
check_other_program() {
	local sleeper

	sleep 300 &
	sleeper=$!
	ns_track "$sleeper"
	echo "$sleeper" >"$pidfile"
	chmod 600 "$pidfile"

	start_daemon first
	check_written "pid of another program"
	grep -qF "replacing stale pid file $pidfile: pid $sleeper is now" \
	    "$NS_DAEMON_LOG" &&
	    ns_ok "log: $(grep -F 'stale pid file' "$NS_DAEMON_LOG")" ||
	    ns_error "no 'replacing stale pid file' line for pid $sleeper" \
	    "in $(basename "$NS_DAEMON_LOG")"

	ns_stop_pid "$sleeper"
	ns_untrack "$sleeper"
}

# Start a second daemon with the given pid file and expect it to exit
# with status 1 and a message that names the file and the running pid.
check_rejected() {
	local file=$1 what=$2 out pid

	out=$NS_TMP/second-$(basename "$file").out
	"$NS_DAEMON" -f -Le -c "$NS_DAEMON_CONF" \
	    -x "unix:$NS_AGENTX_SOCKET" -p "$file" -r "$capture" \
	    >"$out" 2>&1 &
	pid=$!
	ns_track "$pid"
	wait_exit "$pid" 20 ||
	    ns_error "$what: the second daemon still runs after 20 s"
	ns_stop_pid "$pid"
	ns_untrack "$pid"

	[ "$NS_STOP_STATUS" = 1 ] &&
	    ns_ok "$what: the second daemon exits with status 1" ||
	    ns_error "$what: the second daemon exited with status" \
	    "$NS_STOP_STATUS, expected 1"
	grep -F "$file" "$out" | grep -F "pid $NS_DAEMON_PID" |
	    grep -qF -- "-p" &&
	    ns_ok "$what: $(grep -F "$file" "$out")" ||
	    ns_error "$what: no message that names $file, pid" \
	    "$NS_DAEMON_PID and -p; output: $(tail -n 3 "$out")"
}

check_second_instance() {
	local copy=$NS_TMP/copy.pid

	check_rejected "$pidfile" "same pid file"
	ns_daemon_check_alive "after the second daemon"
	[ "$(cat "$pidfile" 2>/dev/null)" = "$NS_DAEMON_PID" ] &&
	    ns_ok "same pid file: it still contains $NS_DAEMON_PID" ||
	    ns_error "same pid file: it contains" \
	    "'$(cat "$pidfile" 2>/dev/null)' after the second daemon"

	# No daemon holds the lock of this copy, so only the pid in it
	# identifies the running daemon.
	cp "$pidfile" "$copy"
	check_rejected "$copy" "pid file naming the running daemon"
	[ "$(cat "$copy" 2>/dev/null)" = "$NS_DAEMON_PID" ] &&
	    ns_ok "pid file naming the running daemon: left as it was" ||
	    ns_error "pid file naming the running daemon: it contains" \
	    "'$(cat "$copy" 2>/dev/null)'"
}

check_stale_after_kill() {
	local old=$NS_DAEMON_PID

	kill -KILL "$old"
	ns_stop_pid "$old"
	ns_untrack "$old"
	[ "$(cat "$pidfile" 2>/dev/null)" = "$old" ] ||
	    ns_fail "after kill -9 the pid file does not contain $old"

	start_daemon second
	check_written "after kill -9"
	grep -qF "replacing stale pid file $pidfile: process $old is gone" \
	    "$NS_DAEMON_LOG" &&
	    ns_ok "log: $(grep -F 'stale pid file' "$NS_DAEMON_LOG")" ||
	    ns_error "no 'process $old is gone' line in" \
	    "$(basename "$NS_DAEMON_LOG")"
}

check_removed_at_exit() {
	ns_stop_pid "$NS_DAEMON_PID"
	ns_untrack "$NS_DAEMON_PID"
	[ "$NS_STOP_STATUS" = 0 ] && ns_ok "SIGTERM: exit status 0" ||
	    ns_error "SIGTERM: exit status $NS_STOP_STATUS, expected 0"
	[ ! -e "$pidfile" ] && ns_ok "SIGTERM: pid file removed" ||
	    ns_error "SIGTERM: $pidfile still exists"
}

# Without -f the pid file is how a script finds the daemon.
check_detached() {
	local file=$NS_TMP/detached.pid pid mode

	(umask 077 && exec "$NS_DAEMON" -Lf "$NS_TMP/netsentryd-detached.log" \
	    -c "$NS_DAEMON_CONF" -x "unix:$NS_AGENTX_SOCKET" \
	    -p "$file" -r "$capture") ||
	    ns_fail "netsentryd without -f exited with status $?"
	for _ in $(seq 1 100); do
		[ -s "$file" ] && break
		sleep 0.1
	done
	pid=$(cat "$file" 2>/dev/null)
	[ -n "$pid" ] || ns_fail "without -f: no pid file $file after 10 s"
	ns_track "$pid"
	[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = netsentryd ] &&
	    ns_ok "without -f: the pid file names netsentryd pid $pid" ||
	    ns_error "without -f: pid $pid in the pid file is not netsentryd"
	mode=$(stat -c %a "$file" 2>/dev/null)
	[ "$mode" = 644 ] && ns_ok "without -f: new pid file mode is 0644" ||
	    ns_error "without -f: new pid file mode is '$mode', expected 644"

	kill -TERM "$pid"
	wait_exit "$pid" 5 && [ ! -e "$file" ] &&
	    ns_ok "without -f: SIGTERM stops the daemon and removes the file" ||
	    ns_error "without -f: 5 s after SIGTERM the daemon runs or" \
	    "$file exists"
	ns_untrack "$pid"
}

ns_init pidfile
ns_require_daemon
ns_snmpd_start
mkdir -p "$NS_TMP/run"
pidfile=$NS_TMP/run/netsentryd.pid
NS_DAEMON_CONF=$NS_TMP/netsentryd.conf
ns_daemon_write_conf "$NS_DAEMON_CONF"

check_other_program
check_second_instance
check_stale_after_kill
check_removed_at_exit
check_detached

ns_finish
