#!/usr/bin/env bash
# End to end: eks-kubeconfig writes a kubeconfig for a cluster whose
# endpoint is the TLS fake Kubernetes API server; real kubectl (two
# versions, exec v1beta1 and v1) runs eks-token through it and the fake
# accepts the token (aws-iam-authenticator rules + GetCallerIdentity against
# moto).  A kubeconfig written for another cluster name is refused.
set -u
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/k8s.sh"
test_env
need_moto
. "$TOP/tests/lib/kubeconfig.sh"
command -v kubectl >/dev/null || die "kubectl is required"
[ -x "$BIN/eks-token" ] || die "eks-token is not built"
# until the eks-token front end lands on main, its placeholder cannot run
"$BIN/eks-token" --help >/dev/null 2>&1 || skip "eks-token does not work yet ($BIN/eks-token --help fails)"
KDIR=$(dirname "$(readlink -f "$(command -v kubectl)")")
KOLD=$KDIR/kubectl.1.27 KNEW=$KDIR/kubectl.1.33
[ -x "$KOLD" ] && [ -x "$KNEW" ] || die "kubectl.1.27 and kubectl.1.33 are required next to kubectl"
use_static_creds
export PATH=$BIN:$PATH    # the default exec command is plain `eks-token`

CID=e2e$$
# the fake knows our secret so it can check the signature covers the
# cluster name, as real STS does for EKS (moto does not check signatures)
(umask 077 && printf '%s %s\n' "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" >"$T/sigv4-secrets")
k8s_fake_start --cluster-id "$CID" --sigv4-secrets "$T/sigv4-secrets" ||
	die "cannot start the fake API server"
cat >"$T/eks-state.json" <<EOF
{"clusters": {
 "$CID": {"name": "$CID", "status": "ACTIVE", "arn": "arn:aws:eks:us-west-2:123456789012:cluster/$CID",
          "endpoint": "$K8S_URL", "certificateAuthority": {"data": "$K8S_CA_DATA"}},
 "wrong$$": {"name": "wrong$$", "status": "ACTIVE", "arn": "arn:aws:eks:us-west-2:123456789012:cluster/wrong$$",
          "endpoint": "$K8S_URL", "certificateAuthority": {"data": "$K8S_CA_DATA"}}}}
EOF
eks_fake_start "$T/eks-state.json" || die "cannot start the fake EKS endpoint"
export AWS_ENDPOINT_URL_EKS=$EKS_FAKE_URL

for api in v1beta1 v1; do
	F=$T/kc-$api
	"$EKC" --cluster-name "$CID" --kubeconfig "$F" --exec-api-version "$api" >/dev/null ||
		{ fail "eks-kubeconfig ($api)"; continue; }
	for k in "$KOLD" "$KNEW"; do
		v=$(basename "$k")
		out=$("$k" --kubeconfig "$F" get --raw /version 2>"$T/kerr")
		if [ $? -eq 0 ] && [[ $out == *gitVersion* ]]; then
			ok "$v, exec $api: the fake API server accepts eks-token's token"
		else
			fail "$v, exec $api: $(tail -n 3 "$T/kerr")"
		fi
	done
done
who=$(kubectl --kubeconfig "$T/kc-v1" auth whoami -o json 2>"$T/kerr")
assert_contains "$who" "AKIDEXAMPLETESTKEY01" "auth whoami: the access key of our credentials (extra.accessKeyId)"

F=$T/kc-wrong
"$EKC" --cluster-name "wrong$$" --kubeconfig "$F" >/dev/null || fail "eks-kubeconfig (wrong cluster)"
if kubectl --kubeconfig "$F" get --raw /version >/dev/null 2>"$T/kerr"; then
	fail "a token for another cluster was accepted"
else
	assert_contains "$(cat "$T/kerr")" "nauthorized" "token for another cluster name: refused cleanly"
fi

finish
