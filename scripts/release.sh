#!/usr/bin/env bash
# `make release VERSION=x.y.z`: cut a release from a clean tree.
#
#  1. VERSION (the one version source) and what repeats it: the RPM spec's
#     Version and changelog, the Debian changelog, the Homebrew formula's URL,
#     the man pages' footer; committed as "Release x.y.z";
#  2. the tarball of that commit (`make dist`: git archive, reproducible) and
#     its .sha256 in build/;
#  3. that sha256 into the Homebrew formula and the RPM spec; committed;
#  4. the checklist: tag, push, upload.
#
# Releases live at $URL_BASE/vX.Y.Z/ekskit-X.Y.Z.tar.gz.  Refuses a malformed
# version, a version older than the current one, and a dirty tree.
set -euo pipefail

URL_BASE=https://github.com/ekskit/ekskit/releases/download
FORMULA=packaging/homebrew/ekskit.rb
SPEC=packaging/rpm/ekskit.spec
DEBCHANGELOG=packaging/debian/changelog

die() { echo "make release: $*" >&2; exit 1; }
say() { echo "make release: $*"; }

v=${1:-}
[ -n "$v" ] || die "usage: make release VERSION=x.y.z"
[[ $v =~ ^(0|[1-9][0-9]{0,5})\.(0|[1-9][0-9]{0,5})\.(0|[1-9][0-9]{0,5})$ ]] ||
	die "malformed version '$v': want x.y.z (digits only, no leading zeros, no 'v'), e.g. 1.2.3"

cd "$(dirname "$0")/.."
git rev-parse --is-inside-work-tree >/dev/null 2>&1 || die "not a git checkout: releases are made from git"
[ -z "$(git status --porcelain)" ] ||
	die "the tree has uncommitted or untracked changes (git status): commit or stash them first"
git var GIT_COMMITTER_IDENT >/dev/null 2>&1 ||
	die "git has no committer identity: set user.name and user.email first"

old=$(cat VERSION)
[ "$(printf '%s\n%s\n' "$old" "$v" | sort -V | tail -n 1)" = "$v" ] ||
	die "version $v is older than the current $old"

tarball=build/ekskit-$v.tar.gz
url=$URL_BASE/v$v/ekskit-$v.tar.gz

# ---- 1. the version, everywhere it is repeated ---------------------------
say "1/4 version $old -> $v"
printf '%s\n' "$v" >VERSION
sed -i -E "s|^Version:( +).*|Version:\\1$v|" "$SPEC"
sed -i -E "s|^(  url \").*(\")|\\1$url\\2|" "$FORMULA"
sed -i -E 's|^(\.TH [^ ]+ [^ ]+ "[^"]*") "[^"]*"|\1 "ekskit '"$v"'"|' man/*.1
if [ "$v" != "$old" ]; then
	maint=$(sed -n 's/^Maintainer: //p' packaging/debian/control)
	{ printf 'ekskit (%s-1) unstable; urgency=medium\n\n  * Release %s.\n\n -- %s  %s\n\n' \
		"$v" "$v" "$maint" "$(LC_ALL=C date -u -R)"; cat "$DEBCHANGELOG"; } >"$DEBCHANGELOG.new"
	mv "$DEBCHANGELOG.new" "$DEBCHANGELOG"
	sed -i "/^%changelog$/a * $(LC_ALL=C date -u '+%a %b %d %Y') ekskit maintainers - $v-1\\n- Release $v.\\n" "$SPEC"
fi
if [ -n "$(git status --porcelain)" ]; then
	git commit -q -a -m "Release $v"
fi
release_commit=$(git rev-parse HEAD)

# ---- 2. the tarball -------------------------------------------------------
say "2/4 tarball of $release_commit"
rm -f "$tarball"
make --no-print-directory dist VERSION="$v" >/dev/null
[ -s "$tarball" ] || die "make dist did not write $tarball"
sha=$(sha256sum "$tarball" | cut -d' ' -f1)
printf '%s  %s\n' "$sha" "ekskit-$v.tar.gz" >"$tarball.sha256"
say "    $tarball  sha256 $sha"

# ---- 3. its sha256 into the formula and the spec -------------------------
say "3/4 sha256 into $FORMULA and $SPEC"
sed -i -E "s|^(  sha256 \")[0-9a-f]*(\")|\\1$sha\\2|" "$FORMULA"
sed -i -E "s|^(%\\{!\\?source_sha256:%global source_sha256 )[^}]*\\}|\\1$sha}|" "$SPEC"
{ grep -q "$sha" "$FORMULA" && grep -q "$sha" "$SPEC"; } || die "could not write the sha256 into $FORMULA and $SPEC"
if [ -n "$(git status --porcelain)" ]; then
	git commit -q -a -m "packaging: sha256 of ekskit-$v.tar.gz"
fi

# ---- 4. what is left to do by hand --------------------------------------
say "4/4 done; now:"
cat <<EOF
  1. tag the commit the tarball was made from:
       git tag -a v$v $release_commit -m "ekskit $v"
  2. push the branch and the tag:
       git push origin HEAD v$v
  3. create the GitHub release v$v and upload
       $tarball
       $tarball.sha256
     so that it is served at
       $url
  4. check the upload:  curl -fsSL $url | sha256sum   (must print $sha)
  5. publish the packaging: $FORMULA into the Homebrew tap,
     $SPEC to the RPM build (COPR / Fedora), packaging/debian for Debian.
  (git archive v$v reproduces the tarball byte for byte: make dist at that tag.)
EOF
