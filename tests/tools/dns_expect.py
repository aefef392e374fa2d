#!/usr/bin/env python3
"""Print the address-to-name bindings that tshark finds in a capture.

Usage: dns_expect.py [--counts] CAPTURE

Prints one "ADDRESS NAME" line per address, for the name that the last
DNS response of the capture gave it, as netsentryd learns names: an A or
AAAA answer binds the name of the question (the owner when the response
has no question, as in mDNS), a PTR answer binds its target.  Only the
answer section counts.  tshark prints an owner name once when records
repeat it, so owners are used only when each record has its own.

With --counts, prints "BINDINGS ADDRESSES" instead: the number of
bindings in all responses, repeats included (nsCaptureNamesLearned),
and the number of addresses that have a name.
"""

import ipaddress
import subprocess
import sys

FIELDS = ["dns.qry.name", "dns.count.answers", "dns.resp.type",
          "dns.resp.name", "dns.a", "dns.aaaa", "dns.ptr.domain_name"]


def ptr_address(owner):
    """Return the address of an in-addr.arpa or ip6.arpa name, or None."""
    labels = owner.lower().split(".")
    if labels[-2:] == ["in-addr", "arpa"] and len(labels) == 6:
        return ".".join(reversed(labels[:4]))
    if labels[-2:] == ["ip6", "arpa"] and len(labels) == 34:
        nibbles = "".join(reversed(labels[:32]))
        return str(ipaddress.ip_address(int(nibbles, 16).to_bytes(16, "big")))
    return None


def bindings(path):
    cmd = ["tshark", "-n", "-r", path, "-Y",
           "dns.flags.response == 1 && dns.flags.opcode == 0",
           "-T", "fields", "-E", "separator=\t", "-E", "occurrence=a"]
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, check=True, capture_output=True,
                         text=True).stdout
    for line in out.splitlines():
        cols = [c.split(",") if c else [] for c in line.split("\t")]
        qname, count, types, owners, a, aaaa, ptr = cols
        values = {"1": iter(a), "28": iter(aaaa), "12": iter(ptr)}
        for i, rtype in enumerate(types[:int(count[0]) if count else 0]):
            if rtype not in values:
                continue
            value = next(values[rtype])
            if rtype == "12":
                address = ptr_address(owners[i])
                if address is not None:
                    yield address, value.lower()
            elif qname or len(owners) == len(types):
                name = qname[0] if qname else owners[i]
                yield str(ipaddress.ip_address(value)), name.lower()


def main():
    counts = sys.argv[1] == "--counts"
    names = {}
    total = 0
    for address, name in bindings(sys.argv[-1]):
        names[address] = name
        total += 1
    if counts:
        print(total, len(names))
        return
    try:
        for address in sorted(names):
            print(address, names[address])
    except BrokenPipeError:
        pass


if __name__ == "__main__":
    main()
