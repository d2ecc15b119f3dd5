#!/usr/bin/env bash
# credential_process through eks-token: the token is signed by the key the
# process printed; the second run is served from the cache (the process is
# not run again); --no-cache and --clear-cache; failure messages.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/creds.sh"
test_env

helper=$T/helper.sh
count=$T/helper.count
cat >"$helper" <<EOF
#!/bin/sh
echo run >>"$count"
exp=\$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
printf '{"Version": 1, "AccessKeyId": "ASIAPROCESS%s", "SecretAccessKey": "procSecret/+=", "SessionToken": "procToken", "Expiration": "%s"}\n' "\$1" "\$exp"
echo "helper diagnostics on stderr" >&2
EOF
chmod 700 "$helper"
cat >"$AWS_CONFIG_FILE" <<EOF
[profile proc]
credential_process = $helper 0001
[profile proc-shell]
credential_process = $helper 0002 | cat
[profile fails]
credential_process = sh -c 'echo "helper: not logged in" >&2; exit 4'
[profile badjson]
credential_process = echo '{"Version": 1, "AccessKeyId": "AKIA"'
[profile badversion]
credential_process = echo '{"Version": 2, "AccessKeyId": "AKIAX", "SecretAccessKey": "s"}'
[profile nosecret]
credential_process = echo '{"Version": 1, "AccessKeyId": "AKIAX"}'
[profile slow]
credential_process = sleep 20
[profile longterm]
credential_process = echo '{"Version": 1, "AccessKeyId": "AKIALONGTERM0001", "SecretAccessKey": "s"}'
EOF

run_token --profile proc
assert_eq 0 "$RC" "credential_process profile: exit 0 ($ERR)"
assert_eq ASIAPROCESS0001 "$(token_akid <<<"$OUT")" "token signed by the process's key"
assert_contains "$ERR" "helper diagnostics on stderr" "the process's stderr passes through"
assert_eq 1 "$(requests "$count")" "process ran once"

run_token --profile proc
assert_eq ASIAPROCESS0001 "$(token_akid <<<"$OUT")" "second run: same key"
assert_eq 1 "$(requests "$count")" "second run served from the cache (process not run)"
entry=$(ls "$XDG_CACHE_HOME"/ekskit/*.json)
assert_eq 600 "$(stat -c %a "$entry")" "cache entry mode 0600"
assert_eq 700 "$(stat -c %a "$XDG_CACHE_HOME/ekskit")" "cache dir mode 0700"
assert_not_contains "$(cat "$XDG_CACHE_HOME"/ekskit/*.lock 2>/dev/null)" "procSecret" "lock file holds no secret"

run_token --profile proc --no-cache
assert_eq 0 "$RC" "--no-cache: exit 0"
assert_eq 2 "$(requests "$count")" "--no-cache runs the process again"

"$BIN/eks-token" --clear-cache 2>"$T/clear.err"
assert_eq 0 "$?" "--clear-cache alone exits 0"
assert_eq "" "$(ls "$XDG_CACHE_HOME"/ekskit/*.json 2>/dev/null)" "--clear-cache removed the entry"
run_token --profile proc
assert_eq 3 "$(requests "$count")" "after --clear-cache the process runs again"

run_token --profile proc-shell
assert_eq ASIAPROCESS0002 "$(token_akid <<<"$OUT")" "command with a pipe runs through the shell"

run_token --profile longterm
assert_eq AKIALONGTERM0001 "$(token_akid <<<"$OUT")" "long-term keys from a process"
assert_not_contains "$(cache_akids)" AKIALONGTERM0001 "credentials without expiry are not cached"

run_token --profile fails
assert_eq 1 "$RC" "failing process: exit 1"
assert_contains "$ERR" "exit status 4" "failing process: exit status named"
assert_contains "$ERR" "profile fails" "failing process: profile named"
assert_eq "" "$OUT" "failing process: nothing on stdout"

run_token --profile badjson
assert_eq 1 "$RC" "bad JSON: exit 1"
assert_contains "$ERR" "JSON" "bad JSON: message"

run_token --profile badversion
assert_contains "$ERR" "Version" "wrong Version: message"
run_token --profile nosecret
assert_contains "$ERR" "SecretAccessKey" "missing field: message"

start=$SECONDS
EKSKIT_CREDENTIAL_PROCESS_TIMEOUT=1 run_token --profile slow
assert_eq 1 "$RC" "hung process: exit 1"
assert_contains "$ERR" "did not finish within 1 s" "hung process: killed at the time limit"
[ $((SECONDS - start)) -lt 10 ] && ok "time limit enforced quickly" || fail "time limit took $((SECONDS - start)) s"

assert_not_contains "$ERR$OUT" "procSecret" "no secret in any output"
finish
