#!/usr/bin/env bash
# eks-access whoami: the caller's identity (GetCallerIdentity at moto), the
# canonical ARN, the aws-auth line or access entry that applies (an entry
# wins), the username and groups it yields with templates expanded, its
# policies, and the API server's own answer (SelfSubjectReview on the fake
# API server, which checks the EKS token at moto and maps it via aws-auth).
set -u
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/k8s.sh"
. "$TOP/tests/lib/eks_access.sh"
test_env
need_moto
"$PYTHON" -c 'import botocore' 2>/dev/null || skip "botocore is not installed"
ACC=$BIN/eks-access
A=123456789012

# A role with a path, assumed at moto: the caller is an STS assumed-role session.
eval "$("$PYTHON" - "$MOTO_URL" <<'PY'
import sys, json, botocore.session
s = botocore.session.get_session()
kw = dict(region_name="us-east-1", endpoint_url=sys.argv[1],
          aws_access_key_id="AKIDEXAMPLETESTKEY01", aws_secret_access_key="x")
iam = s.create_client("iam", **kw)
try:
    iam.create_role(RoleName="who-dev", Path="/team/",
                    AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}))
except iam.exceptions.EntityAlreadyExistsException:
    pass
c = s.create_client("sts", **kw).assume_role(
    RoleArn="arn:aws:iam::123456789012:role/team/who-dev", RoleSessionName="alice@corp")["Credentials"]
print("export AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY='%s' AWS_SESSION_TOKEN='%s'"
      % (c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"]))
PY
)" || die "cannot assume a role at moto"

k8s_fake_start --cluster-id c1 --sigv4-allow-unknown || die "cannot start the fake API server"
k8s_kubeconfig_cert "$T/admin.kubeconfig"
k8s_kubeconfig_exec "$T/user.kubeconfig" v1beta1 "$BIN/eks-token" --cluster-name c1 --region us-west-2
export KUBECONFIG=$T/user.kubeconfig
put_awsauth() {  # mapRoles text
	local body
	body=$("$PYTHON" -c 'import json,sys; print(json.dumps({"apiVersion":"v1","kind":"ConfigMap",
	  "metadata":{"name":"aws-auth","namespace":"kube-system"},"data":{"mapRoles":sys.argv[1]}}))' "$1")
	k8s_api DELETE /api/v1/namespaces/kube-system/configmaps/aws-auth
	k8s_api POST /api/v1/namespaces/kube-system/configmaps "$body"
	[ "$K8S_HTTP_CODE" = 201 ] || die "cannot create aws-auth: $K8S_HTTP_BODY"
}
put_awsauth "- rolearn: arn:aws:iam::$A:role/who-dev
  username: old
  groups: [nobody]
- rolearn: arn:aws:iam::$A:role/WHO-DEV
  username: \"dev:{{SessionName}}\"
  groups: [system:masters, \"acct-{{AccountID}}\"]
"

# --- aws-auth decides; the API server agrees
out=$("$ACC" whoami 2>"$T/err"); rc=$?
assert_eq 0 $rc "whoami ($(cat "$T/err"))"
assert_contains "$out" "arn:aws:sts::$A:assumed-role/who-dev/alice@corp" "the caller's ARN (GetCallerIdentity)"
assert_contains "$out" "arn:aws:iam::$A:role/who-dev" "the canonical ARN (no path, no session)"
assert_contains "$out" "mapRoles line 4" "the active (last) duplicate applies"
assert_contains "$out" "dev:alice-corp" "username with {{SessionName}} expanded as the authenticator does"
assert_contains "$out" "acct-$A" "groups with {{AccountID}} expanded"
assert_contains "$out" "api server says:     dev:alice-corp" "SelfSubjectReview agrees"
assert_contains "$out" "access entries not read" "says the entries were not read without --cluster-name"
json=$("$ACC" whoami -o json)
printf '%s' "$json" | "$PYTHON" -c '
import json, sys
d = json.load(sys.stdin)
assert d["decidedBy"] == "aws-auth", d
assert d["selfSubjectReview"]["username"] == d["username"] == "dev:alice-corp", d
assert "system:masters" in d["selfSubjectReview"]["groups"], d
' && ok "whoami -o json" || fail "whoami -o json: $json"

# --- an access entry (with the role's path) wins over aws-auth
cat >"$T/state.json" <<JSON
{"account": "$A", "clusters": {"c1": {"authenticationMode": "API_AND_CONFIG_MAP"},
                               "api": {"authenticationMode": "API"}},
 "entries": {"c1": [{"principalArn": "arn:aws:iam::$A:role/team/who-dev",
                     "username": "entry:{{SessionName}}", "kubernetesGroups": ["editors"],
                     "policies": [{"policyArn": "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy",
                                   "accessScope": {"type": "namespace", "namespaces": ["dev"]}}]}]}}
JSON
eks_access_fake_start "$T/state.json" || die "cannot start the access-entry fake"
out=$("$ACC" whoami --cluster-name c1 --region us-west-2 2>"$T/err"); rc=$?
assert_eq 0 $rc "whoami --cluster-name ($(cat "$T/err"))"
assert_contains "$out" "access entry:        arn:aws:iam::$A:role/team/who-dev" "the entry of the role (path and all)"
assert_contains "$out" "decided by:          access-entry" "the access entry wins"
assert_contains "$out" "entry:alice-corp" "the entry's username"
assert_contains "$out" "AmazonEKSViewPolicy (namespace)" "its access policies"
assert_contains "$out" "EKS uses it, not the aws-auth mapping" "says why aws-auth does not apply"
yaml=$("$ACC" whoami --cluster-name c1 --region us-west-2 -o yaml)
assert_contains "$yaml" "decidedBy:" "whoami -o yaml"

# --- --principal: explain someone else (never looked up as the caller)
out=$("$ACC" whoami --principal "arn:aws:sts::444455556666:assumed-role/who-dev/x1" 2>&1); rc=$?
assert_eq 0 $rc "whoami --principal (another account)"
assert_contains "$out" "decided by:          nothing" "a same-named role of another account matches nothing"
assert_contains "$out" "Unauthorized" "explains the Unauthorized"
assert_not_contains "$out" "api server says" "no SelfSubjectReview for someone else"
out=$("$ACC" whoami --principal "arn:aws:iam::$A:role/team/who-dev" 2>&1)
assert_contains "$out" "decided by:          nothing" "a role ARN with a path never matches aws-auth"
out=$("$ACC" whoami --principal 'arn:aws:iam::12:role/x' 2>&1); rc=$?
assert_eq 2 $rc "malformed --principal is a usage error"
assert_contains "$out" "12 digits" "and says why"
out=$("$ACC" whoami --principal "$(printf 'arn:aws:iam::%s:role/a\033]0;x\007' $A)" 2>&1); rc=$?
assert_eq 2 $rc "control characters in --principal"
if printf '%s' "$out" | LC_ALL=C grep -q "$(printf '\033')"; then fail "escape reached the terminal"; else ok "no escape in the message"; fi

# --- mode API: aws-auth is not read by the cluster
out=$("$ACC" whoami --cluster-name api --region us-west-2 2>&1)
assert_contains "$out" "aws-auth is not read" "mode API ignores aws-auth"
assert_contains "$out" "decided by:          nothing" "nothing applies in mode API without an entry"

# --- the API server refuses the caller: still an answer, exit 0
put_awsauth "- rolearn: arn:aws:iam::$A:role/someone-else
  username: x
  groups: [viewers]
"
out=$("$ACC" whoami 2>&1); rc=$?
assert_eq 0 $rc "whoami when Unauthorized"
assert_contains "$out" "did not accept our credentials" "the API server's refusal is reported"
assert_contains "$out" "decided by:          nothing" "nothing maps the caller"
finish
