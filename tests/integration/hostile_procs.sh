#!/usr/bin/env bash
# Hostile processes and time (issue 9, items 9-11):
#   9. exec plugins run in their own process group: a timeout kills the
#      group; a plugin that answers and leaves a background child holding
#      stdout is not a timeout;
#  10. a hanging or dripping STS endpoint cannot hold eks-token past
#      EKSKIT_TIMEOUT; every tool has a low-speed limit; a stall is asked once;
#  11. --flush-dns runs root-owned programs by absolute path only (never
#      through PATH), with a time limit.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/creds.sh"
. "$TOP/tests/lib/k8s.sh"
test_env
need_moto
use_static_creds

timed() {  # limit-seconds message command...: $RC, $ERR, $TOOK
	local limit=$1 msg=$2 t0; shift 2
	t0=$(date +%s.%N)
	timeout 120 "$@" >"$T/timed.out" 2>"$T/timed.err"
	RC=$?
	ERR=$(cat "$T/timed.err")
	TOOK=$(echo "$(date +%s.%N) - $t0" | bc)
	if [ "$(echo "$TOOK < $limit" | bc)" = 1 ]; then ok "$msg (${TOOK%.*} s)"
	else fail "$msg: took ${TOOK%.*} s, limit $limit s"; fi
}
gone() {  # pid message
	local i
	for ((i = 0; i < 50; i++)); do kill -0 "$1" 2>/dev/null || { ok "$2"; return; }; sleep 0.1; done
	fail "$2: process $1 still runs"; kill -9 "$1" 2>/dev/null
}
command -v bc >/dev/null || skip "bc is needed to measure durations"

# ================= 9. exec plugins =================
k8s_fake_start || die "cannot start the fake API server"
# answers at once, but leaves a child that keeps stdout open for 60 s
cat >"$T/leaves-child" <<EOF
#!/bin/sh
sleep 60 &
echo \$! >"$T/leftover.pid"
printf '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"%s"}}' "$K8S_ADMIN_TOKEN"
EOF
chmod +x "$T/leaves-child"
k8s_kubeconfig_exec "$T/kc-leaves" v1beta1 "$T/leaves-child"
timed 20 "a plugin that answers and leaves a background child is not waited for" \
	"$BIN/eks-satoken" --kubeconfig "$T/kc-leaves" --service-account procs-sa --create
assert_eq 0 "$RC" "plugin with a leftover child: the run succeeds ($ERR)"
assert_not_contains "$ERR" "did not finish" "plugin with a leftover child: no timeout"
kill "$(cat "$T/leftover.pid")" 2>/dev/null

# hangs, with a child of its own: the timeout kills the whole group
cat >"$T/hangs" <<EOF
#!/bin/sh
sleep 300 &
echo \$! >"$T/hang-child.pid"
sleep 300
EOF
chmod +x "$T/hangs"
k8s_kubeconfig_exec "$T/kc-hangs" v1beta1 "$T/hangs"
timed 20 "a hanging plugin is killed at its time limit" env EKSKIT_TEST_EXEC_TIMEOUT_MS=1500 \
	"$BIN/eks-satoken" --kubeconfig "$T/kc-hangs" --service-account procs-sa
assert_eq 1 "$RC" "hanging plugin: exit 1"
assert_contains "$ERR" "did not finish" "hanging plugin: says it timed out"
gone "$(cat "$T/hang-child.pid")" "hanging plugin: its child is killed with it (process group)"

# ================= 10. stalls =================
role=arn:aws:iam::123456789012:role/stall
start_scripted hang hang
timed 15 "eks-token against a hanging STS ends by EKSKIT_TIMEOUT" env EKSKIT_TIMEOUT=3 \
	AWS_ENDPOINT_URL_STS="$hang_URL" "$BIN/eks-token" --cluster-name c --role-arn "$role" --no-cache
assert_eq 1 "$RC" "hanging STS: exit 1"
assert_contains "$ERR" "EKSKIT_TIMEOUT" "hanging STS: the message names the limit"
assert_eq 1 "$(requests "$hang_LOG")" "hanging STS: asked once, a stall is not retried"
start_scripted drip drip
timed 15 "eks-token against a dripping STS ends by EKSKIT_TIMEOUT" env EKSKIT_TIMEOUT=4 \
	AWS_ENDPOINT_URL_STS="$drip_URL" "$BIN/eks-token" --cluster-name c --role-arn "$role" --no-cache
assert_eq 1 "$RC" "dripping STS: exit 1"
timed 15 "eks-token with EKSKIT_TIMEOUT=abc: usage error at once" env EKSKIT_TIMEOUT=abc \
	"$BIN/eks-token" --cluster-name c
assert_eq 2 "$RC" "bad EKSKIT_TIMEOUT: exit 2"
# the low-speed limit (shortened by a loopback-guarded hook) in another tool
timed 20 "eks-kubeconfig against a dripping EKS gives up (low-speed limit)" \
	env EKSKIT_TEST_LOW_SPEED_TIME_S=2 AWS_ENDPOINT_URL_EKS="$drip_URL" \
	"$BIN/eks-kubeconfig" --cluster-name c --kubeconfig "$T/kc-drip"
assert_eq 1 "$RC" "dripping EKS: exit 1"
assert_contains "$ERR" "too slow" "dripping EKS: says the server was too slow"
# throttling and 5xx are still retried
printf '{"__type":"ThrottlingException","message":"slow down"}' >"$T/throttle.json"
start_scripted flaky "503" "400:$T/throttle.json" "200:$T/throttle.json"
AWS_ENDPOINT_URL_EKS=$flaky_URL "$BIN/eks-kubeconfig" --cluster-name c --kubeconfig "$T/kc-flaky" \
	>/dev/null 2>&1
assert_eq 3 "$(requests "$flaky_LOG")" "503 and throttling are retried (3 requests)"

# ================= 11. --flush-dns =================
PORT=$(free_port)
"$PYTHON" "$FAKES/fake_eks_ec2.py" --port "$PORT" >"$T/fake.out" 2>"$T/fake.err" &
CLEANUP_PIDS="${CLEANUP_PIDS:-} $!"
wait_port "$PORT" 20 || die "fake EKS/EC2 did not start: $(cat "$T/fake.err")"
export AWS_ENDPOINT_URL_EKS="http://127.0.0.1:$PORT" AWS_ENDPOINT_URL_EC2="http://127.0.0.1:$PORT"
H=$T/hosts
mkdir -p "$T/pathbin" "$T/flushbin"
printf '#!/bin/sh\necho "$@" >>"%s"\n' "$T/from-path" >"$T/pathbin/resolvectl"
chmod 755 "$T/pathbin/resolvectl"
printf '127.0.0.1 localhost\n' >"$H"
PATH="$T/pathbin:$PATH" EKSKIT_TEST_FLUSH_DNS_DIR=$T/flushbin \
	"$BIN/eks-hosts" --flush-dns --cluster-name par101 --hosts-file "$H" 2>"$T/err"
assert_eq "" "$(cat "$T/from-path" 2>/dev/null)" "--flush-dns never runs a resolvectl found through PATH"
assert_contains "$(cat "$T/err")" "no DNS cache to flush" "--flush-dns with no trusted program: a warning"
if [ "$(id -u)" = 0 ]; then
	printf '#!/bin/sh\necho "$@" >>"%s"\n' "$T/flushed" >"$T/flushbin/resolvectl"
	chmod 775 "$T/flushbin/resolvectl"
	"$BIN/eks-hosts" --flush-dns --cluster-name par102 --hosts-file "$H" 2>/dev/null
	EKSKIT_TEST_FLUSH_DNS_DIR=$T/flushbin "$BIN/eks-hosts" --flush-dns --cluster-name par103 \
		--hosts-file "$H" 2>"$T/err"
	assert_eq "" "$(cat "$T/flushed" 2>/dev/null)" "--flush-dns refuses a group-writable program"
	chmod 755 "$T/flushbin/resolvectl"
	EKSKIT_TEST_FLUSH_DNS_DIR=$T/flushbin "$BIN/eks-hosts" --flush-dns --cluster-name par104 \
		--hosts-file "$H" 2>"$T/err"
	assert_eq "flush-caches" "$(cat "$T/flushed" 2>/dev/null)" "--flush-dns runs a root-owned program ($(cat "$T/err"))"
	printf '#!/bin/sh\nsleep 300 &\necho $! >"%s"\nsleep 300\n' "$T/flush-child.pid" >"$T/flushbin/resolvectl"
	timed 20 "a hanging flush command is killed at its time limit" env EKSKIT_TEST_FLUSH_DNS_DIR="$T/flushbin" \
		EKSKIT_TEST_FLUSH_DNS_TIMEOUT_MS=1000 "$BIN/eks-hosts" --flush-dns --cluster-name par105 --hosts-file "$H"
	assert_eq 0 "$RC" "hanging flush: the hosts file change still succeeds"
	assert_contains "$ERR" "did not finish" "hanging flush: a warning says so"
	gone "$(cat "$T/flush-child.pid")" "hanging flush: its child is killed too"
fi
finish
