/* Unit tests for lib/k8s.c: names, paths, durations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ekskit/k8s.h"

static void
test_names(void **state)
{
	(void)state;
	assert_true(k8s_name_valid("default"));
	assert_true(k8s_name_valid("ci-bot.v2"));
	assert_false(k8s_name_valid(""));
	assert_false(k8s_name_valid("Upper"));
	assert_false(k8s_name_valid("-lead"));
	assert_false(k8s_name_valid("trail-"));
	assert_false(k8s_name_valid("a/b"));
	assert_false(k8s_name_valid("a b"));
	assert_false(k8s_name_valid("../x"));
}

static void
test_path(void **state)
{
	struct ekskit_err err;
	char *p;

	(void)state;
	assert_int_equal(k8s_path(&p, &err,
	    "/api/v1/namespaces/%s/serviceaccounts/%s/token", "ns1", "sa"), 0);
	assert_string_equal(p, "/api/v1/namespaces/ns1/serviceaccounts/sa/token");
	free(p);
	assert_int_equal(k8s_path(&p, &err, "/api/v1/namespaces/%s", "a/../b"),
	    EKSKIT_ERR_INVALID);
	assert_null(p);
	assert_non_null(strstr(err.msg, "a/../b"));
}

static void
test_duration(void **state)
{
	static const struct { const char *in; long long want; } ok[] = {
		{ "1h", 3600 }, { "30m", 1800 }, { "90s", 90 }, { "1h30m", 5400 },
		{ "1.5h", 5400 }, { "2h45m10s", 9910 }, { "0", 0 }, { "1500ms", 1 },
		{ "24h", 86400 },
	};
	static const char *bad[] = { "", "h", "10", "1d", "-1h", "1h-5m", "abc",
	    "1 h", "inf" };
	struct ekskit_err err;
	long long s;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(k8s_parse_duration(ok[i].in, &s, &err), 0);
		assert_int_equal(s, ok[i].want);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(k8s_parse_duration(bad[i], &s, &err),
		    EKSKIT_ERR_INVALID);
		assert_non_null(strstr(err.msg, "invalid duration"));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_path),
		cmocka_unit_test(test_duration),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
