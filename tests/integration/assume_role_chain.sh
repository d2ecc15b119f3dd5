#!/usr/bin/env bash
# Assume-role profile chains through moto's STS, driven through eks-token:
#   A (static keys, credentials file) -> B (role_arn, source_profile A)
#   -> C (role_arn, source_profile B, external_id, role_session_name, duration).
# The roles are created in moto IAM with the AWS CLI.  The token is decoded
# and its X-Amz-Credential must carry the access key moto's AssumeRole handed
# out for role C: moto's GetCallerIdentity with that key names the assumed
# role and session.  The token's host stays the real STS host (the override
# only redirects the AssumeRole calls).  Then the configuration errors:
# a source_profile loop, a missing source profile, an unknown profile and
# no credentials at all.
set -u
. "$(dirname "$0")/../lib/common.sh"

EKS_TOKEN=$BIN/eks-token
[ -x "$EKS_TOKEN" ] || skip "eks-token is not built ($EKS_TOKEN)"
"$EKS_TOKEN" --help >/dev/null 2>&1 || skip "eks-token does not work yet ($EKS_TOKEN --help fails)"
command -v aws >/dev/null || die "the AWS CLI is required"

test_env
need_moto
REGION=us-west-2
ACCOUNT=123456789012

# The AWS CLI talks to moto with throwaway keys (moto accepts any).
awscli() {
	AWS_ACCESS_KEY_ID=AKIDEXAMPLESETUP AWS_SECRET_ACCESS_KEY=setup \
	AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
		aws --endpoint-url "$MOTO_URL" --region "$REGION" --output text "$@"
}

SUFFIX=$$-$RANDOM
USER_A=chain-a-$SUFFIX
awscli iam create-user --user-name "$USER_A" >/dev/null || die "cannot create the IAM user in moto"
read -r AKID_A SECRET_A < <(awscli iam create-access-key --user-name "$USER_A" \
	--query 'AccessKey.[AccessKeyId,SecretAccessKey]') || die "cannot create an access key"
[ -n "$AKID_A" ] && [ -n "$SECRET_A" ] || die "no access key from moto"
TRUST='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}'
for r in B C S D E; do
	awscli iam create-role --role-name "chain-$r-$SUFFIX" \
		--assume-role-policy-document "$TRUST" >/dev/null || die "cannot create role $r"
done
role() { echo "arn:aws:iam::$ACCOUNT:role/chain-$1-$SUFFIX"; }

cat >"$AWS_SHARED_CREDENTIALS_FILE" <<EOF
[A]
aws_access_key_id = $AKID_A
aws_secret_access_key = $SECRET_A
EOF
cat >"$AWS_CONFIG_FILE" <<EOF
[profile A]
region = $REGION

[profile B]
role_arn = $(role B)
source_profile = A
role_session_name = chain-b

[profile C]
# three levels: C -> B -> A
role_arn = $(role C)
source_profile = B
role_session_name = chain-c
external_id = ext-$SUFFIX
duration_seconds = 1800
region = $REGION

[profile S]
# its own source: the static keys of this very profile
aws_access_key_id = $AKID_A
aws_secret_access_key = $SECRET_A
role_arn = $(role S)
source_profile = S

[profile D]
role_arn = $(role D)
source_profile = A

[profile E]
role_arn = $(role E)
credential_source = Environment

[profile loop1]
role_arn = $(role B)
source_profile = loop2

[profile loop2]
role_arn = $(role B)
source_profile = loop1

[profile dangling]
role_arn = $(role B)
source_profile = nowhere
EOF

# token_akid TOKEN-JSON: the access key and host inside the token's presigned URL.
token_field() {  # json field(akid|host|token)
	"$PYTHON" - "$1" "$2" <<'EOF'
import base64, json, sys, urllib.parse
tok = json.loads(sys.argv[1])["status"]["token"]
assert tok.startswith("k8s-aws-v1.")
b = tok[len("k8s-aws-v1."):]
url = base64.urlsafe_b64decode(b + "=" * (-len(b) % 4)).decode()
u = urllib.parse.urlsplit(url)
q = urllib.parse.parse_qs(u.query)
print({"akid": q["X-Amz-Credential"][0].split("/")[0], "host": u.netloc,
       "token": "yes" if "X-Amz-Security-Token" in q else "no"}[sys.argv[2]])
EOF
}

# caller_arn AKID: who moto says that access key belongs to (moto does not
# check signatures, so the secret does not matter).
caller_arn() {
	AWS_ACCESS_KEY_ID=$1 AWS_SECRET_ACCESS_KEY=unused AWS_SESSION_TOKEN=unused \
	AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
		aws --endpoint-url "$MOTO_URL" --region "$REGION" --output text \
		sts get-caller-identity --query Arn
}

run_token() {  # profile -> sets OUT, ERR, RC
	OUT=$("$EKS_TOKEN" --cluster-name chain-cluster --region "$REGION" --profile "$1" 2>"$T/err")
	RC=$?
	ERR=$(cat "$T/err")
}

# --- C: a three-level chain ---------------------------------------------------
run_token C
assert_eq 0 "$RC" "profile C: eks-token succeeds ($ERR)"
if [ "$RC" = 0 ]; then
	AKID=$(token_field "$OUT" akid)
	case "$AKID" in ASIA*) ok "profile C: token signed with temporary keys ($AKID)" ;;
		*) fail "profile C: token key $AKID is not an ASIA key" ;; esac
	[ "$AKID" != "$AKID_A" ] && ok "profile C: not A's static key" || fail "profile C: signed with A's key"
	assert_eq yes "$(token_field "$OUT" token)" "profile C: token carries the session token"
	assert_eq "sts.$REGION.amazonaws.com" "$(token_field "$OUT" host)" \
		"profile C: token host is the real STS host, not the moto override"
	assert_eq "arn:aws:sts::$ACCOUNT:assumed-role/chain-C-$SUFFIX/chain-c" "$(caller_arn "$AKID")" \
		"profile C: the token's key is moto's AssumeRole result for role C, session chain-c"
	assert_not_contains "$OUT$ERR" "$SECRET_A" "profile C: no secret in the output"
fi

# --- B: one level -------------------------------------------------------------
run_token B
assert_eq 0 "$RC" "profile B: eks-token succeeds ($ERR)"
[ "$RC" = 0 ] && assert_eq "arn:aws:sts::$ACCOUNT:assumed-role/chain-B-$SUFFIX/chain-b" \
	"$(caller_arn "$(token_field "$OUT" akid)")" "profile B: assumed role B"

# --- S: a profile that is its own source ---------------------------------------
run_token S
assert_eq 0 "$RC" "profile S (own source): eks-token succeeds ($ERR)"
[ "$RC" = 0 ] && assert_contains "$(caller_arn "$(token_field "$OUT" akid)")" \
	"assumed-role/chain-S-$SUFFIX/" "profile S: assumed role S with its own keys"

# --- D: the default session name ------------------------------------------------
run_token D
assert_eq 0 "$RC" "profile D: eks-token succeeds ($ERR)"
if [ "$RC" = 0 ]; then
	arn=$(caller_arn "$(token_field "$OUT" akid)")
	case "$arn" in
	"arn:aws:sts::$ACCOUNT:assumed-role/chain-D-$SUFFIX/ekskit-session-"[0-9]*) ok "profile D: default session name ($arn)" ;;
	*) fail "profile D: unexpected session ARN $arn" ;;
	esac
fi

# --- A: the static keys themselves ----------------------------------------------
run_token A
assert_eq 0 "$RC" "profile A: eks-token succeeds ($ERR)"
[ "$RC" = 0 ] && assert_eq "$AKID_A" "$(token_field "$OUT" akid)" "profile A: signed with A's static key"

# --- E: credential_source = Environment (with --profile the environment keys
# are the source for AssumeRole, not the credentials themselves) ----------------
OUT=$(AWS_ACCESS_KEY_ID=$AKID_A AWS_SECRET_ACCESS_KEY=$SECRET_A \
	"$EKS_TOKEN" --cluster-name chain-cluster --region "$REGION" --profile E 2>"$T/err")
RC=$?; ERR=$(cat "$T/err")
assert_eq 0 "$RC" "profile E: eks-token succeeds ($ERR)"
[ "$RC" = 0 ] && assert_contains "$(caller_arn "$(token_field "$OUT" akid)")" \
	"assumed-role/chain-E-$SUFFIX/" "profile E: assumed role E with the environment keys"

# --- verbose output names the chain but no secret (a fresh credential cache,
# so the AssumeRole calls really happen) -----------------------------------------
XDG_CACHE_HOME=$T/cache-verbose "$EKS_TOKEN" -v --cluster-name chain-cluster --region "$REGION" --profile C >/dev/null 2>"$T/err"
ERR=$(cat "$T/err")
assert_contains "$ERR" "assuming role $(role B) for profile 'B'" "verbose: shows the chain"
assert_not_contains "$ERR" "$SECRET_A" "verbose: no secret key"

# --- errors ----------------------------------------------------------------------
run_token loop1
assert_eq 1 "$RC" "loop: exit 1"
assert_contains "$ERR" "source_profile loop: loop1 -> loop2 -> loop1" "loop: message names the cycle"
assert_eq "" "$OUT" "loop: nothing on stdout"

run_token dangling
assert_eq 1 "$RC" "dangling source_profile: exit 1"
assert_contains "$ERR" "source_profile 'nowhere' referenced in profile 'dangling' does not exist" \
	"dangling source_profile: message"

run_token nosuchprofile
assert_eq 1 "$RC" "unknown profile: exit 1"
assert_contains "$ERR" "profile 'nosuchprofile' not found in $AWS_CONFIG_FILE or $AWS_SHARED_CREDENTIALS_FILE" \
	"unknown profile: message names the files"

: >"$AWS_CONFIG_FILE"
: >"$AWS_SHARED_CREDENTIALS_FILE"
OUT=$("$EKS_TOKEN" --cluster-name chain-cluster --region "$REGION" 2>"$T/err"); RC=$?
ERR=$(cat "$T/err")
assert_eq 1 "$RC" "no credentials: exit 1"
assert_contains "$ERR" "no AWS credentials found. Looked in: environment variables" "no credentials: where it looked"
assert_contains "$ERR" "aws configure" "no credentials: how to fix"
assert_eq "" "$OUT" "no credentials: nothing on stdout"

finish
