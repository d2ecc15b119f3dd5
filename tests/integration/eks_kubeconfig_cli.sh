#!/usr/bin/env bash
# eks-kubeconfig's front end: --help, --version, --list-flags, and the
# completion scripts and man page covering every flag of the table.
set -u
. "$(dirname "$0")/../lib/common.sh"
test_env
. "$TOP/tests/lib/kubeconfig.sh"

out=$("$EKC" --help)
assert_eq 0 $? "--help: exit 0"
for f in --cluster-name --all --kubeconfig --keep-current-context --exec-api-version --users --dry-run; do
	assert_contains "$out" "$f" "--help mentions $f"
done
assert_contains "$("$EKC" --version)" "$(cat "$TOP/VERSION")" "--version"

# the convert subcommand has its own table: the same scripts must cover it
{ "$EKC" --list-flags && "$EKC" convert --list-flags; } >"$T/flags" || fail "--list-flags"
nflags=$(wc -l <"$T/flags")
[ "$nflags" -ge 24 ] && ok "--list-flags lists $nflags flags" || fail "--list-flags: $nflags rows"
B=$TOP/completions/eks-kubeconfig.bash Z=$TOP/completions/_eks-kubeconfig F=$TOP/completions/eks-kubeconfig.fish
sed 's/\\-/-/g' "$TOP/man/eks-kubeconfig.1" >"$T/man.txt"
while IFS=$'\t' read -r long short argname kind; do
	name=${long#--}
	grep -qE -- "(^|[[:space:]\"|(])$long([[:space:]\"|)]|$)" "$B" || fail "bash misses $long"
	grep -qE -- "(^|[{,'()])$long(=|\+|\[|,|\}|')" "$Z" || fail "zsh misses $long"
	grep -qE -- "-l $name( |$)" "$F" || fail "fish misses $long"
	grep -qE -- "$long( |,|$)" "$T/man.txt" || fail "man page misses $long"
	if [ "$short" != - ]; then
		grep -qE -- "(^|[[:space:]\"|(])$short([[:space:]\"|)]|$)" "$B" || fail "bash misses $short"
		grep -qE -- "-s ${short#-} " "$F" || fail "fish misses $short"
	fi
	if [ "$argname" = - ]; then
		grep -qE -- "-l $name .*-[rx]( |$)" "$F" && fail "fish: $long takes no argument"
	fi
	if [ "$kind" = profile ]; then
		grep -q "_eks_kubeconfig_profiles" "$B" || fail "$long: no profile completion"
	fi
done <"$T/flags"
[ -z "${TEST_FAILED:-}" ] && ok "bash, zsh, fish and the man page cover all $nflags flags"

# '[ profile  spaced ]' is no profile for botocore either: it must not be offered
printf '[default]\n[profile dev]\n[ profile  spaced ]\n[sso-session s]\n' >"$AWS_CONFIG_FILE"
printf '[prod]\n' >"$AWS_SHARED_CREDENTIALS_FILE"
got=$(PATH="$BIN:$PATH" bash -c '. "$1"; COMP_WORDS=(eks-kubeconfig --profile ""); COMP_CWORD=2; _eks_kubeconfig; echo "${COMPREPLY[*]}"' _ "$B")
assert_eq "default dev prod" "$got" "bash: --profile offers the configured profiles"
got=$(PATH="$BIN:$PATH" bash -c '. "$1"; COMP_WORDS=(eks-kubeconfig --keep); COMP_CWORD=1; _eks_kubeconfig; echo "${COMPREPLY[*]}"' _ "$B")
assert_eq "--keep-current-context" "$got" "bash: flag names complete"
got=$(PATH="$BIN:$PATH" bash -c '. "$1"; COMP_WORDS=(eks-kubeconfig --exec-api-version ""); COMP_CWORD=2; _eks_kubeconfig; echo "${COMPREPLY[*]}"' _ "$B")
assert_eq "v1beta1 v1" "$got" "bash: exec api versions"
if command -v zsh >/dev/null 2>&1; then zsh -n "$Z" && ok "zsh completion parses" || fail "zsh -n"; fi
if command -v fish >/dev/null 2>&1; then
	fish -n "$F" && ok "fish completion parses" || fail "fish -n"
	got=$(PATH="$BIN:$PATH" fish -c "source $F; complete -C'eks-kubeconfig --profile '" | cut -f1 | sort | tr '\n' ' ')
	assert_eq "default dev prod " "$got" "fish: --profile offers the configured profiles"
fi
grep -q "^\.SH EXIT STATUS" "$TOP/man/eks-kubeconfig.1" && ok "man page: exit status" || fail "man page: exit status"

finish
