#!/usr/bin/python3
"""A real SMTP server on loopback for escprov's mail tests (Debian's python3-aiosmtpd).

    server.py --mode plain|starttls|implicit --spool DIR --ready FILE
              [--cert CERT --key KEY] [--user USER --password-file FILE]

Listens on 127.0.0.1 on a free port and writes that port to FILE once it accepts connections.
Every message it accepts is saved in DIR as NNN.eml (the raw bytes received) and NNN.json (the
envelope: sender, recipients, the authenticated login, whether the session was encrypted).
Modes: plain (no TLS offered at all), starttls (STARTTLS required before MAIL), implicit (TLS from
the first byte, like smtps://). With --user, AUTH LOGIN/PLAIN is required and accepts only that
user with the password read from --password-file. Runs until SIGTERM or SIGINT.
"""

import argparse
import json
import os
import signal
import socket
import ssl
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Spool:
    """Saves each accepted message with its envelope; numbering is in arrival order."""

    def __init__(self, folder):
        self.folder = folder
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            stem = os.path.join(self.folder, "%03d" % self.count)
        with open(stem + ".eml.tmp", "wb") as raw:
            raw.write(envelope.original_content)
        os.rename(stem + ".eml.tmp", stem + ".eml")
        login = session.auth_data.login if isinstance(session.auth_data, LoginPassword) else None
        envelope_info = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "login": login.decode("utf-8") if login is not None else None,
            # STARTTLS sets session.ssl; implicit TLS shows only on the transport.
            "tls": session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None,
        }
        # The .json is written last: a test waiting for it sees a complete message.
        with open(stem + ".json.tmp", "w", encoding="utf-8") as meta:
            json.dump(envelope_info, meta)
        os.rename(stem + ".json.tmp", stem + ".json")
        return "250 Message accepted for delivery"


class Authenticator:
    def __init__(self, user, password):
        self.user = user.encode("utf-8")
        self.password = password.encode("utf-8")

    def __call__(self, server, session, envelope, mechanism, auth_data):
        ok = (
            mechanism in ("LOGIN", "PLAIN")
            and isinstance(auth_data, LoginPassword)
            and auth_data.login == self.user
            and auth_data.password == self.password
        )
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", choices=["plain", "starttls", "implicit"], required=True)
    parser.add_argument("--spool", required=True)
    parser.add_argument("--ready", required=True)
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--user")
    parser.add_argument("--password-file")
    args = parser.parse_args()

    tls = None
    if args.mode != "plain":
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(args.cert, args.key)

    smtp_options = {"server_hostname": "localhost"}
    if args.mode == "starttls":
        smtp_options.update(tls_context=tls, require_starttls=True)
    if args.user:
        with open(args.password_file, encoding="utf-8") as secret:
            password = secret.readline().rstrip("\r\n")
        smtp_options.update(
            authenticator=Authenticator(args.user, password),
            auth_required=True,
            # aiosmtpd counts only STARTTLS as TLS, so implicit TLS must not require it again. In
            # plain mode AUTH stays possible, so that a client refusing to send a password in
            # clear is told apart from a server that never asks for one.
            auth_require_tls=args.mode == "starttls",
        )

    port = free_port()
    controller = Controller(
        Spool(args.spool),
        hostname="127.0.0.1",
        port=port,
        ssl_context=tls if args.mode == "implicit" else None,
        **smtp_options,
    )
    controller.start()
    with open(args.ready + ".tmp", "w", encoding="utf-8") as ready:
        ready.write("%d\n" % port)
    os.rename(args.ready + ".tmp", args.ready)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
