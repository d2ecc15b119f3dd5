#!/usr/bin/env bash
# eks-kubeconfig against moto: new file, merge with preservation, aliases,
# namespace, keep-current-context, dry-run, --all, per-user files, Outposts,
# exec v1, env, profiles, KUBECONFIG rules, symlinks; kubectl reads each file.
set -u
. "$(dirname "$0")/../lib/common.sh"
test_env
need_moto
. "$TOP/tests/lib/kubeconfig.sh"
aws_cli_prepare
command -v kubectl >/dev/null || die "kubectl is required"
python3 -c 'import yaml, boto3' || die "python3 yaml and boto3 are required"
use_static_creds

P=kc$$
moto_clusters "$P-a" "$P-b" || die "cannot create clusters in moto"
ARN_A=arn:aws:eks:us-west-2:123456789012:cluster/$P-a
ARN_B=arn:aws:eks:us-west-2:123456789012:cluster/$P-b
CFG=$HOME/.kube/config

# --- a new file in ~/.kube ---------------------------------------------------
out=$("$EKC" --cluster-name "$P-a" 2>"$T/err")
assert_eq 0 $? "new file: exit 0"
assert_eq "Added new context $ARN_A to $CFG" "$out" "new file: AWS CLI message"
assert_eq 600 "$(stat -c %a "$CFG")" "new file: mode 0600"
assert_eq 700 "$(stat -c %a "$HOME/.kube")" "new directory: mode 0700"
assert_eq "" "$(cat "$T/err")" "new file: nothing on stderr"
assert_eq "$ARN_A" "$(yq "$CFG" 'd["current-context"]')" "current-context set"
assert_eq "$ARN_A" "$(yq "$CFG" 'd["contexts"][0]["name"]')" "context named by ARN"
assert_eq "eks-token" "$(yq "$CFG" 'd["users"][0]["user"]["exec"]["command"]')" "exec runs eks-token"
assert_eq "['--cluster-name', '$P-a', '--region', 'us-west-2']" \
	"$(yq "$CFG" 'd["users"][0]["user"]["exec"]["args"]')" "exec args"
assert_eq "client.authentication.k8s.io/v1beta1" \
	"$(yq "$CFG" 'd["users"][0]["user"]["exec"]["apiVersion"]')" "exec apiVersion v1beta1"
assert_eq "None" "$(yq "$CFG" 'd["users"][0]["user"]["exec"].get("env")')" "no env without a profile"
srv=$(aws --endpoint-url "$MOTO_URL" eks describe-cluster --name "$P-a" --query cluster.endpoint --output text)
assert_eq "$srv" "$(yq "$CFG" 'd["clusters"][0]["cluster"]["server"]')" "server from DescribeCluster"
assert_kubectl_reads "$CFG" "kubectl reads the new file"
ctx=$(kubectl --kubeconfig "$CFG" config current-context)
assert_eq "$ARN_A" "$ctx" "kubectl sees the current context"

out=$("$EKC" --name "$P-a")
assert_eq "Updated context $ARN_A in $CFG" "$out" "second run: Updated message (--name alias)"
assert_eq 1 "$(yq "$CFG" 'len(d["clusters"])')" "second run: replaced, not appended"

# --- merge into a file with other entries and unknown keys ------------------
M=$T/merge.yaml
cat >"$M" <<'EOF'
apiVersion: v1
kind: Config
x-tool-setting: {color: blue}
preferences: {colors: true}
clusters:
- name: on-prem
  cluster:
    server: https://10.0.0.1:6443
    certificate-authority: /etc/ca.pem
    extensions:
    - name: ext
      extension: {k: v}
users:
- name: admin
  user:
    token: not-a-real-token
    x-unknown: 1
contexts:
- name: on-prem
  context: {cluster: on-prem, user: admin, namespace: ops}
current-context: on-prem
EOF
chmod 600 "$M"
cp "$M" "$T/merge.orig"
out=$("$EKC" --cluster-name "$P-b" --kubeconfig "$M" --alias short-b --user-alias user-b \
	--cluster-alias cluster-b --namespace team-b)
assert_eq "Added new context short-b to $M" "$out" "merge: message with alias"
"$PYTHON" - "$T/merge.orig" "$M" <<'EOF' && ok "merge: every other entry, unknown key and field preserved" || fail "merge: preservation"
import sys, yaml
a = yaml.safe_load(open(sys.argv[1])); b = yaml.safe_load(open(sys.argv[2]))
for k in ("clusters", "users", "contexts"):
    for e in a[k]:
        assert e in b[k], (k, e)
for k in ("x-tool-setting", "preferences", "apiVersion", "kind"):
    assert a[k] == b[k], k
assert b["current-context"] == "short-b"
assert [c["name"] for c in b["clusters"]] == ["on-prem", "cluster-b"]
ctx = [c for c in b["contexts"] if c["name"] == "short-b"][0]["context"]
assert ctx == {"cluster": "cluster-b", "user": "user-b", "namespace": "team-b"}, ctx
EOF
assert_kubectl_reads "$M" "kubectl reads the merged file"
assert_eq team-b "$(kubectl --kubeconfig "$M" config view --minify -o jsonpath='{.contexts[0].context.namespace}')" \
	"kubectl sees the namespace"

# --- keep-current-context and dry-run ---------------------------------------
"$EKC" --cluster-name "$P-a" --kubeconfig "$M" --keep-current-context >/dev/null
assert_eq short-b "$(yq "$M" 'd["current-context"]')" "--keep-current-context keeps it"
before=$(sha "$M")
out=$("$EKC" --cluster-name "$P-b" --kubeconfig "$M" --alias short-b --user-alias user-b \
	--cluster-alias cluster-b --namespace other-ns --dry-run)
assert_eq "$before" "$(sha "$M")" "dry-run: file unchanged"
assert_contains "$out" "namespace: other-ns" "dry-run: shows the changed context"
assert_contains "$out" "dry run: would update context short-b in $M" "dry-run: one-line summary"
assert_not_contains "$out" "not-a-real-token" "dry-run: never prints other entries' credentials"
assert_not_contains "$out" "on-prem" "dry-run: only the changed entries"
out=$("$EKC" --cluster-name "$P-b" --kubeconfig "$M" --alias short-b --user-alias user-b \
	--cluster-alias cluster-b --namespace team-b --dry-run)
assert_contains "$out" "dry run: unchanged: context short-b" "dry-run: nothing to change"

# --- profile, role, env, exec v1, proxy ----------------------------------------
cat >>"$AWS_CONFIG_FILE" <<'EOF'
[profile dev]
region = us-west-2
EOF
cat >>"$AWS_SHARED_CREDENTIALS_FILE" <<'EOF'
[dev]
aws_access_key_id = AKIDEXAMPLEDEV00001
aws_secret_access_key = devsecret
EOF
F=$T/v1.yaml
"$EKC" --cluster-name "$P-a" --kubeconfig "$F" --profile dev --role-arn arn:aws:iam::123456789012:role/admin \
	--exec-api-version v1 --env FOO=bar --env AWS_STS_REGIONAL_ENDPOINTS=regional \
	--proxy-url http://127.0.0.1:3128 >/dev/null
assert_eq 0 $? "profile/role/env/v1: exit 0"
assert_eq "[{'name': 'AWS_PROFILE', 'value': 'dev'}, {'name': 'FOO', 'value': 'bar'}, {'name': 'AWS_STS_REGIONAL_ENDPOINTS', 'value': 'regional'}]" \
	"$(yq "$F" 'd["users"][0]["user"]["exec"]["env"]')" "exec env: AWS_PROFILE then --env"
assert_eq "['--cluster-name', '$P-a', '--region', 'us-west-2', '--role-arn', 'arn:aws:iam::123456789012:role/admin']" \
	"$(yq "$F" 'd["users"][0]["user"]["exec"]["args"]')" "exec args with --role-arn"
assert_eq "client.authentication.k8s.io/v1 Never" \
	"$(yq "$F" 'd["users"][0]["user"]["exec"]["apiVersion"] + " " + d["users"][0]["user"]["exec"]["interactiveMode"]')" \
	"exec v1 with interactiveMode Never"
assert_eq "http://127.0.0.1:3128" "$(yq "$F" 'd["clusters"][0]["cluster"]["proxy-url"]')" "proxy-url"
assert_kubectl_reads "$F" "kubectl reads the exec v1 file"
# a profile that may ask for MFA (here through its source_profile chain):
# v1 exec blocks let kubectl pass the terminal (IfAvailable); v1beta1 as aws
cat >>"$AWS_CONFIG_FILE" <<'EOF'
[profile mfa-admin]
role_arn = arn:aws:iam::123456789012:role/admin
source_profile = dev
mfa_serial = arn:aws:iam::123456789012:mfa/alice
[profile via-mfa]
role_arn = arn:aws:iam::123456789012:role/readonly
source_profile = mfa-admin
EOF
for prof in mfa-admin via-mfa; do
	AWS_PROFILE=$prof "$EKC" --cluster-name "$P-a" --kubeconfig "$T/mfa-$prof.yaml" --exec-api-version v1 >/dev/null
	assert_eq "IfAvailable" "$(yq "$T/mfa-$prof.yaml" 'd["users"][0]["user"]["exec"]["interactiveMode"]')" \
		"profile $prof needs MFA: exec v1 interactiveMode IfAvailable"
	assert_kubectl_reads "$T/mfa-$prof.yaml" "kubectl reads the IfAvailable exec block ($prof)"
done
AWS_PROFILE=mfa-admin "$EKC" --cluster-name "$P-a" --kubeconfig "$T/mfa-b1.yaml" >/dev/null
assert_eq "None" "$(yq "$T/mfa-b1.yaml" 'd["users"][0]["user"]["exec"].get("interactiveMode")')" \
	"v1beta1 exec block unchanged for an MFA profile (as the AWS CLI writes it)"
AWS_PROFILE=dev "$EKC" --cluster-name "$P-a" --kubeconfig "$T/envprof.yaml" >/dev/null
assert_eq "AWS_PROFILE=dev" "$(yq "$T/envprof.yaml" '"%s=%s" % (d["users"][0]["user"]["exec"]["env"][0]["name"], d["users"][0]["user"]["exec"]["env"][0]["value"])')" \
	"AWS_PROFILE from the environment recorded, like the AWS CLI"

# --- KUBECONFIG rules, symlinks ------------------------------------------------
K1=$T/k1 K2=$T/k2
"$EKC" --cluster-name "$P-b" --kubeconfig "$K2" >/dev/null
out=$(KUBECONFIG="$K1:$K2" "$EKC" --cluster-name "$P-b")
assert_eq "Updated context $ARN_B in $K2" "$out" "KUBECONFIG: the file holding the cluster is used"
assert_eq missing "$(sha "$K1")" "KUBECONFIG: the first file untouched"
out=$(KUBECONFIG="$K1:$K2" "$EKC" --cluster-name "$P-a")
assert_eq "Added new context $ARN_A to $K1" "$out" "KUBECONFIG: else the first path"
mkdir -p "$T/real"
"$EKC" --cluster-name "$P-a" --kubeconfig "$T/real/config" >/dev/null
ln -s real/config "$T/link"
"$EKC" --cluster-name "$P-b" --kubeconfig "$T/link" >/dev/null
[ -L "$T/link" ] && ok "symlink: still a link" || fail "symlink replaced by a file"
assert_eq 2 "$(yq "$T/real/config" 'len(d["contexts"])')" "symlink: target updated"

# --- standalone and per-user files ----------------------------------------------
"$EKC" --cluster-name "$P-a" --output-file "$T/out/alone.yaml" --namespace apps >/dev/null
assert_eq 0 $? "--output-file: exit 0"
assert_eq 600 "$(stat -c %a "$T/out/alone.yaml")" "--output-file: mode 0600"
assert_eq 1 "$(yq "$T/out/alone.yaml" 'len(d["contexts"]) + len(d["users"]) - len(d["clusters"])')" \
	"--output-file: only this cluster"
assert_kubectl_reads "$T/out/alone.yaml" "kubectl reads --output-file"
cat >"$T/users.yaml" <<'EOF'
- name: alice
  role-arn: arn:aws:iam::123456789012:role/dev-team
  namespace: team-a
- name: bob
  role-arn: arn:aws:iam::123456789012:role/read-only
  profile: dev
EOF
out=$("$EKC" --cluster-name "$P-a" --users "$T/users.yaml" --output-dir "$T/people")
assert_eq 0 $? "--users: exit 0"
assert_contains "$out" "$T/people/alice.kubeconfig" "--users: alice's file reported"
for u in alice bob; do
	f=$T/people/$u.kubeconfig
	assert_eq 600 "$(stat -c %a "$f")" "--users: $u mode 0600"
	assert_kubectl_reads "$f" "kubectl reads $u's kubeconfig"
	assert_eq "$u" "$(yq "$f" 'd["users"][0]["name"]')" "--users: user entry named $u"
done
assert_eq "['--cluster-name', '$P-a', '--region', 'us-west-2', '--role-arn', 'arn:aws:iam::123456789012:role/dev-team']" \
	"$(yq "$T/people/alice.kubeconfig" 'd["users"][0]["user"]["exec"]["args"]')" "--users: alice's role in the exec args"
assert_eq team-a "$(yq "$T/people/alice.kubeconfig" 'd["contexts"][0]["context"]["namespace"]')" "--users: alice's namespace"
assert_eq dev "$(yq "$T/people/bob.kubeconfig" 'd["users"][0]["user"]["exec"]["env"][0]["value"]')" "--users: bob's profile"
assert_eq "alice@$P-a" "$(yq "$T/people/alice.kubeconfig" 'd["current-context"]')" "--users: context user@cluster, current"

# --- --all (its own region, so other tests' clusters do not mix in) ----------
AWS_REGION=ap-southeast-2 moto_clusters "$P-x" "$P-y" "$P-z"
out=$(AWS_REGION=ap-southeast-2 "$EKC" --all --kubeconfig "$T/all.yaml")
assert_eq 0 $? "--all: exit 0"
n=$(yq "$T/all.yaml" 'len([c for c in d["contexts"] if "'"$P"'-" in c["name"]])')
assert_eq 3 "$n" "--all: one context per cluster in the region"
assert_contains "$(yq "$T/all.yaml" 'd["current-context"]')" "arn:aws:eks:ap-southeast-2" "--all: current-context set when unset"
assert_kubectl_reads "$T/all.yaml" "kubectl reads the --all file"

# --- Outposts, UPDATING and pagination through the fake EKS endpoint ---------
CA=$(yq "$CFG" 'd["clusters"][0]["cluster"]["certificate-authority-data"]')
cat >"$T/eks-state.json" <<EOF
{"page_size": 2, "clusters": {
 "op": {"name": "op", "id": "a1b2c3d4-e5f6-7890-abcd-ef0123456789", "status": "ACTIVE",
        "arn": "arn:aws:eks:us-west-2:123456789012:cluster/op",
        "endpoint": "https://op.example.internal", "certificateAuthority": {"data": "$CA"},
        "outpostConfig": {"outpostArns": ["arn:aws:outposts:us-west-2:123456789012:outpost/op-1"],
                          "controlPlaneInstanceType": "m5.large"}},
 "upd": {"name": "upd", "status": "UPDATING", "arn": "arn:aws:eks:us-west-2:123456789012:cluster/upd",
         "endpoint": "https://upd.example", "certificateAuthority": {"data": "$CA"}},
 "c3": {"name": "c3", "status": "ACTIVE", "arn": "arn:aws:eks:us-west-2:123456789012:cluster/c3",
        "endpoint": "https://c3.example", "certificateAuthority": {"data": "$CA"}},
 "c4": {"name": "c4", "status": "CREATING", "arn": "arn:aws:eks:us-west-2:123456789012:cluster/c4"},
 "c5": {"name": "c5", "status": "ACTIVE", "arn": "arn:aws:eks:us-west-2:123456789012:cluster/c5",
        "endpoint": "https://c5.example", "certificateAuthority": {"data": "$CA"}}}}
EOF
eks_fake_start "$T/eks-state.json" || die "cannot start the fake EKS endpoint"
export AWS_ENDPOINT_URL_EKS=$EKS_FAKE_URL
"$EKC" --cluster-name op --kubeconfig "$T/op.yaml" >/dev/null
assert_eq "['--cluster-id', 'a1b2c3d4-e5f6-7890-abcd-ef0123456789', '--region', 'us-west-2']" \
	"$(yq "$T/op.yaml" 'd["users"][0]["user"]["exec"]["args"]')" "Outposts: --cluster-id in the exec args"
"$EKC" --cluster-name op --kubeconfig "$T/op-aws.yaml" --exec-command aws >/dev/null
assert_eq "['--region', 'us-west-2', 'eks', 'get-token', '--cluster-id', 'a1b2c3d4-e5f6-7890-abcd-ef0123456789', '--output', 'json']" \
	"$(yq "$T/op-aws.yaml" 'd["users"][0]["user"]["exec"]["args"]')" "Outposts: the AWS CLI block uses --cluster-id too"
"$EKC" --cluster-name upd --kubeconfig "$T/upd.yaml" >/dev/null 2>"$T/err"
assert_eq 0 $? "UPDATING: written"
assert_contains "$(cat "$T/err")" "UPDATING" "UPDATING: warning on stderr"
"$EKC" --all --kubeconfig "$T/fake-all.yaml" >"$T/stdout" 2>"$T/err"
assert_eq 0 $? "--all over 3 pages: exit 0"
assert_eq "['c3', 'c5', 'op', 'upd']" "$(yq "$T/fake-all.yaml" 'sorted(c["name"].split("/")[-1] for c in d["clusters"])')" \
	"--all: every page followed, the CREATING cluster skipped"
assert_contains "$(cat "$T/err")" "c4 is CREATING" "--all: skipped cluster named in a warning"
assert_eq 3 "$(grep -c 'GET /clusters?' "$T/eks-fake.log")" "--all: three ListClusters pages"
unset AWS_ENDPOINT_URL_EKS

# kubectl reads every kubeconfig this script wrote
n=0
for f in "$CFG" "$T"/*.yaml "$K1" "$K2" "$T/real/config" "$T"/people/*.kubeconfig "$T/out/alone.yaml"; do
	[ "$f" = "$T/users.yaml" ] && continue
	kc_view "$f" || fail "kubectl cannot read $f: $(cat "$T/kubectl.err")"
	n=$((n + 1))
done
[ "$n" -ge 14 ] && ok "kubectl reads all $n files written" || fail "only $n files checked"

finish
