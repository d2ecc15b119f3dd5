/* Unit tests for lib/timeutil.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "ekskit/error.h"
#include "ekskit/timeutil.h"

static void
test_parse_valid(void **state)
{
	static const struct { const char *in; long long want; } t[] = {
		{ "1970-01-01T00:00:00Z", 0 },
		{ "2023-04-28T00:00:00Z", 1682640000 },
		{ "2023-04-28T00:14:00.123Z", 1682640840 },
		{ "2023-04-28t00:00:00z", 1682640000 },
		{ "2023-04-28 00:00:00Z", 1682640000 },
		{ "2023-04-28T02:00:00+02:00", 1682640000 },
		{ "2023-04-27T19:30:00-0430", 1682640000 },
		{ "2024-02-29T12:00:00Z", 1709208000 },
		{ "2038-01-19T03:14:08Z", 2147483648LL },
		{ "2016-12-31T23:59:60Z", 1483228799 },
	};
	time_t got;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		got = 0;
		if (timeutil_parse_rfc3339(t[i].in, &got) != 0)
			fail_msg("rejected %s", t[i].in);
		if ((long long)got != t[i].want)
			fail_msg("%s: got %lld want %lld", t[i].in, (long long)got, t[i].want);
	}
}

static void
test_parse_invalid(void **state)
{
	static const char *const bad[] = {
		"", "2023-04-28", "2023-04-28T00:00:00", "2023-04-28T00:00:00ZZ",
		"2023-13-01T00:00:00Z", "2023-02-29T00:00:00Z", "2023-04-31T00:00:00Z",
		"2023-04-28T24:00:00Z", "2023-04-28T00:60:00Z", "2023-04-28T00:00:61Z",
		"2023-04-28X00:00:00Z", "2023-04-28T00:00:00.Z", "2023-04-28T00:00:00+2:00",
		"2023-04-28T00:00:00+24:00", "2023-04-28T00:00:00 Z", "20230428T000000Z",
		"2023-4-28T00:00:00Z", "abcd-04-28T00:00:00Z", "2023-04-28T00:00:00+02:00x",
	};
	time_t got;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (timeutil_parse_rfc3339(bad[i], &got) != EKSKIT_ERR_INVALID)
			fail_msg("accepted %s", bad[i]);
	assert_int_equal(timeutil_parse_rfc3339(NULL, &got), EKSKIT_ERR_INVALID);
}

static void
test_format_roundtrip(void **state)
{
	char buf[TIMEUTIL_RFC3339_LEN];
	time_t t, back;

	(void)state;
	assert_int_equal(timeutil_format_rfc3339(1682640840, buf), 0);
	assert_string_equal(buf, "2023-04-28T00:14:00Z");
	assert_int_equal(timeutil_format_rfc3339(0, buf), 0);
	assert_string_equal(buf, "1970-01-01T00:00:00Z");
	for (t = 0; t < 4102444800LL; t += 86400LL * 97 + 3607) {
		assert_int_equal(timeutil_format_rfc3339(t, buf), 0);
		assert_int_equal(timeutil_parse_rfc3339(buf, &back), 0);
		assert_true(back == t);
	}
	/* year 10000 does not fit the format */
	assert_int_equal(timeutil_format_rfc3339(253402300800LL, buf), EKSKIT_ERR_INVALID);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_valid),
		cmocka_unit_test(test_parse_invalid),
		cmocka_unit_test(test_format_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
