#!/usr/bin/env python3
"""Loopback fake of the IAM Identity Center portal's GetRoleCredentials.

GET /federation/credentials?role_name=R&account_id=A with header
`x-amz-sso_bearer_token: <a --token>` returns role credentials (expiration in
epoch milliseconds, as the real portal).  A wrong or missing bearer token
gets 401 UnauthorizedException; a role other than --role / account other
than --account gets 403 ForbiddenException.  Loopback only.
"""
import os
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import awsfake  # noqa: E402


class PortalHandler(awsfake.Handler):
    def do_GET(self):
        a = self.args
        u = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(u.query)
        if u.path != "/federation/credentials":
            self.reply_json(404, {"message": "not found"})
            return
        if self.headers.get("x-amz-sso_bearer_token") not in a.token:
            self.send_error_json(401, "UnauthorizedException",
                                 "Session token not found or invalid")
            return
        if q.get("role_name") != [a.role] or q.get("account_id") != [a.account]:
            self.send_error_json(403, "ForbiddenException", "No access")
            return
        self.reply_json(200, {"roleCredentials": {
            "accessKeyId": a.access_key,
            "secretAccessKey": "fakeSsoSecret/+=",
            "sessionToken": "fakeSsoSessionToken",
            "expiration": int((time.time() + a.lifetime) * 1000),
        }})

    def send_error_json(self, status, typ, msg):
        self.reply_aws_error(status, typ, {"message": msg})


def main():
    p = awsfake.base_args(__doc__)
    p.add_argument("--token", required=True, action="append",
                   help="a valid bearer token (repeat for several)")
    p.add_argument("--role", default="ReadOnly")
    p.add_argument("--account", default="123456789012")
    awsfake.serve(PortalHandler, p.parse_args())


if __name__ == "__main__":
    main()
