#!/usr/bin/python3
"""Run netsentryd benchmarks against a private snmpd that run.sh started.

Each part runs every measurement three times (interleaved where two
programs are compared, so both see the same machine load), takes the
median, and appends result rows to a tab-separated file that run.sh
prints as a table.  The flood runs of the detect part, which take
minutes each and measure memory, run once.  Row fields: part,
measurement, value, unit, target, verdict (pass, FAIL or info), note.

usage: nsbench.py PART --work DIR --port PORT --socket PATH
                  --snmpd-pid PID --daemon PATH --floor PATH
                  --data DIR [--packets N] [--flood-sources N]
                  --results FILE
PART is rate, memory, walk, detect or profile (callgrind instruction
counts).
"""

import argparse
import os
import re
import resource
import signal
import statistics
import subprocess
import sys
import threading
import time

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
PYTHON = "/usr/bin/python3"
REPEATS = 3
# The two configurations of the detect part take turns this many times.
# Each run lasts a fraction of a second, so its median needs more runs
# than the others to hold still on a shared machine.
DETECT_REPEATS = 9

OID_STATE = ".1.3.6.1.4.1.99999.1.1.1.4.1"         # nsCaptureState.1
OID_COUNTS = {
    "hostTable": ".1.3.6.1.2.1.16.4.1.1.3.1",       # hostControlTableSize
    "matrixSDTable": ".1.3.6.1.2.1.16.6.1.1.3.1",   # matrixControlTableSize
    "nsIpHostTable": ".1.3.6.1.4.1.99999.1.1.1.11.1",
    "nsIpMatrixTable": ".1.3.6.1.4.1.99999.1.1.1.12.1",
}
STATE_END_OF_FILE = "2"

STATE_POLL_SECONDS = 0.020
LOG_POLL_SECONDS = 0.001
END_TIMEOUT_SECONDS = 300

END_RE = re.compile(rb"end of file after (\d+) packets in ([0-9.]+) s")
STARTED_RE = re.compile(rb"netsentryd \S+ started")


class BenchError(Exception):
    """A run that failed or did not reach the end of its capture."""


class Results:
    """Result rows, appended to the file that run.sh prints."""

    def __init__(self, path, part):
        self.path = path
        self.part = part

    def add(self, measurement, value, unit, target="", verdict="info",
            note=""):
        row = [self.part, measurement, value, unit, target, verdict, note]
        with open(self.path, "a") as f:
            f.write("\t".join(str(x) for x in row) + "\n")
        print(f"  {measurement}: {value} {unit} {target} {verdict} {note}")


def snmp_get(port, oids, timeout=1):
    """Return the values of oids from the private master, as strings."""
    cmd = ["snmpget", "-v2c", "-c", "public", "-On", "-Oqv", "-t",
           str(timeout), "-r", "0", f"127.0.0.1:{port}"] + list(oids)
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        return None
    return out.stdout.split("\n")[:len(oids)]


def proc_status(pid):
    """Return VmRSS and VmHWM of pid in bytes."""
    sizes = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                sizes[key] = int(value.split()[0]) * 1024
    return sizes


class DaemonRun:
    """One netsentryd process reading one capture file to its end.

    start() notes the time just before the process is created; both end
    times below count from there.  A thread reads the log every 1 ms for
    "end of file after N packets" (the reader thread posts it at the
    end, and the agent thread writes it at once).  With poll_state set,
    another thread runs snmpget for nsCaptureState.1 every 20 ms.  Each
    snmpget costs a process start and a round trip through snmpd, CPU
    time that the daemon then lacks on a 2-core machine.
    """

    def __init__(self, args, capture, name, poll_state=True, wrapper=(),
                 conf="netsentryd.conf", timeout=END_TIMEOUT_SECONDS):
        self.args = args
        self.capture = capture
        self.conf = os.path.join(args.work, conf)
        self.timeout = timeout
        self.poll_state = poll_state
        self.wrapper = list(wrapper)    # for example valgrind and options
        self.log = os.path.join(args.work, f"netsentryd-{name}.log")
        self.proc = None
        self.t_start = None
        self.t_started = None
        self.t_end_log = None
        self.t_end_snmp = None
        self.packets = None
        self.read_seconds = None    # the reader thread's own timer
        self.failure = None
        self.status = None      # VmRSS and VmHWM at the end of file
        self.cpu_seconds = None  # CPU time of all threads at the end
        self.counts = None      # table sizes from the MIB

    def start(self):
        if os.path.exists(self.log):
            os.unlink(self.log)
        cmd = self.wrapper + [self.args.daemon, "-f", "-Lf", self.log,
               "-c", self.conf,
               "-x", f"unix:{self.args.socket}", "-r", self.capture]
        self.t_start = time.monotonic()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)

    def _watch_log(self, deadline):
        data = b""
        while time.monotonic() < deadline and self.failure is None:
            try:
                with open(self.log, "rb") as f:
                    data = f.read()
            except FileNotFoundError:
                pass
            now = time.monotonic()
            if self.t_started is None and STARTED_RE.search(data):
                self.t_started = now
            match = END_RE.search(data)
            if match:
                self.t_end_log = now
                self.packets = int(match.group(1))
                self.read_seconds = float(match.group(2))
                return
            if self.proc.poll() is not None:
                self.failure = (f"netsentryd exited with status "
                                f"{self.proc.returncode}; see {self.log}")
                return
            time.sleep(LOG_POLL_SECONDS)

    def _poll_state(self, deadline):
        while time.monotonic() < deadline and self.failure is None:
            asked = time.monotonic()
            values = snmp_get(self.args.port, [OID_STATE])
            if values and values[0].strip() == STATE_END_OF_FILE:
                self.t_end_snmp = time.monotonic()
                return
            left = STATE_POLL_SECONDS - (time.monotonic() - asked)
            if left > 0:
                time.sleep(left)

    def wait_end(self):
        """Wait for both end signals; raise BenchError on a failure."""
        deadline = time.monotonic() + self.timeout
        threads = [threading.Thread(target=self._watch_log,
                                    args=(deadline,))]
        if self.poll_state:
            threads.append(threading.Thread(target=self._poll_state,
                                            args=(deadline,)))
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if self.failure is not None:
            raise BenchError(self.failure)
        if self.t_end_log is None or (self.poll_state and
                                      self.t_end_snmp is None):
            raise BenchError(f"{self.capture}: no end of file within "
                             f"{self.timeout} s; see {self.log}")

    def row_counts(self):
        values = snmp_get(self.args.port, OID_COUNTS.values())
        if values is None:
            raise BenchError("snmpget of the table sizes failed")
        return {name: int(v.strip())
                for name, v in zip(OID_COUNTS, values)}

    def stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            print(f"nsbench: netsentryd pid {self.proc.pid} ignored SIGTERM "
                  f"for 30 s; sending SIGKILL", file=sys.stderr)
            self.proc.kill()
            self.proc.wait()


def run_daemon(args, capture, name, after_end=None, poll_state=True,
               wrapper=(), conf="netsentryd.conf",
               timeout=END_TIMEOUT_SECONDS):
    """Run netsentryd on capture to its end; return the DaemonRun.

    conf is a file name in the work folder.  after_end(run) is called
    while the daemon still serves its tables.
    """
    run = DaemonRun(args, capture, name, poll_state, wrapper, conf,
                    timeout)
    run.start()
    try:
        run.wait_end()
        run.cpu_seconds = cpu_seconds(run.proc.pid)
        run.status = proc_status(run.proc.pid)
        run.counts = run.row_counts()
        if after_end is not None:
            after_end(run)
    finally:
        run.stop()
    return run


def make_capture(args, name, *generator_args):
    """Generate a capture into the work folder unless it is there."""
    path = os.path.join(args.work, name)
    if not os.path.exists(path):
        subprocess.run([PYTHON, os.path.join(BENCH_DIR,
                        generator_args[0])] + list(generator_args[1:]) +
                       ["-o", path + ".tmp"], check=True)
        os.rename(path + ".tmp", path)
    return path


def median(values):
    return statistics.median(values)


def verdict(ok):
    return "pass" if ok else "FAIL"


# Part 1: packet rate --------------------------------------------------


def run_floor(args, capture):
    """Run the floor program; return (wall seconds, own seconds, packets)."""
    t0 = time.monotonic()
    out = subprocess.run([args.floor, capture], capture_output=True,
                         text=True, check=True)
    wall = time.monotonic() - t0
    fields = dict(kv.split("=") for kv in out.stdout.split())
    return wall, float(fields["seconds"]), int(fields["packets"])


def part_rate(args, results):
    capture = make_capture(args, "real.pcap", "make_real_capture.py",
                           "-n", str(args.packets),
                           os.path.join(args.data, "benign"),
                           os.path.join(args.data, "scans"))
    # Read once so every timed run finds the file in the page cache.
    run_floor(args, capture)
    write_conf(args, "rate-off.conf", ["detect all off"])

    floor_wall, floor_own, ns_log, ns_polled, ns_snmp = [], [], [], [], []
    ns_own, ns_off = [], []
    started, hwm = [], []
    packets = None
    for i in range(REPEATS):
        wall, own, packets = run_floor(args, capture)
        floor_wall.append(wall)
        floor_own.append(own)

        # Timed by the log alone, then again with snmpget polling.
        quiet = run_daemon(args, capture, f"rate{i + 1}", poll_state=False)
        polled = run_daemon(args, capture, f"rate{i + 1}-polled")
        off = run_daemon(args, capture, f"rate{i + 1}-off", poll_state=False,
                         conf="rate-off.conf")
        for run in (quiet, polled, off):
            if run.packets != packets:
                raise BenchError(f"netsentryd read {run.packets} packets, "
                                 f"the floor {packets}")
        ns_log.append(quiet.t_end_log - quiet.t_start)
        ns_own.append(quiet.read_seconds)
        started.append(quiet.t_started - quiet.t_start)
        hwm.append(quiet.status["VmHWM"])
        ns_polled.append(polled.t_end_log - polled.t_start)
        ns_snmp.append(polled.t_end_snmp - polled.t_start)
        ns_off.append(off.t_end_log - off.t_start)
        print(f"  repeat {i + 1}: floor {wall:.3f} s (own timer "
              f"{own:.3f} s); netsentryd {ns_log[-1]:.3f} s by log, "
              f"start-up {started[-1]:.3f} s; with snmpget polling "
              f"{ns_polled[-1]:.3f} s by log, {ns_snmp[-1]:.3f} s by "
              f"snmpget; detectors off {ns_off[-1]:.3f} s by log")

    def rate(seconds):
        return f"{packets / median(seconds) / 1e6:.2f}"

    ratio = median(floor_wall) / median(ns_log)
    results.add("capture packets", packets, "packets")
    results.add("floor, process start to exit", rate(floor_wall),
                "M packets/s", note=f"median {median(floor_wall):.3f} s")
    results.add("floor, its own timer", rate(floor_own), "M packets/s",
                note="pcap_open_offline to end of pcap_loop")
    results.add("netsentryd, start to end-of-file log line", rate(ns_log),
                "M packets/s", note=f"median {median(ns_log):.3f} s")
    results.add("netsentryd / floor", f"{ratio:.2f}", "ratio", ">= 0.50",
                verdict(ratio >= 0.5), "both from process start")
    results.add("netsentryd, its own timer", rate(ns_own), "M packets/s",
                note="first pcap_dispatch to all frames counted")
    own_ratio = median(floor_own) / median(ns_own)
    results.add("netsentryd / floor, own timers", f"{own_ratio:.2f}",
                "ratio", note="start-up excluded on both sides")
    results.add("netsentryd, detectors off", rate(ns_off), "M packets/s",
                note=f"median {median(ns_off):.3f} s, start to end-of-file "
                "log line, 'detect all off'")
    results.add("netsentryd detectors off / floor",
                f"{median(floor_wall) / median(ns_off):.2f}", "ratio",
                note="both from process start; the tables alone")
    results.add("netsentryd start-up (start to 'started' log line)",
                f"{median(started):.3f}", "s",
                note="included in the rate above")
    results.add("netsentryd with snmpget every 20 ms, by log",
                rate(ns_polled), "M packets/s",
                note=f"median {median(ns_polled):.3f} s")
    results.add("netsentryd with snmpget every 20 ms, by snmpget",
                rate(ns_snmp), "M packets/s",
                note=f"median {median(ns_snmp):.3f} s, first poll "
                "that returned endOfFile(2)")
    results.add("netsentryd peak RSS (VmHWM)",
                f"{median(hwm) / 2**20:.1f}", "MiB",
                note="rows: " + ", ".join(f"{t} {n}" for t, n in
                                           quiet.counts.items()))


# Part 2: memory per row -----------------------------------------------

# (name, shape, count, layer).  Each of the four split runs grows one
# layer, with many hosts or with many pairs.  Their four equations give
# the bytes per row of each table, and the two "both" runs check them.
MEMORY_RUNS = [
    ("baseline", "hosts", 2, "both"),
    ("mac-hosts", "hosts", 60000, "mac"),
    ("mac-pairs", "pairs", 300, "mac"),
    ("ip-hosts", "hosts", 100000, "ip"),
    ("ip-pairs", "pairs", 300, "ip"),
    ("hosts-both", "hosts", 100000, "both"),
    ("pairs-both", "pairs", 300, "both"),
]
TABLES = list(OID_COUNTS)
TARGETS = {"hostTable": 256, "matrixSDTable": 192, "nsIpHostTable": 256,
           "nsIpMatrixTable": 192}


def solve(matrix, vector):
    """Solve the square linear system by Gaussian elimination."""
    n = len(vector)
    a = [list(map(float, row)) + [float(v)] for row, v in zip(matrix, vector)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(a[r][col]))
        a[col], a[pivot] = a[pivot], a[col]
        for r in range(n):
            if r != col:
                f = a[r][col] / a[col][col]
                a[r] = [x - f * y for x, y in zip(a[r], a[col])]
    return [a[i][n] / a[i][i] for i in range(n)]


def struct_estimates(args):
    out = subprocess.run([os.path.join(args.work, "entry_sizes")],
                         capture_output=True, text=True, check=True)
    sizes = {}
    for line in out.stdout.splitlines():
        name, *fields = line.split()
        sizes[name] = dict(f.split("=") for f in fields)
    return sizes


def part_memory(args, results):
    captures = {}
    for name, shape, count, layer in MEMORY_RUNS:
        captures[name] = make_capture(args, f"mem-{name}.pcap",
                                      "make_table_capture.py", shape,
                                      str(count), "--layer", layer)

    # Each synthetic frame opens a first contact, and the detectors' maps
    # would then be counted as table memory; the detect part measures them.
    write_conf(args, "memory.conf", ["detect all off"])
    rss = {name: [] for name, *_ in MEMORY_RUNS}
    hwm = {name: [] for name, *_ in MEMORY_RUNS}
    counts = {}
    for i in range(REPEATS):
        for name, *_ in MEMORY_RUNS:
            run = run_daemon(args, captures[name], f"mem-{name}",
                             conf="memory.conf")
            rss[name].append(run.status["VmRSS"])
            hwm[name].append(run.status["VmHWM"])
            if name in counts and counts[name] != run.counts:
                raise BenchError(f"{name}: row counts differ between "
                                 f"repeats: {counts[name]} {run.counts}")
            counts[name] = run.counts
        print(f"  repeat {i + 1}: " + ", ".join(
            f"{n} {rss[n][-1] / 2**20:.1f} MiB" for n in rss))

    base = counts["baseline"]
    base_rss = median(rss["baseline"])

    def delta_rows(name):
        return [counts[name][t] - base[t] for t in TABLES]

    def delta_rss(name):
        return median(rss[name]) - base_rss

    for name, *_ in MEMORY_RUNS:
        rows = ", ".join(f"{t} {counts[name][t]}" for t in TABLES)
        results.add(f"{name} RSS", f"{median(rss[name]) / 2**20:.2f}", "MiB",
                    note=f"VmHWM {median(hwm[name]) / 2**20:.2f} MiB; "
                    f"rows: {rows}")

    split = ["mac-hosts", "mac-pairs", "ip-hosts", "ip-pairs"]
    per_row = solve([delta_rows(n) for n in split],
                    [delta_rss(n) for n in split])
    estimates = struct_estimates(args)
    for table, value in zip(TABLES, per_row):
        est = estimates[table]
        results.add(f"{table} row", f"{value:.0f}", "bytes",
                    f"<= {TARGETS[table]}", verdict(value <= TARGETS[table]),
                    f"struct {est['struct']} B, malloc chunk {est['chunk']} B")

    for name in ("hosts-both", "pairs-both"):
        predicted = sum(r * v for r, v in zip(delta_rows(name), per_row))
        measured = delta_rss(name)
        results.add(f"{name}: measured / predicted RSS growth",
                    f"{measured / predicted:.3f}", "ratio",
                    note=f"{measured / 2**20:.2f} MiB measured, "
                    f"{predicted / 2**20:.2f} MiB from the rows")

    hosts = counts["hosts-both"]["nsIpHostTable"] - base["nsIpHostTable"]
    results.add("hosts-both: RSS growth per distinct host",
                f"{delta_rss('hosts-both') / hosts:.0f}", "bytes",
                note="all four tables; each host also adds one pair per "
                "layer")
    mac_ip_host = per_row[0] + per_row[2]
    results.add("hostTable row + nsIpHostTable row", f"{mac_ip_host:.0f}",
                "bytes", note=f"{mac_ip_host / 256:.2f} x 256: the two "
                "rows one host creates")


# Part 3: walk time ----------------------------------------------------

WALKS = [
    # (table, subtree OID, columns, row cap of the table)
    ("nsIpHostTable", ".1.3.6.1.4.1.99999.1.2", 13, None),
    ("hostTable", ".1.3.6.1.2.1.16.4.2", 10, 65535),
]
WALK_SIZES = [1000, 10000, 100000]


def cpu_seconds(pid):
    """Return the user plus system CPU time of a process so far.

    The kernel adds the time of threads that have ended to the process.
    """
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_cpu():
    """Return the CPU time of this script's finished child processes."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_walk(args, oid, out_path, daemon_pid):
    """Run the walk; return (seconds, variables printed, CPU seconds).

    The CPU time adds up snmpbulkwalk, snmpd and netsentryd during the
    walk.  Unlike the elapsed time, it barely changes when other work
    shares the machine.
    """
    cmd = ["snmpbulkwalk", "-v2c", "-c", "public", "-Cr50",
           f"127.0.0.1:{args.port}", oid]
    servers = [args.snmpd_pid, daemon_pid]
    before = sum(cpu_seconds(pid) for pid in servers) + children_cpu()
    with open(out_path, "w") as out:
        t0 = time.monotonic()
        subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT,
                       check=True)
        seconds = time.monotonic() - t0
    cpu = sum(cpu_seconds(pid) for pid in servers) + children_cpu() - before
    with open(out_path) as f:
        lines = sum(1 for _ in f)
    return seconds, lines, cpu


def part_walk(args, results):
    times = {(t, n): [] for t, *_ in WALKS for n in WALK_SIZES}
    cpus = {(t, n): [] for t, *_ in WALKS for n in WALK_SIZES}
    rows = {}

    def walk_all(run, size):
        for table, oid, columns, cap in WALKS:
            expect = run.counts[table]
            rows[(table, size)] = expect
            out = os.path.join(args.work, f"walk-{table}-{size}.txt")
            seconds, lines, cpu = time_walk(args, oid, out, run.proc.pid)
            if lines != expect * columns:
                raise BenchError(f"walk of {table} with {expect} rows "
                                 f"printed {lines} lines, expected "
                                 f"{expect * columns}; see {out}")
            times[(table, size)].append(seconds)
            cpus[(table, size)].append(cpu)
            print(f"  {table}, {expect} rows: {seconds:.2f} s, "
                  f"CPU {cpu:.2f} s")

    captures = {size: make_capture(args, f"walk-{size}.pcap",
                                   "make_table_capture.py", "hosts",
                                   str(size))
                for size in WALK_SIZES}
    # Sizes take turns, so a busy spell of the machine slows all of them.
    for i in range(REPEATS):
        for size in WALK_SIZES:
            run_daemon(args, captures[size], f"walk-{size}",
                       after_end=lambda run, s=size: walk_all(run, s))

    for table, _, columns, _ in WALKS:
        for size in WALK_SIZES:
            n = rows[(table, size)]
            t = median(times[(table, size)])
            results.add(f"{table} walk, {n} rows", f"{t:.2f}", "s",
                        note=f"{n / t:.0f} rows/s, {n * columns / t:.0f} "
                        f"varbinds/s; fastest {min(times[(table, size)]):.2f}"
                        f" s; CPU {median(cpus[(table, size)]):.2f} s")
        # Linear scaling: time per row at the largest size is at most
        # 1.2 times that at 10,000 rows (12x the time for 10x the rows).
        small, large = rows[(table, 10000)], rows[(table, 100000)]
        limit = 1.2 * large / small
        ratio = (median(times[(table, 100000)]) /
                 median(times[(table, 10000)]))
        results.add(f"{table} walk time, {large} / {small} rows",
                    f"{ratio:.2f}", "ratio", f"<= {limit:.1f}",
                    verdict(ratio <= limit))
        ratio = min(times[(table, 100000)]) / min(times[(table, 10000)])
        results.add(f"{table} fastest walk time, {large} / {small} rows",
                    f"{ratio:.2f}", "ratio", note="fastest of 3 each")
        ratio = median(cpus[(table, 100000)]) / median(cpus[(table, 10000)])
        results.add(f"{table} walk CPU time, {large} / {small} rows",
                    f"{ratio:.2f}", "ratio", note="snmpbulkwalk, snmpd "
                    "and netsentryd together")


# Part 4: detector cost ------------------------------------------------

OID_EVENTS_TOTAL = ".1.3.6.1.4.1.99999.1.4.1.0"         # nsEventsTotal.0
OID_SYN_FLOODS = ".1.3.6.1.4.1.99999.1.4.7.1.4.2"       # nsEventTypeEvents
OID_EVENT_DESCR = ".1.3.6.1.4.1.99999.1.4.8.1.21"       # nsEventDescription

DETECT_TARGET = 0.70
# A spoofed flood creates a table row for almost every frame, which is
# far slower than the real-traffic mix.
FLOOD_TIMEOUT_SECONDS = 1800

# Every configuration starts with idleTimeout 0 (rows never expire).
DETECT_CONFS = {
    "detect-on.conf": [],
    "detect-off.conf": ["detect all off"],
}
# The IP table caps are the defaults, written out so that all three
# flood runs keep the same ones.
FLOOD_TABLE_CAPS = ["maxIpHostEntries 262144", "maxIpMatrixEntries 524288"]
FLOOD_RUNS = [
    # (name, configuration file, lines after the table caps)
    ("detectors off", "flood-off.conf", ["detect all off"]),
    ("default detector caps", "flood-default.conf", []),
    ("small detector caps", "flood-small.conf",
     ["maxContacts 16384", "maxScanSources 4096"]),
]


def write_conf(args, name, lines):
    with open(os.path.join(args.work, name), "w") as f:
        f.write("\n".join(["idleTimeout 0"] + lines) + "\n")


def make_attack_capture(args):
    """Build the attack mix: every scan capture and the SYN flood ones.

    make_real_capture.py reads whole folders, so the chosen files are
    linked into one folder of the work folder first.
    """
    folder = os.path.join(args.work, "attack-sources")
    os.makedirs(folder, exist_ok=True)
    scans = os.path.join(args.data, "scans")
    floods = os.path.join(args.data, "floods")
    paths = [os.path.join(scans, n) for n in os.listdir(scans)]
    paths += [os.path.join(floods, n) for n in os.listdir(floods)
              if n.startswith("syn_flood_")]
    for path in paths:
        link = os.path.join(folder, os.path.basename(path))
        if not os.path.lexists(link):
            os.symlink(os.path.abspath(path), link)
    return make_capture(args, "attack.pcap", "make_real_capture.py", "-n",
                        str(args.packets), folder)


def event_counts(args):
    """Return (all events, synFlood events) that the daemon raised."""
    values = snmp_get(args.port, [OID_EVENTS_TOTAL, OID_SYN_FLOODS])
    if values is None:
        raise BenchError("snmpget of nsEventsTotal and nsEventTypeEvents "
                         "failed")
    return int(values[0]), int(values[1])


def event_descriptions(args):
    """Return nsEventDescription of every row of nsEventTable."""
    out = subprocess.run(["snmpbulkwalk", "-v2c", "-c", "public", "-On",
                          "-Oqv", f"127.0.0.1:{args.port}", OID_EVENT_DESCR],
                         capture_output=True, text=True, check=True)
    return [line.strip().strip('"') for line in out.stdout.splitlines()
            if line.strip()]


def compare_detectors(args, results, label, key, capture):
    """Time the capture with detectors on and off, in turns."""
    wall = {"on": [], "off": []}
    own = {"on": [], "off": []}
    cpu = {"on": [], "off": []}
    events = {}
    packets = None
    for i in range(DETECT_REPEATS):
        for state in ("on", "off"):
            run = run_daemon(args, capture, f"detect-{key}-{state}{i + 1}",
                             poll_state=False,
                             conf=f"detect-{state}.conf",
                             after_end=lambda r, s=state: events.update(
                                 {s: event_counts(args)}))
            if packets is not None and run.packets != packets:
                raise BenchError(f"{capture}: read {run.packets} packets, "
                                 f"an earlier run {packets}")
            packets = run.packets
            wall[state].append(run.t_end_log - run.t_start)
            own[state].append(run.read_seconds)
            cpu[state].append(run.cpu_seconds)
        print(f"  {label}, repeat {i + 1}: detectors on "
              f"{wall['on'][-1]:.3f} s, off {wall['off'][-1]:.3f} s")

    for state in ("on", "off"):
        t = median(wall[state])
        results.add(f"{label}, detectors {state}",
                    f"{packets / t / 1e6:.2f}", "M packets/s",
                    note=f"median {t:.3f} s, start to end-of-file log "
                    f"line; {events[state][0]} events")
    ratio = median(wall["off"]) / median(wall["on"])
    results.add(f"{label}, detectors on / off", f"{ratio:.2f}", "ratio",
                f">= {DETECT_TARGET:.2f}", verdict(ratio >= DETECT_TARGET),
                f"{packets} packets")
    ratio = median(own["off"]) / median(own["on"])
    results.add(f"{label}, on / off, own timers", f"{ratio:.2f}", "ratio",
                note="start-up excluded")
    ratio = median(cpu["on"]) / median(cpu["off"])
    results.add(f"{label}, CPU time on / off", f"{ratio:.2f}", "ratio",
                note=f"all threads, start-up included: median "
                f"{median(cpu['on']):.2f} s on, {median(cpu['off']):.2f} s "
                f"off (clock ticks of 1/{os.sysconf('SC_CLK_TCK')} s)")


def flood_run(args, results, capture, sources, name, conf):
    """Run the daemon on the flood; add its row; return its VmHWM."""
    found = {}

    def collect(run):
        found["events"] = event_counts(args)
        # A walk of an empty table prints an error line, not nothing.
        found["descr"] = (event_descriptions(args)
                          if found["events"][0] > 0 else [])

    run = run_daemon(args, capture, conf[:-len(".conf")], after_end=collect,
                     poll_state=False, conf=conf,
                     timeout=FLOOD_TIMEOUT_SECONDS)
    if run.packets != sources:
        raise BenchError(f"{capture}: read {run.packets} packets of "
                         f"{sources}")
    seconds = run.t_end_log - run.t_start
    total, floods = found["events"]
    print(f"  flood, {name}: {seconds:.1f} s, VmHWM "
          f"{run.status['VmHWM'] / 2**20:.1f} MiB, events "
          f"{found['descr']}")
    results.add(f"flood, {name}: peak RSS (VmHWM)",
                f"{run.status['VmHWM'] / 2**20:.1f}", "MiB",
                note=f"VmRSS {run.status['VmRSS'] / 2**20:.1f} MiB; rows "
                f"nsIpHostTable {run.counts['nsIpHostTable']}, "
                f"nsIpMatrixTable {run.counts['nsIpMatrixTable']}; "
                f"{seconds:.0f} s, {sources / seconds / 1e3:.0f} k "
                f"packets/s")
    if conf != "flood-off.conf":
        ok = total == 1 and floods == 1
        results.add(f"flood, {name}: events", total, "events", "1 synFlood",
                    verdict(ok), f"synFlood {floods}; "
                    + " | ".join(found["descr"]))
    return run.status["VmHWM"]


def part_detect(args, results):
    for name, lines in DETECT_CONFS.items():
        write_conf(args, name, lines)
    for _, conf, lines in FLOOD_RUNS:
        write_conf(args, conf, FLOOD_TABLE_CAPS + lines)

    real = make_capture(args, "real.pcap", "make_real_capture.py",
                        "-n", str(args.packets),
                        os.path.join(args.data, "benign"),
                        os.path.join(args.data, "scans"))
    attack = make_attack_capture(args)
    # Read once so every timed run finds the files in the page cache.
    for capture in (real, attack):
        run_floor(args, capture)
    compare_detectors(args, results, "real traffic", "real", real)
    compare_detectors(args, results, "attack mix", "attack", attack)

    sources = args.flood_sources
    flood = make_capture(args, f"flood-{sources}.pcap",
                         "make_flood_capture.py", "-n", str(sources))
    run_floor(args, flood)
    hwm = {}
    for name, conf, _ in FLOOD_RUNS:
        hwm[conf] = flood_run(args, results, flood, sources, name, conf)

    off = hwm["flood-off.conf"]
    share = {}
    for name, conf, lines in FLOOD_RUNS[1:]:
        share[conf] = hwm[conf] - off
        caps = ", ".join(lines) or "maxContacts 131072, maxScanSources 32768"
        results.add(f"flood, detector share, {name}",
                    f"{share[conf] / 2**20:.1f}", "MiB",
                    note=f"VmHWM minus the run with detectors off; {caps}")
    ratio = share["flood-default.conf"] / share["flood-small.conf"]
    results.add("flood, detector share default / small caps",
                f"{ratio:.2f}", "ratio", note="the caps differ by 8 times; "
                f"IP table caps in all three runs: "
                + ", ".join(FLOOD_TABLE_CAPS))


# Optional part: where the packet path spends its instructions ----------

PROFILE_PACKETS = 200000
PROFILE_FUNCTIONS = [
    # (callgrind function name, what it covers)
    ("pcap_loop", "floor: all of pcap_loop"),
    ("ns_source_run", "reader thread: file, decoding, ring slots"),
    ("ns_decode", "decode.c, link to transport header"),
    ("ns_probe_hash", "detect.c, the detectors' hashes, on the reader"),
    ("ns_source_count", "counter thread: every table update"),
    ("ns_table_touch", "tables.c, find or create one row, LRU move"),
    ("ns_hash", "tables.c, keyed hash of one key"),
    ("ns_table_find", "tables.c, hash chain walk and key compare"),
    ("__memcmp_avx2_movbe", "libc memcmp, mostly the key compare"),
    ("ns_source_detect", "detector thread: all of the detectors"),
]
ANNOTATE_RE = re.compile(r"^\s*([\d,]+) \(\s*[\d.]+%\)\s+(\S+)")


def callgrind_inclusive(path):
    """Return {function: inclusive instructions} from a callgrind file."""
    out = subprocess.run(["callgrind_annotate", "--inclusive=yes",
                          "--threshold=100", path], capture_output=True,
                         text=True, check=True)
    costs = {}
    for line in out.stdout.splitlines():
        match = ANNOTATE_RE.match(line)
        if match:
            name = match.group(2).rsplit(":", 1)[-1]
            costs.setdefault(name, int(match.group(1).replace(",", "")))
    return costs


def part_profile(args, results):
    capture = make_capture(args, f"real-{PROFILE_PACKETS}.pcap",
                           "make_real_capture.py", "-n",
                           str(PROFILE_PACKETS),
                           os.path.join(args.data, "benign"),
                           os.path.join(args.data, "scans"))
    floor_out = os.path.join(args.work, "callgrind.floor")
    ns_out = os.path.join(args.work, "callgrind.netsentryd")
    subprocess.run(["valgrind", "--tool=callgrind", "-q",
                    f"--callgrind-out-file={floor_out}", args.floor,
                    capture], check=True, stdout=subprocess.DEVNULL)
    run_daemon(args, capture, "profile", poll_state=False,
               wrapper=["valgrind", "--tool=callgrind", "-q",
                        f"--callgrind-out-file={ns_out}"])

    costs = callgrind_inclusive(floor_out)
    costs.update(callgrind_inclusive(ns_out))
    for name, covers in PROFILE_FUNCTIONS:
        if name in costs:
            results.add(f"{name} (inclusive)",
                        f"{costs[name] / PROFILE_PACKETS:.0f}",
                        "instructions/packet", note=covers)
    print(f"  callgrind files: {floor_out} {ns_out}; read them with "
          f"callgrind_annotate --inclusive=yes FILE")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("part", choices=("rate", "memory", "walk",
                                         "detect", "profile"))
    parser.add_argument("--work", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--socket", required=True)
    parser.add_argument("--snmpd-pid", type=int, required=True)
    parser.add_argument("--daemon", required=True)
    parser.add_argument("--floor", required=True)
    parser.add_argument("--data", required=True,
                        help="tests/data folder with benign/ and scans/")
    parser.add_argument("--packets", type=int, default=1000000)
    parser.add_argument("--flood-sources", type=int, default=10000000,
                        help="SYNs, each from its own source, in the "
                        "flood capture of the detect part")
    parser.add_argument("--results", required=True)
    args = parser.parse_args()

    results = Results(args.results, args.part)
    parts = {"rate": part_rate, "memory": part_memory, "walk": part_walk,
             "detect": part_detect, "profile": part_profile}
    try:
        parts[args.part](args, results)
    except (BenchError, subprocess.CalledProcessError) as e:
        sys.exit(f"nsbench: {args.part}: {e}")


if __name__ == "__main__":
    main()
