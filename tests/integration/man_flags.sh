#!/usr/bin/env bash
# Every tool has a man page, and every flag in its flag table (the hidden
# --list-flags: long name, short name) is in it.  New tools are picked up
# from build/bin.
. "$(dirname "$0")/../lib/common.sh"
test_env

# man_has_flag TEXT FLAG: FLAG appears as a whole word in TEXT (troff
# escapes already removed).
man_has_flag() {
	grep -qE -- "(^|[^a-z0-9-])$2([^a-z0-9-]|\$)" <<<"$1"
}

tools=0
for bin in "$BIN"/*; do
	[ -x "$bin" ] || continue
	tool=$(basename "$bin")
	tools=$((tools + 1))
	page=$TOP/man/$tool.1
	if [ ! -f "$page" ]; then fail "$tool: no man/$tool.1"; continue; fi
	text=$(sed 's/\\-/-/g; s/\\f[BIRP]//g' "$page")
	flags=$("$bin" --list-flags) || { fail "$tool --list-flags"; continue; }
	missing=
	while IFS=$'\t' read -r long short _; do
		man_has_flag "$text" "$long" || missing="$missing $long"
		[ "$short" = - ] || man_has_flag "$text" "$short" || missing="$missing $short"
	done <<<"$flags"
	if [ -z "$missing" ]; then ok "$tool: every flag in man/$tool.1"; else
		fail "$tool: not in man/$tool.1:$missing"; fi
done
[ "$tools" -ge 4 ] || fail "only $tools tools in $BIN (run make)"

# The check itself can fail: a flag that is not in a page.
man_has_flag "$(sed 's/\\-/-/g' "$TOP/man/eks-token.1")" --no-such-flag && fail "checker finds a flag that is not there"
man_has_flag "-\-cluster-name-x" --cluster-name && fail "checker matches a prefix"
man_has_flag ".B --cluster-name NAME" --cluster-name || fail "checker misses a flag"
finish
