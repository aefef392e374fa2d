#!/usr/bin/env python3
"""Print the detection quality table of docs/DETECTION.md.

Usage: detection_table.py NETSENTRYD EVENTS_TSV DATADIR [CONF]

Runs `NETSENTRYD --report=json [-c CONF] -r FILE` on every capture that
EVENTS_TSV (tests/data/events.tsv) lists, and prints a Markdown table:
the capture, the events expected, the events found, how many probes
(first contacts of a scan, SYNs of a flood) the detector had seen when
it decided, and the events nobody expected (false alarms).  An event is
counted as found when its type, attacker and target match an expected
line; tests/integration/detect_files.sh checks the finer columns.
"""

import json
import subprocess
import sys


def expectations(path):
    expect = {}
    for line in open(path):
        f = line.rstrip("\n").split("\t")
        if not f[0] or f[0].startswith("#"):
            continue
        expect.setdefault(f[0], [])
        if len(f) > 2:
            expect[f[0]].append((f[1], f[2], f[3]))
    return expect


def events(daemon, path, conf):
    cmd = [daemon, "--report=json", "-r", path]
    if conf:
        cmd[1:1] = ["-c", conf]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)["events"]


def key(ev):
    target = ev["target"]
    if target == "?":
        target = "-"
    elif "/" not in target:
        target += "/%d" % ev["targetPrefix"]
    return (ev["type"], ev["attacker"] or "-", target)


def main():
    daemon, tsv, datadir = sys.argv[1:4]
    conf = sys.argv[4] if len(sys.argv) > 4 else None
    expect = expectations(tsv)
    print("| capture | expected | found | probes when found | "
          "false alarms |")
    print("|---|---|---|---|---|")
    totals = [0, 0, 0]
    for path in sorted(expect):
        want = list(expect[path])
        found, probes, extra = 0, [], []
        for ev in events(daemon, datadir + "/" + path, conf):
            if key(ev) in want:
                want.remove(key(ev))
                found += 1
                probes.append(str(ev["probes"]))
            else:
                extra.append("%s %s" % (ev["type"], key(ev)[1]))
        totals[0] += len(expect[path])
        totals[1] += found
        totals[2] += len(extra)
        print("| `%s` | %s | %d | %s | %s |" % (
            path, ", ".join(t for t, _, _ in expect[path]) or "none",
            found, ", ".join(probes) or "-", ", ".join(extra) or "0"))
    print("| **total** | %d | %d | | %d |" % tuple(totals))


if __name__ == "__main__":
    main()
