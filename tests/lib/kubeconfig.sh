# Helpers for the eks-kubeconfig integration tests.  Source tests/lib/common.sh
# first and call test_env (and need_moto).
#
#   moto_clusters NAME...      create EKS clusters in moto (boto3, one process)
#   eks_fake_start STATE.json  start tests/fakes/eks_fake.py; exports EKS_FAKE_URL
#   yq FILE EXPR               evaluate a python expression over the parsed YAML `d`
#   sha FILE                   sha256 of a file ("missing" when absent)
#   kc_view FILE               `kubectl config view` of a file (must succeed)
#   aws_cli_prepare            make the AWS CLI usable in the sealed environment

EKC=$BIN/eks-kubeconfig

# The AWS CLI v1 reads only AWS_DEFAULT_REGION, and must not fetch URL
# arguments (--proxy-url http://...) as parameter files.
aws_cli_prepare() {
	export AWS_DEFAULT_REGION=${AWS_REGION:-us-west-2}
	printf '[default]\ncli_follow_urlparam = false\n' >>"$AWS_CONFIG_FILE"
}

moto_clusters() {
	"$PYTHON" - "$@" <<-'EOF'
	import os, sys, boto3
	eks = boto3.client("eks", endpoint_url=os.environ["MOTO_URL"],
	                   region_name=os.environ.get("AWS_REGION", "us-west-2"),
	                   aws_access_key_id="AKIDEXAMPLETESTKEY01",
	                   aws_secret_access_key="testsecret")
	have = set()
	tok = None
	while True:
	    r = eks.list_clusters(**({"nextToken": tok} if tok else {}))
	    have.update(r["clusters"])
	    tok = r.get("nextToken")
	    if not tok:
	        break
	for n in sys.argv[1:]:
	    if n not in have:
	        eks.create_cluster(name=n, roleArn="arn:aws:iam::123456789012:role/eks",
	                           resourcesVpcConfig={"subnetIds": ["subnet-1"]})
	EOF
}

eks_fake_start() {  # state-file
	local pf=$T/eks-fake.port i
	rm -f "$pf"
	"$PYTHON" "$TOP/tests/fakes/eks_fake.py" --state "$1" --port-file "$pf" \
		--log "$T/eks-fake.log" 2>"$T/eks-fake.err" &
	EKS_FAKE_PID=$!
	CLEANUP_PIDS="${CLEANUP_PIDS:-} $EKS_FAKE_PID"
	for ((i = 0; i < 100; i++)); do [ -s "$pf" ] && break; sleep 0.1; done
	[ -s "$pf" ] || { cat "$T/eks-fake.err" >&2; return 1; }
	export EKS_FAKE_URL="http://127.0.0.1:$(cat "$pf")"
}

yq() {  # file expr
	"$PYTHON" -c 'import sys, yaml; d = yaml.safe_load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

sha() {
	if [ -e "$1" ]; then sha256sum <"$1" | cut -d' ' -f1; else echo missing; fi
}

kc_view() {  # file -> kubectl config view must succeed
	kubectl --kubeconfig "$1" config view -o json >/dev/null 2>"$T/kubectl.err" &&
		kubectl --kubeconfig "$1" config get-contexts >/dev/null 2>>"$T/kubectl.err"
}

assert_kubectl_reads() {  # file message
	if kc_view "$1"; then ok "$2"; else fail "$2: $(cat "$T/kubectl.err")"; fi
}
