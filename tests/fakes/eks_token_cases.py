#!/usr/bin/env python3
"""EKS token cases against a running fake API server (run by
tests/integration/fake_k8s_selftest.sh).

Tokens are minted with botocore (eks_token.presign_url), then mutated one rule
at a time; each must be refused with 401 and the authenticator's reason in the
fake's request log.  Identities come from moto (IAM users, an assumed role),
and are mapped through kube-system/aws-auth.  Prints "ok: ..." / "FAIL: ..."
lines; exit 0 only when every case passed.

Environment: K8S_URL, K8S_CA_FILE, K8S_ADMIN_TOKEN, K8S_FAKE_LOG,
K8S_CLUSTER_ID, MOTO_URL, SIGV4_SECRETS (the fake's --sigv4-secrets file).
"""

import datetime
import json
import os
import ssl
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import eks_token  # noqa: E402

ENV = os.environ
URL, CA, LOG = ENV["K8S_URL"], ENV["K8S_CA_FILE"], ENV["K8S_FAKE_LOG"]
CLUSTER, MOTO = ENV["K8S_CLUSTER_ID"], ENV["MOTO_URL"]
REGION = "us-west-2"
CTX = ssl.create_default_context(cafile=CA)
failed = []


def ok(msg):
    print("ok: " + msg)


def fail(msg):
    print("FAIL: " + msg)
    failed.append(msg)


def request(token, method="GET", path="/version", body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(URL + path, data=data, method=method, headers={
        "Authorization": "Bearer " + token, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, context=CTX, timeout=20) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def whoami(token):
    code, body = request(token, "POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews",
                         {"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"})
    return code, (body or {}).get("status", {}).get("userInfo") if code == 201 else body


def log_size():
    return os.path.getsize(LOG)


def log_since(pos):
    with open(LOG) as f:
        f.seek(pos)
        return f.read()


def expect_rejected(name, token, reason):
    pos = log_size()
    code, body = request(token)
    time.sleep(0.05)
    tail = log_since(pos)
    if code != 401 or (body or {}).get("reason") != "Unauthorized":
        fail("%s: want 401 Unauthorized Status, got %s %s" % (name, code, body))
    elif reason not in tail:
        fail("%s: 401 but the log lacks [%s]: %s" % (name, reason, tail.strip()))
    else:
        ok("%s: 401 (%s)" % (name, reason))
    if token in tail or (len(token) > 40 and token[11:60] in tail):
        fail("%s: the token appears in the request log" % name)


def mint(akid, secret, session=None, cluster=CLUSTER, host=None, age=0, expires=60):
    when = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=age)
    return eks_token.presign_url(akid, secret, REGION, cluster, session, host=host, when=when,
                                 expires=expires)


def tok(url):
    return eks_token.encode_token(url)


def add_secret(akid, secret):
    with open(ENV["SIGV4_SECRETS"], "a") as f:
        f.write("%s %s\n" % (akid, secret))


def moto_clients():
    import boto3
    kw = dict(endpoint_url=MOTO, region_name=REGION, aws_access_key_id="AKIDEXAMPLETESTKEY01",
              aws_secret_access_key="testsecret")
    return boto3.client("iam", **kw), boto3.client("sts", **kw)


def format_rules(akid, secret):
    good = mint(akid, secret)
    expect_rejected("token too large", "k8s-aws-v1." + "A" * 4100, "token is too large")
    expect_rejected("padded base64", tok(good) + "=" * (-len(tok(good)[11:]) % 4 or 4),
                    "illegal base64 data")
    expect_rejected("standard base64 alphabet", "k8s-aws-v1.aGVsbG8/+A", "illegal base64 data")
    expect_rejected("scheme http", tok(good.replace("https://", "http://", 1)),
                    'unexpected scheme "http"')
    expect_rejected("look-alike host",
                    tok(good.replace("sts.us-west-2.amazonaws.com",
                                     "sts.us-west-2.amazonaws.com.evil.example", 1)),
                    "unexpected hostname")
    expect_rejected("host with port",
                    tok(good.replace("amazonaws.com/", "amazonaws.com:443/", 1)),
                    "unexpected hostname")
    expect_rejected("loopback host",
                    tok(good.replace("sts.us-west-2.amazonaws.com", "127.0.0.1", 1)),
                    "unexpected hostname")
    expect_rejected("china host in the aws partition",
                    tok(mint(akid, secret, host="sts.cn-north-1.amazonaws.com.cn")),
                    "unexpected hostname")
    expect_rejected("path", tok(good.replace("amazonaws.com/", "amazonaws.com/x/", 1)),
                    "unexpected path in pre-signed URL")
    expect_rejected("extra parameter", tok(good + "&Foo=bar"),
                    'non-whitelisted query parameter "Foo"')
    expect_rejected("repeated parameter", tok(good + "&Action=GetCallerIdentity"),
                    "query parameter with multiple values not supported")
    expect_rejected("other action",
                    tok(good.replace("Action=GetCallerIdentity", "Action=GetSessionToken")),
                    "unexpected action parameter in pre-signed URL")
    expect_rejected("cluster header not signed",
                    tok(good.replace("host%3Bx-k8s-aws-id", "host")),
                    "client did not sign the x-k8s-aws-id header")
    expect_rejected("X-Amz-Expires 901", tok(mint(akid, secret, expires=901)),
                    "invalid X-Amz-Expires parameter in pre-signed URL: 901")
    no_date = "&".join(p for p in good.split("&") if not p.startswith("X-Amz-Date="))
    expect_rejected("no X-Amz-Date", tok(no_date),
                    "X-Amz-Date parameter must be present in pre-signed URL")
    bad_date = good.replace("X-Amz-Date=", "X-Amz-Date=x", 1)
    expect_rejected("malformed X-Amz-Date", tok(bad_date), "error parsing X-Amz-Date parameter")
    expect_rejected("signed 16 minutes ago", tok(mint(akid, secret, age=16 * 60)),
                    "X-Amz-Date parameter is expired (15 minute expiration)")
    expect_rejected("signed for another cluster", tok(mint(akid, secret, cluster="other")),
                    "SignatureDoesNotMatch")
    expect_rejected("signed with another secret", tok(mint(akid, secret + "x")),
                    "SignatureDoesNotMatch")
    expect_rejected("X-Amz-signature spelled differently",
                    tok(good.replace("X-Amz-Signature=", "X-Amz-signature=")), "IncompleteSignature")
    expect_rejected("non-ASCII signature", tok(good[:-4] + "%e9a"), "SignatureDoesNotMatch")
    expect_rejected("unknown access key",
                    tok(mint("AKIDUNKNOWNKEY000001", "s3cret")), "unknown access key")
    # host names the authenticator accepts (rule level: moto answers any)
    for host, part in (("sts.amazonaws.com", "aws"), ("sts-fips.us-east-1.amazonaws.com", "aws"),
                       ("sts.eu-west-1.api.aws", "aws"), ("sts-fips.us-west-2.api.aws", "aws"),
                       ("sts.cn-north-1.amazonaws.com.cn", "aws-cn"),
                       ("sts.us-gov-west-1.amazonaws.com", "aws-us-gov")):
        try:
            eks_token.parse_token(tok(mint(akid, secret, host=host)), part)
            ok("host %s accepted in partition %s" % (host, part))
        except eks_token.TokenError as e:
            fail("host %s refused: %s" % (host, e))
    try:
        eks_token.parse_token("k8s-aws-v2." + tok(good)[11:])
        fail("wrong prefix accepted")
    except eks_token.TokenError as e:
        if 'missing expected "k8s-aws-v1." prefix' in str(e):
            ok("wrong prefix refused")
        else:
            fail("wrong prefix: %s" % e)


def request_key(token):
    p = eks_token.parse_token(token)[1]
    return (p.scheme, p.netloc, p.path, urllib.parse.parse_qsl(p.query, keep_blank_values=True))


def mutations(akid, secret, n=150):
    """Random one-character changes to a good token: never a 500, and a 200
    only when the change decodes to the same request (unused base64 bits, the
    scheme's case, percent-escapes' case)."""
    import random
    seed = int(os.environ.get("EKS_MUTATION_SEED") or time.time())
    rng = random.Random(seed)  # the property must hold for every seed
    good = tok(mint(akid, secret))
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/.%"
    bad = 0
    pos = log_size()
    for _ in range(n):
        i = rng.randrange(len(eks_token.V1_PREFIX), len(good))
        t = good[:i] + rng.choice(alphabet) + good[i + 1:]
        code, _ = request(t)
        if code == 401:
            continue
        same = False
        try:
            # the same request: URL schemes are case-insensitive (Go lowercases
            # them too), percent-escapes decode alike (%2f = %2F), and unused
            # base64 bits decode to the same bytes
            same = request_key(t) == request_key(good)
        except eks_token.TokenError:
            pass
        if not (code == 200 and same):
            bad += 1
            fail("mutated token at %d: HTTP %s (EKS_MUTATION_SEED=%d)" % (i, code, seed))
    if "a fake bug?" in log_since(pos):
        bad += 1
        fail("a mutated token hit an unexpected error in the fake (EKS_MUTATION_SEED=%d)" % seed)
    if not bad:
        ok("%d random one-character mutations (seed %d): all refused with 401 (or the same URL)"
           % (n, seed))


def identities(iam, sts):
    suffix = uuid.uuid4().hex[:8]
    names = {}
    for who in ("alice", "mallory"):
        name = "%s-%s" % (who, suffix)
        iam.create_user(UserName=name)
        key = iam.create_access_key(UserName=name)["AccessKey"]
        add_secret(key["AccessKeyId"], key["SecretAccessKey"])
        names[who] = (name, key["AccessKeyId"], key["SecretAccessKey"], None)
    role = "deployer-%s" % suffix
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
        "Action": "sts:AssumeRole"}]})
    arn = iam.create_role(RoleName=role, Path="/team/", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    c = sts.assume_role(RoleArn=arn, RoleSessionName="bob@example.com")["Credentials"]
    add_secret(c["AccessKeyId"], c["SecretAccessKey"])
    names["role"] = (role, c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])
    names["role_arn"] = arn
    return names


def check_user(label, token, username, groups, extra=None):
    code, info = whoami(token)
    if code != 201:
        fail("%s: whoami %s %s" % (label, code, info))
        return
    if info.get("username") != username or info.get("groups") != groups:
        fail("%s: got %s %s, want %s %s" % (label, info.get("username"), info.get("groups"),
                                             username, groups))
        return
    for k, v in (extra or {}).items():
        if info.get("extra", {}).get(k) != [v]:
            fail("%s: extra %s = %s, want [%s]" % (label, k, info.get("extra", {}).get(k), v))
            return
    ok("%s: %s %s" % (label, username, groups))


def mapping(ids):
    alice, akid_a, sec_a, _ = ids["alice"]
    role, akid_r, sec_r, sess_r = ids["role"]
    mallory, akid_m, sec_m, _ = ids["mallory"]
    t_alice = tok(mint(akid_a, sec_a))
    t_role = tok(mint(akid_r, sec_r, session=sess_r))
    t_mallory = tok(mint(akid_m, sec_m))
    user_arn = "arn:aws:iam::123456789012:user/" + alice
    role_arn = "arn:aws:iam::123456789012:role/" + role
    admin = ENV["K8S_ADMIN_TOKEN"]
    request(admin, "DELETE", "/api/v1/namespaces/kube-system/configmaps/aws-auth")
    check_user("no aws-auth: IAM user is an administrator", t_alice, user_arn,
               ["system:masters", "system:authenticated"],
               {"arn": user_arn, "canonicalArn": user_arn, "accessKeyId": akid_a})
    check_user("no aws-auth: assumed role canonicalised", t_role, role_arn,
               ["system:masters", "system:authenticated"],
               {"arn": "arn:aws:sts::123456789012:assumed-role/%s/bob@example.com" % role,
                "canonicalArn": role_arn, "sessionName": "bob@example.com"})
    cm = {"apiVersion": "v1", "kind": "ConfigMap",
          "metadata": {"name": "aws-auth", "namespace": "kube-system"},
          "data": {
              # the mapping names the role with its path, as people write it
              "mapRoles": "- rolearn: %s\n  username: dev:{{SessionName}}\n  groups:\n"
                          "  - devs\n  - acct-{{AccountID}}\n" % ids["role_arn"],
              "mapUsers": "- userarn: %s\n  username: alice\n  groups: [system:masters]\n"
                          % user_arn.upper().replace("ARN:AWS:IAM", "arn:aws:iam"),
          }}
    code, body = request(admin, "POST", "/api/v1/namespaces/kube-system/configmaps", cm)
    if code != 201:
        fail("create aws-auth: %s %s" % (code, body))
        return
    check_user("aws-auth mapUsers (ARN compared case-insensitively)", t_alice, "alice",
               ["system:masters", "system:authenticated"])
    check_user("aws-auth mapRoles with path and templates", t_role, "dev:bob-example.com",
               ["devs", "acct-123456789012", "system:authenticated"])
    expect_rejected("ARN not in aws-auth", t_mallory, "ARN is not mapped")
    code, body = request(t_role, "GET", "/api/v1/namespaces/default/serviceaccounts")
    msg = (body or {}).get("message", "")
    want = ('serviceaccounts is forbidden: User "dev:bob-example.com" cannot list resource '
            '"serviceaccounts" in API group "" in the namespace "default"')
    if code == 403 and msg == want:
        ok("mapped role without RBAC: 403 with the real message")
    else:
        fail("mapped role without RBAC: %s %s" % (code, body))
    request(admin, "DELETE", "/api/v1/namespaces/kube-system/configmaps/aws-auth")


def main():
    iam, sts = moto_clients()
    ids = identities(iam, sts)
    _, akid, secret, _ = ids["alice"]
    code, _ = request(tok(mint(akid, secret)))
    if code == 200:
        ok("valid token: GET /version 200")
    else:
        fail("valid token: GET /version %s" % code)
    code, _ = request(tok(mint(akid, secret, age=14 * 60)))
    if code == 200:
        ok("token signed 14 minutes ago still valid")
    else:
        fail("token signed 14 minutes ago: %s" % code)
    format_rules(akid, secret)
    mutations(akid, secret)
    mapping(ids)
    print("%d failed" % len(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
