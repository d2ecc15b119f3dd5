#!/usr/bin/env bash
# End to end: real kubectl (two versions, exec apiVersion v1beta1 and v1) runs
# eks-token from a kubeconfig; the fake API server verifies the token like
# aws-iam-authenticator (all its rules, then GetCallerIdentity at moto) and
# re-checks the SigV4 signature for the cluster id it expects, so a token for
# another cluster name fails like it does on EKS.
#
# EKS_TOKEN_BIN overrides the plugin (default $BUILD/bin/eks-token), e.g.
# tests/fakes/exec_plugin.py, to check this script itself.
set -u
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/k8s.sh"

EKS_TOKEN=${EKS_TOKEN_BIN:-$BIN/eks-token}
[ -x "$EKS_TOKEN" ] || skip "eks-token is not built ($EKS_TOKEN)"
"$EKS_TOKEN" --help >/dev/null 2>&1 || skip "eks-token does not work yet ($EKS_TOKEN --help fails)"
command -v kubectl >/dev/null || die "kubectl is required"
KDIR=$(dirname "$(readlink -f "$(command -v kubectl)")")
KUBECTLS="$KDIR/kubectl.1.27 $KDIR/kubectl.1.33"
for k in $KUBECTLS; do [ -x "$k" ] || die "$k is required"; done

test_env
need_moto
CLUSTER=e2e-cluster
REGION=us-west-2

# An IAM user with an access key in moto: its static keys are what eks-token
# signs with, and the fake knows the secret (it re-checks the signature).
eval "$("$PYTHON" - "$MOTO_URL" <<'EOF'
import sys, uuid, boto3
iam = boto3.client("iam", endpoint_url=sys.argv[1], region_name="us-west-2",
                   aws_access_key_id="AKIDEXAMPLETESTKEY01", aws_secret_access_key="x")
name = "e2e-" + uuid.uuid4().hex[:8]
iam.create_user(UserName=name)
k = iam.create_access_key(UserName=name)["AccessKey"]
trust = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}'
role = iam.create_role(RoleName=name + "-deployer", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
print("E2E_USER=%s AKID=%s SECRET='%s' ROLE_ARN=%s" % (name, k["AccessKeyId"], k["SecretAccessKey"], role))
EOF
)" || die "cannot create the IAM user in moto"
use_static_creds "$AKID" "$SECRET"
SIGV4=$T/sigv4-secrets
(umask 077 && printf '%s %s\n' "$AKID" "$SECRET" >"$SIGV4")
# Assumed-role keys are minted by moto; their signatures cannot be re-checked.
k8s_fake_start --cluster-id "$CLUSTER" --sigv4-secrets "$SIGV4" --sigv4-allow-unknown ||
	die "cannot start the fake API server"
USER_ARN=arn:aws:iam::123456789012:user/$E2E_USER

for ver in v1beta1 v1; do
	kc=$T/kubeconfig-$ver
	k8s_kubeconfig_exec "$kc" "$ver" "$EKS_TOKEN" --cluster-name "$CLUSTER" --region "$REGION"
	for k in $KUBECTLS; do
		name="$(basename "$k") exec $ver"
		if out=$("$k" --kubeconfig "$kc" get --raw /version 2>"$T/err"); then
			assert_eq v1.31.0-eks-fake "$(json_get "$out" 'd["gitVersion"]')" "$name: get --raw /version"
		else
			fail "$name: get --raw /version: $(cat "$T/err")"
		fi
		if out=$("$k" --kubeconfig "$kc" auth whoami -o json 2>"$T/err"); then
			assert_eq "$USER_ARN" "$(json_get "$out" 'd["status"]["userInfo"]["username"]')" \
				"$name: auth whoami is the IAM user"
			assert_eq "$AKID" "$(json_get "$out" 'd["status"]["userInfo"]["extra"]["accessKeyId"][0]')" \
				"$name: signed with the static key"
		else
			fail "$name: auth whoami: $(cat "$T/err")"
		fi
	done
	# A token minted for another cluster name: refused with 401, no output.
	bad=$T/kubeconfig-wrong-$ver
	k8s_kubeconfig_exec "$bad" "$ver" "$EKS_TOKEN" --cluster-name not-$CLUSTER --region "$REGION"
	for k in $KUBECTLS; do
		name="$(basename "$k") exec $ver wrong cluster"
		if out=$("$k" --kubeconfig "$bad" get --raw /version 2>"$T/err"); then
			fail "$name: accepted"
		else
			assert_contains "$(cat "$T/err")" "Unauthorized" "$name: fails with Unauthorized"
			assert_eq "" "$out" "$name: nothing on stdout"
		fi
	done
done
# refused for the right reason: the signature covers the cluster name
assert_contains "$(cat "$K8S_FAKE_LOG")" "SignatureDoesNotMatch" "wrong cluster: signature mismatch logged"

# aws-auth maps the IAM user to a Kubernetes user.
k8s_api POST /api/v1/namespaces/kube-system/configmaps "$(printf \
	'{"metadata":{"name":"aws-auth"},"data":{"mapUsers":"- userarn: %s\\n  username: e2e-admin\\n  groups: [system:masters]\\n"}}' \
	"$USER_ARN")"
assert_eq 201 "$K8S_HTTP_CODE" "create aws-auth"
out=$(kubectl --kubeconfig "$T/kubeconfig-v1" auth whoami -o json)
assert_eq e2e-admin "$(json_get "$out" 'd["status"]["userInfo"]["username"]')" "aws-auth mapping applies"

# --role-arn: eks-token assumes the role at moto and signs with its keys.
k8s_kubeconfig_exec "$T/kubeconfig-role" v1 "$EKS_TOKEN" --cluster-name "$CLUSTER" \
	--region "$REGION" --role-arn "$ROLE_ARN"
k8s_api DELETE /api/v1/namespaces/kube-system/configmaps/aws-auth
if out=$(kubectl --kubeconfig "$T/kubeconfig-role" auth whoami -o json 2>"$T/err"); then
	assert_eq "$ROLE_ARN" "$(json_get "$out" 'd["status"]["userInfo"]["username"]')" \
		"--role-arn: identity is the role (canonical ARN)"
else
	fail "--role-arn: auth whoami: $(cat "$T/err")"
fi

if grep -qF "$SECRET" "$K8S_FAKE_LOG"; then fail "secret key in the server log"; fi
finish
