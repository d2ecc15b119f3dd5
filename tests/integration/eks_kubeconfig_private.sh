#!/usr/bin/env bash
# eks-kubeconfig --server / --private-ip / --probe against moto (EKS + EC2)
# and the crafted fake (in-use preference): the cluster entry gets the chosen
# `server` plus `tls-server-name` = the real endpoint host, with every flag
# it combines with; a later plain run restores the public form; refusals
# (bad URL, --all, no private access, no interface, nothing answers) write
# nothing.
#
# moto quirks: DescribeCluster has no vpcId (the VPC comes from the
# cluster's subnets, as in eks-hosts), and every ENI is `available`.
set -u
. "$(dirname "$0")/../lib/common.sh"
test_env
need_moto
use_static_creds
. "$TOP/tests/lib/kubeconfig.sh"
command -v aws >/dev/null || die "the AWS CLI is needed to set up moto"
# a region of its own in the shared moto, so that --all sees only these clusters
export AWS_REGION=eu-south-2 AWS_DEFAULT_REGION=eu-south-2
R=$AWS_REGION
AWS="aws --endpoint-url $MOTO_URL --output text"

VPC=$($AWS ec2 create-vpc --cidr-block 10.5.0.0/16 --query Vpc.VpcId) || die "create-vpc"
VPC2=$($AWS ec2 create-vpc --cidr-block 10.4.0.0/16 --query Vpc.VpcId) || die "create-vpc 2"
S1=$($AWS ec2 create-subnet --vpc-id "$VPC" --cidr-block 10.5.1.0/24 \
	--ipv6-cidr-block 2600:1f14:5:1::/64 --query Subnet.SubnetId) || die "subnet 1"
S2=$($AWS ec2 create-subnet --vpc-id "$VPC" --cidr-block 10.5.2.0/24 --query Subnet.SubnetId) || die "subnet 2"
S3=$($AWS ec2 create-subnet --vpc-id "$VPC2" --cidr-block 10.4.1.0/24 --query Subnet.SubnetId) || die "subnet 3"
mkcluster() {  # name private-access subnets [ip-family]
	$AWS eks create-cluster --name "$1" --role-arn arn:aws:iam::123456789012:role/eks \
		--resources-vpc-config "subnetIds=$3,endpointPrivateAccess=$2,endpointPublicAccess=true" \
		${4:+--kubernetes-network-config ipFamily=$4} --query cluster.endpoint || die "create-cluster $1"
}
mkeni() {  # subnet description primary [secondary...] [-6 ipv6]
	local sub=$1 desc=$2 spec="PrivateIpAddress=$3,Primary=true" six=() s
	shift 3
	for s in "$@"; do
		case $s in -6) six=(--ipv6-addresses) ;;
		*:*) six+=("Ipv6Address=$s") ;;
		*) spec="$spec PrivateIpAddress=$s,Primary=false" ;;
		esac
	done
	# shellcheck disable=SC2086
	$AWS ec2 create-network-interface --subnet-id "$sub" --description "$desc" \
		--private-ip-addresses $spec "${six[@]}" --query NetworkInterface.NetworkInterfaceId \
		>/dev/null || die "eni $desc"
}
host_of() { echo "$1" | sed -e 's|^https://||' -e 's|/.*||' | tr 'A-Z' 'a-z'; }

EP=$(mkcluster priv true "$S1,$S2")
HOST=$(host_of "$EP")
mkcluster pubonly false "$S1" >/dev/null
EP6=$(mkcluster six true "$S1" ipv6)
HOST6=$(host_of "$EP6")
mkcluster noeni true "$S1" >/dev/null
mkeni "$S1" "Amazon EKS priv" 10.5.1.10 10.5.1.11
mkeni "$S2" "Amazon EKS priv" 10.5.2.20
mkeni "$S3" "Amazon EKS priv" 10.4.1.5        # same description, other VPC: a decoy
mkeni "$S1" "Amazon EKS pri" 10.5.1.5         # a prefix of the name: a decoy
mkeni "$S1" "Amazon EKS pubonly" 10.5.1.60
mkeni "$S1" "Amazon EKS six" 10.5.1.30 -6 2600:1f14:5:1::30

KC=$T/kubeconfig
field() {  # file cluster-name key: a field of that cluster entry ("None" when absent)
	yq "$1" "[c['cluster'].get('$3') for c in d['clusters'] if c['name'].endswith('/$2') or c['name'] == '$2'][0]"
}

# -- --private-ip --dry-run: both fields shown, nothing written
out=$("$EKC" --cluster-name priv --private-ip --kubeconfig "$KC" --dry-run); rc=$?
assert_eq 0 "$rc" "--private-ip --dry-run: exit 0"
assert_contains "$out" "server: https://10.5.1.10" "--dry-run shows the private server (first address, decoys out)"
assert_contains "${out//\"/}" "tls-server-name: $HOST" "--dry-run shows tls-server-name = the endpoint host"
assert_contains "$out" "using 10.5.1.10, the first of its 3 private addresses" "--dry-run says which address"
[ -e "$KC" ] && fail "--dry-run wrote $KC" || ok "--dry-run wrote nothing"

# -- --private-ip writes it
"$EKC" --cluster-name priv --private-ip --kubeconfig "$KC" >"$T/out" || fail "--private-ip: exit $?"
assert_eq "https://10.5.1.10" "$(field "$KC" priv server)" "--private-ip: server is the first private address"
assert_eq "$HOST" "$(field "$KC" priv tls-server-name)" "--private-ip: tls-server-name is the endpoint host"
[ "$(field "$KC" priv certificate-authority-data)" != None ] && ok "--private-ip: CA data as usual" ||
	fail "--private-ip: no CA data"

# -- a later plain run restores the public form
out=$("$EKC" --cluster-name priv --kubeconfig "$KC" --dry-run)
assert_contains "$out" "server: $EP" "plain --dry-run shows the public server"
assert_not_contains "$out" "tls-server-name" "plain --dry-run has no tls-server-name"
"$EKC" --cluster-name priv --kubeconfig "$KC" >/dev/null || fail "plain run"
assert_eq "$EP" "$(field "$KC" priv server)" "plain run: public endpoint back"
assert_eq None "$(field "$KC" priv tls-server-name)" "plain run: tls-server-name removed"

# -- --server with --alias
"$EKC" --cluster-name priv --server https://127.0.0.1:8443 --alias tunnel --kubeconfig "$KC" >/dev/null ||
	fail "--server --alias"
assert_eq "https://127.0.0.1:8443" "$(field "$KC" priv server)" "--server: server written as given"
assert_eq "$HOST" "$(field "$KC" priv tls-server-name)" "--server: tls-server-name is the endpoint host"
assert_eq tunnel "$(yq "$KC" "d['current-context']")" "--server --alias: context named by --alias"
# IPv6 tunnel end and a path
"$EKC" --cluster-name priv --server 'https://[::1]:6443/k8s' --kubeconfig "$KC" >/dev/null ||
	fail "--server with an IPv6 host and a path"
assert_eq "https://[::1]:6443/k8s" "$(field "$KC" priv server)" "--server: IPv6 literal and path kept"

# -- --server with --output-file
"$EKC" --cluster-name priv --server https://127.0.0.1:9443 --output-file "$T/alone" >/dev/null ||
	fail "--server --output-file"
assert_eq "https://127.0.0.1:9443" "$(field "$T/alone" priv server)" "--output-file: server"
assert_eq "$HOST" "$(field "$T/alone" priv tls-server-name)" "--output-file: tls-server-name"
assert_eq 600 "$(stat -c %a "$T/alone")" "--output-file: mode 0600"

# -- --server with --users: every per-user file
cat >"$T/users.yaml" <<'EOF'
- name: alice
  role-arn: arn:aws:iam::123456789012:role/alice
- name: bob
  role-arn: arn:aws:iam::123456789012:role/bob
EOF
"$EKC" --cluster-name priv --server https://127.0.0.1:7443 --users "$T/users.yaml" \
	--output-dir "$T/per-user" >/dev/null || fail "--server --users"
for u in alice bob; do
	assert_eq "https://127.0.0.1:7443" "$(field "$T/per-user/$u.kubeconfig" priv server)" "--users: $u server"
	assert_eq "$HOST" "$(field "$T/per-user/$u.kubeconfig" priv tls-server-name)" "--users: $u tls-server-name"
done
"$EKC" --cluster-name priv --private-ip --users "$T/users.yaml" --output-dir "$T/per-user-ip" >/dev/null ||
	fail "--private-ip --users"
assert_eq "https://10.5.1.10" "$(field "$T/per-user-ip/bob.kubeconfig" priv server)" "--private-ip --users"

# -- IPv6 cluster: its IPv6 address first, in brackets
out=$("$EKC" --cluster-name six --private-ip --kubeconfig "$KC" --dry-run)
assert_contains "$out" "server: https://[2600:1f14:5:1::30]" "IPv6 cluster: the IPv6 address, in brackets"
assert_contains "${out//\"/}" "tls-server-name: $HOST6" "IPv6 cluster: tls-server-name"

# -- usage refusals: exit 2, kubeconfig untouched
before=$(sha "$KC")
usage() {  # message args...
	local msg=$1 out rc
	shift
	out=$("$EKC" "$@" 2>&1); rc=$?
	assert_eq 2 "$rc" "$msg: usage error"
}
usage "--server with --all" --all --server https://127.0.0.1:8443 --kubeconfig "$KC"
usage "--server http://" --cluster-name priv --server http://127.0.0.1:8443 --kubeconfig "$KC"
usage "--server without a host" --cluster-name priv --server https:// --kubeconfig "$KC"
usage "--server with user info" --cluster-name priv --server https://me@127.0.0.1 --kubeconfig "$KC"
usage "--server with a query" --cluster-name priv --server 'https://127.0.0.1/?x=1' --kubeconfig "$KC"
usage "--server with a fragment" --cluster-name priv --server 'https://127.0.0.1/#x' --kubeconfig "$KC"
usage "--server with a space" --cluster-name priv --server 'https://127.0.0.1/a b' --kubeconfig "$KC"
usage "--server not a URL" --cluster-name priv --server 127.0.0.1:8443 --kubeconfig "$KC"
usage "--server and --private-ip" --cluster-name priv --server https://127.0.0.1 --private-ip --kubeconfig "$KC"
usage "--probe without --private-ip" --cluster-name priv --probe --kubeconfig "$KC"
usage "--server empty" --cluster-name priv --server '' --kubeconfig "$KC"

# -- runtime refusals: exit 1, nothing written
refused() {  # message expected-fragment args...
	local msg=$1 want=$2 out rc
	shift 2
	out=$("$EKC" "$@" --kubeconfig "$KC" 2>&1); rc=$?
	assert_eq 1 "$rc" "$msg: exit 1"
	assert_contains "$out" "$want" "$msg: says why"
}
refused "no private access" "private endpoint access turned off" --cluster-name pubonly --private-ip
refused "no interface" "no network interface described \"Amazon EKS noeni\"" --cluster-name noeni --private-ip
# every probe refused (the loopback guard of the tests: 10.5.x is not probed)
refused "--probe, nothing answers" "none of the 3 private addresses of cluster priv accepts TCP" \
	--cluster-name priv --private-ip --probe
assert_eq "$before" "$(sha "$KC")" "refusals left the kubeconfig as it was"

# -- --probe: the first address that accepts TCP (loopback ENIs, port moved for the test)
mkcluster probe true "$S1" >/dev/null
mkeni "$S1" "Amazon EKS probe" 127.0.0.4
mkeni "$S1" "Amazon EKS probe" 127.0.0.6
PP=$(free_port)
"$PYTHON" -c 'import socket,sys,time; s=socket.socket(); s.bind(("127.0.0.6", int(sys.argv[1]))); s.listen(8); print("up", flush=True); time.sleep(600)' "$PP" >"$T/listener.out" &
CLEANUP_PIDS="${CLEANUP_PIDS:-} $!"
for _ in $(seq 100); do grep -q up "$T/listener.out" && break; sleep 0.1; done
export EKSKIT_TEST_PROBE_PORT=$PP EKSKIT_TEST_PROBE_TIMEOUT_MS=3000
out=$("$EKC" --cluster-name probe --private-ip --kubeconfig "$KC" --dry-run)
assert_contains "$out" "server: https://127.0.0.4:$PP" "without --probe: the first address"
out=$("$EKC" --cluster-name probe --private-ip --probe --kubeconfig "$KC"); rc=$?
assert_eq 0 "$rc" "--probe: exit 0"
assert_contains "$out" "probe 127.0.0.4 port $PP: failed" "--probe reports the address that did not answer"
assert_contains "$out" "probe 127.0.0.6 port $PP: connected" "--probe reports the one that did"
assert_contains "$out" "using 127.0.0.6, the first of its 2 private addresses that accepts TCP" "--probe says which it took"
assert_eq "https://127.0.0.6:$PP" "$(field "$KC" probe server)" "--probe: the answering address written"
# the override is for loopback tests only
out=$(EKSKIT_TEST_LOOPBACK_ONLY=0 "$EKC" --cluster-name probe --private-ip --kubeconfig "$KC" --dry-run 2>&1)
assert_contains "$out" "server: https://127.0.0.4"$'\n' "the probe port override needs EKSKIT_TEST_LOOPBACK_ONLY=1"
unset EKSKIT_TEST_PROBE_PORT EKSKIT_TEST_PROBE_TIMEOUT_MS

# -- --all --private-ip: every cluster with private access; the others are skipped
"$EKC" --all --private-ip --kubeconfig "$T/all" >"$T/out" 2>"$T/err" || fail "--all --private-ip: exit $?"
assert_contains "$(cat "$T/err")" "skipping cluster pubonly has private endpoint access turned off" "--all: public-only cluster skipped"
assert_eq "https://10.5.1.10" "$(field "$T/all" priv server)" "--all --private-ip: priv"
assert_eq "https://[2600:1f14:5:1::30]" "$(field "$T/all" six server)" "--all --private-ip: six"
assert_eq "$HOST6" "$(field "$T/all" six tls-server-name)" "--all --private-ip: six tls-server-name"
assert_eq 0 "$(yq "$T/all" "len([c for c in d['clusters'] if 'pubonly' in c['name']])")" "--all: no pubonly entry"

# -- in-use interfaces first (moto marks all available: the crafted fake plays EC2)
PORT=$(free_port)
"$PYTHON" "$TOP/tests/fakes/fake_eks_ec2.py" --port "$PORT" >"$T/fake.out" 2>"$T/fake.err" &
CLEANUP_PIDS="${CLEANUP_PIDS:-} $!"
wait_port "$PORT" 20 || die "fake EKS/EC2 did not start: $(cat "$T/fake.err")"
# botocore first: the fake answers what the AWS CLI sends
n=$(AWS_DEFAULT_REGION=us-west-2 aws --endpoint-url "http://127.0.0.1:$PORT" --output text ec2 \
	describe-network-interfaces --filters "Name=description,Values=Amazon EKS rotating" \
	--query 'length(NetworkInterfaces)')
assert_eq 2 "$n" "botocore reads the fake's DescribeNetworkInterfaces"
out=$(AWS_ENDPOINT_URL="http://127.0.0.1:$PORT" AWS_REGION=us-west-2 \
	"$EKC" --cluster-name rotating --private-ip --kubeconfig "$KC" --dry-run) || fail "rotating: exit $?"
assert_contains "$out" "server: https://10.0.2.9" "the in-use interface wins over one being rotated away"
out=$(AWS_ENDPOINT_URL="http://127.0.0.1:$PORT" AWS_REGION=us-west-2 \
	"$EKC" --cluster-name v6 --private-ip --kubeconfig "$KC" --dry-run) || fail "v6: exit $?"
assert_contains "$out" "server: https://[2600:1f14:abc::10]" "fake IPv6 cluster: IPv6 address in brackets"
assert_contains "${out//\"/}" "tls-server-name: 0123456789abcdef.us-west-2.api.aws" "fake IPv6 cluster: dual-stack host"
finish
