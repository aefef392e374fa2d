#!/bin/bash
# Run contrib/actions/nftables-block.sh inside a private network
# namespace, with the table and sets that its header comment creates,
# and check what reaches the nftables sets.  The host's own ruleset is
# only read, before and after, to show that it did not change.
#
# Checks:
#   - a started portScan alert for the client's address adds it to the
#     IPv4 set with the default timeout, and the client's ping to the
#     server fails from then on;
#   - an IPv6 attacker goes to the IPv6 set, and -t and -e set the
#     timeout and the event types that block;
#   - a network, an alert other than started and a type not chosen add
#     nothing and exit 0;
#   - attacker values with shell or nft syntax, a bad octet, a bad IPv6
#     form and a newline exit 1, add nothing and run nothing;
#   - an invalid -t exits 1, and a failed nft call exits 2.
#
# Needs root, "ip netns", veth and nft; skips (77) otherwise.

. "${NS_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

ns_init action_nft
ns_require_root "creating network namespaces"
ns_require_cmd ip ping
[ -x /usr/sbin/nft ] ||
    ns_skip "/usr/sbin/nft not found: install the Debian package nftables"

SCRIPT=$NS_TOP_SRCDIR/contrib/actions/nftables-block.sh

# Names unique to this run; veth names have at most 15 characters.
server_ns=ns-act-srv-$$
client_ns=ns-act-cli-$$
server_if=nsa$$s
client_if=nsa$$c
# A /24 that exists only inside the two namespaces.
server_ip=10.211.79.1
client_ip=10.211.79.2

host_before=$NS_TMP/host-ruleset.before
nft list ruleset >"$host_before" 2>&1

ns_veth_pair "$server_ns" "$server_if" "$server_ip" \
    "$client_ns" "$client_if" "$client_ip"
ns_info "namespaces $server_ns ($server_ip) and $client_ns ($client_ip)"

in_server() {
	ip netns exec "$server_ns" "$@"
}

# The "#   nft ..." lines of the script's header, continuations joined.
awk '
	cont { sub(/^#[ \t]*/, ""); cmd = cmd $0 }
	!cont && /^#   nft / { sub(/^#   /, ""); cmd = $0 }
	cmd != "" {
		cont = sub(/\\$/, "", cmd)
		if (!cont) { print cmd; cmd = "" }
	}' "$SCRIPT" >"$NS_TMP/setup.nft.sh"
[ "$(grep -c '^nft ' "$NS_TMP/setup.nft.sh")" -eq 6 ] ||
    ns_fail "expected 6 nft commands in the script's header:" \
    "$(cat "$NS_TMP/setup.nft.sh")"
in_server sh -e "$NS_TMP/setup.nft.sh" ||
    ns_fail "the header's nft commands failed in $server_ns"
ns_ok "the header's commands create the table, sets and rules"

ping_client() {
	ip netns exec "$client_ns" ping -n -c 1 -W 1 "$server_ip" \
	    >/dev/null 2>&1
}

ping_client || ns_fail "the client cannot ping $server_ip before a block"

# Run the script in the server namespace with only the alert's variables,
# as netsentryd would: block ALERT TYPE ATTACKER [OPTION...].  Sets
# status and output.
block() {
	local alert=$1 type=$2 attacker=$3

	shift 3
	output=$(in_server env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
	    NETSENTRY_ALERT="$alert" NETSENTRY_EVENT_TYPE="$type" \
	    NETSENTRY_EVENT_INDEX=7 NETSENTRY_ATTACKER="$attacker" \
	    "$SCRIPT" "$@" 2>&1)
	status=$?
}

set_contents() {
	in_server nft list set inet netsentry "$1" 2>&1
}

# expect_status WANT WHAT
expect_status() {
	if [ "$status" -eq "$1" ]; then
		ns_ok "$2: exit status $1"
	else
		ns_error "$2: exit status $status, expected $1: $output"
	fi
}

# expect_element SET PATTERN WHAT
expect_element() {
	if set_contents "$1" | grep -q -- "$2"; then
		ns_ok "$3: $1 contains '$2'"
	else
		ns_error "$3: $1 lacks '$2': $(set_contents "$1")"
	fi
}

expect_absent() {
	if set_contents "$1" | grep -q -F -- "$2"; then
		ns_error "$3: $1 contains '$2'"
	else
		ns_ok "$3: $1 lacks '$2'"
	fi
}

block started portScan "$client_ip"
expect_status 0 "started portScan"
expect_element blocklist "$client_ip timeout 1h" "started portScan"
case $output in
"blocked $client_ip for 1h"*) ns_ok "the script names what it blocked" ;;
*) ns_error "unexpected output: $output" ;;
esac
if ping_client; then
	ns_error "the client still pings $server_ip after the block"
else
	ns_ok "the client's ping is dropped after the block"
fi

block started portScan 2001:db8::7
expect_status 0 "IPv6 attacker"
expect_element blocklist6 "2001:db8::7" "IPv6 attacker"

block started synFlood 192.0.2.12 -t 30m -e portScan,synFlood
expect_status 0 "-e portScan,synFlood"
expect_element blocklist "192.0.2.12 timeout 30m" "-t 30m"

block started portScan 198.51.100.0/24
expect_status 0 "network attacker"
expect_absent blocklist 198.51.100.0 "network attacker"

block grew portScan 192.0.2.10
expect_status 0 "grew alert"
expect_absent blocklist 192.0.2.10 "grew alert"

block started synFlood 192.0.2.11
expect_status 0 "type not chosen"
expect_absent blocklist 192.0.2.11 "type not chosen"

touched=$NS_TMP/touched
hostile=(
	"192.0.2.13; flush ruleset"
	"192.0.2.14 }"
	"\$(touch $touched)"
	"\`touch $touched\`"
	"192.0.2.0/\$(touch $touched)"
	"192.0.2.0/33"
	"192.0.2.0/024"
	"192.0.2.300"
	"192.0.02.15"
	"2001:db8:::16"
	"2001::db8::17"
	"$(printf '192.0.2.18\nflush ruleset')"
	""
)
for attacker in "${hostile[@]}"; do
	block started portScan "$attacker"
	expect_status 1 "attacker '$(printf '%s' "$attacker" | tr '\n' '?')'"
done
[ -e "$touched" ] && ns_error "a hostile attacker value ran a command"
expect_element blocklist "$client_ip" "after the hostile values"
for octets in 192.0.2.13 192.0.2.14 192.0.2.18; do
	expect_absent blocklist "$octets" "hostile values"
done

block started portScan 192.0.2.19 -t 1
expect_status 1 "-t 1 without a unit"
expect_absent blocklist 192.0.2.19 "-t 1 without a unit"

in_server nft delete table inet netsentry ||
    ns_fail "cannot delete the table in $server_ns"
block started portScan 192.0.2.20
expect_status 2 "missing table"

nft list ruleset >"$NS_TMP/host-ruleset.after" 2>&1
if cmp -s "$host_before" "$NS_TMP/host-ruleset.after"; then
	ns_ok "the host's ruleset did not change"
else
	ns_error "the host's ruleset changed"
fi

ns_finish
