#!/usr/bin/env python3
"""Loopback fake of IAM Identity Center OIDC CreateToken (POST /token).

Only grant_type refresh_token (what botocore's SSOTokenProvider and
eks-token send): a JSON body with clientId, clientSecret, grantType and
refreshToken.  The right --client-id/--client-secret/--refresh-token get
{"accessToken": --access-token, "tokenType": "Bearer", "expiresIn":
--expires-in, "refreshToken": --new-refresh-token}; a wrong refresh token
gets 400 InvalidGrantException, a wrong client 401 InvalidClientException
(the service's rest-json errors).  Loopback only.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import awsfake  # noqa: E402


class OidcHandler(awsfake.Handler):
    def do_POST(self):
        a = self.args
        try:
            req = self.read_json("/token")
        except ValueError:
            self.error(400, "InvalidRequestException", "invalid_request")
            return
        if req is None:
            return
        if req.get("grantType") != "refresh_token":
            self.error(400, "UnsupportedGrantTypeException", "unsupported_grant_type")
        elif req.get("clientId") != a.client_id or req.get("clientSecret") != a.client_secret:
            self.error(401, "InvalidClientException", "invalid_client")
        elif req.get("refreshToken") != a.refresh_token:
            self.error(400, "InvalidGrantException", "invalid_grant")
        else:
            out = {"accessToken": a.access_token, "tokenType": "Bearer",
                   "expiresIn": a.expires_in}
            if a.new_refresh_token:
                out["refreshToken"] = a.new_refresh_token
            self.reply_json(200, out)

    def error(self, status, typ, code):
        self.reply_aws_error(status, typ, {"error": code, "error_description": "fake"})


def main():
    p = awsfake.base_args(__doc__)
    p.add_argument("--client-id", required=True)
    p.add_argument("--client-secret", required=True)
    p.add_argument("--refresh-token", required=True, help="the valid refresh token")
    p.add_argument("--access-token", required=True, help="the access token issued")
    p.add_argument("--new-refresh-token", default="", help="rotated refresh token")
    p.add_argument("--expires-in", type=int, default=3600)
    awsfake.serve(OidcHandler, p.parse_args())


if __name__ == "__main__":
    main()
