#!/usr/bin/env bash
# eks-access entry ...: every verb against the loopback fake of the EKS
# access-entry API (tests/fakes/eks_access_fake.py), which botocore itself is
# first shown to work against.  Covers --dry-run, -o table|json|yaml, the
# API's rules checked before calling, the API's own errors (control
# characters filtered), the reset-on-update trap, pagination, malformed ARNs.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/eks_access.sh"
test_env
use_static_creds
"$PYTHON" -c 'import botocore' 2>/dev/null || skip "botocore is not installed"

ACCT=123456789012
cat >"$T/state.json" <<JSON
{"account": "$ACCT", "page_size": 2,
 "clusters": {"c1": {"authenticationMode": "API_AND_CONFIG_MAP"},
              "bc": {"authenticationMode": "API"},
              "old": {"authenticationMode": "CONFIG_MAP"}},
 "entries": {"c1": [
   {"principalArn": "arn:aws:iam::$ACCT:role/nodes/ng-1", "type": "EC2_LINUX"},
   {"principalArn": "arn:aws:iam::$ACCT:role/admin",
    "policies": [{"policyArn": "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
                  "accessScope": {"type": "cluster"}}]}]}}
JSON
eks_access_fake_start "$T/state.json" || die "the fake did not start"
URL=$EKS_ACCESS_URL

# 1. botocore itself against the fake: every operation, errors, pagination, reset-on-update.
out=$("$PYTHON" "$TOP/tests/oracle/eks_access_botocore.py" "$URL" bc "$ACCT" 2>&1)
assert_eq 0 $? "botocore works against the fake ($out)"

EA="$BIN/eks-access --cluster-name c1 --region us-west-2"
DEV=arn:aws:iam::$ACCT:role/team/dev
state() { eks_access_state; }

# 2. list, three formats (pagination: page_size 2 with 2+ entries)
$EA entry create "$DEV" --kubernetes-group viewers --username 'dev:{{SessionName}}' >"$T/out" 2>&1
assert_eq 0 $? "entry create"
assert_contains "$(cat "$T/out")" "created access entry: $DEV" "create says what it did"
out=$($EA entry list)
assert_eq 0 $? "entry list"
assert_contains "$out" "arn:aws:iam::$ACCT:role/nodes/ng-1" "list shows the node entry (second page)"
assert_contains "$out" "AmazonEKSClusterAdminPolicy(cluster)" "list shows policies with their scope"
assert_contains "$out" "dev:{{SessionName}}" "list shows usernames"
n=$(grep -c '"GET".*access-entries"' "$EKS_ACCESS_LOG" || true)
json=$($EA entry list -o json)
echo "$json" | "$PYTHON" -c '
import json,sys
v=json.load(sys.stdin)
arns=sorted(e["principalArn"] for e in v)
assert len(arns)==3, arns
d=[e for e in v if e["principalArn"].endswith("team/dev")][0]
assert d["kubernetesGroups"]==["viewers"] and d["type"]=="STANDARD", d
' && ok "list -o json" || fail "list -o json: $json"
yaml=$($EA entry list -o yaml)
echo "$yaml" | "$PYTHON" -c '
import sys, yaml
v=yaml.safe_load(sys.stdin)
assert len(v)==3 and all("principalArn" in e for e in v), v
' 2>/dev/null && ok "list -o yaml" || { "$PYTHON" -c 'import yaml' 2>/dev/null && fail "list -o yaml: $yaml"; }
grep -q 'nextToken=' "$EKS_ACCESS_LOG" && ok "list followed nextToken" || fail "no nextToken request"

# 3. describe
out=$($EA entry describe "$DEV" -o json)
assert_contains "$out" '"username": "dev:{{SessionName}}"' "describe -o json"
out=$($EA entry describe "$DEV")
assert_contains "$out" "groups:    viewers" "describe table"

# 4. the reset-on-update trap: update --username only keeps the groups (and vice versa)
: >"$EKS_ACCESS_LOG"
$EA entry update "$DEV" --username 'ops:{{SessionName}}' >/dev/null
assert_eq 0 $? "entry update --username"
body=$(grep '"POST"' "$EKS_ACCESS_LOG" | tail -1)
assert_contains "$body" 'kubernetesGroups' "update sends the groups it was not given"
out=$($EA entry describe "$DEV" -o json)
assert_contains "$out" '"viewers"' "groups kept across a username update"
assert_contains "$out" '"username": "ops:{{SessionName}}"' "username updated"
$EA entry update "$DEV" --kubernetes-group editors --kubernetes-group viewers >/dev/null
out=$($EA entry describe "$DEV" -o json)
assert_contains "$out" '"username": "ops:{{SessionName}}"' "username kept across a groups update"
assert_contains "$out" '"editors"' "groups replaced"
# the fake does reset: a raw update without username (what other tools send) loses it
"$PYTHON" - "$URL" "$DEV" <<'PY' || fail "raw reset check"
import sys, botocore.session
eks = botocore.session.get_session().create_client("eks", region_name="us-west-2",
    endpoint_url=sys.argv[1], aws_access_key_id="a", aws_secret_access_key="b")
u = eks.update_access_entry(clusterName="c1", principalArn=sys.argv[2],
    kubernetesGroups=["x"])["accessEntry"]["username"]
assert not u.startswith("ops:"), u
eks.update_access_entry(clusterName="c1", principalArn=sys.argv[2],
    kubernetesGroups=["editors", "viewers"], username="ops:{{SessionName}}")
PY
out=$($EA entry update "$DEV" 2>&1)
assert_eq 2 $? "update with nothing to change is a usage error"

# 5. dry runs send nothing that writes
: >"$EKS_ACCESS_LOG"
out=$($EA entry create arn:aws:iam::$ACCT:user/alice --kubernetes-group devs --dry-run)
assert_eq 0 $? "create --dry-run"
assert_contains "$out" "would call CreateAccessEntry" "dry run names the call"
assert_contains "$out" '"principalArn":"arn:aws:iam::'$ACCT':user/alice"' "dry run shows the body"
out=$($EA entry update "$DEV" --username 'x:{{SessionName}}' --dry-run)
assert_contains "$out" '"kubernetesGroups":["editors","viewers"]' "update --dry-run shows the full state"
$EA entry delete "$DEV" --dry-run >/dev/null
$EA entry associate "$DEV" --policy AmazonEKSViewPolicy --scope cluster --dry-run >/dev/null
$EA entry disassociate "$DEV" --policy AmazonEKSViewPolicy --dry-run >/dev/null
if grep -q '"POST"\|"DELETE"' "$EKS_ACCESS_LOG"; then fail "a dry run wrote"; else ok "dry runs write nothing"; fi
assert_not_contains "$(state)" "user/alice" "no entry created by --dry-run"

# 6. policies
out=$($EA entry associate "$DEV" --policy AmazonEKSViewPolicy --scope namespace \
	--namespace default --namespace 'dev-*')
assert_eq 0 $? "associate (short name, namespaces)"
assert_contains "$out" "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy" "short name expanded"
out=$($EA entry describe "$DEV")
assert_contains "$out" "AmazonEKSViewPolicy(namespace:default,dev-*)" "scope shown"
out=$($EA entry list -o json)
assert_contains "$out" '"namespaces"' "list -o json carries scopes"
$EA entry disassociate "$DEV" --policy arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy >/dev/null
assert_eq 0 $? "disassociate (full ARN)"
out=$($EA entry disassociate "$DEV" --policy AmazonEKSViewPolicy 2>&1)
assert_eq 1 $? "disassociating twice fails"
assert_contains "$out" "ResourceNotFoundException" "the API's error is shown"

# 7. rules checked before calling (usage errors, nothing sent)
: >"$EKS_ACCESS_LOG"
check_usage() {  # message needle args...
	local msg=$1 needle=$2; shift 2
	out=$($EA "$@" 2>&1); rc=$?
	assert_eq 2 $rc "$msg (exit)"
	assert_contains "$out" "$needle" "$msg (message)"
}
check_usage "reserved username" "reserved" entry create arn:aws:iam::$ACCT:role/x --username system:x
check_usage "SessionName without a colon" "colon" entry create arn:aws:iam::$ACCT:role/x --username 'x-{{SessionName}}'
check_usage "unknown template" "SessionNameRaw" entry create arn:aws:iam::$ACCT:role/x --username 'x:{{AccessKeyID}}'
check_usage "STS session ARN" "role/dev" entry create arn:aws:sts::$ACCT:assumed-role/dev/me
check_usage "service-linked role" "service-linked" entry create \
	arn:aws:iam::$ACCT:role/aws-service-role/eks.amazonaws.com/AWSServiceRoleForAmazonEKS
check_usage "node type with groups" "no --kubernetes-group" entry create \
	arn:aws:iam::$ACCT:role/n2 --type EC2_LINUX --kubernetes-group g
check_usage "node type with a user" "IAM role" entry create arn:aws:iam::$ACCT:user/u --type FARGATE_LINUX
check_usage "bad type" "--type" entry create arn:aws:iam::$ACCT:role/x --type LINUX
check_usage "namespace scope without namespaces" "--namespace" entry associate "$DEV" \
	--policy AmazonEKSViewPolicy --scope namespace
check_usage "bad policy" "--policy" entry associate "$DEV" --policy 'arn:aws:iam::aws:policy/X' --scope cluster
check_usage "malformed ARN" "invalid ARN" entry describe 'arn:aws:iam::12:role/x'
check_usage "not an ARN" "arn:" entry delete 'hello'
check_usage "control characters in an ARN" "?" entry describe "$(printf 'arn:aws:iam::%s:role/a\033[2Jb' $ACCT)"
check_usage "unknown partition" "partition" entry create arn:aws-mars:iam::$ACCT:role/x
out=$("$BIN/eks-access" entry list 2>&1)
assert_eq 2 $? "entry list without --cluster-name"
check_usage "type on update" "--type" entry update "$DEV" --type STANDARD --username a
check_usage "unknown verb" "unknown entry verb" entry frob
check_usage "missing ARN" "one principal ARN" entry describe
if grep -q '"POST"\|"DELETE"' "$EKS_ACCESS_LOG"; then fail "a refused command was sent"; else ok "refused commands send nothing"; fi

# 8. the API's own errors, control characters filtered
out=$($EA entry create "$DEV" 2>&1)
assert_eq 1 $? "create of an existing entry fails"
assert_contains "$out" "ResourceInUseException" "409 ResourceInUseException shown"
out=$($EA entry create arn:aws:iam::210987654321:role/far --type EC2_LINUX 2>&1)
assert_eq 1 $? "cross-account node entry refused by the API"
assert_contains "$out" "same account" "the API's message"
out=$($EA entry create arn:aws:iam::$ACCT:role/x --username evil 2>&1)
assert_eq 1 $? "API refusal"
assert_contains "$out" "InvalidParameterException" "API error code shown"
if printf '%s' "$out" | LC_ALL=C grep -q "$(printf '\033')\|$(printf '\r')"; then
	fail "control characters from the API reached the terminal"
else ok "API message filtered of control characters"; fi
out=$($EA entry describe arn:aws:iam::$ACCT:role/none 2>&1)
assert_eq 1 $? "describe of a missing entry"
assert_contains "$out" "ResourceNotFoundException" "not found shown"
out=$("$BIN/eks-access" --cluster-name old --region us-west-2 entry list 2>&1)
assert_eq 1 $? "a CONFIG_MAP cluster"
assert_contains "$out" "authentication mode" "the API's reason for a CONFIG_MAP cluster"
out=$("$BIN/eks-access" --cluster-name nosuch --region us-west-2 entry list 2>&1)
assert_eq 1 $? "missing cluster"

# 9. node and delete
$EA entry create arn:aws:iam::$ACCT:role/win --type EC2_WINDOWS >/dev/null
assert_eq 0 $? "create EC2_WINDOWS"
out=$($EA entry describe arn:aws:iam::$ACCT:role/win -o yaml)
assert_contains "$out" "EC2_WINDOWS" "describe -o yaml"
: >"$EKS_ACCESS_LOG"
out=$($EA entry associate arn:aws:iam::$ACCT:role/win --policy AmazonEKSViewPolicy --scope cluster 2>&1)
assert_eq 2 $? "a node entry takes no policies"
assert_contains "$out" "node entries take no access policies" "said before calling"
if grep -q '"POST"' "$EKS_ACCESS_LOG"; then fail "associate on a node entry was sent"; else ok "nothing sent"; fi
$EA entry delete "$DEV" >/dev/null
assert_eq 0 $? "entry delete"
assert_not_contains "$(state)" "team/dev" "entry gone"
finish
