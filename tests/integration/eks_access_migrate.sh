#!/usr/bin/env bash
# eks-access migrate: aws-auth (on the fake API server) -> access entries (on
# the fake EKS access-entry API), with IAM GetRole against moto restoring role
# paths.  Duplicates resolve to the active mapping, cross-account principals
# are kept as written and never looked up, node/Fargate roles get node types,
# system:masters becomes the cluster-admin policy, what cannot be migrated is
# reported; aws-auth and the authentication mode are never changed.
set -u
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/k8s.sh"
. "$TOP/tests/lib/eks_access.sh"
test_env
need_moto
use_static_creds
"$PYTHON" -c 'import botocore' 2>/dev/null || skip "botocore is not installed"
ACC=$BIN/eks-access
A=123456789012          # moto's account
X=444455556666          # another account

# IAM (moto): roles with paths; "Partner" also exists locally under another path,
# so looking a cross-account role up locally would give a wrong ARN.
"$PYTHON" - "$MOTO_URL" "$A" <<'PY' || die "cannot create IAM roles in moto"
import sys, json, botocore.session
iam = botocore.session.get_session().create_client("iam", region_name="us-east-1",
    endpoint_url=sys.argv[1], aws_access_key_id="a", aws_secret_access_key="b")
trust = json.dumps({"Version": "2012-10-17", "Statement": []})
for name, path in (("mig-admin", "/team/ops/"), ("mig-node", "/"), ("mig-fargate", "/"),
                   ("mig-dev", "/people/"), ("Partner", "/local/")):
    try:
        iam.create_role(RoleName=name, Path=path, AssumeRolePolicyDocument=trust)
    except iam.exceptions.EntityAlreadyExistsException:
        pass
r = iam.get_role(RoleName="mig-admin")["Role"]
assert r["Arn"] == "arn:aws:iam::%s:role/team/ops/mig-admin" % sys.argv[2], r
PY

k8s_fake_start || die "cannot start the fake API server"
k8s_kubeconfig_cert "$T/kubeconfig"
export KUBECONFIG=$T/kubeconfig
MAPROLES="# the seed's nodes, two admins (duplicate: the last wins), a partner
- rolearn: arn:aws:iam::$A:role/mig-node
  username: system:node:{{EC2PrivateDNSName}}
  groups:
    - system:bootstrappers
    - system:nodes
- rolearn: arn:aws:iam::$A:role/mig-fargate
  username: system:node:{{SessionName}}
  groups: [system:bootstrappers, system:nodes, system:node-proxier]
- rolearn: arn:aws:iam::$A:role/MIG-ADMIN
  username: stale
  groups: [viewers]
- rolearn: arn:aws:iam::$A:role/mig-admin
  username: admin:{{SessionName}}
  groups: [system:masters, ops]
- rolearn: arn:aws:iam::$X:role/Partner
  username: partner
  groups: [partner-viewers]
- rolearn: arn:aws:iam::$A:role/people/mig-dev
  username: dev
  groups: [devs]
- rolearn: arn:aws:iam::$A:role/mig-missing
  username: missing
  groups: [devs]
- rolearn: arn:aws:iam::$A:role/mig-keyed
  username: \"key-{{AccessKeyID}}\"
  groups: [devs]
- rolearn: not-an-arn
  username: broken
  groups: [devs]
- sso:
    permissionSetName: Dev
    accountID: \"$A\"
  username: sso-dev
  groups: [devs]
"
MAPUSERS="- userarn: arn:aws:iam::$A:user/alice
  username: alice
  groups: [system:masters]
"
body=$("$PYTHON" -c 'import json,sys; print(json.dumps({"apiVersion":"v1","kind":"ConfigMap",
  "metadata":{"name":"aws-auth","namespace":"kube-system"},
  "data":{"mapRoles":sys.argv[1],"mapUsers":sys.argv[2],"mapAccounts":"- \"444455556666\"\n"}}))' \
	"$MAPROLES" "$MAPUSERS")
k8s_api POST /api/v1/namespaces/kube-system/configmaps "$body"
assert_eq 201 "$K8S_HTTP_CODE" "aws-auth created on the fake API server"
awsauth_now() {
	k8s_api GET /api/v1/namespaces/kube-system/configmaps/aws-auth
	printf '%s' "$K8S_HTTP_BODY" | "$PYTHON" -c 'import json,sys; d=json.load(sys.stdin); print(d["metadata"]["resourceVersion"], json.dumps(d["data"], sort_keys=True))'
}
before=$(awsauth_now)

cat >"$T/state.json" <<JSON
{"account": "$A", "page_size": 1,
 "clusters": {"c1": {"authenticationMode": "API_AND_CONFIG_MAP"},
              "old": {"authenticationMode": "CONFIG_MAP"}},
 "entries": {"c1": [{"principalArn": "arn:aws:iam::$A:user/alice"}]}}
JSON
eks_access_fake_start "$T/state.json" || die "cannot start the access-entry fake"
M="$ACC --cluster-name c1 --region us-west-2"

# --- dry run (the default): the plan, nothing written anywhere
out=$($M migrate 2>"$T/err"); rc=$?
assert_eq 0 $rc "migrate (dry run by default) exits 0 with unmigratable mappings ($(cat "$T/err"))"
out2=$($M migrate --dry-run 2>&1)
assert_eq "$out" "$out2" "--dry-run is the default"
printf '%s\n' "$out" >"$T/plan.txt"
assert_contains "$out" "create          mapRoles line 2: arn:aws:iam::$A:role/mig-node type=EC2_LINUX" "node role -> EC2_LINUX"
assert_contains "$out" "role/mig-fargate type=FARGATE_LINUX" "Fargate role -> FARGATE_LINUX"
assert_contains "$out" "shadowed        mapRoles line 10" "the first duplicate is shadowed"
assert_contains "$out" "arn:aws:iam::$A:role/team/ops/mig-admin type=STANDARD username=admin:{{SessionName}} groups=ops policy=AmazonEKSClusterAdminPolicy(cluster)" \
	"active duplicate migrated, path restored by IAM GetRole, system:masters -> admin policy"
assert_contains "$out" "create          mapRoles line 16: arn:aws:iam::$X:role/Partner type=STANDARD" "cross-account kept as written"
assert_not_contains "$out" "role/local/Partner" "cross-account not looked up locally"
assert_contains "$out" "cannot-migrate  mapRoles line 19: arn:aws:iam::$A:role/people/mig-dev" "a rolearn with a path grants nothing today"
assert_contains "$out" "no such role" "a mapping of a deleted role"
assert_contains "$out" "{{SessionName}} and {{SessionNameRaw}}" "a username template the API refuses"
assert_contains "$out" "cannot-migrate  mapRoles line 28: not-an-arn" "a malformed ARN is reported, no crash"
assert_contains "$out" "sso matchers" "sso matcher reported"
assert_contains "$out" "mapAccounts has no access-entry equivalent" "mapAccounts reported"
assert_contains "$out" "exists          mapUsers line 1: arn:aws:iam::$A:user/alice" "existing entry skipped"
assert_contains "$out" "aws eks update-cluster-config --name c1 --region us-west-2 --access-config authenticationMode=API" "the mode switch command"
assert_contains "$out" "NOT safe" "the switch is not safe with unmigratable mappings"
if grep -q '"POST"\|"DELETE"' "$EKS_ACCESS_LOG"; then fail "the dry run wrote entries"; else ok "the dry run wrote nothing"; fi
assert_eq "$before" "$(awsauth_now)" "aws-auth untouched by the dry run"

json=$($M migrate -o json)
printf '%s' "$json" | "$PYTHON" -c '
import json, sys
p = json.load(sys.stdin)
v = {m["verdict"] for m in p["mappings"]}
assert {"create", "shadowed", "cannot-migrate", "exists"} <= v, v
assert p["nextAuthenticationMode"]["mode"] == "API" and p["nextAuthenticationMode"]["safe"] is False
' && ok "migrate -o json" || fail "migrate -o json: $json"
if "$PYTHON" -c 'import yaml' 2>/dev/null; then
	$M migrate -o yaml | "$PYTHON" -c '
import sys, yaml
p = yaml.safe_load(sys.stdin)
assert any(m["verdict"] == "create" for m in p["mappings"]), p
' && ok "migrate -o yaml" || fail "migrate -o yaml"
fi

# --- apply
out=$($M migrate --apply 2>"$T/err"); rc=$?
assert_eq 0 $rc "migrate --apply ($(cat "$T/err"))"
assert_contains "$out" "created         mapRoles line 13" "apply reports what it created"
st=$(eks_access_state)
printf '%s' "$st" | "$PYTHON" -c '
import json, sys
A, X = sys.argv[1], sys.argv[2]
e = {x["principalArn"]: x for x in json.load(sys.stdin)["c1"]}
adm = e["arn:aws:iam::%s:role/team/ops/mig-admin" % A]
assert adm["kubernetesGroups"] == ["ops"] and adm["username"] == "admin:{{SessionName}}", adm
assert [p["policyArn"] for p in adm["policies"]] == [
    "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"], adm
assert adm["policies"][0]["accessScope"]["type"] == "cluster"
assert e["arn:aws:iam::%s:role/mig-node" % A]["type"] == "EC2_LINUX"
assert e["arn:aws:iam::%s:role/mig-fargate" % A]["type"] == "FARGATE_LINUX"
assert e["arn:aws:iam::%s:role/Partner" % X]["kubernetesGroups"] == ["partner-viewers"]
assert not any("mig-dev" in k or "mig-missing" in k or "mig-keyed" in k or "local" in k for k in e), list(e)
assert len(e) == 5, list(e)
' "$A" "$X" && ok "entries created as planned" || fail "entries after apply: $st"
assert_eq "$before" "$(awsauth_now)" "aws-auth untouched by --apply"
if grep -q 'update-config\|/updates' "$EKS_ACCESS_LOG"; then fail "the mode was changed"; else ok "the authentication mode was not changed"; fi

# --- idempotent: a second apply creates nothing
: >"$EKS_ACCESS_LOG"
out=$($M migrate --apply 2>&1); rc=$?
assert_eq 0 $rc "second --apply"
if grep -q '"POST"' "$EKS_ACCESS_LOG"; then fail "second apply created entries"; else ok "second apply created nothing"; fi
assert_contains "$out" "exists          mapRoles line 13" "now reported as existing"
grep -q 'nextToken=' "$EKS_ACCESS_LOG" && ok "existing entries read page by page" || fail "no pagination"

# --- a CONFIG_MAP cluster: plan with the safe first step, apply refuses
out=$("$ACC" --cluster-name old --region us-west-2 migrate 2>&1); rc=$?
assert_eq 0 $rc "dry run on a CONFIG_MAP cluster"
assert_contains "$out" "authenticationMode=API_AND_CONFIG_MAP" "first step: API_AND_CONFIG_MAP"
assert_contains "$out" "safe:" "said to be safe"
out=$("$ACC" --cluster-name old --region us-west-2 migrate --apply 2>&1); rc=$?
assert_eq 1 $rc "--apply on a CONFIG_MAP cluster fails"
assert_contains "$out" "never changes it" "and says it will not change the mode"

# --- usage and errors
assert_rc 2 "--dry-run with --apply" "$ACC" --cluster-name c1 migrate --dry-run --apply
assert_rc 2 "migrate without --cluster-name" "$ACC" migrate
out=$("$ACC" --cluster-name nosuch --region us-west-2 migrate 2>&1); rc=$?
assert_eq 1 $rc "missing cluster is an error"
assert_contains "$out" "not found" "missing cluster message"
finish
