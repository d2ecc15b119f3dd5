#!/usr/bin/env python3
"""A tiny EKS REST-JSON endpoint on loopback, for what moto cannot play.

moto always reports clusters ACTIVE, never returns outpostConfig/id, and
its endpoints are unreachable names.  This fake serves DescribeCluster and
ListClusters from a JSON state file so tests can have CREATING/UPDATING
clusters, Outposts local clusters, clusters whose endpoint is the fake
Kubernetes API server, and small ListClusters pages (pagination).

State file: {"clusters": {"NAME": {...DescribeCluster "cluster" object...}},
             "page_size": 2}
It is re-read on every request, so a test can change it between runs.
Every request must carry a SigV4 Authorization header for service eks
(the signature itself is not checked: moto does not either).
"""
import argparse
import json
import os
import sys
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet; the log file records requests
        pass

    def _send(self, code, obj, err_type=None):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-amzn-RequestId", "fake-request-id")
        if err_type:
            self.send_header("x-amzn-ErrorType", err_type)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        srv = self.server
        with open(srv.log, "a") as f:
            f.write("GET %s\n" % self.path)
        auth = self.headers.get("Authorization", "")
        if "AWS4-HMAC-SHA256" not in auth or "/eks/aws4_request" not in auth:
            return self._send(403, {"message": "missing SigV4 signature for eks"},
                              "AccessDeniedException")
        state = json.load(open(srv.state))
        clusters = state.get("clusters", {})
        url = urllib.parse.urlsplit(self.path)
        parts = [urllib.parse.unquote(p) for p in url.path.split("/") if p]
        if parts == ["clusters"]:
            q = urllib.parse.parse_qs(url.query)
            names = sorted(clusters)
            start = int(q.get("nextToken", ["0"])[0])
            size = int(state.get("page_size", 100))
            page = names[start:start + size]
            out = {"clusters": page}
            if start + size < len(names):
                out["nextToken"] = str(start + size)
            return self._send(200, out)
        if len(parts) == 2 and parts[0] == "clusters":
            c = clusters.get(parts[1])
            if c is None:
                return self._send(404, {"message": "No cluster found for name: %s." % parts[1]},
                                  "ResourceNotFoundException")
            if c == "garbage":
                body = b"{not json"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            return self._send(200, {"cluster": c})
        return self._send(404, {"message": "unknown path"}, "UnknownOperationException")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--state", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    a = ap.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.state, srv.log = a.state, a.log
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(tmp, a.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
