#!/usr/bin/env bash
# Web identity (IRSA / CI OIDC) through eks-token against moto's STS
# AssumeRoleWithWebIdentity: from the environment and from a profile.  moto
# returns a fresh random key for every call, so "the same key twice" proves
# the second run came from the cache.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/creds.sh"
test_env
need_moto

printf 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6ZGVmYXVsdDphcHAifQ.c2ln\n' >"$T/oidc-token"
export AWS_WEB_IDENTITY_TOKEN_FILE=$T/oidc-token
export AWS_ROLE_ARN=arn:aws:iam::123456789012:role/irsa-app AWS_ROLE_SESSION_NAME=pod-app

run_token
assert_eq 0 "$RC" "web identity from env: exit 0 ($ERR)"
k1=$(token_akid <<<"$OUT")
case $k1 in ASIA*) ok "assumed (temporary) key signs the token" ;; *) fail "unexpected key $k1" ;; esac
assert_eq "$k1" "$(cache_akids)" "the signing key is the cached AssumeRoleWithWebIdentity result"

run_token
assert_eq "$k1" "$(token_akid <<<"$OUT")" "second run: same key (no second STS call)"
run_token --no-cache
k3=$(token_akid <<<"$OUT")
[ "$k3" != "$k1" ] && ok "--no-cache makes a new STS call" || fail "--no-cache reused $k1"

# a rotated token (kubelet refreshes it) is a new cache key
printf 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyb3RhdGVkIn0.c2ln\n' >"$T/oidc-token"
run_token
[ "$(token_akid <<<"$OUT")" != "$k1" ] && ok "rotated token: fresh credentials" || fail "rotated token reused the old entry"

# environment keys win over web identity (chain order)
AWS_ACCESS_KEY_ID=AKIAENVWINS000000001 AWS_SECRET_ACCESS_KEY=s run_token
assert_eq AKIAENVWINS000000001 "$(token_akid <<<"$OUT")" "environment keys come before web identity"

# missing token file: clear configuration error
AWS_WEB_IDENTITY_TOKEN_FILE=$T/missing run_token
assert_eq 1 "$RC" "missing token file: exit 1"
assert_contains "$ERR" "$T/missing" "missing token file: names the file"
unset AWS_WEB_IDENTITY_TOKEN_FILE AWS_ROLE_ARN AWS_ROLE_SESSION_NAME

# from a profile
cat >"$AWS_CONFIG_FILE" <<EOF
[profile ci]
role_arn = arn:aws:iam::123456789012:role/ci-deploy
web_identity_token_file = $T/oidc-token
role_session_name = ci-run-42
[profile broken]
role_arn = arn:aws:iam::123456789012:role/ci-deploy
web_identity_token_file = $T/nope
EOF
run_token --profile ci
assert_eq 0 "$RC" "web identity profile: exit 0 ($ERR)"
kp=$(token_akid <<<"$OUT")
run_token --profile ci
assert_eq "$kp" "$(token_akid <<<"$OUT")" "web identity profile: cached"
run_token --profile broken
assert_eq 1 "$RC" "profile with a missing token file: exit 1"
assert_contains "$ERR" "profile broken" "profile with a missing token file: names the profile"
assert_not_contains "$ERR$OUT" "eyJhbGci" "the OIDC token never appears in output"
finish
