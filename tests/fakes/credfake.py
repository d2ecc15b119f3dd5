"""Shared plumbing for the loopback credential fakes (Python stdlib only).

Each fake binds 127.0.0.1 only, writes its port to --port-file once it
listens, and appends one line per request ("METHOD PATH STATUS") to --log so
shell tests can count requests (`wc -l`).
"""
import argparse
import datetime
import http.server
import json
import os
import socketserver
import sys
import threading


def iso(ts):
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def base_args(description):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--access-key", default="ASIAFAKEFAKEFAKE0001")
    p.add_argument("--lifetime", type=int, default=3600,
                   help="seconds until the served credentials expire")
    return p


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    log_lock = threading.Lock()
    args = None

    def log_message(self, fmt, *a):  # keep stderr quiet
        pass

    def record(self, status):
        with self.log_lock:
            with open(self.args.log, "a") as f:
                f.write("%s %s %d\n" % (self.command, self.path, status))

    def reply(self, status, body, ctype="application/json"):
        if not isinstance(body, bytes):
            body = body.encode()
        self.record(status)
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def reply_json(self, status, obj):
        self.reply(status, json.dumps(obj))


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def serve(handler_cls, args):
    handler_cls.args = args
    open(args.log, "a").close()
    srv = Server(("127.0.0.1", args.port), handler_cls)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, args.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    sys.exit(0)
