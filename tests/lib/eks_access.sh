# Helpers for the fake EKS access-entry API (tests/fakes/eks_access_fake.py).
# Source tests/lib/common.sh first and call test_env (so $T exists).
#
#   eks_access_fake_start STATE.json   start it on a free loopback port; exports
#                                      EKS_ACCESS_URL, EKS_ACCESS_LOG (one JSON
#                                      line per request) and AWS_ENDPOINT_URL_EKS
#   eks_access_state                   the fake's current entries (JSON)

eks_access_fake_start() {
	local dir i
	dir=$(mktemp -d "$T/eks-access-fake.XXXXXX") || return 1
	"$PYTHON" "$TOP/tests/fakes/eks_access_fake.py" --state "$1" \
		--port-file "$dir/port" --log "$dir/requests.log" 2>"$dir/stderr" &
	CLEANUP_PIDS="${CLEANUP_PIDS:-} $!"
	for ((i = 0; i < 300; i++)); do
		[ -s "$dir/port" ] && break
		sleep 0.1
	done
	[ -s "$dir/port" ] || { cat "$dir/stderr" >&2; return 1; }
	EKS_ACCESS_URL=http://127.0.0.1:$(cat "$dir/port")
	EKS_ACCESS_LOG=$dir/requests.log
	: >"$EKS_ACCESS_LOG"
	export EKS_ACCESS_URL EKS_ACCESS_LOG AWS_ENDPOINT_URL_EKS=$EKS_ACCESS_URL
}

eks_access_state() {
	"$PYTHON" -c 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1] + "/_fake/state").read().decode())' "$EKS_ACCESS_URL"
}
