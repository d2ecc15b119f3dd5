#!/usr/bin/env bash
# eks-token speaks aws-iam-authenticator's command line: `eks-token token -i
# NAME -r ARN -e ID -s NAME --cache`, and the same under the name
# aws-iam-authenticator (a symlink), where `token` is required and
# KUBERNETES_AWS_AUTHENTICATOR_CLUSTER_ID / DEFAULT_ROLE apply.  Under a
# frozen clock every spelling gives eks-token's very bytes; and an
# unconverted kubeconfig that runs aws-iam-authenticator signs in to the
# fake API server with real kubectl through the symlink.
set -u
. "$(dirname "$0")/../lib/common.sh"
need_moto
test_env
. "$TOP/tests/lib/k8s.sh"
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
ET=$BIN/eks-token
command -v faketime >/dev/null || die "faketime is required"
use_static_creds
mkdir -p "$T/bin"
ln -s "$ET" "$T/bin/aws-iam-authenticator"
IAM=$T/bin/aws-iam-authenticator
FT="2024-01-02 03:04:05"
frozen() { faketime -f "$FT" "$@"; }
ROLE=arn:aws:iam::123456789012:role/authn

want=$(frozen "$ET" --cluster-name demo) || fail "eks-token"
assert_eq "$want" "$(frozen "$IAM" token -i demo)" "aws-iam-authenticator token -i: eks-token's output, byte for byte"
assert_eq "$want" "$(frozen "$IAM" token --cluster-id=demo --cache)" "--cluster-id= and --cache"
assert_eq "$want" "$(frozen "$ET" token -i demo)" "eks-token token -i: the same"
assert_eq "$want" "$(KUBERNETES_AWS_AUTHENTICATOR_CLUSTER_ID=demo frozen "$IAM" token)" \
	"KUBERNETES_AWS_AUTHENTICATOR_CLUSTER_ID under the authenticator's name"
[[ $want == '{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1beta1",'* ]] &&
	ok "an ExecCredential as kubectl needs it" || fail "output: $want"
assert_eq "$(frozen "$ET" --cluster-name demo --token-only)" "$(frozen "$IAM" token -i demo --token-only)" "--token-only"

# the role flags: assumed once through moto, then from the cache, same second: same token
want=$(frozen "$ET" --cluster-name demo --role-arn "$ROLE" --session-name alice --external-id x-1 2>"$T/err") ||
	fail "eks-token with a role: $(cat "$T/err")"
assert_eq "$want" "$(frozen "$IAM" token -i demo -r "$ROLE" -s alice -e x-1)" "-r -s -e: the role, session name and external id"
assert_eq "$want" "$(DEFAULT_ROLE=$ROLE frozen "$IAM" token -i demo -s alice -e x-1)" "DEFAULT_ROLE under the authenticator's name"
[ "$want" != "$(frozen "$ET" --cluster-name demo)" ] && ok "the role changes the token" || fail "role ignored"

# usage: only the token subcommand
"$IAM" -i demo >/dev/null 2>"$T/err"
assert_eq 2 $? "aws-iam-authenticator without token: usage error"
assert_contains "$(cat "$T/err")" "only the token subcommand" "says which subcommand exists"
"$IAM" verify -i demo >/dev/null 2>&1
assert_eq 2 $? "aws-iam-authenticator verify: usage error"
"$ET" token extra -i demo >/dev/null 2>&1
assert_eq 2 $? "a second positional word: usage error"
"$IAM" token -i demo --forward-session-name -s x >/dev/null 2>&1
assert_eq 2 $? "--forward-session-name with -s: refused as aws-iam-authenticator does"

# an old kubeconfig, unconverted, through the symlink: real kubectl signs in
KDIR=$(dirname "$(readlink -f "$(command -v kubectl)")")
KOLD=$KDIR/kubectl.1.27 KNEW=$KDIR/kubectl.1.33
[ -x "$KOLD" ] && [ -x "$KNEW" ] || die "kubectl.1.27 and kubectl.1.33 are required next to kubectl"
CID=iam$$
(umask 077 && printf '%s %s\n' "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" >"$T/sigv4-secrets")
k8s_fake_start --cluster-id "$CID" --sigv4-secrets "$T/sigv4-secrets" || die "cannot start the fake API server"
k8s_kubeconfig_exec "$T/kc" v1beta1 aws-iam-authenticator token -i "$CID"
for k in "$KOLD" "$KNEW"; do
	out=$(PATH=$T/bin:$PATH "$k" --kubeconfig "$T/kc" get --raw /version 2>"$T/kerr")
	if [ $? -eq 0 ] && [[ $out == *gitVersion* ]]; then
		ok "$(basename "$k"): an aws-iam-authenticator kubeconfig works through the symlink"
	else
		fail "$(basename "$k") through the symlink: $(tail -n 3 "$T/kerr")"
	fi
done

finish
