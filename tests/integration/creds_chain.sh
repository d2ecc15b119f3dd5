#!/usr/bin/env bash
# The default chain order through eks-token (environment -> web identity ->
# profile -> container -> IMDS), peeling one source off at a time, and the
# cache's safety rules seen from the command: a tampered entry, a symlinked
# entry and a group-readable directory are ignored with a warning.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/creds.sh"
test_env
need_moto

start_fake ctr container_creds.py --access-key ASIACHAINCONTAINER01
start_fake imds imds.py --access-key ASIACHAINIMDS0000001
count=$T/proc.count
cat >"$T/proc.sh" <<EOF
#!/bin/sh
echo run >>"$count"
printf '{"Version":1,"AccessKeyId":"ASIACHAINPROCESS0001","SecretAccessKey":"s","Expiration":"%s"}' "\$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)"
EOF
chmod 700 "$T/proc.sh"
printf '[profile chain]\ncredential_process = %s\n' "$T/proc.sh" >"$AWS_CONFIG_FILE"
printf 'oidc.token.value\n' >"$T/oidc"

unset AWS_EC2_METADATA_DISABLED
export AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:$imds_PORT
export AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:$ctr_PORT/creds
export AWS_WEB_IDENTITY_TOKEN_FILE=$T/oidc AWS_ROLE_ARN=arn:aws:iam::123456789012:role/wi
export AWS_PROFILE=chain
export AWS_ACCESS_KEY_ID=AKIACHAINENV00000001 AWS_SECRET_ACCESS_KEY=envsecret

run_token
assert_eq AKIACHAINENV00000001 "$(token_akid <<<"$OUT")" "1. environment first"
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
run_token
k=$(token_akid <<<"$OUT")
case $k in AKIACHAIN*|ASIACHAIN*) fail "2. web identity expected, got $k" ;; ASIA*) ok "2. web identity next ($k)" ;; *) fail "2. got $k" ;; esac
unset AWS_WEB_IDENTITY_TOKEN_FILE AWS_ROLE_ARN
run_token
assert_eq ASIACHAINPROCESS0001 "$(token_akid <<<"$OUT")" "3. then the profile"
unset AWS_PROFILE
run_token
assert_eq ASIACHAINCONTAINER01 "$(token_akid <<<"$OUT")" "4. then container credentials"
unset AWS_CONTAINER_CREDENTIALS_FULL_URI
run_token
assert_eq ASIACHAINIMDS0000001 "$(token_akid <<<"$OUT")" "5. then instance metadata"
export AWS_EC2_METADATA_DISABLED=true
run_token --no-cache
assert_eq 1 "$RC" "nothing configured: exit 1"
assert_contains "$ERR" "no AWS credentials" "nothing configured: one message listing where it looked"

# --- cache safety, seen through the command ---
export AWS_PROFILE=chain
"$BIN/eks-token" --clear-cache 2>/dev/null
: >"$count"
run_token
entry=$(ls "$XDG_CACHE_HOME"/ekskit/*.json)
assert_eq 1 "$(requests "$count")" "entry written"

chmod 644 "$entry"
run_token
assert_eq 0 "$RC" "group-readable entry: still works"
assert_contains "$ERR" "warning" "group-readable entry: warning on stderr"
assert_contains "$ERR" "0644" "group-readable entry: the mode is named"
assert_eq 2 "$(requests "$count")" "group-readable entry ignored (fetched again)"
assert_eq 600 "$(stat -c %a "$entry")" "entry rewritten with mode 0600"

mv "$entry" "$T/elsewhere.json"
ln -s "$T/elsewhere.json" "$entry"
run_token
assert_contains "$ERR" "symlink" "symlinked entry: warning"
assert_eq 3 "$(requests "$count")" "symlinked entry ignored"
[ -L "$entry" ] && fail "the symlink was written through" || ok "the symlink was replaced, not followed"

chmod 755 "$XDG_CACHE_HOME/ekskit"
run_token
assert_contains "$ERR" "chmod 700" "open cache directory: warning says how to fix"
assert_eq 4 "$(requests "$count")" "open cache directory: not used"
chmod 700 "$XDG_CACHE_HOME/ekskit"
run_token
run_token
assert_eq 4 "$(requests "$count")" "fixed directory: the earlier entry is used again"
assert_eq "" "$ERR" "fixed directory: no warning"
finish
