#!/usr/bin/env bash
# eks-hosts --check verdicts say precisely when the hosts file is needed:
#  - public + private access, DNS gives the public address: needed (exit 2);
#  - private only, DNS does not answer: a resolver drops private answers or
#    the cluster predates the public records (toggle public access) (exit 2);
#  - private only, DNS gives the private addresses: not needed (exit 0), and
#    an existing block is called unnecessary;
# each failing verdict points to eks-kubeconfig --private-ip for users
# without root.  DescribeCluster from tests/fakes/eks_fake.py (distinct
# endpoint hosts and access flags, which moto cannot give), EC2 from moto,
# the system resolver a loopback fake DNS on port 53 (needs root).
set -u
. "$(dirname "$0")/../lib/common.sh"
test_env
need_moto
use_static_creds
. "$TOP/tests/lib/kubeconfig.sh"
command -v aws >/dev/null || die "the AWS CLI is needed to set up moto"
export AWS_REGION=us-west-2 AWS_DEFAULT_REGION=us-west-2

BOTHH=b0b0b0b0b0b0b0b0.gr7.us-west-2.eks.amazonaws.com
PRIVH=c1c1c1c1c1c1c1c1.gr7.us-west-2.eks.amazonaws.com
DNSH=d2d2d2d2d2d2d2d2.gr7.us-west-2.eks.amazonaws.com

SYS_ADDR=127.$((RANDOM % 200 + 20)).$((RANDOM % 250 + 1)).$((RANDOM % 250 + 1))
"$PYTHON" "$TOP/tests/fakes/fake_dns.py" --addr "$SYS_ADDR" --port 53 \
	--record "$BOTHH=52.1.1.1" --record "$DNSH=10.8.1.30" >"$T/dns.out" 2>&1 &
CLEANUP_PIDS="${CLEANUP_PIDS:-} $!"
for _ in $(seq 100); do grep -q ready "$T/dns.out" 2>/dev/null && break; sleep 0.05; done
grep -q ready "$T/dns.out" || skip "cannot bind $SYS_ADDR:53 for the system resolver (not root?)"
printf 'nameserver %s\n' "$SYS_ADDR" >"$T/resolv.conf"
export EKS_HOSTS_RESOLV_CONF=$T/resolv.conf

AWS="aws --endpoint-url $MOTO_URL --output text"
VPC=$($AWS ec2 create-vpc --cidr-block 10.8.0.0/16 --query Vpc.VpcId) || die "create-vpc"
SUB=$($AWS ec2 create-subnet --vpc-id "$VPC" --cidr-block 10.8.1.0/24 --query Subnet.SubnetId) || die "subnet"
for spec in "both$$ 10.8.1.10" "privonly$$ 10.8.1.20" "privdns$$ 10.8.1.30"; do
	set -- $spec
	$AWS ec2 create-network-interface --subnet-id "$SUB" --description "Amazon EKS $1" \
		--private-ip-address "$2" --query NetworkInterface.NetworkInterfaceId >/dev/null || die "eni $spec"
done
cluster() {  # name host public
	printf '"%s": {"name": "%s", "status": "ACTIVE", "arn": "arn:aws:eks:us-west-2:123456789012:cluster/%s",
	  "endpoint": "https://%s", "certificateAuthority": {"data": "LS0tLS1CRUdJTg=="},
	  "resourcesVpcConfig": {"vpcId": "%s", "subnetIds": ["%s"], "endpointPrivateAccess": true,
	  "endpointPublicAccess": %s}}' "$1" "$1" "$1" "$2" "$VPC" "$SUB" "$3"
}
printf '{"clusters": {%s, %s, %s}}\n' "$(cluster "both$$" "$BOTHH" true)" \
	"$(cluster "privonly$$" "$PRIVH" false)" "$(cluster "privdns$$" "$DNSH" false)" >"$T/eks-state.json"
eks_fake_start "$T/eks-state.json" || die "cannot start the fake EKS endpoint"
export AWS_ENDPOINT_URL_EKS=$EKS_FAKE_URL

H=$T/hosts
printf '127.0.0.1 localhost\n' >"$H"
check() {  # cluster expected-rc message
	LAST=$("$BIN/eks-hosts" --check --cluster-name "$1" --hosts-file "$H" 2>&1)
	assert_eq "$2" "$?" "$3: exit $2"
}

check "both$$" 2 "public+private access, DNS gives the public address"
assert_contains "$LAST" "with both public and private access on, public DNS gives the public addresses" \
	"public+private: says why"
assert_contains "$LAST" "this is what the hosts file is for" "public+private: the hosts file is needed"
assert_contains "$LAST" "without root: eks-kubeconfig --private-ip" "public+private: points to --private-ip"
"$BIN/eks-hosts" --cluster-name "both$$" --hosts-file "$H" || fail "write both"
check "both$$" 0 "public+private access with the block"
assert_contains "$LAST" "through the hosts file, which is needed: DNS here does not give them" \
	"public+private with the block: the block is needed"

check "privonly$$" 2 "private only, DNS does not answer"
assert_contains "$LAST" "public DNS answers a private-only endpoint's name with its private addresses" \
	"private only, no answer: explains what public DNS does"
assert_contains "$LAST" "drops private answers" "private only, no answer: a resolver dropping private answers"
assert_contains "$LAST" "switch its public access on and off once" "private only, no answer: the pre-change cluster fix"
assert_contains "$LAST" "without root: eks-kubeconfig --private-ip" "private only, no answer: points to --private-ip"

check "privdns$$" 0 "private only, DNS gives the private addresses"
assert_contains "$LAST" "DNS gives the cluster's private addresses: no hosts-file block is needed here" \
	"private only via DNS: the block is not needed"
"$BIN/eks-hosts" --cluster-name "privdns$$" --hosts-file "$H" || fail "write privdns"
check "privdns$$" 0 "private only via DNS, with a block"
assert_contains "$LAST" "the block is not needed here (eks-hosts --remove drops it)" \
	"private only via DNS with a block: calls the block unnecessary"
finish
