#!/usr/bin/env bash
# Real kubectl (1.27, 1.30 when installed, 1.33) through
# the entries eks-kubeconfig writes for a private endpoint.  The fake API
# server serves a certificate whose ONLY name is the EKS endpoint host, and is
# reached on a loopback address: kubectl must succeed through
# tls-server-name, and fail when the field is missing or names another host.
#
#   --server https://127.0.0.5:PORT          (a "tunnel" end)
#   --private-ip --probe                     (ENIs 127.0.0.4, dead, and 127.0.0.5;
#                                             the probe port moved for the test)
#
# DescribeCluster comes from tests/fakes/eks_fake.py (moto cannot name our
# endpoint or CA); EC2 and STS from moto.
set -u
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/k8s.sh"
test_env
need_moto
. "$TOP/tests/lib/kubeconfig.sh"
command -v kubectl >/dev/null || die "kubectl is required"
command -v openssl >/dev/null || die "openssl is required"
command -v aws >/dev/null || die "the AWS CLI is needed to set up moto"
KDIR=$(dirname "$(readlink -f "$(command -v kubectl)")")
KUBECTLS=()
for v in 27 30 33; do [ -x "$KDIR/kubectl.1.$v" ] && KUBECTLS+=("$KDIR/kubectl.1.$v"); done
[ -x "$KDIR/kubectl.1.27" ] && [ -x "$KDIR/kubectl.1.33" ] || die "kubectl.1.27 and kubectl.1.33 are required next to kubectl"
use_static_creds
export PATH=$BIN:$PATH    # the default exec command is plain `eks-token`
export AWS_REGION=us-west-2 AWS_DEFAULT_REGION=us-west-2

CID=pe$$
EKSHOST=abcdef0123456789abcdef0123456789.gr7.us-west-2.eks.amazonaws.com
OTHER=fedcba9876543210fedcba9876543210.gr7.us-west-2.eks.amazonaws.com
ADDR=127.0.0.5

# -- a CA and a server certificate naming only the endpoint host
C=$T/certs
mkdir -p "$C"
EC=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
(cd "$C" && umask 077 &&
	openssl req -x509 "${EC[@]}" -keyout ca.key -out ca.crt -days 2 -subj /CN=pe-test-ca \
		-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign &&
	printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:%s\n' \
		"$EKSHOST" >server.ext &&
	openssl req -new "${EC[@]}" -keyout server.key -out server.csr -subj /CN=kube-apiserver &&
	openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt \
		-days 2 -extfile server.ext) >"$T/openssl.log" 2>&1 || die "openssl: $(cat "$T/openssl.log")"
sans=$(openssl x509 -in "$C/server.crt" -noout -ext subjectAltName | tail -n +2 | tr -d ' ')
assert_eq "DNS:$EKSHOST" "$sans" "the server certificate names only the endpoint host"
CA_DATA=$(base64 -w0 <"$C/ca.crt")

(umask 077 && printf '%s %s\n' "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" >"$T/sigv4-secrets")
k8s_fake_start --cluster-id "$CID" --sigv4-secrets "$T/sigv4-secrets" --bind "$ADDR" \
	--tls-cert "$C/server.crt" --tls-key "$C/server.key" --tls-ca "$C/ca.crt" ||
	die "cannot start the fake API server"
# the fake really is unreachable by its address alone
if curl -sS --max-time 10 --cacert "$C/ca.crt" "https://$ADDR:$K8S_PORT/version" >/dev/null 2>"$T/curl.err"; then
	fail "the certificate verified for $ADDR: the test would prove nothing"
else
	ok "by address alone the certificate does not verify ($(head -c 80 "$T/curl.err"))"
fi

# -- moto: the VPC and the control-plane ENIs (one dead address, one the fake's)
AWS="aws --endpoint-url $MOTO_URL --output text"
VPC=$($AWS ec2 create-vpc --cidr-block 10.9.0.0/16 --query Vpc.VpcId) || die "create-vpc"
SUB=$($AWS ec2 create-subnet --vpc-id "$VPC" --cidr-block 10.9.1.0/24 --query Subnet.SubnetId) || die "subnet"
for a in 127.0.0.4 "$ADDR"; do
	$AWS ec2 create-network-interface --subnet-id "$SUB" --description "Amazon EKS $CID" \
		--private-ip-address "$a" --query NetworkInterface.NetworkInterfaceId >/dev/null || die "eni $a"
done

cat >"$T/eks-state.json" <<EOF
{"clusters": {"$CID": {"name": "$CID", "status": "ACTIVE",
  "arn": "arn:aws:eks:us-west-2:123456789012:cluster/$CID",
  "endpoint": "https://$EKSHOST", "certificateAuthority": {"data": "$CA_DATA"},
  "resourcesVpcConfig": {"vpcId": "$VPC", "subnetIds": ["$SUB"],
    "endpointPrivateAccess": true, "endpointPublicAccess": false},
  "kubernetesNetworkConfig": {"ipFamily": "ipv4"}}}}
EOF
eks_fake_start "$T/eks-state.json" || die "cannot start the fake EKS endpoint"
export AWS_ENDPOINT_URL_EKS=$EKS_FAKE_URL

works() {  # kubeconfig message
	local k v out
	for k in "${KUBECTLS[@]}"; do
		v=$(basename "$k")
		out=$("$k" --kubeconfig "$1" get --raw /version 2>"$T/kerr")
		if [ $? -eq 0 ] && [[ $out == *gitVersion* ]]; then ok "$v: $2"
		else fail "$v: $2: $(tail -n 2 "$T/kerr")"; fi
	done
}
refused() {  # kubeconfig expected-error message
	local k v
	for k in "$KDIR/kubectl.1.27" "$KDIR/kubectl.1.33"; do
		v=$(basename "$k")
		if "$k" --kubeconfig "$1" get --raw /version >/dev/null 2>"$T/kerr"; then
			fail "$v: $2: kubectl succeeded"
		else
			assert_contains "$(cat "$T/kerr")" "$2" "$v: $3"
		fi
	done
}

# -- --server: a tunnel end on loopback
KC=$T/kc-server
"$EKC" --cluster-name "$CID" --server "https://$ADDR:$K8S_PORT" --output-file "$KC" >/dev/null ||
	die "eks-kubeconfig --server"
assert_eq "$EKSHOST" "$(yq "$KC" "d['clusters'][0]['cluster']['tls-server-name']")" "--server: tls-server-name written"
works "$KC" "--server + tls-server-name: kubectl verifies the real host name and gets through"

# the same entry without the field, or naming another host: refused
grep -v 'tls-server-name' "$KC" >"$T/kc-none"
refused "$T/kc-none" "x509: cannot validate certificate for $ADDR because it doesn't contain any IP SANs" "without tls-server-name the certificate does not match the address"
sed "s/tls-server-name: .*/tls-server-name: $OTHER/" "$KC" >"$T/kc-other"
grep -q "$OTHER" "$T/kc-other" || die "could not rewrite tls-server-name"
refused "$T/kc-other" "x509: certificate is valid for $EKSHOST, not $OTHER" "tls-server-name naming another host is refused"

# -- --private-ip --probe: the dead address is skipped, the fake's is taken
KC=$T/kc-ip
out=$(EKSKIT_TEST_PROBE_PORT=$K8S_PORT "$EKC" --cluster-name "$CID" --private-ip --probe \
	--kubeconfig "$KC") || fail "--private-ip --probe: exit $?"
assert_contains "$out" "using $ADDR" "--private-ip --probe says which address"
assert_eq "https://$ADDR:$K8S_PORT" "$(yq "$KC" "d['clusters'][0]['cluster']['server']")" "--private-ip --probe: server"
works "$KC" "--private-ip --probe: kubectl reaches the private address through tls-server-name"

# -- a plain run restores the public form (kubectl would now need DNS for the host)
"$EKC" --cluster-name "$CID" --kubeconfig "$KC" >/dev/null || fail "plain run"
assert_eq "https://$EKSHOST" "$(yq "$KC" "d['clusters'][0]['cluster']['server']")" "plain run: public server"
assert_eq False "$(yq "$KC" "'tls-server-name' in d['clusters'][0]['cluster']")" "plain run: no tls-server-name"
finish
