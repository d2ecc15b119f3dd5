"""Shared plumbing for the loopback AWS fakes (Python stdlib only).

Each fake binds 127.0.0.1 only, writes its port to --port-file once it
listens (publish_port), and logs every request to --log so shell tests can
count and inspect them.  The credential fakes (imds, container_creds,
sso_portal, sso_oidc, signin) build on Handler and serve(), which log one
line per request ("METHOD PATH STATUS"); the EKS fakes (eks_fake,
eks_access_fake) keep their own JSON-lines log and use send_json and
publish_port.
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

    def reply(self, status, body, ctype="application/json", headers=()):
        if not isinstance(body, bytes):
            body = body.encode()
        self.record(status)
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def reply_json(self, status, obj):
        self.reply(status, json.dumps(obj))

    def reply_aws_error(self, status, error_type, obj):
        """An error as AWS's JSON services send it: x-amzn-ErrorType names it."""
        self.reply(status, json.dumps(obj), headers=[("x-amzn-ErrorType", error_type)])

    def read_json(self, path, limit=65536):
        """The request's JSON body; None (a 404 sent) for another path or a
        body over limit; ValueError when it is not JSON."""
        n = int(self.headers.get("Content-Length") or 0)
        if self.path != path or n > limit:
            self.reply_json(404, {"message": "not found"})
            return None
        return json.loads(self.rfile.read(n) or b"{}")


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def send_json(handler, code, obj, err_type=None, request_id="fake-request-id"):
    """A JSON answer as AWS's JSON services send it (x-amzn-ErrorType on errors)."""
    body = json.dumps(obj).encode()
    handler.send_response(code)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    handler.send_header("x-amzn-RequestId", request_id)
    if err_type:
        handler.send_header("x-amzn-ErrorType", err_type)
    handler.end_headers()
    handler.wfile.write(body)


def publish_port(srv, port_file):
    """Write the listening port atomically: shell tests poll for the file."""
    tmp = port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, port_file)


def serve_until_interrupted(srv):
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


def serve(handler_cls, args):
    handler_cls.args = args
    open(args.log, "a").close()
    srv = Server(("127.0.0.1", args.port), handler_cls)
    publish_port(srv, args.port_file)
    serve_until_interrupted(srv)
    sys.exit(0)
