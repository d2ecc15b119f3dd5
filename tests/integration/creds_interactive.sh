#!/usr/bin/env bash
# MFA prompting follows kubectl's spec.interactive (KUBERNETES_EXEC_INFO),
# driven through a pseudo-terminal: interactive true prompts on the terminal
# and answers spec.interactive true; interactive false never prompts, even
# with a terminal, and fails at once naming the command to run in a
# terminal; no exec info (run by hand) prompts on the terminal.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/creds.sh"
test_env
need_moto

write_static_profile base AKIABASEFORMFA000002
cat >"$AWS_CONFIG_FILE" <<EOF
[profile mfa]
role_arn = arn:aws:iam::123456789012:role/admin
source_profile = base
mfa_serial = arn:aws:iam::123456789012:mfa/alice
EOF
PTY="$PYTHON $TOP/tests/lib/pty_run.py"
info() { printf '{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/%s","spec":{"interactive":%s}}' "$1" "$2"; }
spec() { "$PYTHON" -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["spec"], sort_keys=True))' <"$1"; }

for v in v1 v1beta1; do
	"$BIN/eks-token" --clear-cache >/dev/null 2>&1
	# kubectl says interactive: the prompt is on the terminal
	KUBERNETES_EXEC_INFO=$(info $v true) $PTY "$T/out-$v" "$T/tty-$v" "Enter MFA code" 123456 -- \
		"$BIN/eks-token" --cluster-name test-cluster --profile mfa
	assert_eq 0 "$?" "$v interactive true: exit 0 ($(cat "$T/tty-$v"))"
	assert_contains "$(cat "$T/tty-$v")" "Enter MFA code for arn:aws:iam::123456789012:mfa/alice" "$v interactive true: prompted"
	assert_eq '{"interactive": true}' "$(spec "$T/out-$v")" "$v: the answer echoes spec.interactive true"

	# kubectl says not interactive: no prompt although a terminal is there
	"$BIN/eks-token" --clear-cache >/dev/null 2>&1
	start=$SECONDS
	KUBERNETES_EXEC_INFO=$(info $v false) $PTY "$T/outn-$v" "$T/ttyn-$v" "Enter MFA code" 123456 -- \
		"$BIN/eks-token" --cluster-name test-cluster --profile mfa
	assert_eq 1 "$?" "$v interactive false: exit 1"
	assert_not_contains "$(cat "$T/ttyn-$v")" "Enter MFA code" "$v interactive false: never prompts"
	assert_contains "$(tr -d '\r\n' <"$T/ttyn-$v")" 'run `eks-token --cluster-name test-cluster --profile mfa` in a terminal' \
		"$v interactive false: names the command to run in a terminal"
	assert_eq "" "$(cat "$T/outn-$v")" "$v interactive false: nothing on stdout"
	[ $((SECONDS - start)) -lt 20 ] && ok "$v interactive false: fails at once" || fail "took $((SECONDS - start)) s"
done

# the hint quotes what a shell would need
KUBERNETES_EXEC_INFO=$(info v1 false) "$BIN/eks-token" --cluster-name 'my cluster' --profile mfa \
	--region us-east-1 >/dev/null 2>"$T/err-q" </dev/null
assert_contains "$(cat "$T/err-q")" "eks-token --cluster-name 'my cluster' --region us-east-1 --profile mfa" "hint is shell-quoted"

# the cache filled from a terminal serves the non-interactive kubectl call
"$BIN/eks-token" --clear-cache >/dev/null 2>&1
$PTY "$T/out-h" "$T/tty-h" "Enter MFA code" 123456 -- "$BIN/eks-token" --cluster-name test-cluster --profile mfa
assert_eq 0 "$?" "by hand, no exec info: prompted and exit 0"
assert_contains "$(cat "$T/tty-h")" "Enter MFA code" "by hand: prompted"
OUT=$(KUBERNETES_EXEC_INFO=$(info v1 false) "$BIN/eks-token" --cluster-name test-cluster --profile mfa 2>"$T/err-c" </dev/null)
assert_eq 0 "$?" "non-interactive after filling the cache: exit 0 ($(cat "$T/err-c"))"
assert_eq "$(token_akid <"$T/out-h")" "$(token_akid <<<"$OUT")" "non-interactive: the cached role session"
finish
