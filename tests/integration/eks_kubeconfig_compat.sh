#!/usr/bin/env bash
# Drop-in compatibility: `aws eks update-kubeconfig` and eks-kubeconfig run
# against the same moto cluster, compared as parsed YAML.  With
# --exec-command aws the files must be equal; with the default exec block
# (eks-token) everything but the exec command, args and installHint must be equal.
set -u
. "$(dirname "$0")/../lib/common.sh"
test_env
need_moto
. "$TOP/tests/lib/kubeconfig.sh"
aws_cli_prepare
command -v aws >/dev/null || die "the AWS CLI is required"
python3 -c 'import yaml, boto3' || die "python3 yaml and boto3 are required"
use_static_creds

P=kcc$$
moto_clusters "$P-a" "$P-b" || die "cannot create clusters in moto"
cat >>"$AWS_CONFIG_FILE" <<'EOF'
[profile dev]
region = us-west-2
cli_follow_urlparam = false
EOF
printf '[dev]\naws_access_key_id = AKIDEXAMPLEDEV00001\naws_secret_access_key = devsecret\n' \
	>>"$AWS_SHARED_CREDENTIALS_FILE"

# compare MODE FILE-AWS FILE-OURS: MODE equal | exec (all but exec command/args)
compare() {
	"$PYTHON" - "$@" <<'EOF'
import sys, yaml
mode, a, b = sys.argv[1], yaml.safe_load(open(sys.argv[2])), yaml.safe_load(open(sys.argv[3]))
if mode == "exec":
    for d in (a, b):
        for u in d["users"]:
            ex = u["user"].get("exec")
            if ex and ex["command"] in ("aws", "eks-token"):
                ex.pop("command"); ex.pop("args")
                if ex.pop("installHint", None) is None and d is b:
                    sys.exit("eks-token's exec block has no installHint")
if a != b:
    print("aws:  ", a, "\nours: ", b, file=sys.stderr)
    sys.exit(1)
EOF
}

# case NAME AWS-FLAGS -- OUR-EXTRA-FLAGS: both write a fresh file and a merge
# into a copy of the same populated file.
SEED=$T/seed.yaml
cat >"$SEED" <<'EOF'
apiVersion: v1
kind: Config
clusters:
- name: kind-dev
  cluster: {server: "https://127.0.0.1:6443", insecure-skip-tls-verify: true}
users:
- name: kind-dev
  user: {token: abc}
contexts:
- name: kind-dev
  context: {cluster: kind-dev, user: kind-dev}
current-context: kind-dev
preferences: {}
EOF

n=0
check_case() {
	local name=$1; shift
	local aws_args=() our_args=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do aws_args+=("$1"); shift; done
	shift
	our_args=("$@")
	n=$((n + 1))
	local A=$T/aws$n.yaml B=$T/ours$n.yaml C=$T/ours-aws$n.yaml
	for f in "$A" "$B" "$C"; do cp "$SEED" "$f"; chmod 600 "$f"; done
	local aout bout cout
	aout=$(aws --endpoint-url "$MOTO_URL" eks update-kubeconfig --kubeconfig "$A" "${aws_args[@]}" 2>"$T/aerr") ||
		{ fail "$name: aws eks update-kubeconfig failed: $(cat "$T/aerr")"; return; }
	bout=$("$EKC" --kubeconfig "$B" "${aws_args[@]}" "${our_args[@]}" 2>"$T/berr") ||
		{ fail "$name: eks-kubeconfig failed: $(cat "$T/berr")"; return; }
	cout=$("$EKC" --kubeconfig "$C" --exec-command aws "${aws_args[@]}" "${our_args[@]}" 2>"$T/cerr") ||
		{ fail "$name: eks-kubeconfig --exec-command aws failed: $(cat "$T/cerr")"; return; }
	compare equal "$A" "$C" && ok "$name: --exec-command aws equals the AWS CLI's file" ||
		fail "$name: --exec-command aws differs"
	compare exec "$A" "$B" && ok "$name: default output equal but for the exec command" ||
		fail "$name: default output differs"
	assert_eq "${aout//$A/F}" "${bout//$B/F}" "$name: same message as the AWS CLI"
	# and the same again over the result: the update path
	aout=$(aws --endpoint-url "$MOTO_URL" eks update-kubeconfig --kubeconfig "$A" "${aws_args[@]}" 2>&1)
	cout=$("$EKC" --kubeconfig "$C" --exec-command aws "${aws_args[@]}" "${our_args[@]}" 2>&1)
	compare equal "$A" "$C" && ok "$name: second run still equal" || fail "$name: second run differs"
	assert_eq "${aout//$A/F}" "${cout//$C/F}" "$name: same Updated message"
}

check_case "plain" --name "$P-a" --
# --alias alone names the user after the alias (issue 12: two aliases never
# share a user); --user-alias ARN gives the AWS CLI's layout back.
check_case "alias" --name "$P-a" --alias short -- --user-alias "arn:aws:eks:us-west-2:123456789012:cluster/$P-a"
check_case "user alias" --name "$P-b" --user-alias me --
check_case "role" --name "$P-a" --role-arn arn:aws:iam::123456789012:role/admin --
check_case "proxy" --name "$P-b" --proxy-url http://proxy.example:3128 --
check_case "profile" --name "$P-a" --profile dev --
check_case "everything" --name "$P-b" --alias b --user-alias ub --role-arn arn:aws:iam::123456789012:role/x \
	--proxy-url http://p:1 --profile dev --

# a fresh file, no seed: the skeleton must match too
rm -f "$T/fresh-aws" "$T/fresh-ours"
aws --endpoint-url "$MOTO_URL" eks update-kubeconfig --name "$P-a" --kubeconfig "$T/fresh-aws" >/dev/null 2>&1
"$EKC" --name "$P-a" --kubeconfig "$T/fresh-ours" --exec-command aws >/dev/null
compare equal "$T/fresh-aws" "$T/fresh-ours" && ok "fresh file: equal to the AWS CLI's" || fail "fresh file differs"
assert_eq "$(stat -c %a "$T/fresh-aws")" "$(stat -c %a "$T/fresh-ours")" "fresh file: same mode"

finish
