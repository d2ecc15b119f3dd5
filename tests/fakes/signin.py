#!/usr/bin/env python3
"""Loopback fake of the AWS sign-in service's CreateOAuth2Token (POST /v1/token),
the refresh that `aws login` profiles need (botocore's LoginProvider).

The JSON body must carry clientId (--client-id), grantType refresh_token and
refreshToken; the DPoP header must be an ES256 JWT (typ dpop+jwt) whose jwk is
the public half of --key-file (the cached dpopKey), whose signature verifies
with that key, with htm POST, htu this endpoint's URL, a recent iat and a jti
never seen before.  Success: {"accessToken": {accessKeyId, secretAccessKey,
sessionToken}, "tokenType": "aws_sigv4", "expiresIn", "refreshToken"}.  A bad
proof is 400 ValidationException {"error": "INVALID_DPOP"}; a wrong refresh
token 400 AccessDeniedException {"error": "TOKEN_EXPIRED"}.  Proofs are
verified with python `cryptography` when installed, else with the openssl
command.  Loopback only.
"""
import base64
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import awsfake  # noqa: E402

SEEN_JTI = set()


def b64u(data):
    return base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))


def public_xy(key_file):
    """The (x, y) of the key file's public half, 32 bytes each."""
    try:
        from cryptography.hazmat.primitives import serialization
        key = serialization.load_pem_private_key(open(key_file, "rb").read(), None)
        n = key.public_key().public_numbers()
        return n.x.to_bytes(32, "big"), n.y.to_bytes(32, "big")
    except ImportError:
        der = subprocess.run(["openssl", "ec", "-in", key_file, "-pubout", "-outform", "DER"],
                             capture_output=True, check=True).stdout
        point = der[-65:]  # uncompressed 04 || x || y
        return point[1:33], point[33:65]


def verify_es256(key_file, signing_input, sig):
    r, s = int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big")
    try:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec, utils
        key = serialization.load_pem_private_key(open(key_file, "rb").read(), None)
        try:
            key.public_key().verify(utils.encode_dss_signature(r, s), signing_input,
                                    ec.ECDSA(hashes.SHA256()))
            return True
        except InvalidSignature:
            return False
    except ImportError:
        def der_int(v):
            b = v.to_bytes(33, "big").lstrip(b"\0")
            b = b"\0" + b if b[0] & 0x80 else b
            return b"\x02" + bytes([len(b)]) + b
        body = der_int(r) + der_int(s)
        der = b"\x30" + bytes([len(body)]) + body
        with tempfile.TemporaryDirectory() as d:
            pub, sigf, data = (os.path.join(d, n) for n in ("pub.pem", "sig", "data"))
            subprocess.run(["openssl", "ec", "-in", key_file, "-pubout", "-out", pub],
                           capture_output=True, check=True)
            open(sigf, "wb").write(der)
            open(data, "wb").write(signing_input)
            return subprocess.run(["openssl", "dgst", "-sha256", "-verify", pub,
                                   "-signature", sigf, data],
                                  capture_output=True).returncode == 0


def check_dpop(proof, key_file, url):
    """None when the proof is valid for url, else why not."""
    try:
        h64, p64, s64 = proof.split(".")
        header, claims, sig = json.loads(b64u(h64)), json.loads(b64u(p64)), b64u(s64)
    except (ValueError, AttributeError):
        return "not a JWT"
    x, y = public_xy(key_file)
    jwk = header.get("jwk", {})
    if header.get("typ") != "dpop+jwt" or header.get("alg") != "ES256":
        return "bad typ/alg"
    if jwk != {"kty": "EC", "x": base64.urlsafe_b64encode(x).rstrip(b"=").decode(),
               "y": base64.urlsafe_b64encode(y).rstrip(b"=").decode(), "crv": "P-256"}:
        return "jwk is not the cached key's public half"
    if len(sig) != 64 or not verify_es256(key_file, (h64 + "." + p64).encode(), sig):
        return "signature does not verify with the cached key"
    if claims.get("htm") != "POST" or claims.get("htu") != url:
        return "htm/htu %r %r" % (claims.get("htm"), claims.get("htu"))
    if not isinstance(claims.get("iat"), int) or abs(claims["iat"] - time.time()) > 300:
        return "iat"
    if not claims.get("jti") or claims["jti"] in SEEN_JTI:
        return "jti missing or replayed"
    SEEN_JTI.add(claims["jti"])
    return None


class SigninHandler(awsfake.Handler):
    def do_POST(self):
        a = self.args
        try:
            req = self.read_json("/v1/token")
        except ValueError:
            req = {}
        if req is None:
            return
        url = "http://127.0.0.1:%d/v1/token" % self.server.server_address[1]
        why = check_dpop(self.headers.get("DPoP"), a.key_file, url)
        if why is not None:
            with open(a.log + ".dpop", "a") as f:
                f.write(why + "\n")
            self.error(400, "ValidationException", "INVALID_DPOP")
        elif req.get("grantType") != "refresh_token" or req.get("clientId") != a.client_id:
            self.error(400, "ValidationException", "INVALID_REQUEST")
        elif req.get("refreshToken") != a.refresh_token:
            self.error(400, "AccessDeniedException", "TOKEN_EXPIRED")
        else:
            self.reply_json(200, {
                "accessToken": {"accessKeyId": a.access_key,
                                "secretAccessKey": "fakeLoginSecret/+=",
                                "sessionToken": "fakeLoginSessionToken"},
                "tokenType": "aws_sigv4", "expiresIn": a.lifetime,
                "refreshToken": a.new_refresh_token})

    def error(self, status, typ, code):
        self.reply_aws_error(status, typ, {"error": code, "message": "fake"})


def main():
    p = awsfake.base_args(__doc__)
    p.add_argument("--key-file", required=True, help="the cached dpopKey (PEM)")
    p.add_argument("--client-id", required=True)
    p.add_argument("--refresh-token", required=True)
    p.add_argument("--new-refresh-token", required=True)
    awsfake.serve(SigninHandler, p.parse_args())


if __name__ == "__main__":
    main()
