#!/usr/bin/python3
"""Compare netsentryd's SNMP tables with the counts tshark gives.

The input is the output of net-snmp walks made with -On -OQ (numeric
OIDs, "OID = value" lines) of the RMON-MIB host and matrix groups and of
the NETSENTRY-MIB tables.  Each data source given as N:FILE is compared
with ns_oracle.expected_counts(FILE).  Every mismatch prints one line:
the source, table, row key, column, expected value and value served.

Usage:
  ns_walkcmp.py [OPTIONS] WALK... -- N:FILE...

Options:
  --state N        the nsCaptureState every source must have: 2
                   (endOfFile, the default) for capture files, 1
                   (running) for live interfaces
  --read-errors N  the nsCaptureReadErrors every source must have (0)
  --max-lines N    mismatch lines shown per table and source (40)
  --crosscheck     also compare tshark's own -z tables with the counts
                   made from its per-frame fields, to catch a mistake in
                   this oracle rather than in the daemon
  --times          also compare the FirstSeen and LastSeen columns of the
                   IP tables with the packet times
Exit status: 0 when everything matches, 1 on a mismatch, 2 on bad input.
"""

import datetime
import ipaddress
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ns_oracle  # noqa: E402  (the path is set just above)

RMON = (1, 3, 6, 1, 2, 1, 16)
HOST_CONTROL = RMON + (4, 1, 1)
HOST = RMON + (4, 2, 1)
HOST_TIME = RMON + (4, 3, 1)
MATRIX_CONTROL = RMON + (6, 1, 1)
MATRIX_SD = RMON + (6, 2, 1)
MATRIX_DS = RMON + (6, 3, 1)
NETSENTRY = (1, 3, 6, 1, 4, 1, 99999)
CAPTURE = NETSENTRY + (1, 1, 1)
IP_HOST = NETSENTRY + (1, 2, 1)
IP_MATRIX = NETSENTRY + (1, 3, 1)

# Column numbers of the counters compared with the oracle, by table.
HOST_COUNTERS = {4: "InPkts", 5: "OutPkts", 6: "InOctets", 7: "OutOctets",
                 9: "OutBroadcastPkts", 10: "OutMulticastPkts"}
HOST_OUT_ERRORS = 8
MATRIX_COUNTERS = {4: "Pkts", 5: "Octets"}
MATRIX_ERRORS = 6
IP_HOST_COUNTERS = {3: "InPkts", 4: "OutPkts", 5: "InOctets",
                    6: "OutOctets", 9: "SynsSent"}
IP_MATRIX_COUNTERS = {5: "Pkts", 6: "Octets"}
IP_HOST_DATES = {7: "FirstSeen", 8: "LastSeen"}
IP_MATRIX_DATES = {7: "FirstSeen", 8: "LastSeen"}

# nsCaptureTable columns.
CAPTURE_STATE = 4
CAPTURE_PKTS = 5
CAPTURE_OCTETS = 6
CAPTURE_DROPS = 7
CAPTURE_MALFORMED = 8
CAPTURE_READ_ERRORS = 9
CAPTURE_LINK_TYPE = 10
CAPTURE_IP_HOSTS = 11
CAPTURE_IP_PAIRS = 12

CONTROL_TABLE_SIZE = 3

INET_TYPES = {1: ("ipv4", 4), 2: ("ipv6", 16)}

VARBIND = re.compile(r"^\.([0-9][0-9.]*) = (.*)$")


class WalkError(Exception):
    """Walk output that cannot be parsed."""


def read_walk(paths):
    """Return {oid tuple: value text} from walk output files.  A value
    that spans lines (a long hex string) is joined with spaces."""
    varbinds = {}
    for path in paths:
        last = None
        with open(path) as walk:
            for line in walk:
                line = line.rstrip("\n")
                match = VARBIND.match(line)
                if match:
                    last = tuple(int(x) for x in match.group(1).split("."))
                    varbinds[last] = match.group(2)
                elif last is not None and line.strip():
                    varbinds[last] += " " + line.strip()
    return varbinds


def text_value(value):
    """Strip the quotes net-snmp puts around a string value."""
    if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
        return value[1:-1]
    return value


def octets_value(value):
    """Return the bytes of an OCTET STRING value printed as hex
    ("00 0C 29 ...") or as printable text."""
    text = text_value(value).strip()
    if re.fullmatch(r"([0-9A-Fa-f]{2})( [0-9A-Fa-f]{2})*", text):
        return bytes(int(x, 16) for x in text.split())
    return text.encode("latin-1")


def int_value(value):
    try:
        return int(value)
    except ValueError:
        return value


def mac_text(octets):
    return ":".join("%02x" % x for x in octets)


def take_octets(index, expected_length):
    """Split a length-prefixed OCTET STRING off an index; return
    (bytes, rest)."""
    if not index:
        raise WalkError("index ends before an OCTET STRING length")
    length = index[0]
    if len(index) < 1 + length or length != expected_length:
        raise WalkError("OCTET STRING index of length %d, expected %d"
                        % (length, expected_length))
    return bytes(index[1:1 + length]), index[1 + length:]


def take_inet(index):
    """Split InetAddressType and a length-prefixed InetAddress off an
    index; return (oracle key, rest)."""
    if not index or index[0] not in INET_TYPES:
        raise WalkError("InetAddressType %r is neither ipv4(1) nor ipv6(2)"
                        % (index[:1],))
    family, length = INET_TYPES[index[0]]
    octets, rest = take_octets(index[1:], length)
    return "%s %s" % (family, ipaddress.ip_address(octets).compressed), rest


class Tables:
    """The rows of every table, by data source."""

    def __init__(self, varbinds):
        self.host_control = {}
        self.hosts = {}
        self.host_times = {}
        self.matrix_control = {}
        self.matrix_sd = {}
        self.matrix_ds = {}
        self.captures = {}
        self.ip_hosts = {}
        self.ip_pairs = {}
        self.errors = []
        for oid, value in sorted(varbinds.items()):
            try:
                self.add(oid, value)
            except WalkError as error:
                self.errors.append(".%s: %s"
                                   % (".".join(map(str, oid)), error))

    def add(self, oid, value):
        tables = [
            (HOST_CONTROL, self.add_control, self.host_control),
            (HOST, self.add_host, self.hosts),
            (HOST_TIME, self.add_control, self.host_times),
            (MATRIX_CONTROL, self.add_control, self.matrix_control),
            (MATRIX_SD, self.add_matrix, self.matrix_sd),
            (MATRIX_DS, self.add_matrix, self.matrix_ds),
            (CAPTURE, self.add_control, self.captures),
            (IP_HOST, self.add_ip_host, self.ip_hosts),
            (IP_MATRIX, self.add_ip_pair, self.ip_pairs),
        ]
        for prefix, adder, table in tables:
            if oid[:len(prefix)] == prefix and len(oid) >= len(prefix) + 2:
                column = oid[len(prefix)]
                source = oid[len(prefix) + 1]
                rest = oid[len(prefix) + 2:]
                rows = table.setdefault(source, {})
                adder(rows, prefix, column, rest, value)
                return

    @staticmethod
    def add_control(rows, prefix, column, rest, value):
        # Control tables and nsCaptureTable have one index (rest is
        # empty); hostTimeTable adds hostTimeCreationOrder.
        key = rest[0] if rest else None
        if len(rest) > 1:
            raise WalkError("unexpected index length")
        rows.setdefault(key, {})[column] = value

    @staticmethod
    def add_host(rows, prefix, column, rest, value):
        octets, rest = take_octets(rest, 6)
        if rest:
            raise WalkError("hostTable index longer than a MAC address")
        rows.setdefault(mac_text(octets), {})[column] = value

    @staticmethod
    def add_matrix(rows, prefix, column, rest, value):
        first, rest = take_octets(rest, 6)
        second, rest = take_octets(rest, 6)
        if rest:
            raise WalkError("matrix index longer than two MAC addresses")
        if prefix == MATRIX_DS:
            first, second = second, first
        key = "%s>%s" % (mac_text(first), mac_text(second))
        rows.setdefault(key, {})[column] = value

    @staticmethod
    def add_ip_host(rows, prefix, column, rest, value):
        key, rest = take_inet(rest)
        if rest:
            raise WalkError("nsIpHostTable index longer than an address")
        rows.setdefault(key, {})[column] = value

    @staticmethod
    def add_ip_pair(rows, prefix, column, rest, value):
        source, rest = take_inet(rest)
        destination, rest = take_inet(rest)
        if rest:
            raise WalkError("nsIpMatrixTable index longer than two "
                            "addresses")
        rows.setdefault("%s>%s" % (source, destination), {})[column] = value


class Report:
    """Mismatch lines of one data source, capped per table."""

    def __init__(self, source, path, max_lines):
        self.prefix = "source %d (%s)" % (source, os.path.basename(path))
        self.max_lines = max_lines
        self.counts = {}
        self.total = 0

    def mismatch(self, table, key, column, expected, got):
        self.total += 1
        count = self.counts.get(table, 0) + 1
        self.counts[table] = count
        if count <= self.max_lines:
            print("%s: %s %s %s: expected %s, got %s"
                  % (self.prefix, table, key, column, expected, got))

    def summary(self):
        for table, count in sorted(self.counts.items()):
            if count > self.max_lines:
                print("%s: %s: %d more mismatches not shown"
                      % (self.prefix, table, count - self.max_lines))


def compare_rows(report, table, expected_rows, served_rows, counters,
                 fixed=None):
    """Compare counter columns row by row; fixed maps a column to the
    value every row must have.  Return the keys served."""
    fixed = fixed or {}
    for key in sorted(set(expected_rows) - set(served_rows)):
        report.mismatch(table, key, "row", "present", "missing")
    for key in sorted(set(served_rows) - set(expected_rows)):
        report.mismatch(table, key, "row", "absent", "present")
    for key in sorted(set(expected_rows) & set(served_rows)):
        row = served_rows[key]
        for column, name in sorted(counters.items()):
            got = int_value(row.get(column, "not served"))
            if got != expected_rows[key][name]:
                report.mismatch(table, key, name, expected_rows[key][name],
                                got)
        for column, (name, value) in sorted(fixed.items()):
            got = int_value(row.get(column, "not served"))
            if got != value:
                report.mismatch(table, key, name, value, got)


def compare_mac_tables(report, tables, source, expected):
    hosts = tables.hosts.get(source, {})
    pairs = tables.matrix_sd.get(source, {})
    if expected["link_type"] != ns_oracle.DLT_EN10MB:
        # RMON-MIB's host and matrix groups count MAC addresses, which
        # only Ethernet data sources have.
        if hosts:
            report.mismatch("hostTable", "(all)", "rows", 0, len(hosts))
        if pairs:
            report.mismatch("matrixSDTable", "(all)", "rows", 0,
                            len(pairs))
        return

    compare_rows(report, "hostTable", expected["mac_hosts"], hosts,
                 HOST_COUNTERS,
                 {HOST_OUT_ERRORS: ("OutErrors", 0), 3: ("Index", source)})
    for key, row in sorted(hosts.items()):
        address = mac_text(octets_value(row.get(1, "")))
        if address != key:
            report.mismatch("hostTable", key, "Address", key, address)
    compare_host_times(report, tables, source, expected, hosts)

    compare_rows(report, "matrixSDTable", expected["mac_pairs"], pairs,
                 MATRIX_COUNTERS,
                 {MATRIX_ERRORS: ("Errors", 0), 3: ("Index", source)})
    compare_matrix_addresses(report, pairs)
    compare_rows(report, "matrixDSTable", expected["mac_pairs"],
                 tables.matrix_ds.get(source, {}), MATRIX_COUNTERS,
                 {MATRIX_ERRORS: ("Errors", 0), 3: ("Index", source)})

    compare_table_size(report, "hostControlTableSize",
                       tables.host_control.get(source, {}), len(hosts))
    compare_table_size(report, "matrixControlTableSize",
                       tables.matrix_control.get(source, {}), len(pairs))


def compare_matrix_addresses(report, pairs):
    for key, row in sorted(pairs.items()):
        source, destination = key.split(">")
        for column, name, address in ((1, "SourceAddress", source),
                                      (2, "DestAddress", destination)):
            served = mac_text(octets_value(row.get(column, "")))
            if served != address:
                report.mismatch("matrixSDTable", key, name, address, served)


def compare_table_size(report, name, control_rows, rows):
    row = control_rows.get(None)
    if row is None:
        report.mismatch(name, "(control)", "row", "present", "missing")
        return
    size = int_value(row.get(CONTROL_TABLE_SIZE, "not served"))
    if size != rows:
        report.mismatch(name, "(control)", "value",
                        "%d (rows served)" % rows, size)


def compare_host_times(report, tables, source, expected, hosts):
    """Check hostTimeTable against hostTable: the same rows, indexed by
    hostCreationOrder 1..N, in the order the addresses first appeared."""
    times = tables.host_times.get(source, {})
    by_order = {}
    for key, row in hosts.items():
        by_order[int_value(row.get(2, "not served"))] = key
    if sorted(by_order) != list(range(1, len(hosts) + 1)):
        report.mismatch("hostTable", "(all)", "CreationOrder",
                        "1..%d once each" % len(hosts),
                        sorted(map(str, by_order)))
    if sorted(times) != sorted(by_order):
        report.mismatch("hostTimeTable", "(all)", "CreationOrder",
                        sorted(map(str, by_order)), sorted(map(str, times)))

    for order, row in sorted(times.items()):
        key = by_order.get(order)
        if key is None:
            continue
        address = mac_text(octets_value(row.get(1, "")))
        if address != key:
            report.mismatch("hostTimeTable", order, "Address", key, address)
        for column in range(3, 11):
            if row.get(column) != hosts[key].get(column):
                report.mismatch("hostTimeTable", order, "column %d" % column,
                                hosts[key].get(column), row.get(column))

    # Within one frame RFC 2819 leaves the order of a new source and a
    # new destination open, so only frames are compared.
    first_seen = expected["mac_first_seen"]
    previous = None
    for order in sorted(by_order):
        key = by_order[order]
        frame = first_seen.get(key)
        if frame is None:
            continue
        if previous is not None and frame < previous[1]:
            report.mismatch("hostTable", key, "CreationOrder",
                            "after %s (first seen in frame %d)"
                            % (previous[0], previous[1]),
                            "%d (first seen in frame %d)" % (order, frame))
        previous = (key, frame)


def date_and_time_text(octets):
    """Format a DateAndTime value (RFC 2579) as
    'YYYY-MM-DD hh:mm:ss.d +h:m', or return a description of an invalid
    one."""
    if len(octets) not in (8, 11):
        return "invalid DateAndTime of %d octets" % len(octets)
    text = "%04d-%02d-%02d %02d:%02d:%02d.%d" % (
        octets[0] * 256 + octets[1], octets[2], octets[3], octets[4],
        octets[5], octets[6], octets[7])
    if len(octets) == 11:
        text += " %s%d:%d" % (chr(octets[8]), octets[9], octets[10])
    return text


def expected_date_text(time):
    """Format a [seconds, nanoseconds] packet time as the UTC
    DateAndTime that NETSENTRY-MIB specifies (11 octets, '+0:0')."""
    moment = datetime.datetime.fromtimestamp(time[0], datetime.timezone.utc)
    return "%s.%d +0:0" % (moment.strftime("%Y-%m-%d %H:%M:%S"),
                           time[1] // 100000000)


def compare_dates(report, table, expected_rows, served_rows, columns):
    """Compare the DateAndTime columns of the rows that have them."""
    for key in sorted(set(expected_rows) & set(served_rows)):
        row = served_rows[key]
        for column, name in sorted(columns.items()):
            if column not in row:
                continue
            expected = expected_date_text(expected_rows[key][name])
            got = date_and_time_text(octets_value(row[column]))
            if got != expected:
                report.mismatch(table, key, name, expected, got)


def compare_ip_tables(report, tables, source, expected, times):
    hosts = tables.ip_hosts.get(source, {})
    pairs = tables.ip_pairs.get(source, {})
    compare_rows(report, "nsIpHostTable", expected["ip_hosts"], hosts,
                 IP_HOST_COUNTERS)
    compare_rows(report, "nsIpMatrixTable", expected["ip_pairs"], pairs,
                 IP_MATRIX_COUNTERS)
    # The times get their own label, so that their mismatches do not use
    # up the lines shown for the counters.
    if not times:
        return
    compare_dates(report, "nsIpHostTable time", expected["ip_hosts"],
                  hosts, IP_HOST_DATES)
    compare_dates(report, "nsIpMatrixTable time", expected["ip_pairs"],
                  pairs, IP_MATRIX_DATES)
    capture = tables.captures.get(source, {}).get(None, {})
    for column, name, rows in ((CAPTURE_IP_HOSTS, "nsCaptureIpHostEntries",
                                hosts),
                               (CAPTURE_IP_PAIRS,
                                "nsCaptureIpMatrixEntries", pairs)):
        got = int_value(capture.get(column, "not served"))
        if got != len(rows):
            report.mismatch("nsCaptureTable", source, name,
                            "%d (rows served)" % len(rows), got)


def compare_capture(report, tables, source, expected, options):
    row = tables.captures.get(source, {}).get(None)
    if row is None:
        report.mismatch("nsCaptureTable", source, "row", "present",
                        "missing")
        return
    checks = [
        (CAPTURE_STATE, "nsCaptureState", options.state),
        (CAPTURE_PKTS, "nsCapturePkts", expected["frames"]),
        (CAPTURE_OCTETS, "nsCaptureOctets", expected["octets"]),
        (CAPTURE_LINK_TYPE, "nsCaptureLinkType", expected["link_type"]),
    ]
    if options.state == 2:
        # A capture file has nothing to drop.
        checks += [(CAPTURE_DROPS, "nsCaptureDrops", 0),
                   (CAPTURE_READ_ERRORS, "nsCaptureReadErrors",
                    options.read_errors)]
    for column, name, value in checks:
        got = int_value(row.get(column, "not served"))
        if got != value:
            report.mismatch("nsCaptureTable", source, name, value, got)

    # Every packet with an invalid IP header is malformed; other faults
    # (a bad TCP header, say) may add more, so this is a lower bound.
    malformed = int_value(row.get(CAPTURE_MALFORMED, "not served"))
    if not isinstance(malformed, int) or malformed < expected["invalid_ip"]:
        report.mismatch("nsCaptureTable", source, "nsCaptureMalformed",
                        ">= %d (invalid IP headers)" % expected["invalid_ip"],
                        malformed)


def compare_source(tables, source, path, options):
    """Compare one data source; return its number of mismatches."""
    report = Report(source, path, options.max_lines)
    if options.crosscheck:
        expected, problems = ns_oracle.expected_counts(path, True)
        for line in problems:
            report.mismatch("oracle", "tshark -z", "packets", "agreement",
                            line)
    else:
        expected = ns_oracle.expected_counts(path)
    compare_capture(report, tables, source, expected, options)
    compare_mac_tables(report, tables, source, expected)
    compare_ip_tables(report, tables, source, expected, options.times)
    report.summary()
    return report.total


class Options:
    """Command-line settings."""

    def __init__(self):
        self.state = 2
        self.read_errors = 0
        self.max_lines = 40
        self.crosscheck = False
        self.times = False
        self.walks = []
        self.sources = []


def parse_arguments(argv):
    """Return the Options of a command line; raise ValueError."""
    options = Options()
    items = list(argv)
    numeric = {"--state": "state", "--read-errors": "read_errors",
               "--max-lines": "max_lines"}
    while items and items[0] != "--" and items[0].startswith("--"):
        if items[0] in ("--crosscheck", "--times"):
            setattr(options, items[0][2:], True)
            items = items[1:]
            continue
        if items[0] not in numeric:
            raise ValueError("unknown option %s" % items[0])
        if len(items) < 2 or not items[1].isdigit():
            raise ValueError("%s needs a number" % items[0])
        setattr(options, numeric[items[0]], int(items[1]))
        items = items[2:]
    if "--" not in items:
        raise ValueError("separate the walk files from N:FILE with --")
    split = items.index("--")
    options.walks = items[:split]
    for item in items[split + 1:]:
        number, _, path = item.partition(":")
        if not number.isdigit() or not path:
            raise ValueError("expected N:FILE, got %r" % item)
        options.sources.append((int(number), path))
    if not options.walks or not options.sources:
        raise ValueError("need at least one walk file and one N:FILE")
    return options


def main(argv):
    try:
        options = parse_arguments(argv)
    except ValueError as error:
        sys.stderr.write("ns_walkcmp.py: %s\n%s" % (error, __doc__))
        return 2
    try:
        tables = Tables(read_walk(options.walks))
    except (OSError, ValueError) as error:
        sys.stderr.write("ns_walkcmp.py: %s\n" % error)
        return 2
    failures = 0
    for line in tables.errors:
        print("invalid index: %s" % line)
        failures += 1
    for source, path in options.sources:
        try:
            count = compare_source(tables, source, path, options)
        except ns_oracle.OracleError as error:
            sys.stderr.write("ns_walkcmp.py: %s\n" % error)
            return 2
        status = "ok" if count == 0 else "%d mismatches" % count
        print("source %d (%s): %s" % (source, os.path.basename(path),
                                      status))
        failures += count
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
