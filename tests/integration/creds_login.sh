#!/usr/bin/env bash
# `aws login` profiles (login_session), as botocore's LoginProvider, against
# the loopback sign-in fake: botocore itself first refreshes through the fake
# (its own LoginCredentialFetcher and DPoP builder; awscrt's EC is replaced by
# a `cryptography` shim when awscrt is missing); then eks-token uses cached
# credentials while valid, refreshes once (also when run in parallel) with a
# DPoP proof that verifies with the cached key's public half, and writes the
# cache back byte-for-byte as botocore does (botocore reads it back).
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/creds.sh"
test_env
"$PYTHON" -c 'import botocore' 2>/dev/null || skip "botocore not installed"
"$PYTHON" -c 'import awscrt.crypto' 2>/dev/null || "$PYTHON" -c 'import cryptography' 2>/dev/null ||
	skip "neither awscrt nor cryptography for botocore's DPoP signing"

openssl ecparam -name prime256v1 -genkey -noout -out "$T/dpop.pem" 2>/dev/null || die "openssl ecparam"
openssl ecparam -name prime256v1 -genkey -noout -out "$T/other.pem" 2>/dev/null
start_fake signin signin.py --key-file "$T/dpop.pem" --client-id arn:aws:signin:::devtools/same-device \
	--refresh-token rt-1 --new-refresh-token rt-2 --access-key ASIALOGINREFRESHED01 --lifetime 3600
export AWS_ENDPOINT_URL_SIGNIN=http://127.0.0.1:$signin_PORT
export AWS_LOGIN_CACHE_DIRECTORY=$T/login-cache
session=arn:aws:sts::123456789012:assumed-role/Admin/alice
cat >"$AWS_CONFIG_FILE" <<EOF
[profile web]
login_session = $session
region = us-east-1
EOF
mkdir -p "$AWS_LOGIN_CACHE_DIRECTORY"
cachefile=$AWS_LOGIN_CACHE_DIRECTORY/$(printf '%s' "$session" | sha256sum | cut -d' ' -f1).json

# write_cache AKID EXPIRES_AT [REFRESH_TOKEN] [KEY_FILE]: as `aws login` leaves it
write_cache() {
	"$PYTHON" - "$cachefile" "$1" "$2" "${3:-rt-1}" "${4:-$T/dpop.pem}" <<'EOF'
import json, sys
path, akid, exp, rt, key = sys.argv[1:]
json.dump({"accessToken": {"accessKeyId": akid, "secretAccessKey": "cachedSecret",
                           "sessionToken": "cachedSessionToken", "accountId": "123456789012",
                           "expiresAt": exp},
           "tokenType": "aws_sigv4", "refreshToken": rt, "identityToken": "id-token",
           "clientId": "arn:aws:signin:::devtools/same-device",
           "dpopKey": open(key).read()}, open(path, "w"))
EOF
}
soon=$(date -u -d '+2 minutes' +%Y-%m-%dT%H:%M:%SZ)
later=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
past=$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ)
refreshes() { requests "$signin_LOG" 'POST /v1/token 200'; }
masked() { sed -E 's/"expiresAt": "[^"]*"/"expiresAt": "X"/' "$cachefile"; }
botocore_akid() {
	"$PYTHON" - "$TOP/tests/fakes" <<'EOF'
import sys
import botocore.credentials as bc
if bc.EC is None:  # awscrt missing: the same EC operations with `cryptography`
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, utils
    class EC:
        def __init__(self, key): self.key = key
        @staticmethod
        def new_key_from_der_data(der):
            return EC(serialization.load_der_private_key(der, None))
        def get_public_coords(self):
            n = self.key.public_key().public_numbers()
            return n.x.to_bytes(32, "big"), n.y.to_bytes(32, "big")
        def sign(self, digest):
            return self.key.sign(digest, ec.ECDSA(utils.Prehashed(hashes.SHA256())))
        @staticmethod
        def decode_der_signature_to_padded_pair(sig, pad_to):
            r, s = utils.decode_dss_signature(sig)
            return r.to_bytes(pad_to, "big") + s.to_bytes(pad_to, "big")
    bc.EC = EC
import botocore.session
print(botocore.session.Session(profile="web").get_credentials().get_frozen_credentials().access_key)
EOF
}

# --- botocore against the fake ---
write_cache ASIALOGINCACHED00001 "$soon"
assert_eq ASIALOGINREFRESHED01 "$(botocore_akid 2>"$T/boto.err")" "botocore refreshes through the fake ($(tail -1 "$T/boto.err"))"
assert_eq 1 "$(refreshes)" "botocore: one CreateOAuth2Token, its DPoP proof verified"
botocore_file=$(masked)

# --- eks-token: valid cached credentials are used as they are ---
write_cache ASIALOGINCACHED00001 "$later"
run_token --profile web
assert_eq 0 "$RC" "cached login credentials: exit 0 ($ERR)"
assert_eq ASIALOGINCACHED00001 "$(token_akid <<<"$OUT")" "signed with the cached credentials"
assert_eq 1 "$(refreshes)" "no refresh while valid"

# --- about to expire: one refresh, the file as botocore writes it ---
write_cache ASIALOGINCACHED00001 "$soon"
run_token --profile web
assert_eq 0 "$RC" "refresh: exit 0 ($ERR)"
assert_eq ASIALOGINREFRESHED01 "$(token_akid <<<"$OUT")" "signed with the refreshed credentials"
assert_eq 2 "$(refreshes)" "eks-token refreshed once (DPoP proof verified with the cached key)"
assert_eq "$botocore_file" "$(masked)" "cache file byte-identical to botocore's (but expiresAt)"
assert_eq 600 "$(stat -c %a "$cachefile")" "cache file mode 0600"
assert_eq ASIALOGINREFRESHED01 "$(botocore_akid)" "botocore reads back the file eks-token wrote"
assert_eq 2 "$(refreshes)" "... without refreshing again"

# --- parallel runs refresh once ---
write_cache ASIALOGINCACHED00001 "$soon"
pids=
for i in 1 2 3 4; do
	"$BIN/eks-token" --cluster-name c --profile web >"$T/par$i.out" 2>"$T/par$i.err" &
	pids="$pids $!"
done
wait $pids
for i in 1 2 3 4; do
	assert_eq ASIALOGINREFRESHED01 "$(token_akid <"$T/par$i.out")" "parallel run $i ($(cat "$T/par$i.err"))"
done
assert_eq 3 "$(refreshes)" "four parallel runs refreshed once"

# --- a proof signed by another key is refused by the fake: it really verifies ---
write_cache ASIALOGINCACHED00001 "$soon" rt-2 "$T/other.pem"
run_token --profile web
assert_eq 1 "$RC" "proof from a key other than the expected one: refused"
assert_contains "$(cat "$signin_LOG.dpop")" "jwk is not the cached key's public half" "the fake checked the proof"

# --- expired session: how to log in again ---
write_cache ASIALOGINCACHED00001 "$past" rt-revoked
run_token --profile web
assert_eq 1 "$RC" "refresh token rejected: exit 1"
assert_contains "$ERR" 'run `aws login --profile web`' "says to run aws login"
assert_not_contains "$ERR" "rt-revoked" "no secret in the message"
rm -f "$cachefile"
run_token --profile web
assert_eq 1 "$RC" "no cached session: exit 1"
assert_contains "$ERR" 'aws login --profile web' "no cached session: says to run aws login"
finish
