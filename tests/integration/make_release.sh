#!/usr/bin/env bash
# `make dist` is reproducible and `make release VERSION=x.y.z` does its job,
# in a throwaway git repository made from this tree's files (the real tree's
# VERSION and history are never touched):
#  - two `make dist` runs give the same bytes;
#  - a malformed version, an older version and a dirty tree are refused, with
#    nothing changed;
#  - a release bumps VERSION (and the spec, formula URL, changelogs, man
#    pages), builds the tarball, writes its sha256 into the formula and the
#    spec, commits, prints the checklist, and `git archive` of the release
#    commit gives the same tarball again.
. "$(dirname "$0")/../lib/common.sh"
test_env
command -v git >/dev/null || skip "git is not installed"

export GIT_AUTHOR_NAME=test GIT_AUTHOR_EMAIL=test@example.invalid \
       GIT_COMMITTER_NAME=test GIT_COMMITTER_EMAIL=test@example.invalid \
       GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_DATE='2026-01-02T03:04:05Z' \
       GIT_COMMITTER_DATE='2026-01-02T03:04:05Z'
real_version=$(cat "$TOP/VERSION")
real_head=$(git -C "$TOP" rev-parse HEAD 2>/dev/null)

# The repository: the tree's tracked and new (not ignored) files, one commit.
R=$T/repo
mkdir -p "$R"
(cd "$TOP" && git ls-files -z --cached --others --exclude-standard |
	xargs -0 -I{} sh -c '[ -e "{}" ] && printf "%s\0" "{}"' |
	tar --null -T - -cf -) | tar -xf - -C "$R" || die "cannot copy the tree"
cd "$R" || die "no $R"
{ git init -q . && git add -A && git commit -q -m "test tree"; } || die "git commit"
mk() { make --no-print-directory -s "$@" 2>&1; }
v0=$(cat VERSION)

# ---- make dist: reproducible ---------------------------------------------
mk dist >/dev/null || fail "make dist"
s1=$(sha256sum <"build/ekskit-$v0.tar.gz")
sleep 1.1   # a different wall clock must not change the bytes
rm -f "build/ekskit-$v0.tar.gz"
mk dist >/dev/null || fail "make dist (2)"
s2=$(sha256sum <"build/ekskit-$v0.tar.gz")
assert_eq "$s1" "$s2" "two make dist runs give identical tarballs"
tar -tzf "build/ekskit-$v0.tar.gz" | grep -qx "ekskit-$v0/VERSION" || fail "tarball has ekskit-$v0/VERSION"
tar -tzf "build/ekskit-$v0.tar.gz" | grep -q "^ekskit-$v0/tests/data/aws-sigv4-suite/LICENSE$" ||
	fail "tarball carries the SigV4 suite with its LICENSE"

# ---- refusals --------------------------------------------------------------
for bad in 1.2 v1.2.3 1.2.3.4 01.2.3 "1.2.3;true" "" 1.2.x; do
	out=$(mk release VERSION="$bad"); rc=$?
	[ "$rc" != 0 ] || fail "version '$bad' accepted"
	case "$bad" in "") assert_contains "$out" "usage: make release VERSION=x.y.z" "empty version: usage" ;;
	*) assert_contains "$out" "malformed version" "version '$bad' refused" ;; esac
done
out=$(mk release); rc=$?
[ "$rc" != 0 ] || fail "make release without VERSION= accepted"
assert_contains "$out" "usage: make release VERSION=x.y.z" "make release without VERSION: usage"
out=$(mk release VERSION=0.0.1); rc=$?
[ "$rc" != 0 ] || fail "an older version accepted"
assert_contains "$out" "older than the current $v0" "an older version is refused"

echo "# local edit" >>Makefile
out=$(mk release VERSION=9.8.7); rc=$?
[ "$rc" != 0 ] || fail "a dirty tree accepted"
assert_contains "$out" "uncommitted or untracked changes" "a dirty tree is refused"
git checkout -q -- Makefile
touch untracked-file
out=$(mk release VERSION=9.8.7); rc=$?
[ "$rc" != 0 ] || fail "an untracked file accepted"
assert_contains "$out" "uncommitted or untracked changes" "an untracked file is refused"
rm -f untracked-file
assert_eq "$v0" "$(cat VERSION)" "refusals leave VERSION alone"
assert_eq 1 "$(git rev-list --count HEAD)" "refusals commit nothing"
[ -z "$(git status --porcelain)" ] || fail "refusals left changes: $(git status --porcelain)"

# ---- a release -------------------------------------------------------------
out=$(mk release VERSION=9.8.7); rc=$?
assert_eq 0 "$rc" "make release VERSION=9.8.7"
[ "$rc" = 0 ] || printf '%s\n' "$out" >&2
tb=build/ekskit-9.8.7.tar.gz
url=https://github.com/ekskit/ekskit/releases/download/v9.8.7/ekskit-9.8.7.tar.gz
assert_eq 9.8.7 "$(cat VERSION)" "VERSION is 9.8.7"
sha=$(sha256sum "$tb" | cut -d' ' -f1)
assert_eq "$sha  ekskit-9.8.7.tar.gz" "$(cat "$tb.sha256")" "the .sha256 file matches the tarball"
assert_eq "  url \"$url\"" "$(grep '^  url ' packaging/homebrew/ekskit.rb)" "the formula's url follows the release naming"
assert_eq "  sha256 \"$sha\"" "$(grep '^  sha256 ' packaging/homebrew/ekskit.rb)" "the formula carries the tarball's sha256"
assert_contains "$(grep 'source_sha256' packaging/rpm/ekskit.spec | head -3)" "global source_sha256 $sha}" "the spec carries the tarball's sha256"
assert_eq "Version:        9.8.7" "$(grep '^Version:' packaging/rpm/ekskit.spec)" "the spec's Version"
assert_contains "$(grep '^Source0:' packaging/rpm/ekskit.spec)" "/releases/download/v%{version}/%{name}-%{version}.tar.gz" "the spec's Source0 follows the release naming"
assert_contains "$(head -n 1 packaging/debian/changelog)" "ekskit (9.8.7-1) unstable" "a Debian changelog entry"
assert_contains "$(sed -n '/^%changelog/,$p' packaging/rpm/ekskit.spec)" "ekskit maintainers - 9.8.7-1" "an RPM changelog entry"
for m in man/*.1; do
	assert_contains "$(head -n 1 "$m")" '"ekskit 9.8.7"' "$m names the version"
done
grep -rq '0000000000000000000000000000000000000000000000000000000000000000\|example\.invalid' packaging &&
	fail "a placeholder is left in packaging/"
assert_contains "$out" "git tag -a v9.8.7" "the checklist says to tag"
assert_contains "$out" "upload" "the checklist says to upload"
assert_contains "$out" "$url" "the checklist names the download URL"
[ -z "$(git status --porcelain)" ] || fail "the release left uncommitted changes: $(git status --porcelain)"
assert_eq 3 "$(git rev-list --count HEAD)" "two commits: the release and the sha256"
assert_eq "Release 9.8.7" "$(git log -1 --format=%s HEAD~1)" "the release commit"

# The tag goes on the release commit: git archive of it is the same tarball.
rel=$(printf '%s\n' "$out" | sed -n 's/.*git tag -a v9.8.7 \([0-9a-f]*\) .*/\1/p')
assert_eq "$(git rev-parse HEAD~1)" "$rel" "the checklist tags the commit the tarball came from"
git archive --prefix=ekskit-9.8.7/ -o "$T/again.tar.gz" "$rel"
assert_eq "$sha" "$(sha256sum "$T/again.tar.gz" | cut -d' ' -f1)" "git archive of the release commit reproduces the tarball"
tar -xzOf "$tb" ekskit-9.8.7/VERSION | grep -qx 9.8.7 || fail "the tarball's VERSION is 9.8.7"

# The real tree is untouched.
assert_eq "$real_version" "$(cat "$TOP/VERSION")" "the real tree's VERSION is unchanged"
assert_eq "$real_head" "$(git -C "$TOP" rev-parse HEAD 2>/dev/null)" "the real tree's HEAD is unchanged"
finish
