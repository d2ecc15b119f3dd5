#!/usr/bin/env bash
# `make demo`: the whole ekskit story on this machine, without an AWS account.
#
# moto stands in for AWS and a fake Kubernetes API server stands in for the
# EKS control plane, both on 127.0.0.1 only; everything lives in one temporary
# directory that is removed at the end.  Each step prints what it runs and
# what came back; the first failing step stops the demo with a non-zero exit.
#
# Adding a step: write a function demo_<thing> that runs commands through
# `run` (shows the command, then runs it), and add a `step "title" demo_<thing>`
# line in the list at the bottom, where the story needs it.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/tests/lib/common.sh"
. "$TOP/tests/lib/k8s.sh"
. "$TOP/tests/lib/kubeconfig.sh"

DEMO_CLUSTER=demo
DEMO_REGION=us-west-2
STEP=0

if [ -t 1 ]; then BOLD=$'\e[1m' RED=$'\e[31m' GREEN=$'\e[32m' OFF=$'\e[0m'
else BOLD='' RED='' GREEN='' OFF=''; fi

# step TITLE FUNCTION [ARGS...]: run one numbered step; stop the demo if it fails.
step() {
	local title=$1 rc
	shift
	STEP=$((STEP + 1))
	printf '\n%s==> [%d] %s%s\n' "$BOLD" "$STEP" "$title" "$OFF"
	"$@" >"$T/step.out" 2>&1
	rc=$?
	sed 's/^/    /' "$T/step.out"
	if [ $rc -ne 0 ]; then
		printf '%s[%d] failed (exit %d): %s%s\n' "$RED" "$STEP" "$rc" "$title" "$OFF" >&2
		exit 1
	fi
}

# run COMMAND...: show the command (temp dir abbreviated), then run it.
run() {
	local shown="$*"
	printf '$ %s\n' "${shown//$T/\$DEMO}"
	"$@"
}

# expect_failure COMMAND...: for the steps that show a refusal.
expect_failure() {
	if run "$@"; then
		echo "unexpected success"
		return 1
	fi
	echo "(refused, as it should be)"
}

demo_prereqs() {
	local t
	for t in kubectl aws openssl curl; do
		command -v "$t" >/dev/null || { echo "missing: $t"; return 1; }
	done
	[ -x "$BIN/eks-token" ] || { echo "missing $BIN/eks-token: run make first"; return 1; }
	[ -x "$BIN/eks-kubeconfig" ] || { echo "missing $BIN/eks-kubeconfig: run make first"; return 1; }
	"$BIN/eks-token" --version || { echo "eks-token does not run"; return 1; }
	echo "temporary directory (\$DEMO): $T"
	echo "HOME, AWS config files and caches point into it; endpoints are loopback only"
}

demo_moto() {
	need_moto || return 1
	echo "moto (the local AWS) listens on $MOTO_URL"
}

AWS() {  # the AWS CLI, pointed at moto
	run aws --endpoint-url "$MOTO_URL" --region "$DEMO_REGION" "$@"
}

demo_aws_user() {
	local keys
	# bootstrap keys: moto accepts any for its own API
	export AWS_ACCESS_KEY_ID=AKIDEKSKITDEMOSETUP1 AWS_SECRET_ACCESS_KEY=demo-setup
	AWS iam create-user --user-name demo-user --query User.Arn --output text || return 1
	keys=$(aws --endpoint-url "$MOTO_URL" --region "$DEMO_REGION" iam create-access-key \
		--user-name demo-user --query 'AccessKey.[AccessKeyId,SecretAccessKey]' --output text) ||
		return 1
	unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
	DEMO_AKID=${keys%%$'\t'*}
	DEMO_SECRET=${keys#*$'\t'}
	(umask 077 && printf '[demo]\naws_access_key_id = %s\naws_secret_access_key = %s\n' \
		"$DEMO_AKID" "$DEMO_SECRET" >"$AWS_SHARED_CREDENTIALS_FILE")
	printf '[profile demo]\nregion = %s\n' "$DEMO_REGION" >"$AWS_CONFIG_FILE"
	echo "stored the access key of demo-user as profile 'demo' in \$DEMO/aws-credentials"
	echo "(secret key not shown)"
}

demo_cluster() {
	AWS eks create-cluster --name "$DEMO_CLUSTER" \
		--role-arn arn:aws:iam::123456789012:role/demo-cluster \
		--resources-vpc-config subnetIds=subnet-0demo1,subnet-0demo2 \
		--query 'cluster.[name,status]' --output text --profile demo || return 1
	AWS eks describe-cluster --name "$DEMO_CLUSTER" --query 'cluster.arn' --output text \
		--profile demo
}

demo_apiserver() {
	# The fake knows demo-user's secret so it can check the signature covers
	# the cluster name (real STS does that for EKS).
	(umask 077 && printf '%s %s\n' "$DEMO_AKID" "$DEMO_SECRET" >"$T/sigv4-secrets")
	k8s_fake_start --cluster-id "$DEMO_CLUSTER" --sigv4-secrets "$T/sigv4-secrets" || return 1
	echo "the cluster's API server (a fake) listens on $K8S_URL"
	echo "it verifies EKS tokens like aws-iam-authenticator, asking moto who signed them"
}

demo_kubeconfig() {
	export KUBECONFIG=$T/kubeconfig
	# moto cannot point a cluster at our fake API server, so a small fake EKS
	# endpoint answers DescribeCluster with the fake's address and CA
	printf '{"clusters": {"%s": {"name": "%s", "status": "ACTIVE",
	  "arn": "arn:aws:eks:%s:123456789012:cluster/%s", "endpoint": "%s",
	  "certificateAuthority": {"data": "%s"}}}}\n' "$DEMO_CLUSTER" "$DEMO_CLUSTER" \
		"$DEMO_REGION" "$DEMO_CLUSTER" "$K8S_URL" "$K8S_CA_DATA" >"$T/eks-state.json"
	eks_fake_start "$T/eks-state.json" || return 1
	local -x AWS_ENDPOINT_URL_EKS=$EKS_FAKE_URL   # for this step only
	echo "DescribeCluster goes to $EKS_FAKE_URL (AWS_ENDPOINT_URL_EKS)"
	run "$BIN/eks-kubeconfig" --cluster-name "$DEMO_CLUSTER" --profile demo \
		--exec-command "$BIN/eks-token" --namespace default || return 1
	echo "\$DEMO/kubeconfig (mode $(stat -c %a "$KUBECONFIG")); its user part:"
	sed -n '/^users:/,$p' "$KUBECONFIG" | sed "s|$T|\$DEMO|g"
}

demo_kubeconfig_again() {
	local -x AWS_ENDPOINT_URL_EKS=$EKS_FAKE_URL
	run "$BIN/eks-kubeconfig" --cluster-name "$DEMO_CLUSTER" --profile demo \
		--exec-command "$BIN/eks-token" --namespace default --dry-run || return 1
	run "$BIN/eks-kubeconfig" --cluster-name "$DEMO_CLUSTER" --profile demo \
		--exec-command "$BIN/eks-token" --namespace kube-system --dry-run
}

demo_token() {
	local out
	out=$(run "$BIN/eks-token" --cluster-name "$DEMO_CLUSTER" --profile demo) || return 1
	# show the shape, not the credential
	printf '%s\n' "$out" | sed -E 's/"token":"k8s-aws-v1\.[A-Za-z0-9_-]{12}[A-Za-z0-9_-]*"/"token":"k8s-aws-v1.…(presigned STS URL)…"/'
}

demo_version() {
	run kubectl get --raw /version
	echo
}

demo_whoami() {
	run kubectl auth whoami
}

demo_wrong_cluster() {
	local kc=$T/kubeconfig-wrong
	# the same kubeconfig, with the exec args naming another cluster
	sed "s/^\( *- \)$DEMO_CLUSTER\$/\\1not-$DEMO_CLUSTER/" "$KUBECONFIG" >"$kc"
	grep -q "not-$DEMO_CLUSTER" "$kc" || { echo "could not rewrite the exec args"; return 1; }
	expect_failure kubectl --kubeconfig "$kc" get --raw /version
}

demo_server_log() {
	echo "the API server's request log (tokens are never logged):"
	sed -E 's/^[^ ]+ //' "$K8S_FAKE_LOG" | grep -v '^listening' | tail -n 6
}

# ---- eks-satoken: a service-account token and a kubeconfig that carries only it
demo_satoken_kubeconfig() {
	run "$BIN/eks-satoken" --service-account ci-bot --create --bind-clusterrole view \
		--duration 1h -o kubeconfig --output-file "$T/ci-bot.kubeconfig" 2>&1 |
		sed "s|$T|\$DEMO|g"
	[ "${PIPESTATUS[0]}" -eq 0 ] || return 1
	echo "wrote \$DEMO/ci-bot.kubeconfig (mode $(stat -c %a "$T/ci-bot.kubeconfig")); its user part:"
	sed -n '/^users:/,$p' "$T/ci-bot.kubeconfig" |
		sed -E 's/(token: ).{12}.*/\1…(service-account token)…/'
	if grep -q 'eks-token\|client-key' "$T/ci-bot.kubeconfig"; then
		echo "the admin's credentials leaked into it"
		return 1
	fi
	echo "(nothing of the admin's exec credential was copied)"
}

demo_satoken_whoami() {
	run kubectl --kubeconfig "$T/ci-bot.kubeconfig" auth whoami || return 1
	run kubectl --kubeconfig "$T/ci-bot.kubeconfig" get serviceaccounts -n default || return 1
	echo "view may read, but not write:"
	expect_failure kubectl --kubeconfig "$T/ci-bot.kubeconfig" create configmap demo -n default
}

# ---- eks-access: letting others in (aws-auth, as aws-iam-authenticator reads it)
ACCESS() {  # eks-access, with the temp dir shown as $DEMO
	run "$BIN/eks-access" "$@" 2>&1 | sed "s|$T|\$DEMO|g"
	return "${PIPESTATUS[0]}"
}

demo_access_admin() {
	echo "no aws-auth yet: this fake, like a fresh cluster, lets its creator in as admin."
	echo "Map demo-user explicitly first, so writing aws-auth cannot lock us out:"
	ACCESS add-user arn:aws:iam::123456789012:user/demo-user --username demo-admin \
		--group system:masters || return 1
	run kubectl auth whoami
}

demo_access_nodes() {
	echo "a typo in a system group (the classic system:bootsrappers) is refused:"
	expect_failure "$BIN/eks-access" add-role arn:aws:iam::123456789012:role/demo-nodes \
		--username 'system:node:{{EC2PrivateDNSName}}' --group system:bootsrappers \
		--group system:nodes || return 1
	ACCESS add-role arn:aws:iam::123456789012:role/demo-nodes --dry-run \
		--username 'system:node:{{EC2PrivateDNSName}}' --group system:bootstrappers \
		--group system:nodes || return 1
	ACCESS add-role arn:aws:iam::123456789012:role/demo-nodes \
		--username 'system:node:{{EC2PrivateDNSName}}' --group system:bootstrappers \
		--group system:nodes || return 1
	echo "the same command again (a CI re-run) changes nothing:"
	ACCESS add-role arn:aws:iam::123456789012:role/demo-nodes \
		--username 'system:node:{{EC2PrivateDNSName}}' --group system:bootstrappers \
		--group system:nodes
}

demo_access_list() {
	echo "a developer role, mapped with its path (the authenticator never sees paths):"
	ACCESS add-role arn:aws:iam::123456789012:role/teams/demo-dev \
		--username 'dev:{{SessionName}}' --group dev-team || return 1
	ACCESS list
}

demo_access_lockout() {
	expect_failure "$BIN/eks-access" remove arn:aws:iam::123456789012:user/demo-user
}

# ---- eks-hosts: a private endpoint made resolvable through a temp hosts file
demo_hosts_private_cluster() {
	local vpc sub
	# quiet AWS CLI calls whose output is captured (AWS shows the command line)
	vpc=$(aws --endpoint-url "$MOTO_URL" --region "$DEMO_REGION" --profile demo ec2 create-vpc \
		--cidr-block 10.20.0.0/16 --query Vpc.VpcId --output text) || return 1
	sub=$(aws --endpoint-url "$MOTO_URL" --region "$DEMO_REGION" --profile demo ec2 create-subnet \
		--vpc-id "$vpc" --cidr-block 10.20.1.0/24 --query Subnet.SubnetId --output text) || return 1
	echo "VPC $vpc with subnet $sub (10.20.1.0/24)"
	AWS eks create-cluster --name private-demo \
		--role-arn arn:aws:iam::123456789012:role/demo-cluster \
		--resources-vpc-config "subnetIds=$sub,endpointPrivateAccess=true,endpointPublicAccess=false" \
		--query 'cluster.endpoint' --output text --profile demo || return 1
	echo "EKS puts the private endpoint's network interfaces into the VPC; in moto we add them:"
	AWS ec2 create-network-interface --subnet-id "$sub" --description "Amazon EKS private-demo" \
		--private-ip-addresses PrivateIpAddress=10.20.1.10,Primary=true PrivateIpAddress=10.20.1.11,Primary=false \
		--query NetworkInterface.NetworkInterfaceId --output text --profile demo || return 1
	AWS ec2 create-network-interface --subnet-id "$sub" --description "Amazon EKS private-demo-2" \
		--private-ip-address 10.20.1.99 --query NetworkInterface.NetworkInterfaceId \
		--output text --profile demo || return 1
	echo "(the second one belongs to another cluster and must not be picked up)"
}

demo_hosts_write() {
	printf '127.0.0.1\tlocalhost\n# a line eks-hosts must not touch\n' >"$T/hosts"
	cp "$T/hosts" "$T/hosts.orig"
	run "$BIN/eks-hosts" --profile demo --cluster-name private-demo --hosts-file "$T/hosts" --dry-run || return 1
	run "$BIN/eks-hosts" --profile demo --cluster-name private-demo --hosts-file "$T/hosts" || return 1
	run cat "$T/hosts"
	echo "a second run changes nothing (the file is not even rewritten):"
	run "$BIN/eks-hosts" --profile demo --cluster-name private-demo --hosts-file "$T/hosts" -v 2>&1 |
		grep 'up to date' | sed "s|$T|\$DEMO|g"
}

demo_hosts_check_remove() {
	run "$BIN/eks-hosts" --profile demo --cluster-name private-demo --hosts-file "$T/hosts" --check || return 1
	run "$BIN/eks-hosts" --cluster-name private-demo --hosts-file "$T/hosts" --remove || return 1
	cmp "$T/hosts" "$T/hosts.orig" && echo "after --remove the file is byte-for-byte what it was"
}

# ---- a private endpoint through a tunnel: eks-kubeconfig --server
TUNNEL_HOST=0123456789abcdef0123456789abcdef.gr7.$DEMO_REGION.eks.amazonaws.com

demo_tunnel_setup() {
	local c=$T/tunnel-certs ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes) i
	mkdir -p "$c"
	# the API server's certificate names only the endpoint host, like EKS's
	(cd "$c" && umask 077 &&
		openssl req -x509 "${ec[@]}" -keyout ca.key -out ca.crt -days 1 -subj /CN=demo-cluster-ca \
			-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign &&
		printf 'basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:%s\n' \
			"$TUNNEL_HOST" >server.ext &&
		openssl req -new "${ec[@]}" -keyout server.key -out server.csr -subj /CN=kube-apiserver &&
		openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt \
			-days 1 -extfile server.ext) >"$T/tunnel-openssl.log" 2>&1 || return 1
	echo "the cluster's certificate names only $(openssl x509 -in "$c/server.crt" -noout -ext subjectAltName | tail -n 1 | tr -d ' ')"
	k8s_fake_start --cluster-id "$DEMO_CLUSTER" --sigv4-secrets "$T/sigv4-secrets" \
		--tls-cert "$c/server.crt" --tls-key "$c/server.key" --tls-ca "$c/ca.crt" || return 1
	echo "its API server (a fake) listens on $K8S_URL: think of it as inside the VPC"
	"$PYTHON" "$TOP/tests/fakes/tcp_forward.py" --to "127.0.0.1:$K8S_PORT" \
		--port-file "$T/tunnel.port" >"$T/tunnel.out" 2>&1 &
	CLEANUP_PIDS="${CLEANUP_PIDS:-} $!"
	for ((i = 0; i < 100; i++)); do [ -s "$T/tunnel.port" ] && break; sleep 0.05; done
	[ -s "$T/tunnel.port" ] || { cat "$T/tunnel.out"; return 1; }
	TUNNEL_PORT=$(cat "$T/tunnel.port")
	echo "a tunnel (what 'aws ssm start-session ... AWS-StartPortForwardingSessionToRemoteHost'"
	echo "or 'ssh -L' would be) listens on 127.0.0.1:$TUNNEL_PORT and forwards to it"
	printf '{"clusters": {"%s": {"name": "%s", "status": "ACTIVE",
	  "arn": "arn:aws:eks:%s:123456789012:cluster/%s", "endpoint": "https://%s",
	  "certificateAuthority": {"data": "%s"}}}}\n' "$DEMO_CLUSTER" "$DEMO_CLUSTER" \
		"$DEMO_REGION" "$DEMO_CLUSTER" "$TUNNEL_HOST" "$(base64 -w0 <"$c/ca.crt")" >"$T/eks-tunnel.json"
	eks_fake_start "$T/eks-tunnel.json" || return 1
	echo "DescribeCluster now gives the endpoint https://$TUNNEL_HOST (not resolvable here)"
}

demo_tunnel_kubeconfig() {
	local -x AWS_ENDPOINT_URL_EKS=$EKS_FAKE_URL
	run "$BIN/eks-kubeconfig" --cluster-name "$DEMO_CLUSTER" --profile demo \
		--exec-command "$BIN/eks-token" --server "https://127.0.0.1:$TUNNEL_PORT" --alias demo-tunnel \
		--output-file "$T/kubeconfig-tunnel" --dry-run >"$T/tunnel-dry-run" 2>&1 || return 1
	echo "(the cluster entry it would write)"
	sed -n '/^clusters:/,/^  name:/p' "$T/tunnel-dry-run" |
		sed -E 's/(certificate-authority-data: ).{12}.*/\1…/'
	run "$BIN/eks-kubeconfig" --cluster-name "$DEMO_CLUSTER" --profile demo \
		--exec-command "$BIN/eks-token" --server "https://127.0.0.1:$TUNNEL_PORT" --alias demo-tunnel \
		--output-file "$T/kubeconfig-tunnel" | sed "s|$T|\$DEMO|g"
}

demo_tunnel_kubectl() {
	run kubectl --kubeconfig "$T/kubeconfig-tunnel" get --raw /version || return 1
	echo
	echo "the same entry without tls-server-name: kubectl checks the certificate against 127.0.0.1"
	grep -v tls-server-name "$T/kubeconfig-tunnel" >"$T/kubeconfig-tunnel-plain"
	expect_failure kubectl --kubeconfig "$T/kubeconfig-tunnel-plain" get --raw /version
}

test_env
unset MOTO_URL  # the demo always runs its own moto
echo "${BOLD}ekskit demo${OFF}: kubectl authenticating to an EKS cluster through eks-token,"
echo "with moto as AWS and a fake API server as the cluster, all on 127.0.0.1."

step "Check the tools and set up a private temporary environment" demo_prereqs
step "Start moto, a local stand-in for AWS" demo_moto
step "Create an IAM user and store its access key as AWS profile 'demo'" demo_aws_user
step "Create the EKS cluster '$DEMO_CLUSTER' (in moto)" demo_cluster
step "Start the cluster's API server (the fake)" demo_apiserver
step "eks-kubeconfig writes the kubeconfig from DescribeCluster (user runs eks-token)" demo_kubeconfig
step "Run it again as a dry run: nothing to change; then a change it would make" demo_kubeconfig_again
step "eks-token prints an ExecCredential (what kubectl reads)" demo_token
step "kubectl get --raw /version: kubectl runs eks-token and sends its token" demo_version
step "kubectl auth whoami: the API server mapped the token to the IAM user" demo_whoami
step "A token made for another cluster name is refused" demo_wrong_cluster
step "What the API server saw" demo_server_log
step "eks-satoken: a service account with view rights, and a kubeconfig holding only its token" demo_satoken_kubeconfig
step "kubectl with that kubeconfig is the service account" demo_satoken_whoami
step "eks-access: map demo-user as an administrator in aws-auth (created on the way)" demo_access_admin
step "eks-access: let worker nodes join (system:bootstrappers, system:nodes)" demo_access_nodes
step "eks-access: a non-admin human; then everything mapped, as the authenticator sees it" demo_access_list
step "eks-access refuses to remove the last system:masters mapping" demo_access_lockout
step "A cluster whose API endpoint is private (only reachable inside its VPC)" demo_hosts_private_cluster
step "eks-hosts writes the endpoint's private addresses into a (temporary) hosts file" demo_hosts_write
step "eks-hosts --check, then --remove restores the file" demo_hosts_check_remove
step "A private endpoint reachable only through a tunnel (the fake, the tunnel, DescribeCluster)" demo_tunnel_setup
step "eks-kubeconfig --server: the tunnel's address, the endpoint's name in tls-server-name" demo_tunnel_kubeconfig
step "kubectl through the tunnel verifies the real name; without tls-server-name it refuses" demo_tunnel_kubectl

printf '\n%sdemo finished: %d steps passed%s; cleaning up %s\n' "$GREEN" "$STEP" "$OFF" "$T"
exit 0
