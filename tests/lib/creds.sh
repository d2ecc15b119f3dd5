# Helpers for the credential-chain integration tests (tests/integration/creds_*.sh).
# Source after tests/lib/common.sh and test_env.

FAKES=$TOP/tests/fakes

# start_fake NAME SCRIPT ARGS...: runs a loopback fake, sets ${NAME}_PORT,
# ${NAME}_LOG (one line per request) and ${NAME}_PID.
start_fake() {
	local name=$1 script=$2; shift 2
	local pf=$T/$name.port log=$T/$name.log pid i
	rm -f "$pf" "$log"  # a restarted fake starts a fresh request log
	"$PYTHON" "$FAKES/$script" --port-file "$pf" --log "$log" "$@" >"$T/$name.out" 2>&1 &
	pid=$!
	CLEANUP_PIDS="${CLEANUP_PIDS:-} $pid"
	for ((i = 0; i < 100; i++)); do
		[ -s "$pf" ] && break
		kill -0 "$pid" 2>/dev/null || { cat "$T/$name.out" >&2; die "$script did not start"; }
		sleep 0.05
	done
	[ -s "$pf" ] || die "$script did not start"
	printf -v "${name}_PORT" '%s' "$(cat "$pf")"
	printf -v "${name}_LOG" '%s' "$log"
	printf -v "${name}_PID" '%s' "$pid"
}

stop_fake() {  # NAME
	local v="${1}_PID"
	kill "${!v}" 2>/dev/null
	wait "${!v}" 2>/dev/null
}

requests() {  # LOGFILE [PATTERN]: number of requests logged (matching PATTERN)
	if [ -n "${2:-}" ]; then grep -c -- "$2" "$1" 2>/dev/null || true
	else wc -l <"$1" | tr -d ' '; fi
}

# The access key id that signed the token in an ExecCredential on stdin.
token_akid() {
	token_akids /dev/stdin
}

# The access key ids of the tokens in each FILE (exec credentials), one per
# line: one Python start for many files.
token_akids() {
	"$PYTHON" -c '
import base64, json, sys, urllib.parse
for path in sys.argv[1:]:
    cred = json.load(open(path))
    tok = cred["status"]["token"]
    assert tok.startswith("k8s-aws-v1."), tok[:20]
    b = tok[len("k8s-aws-v1."):]
    url = base64.urlsafe_b64decode(b + "=" * (-len(b) % 4)).decode()
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    print(q["X-Amz-Credential"][0].split("/")[0])
' "$@"
}

# The STS host inside the token.
token_host() {
	"$PYTHON" -c '
import base64, json, sys, urllib.parse
tok = json.load(sys.stdin)["status"]["token"][len("k8s-aws-v1."):]
print(urllib.parse.urlsplit(base64.urlsafe_b64decode(tok + "=" * (-len(tok) % 4)).decode()).hostname)
'
}

# Run eks-token; stdout in $OUT, stderr in $ERR, exit status in $RC.
run_token() {
	OUT=$("$BIN/eks-token" --cluster-name test-cluster "$@" 2>"$T/stderr")
	RC=$?
	ERR=$(cat "$T/stderr")
}

# The AccessKeyId fields of every cache entry (one per line, sorted).
cache_akids() {
	local f
	for f in "$XDG_CACHE_HOME"/ekskit/*.json; do
		[ -e "$f" ] || continue
		"$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["AccessKeyId"])' "$f"
	done | sort
}

write_static_profile() {  # NAME AKID [SECRET]
	cat >>"$AWS_SHARED_CREDENTIALS_FILE" <<EOF
[$1]
aws_access_key_id = $2
aws_secret_access_key = ${3:-staticSecretForTests/+=}
EOF
}
