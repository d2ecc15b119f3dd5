#!/usr/bin/env bash
# Instance metadata (IMDSv2) through eks-token, against the loopback fake
# (which rejects token-less requests): credentials, region discovery, the
# cache, AWS_EC2_METADATA_DISABLED, an absent IMDS not stalling, and the
# IMDSv1 fallback only when opted in.  Never 169.254.169.254.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/creds.sh"
test_env

start_fake imds imds.py --access-key ASIAINSTANCE00000001 --region eu-north-1
unset AWS_EC2_METADATA_DISABLED
export AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:$imds_PORT

run_token
assert_eq 0 "$RC" "IMDSv2: exit 0 ($ERR)"
assert_eq ASIAINSTANCE00000001 "$(token_akid <<<"$OUT")" "token signed by the instance role's key"
assert_eq "PUT /latest/api/token 200" "$(head -n 1 "$imds_LOG")" "session token requested first"
assert_eq 0 "$(requests "$imds_LOG" ' 401$')" "no token-less request was made"
assert_eq 1 "$(requests "$imds_LOG" 'security-credentials/fake-instance-role 200')" "role credentials fetched"

# region from IMDS when nothing else gives one
unset AWS_REGION AWS_DEFAULT_REGION
run_token
assert_eq 0 "$RC" "no configured region: exit 0 ($ERR)"
assert_eq sts.eu-north-1.amazonaws.com "$(token_host <<<"$OUT")" "region discovered from IMDS"
export AWS_REGION=us-west-2

# cache: the fake is stopped, the second run still works
n=$(requests "$imds_LOG")
stop_fake imds
run_token
assert_eq 0 "$RC" "second run with IMDS down: exit 0 ($ERR)"
assert_eq ASIAINSTANCE00000001 "$(token_akid <<<"$OUT")" "second run served from the cache"

# an absent IMDS (nothing listens) fails fast with the no-credentials message
start=$SECONDS
run_token --no-cache
assert_eq 1 "$RC" "IMDS unreachable: exit 1"
assert_contains "$ERR" "no AWS credentials" "IMDS unreachable: the no-credentials message"
[ $((SECONDS - start)) -lt 6 ] && ok "unreachable IMDS does not stall ($((SECONDS - start)) s)" \
	|| fail "unreachable IMDS took $((SECONDS - start)) s"

# AWS_EC2_METADATA_DISABLED: no request at all
start_fake imds imds.py --access-key ASIAINSTANCE00000002
export AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:$imds_PORT
AWS_EC2_METADATA_DISABLED=true run_token --no-cache
assert_eq 1 "$RC" "IMDS disabled: exit 1"
assert_eq 0 "$(requests "$imds_LOG")" "IMDS disabled: no request made"

# instance without a role
stop_fake imds
start_fake imds imds.py --role ''
export AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:$imds_PORT
run_token --no-cache
assert_eq 1 "$RC" "no instance role: exit 1"
assert_contains "$ERR" "no AWS credentials" "no instance role: no-credentials message"

# IMDSv1-only service: refused unless the user opts in
stop_fake imds
start_fake imds imds.py --no-v2 --allow-v1 --access-key ASIAINSTANCEV1000001
export AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:$imds_PORT
run_token --no-cache
assert_eq 1 "$RC" "IMDSv1-only without opt-in: exit 1"
assert_eq 0 "$(requests "$imds_LOG" GET)" "IMDSv1-only without opt-in: no token-less GET"
EKSKIT_IMDS_ALLOW_V1=1 run_token --no-cache
assert_eq 0 "$RC" "IMDSv1 with EKSKIT_IMDS_ALLOW_V1=1: exit 0 ($ERR)"
assert_eq ASIAINSTANCEV1000001 "$(token_akid <<<"$OUT")" "IMDSv1 credentials used after opt-in"

# bad endpoint mode is a configuration error
unset AWS_EC2_METADATA_SERVICE_ENDPOINT
AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv5 run_token --no-cache
assert_eq 1 "$RC" "bad endpoint mode: exit 1"
assert_contains "$ERR" "IPv4 or IPv6" "bad endpoint mode: says what is allowed"
finish
