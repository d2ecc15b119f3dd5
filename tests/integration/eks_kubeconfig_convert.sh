#!/usr/bin/env bash
# eks-kubeconfig convert: the seed's v1alpha1 aws-iam-authenticator entry,
# files written by the installed AWS CLI (against moto; with --role-arn,
# --profile, --alias), eksctl-style entries; --dry-run writes nothing and
# prints a diff; unrecognised entries stay byte-identical; --context picks
# users; the round trip convert / convert --to aws gives back the AWS CLI's
# bytes; and real kubectl (1.27, 1.33) signs in to the fake API server with
# the converted file.
set -u
. "$(dirname "$0")/../lib/common.sh"
test_env
need_moto
. "$TOP/tests/lib/k8s.sh"
. "$TOP/tests/lib/kubeconfig.sh"
aws_cli_prepare
command -v aws >/dev/null || die "the AWS CLI is required"
command -v kubectl >/dev/null || die "kubectl is required"
python3 -c 'import yaml' || die "python3 yaml is required"
use_static_creds

# the parsed file, with the exec blocks of the named users removed: what must not change
rest() {  # file user...
	"$PYTHON" - "$@" <<-'EOF'
	import sys, yaml, json
	d = yaml.safe_load(open(sys.argv[1]))
	for u in d.get("users") or []:
	    if u["name"] in sys.argv[2:]:
	        u["user"].pop("exec", None)
	print(json.dumps(d, sort_keys=True))
	EOF
}
exec_of() {  # file user -> json of its exec block
	"$PYTHON" - "$1" "$2" <<-'EOF'
	import sys, yaml, json
	d = yaml.safe_load(open(sys.argv[1]))
	print(json.dumps([u for u in d["users"] if u["name"] == sys.argv[2]][0]["user"]["exec"], sort_keys=True))
	EOF
}
# the text of one user entry as it stands in the file (for byte-identity)
entry_text() {  # file user
	awk -v u="- name: $2" '$0 == u {p = 1; print; next} p && /^- / {p = 0} p && /^[a-z]/ {p = 0} p' "$1"
}

# ---- the seed's form: v1alpha1, aws-iam-authenticator token -i NAME, no region ----
SEED=$T/seed.yaml
cat >"$SEED" <<'EOF'
apiVersion: v1
clusters:
- cluster:
    server: https://ABCDEF0123456789ABCDEF.gr7.eu-west-1.eks.amazonaws.com
    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==
  name: kubernetes
- cluster:
    server: https://0123.yl4.cn-north-1.eks.amazonaws.com.cn
  name: china
- cluster:
    server: https://kind.example:6443
  name: kind
contexts:
- context:
    cluster: kubernetes
    user: aws
  name: aws
- context:
    cluster: china
    user: cn
  name: cn
- context:
    cluster: kind
    user: noregion
  name: kind
current-context: aws
kind: Config
preferences: {}
users:
- name: aws
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1alpha1
      command: aws-iam-authenticator
      args:
      - token
      - -i
      - demo
      - -r
      - arn:aws:iam::123456789012:role/admin
      - -e
      - ext-1
      - -s
      - alice
      - --cache
- name: cn
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1alpha1
      command: /usr/local/bin/aws-iam-authenticator
      args: [token, --cluster-id=china-demo, --forward-session-name, -r, "arn:aws-cn:iam::123456789012:role/x"]
- name: noregion
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: aws-iam-authenticator
      args: [token, -i, kind]
- name: gke
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: gke-gcloud-auth-plugin
      installHint: Install gke-gcloud-auth-plugin for use with kubectl
      provideClusterInfo: true
- name: odd-aws
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: aws
      args: [--region, us-east-1, eks, get-token, --cluster-name, x, --debug]
- name: static
  user: {token: not-a-real-token}
EOF
chmod 600 "$SEED"
F=$T/kc.yaml
cp "$SEED" "$F"
before=$(sha "$F")
out=$("$EKC" convert --kubeconfig "$F" --dry-run 2>"$T/err")
assert_eq 0 $? "dry run: exit 0"
assert_eq "$before" "$(sha "$F")" "dry run: the file is not touched"
[ ! -e "$F.lock" ] && ok "dry run: no lock file left" || fail "dry run left $F.lock"
assert_contains "$out" "--- $F" "dry run: a unified diff (--- header)"
assert_contains "$out" "-      apiVersion: client.authentication.k8s.io/v1alpha1" "dry run: the diff removes v1alpha1"
assert_contains "$out" "+      command: eks-token" "dry run: the diff adds eks-token"
assert_contains "$out" "(dry run: nothing written)" "dry run: says nothing was written"
# the diff applies: patch(1) turns the file into what convert writes
cp "$SEED" "$T/patched"
printf '%s\n' "$out" | sed -n '/^--- /,$p' | grep -v '^[a-z/].*: [0-9]* users\? converted' |
	sed "s#^--- .*#--- a#; s#^+++ .*#+++ b#" >"$T/diff"
patch -s "$T/patched" <"$T/diff" 2>"$T/perr" && ok "dry run: the diff applies with patch" ||
	fail "dry run diff does not apply: $(cat "$T/perr")"

# another user's credentials between two converted users never reach the terminal
cat >"$T/secret.yaml" <<'EOF'
apiVersion: v1
kind: Config
users:
- name: one
  user:
    exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: aws, args: [--region, us-east-1, eks, get-token, --cluster-name, one]}
- name: admin
  user:
    token: SECRET-TOKEN-VALUE
    client-key-data: SECRET-KEY-DATA
- name: flow
  user: {token: SECRET-FLOW-TOKEN}
- name: two
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: aws
      args: [--region, us-east-1, eks, get-token, --cluster-name, two]
      env:
      - {name: AWS_SECRET_ACCESS_KEY, value: SECRET-ENV-VALUE}
EOF
out=$("$EKC" convert --kubeconfig "$T/secret.yaml" --dry-run)
assert_contains "$out" "+      command: eks-token" "dry run with credentials around: the diff is there"
assert_not_contains "$out" "SECRET-" "dry run: no token, key or secret env value in the diff"
assert_contains "$out" "token: [redacted]" "dry run: credentials shown as [redacted]"

out=$("$EKC" convert --kubeconfig "$F" 2>"$T/err")
assert_eq 0 $? "convert: exit 0"
cmp -s "$T/patched" "$F" && ok "the written file is what the dry-run diff showed" || fail "dry-run diff and result differ"
assert_eq 600 "$(stat -c %a "$F")" "the file keeps its mode"
assert_contains "$out" 'converted user "aws": aws-iam-authenticator token -> eks-token (cluster demo, region eu-west-1, role arn:aws:iam::123456789012:role/admin, external id, session alice)' "report: seed user converted, region from the endpoint"
assert_contains "$out" 'converted user "cn": aws-iam-authenticator token -> eks-token (cluster china-demo, region cn-north-1' "report: China partition endpoint"
assert_contains "$out" 'left user "noregion" alone: no region' "report: no region, kept"
assert_contains "$out" 'left user "gke" alone: its exec block runs gke-gcloud-auth-plugin' "report: foreign plugin kept"
assert_contains "$out" 'left user "odd-aws" alone: its exec block unknown argument "--debug"' "report: unknown aws argument kept"
assert_contains "$out" 'left user "static" alone: no exec block' "report: token user kept"
assert_contains "$out" "$F: 2 users converted" "report: summary"
assert_eq '{"apiVersion": "client.authentication.k8s.io/v1beta1", "args": ["--cluster-name", "demo", "--region", "eu-west-1", "--role-arn", "arn:aws:iam::123456789012:role/admin", "--session-name", "alice", "--external-id", "ext-1"], "command": "eks-token", "installHint": "eks-token (part of ekskit) signs in to Amazon EKS for this kubeconfig.\nInstall ekskit (make && sudo make install, or its deb, rpm or Homebrew\npackage) so that eks-token is on kubectl'"'"'s PATH, or go back to the AWS\nCLI with: eks-kubeconfig convert --to aws\n"}' \
	"$(exec_of "$F" aws)" "seed user: eks-token, v1beta1, same cluster/role/external id/session, --cache dropped"
assert_eq '["--cluster-name", "china-demo", "--region", "cn-north-1", "--role-arn", "arn:aws-cn:iam::123456789012:role/x", "--forward-session-name"]' \
	"$(exec_of "$F" cn | "$PYTHON" -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["args"]))')" "--cluster-id= and --forward-session-name carried over"
assert_eq "$(rest "$SEED" aws cn)" "$(rest "$F" aws cn)" "everything but the two exec blocks is unchanged"
for u in noregion gke odd-aws; do
	assert_eq "$(entry_text "$SEED" "$u")" "$(entry_text "$F" "$u")" "user $u: byte-identical"
done
assert_kubectl_reads "$F" "kubectl reads the converted file"
# the converted eks-token args are what eks-token itself accepts
"$BIN/eks-token" $(exec_of "$F" aws | "$PYTHON" -c 'import json,sys; print(" ".join(json.load(sys.stdin)["args"]))') --help >/dev/null &&
	ok "eks-token accepts the converted arguments" || fail "eks-token refuses the converted arguments"

# again: nothing to do, the file is not rewritten
touch -d '2001-01-01' "$F"
out=$("$EKC" convert --kubeconfig "$F")
assert_contains "$out" 'left user "aws" alone: already runs eks-token' "second run: already converted"
assert_contains "$out" "0 users converted, file unchanged" "second run: file unchanged"
assert_eq 2001 "$(date -r "$F" +%Y)" "second run: not rewritten"

# ---- --context picks users; an unknown context is an error and writes nothing ----
cp "$SEED" "$F"
out=$("$EKC" convert --kubeconfig "$F" --context cn)
assert_contains "$out" 'converted user "cn"' "--context cn: its user converted"
assert_not_contains "$out" '"aws"' "--context cn: other users not even looked at"
assert_eq "$(exec_of "$SEED" aws)" "$(exec_of "$F" aws)" "--context cn: user aws untouched"
before=$(sha "$F")
"$EKC" convert --kubeconfig "$F" --context aws --context nosuch >/dev/null 2>"$T/err"
assert_eq 1 $? "unknown --context: exit 1"
assert_contains "$(cat "$T/err")" 'no context named "nosuch"' "unknown --context: named"
assert_eq "$before" "$(sha "$F")" "unknown --context: nothing written"

# ---- eksctl-style entries (aws eks get-token with env, and aws-iam-authenticator with AWS_DEFAULT_REGION) ----
cat >"$T/eksctl.yaml" <<'EOF'
apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: LS0tLS1CRUdJTg==
    server: https://E1.gr7.us-west-2.eks.amazonaws.com
  name: prod.us-west-2.eksctl.io
contexts:
- context:
    cluster: prod.us-west-2.eksctl.io
    user: admin@prod.us-west-2.eksctl.io
  name: admin@prod.us-west-2.eksctl.io
- context:
    cluster: prod.us-west-2.eksctl.io
    user: old@prod.us-west-2.eksctl.io
  name: old@prod.us-west-2.eksctl.io
current-context: admin@prod.us-west-2.eksctl.io
kind: Config
preferences: {}
users:
- name: admin@prod.us-west-2.eksctl.io
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      args:
      - eks
      - get-token
      - --output
      - json
      - --cluster-name
      - prod
      - --region
      - us-west-2
      command: aws
      env:
      - name: AWS_STS_REGIONAL_ENDPOINTS
        value: regional
      - name: AWS_PROFILE
        value: ops
      interactiveMode: IfAvailable
      provideClusterInfo: false
- name: old@prod.us-west-2.eksctl.io
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1alpha1
      args:
      - token
      - -i
      - prod
      command: aws-iam-authenticator
      env:
      - name: AWS_STS_REGIONAL_ENDPOINTS
        value: regional
      - name: AWS_DEFAULT_REGION
        value: ap-south-1
EOF
out=$("$EKC" convert --kubeconfig "$T/eksctl.yaml")
assert_contains "$out" 'converted user "admin@prod.us-west-2.eksctl.io": aws eks get-token -> eks-token (cluster prod, region us-west-2, profile ops)' "eksctl aws form converted (profile from env)"
assert_contains "$out" 'converted user "old@prod.us-west-2.eksctl.io": aws-iam-authenticator token -> eks-token (cluster prod, region ap-south-1)' "eksctl authenticator form: region from AWS_DEFAULT_REGION in env"
got=$("$PYTHON" -c '
import sys, yaml
d = yaml.safe_load(open(sys.argv[1]))
e = d["users"][0]["user"]["exec"]
print(list(e), e["env"], e["interactiveMode"], e["provideClusterInfo"])' "$T/eksctl.yaml")
assert_eq "['apiVersion', 'args', 'command', 'env', 'interactiveMode', 'provideClusterInfo', 'installHint'] [{'name': 'AWS_STS_REGIONAL_ENDPOINTS', 'value': 'regional'}, {'name': 'AWS_PROFILE', 'value': 'ops'}] IfAvailable False" \
	"$got" "eksctl: env, interactiveMode, provideClusterInfo kept in place"

# ---- files written by the AWS CLI, and the round trip back ----
P=cv$$
moto_clusters "$P" || die "cannot create the cluster in moto"
cat >>"$AWS_CONFIG_FILE" <<'EOF'
[profile dev]
region = us-west-2
cli_follow_urlparam = false
EOF
printf '[dev]\naws_access_key_id = AKIDEXAMPLEDEV00001\naws_secret_access_key = devsecret\n' \
	>>"$AWS_SHARED_CREDENTIALS_FILE"
A=$T/aws.yaml
awscli() { aws --endpoint-url "$MOTO_URL" eks update-kubeconfig --kubeconfig "$A" --name "$P" "$@" >/dev/null 2>>"$T/aerr"; }
awscli || fail "aws eks update-kubeconfig: $(cat "$T/aerr")"
awscli --role-arn arn:aws:iam::123456789012:role/admin --alias with-role --user-alias role-user
awscli --profile dev --alias with-profile --user-alias profile-user
cp "$A" "$T/aws.orig"
out=$("$EKC" convert --kubeconfig "$A")
assert_contains "$out" "3 users converted" "AWS CLI file: 3 users converted"
ARN=arn:aws:eks:us-west-2:123456789012:cluster/$P
assert_eq "[\"--cluster-name\", \"$P\", \"--region\", \"us-west-2\"]" \
	"$(exec_of "$A" "$ARN" | "$PYTHON" -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["args"]))')" "AWS CLI plain entry"
assert_eq "[\"--cluster-name\", \"$P\", \"--region\", \"us-west-2\", \"--role-arn\", \"arn:aws:iam::123456789012:role/admin\"]" \
	"$(exec_of "$A" role-user | "$PYTHON" -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["args"]))')" "AWS CLI --role-arn entry: --role becomes --role-arn"
assert_eq '[{"name": "AWS_PROFILE", "value": "dev"}]' \
	"$(exec_of "$A" profile-user | "$PYTHON" -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["env"]))')" "AWS CLI --profile entry: AWS_PROFILE kept"
"$EKC" convert --kubeconfig "$A" --to aws >"$T/out" || fail "convert --to aws"
cmp -s "$T/aws.orig" "$A" && ok "round trip: convert --to aws gives back the AWS CLI's file byte for byte" ||
	fail "round trip differs: $(diff "$T/aws.orig" "$A" | head -20)"
# what eks-kubeconfig wrote (eks-token) converts to what the AWS CLI writes too
B=$T/ours.yaml
"$EKC" --kubeconfig "$B" --name "$P" --role-arn arn:aws:iam::123456789012:role/admin --alias with-role --user-alias role-user >/dev/null
cp "$A" "$T/aws2"; aws --endpoint-url "$MOTO_URL" eks update-kubeconfig --kubeconfig "$T/aws3" --name "$P" \
	--role-arn arn:aws:iam::123456789012:role/admin --alias with-role --user-alias role-user >/dev/null
"$EKC" convert --kubeconfig "$B" --to aws >/dev/null
cmp -s "$T/aws3" "$B" && ok "eks-kubeconfig's own entry --to aws: byte-identical to the AWS CLI's" ||
	fail "ours --to aws differs: $(diff "$T/aws3" "$B" | head)"
# --to aws cannot express an external id: left alone, said why
cp "$T/patched" "$T/ext.yaml"
out=$("$EKC" convert --kubeconfig "$T/ext.yaml" --to aws)
assert_contains "$out" 'left user "aws" alone: aws eks get-token has no external id or role session name' "--to aws: external id kept on eks-token"

# ---- --exec-absolute and --exec-command ----
cp "$SEED" "$F"
"$EKC" convert --kubeconfig "$F" --exec-absolute >/dev/null || fail "--exec-absolute"
assert_eq "\"$BIN/eks-token\"" "$(exec_of "$F" aws | "$PYTHON" -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["command"]))')" "--exec-absolute: eks-token beside eks-kubeconfig"
"$EKC" convert --kubeconfig "$F" --exec-command eks-token >/dev/null
"$EKC" convert --kubeconfig "$F" --exec-command relative/eks-token >/dev/null 2>"$T/err"
assert_eq 2 $? "--exec-command relative/path: usage error"
"$EKC" convert --kubeconfig "$F" --exec-command /etc/passwd >/dev/null 2>"$T/err"
assert_eq 2 $? "--exec-command non-executable: usage error"

# ---- a corrupt file, a held lock: errors, file untouched ----
printf 'users: [\n' >"$T/bad.yaml"
before=$(sha "$T/bad.yaml")
"$EKC" convert --kubeconfig "$T/bad.yaml" >/dev/null 2>"$T/err"
assert_eq 1 $? "corrupt kubeconfig: exit 1"
assert_eq "$before" "$(sha "$T/bad.yaml")" "corrupt kubeconfig: untouched"
cp "$SEED" "$F"; before=$(sha "$F"); : >"$F.lock"
exec 9>"$F.lock"; flock 9
"$EKC" convert --kubeconfig "$F" >/dev/null 2>"$T/err"
assert_eq 1 $? "lock held: exit 1"
assert_eq "$before" "$(sha "$F")" "lock held: untouched"
exec 9>&-; rm -f "$F.lock"

# ---- real kubectl against the fake API server with a converted file ----
KDIR=$(dirname "$(readlink -f "$(command -v kubectl)")")
KOLD=$KDIR/kubectl.1.27 KNEW=$KDIR/kubectl.1.33
[ -x "$KOLD" ] && [ -x "$KNEW" ] || die "kubectl.1.27 and kubectl.1.33 are required next to kubectl"
CID=cv$$
(umask 077 && printf '%s %s\n' "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" >"$T/sigv4-secrets")
k8s_fake_start --cluster-id "$CID" --sigv4-secrets "$T/sigv4-secrets" || die "cannot start the fake API server"
K=$T/kubectl.yaml
(umask 077 && cat >"$K") <<EOF
apiVersion: v1
kind: Config
clusters:
- name: fake
  cluster:
    server: $K8S_URL
    certificate-authority-data: $K8S_CA_DATA
contexts:
- name: fake
  context: {cluster: fake, user: old}
current-context: fake
users:
- name: old
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1alpha1
      command: aws-iam-authenticator
      args: ["token", "-i", "$CID"]
      env:
      - {name: AWS_DEFAULT_REGION, value: us-west-2}
EOF
"$EKC" convert --kubeconfig "$K" >/dev/null || fail "convert for kubectl"
for k in "$KOLD" "$KNEW"; do
	v=$(basename "$k")
	out=$(PATH=$BIN:$PATH "$k" --kubeconfig "$K" get --raw /version 2>"$T/kerr")
	if [ $? -eq 0 ] && [[ $out == *gitVersion* ]]; then
		ok "$v: the converted entry signs in to the fake API server"
	else
		fail "$v with the converted file: $(tail -n 3 "$T/kerr")"
	fi
done
# without eks-token on PATH kubectl shows the installHint
out=$(PATH=/usr/bin:/bin "$KNEW" --kubeconfig "$K" get --raw /version 2>&1)
assert_contains "$out" "eks-token (part of ekskit)" "kubectl prints the installHint when eks-token is missing"

finish
