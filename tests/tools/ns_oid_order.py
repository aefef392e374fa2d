#!/usr/bin/python3
"""Check that a walk lists OIDs in strictly increasing order.

Usage: ns_oid_order.py WALK PREFIX

WALK is the output of snmpwalk or snmpbulkwalk with -On -OQ ("OID =
value" lines).  Every OID must lie under PREFIX and be greater than the
one before it, comparing sub-identifiers as numbers (RFC 3416 GetNext
order).  Prints each violation, then the number of OIDs and, taking
PREFIX as a table entry (PREFIX.column.index), the number of distinct
indexes.  Exit status 1 on a violation or an empty walk, 2 on bad input.
"""

import re
import sys

VARBIND = re.compile(r"^\.([0-9][0-9.]*) = ")


def parse_oid(text):
    return tuple(int(x) for x in text.strip(".").split("."))


def main(argv):
    if len(argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    prefix = parse_oid(argv[2])
    previous = None
    indexes = set()
    count = 0
    problems = 0
    with open(argv[1]) as walk:
        for line in walk:
            match = VARBIND.match(line)
            if not match:
                continue
            oid = parse_oid(match.group(1))
            count += 1
            indexes.add(oid[len(prefix) + 1:])
            if oid[:len(prefix)] != prefix:
                print("OID .%s is outside .%s"
                      % (match.group(1), argv[2].strip(".")))
                problems += 1
            if previous is not None and oid <= previous:
                print("OID .%s does not increase after .%s"
                      % (match.group(1), ".".join(map(str, previous))))
                problems += 1
            previous = oid
    print("%d OIDs, %d rows under .%s"
          % (count, len(indexes), argv[2].strip(".")))
    if count == 0:
        print("the walk returned no OID")
        return 1
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
