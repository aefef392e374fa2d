#!/usr/bin/env python3
"""Compare netsentryd's nsEventTable and notifications with expectations.

Usage: ns_eventcheck.py EXPECT WALK TRAPS DATADIR INDEX:PATH...

EXPECT is a tab-separated file, one expected event per line:

    path type attacker target port probe shape packets [extras]

path is relative to DATADIR; attacker is an address or "-" for
unknown(0); target is ADDRESS/PREFIX or "-"; packets is N or MIN-MAX;
extras are NAME=MIN-MAX checks of other columns (ports, targets,
sources).  A line "path none" means the capture must raise no event.

WALK is an snmpwalk of nsEventTable with numeric OIDs, values without
types (-OQ), numeric enums (-Oe) and strings in hex (-Ox).  TRAPS is the
snmptrapd log, one "TRAP" line per notification with tab-separated
varbinds.  Every event must match one expected line of its data source,
every expected line one event, and every event must have raised the
notifications of its type with its own values.
"""

import ipaddress
import re
import sys

EVENT = ".1.3.6.1.4.1.99999.1.4.8.1."
NOTIFY = ".1.3.6.1.4.1.99999.0."
TRAP_OID = ".1.3.6.1.6.3.1.1.4.1.0"
SUPPRESSED = ".1.3.6.1.4.1.99999.1.4.4.0"

TYPES = {1: "portScan", 2: "synFlood", 3: "land", 4: "badTcpFlags",
         5: "smurf", 6: "pingOfDeath", 7: "badFragment", 8: "arpSpoof",
         9: "forbiddenPort"}
PROBES = {1: "other", 2: "tcpSyn", 3: "tcpConnect", 4: "tcpFin",
          5: "tcpNull", 6: "tcpXmas", 7: "tcpAck", 8: "udp",
          9: "icmpEcho", 10: "arp"}
SHAPES = {1: "none", 2: "vertical", 3: "horizontal", 4: "block",
          5: "distributed"}
COLUMNS = {2: "type", 3: "state", 6: "atype", 7: "attacker", 8: "ttype",
           9: "target", 10: "plen", 11: "port", 12: "ports",
           13: "targets", 14: "sources", 15: "packets", 18: "probe",
           19: "shape", 20: "source", 21: "descr"}


def hex_bytes(text):
    text = text.strip().strip('"').strip()
    return bytes(int(b, 16) for b in text.split()) if text else b""


def address(raw):
    if len(raw) == 4:
        return str(ipaddress.IPv4Address(raw))
    if len(raw) == 16:
        return str(ipaddress.IPv6Address(raw))
    return "-"


def column_value(col, text):
    if col in (7, 9):
        return address(hex_bytes(text))
    if col == 21:
        return hex_bytes(text).decode("ascii", "replace")
    return int(text.split()[-1])


def read_walk(path):
    events = {}
    for line in open(path):
        m = re.match(r"^(\S+) = (.*)$", line.rstrip("\n"))
        if not m or not m.group(1).startswith(EVENT):
            continue
        col, index = (int(x) for x in m.group(1)[len(EVENT):].split("."))
        if col in COLUMNS:
            events.setdefault(index, {})[COLUMNS[col]] = \
                column_value(col, m.group(2))
    return events


def trap_value(text):
    kind, _, value = text.partition(": ")
    if kind in ("Hex-STRING", "STRING"):
        return hex_bytes(value) if kind == "Hex-STRING" else \
            value.strip('"').encode()
    return value.split()[-1] if value else ""


def read_traps(path):
    traps = []
    for line in open(path):
        fields = line.rstrip("\n").split("\t")
        if not fields or fields[0] != "TRAP":
            continue
        vbs = {}
        for vb in fields[1:]:
            oid, _, value = vb.partition(" = ")
            vbs[oid] = value
        traps.append(vbs)
    return traps


def in_range(value, spec):
    lo, _, hi = spec.partition("-")
    return int(lo) <= value <= int(hi or lo)


def target_text(ev):
    if ev["ttype"] == 0:
        return "-"
    return "%s/%d" % (ev["target"], ev["plen"])


def matches(ev, want):
    if TYPES.get(ev["type"]) != want["type"]:
        return False
    attacker = ev["attacker"] if ev["atype"] != 0 else "-"
    if attacker != want["attacker"] or target_text(ev) != want["target"]:
        return False
    if ev["port"] != int(want["port"]):
        return False
    if PROBES.get(ev["probe"]) != want["probe"] or \
            SHAPES.get(ev["shape"]) != want["shape"]:
        return False
    if not in_range(ev["packets"], want["packets"]):
        return False
    for extra in want["extras"]:
        name, _, spec = extra.partition("=")
        if not in_range(ev[name], spec):
            return False
    return True


def read_expect(path):
    expect = {}
    for n, line in enumerate(open(path), 1):
        line = line.rstrip("\n")
        if not line or line.startswith("#"):
            continue
        f = line.split("\t")
        if len(f) == 2 and f[1] == "none":
            expect.setdefault(f[0], [])
            continue
        if len(f) < 8:
            sys.exit("%s:%d: expected 8 or more fields" % (path, n))
        expect.setdefault(f[0], []).append({
            "type": f[1], "attacker": f[2], "target": f[3], "port": f[4],
            "probe": f[5], "shape": f[6], "packets": f[7],
            "extras": f[8].split(",") if len(f) > 8 and f[8] else [],
            "line": n})
    return expect


def describe(ev):
    return "event %d: %s %s -> %s port %d probe %s shape %s packets %d " \
        "ports %d targets %d sources %d (%s)" % (
            ev["index"], TYPES.get(ev["type"]), ev["attacker"]
            if ev["atype"] else "-", target_text(ev), ev["port"],
            PROBES.get(ev["probe"]), SHAPES.get(ev["shape"]),
            ev["packets"], ev["ports"], ev["targets"], ev["sources"],
            ev["descr"])


def required_notifications(ev):
    if ev["type"] == 1:
        return [1]
    if ev["type"] == 2:
        return [2, 3]
    return [4]


def check_traps(ev, traps):
    """Return the problems with the notifications about ev."""
    problems = []
    index = ev["index"]
    for kind in required_notifications(ev):
        found = [t for t in traps
                 if t.get(TRAP_OID, "").endswith(NOTIFY + str(kind)) and
                 EVENT + "2.%d" % index in t]
        if not found:
            problems.append("no notification %s%d for event %d" %
                            (NOTIFY, kind, index))
            continue
        t = found[0]
        got_type = int(trap_value(t[EVENT + "2.%d" % index]))
        got_target = address(trap_value(t.get(EVENT + "9.%d" % index,
                                              "Hex-STRING: ")))
        if got_type != ev["type"] or got_target != ev["target"]:
            problems.append("notification %d for event %d carries type "
                            "%d target %s" % (kind, index, got_type,
                                              got_target))
        if SUPPRESSED not in t:
            problems.append("notification %d for event %d lacks "
                            "nsNotificationsSuppressed" % (kind, index))
        attacker = t.get(EVENT + "7.%d" % index)
        if attacker is None or \
                address(trap_value(attacker)) != ev["attacker"]:
            problems.append("notification %d for event %d names another "
                            "attacker" % (kind, index))
    return problems


def main():
    expect = read_expect(sys.argv[1])
    events = read_walk(sys.argv[2])
    traps = read_traps(sys.argv[3])
    datadir = sys.argv[4].rstrip("/") + "/"
    sources = {}
    for arg in sys.argv[5:]:
        index, _, path = arg.partition(":")
        sources[int(index)] = path[len(datadir):] \
            if path.startswith(datadir) else path

    errors = 0
    by_source = {}
    for index, ev in sorted(events.items()):
        ev["index"] = index
        by_source.setdefault(ev["source"], []).append(ev)
        if ev["state"] != 2:
            print("event %d is still active after its file ended" % index)
            errors += 1
        for problem in check_traps(ev, traps):
            print(problem)
            errors += 1

    for index, path in sorted(sources.items()):
        if path not in expect:
            print("%s: no expectation in %s" % (path, sys.argv[1]))
            errors += 1
            continue
        got = list(by_source.get(index, []))
        for want in expect[path]:
            hit = next((ev for ev in got if matches(ev, want)), None)
            if hit is None:
                print("%s: expected %s %s -> %s port %s %s %s packets %s "
                      "%s (line %d) not found" % (
                          path, want["type"], want["attacker"],
                          want["target"], want["port"], want["probe"],
                          want["shape"], want["packets"],
                          ",".join(want["extras"]), want["line"]))
                errors += 1
            else:
                got.remove(hit)
                print("%s: %s" % (path, describe(hit)))
        for ev in got:
            print("%s: unexpected %s" % (path, describe(ev)))
            errors += 1
        if not expect[path] and not by_source.get(index):
            print("%s: no event, as expected" % path)

    print("%d events, %d notifications, %d problems" %
          (len(events), len(traps), errors))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
