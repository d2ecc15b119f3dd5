#!/usr/bin/env bash
# eks-token end to end: credentials from the environment and from profiles,
# the token's contents (decoded independently with python), the apiVersion
# handshake, the 14-minute expiry rule and its cap, --role-arn through moto's
# STS, usage and credential errors, secrets never printed, the AWS CLI as an
# oracle for the exact token bytes, and completions covering every flag.
set -u
. "$(dirname "$0")/../lib/common.sh"
need_moto
test_env

ET=$BIN/eks-token
# faketime is an LD_PRELOAD library; under ASan it has to be allowed to come
# before the sanitizer runtime (make sanitize runs this script too).
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
[ -x "$ET" ] || die "$ET not built"
SECRET='testsecret/with+chars=0123456789ABCDEFGH'
AKID=AKIDEXAMPLETESTKEY01
STOKEN='FwoGZXIvYXdzEXAMPLE+session/token=='

# Decode an ExecCredential line (or, with --token, a bare token) and print
# KEY=VALUE lines describing it.  Exits 1 with a reason when it is malformed.
describe() {  # [--token] < stdout
	"$PYTHON" -c '
import base64, json, re, sys, urllib.parse
raw = sys.stdin.read()
if len(sys.argv) > 1:
    if raw.count("\n") != 1 or not raw.endswith("\n"):
        sys.exit("token output is not exactly one line")
    tok, doc = raw[:-1], None
else:
    if raw.count("\n") != 1 or not raw.endswith("\n"):
        sys.exit("ExecCredential is not exactly one line")
    line = raw[:-1]
    doc = json.loads(line)
    if json.dumps(doc, separators=(",", ":")) != line:
        sys.exit("not compact JSON in the documented key order: " + line)
    if list(doc) != ["kind", "apiVersion", "spec", "status"] or doc["kind"] != "ExecCredential":
        sys.exit("bad keys: %r" % list(doc))
    if doc["spec"] != {"interactive": False} or list(doc["status"]) != ["expirationTimestamp", "token"]:
        sys.exit("bad spec/status: %r" % doc)
    tok = doc["status"]["token"]
if not tok.startswith("k8s-aws-v1.") or len(tok) > 4096:
    sys.exit("bad token prefix/length")
b64 = tok[len("k8s-aws-v1."):]
if not re.fullmatch(r"[A-Za-z0-9_-]+", b64):
    sys.exit("token is not unpadded base64url")
url = base64.urlsafe_b64decode(b64 + "=" * (-len(b64) % 4)).decode()
u = urllib.parse.urlsplit(url)
q = urllib.parse.parse_qsl(u.query, keep_blank_values=True, strict_parsing=True)
keys = [k for k, _ in q]
d = dict(q)
print("url=" + url)
print("scheme=" + u.scheme)
print("host=" + u.netloc)
print("path=" + u.path)
print("keys=" + ",".join(keys))
for k in ("Action", "Version", "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date",
          "X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Security-Token", "X-Amz-Signature"):
    print("%s=%s" % (k, d.get(k, "")))
cred = d.get("X-Amz-Credential", "").split("/")
print("akid=" + cred[0])
print("scope=" + "/".join(cred[1:]))
print("token=" + tok)
if doc is not None:
    print("apiVersion=" + doc["apiVersion"])
    print("expiration=" + doc["status"]["expirationTimestamp"])
' "$@"
}
field() { sed -n "s/^$1=//p" <<<"$2"; }

# Seconds between an X-Amz-Date and an RFC 3339 UTC timestamp.
seconds_between() {  # amz-date timestamp
	"$PYTHON" -c '
import sys, datetime as dt
a = dt.datetime.strptime(sys.argv[1], "%Y%m%dT%H%M%SZ")
b = dt.datetime.strptime(sys.argv[2], "%Y-%m-%dT%H:%M:%SZ")
print(int((b - a).total_seconds()))' "$1" "$2"
}

run_et() {  # args... ; sets OUT ERR RC
	"$ET" "$@" >"$T/out" 2>"$T/err"
	RC=$?
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
}

# ---------------------------------------------------------------- basics
run_et --version
assert_eq 0 "$RC" "--version exits 0"
assert_eq "eks-token $(cat "$TOP/VERSION")" "$OUT" "--version prints the version"
run_et --help
assert_eq 0 "$RC" "--help exits 0"
assert_contains "$OUT" "Usage: eks-token --cluster-name NAME" "--help shows usage"
assert_contains "$OUT" "Exit status" "--help mentions exit status"
assert_eq "" "$ERR" "--help prints nothing on stderr"

# ---------------------------------------------------------------- usage errors
usage_case() {  # message expected-stderr-part args...
	local msg=$1 part=$2
	shift 2
	use_static_creds "$AKID" "$SECRET"
	run_et "$@"
	assert_eq 2 "$RC" "usage: $msg exits 2"
	assert_eq "" "$OUT" "usage: $msg prints nothing on stdout"
	assert_contains "$ERR" "$part" "usage: $msg message"
}
usage_case "no cluster name" "missing --cluster-name" --region us-west-2
usage_case "no arguments at all" "missing --cluster-name"
usage_case "unknown flag" "unknown option '--bogus'" --cluster-name c --bogus
usage_case "missing argument" "option '--region' needs an argument" --cluster-name c --region
usage_case "empty value" "--cluster-name needs a non-empty value" --cluster-name ""
usage_case "stray argument" "unexpected argument 'extra'" --cluster-name c extra
usage_case "switch with a value" "unknown option '--token-only'" --cluster-name c --token-only=1
usage_case "session name without role" "need --role-arn" --cluster-name c --session-name s
usage_case "external id without role" "need --role-arn" --cluster-name c --external-id x
usage_case "conflicting ids" "different values" --cluster-name a -i b
assert_contains "$ERR" "Try 'eks-token --help'" "usage errors point at --help"

# ---------------------------------------------------------------- env credentials
use_static_creds "$AKID" "$SECRET"
run_et --cluster-name my-cluster
assert_eq 0 "$RC" "env creds: exit 0"
assert_eq "" "$ERR" "env creds: silent stderr without -v"
D=$(describe <<<"$OUT") || fail "env creds: output does not decode: $D"
assert_eq "client.authentication.k8s.io/v1beta1" "$(field apiVersion "$D")" "no KUBERNETES_EXEC_INFO: v1beta1"
assert_eq https "$(field scheme "$D")" "token url is https"
assert_eq sts.us-west-2.amazonaws.com "$(field host "$D")" "token host is the real regional STS host despite AWS_ENDPOINT_URL=$AWS_ENDPOINT_URL"
assert_eq / "$(field path "$D")" "token path is /"
assert_eq "Action,Version,X-Amz-Algorithm,X-Amz-Credential,X-Amz-Date,X-Amz-Expires,X-Amz-SignedHeaders,X-Amz-Signature" \
	"$(field keys "$D")" "query parameters in SDK order, signature last, no session token"
assert_eq GetCallerIdentity "$(field Action "$D")" "Action"
assert_eq 2011-06-15 "$(field Version "$D")" "Version"
assert_eq AWS4-HMAC-SHA256 "$(field X-Amz-Algorithm "$D")" "algorithm"
assert_eq 60 "$(field X-Amz-Expires "$D")" "X-Amz-Expires=60"
assert_eq "host;x-k8s-aws-id" "$(field X-Amz-SignedHeaders "$D")" "signed headers"
assert_eq "$AKID" "$(field akid "$D")" "credential is the env access key"
amzdate=$(field X-Amz-Date "$D")
assert_eq "${amzdate:0:8}/us-west-2/sts/aws4_request" "$(field scope "$D")" "credential scope"
[[ $(field X-Amz-Signature "$D") =~ ^[0-9a-f]{64}$ ]] && ok "signature is 64 hex" || fail "signature: $(field X-Amz-Signature "$D")"
exp=$(field expiration "$D")
[[ $exp =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$ ]] && ok "expirationTimestamp format" || fail "expirationTimestamp format: $exp"
assert_eq 840 "$(seconds_between "$amzdate" "$exp")" "expiry = signing time + 14 min"
now=$(date -u +%s)
signed=$(date -u -d "${amzdate:0:4}-${amzdate:4:2}-${amzdate:6:2}T${amzdate:9:2}:${amzdate:11:2}:${amzdate:13:2}Z" +%s)
[ $((now - signed)) -ge 0 ] && [ $((now - signed)) -lt 60 ] && ok "signed now" || fail "signing time $amzdate vs now $now"

# the -i / --name / --cluster-id spellings and --token-only under a frozen
# clock give byte-identical tokens
FT="2024-01-02 03:04:05"
frozen() { faketime -f "$FT" "$ET" "$@"; }
base=$(frozen --cluster-name my-cluster --token-only) || fail "frozen --token-only"
assert_eq "$base" "$(frozen --name my-cluster --token-only)" "--name is --cluster-name"
assert_eq "$base" "$(frozen -i my-cluster --token-only)" "-i sets the same x-k8s-aws-id"
assert_eq "$base" "$(frozen --cluster-id=my-cluster --token-only)" "--cluster-id= form"
assert_eq "$base" "$(frozen --cluster-name my-cluster --cluster-id my-cluster --token-only)" "same value twice is fine"
[ "$base" != "$(frozen --cluster-name other-cluster --token-only)" ] && ok "cluster id is signed" || fail "cluster id not in the signature"
line=$(frozen --cluster-name my-cluster)
assert_eq "$base" "$(field token "$(describe <<<"$line")")" "--token-only prints the same token as the ExecCredential"
T1=$(frozen --cluster-name my-cluster --token-only | describe --token) || fail "--token-only output: $T1"
assert_eq "20240102T030405Z" "$(field X-Amz-Date "$T1")" "frozen clock is the signing time"
assert_eq "2024-01-02T03:18:05Z" "$(field expiration "$(describe <<<"$line")")" "frozen: expiry +14 min"

# The AWS CLI as oracle: same credentials, region, cluster and clock must
# give the very same token and expiry.
aws_token() {  # region cluster [sts-mode]
	env -u AWS_ENDPOINT_URL AWS_STS_REGIONAL_ENDPOINTS="${3:-regional}" \
		faketime -f "$FT" aws eks get-token --cluster-name "$2" --region "$1" --output json
}
if command -v aws >/dev/null 2>&1; then
	for rc in "us-west-2 my-cluster" "eu-central-1 a-much-longer-cluster-name-0123456789-abcdefghijklmnopqrstuvwxyz" \
		"cn-north-1 cn-cluster" "us-gov-west-1 gov"; do
		set -- $rc
		want=$(aws_token "$1" "$2" | "$PYTHON" -c 'import json,sys; d=json.load(sys.stdin); print(d["status"]["token"], d["status"]["expirationTimestamp"])')
		got=$(frozen --cluster-name "$2" --region "$1" | "$PYTHON" -c 'import json,sys; d=json.load(sys.stdin); print(d["status"]["token"], d["status"]["expirationTimestamp"])')
		assert_eq "$want" "$got" "same token and expiry as aws eks get-token ($1, $2)"
	done
	export AWS_SESSION_TOKEN=$STOKEN
	want=$(aws_token us-east-1 c legacy | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["status"]["token"])')
	got=$(AWS_STS_REGIONAL_ENDPOINTS=legacy frozen --cluster-name c --region us-east-1 --token-only)
	assert_eq "$want" "$got" "same token as aws eks get-token (session token, legacy global STS)"
	unset AWS_SESSION_TOKEN
else
	fail "the AWS CLI (aws) is required as the token oracle"
fi

# ---------------------------------------------------------------- regions
run_et --cluster-name c --region eu-west-1 --token-only
assert_eq sts.eu-west-1.amazonaws.com "$(field host "$(describe --token <<<"$OUT")")" "--region wins over AWS_REGION"
AWS_REGION=cn-northwest-1 run_et --cluster-name c --token-only
assert_eq sts.cn-northwest-1.amazonaws.com.cn "$(field host "$(describe --token <<<"$OUT")")" "aws-cn partition host"
( unset AWS_REGION; AWS_DEFAULT_REGION=ap-south-1 "$ET" --cluster-name c --token-only >"$T/out" 2>"$T/err" )
assert_eq sts.ap-south-1.amazonaws.com "$(field host "$(describe --token <"$T/out")")" "AWS_DEFAULT_REGION"
( unset AWS_REGION AWS_DEFAULT_REGION; "$ET" --cluster-name c >"$T/out" 2>"$T/err"; echo $? >"$T/rc" )
assert_eq 1 "$(cat "$T/rc")" "no region: exit 1"
assert_eq "" "$(cat "$T/out")" "no region: nothing on stdout"
assert_contains "$(cat "$T/err")" "region" "no region: message names the region"

# ---------------------------------------------------------------- apiVersion
for v in v1 v1beta1; do
	KUBERNETES_EXEC_INFO="{\"kind\":\"ExecCredential\",\"apiVersion\":\"client.authentication.k8s.io/$v\",\"spec\":{\"interactive\":false}}" \
		run_et --cluster-name c
	assert_eq 0 "$RC" "exec info $v: exit 0"
	assert_eq "client.authentication.k8s.io/$v" "$(field apiVersion "$(describe <<<"$OUT")")" "exec info $v echoed"
	assert_eq "" "$ERR" "exec info $v: no warning"
done
KUBERNETES_EXEC_INFO='{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1alpha1","spec":{}}' \
	run_et --cluster-name c
assert_eq 0 "$RC" "exec info v1alpha1: exit 0"
assert_eq "client.authentication.k8s.io/v1alpha1" "$(field apiVersion "$(describe <<<"$OUT")")" "v1alpha1 echoed"
assert_contains "$ERR" "warning: exec credential apiVersion client.authentication.k8s.io/v1alpha1 is deprecated" "v1alpha1 warns on stderr"
KUBERNETES_EXEC_INFO='{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v2"}' run_et --cluster-name c
assert_eq 1 "$RC" "exec info v2: exit 1"
assert_eq "" "$OUT" "exec info v2: nothing on stdout"
assert_contains "$ERR" 'unsupported exec credential apiVersion "client.authentication.k8s.io/v2"' "exec info v2: clear message"
KUBERNETES_EXEC_INFO='{not json' run_et --cluster-name c
assert_eq 1 "$RC" "malformed exec info: exit 1"
assert_contains "$ERR" "KUBERNETES_EXEC_INFO is not valid JSON" "malformed exec info: message"
KUBERNETES_EXEC_INFO='{not json' run_et --cluster-name c --token-only
assert_eq 0 "$RC" "--token-only ignores KUBERNETES_EXEC_INFO"
KUBERNETES_EXEC_INFO= run_et --cluster-name c
assert_eq "client.authentication.k8s.io/v1beta1" "$(field apiVersion "$(describe <<<"$OUT")")" "empty exec info: v1beta1"

# ---------------------------------------------------------------- stdout failure
"$ET" --cluster-name c >/dev/full 2>"$T/err"
assert_eq 1 "$?" "unwritable stdout: exit 1"
assert_contains "$(cat "$T/err")" "writing to stdout failed" "unwritable stdout: message"

# ---------------------------------------------------------------- session token and -v
export AWS_SESSION_TOKEN=$STOKEN
run_et --cluster-name c -v
assert_eq 0 "$RC" "session token: exit 0"
D=$(describe <<<"$OUT")
assert_eq "$STOKEN" "$(field X-Amz-Security-Token "$D")" "session token travels in the token"
assert_eq "Action,Version,X-Amz-Algorithm,X-Amz-Credential,X-Amz-Date,X-Amz-Expires,X-Amz-SignedHeaders,X-Amz-Security-Token,X-Amz-Signature" \
	"$(field keys "$D")" "session token where botocore puts it (after signing), signature last"
assert_contains "$ERR" "us-west-2" "-v names the region"
assert_contains "$ERR" "sts.us-west-2.amazonaws.com" "-v names the STS host"
assert_contains "$ERR" "$AKID" "-v names the access key id"
assert_contains "$ERR" "expires" "-v shows the expiry"
assert_contains "$ERR" "credentials from" "-v shows the credential provider"
assert_not_contains "$OUT$ERR" "$SECRET" "-v: secret key never printed"
assert_not_contains "$OUT$ERR" "$STOKEN" "-v: session token never printed verbatim"
assert_not_contains "$ERR" "$(field token "$D" | cut -c1-40)" "-v: the bearer token is not on stderr"
unset AWS_SESSION_TOKEN

# ---------------------------------------------------------------- expiry cap
# Credentials that expire in 5 minutes: the token must not claim 14.
cap_at=$(date -u -d "@$(( $(date -u +%s) + 300 ))" +%Y-%m-%dT%H:%M:%SZ)
AWS_CREDENTIAL_EXPIRATION=$cap_at run_et --cluster-name c
if [ "$RC" = 0 ]; then
	assert_eq "$cap_at" "$(field expiration "$(describe <<<"$OUT")")" "expiry capped at AWS_CREDENTIAL_EXPIRATION"
else
	fail "AWS_CREDENTIAL_EXPIRATION: exit $RC: $ERR"
fi
past=$(date -u -d "@$(( $(date -u +%s) - 60 ))" +%Y-%m-%dT%H:%M:%SZ)
AWS_CREDENTIAL_EXPIRATION=$past run_et --cluster-name c
assert_eq 1 "$RC" "expired credentials: exit 1"
assert_contains "$ERR" "expired" "expired credentials: message"
assert_eq "" "$OUT" "expired credentials: nothing on stdout"

# ---------------------------------------------------------------- profiles
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
cat >"$AWS_SHARED_CREDENTIALS_FILE" <<EOF
[default]
aws_access_key_id = AKIDDEFAULTPROFILE01
aws_secret_access_key = defaultsecret/$SECRET

[dev]
aws_access_key_id = AKIDDEVPROFILE000001
aws_secret_access_key = devsecret/$SECRET
aws_session_token = devtoken/$STOKEN
EOF
cat >"$AWS_CONFIG_FILE" <<EOF
[profile dev]
region = eu-north-1
EOF
run_et --cluster-name c --token-only
assert_eq AKIDDEFAULTPROFILE01 "$(field akid "$(describe --token <<<"$OUT")")" "default profile from the credentials file"
run_et --cluster-name c --profile dev --token-only -v
D=$(describe --token <<<"$OUT")
assert_eq AKIDDEVPROFILE000001 "$(field akid "$D")" "--profile dev"
assert_eq "devtoken/$STOKEN" "$(field X-Amz-Security-Token "$D")" "--profile dev session token"
assert_eq sts.us-west-2.amazonaws.com "$(field host "$D")" "AWS_REGION beats the profile region"
assert_not_contains "$OUT$ERR" "devsecret/$SECRET" "profile: secret key never printed"
assert_not_contains "$ERR" "devtoken/$STOKEN" "profile: session token never on stderr"
( unset AWS_REGION; AWS_PROFILE=dev "$ET" --cluster-name c --token-only >"$T/out" 2>"$T/err" )
D=$(describe --token <"$T/out")
assert_eq AKIDDEVPROFILE000001 "$(field akid "$D")" "AWS_PROFILE=dev"
assert_eq sts.eu-north-1.amazonaws.com "$(field host "$D")" "profile region used when no env region"
run_et --cluster-name c --profile nosuch
assert_eq 1 "$RC" "unknown profile: exit 1"
assert_contains "$ERR" "nosuch" "unknown profile: named in the message"
use_static_creds "$AKID" "$SECRET"
run_et --cluster-name c --token-only
assert_eq "$AKID" "$(field akid "$(describe --token <<<"$OUT")")" "env credentials come before the credentials file"
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY

# ---------------------------------------------------------------- no credentials
: >"$AWS_SHARED_CREDENTIALS_FILE"
: >"$AWS_CONFIG_FILE"
run_et --cluster-name c -v
assert_eq 1 "$RC" "no credentials: exit 1"
assert_eq "" "$OUT" "no credentials: nothing on stdout"
assert_contains "$ERR" "AWS_ACCESS_KEY_ID" "no credentials: mentions the environment variables"
assert_contains "$ERR" "$AWS_SHARED_CREDENTIALS_FILE" "no credentials: names the credentials file"
assert_contains "$ERR" "aws configure" "no credentials: says how to fix it"
# a malformed config file is an error naming the file and line
printf '[default]\nregion = us-west-2\nthis line is broken\n' >"$AWS_CONFIG_FILE"
use_static_creds "$AKID" "$SECRET"
run_et --cluster-name c
assert_eq 1 "$RC" "malformed config: exit 1"
assert_contains "$ERR" "$AWS_CONFIG_FILE" "malformed config: names the file"
: >"$AWS_CONFIG_FILE"

# ---------------------------------------------------------------- --role-arn via moto
AWSM() { aws --endpoint-url "$MOTO_URL" --region us-east-1 "$@"; }
ROLE_NAME=eks-admin-$$-$RANDOM   # the moto server may be shared between runs
AWSM iam create-role --role-name "$ROLE_NAME" --assume-role-policy-document \
	'{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}' \
	--query Role.Arn --output text >"$T/role" 2>&1 || fail "creating the role in moto: $(cat "$T/role")"
ROLE=$(cat "$T/role")
assert_eq "arn:aws:iam::123456789012:role/$ROLE_NAME" "$ROLE" "role created in moto IAM"
export AWS_SESSION_TOKEN=$STOKEN
run_et --cluster-name c --role-arn "$ROLE" --session-name ci-session --external-id ext-123 -v
assert_eq 0 "$RC" "--role-arn through moto: exit 0 ($ERR)"
D=$(describe <<<"$OUT")
akid=$(field akid "$D")
[[ $akid == ASIA* ]] && ok "assumed credentials are temporary (ASIA…)" || fail "assumed key: $akid"
[ "$akid" != "$AKID" ] && ok "token not signed by the source key" || fail "token signed by the source key"
[ -n "$(field X-Amz-Security-Token "$D")" ] && [ "$(field X-Amz-Security-Token "$D")" != "$STOKEN" ] &&
	ok "token carries the assumed session token" || fail "assumed session token missing"
assert_eq sts.us-west-2.amazonaws.com "$(field host "$D")" "assume-role goes to moto, the token still names real STS"
assert_contains "$ERR" "$ROLE" "-v names the role"
assert_not_contains "$OUT$ERR" "$SECRET" "role: source secret never printed"
assert_not_contains "$OUT$ERR" "$STOKEN" "role: source session token never printed verbatim"
assert_not_contains "$ERR" "$(field X-Amz-Security-Token "$D")" "role: assumed session token never on stderr"
exp=$(field expiration "$D")
assert_eq 840 "$(seconds_between "$(field X-Amz-Date "$D")" "$exp")" "role (1 h credentials): expiry still +14 min"
run_et --cluster-name c -r "$ROLE" --token-only
[[ $(field akid "$(describe --token <<<"$OUT")") == ASIA* ]] && ok "-r alias assumes the role" || fail "-r alias: $ERR"
# Moto's credentials last an hour: 55 minutes later they have 5 left,
# and the token's expiry is capped at theirs.
faketime -f "+3300s" "$ET" --cluster-name c --role-arn "$ROLE" >"$T/out" 2>"$T/err"
if [ $? = 0 ]; then
	D=$(describe <"$T/out")
	left=$(seconds_between "$(field X-Amz-Date "$D")" "$(field expiration "$D")")
	[ "$left" -lt 840 ] && [ "$left" -gt 200 ] && ok "expiry capped at the assumed credentials' expiry ($left s)" ||
		fail "assumed expiry cap: $left s"
else
	fail "faketime +55m role run: $(cat "$T/err")"
fi
# The lean start: libcurl is mapped only when a request is sent.
LD_DEBUG=files "$ET" --cluster-name c --token-only >/dev/null 2>"$T/ld"
grep -q "file=libcurl" "$T/ld" && fail "minting from env credentials loaded libcurl" ||
	ok "minting from env credentials does not load libcurl"
LD_DEBUG=files "$ET" --cluster-name c --role-arn "$ROLE" --token-only --no-cache >/dev/null 2>"$T/ld"
grep -q "file=libcurl" "$T/ld" && ok "--role-arn loads libcurl on demand" ||
	fail "--role-arn did not load libcurl (LD_DEBUG: $(grep -c . "$T/ld") lines)"
unset AWS_SESSION_TOKEN
# An STS error: the AWS code and message reach the user.
# (moto, like STS, refuses a RoleSessionName longer than 64 characters)
run_et --cluster-name c --role-arn "$ROLE" --session-name "$(printf 'a%.0s' {1..70})"
assert_eq 1 "$RC" "STS error: exit 1"
assert_eq "" "$OUT" "STS error: nothing on stdout"
assert_contains "$ERR" "ValidationError" "STS error: AWS error code shown"
assert_contains "$ERR" "less than or" "STS error: AWS message shown"
assert_contains "$ERR" "$ROLE" "STS error: names the role"
assert_not_contains "$ERR" "$SECRET" "STS error: no secret"

# ---------------------------------------------------------------- completions
"$ET" --list-flags >"$T/flags" || fail "--list-flags"
nflags=$(wc -l <"$T/flags")
[ "$nflags" -ge 13 ] && ok "--list-flags lists $nflags flags" || fail "--list-flags: $nflags rows"
B=$TOP/completions/eks-token.bash Z=$TOP/completions/_eks-token F=$TOP/completions/eks-token.fish
while IFS=$'\t' read -r long short argname kind; do
	name=${long#--}
	grep -qE -- "(^|[[:space:]\"|(])$long([[:space:]\"|)]|$)" "$B" && ok "bash completes $long" || fail "bash misses $long"
	grep -qE -- "(^|[{,'()])$long(=|\+|\[|,|\}|')" "$Z" && ok "zsh completes $long" || fail "zsh misses $long"
	grep -qE -- "-l $name( |$)" "$F" && ok "fish completes $long" || fail "fish misses $long"
	if [ "$short" != - ]; then
		grep -qE -- "(^|[[:space:]\"|(])$short([[:space:]\"|)]|$)" "$B" && ok "bash completes $short" || fail "bash misses $short"
		grep -qE -- "(^|[{,'()])$short(\+|\[|,|\}| )" "$Z" && ok "zsh completes $short" || fail "zsh misses $short"
		grep -qE -- "-s ${short#-} " "$F" && ok "fish completes $short" || fail "fish misses $short"
	fi
	if [ "$argname" = - ]; then
		grep -qE -- "-l $name .*-r( |$)|-l $name .*-x( |$)" "$F" && fail "fish: $long takes no argument" || true
	fi
	case $kind in
	profile) grep -q -- "$long" "$B" && grep -q "_eks_token_profiles" "$B" && ok "$long completes profiles" || fail "$long profile completion" ;;
	esac
done <"$T/flags"
# the completions really list the profiles of the sealed config files (the
# tool itself parses them: --list-profiles; installed, it is on PATH)
# '[ profile  spaced ]' is no profile for botocore either: it must not be offered
printf '[default]\n[profile dev]\n[ profile  spaced ]\n[sso-session s]\n' >"$AWS_CONFIG_FILE"
printf '[prod]\n' >"$AWS_SHARED_CREDENTIALS_FILE"
got=$(PATH="$BIN:$PATH" bash -c '. "$1"; COMP_WORDS=(eks-token --profile ""); COMP_CWORD=2; _eks_token; echo "${COMPREPLY[*]}"' _ "$B")
assert_eq "default dev prod" "$got" "bash: --profile offers the configured profiles"
got=$(PATH="$BIN:$PATH" bash -c '. "$1"; COMP_WORDS=(eks-token --region eu-c); COMP_CWORD=2; _eks_token; echo "${COMPREPLY[*]}"' _ "$B")
assert_eq "eu-central-1 eu-central-2" "$got" "bash: --region completes from the library's region list"
got=$(PATH="$BIN:$PATH" bash -c '. "$1"; COMP_WORDS=(eks-token --tok); COMP_CWORD=1; _eks_token; echo "${COMPREPLY[*]}"' _ "$B")
assert_eq "--token-only" "$got" "bash: flag names complete"
if command -v zsh >/dev/null 2>&1; then zsh -n "$Z" && ok "zsh completion parses" || fail "zsh -n"; fi
if command -v fish >/dev/null 2>&1; then
	fish -n "$F" && ok "fish completion parses" || fail "fish -n"
	got=$(PATH="$BIN:$PATH" fish -c "source $F; complete -C'eks-token --profile '" | cut -f1 | sort | tr '\n' ' ')
	assert_eq "default dev prod " "$got" "fish: --profile offers the configured profiles"
fi
# man page documents every flag and the exit codes
sed 's/\\-/-/g' "$TOP/man/eks-token.1" >"$T/man.txt"
for long in $(cut -f1 "$T/flags"); do
	grep -qE -- "$long( |$)" "$T/man.txt" && ok "man page documents $long" || fail "man page misses $long"
done
grep -q '^\.SH EXIT STATUS' "$TOP/man/eks-token.1" && ok "man page has EXIT STATUS" || fail "man page: no EXIT STATUS"

finish
