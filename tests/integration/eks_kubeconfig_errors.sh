#!/usr/bin/env bash
# eks-kubeconfig bad input: corrupt and mistyped kubeconfigs, missing and
# not-yet-active clusters, a read-only directory, a held lock, bad flags and
# users files -> a clear message, non-zero exit, the file byte-for-byte
# unchanged.
set -u
. "$(dirname "$0")/../lib/common.sh"
test_env
need_moto
. "$TOP/tests/lib/kubeconfig.sh"
python3 -c 'import yaml, boto3' || die "python3 yaml and boto3 are required"
use_static_creds

P=kce$$
moto_clusters "$P" || die "cannot create a cluster in moto"
F=$T/config

# run_bad NAME WANT-EXIT WANT-MESSAGE ARGS...: F must keep its hash
run_bad() {
	local name=$1 want_rc=$2 want_msg=$3 before rc
	shift 3
	before=$(sha "$F")
	"$EKC" "$@" >"$T/out" 2>"$T/err"
	rc=$?
	assert_eq "$want_rc" "$rc" "$name: exit $want_rc"
	assert_contains "$(cat "$T/err")" "$want_msg" "$name: message"
	assert_eq "$before" "$(sha "$F")" "$name: file unchanged"
	assert_eq "" "$(cat "$T/out")" "$name: nothing on stdout"
}

bad_file() {  # name message yaml
	printf '%s' "$3" >"$F"
	chmod 600 "$F"
	run_bad "$1" 1 "$2" --cluster-name "$P" --kubeconfig "$F"
}

bad_file "corrupt yaml" "$F: invalid yaml at line 3" $'clusters:\n  - name: [x\n'
bad_file "tab indentation" "invalid yaml" $'clusters:\n\t- name: x\n'
bad_file "top level a list" "the top level should be a mapping" $'- a\n- b\n'
bad_file "top level a string" "the top level should be a mapping" $'hello\n'
bad_file "clusters a mapping" "clusters should be a list" $'clusters:\n  a: b\n'
bad_file "users a string" "users should be a list" $'users: nobody\n'
bad_file "null entry in contexts" "contexts should be a list of mappings" $'contexts:\n- null\n'
bad_file "current-context a list" "current-context should be a string" $'current-context: [a]\n'
bad_file "two documents" "more than one yaml document" $'a: 1\n---\nb: 2\n'
bad_file "binary junk" "invalid yaml" $'\x01\x02\x03: \xff\xfe\n'

# null lists are what kubectl and the AWS CLI accept: not an error
printf 'apiVersion: v1\nclusters: null\nusers: ~\ncontexts:\ncurrent-context: ""\n' >"$F"
"$EKC" --cluster-name "$P" --kubeconfig "$F" >/dev/null 2>"$T/err"
assert_eq 0 $? "null lists: accepted like kubectl does"
assert_eq 1 "$(yq "$F" 'len(d["clusters"])')" "null lists: entry added"

# --- clusters that cannot be written -----------------------------------------
printf 'apiVersion: v1\nkind: Config\n' >"$F"
run_bad "missing cluster" 1 "ResourceNotFoundException" --cluster-name "nope$P" --kubeconfig "$F"
assert_contains "$(cat "$T/err")" "nope$P" "missing cluster: named"
CA=QUJD
cat >"$T/eks-state.json" <<EOF
{"clusters": {
 "creating": {"name": "creating", "status": "CREATING", "arn": "arn:aws:eks:us-west-2:1:cluster/creating"},
 "failed": {"name": "failed", "status": "FAILED", "arn": "arn:aws:eks:us-west-2:1:cluster/failed"},
 "broken": "garbage",
 "badurl": {"name": "badurl", "status": "ACTIVE", "arn": "arn:aws:eks:us-west-2:1:cluster/badurl",
            "endpoint": "http://plain.example", "certificateAuthority": {"data": "$CA"}}}}
EOF
eks_fake_start "$T/eks-state.json" || die "cannot start the fake EKS endpoint"
AWS_ENDPOINT_URL_EKS=$EKS_FAKE_URL run_bad "cluster CREATING" 1 "is CREATING, not ACTIVE" --cluster-name creating --kubeconfig "$F"
AWS_ENDPOINT_URL_EKS=$EKS_FAKE_URL run_bad "cluster FAILED" 1 "is FAILED, not ACTIVE" --cluster-name failed --kubeconfig "$F"
AWS_ENDPOINT_URL_EKS=$EKS_FAKE_URL run_bad "malformed response" 1 "malformed eks response" --cluster-name broken --kubeconfig "$F"
AWS_ENDPOINT_URL_EKS=$EKS_FAKE_URL run_bad "http endpoint" 1 "not an https url" --cluster-name badurl --kubeconfig "$F"

# --- the file system ---------------------------------------------------------
mkdir -p "$T/ro"
F=$T/ro/config
printf 'apiVersion: v1\nkind: Config\n' >"$F"
chmod 600 "$F"
before=$(sha "$F")
if [ "$(id -u)" = 0 ]; then
	# root ignores directory modes: make the directory a read-only mount
	unshare -m sh -c 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" &&
		exec "$2" --cluster-name "$3" --kubeconfig "$4"' sh "$T/ro" "$EKC" "$P" "$F" \
		>"$T/out" 2>"$T/err"
	rc=$?
else
	chmod 555 "$T/ro"
	"$EKC" --cluster-name "$P" --kubeconfig "$F" >"$T/out" 2>"$T/err"
	rc=$?
	chmod 755 "$T/ro"
fi
if grep -q "unshare\|mount:" "$T/err"; then
	skip "cannot make a read-only mount here: $(cat "$T/err")"
fi
assert_eq 1 "$rc" "read-only directory: exit 1"
assert_contains "$(cat "$T/err")" "$T/ro/config" "read-only directory: names the file"
assert_eq "$before" "$(sha "$F")" "read-only directory: file unchanged"

F=$T/locked
printf 'apiVersion: v1\nkind: Config\n' >"$F"
: >"$F.lock"
t0=$(date +%s%N)
run_bad "held lock" 1 "$F.lock" --cluster-name "$P" --kubeconfig "$F" --lock-timeout 0.5
assert_contains "$(cat "$T/err")" "stale" "held lock: says it may be stale"
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$ms" -ge 400 ] && ok "held lock: waited (${ms} ms)" || fail "held lock: did not wait (${ms} ms)"
[ -e "$F.lock" ] && ok "held lock: someone else's lock left alone" || fail "held lock: removed"
rm -f "$F.lock"

# --- usage errors: exit 2, nothing written -----------------------------------
F=$T/usage
printf 'apiVersion: v1\n' >"$F"
run_bad "no cluster name" 2 "--cluster-name NAME" --kubeconfig "$F"
run_bad "bad cluster name" 2 "not a valid cluster name" --cluster-name "a/b" --kubeconfig "$F"
run_bad "--all with --alias" 2 "cannot be used with --all" --all --alias x --kubeconfig "$F"
run_bad "bad --env" 2 "KEY=VALUE" --cluster-name "$P" --env NOPE --kubeconfig "$F"
run_bad "bad --namespace" 2 "--namespace" --cluster-name "$P" --namespace Not_Valid --kubeconfig "$F"
run_bad "bad --exec-api-version" 2 "--exec-api-version" --cluster-name "$P" --exec-api-version v1alpha1 --kubeconfig "$F"
run_bad "bad --role-arn" 2 "--role-arn" --cluster-name "$P" --role-arn admin --kubeconfig "$F"
run_bad "unknown flag" 2 "unknown" --cluster-name "$P" --frobnicate --kubeconfig "$F"
run_bad "--users without --output-dir" 2 "--output-dir" --cluster-name "$P" --users "$T/u.yaml"

# --- users file: validated before anything is written ------------------------
cat >"$T/u.yaml" <<'EOF'
- name: good
  role-arn: arn:aws:iam::123456789012:role/ok
- name: bad
  role-arn: not-an-arn
EOF
"$EKC" --cluster-name "$P" --users "$T/u.yaml" --output-dir "$T/people" >"$T/out" 2>"$T/err"
assert_eq 1 $? "invalid users file: exit 1"
assert_contains "$(cat "$T/err")" "user #2" "invalid users file: names the entry"
[ -e "$T/people" ] && fail "invalid users file: something written" || ok "invalid users file: nothing written"

finish
