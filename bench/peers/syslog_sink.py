#!/usr/bin/python3
"""Receive syslog(3) datagrams on a unix socket and append them to a file.

Each message becomes one line: the receive time in nanoseconds since the
epoch (CLOCK_REALTIME, the clock of kernel packet time stamps), a tab, and
the message text.  bench/peers.sh binds this socket to /dev/log inside a
private mount namespace, so the machine's own syslog stays untouched.
"""

import signal
import socket
import sys
import time


def main():
    if len(sys.argv) != 3:
        sys.stderr.write("usage: syslog_sink.py SOCKET OUTPUT\n")
        return 2

    sock_path, out_path = sys.argv[1], sys.argv[2]
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(sock_path)
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))

    with open(out_path, "a", encoding="utf-8") as out:
        while True:
            data = sock.recv(65536)
            stamp = time.time_ns()
            text = data.decode("utf-8", "replace").rstrip("\n")
            out.write("%d\t%s\n" % (stamp, text.replace("\n", " ")))
            out.flush()


if __name__ == "__main__":
    sys.exit(main())
