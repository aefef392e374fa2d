#!/usr/bin/python3
"""SMTP server for the mail tests, built on aiosmtpd.

Each accepted message is written to DIR/msg-N.eml exactly as received
(after SMTP dot-unstuffing), and its envelope to DIR/msg-N.json: the
MAIL FROM address, the RCPT TO addresses, whether the session used TLS,
and the authenticated user.

Once it listens, the server writes its port to --port-file (the kernel
picks the port unless --port is given), its pid to --pid-file, and
prints "smtp_sink: listening on 127.0.0.1:PORT".

Run it with /usr/bin/python3: Debian's python3-aiosmtpd is installed for
that interpreter only.
"""

import argparse
import asyncio
import json
import os
import signal
import socket
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Sink:
    """aiosmtpd handler that stores each message in a directory."""

    def __init__(self, directory, reject):
        self.directory = directory
        self.reject = reject
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address,
                          rcpt_options):
        if address in self.reject:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.directory, "msg-%d" % self.count)
        with open(base + ".eml.tmp", "wb") as f:
            f.write(envelope.original_content)
        meta = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "tls": session.ssl is not None,
            "auth_user": (session.auth_data.login.decode()
                          if isinstance(session.auth_data, LoginPassword)
                          else None),
        }
        with open(base + ".json", "w") as f:
            json.dump(meta, f)
        # The .eml appears last, complete: a test waits for it.
        os.rename(base + ".eml.tmp", base + ".eml")
        return "250 2.0.0 Message accepted"


def make_authenticator(user, password):
    """Accept only the given user and password; aiosmtpd replies 535."""

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login == user.encode()
              and auth_data.password == password.encode())
        # handled=False makes aiosmtpd send 235 or 535 itself.
        return AuthResult(success=ok, handled=False, auth_data=auth_data)

    return authenticate


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=0,
                   help="TCP port; 0 lets the kernel pick a free one")
    p.add_argument("--dir", help="directory for the received messages")

    p.add_argument("--port-file", help="file to write the port to")
    p.add_argument("--pid-file", help="file to write the pid to")

    p.add_argument("--tls-cert", help="PEM certificate: offer STARTTLS")
    p.add_argument("--tls-key", help="PEM private key of --tls-cert")
    p.add_argument("--require-tls", action="store_true",
                   help="reject every command but EHLO, STARTTLS and "
                   "QUIT before STARTTLS")

    p.add_argument("--auth-user", help="require AUTH as this user")
    p.add_argument("--auth-password-file",
                   help="file whose first line is the password of "
                   "--auth-user")

    p.add_argument("--reject-rcpt", action="append", default=[],
                   metavar="ADDRESS",
                   help="reply 550 to RCPT TO this address (repeatable)")
    p.add_argument("--silent", action="store_true",
                   help="accept connections and never send a greeting")
    p.add_argument("--no-accept", action="store_true",
                   help="listen with a full accept queue, so that a "
                   "client's connect() never completes")

    args = p.parse_args()
    if not (args.silent or args.no_accept) and not args.dir:
        p.error("--dir is required unless --silent or --no-accept is "
                "given")
    if bool(args.tls_cert) != bool(args.tls_key):
        p.error("--tls-cert and --tls-key go together")
    if bool(args.auth_user) != bool(args.auth_password_file):
        p.error("--auth-user and --auth-password-file go together")
    return args


def smtp_factory(args):
    context = None
    if args.tls_cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.tls_cert, args.tls_key)
    options = {
        "tls_context": context,
        "require_starttls": args.require_tls,
        "hostname": "sink.test",
        "timeout": 60,
    }
    if args.auth_user:
        with open(args.auth_password_file) as f:
            password = f.readline().rstrip("\n")
        options["authenticator"] = make_authenticator(args.auth_user,
                                                      password)
        options["auth_required"] = True
        options["auth_require_tls"] = context is not None
    sink = Sink(args.dir, args.reject_rcpt)
    return lambda: SMTP(sink, **options)


async def hold_silently(reader, writer):
    """Keep the connection open, say nothing, until the client leaves."""
    await reader.read()
    writer.close()


def announce(args, port):
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as f:
            f.write("%d\n" % port)
        os.rename(args.port_file + ".tmp", args.port_file)
    if args.pid_file:
        with open(args.pid_file, "w") as f:
            f.write("%d\n" % os.getpid())
    print("smtp_sink: listening on %s:%d" % (args.host, port), flush=True)


async def serve(args):
    loop = asyncio.get_running_loop()
    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    if args.silent:
        server = await asyncio.start_server(hold_silently, args.host,
                                            args.port, family=family)
    else:
        server = await loop.create_server(smtp_factory(args), args.host,
                                          args.port, family=family)
    announce(args, server.sockets[0].getsockname()[1])
    async with server:
        await server.serve_forever()


def never_accept(args):
    """Fill a backlog of 0 with our own connections, then never accept.

    Linux drops the SYN of a further client while the accept queue is
    full, so the client's connect() waits until its own timeout.
    """
    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.bind((args.host, args.port))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(3):
        s = socket.socket(family, socket.SOCK_STREAM)
        s.setblocking(False)
        try:
            s.connect((args.host, port))
        except BlockingIOError:
            pass
        fillers.append(s)
    announce(args, port)
    signal.pause()


def main():
    args = parse_args()
    if args.no_accept:
        never_accept(args)
        return 0
    try:
        asyncio.run(serve(args))
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
