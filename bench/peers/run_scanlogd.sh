#!/bin/bash
# Start scanlogd inside the private mount and PID namespaces that
# bench/peers.sh creates with unshare(1), then stay as the namespace's
# init process until bench/peers.sh kills it.
#
# usage: run_scanlogd.sh SYSLOG_SOCKET
#
# scanlogd 2.2.8 takes no options.  It opens /dev/log (openlog with
# LOG_NDELAY) and /dev/null before it chroots to /run/scanlogd/empty and
# switches to user scanlogd, so both must exist here.  Private tmpfs
# mounts on /dev and /run give it those paths without touching the
# machine's own /dev/log or /run.

set -eu

socket=$1

mount -t tmpfs -o mode=755 tmpfs /dev
mknod -m 666 /dev/null c 1 3
ln -s "$socket" /dev/log

mount -t tmpfs -o mode=755 tmpfs /run
mkdir -p /run/scanlogd/empty

/usr/sbin/scanlogd

# scanlogd has forked into the background.  Its parent is now this
# process, the namespace's init, which must live as long as it does.
exec sleep infinity
