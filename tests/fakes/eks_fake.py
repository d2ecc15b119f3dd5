#!/usr/bin/env python3
"""A tiny EKS REST-JSON endpoint on loopback, for what moto cannot play.

moto always reports clusters ACTIVE, never returns outpostConfig/id, and
its endpoints are unreachable names.  This fake serves DescribeCluster and
ListClusters from a JSON state file so tests can have CREATING/UPDATING
clusters, Outposts local clusters, clusters whose endpoint is the fake
Kubernetes API server, and small ListClusters pages (pagination).

State file: {"clusters": {"NAME": {...DescribeCluster "cluster" object...}},
             "page_size": 2}
or, per region (the region is read from the SigV4 credential scope, as
moto does, so one endpoint serves every region through
AWS_ENDPOINT_URL_EKS):
            {"regions": {"us-east-1": {"clusters": {...}}, ...},
             "disabled_regions": ["af-south-1"],
             "error_regions": {"eu-west-1": [403, "AccessDeniedException"]}}
A disabled region answers what AWS answers for a region the account has
not opted in to: 403 UnrecognizedClientException.
It is re-read on every request, so a test can change it between runs.
--delay-ms N sleeps N ms before every answer (bench/all_regions.sh).
Every request must carry a SigV4 Authorization header for service eks
(the signature itself is not checked: moto does not either).
"""
import argparse
import json
import os
import re
import sys
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import awsfake  # noqa: E402


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet; the log file records requests
        pass

    def _send(self, code, obj, err_type=None):
        awsfake.send_json(self, code, obj, err_type, request_id="fake-request-id")

    def do_GET(self):
        srv = self.server
        auth = self.headers.get("Authorization", "")
        m = re.search(r"Credential=([^/]+)/\d{8}/([^/]+)/eks/", auth)
        key, region = (m.group(1), m.group(2)) if m else ("", "")
        with open(srv.log, "a") as f:
            f.write("GET %s region=%s key=%s\n" % (self.path, region, key))
        if "AWS4-HMAC-SHA256" not in auth or "/eks/aws4_request" not in auth:
            return self._send(403, {"message": "missing SigV4 signature for eks"},
                              "AccessDeniedException")
        if srv.delay:
            time.sleep(srv.delay)
        state = json.load(open(srv.state))
        if region in state.get("disabled_regions", []):
            return self._send(403, {"message": "The security token included in the request is invalid."},
                              "UnrecognizedClientException")
        failing = state.get("error_regions", {}).get(region)
        if failing:
            return self._send(failing[0], {"message": "injected failure"}, failing[1])
        if "regions" in state:
            clusters = state["regions"].get(region, {}).get("clusters", {})
        else:
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
    ap.add_argument("--delay-ms", type=int, default=0)
    a = ap.parse_args()
    ThreadingHTTPServer.request_queue_size = 128
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.state, srv.log, srv.delay = a.state, a.log, a.delay_ms / 1000.0
    awsfake.publish_port(srv, a.port_file)
    awsfake.serve_until_interrupted(srv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
