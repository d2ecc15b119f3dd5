#!/usr/bin/env bash
# Container credentials (ECS / EKS Pod Identity) through eks-token, against
# the loopback fake: FULL_URI with token and token file, the host allow-list,
# RELATIVE_URI (never connecting to 169.254.170.2), the cache (second run
# with the fake stopped) and 50 parallel runs fetching once.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/creds.sh"
test_env

start_fake ctr container_creds.py --token 'pod-identity-token' --access-key ASIACONTAINER0000001
url=http://127.0.0.1:$ctr_PORT/v1/credentials

# --- FULL_URI + AWS_CONTAINER_AUTHORIZATION_TOKEN ---
export AWS_CONTAINER_CREDENTIALS_FULL_URI=$url AWS_CONTAINER_AUTHORIZATION_TOKEN=pod-identity-token
run_token
assert_eq 0 "$RC" "FULL_URI with token: exit 0 ($ERR)"
assert_eq ASIACONTAINER0000001 "$(token_akid <<<"$OUT")" "token signed by the container credentials"
assert_eq 1 "$(requests "$ctr_LOG")" "one request to the endpoint"

# --- cache: the second run makes no request (the fake is stopped) ---
stop_fake ctr
run_token
assert_eq 0 "$RC" "second run with the endpoint down: exit 0 ($ERR)"
assert_eq ASIACONTAINER0000001 "$(token_akid <<<"$OUT")" "second run served from the cache"
run_token --no-cache
assert_eq 1 "$RC" "--no-cache with the endpoint down fails"
assert_contains "$ERR" "container credentials" "--no-cache: the error names the source"

# --- token file wins, and a wrong token is a clear 401 ---
start_fake ctr container_creds.py --token 'from-file-token' --access-key ASIACONTAINER0000002
export AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:$ctr_PORT/v1/credentials
printf 'from-file-token\n' >"$T/token"
export AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=$T/token
run_token
assert_eq ASIACONTAINER0000002 "$(token_akid <<<"$OUT")" "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE used"
printf 'rotated-wrong-token' >"$T/token"
run_token
assert_eq 1 "$RC" "wrong authorization token: exit 1"
assert_contains "$ERR" "401" "wrong token: HTTP status shown"
assert_not_contains "$ERR" "rotated-wrong-token" "the token never appears in messages"
unset AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE

# --- the SDK host allow-list for plain http ---
for bad in http://10.0.0.1/creds http://169.254.169.254/latest http://example.com/creds; do
	AWS_CONTAINER_CREDENTIALS_FULL_URI=$bad run_token
	assert_eq 1 "$RC" "FULL_URI $bad refused: exit 1"
	assert_contains "$ERR" "is not allowed" "FULL_URI $bad: says why"
done

# --- RELATIVE_URI: the ECS address is never contacted from tests ---
unset AWS_CONTAINER_CREDENTIALS_FULL_URI
export AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=/v2/credentials/abc
start=$SECONDS
run_token --no-cache
assert_eq 1 "$RC" "RELATIVE_URI to 169.254.170.2 under the loopback guard: exit 1"
assert_contains "$ERR" "169.254.170.2" "the refusal names the ECS address"
[ $((SECONDS - start)) -lt 10 ] && ok "refused without stalling" || fail "took $((SECONDS - start)) s"
# the test-only base override (honoured only with EKSKIT_TEST_LOOPBACK_ONLY=1)
EKSKIT_TEST_ECS_ENDPOINT=http://127.0.0.1:$ctr_PORT AWS_CONTAINER_AUTHORIZATION_TOKEN=from-file-token \
	run_token --no-cache
assert_eq 0 "$RC" "RELATIVE_URI against the loopback fake: exit 0 ($ERR)"
assert_eq ASIACONTAINER0000002 "$(token_akid <<<"$OUT")" "RELATIVE_URI credentials used"
assert_contains "$(tail -n 1 "$ctr_LOG")" "GET /v2/credentials/abc" "relative path appended to the base"
unset AWS_CONTAINER_CREDENTIALS_RELATIVE_URI

# --- 50 parallel runs fetch once ---
stop_fake ctr
start_fake ctr container_creds.py --access-key ASIACONTAINER0000050
export AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:$ctr_PORT/race
unset AWS_CONTAINER_AUTHORIZATION_TOKEN
"$BIN/eks-token" --clear-cache 2>/dev/null
pids=()
for i in $(seq 1 50); do
	"$BIN/eks-token" --cluster-name test-cluster >"$T/par.$i" 2>"$T/par.$i.err" &
	pids+=($!)
done
okruns=0
for i in "${!pids[@]}"; do wait "${pids[$i]}" && okruns=$((okruns + 1)); done
assert_eq 50 "$okruns" "50 parallel runs succeed"
assert_eq 1 "$(requests "$ctr_LOG")" "50 parallel runs made exactly one request"
assert_eq "50 ASIACONTAINER0000050" "$(token_akids $(seq -f "$T/par.%g" 1 50) | sort | uniq -c | awk '{print $1, $2}')" \
	"every parallel run signed with the fetched key"
finish
