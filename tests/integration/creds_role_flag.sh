#!/usr/bin/env bash
# eks-token --role-arn through the credential cache, and
# --forward-session-name (reuse the caller's role session name, as
# aws-iam-authenticator does), against moto's STS.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/creds.sh"
test_env
need_moto

write_static_profile base AKIAROLEFLAGBASE0001
cat >"$AWS_CONFIG_FILE" <<EOF
[profile alice]
role_arn = arn:aws:iam::123456789012:role/developer
source_profile = base
role_session_name = alice.smith
EOF
target=arn:aws:iam::123456789012:role/eks-admin

# --role-arn: one AssumeRole, then cached (moto would hand out a new key)
run_token --profile base --role-arn "$target"
assert_eq 0 "$RC" "--role-arn: exit 0 ($ERR)"
k1=$(token_akid <<<"$OUT")
case $k1 in ASIA*) ok "--role-arn: signed by the assumed role" ;; *) fail "got $k1" ;; esac
run_token --profile base --role-arn "$target"
assert_eq "$k1" "$(token_akid <<<"$OUT")" "--role-arn: second run from the cache"
run_token --profile base --role-arn "$target" --session-name other
[ "$(token_akid <<<"$OUT")" != "$k1" ] && ok "another --session-name is another cache entry" \
	|| fail "--session-name did not change the cache key"
run_token --profile base --role-arn "$target" --no-cache
[ "$(token_akid <<<"$OUT")" != "$k1" ] && ok "--role-arn --no-cache: a fresh AssumeRole" || fail "--no-cache reused $k1"

# --forward-session-name: the caller is an assumed role with session alice.smith
run_token --profile alice --role-arn "$target" --forward-session-name -v
assert_eq 0 "$RC" "--forward-session-name: exit 0 ($ERR)"
assert_contains "$ERR" "forwarding session name alice.smith" "the caller's session name is forwarded"
assert_contains "$ERR" "(session alice.smith)" "AssumeRole used the forwarded name"
assert_not_contains "$ERR" "staticSecretForTests" "-v shows no secret"

# an IAM user has no session name: the default is used
run_token --profile base --role-arn "$target" --forward-session-name -v --no-cache
assert_eq 0 "$RC" "--forward-session-name from an IAM user: exit 0 ($ERR)"
assert_contains "$ERR" "(session EKSGetTokenAuth)" "IAM user caller: default session name"

# usage errors
"$BIN/eks-token" --cluster-name c --forward-session-name 2>"$T/e"
assert_eq 2 "$?" "--forward-session-name without --role-arn: usage error"
"$BIN/eks-token" --cluster-name c --role-arn "$target" --forward-session-name --session-name x 2>"$T/e"
assert_eq 2 "$?" "--forward-session-name with --session-name: usage error"
assert_contains "$(cat "$T/e")" "exclude each other" "conflict explained"
finish
