# Helpers for the TLS fake Kubernetes API server (tests/fakes/k8s_fake.py).
# Source tests/lib/common.sh first (and call test_env, so $T exists).
#
#   k8s_fake_start [k8s_fake.py args...]   start it on a free loopback port
#   k8s_fake_stop                          stop it (test_cleanup also does)
#   k8s_kubeconfig_cert  FILE [CERT KEY]   kubeconfig: client certificate (admin)
#   k8s_kubeconfig_token FILE TOKEN        kubeconfig: bearer token
#   k8s_kubeconfig_exec  FILE API-VERSION COMMAND [ARG...]
#                                          kubeconfig: exec credential plugin
#   k8s_client_cert CN [GROUP...]          sign a client certificate with the
#                                          fake's client CA
#   k8s_api METHOD PATH [JSON]             request as the admin; sets
#                                          K8S_HTTP_CODE and K8S_HTTP_BODY
#   k8s_api_token TOKEN METHOD PATH [JSON] the same with a bearer token
#   k8s_advance_clock SECONDS              move the fake's clock forward
#   k8s_set_delay SECONDS                  delay every later answer (0: none)
#
# k8s_fake_start exports K8S_URL, K8S_CA_FILE, K8S_CA_DATA, K8S_ADMIN_CERT,
# K8S_ADMIN_KEY, K8S_ADMIN_TOKEN, K8S_FAKE_PID, K8S_FAKE_DIR, K8S_FAKE_LOG
# (request log: never holds tokens) and K8S_CLUSTER_ID.  The process joins
# CLEANUP_PIDS, so test_cleanup stops it.

K8S_FAKE=${K8S_FAKE:-$TOP/tests/fakes/k8s_fake.py}

k8s_fake_start() {
	local dir i
	dir=$(mktemp -d "${T:-/tmp}/k8s-fake.XXXXXX") || return 1
	K8S_FAKE_DIR=$dir
	"$PYTHON" "$K8S_FAKE" --info-file "$dir/info.json" --cert-dir "$dir/certs" \
		--log "$dir/requests.log" --moto-url "${MOTO_URL:-}" "$@" \
		>"$dir/stdout" 2>"$dir/stderr" &
	K8S_FAKE_PID=$!
	CLEANUP_PIDS="${CLEANUP_PIDS:-} $K8S_FAKE_PID"
	for ((i = 0; i < 300; i++)); do
		[ -s "$dir/info.json" ] && break
		if ! kill -0 "$K8S_FAKE_PID" 2>/dev/null; then
			echo "k8s_fake_start: the fake exited:" >&2
			cat "$dir/stderr" >&2
			return 1
		fi
		sleep 0.1
	done
	[ -s "$dir/info.json" ] || { echo "k8s_fake_start: no info file after 30 s" >&2; return 1; }
	eval "$("$PYTHON" - "$dir/info.json" <<-'EOF'
		import json, shlex, sys
		i = json.load(open(sys.argv[1]))
		for var, key in (("K8S_URL", "url"), ("K8S_CA_FILE", "ca_file"),
		                 ("K8S_CA_DATA", "ca_data"), ("K8S_ADMIN_CERT", "admin_cert"),
		                 ("K8S_ADMIN_KEY", "admin_key"), ("K8S_ADMIN_TOKEN", "admin_token"),
		                 ("K8S_CLIENT_CA_FILE", "client_ca_file"),
		                 ("K8S_CLIENT_CA_KEY", "client_ca_key"),
		                 ("K8S_CLUSTER_ID", "cluster_id"), ("K8S_PORT", "port")):
		    print("%s=%s" % (var, shlex.quote(str(i[key]))))
	EOF
	)" || return 1
	export K8S_URL K8S_CA_FILE K8S_CA_DATA K8S_ADMIN_CERT K8S_ADMIN_KEY K8S_ADMIN_TOKEN \
	       K8S_CLIENT_CA_FILE K8S_CLIENT_CA_KEY K8S_CLUSTER_ID K8S_PORT K8S_FAKE_PID K8S_FAKE_DIR
	export K8S_FAKE_LOG=$dir/requests.log
}

k8s_fake_stop() {
	[ -n "${K8S_FAKE_PID:-}" ] || return 0
	kill "$K8S_FAKE_PID" 2>/dev/null
	wait "$K8S_FAKE_PID" 2>/dev/null
	CLEANUP_PIDS=${CLEANUP_PIDS//$K8S_FAKE_PID/}
	K8S_FAKE_PID=
}

# The cluster and context part shared by every kubeconfig (CA as data, like EKS).
_k8s_kubeconfig_head() {
	cat <<-EOF
	apiVersion: v1
	kind: Config
	clusters:
	- name: fake
	  cluster:
	    server: $K8S_URL
	    certificate-authority-data: $K8S_CA_DATA
	contexts:
	- name: fake
	  context:
	    cluster: fake
	    user: fake-user
	current-context: fake
	users:
	- name: fake-user
	  user:
	EOF
}

_k8s_write_private() {  # file: stdin -> file, mode 0600 from creation
	(umask 077 && cat >"$1")
}

k8s_kubeconfig_cert() {  # file [cert key]
	{
		_k8s_kubeconfig_head
		printf '    client-certificate: %s\n    client-key: %s\n' \
			"${2:-$K8S_ADMIN_CERT}" "${3:-$K8S_ADMIN_KEY}"
	} | _k8s_write_private "$1"
}

k8s_kubeconfig_token() {  # file token
	{
		_k8s_kubeconfig_head
		printf '    token: %s\n' "$2"
	} | _k8s_write_private "$1"
}

k8s_kubeconfig_exec() {  # file api-version command [args...]
	local file=$1 ver=$2 cmd=$3 a
	shift 3
	{
		_k8s_kubeconfig_head
		printf '    exec:\n      apiVersion: client.authentication.k8s.io/%s\n' "$ver"
		printf '      command: %s\n' "$cmd"
		printf '      interactiveMode: Never\n'
		printf '      provideClusterInfo: false\n'
		if [ $# -gt 0 ]; then
			printf '      args:\n'
			for a in "$@"; do printf '      - "%s"\n' "$a"; done
		fi
	} | _k8s_write_private "$file"
}

# Sets K8S_CLIENT_CERT and K8S_CLIENT_KEY.
k8s_client_cert() {  # cn [group...]
	local cn=$1 subj="" g d=$K8S_FAKE_DIR/certs
	shift
	for g in "$@"; do subj="$subj/O=$g"; done
	subj="$subj/CN=$cn"
	K8S_CLIENT_KEY=$d/user-$cn.key K8S_CLIENT_CERT=$d/user-$cn.crt
	(umask 077 && openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$K8S_CLIENT_KEY" -out "$d/user-$cn.csr" -subj "$subj" 2>/dev/null) &&
	printf 'extendedKeyUsage=clientAuth\n' >"$d/user-$cn.ext" &&
	openssl x509 -req -in "$d/user-$cn.csr" -CA "$K8S_CLIENT_CA_FILE" \
		-CAkey "$K8S_CLIENT_CA_KEY" -CAcreateserial -out "$K8S_CLIENT_CERT" -days 1 \
		-extfile "$d/user-$cn.ext" 2>/dev/null
}

# k8s_api_token TOKEN METHOD PATH [JSON]: the token goes to curl on a file
# descriptor, never on a command line.
k8s_api_token() {
	local tok=$1 method=$2 path=$3 body=${4:-} out ctype=application/json
	[ "$method" = PATCH ] && ctype=application/merge-patch+json
	out=$(curl -sS --max-time 20 --cacert "$K8S_CA_FILE" -X "$method" \
		-H @<(printf 'Authorization: Bearer %s\n' "$tok") \
		-H "Content-Type: $ctype" ${body:+--data-binary "$body"} \
		-w '\n%{http_code}' "$K8S_URL$path")
	K8S_HTTP_CODE=${out##*$'\n'}
	K8S_HTTP_BODY=${out%$'\n'*}
}

k8s_api() {  # method path [json]
	k8s_api_token "$K8S_ADMIN_TOKEN" "$@"
}

k8s_advance_clock() {  # seconds
	k8s_api POST /_fake/clock "{\"advanceSeconds\": $1}"
	[ "$K8S_HTTP_CODE" = 200 ]
}

k8s_set_delay() {  # seconds: every later answer waits this long (hang tests)
	k8s_api POST /_fake/delay "{\"seconds\": $1}"
	[ "$K8S_HTTP_CODE" = 200 ]
}

# Field of a JSON document: json_get '<json>' 'python expression on d'
json_get() {
	"$PYTHON" -c 'import json,sys; d=json.loads(sys.argv[1]); v=eval(sys.argv[2]); print(v if isinstance(v,str) else json.dumps(v))' "$1" "$2"
}
