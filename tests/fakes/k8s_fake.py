#!/usr/bin/env python3
"""A small TLS fake Kubernetes API server for ekskit's tests.

Python 3 standard library only (botocore is imported for --sigv4-secrets,
PyYAML if present for YAML aws-auth data).  Binds 127.0.0.1 only.  Follows the
real API's shapes and rules for the parts ekskit uses; see
README.md ("The fake API server") for what it does not do.

Start-up: certificates are generated with the openssl CLI into a private temp
directory (or --cert-dir): a server CA and a server certificate for
127.0.0.1/localhost (plus --dns-name), a client CA and an "admin" client
certificate (CN=kubernetes-admin, O=system:masters).  --tls-cert/--tls-key/
--tls-ca serve a test's own server certificate instead (e.g. one naming only
an EKS endpoint host); --bind listens on another 127.0.0.0/8 address.  Then one line of JSON
(url, port, ca file, ca base64, admin cert/key, admin token, client CA cert
and key) is printed on stdout and, with --info-file, written to that file.
"""

import argparse
import base64
import copy
import datetime
import hashlib
import hmac
import http.server
import json
import os
import re
import secrets as pysecrets
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import eks_token  # noqa: E402

MAX_BODY = 1 << 20
DEFAULT_AUDIENCE = "https://kubernetes.default.svc"
SERVER_VERSION = {
    "major": "1", "minor": "31", "gitVersion": "v1.31.0-eks-fake",
    "gitCommit": "0000000000000000000000000000000000000000", "gitTreeState": "clean",
    "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.22.5", "compiler": "gc",
    "platform": "linux/amd64",
}
NO_TOKEN_ANNOTATION = "ekskit.test/no-token-controller"

# resource name -> (group, version, kind, namespaced, verbs, short names)
_RW = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
RESOURCES = {
    "namespaces": ("", "v1", "Namespace", False, _RW, ["ns"]),
    "serviceaccounts": ("", "v1", "ServiceAccount", True, _RW, ["sa"]),
    "secrets": ("", "v1", "Secret", True, _RW, []),
    "configmaps": ("", "v1", "ConfigMap", True, _RW, ["cm"]),
    "pods": ("", "v1", "Pod", True, _RW, ["po"]),
    "nodes": ("", "v1", "Node", False, _RW, ["no"]),
    "roles": ("rbac.authorization.k8s.io", "v1", "Role", True, _RW, []),
    "rolebindings": ("rbac.authorization.k8s.io", "v1", "RoleBinding", True, _RW, []),
    "clusterroles": ("rbac.authorization.k8s.io", "v1", "ClusterRole", False, _RW, []),
    "clusterrolebindings": ("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", False,
                            _RW, []),
}
KIND_TO_RESOURCE = {v[2]: k for k, v in RESOURCES.items()}

# Built-in cluster roles, reduced to what the tests need.  Like the real
# aggregated roles, "view" cannot read secrets and "edit" cannot touch RBAC.
_CORE_NS = ["pods", "configmaps", "secrets", "serviceaccounts", "services",
            "endpoints", "persistentvolumeclaims"]
_VIEW_CORE = ["pods", "configmaps", "serviceaccounts", "services", "endpoints",
              "persistentvolumeclaims", "namespaces"]
BUILTIN_CLUSTER_ROLES = {
    "cluster-admin": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}],
    "view": [{"apiGroups": [""], "resources": _VIEW_CORE, "verbs": ["get", "list", "watch"]}],
    "edit": [
        {"apiGroups": [""], "resources": _VIEW_CORE + ["secrets"],
         "verbs": ["get", "list", "watch"]},
        {"apiGroups": [""], "resources": _CORE_NS + ["serviceaccounts/token"],
         "verbs": ["create", "delete", "deletecollection", "patch", "update"]},
    ],
    "admin": [
        {"apiGroups": [""], "resources": _VIEW_CORE + ["secrets"],
         "verbs": ["get", "list", "watch"]},
        {"apiGroups": [""], "resources": _CORE_NS + ["serviceaccounts/token"],
         "verbs": ["create", "delete", "deletecollection", "patch", "update"]},
        {"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["roles", "rolebindings"],
         "verbs": ["*"]},
    ],
}
SELF_REVIEWS = {"selfsubjectreviews", "selfsubjectaccessreviews", "selfsubjectrulesreviews"}


def rfc3339(ts):
    return datetime.datetime.fromtimestamp(int(ts), datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def b64(data):
    return base64.b64encode(data).decode()


def b64url(data):
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


class ApiError(Exception):
    """An error answered as a Kubernetes Status object."""

    def __init__(self, code, reason, message, details=None):
        super().__init__(message)
        self.code, self.reason, self.message, self.details = code, reason, message, details

    def status(self):
        st = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
              "message": self.message, "reason": self.reason, "code": self.code}
        if self.details is not None:
            st["details"] = self.details
        return st


def qualified(resource):
    group = RESOURCES[resource][0] if resource in RESOURCES else ""
    return resource + ("." + group if group else "")


def not_found(resource, name):
    group = RESOURCES.get(resource, ("",))[0]
    return ApiError(404, "NotFound", '%s "%s" not found' % (qualified(resource), name),
                    {"name": name, "group": group, "kind": resource} if group else
                    {"name": name, "kind": resource})


def already_exists(resource, name):
    group = RESOURCES.get(resource, ("",))[0]
    d = {"name": name, "kind": resource}
    if group:
        d["group"] = group
    return ApiError(409, "AlreadyExists", '%s "%s" already exists' % (qualified(resource), name), d)


def invalid(kind, group, name, causes):
    """422 like apimachinery's NewInvalid: causes = [(field, message)]."""
    msgs = ["%s: %s" % (f, m) for f, m in causes]
    joined = msgs[0] if len(msgs) == 1 else "[" + ", ".join(msgs) + "]"
    return ApiError(422, "Invalid", '%s.%s "%s" is invalid: %s' % (kind, group, name, joined)
                    if group else '%s "%s" is invalid: %s' % (kind, name, joined),
                    {"name": name, "group": group, "kind": kind,
                     "causes": [{"reason": "FieldValueInvalid", "message": m, "field": f}
                                for f, m in causes]})


def bad_request(msg):
    return ApiError(400, "BadRequest", msg)


# ---------------------------------------------------------------- the store

class Store:
    """Objects by (resource, namespace or "", name); one lock for everything."""

    def __init__(self, clock):
        self.lock = threading.RLock()
        self.objs = {}
        self.rv = 100
        self.clock = clock

    def _stamp(self, obj):
        self.rv += 1
        obj["metadata"]["resourceVersion"] = str(self.rv)

    def get(self, res, ns, name):
        with self.lock:
            obj = self.objs.get((res, ns or "", name))
            return copy.deepcopy(obj) if obj else None

    def require(self, res, ns, name):
        obj = self.get(res, ns, name)
        if obj is None:
            raise not_found(res, name)
        return obj

    def list(self, res, ns=None):
        with self.lock:
            return [copy.deepcopy(o) for (r, n, _), o in sorted(self.objs.items())
                    if r == res and (ns is None or n == ns)]

    def create(self, res, ns, obj):
        group, version, kind, namespaced, _, _ = RESOURCES[res]
        meta = obj.setdefault("metadata", {})
        if not meta.get("name") and meta.get("generateName"):
            meta["name"] = meta["generateName"] + pysecrets.token_hex(3)[:5]
        name = meta.get("name", "")
        with self.lock:
            if namespaced and self.get("namespaces", "", ns) is None:
                raise not_found("namespaces", ns)
            if (res, ns or "", name) in self.objs:
                raise already_exists(res, name)
            obj["apiVersion"] = group + "/" + version if group else version
            obj["kind"] = kind
            if namespaced:
                meta["namespace"] = ns
            else:
                meta.pop("namespace", None)
            meta["uid"] = str(uuid.uuid4())
            meta["creationTimestamp"] = rfc3339(self.clock())
            self._stamp(obj)
            rest = {k: v for k, v in obj.items() if k not in ("apiVersion", "kind")}
            obj = dict(apiVersion=obj["apiVersion"], kind=kind, **rest)
            self.objs[(res, ns or "", name)] = obj
            self._after_create(res, ns, obj)
            return copy.deepcopy(obj)

    def _after_create(self, res, ns, obj):
        # the service-account controller gives every namespace a "default" SA
        if res == "namespaces":
            obj.setdefault("spec", {"finalizers": ["kubernetes"]})
            obj.setdefault("status", {"phase": "Active"})
            name = obj["metadata"]["name"]
            if ("serviceaccounts", name, "default") not in self.objs:
                self.create("serviceaccounts", name, {"metadata": {"name": "default"}})

    def replace(self, res, ns, name, obj, check_rv=True):
        with self.lock:
            cur = self.objs.get((res, ns or "", name))
            if cur is None:
                raise not_found(res, name)
            meta = obj.setdefault("metadata", {})
            if meta.get("name", name) != name:
                raise bad_request("the name of the object (%s) does not match the name on "
                                  "the URL (%s)" % (meta.get("name"), name))
            want_rv = meta.get("resourceVersion")
            if check_rv and want_rv and want_rv != cur["metadata"]["resourceVersion"]:
                raise ApiError(409, "Conflict",
                               'Operation cannot be fulfilled on %s "%s": the object has been '
                               "modified; please apply your changes to the latest version and "
                               "try again" % (qualified(res), name),
                               {"name": name, "group": RESOURCES[res][0], "kind": res})
            for k in ("uid", "creationTimestamp", "namespace", "name"):
                if k in cur["metadata"]:
                    meta[k] = cur["metadata"][k]
            obj["apiVersion"], obj["kind"] = cur["apiVersion"], cur["kind"]
            self._stamp(obj)
            self.objs[(res, ns or "", name)] = obj
            return copy.deepcopy(obj)

    def delete(self, res, ns, name):
        with self.lock:
            obj = self.objs.pop((res, ns or "", name), None)
            if obj is None:
                raise not_found(res, name)
            if res == "namespaces":  # no finalizers here: the content goes at once
                for key in [k for k in self.objs if k[1] == name and RESOURCES[k[0]][3]]:
                    del self.objs[key]
            return obj


def merge_patch(target, patch):
    """RFC 7386 JSON merge patch (also used for strategic merge patches,
    which for the maps ekskit patches behave the same)."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = copy.deepcopy(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = merge_patch(out.get(k), v)
    return out


def json_patch(target, ops):
    """RFC 6902 add/replace/remove/test on objects and arrays."""
    doc = copy.deepcopy(target)
    if not isinstance(ops, list):
        raise bad_request("json patch must be a list of operations")
    for op in ops:
        if not isinstance(op, dict) or "path" not in op:
            raise bad_request("invalid json patch operation")
        parts = [p.replace("~1", "/").replace("~0", "~") for p in op["path"].split("/")[1:]]
        parent = doc
        try:
            for p in parts[:-1]:
                parent = parent[int(p)] if isinstance(parent, list) else parent[p]
            last = parts[-1] if parts else None
            kind = op.get("op")
            if kind in ("add", "replace"):
                if isinstance(parent, list):
                    if last == "-":
                        parent.append(op.get("value"))
                    elif kind == "add":
                        parent.insert(int(last), op.get("value"))
                    else:
                        parent[int(last)] = op.get("value")
                else:
                    if kind == "replace" and last not in parent:
                        raise KeyError(last)
                    parent[last] = op.get("value")
            elif kind == "remove":
                del parent[int(last) if isinstance(parent, list) else last]
            elif kind == "test":
                cur = parent[int(last)] if isinstance(parent, list) else parent[last]
                if cur != op.get("value"):
                    raise ApiError(422, "Invalid", "the server rejected our request due to an "
                                   "error in our request: test operation failed")
            else:
                raise bad_request("unsupported json patch operation %r" % kind)
        except (KeyError, IndexError, ValueError, TypeError):
            raise ApiError(422, "Invalid", "the server rejected our request due to an error "
                           "in our request: path %s not found" % op["path"]) from None
    return doc


# ---------------------------------------------------------------- the server

class Identity:
    def __init__(self, username, groups, uid="", extra=None, how=""):
        self.username = username
        self.groups = list(groups)
        if "system:authenticated" not in self.groups:
            self.groups.append("system:authenticated")
        self.uid = uid
        self.extra = extra or {}
        self.how = how

    def user_info(self):
        info = {"username": self.username, "groups": self.groups}
        if self.uid:
            info["uid"] = self.uid
        if self.extra:
            info["extra"] = self.extra
        return info


class Unauthorized(Exception):
    """Authentication failed; the message goes to the log, never to the client."""


class Fake:
    def __init__(self, args, certs):
        self.args = args
        self.certs = certs
        self.clock_offset = 0.0
        self.delay = args.delay_seconds
        self.store = Store(self.now)
        self.jwt_key = os.urandom(32)
        self.admin_token = certs["admin_token"]
        self.log_lock = threading.Lock()
        self.log_file = open(args.log, "a", buffering=1) if args.log else None
        # POST /_fake/configmap-race: data merged into a ConfigMap right after
        # the next GETs of it (another writer between a client's GET and PUT)
        self.races = {}
        # POST /_fake/reject: writes of an object answered like a validating
        # admission webhook that denies them
        self.rejects = {}
        for ns in ("default", "kube-system", "kube-public", "kube-node-lease"):
            self.store.create("namespaces", "", {"metadata": {"name": ns}})
        if args.state:
            self.load_state(args.state)

    # -- clock (POST /_fake/clock moves it, for expiry tests)
    def now(self):
        return time.time() + self.clock_offset

    def log(self, msg):
        line = "%s %s" % (rfc3339(time.time()), msg)
        with self.log_lock:
            if self.log_file:
                self.log_file.write(line + "\n")

    def load_state(self, path):
        with open(path) as f:
            text = f.read()
        try:
            data = json.loads(text)
        except ValueError:
            import yaml
            data = list(yaml.safe_load_all(text))
            if len(data) == 1:
                data = data[0]
        items = data.get("items", []) if isinstance(data, dict) else data
        for obj in items:
            res = KIND_TO_RESOURCE.get(obj.get("kind"))
            if res is None:
                raise SystemExit("k8s_fake: --state: unsupported kind %r" % obj.get("kind"))
            ns = obj.get("metadata", {}).get("namespace", "default") if RESOURCES[res][3] else ""
            if RESOURCES[res][3] and self.store.get("namespaces", "", ns) is None:
                self.store.create("namespaces", "", {"metadata": {"name": ns}})
            if res == "namespaces" and self.store.get(res, "", obj["metadata"]["name"]):
                continue
            if res == "serviceaccounts" and self.store.get(res, ns, obj["metadata"]["name"]):
                self.store.delete(res, ns, obj["metadata"]["name"])
            self.store.create(res, ns, obj)
            if res == "secrets":
                self.maybe_start_token_controller(ns, obj)

    # ---------------------------------------------------------- tokens (JWT)
    def mint_jwt(self, claims):
        """HS256 JWT with a per-process key (the real server signs RS256/ES256;
        clients must treat tokens as opaque, and the shape is the same)."""
        header = {"alg": "HS256", "kid": "ekskit-fake", "typ": "JWT"}
        signing = b64url(json.dumps(header, separators=(",", ":")).encode()) + "." + \
            b64url(json.dumps(claims, separators=(",", ":")).encode())
        sig = hmac.new(self.jwt_key, signing.encode(), hashlib.sha256).digest()
        return signing + "." + b64url(sig)

    def verify_jwt(self, token):
        parts = token.split(".")
        if len(parts) != 3:
            raise Unauthorized("bearer token is not a JWT")
        sig = hmac.new(self.jwt_key, (parts[0] + "." + parts[1]).encode(),
                       hashlib.sha256).digest()
        try:
            got = base64.urlsafe_b64decode(parts[2] + "=" * (-len(parts[2]) % 4))
            claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
        except (ValueError, TypeError):
            raise Unauthorized("malformed JWT") from None
        if not hmac.compare_digest(sig, got) or not isinstance(claims, dict):
            raise Unauthorized("JWT signature does not verify")
        return claims

    def sa_identity(self, claims):
        k8s = claims.get("kubernetes.io")
        if k8s:  # bound token (TokenRequest)
            now = self.now()
            if claims.get("exp", 0) <= now:
                raise Unauthorized("service account token has expired")
            if claims.get("nbf", 0) > now + 60:
                raise Unauthorized("service account token is not valid yet")
            if not set(claims.get("aud", [])) & set(self.args.api_audience):
                raise Unauthorized("token audiences %s do not match the API server's %s"
                                   % (claims.get("aud"), self.args.api_audience))
            ns = k8s["namespace"]
            sa_name, sa_uid = k8s["serviceaccount"]["name"], k8s["serviceaccount"]["uid"]
            for kind in ("pod", "secret", "node"):
                ref = k8s.get(kind)
                if ref:
                    res = kind + "s"
                    obj = self.store.get(res, ns if kind != "node" else "", ref["name"])
                    if obj is None or obj["metadata"]["uid"] != ref["uid"]:
                        raise Unauthorized("token bound to %s %s which no longer exists"
                                           % (kind, ref["name"]))
            extra = {"authentication.kubernetes.io/credential-id": ["JTI=" + claims["jti"]]}
            if k8s.get("pod"):
                extra["authentication.kubernetes.io/pod-name"] = [k8s["pod"]["name"]]
                extra["authentication.kubernetes.io/pod-uid"] = [k8s["pod"]["uid"]]
        else:  # legacy Secret-based token
            ns = claims.get("kubernetes.io/serviceaccount/namespace", "")
            sa_name = claims.get("kubernetes.io/serviceaccount/service-account.name", "")
            sa_uid = claims.get("kubernetes.io/serviceaccount/service-account.uid", "")
            secret = self.store.get("secrets", ns,
                                    claims.get("kubernetes.io/serviceaccount/secret.name", ""))
            if secret is None:
                raise Unauthorized("legacy token's secret no longer exists")
            extra = {}
        sa = self.store.get("serviceaccounts", ns, sa_name)
        if sa is None or sa["metadata"]["uid"] != sa_uid:
            raise Unauthorized("service account %s/%s no longer exists" % (ns, sa_name))
        return Identity("system:serviceaccount:%s:%s" % (ns, sa_name),
                        ["system:serviceaccounts", "system:serviceaccounts:" + ns],
                        uid=sa_uid, extra=extra, how="serviceaccount-token")

    # ---------------------------------------------------------- EKS tokens
    def sigv4_secrets(self):
        out = {}
        if not self.args.sigv4_secrets:
            return out
        with open(self.args.sigv4_secrets) as f:  # re-read: tests add keys at run time
            for line in f:
                bits = line.split()
                if len(bits) >= 2 and not line.startswith("#"):
                    out[bits[0]] = bits[1]
        return out

    def eks_identity(self, token):
        now = datetime.datetime.fromtimestamp(self.now(), datetime.timezone.utc)
        try:
            _, parsed, params = eks_token.parse_token(token, self.args.partition, now)
            if self.args.sigv4_secrets:
                secrets = self.sigv4_secrets()
                if eks_token.access_key_id(params) in secrets or not self.args.sigv4_allow_unknown:
                    eks_token.verify_signature(parsed, params, self.args.cluster_id, secrets)
            if not self.args.moto_url:
                raise eks_token.TokenError("sts getCallerIdentity failed: no --moto-url")
            ident = eks_token.call_sts(self.args.moto_url, parsed, params, self.args.cluster_id)
            ident["canonical_arn"] = eks_token.canonicalize_arn(ident["arn"])
        except eks_token.TokenError as e:
            raise Unauthorized("eks token: %s" % e) from None
        except Exception as e:  # noqa: BLE001 - a bad token is a 401, never a 500
            traceback.print_exc()
            raise Unauthorized("eks token: unexpected %s while verifying (a fake bug?)"
                               % type(e).__name__) from None
        return self.map_aws_identity(ident)

    def map_aws_identity(self, ident):
        """aws-auth ConfigMap mapping like the authenticator's configmap mapper."""
        extra = {"accessKeyId": [ident["access_key_id"]], "arn": [ident["arn"]],
                 "canonicalArn": [ident["canonical_arn"]],
                 "principalId": [ident["user_id"]], "sessionName": [ident["session_name"]]}
        cm = self.store.get("configmaps", "kube-system", "aws-auth")
        if cm is None:
            # no aws-auth: the cluster creator's view of a new EKS cluster, made
            # explicit: every verified AWS identity is an administrator
            return Identity(ident["canonical_arn"], ["system:masters"], extra=extra,
                            how="eks-token(no aws-auth)")
        data = cm.get("data") or {}
        canon = ident["canonical_arn"].lower()
        for key, arn_key in (("mapRoles", "rolearn"), ("mapUsers", "userarn")):
            # the authenticator keys a map by the lower-cased ARN: the LAST
            # duplicate wins, so look from the end
            for entry in reversed(parse_mapping(data.get(key, ""))):
                if not isinstance(entry, dict):
                    continue
                want = str(entry.get(arn_key, ""))
                if arn_key == "rolearn":  # role paths are not part of assumed-role ARNs
                    want = re.sub(r":role/.*/", ":role/", want)
                if want.lower() != canon:
                    continue
                user = render_template(str(entry.get("username", "")), ident)
                if not user:
                    raise Unauthorized("eks token: mapping for %s has no username"
                                       % ident["canonical_arn"])
                groups = [render_template(str(g), ident) for g in entry.get("groups") or []]
                return Identity(user, groups, extra=extra, how="eks-token")
        for acct in parse_mapping(data.get("mapAccounts", "")):
            if str(acct) == ident["account"]:
                return Identity(ident["canonical_arn"], [], extra=extra, how="eks-token")
        raise Unauthorized("eks token: ARN is not mapped: %s" % ident["canonical_arn"])

    # ---------------------------------------------------------- test hooks
    def after_get(self, res, ns, name):
        if res != "configmaps":
            return
        with self.store.lock:
            race = self.races.get((ns, name))
            if not race or race["times"] <= 0:
                return
            race["times"] -= 1
            cur = self.store.get(res, ns, name)
            data = cur.setdefault("data", {})
            for k, v in race["data"].items():
                if v is None:
                    data.pop(k, None)
                elif isinstance(v, str) and v.startswith("append:"):
                    data[k] = data.get(k, "") + v[len("append:"):]
                else:
                    data[k] = v
            self.store.replace(res, ns, name, cur, check_rv=False)
            self.log("race: %s/%s changed after a GET" % (ns, name))

    def maybe_reject(self, res, ns, name):
        with self.store.lock:
            rule = self.rejects.get((res, ns, name))
            if not rule:
                return
            if rule["times"] > 0:
                rule["times"] -= 1
                if rule["times"] == 0:
                    self.rejects.pop((res, ns, name), None)
        raise ApiError(rule["code"], rule["reason"], rule["message"])

    # ---------------------------------------------------------- authenticate
    def authenticate(self, handler):
        auth = handler.headers.get("Authorization", "")
        cert = handler.peer_cert
        if cert:
            cn, orgs = "", []
            for rdn in cert.get("subject", ()):
                for k, v in rdn:
                    if k == "commonName":
                        cn = v
                    elif k == "organizationName":
                        orgs.append(v)
            if cn:
                return Identity(cn, orgs, how="x509")
        if not auth:
            raise Unauthorized("no credentials")
        scheme, _, token = auth.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise Unauthorized("unsupported Authorization scheme")
        if hmac.compare_digest(token.encode(), self.admin_token.encode()):
            return Identity("admin", ["system:masters"], how="static-token")
        if token.startswith(eks_token.V1_PREFIX):
            return self.eks_identity(token)
        return self.sa_identity(self.verify_jwt(token))

    # ---------------------------------------------------------- authorize
    def rules_for(self, ident, ns):
        """Rules granted by bindings whose subjects match the identity."""
        rules = []
        bindings = [("clusterrolebindings", b) for b in self.store.list("clusterrolebindings")]
        if ns:
            bindings += [("rolebindings", b) for b in self.store.list("rolebindings", ns)]
        for res, b in bindings:
            if not any(subject_matches(s, ident, b["metadata"].get("namespace"))
                       for s in b.get("subjects") or []):
                continue
            ref = b.get("roleRef") or {}
            if ref.get("kind") == "ClusterRole":
                role = self.store.get("clusterroles", "", ref.get("name", ""))
                rules += role.get("rules") or [] if role else \
                    BUILTIN_CLUSTER_ROLES.get(ref.get("name"), [])
            elif ref.get("kind") == "Role" and res == "rolebindings":
                role = self.store.get("roles", ns, ref.get("name", ""))
                rules += (role or {}).get("rules") or []
        return rules

    def allowed(self, ident, verb, group, resource, ns, name):
        if "system:masters" in ident.groups:
            return True
        for rule in self.rules_for(ident, ns):
            if rule_allows(rule, verb, group, resource, name):
                return True
        return False

    def authorize(self, ident, verb, group, resource, ns, name):
        if self.allowed(ident, verb, group, resource, ns, name):
            return
        where = 'in the namespace "%s"' % ns if ns else "at the cluster scope"
        base = resource.split("/")[0]
        what = '%s "%s"' % (qualified(base) if base in RESOURCES else base, name) if name \
            else (qualified(base) if base in RESOURCES else base)
        raise ApiError(403, "Forbidden",
                       '%s is forbidden: User "%s" cannot %s resource "%s" in API group "%s" %s'
                       % (what, ident.username, verb, resource, group, where),
                       {"name": name, "group": group, "kind": base} if name else
                       {"group": group, "kind": base})

    # ---------------------------------------------------------- secret controller
    def maybe_start_token_controller(self, ns, secret):
        if secret.get("type") != "kubernetes.io/service-account-token":
            return
        ann = secret.get("metadata", {}).get("annotations") or {}
        if self.args.no_token_controller or ann.get(NO_TOKEN_ANNOTATION) == "true":
            return
        t = threading.Thread(target=self._fill_secret, daemon=True,
                             args=(ns, secret["metadata"]["name"], secret["metadata"]["uid"]))
        t.start()

    def _fill_secret(self, ns, name, uid):
        time.sleep(self.args.token_controller_delay)
        with self.store.lock:
            secret = self.store.get("secrets", ns, name)
            if secret is None or secret["metadata"]["uid"] != uid:
                return
            ann = secret["metadata"].setdefault("annotations", {})
            sa = self.store.get("serviceaccounts", ns,
                                ann.get("kubernetes.io/service-account.name", ""))
            if sa is None:
                # the real tokens controller deletes secrets of missing accounts
                self.store.delete("secrets", ns, name)
                self.log("controller: deleted secret %s/%s: service account missing" % (ns, name))
                return
            ann["kubernetes.io/service-account.uid"] = sa["metadata"]["uid"]
            claims = {
                "iss": "kubernetes/serviceaccount",
                "kubernetes.io/serviceaccount/namespace": ns,
                "kubernetes.io/serviceaccount/secret.name": name,
                "kubernetes.io/serviceaccount/service-account.name": sa["metadata"]["name"],
                "kubernetes.io/serviceaccount/service-account.uid": sa["metadata"]["uid"],
                "sub": "system:serviceaccount:%s:%s" % (ns, sa["metadata"]["name"]),
            }
            secret["data"] = dict(secret.get("data") or {})
            secret["data"].update({
                "token": b64(self.mint_jwt(claims).encode()),
                "ca.crt": b64(self.certs["ca_pem"]),
                "namespace": b64(ns.encode()),
            })
            self.store.replace("secrets", ns, name, secret, check_rv=False)
            self.log("controller: filled token of secret %s/%s" % (ns, name))

    # ---------------------------------------------------------- TokenRequest
    def token_request(self, ns, sa_name, body):
        sa = self.store.require("serviceaccounts", ns, sa_name)
        if not isinstance(body, dict):
            raise bad_request("the body must be a TokenRequest object")
        spec = body.get("spec") or {}
        meta = body.get("metadata") or {}
        if not isinstance(spec, dict) or not isinstance(meta, dict):
            raise bad_request("spec and metadata must be objects")
        exp = spec.get("expirationSeconds")
        if exp is None:
            exp = 3600
        if not isinstance(exp, int) or isinstance(exp, bool):
            raise bad_request("spec.expirationSeconds must be an integer")
        causes = []
        if exp < 600:
            causes.append(("spec.expirationSeconds",
                           "Invalid value: %d: may not specify a duration less than 10 minutes"
                           % exp))
        if exp > 1 << 32:
            causes.append(("spec.expirationSeconds",
                           "Invalid value: %d: may not specify a duration larger than 2^32 "
                           "seconds" % exp))
        if causes:
            raise invalid("TokenRequest", "authentication.k8s.io", meta.get("name", ""), causes)
        warnings = []
        granted = exp
        if self.args.max_token_seconds and exp > self.args.max_token_seconds:
            granted = self.args.max_token_seconds
            warnings.append("requested expiration of %d seconds shortened to %d seconds"
                            % (exp, granted))
        audiences = spec.get("audiences") or list(self.args.api_audience)
        if not isinstance(audiences, list) or not all(isinstance(a, str) for a in audiences):
            raise bad_request("spec.audiences must be a list of strings")
        k8s = {"namespace": ns, "serviceaccount": {"name": sa_name, "uid": sa["metadata"]["uid"]}}
        ref = spec.get("boundObjectRef")
        out_ref = None
        if ref is not None and not isinstance(ref, dict):
            raise bad_request("spec.boundObjectRef must be an object")
        if ref:
            kind = ref.get("kind", "")
            res = {"Pod": "pods", "Secret": "secrets", "Node": "nodes"}.get(kind)
            if res is None or ref.get("apiVersion", "v1") != "v1":
                raise bad_request('cannot bind token for serviceaccount "%s" to object of type %s'
                                  % (sa_name, "%s, Kind=%s" % (ref.get("apiVersion", ""), kind)))
            obj = self.store.require(res, ns if res != "nodes" else "", ref.get("name", ""))
            if ref.get("uid") and ref["uid"] != obj["metadata"]["uid"]:
                raise ApiError(409, "Conflict",
                               "the UID in the bound object reference (%s) does not match the "
                               "UID in record. The object might have been deleted and then "
                               "recreated" % ref["uid"])
            k8s[kind.lower()] = {"name": obj["metadata"]["name"], "uid": obj["metadata"]["uid"]}
            out_ref = {"kind": kind, "apiVersion": "v1", "name": obj["metadata"]["name"],
                       "uid": obj["metadata"]["uid"]}
        now = int(self.now())
        claims = {"aud": audiences, "exp": now + granted, "iat": now, "nbf": now,
                  "iss": "https://oidc.eks.us-west-2.amazonaws.com/id/EKSKITFAKE",
                  "jti": str(uuid.uuid4()), "kubernetes.io": k8s,
                  "sub": "system:serviceaccount:%s:%s" % (ns, sa_name)}
        result = {
            "kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1",
            "metadata": {"name": sa_name, "namespace": ns,
                         "creationTimestamp": rfc3339(now)},
            "spec": dict({"audiences": audiences, "expirationSeconds": granted},
                         **({"boundObjectRef": out_ref} if out_ref else {})),
            "status": {"token": self.mint_jwt(claims),
                       "expirationTimestamp": rfc3339(now + granted)},
        }
        return result, warnings


def subject_matches(s, ident, binding_ns):
    kind = s.get("kind")
    if kind == "User":
        return s.get("name") == ident.username
    if kind == "Group":
        return s.get("name") in ident.groups
    if kind == "ServiceAccount":
        ns = s.get("namespace") or binding_ns or ""
        return ident.username == "system:serviceaccount:%s:%s" % (ns, s.get("name"))
    return False


def rule_allows(rule, verb, group, resource, name):
    def has(lst, v):
        return "*" in (lst or []) or v in (lst or [])
    if not has(rule.get("verbs"), verb) or not has(rule.get("apiGroups"), group):
        return False
    if not has(rule.get("resources"), resource):
        return False
    names = rule.get("resourceNames")
    return not names or name in names


def parse_mapping(text):
    if not text:
        return []
    if isinstance(text, list):
        return text
    try:
        data = json.loads(text)
    except ValueError:
        try:
            import yaml
        except ImportError:
            return []
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError:
            return []
    return data if isinstance(data, list) else []


def render_template(tmpl, ident):
    session = ident["session_name"]
    values = {"AccountID": ident["account"], "SessionName": session.replace("@", "-"),
              "SessionNameRaw": session, "AccessKeyID": ident["access_key_id"]}
    return re.sub(r"\{\{\s*(\w+)\s*\}\}", lambda m: values.get(m.group(1), m.group(0)), tmpl)


# ---------------------------------------------------------------- discovery

def api_resource_list(group_version, resources):
    out = []
    for name, (group, version, kind, namespaced, verbs, short) in RESOURCES.items():
        if (group + "/" + version if group else version) != group_version:
            continue
        if name not in resources:
            continue
        r = {"name": name, "singularName": kind.lower(), "namespaced": namespaced,
             "kind": kind, "verbs": verbs}
        if short:
            r["shortNames"] = short
        out.append(r)
        if name == "serviceaccounts":
            out.append({"name": "serviceaccounts/token", "singularName": "", "namespaced": True,
                        "group": "authentication.k8s.io", "version": "v1",
                        "kind": "TokenRequest", "verbs": ["create"]})
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version,
            "resources": out}


GROUPS = {
    "authentication.k8s.io": ["v1", "v1beta1", "v1alpha1"],
    "authorization.k8s.io": ["v1"],
    "rbac.authorization.k8s.io": ["v1"],
}


def discovery(path):
    if path == "/api":
        return {"kind": "APIVersions", "versions": ["v1"],
                "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0",
                                                "serverAddress": "127.0.0.1:443"}]}
    if path == "/api/v1":
        return api_resource_list("v1", RESOURCES)
    if path == "/apis":
        groups = []
        for g, versions in GROUPS.items():
            vs = [{"groupVersion": "%s/%s" % (g, v), "version": v} for v in versions]
            groups.append({"name": g, "versions": vs, "preferredVersion": vs[0]})
        return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}
    m = re.fullmatch(r"/apis/([^/]+)(?:/([^/]+))?", path)
    if m and m.group(1) in GROUPS:
        g, v = m.groups()
        if v is None:
            vs = [{"groupVersion": "%s/%s" % (g, x), "version": x} for x in GROUPS[g]]
            return {"kind": "APIGroup", "apiVersion": "v1", "name": g, "versions": vs,
                    "preferredVersion": vs[0]}
        if v not in GROUPS[g]:
            return None
        if g == "rbac.authorization.k8s.io":
            return api_resource_list(g + "/" + v, RESOURCES)
        if g == "authentication.k8s.io":
            res = [{"name": "selfsubjectreviews", "singularName": "selfsubjectreview",
                    "namespaced": False, "kind": "SelfSubjectReview", "verbs": ["create"]}]
            if v == "v1":
                res.append({"name": "tokenreviews", "singularName": "tokenreview",
                            "namespaced": False, "kind": "TokenReview", "verbs": ["create"]})
        else:
            res = [{"name": "selfsubjectaccessreviews", "singularName": "selfsubjectaccessreview",
                    "namespaced": False, "kind": "SelfSubjectAccessReview", "verbs": ["create"]}]
        return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": g + "/" + v,
                "resources": res}
    return None


# ---------------------------------------------------------------- HTTP

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ekskit-fake-apiserver"
    sys_version = ""
    fake = None  # set in main

    def setup(self):
        self.peer_cert = None
        try:
            self.request.do_handshake()
            self.peer_cert = self.request.getpeercert() or None
        except (ssl.SSLError, OSError) as e:
            self.fake.log("tls handshake from %s failed: %s" % (self.client_address[0], e))
            raise
        super().setup()

    def log_message(self, fmt, *args):  # quiet stderr; see Fake.log
        pass

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_PUT(self):
        self.dispatch("PUT")

    def do_PATCH(self):
        self.dispatch("PATCH")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def send_json(self, code, obj, warnings=()):
        if isinstance(obj, str):  # /healthz and friends answer plain text
            body, ctype = obj.encode(), "text/plain; charset=utf-8"
        else:
            body = json.dumps(obj, separators=(",", ":")).encode() + b"\n"
            ctype = "application/json"
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache, private")
        for w in warnings:
            self.send_header("Warning", '299 - "%s"' % w.replace('"', "'"))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def read_body(self, protobuf_ok=False):
        """JSON (or YAML) request body; protobuf_ok: a body whose content does
        not matter (SelfSubjectReview, sent as protobuf by kubectl >= 1.32)."""
        raw = self.raw_body
        if not raw:
            return None
        if (self.headers.get("Content-Type") or "").startswith("application/vnd.kubernetes.protobuf"):
            if protobuf_ok:
                return None
            raise ApiError(415, "UnsupportedMediaType",
                           "the body of the request was in an unknown format - the fake API "
                           "server accepts JSON only")
        try:
            return json.loads(raw)
        except ValueError:
            try:
                import yaml
                return yaml.safe_load(raw)
            except Exception:
                raise bad_request("the body of the request was in an unknown format") from None

    def dispatch(self, method):
        fake = self.fake
        url = urllib.parse.urlsplit(self.path)
        path = url.path.rstrip("/") or "/"
        query = urllib.parse.parse_qs(url.query)
        who, code, note = "-", 500, ""
        self.raw_body = b""
        try:
            # always consume the body (DELETE carries one too), or the next
            # request on this keep-alive connection would start inside it
            try:
                n = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                n = -1
            if n > MAX_BODY or n < 0:
                self.close_connection = True
                raise ApiError(413, "RequestEntityTooLarge", "request entity too large")
            self.raw_body = self.rfile.read(n) if n else b""
            if fake.delay and not path.startswith("/_fake/"):
                time.sleep(fake.delay)
            try:
                ident = fake.authenticate(self)
            except Unauthorized as e:
                note = str(e)
                raise ApiError(401, "Unauthorized", "Unauthorized") from None
            who = ident.username
            code, obj, warnings = self.route(method, path, query, ident)
            self.send_json(code, obj, warnings)
        except ApiError as e:
            code = e.code
            if not note:
                note = e.message
            self.send_json(e.code, e.status())
        except (BrokenPipeError, ConnectionResetError):
            code = 499
        except Exception as e:  # a bug in the fake: say so loudly
            code = 500
            note = "internal error: %r" % e
            traceback.print_exc()
            self.send_json(500, ApiError(500, "InternalError", "fake: internal error").status())
        finally:
            fake.log("%s %s %s user=%s -> %d%s" % (self.client_address[0], method, url.path, who,
                                                   code, " (%s)" % note if note else ""))

    def route(self, method, path, query, ident):
        fake = self.fake
        if path == "/_fake/clock" and method == "POST":
            if "system:masters" not in ident.groups:
                raise ApiError(403, "Forbidden", "only administrators may move the clock")
            body = self.read_body() or {}
            fake.clock_offset += float(body.get("advanceSeconds", 0))
            return 200, {"now": rfc3339(fake.now())}, []
        if path == "/_fake/delay" and method == "POST":
            if "system:masters" not in ident.groups:
                raise ApiError(403, "Forbidden", "only administrators may change the delay")
            body = self.read_body() or {}
            fake.delay = max(0.0, float(body.get("seconds", 0)))
            return 200, {"delaySeconds": fake.delay}, []
        if path in ("/_fake/configmap-race", "/_fake/reject") and method == "POST":
            return self.fake_control(path, ident)
        if path == "/version" and method == "GET":
            return 200, SERVER_VERSION, []
        if path in ("/healthz", "/livez", "/readyz") and method == "GET":
            return 200, "ok", []
        if method == "GET":
            d = discovery(path)
            if d is not None:
                return 200, d, []
        m = re.fullmatch(r"/apis/(authentication\.k8s\.io|authorization\.k8s\.io)/(v1|v1beta1|"
                         r"v1alpha1)/(selfsubjectreviews|selfsubjectaccessreviews)", path)
        if m and method == "POST":
            return self.self_review(m.group(1), m.group(2), m.group(3), ident)
        parts = self.split_resource_path(path)
        if parts is None:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        return self.resource(method, query, ident, *parts)

    @staticmethod
    def split_resource_path(path):
        m = re.fullmatch(r"/api/v1/(.*)", path) or \
            re.fullmatch(r"/apis/rbac\.authorization\.k8s\.io/v1/(.*)", path)
        if not m:
            return None
        group = "" if path.startswith("/api/") else "rbac.authorization.k8s.io"
        bits = m.group(1).split("/")
        ns = ""
        if bits[0] == "namespaces" and len(bits) >= 3:
            ns, bits = bits[1], bits[2:]
        res = bits[0]
        name = bits[1] if len(bits) > 1 else ""
        sub = "/".join(bits[2:])
        if res not in RESOURCES or RESOURCES[res][0] != group or len(bits) > 3:
            return None
        if ns and not RESOURCES[res][3]:
            return None
        return group, ns, res, name, sub

    def self_review(self, group, version, what, ident):
        body = self.read_body(protobuf_ok=what == "selfsubjectreviews") or {}
        if what == "selfsubjectreviews":
            if group != "authentication.k8s.io":
                raise ApiError(404, "NotFound", "the server could not find the requested resource")
            return 201, {"kind": "SelfSubjectReview",
                         "apiVersion": "authentication.k8s.io/" + version,
                         "metadata": {"creationTimestamp": rfc3339(self.fake.now())},
                         "status": {"userInfo": ident.user_info()}}, []
        if group != "authorization.k8s.io" or version != "v1":
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        ra = (body.get("spec") or {}).get("resourceAttributes") or {}
        res = ra.get("resource", "")
        if ra.get("subresource"):
            res += "/" + ra["subresource"]
        ok = self.fake.allowed(ident, ra.get("verb", ""), ra.get("group", ""), res,
                               ra.get("namespace", ""), ra.get("name", ""))
        body["status"] = {"allowed": ok}
        body.setdefault("kind", "SelfSubjectAccessReview")
        body.setdefault("apiVersion", "authorization.k8s.io/v1")
        body.setdefault("metadata", {})["creationTimestamp"] = rfc3339(self.fake.now())
        return 201, body, []

    def resource(self, method, query, ident, group, ns, res, name, sub):
        fake = self.fake
        store = fake.store
        namespaced = RESOURCES[res][3]
        if res == "namespaces" and sub:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        if sub and not (res == "serviceaccounts" and sub == "token"):
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        verb = {"GET": "get" if name else "list", "POST": "create", "PUT": "update",
                "PATCH": "patch", "DELETE": "delete" if name else "deletecollection"}[method]
        if verb == "list" and query.get("watch", ["false"])[0] in ("true", "1"):
            raise ApiError(405, "MethodNotAllowed", "watch is not supported by the fake")
        if method == "POST" and name and not sub:
            raise ApiError(405, "MethodNotAllowed",
                           "the server does not allow this method on the requested resource")
        authz_name = name
        fake.authorize(ident, verb, group, res + ("/" + sub if sub else ""), ns,
                       authz_name)
        if sub == "token":
            if method != "POST":
                raise ApiError(405, "MethodNotAllowed",
                               "the server does not allow this method on the requested resource")
            result, warnings = fake.token_request(ns, name, self.read_body())
            return 201, result, warnings
        if method in ("POST", "PUT", "PATCH", "DELETE"):
            fake.maybe_reject(res, ns, name or ((self.peek_body() or {}).get("metadata") or
                                                {}).get("name", ""))
        if method == "GET" and name:
            obj = store.require(res, ns, name)
            fake.after_get(res, ns, name)
            return 200, obj, []
        if method == "GET":
            items = store.list(res, ns if namespaced and ns else None)
            sel = query.get("fieldSelector", [""])[0]
            m = re.fullmatch(r"metadata\.name=(.+)", sel)
            if m:
                items = [i for i in items if i["metadata"]["name"] == m.group(1)]
            kind = RESOURCES[res][2]
            return 200, {"kind": kind + "List",
                         "apiVersion": (group + "/v1") if group else "v1",
                         "metadata": {"resourceVersion": str(store.rv)}, "items": items}, []
        if method == "POST":
            body = self.read_body()
            if not isinstance(body, dict):
                raise bad_request("the body of the request was in an unknown format")
            meta = body.setdefault("metadata", {})
            if not isinstance(meta, dict):
                raise bad_request("metadata must be an object")
            if namespaced and meta.get("namespace") and meta["namespace"] != ns:
                raise bad_request("the namespace of the provided object does not match the "
                                  "namespace sent on the request")
            self.validate(res, body)
            if query.get("dryRun"):
                return 201, body, []
            obj = store.create(res, ns, body)
            fake.maybe_start_token_controller(ns, obj)
            return 201, obj, []
        if method == "PUT":
            body = self.read_body()
            if not isinstance(body, dict):
                raise bad_request("the body of the request was in an unknown format")
            self.validate(res, body, name)
            return 200, store.replace(res, ns, name, body), []
        if method == "PATCH":
            ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip()
            patch = self.read_body()
            with store.lock:
                cur = store.require(res, ns, name)
                if ctype == "application/json-patch+json":
                    new = json_patch(cur, patch)
                elif ctype in ("application/merge-patch+json",
                               "application/strategic-merge-patch+json"):
                    new = merge_patch(cur, patch)
                else:
                    raise ApiError(415, "UnsupportedMediaType",
                                   "the body of the request was in an unknown format - "
                                   "accepted media types include: application/json-patch+json, "
                                   "application/merge-patch+json, "
                                   "application/apply-patch+yaml")
                new.setdefault("metadata", {})["resourceVersion"] = \
                    cur["metadata"]["resourceVersion"]
                self.validate(res, new, name)
                return 200, store.replace(res, ns, name, new), []
        if method == "DELETE":
            if not name:
                raise ApiError(405, "MethodNotAllowed", "deletecollection is not supported "
                               "by the fake")
            obj = store.delete(res, ns, name)
            return 200, {"kind": "Status", "apiVersion": "v1", "metadata": {},
                         "status": "Success",
                         "details": {"name": name, "group": group, "kind": res,
                                     "uid": obj["metadata"]["uid"]}}, []
        raise ApiError(405, "MethodNotAllowed", "method not allowed")

    def peek_body(self):
        try:
            body = json.loads(self.raw_body) if self.raw_body else None
        except ValueError:
            return None
        return body if isinstance(body, dict) else None

    def fake_control(self, path, ident):
        """Test hooks for concurrent writers and admission webhooks (admins only).

        /_fake/configmap-race {"namespace", "name", "data": {k: v}, "times": N}:
          after each of the next N GETs of that ConfigMap, merge `data` into it
          (a new resourceVersion), as if someone wrote between a GET and a PUT.
          A value of null deletes the key; "append:TEXT" appends TEXT to it.
        /_fake/reject {"resource", "namespace", "name", "code", "reason",
          "message", "times"}: the next N writes (times 0: all, until a call
          with code 0) fail with a Status like a denying admission webhook.
        """
        if "system:masters" not in ident.groups:
            raise ApiError(403, "Forbidden", "only administrators may use %s" % path)
        body = self.read_body() or {}
        fake = self.fake
        key = (body.get("resource", "configmaps"), body.get("namespace", "kube-system"),
               body.get("name", "aws-auth"))
        with fake.store.lock:
            if path == "/_fake/configmap-race":
                fake.races[key[1:]] = {"data": body.get("data") or {},
                                       "times": int(body.get("times", 1))}
            elif int(body.get("code", 0)) == 0:
                fake.rejects.pop(key, None)
            else:
                fake.rejects[key] = {"code": int(body["code"]),
                                     "reason": body.get("reason", "BadRequest"),
                                     "message": body.get("message", "denied"),
                                     "times": int(body.get("times", 0))}
        return 200, {"ok": True}, []

    @staticmethod
    def validate(res, body, name=None):
        kind = RESOURCES[res][2]
        group = RESOURCES[res][0]
        meta = body.get("metadata") or {}
        n = meta.get("name") or name or ""
        if not n and not meta.get("generateName"):
            raise invalid(kind, group, "", [("metadata.name",
                                             "Required value: name or generateName is required")])
        if res in ("roles", "clusterroles", "rolebindings", "clusterrolebindings"):
            # RBAC names are path segments (system:auth-delegator), as in
            # the real API's ValidateRBACName
            if n in (".", "..") or "/" in n or "%" in n:
                raise invalid(kind, group, n, [("metadata.name", 'Invalid value: "%s": may '
                                                "not be '.' or '..' and may not contain "
                                                "'/' or '%%'" % n)])
        elif n and not re.fullmatch(r"[a-z0-9]([-a-z0-9.]*[a-z0-9])?", n) or len(n) > 253:
            raise invalid(kind, group, n, [("metadata.name", 'Invalid value: "%s": a lowercase '
                                            "RFC 1123 subdomain must consist of lower case "
                                            "alphanumeric characters, '-' or '.', and must start "
                                            "and end with an alphanumeric character" % n)])
        if res in ("rolebindings", "clusterrolebindings"):
            ref = body.get("roleRef") or {}
            if not ref.get("name") or ref.get("kind") not in ("Role", "ClusterRole"):
                raise invalid(kind, group, n, [("roleRef.name", "Required value")]
                              if not ref.get("name") else
                              [("roleRef.kind", 'Unsupported value: "%s": supported values: '
                                '"Role", "ClusterRole"' % ref.get("kind", ""))])
            if res == "clusterrolebindings" and ref.get("kind") == "Role":
                raise invalid(kind, group, n, [("roleRef.kind", 'Unsupported value: "Role": '
                                                'supported values: "ClusterRole"')])
            for i, s in enumerate(body.get("subjects") or []):
                if s.get("kind") == "ServiceAccount" and res == "clusterrolebindings" and \
                        not s.get("namespace"):
                    raise invalid(kind, group, n, [("subjects[%d].namespace" % i,
                                                    "Required value")])
        if res == "secrets" and body.get("type") == "kubernetes.io/service-account-token":
            ann = meta.get("annotations") or {}
            if not ann.get("kubernetes.io/service-account.name"):
                raise invalid(kind, group, n, [
                    ("metadata.annotations[kubernetes.io/service-account.name]",
                     "Required value")])


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, addr, handler, ctx, timeout):
        super().__init__(addr, handler)
        self.ctx = ctx
        self.conn_timeout = timeout

    def get_request(self):
        # TLS handshake in the connection's thread, so a stuck client cannot
        # block accept()
        sock, addr = self.socket.accept()
        sock.settimeout(self.conn_timeout)
        return self.ctx.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), addr

    def handle_error(self, request, client_address):
        pass  # handshake failures and resets are logged by the handler


# ---------------------------------------------------------------- certificates

def openssl(*args, cwd):
    r = subprocess.run(["openssl"] + list(args), cwd=cwd, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit("k8s_fake: openssl %s failed: %s" % (args[0], r.stderr.strip()))


def make_certs(d, dns_names):
    """CA + server cert (SANs 127.0.0.1, localhost, extras); client CA + admin cert."""
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.crt", "-days", "2",
            "-subj", "/CN=ekskit-fake-ca", "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=d)
    sans = ",".join(["IP:127.0.0.1", "DNS:localhost"] + ["DNS:" + n for n in dns_names])
    with open(os.path.join(d, "server.ext"), "w") as f:
        f.write("basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
                "extendedKeyUsage=serverAuth\nsubjectAltName=%s\n" % sans)
    openssl("req", "-new", *ec, "-keyout", "server.key", "-out", "server.csr",
            "-subj", "/CN=kube-apiserver", cwd=d)
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
            "-CAcreateserial", "-out", "server.crt", "-days", "2", "-extfile", "server.ext", cwd=d)
    openssl("req", "-x509", *ec, "-keyout", "client-ca.key", "-out", "client-ca.crt",
            "-days", "2", "-subj", "/CN=ekskit-fake-client-ca",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=d)
    with open(os.path.join(d, "client.ext"), "w") as f:
        f.write("basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                "extendedKeyUsage=clientAuth\n")
    openssl("req", "-new", *ec, "-keyout", "admin.key", "-out", "admin.csr",
            "-subj", "/O=system:masters/CN=kubernetes-admin", cwd=d)
    openssl("x509", "-req", "-in", "admin.csr", "-CA", "client-ca.crt", "-CAkey",
            "client-ca.key", "-CAcreateserial", "-out", "admin.crt", "-days", "2",
            "-extfile", "client.ext", cwd=d)
    for k in ("ca.key", "server.key", "client-ca.key", "admin.key"):
        os.chmod(os.path.join(d, k), 0o600)
    with open(os.path.join(d, "ca.crt"), "rb") as f:
        ca_pem = f.read()
    return {
        "dir": d, "ca_file": os.path.join(d, "ca.crt"), "ca_pem": ca_pem,
        "server_cert": os.path.join(d, "server.crt"), "server_key": os.path.join(d, "server.key"),
        "client_ca_file": os.path.join(d, "client-ca.crt"),
        "client_ca_key": os.path.join(d, "client-ca.key"),
        "admin_cert": os.path.join(d, "admin.crt"), "admin_key": os.path.join(d, "admin.key"),
        "admin_token": pysecrets.token_urlsafe(32),
    }


def use_given_server_cert(certs, args):
    """--tls-cert: a test's own certificate (e.g. one naming only an EKS host)."""
    with open(args.tls_ca, "rb") as f:
        certs["ca_pem"] = f.read()
    certs.update(server_cert=args.tls_cert, server_key=args.tls_key, ca_file=args.tls_ca)


def parse_args(argv):
    ap = argparse.ArgumentParser(description="TLS fake Kubernetes API server (tests only)")
    ap.add_argument("--port", type=int, default=0, help="0 picks a free port")
    ap.add_argument("--info-file", help="write the JSON start-up info here (mode 0600)")
    ap.add_argument("--cert-dir", help="directory for generated certificates "
                    "(default: a private temp dir removed on exit)")
    ap.add_argument("--dns-name", action="append", default=[],
                    help="extra DNS SAN for the server certificate (repeatable)")
    ap.add_argument("--moto-url", default=os.environ.get("MOTO_URL"),
                    help="moto endpoint used for GetCallerIdentity (default $MOTO_URL)")
    ap.add_argument("--cluster-id", default="ekskit-test",
                    help="the x-k8s-aws-id this cluster expects")
    ap.add_argument("--partition", default="aws", choices=sorted(eks_token._REGION))
    ap.add_argument("--sigv4-secrets", help="file of 'ACCESS_KEY_ID SECRET' lines: recompute "
                    "EKS token signatures (wrong cluster id -> 401)")
    ap.add_argument("--sigv4-allow-unknown", action="store_true",
                    help="with --sigv4-secrets, skip the check for keys not in the file")
    ap.add_argument("--max-token-seconds", type=int, default=86400,
                    help="TokenRequest cap (0: none)")
    ap.add_argument("--api-audience", action="append", default=None,
                    help="audiences the API server accepts (default %s)" % DEFAULT_AUDIENCE)
    ap.add_argument("--state", help="JSON or YAML list (or List) of initial objects")
    ap.add_argument("--token-controller-delay", type=float, default=1.0)
    ap.add_argument("--no-token-controller", action="store_true",
                    help="never fill service-account-token secrets")
    ap.add_argument("--delay-seconds", type=float, default=0.0,
                    help="sleep before answering each request (hang tests)")
    ap.add_argument("--log", help="request log file (never contains tokens)")
    ap.add_argument("--tls-cert", help="serve this server certificate (PEM) instead of the "
                    "generated one; needs --tls-key and --tls-ca")
    ap.add_argument("--tls-key", help="the key of --tls-cert")
    ap.add_argument("--tls-ca", help="the CA that signed --tls-cert (reported as ca_file/ca_data)")
    ap.add_argument("--bind", default="127.0.0.1",
                    help="loopback address to listen on (127.0.0.0/8 only)")
    a = ap.parse_args(argv)
    if bool(a.tls_cert) != bool(a.tls_key) or bool(a.tls_cert) != bool(a.tls_ca):
        ap.error("--tls-cert, --tls-key and --tls-ca go together")
    if not re.fullmatch(r"127\.\d{1,3}\.\d{1,3}\.\d{1,3}", a.bind):
        ap.error("--bind must be a 127.0.0.0/8 address")
    a.api_audience = a.api_audience or [DEFAULT_AUDIENCE]
    return a


def main(argv=None):
    args = parse_args(argv if argv is not None else sys.argv[1:])
    own_dir = args.cert_dir is None
    d = tempfile.mkdtemp(prefix="ekskit-k8s-fake.") if own_dir else args.cert_dir
    os.makedirs(d, exist_ok=True)
    try:
        certs = make_certs(d, args.dns_name)
        if args.tls_cert:
            use_given_server_cert(certs, args)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(certs["server_cert"], certs["server_key"])
        ctx.load_verify_locations(certs["client_ca_file"])
        ctx.verify_mode = ssl.CERT_OPTIONAL
        ctx.set_alpn_protocols(["http/1.1"])
        Handler.fake = Fake(args, certs)
        srv = Server((args.bind, args.port), Handler, ctx, 30)
        port = srv.server_address[1]
        info = {
            "url": "https://%s:%d" % (args.bind, port), "port": port, "pid": os.getpid(),
            "ca_file": certs["ca_file"], "ca_data": b64(certs["ca_pem"]),
            "admin_cert": certs["admin_cert"], "admin_key": certs["admin_key"],
            "admin_token": certs["admin_token"],
            "client_ca_file": certs["client_ca_file"], "client_ca_key": certs["client_ca_key"],
            "cluster_id": args.cluster_id, "cert_dir": d,
        }
        if args.info_file:
            tmp = args.info_file + ".tmp"
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                json.dump(info, f)
            os.rename(tmp, args.info_file)
        else:
            print(json.dumps(info), flush=True)
        Handler.fake.log("listening on %s (cluster id %s)" % (info["url"], args.cluster_id))
        signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=srv.shutdown).start())
        try:
            srv.serve_forever(poll_interval=0.2)
        except KeyboardInterrupt:
            pass
        srv.server_close()
    finally:
        if own_dir:
            shutil.rmtree(d, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
