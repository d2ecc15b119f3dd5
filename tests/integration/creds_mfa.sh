#!/usr/bin/env bash
# MFA for assume-role profiles through eks-token, on a pseudo-terminal: the
# prompt is on the terminal (stderr), never stdout; the code is read from
# /dev/tty; the assumed credentials are cached, so the next run (without any
# terminal) does not ask again.  No terminal and no cache: a clear error.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/creds.sh"
test_env
need_moto

write_static_profile base AKIABASEFORMFA000001
cat >"$AWS_CONFIG_FILE" <<EOF
[profile mfa]
role_arn = arn:aws:iam::123456789012:role/admin
source_profile = base
mfa_serial = arn:aws:iam::123456789012:mfa/alice
role_session_name = alice
EOF
PTY="$PYTHON $TOP/tests/lib/pty_run.py"

$PTY "$T/out1" "$T/tty1" "Enter MFA code" 123456 -- \
	"$BIN/eks-token" --cluster-name test-cluster --profile mfa
assert_eq 0 "$?" "MFA on a terminal: exit 0 ($(cat "$T/tty1"))"
assert_contains "$(cat "$T/tty1")" "Enter MFA code for arn:aws:iam::123456789012:mfa/alice" "prompt shown on the terminal"
assert_eq 1 "$(wc -l <"$T/out1" | tr -d ' ')" "stdout is one line"
assert_not_contains "$(cat "$T/out1")" "Enter MFA code" "no prompt on stdout"
k1=$(token_akid <"$T/out1")
case $k1 in ASIA*) ok "signed by the assumed role ($k1)" ;; *) fail "unexpected key $k1" ;; esac
assert_eq "$k1" "$(cache_akids)" "assumed credentials cached"

# the next kubectl call has no terminal at all: served from the cache, no prompt
OUT=$(setsid -w "$BIN/eks-token" --cluster-name test-cluster --profile mfa </dev/null 2>"$T/err2")
assert_eq 0 "$?" "second run without a terminal: exit 0 ($(cat "$T/err2"))"
assert_eq "$k1" "$(token_akid <<<"$OUT")" "second run: the cached role session"
assert_not_contains "$(cat "$T/err2")" "Enter MFA code" "second run: no prompt"

# without a terminal and without the cache: a clear error, never a hang
OUT=$(setsid -w "$BIN/eks-token" --cluster-name test-cluster --profile mfa --no-cache </dev/null 2>"$T/err3")
assert_eq 1 "$?" "no terminal, no cache: exit 1"
assert_contains "$(cat "$T/err3")" "no terminal" "no terminal: says so"
assert_contains "$(cat "$T/err3")" "mfa/alice" "no terminal: names the MFA device"
assert_eq "" "$OUT" "no terminal: nothing on stdout"

# a wrong-format code is asked again on the terminal
"$BIN/eks-token" --clear-cache 2>/dev/null
$PTY "$T/out4" "$T/tty4" "Enter MFA code" 'abc|654321' -- \
	"$BIN/eks-token" --cluster-name test-cluster --profile mfa
assert_eq 0 "$?" "bad code, then a good one: exit 0"
assert_contains "$(cat "$T/tty4")" "6 to 8 digits" "bad code: explained on the terminal"
case $(token_akid <"$T/out4") in ASIA*) ok "second answer used" ;; *) fail "no token after retry" ;; esac
finish
