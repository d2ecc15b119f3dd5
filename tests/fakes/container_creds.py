#!/usr/bin/env python3
"""Loopback fake of the ECS / EKS Pod Identity container credentials endpoint.

Any GET path returns credentials.  With --token, the request must carry
`Authorization: <token>` exactly (401 otherwise), as the Pod Identity agent
requires.  Loopback only: binds 127.0.0.1.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import awsfake  # noqa: E402


class ContainerHandler(awsfake.Handler):
    def do_GET(self):
        a = self.args
        if a.token is not None and self.headers.get("Authorization") != a.token:
            self.reply_json(401, {"code": "AccessDenied",
                                  "message": "missing or wrong authorization token"})
            return
        if a.path is not None and self.path != a.path:
            self.reply_json(404, {"code": "NotFound", "message": "no such path"})
            return
        self.reply_json(200, {
            "AccessKeyId": a.access_key,
            "SecretAccessKey": "fakeContainerSecret/+=",
            "Token": "fakeContainerSessionToken",
            "Expiration": awsfake.iso(time.time() + a.lifetime),
            "RoleArn": "arn:aws:iam::123456789012:role/fake-task-role",
        })


def main():
    p = awsfake.base_args(__doc__)
    p.add_argument("--token", help="required Authorization header value")
    p.add_argument("--path", help="only this path serves credentials")
    awsfake.serve(ContainerHandler, p.parse_args())


if __name__ == "__main__":
    main()
