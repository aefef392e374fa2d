#!/bin/bash
# make install puts every file in the directory that configure chose, the
# installed files work, and make uninstall removes them again.
#
# Checks, after make install DESTDIR=DIR in the build tree:
#   - netsentryd, both manual pages, NETSENTRY-MIB, the sample
#     configuration, the systemd unit and the snmpd.conf lines are
#     installed, and the installed daemon prints its version;
#   - snmptranslate parses the installed MIB with the standard modules;
#   - the unit starts the installed daemon, and systemd-analyze verify
#     accepts it (not checked without systemd-analyze);
#   - a private snmpd accepts the installed snmpd.conf lines without a
#     warning, and creates the AgentX socket with the group and modes
#     they set;
#   - the installed daemon, with every directive of the sample
#     configuration, switches to the netsentry user and registers
#     through that socket, and again after snmpd restarts;
#   - snmpd serves the RMON-MIB and NETSENTRY-MIB tables and, outside
#     the view those lines set up, nothing;
#   - make uninstall removes every installed file.
#
# Without a netsentry user and group on the machine, snmpd and the daemon
# run in mount namespaces that see copies of /etc/passwd and /etc/group
# with them added, so the test changes no system file.

# No set -e: the lib.sh helpers return the status of the commands they
# check, and a failed check must be reported by ns_error, not end the
# test.
set -u

. "${NS_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

capture=$NS_DATA/benign/smtp_mail.pcap

# The directives that netsentryd.conf(5) documents.
directives="interface captureFile filter snaplen bufferSize promiscuous
maxHostEntries maxMatrixEntries maxIpHostEntries maxIpMatrixEntries
idleTimeout dnsCacheSize mdnsNames agentXSocket agentxPingInterval
alertRoute eventSeverity mailRateLimit syslogRateLimit actionRateLimit
alertDigestDelay mailSpoolSize mailRetryMax mailGiveUpAfter
alertActionTimeout"

# make in the build tree, without the flags of a make check that runs
# this test: its job server is not open here.
build_make() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
	    make -C "$NS_TOP_BUILDDIR" --no-print-directory "$@"
}

# Print a variable of the build tree's Makefile, fully expanded.
make_var() {
	build_make -s -f Makefile -f "$NS_TMP/print.mk" "print-$1"
}

# Read the installation directories that configure chose.
read_dirs() {
	printf 'print-%%:\n\t@echo $($*)\n' >"$NS_TMP/print.mk"
	sbindir=$(make_var sbindir)
	mandir=$(make_var mandir)
	mibdir=$(make_var mibdir)
	sysconfdir=$(make_var sysconfdir)
	contribdir=$(make_var contribdir)
	[ -n "$sbindir" ] && [ -n "$mibdir" ] && [ -n "$contribdir" ] ||
	    ns_fail "cannot read the installation directories from" \
	    "$NS_TOP_BUILDDIR/Makefile"
	installed=("$sbindir/netsentryd"
	    "$mandir/man8/netsentryd.8"
	    "$mandir/man5/netsentryd.conf.5"
	    "$mibdir/NETSENTRY-MIB.txt"
	    "$sysconfdir/snmp/netsentryd.conf.sample"
	    "$contribdir/netsentryd.service"
	    "$contribdir/snmpd.conf"
	    "$contribdir/actions/nftables-block.sh")
}

check_install() {
	local file

	build_make install DESTDIR="$dest" >"$NS_TMP/install.log" 2>&1 ||
	    ns_fail "make install failed: $(tail -n 5 "$NS_TMP/install.log")"
	for file in "${installed[@]}"; do
		[ -f "$dest$file" ] && ns_ok "installed $file" ||
		    ns_error "make install did not install $file"
	done
	[ -x "$dest$contribdir/actions/nftables-block.sh" ] &&
	    ns_ok "the sample action script is executable" ||
	    ns_error "make install left the sample action script" \
	    "$contribdir/actions/nftables-block.sh not executable"
	NS_DAEMON=$dest$sbindir/netsentryd
	"$NS_DAEMON" -v | grep -q '^netsentryd [0-9]' &&
	    ns_ok "installed daemon: $("$NS_DAEMON" -v)" ||
	    ns_error "installed daemon: -v prints '$("$NS_DAEMON" -v 2>&1)'"
}

check_mib() {
	local out=$NS_TMP/translate.out want=.1.3.6.1.4.1.99999.1.1.1.4

	if [ ! -f "$NS_IETF_MIBDIR/SNMPv2-SMI.txt" ]; then
		ns_info "MIB not parsed: no SNMPv2-SMI.txt in $NS_IETF_MIBDIR"
		return
	fi
	"${NS_CLIENT_ENV[@]}" snmptranslate -On \
	    -M "$dest$mibdir:$NS_IETF_MIBDIR:/usr/share/snmp/mibs" \
	    -m NETSENTRY-MIB NETSENTRY-MIB::nsCaptureState \
	    >"$out" 2>"$out.err"
	[ "$(cat "$out")" = "$want" ] && [ ! -s "$out.err" ] &&
	    ns_ok "installed MIB parses: nsCaptureState is $want" ||
	    ns_error "installed MIB: nsCaptureState is '$(cat "$out")'," \
	    "expected $want; $(head -n 3 "$out.err")"
}

check_unit() {
	local unit=$dest$contribdir/netsentryd.service copy out

	grep -q "^ExecStart=$sbindir/netsentryd -f " "$unit" &&
	    ns_ok "unit starts $sbindir/netsentryd -f" ||
	    ns_error "unit: no 'ExecStart=$sbindir/netsentryd -f' line"
	grep -q '@[a-z]*@' "$unit" && ns_error "unit: unexpanded" \
	    "$(grep -o '@[a-z]*@' "$unit" | head -n 1)"

	if ! command -v systemd-analyze >/dev/null 2>&1; then
		ns_info "unit not verified: systemd-analyze not found"
		return
	fi

	# verify checks that the daemon and the manual pages exist, so point
	# it at the copies under DESTDIR.
	copy=$NS_TMP/netsentryd.service
	sed "s|$sbindir/netsentryd|$NS_DAEMON|" "$unit" >"$copy"
	out=$(MANPATH=$dest$mandir systemd-analyze verify "$copy" 2>&1) &&
	    [ -z "$out" ] &&
	    ns_ok "systemd-analyze verify accepts the unit" ||
	    ns_error "systemd-analyze verify: $out"
}

# Print an id free both as a uid and as a gid.
free_id() {
	local id=64100

	while getent passwd "$id" >/dev/null ||
	    getent group "$id" >/dev/null; do
		id=$((id + 1))
	done
	echo "$id"
}

# Give snmpd and the daemon a netsentry user and group: the system's, or
# copies of /etc/passwd and /etc/group with them added, which a wrapper
# bind-mounts in a mount namespace of the command it runs.
setup_user() {
	local etc=$NS_TMP/etc id

	if getent passwd netsentry >/dev/null &&
	    getent group netsentry >/dev/null; then
		run_as_netsentry=
		nsgid=$(getent group netsentry | cut -d: -f3)
		return
	fi
	ns_require_cmd unshare
	id=$(free_id)
	nsgid=$id
	mkdir -p "$etc"
	cp /etc/passwd /etc/group "$etc/"
	getent passwd netsentry >/dev/null || echo \
	    "netsentry:x:$id:$id::/nonexistent:/usr/sbin/nologin" \
	    >>"$etc/passwd"
	getent group netsentry >/dev/null || echo "netsentry:x:$id:" \
	    >>"$etc/group"
	nsgid=$(grep '^netsentry:' "$etc/group" | cut -d: -f3)

	# unshare and sh exec the command, so it keeps the wrapper's pid.
	run_as_netsentry=$NS_TMP/with-netsentry
	cat >"$run_as_netsentry" <<EOF
#!/bin/sh
exec unshare --mount --propagation private sh -c '
mount --bind "\$0/passwd" /etc/passwd &&
mount --bind "\$0/group" /etc/group &&
exec "\$@"' "$etc" "\$@"
EOF
	chmod 755 "$run_as_netsentry"
	ns_info "user and group netsentry: $id, in mount namespaces only"
}

# The installed snmpd.conf lines, with a private SNMP port and socket.
# The community becomes public because the lib.sh clients send that one.
write_snmpd_conf() {
	local socket=unix:$NS_AGENTX_SOCKET

	{
		echo "agentAddress udp:127.0.0.1:$NS_SNMP_PORT"
		sed -e "s|^agentXSocket .*|agentXSocket $socket|" \
		    -e 's/^rocommunity netsentry /rocommunity public /' \
		    "$dest$contribdir/snmpd.conf"
	} >"$NS_TMP/snmpd.conf"
	grep -q "^agentXSocket $socket\$" "$NS_TMP/snmpd.conf" &&
	    grep -q '^rocommunity public ' "$NS_TMP/snmpd.conf" ||
	    ns_fail "snmpd.conf: no agentXSocket or rocommunity line to adapt"
}

# Start snmpd on the adapted lines, as ns_snmpd_start does, with the
# netsentry group known to it.
start_snmpd() {
	mkdir -p "$NS_TMP/snmpd-state/cert_indexes"
	env MIBS= SNMP_PERSISTENT_DIR="$NS_TMP/snmpd-state" \
	    $run_as_netsentry snmpd -f -C -c "$NS_TMP/snmpd.conf" -I -smux \
	    -Lf "$NS_TMP/snmpd.log" -p "$NS_TMP/snmpd.pid" &
	NS_SNMPD_PID=$!
	ns_track "$NS_SNMPD_PID"
	ns_snmpd_wait_ready 10 ||
	    ns_fail "snmpd did not answer on 127.0.0.1:$NS_SNMP_PORT"
	ns_info "snmpd pid $NS_SNMPD_PID on udp:127.0.0.1:$NS_SNMP_PORT"
}

# Every line of snmpd's log must be one of the lines it writes when all
# is well.  It creates the socket's directory at the first start.
check_snmpd_log() {
	local bad

	grep -q '^Turning on AgentX master support' "$NS_TMP/snmpd.log" ||
	    ns_error "$1: snmpd did not turn on AgentX master support"
	bad=$(grep -v -e '^NET-SNMP version ' \
	    -e '^Turning on AgentX master support\.$' \
	    -e "^Created directory: ${NS_AGENTX_SOCKET%/*}\$" \
	    -e '^Connection from UDP: ' \
	    -e '^Received TERM or STOP signal' "$NS_TMP/snmpd.log")
	[ -z "$bad" ] && ns_ok "$1: snmpd logs no warning" ||
	    ns_error "$1: snmpd logs: $bad"
}

check_socket() {
	local dir=${NS_AGENTX_SOCKET%/*} got

	got=$(stat -c '%a %u %g' "$NS_AGENTX_SOCKET" 2>/dev/null)
	[ "$got" = "660 0 $nsgid" ] &&
	    ns_ok "AgentX socket: mode 0660, owner root, group netsentry" ||
	    ns_error "AgentX socket: mode, uid and gid '$got', expected" \
	    "'660 0 $nsgid'"
	got=$(stat -c %a "$dir" 2>/dev/null)
	[ "$got" = 711 ] && ns_ok "AgentX directory: mode 0711" ||
	    ns_error "AgentX directory: mode '$got', expected 711"
}

# The sample with every directive uncommented.  The test's capture file
# replaces its data sources and a folder of the test its state
# directory, and the ping interval of 1 s makes the restart check quick.
write_daemon_conf() {
	local sample=$dest$sysconfdir/snmp/netsentryd.conf.sample name

	for name in $directives; do
		grep -q "^#$name " "$sample" ||
		    ns_error "sample configuration: no '#$name' line"
	done
	NS_DAEMON_CONF=$NS_TMP/netsentryd.conf
	mkdir -p "$NS_TMP/state"
	sed -E -e '/^#(interface|captureFile) /d' \
	    -e 's/^#([A-Za-z]+ )/\1/' \
	    -e 's/^agentxPingInterval .*/agentxPingInterval 1/' \
	    -e "s|^stateDir .*|stateDir $NS_TMP/state|" \
	    "$sample" >"$NS_DAEMON_CONF"
}

# After a restart the daemon connects as netsentry: only the group
# permission of the new socket lets it in.
check_daemon() {
	NS_DAEMON_PREFIX=$run_as_netsentry
	ns_daemon_start -u netsentry -g netsentry -r "$capture"
	ns_wait_registered 20
	ns_ok "installed daemon with the sample configuration registered"

	ns_snmpd_stop
	check_snmpd_log "first start"
	: >"$NS_TMP/snmpd.log"
	start_snmpd
	ns_wait_registered 20
	ns_ok "daemon as netsentry registered again after snmpd restarted"
	check_snmpd_log "restart"
	check_socket
}

check_view() {
	local oid name

	for oid in "$NS_OID_HOST_CONTROL" "$NS_OID_CAPTURE"; do
		name=$(ns_snmpgetnext "$oid" 2>/dev/null | cut -d' ' -f1)
		case $name in
		."$oid".*)
			ns_ok "view includes $oid"
			;;
		*)
			ns_error "view: GETNEXT $oid returns '$name'"
			;;
		esac
	done

	# ifNumber.0 is outside the view.
	ns_snmpget 1.3.6.1.2.1.2.1.0 2>&1 | grep -q 'No Such Object' &&
	    ns_ok "view excludes IF-MIB" ||
	    ns_error "view: ifNumber.0 returns" \
	    "'$(ns_snmpget 1.3.6.1.2.1.2.1.0 2>&1)'"
}

check_uninstall() {
	local file left

	ns_stop_pid "$NS_DAEMON_PID"
	ns_untrack "$NS_DAEMON_PID"
	build_make uninstall DESTDIR="$dest" >"$NS_TMP/uninstall.log" 2>&1 ||
	    ns_fail "make uninstall failed:" \
	    "$(tail -n 5 "$NS_TMP/uninstall.log")"
	for file in "${installed[@]}"; do
		[ ! -e "$dest$file" ] && ns_ok "uninstalled $file" ||
		    ns_error "make uninstall left $file"
	done
	left=$(find "$dest" ! -type d | head -n 5)
	[ -z "$left" ] && ns_ok "nothing left under DESTDIR" ||
	    ns_error "make uninstall left $left"
}

ns_init install
ns_require_root install
ns_require_cmd make snmptranslate
[ -f "$NS_TOP_BUILDDIR/Makefile" ] ||
    ns_fail "$NS_TOP_BUILDDIR/Makefile not found: run configure first"
dest=$NS_TMP/dest
read_dirs
check_install
check_mib
check_unit

# The daemon, as netsentry, must reach the socket below the private
# directory.
chmod 711 "$NS_TMP"
setup_user
NS_SNMP_PORT=$(ns_free_udp_port)
NS_AGENTX_SOCKET=$NS_TMP/agentx/master
write_snmpd_conf
start_snmpd
write_daemon_conf
check_daemon
check_view
check_uninstall

ns_finish
