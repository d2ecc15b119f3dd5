#!/usr/bin/env bash
# eks-kubeconfig --prune and safe naming (issue 12), against moto:
#   - --prune removes only ekskit's entries (eks-token exec blocks) for
#     clusters gone from the scanned region and profile; entries of the AWS
#     CLI, by hand, of other tools, of other regions and profiles stay; a
#     cluster entry another context uses stays; a dangling current-context
#     is fixed; --dry-run writes nothing;
#   - the --alias trap: two aliases give two users; reusing a user other
#     contexts use with a different exec block is refused naming them;
#     --force overrides;
#   - --profile-arg / --no-profile, and eks-token runs the block written.
set -u
. "$(dirname "$0")/../lib/common.sh"
test_env
need_moto
. "$TOP/tests/lib/kubeconfig.sh"
command -v kubectl >/dev/null || die "kubectl is required"
python3 -c 'import yaml, boto3' || die "python3 yaml and boto3 are required"
use_static_creds
export AWS_REGION=us-west-2

P=kcp$$
moto_clusters "$P-live1" "$P-live2" || die "cannot create clusters in moto"
# moto's region holds clusters of other tests too: prune what is ours only
ARN=arn:aws:eks:us-west-2:123456789012:cluster

F=$T/prune.yaml
cat >"$F" <<EOF
apiVersion: v1
kind: Config
preferences: {}
current-context: old
clusters:
- name: $ARN/$P-gone
  cluster: {server: "https://gone.example", certificate-authority-data: QUJD}
- name: $ARN/$P-gone-aws
  cluster: {server: "https://gone-aws.example"}
- name: hand-cluster
  cluster: {server: "https://hand.example"}
- name: shared-cluster
  cluster: {server: "https://shared.example"}
- name: gke
  cluster: {server: "https://gke.example"}
- name: abs-cluster
  cluster: {server: "https://abs.example"}
users:
- name: old
  user:
    exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: eks-token,
           args: [--cluster-name, $P-gone, --region, us-west-2]}
- name: old2
  user:
    exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: eks-token,
           args: [--cluster-name, $P-gone2, --region, us-west-2]}
- name: abs
  user:
    exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: /opt/ekskit/bin/eks-token,
           args: [--cluster-name, $P-gone3, --region, us-west-2]}
- name: aws-cli
  user:
    exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: aws,
           args: [--region, us-west-2, eks, get-token, --cluster-name, $P-gone-aws, --output, json]}
- name: hand
  user: {token: hand-written-token}
- name: gke
  user:
    exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: gke-gcloud-auth-plugin}
- name: other-region
  user:
    exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: eks-token,
           args: [--cluster-name, $P-gone, --region, eu-central-1]}
- name: other-profile
  user:
    exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: eks-token,
           args: [--cluster-name, $P-gone, --region, us-west-2],
           env: [{name: AWS_PROFILE, value: somebody-else}]}
contexts:
- name: old
  context: {cluster: $ARN/$P-gone, user: old}
- name: old2
  context: {cluster: shared-cluster, user: old2}
- name: abs
  context: {cluster: abs-cluster, user: abs}
- name: aws-cli
  context: {cluster: $ARN/$P-gone-aws, user: aws-cli}
- name: hand
  context: {cluster: hand-cluster, user: hand}
- name: foreign2
  context: {cluster: shared-cluster, user: hand}
- name: gke
  context: {cluster: gke, user: gke}
- name: other-region
  context: {cluster: $ARN/$P-gone, user: other-region}
- name: other-profile
  context: {cluster: $ARN/$P-gone, user: other-profile}
EOF
chmod 600 "$F"
before=$(sha "$F")

"$EKC" --all --prune --dry-run --kubeconfig "$F" >"$T/out" 2>"$T/err"
assert_eq 0 $? "--prune --dry-run: exit 0"
assert_contains "$(cat "$T/out")" "dry run: would remove context old from" "--dry-run names what it would remove"
assert_eq "$before" "$(sha "$F")" "--prune --dry-run writes nothing"

"$EKC" --all --prune --kubeconfig "$F" >"$T/out" 2>"$T/err"
assert_eq 0 $? "--prune: exit 0"
for c in old old2 abs; do
	assert_contains "$(cat "$T/out")" "Removed context $c from" "reported: context $c removed"
done
"$PYTHON" - "$F" "$P" "$ARN" <<'EOF' && ok "only stale ekskit entries removed" || fail "prune removed the wrong entries"
import sys, yaml
d = yaml.safe_load(open(sys.argv[1])); p, arn = sys.argv[2], sys.argv[3]
names = lambda k: {e["name"] for e in d[k]}
gone = {"old", "old2", "abs"}
kept = {"aws-cli", "hand", "foreign2", "gke", "other-region", "other-profile"}
assert not (names("contexts") & gone), names("contexts")
assert kept <= names("contexts"), names("contexts")
assert not (names("users") & gone), names("users")
assert {"aws-cli", "hand", "gke", "other-region", "other-profile"} <= names("users")
# the cluster of the stale context stays while other contexts use it
assert "shared-cluster" in names("clusters") and "abs-cluster" not in names("clusters")
assert arn + "/" + p + "-gone" in names("clusters")          # other-region/-profile use it
assert {arn + "/" + p + "-gone-aws", "hand-cluster", "gke"} <= names("clusters")
for n in ("live1", "live2"):
    assert "%s/%s-%s" % (arn, p, n) in names("contexts"), n
# current-context named a removed context: set to a new entry, never dangling
assert d["current-context"] in names("contexts"), d["current-context"]
EOF
assert_kubectl_reads "$F" "kubectl reads the pruned file"
after=$(sha "$F")
"$EKC" --all --prune --kubeconfig "$F" >"$T/out" 2>&1
assert_not_contains "$(cat "$T/out")" "Removed" "a second --prune removes nothing"

# scanning one more region prunes the stale entry there too
"$EKC" --all --prune --regions us-west-2,eu-central-1 --kubeconfig "$F" >"$T/out" 2>&1
assert_contains "$(cat "$T/out")" "Removed context other-region" "eu-central-1 scanned: its stale entry goes"

# --keep-current-context still never leaves current-context dangling
G=$T/dangling.yaml
"$PYTHON" - "$G" "$P" <<'EOF'
import sys, yaml
p = sys.argv[2]
yaml.safe_dump({"apiVersion": "v1", "kind": "Config", "current-context": "stale",
    "clusters": [{"name": "c", "cluster": {"server": "https://c"}}],
    "users": [{"name": "u", "user": {"exec": {"apiVersion": "client.authentication.k8s.io/v1beta1",
        "command": "eks-token", "args": ["--cluster-name", p + "-nope", "--region", "us-west-2"]}}}],
    "contexts": [{"name": "stale", "context": {"cluster": "c", "user": "u"}}]}, open(sys.argv[1], "w"))
EOF
chmod 600 "$G"
"$EKC" --all --prune --keep-current-context --kubeconfig "$G" >/dev/null 2>&1
assert_eq "" "$(yq "$G" 'd.get("current-context") or ""')" "--keep-current-context: a pruned current-context is cleared"
assert_kubectl_reads "$G" "kubectl reads it"

# --- the --alias trap -------------------------------------------------------
N=$T/naming.yaml
RA=arn:aws:iam::123456789012:role/admin
RB=arn:aws:iam::123456789012:role/dev
"$EKC" --cluster-name "$P-live1" --alias demo-admin --role-arn "$RA" --kubeconfig "$N" >/dev/null 2>&1
"$EKC" --cluster-name "$P-live1" --alias demo-dev --role-arn "$RB" --kubeconfig "$N" >/dev/null 2>&1
"$PYTHON" - "$N" "$RA" "$RB" <<'EOF' && ok "two aliases, two users, each with its role" || fail "the alias trap is back"
import sys, yaml
d = yaml.safe_load(open(sys.argv[1]))
ctx = {c["name"]: c["context"]["user"] for c in d["contexts"]}
assert ctx == {"demo-admin": "demo-admin", "demo-dev": "demo-dev"}, ctx
role = {u["name"]: u["user"]["exec"]["args"][-1] for u in d["users"]}
assert role == {"demo-admin": sys.argv[2], "demo-dev": sys.argv[3]}, role
EOF
before=$(sha "$N")
"$EKC" --cluster-name "$P-live1" --alias demo-x --user-alias demo-admin --role-arn "$RB" \
	--kubeconfig "$N" >"$T/out" 2>"$T/err"
assert_eq 1 $? "reusing a user other contexts use, with another exec block: exit 1"
assert_contains "$(cat "$T/err")" "user entry demo-admin is used by context demo-admin" "the refusal names the context"
assert_contains "$(cat "$T/err")" "--force" "and the way out"
assert_eq "$before" "$(sha "$N")" "refused: the file is untouched"
"$EKC" --cluster-name "$P-live1" --alias demo-x --user-alias demo-admin --role-arn "$RA" \
	--kubeconfig "$N" >/dev/null 2>&1
assert_eq 0 $? "the same exec block: a shared user is fine"
"$EKC" --cluster-name "$P-live1" --alias demo-dev --role-arn "$RA" --kubeconfig "$N" >/dev/null 2>&1
assert_eq 0 $? "a user only its own context uses may change"
"$EKC" --cluster-name "$P-live1" --alias demo-x --user-alias demo-admin --role-arn "$RB" --force \
	--kubeconfig "$N" >/dev/null 2>&1
assert_eq 0 $? "--force overrides"
assert_eq "$RB" "$(yq "$N" '[u for u in d["users"] if u["name"] == "demo-admin"][0]["user"]["exec"]["args"][-1]')" \
	"--force: the user now has the new role"
assert_kubectl_reads "$N" "kubectl reads the naming file"

# --- --profile-arg / --no-profile ------------------------------------------
printf '[profile dev]\nregion = us-west-2\n' >>"$AWS_CONFIG_FILE"
printf '[dev]\naws_access_key_id = AKIDEXAMPLEDEV00001\naws_secret_access_key = devsecret\n' >>"$AWS_SHARED_CREDENTIALS_FILE"
A=$T/profile-arg.yaml
"$EKC" --cluster-name "$P-live1" --profile dev --profile-arg --kubeconfig "$A" >/dev/null 2>&1
assert_eq "['--cluster-name', '$P-live1', '--region', 'us-west-2', '--profile', 'dev']" \
	"$(yq "$A" 'd["users"][0]["user"]["exec"]["args"]')" "--profile-arg: --profile in the args"
assert_eq None "$(yq "$A" 'd["users"][0]["user"]["exec"].get("env")')" "--profile-arg: no AWS_PROFILE in env"
# eks-token runs exactly that block, and the profile beats keys in the environment
args=$(yq "$A" '" ".join(d["users"][0]["user"]["exec"]["args"])')
# shellcheck disable=SC2086
out=$("$BIN/eks-token" $args -v 2>&1)
assert_contains "$out" "k8s-aws-v1." "eks-token accepts the written --profile block"
assert_contains "$out" "profile:dev" "and signs with the profile's keys, not the environment's"
assert_kubectl_reads "$A" "kubectl reads the --profile-arg file"
B=$T/no-profile.yaml
AWS_PROFILE=dev "$EKC" --cluster-name "$P-live1" --no-profile --kubeconfig "$B" >/dev/null 2>&1
assert_eq "None ['--cluster-name', '$P-live1', '--region', 'us-west-2']" \
	"$(yq "$B" '"%s %s" % (d["users"][0]["user"]["exec"].get("env"), d["users"][0]["user"]["exec"]["args"])')" \
	"--no-profile: no profile recorded although AWS_PROFILE is set"
assert_rc 2 "--no-profile with --profile-arg" "$EKC" --cluster-name x --no-profile --profile-arg --kubeconfig "$T/x.yaml"

finish
