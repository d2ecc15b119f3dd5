#!/usr/bin/env bash
# IAM Identity Center (SSO) through eks-token against the loopback portal
# fake: sso_session and legacy profiles read the AWS CLI's cached token
# (file name = SHA-1 of the session name / start URL); expired, missing or
# rejected tokens say "run aws sso login --profile X" and exit 1 at once.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/creds.sh"
test_env

start_fake sso sso_portal.py --token good-bearer-token --role ReadOnly \
	--account 123456789012 --access-key ASIASSOROLE000000001
export AWS_ENDPOINT_URL_SSO=http://127.0.0.1:$sso_PORT

start_url=https://d-1234567890.awsapps.com/start
cat >"$AWS_CONFIG_FILE" <<EOF
[profile dev]
sso_session = my-sso
sso_account_id = 123456789012
sso_role_name = ReadOnly

[sso-session my-sso]
sso_start_url = $start_url
sso_region = us-east-1
sso_registration_scopes = sso:account:access

[profile legacy]
sso_start_url = $start_url
sso_region = us-east-1
sso_account_id = 123456789012
sso_role_name = ReadOnly

[profile other-role]
sso_session = my-sso
sso_account_id = 123456789012
sso_role_name = Admin

[profile incomplete]
sso_session = my-sso
sso_account_id = 123456789012
EOF

sha1() { printf '%s' "$1" | sha1sum | cut -d' ' -f1; }
cache=$HOME/.aws/sso/cache
mkdir -p "$cache"
future=$(date -u -d '+8 hours' +%Y-%m-%dT%H:%M:%SZ)
past=$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ)
write_token() {  # file token expiresAt
	printf '{"startUrl": "%s", "region": "us-east-1", "accessToken": "%s", "expiresAt": "%s"}\n' \
		"$start_url" "$2" "$3" >"$cache/$1.json"
}

# --- sso_session profile ---
write_token "$(sha1 my-sso)" good-bearer-token "$future"
run_token --profile dev
assert_eq 0 "$RC" "sso_session profile: exit 0 ($ERR)"
assert_eq ASIASSOROLE000000001 "$(token_akid <<<"$OUT")" "token signed by the SSO role credentials"
assert_eq 1 "$(requests "$sso_LOG" 'role_name=ReadOnly&account_id=123456789012 200')" "GetRoleCredentials called once"

stop_fake sso
run_token --profile dev
assert_eq 0 "$RC" "second run with the portal down: exit 0 ($ERR)"
assert_eq ASIASSOROLE000000001 "$(token_akid <<<"$OUT")" "second run served from the cache"
start_fake sso sso_portal.py --token good-bearer-token --access-key ASIASSOROLE000000002
export AWS_ENDPOINT_URL_SSO=http://127.0.0.1:$sso_PORT

# --- legacy profile: token file named after the start URL ---
run_token --profile legacy
assert_eq 1 "$RC" "legacy profile without its token: exit 1"
assert_contains "$ERR" 'aws sso login --profile legacy' "legacy, no token: says how to log in"
write_token "$(sha1 "$start_url")" good-bearer-token "$future"
run_token --profile legacy
assert_eq 0 "$RC" "legacy profile: exit 0 ($ERR)"
assert_eq ASIASSOROLE000000002 "$(token_akid <<<"$OUT")" "legacy profile signed by SSO credentials"

# --- expired token: immediate, actionable, no portal call ---
write_token "$(sha1 my-sso)" good-bearer-token "$past"
n=$(requests "$sso_LOG")
start=$SECONDS
run_token --profile dev
assert_eq 1 "$RC" "expired SSO token: exit 1"
assert_contains "$ERR" 'run `aws sso login --sso-session my-sso`' "expired SSO token: login hint (sso_session profiles log in by session)"
assert_eq "$n" "$(requests "$sso_LOG")" "expired SSO token: portal not called"
[ $((SECONDS - start)) -lt 5 ] && ok "expired token: no hang" || fail "expired token took $((SECONDS - start)) s"
# the old "UTC" spelling of expiresAt is understood
write_token "$(sha1 my-sso)" good-bearer-token "$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SUTC)"
run_token --profile dev --no-cache
assert_eq 0 "$RC" "expiresAt with a UTC suffix accepted ($ERR)"

# --- token the portal rejects (signed out elsewhere) ---
write_token "$(sha1 my-sso)" revoked-token "$future"
run_token --profile dev --no-cache
assert_eq 1 "$RC" "rejected SSO token: exit 1"
assert_contains "$ERR" 'aws sso login --sso-session my-sso' "rejected SSO token: login hint"
assert_not_contains "$ERR" "revoked-token" "the bearer token never appears in messages"

# --- role not assigned, incomplete profile ---
write_token "$(sha1 my-sso)" good-bearer-token "$future"
run_token --profile other-role
assert_eq 1 "$RC" "unassigned role: exit 1"
assert_contains "$ERR" "ForbiddenException" "unassigned role: AWS error code shown"
run_token --profile incomplete
assert_eq 1 "$RC" "incomplete SSO profile: exit 1"
assert_contains "$ERR" "sso_role_name" "incomplete SSO profile: names the missing key"
finish
