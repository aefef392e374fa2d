#!/bin/sh
# Install what netsentry needs on Debian 12, then configure and build it.
# Run from the top of the source tree, as root (it calls apt-get).
set -eu

packages="build-essential autoconf automake libtool pkg-config
libsnmp-dev libpcap-dev libgdbm-dev libesmtp-dev libssl-dev libbsd-dev
check snmpd snmp snmptrapd smitools tshark tcpdump tcpreplay nmap hping3
iproute2 nftables curl clang libclang-rt-14-dev python3-aiosmtpd openssl
python3-gdbm
monitoring-plugins-standard snmptt nagios4-core duktape python3-yaml"

missing=""
for p in $packages; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	    grep -q 'install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "setup: installing$missing"
	apt-get update -qq
	# Without it, installing tshark prompts whether non-root users may
	# capture.
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends $missing >/dev/null
fi

if [ ! -x configure ] || [ configure.ac -nt configure ] ||
    [ Makefile.am -nt configure ]; then
	autoreconf -fi
fi
if [ ! -f Makefile ]; then
	./configure ${NS_CONFIGURE_FLAGS:-}
fi
make -j2
