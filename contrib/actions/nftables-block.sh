#!/bin/sh
# netsentry alertAction sample: block an attacker's address for a while
# by adding it to an nftables set with a timeout.
#
#   alertAction /usr/local/sbin/nftables-block.sh [-t TIMEOUT] [-e TYPES]
#
#   -t TIMEOUT  how long the address stays blocked, in nft's time format
#               (30m, 1h, 2d); default 1h
#   -e TYPES    comma-separated nsEventType names that block; default
#               portScan,forbiddenPort.  Floods, land and smurf are left
#               out because their source addresses are usually forged,
#               and blocking a forged address blocks an innocent host.
#
# Only "started" alerts block, and only a single address: the attacker
# of a distributed scan is a network (with /plen), which is skipped.
# Any attacker can forge the source of a scan, so exempt the addresses
# that must never be blocked with localNet or "policy CIDR exempt" in
# netsentryd.conf.
#
# The table and sets it expects, created once as root (an nftables set
# contains one address family, so IPv4 and IPv6 get a set each):
#
#   nft add table inet netsentry
#   nft add set inet netsentry blocklist '{ type ipv4_addr; flags timeout; }'
#   nft add set inet netsentry blocklist6 '{ type ipv6_addr; flags timeout; }'
#   nft add chain inet netsentry input \
#       '{ type filter hook input priority -10; policy accept; }'
#   nft add rule inet netsentry input ip saddr @blocklist drop
#   nft add rule inet netsentry input ip6 saddr @blocklist6 drop
#
# Privileges: netsentryd drops root once its sources are open (-u), and
# adding an element needs CAP_NET_ADMIN.  Run as root, the script calls
# nft itself; otherwise it calls "sudo -n nft", for which the daemon's
# user needs a sudoers rule limited to these two commands:
#
#   netsentry ALL=(root) NOPASSWD: \
#       /usr/sbin/nft add element inet netsentry blocklist *, \
#       /usr/sbin/nft add element inet netsentry blocklist6 *
#
# The wildcard matches any text, and nft reads ';' in its arguments as a
# command separator, so the rule lets that user run any nft command.
# This script passes only a validated address; keep the daemon's user
# for netsentryd alone.
#
# Exit status: 0 when the address was blocked or the alert is not one to
# block, 1 for an invalid attacker address or option, 2 when nft failed.

set -u

NFT_TABLE=netsentry
NFT_SET4=blocklist
NFT_SET6=blocklist6
NFT=/usr/sbin/nft

timeout=1h
types=portScan,forbiddenPort

usage() {
	echo "usage: nftables-block.sh [-t TIMEOUT] [-e TYPE[,TYPE...]]" >&2
	exit 1
}

while getopts t:e: opt; do
	case $opt in
	t)	timeout=$OPTARG ;;
	e)	types=$OPTARG ;;
	*)	usage ;;
	esac
done

# nft's time format: numbers, each with a unit (1h30m).
case $timeout in
''|*[!0-9dhms]*|[dhms]*|*[0-9])
	echo "invalid timeout '$timeout': expected nft's format, as in 1h" \
	    "or 30m" >&2
	exit 1
	;;
esac

alert=${NETSENTRY_ALERT:-}
type=${NETSENTRY_EVENT_TYPE:-}
addr=${NETSENTRY_ATTACKER:-}

if [ "$alert" != started ]; then
	exit 0
fi
case ",$types," in
*",$type,"*) ;;
*)	exit 0 ;;
esac

# Dotted quad: four decimal numbers from 0 to 255, without leading zeros.
valid_ipv4() {
	case $1 in
	*[!0-9.]*|.*|*.|*..*) return 1 ;;
	esac
	old_ifs=$IFS
	IFS=.
	# The address has digits and dots only, so word splitting is safe.
	# shellcheck disable=SC2086
	set -- $1
	IFS=$old_ifs
	[ $# -eq 4 ] || return 1
	for octet in "$@"; do
		case $octet in
		0|[1-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-5]) ;;
		*)	return 1 ;;
		esac
	done
	return 0
}

# Hex digits and colons, with one "::" at most and a dotted quad at the
# end allowed; nft checks the rest.
valid_ipv6() {
	case $1 in
	*[!0-9A-Fa-f:.]*|*:::*|*::*::*) return 1 ;;
	*:*) ;;
	*)	return 1 ;;
	esac
	[ ${#1} -le 45 ] || return 1
	case $1 in
	*.*) valid_ipv4 "${1##*:}" || return 1 ;;
	esac
	return 0
}

# Print only safe characters of the value that failed the check.
invalid_address() {
	shown=$(printf '%s' "$addr" | tr -c '0-9A-Za-z.:/' '?' | cut -c1-64)
	echo "invalid attacker address '$shown' for event" \
	    "${NETSENTRY_EVENT_INDEX:-?}: not blocked" >&2
	exit 1
}

case $addr in
*/*)
	prefix=${addr%/*}
	plen=${addr##*/}
	case $plen in
	''|*[!0-9]*|0?*) invalid_address ;;
	esac
	if valid_ipv4 "$prefix"; then
		[ "$plen" -le 32 ] || invalid_address
	elif valid_ipv6 "$prefix"; then
		[ "$plen" -le 128 ] || invalid_address
	else
		invalid_address
	fi
	echo "not blocking network $addr: only single addresses are blocked"
	exit 0
	;;
esac

if valid_ipv4 "$addr"; then
	set_name=$NFT_SET4
elif valid_ipv6 "$addr"; then
	set_name=$NFT_SET6
else
	invalid_address
fi

if [ "$(id -u)" -eq 0 ]; then
	run=
else
	run="sudo -n"
fi

if ! err=$($run "$NFT" add element inet "$NFT_TABLE" "$set_name" \
    "{ $addr timeout $timeout }" 2>&1); then
	echo "nft add element inet $NFT_TABLE $set_name failed for $addr:" \
	    "$err" >&2
	exit 2
fi
echo "blocked $addr for $timeout (event ${NETSENTRY_EVENT_INDEX:-?}," \
    "$type) in inet $NFT_TABLE $set_name"
exit 0
