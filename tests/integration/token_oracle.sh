#!/usr/bin/env bash
# EKS tokens vs botocore: tests/oracle/eks_token_oracle.py builds 300
# seeded-random cases exactly as `aws eks get-token` does (awscli's own
# token generator on botocore, clock pinned; every partition, regional,
# legacy-global, FIPS and dual-stack hosts, session tokens with + / =,
# cluster names up to 100 characters), then the library's URL and token for
# each case must be byte-for-byte the same (tests/unit/test_token.c,
# test_botocore_oracle) and pass the authenticator's token rules.
# Purely local: presigning needs no network.
set -u
# shellcheck source=tests/lib/common.sh
. "$(dirname "$0")/../lib/common.sh"
test_env

"$PYTHON" -c 'import botocore' 2>/dev/null ||
	skip "python3 botocore is not installed (pip install botocore)"

unit=$TOP/$BUILD/tests/test_token
if [ ! -x "$unit" ]; then
	# `make integration` builds only the tools; `make check` builds this too
	[ "$BUILD" = build ] || die "$unit is missing: run make check"
	make -C "$TOP" --no-print-directory -s "$BUILD/tests/test_token" ||
		die "cannot build $unit"
fi

cases=$T/oracle-cases.json
seed=${EKSKIT_ORACLE_SEED:-20260426}
"$PYTHON" "$TOP/tests/oracle/eks_token_oracle.py" --out "$cases" \
	--cases "${EKSKIT_ORACLE_N:-300}" --seed "$seed" ||
	die "the botocore oracle failed to produce cases"

out=$T/unit.log
if ! EKSKIT_ORACLE_CASES=$cases "$unit" >"$out" 2>&1; then
	cat "$out"
	echo "FAIL: ekskit tokens differ from botocore's (seed $seed)"
	exit 1
fi
grep -q 'botocore oracle: .* 0 differ' "$out" ||
	{ cat "$out"; echo "FAIL: the oracle comparison did not run"; exit 1; }
grep 'botocore oracle:' "$out"
ok "tokens match botocore byte for byte"
