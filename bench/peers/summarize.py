#!/usr/bin/python3
"""Turn the logs of one bench/peers.sh replay into two TSV rows.

Usage: summarize.py CAPTURE SENSOR_PCAP NETWORKS SYSLOG NOTIFY

CAPTURE is the label of the first column.  SENSOR_PCAP is the tcpdump
recording of the packets that arrived on the sensor's veth end (classic
pcap, nanosecond time stamps).  NETWORKS is the monitored blocks file of
monitored_hosts.py.  SYSLOG is the output of syslog_sink.py (receive time
in ns, a tab, the syslog message).  NOTIFY is the file that the
fastnetmon notify script appends to.

Columns: capture, peer, detected (yes/no), alerts, first alert, and the
packets replayed up to the first alert.  For scanlogd that is the index
of the packet that completed the scan, found by replaying scanlogd's rule
for the alert's source and checked against the ports in the log line.
If the check fails, and always for fastnetmon, it is the number of
packets that arrived before the alert was received.  That count includes
packets that arrived while the alert was on its way, which matters when
packets are microseconds apart.
"""

import ipaddress
import re
import struct
import sys

# glibc's syslog(3) message: "<PRI>Mmm dd hh:mm:ss scanlogd: TEXT".
SCANLOGD_RE = re.compile(r"scanlogd(?:\[\d+\])?: (.*)$")

# scanlogd's scan line, as built by do_log() in scanlogd.c 2.2.8:
# "SADDR[:SPORT] to DADDR[ and others,] ports P1, P2, ..., FLAGS[, TOS xx]
# [, TTL n] @HH:MM:SS".
SCAN_RE = re.compile(r"^(\S+) to (\S+)( and others,)? ports (.*?)\.\.\., "
                     r"(\S{8})(?:, TOS ([0-9a-f]+))?(?:, TTL (\d+))? @")

PCAP_MAGIC_NS = 0xa1b23c4d
PCAP_MAGIC_US = 0xa1b2c3d4

# scanlogd 2.2.8 thresholds, from its params.h.  A port below 1024 weighs
# 3 and any other port 1.  scanlogd logs a scan when the weight of the
# ports that one source probed reaches 21.  A gap of more than 3 seconds
# between new ports starts the count again.
PORT_WEIGHT_PRIV = 3
PORT_WEIGHT_HIGH = 1
SCAN_WEIGHT_THRESHOLD = 21
SCAN_MAX_COUNT = 21
SCAN_DELAY_NS = 3 * 1000000000

TH_RST = 0x04
TH_ACK = 0x10


def read_pcap(path):
    """Return (time stamp in ns, frame bytes) for every packet of a pcap."""
    packets = []
    with open(path, "rb") as f:
        header = f.read(24)
        if len(header) < 24:
            return packets
        for endian in ("<", ">"):
            magic = struct.unpack(endian + "I", header[:4])[0]
            if magic in (PCAP_MAGIC_NS, PCAP_MAGIC_US):
                break
        else:
            raise ValueError("%s: not a classic pcap file" % path)
        scale = 1 if magic == PCAP_MAGIC_NS else 1000
        record = struct.Struct(endian + "IIII")
        while True:
            data = f.read(record.size)
            if len(data) < record.size:
                break
            sec, frac, caplen, _ = record.unpack(data)
            packets.append((sec * 1000000000 + frac * scale, f.read(caplen)))
    return packets


def count_before(packets, stamp):
    """Return how many packets have a time stamp at or before stamp."""
    return sum(1 for t, _ in packets if t <= stamp)


def read_networks(path):
    """Return the IPv4 blocks of a fastnetmon networks file."""
    with open(path, encoding="ascii") as f:
        blocks = [ipaddress.ip_network(line.strip()) for line in f
                  if line.strip()]
    return [b for b in blocks if b.version == 4]


def tcp_to_local(frame, source, local):
    """Return (port, flags) if frame is what scanlogd's raw socket gets
    from source: IPv4 over Ethernet, TCP, not a later fragment, addressed
    to a local block.  Return None for any other frame."""
    if len(frame) < 34 or frame[12:14] != b"\x08\x00":
        return None
    ip = frame[14:]
    ihl = (ip[0] & 0x0f) * 4
    if ip[0] >> 4 != 4 or ihl < 20 or ip[9] != 6 or len(ip) < ihl + 14:
        return None
    if struct.unpack("!H", ip[6:8])[0] & 0x1fff:
        return None
    if ipaddress.IPv4Address(ip[12:16]) != source:
        return None
    destination = ipaddress.IPv4Address(ip[16:20])
    if not any(destination in block for block in local):
        return None
    port = struct.unpack("!H", ip[ihl + 2:ihl + 4])[0]
    return port, ip[ihl + 13]


def scanlogd_trigger(packets, source, local):
    """Replay scanlogd's rule for one source over the sensor's packets.

    Returns (index, ports): the 1-based index of the packet that brought
    the weight to the threshold, and the ports that scanlogd had stored
    by then.  Returns (None, None) if the weight never gets there.  Other
    sources are ignored, so the model misses an entry that scanlogd
    dropped from its full table.  The caller catches that by comparing
    the ports with the log line.
    """
    entry = None
    for index, (stamp, frame) in enumerate(packets, 1):
        probe = tcp_to_local(frame, source, local)
        if probe is None:
            continue
        port, flags = probe
        weight = PORT_WEIGHT_PRIV if port < 1024 else PORT_WEIGHT_HIGH

        if entry is not None and stamp - entry["time"] <= SCAN_DELAY_NS:
            if port in entry["ports"] or flags & (TH_ACK | TH_RST):
                continue
            entry["time"] = stamp
            if entry["weight"] >= SCAN_WEIGHT_THRESHOLD:
                continue
            entry["weight"] += weight
            if entry["weight"] >= SCAN_WEIGHT_THRESHOLD:
                return index, entry["ports"]
            if len(entry["ports"]) < SCAN_MAX_COUNT:
                entry["ports"].append(port)
            continue

        # The source is new or its entry expired.  scanlogd ignores an
        # ACK from a new source.
        entry = None
        if not flags & TH_ACK:
            entry = {"time": stamp, "ports": [port], "weight": weight}
    return None, None


def packets_before_scan(packets, alert, local):
    """Return the packet count column for a scanlogd alert.

    The exact index of the triggering packet when the replayed rule
    agrees with the ports in the log line and the packet arrived before
    the alert, else "<=N", where N counts the packets that arrived before
    the alert was received.
    """
    stamp, _, source, listed = alert
    bound = count_before(packets, stamp)
    index, ports = (None, None)
    if source is not None and listed:
        index, ports = scanlogd_trigger(packets, source, local)
    if index is not None and index <= bound and \
            ports[:len(listed)] == listed:
        return str(index)
    return "<=%d" % bound


def scanlogd_alerts(path):
    """Return (alerts, suppressed) from the syslog sink file.

    Each alert is (receive time in ns, summary, source address, listed
    ports).  suppressed is true if scanlogd logged "More possible port
    scans follow", after which it logs no scan for the next 20 seconds.
    """
    alerts, suppressed = [], False
    with open(path, encoding="utf-8") as f:
        for line in f:
            stamp, _, message = line.rstrip("\n").partition("\t")
            match = SCANLOGD_RE.search(message)
            if not match:
                continue
            text = match.group(1)
            if text.startswith("More possible port scans follow"):
                suppressed = True
                continue
            alerts.append((int(stamp),) + parse_scan(text))
    return alerts, suppressed


def parse_scan(text):
    """Return (summary, source address, listed ports) of a scan line.

    The summary keeps source, target, ports and their count.  Source and
    ports are None and [] if the line has an unknown format.
    """
    match = SCAN_RE.match(text)
    if not match:
        return text, None, []
    source, target, others, ports, flags = match.group(1, 2, 3, 4, 5)
    listed = [int(p) for p in ports.replace(" ", "").split(",") if p]
    if others:
        target += " and others"
    summary = "%s -> %s ports %s (%d listed) flags %s" % (
        source, target, ",".join(str(p) for p in listed), len(listed),
        flags)
    address = ipaddress.IPv4Address(source.split(":")[0])
    return summary, address, listed


def fastnetmon_alerts(path):
    """Return a list of (time in ns, summary), one per ban call."""
    alerts = []
    current = None
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("NOTIFY "):
                current = parse_notify(line)
            elif line == "END" and current is not None:
                if current["action"] == "ban":
                    alerts.append((current["time"], format_ban(current)))
                current = None
            elif current is not None and ": " in line:
                key, _, value = line.partition(": ")
                current["details"].setdefault(key, value)
    return alerts


def parse_notify(line):
    """Parse the first line that the notify script writes per call."""
    fields = line.split(" ", 2)
    args = re.findall(r"\[([^\]]*)\]", fields[2] if len(fields) > 2 else "")
    args += [""] * (4 - len(args))
    return {"time": int(fields[1]), "ip": args[0], "direction": args[1],
            "pps": args[2], "action": args[3], "details": {}}


def format_ban(ban):
    """Summarize one ban: target, direction, type, protocol, pps."""
    details = ban["details"]
    return "%s %s type %s protocol %s %s pps" % (
        ban["ip"], ban["direction"], details.get("Attack type", "?"),
        details.get("Attack protocol", "?"), ban["pps"])


def print_row(capture, peer, alerts, packets_before, note=""):
    """Print one TSV row for one peer."""
    if not alerts:
        print("\t".join((capture, peer, "no", "0", "-", "n/a")))
        return
    print("\t".join((capture, peer, "yes", "%d%s" % (len(alerts), note),
                     alerts[0][1], packets_before)))


def main():
    if len(sys.argv) != 6:
        sys.stderr.write("usage: summarize.py CAPTURE SENSOR_PCAP "
                         "NETWORKS SYSLOG NOTIFY\n")
        return 2

    capture, sensor_pcap, networks, syslog, notify = sys.argv[1:]
    packets = read_pcap(sensor_pcap)
    local = read_networks(networks)

    scans, suppressed = scanlogd_alerts(syslog)
    before = ""
    if scans:
        before = packets_before_scan(packets, scans[0], local)
    print_row(capture, "scanlogd", scans, before, "+" if suppressed else "")

    bans = fastnetmon_alerts(notify)
    before = ""
    if bans:
        before = str(count_before(packets, bans[0][0]))
    print_row(capture, "fastnetmon", bans, before)
    return 0


if __name__ == "__main__":
    sys.exit(main())
