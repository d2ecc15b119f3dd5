#!/usr/bin/env bash
# The STS client (lib/sts.c over lib/awsreq.c and lib/http.c) against moto on
# loopback: AssumeRole signed with static keys, GetCallerIdentity signed with
# the assumed credentials (moto names the assumed role and session), and the
# unsigned AssumeRoleWithWebIdentity.  Runs the cmocka binary test_sts, whose
# moto cases skip without MOTO_URL in the unit phase; here a skip is a failure.
set -u
. "$(dirname "$0")/../lib/common.sh"

TEST_BIN=$TOP/$BUILD/tests/test_sts
[ -x "$TEST_BIN" ] || die "$TEST_BIN is not built (make check builds it)"

test_env
need_moto
out=$(cd "$TOP" && EKSKIT_REQUIRE_MOTO=1 MOTO_URL=$MOTO_URL "$TEST_BIN" 2>&1)
rc=$?
printf '%s\n' "$out"
[ $rc -eq 0 ] || fail "test_sts exited $rc"
assert_contains "$out" "[       OK ] test_moto_assume_and_identity" "moto STS round trip"
assert_not_contains "$out" "SKIPPED" "no moto case skipped"
finish
