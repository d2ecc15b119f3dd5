#!/usr/bin/env bash
# SSO token refresh for sso_session profiles, as botocore's SSOTokenProvider:
# botocore itself first obtains credentials through the loopback SSO OIDC and
# portal fakes; then eks-token refreshes a token with < 15 min left once,
# writes the cache file back as botocore does (botocore reads it back),
# concurrent runs refresh once, a rejected refresh token says "run aws sso
# login --sso-session", and legacy profiles are never refreshed.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/creds.sh"
test_env
"$PYTHON" -c 'import botocore' 2>/dev/null || skip "botocore not installed"

start_fake oidc sso_oidc.py --client-id cid-1 --client-secret csecret-1 \
	--refresh-token rt-1 --access-token refreshed-access-token \
	--new-refresh-token rt-2 --expires-in 3600
start_fake sso sso_portal.py --token refreshed-access-token --token old-access-token \
	--role ReadOnly --account 123456789012 --access-key ASIASSOREFRESH000001
export AWS_ENDPOINT_URL_SSO_OIDC=http://127.0.0.1:$oidc_PORT
export AWS_ENDPOINT_URL_SSO=http://127.0.0.1:$sso_PORT

start_url=https://d-1234567890.awsapps.com/start
cat >"$AWS_CONFIG_FILE" <<EOF
[profile dev]
sso_session = my-sso
sso_account_id = 123456789012
sso_role_name = ReadOnly
region = us-east-1

[sso-session my-sso]
sso_start_url = $start_url
sso_region = us-east-1
sso_registration_scopes = sso:account:access

[profile legacy]
sso_start_url = $start_url
sso_region = us-east-1
sso_account_id = 123456789012
sso_role_name = ReadOnly
EOF

sha1() { printf '%s' "$1" | sha1sum | cut -d' ' -f1; }
cache=$HOME/.aws/sso/cache
mkdir -p "$cache"
tokfile=$cache/$(sha1 my-sso).json
# write_old EXPIRES_AT [REFRESH_TOKEN]: the cache as `aws sso login` leaves it
write_old() {
	"$PYTHON" - "$tokfile" "$start_url" "$1" "${2:-rt-1}" <<'EOF'
import datetime, json, sys
reg = "2099-01-01T00:00:00Z"
json.dump({"startUrl": sys.argv[2], "region": "us-east-1", "accessToken": "old-access-token",
           "expiresAt": sys.argv[3], "clientId": "cid-1", "clientSecret": "csecret-1",
           "registrationExpiresAt": reg, "refreshToken": sys.argv[4]}, open(sys.argv[1], "w"))
EOF
}
soon=$(date -u -d '+5 minutes' +%Y-%m-%dT%H:%M:%SZ)
past=$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ)
refreshes() { requests "$oidc_LOG" 'POST /token 200'; }

# botocore: credentials for `dev` through the fakes (refresh + portal)
botocore_creds() {
	"$PYTHON" - <<'EOF'
import botocore.session
c = botocore.session.Session(profile="dev").get_credentials().get_frozen_credentials()
print(c.access_key)
EOF
}
# the token botocore's SSOTokenProvider reads from the cache now
botocore_token() {
	"$PYTHON" - <<'EOF'
import botocore.session
from botocore.tokens import SSOTokenProvider
s = botocore.session.Session(profile="dev")
print(SSOTokenProvider(s).load_token().get_frozen_token().token)
EOF
}
# the cache file with expiresAt masked (it depends on the clock)
masked() { sed -E 's/"expiresAt": "[^"]*"/"expiresAt": "X"/' "$tokfile"; }

# --- botocore against the fakes ---
write_old "$soon"
assert_eq ASIASSOREFRESH000001 "$(botocore_creds)" "botocore obtains credentials through the fakes"
assert_eq 1 "$(refreshes)" "botocore refreshed the token through the OIDC fake"
assert_eq refreshed-access-token "$(botocore_token)" "botocore saved the refreshed token"
botocore_file=$(masked)

# --- eks-token: one refresh, the file as botocore writes it ---
write_old "$soon"
run_token --profile dev
assert_eq 0 "$RC" "eks-token with a token about to expire: exit 0 ($ERR)"
assert_eq ASIASSOREFRESH000001 "$(token_akid <<<"$OUT")" "token signed with the SSO role credentials"
assert_eq 2 "$(refreshes)" "eks-token refreshed once"
assert_eq "$botocore_file" "$(masked)" "cache file byte-identical to botocore's (but expiresAt)"
assert_eq "600" "$(stat -c %a "$tokfile")" "cache file mode 0600"
[ ! -e "$tokfile.lock" ] && ok "lock removed" || fail "lock left behind"
exp=$("$PYTHON" -c 'import json,sys;print(json.load(open(sys.argv[1]))["expiresAt"])' "$tokfile")
d=$(( $(date -u -d "$exp" +%s) - $(date +%s) ))
[ "$d" -gt 3300 ] && [ "$d" -le 3600 ] && ok "expiresAt = now + expiresIn" || fail "expiresAt $exp ($d s)"
assert_eq refreshed-access-token "$(botocore_token)" "botocore reads the file eks-token wrote"
assert_eq 2 "$(refreshes)" "botocore did not need to refresh again"
run_token --profile dev --no-cache
assert_eq 0 "$RC" "second run: exit 0 ($ERR)"
assert_eq 2 "$(refreshes)" "a fresh token is not refreshed again"

# --- concurrent runs refresh once ---
write_old "$soon"
n0=$(refreshes)
pids=
for i in 1 2 3 4; do
	"$BIN/eks-token" --cluster-name c --profile dev --no-cache >"$T/par$i.out" 2>"$T/par$i.err" &
	pids="$pids $!"
done
wait $pids
for i in 1 2 3 4; do
	assert_eq ASIASSOREFRESH000001 "$(token_akid <"$T/par$i.out")" "parallel run $i ($(cat "$T/par$i.err"))"
done
assert_eq $((n0 + 1)) "$(refreshes)" "four concurrent runs refreshed once"

# --- the refresh token is rejected: expired session says how to log in ---
write_old "$past" rt-revoked
run_token --profile dev --no-cache
assert_eq 1 "$RC" "rejected refresh token: exit 1"
assert_contains "$ERR" 'run `aws sso login --sso-session my-sso`' "rejected refresh token: login hint"
assert_contains "$ERR" "InvalidGrantException" "the OIDC error code is named"
assert_not_contains "$ERR" "rt-revoked" "the refresh token never appears in messages"
assert_eq 1 "$(requests "$oidc_LOG" 'POST /token 400')" "one CreateToken attempt"
# still valid but the refresh fails: the old token is used (botocore too)
write_old "$soon" rt-revoked
run_token --profile dev --no-cache
assert_eq 0 "$RC" "failed refresh, token still valid: exit 0 ($ERR)"
# no refresh data at all and expired
printf '{"startUrl": "%s", "region": "us-east-1", "accessToken": "old-access-token", "expiresAt": "%s"}\n' \
	"$start_url" "$past" >"$tokfile"
run_token --profile dev --no-cache
assert_eq 1 "$RC" "expired token without refresh data: exit 1"
assert_contains "$ERR" 'aws sso login --sso-session my-sso' "login hint names the session"

# --- legacy profiles are read-only ---
legacy=$cache/$(sha1 "$start_url").json
printf '{"startUrl": "%s", "region": "us-east-1", "accessToken": "old-access-token", "expiresAt": "%s", "clientId": "cid-1", "clientSecret": "csecret-1", "registrationExpiresAt": "2099-01-01T00:00:00Z", "refreshToken": "rt-1"}\n' \
	"$start_url" "$soon" >"$legacy"
before=$(cat "$legacy")
n0=$(requests "$oidc_LOG")
run_token --profile legacy --no-cache
assert_eq 0 "$RC" "legacy profile with a token about to expire: exit 0 ($ERR)"
assert_eq "$n0" "$(requests "$oidc_LOG")" "legacy profile: no refresh"
assert_eq "$before" "$(cat "$legacy")" "legacy profile: cache file untouched"
finish
