#!/usr/bin/env python3
"""Loopback fake of the EC2 instance metadata service, IMDSv2 only.

PUT /latest/api/token needs `X-aws-ec2-metadata-token-ttl-seconds` (1..21600)
and returns a session token; every GET must carry it in
`X-aws-ec2-metadata-token`, token-less requests get 401 (as an instance with
HttpTokens=required).  --allow-v1 accepts token-less GETs; --no-v2 makes the
token PUT fail with 403 (an IMDSv1-only service) to exercise the opt-in
fallback.  Loopback only: binds 127.0.0.1.
"""
import os
import secrets
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import awsfake  # noqa: E402

TOKENS = set()


class ImdsHandler(awsfake.Handler):
    def do_PUT(self):
        if self.path != "/latest/api/token":
            self.reply(404, "not found", "text/plain")
            return
        if self.args.no_v2:
            self.reply(403, "forbidden", "text/plain")
            return
        ttl = self.headers.get("X-aws-ec2-metadata-token-ttl-seconds", "")
        if not ttl.isdigit() or not 1 <= int(ttl) <= 21600:
            self.reply(400, "missing or invalid ttl header", "text/plain")
            return
        tok = secrets.token_urlsafe(32)
        TOKENS.add(tok)
        self.reply(200, tok, "text/plain")

    def do_GET(self):
        a = self.args
        tok = self.headers.get("X-aws-ec2-metadata-token")
        if tok is None and not a.allow_v1:
            self.reply(401, "token required", "text/plain")
            return
        if tok is not None and tok not in TOKENS:
            self.reply(401, "invalid token", "text/plain")
            return
        base = "/latest/meta-data/iam/security-credentials/"
        if self.path == base:
            if a.role is None:
                self.reply(404, "no role", "text/plain")
            else:
                self.reply(200, a.role + "\n", "text/plain")
        elif a.role is not None and self.path == base + a.role:
            self.reply_json(200, {
                "Code": "Success",
                "LastUpdated": awsfake.iso(time.time()),
                "Type": "AWS-HMAC",
                "AccessKeyId": a.access_key,
                "SecretAccessKey": "fakeImdsSecret/+=",
                "Token": "fakeImdsSessionToken",
                "Expiration": awsfake.iso(time.time() + a.lifetime),
            })
        elif self.path == "/latest/meta-data/placement/region":
            self.reply(200, a.region, "text/plain")
        else:
            self.reply(404, "not found", "text/plain")


def main():
    p = awsfake.base_args(__doc__)
    p.add_argument("--role", default="fake-instance-role",
                   help="instance profile role name ('' = no role)")
    p.add_argument("--region", default="eu-north-1")
    p.add_argument("--allow-v1", action="store_true")
    p.add_argument("--no-v2", action="store_true")
    a = p.parse_args()
    if a.role == "":
        a.role = None
    awsfake.serve(ImdsHandler, a)


if __name__ == "__main__":
    main()
