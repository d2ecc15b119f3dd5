"""EKS bearer tokens for the fake API server: verification and (for tests) generation.

Verification follows aws-iam-authenticator's server (pkg/token/token.go,
Verify): the rules are re-implemented here, in order, with the same error
texts, so a token that passes here passes there, and vice versa:

  1. length <= 4096 bytes, prefix "k8s-aws-v1."
  2. the rest is unpadded base64url (Go's RawURLEncoding: '=' is an error)
  3. it parses as a URL with scheme https, a host on the partition's STS
     allow-list and path "/"
  4. only allow-listed query parameters, each exactly once
  5. Action=GetCallerIdentity, X-Amz-SignedHeaders includes x-k8s-aws-id
  6. 0 <= X-Amz-Expires <= 900, X-Amz-Date present, parseable and not older
     than 15 minutes
  7. GET the URL with header x-k8s-aws-id: <cluster id>: here not to the real
     host (tests never leave loopback) but the same path and query to moto.

Limits (moto is not STS): moto never checks SigV4 signatures and reads the
caller's access key only from an Authorization header, so the fake repackages
the presigned query's X-Amz-Credential into one (no secret involved).  Without
a signature check a token minted for another cluster name would pass, so
verify_signature() recomputes the signature with botocore when the test told
the fake the secret keys it uses (--sigv4-secrets) and the cluster id it
expects: a token signed for another x-k8s-aws-id then fails like it would at
STS (SignatureDoesNotMatch).
"""

import base64
import datetime
import hmac
import re
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

V1_PREFIX = "k8s-aws-v1."
MAX_TOKEN_LEN = 4096
CLUSTER_ID_HEADER = "x-k8s-aws-id"
PRESIGNED_URL_EXPIRATION = 15 * 60
DATE_FORMAT = "%Y%m%dT%H%M%SZ"

ALLOWED_PARAMS = {
    "action", "version", "x-amz-algorithm", "x-amz-credential", "x-amz-date",
    "x-amz-expires", "x-amz-security-token", "x-amz-signature",
    "x-amz-signedheaders",
}

# STS host names per partition: the global endpoint (aws only), regional,
# FIPS and dual-stack forms.  The authenticator resolves these from the SDK's
# endpoint tables; a pattern per partition accepts the same names plus
# regions newer than any table.
_REGION = {
    "aws": r"(?:us|eu|ap|sa|ca|me|af|il|mx)-[a-z]+-\d+",
    "aws-cn": r"cn-[a-z]+-\d+",
    "aws-us-gov": r"us-gov-[a-z]+-\d+",
    "aws-iso": r"us-iso-[a-z]+-\d+",
    "aws-iso-b": r"us-isob-[a-z]+-\d+",
    "aws-iso-e": r"eu-isoe-[a-z]+-\d+",
    "aws-iso-f": r"us-isof-[a-z]+-\d+",
}
_HOST_PATTERNS = {
    "aws": [r"sts\.amazonaws\.com",
            r"sts(?:-fips)?\.{r}\.amazonaws\.com",
            r"sts(?:-fips)?\.{r}\.api\.aws"],
    "aws-cn": [r"sts\.{r}\.amazonaws\.com\.cn",
               r"sts\.{r}\.api\.amazonwebservices\.com\.cn"],
    "aws-us-gov": [r"sts(?:-fips)?\.{r}\.amazonaws\.com",
                   r"sts(?:-fips)?\.{r}\.api\.aws"],
    "aws-iso": [r"sts\.{r}\.c2s\.ic\.gov"],
    "aws-iso-b": [r"sts\.{r}\.sc2s\.sgov\.gov"],
    "aws-iso-e": [r"sts\.{r}\.cloud\.adc-e\.uk"],
    "aws-iso-f": [r"sts\.{r}\.csp\.hci\.ic\.gov"],
}


_STS_NAMES = {n.lower(): n for n in (
    "Action", "Version", "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
    "X-Amz-Security-Token", "X-Amz-Signature", "X-Amz-SignedHeaders")}


class TokenError(Exception):
    """A token rejected; the message is safe to log (never holds the token)."""


def host_allowed(host, partition="aws"):
    region = _REGION.get(partition)
    if region is None:
        return False
    for pat in _HOST_PATTERNS[partition]:
        if re.fullmatch(pat.replace("{r}", region), host):
            return True
    return False


def _format_error(msg):
    return TokenError("input token was not properly formatted: " + msg)


def _b64url_decode_strict(s):
    # Go's RawURLEncoding rejects padding and characters outside the URL-safe
    # alphabet; Python's decoder is lenient, so check first.
    if not re.fullmatch(r"[A-Za-z0-9_-]*", s) or len(s) % 4 == 1:
        raise _format_error("illegal base64 data")
    try:
        return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
    except ValueError:
        raise _format_error("illegal base64 data") from None


def parse_token(token, partition="aws", now=None):
    """Check every format rule; returns (url, parsed, params_lower).

    Raises TokenError with the authenticator's message on the first failure.
    """
    if len(token) > MAX_TOKEN_LEN:
        raise _format_error("token is too large")
    if not token.startswith(V1_PREFIX):
        raise _format_error('token is missing expected "%s" prefix' % V1_PREFIX)
    raw = _b64url_decode_strict(token[len(V1_PREFIX):])
    if re.search(rb"[\x00-\x1f\x7f]", raw):  # Go's url.Parse refuses these
        raise _format_error("net/url: invalid control character in URL")
    try:
        url = raw.decode("utf-8")
        parsed = urllib.parse.urlsplit(url)
        host = parsed.hostname or ""
        port = parsed.port
    except ValueError as e:
        raise _format_error("cannot parse url: %s" % e) from None
    if parsed.scheme != "https":
        raise _format_error('unexpected scheme "%s" in pre-signed URL' % parsed.scheme)
    if port is not None or parsed.username or not host_allowed(parsed.netloc, partition):
        raise _format_error('unexpected hostname "%s" in pre-signed URL' % parsed.netloc)
    if parsed.path != "/":
        raise _format_error("unexpected path in pre-signed URL")
    try:
        # like Go's url.ParseQuery: a key without "=" has an empty value
        pairs = urllib.parse.parse_qsl(parsed.query, keep_blank_values=True)
    except ValueError:
        raise _format_error("malformed query parameter") from None
    params, seen = {}, set()
    for key, value in pairs:
        low = key.lower()
        if low not in ALLOWED_PARAMS:
            raise _format_error('non-whitelisted query parameter "%s"' % key)
        if key in seen:
            raise _format_error("query parameter with multiple values not supported")
        seen.add(key)
        params[low] = value
    if params.get("action") != "GetCallerIdentity":
        raise _format_error("unexpected action parameter in pre-signed URL")
    signed = [h.lower() for h in params.get("x-amz-signedheaders", "").split(";")]
    if CLUSTER_ID_HEADER not in signed:
        raise _format_error("client did not sign the %s header in the pre-signed URL"
                            % CLUSTER_ID_HEADER)
    try:
        expires = int(params.get("x-amz-expires", ""))
    except ValueError:
        expires = None
    if expires is None or expires < 0 or expires > 900:
        raise _format_error("invalid X-Amz-Expires parameter in pre-signed URL: %s"
                            % (expires if expires is not None else 0))
    date = params.get("x-amz-date", "")
    if not date:
        raise _format_error("X-Amz-Date parameter must be present in pre-signed URL")
    try:
        when = datetime.datetime.strptime(date, DATE_FORMAT).replace(
            tzinfo=datetime.timezone.utc)
    except ValueError:
        raise _format_error("error parsing X-Amz-Date parameter %s into format "
                            "20060102T150405Z" % date) from None
    now = now if now is not None else datetime.datetime.now(datetime.timezone.utc)
    if now > when + datetime.timedelta(seconds=PRESIGNED_URL_EXPIRATION):
        raise _format_error("X-Amz-Date parameter is expired (15 minute expiration) %s"
                            % when.strftime("%Y-%m-%d %H:%M:%S +0000 UTC"))
    return url, parsed, params


def access_key_id(params):
    return params.get("x-amz-credential", "").split("/")[0]


def verify_signature(parsed, params, cluster_id, secrets):
    """Recompute the SigV4 query signature with botocore (the oracle).

    secrets: {access key id: secret key}.  The token is re-signed exactly as
    STS would check it: method GET, the URL's host, path and query without
    X-Amz-Signature, and the headers named in X-Amz-SignedHeaders, where
    x-k8s-aws-id is the cluster id this server expects.  Raises TokenError.
    """
    from botocore.auth import SigV4QueryAuth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    cred = params.get("x-amz-credential", "").split("/")
    if len(cred) != 5 or cred[3] != "sts" or cred[4] != "aws4_request":
        raise TokenError("sts getCallerIdentity failed: malformed X-Amz-Credential")
    akid, day, region = cred[0], cred[1], cred[2]
    secret = secrets.get(akid)
    if secret is None:
        raise TokenError("sts getCallerIdentity failed: unknown access key for "
                         "signature check (InvalidClientTokenId)")
    stamp = params.get("x-amz-date", "")
    if stamp[:8] != day or params.get("x-amz-algorithm") != "AWS4-HMAC-SHA256":
        raise TokenError("sts getCallerIdentity failed: credential scope mismatch")
    headers = {}
    for name in params.get("x-amz-signedheaders", "").split(";"):
        if name == "host":
            continue
        if name == CLUSTER_ID_HEADER:
            headers[CLUSTER_ID_HEADER] = cluster_id
        else:
            # the authenticator sends no other header STS could check
            raise TokenError("sts getCallerIdentity failed: SignatureDoesNotMatch "
                             "(signed header %s is not sent by the verifier)" % name)
    all_pairs = urllib.parse.parse_qsl(parsed.query, keep_blank_values=True)
    for k, _ in all_pairs:
        # the authenticator matches names case-insensitively, STS does not
        if k.lower() in _STS_NAMES and k != _STS_NAMES[k.lower()]:
            raise TokenError("sts getCallerIdentity failed: IncompleteSignature "
                             "(parameter %s is not spelled %s)" % (k, _STS_NAMES[k.lower()]))
    pairs = [(k, v) for k, v in all_pairs if k != "X-Amz-Signature"]
    req = AWSRequest(method="GET", url="https://%s/" % parsed.netloc, headers=headers)
    req.params = pairs
    req.context["timestamp"] = stamp
    auth = SigV4QueryAuth(Credentials(akid, secret), "sts", region)
    # empty body: botocore hashes it as sha256("") like every SigV4 signer
    canonical = auth.canonical_request(req)
    want = auth.signature(auth.string_to_sign(req, canonical), req)
    got = params.get("x-amz-signature", "")
    if not hmac.compare_digest(want.encode(), got.encode()):  # bytes: got may be non-ASCII
        raise TokenError("sts getCallerIdentity failed: SignatureDoesNotMatch "
                         "(signed for another cluster id, credentials or request)")


def call_sts(moto_url, parsed, params, cluster_id, timeout=10):
    """GetCallerIdentity at moto with the token's query; returns a dict with
    arn, account, user_id.  Raises TokenError (the authenticator's STSError)."""
    if not re.fullmatch(r"[\x21-\x7e]*", parsed.query):
        # Go would send these bytes and STS would refuse the request; Python's
        # client cannot send them, so answer as STS would
        raise TokenError("sts getCallerIdentity failed: error from AWS (expected 200, got 400)")
    url = moto_url.rstrip("/") + "/?" + parsed.query
    cred = params.get("x-amz-credential", "")
    headers = {
        CLUSTER_ID_HEADER: cluster_id,
        "accept": "application/json",
        # moto routes by, and reads the caller's key from, this header only
        "Authorization": "AWS4-HMAC-SHA256 Credential=%s, SignedHeaders=%s, Signature=%s"
                         % (cred, params.get("x-amz-signedheaders", ""),
                            params.get("x-amz-signature", "")),
    }
    if not re.fullmatch(r"[\x20-\x7e]*", headers["Authorization"]):
        # a credential or signature that decodes to junk: STS refuses it
        raise TokenError("sts getCallerIdentity failed: error from AWS (expected 200, got 403)")
    req = urllib.request.Request(url, headers=headers, method="GET")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            body = resp.read(1 << 20)
            status = resp.status
    except urllib.error.HTTPError as e:
        raise TokenError("sts getCallerIdentity failed: error from AWS (expected 200, got %d)"
                         % e.code) from None
    except (urllib.error.URLError, OSError) as e:
        raise TokenError("sts getCallerIdentity failed: error during GET: %s"
                         % getattr(e, "reason", e)) from None
    if status != 200:
        raise TokenError("sts getCallerIdentity failed: error from AWS (expected 200, got %d)"
                         % status)
    try:
        root = ET.fromstring(body)
    except ET.ParseError as e:
        raise TokenError("sts getCallerIdentity failed: %s" % e) from None
    found = {}
    for el in root.iter():
        tag = el.tag.rsplit("}", 1)[-1]
        if tag in ("Arn", "Account", "UserId"):
            found[tag] = (el.text or "").strip()
    if "Arn" not in found:
        raise TokenError("sts getCallerIdentity failed: no Arn in response")
    user_id = found.get("UserId", "")
    parts = user_id.split(":")
    if len(parts) > 2:
        raise TokenError('sts getCallerIdentity failed: malformed UserID "%s"' % user_id)
    return {
        "arn": found["Arn"],
        "account": found.get("Account", ""),
        "user_id": parts[0],
        "session_name": parts[1] if len(parts) == 2 else "",
        "access_key_id": access_key_id(params),
    }


def canonicalize_arn(arn):
    """The authenticator's arn.Canonicalize: assumed-role session ARNs become
    the role's IAM ARN; IAM users, roles and root stay; anything else fails."""
    m = re.fullmatch(r"arn:(aws[a-z-]*):(iam|sts)::(\d{12}):(.+)", arn)
    if not m:
        raise TokenError("sts getCallerIdentity failed: arn '%s' is invalid" % arn)
    part, service, account, resource = m.groups()
    kind = resource.split("/", 1)[0]
    if service == "sts" and kind == "assumed-role":
        bits = resource.split("/")
        if len(bits) < 3:
            raise TokenError("sts getCallerIdentity failed: assumed-role arn '%s' "
                             "does not have a role" % arn)
        return "arn:%s:iam::%s:role/%s" % (part, account, bits[1])
    if service == "iam" and kind in ("user", "role") or resource == "root":
        return arn
    if service == "sts" and kind in ("user", "federated-user"):
        return arn  # moto's default caller is arn:aws:sts::ACCOUNT:user/moto
    raise TokenError("sts getCallerIdentity failed: unrecognized arn '%s'" % arn)


# --- generation, for tests only (botocore is the reference presigner) ---

def presign_url(access_key, secret_key, region, cluster_id, session_token=None,
                host=None, when=None, expires=60):
    """Presigned GetCallerIdentity URL exactly as botocore emits it.

    when: a datetime (UTC) to pin the signing clock; host: the STS host
    (default the regional endpoint of the aws partition)."""
    import botocore.auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    host = host or "sts.%s.amazonaws.com" % region
    req = AWSRequest(method="GET", url="https://%s/" % host,
                     headers={CLUSTER_ID_HEADER: cluster_id},
                     params={"Action": "GetCallerIdentity", "Version": "2011-06-15"})
    auth = botocore.auth.SigV4QueryAuth(Credentials(access_key, secret_key, session_token),
                                        "sts", region, expires=expires)
    saved = botocore.auth.get_current_datetime
    if when is not None:
        botocore.auth.get_current_datetime = lambda: when.replace(tzinfo=None)
    try:
        auth.add_auth(req)
    finally:
        botocore.auth.get_current_datetime = saved
    return req.prepare().url


def encode_token(url):
    return V1_PREFIX + base64.urlsafe_b64encode(url.encode()).decode().rstrip("=")


def _main():
    """CLI: print a token.  Credentials from AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN; never printed but in the token."""
    import argparse
    import os
    ap = argparse.ArgumentParser(description="mint an EKS token with botocore (tests only)")
    ap.add_argument("--cluster-id", required=True)
    ap.add_argument("--region", default=os.environ.get("AWS_REGION", "us-west-2"))
    ap.add_argument("--host")
    ap.add_argument("--age", type=int, default=0, help="sign this many seconds in the past")
    ap.add_argument("--expires", type=int, default=60)
    ap.add_argument("--url", action="store_true", help="print the URL, not the token")
    a = ap.parse_args()
    when = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=a.age)
    url = presign_url(os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"],
                      a.region, a.cluster_id, os.environ.get("AWS_SESSION_TOKEN"),
                      host=a.host, when=when, expires=a.expires)
    print(url if a.url else encode_token(url))


if __name__ == "__main__":
    _main()
