#!/usr/bin/env bash
# The Dockerfile without a container engine (none in CI): two stages, a
# non-root runtime user, a .dockerignore that keeps .git, build/ and .venv out;
# the runtime stage installs the Debian package of every shared library the
# built tools need (their DT_NEEDED entries, and libcurl, which they dlopen);
# the paths it copies are the ones `make install DESTDIR=/out` produces.
. "$(dirname "$0")/../lib/common.sh"
test_env
cd "$TOP" || die "no $TOP"
[ -f Dockerfile ] || die "no Dockerfile"

# Stage N's apt-get install packages, one per line (N: 1 = build, 2 = runtime).
stage_packages() {
	"$PYTHON" - "$1" <<'EOF'
import re, sys
text = open('Dockerfile').read().replace('\\\n', ' ')
stages = re.split(r'(?m)^FROM\s', text)[1:]
body = stages[int(sys.argv[1]) - 1]
for m in re.finditer(r'apt-get install ([^&\n]*)', body):
    for w in m.group(1).split():
        if not w.startswith('-'):
            print(w)
EOF
}

assert_eq 2 "$(grep -c '^FROM ' Dockerfile)" "two stages"
assert_contains "$(grep '^FROM ' Dockerfile | head -n 1)" " AS build" "the first stage is the build stage"
user=$(sed -n 's/^USER //p' Dockerfile | tail -n 1)
case "$user" in ""|root|0|0:*) fail "the runtime user is '${user:-root}'" ;; *) ok "runtime user $user" ;; esac
for x in .git .venv build; do
	if grep -qx "$x" .dockerignore; then ok ".dockerignore: $x"; else fail ".dockerignore lacks $x"; fi
done

build_pkgs=$(stage_packages 1)
for p in libssl-dev libcurl4-openssl-dev libc-ares-dev libyaml-dev libjansson-dev libexpat1-dev pkg-config; do
	grep -qx "$p" <<<"$build_pkgs" || fail "build stage lacks $p"
done
runtime_pkgs=$(stage_packages 2)
grep -q -- '-dev$' <<<"$runtime_pkgs" && fail "runtime stage installs -dev packages"
grep -qx ca-certificates <<<"$runtime_pkgs" || fail "runtime stage lacks ca-certificates"

# Every shared library the tools load, by Debian package.
if command -v dpkg >/dev/null && command -v ldd >/dev/null; then
	[ -x "$BIN/eks-token" ] || die "run make first"
	libs=$( { for b in "$BIN"/*; do ldd "$b" | awk '$3 ~ /^\// {print $3}'; done
		ldconfig -p | awk -v n=libcurl.so.4 '$1 == n {print $NF; exit}'; } | sort -u)
	grep -q 'libcurl\.so' <<<"$libs" || fail "libcurl.so.4 not found on this machine"
	# `make sanitize` binaries also load the sanitizer runtimes: not the image's
	if grep -q '/libasan\.so' <<<"$libs"; then
		libs=$(grep -Ev '/lib(asan|ubsan|gcc_s|stdc\+\+)\.so' <<<"$libs")
	fi
	while read -r lib; do
		pkg=$(dpkg -S "$lib" 2>/dev/null || dpkg -S "*/$(basename "$lib")" 2>/dev/null)
		pkg=${pkg%%:*}
		case "$pkg" in
		"") fail "no package owns $lib" ;;
		libc6) ;;   # in the base image
		*) if grep -qx "$pkg" <<<"$runtime_pkgs"; then ok "runtime has $pkg ($(basename "$lib"))"
		   else fail "runtime stage lacks $pkg for $(basename "$lib")"; fi ;;
		esac
	done <<<"$libs"
else
	echo "no dpkg/ldd here: library packages not checked"
fi

# The paths copied out of the build stage exist after make install.
make --no-print-directory -s install PREFIX=/usr/local DESTDIR="$T/out" >/dev/null 2>&1 || fail "make install DESTDIR"
while read -r src; do
	if [ -d "$T$src" ] && [ -n "$(ls -A "$T$src")" ]; then ok "make install fills $src"
	else fail "make install leaves $src empty"; fi
done < <(sed -n 's|^COPY --from=build \(/out/[^ ]*\) .*|\1|p' Dockerfile)
for t in "$BIN"/*; do
	[ -x "$T/out/usr/local/bin/$(basename "$t")" ] || fail "$(basename "$t") not in /out/usr/local/bin"
done
finish
