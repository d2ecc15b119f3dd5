#!/usr/bin/env bash
# eks-hosts --list [-o table|json] and --restore against moto.
#
# --list: several blocks (current, stale addresses, a cluster that no longer
# exists, a cluster whose private access is off, another region), the table
# and the JSON, --region as a filter, "unknown" without credentials.
# --restore: the backup comes back byte for byte, atomically, under the lock,
# mode kept, and becomes undoable; refused without a backup, with a backup
# that is not ours (symlink, writable by others, differs outside the blocks)
# or a corrupt one (NUL bytes, damaged block), leaving the file untouched.
set -u
. "$(dirname "$0")/../lib/common.sh"
test_env
need_moto
use_static_creds
command -v aws >/dev/null || die "the AWS CLI is needed to set up moto"
export AWS_REGION=ap-southeast-4 AWS_DEFAULT_REGION=ap-southeast-4
R=$AWS_REGION
AWS="aws --endpoint-url $MOTO_URL --output text"
EH=$BIN/eks-hosts

VPC=$($AWS ec2 create-vpc --cidr-block 10.7.0.0/16 --query Vpc.VpcId) || die "create-vpc"
SUB=$($AWS ec2 create-subnet --vpc-id "$VPC" --cidr-block 10.7.1.0/24 --query Subnet.SubnetId) || die "subnet"
mkcluster() {  # name private-access
	$AWS eks create-cluster --name "$1" --role-arn arn:aws:iam::123456789012:role/eks \
		--resources-vpc-config "subnetIds=$SUB,endpointPrivateAccess=$2,endpointPublicAccess=true" \
		--query cluster.endpoint || die "create-cluster $1"
}
EP=$(mkcluster alpha true)
HOST=$(echo "$EP" | sed -e 's|^https://||' -e 's|/.*||' | tr 'A-Z' 'a-z')
mkcluster beta true >/dev/null
mkcluster nopriv false >/dev/null
for spec in "alpha 10.7.1.10" "alpha 10.7.1.11" "beta 10.7.1.20"; do
	set -- $spec
	$AWS ec2 create-network-interface --subnet-id "$SUB" --description "Amazon EKS $1" \
		--private-ip-address "$2" --query NetworkInterface.NetworkInterfaceId >/dev/null || die "eni $spec"
done

H=$T/hosts
ORIG=$'127.0.0.1\tlocalhost\n# keep me\n'
printf '%s' "$ORIG" >"$H"
chmod 0644 "$H"

# ---------------- --list
"$EH" --cluster-name alpha --hosts-file "$H" || fail "write alpha"
"$EH" --cluster-name beta --hosts-file "$H" || fail "write beta"
sed -i 's/^10\.7\.1\.20 /10.7.1.29 /' "$H"          # beta's block goes stale
cat >>"$H" <<EOF
# BEGIN eks-hosts $R/nopriv
10.7.1.60 $HOST
# END eks-hosts $R/nopriv
# BEGIN eks-hosts eu-west-3/gone
10.3.3.3 abcd.gr7.eu-west-3.eks.amazonaws.com
# END eks-hosts eu-west-3/gone
EOF
out=$("$EH" --list --hosts-file "$H"); rc=$?
assert_eq 0 "$rc" "--list: exit 0"
row() { printf '%s\n' "$out" | awk -v r="$1" -v c="$2" '$1 == r && $2 == c { print $3 " " $4 }'; }
assert_eq "current 10.7.1.10" "$(row "$R" alpha)" "--list: alpha current, its addresses"
assert_eq "stale 10.7.1.29" "$(row "$R" beta)" "--list: beta stale (the addresses changed)"
assert_eq "stale 10.7.1.60" "$(row "$R" nopriv)" "--list: nopriv stale (private access off)"
assert_eq "stale 10.3.3.3" "$(row eu-west-3 gone)" "--list: a block of another region, cluster gone"
assert_contains "$out" "$R/beta: stale: the cluster's private addresses are now 10.7.1.20: run eks-hosts --region $R --cluster-name beta" "--list says what to run for a stale block"
assert_contains "$out" "eu-west-3/gone: stale: there is no cluster gone in eu-west-3" "--list says the cluster is gone"
assert_contains "$out" "$R/nopriv: stale: private endpoint access is off" "--list says private access is off"
assert_contains "$(printf '%s\n' "$out" | head -n 1)" "REGION" "--list: a header row"

json=$("$EH" --list -o json --hosts-file "$H") || fail "--list -o json"
got=$("$PYTHON" - "$json" <<'EOF'
import json, sys
d = json.loads(sys.argv[1])
for b in d["blocks"]:
    print(b["region"], b["cluster"], b["status"], ",".join(b["addresses"]),
          ",".join(b.get("cluster_addresses") or []), b["host"].split(".")[-4])
print("file", d["hosts_file"].rsplit("/", 1)[-1])
EOF
)
assert_eq "$R alpha current 10.7.1.10,10.7.1.11 10.7.1.10,10.7.1.11 $R
$R beta stale 10.7.1.29 10.7.1.20 $R
$R nopriv stale 10.7.1.60  $R
eu-west-3 gone stale 10.3.3.3  eu-west-3
file hosts" "$got" "--list -o json: every block, status, addresses, cluster addresses"

out=$("$EH" --list --region eu-west-3 --hosts-file "$H")
assert_contains "$out" "eu-west-3  gone" "--list --region: that region's block"
assert_not_contains "$out" "alpha" "--list --region: no other region's block"

out=$(env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY "$EH" --list --hosts-file "$H" 2>&1); rc=$?
assert_eq 0 "$rc" "--list without credentials: exit 0"
assert_eq "unknown 10.7.1.10" "$(row "$R" alpha)" "--list without credentials: unknown"
assert_contains "$out" "$R/alpha: unknown: cannot ask AWS" "--list without credentials says why"

printf '%s' "$ORIG" >"$T/empty-hosts"
assert_eq "no eks-hosts blocks in $T/empty-hosts" "$("$EH" --list --hosts-file "$T/empty-hosts")" "--list of a file without blocks"
assert_eq '[]' "$("$EH" --list -o json --hosts-file "$T/empty-hosts" | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["blocks"])')" "--list -o json without blocks"
printf '# BEGIN eks-hosts %s/alpha\n10.7.1.10 %s\n' "$R" "$HOST" >"$T/damaged"
out=$("$EH" --list --hosts-file "$T/damaged" 2>&1); rc=$?
assert_eq 1 "$rc" "--list of a damaged block: exit 1"
assert_contains "$out" "damaged eks-hosts block at line 1" "--list of a damaged block says where"

for args in "--list --cluster-name alpha" "--list --all" "--list --check" "--list --dry-run" "--list -o yaml" \
	"-o json --cluster-name alpha" "--list --restore" "--restore --remove" "--restore --cluster-name alpha" \
	"--restore --region $R"; do
	# shellcheck disable=SC2086
	assert_rc 2 "usage: $args" "$EH" $args --hosts-file "$H" 2>/dev/null
done

# ---------------- --restore
printf '%s' "$ORIG" >"$H"
rm -f "$H.eks-hosts.bak"
out=$("$EH" --restore --hosts-file "$H" 2>&1); rc=$?
assert_eq 1 "$rc" "--restore without a backup: exit 1"
assert_contains "$out" "there is no backup to restore" "--restore without a backup says so"

"$EH" --cluster-name alpha --hosts-file "$H" || fail "write alpha"
WITH=$(cat "$H"; echo x); WITH=${WITH%x}
out=$("$EH" --restore --dry-run --hosts-file "$H"); rc=$?
assert_eq 0 "$rc" "--restore --dry-run: exit 0"
assert_contains "$out" "-# BEGIN eks-hosts $R/alpha" "--restore --dry-run shows the diff"
[ "$(cat "$H"; echo x)" = "${WITH}x" ] && ok "--restore --dry-run writes nothing" || fail "--restore --dry-run wrote"

# held lock: --restore waits for it, then restores
"$PYTHON" - "$H.eks-hosts.lock" <<'EOF' &
import fcntl, sys, time
f = open(sys.argv[1], "a")
fcntl.flock(f, fcntl.LOCK_EX)
open(sys.argv[1] + ".held", "w").close()
time.sleep(2)
EOF
LOCKER=$!
for _ in $(seq 100); do [ -e "$H.eks-hosts.lock.held" ] && break; sleep 0.05; done
t0=$(date +%s%N)
out=$("$EH" --restore --hosts-file "$H"); rc=$?
waited=$((($(date +%s%N) - t0) / 1000000))
wait "$LOCKER"
assert_eq 0 "$rc" "--restore: exit 0"
[ "$waited" -ge 1000 ] && ok "--restore waited for the held lock (${waited} ms)" || fail "--restore did not wait for the lock (${waited} ms)"
assert_contains "$out" "restored $H from its backup" "--restore says what it did"
[ "$(cat "$H"; echo x)" = "${ORIG}x" ] && ok "--restore: the original bytes are back" || fail "--restore: content differs"
assert_eq 644 "$(stat -c %a "$H")" "--restore keeps the mode"
[ "$(cat "$H.eks-hosts.bak"; echo x)" = "${WITH}x" ] && ok "--restore: the replaced file is the new backup" || fail "backup after restore"
"$EH" --restore --hosts-file "$H" >/dev/null || fail "second --restore"
[ "$(cat "$H"; echo x)" = "${WITH}x" ] && ok "a second --restore undoes the first" || fail "second --restore content"
# no AWS needed
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY "$EH" --restore --hosts-file "$H" >/dev/null ||
	fail "--restore without credentials"
[ "$(cat "$H"; echo x)" = "${ORIG}x" ] && ok "--restore needs no AWS credentials" || fail "--restore without credentials: content"

refused() {  # message expected-fragment
	local before out rc
	before=$(stat -c '%i %Y' "$H"; sha256sum <"$H")
	out=$("$EH" --restore --hosts-file "$H" 2>&1); rc=$?
	assert_eq 1 "$rc" "$1: exit 1"
	assert_contains "$out" "$2" "$1: says why"
	assert_eq "$before" "$(stat -c '%i %Y' "$H"; sha256sum <"$H")" "$1: the hosts file untouched"
}
"$EH" --cluster-name alpha --hosts-file "$H" >/dev/null || fail "write alpha again"
cp -p "$H.eks-hosts.bak" "$T/good.bak"

# edited by hand after the change: restoring would undo that
printf '10.9.9.9 mine.example\n' >>"$H"
refused "the file was edited since" "differs from the hosts file outside the eks-hosts blocks"
sed -i '/mine\.example/d' "$H"
# a backup that is someone else's file
printf '10.1.1.1 other.example\n' >"$H.eks-hosts.bak"
refused "a foreign backup" "not a backup eks-hosts made of this file"
cp -p "$T/good.bak" "$H.eks-hosts.bak"; chmod 0666 "$H.eks-hosts.bak"
refused "a backup writable by others" "is not a backup eks-hosts made"
rm -f "$H.eks-hosts.bak"; ln -s "$T/good.bak" "$H.eks-hosts.bak"
refused "a backup that is a symlink" "is not a backup eks-hosts made"
rm -f "$H.eks-hosts.bak"
{ printf '%s' "$ORIG"; printf 'x\0y\n'; } >"$H.eks-hosts.bak"
refused "a backup with NUL bytes" "is corrupt"
printf '%s# BEGIN eks-hosts %s/alpha\n10.7.1.10 %s\n' "$ORIG" "$R" "$HOST" >"$H.eks-hosts.bak"
refused "a backup with a damaged block" "is corrupt"
cp -p "$T/good.bak" "$H.eks-hosts.bak"
"$EH" --restore --hosts-file "$H" >/dev/null || fail "restore after the refusals"
[ "$(cat "$H"; echo x)" = "${ORIG}x" ] && ok "a good backup still restores after the refusals" || fail "final restore"
[ -z "$(ls "$T" | grep -E 'hosts\..*tmp')" ] && ok "no temporary files left" || fail "temporary files: $(ls "$T")"
finish
