#!/usr/bin/env bash
# `make install` into a DESTDIR lays out binaries, man pages, completions, the
# static library, headers and a pkg-config file that a program can build with.
. "$(dirname "$0")/../lib/common.sh"
test_env
cd "$TOP" || exit 1
dest=$T/dest
make -s install BUILD="$BUILD" DESTDIR="$dest" PREFIX=/usr >"$T/install.log" 2>&1 ||
	{ cat "$T/install.log"; die "make install failed"; }

[ -x "$dest/usr/bin/eks-token" ] && ok "eks-token installed" || fail "no eks-token binary"
[ -f "$dest/usr/lib/libekskit.a" ] && ok "static library installed" || fail "no libekskit.a"
[ -f "$dest/usr/include/ekskit/error.h" ] && ok "headers installed" || fail "no headers"
unit=$dest/usr/lib/systemd/system/eks-hosts@.service
[ -f "$unit" ] || die "no systemd unit installed"
assert_contains "$(grep ^ExecStart "$unit")" "ExecStart=/usr/bin/eks-hosts " "unit runs the installed binary"
for t in $(ls "$TOP/cmd"); do
	[ -x "$dest/usr/bin/$t" ] || fail "$t not installed"
	[ -f "$dest/usr/share/man/man1/$t.1" ] || fail "man page of $t not installed"
	[ -f "$dest/usr/share/bash-completion/completions/$t" ] || fail "bash completion of $t not installed"
done
pc=$dest/usr/lib/pkgconfig/ekskit.pc
[ -f "$pc" ] || die "no pkg-config file"
assert_contains "$(cat "$pc")" "Version: $(cat VERSION)" "pkg-config version"

# Build and run a program against the installed copy, flags from pkg-config.
cat >"$T/prog.c" <<'C'
#include <stdio.h>
#include <ekskit/buf.h>
#include <ekskit/error.h>
int main(void) {
	struct ekbuf b;
	ekbuf_init(&b, 0);
	if (ekbuf_printf(&b, "%s", ekskit_strerror(EKSKIT_ERR_USAGE)) != EKSKIT_OK)
		return 1;
	puts(b.data);
	ekbuf_release(&b);
	return 0;
}
C
flags=$(PKG_CONFIG_SYSROOT_DIR=$dest PKG_CONFIG_PATH=$dest/usr/lib/pkgconfig \
	pkg-config --cflags --libs ekskit) || die "pkg-config cannot read ekskit.pc"
# a sanitizer build's library needs the sanitizer runtimes at link time
case "$BUILD" in *sanitize*) flags="-fsanitize=address,undefined $flags" ;; esac
# shellcheck disable=SC2086
cc -o "$T/prog" "$T/prog.c" $flags || die "cannot link against the installed libekskit.a"
assert_eq "usage error" "$("$T/prog")" "program built from pkg-config flags runs"
finish
