#!/usr/bin/env python3
"""A loopback HTTP(S) server that answers with a scripted sequence.

Used by the http/awsreq/sts tests to check retries, timeouts and what the
client sends.  Listens on 127.0.0.1 only (port 0 = any free port) and
prints the port on the first line of stdout once it is ready.

Each request consumes the next STEP; the last step repeats forever:
  STATUS[:FILE[:CONTENT-TYPE]]  answer STATUS with FILE's bytes as the body
                                (content type from the extension unless given)
  hang                          read the request, never answer (until killed)
  reset                         close the connection without an answer (RST)
  big                           200 with a 17 MiB body
  drip                          200 announcing 100000 bytes, then one byte a second
--header 'NAME: VALUE' adds a header to every answer (Python escapes such
as \x1b in VALUE are decoded: hostile-server tests send control characters).
Every request is appended to --log as one JSON line:
  {"n": 1, "method": "POST", "path": "/", "headers": {...}, "body": "..."}

--tls DIR makes it HTTPS: a fresh CA and a server certificate for
"localhost" and every --san NAME are written into DIR
(ca.pem, server.pem, server-key.pem), using the cryptography package;
with --mtls the server also demands a client certificate signed by that CA
(client.pem, client-key.pem are written too).
The certificate has no IP address: https://127.0.0.1 only verifies when
the client names the server (tls_server_name).
"""
import argparse
import datetime
import json
import os
import socket
import ssl
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def make_certs(d, sans, client=False):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.timezone.utc)

    def name(cn):
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(name("ekskit test CA"))
          .issuer_name(name("ekskit test CA")).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number())
          .not_valid_before(now - datetime.timedelta(minutes=5))
          .not_valid_after(now + datetime.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True,
                                       crl_sign=True, content_commitment=False,
                                       key_encipherment=False, data_encipherment=False,
                                       key_agreement=False, encipher_only=False,
                                       decipher_only=False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    # no IP SAN: a client reaching 127.0.0.1 must name the server (tls_server_name)
    alt = [x509.DNSName("localhost")]
    alt += [x509.DNSName(s) for s in sans]
    cert = (x509.CertificateBuilder().subject_name(name("localhost"))
            .issuer_name(ca.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(alt), critical=False)
            .sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    with open(os.path.join(d, "ca.pem"), "wb") as f:
        f.write(ca.public_bytes(pem))
    with open(os.path.join(d, "server.pem"), "wb") as f:
        f.write(cert.public_bytes(pem))
    with open(os.path.join(d, "server-key.pem"), "wb") as f:
        f.write(key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    if client:
        ckey = ec.generate_private_key(ec.SECP256R1())
        ccert = (x509.CertificateBuilder().subject_name(name("ekskit test client"))
                 .issuer_name(ca.subject).public_key(ckey.public_key())
                 .serial_number(x509.random_serial_number())
                 .not_valid_before(now - datetime.timedelta(minutes=5))
                 .not_valid_after(now + datetime.timedelta(days=1))
                 .sign(ca_key, hashes.SHA256()))
        with open(os.path.join(d, "client.pem"), "wb") as f:
            f.write(ccert.public_bytes(pem))
        with open(os.path.join(d, "client-key.pem"), "wb") as f:
            f.write(ckey.private_bytes(pem, serialization.PrivateFormat.TraditionalOpenSSL,
                                       serialization.NoEncryption()))


class State:
    def __init__(self, steps, log):
        self.steps = steps
        self.log = log
        self.n = 0
        self.lock = threading.Lock()

    def next(self, record):
        with self.lock:
            self.n += 1
            record["n"] = self.n
            step = self.steps[min(self.n, len(self.steps)) - 1]
            if self.log:
                with open(self.log, "a") as f:
                    f.write(json.dumps(record) + "\n")
            return step


CTYPES = {".xml": "text/xml", ".json": "application/json"}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def handle_any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        record = {"method": self.command, "path": self.path,
                  "headers": {k: v for k, v in self.headers.items()},
                  "body": body.decode("utf-8", "replace")}
        step = self.server.state.next(record)
        if step == "hang":
            time.sleep(3600)
            return
        if step == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            self.close_connection = True
            return
        if step == "drip":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            try:
                for _ in range(100000):
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(1)
            except OSError:
                pass
            return
        if step == "big":
            chunk = b"x" * (1024 * 1024)
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(17 * len(chunk)))
            self.end_headers()
            try:
                for _ in range(17):
                    self.wfile.write(chunk)
            except OSError:
                pass
            return
        parts = step.split(":", 2)
        status = int(parts[0])
        payload = b'{"status": %d}' % status
        ctype = "application/json"
        if len(parts) > 1 and parts[1]:
            with open(parts[1], "rb") as f:
                payload = f.read()
            ctype = CTYPES.get(os.path.splitext(parts[1])[1], "application/octet-stream")
        if len(parts) > 2:
            ctype = parts[2]
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("x-amzn-RequestId", "req-%d" % self.server.state.n)
        for name, value in self.server.extra_headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = handle_any


def die_with_parent():
    """A test that fails half-way must not leave the fake behind."""
    try:
        import ctypes
        import signal
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def main():
    die_with_parent()
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--log")
    ap.add_argument("--tls", metavar="DIR")
    ap.add_argument("--san", action="append", default=[])
    ap.add_argument("--mtls", action="store_true",
                    help="require a client certificate (client.pem, client-key.pem in DIR)")
    ap.add_argument("--header", action="append", default=[],
                    help="'NAME: VALUE' added to every answer (escapes decoded)")
    ap.add_argument("steps", nargs="+")
    a = ap.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    srv.extra_headers = []
    for h in a.header:
        name, _, value = h.partition(":")
        value = value.strip().encode("latin-1").decode("unicode_escape")
        srv.extra_headers.append((name.strip(), value))
    srv.daemon_threads = True
    srv.state = State(a.steps, a.log)
    if a.tls:
        make_certs(a.tls, a.san, a.mtls)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(os.path.join(a.tls, "server.pem"),
                            os.path.join(a.tls, "server-key.pem"))
        if a.mtls:
            ctx.verify_mode = ssl.CERT_REQUIRED
            ctx.load_verify_locations(os.path.join(a.tls, "ca.pem"))
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    print(srv.server_address[1], flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
