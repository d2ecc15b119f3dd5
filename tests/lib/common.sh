# Shared test helpers for integration scripts (bash).  Source it.
#
# Every test environment talks to loopback only:
#   - AWS_ENDPOINT_URL points at moto on 127.0.0.1, IMDS is disabled, and
#     EKSKIT_TEST_LOOPBACK_ONLY=1 makes the library refuse (loudly) any
#     connection to a non-loopback address;
#   - HOME and the AWS config files point into a private temp directory.

TOP=${TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BUILD=${BUILD:-build}
BIN=$TOP/$BUILD/bin
# `make deps` puts the Python test peers (moto, botocore, the AWS CLI) into
# $TOP/.venv when the system python3 lacks them, and kubectl binaries into
# $TOP/.deps/bin when the distribution has none recent enough: they come first.
for _local_bin in "$TOP/.deps/bin" "$TOP/.venv/bin"; do
	[ -d "$_local_bin" ] || continue
	case ":$PATH:" in *":$_local_bin:"*) ;; *) PATH=$_local_bin:$PATH; export PATH ;; esac
done
unset _local_bin
PYTHON=${PYTHON:-python3}

die() { echo "FATAL: $*" >&2; exit 1; }
fail() { echo "FAIL: $*" >&2; TEST_FAILED=1; }
skip() { echo "skipped: $*"; exit 77; }
ok() { echo "ok: $*"; }

free_port() {
	"$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_port() {  # port [timeout-seconds]
	local port=$1 t=${2:-30} i
	for ((i = 0; i < t * 10; i++)); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
		sleep 0.1
	done
	return 1
}

# One moto server for the whole run (started by tests/run-all.sh); a test run
# alone starts its own.  Exports MOTO_URL.
moto_start_shared() {
	if [ -n "${MOTO_URL:-}" ]; then return 0; fi
	MOTO_PORT=$(free_port)
	MOTO_LOG=$(mktemp /tmp/ekskit-moto.XXXXXX)
	"$PYTHON" -m moto.server -H 127.0.0.1 -p "$MOTO_PORT" >"$MOTO_LOG" 2>&1 &
	MOTO_PID=$!
	export MOTO_URL="http://127.0.0.1:$MOTO_PORT" MOTO_PID MOTO_PORT
	wait_port "$MOTO_PORT" 60 || { cat "$MOTO_LOG" >&2; return 1; }
}

moto_stop_shared() {
	if [ -n "${MOTO_PID:-}" ]; then kill "$MOTO_PID" 2>/dev/null; wait "$MOTO_PID" 2>/dev/null; fi
	[ -n "${MOTO_LOG:-}" ] && rm -f "$MOTO_LOG"
	MOTO_PID=
}

# Set up a sealed environment: temp HOME, loopback endpoints, no IMDS.
# Creates $T (temp dir, removed on exit).
test_env() {
	T=$(mktemp -d /tmp/ekskit-test.XXXXXX)
	trap 'test_cleanup' EXIT
	export HOME=$T/home
	mkdir -p "$HOME"
	unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY \
	      AWS_SESSION_TOKEN AWS_ROLE_ARN AWS_WEB_IDENTITY_TOKEN_FILE \
	      AWS_CONTAINER_CREDENTIALS_RELATIVE_URI AWS_CONTAINER_CREDENTIALS_FULL_URI \
	      AWS_CONTAINER_AUTHORIZATION_TOKEN AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE \
	      KUBECONFIG AWS_ENDPOINT_URL_STS AWS_ENDPOINT_URL_EKS AWS_ENDPOINT_URL_EC2
	export AWS_CONFIG_FILE=$T/aws-config AWS_SHARED_CREDENTIALS_FILE=$T/aws-credentials
	: >"$AWS_CONFIG_FILE"; : >"$AWS_SHARED_CREDENTIALS_FILE"
	export AWS_EC2_METADATA_DISABLED=true
	export AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:9/
	export EKSKIT_TEST_LOOPBACK_ONLY=1
	export XDG_CACHE_HOME=$T/cache
	export AWS_REGION=${AWS_REGION:-us-west-2}
	export NO_PROXY='*' no_proxy='*'
	unset HTTP_PROXY HTTPS_PROXY http_proxy https_proxy ALL_PROXY all_proxy
	if [ -n "${MOTO_URL:-}" ]; then export AWS_ENDPOINT_URL=$MOTO_URL; fi
}

test_cleanup() {
	local p
	for p in ${CLEANUP_PIDS:-}; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	[ -n "${OWN_MOTO:-}" ] && moto_stop_shared
	[ -n "${T:-}" ] && rm -rf "$T"
}

# Use the shared moto, or start one for a test run on its own.
need_moto() {
	if [ -z "${MOTO_URL:-}" ]; then
		moto_start_shared || die "cannot start moto"
		OWN_MOTO=1
	fi
	export AWS_ENDPOINT_URL=$MOTO_URL
}

# Static test credentials (moto accepts anything).
use_static_creds() {
	export AWS_ACCESS_KEY_ID=${1:-AKIDEXAMPLETESTKEY01} \
	       AWS_SECRET_ACCESS_KEY=${2:-testsecret/with+chars=}
}

assert_eq() {  # expected actual message
	if [ "$1" != "$2" ]; then fail "$3: expected [$1], got [$2]"; else ok "$3"; fi
}
assert_contains() {  # haystack needle message
	case "$1" in *"$2"*) ok "$3" ;; *) fail "$3: [$2] not in [$1]" ;; esac
}
assert_not_contains() {
	case "$1" in *"$2"*) fail "$3: [$2] unexpectedly in output" ;; *) ok "$3" ;; esac
}
assert_rc() {  # expected-rc message command...
	local want=$1 msg=$2; shift 2
	"$@"; local rc=$?
	if [ "$rc" != "$want" ]; then fail "$msg: exit $rc, want $want"; else ok "$msg"; fi
}
# start_scripted NAME STEP... [scripted_http options]: start a loopback HTTP
# server that answers each request with the next STEP
# (tests/fakes/scripted_http.py); sets ${NAME}_URL, and ${NAME}_LOG to the
# file where it logs the requests.  Stopped by test_cleanup.
start_scripted() {
	local name=$1 i; shift
	"$PYTHON" "$TOP/tests/fakes/scripted_http.py" --port 0 --log "$T/$name.log" "$@" \
		>"$T/$name.port" 2>"$T/$name.err" &
	CLEANUP_PIDS="${CLEANUP_PIDS:-} $!"
	for ((i = 0; i < 100; i++)); do [ -s "$T/$name.port" ] && break; sleep 0.05; done
	[ -s "$T/$name.port" ] || die "scripted_http did not start: $(cat "$T/$name.err")"
	printf -v "${name}_URL" 'http://127.0.0.1:%s' "$(head -1 "$T/$name.port")"
	printf -v "${name}_LOG" '%s' "$T/$name.log"
}

finish() { [ -z "${TEST_FAILED:-}" ] || exit 1; exit 0; }
