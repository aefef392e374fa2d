#!/bin/bash
# A BPF expression filters every source, pcap files read through the
# mapped reader and pcapng files read through libpcap alike.
#
# Checks, for each capture, that nsCapturePkts equals the number of
# packets tcpdump prints for the same expression.

. "${NS_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

ns_init bpf_filter
ns_require_cmd tcpdump
ns_require_daemon
ns_snmpd_start

expr='tcp port 80 or udp port 53'
captures=("$NS_DATA/benign/http_wikipedia.pcap"
    "$NS_DATA/benign/http_ipv4_and_ipv6.pcapng"
    "$NS_DATA/benign/web_browsing_4631pkts.pcap")
args=()
for f in "${captures[@]}"; do
	args+=(-r "$f")
done
ns_daemon_start "${args[@]}" $expr
ns_wait_registered 20
ns_wait_eof 1 2 3

for i in "${!captures[@]}"; do
	f=${captures[$i]}
	want=$(tcpdump -nn -r "$f" "$expr" 2>/dev/null | wc -l)
	got=$(ns_get_value "$NS_OID_CAPTURE.5.$((i + 1))")
	[ "$got" = "$want" ] &&
	    ns_ok "$(basename "$f"): $got packets match '$expr'" ||
	    ns_error "$(basename "$f"): nsCapturePkts is '$got'," \
	    "tcpdump counts $want for '$expr'"
done

ns_finish
