#!/usr/bin/env bash
# eks-kubeconfig --all over many regions and profiles (issue 12):
#   - moto: clusters in three regions land with the right region; profiles
#     from a temp AWS config each use their own region and record themselves;
#   - the EKS fake (per-region state from the SigV4 scope, proven with
#     botocore first): a region not enabled is skipped with a note, a
#     failing region is reported while the rest is written (exit 1), every
#     profile signs with its own keys;
#   - --assume-role-arn goes through STS AssumeRole on moto (EKS sees the
#     assumed ASIA key) while the token's role stays --role-arn;
#   - kubectl reads every file written.
set -u
. "$(dirname "$0")/../lib/common.sh"
test_env
need_moto
. "$TOP/tests/lib/kubeconfig.sh"
command -v kubectl >/dev/null || die "kubectl is required"
python3 -c 'import yaml, boto3' || die "python3 yaml and boto3 are required"
use_static_creds

P=kcm$$
R1=us-west-2 R2=eu-west-1 R3=ap-southeast-2

# --- many regions against moto --------------------------------------------
for r in $R1 $R2 $R3; do
	AWS_REGION=$r moto_clusters "$P-$r" || die "cannot create a cluster in moto ($r)"
done
F=$T/regions.yaml
"$EKC" --all --regions "$R1,$R2,$R3" --kubeconfig "$F" >"$T/out" 2>"$T/err"
assert_eq 0 $? "--regions r1,r2,r3: exit 0"
"$PYTHON" - "$F" "$P" "$R1" "$R2" "$R3" <<'EOF' && ok "one entry per region, each with its own region" || fail "regions wrong"
import sys, yaml
d = yaml.safe_load(open(sys.argv[1])); p = sys.argv[2]
users = {u["name"]: u["user"]["exec"] for u in d["users"]}
for r in sys.argv[3:]:
    arn = [c["name"] for c in d["clusters"] if c["name"].endswith("/%s-%s" % (p, r))]
    assert len(arn) == 1, (r, arn)
    assert (":eks:%s:" % r) in arn[0], arn
    a = users[arn[0]]["args"]
    assert a[a.index("--region") + 1] == r, a
    assert a[a.index("--cluster-name") + 1] == "%s-%s" % (p, r), a
EOF
assert_kubectl_reads "$F" "kubectl reads the many-regions file"

# --- several profiles in a temp AWS config (moto) ---------------------------
cat >>"$AWS_CONFIG_FILE" <<EOF
[profile west]
region = $R1
[profile europe]
region = $R2
EOF
cat >>"$AWS_SHARED_CREDENTIALS_FILE" <<'EOF'
[west]
aws_access_key_id = AKIDWESTEXAMPLE00001
aws_secret_access_key = westsecret
[europe]
aws_access_key_id = AKIDEUROPEEXAMPLE001
aws_secret_access_key = europesecret
EOF
F=$T/profiles.yaml
"$EKC" --all --profiles west,europe --kubeconfig "$F" >"$T/out" 2>"$T/err"
assert_eq 0 $? "--profiles west,europe: exit 0"
"$PYTHON" - "$F" "$P" "$R1" "$R2" <<'EOF' && ok "each profile scans its own region and is recorded" || fail "profiles wrong"
import sys, yaml
d = yaml.safe_load(open(sys.argv[1])); p = sys.argv[2]
want = {sys.argv[3]: "west", sys.argv[4]: "europe"}
for u in d["users"]:
    if p not in u["name"]:
        continue
    ex = u["user"]["exec"]
    region = ex["args"][ex["args"].index("--region") + 1]
    env = {e["name"]: e["value"] for e in ex.get("env") or []}
    assert env.get("AWS_PROFILE") == want[region], (region, env)
    del want[region]
assert not want, want
EOF

# --- the EKS fake: botocore first, then regions not enabled and failures ---
CA=$(printf 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t%.0s' 1 2 3)
"$PYTHON" - "$T/fake.json" "$CA" <<'EOF'
import json, sys
path, ca = sys.argv[1], sys.argv[2]
def cl(n, r):
    return {"name": n, "status": "ACTIVE", "arn": "arn:aws:eks:%s:123456789012:cluster/%s" % (r, n),
            "endpoint": "https://%s.example" % n, "certificateAuthority": {"data": ca}}
json.dump({"regions": {"us-east-1": {"clusters": {"east": cl("east", "us-east-1")}},
                       "us-west-2": {"clusters": {"west": cl("west", "us-west-2")}}},
           "disabled_regions": ["af-south-1", "ap-east-1"]}, open(path, "w"))
EOF
eks_fake_start "$T/fake.json" || die "cannot start the EKS fake"
"$PYTHON" - "$EKS_FAKE_URL" <<'EOF' && ok "botocore works against the per-region fake" || fail "botocore against the fake"
import sys, boto3, botocore.exceptions
def eks(r):
    return boto3.client("eks", endpoint_url=sys.argv[1], region_name=r,
                        aws_access_key_id="AKIDEXAMPLETESTKEY01", aws_secret_access_key="x")
assert eks("us-east-1").list_clusters()["clusters"] == ["east"]
assert eks("us-west-2").describe_cluster(name="west")["cluster"]["arn"].endswith("/west")
assert eks("eu-west-2").list_clusters()["clusters"] == []
try:
    eks("af-south-1").list_clusters()
    sys.exit(1)
except botocore.exceptions.ClientError as e:
    assert e.response["Error"]["Code"] == "UnrecognizedClientException", e.response
EOF
export AWS_ENDPOINT_URL_EKS=$EKS_FAKE_URL
F=$T/all-regions.yaml
"$EKC" --all --all-regions --kubeconfig "$F" >"$T/out" 2>"$T/err"
assert_eq 0 $? "--all-regions with regions not enabled: exit 0"
assert_contains "$(cat "$T/err")" "skipped regions not enabled for its account: af-south-1, ap-east-1" \
	"regions not enabled: one note naming them"
assert_eq "['east', 'west']" "$(yq "$F" 'sorted(c["name"].split("/")[-1] for c in d["clusters"])')" \
	"--all-regions: the clusters of every enabled region"
n=$(grep -c 'GET /clusters?' "$T/eks-fake.log")
want=$("$EKC" --list-regions | "$PYTHON" -c 'import sys; print(sum(1 for r in sys.stdin if not r.startswith(("cn-", "us-gov-", "us-iso"))))')
assert_eq "$want" "$n" "--all-regions: one ListClusters per region of the aws partition"
assert_kubectl_reads "$F" "kubectl reads the --all-regions file"

# a region that fails: reported, the rest written, exit 1
"$PYTHON" - "$T/fake.json" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1])); s["error_regions"] = {"us-east-1": [403, "AccessDeniedException"]}
json.dump(s, open(sys.argv[1], "w"))
EOF
F=$T/partial.yaml
"$EKC" --all --regions us-east-1,us-west-2 --kubeconfig "$F" >"$T/out" 2>"$T/err"
assert_eq 1 $? "a failing region: exit 1"
assert_contains "$(cat "$T/err")" "region us-east-1" "the failing region is named"
assert_contains "$(cat "$T/err")" "AccessDeniedException" "with the AWS error code"
assert_eq "['west']" "$(yq "$F" '[c["name"].split("/")[-1] for c in d["clusters"]]')" \
	"the other region is still written"
# --prune never touches a region that failed: its entries may well be alive
"$PYTHON" - "$F" <<'EOF'
import sys, yaml
d = yaml.safe_load(open(sys.argv[1]))
d["users"].append({"name": "east-user", "user": {"exec": {"apiVersion": "client.authentication.k8s.io/v1beta1",
    "command": "eks-token", "args": ["--cluster-name", "east", "--region", "us-east-1"]}}})
d["contexts"].append({"name": "east-ctx", "context": {"cluster": "east-cluster", "user": "east-user"}})
d["clusters"].append({"name": "east-cluster", "cluster": {"server": "https://east.example"}})
yaml.safe_dump(d, open(sys.argv[1], "w"))
EOF
"$EKC" --all --prune --regions us-east-1,us-west-2 --kubeconfig "$F" >"$T/out" 2>"$T/err"
assert_eq 1 $? "--prune with a failing region: exit 1"
assert_eq "True" "$(yq "$F" '"east-ctx" in [c["name"] for c in d["contexts"]]')" \
	"--prune keeps the entries of the region that failed"
"$PYTHON" - "$T/fake.json" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1])); s.pop("error_regions")
json.dump(s, open(sys.argv[1], "w"))
EOF

# one region of one profile: a lone failing cluster is the error (said once);
# two are both named, and the others are written
"$PYTHON" - "$T/fake.json" bad1 <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
for n in sys.argv[2:]:
    s["regions"]["us-west-2"]["clusters"][n] = "garbage"
json.dump(s, open(sys.argv[1], "w"))
EOF
"$EKC" --all --regions us-west-2 --kubeconfig "$T/bad1.yaml" >/dev/null 2>"$T/err"
assert_eq 1 $? "one cluster failing: exit 1"
assert_eq 1 "$(grep -c 'describing cluster bad1' "$T/err")" "one cluster failing: said once"
assert_eq "['west']" "$(yq "$T/bad1.yaml" '[c["name"].split("/")[-1] for c in d["clusters"]]')" \
	"one cluster failing: the others are written"
"$PYTHON" - "$T/fake.json" bad2 <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
s["regions"]["us-west-2"]["clusters"][sys.argv[2]] = "garbage"
json.dump(s, open(sys.argv[1], "w"))
EOF
"$EKC" --all --regions us-west-2 --kubeconfig "$T/bad2.yaml" >/dev/null 2>"$T/err"
assert_eq 1 $? "two clusters failing: exit 1"
assert_contains "$(cat "$T/err")" "describing cluster bad1" "two clusters failing: the first named"
assert_contains "$(cat "$T/err")" "describing cluster bad2" "two clusters failing: the second named"
assert_contains "$(cat "$T/err")" "2 profiles, regions or clusters failed" "and counted"
"$PYTHON" - "$T/fake.json" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
for n in ("bad1", "bad2"):
    s["regions"]["us-west-2"]["clusters"].pop(n)
json.dump(s, open(sys.argv[1], "w"))
EOF

# every profile signs with its own keys; a cluster two profiles see is written once
: >"$T/eks-fake.log"
F=$T/fake-profiles.yaml
"$EKC" --all --profiles west,europe --regions us-east-1 --kubeconfig "$F" >"$T/out" 2>"$T/err"
assert_eq 0 $? "--profiles with --regions: exit 0"
assert_eq 1 "$(grep -c 'region=us-east-1 key=AKIDWESTEXAMPLE00001' "$T/eks-fake.log" | xargs test 0 -lt && echo 1)" \
	"profile west signs with its own key"
assert_eq 1 "$(grep -c 'region=us-east-1 key=AKIDEUROPEEXAMPLE001' "$T/eks-fake.log" | xargs test 0 -lt && echo 1)" \
	"profile europe signs with its own key"
assert_eq "1 west" "$(yq "$F" '"%d %s" % (len(d["users"]), d["users"][0]["user"]["exec"]["env"][0]["value"])')" \
	"the same cluster seen by two profiles: one entry, for the first profile"

# --- --assume-role-arn: STS AssumeRole on moto, EKS on the fake ------------
export AWS_ENDPOINT_URL_STS=$MOTO_URL
: >"$T/eks-fake.log"
F=$T/assumed.yaml
DESCRIBE_ROLE=arn:aws:iam::123456789012:role/describer
TOKEN_ROLE=arn:aws:iam::123456789012:role/token-signer
"$EKC" --cluster-name west --region us-west-2 --assume-role-arn "$DESCRIBE_ROLE" \
	--role-arn "$TOKEN_ROLE" --kubeconfig "$F" >"$T/out" 2>"$T/err"
assert_eq 0 $? "--assume-role-arn: exit 0"
key=$(sed -n 's/.*key=\([A-Z0-9]*\).*/\1/p' "$T/eks-fake.log" | head -1)
case $key in ASIA*) ok "DescribeCluster signed with the assumed role's key ($key)" ;;
	*) fail "DescribeCluster signed with [$key], not an assumed-role key" ;; esac
assert_not_contains "$key" "AKIDEXAMPLETESTKEY01" "not with the caller's own key"
args=$(yq "$F" 'd["users"][0]["user"]["exec"]["args"]')
assert_contains "$args" "$TOKEN_ROLE" "the token role stays --role-arn"
assert_not_contains "$args" "describer" "the describe role is not written"
: >"$T/eks-fake.log"
"$EKC" --all --regions us-west-2,us-east-1 --assume-role-arn "$DESCRIBE_ROLE" --kubeconfig "$T/assumed-all.yaml" \
	>/dev/null 2>"$T/err"
assert_eq 0 $? "--all with --assume-role-arn: exit 0"
assert_eq 0 "$(grep -c 'key=AKID' "$T/eks-fake.log")" "--all: every EKS call with the assumed role"
assert_rc 2 "--assume-role-arn must be a role ARN" "$EKC" --all --assume-role-arn nope --kubeconfig "$T/x.yaml"
unset AWS_ENDPOINT_URL_STS AWS_ENDPOINT_URL_EKS

# --- flag combinations -----------------------------------------------------
assert_rc 2 "--regions without --all" "$EKC" --cluster-name x --regions us-east-1 --kubeconfig "$T/x.yaml"
assert_rc 2 "--region with --regions" "$EKC" --all --region us-east-1 --regions us-east-1 --kubeconfig "$T/x.yaml"
assert_rc 2 "--profile with --profiles" "$EKC" --all --profile west --profiles west --kubeconfig "$T/x.yaml"
assert_rc 2 "an empty item in --regions" "$EKC" --all --regions us-east-1,,us-west-2 --kubeconfig "$T/x.yaml"
assert_rc 2 "a bad region in --regions" "$EKC" --all --regions 'us-east-1,Not A Region' --kubeconfig "$T/x.yaml"
[ -e "$T/x.yaml" ] && fail "a usage error wrote a file" || ok "usage errors write nothing"

finish
