#!/usr/bin/env python3
"""A loopback fake of the EKS access-entry API (moto has none).

It follows botocore's EKS service model (2017-11-01) for the operations
eks-access uses: DescribeCluster (with accessConfig), ListAccessEntries,
DescribeAccessEntry, CreateAccessEntry, UpdateAccessEntry,
DeleteAccessEntry, AssociateAccessPolicy, DisassociateAccessPolicy,
ListAssociatedAccessPolicies.  Errors are the model's: a JSON body
{"message": ..., "clusterName": ...} with the x-amzn-ErrorType header and
the status the model gives (ResourceNotFoundException 404,
ResourceInUseException 409, InvalidParameterException /
InvalidRequestException 400).

Behaviour kept from the real service, because tools get it wrong:
  - UpdateAccessEntry resets every field the request leaves out
    (kubernetesGroups -> [], username -> the generated default);
  - usernames generated like EKS (role: the STS assumed-role ARN with the
    path removed + /{{SessionName}}; user: its ARN; nodes:
    system:node:{{EC2PrivateDNSName}});
  - the API's rules: reserved username prefixes, {{SessionName}} after a
    colon, no STS session ARNs, no service-linked roles, node types take
    roles of the cluster's account and no groups/username/policies, a
    CONFIG_MAP cluster refuses access-entry calls;
  - pagination with maxResults / nextToken.

Start: eks_access_fake.py --state FILE --port-file F --log F
State file (read once at start):
  {"account": "123456789012",
   "clusters": {"c1": {"authenticationMode": "API_AND_CONFIG_MAP",
                       "endpoint": "https://...", "ca": "base64"}},
   "entries": {"c1": [{"principalArn": ..., "type": ..., "kubernetesGroups": [...],
                       "username": ..., "policies": [{"policyArn":..,"accessScope":{..}}]}]}}
The request log gets one JSON line per request: method, path, query, body.
GET /_fake/state returns the whole current state (for assertions).
Requests must carry a SigV4 Authorization header for service eks.
"""
import argparse
import json
import os
import re
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import awsfake  # noqa: E402

RESERVED = ("system:", "eks:", "aws:", "amazon:", "iam:")
TYPES = ("STANDARD", "EC2_LINUX", "EC2_WINDOWS", "FARGATE_LINUX", "HYBRID_LINUX",
         "EC2", "HYPERPOD_LINUX")
POLICIES = ("AmazonEKSClusterAdminPolicy", "AmazonEKSAdminPolicy", "AmazonEKSEditPolicy",
            "AmazonEKSViewPolicy", "AmazonEKSAdminViewPolicy")
PRINCIPAL_RE = re.compile(
    r"^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f|aws-eusc):"
    r"(iam|sts)::(\d{12}):(.+)$")


class ApiError(Exception):
    def __init__(self, status, code, message, cluster=None):
        super().__init__(message)
        self.status, self.code, self.message, self.cluster = status, code, message, cluster


def bad_param(msg, cluster=None):
    return ApiError(400, "InvalidParameterException", msg, cluster)


def bad_request(msg, cluster=None):
    return ApiError(400, "InvalidRequestException", msg, cluster)


def not_found(msg, cluster=None):
    return ApiError(404, "ResourceNotFoundException", msg, cluster)


class State:
    def __init__(self, data):
        self.lock = threading.Lock()
        self.account = data.get("account", "123456789012")
        self.page_size = int(data.get("page_size", 100))
        self.clusters = data.get("clusters", {})
        self.entries = {}   # cluster -> {principalArn: entry}
        for cname, lst in data.get("entries", {}).items():
            for e in lst:
                self._put(cname, dict(e), initial=True)

    def _put(self, cname, e, initial=False):
        now = time.time()
        e.setdefault("type", "STANDARD")
        e.setdefault("kubernetesGroups", [])
        if not e.get("username"):
            e["username"] = default_username(e["principalArn"], e["type"])
        e.setdefault("policies", [])
        e["clusterName"] = cname
        e["accessEntryArn"] = "arn:aws:eks:us-west-2:%s:access-entry/%s/%s" % (
            self.account, cname, e["principalArn"].split(":")[-1])
        e.setdefault("createdAt", now)
        e["modifiedAt"] = now
        e.setdefault("tags", {})
        self.entries.setdefault(cname, {})[e["principalArn"]] = e


def default_username(arn, typ):
    if typ in ("EC2_LINUX", "EC2_WINDOWS", "HYBRID_LINUX", "EC2", "HYPERPOD_LINUX"):
        return "system:node:{{EC2PrivateDNSName}}"
    if typ == "FARGATE_LINUX":
        return "system:node:{{SessionName}}"
    m = PRINCIPAL_RE.match(arn)
    if m and m.group(4).startswith("role/"):
        name = m.group(4).split("/")[-1]
        return "arn:%s:sts::%s:assumed-role/%s/{{SessionName}}" % (
            m.group(1), m.group(3), name)
    return arn


def entry_out(e):
    return {k: v for k, v in e.items() if k != "policies"}


def check_principal(arn, typ, cluster, account):
    m = PRINCIPAL_RE.match(arn or "")
    if not m:
        raise bad_param("The specified principalArn is invalid: invalid ARN.", cluster)
    service, res = m.group(2), m.group(4)
    if service == "sts":
        raise bad_param("The specified principalArn is invalid: STS session principals "
                        "are not supported.", cluster)
    if not (res.startswith("role/") or res.startswith("user/")):
        raise bad_param("The specified principalArn is invalid: invalid principal type.",
                        cluster)
    if res.startswith("role/aws-service-role/"):
        raise bad_param("The specified principalArn is a service-linked role.", cluster)
    if typ != "STANDARD":
        if not res.startswith("role/"):
            raise bad_param("The specified principalArn must be an IAM role for type %s."
                            % typ, cluster)
        if m.group(3) != account:
            raise bad_param("The principalArn must be in the same account as the cluster "
                            "for type %s." % typ, cluster)


def check_username(u, cluster):
    if u is None:
        return
    if any(u.lower().startswith(p) for p in RESERVED):
        raise bad_param("The username %s uses a reserved prefix." % u, cluster)
    i = u.find("{{SessionName}}")
    if i >= 0 and ":" not in u[:i]:
        raise bad_param("The username must have a colon before {{SessionName}}.", cluster)
    if "\x1b" in u or u.startswith("evil"):
        # lets tests prove that control characters in API messages are filtered
        raise bad_param("Username \x1b[31mrejected\x1b[0m by policy\r\nX-Injected: 1",
                        cluster)


def paginate(items, q, size_default):
    try:
        size = int(q.get("maxResults", [str(size_default)])[0])
    except ValueError:
        raise bad_param("maxResults must be a number")
    if size < 1 or size > 100:
        raise bad_param("maxResults must be between 1 and 100")
    size = min(size, size_default)
    start = int(q.get("nextToken", ["0"])[0] or 0)
    page = items[start:start + size]
    nxt = str(start + size) if start + size < len(items) else None
    return page, nxt


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def _send(self, code, obj, err_type=None):
        awsfake.send_json(self, code, obj, err_type, request_id="fake-%d" % int(time.time() * 1000))

    def _handle(self, method):
        srv = self.server
        url = urllib.parse.urlsplit(self.path)
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        with open(srv.log, "a") as f:
            f.write(json.dumps({"method": method, "path": url.path, "query": url.query,
                                "body": raw.decode("utf-8", "replace")}) + "\n")
        if url.path == "/_fake/state":
            with srv.st.lock:
                return self._send(200, {c: list(v.values()) for c, v in srv.st.entries.items()})
        auth = self.headers.get("Authorization", "")
        if "AWS4-HMAC-SHA256" not in auth or "/eks/aws4_request" not in auth:
            return self._send(403, {"message": "missing SigV4 signature for eks"},
                              "AccessDeniedException")
        try:
            body = json.loads(raw) if raw else {}
            if not isinstance(body, dict):
                raise bad_param("request body is not an object")
        except ValueError:
            return self._send(400, {"message": "malformed JSON body"},
                              "InvalidParameterException")
        # split on '/' BEFORE decoding: principal ARNs hold %2F
        parts = [urllib.parse.unquote(p) for p in url.path.split("/") if p]
        q = urllib.parse.parse_qs(url.query)
        try:
            with srv.st.lock:
                code, out = route(srv.st, method, parts, q, body)
        except ApiError as e:
            obj = {"message": e.message}
            if e.cluster:
                obj["clusterName"] = e.cluster
            return self._send(e.status, obj, e.code)
        return self._send(code, out)

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    def do_DELETE(self):
        self._handle("DELETE")


def cluster_of(st, name, need_api=True):
    c = st.clusters.get(name)
    if c is None:
        raise not_found("No cluster found for name: %s." % name, name)
    mode = c.get("authenticationMode", "API_AND_CONFIG_MAP")
    if need_api and mode == "CONFIG_MAP":
        raise bad_request("The cluster's authentication mode must be set to one of "
                          "[API, API_AND_CONFIG_MAP] to perform this operation.", name)
    return c


def entry_of(st, cname, arn):
    e = st.entries.get(cname, {}).get(arn)
    if e is None:
        raise not_found("The specified principalArn could not be found. You can view "
                        "your available access entries with 'list-access-entries'.", cname)
    return e


def describe_cluster(st, name):
    c = cluster_of(st, name, need_api=False)
    out = {
        "name": name,
        "arn": "arn:aws:eks:us-west-2:%s:cluster/%s" % (st.account, name),
        "status": "ACTIVE",
        "version": "1.31",
        "endpoint": c.get("endpoint", "https://%s.gr7.us-west-2.eks.amazonaws.com" % name.upper()),
        "certificateAuthority": {"data": c.get("ca", "TFMwdExTMUNSVWRKVGlCRFJWSlVTVVpKUTBGVVJTMHRMUzB0Q2c9PQ==")},
        "resourcesVpcConfig": {"vpcId": "vpc-1", "endpointPublicAccess": True,
                               "endpointPrivateAccess": False},
    }
    if c.get("authenticationMode") is not None:
        out["accessConfig"] = {"authenticationMode": c["authenticationMode"],
                               "bootstrapClusterCreatorAdminPermissions": True}
    return out


def create_entry(st, cname, body):
    arn = body.get("principalArn")
    typ = body.get("type") or "STANDARD"
    if typ not in TYPES:
        raise bad_param("The specified type %s is invalid." % typ, cname)
    check_principal(arn, typ, cname, st.account)
    if arn in st.entries.get(cname, {}):
        raise ApiError(409, "ResourceInUseException",
                       "The specified access entry resource is already in use on this "
                       "cluster.", cname)
    groups = body.get("kubernetesGroups") or []
    if typ != "STANDARD" and (groups or body.get("username")):
        raise bad_param("kubernetesGroups and username are not supported for type %s."
                        % typ, cname)
    check_username(body.get("username"), cname)
    st._put(cname, {"principalArn": arn, "type": typ, "kubernetesGroups": list(groups),
                    "username": body.get("username"), "tags": body.get("tags") or {}})
    return {"accessEntry": entry_out(st.entries[cname][arn])}


def update_entry(st, cname, arn, body):
    e = entry_of(st, cname, arn)
    groups = body.get("kubernetesGroups")
    username = body.get("username")
    if e["type"] != "STANDARD" and (groups or username):
        raise bad_param("kubernetesGroups and username are not supported for type %s."
                        % e["type"], cname)
    check_username(username, cname)
    # the real API's trap: whatever the request leaves out is reset
    e["kubernetesGroups"] = list(groups or [])
    e["username"] = username or default_username(arn, e["type"])
    e["modifiedAt"] = time.time()
    return {"accessEntry": entry_out(e)}


def associate(st, cname, arn, body):
    e = entry_of(st, cname, arn)
    if e["type"] != "STANDARD":
        raise bad_param("Access policies are not supported for access entries of type %s."
                        % e["type"], cname)
    parn = body.get("policyArn") or ""
    m = re.match(r"^arn:[a-z-]+:eks::aws:cluster-access-policy/(.+)$", parn)
    if not m or m.group(1) not in POLICIES:
        raise bad_param("The specified policyArn is invalid.", cname)
    scope = body.get("accessScope")
    if not isinstance(scope, dict) or scope.get("type") not in ("cluster", "namespace"):
        raise bad_param("The accessScope type must be cluster or namespace.", cname)
    ns = scope.get("namespaces") or []
    if scope["type"] == "namespace" and not ns:
        raise bad_param("namespaces are required for a namespace scope.", cname)
    if scope["type"] == "cluster" and ns:
        raise bad_param("namespaces are not allowed with a cluster scope.", cname)
    now = time.time()
    pol = {"policyArn": parn, "accessScope": {"type": scope["type"], "namespaces": list(ns)},
           "associatedAt": now, "modifiedAt": now}
    for i, p in enumerate(e["policies"]):
        if p["policyArn"] == parn:
            pol["associatedAt"] = p["associatedAt"]
            e["policies"][i] = pol
            break
    else:
        e["policies"].append(pol)
    return {"clusterName": cname, "principalArn": arn, "associatedAccessPolicy": pol}


def route(st, method, parts, q, body):
    if len(parts) < 2 or parts[0] != "clusters":
        raise ApiError(404, "UnknownOperationException", "unknown path")
    cname, rest = parts[1], parts[2:]
    if not rest and method == "GET":
        return 200, {"cluster": describe_cluster(st, cname)}
    if not rest or rest[0] != "access-entries":
        raise ApiError(404, "UnknownOperationException", "unknown path")
    cluster_of(st, cname)
    ents = st.entries.setdefault(cname, {})
    if len(rest) == 1:
        if method == "GET":
            arns = sorted(ents)
            pol = q.get("associatedPolicyArn", [None])[0]
            if pol:
                arns = [a for a in arns if any(p["policyArn"] == pol
                                               for p in ents[a]["policies"])]
            page, nxt = paginate(arns, q, st.page_size)
            out = {"accessEntries": page}
            if nxt:
                out["nextToken"] = nxt
            return 200, out
        if method == "POST":
            return 200, create_entry(st, cname, body)
    arn = rest[1] if len(rest) > 1 else None
    if len(rest) == 2:
        if method == "GET":
            return 200, {"accessEntry": entry_out(entry_of(st, cname, arn))}
        if method == "POST":
            return 200, update_entry(st, cname, arn, body)
        if method == "DELETE":
            entry_of(st, cname, arn)
            del ents[arn]
            return 200, {}
    if len(rest) >= 3 and rest[2] == "access-policies":
        e = entry_of(st, cname, arn)
        if len(rest) == 3 and method == "GET":
            page, nxt = paginate(e["policies"], q, st.page_size)
            out = {"clusterName": cname, "principalArn": arn,
                   "associatedAccessPolicies": page}
            if nxt:
                out["nextToken"] = nxt
            return 200, out
        if len(rest) == 3 and method == "POST":
            return 200, associate(st, cname, arn, body)
        if len(rest) == 4 and method == "DELETE":
            before = len(e["policies"])
            e["policies"] = [p for p in e["policies"] if p["policyArn"] != rest[3]]
            if len(e["policies"]) == before:
                raise not_found("The specified policy is not associated with the access "
                                "entry.", cname)
            return 200, {}
    raise ApiError(404, "UnknownOperationException", "unknown path")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--state", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    a = ap.parse_args()
    with open(a.state) as f:
        data = json.load(f)
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.st, srv.log = State(data), a.log
    awsfake.publish_port(srv, a.port_file)
    awsfake.serve_until_interrupted(srv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
