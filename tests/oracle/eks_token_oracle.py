#!/usr/bin/env python3
"""botocore / awscli oracle for EKS tokens.

Writes a JSON file of seeded-random cases, each with the presigned URL and
the token exactly as `aws eks get-token` builds them: awscli's own
STSClientFactory and TokenGenerator when awscli is installed (otherwise the
same two event handlers registered on a plain botocore STS client), i.e.

    sts.generate_presigned_url('get_caller_identity',
                               Params={'x-k8s-aws-id': cluster},
                               ExpiresIn=60, HttpMethod='GET')

with the x-k8s-aws-id header injected at before-sign.  The clock is pinned
by patching botocore.auth.get_current_datetime.  The STS host is the one
botocore resolves for the region and endpoint settings (regional, legacy
global, FIPS, dual-stack); the C side signs for that same host.

Nothing here touches the network: presigning is local.

usage: eks_token_oracle.py --out FILE [--cases N] [--seed S]
"""
import argparse
import base64
import datetime
import json
import os
import random
import string
import sys
from unittest import mock

# The cases must not depend on the caller's AWS settings (the test
# environment points AWS_ENDPOINT_URL at moto, for instance): botocore reads
# only what this script sets.
for _k in [k for k in os.environ if k.startswith("AWS_")]:
    del os.environ[_k]
os.environ["AWS_CONFIG_FILE"] = os.devnull
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"

import botocore.exceptions  # noqa: E402  (after the environment is sealed)
import botocore.session  # noqa: E402

try:
    from awscli.customizations.eks.get_token import (STSClientFactory,
                                                     TokenGenerator)
    ORACLE = "awscli"
except ImportError:  # botocore alone: the same handlers awscli registers
    ORACLE = "botocore"
    K8S_AWS_ID = "x-k8s-aws-id"

    class STSClientFactory:
        def __init__(self, session):
            self._session = session

        def get_sts_client(self, region_name=None):
            sts = self._session.create_client("sts", region_name=region_name)
            sts.meta.events.register(
                "provide-client-params.sts.GetCallerIdentity", self._take_id)
            sts.meta.events.register(
                "before-sign.sts.GetCallerIdentity", self._inject_id)
            return sts

        @staticmethod
        def _take_id(params, context, **kwargs):
            if K8S_AWS_ID in params:
                context[K8S_AWS_ID] = params.pop(K8S_AWS_ID)

        @staticmethod
        def _inject_id(request, **kwargs):
            if K8S_AWS_ID in request.context:
                request.headers[K8S_AWS_ID] = request.context[K8S_AWS_ID]

    class TokenGenerator:
        def __init__(self, sts_client):
            self._sts = sts_client

        def get_token(self, k8s_aws_id):
            url = self._sts.generate_presigned_url(
                "get_caller_identity", Params={K8S_AWS_ID: k8s_aws_id},
                ExpiresIn=60, HttpMethod="GET")
            return "k8s-aws-v1." + base64.urlsafe_b64encode(
                url.encode()).decode().rstrip("=")

# partition -> regions (every partition botocore knows STS in)
PARTITIONS = {
    "aws": ["us-east-1", "us-east-2", "us-west-1", "us-west-2", "af-south-1",
            "ap-east-1", "ap-south-1", "ap-south-2", "ap-northeast-1",
            "ap-northeast-2", "ap-northeast-3", "ap-southeast-1",
            "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
            "ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2",
            "eu-west-1", "eu-west-2", "eu-west-3", "eu-north-1", "eu-south-1",
            "eu-south-2", "il-central-1", "me-central-1", "me-south-1",
            "mx-central-1", "sa-east-1"],
    "aws-cn": ["cn-north-1", "cn-northwest-1"],
    "aws-us-gov": ["us-gov-west-1", "us-gov-east-1"],
    "aws-iso": ["us-iso-east-1", "us-iso-west-1"],
    "aws-iso-b": ["us-isob-east-1"],
    "aws-iso-e": ["eu-isoe-west-1"],
    "aws-iso-f": ["us-isof-south-1", "us-isof-east-1"],
    "aws-eusc": ["eusc-de-east-1"],
}
# endpoint flavours: (sts_regional_endpoints, use_fips, use_dualstack)
VARIANTS = {
    "regional": ("regional", False, False),
    "legacy": ("legacy", False, False),  # global host for the aws partition
    "fips": ("regional", True, False),
    "dualstack": ("regional", False, True),
    "fips+dualstack": ("regional", True, True),
}
B64 = string.ascii_letters + string.digits + "+/"
NAME = string.ascii_letters + string.digits + "-_"


def rand_str(rng, alphabet, n):
    return "".join(rng.choice(alphabet) for _ in range(n))


def session_token(rng):
    """A session-token-like string that always holds '+', '/' and '='."""
    n = rng.randint(16, 700)
    body = list(rand_str(rng, B64, n))
    for ch in "+/":
        body[rng.randrange(n)] = ch
    return "".join(body) + "=" * rng.randint(1, 2)


def cluster_id(rng, i):
    kind = i % 5
    if kind == 0:  # a long name, up to 100 characters
        n = rng.randint(90, 100)
    elif kind == 1:  # an Outposts-style cluster id (a UUID)
        h = rand_str(rng, "0123456789abcdef", 32)
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
    else:
        n = rng.randint(1, 40)
    return rng.choice(string.ascii_letters + string.digits) + \
        rand_str(rng, NAME, n - 1)


def make_cases(count, seed):
    rng = random.Random(seed)
    sessions = {}  # one botocore session per endpoint flavour (fast)
    regions = [(p, r) for p, rs in PARTITIONS.items() for r in rs]
    lo = int(datetime.datetime(2015, 1, 1, tzinfo=datetime.timezone.utc).timestamp())
    hi = int(datetime.datetime(2035, 12, 31, tzinfo=datetime.timezone.utc).timestamp())
    cases = []
    i = 0
    while len(cases) < count:
        # every region at least once, then random ones
        partition, region = regions[i] if i < len(regions) else rng.choice(regions)
        variant = "regional" if i < len(regions) else rng.choice(list(VARIANTS))
        i += 1
        sess = sessions.get(variant)
        if sess is None:
            sess = sessions[variant] = botocore.session.Session()
            mode, fips, dual = VARIANTS[variant]
            sess.set_config_variable("sts_regional_endpoints", mode)
            sess.set_config_variable("use_fips_endpoint", fips)
            sess.set_config_variable("use_dualstack_endpoint", dual)
        akid = rng.choice(["AKIA", "ASIA"]) + rand_str(
            rng, string.ascii_uppercase + "234567", 16)
        secret = rand_str(rng, B64, 40)
        token = session_token(rng) if rng.random() < 0.6 else None
        cid = cluster_id(rng, i)
        now = rng.randint(lo, hi)
        sess.set_credentials(akid, secret, token)
        pinned = datetime.datetime.fromtimestamp(
            now, datetime.timezone.utc).replace(tzinfo=None)
        try:
            sts = STSClientFactory(sess).get_sts_client(region_name=region)
            with mock.patch("botocore.auth.get_current_datetime",
                            return_value=pinned):
                tok = TokenGenerator(sts).get_token(cid)
        except botocore.exceptions.BotoCoreError:
            continue  # an endpoint flavour this partition does not offer
        payload = tok[len("k8s-aws-v1."):]
        url = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()
        host = url.split("/")[2]
        scope = url.split("X-Amz-Credential=")[1].split("&")[0].split("%2F")
        cases.append({
            "partition": partition, "region": region, "variant": variant,
            "signing_region": scope[2], "host": host,
            "access_key_id": akid, "secret_access_key": secret,
            "session_token": token, "cluster_id": cid, "now": now,
            "url": url, "token": tok,
        })
    return cases


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--cases", type=int, default=300)
    ap.add_argument("--seed", type=int, default=20260426)
    a = ap.parse_args()
    cases = make_cases(a.cases, a.seed)
    with open(a.out, "w") as f:
        json.dump({"oracle": ORACLE, "botocore": botocore.__version__,
                   "seed": a.seed, "cases": cases}, f)
    parts = sorted({c["partition"] for c in cases})
    print(f"{len(cases)} cases from {ORACLE} (botocore {botocore.__version__}), "
          f"seed {a.seed}, partitions: {' '.join(parts)}; "
          f"{sum(c['session_token'] is not None for c in cases)} with session tokens, "
          f"{sum(c['host'] == 'sts.amazonaws.com' for c in cases)} on the global host")
    return 0


if __name__ == "__main__":
    sys.exit(main())
