#!/usr/bin/python3
"""SMTP server on 127.0.0.1 that misbehaves in one chosen way.

Usage: smtp_hostile.py --port-file FILE --mode MODE [--log FILE]

Modes:
  STAGE=CODE      reply CODE (4xx or 5xx) at STAGE, one of greet, ehlo,
                  mail, rcpt, data (the reply to DATA) and eod (the reply
                  to the end of the message).  Every other stage gets the
                  usual 2xx or 354 reply.  After a rejected
                  RCPT the server still answers 354 and then 250 to an
                  empty message, as some lax servers do.
  close-mid-data  close the connection after five lines of the message
  silent-eod      never reply to the end of the message
  trickle-greet   send "220" and then one byte a second, with no line end
  endless-greet   send a greeting line that never ends, as fast as possible
  ok              behave

Each message that gets a 250 at its end is logged to --log as its
Message-ID line.  Once it listens, the server writes its port to
--port-file.  It serves each connection in a thread of its own.
"""

import argparse
import os
import socket
import threading
import time

STAGES = ("greet", "ehlo", "mail", "rcpt", "data", "eod")


class Session:
    """One client connection."""

    def __init__(self, conn, mode, log):
        self.conn = conn
        self.file = conn.makefile("rb")
        self.mode = mode
        self.log = log
        self.reject = {}
        if "=" in mode:
            stage, code = mode.split("=", 1)
            self.reject[stage] = code

    def readline(self):
        line = self.file.readline()
        if not line:
            raise EOFError
        return line

    def reply(self, stage, text):
        """Send text, or the rejection chosen for stage.

        Return True if text was sent.
        """
        code = self.reject.get(stage)
        if code is not None:
            self.conn.sendall(("%s %s.7.1 rejected at %s\r\n" %
                               (code, code[0], stage)).encode())
            return False
        self.conn.sendall(text)
        return True

    def greet(self):
        if self.mode == "trickle-greet":
            self.conn.sendall(b"220")
            while True:
                time.sleep(1)
                self.conn.sendall(b"x")
        if self.mode == "endless-greet":
            self.conn.sendall(b"220 ")
            while True:
                self.conn.sendall(b"y" * 65536)
        return self.reply("greet", b"220 hostile ESMTP\r\n")

    def message(self):
        """Read one message up to its final dot; return its Message-ID."""
        message_id = None
        lines = 0
        while True:
            line = self.readline()
            lines += 1
            if line.lower().startswith(b"message-id:"):
                message_id = line.strip().decode("ascii", "replace")
            if self.mode == "close-mid-data" and lines == 5:
                raise EOFError
            if line == b".\r\n":
                return message_id

    def end_of_data(self, message_id):
        if self.mode == "silent-eod":
            time.sleep(3600)
        if self.reply("eod", b"250 queued\r\n") and self.log is not None:
            with open(self.log, "a") as f:
                f.write("%s\n" % message_id)

    def command(self, line):
        verb = line[:4].upper()
        if verb in (b"EHLO", b"HELO"):
            self.reply("ehlo", b"250-hostile\r\n250 8BITMIME\r\n")
        elif verb == b"MAIL":
            self.reply("mail", b"250 sender ok\r\n")
        elif verb == b"RCPT":
            self.reply("rcpt", b"250 recipient ok\r\n")
        elif verb == b"DATA":
            if self.reply("data", b"354 go ahead\r\n"):
                self.end_of_data(self.message())
        elif verb == b"RSET":
            self.conn.sendall(b"250 reset\r\n")
        elif verb == b"QUIT":
            self.conn.sendall(b"221 bye\r\n")
            raise EOFError
        else:
            self.conn.sendall(b"502 not implemented\r\n")

    def run(self):
        try:
            self.greet()
            while True:
                self.command(self.readline())
        except (EOFError, OSError):
            pass
        finally:
            # The makefile() reader keeps the descriptor open after
            # close(): shut the connection down first.
            try:
                self.conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self.file.close()
            self.conn.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--mode", required=True)
    parser.add_argument("--log")
    args = parser.parse_args()
    if "=" in args.mode and args.mode.split("=")[0] not in STAGES:
        parser.error("unknown stage in %s" % args.mode)

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    with open(args.port_file + ".tmp", "w") as f:
        f.write("%d\n" % listener.getsockname()[1])
    os.rename(args.port_file + ".tmp", args.port_file)
    while True:
        conn, _ = listener.accept()
        session = Session(conn, args.mode, args.log)
        threading.Thread(target=session.run, daemon=True).start()


if __name__ == "__main__":
    main()
