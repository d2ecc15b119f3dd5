#!/usr/bin/env python3
"""A kubectl exec credential plugin in Python, for tests ("another command"
than eks-token): prints an ExecCredential whose token is minted by botocore
like `aws eks get-token --cluster-name NAME` would, for the apiVersion that
kubectl asks for in KUBERNETES_EXEC_INFO (v1beta1 when absent).

Usage: exec_plugin.py --cluster-name NAME [--region R] [--role-arn ARN]
Credentials: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY [, AWS_SESSION_TOKEN].
"""

import argparse
import datetime
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import eks_token  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cluster-name", required=True)
    ap.add_argument("--region", default=os.environ.get("AWS_REGION", "us-west-2"))
    ap.add_argument("--role-arn", help="assume this role first (at AWS_ENDPOINT_URL: moto)")
    a = ap.parse_args()
    info = json.loads(os.environ.get("KUBERNETES_EXEC_INFO") or "{}")
    version = info.get("apiVersion") or "client.authentication.k8s.io/v1beta1"
    try:
        akid, secret = os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"]
    except KeyError:
        print("exec_plugin.py: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are required",
              file=sys.stderr)
        return 1
    session = os.environ.get("AWS_SESSION_TOKEN")
    if a.role_arn:
        import boto3
        sts = boto3.client("sts", region_name=a.region, aws_access_key_id=akid,
                           aws_secret_access_key=secret, aws_session_token=session,
                           endpoint_url=os.environ["AWS_ENDPOINT_URL"])
        c = sts.assume_role(RoleArn=a.role_arn, RoleSessionName="exec-plugin")["Credentials"]
        akid, secret, session = c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"]
    now = datetime.datetime.now(datetime.timezone.utc)
    url = eks_token.presign_url(akid, secret, a.region, a.cluster_name, session, when=now)
    out = {"kind": "ExecCredential", "apiVersion": version, "spec": {"interactive": False},
           "status": {"expirationTimestamp":
                      (now + datetime.timedelta(minutes=14)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                      "token": eks_token.encode_token(url)}}
    print(json.dumps(out, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
