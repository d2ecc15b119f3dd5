#!/usr/bin/env bash
# One user for every cluster: eks-kubeconfig --shared-user writes one user
# (provideClusterInfo: true, no cluster in its args) and, per cluster, a
# client.authentication.k8s.io/exec extension with cluster name, region,
# role and profile; kubectl (1.27 and 1.33) hands it to eks-token in
# KUBERNETES_EXEC_INFO, and the token it sends is for the cluster of the
# current context: two fake API servers, each accepting only its own
# x-k8s-aws-id, both reached through the same user.
set -u
. "$(dirname "$0")/../lib/common.sh"
test_env
need_moto
. "$TOP/tests/lib/k8s.sh"
. "$TOP/tests/lib/kubeconfig.sh"
command -v kubectl >/dev/null || die "kubectl is required"
KDIR=$(dirname "$(readlink -f "$(command -v kubectl)")")
KOLD=$KDIR/kubectl.1.27 KNEW=$KDIR/kubectl.1.33
[ -x "$KOLD" ] && [ -x "$KNEW" ] || die "kubectl.1.27 and kubectl.1.33 are required next to kubectl"
use_static_creds
export PATH=$BIN:$PATH
(umask 077 && printf '%s %s\n' "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" >"$T/sigv4-secrets")

A=sua$$ B=sub$$
k8s_fake_start --cluster-id "$A" --sigv4-secrets "$T/sigv4-secrets" || die "cannot start fake A"
URL_A=$K8S_URL CA_A=$K8S_CA_DATA
K8S_FAKE_PID=   # keep A running (test_cleanup stops both)
k8s_fake_start --cluster-id "$B" --sigv4-secrets "$T/sigv4-secrets" || die "cannot start fake B"
URL_B=$K8S_URL CA_B=$K8S_CA_DATA
cat >"$T/eks-state.json" <<EOF
{"clusters": {
 "$A": {"name": "$A", "status": "ACTIVE", "arn": "arn:aws:eks:us-west-2:123456789012:cluster/$A",
        "endpoint": "$URL_A", "certificateAuthority": {"data": "$CA_A"}},
 "$B": {"name": "$B", "status": "ACTIVE", "arn": "arn:aws:eks:us-west-2:123456789012:cluster/$B",
        "endpoint": "$URL_B", "certificateAuthority": {"data": "$CA_B"}}}}
EOF
eks_fake_start "$T/eks-state.json" || die "cannot start the fake EKS endpoint"
export AWS_ENDPOINT_URL_EKS=$EKS_FAKE_URL

F=$T/kc
"$EKC" --kubeconfig "$F" --name "$A" --shared-user eks >/dev/null || fail "eks-kubeconfig --shared-user ($A)"
"$EKC" --kubeconfig "$F" --name "$B" --shared-user eks >/dev/null 2>"$T/err" ||
	fail "eks-kubeconfig --shared-user ($B): $(cat "$T/err")"
got=$("$PYTHON" - "$F" <<-'EOF'
import sys, yaml
d = yaml.safe_load(open(sys.argv[1]))
print(len(d["users"]), [u["name"] for u in d["users"]])
ex = d["users"][0]["user"]["exec"]
print(ex["command"], ex.get("args"), ex["provideClusterInfo"], ex.get("env"))
for c in d["clusters"]:
    e = c["cluster"]["extensions"]
    print(e[0]["name"], sorted(e[0]["extension"].items()))
print(sorted((c["name"].split("/")[-1], c["context"]["user"]) for c in d["contexts"]))
EOF
)
exp="1 ['eks']
eks-token None True None
client.authentication.k8s.io/exec [('cluster-name', '$A'), ('region', 'us-west-2')]
client.authentication.k8s.io/exec [('cluster-name', '$B'), ('region', 'us-west-2')]
[('$A', 'eks'), ('$B', 'eks')]"
assert_eq "$exp" "$got" "one user without cluster args; per-cluster extensions; both contexts use it"
assert_kubectl_reads "$F" "kubectl reads the shared-user file"

for k in "$KOLD" "$KNEW"; do
	v=$(basename "$k")
	for c in "$A" "$B"; do
		out=$("$k" --kubeconfig "$F" --context "arn:aws:eks:us-west-2:123456789012:cluster/$c" \
			get --raw /version 2>"$T/kerr")
		if [ $? -eq 0 ] && [[ $out == *gitVersion* ]]; then
			ok "$v: context $c: the shared user's token is for $c"
		else
			fail "$v: context $c: $(tail -n 3 "$T/kerr")"
		fi
	done
done

# --all: every cluster of the region on the one user
"$EKC" --kubeconfig "$T/kc-all" --all --region us-west-2 --shared-user eks >/dev/null 2>"$T/err" ||
	fail "--all --shared-user: $(cat "$T/err")"
assert_eq "(1, 2, 2)" "$(yq "$T/kc-all" 'len(d["users"]), len(d["contexts"]), sum(1 for c in d["clusters"] if c["cluster"].get("extensions"))')" \
	"--all --shared-user: one user, a context and an extension per cluster"

# exec v1 for the shared user: it changes every context's authentication, so --force
"$EKC" --kubeconfig "$F" --name "$B" --shared-user eks --exec-api-version v1 >/dev/null 2>"$T/err"
assert_eq 1 $? "changing the shared user's exec block needs --force"
"$EKC" --kubeconfig "$F" --name "$B" --shared-user eks --exec-api-version v1 --force >/dev/null 2>"$T/err" ||
	fail "--exec-api-version v1 --force: $(cat "$T/err")"
for c in "$A" "$B"; do
	"$KNEW" --kubeconfig "$F" --context "arn:aws:eks:us-west-2:123456789012:cluster/$c" get --raw /version >/dev/null 2>"$T/kerr" &&
		ok "exec v1 shared user: context $c" || fail "exec v1 shared user, $c: $(tail -n 3 "$T/kerr")"
done

# the fakes do check the cluster: point A's extension at B and A refuses
"$PYTHON" - "$F" "$A" "$B" <<-'EOF'
import sys, yaml
f, a, b = sys.argv[1:]
d = yaml.safe_load(open(f))
for c in d["clusters"]:
    if c["name"].endswith("/" + a):
        c["cluster"]["extensions"][0]["extension"]["cluster-name"] = b
yaml.safe_dump(d, open(f, "w"))
EOF
if "$KNEW" --kubeconfig "$F" --context "arn:aws:eks:us-west-2:123456789012:cluster/$A" get --raw /version >/dev/null 2>"$T/kerr"; then
	fail "a token for cluster $B was accepted by $A"
else
	assert_contains "$(cat "$T/kerr")" "nauthorized" "the token follows the extension: $A refuses one for $B"
fi

# role and profile go to the extension, never to the shared user's env
cat >>"$AWS_CONFIG_FILE" <<'EOF'
[profile dev]
region = us-west-2
EOF
printf '[dev]\naws_access_key_id = AKIDEXAMPLEDEV00001\naws_secret_access_key = devsecret\n' >>"$AWS_SHARED_CREDENTIALS_FILE"
"$EKC" --kubeconfig "$T/kc2" --name "$A" --shared-user eks --profile dev \
	--role-arn arn:aws:iam::123456789012:role/admin >/dev/null 2>"$T/err" || fail "--profile --role-arn: $(cat "$T/err")"
got=$(yq "$T/kc2" 'sorted(d["clusters"][0]["cluster"]["extensions"][0]["extension"].items()), d["users"][0]["user"]["exec"].get("env")')
assert_eq "([('cluster-name', '$A'), ('profile', 'dev'), ('region', 'us-west-2'), ('role-arn', 'arn:aws:iam::123456789012:role/admin')], None)" \
	"$got" "role and profile in the extension, none in env"

# eks-token: spec.cluster.config validated
info() { printf '{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1beta1","spec":{"cluster":{"server":"https://x","config":%s}}}' "$1"; }
KUBERNETES_EXEC_INFO=$(info '{"cluster-name":"c1","region":"eu-west-1"}') "$BIN/eks-token" >"$T/out" 2>"$T/err"
assert_eq 0 $? "eks-token from spec.cluster.config alone"
assert_eq "$(KUBERNETES_EXEC_INFO=$(info '{"cluster-name":"c1","region":"eu-west-1"}') faketime -f '2024-01-02 03:04:05' "$BIN/eks-token" --token-only)" \
	"$(faketime -f '2024-01-02 03:04:05' "$BIN/eks-token" --cluster-name c1 --region eu-west-1 --token-only)" "the same token as --cluster-name c1 --region eu-west-1"
for bad in '{"cluster-name":"c1","regoin":"x"}' '{"cluster-name":"bad name!"}' '{"cluster-name":1}' \
	'{"region":"eu-west-1"}' '{"cluster-name":"a","cluster-id":"b"}' '{"cluster-name":"c","role-arn":"nope"}'; do
	KUBERNETES_EXEC_INFO=$(info "$bad") "$BIN/eks-token" >/dev/null 2>"$T/err"
	assert_eq 1 $? "invalid spec.cluster.config refused: $bad"
done
"$BIN/eks-token" >/dev/null 2>&1
assert_eq 2 $? "no cluster and no KUBERNETES_EXEC_INFO: usage error"
"$EKC" --kubeconfig "$T/kc3" --name "$A" --shared-user eks --user-alias x >/dev/null 2>&1
assert_eq 2 $? "--shared-user with --user-alias: usage error"
"$EKC" --kubeconfig "$T/kc3" --name "$A" --shared-user eks --exec-command aws >/dev/null 2>&1
assert_eq 2 $? "--shared-user with --exec-command aws: usage error"

finish
