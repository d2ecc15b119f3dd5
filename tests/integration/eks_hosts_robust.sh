#!/usr/bin/env bash
# eks-hosts file handling under stress, against the loopback fake EKS/EC2:
# 20 parallel runs into one file, runs killed mid-write, the EBUSY fallback
# (a real bind mount in a private mount namespace, and the injected hook),
# read-only files and mounts, a non-root user, --flush-dns.
. "$(dirname "$0")/../lib/common.sh"
test_env
use_static_creds

PORT=$(free_port)
"$PYTHON" "$TOP/tests/fakes/fake_eks_ec2.py" --port "$PORT" >"$T/fake.out" 2>"$T/fake.err" &
CLEANUP_PIDS="$!"
wait_port "$PORT" 20 || die "fake EKS/EC2 did not start: $(cat "$T/fake.err")"
export AWS_ENDPOINT_URL="http://127.0.0.1:$PORT" AWS_REGION=us-west-2
HOST=0123456789abcdef0123456789abcdef.gr7.us-west-2.eks.amazonaws.com
H=$T/hosts
FOREIGN=$'127.0.0.1\tlocalhost\n# a comment\n::1 ip6-localhost\n# BEGIN other-tool\n10.9.9.9 x\n# END other-tool\n'
same_bytes() {  # file expected-content message ($(...) would drop final newlines)
	if printf '%s' "$2" | cmp -s - "$1"; then ok "$3"; else fail "$3: $(printf '%s' "$2" | cmp - "$1" 2>&1)"; fi
}

# ---- 20 parallel runs, different clusters, one file
printf '%s' "$FOREIGN" >"$H"
pids=
for i in $(seq 1 20); do
	"$BIN/eks-hosts" --cluster-name "par$i" --hosts-file "$H" 2>"$T/par$i.err" &
	pids="$pids $!"
done
rcs=0
for p in $pids; do wait "$p" || rcs=$((rcs + 1)); done
assert_eq 0 "$rcs" "20 parallel runs all succeeded"
missing=0
for i in $(seq 1 20); do
	block="# BEGIN eks-hosts us-west-2/par$i
10.0.$i.5 $HOST
10.0.$i.6 $HOST
# END eks-hosts us-west-2/par$i"
	case "$(cat "$H")" in *"$block"*) ;; *) missing=$((missing + 1)) ;; esac
done
assert_eq 0 "$missing" "every one of the 20 blocks is present and complete"
head -c ${#FOREIGN} "$H" >"$T/head"
same_bytes "$T/head" "$FOREIGN" "foreign lines intact after the parallel runs"
assert_eq 20 "$(grep -c '^# BEGIN eks-hosts' "$H")" "exactly 20 blocks"
assert_eq "" "$(ls "$T" | grep 'hosts\.tmp')" "no temp files left"
for i in $(seq 1 20); do "$BIN/eks-hosts" --remove --cluster-name "par$i" --hosts-file "$H" || fail "remove par$i"; done
same_bytes "$H" "$FOREIGN" "removing the 20 blocks restores the file"

# ---- killed mid-write: the file is always the old or the new one
BIG=$T/big
{ printf '%s' "$FOREIGN"; for i in $(seq 1 120000); do echo "10.$((i / 65536 % 256)).$((i / 256 % 256)).$((i % 256)) host$i.example.internal # filler line"; done; } >"$BIG"
cp "$BIG" "$T/newref"
"$BIN/eks-hosts" --cluster-name good --hosts-file "$T/newref" || fail "reference run"
OLD_SUM=$(sha256sum <"$BIG")
NEW_SUM=$(sha256sum <"$T/newref")
[ "$OLD_SUM" != "$NEW_SUM" ] || fail "reference run changed nothing"
torn=0 seen_old=0 seen_new=0
for d in 0.005 0.01 0.02 0.03 0.04 0.06 0.08 0.1 0.15 0.25; do
	cp "$BIG" "$H"
	"$BIN/eks-hosts" --cluster-name good --hosts-file "$H" 2>/dev/null &
	p=$!
	sleep "$d"
	kill -9 "$p" 2>/dev/null
	wait "$p" 2>/dev/null
	s=$(sha256sum <"$H")
	if [ "$s" = "$OLD_SUM" ]; then seen_old=$((seen_old + 1))
	elif [ "$s" = "$NEW_SUM" ]; then seen_new=$((seen_new + 1))
	else torn=$((torn + 1)); fi
	rm -f "$H".tmp.*
done
assert_eq 0 "$torn" "killed runs left the old or the new file, never a torn one (old $seen_old, new $seen_new)"
# the sidecar flock dies with its holder: a run right after a kill is not blocked
cp "$BIG" "$H"
"$BIN/eks-hosts" --cluster-name good --hosts-file "$H" &
p=$!; sleep 0.05; kill -9 $p 2>/dev/null; wait $p 2>/dev/null
timeout 10 "$BIN/eks-hosts" --cluster-name good --hosts-file "$H" || fail "a run after a killed one failed"
assert_eq "$NEW_SUM" "$(sha256sum <"$H")" "run after a kill completes the change"

# ---- EBUSY: a bind-mounted file cannot be renamed over (as /etc/hosts in a container)
printf '%s' "$FOREIGN" >"$T/real-hosts"
: >"$H"
if unshare -m true 2>/dev/null; then
	out=$(unshare -m bash -c "mount --bind '$T/real-hosts' '$H' && '$BIN/eks-hosts' -v --cluster-name good --hosts-file '$H'" 2>&1)
	rc=$?
	assert_eq 0 "$rc" "bind-mounted hosts file: success"
	assert_contains "$out" "in place" "bind-mounted hosts file: in-place fallback used"
	assert_contains "$(cat "$T/real-hosts")" "10.0.2.9 $HOST" "bind-mounted hosts file: block written through the mount"
	same_bytes "$H.eks-hosts.bak" "$FOREIGN" "bind-mounted hosts file: backup of the previous file"
	# read-only bind mount: nothing written, block printed, exit 1
	before=$(sha256sum <"$T/real-hosts")
	out=$(unshare -m bash -c "mount --bind '$T/real-hosts' '$H' && mount -o remount,ro,bind '$H' && '$BIN/eks-hosts' --cluster-name par7 --hosts-file '$H'" 2>&1)
	rc=$?
	assert_eq 1 "$rc" "read-only mount: exit 1"
	assert_contains "$out" "# BEGIN eks-hosts us-west-2/par7" "read-only mount: the block is printed"
	assert_contains "$out" "read-only" "read-only mount: says why"
	assert_eq "$before" "$(sha256sum <"$T/real-hosts")" "read-only mount: file untouched"
else
	echo "note: unshare -m not permitted here; the injected EBUSY below covers the fallback"
fi
rm -f "$H" "$H.eks-hosts.bak"
printf '%s' "$FOREIGN" >"$H"
ino=$(stat -c %i "$H")
out=$(EKSKIT_TEST_HOSTS_FAIL_RENAME=1 "$BIN/eks-hosts" -v --cluster-name good --hosts-file "$H" 2>&1) || fail "injected EBUSY: $out"
assert_contains "$out" "in place" "injected EBUSY: in-place fallback"
assert_eq "$ino" "$(stat -c %i "$H")" "injected EBUSY: same inode (rewritten in place)"
same_bytes "$H.eks-hosts.bak" "$FOREIGN" "injected EBUSY: backup kept"

# ---- read-only file (mode 0444)
printf '%s' "$FOREIGN" >"$H"; chmod 0444 "$H"
before=$(stat -c '%i %Y' "$H")
out=$("$BIN/eks-hosts" --cluster-name good --hosts-file "$H" 2>&1); rc=$?
assert_eq 1 "$rc" "0444 file: exit 1"
assert_contains "$out" "10.0.1.5 $HOST" "0444 file: the block is printed for manual use"
assert_eq "$before" "$(stat -c '%i %Y' "$H")" "0444 file: untouched"
chmod 0644 "$H"

# ---- not root, file not writable: error suggesting sudo, nothing written
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	U=$(mktemp -d /tmp/ekskit-nonroot.XXXXXX); chmod 755 "$U"
	printf '%s' "$FOREIGN" >"$U/hosts"; chmod 644 "$U/hosts"
	: >"$U/aws-config"; chmod 644 "$U/aws-config"
	before=$(stat -c '%i %Y' "$U/hosts")
	out=$(AWS_CONFIG_FILE=$U/aws-config AWS_SHARED_CREDENTIALS_FILE=$U/aws-config HOME=$U \
		setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$BIN/eks-hosts" --cluster-name good --hosts-file "$U/hosts" 2>&1); rc=$?
	assert_eq 1 "$rc" "non-root: exit 1"
	assert_contains "$out" "sudo" "non-root: suggests sudo"
	assert_eq "$before" "$(stat -c '%i %Y' "$U/hosts")" "non-root: file untouched"
	out=$(AWS_CONFIG_FILE=$U/aws-config AWS_SHARED_CREDENTIALS_FILE=$U/aws-config HOME=$U \
		setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$BIN/eks-hosts" --dry-run --cluster-name good --hosts-file "$U/hosts" 2>&1); rc=$?
	assert_eq 0 "$rc" "non-root --dry-run works without write access"
	assert_contains "$out" "+10.0.1.5 $HOST" "non-root --dry-run shows the diff"
	rm -rf "$U"
else
	echo "note: not root: the non-root case is what this run is"
fi

# ---- --flush-dns runs the platform's flush (a recording resolvectl, root-owned,
# in the directory the loopback-guarded EKSKIT_TEST_FLUSH_DNS_DIR names)
if [ "$(id -u)" = 0 ]; then
	mkdir -p "$T/fakebin"
	printf '#!/bin/sh\necho "$@" >>"%s"\n' "$T/flushed" >"$T/fakebin/resolvectl"; chmod 755 "$T/fakebin/resolvectl"
	printf '%s' "$FOREIGN" >"$H"
	EKSKIT_TEST_FLUSH_DNS_DIR=$T/fakebin "$BIN/eks-hosts" --flush-dns --cluster-name good --hosts-file "$H" || fail "--flush-dns run"
	assert_eq "flush-caches" "$(cat "$T/flushed" 2>/dev/null)" "--flush-dns ran resolvectl flush-caches"
	EKSKIT_TEST_FLUSH_DNS_DIR=$T/fakebin "$BIN/eks-hosts" --flush-dns --cluster-name good --hosts-file "$H" || fail "--flush-dns second run"
	assert_eq "flush-caches" "$(cat "$T/flushed" 2>/dev/null)" "--flush-dns: no change, no flush"
fi

# ---- a symlinked hosts file: the target is updated, the link stays
mkdir -p "$T/etc-real"
printf '%s' "$FOREIGN" >"$T/etc-real/hosts"
ln -s etc-real/hosts "$T/hosts-link"
"$BIN/eks-hosts" --cluster-name good --hosts-file "$T/hosts-link" || fail "symlink run"
[ -L "$T/hosts-link" ] && ok "symlink: still a link" || fail "symlink: replaced by a file"
assert_contains "$(cat "$T/etc-real/hosts")" "10.0.1.5 $HOST" "symlink: the target got the block"
[ -e "$T/etc-real/hosts.eks-hosts.lock" ] && ok "symlink: lock beside the target" || fail "symlink: no lock beside the target"

# ---- $EKS_HOSTS_FILE is the default path
printf '%s' "$FOREIGN" >"$T/env-hosts"
EKS_HOSTS_FILE=$T/env-hosts "$BIN/eks-hosts" --cluster-name good || fail "EKS_HOSTS_FILE run"
assert_contains "$(cat "$T/env-hosts")" "# BEGIN eks-hosts us-west-2/good" "EKS_HOSTS_FILE selects the file"
finish
