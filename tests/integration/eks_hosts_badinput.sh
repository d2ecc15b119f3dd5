#!/usr/bin/env bash
# eks-hosts against a loopback fake EKS/EC2 that answers with crafted
# responses: every bad answer is refused and the hosts file stays untouched
# (same bytes, same inode, same mtime); the good ones give exactly the right
# block (secondary addresses, in-use preference, decoys, two pages, IPv6).
. "$(dirname "$0")/../lib/common.sh"
test_env
use_static_creds

PORT=$(free_port)
"$PYTHON" "$TOP/tests/fakes/fake_eks_ec2.py" --port "$PORT" --log "$T/requests.log" >"$T/fake.out" 2>"$T/fake.err" &
CLEANUP_PIDS="$!"
wait_port "$PORT" 20 || die "fake EKS/EC2 did not start: $(cat "$T/fake.err")"
export AWS_ENDPOINT_URL="http://127.0.0.1:$PORT"
export AWS_REGION=us-west-2
HOST=0123456789abcdef0123456789abcdef.gr7.us-west-2.eks.amazonaws.com

H=$T/hosts
ORIG=$'127.0.0.1 localhost\r\n# keep me\tplease\r\n10.1.1.1 other.example'
printf '%s' "$ORIG" >"$H"

fingerprint() { stat -c '%i %Y %s' "$H"; sha256sum <"$H"; }

refused() {  # cluster expected-message-fragment
	local before after out rc
	before=$(fingerprint)
	out=$("$BIN/eks-hosts" --cluster-name "$1" --hosts-file "$H" 2>&1); rc=$?
	after=$(fingerprint)
	if [ $rc -eq 0 ]; then fail "$1: accepted (exit 0): $out"; return; fi
	assert_contains "$out" "$2" "$1: refused with a clear message"
	assert_eq "$before" "$after" "$1: hosts file untouched"
}

refused badaddr "not a valid IP address"
refused nladdr "not a valid IP address"
refused nlhost "malformed eks response"
refused spacehost "not an EKS API host name"
refused otherdomain "not an EKS API host name"
refused otherregion "not an EKS API host name"
refused errxml "UnauthorizedOperation"
refused garbage "ec2 DescribeNetworkInterfaces"
refused zero "no network interface described"
refused pubonly "private endpoint access turned off"
refused nosuchcluster "No cluster found"
[ -z "$(ls "$T" | grep -E 'hosts\.tmp|hosts\.eks-hosts\.bak')" ] && ok "no temp or backup files left by refused runs" \
	|| fail "leftover files: $(ls "$T")"

# good: secondary addresses, in-use only, decoys (-2 suffix, other VPC) ignored
"$BIN/eks-hosts" --cluster-name good --hosts-file "$H" || fail "good: exit $?"
EXP=$'127.0.0.1 localhost\r\n# keep me\tplease\r\n10.1.1.1 other.example\r\n# BEGIN eks-hosts us-west-2/good\r\n'
EXP+="10.0.1.5 $HOST"$'\r\n'"10.0.1.6 $HOST"$'\r\n'"10.0.2.9 $HOST"$'\r\n# END eks-hosts us-west-2/good'
assert_eq "$EXP" "$(cat "$H")" "good: exactly the in-use ENI addresses, CRLF kept, still no final newline"
assert_eq "$ORIG" "$(cat "$H.eks-hosts.bak")" "good: backup holds the previous file"

# two pages of results are both read
"$BIN/eks-hosts" --cluster-name paged --hosts-file "$H" || fail "paged: exit $?"
assert_contains "$(cat "$H")" "10.0.1.5 $HOST"$'\r\n'"10.0.2.9 $HOST"$'\r\n# END eks-hosts us-west-2/paged' "paged: NextToken followed"
grep -c "POST" "$T/requests.log" >/dev/null

# UPDATING warns but works
out=$("$BIN/eks-hosts" --cluster-name updating --hosts-file "$H" 2>&1) || fail "updating: exit $?"
assert_contains "$out" "is UPDATING" "updating: warning printed"

# IPv6 cluster: dual-stack api.aws endpoint, IPv4 and IPv6 addresses
"$BIN/eks-hosts" --cluster-name v6 --hosts-file "$H" || fail "v6: exit $?"
assert_contains "$(cat "$H")" $'10.0.1.5 0123456789abcdef.us-west-2.api.aws\r\n2600:1f14:abc::10 0123456789abcdef.us-west-2.api.aws\r\n' "v6: IPv4 and IPv6 addresses"

# removing every block gives back the original bytes
for c in good paged updating v6; do "$BIN/eks-hosts" --remove --cluster-name $c --hosts-file "$H" || fail "remove $c"; done
assert_eq "$ORIG" "$(cat "$H")" "--remove of every block restores the original bytes"

# usage errors exit 2
assert_rc 2 "no cluster name: usage error" "$BIN/eks-hosts" --hosts-file "$H"
assert_rc 2 "--all with --cluster-name: usage error" "$BIN/eks-hosts" --all --cluster-name x --hosts-file "$H"
assert_rc 2 "--probe without --check: usage error" "$BIN/eks-hosts" --probe --cluster-name x --hosts-file "$H"
assert_rc 2 "unknown flag: usage error" "$BIN/eks-hosts" --bogus
assert_rc 0 "--help" "$BIN/eks-hosts" --help
out=$("$BIN/eks-hosts" --version); assert_contains "$out" "eks-hosts" "--version names the tool"

# the completion scripts and the man page cover every flag of the table
flags=$("$BIN/eks-hosts" --list-flags | cut -f1)
[ -n "$flags" ] || fail "--list-flags printed nothing"
missing=
for f in $flags; do
	for file in completions/eks-hosts.bash completions/_eks-hosts completions/eks-hosts.fish man/eks-hosts.1; do
		grep -q -- "${f#--}" "$TOP/$file" || missing="$missing $f:$file"
	done
done
assert_eq "" "$missing" "completions and man page cover every flag"
finish
