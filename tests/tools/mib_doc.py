#!/usr/bin/env python3
"""Write docs/MIB.md, the reference of NETSENTRY-MIB, from the module.

Usage: mib_doc.py SMIDUMP_PYTHON_OUTPUT > docs/MIB.md

The input is the output of `smidump -f python NETSENTRY-MIB.txt` (from
smitools), so the reference is made from what the SMI parser read, not
from a second reading of the text.  tests/integration/mib_lint.sh runs
this and fails when docs/MIB.md differs from what it prints.
"""

import sys

ACCESS = {"readonly": "read-only", "noaccess": "not-accessible",
          "notifyonly": "accessible-for-notify"}

SECTIONS = [
    ("1.3.6.1.4.1.99999.1.1", "Data sources"),
    ("1.3.6.1.4.1.99999.1.2", "IP hosts"),
    ("1.3.6.1.4.1.99999.1.3", "IP host pairs"),
    ("1.3.6.1.4.1.99999.1.4", "Security"),
    ("1.3.6.1.4.1.99999.1.5", "Summary scalars"),
]


def oid_key(oid):
    return [int(x) for x in oid.split(".")]


def syntax_text(node):
    syntax = node.get("syntax", {}).get("type", {})
    name = syntax.get("name") or syntax.get("basetype", "")
    ranges = syntax.get("range") or syntax.get("ranges")
    enums = [(k, v["number"]) for k, v in syntax.items()
             if isinstance(v, dict) and v.get("nodetype") == "namednumber"]
    if enums:
        name += " { " + ", ".join("%s(%s)" % (k, n) for k, n in
                                  sorted(enums, key=lambda e: int(e[1]))) \
            + " }"
    if isinstance(ranges, dict) and "min" in ranges:
        name += " (%s..%s)" % (ranges["min"], ranges["max"])
    return name


def paragraph(text):
    return "\n".join(line.strip() for line in text.strip().split("\n"))


def object_entry(name, node, out):
    out.append("### %s" % name)
    out.append("")
    details = ["OID `%s`" % node["oid"]]
    if node["nodetype"] in ("scalar", "column"):
        details.append("%s, %s" % (syntax_text(node),
                                   ACCESS.get(node["access"],
                                              node["access"])))
    if "units" in node:
        details.append("units: %s" % node["units"])
    out.append("; ".join(details) + ".")
    out.append("")
    out.append(paragraph(node.get("description", "")))
    out.append("")


def main():
    scope = {}
    exec(open(sys.argv[1]).read(), scope)
    mib = scope["MIB"]
    nodes = mib["nodes"]
    out = ["# NETSENTRY-MIB reference", "",
           "Generated from `mibs/NETSENTRY-MIB.txt` by "
           "`tests/tools/mib_doc.py`; do not edit.  The module itself is "
           "the authority.", "",
           paragraph(mib["NETSENTRY-MIB"]["description"]), ""]

    for prefix, title in SECTIONS:
        out += ["## %s" % title, ""]
        members = [(n, v) for n, v in nodes.items()
                   if (v["oid"] + ".").startswith(prefix + ".") and
                   v["nodetype"] in ("table", "scalar", "column")]
        for name, node in sorted(members, key=lambda m: oid_key(m[1]["oid"])):
            object_entry(name, node, out)

    out += ["## Notifications", ""]
    for name, node in sorted(mib["notifications"].items(),
                             key=lambda m: oid_key(m[1]["oid"])):
        out.append("### %s" % name)
        out.append("")
        out.append("OID `%s`; objects: %s." % (
            node["oid"], ", ".join(node["objects"])))
        out.append("")
        out.append(paragraph(node["description"]))
        out.append("")

    types = mib.get("typedefs", {})
    if types:
        out += ["## Textual conventions", ""]
        for name, node in sorted(types.items()):
            out.append("### %s" % name)
            out.append("")
            out.append(syntax_text({"syntax": {"type": node}}) or
                       node.get("basetype", ""))
            out.append("")
            out.append(paragraph(node.get("description", "")))
            out.append("")
    sys.stdout.write("\n".join(out).rstrip("\n") + "\n")


if __name__ == "__main__":
    main()
