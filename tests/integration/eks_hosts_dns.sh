#!/usr/bin/env bash
# eks-hosts' c-ares paths against loopback DNS servers (tests/fakes/fake_dns.py):
# --resolver as the address source without AWS credentials (private answers
# only), and --check comparing the hosts file and the system resolvers
# ($EKS_HOSTS_RESOLV_CONF points c-ares at a loopback "system" server) with
# the cluster's addresses: exit 0 right, 1 stale/wrong, 2 unresolvable/public.
. "$(dirname "$0")/../lib/common.sh"
test_env
unset AWS_ENDPOINT_URL          # no AWS at all in this script
export AWS_REGION=us-west-2

OKH=aaaa1111.gr7.us-west-2.eks.amazonaws.com     # private everywhere
PUBH=bbbb2222.gr7.us-west-2.eks.amazonaws.com    # the system DNS gives the public address
NXH=cccc3333.gr7.us-west-2.eks.amazonaws.com     # the system DNS does not know it
MIXH=dddd4444.gr7.us-west-2.eks.amazonaws.com    # the resolver mixes public and private
ONLYPUB=eeee5555.gr7.us-west-2.eks.amazonaws.com # the resolver gives public only

start_dns() {  # addr port records...
	local addr=$1 port=$2 pid; shift 2
	local args=() r
	for r in "$@"; do args+=(--record "$r"); done
	"$PYTHON" "$TOP/tests/fakes/fake_dns.py" --addr "$addr" --port "$port" "${args[@]}" >"$T/dns.$port" 2>&1 &
	pid=$!
	CLEANUP_PIDS="$CLEANUP_PIDS $pid"
	local i; for ((i = 0; i < 100; i++)); do
		grep -q ready "$T/dns.$port" 2>/dev/null && return 0
		kill -0 $pid 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}
VPC_DNS=$(free_port)     # stands for the VPC resolver / Route 53 inbound endpoint
start_dns 127.0.0.1 "$VPC_DNS" "$OKH=10.0.2.9,10.0.1.5" "$PUBH=10.0.1.7" "$NXH=10.0.1.8" \
	"$MIXH=52.4.4.4,10.0.3.3,fd00:ec2::3" "$ONLYPUB=52.5.5.5" || die "fake DNS did not start"
# The laptop's resolvers: resolv.conf has no port syntax, so this one listens
# on port 53 of a loopback address of its own (needs root, as in CI).
SYS_ADDR=127.$((RANDOM % 200 + 20)).$((RANDOM % 250 + 1)).$((RANDOM % 250 + 1))  # its own: parallel runs do not collide
if start_dns "$SYS_ADDR" 53 "$OKH=10.0.1.5,10.0.2.9" "$PUBH=52.9.9.9"; then
	HAVE_SYS_DNS=1
else
	echo "note: cannot bind $SYS_ADDR:53 (not root?): the system-DNS --check cases are not run"
fi
printf 'nameserver %s\n' "$SYS_ADDR" >"$T/resolv.conf"
export EKS_HOSTS_RESOLV_CONF=$T/resolv.conf
RES=127.0.0.1:$VPC_DNS
H=$T/hosts
BASE=$'127.0.0.1 localhost\n'
printf '%s' "$BASE" >"$H"

# -- --resolver: no credentials anywhere, addresses from the VPC's DNS
out=$("$BIN/eks-hosts" --resolver "$RES" --endpoint "https://$OKH" --cluster-name ok --hosts-file "$H" 2>&1)
assert_eq 0 $? "--resolver without AWS credentials: exit 0 ($out)"
assert_contains "$(cat "$H")" "# BEGIN eks-hosts us-west-2/ok
10.0.1.5 $OKH
10.0.2.9 $OKH
# END eks-hosts us-west-2/ok" "--resolver: sorted private addresses in the block"

out=$("$BIN/eks-hosts" --resolver "$RES" --endpoint "$MIXH" --cluster-name mix --hosts-file "$H" 2>&1)
assert_eq 0 $? "--resolver with mixed answers: exit 0"
assert_contains "$out" "ignoring the public address 52.4.4.4" "--resolver: public answer dropped with a warning"
assert_contains "$(cat "$H")" "10.0.3.3 $MIXH
fd00:ec2::3 $MIXH
# END eks-hosts us-west-2/mix" "--resolver: private IPv4 and ULA IPv6 kept"
assert_not_contains "$(cat "$H")" "52.4.4.4" "--resolver: no public address written"

before=$(stat -c '%i %y' "$H")
out=$("$BIN/eks-hosts" --resolver "$RES" --endpoint "$ONLYPUB" --cluster-name pub --hosts-file "$H" 2>&1)
assert_eq 1 $? "--resolver with public answers only: exit 1"
assert_contains "$out" "public only" "--resolver public only: says so"
out=$("$BIN/eks-hosts" --resolver "$RES" --endpoint "nothere.gr7.us-west-2.eks.amazonaws.com" --cluster-name nx --hosts-file "$H" 2>&1)
assert_eq 1 $? "--resolver with NXDOMAIN: exit 1"
out=$("$BIN/eks-hosts" --resolver "$RES" --endpoint "https://evil.example.com" --cluster-name e --hosts-file "$H" 2>&1)
assert_eq 1 $? "--endpoint outside the EKS domains: refused"
assert_rc 2 "--resolver with a host name: usage error" "$BIN/eks-hosts" --resolver dns.example.com --endpoint "$OKH" --cluster-name x --hosts-file "$H"
assert_rc 2 "--resolver non-loopback in tests: refused" "$BIN/eks-hosts" --resolver 10.0.0.2 --endpoint "$OKH" --cluster-name x --hosts-file "$H"
assert_rc 2 "--endpoint without --resolver: usage error" "$BIN/eks-hosts" --endpoint "$OKH" --cluster-name x --hosts-file "$H"
assert_eq "$before" "$(stat -c '%i %y' "$H")" "refused runs left the file untouched"
# an unanswered resolver times out instead of hanging
DEAD=$(free_port)
t0=$SECONDS
"$BIN/eks-hosts" --resolver "127.0.0.1:$DEAD" --endpoint "$OKH" --cluster-name x --hosts-file "$H" >/dev/null 2>&1
rc=$?
[ $rc -ne 0 ] && [ $((SECONDS - t0)) -lt 15 ] && ok "silent resolver: fails within the timeout" || fail "silent resolver: rc $rc after $((SECONDS - t0)) s"

# -- --check
chk() {  # expected-rc message host cluster [extra...]
	local want=$1 msg=$2 host=$3 cl=$4 out rc; shift 4
	out=$("$BIN/eks-hosts" --check --resolver "$RES" --endpoint "$host" --cluster-name "$cl" --hosts-file "$H" "$@" 2>&1); rc=$?
	if [ "$rc" = "$want" ]; then ok "$msg"; else fail "$msg: exit $rc, want $want: $out"; fi
	LAST=$out
}
chk 0 "--check: right block: 0" "$OKH" ok
assert_contains "$LAST" "OK" "--check prints OK"
printf '%s' "$BASE" >"$H"
if [ -n "${HAVE_SYS_DNS:-}" ]; then
	chk 0 "--check: no block, system DNS gives the private addresses: 0" "$OKH" ok
	chk 2 "--check: no block, system DNS gives a public address only: 2" "$PUBH" pub
	assert_contains "$LAST" "public addresses only" "--check explains public only"
	chk 0 "--check --probe still gives the DNS verdict" "$OKH" ok --probe
	assert_contains "$LAST" "probe 10.0.1.5 port 443: failed" "--probe reports each address (non-loopback is refused in tests)"
fi
chk 2 "--check: no block, not resolvable: 2" "$NXH" nx
"$BIN/eks-hosts" --resolver "$RES" --endpoint "$PUBH" --cluster-name pub --hosts-file "$H" || fail "write pub"
chk 0 "--check: the block fixes what DNS gets wrong: 0" "$PUBH" pub
sed -i 's/^10\.0\.1\.7 /10.0.1.99 /' "$H"
chk 1 "--check: stale block: 1" "$PUBH" pub
assert_contains "$LAST" "stale" "--check says stale"
printf '%s10.0.1.66 %s\n' "$BASE" "$NXH" >"$H"
chk 1 "--check: a foreign line maps the endpoint to a wrong address: 1" "$NXH" nx
finish
