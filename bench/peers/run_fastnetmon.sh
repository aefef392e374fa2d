#!/bin/bash
# Start fastnetmon in the foreground inside the private mount namespace
# that bench/peers.sh creates with unshare(1).
#
# usage: run_fastnetmon.sh CONFIG LOG
#
# fastnetmon 1.2.4 writes attack details to /var/log/fastnetmon_attacks,
# a path built into the binary.  A private tmpfs on /var/log keeps those
# files off the machine's /var/log.

set -eu

config=$1
log=$2

mount -t tmpfs -o mode=755 tmpfs /var/log
mkdir /var/log/fastnetmon_attacks

exec /usr/sbin/fastnetmon --configuration_file "$config" \
    --log_file "$log" --disable_pid_logic
