#!/usr/bin/env bash
# Hostile files (issue 9, items 1-4), driving the real tools:
#   1. in-place rewrites (a bind-mounted kubeconfig or hosts file: rename
#      gives EBUSY) on a full tmpfs and with an injected write failure: the
#      file is the old or the new version byte for byte, a backup is kept
#      and named in the error;
#   2. symlinks planted by another user (nobody) in a sticky 1777 directory
#      are not followed (--output-file, --kubeconfig, --hosts-file,
#      eks-satoken --output-file), and --output-file follows only the
#      caller's own links;
#   3. kubeconfig locks: kill -9 inside the lock leaves a stale lock that the
#      next run takes over at once; SIGTERM removes it; a live one still blocks;
#   4. a FIFO as kubeconfig, web-identity token file, container token file or
#      SSO cache is refused at once, never waited on.
# Needs root (tmpfs and bind mounts in a private mount namespace, chown).
. "$(dirname "$0")/../lib/common.sh"
test_env
need_moto
. "$TOP/tests/lib/kubeconfig.sh"
. "$TOP/tests/lib/k8s.sh"
use_static_creds
[ "$(id -u)" = 0 ] || skip "needs root (tmpfs, bind mounts, files owned by nobody)"
unshare -m true 2>/dev/null || skip "unshare -m is not permitted here"

same_bytes() {  # file expected-file message
	if cmp -s "$1" "$2"; then ok "$3"; else fail "$3: $(cmp "$1" "$2" 2>&1)"; fi
}
within() {  # seconds message command...: the command ends (any status) in time
	local s=$1 msg=$2; shift 2
	timeout "$s" "$@" >"$T/within.out" 2>"$T/within.err"
	WITHIN_RC=$?
	WITHIN_ERR=$(cat "$T/within.err")
	if [ "$WITHIN_RC" = 124 ]; then fail "$msg: still running after $s s"; else ok "$msg"; fi
}

C=hostile$$
moto_clusters "$C" || die "cannot create a cluster in moto"

# A fake EKS/EC2 for eks-hosts (endpoint IPs from the ENIs).
PORT=$(free_port)
"$PYTHON" "$TOP/tests/fakes/fake_eks_ec2.py" --port "$PORT" >"$T/fake.out" 2>"$T/fake.err" &
CLEANUP_PIDS="${CLEANUP_PIDS:-} $!"
wait_port "$PORT" 20 || die "fake EKS/EC2 did not start: $(cat "$T/fake.err")"
HOSTS_EP="http://127.0.0.1:$PORT"

# ================= 1. in-place rewrites cannot tear =================
# A file whose old content ends just short of a page: the new content needs
# one more page of a full tmpfs.  Before the fix the write filled the first
# page and stopped: the file was cut.
mkdir -p "$T/small" "$T/kube"
{ printf '127.0.0.1\tlocalhost\n'; head -c 4000 /dev/zero | tr '\0' '#'; printf '\n'; } >"$T/hosts.old"
: >"$T/hosts"
out=$(unshare -m bash -c "
	mount -t tmpfs -o size=64k tmpfs '$T/small' || exit 99
	cp '$T/hosts.old' '$T/small/hosts'
	dd if=/dev/zero of='$T/small/fill' bs=4k count=100 2>/dev/null
	mount --bind '$T/small/hosts' '$T/hosts' || exit 98
	AWS_ENDPOINT_URL='$HOSTS_EP' '$BIN/eks-hosts' --cluster-name good --hosts-file '$T/hosts' 2>&1
	echo rc=\$?
	cp '$T/small/hosts' '$T/hosts.after'
	umount '$T/hosts'; umount '$T/small'" 2>&1)
assert_contains "$out" "rc=1" "hosts on a full tmpfs (bind mount): exit 1"
assert_contains "$out" "nothing was changed" "hosts on a full tmpfs: says nothing changed"
assert_contains "$out" "hosts.eks-hosts.bak" "hosts on a full tmpfs: the error names the backup"
same_bytes "$T/hosts.after" "$T/hosts.old" "hosts on a full tmpfs: the old file, byte for byte"
same_bytes "$T/hosts.eks-hosts.bak" "$T/hosts.old" "hosts on a full tmpfs: backup of the old file"

# The same with room to spare: the in-place rewrite works.
out=$(unshare -m bash -c "
	mount -t tmpfs -o size=1m tmpfs '$T/small' || exit 99
	cp '$T/hosts.old' '$T/small/hosts'
	mount --bind '$T/small/hosts' '$T/hosts' || exit 98
	AWS_ENDPOINT_URL='$HOSTS_EP' '$BIN/eks-hosts' --cluster-name good --hosts-file '$T/hosts' 2>&1
	echo rc=\$?
	cp '$T/small/hosts' '$T/hosts.after'" 2>&1)
assert_contains "$out" "rc=0" "hosts on a tmpfs with room (bind mount): exit 0"
assert_contains "$(cat "$T/hosts.after")" "# BEGIN eks-hosts us-west-2/good" "hosts with room: the new version"

# An injected write failure half-way (EKSKIT_TEST_INPLACE_FAIL_AFTER, loopback
# guard only): the old bytes are put back.  Before the fix: a cut file, exit 0.
cp "$T/hosts.old" "$T/hosts"
rm -f "$T/hosts.eks-hosts.bak"
out=$(AWS_ENDPOINT_URL=$HOSTS_EP EKSKIT_TEST_HOSTS_FAIL_RENAME=1 EKSKIT_TEST_INPLACE_FAIL_AFTER=100 \
	"$BIN/eks-hosts" --cluster-name good --hosts-file "$T/hosts" 2>&1); rc=$?
assert_eq 1 "$rc" "hosts, write fails half-way: exit 1"
assert_contains "$out" "previous content was put back" "hosts, write fails: says the old content is back"
assert_contains "$out" "$T/hosts.eks-hosts.bak" "hosts, write fails: names the backup"
same_bytes "$T/hosts" "$T/hosts.old" "hosts, write fails: the old file, byte for byte"

# kubeconfig: another user's client-key-data must not be shortened.
kc_with_key() {  # key
	cat <<EOF
apiVersion: v1
kind: Config
clusters:
- name: other
  cluster:
    server: https://other.example
contexts:
- name: other
  context:
    cluster: other
    user: other-user
current-context: other
users:
- name: other-user
  user:
    client-key-data: $1
EOF
}
# the old file just under a page, so the new entry needs a second one
need=$(( (4080 - $(kc_with_key "" | wc -c)) / 4 * 4 ))
key=$(head -c 4000 /dev/urandom | base64 -w0 | head -c "$need")
kc_with_key "$key" >"$T/kc.old"
: >"$T/kube/config"
out=$(unshare -m bash -c "
	mount -t tmpfs -o size=64k tmpfs '$T/small' || exit 99
	cp '$T/kc.old' '$T/small/config'
	dd if=/dev/zero of='$T/small/fill' bs=4k count=100 2>/dev/null
	mount --bind '$T/small/config' '$T/kube/config' || exit 98
	'$EKC' --cluster-name '$C' --kubeconfig '$T/kube/config' 2>&1
	echo rc=\$?
	cp '$T/small/config' '$T/kc.after'" 2>&1)
assert_contains "$out" "rc=1" "kubeconfig on a full tmpfs (bind mount): exit 1"
assert_contains "$out" "config.eks-kubeconfig.bak" "kubeconfig on a full tmpfs: the error names the backup"
same_bytes "$T/kc.after" "$T/kc.old" "kubeconfig on a full tmpfs: the old file, byte for byte"
same_bytes "$T/kube/config.eks-kubeconfig.bak" "$T/kc.old" "kubeconfig: a backup is kept, as for hosts"
out=$(unshare -m bash -c "
	cp '$T/kc.old' '$T/kc.real'
	mount --bind '$T/kc.real' '$T/kube/config' || exit 98
	EKSKIT_TEST_INPLACE_FAIL_AFTER=10 '$EKC' --cluster-name '$C' --kubeconfig '$T/kube/config' 2>&1
	echo rc=\$?" 2>&1)
assert_contains "$out" "rc=1" "kubeconfig, write fails half-way: exit 1"
assert_contains "$out" "previous content was put back" "kubeconfig, write fails: old content back"
same_bytes "$T/kc.real" "$T/kc.old" "kubeconfig, write fails: the old file, byte for byte"
out=$(unshare -m bash -c "
	cp '$T/kc.old' '$T/kc.real'
	mount --bind '$T/kc.real' '$T/kube/config' || exit 98
	'$EKC' --cluster-name '$C' --kubeconfig '$T/kube/config' 2>&1
	echo rc=\$?" 2>&1)
assert_contains "$out" "rc=0" "kubeconfig bind mount with room: exit 0"
assert_contains "$(cat "$T/kc.real")" "$key" "kubeconfig bind mount: the other user's key is intact"
assert_contains "$(cat "$T/kc.real")" "$C" "kubeconfig bind mount: the new entry is there"

# ================= 2. symlinks planted by others =================
S=$T/sticky
mkdir -m 1777 "$S"
plant() {  # link target: a link owned by nobody in the sticky directory
	ln -sfn "$2" "$S/$1" && chown -h nobody "$S/$1"
}
printf 'precious\n' >"$T/victim"
cp "$T/victim" "$T/victim.orig"
plant out "$T/victim"
"$EKC" --cluster-name "$C" --output-file "$S/out" >/dev/null 2>"$T/err"; rc=$?
assert_eq 1 "$rc" "eks-kubeconfig --output-file through nobody's link: refused"
assert_contains "$(cat "$T/err")" "symlink" "--output-file: the message names the link"
same_bytes "$T/victim" "$T/victim.orig" "--output-file: the link's target is untouched"
plant kc "$T/victim"
"$EKC" --cluster-name "$C" --kubeconfig "$S/kc" >/dev/null 2>"$T/err"; rc=$?
assert_eq 1 "$rc" "eks-kubeconfig --kubeconfig through nobody's link in a sticky dir: refused"
same_bytes "$T/victim" "$T/victim.orig" "--kubeconfig: the link's target is untouched"
cp "$T/hosts.old" "$T/victim-hosts"
plant hosts "$T/victim-hosts"
AWS_ENDPOINT_URL=$HOSTS_EP "$BIN/eks-hosts" --cluster-name good --hosts-file "$S/hosts" 2>"$T/err"; rc=$?
assert_eq 1 "$rc" "eks-hosts --hosts-file through nobody's link: refused"
assert_contains "$(cat "$T/err")" "protected_symlinks" "--hosts-file: says which rule"
same_bytes "$T/victim-hosts" "$T/hosts.old" "--hosts-file: the link's target is untouched"
# the kernel's own exception: a link owned by the directory's owner is followed
mkdir -m 1777 "$T/sticky-nobody"; chown nobody "$T/sticky-nobody"
cp "$T/hosts.old" "$T/their-hosts"
ln -s "$T/their-hosts" "$T/sticky-nobody/hosts"; chown -h nobody "$T/sticky-nobody/hosts"
AWS_ENDPOINT_URL=$HOSTS_EP "$BIN/eks-hosts" --cluster-name good --hosts-file "$T/sticky-nobody/hosts" 2>"$T/err"
assert_eq 0 "$?" "a link owned by the sticky directory's owner is followed ($(cat "$T/err"))"
# --output-file follows only the caller's own links, sticky directory or not
mkdir "$T/plain"
ln -s "$T/victim" "$T/plain/out"; chown -h nobody "$T/plain/out"
"$EKC" --cluster-name "$C" --output-file "$T/plain/out" >/dev/null 2>"$T/err"; rc=$?
assert_eq 1 "$rc" "--output-file through another user's link (plain dir): refused"
same_bytes "$T/victim" "$T/victim.orig" "--output-file (plain dir): target untouched"
ln -s "$T/mine" "$T/plain/mine"
"$EKC" --cluster-name "$C" --output-file "$T/plain/mine" >/dev/null 2>"$T/err"
assert_eq 0 "$?" "--output-file through the caller's own link: written ($(cat "$T/err"))"
[ -L "$T/plain/mine" ] && [ -s "$T/mine" ] && ok "own link kept, target written" || fail "own link"
# eks-satoken --output-file
k8s_fake_start || die "cannot start the fake API server"
admin=$T/admin.kubeconfig
k8s_kubeconfig_cert "$admin"
plant tok "$T/victim"
"$BIN/eks-satoken" --kubeconfig "$admin" --service-account hostile-sa --create \
	--output-file "$S/tok" >/dev/null 2>"$T/err"; rc=$?
assert_eq 1 "$rc" "eks-satoken --output-file through nobody's link: refused"
same_bytes "$T/victim" "$T/victim.orig" "eks-satoken --output-file: the link's target is untouched"
"$BIN/eks-satoken" --kubeconfig "$admin" --service-account hostile-sa --create \
	--output-file "$T/tok" >/dev/null 2>"$T/err"
assert_eq 0 "$?" "eks-satoken --output-file to a plain path works ($(cat "$T/err"))"
assert_eq 600 "$(stat -c %a "$T/tok")" "eks-satoken --output-file: mode 0600"

# ================= 3. stale kubeconfig locks =================
K=$T/lock/config
mkdir -p "$T/lock"
EKSKIT_TEST_LOCK_HOLD_MS=60000 "$EKC" --cluster-name "$C" --kubeconfig "$K" >/dev/null 2>&1 &
p=$!
for ((i = 0; i < 200; i++)); do [ -s "$K.lock" ] && break; sleep 0.05; done
assert_contains "$(cat "$K.lock" 2>/dev/null)" "pid $p" "the lock records its owner's pid"
# a live owner still blocks
"$EKC" --cluster-name "$C" --kubeconfig "$K" --lock-timeout 0.3 >/dev/null 2>"$T/err"; rc=$?
assert_eq 1 "$rc" "a live lock blocks another run"
assert_contains "$(cat "$T/err")" "pid $p" "the busy message names the owner"
kill -9 "$p"; wait "$p" 2>/dev/null
[ -e "$K.lock" ] && ok "kill -9 leaves the lock behind" || fail "no lock after kill -9 (test broken)"
start=$SECONDS
"$EKC" --cluster-name "$C" --kubeconfig "$K" --lock-timeout 3 >/dev/null 2>"$T/err"
assert_eq 0 "$?" "the next run takes over the stale lock ($(cat "$T/err"))"
[ $((SECONDS - start)) -lt 3 ] && ok "stale lock taken over without waiting" || fail "waited $((SECONDS - start)) s"
[ ! -e "$K.lock" ] && ok "no lock left after the run" || fail "lock left behind"
# (a background job of a script starts with SIGINT ignored: give it the default back)
dfl_int() { exec "$PYTHON" -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.execvp(sys.argv[1], sys.argv[1:])' "$@"; }
for sig in TERM INT HUP; do
	EKSKIT_TEST_LOCK_HOLD_MS=60000 dfl_int "$EKC" --cluster-name "$C" --kubeconfig "$K" >/dev/null 2>&1 &
	p=$!
	for ((i = 0; i < 200; i++)); do [ -s "$K.lock" ] && break; sleep 0.05; done
	kill -"$sig" "$p"; wait "$p" 2>/dev/null
	[ ! -e "$K.lock" ] && ok "SIG$sig inside the lock removes it" || fail "SIG$sig left $K.lock"
done
assert_eq "" "$(ls "$T/lock" | grep -E '\.tmp\.|\.stale\.')" "no temp files left"
# an empty lock (client-go's, or one we cannot judge) is waited for, not broken
: >"$K.lock"
"$EKC" --cluster-name "$C" --kubeconfig "$K" --lock-timeout 0.3 >/dev/null 2>"$T/err"; rc=$?
assert_eq 1 "$rc" "an empty (kubectl) lock is respected"
rm -f "$K.lock"
# a lock from a process that died and whose pid was reused (start time differs)
sleep 60 & live=$!
printf 'pid %s\nhost %s\nboot %s\nstart 1\n' "$live" "$(hostname)" \
	"$(cat /proc/sys/kernel/random/boot_id)" >"$K.lock"
"$EKC" --cluster-name "$C" --kubeconfig "$K" --lock-timeout 3 >/dev/null 2>"$T/err"
assert_eq 0 "$?" "a lock whose pid now belongs to another process is stale ($(cat "$T/err"))"
kill "$live"; wait "$live" 2>/dev/null

# ================= 4. FIFOs and other special files =================
mkfifo "$T/fifo"
within 20 "a FIFO as kubeconfig does not hang eks-kubeconfig" \
	"$EKC" --cluster-name "$C" --kubeconfig "$T/fifo"
assert_eq 1 "$WITHIN_RC" "FIFO kubeconfig (eks-kubeconfig): exit 1"
assert_contains "$WITHIN_ERR" "not a regular file" "FIFO kubeconfig: says why"
within 20 "a FIFO as kubeconfig does not hang eks-satoken" \
	"$BIN/eks-satoken" --kubeconfig "$T/fifo" --service-account x
assert_contains "$WITHIN_ERR" "not a regular file" "FIFO kubeconfig (eks-satoken): says why"
within 20 "a FIFO as web identity token file does not hang eks-token" env -u AWS_ACCESS_KEY_ID \
	-u AWS_SECRET_ACCESS_KEY AWS_WEB_IDENTITY_TOKEN_FILE="$T/fifo" \
	AWS_ROLE_ARN=arn:aws:iam::123456789012:role/x "$BIN/eks-token" --cluster-name c --no-cache
assert_contains "$WITHIN_ERR" "not a regular file" "FIFO web identity token: says why"
within 20 "a FIFO as container token file does not hang eks-token" env -u AWS_ACCESS_KEY_ID \
	-u AWS_SECRET_ACCESS_KEY AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:9/creds \
	AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE="$T/fifo" "$BIN/eks-token" --cluster-name c --no-cache
assert_contains "$WITHIN_ERR" "not a regular file" "FIFO container token file: says why"
url=https://hostile.awsapps.com/start
mkdir -p "$HOME/.aws/sso/cache"
mkfifo "$HOME/.aws/sso/cache/$(printf '%s' "$url" | sha1sum | cut -d' ' -f1).json"
cat >"$T/sso-config" <<EOF
[profile sso]
sso_start_url = $url
sso_region = us-west-2
sso_account_id = 123456789012
sso_role_name = Admin
EOF
within 20 "a FIFO as SSO token cache does not hang eks-token" env -u AWS_ACCESS_KEY_ID \
	-u AWS_SECRET_ACCESS_KEY AWS_CONFIG_FILE="$T/sso-config" \
	"$BIN/eks-token" --cluster-name c --profile sso --no-cache
assert_eq 1 "$WITHIN_RC" "FIFO SSO cache: exit 1"
finish
