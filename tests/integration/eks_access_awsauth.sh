#!/usr/bin/env bash
# eks-access and kube-system/aws-auth against the TLS fake API server:
# list (the authenticator's verdict per row), add-role/add-user/add-account/
# remove round trips that keep every untouched byte, refusals that leave the
# ConfigMap as it was, lockout checks, --dry-run diffs, 409 races resolved by
# re-applying (nothing lost), a denying admission webhook, backups (0600),
# creating the ConfigMap, and at the end real kubectl + eks-token logging in
# as a role that eks-access just mapped.
set -u
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/k8s.sh"
test_env
need_moto
ACC=$BIN/eks-access
[ -x "$ACC" ] || die "eks-access is not built"

# --- the command line: help, every flag completed, usage errors
"$ACC" --help | grep -q -- 'add-role ARN' && ok "--help lists the commands" || fail "--help"
for f in completions/eks-access.bash completions/_eks-access completions/eks-access.fish; do
	[ -f "$TOP/$f" ] || { fail "$f missing"; continue; }
	while IFS=$'\t' read -r long _; do
		grep -q -- "${long#--}" "$TOP/$f" || fail "$f does not complete $long"
	done < <("$ACC" --list-flags)
done
ok "completions cover --list-flags"
bash -n "$TOP/completions/eks-access.bash" && ok "bash completion parses" || fail "bash completion syntax"
if command -v zsh >/dev/null; then zsh -n "$TOP/completions/_eks-access" && ok "zsh parses" || fail "zsh syntax"; fi
if command -v fish >/dev/null; then fish -n "$TOP/completions/eks-access.fish" && ok "fish parses" || fail "fish syntax"; fi
man_text=$(sed 's/\\//g' "$TOP/man/eks-access.1")
for w in list add-role add-user add-account remove entry migrate whoami; do
	assert_contains "$man_text" "$w" "man page: $w" >/dev/null
done
while IFS=$'\t' read -r long _; do
	assert_contains "$man_text" "$long" "man page: $long" >/dev/null
done < <("$ACC" --list-flags)
assert_rc 2 "no command is a usage error" "$ACC"
assert_rc 2 "unknown command" "$ACC" frobnicate
assert_rc 2 "a flag of another command" "$ACC" list --replace
assert_rc 2 "add-role without --username" "$ACC" add-role arn:aws:iam::111122223333:role/x

k8s_fake_start || die "cannot start the fake API server"
admin=$T/admin.kubeconfig
k8s_kubeconfig_cert "$admin"
export KUBECONFIG=$admin
cm_data() {  # the ConfigMap's data as canonical JSON (or "absent")
	k8s_api GET /api/v1/namespaces/kube-system/configmaps/aws-auth
	if [ "$K8S_HTTP_CODE" != 200 ]; then echo absent; return; fi
	printf '%s' "$K8S_HTTP_BODY" | "$PYTHON" -c 'import json,sys; d=json.load(sys.stdin); print(json.dumps(d.get("data",{}), sort_keys=True))'
}
cm_key() {  # one data value, byte for byte (to a file)
	k8s_api GET /api/v1/namespaces/kube-system/configmaps/aws-auth
	printf '%s' "$K8S_HTTP_BODY" | "$PYTHON" -c 'import json,sys; sys.stdout.write(json.load(sys.stdin)["data"].get(sys.argv[1],""))' "$1"
}
cm_rv() {
	k8s_api GET /api/v1/namespaces/kube-system/configmaps/aws-auth
	json_get "$K8S_HTTP_BODY" 'd["metadata"]["resourceVersion"]'
}

# --- no aws-auth at all: list works, remove has nothing to do and creates nothing
out=$("$ACC" list 2>"$T/err") || fail "list without aws-auth: $(cat "$T/err")"
assert_contains "$out" "no kube-system/aws-auth ConfigMap" "list says aws-auth is absent"
assert_contains "$out" "access entries not read: pass --cluster-name" "list says why entries are missing"
out=$("$ACC" remove arn:aws:iam::111122223333:role/nobody 2>&1) || fail "remove without aws-auth: $out"
assert_contains "$out" "nothing to remove" "remove without aws-auth"
assert_eq absent "$(cm_data)" "remove did not create aws-auth"

# --- real-world contents: the seed's example (typo), comments, userid, an sso
# matcher, unknown fields, case-variant duplicates, a path, a near-miss key,
# CRLF line ends, and broken YAML in one key
ROLES='# nodes first -- keep
- rolearn: arn:aws:iam::111122223333:role/eks-node-role   # the node group
  username: system:node:{{EC2PrivateDNSName}}
  groups:
    - system:bootsrappers
    - system:nodes
- RoleARN: arn:aws:iam::111122223333:role/Dev
  username: dev-old
  userid: AROAEXAMPLEDEV
  groups: [dev]
- sso:
    permissionSetName: Admins
    accountID: "111122223333"
  username: sso-admin:{{SessionName}}
  groups:
    - system:masters
- rolearn: arn:aws:iam::111122223333:role/dev
  username: dev
  x-team: platform
  groups:
    - dev
- rolearn: arn:aws:iam::111122223333:role/teams/ops/Ops
  username: ops
  groups:
    - ops
'
USERS=$'- userarn: arn:aws:iam::111122223333:user/admin\r\n  username: admin\r\n  groups:\r\n    - system:masters\r\n'
NEAR='- userarn: arn:aws:iam::111122223333:user/eve
  username: eve
  groups: [system:masters]
'
BROKEN='- "111122223333
- 444455556666
'
seed() {
	k8s_api DELETE /api/v1/namespaces/kube-system/configmaps/aws-auth
	k8s_api POST /api/v1/namespaces/kube-system/configmaps "$("$PYTHON" -c '
import json, sys
print(json.dumps({"metadata": {"name": "aws-auth", "namespace": "kube-system"},
                  "data": {"mapRoles": sys.argv[1], "mapUsers": sys.argv[2],
                           "mapusers": sys.argv[3], "mapAccounts": sys.argv[4],
                           "note": "kept as is"}}))' "$ROLES" "$USERS" "$NEAR" "$BROKEN")"
	[ "$K8S_HTTP_CODE" = 201 ] || die "seed aws-auth: $K8S_HTTP_CODE $K8S_HTTP_BODY"
}
seed

out=$("$ACC" list 2>"$T/err") || fail "list: $(cat "$T/err")"
assert_contains "$out" "group system:bootsrappers is ignored" "list: the seed's typo is reported"
assert_contains "$out" "did you mean system:bootstrappers?" "list: the typo's fix is suggested"
assert_contains "$out" "the role path /teams/ops/" "list: a role path is reported"
assert_contains "$out" "data key 'mapusers' is never read" "list: the near-miss key is reported"
assert_contains "$out" "mapAccounts  -     (the whole key)" "list: the broken key is a row"
json=$("$ACC" list -o json) || fail "list -o json"
states=$(printf '%s' "$json" | "$PYTHON" -c '
import json, sys
d = json.load(sys.stdin)["awsAuth"]
print(" ".join("%s:%d:%s" % (m["source"], m["line"], m["state"]) for m in d["mappings"]))')
assert_eq "mapRoles:2:active mapRoles:7:shadowed mapRoles:11:active mapRoles:17:active mapRoles:22:ignored mapUsers:1:active mapusers:1:ignored" \
	"$states" "list -o json: the authenticator's verdict per row"
yaml=$("$ACC" -o yaml list) || fail "list -o yaml"
printf '%s' "$yaml" | "$PYTHON" -c 'import sys, yaml; d = yaml.safe_load(sys.stdin); assert d["awsAuth"]["mappings"][0]["username"] == "system:node:{{EC2PrivateDNSName}}"' \
	&& ok "list -o yaml parses back (global flag before the command)" || fail "list -o yaml: $yaml"

# --- add-role: appended, every other byte kept, backup written 0600
before_roles=$(cm_key mapRoles; echo x)
out=$("$ACC" add-role arn:aws:iam::111122223333:role/Alice --username alice --group dev-team 2>"$T/err") ||
	fail "add-role: $(cat "$T/err")"
assert_contains "$out" "mapped arn:aws:iam::111122223333:role/Alice in kube-system/aws-auth" "add-role reports"
after_roles=$(cm_key mapRoles; echo x)
expect="${before_roles%x}- rolearn: arn:aws:iam::111122223333:role/Alice
  username: alice
  groups:
    - dev-team
x"
assert_eq "$expect" "$after_roles" "add-role appends; every old byte of mapRoles kept"
assert_eq "${USERS}x" "$(cm_key mapUsers; printf x)" "mapUsers (CRLF) untouched"
assert_eq "${NEAR}x" "$(cm_key mapusers; printf x)" "the near-miss key untouched"
assert_eq "${BROKEN}x" "$(cm_key mapAccounts; printf x)" "the broken key untouched"
assert_eq "kept as is" "$(cm_key note)" "an unrelated key untouched"
backup=$(printf '%s\n' "$out" | sed -n 's/^previous data saved to \([^ ]*\) .*/\1/p')
[ -f "$backup" ] && ok "backup file named in the output" || fail "no backup file: $out"
assert_eq 600 "$(stat -c %a "$backup")" "backup file mode 0600"
assert_eq "$before_roles" "$("$PYTHON" -c 'import json,sys; sys.stdout.write(json.load(open(sys.argv[1]))["data"]["mapRoles"])' "$backup"; printf x)" \
	"backup holds the previous mapRoles"

# --- idempotent re-run, conflicting mapping refused, --replace
rv=$(cm_rv)
out=$("$ACC" add-role arn:aws:iam::111122223333:role/ALICE --username alice --group dev-team 2>&1) ||
	fail "identical add-role: $out"
assert_contains "$out" "nothing to change" "identical mapping is a no-op"
assert_eq "$rv" "$(cm_rv)" "no-op wrote nothing"
snap=$(cm_data)
out=$("$ACC" add-role arn:aws:iam::111122223333:role/Alice --username alice2 2>&1); rc=$?
assert_eq 1 "$rc" "a different mapping without --replace is refused"
assert_contains "$out" "pass --replace" "refusal says what to do"
assert_eq "$snap" "$(cm_data)" "refused edit leaves aws-auth unchanged"
out=$("$ACC" add-role arn:aws:iam::111122223333:role/Alice --username alice2 --replace 2>&1) ||
	fail "--replace: $out"
assert_contains "$(cm_key mapRoles)" "  username: alice2" "--replace rewrote the mapping"

# --- remove: every mapping of the principal, case-insensitively
out=$("$ACC" remove arn:aws:iam::111122223333:role/DEV 2>&1) || fail "remove: $out"
assert_contains "$out" "removed 2 mappings of arn:aws:iam::111122223333:role/DEV" "remove says how many"
roles=$(cm_key mapRoles)
assert_not_contains "$roles" "role/Dev" "remove: first duplicate gone"
assert_not_contains "$roles" "role/dev" "remove: last duplicate gone"
assert_contains "$roles" "    permissionSetName: Admins" "remove: the sso entry kept"
assert_contains "$roles" "# nodes first -- keep" "remove: the comment kept"

# --- lockout checks: the node role and the last system:masters mapping
snap=$(cm_data)
out=$("$ACC" remove arn:aws:iam::111122223333:role/eks-node-role 2>&1); rc=$?
assert_eq 1 "$rc" "removing the only node role is refused"
assert_contains "$out" "system:nodes" "node lockout message"
assert_eq "$snap" "$(cm_data)" "refused lockout leaves aws-auth unchanged"
out=$("$ACC" remove arn:aws:iam::111122223333:user/admin 2>&1) ||
	fail "removing one of two masters mappings (the sso one stays): $out"

# --- --dry-run: a diff, nothing written
rv=$(cm_rv)
out=$("$ACC" add-user arn:aws:iam::111122223333:user/bob --username bob --group viewers --dry-run 2>"$T/err") ||
	fail "dry run: $(cat "$T/err")"
assert_contains "$out" "+++ b/kube-system/aws-auth data.mapUsers" "dry run prints a diff header"
assert_contains "$out" "+- userarn: arn:aws:iam::111122223333:user/bob" "dry run diff adds the user"
assert_contains "$(cat "$T/err")" "dry run: nothing written" "dry run says so"
assert_eq "$rv" "$(cm_rv)" "dry run wrote nothing"

# --- a concurrent writer between our GET and PUT: re-read, re-applied, nothing lost
k8s_api POST /_fake/configmap-race '{"name":"aws-auth","namespace":"kube-system","times":1,"data":{"mapRoles":"append:- rolearn: arn:aws:iam::111122223333:role/Other\n  username: other\n"}}'
out=$("$ACC" add-role arn:aws:iam::111122223333:role/Carol --username carol 2>&1) || fail "add under a race: $out"
assert_contains "$out" "re-applied (2 attempts)" "409 Conflict retried"
roles=$(cm_key mapRoles)
assert_contains "$roles" "role/Other" "the other writer's mapping kept"
assert_contains "$roles" "role/Carol" "our mapping written"
k8s_api POST /_fake/configmap-race '{"name":"aws-auth","namespace":"kube-system","times":20,"data":{"note":"busy"}}'
out=$("$ACC" add-role arn:aws:iam::111122223333:role/Dan --username dan 2>&1); rc=$?
assert_eq 1 "$rc" "endless conflicts give up"
assert_contains "$out" "kept changing" "endless conflicts say so"
assert_not_contains "$(cm_key mapRoles)" "role/Dan" "given up: nothing of ours written"
k8s_api POST /_fake/configmap-race '{"name":"aws-auth","namespace":"kube-system","times":0,"data":{}}'

# --- a denying admission webhook: its message shown (control characters filtered)
k8s_api POST /_fake/reject "$(printf '{"resource":"configmaps","namespace":"kube-system","name":"aws-auth","code":400,"reason":"BadRequest","message":"admission webhook \\"vaws-auth.eks.amazonaws.com\\" denied the request: mapRoles[2]: bad\\u001b[31m username"}')"
snap=$(cm_data)
out=$("$ACC" add-role arn:aws:iam::111122223333:role/Erin --username erin 2>&1); rc=$?
assert_eq 1 "$rc" "webhook rejection exits 1"
assert_contains "$out" 'denied the request: mapRoles[2]: bad?[31m username' "the webhook's message, filtered"
assert_not_contains "$out" $'\e' "no escape character reaches the terminal"
assert_eq "$snap" "$(cm_data)" "rejected write changed nothing"
k8s_api POST /_fake/reject '{"resource":"configmaps","namespace":"kube-system","name":"aws-auth","code":0}'

# --- a key the authenticator cannot read is never edited
out=$("$ACC" add-account 444455556666 2>&1); rc=$?
assert_eq 1 "$rc" "add-account to a broken mapAccounts is refused"
assert_contains "$out" "fix it by hand" "broken key: says what to do"

# --- create the ConfigMap (add only), as eksctl does
k8s_api DELETE /api/v1/namespaces/kube-system/configmaps/aws-auth
out=$("$ACC" add-user arn:aws:iam::111122223333:user/root-admin --username root-admin --group system:masters 2>&1) ||
	fail "add-user without aws-auth: $out"
assert_contains "$out" "(created the ConfigMap)" "add created aws-auth"
assert_eq "- userarn: arn:aws:iam::111122223333:user/root-admin
  username: root-admin
  groups:
    - system:masters" "$(cm_key mapUsers)" "created mapUsers"
snap=$(cm_data)
out=$("$ACC" remove arn:aws:iam::111122223333:user/root-admin 2>&1); rc=$?
assert_eq 1 "$rc" "removing the last system:masters mapping is refused"
assert_contains "$out" "no active system:masters mapping and no cluster-admin access entry" "masters lockout message"
assert_eq "$snap" "$(cm_data)" "refused lockout leaves aws-auth unchanged"
out=$("$ACC" remove --force --dry-run arn:aws:iam::111122223333:user/root-admin 2>&1) ||
	fail "--force lets it through: $out"
assert_contains "$out" "-- userarn: arn:aws:iam::111122223333:user/root-admin" "--force --dry-run shows the removal"
out=$("$ACC" add-account 444455556666 2>&1) || fail "add-account: $out"
assert_eq '- "444455556666"' "$(cm_key mapAccounts)" "add-account writes a quoted id"
assert_rc 2 "add-account refuses a bad id" "$ACC" add-account 4444

# --- with access entries (the loopback EKS fake): one view, "the access entry
# wins", the lockout check counts a cluster-admin entry, either side alone works
cat >"$T/eks-state.json" <<'JSON'
{"account": "111122223333", "page_size": 2,
 "clusters": {"c1": {"authenticationMode": "API_AND_CONFIG_MAP"}},
 "entries": {"c1": [
   {"principalArn": "arn:aws:iam::111122223333:role/nodes/ng-1", "type": "EC2_LINUX"},
   {"principalArn": "arn:aws:iam::111122223333:user/root-admin",
    "policies": [{"policyArn": "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
                  "accessScope": {"type": "cluster"}}]},
   {"principalArn": "arn:aws:iam::111122223333:role/viewer", "kubernetesGroups": ["viewers"],
    "policies": [{"policyArn": "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy",
                  "accessScope": {"type": "namespace", "namespaces": ["dev", "qa"]}}]}]}}
JSON
"$PYTHON" "$TOP/tests/fakes/eks_access_fake.py" --state "$T/eks-state.json" \
	--port-file "$T/eks-port" --log "$T/eks.log" >"$T/eks-fake.out" 2>&1 &
CLEANUP_PIDS="${CLEANUP_PIDS:-} $!"
for ((i = 0; i < 300; i++)); do [ -s "$T/eks-port" ] && break; sleep 0.1; done
[ -s "$T/eks-port" ] || die "the EKS access-entry fake did not start: $(cat "$T/eks-fake.out")"
use_static_creds
export AWS_ENDPOINT_URL_EKS=http://127.0.0.1:$(cat "$T/eks-port")
out=$("$ACC" list --cluster-name c1 --region us-west-2 2>"$T/err") || fail "list with entries: $(cat "$T/err")"
assert_contains "$out" "entry:EC2_LINUX" "list shows the node access entry"
assert_contains "$out" "AmazonEKSViewPolicy(namespace:dev,qa)" "list shows policies and scopes"
assert_contains "$out" "the access entry wins" "list: aws-auth row of a principal with an entry"
json=$("$ACC" list --cluster-name c1 --region us-west-2 -o json) || fail "list -o json with entries"
printf '%s' "$json" | "$PYTHON" -c '
import json, sys
d = json.load(sys.stdin)
assert d["accessEntries"]["authenticationMode"] == "API_AND_CONFIG_MAP", d
assert len(d["accessEntries"]["entries"]) == 3, d
m = [r for r in d["awsAuth"]["mappings"] if r["principal"].endswith("user/root-admin")][0]
assert m["accessEntryWins"] and m["state"] == "shadowed", m' \
	&& ok "list -o json: entries and the entry-wins mark" || fail "list -o json with entries: $json"
out=$("$ACC" remove --cluster-name c1 --region us-west-2 arn:aws:iam::111122223333:user/root-admin 2>&1) ||
	fail "a cluster-admin access entry makes removing the last masters mapping safe: $out"
k8s_api DELETE /api/v1/namespaces/kube-system/configmaps/aws-auth
out=$("$ACC" list --cluster-name c1 --region us-west-2 2>&1) || fail "list: entries but no aws-auth: $out"
assert_contains "$out" "no kube-system/aws-auth ConfigMap" "entries only: aws-auth absent said"
assert_contains "$out" "role/viewer" "entries only: entries listed"
out=$("$ACC" list --kubeconfig "$T/nowhere" --cluster-name c1 --region us-west-2 2>"$T/err") ||
	fail "list without Kubernetes access but with entries: $(cat "$T/err")"
assert_contains "$out" "# aws-auth not read:" "entries only: why aws-auth is missing"
unset AWS_ENDPOINT_URL_EKS AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY

# --- end to end: a role eks-access maps can log in (kubectl + eks-token)
KDIR=$(dirname "$(readlink -f "$(command -v kubectl)")")
eval "$("$PYTHON" - "$MOTO_URL" <<'EOF'
import sys, uuid, boto3
iam = boto3.client("iam", endpoint_url=sys.argv[1], region_name="us-west-2",
                   aws_access_key_id="AKIDEXAMPLETESTKEY01", aws_secret_access_key="x")
name = "acc-" + uuid.uuid4().hex[:8]
iam.create_user(UserName=name)
k = iam.create_access_key(UserName=name)["AccessKey"]
trust = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}'
role = iam.create_role(RoleName=name + "-dev", Path="/teams/dev/", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
print("AKID=%s SECRET='%s' ROLE_ARN=%s" % (k["AccessKeyId"], k["SecretAccessKey"], role))
EOF
)" || die "cannot create the IAM user and role in moto"
k8s_fake_stop
k8s_fake_start --cluster-id acc-cluster --sigv4-allow-unknown || die "cannot restart the fake"
k8s_kubeconfig_cert "$admin"
use_static_creds "$AKID" "$SECRET"
k8s_kubeconfig_exec "$T/role.kubeconfig" v1 "$BIN/eks-token" --cluster-name acc-cluster \
	--region us-west-2 --role-arn "$ROLE_ARN"
"$ACC" add-user arn:aws:iam::123456789012:user/someone-else --username other \
	--group system:masters >/dev/null 2>&1 || fail "seed aws-auth for e2e"
"$KDIR/kubectl.1.33" --kubeconfig "$T/role.kubeconfig" auth whoami >/dev/null 2>&1 &&
	fail "e2e: unmapped role was let in" || ok "e2e: unmapped role refused"
out=$("$ACC" add-role "$ROLE_ARN" --username 'dev:{{SessionName}}' --group devs 2>&1) ||
	fail "e2e add-role: $out"
assert_contains "$out" "removed the path /teams/dev/" "e2e: role path stripped with a warning"
if who=$("$KDIR/kubectl.1.33" --kubeconfig "$T/role.kubeconfig" auth whoami -o json 2>"$T/err"); then
	assert_contains "$(json_get "$who" 'd["status"]["userInfo"]["username"]')" "dev:" "e2e: mapped role logs in with its username"
	assert_contains "$who" '"devs"' "e2e: with its group"
else
	fail "e2e: kubectl auth whoami as the mapped role: $(cat "$T/err")"
fi
finish
