#!/usr/bin/env bash
# scripts/deps.sh (`make deps`):
#  - on a machine that has everything (make check needs it all) --check passes
#    and a real run only confirms: it installs nothing, creates no .venv and
#    leaves the package database as it was;
#  - a python without the test peers and a package index that cannot be
#    reached (loopback port 9, no retries) make it fail, naming what is
#    missing, and leave no half-made virtual environment behind.
# Never touches the network: pip is pointed at 127.0.0.1:9.
. "$(dirname "$0")/../lib/common.sh"
test_env
DEPS=$TOP/scripts/deps.sh

# ---- everything present: confirm only ----------------------------------
out=$("$DEPS" --check 2>&1); rc=$?
assert_eq 0 "$rc" "deps --check passes on a machine that runs make check"
assert_contains "$out" "(--check: installing nothing)" "--check says it installs nothing"
assert_not_contains "$out" "MISSING" "--check finds nothing missing"
[ "$rc" = 0 ] || { printf '%s\n' "$out" >&2; finish; }

had_venv=no; [ -e "$TOP/.venv" ] && had_venv=yes
db=/var/lib/dpkg/status
before=$( [ -r $db ] && sha256sum <$db)
out=$("$DEPS" 2>&1); rc=$?
assert_eq 0 "$rc" "a real run on a complete machine succeeds"
assert_contains "$out" "nothing to install" "it only confirms"
assert_not_contains "$out" "installing" "it installs nothing"
assert_not_contains "$out" "creating" "it creates nothing"
for step in "== libs" "== tools" "== python" "== kubectl" "ok: kubectl 1."; do
	assert_contains "$out" "$step" "it reports: $step"
done
assert_eq "$before" "$( [ -r $db ] && sha256sum <$db)" "the package database is unchanged"
now_venv=no; [ -e "$TOP/.venv" ] && now_venv=yes
assert_eq "$had_venv" "$now_venv" "no .venv appeared"

# ---- a python without the peers, a registry out of reach ---------------
real_py=$("$PYTHON" -c 'import sys; print(sys.executable)')
mkdir -p "$T/bin"
# -S: no site-packages, so none of moto, botocore, awscli.
printf '#!/bin/sh\nexec %s -S "$@"\n' "$real_py" >"$T/bin/python3"
chmod 755 "$T/bin/python3"
"$T/bin/python3" -c 'import moto' 2>/dev/null && die "the stripped python still imports moto"

offline() {  # run deps.sh with that python and an unreachable index
	env -u PIP_FIND_LINKS -u PIP_EXTRA_INDEX_URL PIP_CONFIG_FILE=/dev/null \
	    PIP_INDEX_URL=http://127.0.0.1:9/ PIP_RETRIES=0 PIP_TIMEOUT=1 PIP_NO_INPUT=1 \
	    DEPS_PYTHON="$T/bin/python3" DEPS_VENV="$T/venv" "$DEPS" "$@"
}

out=$(offline --check python 2>&1); rc=$?
assert_eq 1 "$rc" "--check fails when the peers are missing"
assert_contains "$out" "MISSING: Python test peers: moto[server] botocore boto3 awscli" "--check names the peers"
[ -e "$T/venv" ] && fail "--check created $T/venv"

out=$(offline python 2>&1); rc=$?
assert_eq 1 "$rc" "an unreachable index fails make deps"
assert_contains "$out" "creating the virtual environment $T/venv" "it says it creates the venv"
assert_contains "$out" "installing into $T/venv with pip: moto[server]" "it says what it installs"
assert_contains "$out" "pip could not install them (is PyPI or PIP_INDEX_URL reachable?)" "it says why"
assert_contains "$out" "NOT DONE; still missing:" "the summary says it is not done"
if [ -e "$T/venv" ]; then fail "an incomplete virtual environment was left at $T/venv"; else
	ok "no half-made virtual environment left"; fi

# A directory that is not a virtual environment is never touched.
mkdir -p "$T/venv" && echo keep >"$T/venv/file"
out=$(offline python 2>&1); rc=$?
assert_eq 1 "$rc" "a foreign directory at DEPS_VENV fails"
assert_contains "$out" "is not a virtual environment" "it says why"
assert_eq keep "$(cat "$T/venv/file" 2>/dev/null)" "the directory is left alone"

# ---- a .venv made by make deps is what the tests and make use ----------
mkdir -p "$T/top/.venv/bin"
ln -s "$real_py" "$T/top/.venv/bin/python3"
common=$TOP/tests/lib/common.sh
# shellcheck disable=SC1090,SC2030  # a subshell on purpose: another tree's TOP
got=$(TOP=$T/top PATH=/usr/bin:/bin; unset PYTHON; . "$common"; command -v python3; command -v "$PYTHON")
assert_eq "$T/top/.venv/bin/python3
$T/top/.venv/bin/python3" "$got" "tests/lib/common.sh puts .venv/bin first"
# shellcheck disable=SC2016,SC2031  # $$PATH is for make, TOP is ours again
got=$(PATH=/usr/bin:/bin make -s -C "$T/top" -f "$TOP/Makefile" --eval 'showpath: ; @echo $$PATH' showpath)
assert_eq "$T/top/.venv/bin:/usr/bin:/bin" "$got" "the Makefile puts .venv/bin first"

# ---- kubectl: the side-by-side versions from a download server ----------
# A loopback stand-in for dl.k8s.io with two "kubectl" releases (scripts that
# answer `version --client -o json`), and a kubectl 1.30 alone on PATH.
platform=$(printf '%s/%s' "$(uname -s | tr '[:upper:]' '[:lower:]')" \
	"$(uname -m | sed 's/x86_64/amd64/; s/aarch64/arm64/')")
fake_kubectl() {  # minor file
	mkdir -p "$(dirname "$2")"
	printf '#!/bin/sh\necho '"'"'{"clientVersion": {"major": "1", "minor": "%s"}}'"'"'\n' "$1" >"$2"
	chmod 755 "$2"
}
www=$T/www
mkdir -p "$www"
for m in 27 33; do
	echo "v1.$m.99" >"$www/stable-1.$m.txt"
	f=$www/v1.$m.99/bin/$platform/kubectl
	fake_kubectl "$m" "$f"
	sha256sum "$f" | cut -d' ' -f1 >"$f.sha256"
done
fake_kubectl 30 "$T/sys/kubectl"
port=$(free_port)
"$PYTHON" -m http.server --bind 127.0.0.1 --directory "$www" "$port" >"$T/http.log" 2>&1 &
CLEANUP_PIDS="${CLEANUP_PIDS:-} $!"
wait_port "$port" 30 || die "the download server did not start"

kube() {  # bindir args...: deps.sh's kubectl step against the stand-in
	local bindir=$1; shift
	# shellcheck disable=SC2031  # PATH is ours; the subshells above changed their own
	env PATH="$T/sys:$PATH" DEPS_BIN="$bindir" DEPS_KUBECTL_URL="http://127.0.0.1:$port" "$DEPS" "$@" kubectl
}
out=$(kube "$T/kb" --check 2>&1); rc=$?
assert_eq 1 "$rc" "--check: kubectl 1.30 without kubectl.1.27 / 1.33 beside it is missing something"
[ -e "$T/kb" ] && fail "--check downloaded something"
out=$(kube "$T/kb" 2>&1); rc=$?
assert_eq 0 "$rc" "make deps downloads the side-by-side kubectls"
[ "$rc" = 0 ] || printf '%s\n' "$out" >&2
assert_contains "$out" "downloading kubectl v1.27.99: http://127.0.0.1:$port/v1.27.99/bin/$platform/kubectl" "it says what it downloads"
assert_contains "$out" "ok: make and the tests use $T/kb/kubectl (1.33)" "it says which kubectl the tests use"
for f in kubectl kubectl.1.27 kubectl.1.33; do [ -x "$T/kb/$f" ] || fail "$T/kb/$f missing"; done
assert_contains "$("$T/kb/kubectl" version --client -o json)" '"minor": "33"' "kubectl is the newest one"
assert_eq "" "$(find "$T/kb" -name '.kubectl.*')" "no temporary files left"
out=$(kube "$T/kb" 2>&1); rc=$?
assert_eq 0 "$rc" "a second run succeeds"
assert_not_contains "$out" "downloading" "a second run downloads nothing"
assert_contains "$out" "ok: kubectl.1.27 beside it ($T/kb)" "a second run confirms"
mkdir -p "$T/top/.deps/bin" && cp "$T/kb/kubectl" "$T/top/.deps/bin/"
# shellcheck disable=SC1090,SC2030,SC2031  # a subshell on purpose: another tree's TOP
got=$(TOP=$T/top PATH=/usr/bin:/bin; . "$common"; command -v kubectl)
assert_eq "$T/top/.deps/bin/kubectl" "$got" "tests/lib/common.sh puts .deps/bin on PATH"

# A checksum that does not match: refused, nothing installed, nothing left.
echo 0000 >"$www/v1.27.99/bin/$platform/kubectl.sha256"
out=$(kube "$T/kb2" 2>&1); rc=$?
assert_eq 1 "$rc" "a wrong sha256 fails make deps"
assert_contains "$out" "kubectl v1.27.99: the download failed or its sha256 did not match" "it says why"
assert_contains "$out" "MISSING: kubectl.1.27 (make check runs it beside kubectl): curl -fLo kubectl.1.27" "it says how to get it"
[ -e "$T/kb2/kubectl.1.27" ] && fail "a kubectl with a wrong checksum was installed"
[ -e "$T/kb2/kubectl" ] && fail "kubectl linked although a version is missing"
assert_eq "" "$(find "$T/kb2" -name '.kubectl.*')" "no temporary files left after a bad checksum"

# Nothing listening: refused with the way to get it.
# shellcheck disable=SC2031
out=$(env PATH="$T/sys:$PATH" DEPS_BIN="$T/kb3" DEPS_KUBECTL_URL=http://127.0.0.1:9 "$DEPS" kubectl 2>&1); rc=$?
assert_eq 1 "$rc" "an unreachable download server fails make deps"
assert_contains "$out" "cannot reach http://127.0.0.1:9/stable-1.27.txt" "it names what it could not reach"
assert_contains "$out" "NOT DONE; still missing:" "the summary says it is not done"

out=$("$DEPS" bogus 2>&1); rc=$?
assert_eq 2 "$rc" "an unknown step is a usage error"
finish
