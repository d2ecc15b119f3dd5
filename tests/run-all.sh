#!/usr/bin/env bash
# Runs every test: the cmocka unit binaries in $BUILD/tests, then each
# integration script in tests/integration (which share one moto server).
# Ends with the line "N passed, N failed[, N skipped]".
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export BUILD
mode=all
case "${1:-}" in
--unit-only) mode=unit ;;
--integration-only) mode=integration ;;
esac

passed=0 failed=0 skipped=0
failures=()

run_one() {  # name, command...
	local name=$1; shift
	local log
	log=$(mktemp)
	local t0=$SECONDS
	"$@" >"$log" 2>&1
	local rc=$?
	if [ $rc -eq 0 ]; then
		passed=$((passed + 1)); printf 'PASS  %-40s (%ss)\n' "$name" $((SECONDS - t0))
	elif [ $rc -eq 77 ]; then
		skipped=$((skipped + 1)); printf 'SKIP  %-40s %s\n' "$name" "$(tail -n 1 "$log")"
	else
		failed=$((failed + 1)); failures+=("$name")
		printf 'FAIL  %-40s (exit %d)\n' "$name" $rc
		# the failed checks first (a long log's tail may not hold them), then the end
		grep -a '^FAIL' "$log" | head -n 20 | sed 's/^/      ! /'
		sed 's/^/      | /' "$log" | tail -n 60
	fi
	rm -f "$log"
}

if [ $mode != integration ]; then
	for t in "$BUILD"/tests/test_*; do
		[ -x "$t" ] || continue
		run_one "unit/$(basename "$t")" "$t"
	done
fi

if [ $mode != unit ]; then
	# shellcheck source=tests/lib/common.sh
	. tests/lib/common.sh
	moto_start_shared || { echo "cannot start moto"; exit 1; }
	trap moto_stop_shared EXIT
	for t in tests/integration/*.sh; do
		[ -e "$t" ] || continue
		run_one "integration/$(basename "$t" .sh)" bash "$t"
	done
fi

echo
if [ ${#failures[@]} -gt 0 ]; then
	echo "failed: ${failures[*]}"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
