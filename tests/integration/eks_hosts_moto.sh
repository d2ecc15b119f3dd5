#!/usr/bin/env bash
# eks-hosts against moto on loopback: a VPC with subnets, clusters with and
# without private access, ENIs described "Amazon EKS <name>" plus decoys
# ("Amazon EKS demo-2", the same description in another VPC), an ENI with
# secondary addresses.  The block must hold exactly the right addresses, and
# every hosts-file case must keep the bytes outside the block.
#
# moto quirks this copes with: DescribeCluster omits resourcesVpcConfig.vpcId
# (eks-hosts then finds the VPC through the cluster's subnets, so the decoy in
# the other VPC still does not count), every cluster has the same endpoint
# host, and ENIs report `available` unless attached.
. "$(dirname "$0")/../lib/common.sh"
test_env
need_moto
use_static_creds
command -v aws >/dev/null || die "the AWS CLI is needed to set up moto"
# a region of its own in the shared moto, so that --all sees only these clusters
export AWS_REGION=me-central-1 AWS_DEFAULT_REGION=me-central-1
AWS="aws --endpoint-url $MOTO_URL --output text"
R=$AWS_REGION

same_bytes() {  # file expected-content message
	if printf '%s' "$2" | cmp -s - "$1"; then ok "$3"; else fail "$3: $(printf '%s' "$2" | cmp - "$1" 2>&1)"; fi
}

VPC=$($AWS ec2 create-vpc --cidr-block 10.0.0.0/16 --query Vpc.VpcId) || die "create-vpc"
VPC2=$($AWS ec2 create-vpc --cidr-block 10.1.0.0/16 --query Vpc.VpcId) || die "create-vpc 2"
S1=$($AWS ec2 create-subnet --vpc-id "$VPC" --cidr-block 10.0.1.0/24 --query Subnet.SubnetId)
S2=$($AWS ec2 create-subnet --vpc-id "$VPC" --cidr-block 10.0.2.0/24 --query Subnet.SubnetId)
S3=$($AWS ec2 create-subnet --vpc-id "$VPC2" --cidr-block 10.1.1.0/24 --query Subnet.SubnetId)
[ -n "$S1" ] && [ -n "$S2" ] && [ -n "$S3" ] || die "subnets"
ROLE=arn:aws:iam::123456789012:role/eks
mkcluster() {  # name private subnets
	$AWS eks create-cluster --name "$1" --role-arn $ROLE \
	  --resources-vpc-config "subnetIds=$3,endpointPrivateAccess=$2,endpointPublicAccess=true" \
	  --query cluster.endpoint || die "create-cluster $1"
}
EP=$(mkcluster demo true "$S1,$S2")
mkcluster demo-2 true "$S1" >/dev/null
mkcluster pub false "$S1" >/dev/null
HOST=$(echo "$EP" | sed -e 's|^https://||' -e 's|/.*||' | tr 'A-Z' 'a-z')
mkeni() {  # subnet description primary [secondary...]
	local sub=$1 desc=$2 p=$3 spec; shift 3
	spec="PrivateIpAddress=$p,Primary=true"
	for s in "$@"; do spec="$spec PrivateIpAddress=$s,Primary=false"; done
	# shellcheck disable=SC2086
	$AWS ec2 create-network-interface --subnet-id "$sub" --description "$desc" \
	  --private-ip-addresses $spec --query NetworkInterface.NetworkInterfaceId >/dev/null || die "eni $desc"
}
mkeni "$S1" "Amazon EKS demo" 10.0.1.10 10.0.1.11 10.0.1.12
mkeni "$S2" "Amazon EKS demo" 10.0.2.20
mkeni "$S1" "Amazon EKS demo-2" 10.0.1.30
mkeni "$S3" "Amazon EKS demo" 10.1.1.40
mkeni "$S1" "Amazon EKS dem" 10.0.1.50
mkeni "$S1" "Amazon EKS pub" 10.0.1.60

BLOCK="# BEGIN eks-hosts $R/demo
10.0.1.10 $HOST
10.0.1.11 $HOST
10.0.1.12 $HOST
10.0.2.20 $HOST
# END eks-hosts $R/demo"
H=$T/hosts

# -- plain file: block appended, exact addresses
ORIG=$'127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost\n'
printf '%s' "$ORIG" >"$H"
"$BIN/eks-hosts" --cluster-name demo --hosts-file "$H" || fail "demo run: exit $?"
same_bytes "$H" "$ORIG$BLOCK"$'\n' "block holds exactly the cluster's addresses (secondaries in, decoys out)"
same_bytes "$H.eks-hosts.bak" "$ORIG" "backup holds the previous file"

# -- idempotent: a second run writes nothing (same inode, same mtime)
before=$(stat -c '%i %y' "$H")
sleep 0.05
"$BIN/eks-hosts" --name demo --hosts-file "$H" || fail "second run"
assert_eq "$before" "$(stat -c '%i %y' "$H")" "second run: no write at all"

# -- --dry-run with no change: no output; --remove --dry-run: a diff, file unchanged
out=$("$BIN/eks-hosts" --dry-run --cluster-name demo --hosts-file "$H")
assert_eq "" "$out" "--dry-run without a change prints nothing"
out=$("$BIN/eks-hosts" --remove --dry-run --cluster-name demo --hosts-file "$H")
assert_contains "$out" "-# BEGIN eks-hosts $R/demo" "--remove --dry-run shows the removal as a diff"
assert_eq "$before" "$(stat -c '%i %y' "$H")" "--dry-run changes nothing"

# -- --remove restores the original bytes
"$BIN/eks-hosts" --remove --cluster-name demo --hosts-file "$H" || fail "remove"
same_bytes "$H" "$ORIG" "--remove restores the original bytes"

# -- CRLF, no trailing newline, tabs, comments, other tools' and clusters' blocks, stale block
ORIG=$'# managed by hand\r\n127.0.0.1\tlocalhost\r\n# BEGIN other-tool\r\n10.5.5.5 a.example\r\n# END other-tool\r\n'
ORIG+=$'# BEGIN eks-hosts '"$R"$'/other\r\n10.6.6.6 '"$HOST"$'\r\n# END eks-hosts '"$R"$'/other\r\n'
STALE=$'# BEGIN eks-hosts '"$R"$'/demo\r\n10.0.9.9 '"$HOST"$'\r\n# END eks-hosts '"$R"$'/demo\r\n'
TAIL=$'10.7.7.7\tafter.example # trailing comment'
printf '%s' "$ORIG$STALE$TAIL" >"$H"
out=$("$BIN/eks-hosts" --dry-run --cluster-name demo --hosts-file "$H")
assert_contains "$out" "-10.0.9.9 $HOST" "--dry-run diff drops the stale address"
assert_contains "$out" "+10.0.1.10 $HOST" "--dry-run diff adds the new address"
assert_contains "$out" "@@ " "--dry-run prints a unified diff hunk"
"$BIN/eks-hosts" --cluster-name demo --hosts-file "$H" || fail "stale refresh"
CRLF_BLOCK=$(printf '%s\n' "$BLOCK" | sed 's/$/\r/')
same_bytes "$H" "$ORIG$CRLF_BLOCK"$'\n'"$TAIL" "stale block replaced in place; CRLF, tabs, comments, other blocks, missing final newline kept"
"$BIN/eks-hosts" --remove --cluster-name demo --hosts-file "$H" || fail "remove crlf"
same_bytes "$H" "$ORIG$TAIL" "--remove leaves every other byte as it was"

# -- no final newline, no block: insert and remove round trip
ORIG=$'127.0.0.1 localhost\n10.3.3.3 last-line-without-newline'
printf '%s' "$ORIG" >"$H"
"$BIN/eks-hosts" --cluster-name demo --hosts-file "$H" || fail "no-newline insert"
same_bytes "$H" "$ORIG"$'\n'"$BLOCK" "block added after the last line; still no final newline"
"$BIN/eks-hosts" --remove --cluster-name demo --hosts-file "$H" || fail "no-newline remove"
same_bytes "$H" "$ORIG" "round trip gives the original bytes"

# -- private access off: clear error, nothing written
before=$(stat -c '%i %y' "$H")
out=$("$BIN/eks-hosts" --cluster-name pub --hosts-file "$H" 2>&1); rc=$?
assert_eq 1 "$rc" "private access off: exit 1"
assert_contains "$out" "private endpoint access turned off" "private access off: says so"
assert_eq "$before" "$(stat -c '%i %y' "$H")" "private access off: file untouched"

# -- unknown cluster
out=$("$BIN/eks-hosts" --cluster-name nope --hosts-file "$H" 2>&1); rc=$?
assert_eq 1 "$rc" "unknown cluster: exit 1"

# -- --all: every cluster with private access (demo, demo-2), not pub
printf '%s' "$ORIG" >"$H"
"$BIN/eks-hosts" --all --hosts-file "$H" || fail "--all: exit $?"
c=$(cat "$H")
assert_contains "$c" "$BLOCK" "--all: demo block"
assert_contains "$c" "# BEGIN eks-hosts $R/demo-2
10.0.1.30 $HOST
# END eks-hosts $R/demo-2" "--all: demo-2 block"
assert_not_contains "$c" "$R/pub" "--all: no block for the public-only cluster"
"$BIN/eks-hosts" --all --remove --hosts-file "$H" || fail "--all --remove"
same_bytes "$H" "$ORIG" "--all --remove removes every block of the region"

# -- --check: right block 0, stale block 1, nothing 2 (system DNS is off limits in tests)
printf '%s' "$ORIG" >"$H"
out=$("$BIN/eks-hosts" --check --cluster-name demo --hosts-file "$H"); rc=$?
assert_eq 2 "$rc" "--check without a block: exit 2 (not resolvable) [$out]"
"$BIN/eks-hosts" --cluster-name demo --hosts-file "$H" || fail "write for check"
out=$("$BIN/eks-hosts" --check --cluster-name demo --hosts-file "$H"); rc=$?
assert_eq 0 "$rc" "--check with the right block: exit 0"
assert_contains "$out" "OK" "--check verdict OK"
sed -i 's/^10\.0\.2\.20 /10.0.2.21 /' "$H"
out=$("$BIN/eks-hosts" --check --cluster-name demo --hosts-file "$H"); rc=$?
assert_eq 1 "$rc" "--check with a stale block: exit 1"
assert_contains "$out" "stale" "--check says stale"
finish
