#!/usr/bin/python3
"""Check the alert mails that smtp_sink.py stored, and summarise them.

Usage: mail_check.py DIR

Every DIR/msg-N.eml must be a well-formed RFC 5322 message: CRLF line
ends only, no line over 998 octets, ASCII headers, exactly one of each
of Date, From, To, Subject and Message-ID, no Bcc or Cc header, and a
Message-ID that no other message in DIR has.  Problems go to stderr,
one per line, and make the exit status 1.

The summary on stdout is one line of key=value pairs for the shell:
messages, digests, held (alerts that the digests say were held back),
events (distinct X-Netsentry-Event values of non-digest mails),
started, ended, and subjects separated by "|" in a second line.
"""

import email
import email.policy
import os
import re
import sys

SINGLE = ("date", "from", "to", "subject", "message-id")


def problems_of(name, raw):
    found = []
    if re.search(rb"(?<!\r)\n|\r(?!\n)", raw):
        found.append("%s: a bare CR or LF" % name)
    for line in raw.split(b"\r\n"):
        if len(line) > 998:
            found.append("%s: a line of %d octets" % (name, len(line)))
            break
    head = raw.split(b"\r\n\r\n", 1)[0]
    if any(b > 0x7e or (b < 0x20 and b not in (9, 10, 13)) for b in head):
        found.append("%s: a header octet outside printable ASCII" % name)
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    keys = [k.lower() for k in msg.keys()]
    for key in SINGLE:
        if keys.count(key) != 1:
            found.append("%s: %d %s header(s)" % (name, keys.count(key),
                                                   key))
    for key in ("bcc", "cc", "x-injected"):
        if key in keys:
            found.append("%s: an injected %s header" % (name, key))
    return found, msg


def main():
    directory = sys.argv[1]
    names = sorted(n for n in os.listdir(directory) if n.endswith(".eml"))
    problems, ids, subjects, events = [], {}, [], set()
    digests = held = started = ended = 0
    for name in names:
        with open(os.path.join(directory, name), "rb") as f:
            raw = f.read()
        found, msg = problems_of(name, raw)
        problems += found
        mid = msg.get("Message-ID", "")
        if mid in ids:
            problems.append("%s: Message-ID %s also in %s" %
                            (name, mid, ids[mid]))
        ids[mid] = name
        subject = str(email.header.make_header(
            email.header.decode_header(msg.get("Subject", ""))))
        subjects.append(subject)
        body = msg.get_payload(decode=True).decode("utf-8", "replace")
        match = re.search(r"held back (\d+) alerts", body)
        if match:
            digests += 1
            held += int(match.group(1))
            continue
        events.add(msg.get("X-Netsentry-Event", ""))
        started += " started:" in subject
        ended += " ended:" in subject
    for line in problems:
        print(line, file=sys.stderr)
    print("messages=%d digests=%d held=%d events=%d started=%d ended=%d" %
          (len(names), digests, held, len(events), started, ended))
    print("|".join(s.replace("\n", "\\n") for s in subjects))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
