#!/usr/bin/env bash
# Hostile output (issue 9, items 5-8), driving the real tools against
# loopback servers and helpers that misbehave on purpose:
#   5. a parse error of a body that may hold a secret gives a position, never
#      jansson's "near '...'" text (credential_process, an EKS answer);
#   6. ESC/OSC/BEL in x-amzn-ErrorType, an AWS error code and a
#      container-credential `message` reach stderr escaped, never raw;
#   7. URLs in errors are redacted (container credentials, IMDS);
#   8. eks-token and eks-satoken are not dumpable and have no core limit
#      (EKSKIT_ALLOW_CORE_DUMPS=1 opts out), seen from a helper they start.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/creds.sh"
test_env
use_static_creds

no_raw_controls() {  # text message: no ESC, BEL or other C0 control except newline/tab
	if printf '%s' "$1" | LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]'; then
		fail "$2: raw control characters reached stderr: $(printf '%s' "$1" | od -c | head -5)"
	else
		ok "$2"
	fi
}

# ================= 5. parse errors never quote a secret =================
cat >"$T/bad-cp" <<'EOF'
#!/bin/sh
printf '{"Version": 1, "AccessKeyId": "AKIAHOSTILE000000001", "SecretAccessKey": SECRETFRAGMENTxyz0123456789}'
EOF
chmod +x "$T/bad-cp"
printf '[profile cp]\ncredential_process = %s\n' "$T/bad-cp" >"$AWS_CONFIG_FILE"
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY "$BIN/eks-token" --cluster-name c --profile cp \
	--no-cache >/dev/null 2>"$T/err"; rc=$?
assert_eq 1 "$rc" "credential_process printing broken JSON: exit 1"
assert_contains "$(cat "$T/err")" "not valid JSON" "broken credential_process output: says so"
assert_contains "$(cat "$T/err")" "column" "broken credential_process output: gives the position"
assert_not_contains "$(cat "$T/err")" "SECRETFRAG" "broken credential_process output: no secret fragment"
assert_not_contains "$(cat "$T/err")" "near" "broken credential_process output: no jansson text"
: >"$AWS_CONFIG_FILE"

printf '{"cluster": {"name": "c", "certificateAuthority": {"data": SECRETFRAGMENTabc}}}' >"$T/eks-bad.json"
start_scripted eksbad "200:$T/eks-bad.json"
AWS_ENDPOINT_URL_EKS=$eksbad_URL "$BIN/eks-kubeconfig" --cluster-name c --kubeconfig "$T/kc" \
	>/dev/null 2>"$T/err"; rc=$?
assert_eq 1 "$rc" "broken EKS answer: exit 1"
assert_contains "$(cat "$T/err")" "malformed eks response" "broken EKS answer: says so"
assert_not_contains "$(cat "$T/err")" "SECRETFRAG" "broken EKS answer: no fragment of the body"

# ================= 6. terminal injection =================
# x-amzn-ErrorType with an OSC title sequence and BEL, on a 400 from EKS
printf '{"message": "no"}' >"$T/eks-400.json"
start_scripted eksesc "400:$T/eks-400.json" --header 'x-amzn-ErrorType: Evil\x1b]0;pwned\x07Exception:http://x'
AWS_ENDPOINT_URL_EKS=$eksesc_URL "$BIN/eks-kubeconfig" --cluster-name c --kubeconfig "$T/kc" \
	>/dev/null 2>"$T/err"; rc=$?
assert_eq 1 "$rc" "hostile x-amzn-ErrorType: exit 1"
no_raw_controls "$(cat "$T/err")" "x-amzn-ErrorType: ESC/BEL escaped"
assert_contains "$(cat "$T/err")" 'Evil\x1b]0;pwned\x07Exception' "x-amzn-ErrorType: shown escaped"
# an AWS error code (JSON __type) with a CSI sequence, and a message with BEL
printf '{"__type": "Bad\\u001b[2J\\u001b[31mCode", "message": "ding\\u0007\\u009b31m"}' >"$T/eks-code.json"
start_scripted ekscode "400:$T/eks-code.json"
AWS_ENDPOINT_URL_EKS=$ekscode_URL "$BIN/eks-kubeconfig" --cluster-name c --kubeconfig "$T/kc" \
	>/dev/null 2>"$T/err"; rc=$?
assert_eq 1 "$rc" "hostile AWS error code: exit 1"
no_raw_controls "$(cat "$T/err")" "AWS error code: escape sequences escaped"
if LC_ALL=C grep -q $'\xc2\x9b' "$T/err"; then fail "a C1 CSI (U+009B) reached stderr"; else ok "C1 controls escaped"; fi
# container credentials answering 401 with an OSC sequence in `message`
printf '{"code": "AccessDenied", "message": "\\u001b]8;;http://evil/\\u0007click\\u001b]8;;\\u0007"}' >"$T/ctr.json"
start_scripted ctr "401:$T/ctr.json"
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY AWS_CONTAINER_CREDENTIALS_FULL_URI="$ctr_URL/creds" \
	"$BIN/eks-token" --cluster-name c --no-cache >/dev/null 2>"$T/err"; rc=$?
assert_eq 1 "$rc" "container credentials 401: exit 1"
no_raw_controls "$(cat "$T/err")" "container credentials message: OSC escaped"
assert_contains "$(cat "$T/err")" "click" "container credentials message: still shown"

# ================= 7. URLs in errors are redacted =================
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY \
	AWS_CONTAINER_CREDENTIALS_FULL_URI="http://agent:PASSWORDPART@127.0.0.1:${ctr_URL##*:}/creds?token=QUERYSECRET" \
	"$BIN/eks-token" --cluster-name c --no-cache >/dev/null 2>"$T/err"
assert_contains "$(cat "$T/err")" "container credentials endpoint" "container URL error: names the endpoint"
assert_not_contains "$(cat "$T/err")" "PASSWORDPART" "container URL error: no userinfo"
assert_not_contains "$(cat "$T/err")" "QUERYSECRET" "container URL error: no secret query value"
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY \
	AWS_CONTAINER_CREDENTIALS_FULL_URI="http://agent:PASSWORDPART@10.0.0.1/creds?token=QUERYSECRET" \
	"$BIN/eks-token" --cluster-name c --no-cache >/dev/null 2>"$T/err"
assert_contains "$(cat "$T/err")" "is not allowed" "refused container URL: says why"
assert_not_contains "$(cat "$T/err")" "PASSWORDPART" "refused container URL: no userinfo"
assert_not_contains "$(cat "$T/err")" "QUERYSECRET" "refused container URL: no secret query value"
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_EC2_METADATA_DISABLED \
	AWS_EC2_METADATA_SERVICE_ENDPOINT="http://imds:PASSWORDPART@127.0.0.1:9/?token=QUERYSECRET" \
	"$BIN/eks-token" --cluster-name c --no-cache >/dev/null 2>"$T/err"
assert_contains "$(cat "$T/err")" "instance metadata" "IMDS error: names the service"
assert_not_contains "$(cat "$T/err")" "PASSWORDPART" "IMDS error: no userinfo"
assert_not_contains "$(cat "$T/err")" "QUERYSECRET" "IMDS error: no secret query value"

# ================= 8. no core dumps =================
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	U=$(mktemp -d /tmp/ekskit-core.XXXXXX); chmod 755 "$U"
	# the helper looks at its parent: as nobody, /proc/PID of a non-dumpable
	# process belongs to root
	cat >"$U/peek" <<EOF
#!/bin/sh
stat -c %U /proc/\$PPID/status >"$U/owner.\$1"
awk '/Max core file size/ {print \$5}' /proc/\$PPID/limits >"$U/core.\$1"
printf '{"Version": 1, "AccessKeyId": "AKIAPEEK000000000001", "SecretAccessKey": "s"}'
EOF
	chmod 755 "$U/peek"
	chown nobody "$U"
	as_nobody() {
		env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY HOME="$U" XDG_CACHE_HOME="$U/cache" \
		    AWS_CONFIG_FILE="$U/config" AWS_SHARED_CREDENTIALS_FILE="$U/config" \
		    setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
	}
	printf '[profile p]\ncredential_process = %s/peek token\n' "$U" >"$U/config"
	chmod 644 "$U/config"
	(ulimit -c unlimited
	 as_nobody "$BIN/eks-token" --cluster-name c --profile p --no-cache >/dev/null 2>"$T/err")
	assert_eq root "$(cat "$U/owner.token" 2>/dev/null)" "eks-token is not dumpable ($(cat "$T/err"))"
	assert_eq 0 "$(cat "$U/core.token" 2>/dev/null)" "eks-token: core file size limit 0"
	rm -f "$U/owner.token" "$U/core.token"
	(ulimit -c unlimited; export EKSKIT_ALLOW_CORE_DUMPS=1
	 as_nobody "$BIN/eks-token" --cluster-name c --profile p --no-cache >/dev/null 2>"$T/err")
	assert_eq nobody "$(cat "$U/owner.token" 2>/dev/null)" "EKSKIT_ALLOW_CORE_DUMPS=1: dumpable"
	case $BUILD in
	*sanitize*) echo "note: ASan sets the core limit to 0 itself (disable_coredump)" ;;
	*) assert_eq unlimited "$(cat "$U/core.token" 2>/dev/null)" "EKSKIT_ALLOW_CORE_DUMPS=1: core limit kept" ;;
	esac
	# eks-satoken: an exec plugin of the kubeconfig runs before any API call
	cat >"$U/kc" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: {server: "https://127.0.0.1:9"}
users:
- name: u
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: $U/peek
      args: [satoken]
contexts:
- name: c
  context: {cluster: c, user: u}
current-context: c
EOF
	chmod 644 "$U/kc"
	(ulimit -c unlimited; as_nobody "$BIN/eks-satoken" --kubeconfig "$U/kc" --service-account x \
		>/dev/null 2>"$T/err")
	assert_eq root "$(cat "$U/owner.satoken" 2>/dev/null)" "eks-satoken is not dumpable ($(cat "$T/err"))"
	assert_eq 0 "$(cat "$U/core.satoken" 2>/dev/null)" "eks-satoken: core file size limit 0"
	rm -rf "$U"
else
	echo "note: not root or no setpriv: the core dump checks need a second user"
fi
finish
