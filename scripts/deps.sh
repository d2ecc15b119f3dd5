#!/usr/bin/env bash
# `make deps`: install what `make demo` and `make check` need, when it is
# missing, saying what happens at each step.  A second run changes nothing; on
# a machine that has everything it only confirms.  Whatever cannot be installed
# (no package manager, a registry out of reach) is named at the end and the
# exit status is 1: nothing is left half-installed without a word.
#
#   scripts/deps.sh [--check] [STEP...]
#
# Steps, in order (default: all): libs (the C libraries, pkg-config, a
# compiler), tools (faketime, openssl, curl, patch, python3), python (moto with its
# server, botocore, boto3, the AWS CLI, PyYAML, cryptography: the system
# python3's, else a project-local virtual environment .venv), kubectl (1.27 or
# newer, and the kubectl.1.27 / kubectl.1.33 the compatibility tests run
# beside it; downloaded from dl.k8s.io, sha256-checked, into .deps/bin when
# missing).
# --check reports only and installs nothing.
#
# Environment: DEPS_PYTHON (the python3 to check and build .venv from),
# DEPS_VENV (default: .venv in the source tree), pip's own PIP_* variables
# (PIP_INDEX_URL for a mirror), DEPS_BIN (default: .deps/bin, where kubectl
# binaries go when the distribution has none recent enough) and
# DEPS_KUBECTL_URL (default https://dl.k8s.io/release).
set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PY=${DEPS_PYTHON:-python3}
VENV=${DEPS_VENV:-$TOP/.venv}
KUBECTL_MIN_MINOR=27
KUBECTL_SIDE_BY_SIDE="1.27 1.33"   # oldest first, newest last
KUBECTL_URL=${DEPS_KUBECTL_URL:-https://dl.k8s.io/release}
BIN_DIR=${DEPS_BIN:-$TOP/.deps/bin}
PIP_PKGS=("moto[server]" botocore boto3 awscli pyyaml cryptography)
PY_MODULES="moto.server, botocore, boto3, yaml, cryptography, awscli"
PKG_CONFIG_NAMES="libcrypto libcurl libcares yaml-0.1 jansson expat cmocka"

check_only=0
steps=()
missing=()
changed=()

say() { printf 'deps: %s\n' "$*"; }
lack() { missing+=("$1"); say "MISSING: $1"; }

# ---- the package manager ------------------------------------------------

detect_pm() {
	if command -v apt-get >/dev/null 2>&1 && command -v dpkg-query >/dev/null 2>&1; then
		echo apt
	elif command -v dnf >/dev/null 2>&1; then
		echo dnf
	elif command -v brew >/dev/null 2>&1; then
		echo brew
	else
		echo none
	fi
}
PM=$(detect_pm)

# Package names per manager, for one group (libs or tools).
packages() {
	case "$PM:$1" in
	apt:libs) echo build-essential pkg-config libssl-dev libcurl4-openssl-dev libc-ares-dev \
		libyaml-dev libjansson-dev libexpat1-dev libcmocka-dev ;;
	apt:tools) echo faketime openssl curl patch python3 python3-venv ;;
	dnf:libs) echo gcc make pkgconf-pkg-config openssl-devel libcurl-devel c-ares-devel \
		libyaml-devel jansson-devel expat-devel libcmocka-devel ;;
	dnf:tools) echo libfaketime openssl curl patch python3 ;;
	brew:libs) echo pkg-config openssl@3 curl c-ares libyaml jansson expat cmocka ;;
	brew:tools) echo libfaketime python ;;
	esac
}

pm_has() {  # package
	case "$PM" in
	apt) dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed' ;;
	dnf) rpm -q "$1" >/dev/null 2>&1 ;;
	brew) brew list --versions "$1" >/dev/null 2>&1 ;;
	*) return 1 ;;
	esac
}

# sudo when not root; empty output when root.
as_root() {
	if [ "$(id -u)" = 0 ]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		say "running with sudo: $*"
		sudo "$@"
	else
		say "not root and no sudo: cannot run $*"
		return 1
	fi
}

apt_updated=0
pm_install() {  # package...
	case "$PM" in
	apt)
		if [ "$apt_updated" = 0 ]; then
			say "apt-get update"
			as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq || return 1
			apt_updated=1
		fi
		as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" ;;
	dnf) as_root dnf install -y -q "$@" ;;
	brew) brew install "$@" ;;
	*) return 1 ;;
	esac
}

# Install the packages of a group that are not installed yet.
ensure_packages() {  # group description
	local group=$1 what=$2 p want=()
	if [ "$PM" = none ]; then
		say "$what: no apt-get, dnf or brew here; install them by hand (see README.md, Install)"
		return 1
	fi
	for p in $(packages "$group"); do pm_has "$p" || want+=("$p"); done
	if [ ${#want[@]} = 0 ]; then
		say "ok: $what: $(packages "$group" | wc -w) $PM packages installed"
		return 0
	fi
	if [ "$check_only" = 1 ]; then
		lack "$what: $PM packages ${want[*]}"
		return 0
	fi
	say "installing $what with $PM: ${want[*]}"
	if pm_install "${want[@]}"; then
		changed+=("$PM: ${want[*]}")
	else
		lack "$what: $PM could not install ${want[*]} (is its package index reachable?)"
	fi
}

# ---- steps ----------------------------------------------------------------

step_libs() {
	ensure_packages libs "C libraries and compiler"
	if ! command -v pkg-config >/dev/null 2>&1; then
		lack "pkg-config"
		return
	fi
	local n bad=()
	for n in $PKG_CONFIG_NAMES; do pkg-config --exists "$n" || bad+=("$n"); done
	if [ ${#bad[@]} = 0 ]; then
		say "ok: pkg-config finds $PKG_CONFIG_NAMES"
	else
		lack "C libraries pkg-config cannot find: ${bad[*]}"
	fi
}

step_tools() {
	ensure_packages tools "test tools"
	local t
	for t in faketime openssl curl patch "$PY"; do
		command -v "$t" >/dev/null 2>&1 || lack "$t (not on PATH)"
	done
}

# Does PYTHON import every test peer?  Prints the versions.
py_complete() {  # python
	"$1" -c "import $PY_MODULES, sys
import moto
print('moto %s, botocore %s, aws-cli %s' % (moto.__version__, botocore.__version__, awscli.__version__))" 2>/dev/null
}

step_python() {
	local v
	if v=$(py_complete "$PY") && command -v aws >/dev/null 2>&1; then
		say "ok: $(command -v "$PY") has the Python test peers ($v); aws is $(command -v aws)"
		return
	fi
	if [ -x "$VENV/bin/python" ] && v=$(py_complete "$VENV/bin/python") && [ -x "$VENV/bin/aws" ]; then
		say "ok: $VENV has the Python test peers ($v); make and the tests use it"
		return
	fi
	say "$PY lacks some of: $PY_MODULES (or aws is not on PATH)"
	if [ "$check_only" = 1 ]; then
		lack "Python test peers: ${PIP_PKGS[*]} (make deps puts them into $VENV)"
		return
	fi
	if [ -e "$VENV" ] && [ ! -f "$VENV/pyvenv.cfg" ]; then
		lack "Python test peers: $VENV exists and is not a virtual environment; move it away"
		return
	fi
	if [ ! -x "$VENV/bin/python" ]; then
		say "creating the virtual environment $VENV"
		if ! "$PY" -m venv "$VENV"; then
			rm -rf "$VENV"
			lack "Python test peers: $PY cannot create a virtual environment (Debian: apt-get install python3-venv)"
			return
		fi
	fi
	say "installing into $VENV with pip: ${PIP_PKGS[*]}"
	if "$VENV/bin/python" -m pip install --disable-pip-version-check -q "${PIP_PKGS[@]}" &&
	   v=$(py_complete "$VENV/bin/python") && [ -x "$VENV/bin/aws" ]; then
		changed+=("$VENV: ${PIP_PKGS[*]}")
		say "ok: $VENV has the Python test peers ($v)"
		return
	fi
	# Half a virtual environment would be picked up by the tests: remove it.
	rm -rf "$VENV"
	lack "Python test peers: ${PIP_PKGS[*]}: pip could not install them (is PyPI or PIP_INDEX_URL reachable?); removed the incomplete $VENV"
}

kubectl_minor() {  # kubectl -> minor version number, e.g. 32
	"$1" version --client -o json 2>/dev/null |
		"$PY" -c 'import json,sys; print(int(json.load(sys.stdin)["clientVersion"]["minor"].rstrip("+")))' 2>/dev/null
}

kubectl_install() {
	case "$PM" in
	apt) apt-cache policy kubectl 2>/dev/null | grep -q 'Candidate: [0-9]' && pm_install kubectl ;;
	dnf) pm_install /usr/bin/kubectl ;;
	brew) pm_install kubectl ;;
	*) return 1 ;;
	esac
}

kubectl_platform() {  # -> linux/amd64, darwin/arm64, ...
	local arch
	arch=$(uname -m)
	case "$arch" in x86_64) arch=amd64 ;; aarch64|arm64) arch=arm64 ;; esac
	printf '%s/%s\n' "$(uname -s | tr '[:upper:]' '[:lower:]')" "$arch"
}

sha256_of() {
	if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1"; else shasum -a 256 "$1"; fi | cut -d' ' -f1
}

# The newest kubectl of SERIES (1.NN) from $KUBECTL_URL into DEST, checked
# against the sha256 published beside it.  Nothing is left behind on failure.
kubectl_fetch() {  # series dest
	local series=$1 dest=$2 ver url tmp want
	command -v curl >/dev/null 2>&1 || { say "no curl: cannot download kubectl"; return 1; }
	ver=$(curl -fsSL --max-time 30 "$KUBECTL_URL/stable-$series.txt") || {
		say "cannot reach $KUBECTL_URL/stable-$series.txt"; return 1; }
	if ! [[ $ver =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ && $ver == "v$series."* ]]; then
		say "unexpected kubectl version for $series: '$ver'"; return 1
	fi
	url=$KUBECTL_URL/$ver/bin/$(kubectl_platform)/kubectl
	mkdir -p "$BIN_DIR" && tmp=$(mktemp "$BIN_DIR/.kubectl.XXXXXX") || return 1
	say "downloading kubectl $ver: $url"
	if curl -fsSL --max-time 600 -o "$tmp" "$url" &&
	   want=$(curl -fsSL --max-time 30 "$url.sha256") &&
	   [ "${want%% *}" = "$(sha256_of "$tmp")" ] &&
	   chmod 755 "$tmp" && mv -f "$tmp" "$dest"; then
		return 0
	fi
	say "kubectl $ver: the download failed or its sha256 did not match"
	rm -f "$tmp"
	return 1
}

how_to_get_kubectl() {  # series
	echo "curl -fLo kubectl.$1 $KUBECTL_URL/\$(curl -fsL $KUBECTL_URL/stable-$1.txt)/bin/$(kubectl_platform)/kubectl (and check its .sha256)"
}

# kubectl 1.27 or newer on PATH: the distribution's package, else the newest
# side-by-side version downloaded into $BIN_DIR.
ensure_kubectl() {
	local k minor newest
	k=$(command -v kubectl 2>/dev/null)
	minor=${k:+$(kubectl_minor "$k")}
	if [ -n "$minor" ] && [ "$minor" -ge "$KUBECTL_MIN_MINOR" ]; then
		say "ok: kubectl 1.$minor ($k)"
		return 0
	fi
	if [ "$check_only" = 1 ]; then
		lack "kubectl 1.$KUBECTL_MIN_MINOR or newer${k:+ ($k is ${minor:-unusable})}"
		return 1
	fi
	if [ "$PM" != none ]; then
		say "installing kubectl with $PM"
		kubectl_install && changed+=("$PM: kubectl")
		hash -r
		k=$(command -v kubectl 2>/dev/null)
		minor=${k:+$(kubectl_minor "$k")}
	fi
	if [ -z "$minor" ] || [ "$minor" -lt "$KUBECTL_MIN_MINOR" ]; then
		newest=${KUBECTL_SIDE_BY_SIDE##* }
		say "no kubectl 1.$KUBECTL_MIN_MINOR or newer from ${PM/none/a package manager}: downloading $newest"
		if ! kubectl_fetch "$newest" "$BIN_DIR/kubectl"; then
			lack "kubectl 1.$KUBECTL_MIN_MINOR or newer: get it from https://kubernetes.io/docs/tasks/tools/, e.g. $(how_to_get_kubectl "$newest"), and put it on PATH"
			return 1
		fi
		changed+=("$BIN_DIR/kubectl")
		use_bin_dir
		k=$BIN_DIR/kubectl
		minor=$(kubectl_minor "$k")
	fi
	say "ok: kubectl 1.$minor ($k)"
}

use_bin_dir() {
	case ":$PATH:" in *":$BIN_DIR:"*) ;; *) PATH=$BIN_DIR:$PATH ;; esac
	hash -r
}

step_kubectl() {
	local k dir v lacking=()
	ensure_kubectl || return
	k=$(command -v kubectl)
	dir=$(dirname "$(readlink -f "$k")")
	for v in $KUBECTL_SIDE_BY_SIDE; do
		if [ -x "$dir/kubectl.$v" ]; then
			say "ok: kubectl.$v beside it ($dir)"
		else
			lacking+=("$v")
		fi
	done
	[ ${#lacking[@]} = 0 ] && return
	# make check runs several kubectl versions found beside `kubectl`: put
	# them all, and a kubectl, into $BIN_DIR (first on PATH for make and the tests).
	if [ "$check_only" = 1 ]; then
		lack "kubectl.${lacking[*]} beside $dir (make deps downloads kubectl $KUBECTL_SIDE_BY_SIDE into $BIN_DIR)"
		return
	fi
	local failed=0
	for v in $KUBECTL_SIDE_BY_SIDE; do
		[ -x "$BIN_DIR/kubectl.$v" ] && continue
		if kubectl_fetch "$v" "$BIN_DIR/kubectl.$v"; then
			changed+=("$BIN_DIR/kubectl.$v")
		else
			lack "kubectl.$v (make check runs it beside kubectl): $(how_to_get_kubectl "$v") into $BIN_DIR"
			failed=1
		fi
	done
	[ "$failed" = 0 ] || return
	v=${KUBECTL_SIDE_BY_SIDE##* }
	if [ "$(readlink -f "$k")" != "$(readlink -f "$BIN_DIR/kubectl")" ]; then
		ln -f "$BIN_DIR/kubectl.$v" "$BIN_DIR/kubectl" 2>/dev/null ||
			cp -f "$BIN_DIR/kubectl.$v" "$BIN_DIR/kubectl" || { lack "cannot write $BIN_DIR/kubectl"; return; }
		changed+=("$BIN_DIR/kubectl (kubectl $v)")
	fi
	use_bin_dir
	say "ok: make and the tests use $BIN_DIR/kubectl (1.${v#1.}) with kubectl.${KUBECTL_SIDE_BY_SIDE// /, kubectl.} beside it"
}

# ---- main -----------------------------------------------------------------

for a in "$@"; do
	case "$a" in
	--check) check_only=1 ;;
	libs|tools|python|kubectl) steps+=("$a") ;;
	-h|--help) sed -n '2,/^set -u/s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "usage: $0 [--check] [libs|tools|python|kubectl]..." >&2; exit 2 ;;
	esac
done
[ ${#steps[@]} -gt 0 ] || steps=(libs tools python kubectl)
# What an earlier run downloaded is used, as make and the tests use it.
[ -d "$BIN_DIR" ] && use_bin_dir

if [ "$check_only" = 1 ]; then
	say "package manager: $PM (--check: installing nothing)"
else
	say "package manager: $PM"
fi
for s in "${steps[@]}"; do
	say "== $s"
	case "$s" in
	libs) step_libs ;;
	tools) step_tools ;;
	python) step_python ;;
	kubectl) step_kubectl ;;
	esac
done

if [ ${#missing[@]} -gt 0 ]; then
	say "NOT DONE; still missing:"
	printf '  - %s\n' "${missing[@]}"
	exit 1
fi
if [ ${#changed[@]} -gt 0 ]; then
	say "installed:"
	printf '  - %s\n' "${changed[@]}"
else
	say "nothing to install: everything make demo and make check need is here"
fi
exit 0
