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

out=$("$DEPS" bogus 2>&1); rc=$?
assert_eq 2 "$rc" "an unknown step is a usage error"
finish
