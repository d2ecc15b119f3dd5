/* Unit tests for lib/execcred.c: KUBERNETES_EXEC_INFO and the ExecCredential line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "ekskit/buf.h"
#include "ekskit/error.h"
#include "ekskit/execcred.h"

static void
test_absent_defaults_to_v1beta1(void **state)
{
	const char *v = NULL;
	int dep = -1;

	(void)state;
	assert_int_equal(execcred_api_version(NULL, &v, &dep, NULL), EKSKIT_OK);
	assert_string_equal(v, EXECCRED_API_V1BETA1);
	assert_int_equal(dep, 0);
	v = NULL;
	assert_int_equal(execcred_api_version("", &v, NULL, NULL), EKSKIT_OK);
	assert_string_equal(v, EXECCRED_API_V1BETA1);
}

static void
test_known_versions_echoed(void **state)
{
	static const struct {
		const char *info;
		const char *want;
		int deprecated;
	} cases[] = {
		{ "{\"kind\":\"ExecCredential\",\"apiVersion\":\"client.authentication.k8s.io/v1\","
		  "\"spec\":{\"interactive\":false}}", EXECCRED_API_V1, 0 },
		{ "{\"kind\":\"ExecCredential\",\"apiVersion\":\"client.authentication.k8s.io/v1beta1\","
		  "\"spec\":{\"interactive\":true}}", EXECCRED_API_V1BETA1, 0 },
		{ "{\"apiVersion\":\"client.authentication.k8s.io/v1alpha1\",\"kind\":\"ExecCredential\"}",
		  EXECCRED_API_V1ALPHA1, 1 },
		/* kind is optional; extra fields are ignored */
		{ " {\"apiVersion\":\"client.authentication.k8s.io/v1\",\"x\":[1,2]} ", EXECCRED_API_V1, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *v = NULL;
		int dep = -1;
		struct ekskit_err err;

		ekskit_err_clear(&err);
		assert_int_equal(execcred_api_version(cases[i].info, &v, &dep, &err), EKSKIT_OK);
		assert_string_equal(v, cases[i].want);
		assert_int_equal(dep, cases[i].deprecated);
	}
}

static void
test_bad_exec_info(void **state)
{
	static const struct {
		const char *info;
		const char *msg_part;
	} cases[] = {
		{ "{\"apiVersion\":\"client.authentication.k8s.io/v2\"}", "unsupported exec credential apiVersion \"client.authentication.k8s.io/v2\"" },
		{ "{\"apiVersion\":\"v1\"}", "unsupported" },
		{ "{\"apiVersion\":\"\"}", "unsupported" },
		{ "{\"apiVersion\":1}", "no apiVersion" },
		{ "{\"kind\":\"ExecCredential\"}", "no apiVersion" },
		{ "{\"kind\":\"Pod\",\"apiVersion\":\"client.authentication.k8s.io/v1\"}", "expected ExecCredential" },
		{ "{\"kind\":7,\"apiVersion\":\"client.authentication.k8s.io/v1\"}", "(not a string)" },
		{ "[\"client.authentication.k8s.io/v1\"]", "not a JSON object" },
		{ "{\"apiVersion\":", "not valid JSON" },
		{ "client.authentication.k8s.io/v1", "not valid JSON" },
		{ "{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"apiVersion\":\"x\"}", "not valid JSON" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *v = "unchanged";
		struct ekskit_err err;

		ekskit_err_clear(&err);
		assert_int_equal(execcred_api_version(cases[i].info, &v, NULL, &err),
		    EKSKIT_ERR_INVALID);
		assert_null(v);
		if (strstr(err.msg, cases[i].msg_part) == NULL)
			fail_msg("case %zu: [%s] not in [%s]", i, cases[i].msg_part, err.msg);
	}
}

static void
test_oversized_exec_info(void **state)
{
	size_t n = EXECCRED_INFO_MAX + 10;
	char *big = malloc(n + 1);
	const char *v;
	struct ekskit_err err;

	(void)state;
	assert_non_null(big);
	memset(big, ' ', n);
	big[n] = '\0';
	ekskit_err_clear(&err);
	assert_int_equal(execcred_api_version(big, &v, NULL, &err), EKSKIT_ERR_INVALID);
	assert_non_null(strstr(err.msg, "larger than"));
	free(big);
}

static void
test_timestamp(void **state)
{
	char *out = NULL;

	(void)state;
	assert_int_equal(execcred_format("client.authentication.k8s.io/v1", "t",
	    951782400, &out, NULL, NULL), EKSKIT_OK);  /* leap day */
	assert_non_null(strstr(out, "\"expirationTimestamp\":\"2000-02-29T00:00:00Z\""));
	ek_free_secret(out);
	out = NULL;
	assert_int_equal(execcred_format("client.authentication.k8s.io/v1", "t",
	    -1, &out, NULL, NULL), EKSKIT_ERR_INVALID);
	assert_null(out);
}

static void
test_format_exact_bytes(void **state)
{
	char *out = NULL;
	size_t len = 0;

	(void)state;
	assert_int_equal(execcred_format(EXECCRED_API_V1, "k8s-aws-v1.aHR0cHM6Ly9zdHM",
	    1682640000 + 840, &out, &len, NULL), EKSKIT_OK);
	assert_string_equal(out,
	    "{\"kind\":\"ExecCredential\",\"apiVersion\":\"client.authentication.k8s.io/v1\","
	    "\"spec\":{\"interactive\":false},\"status\":{\"expirationTimestamp\":"
	    "\"2023-04-28T00:14:00Z\",\"token\":\"k8s-aws-v1.aHR0cHM6Ly9zdHM\"}}\n");
	assert_int_equal(len, strlen(out));
	ek_free_secret(out);
}

/* The line parses back (with jansson) to the same values, in the documented key order. */
static void
test_format_round_trip(void **state)
{
	const char *versions[] = { EXECCRED_API_V1, EXECCRED_API_V1BETA1, EXECCRED_API_V1ALPHA1 };
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		char *out = NULL;
		json_t *j;
		json_error_t jerr;
		const char *key;
		json_t *val;
		const char *order[] = { "kind", "apiVersion", "spec", "status" };
		size_t k = 0;

		assert_int_equal(execcred_format(versions[i], "k8s-aws-v1.abc_-DEF",
		    2000000000, &out, NULL, NULL), EKSKIT_OK);
		assert_int_equal(strchr(out, '\n') - out, (long)strlen(out) - 1);
		j = json_loads(out, JSON_REJECT_DUPLICATES, &jerr);
		assert_non_null(j);
		json_object_foreach(j, key, val) {
			(void)val;
			assert_true(k < 4);
			k++;
		}
		assert_int_equal(k, 4);
		assert_true(strstr(out, order[0]) < strstr(out, order[1]));
		assert_true(strstr(out, order[1]) < strstr(out, order[2]));
		assert_true(strstr(out, order[2]) < strstr(out, order[3]));
		assert_string_equal(json_string_value(json_object_get(j, "apiVersion")), versions[i]);
		assert_true(json_is_false(json_object_get(json_object_get(j, "spec"), "interactive")));
		assert_string_equal(json_string_value(json_object_get(
		    json_object_get(j, "status"), "token")), "k8s-aws-v1.abc_-DEF");
		assert_string_equal(json_string_value(json_object_get(
		    json_object_get(j, "status"), "expirationTimestamp")), "2033-05-18T03:33:20Z");
		json_decref(j);
		ek_free_secret(out);
	}
}

static void
test_format_refuses_unsafe(void **state)
{
	const char *bad[] = { "", "tok\"en", "tok\\en", "tok\nen", "tok\xc3\xa9" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *out = (char *)"x";

		assert_int_equal(execcred_format(EXECCRED_API_V1, bad[i], 0, &out, NULL, NULL),
		    EKSKIT_ERR_INVALID);
		assert_null(out);
	}
	{
		char *out = NULL;

		assert_int_equal(execcred_format(NULL, "t", 0, &out, NULL, NULL), EKSKIT_ERR_INVALID);
		assert_int_equal(execcred_format(EXECCRED_API_V1, "t", -5, &out, NULL, NULL),
		    EKSKIT_ERR_INVALID);
		assert_null(out);
	}
}

/* spec.interactive as kubectl sends it; anything odd means "do not prompt". */
static void
test_interactive(void **state)
{
	static const struct { const char *info; int want; } cases[] = {
		{ NULL, -1 },
		{ "", -1 },
		{ "{\"kind\":\"ExecCredential\",\"apiVersion\":\"client.authentication.k8s.io/v1\","
		  "\"spec\":{\"interactive\":true}}", 1 },
		{ "{\"kind\":\"ExecCredential\",\"apiVersion\":\"client.authentication.k8s.io/v1beta1\","
		  "\"spec\":{\"interactive\":false}}", 0 },
		{ "{\"kind\":\"ExecCredential\",\"spec\":{}}", 0 },
		{ "{\"spec\":{\"interactive\":\"true\"}}", 0 },
		{ "{\"spec\":{\"interactive\":1}}", 0 },
		{ "not json", 0 },
		{ "{\"spec\":{\"interactive\":true},\"spec\":{\"interactive\":true}}", 0 },
	};
	char *out = NULL;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(execcred_interactive(cases[i].info), cases[i].want);
	assert_int_equal(execcred_format_spec(EXECCRED_API_V1, "t", 0, 1, &out, NULL,
	    NULL), EKSKIT_OK);
	assert_non_null(strstr(out, "\"spec\":{\"interactive\":true}"));
	ek_free_secret(out);
}

/* spec.cluster.config of a shared user: read, validated field by field. */
static void
test_cluster_config(void **state)
{
	static const char head[] = "{\"kind\":\"ExecCredential\",\"apiVersion\":"
	    "\"client.authentication.k8s.io/v1\",\"spec\":{\"cluster\":{\"server\":"
	    "\"https://x\",\"config\":";
	static const struct { const char *cfg; int want; } cases[] = {
		{ "{\"cluster-name\":\"c1\",\"region\":\"eu-west-1\",\"role-arn\":"
		  "\"arn:aws:iam::1:role/r\",\"profile\":\"dev\"}", EKSKIT_OK },
		{ "{\"cluster-id\":\"0123-abcd\"}", EKSKIT_OK },
		{ "null", EKSKIT_ERR_NOT_FOUND },
		{ "{\"cluster-name\":\"c1\",\"extra\":\"x\"}", EKSKIT_ERR_INVALID },
		{ "{\"cluster-name\":\"c1\",\"region\":\"EU WEST\"}", EKSKIT_ERR_INVALID },
		{ "{\"cluster-name\":\"c1\",\"profile\":\"a\\u001bb\"}", EKSKIT_ERR_INVALID },
		{ "{\"cluster-name\":true}", EKSKIT_ERR_INVALID },
		{ "{\"region\":\"eu-west-1\"}", EKSKIT_ERR_INVALID },
		{ "{\"cluster-name\":\"a\",\"cluster-name\":\"b\"}", EKSKIT_ERR_INVALID },
	};
	struct execcred_cluster_config c;
	struct ekskit_err err;
	char buf[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(buf, sizeof(buf), "%s%s}}}", head, cases[i].cfg);
		ekskit_err_clear(&err);
		if (execcred_cluster_config(buf, &c, &err) != cases[i].want)
			fail_msg("%s: got \"%s\"", cases[i].cfg, err.msg);
		if (i == 0) {
			assert_string_equal(c.cluster_name, "c1");
			assert_string_equal(c.region, "eu-west-1");
			assert_string_equal(c.role_arn, "arn:aws:iam::1:role/r");
			assert_string_equal(c.profile, "dev");
			assert_null(c.cluster_id);
		}
		execcred_cluster_config_release(&c);
	}
	assert_int_equal(execcred_cluster_config(NULL, &c, &err), EKSKIT_ERR_NOT_FOUND);
	assert_int_equal(execcred_cluster_config("{", &c, &err), EKSKIT_ERR_INVALID);
	assert_int_equal(execcred_cluster_config("{\"spec\":{}}", &c, &err), EKSKIT_ERR_NOT_FOUND);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_absent_defaults_to_v1beta1),
		cmocka_unit_test(test_known_versions_echoed),
		cmocka_unit_test(test_bad_exec_info),
		cmocka_unit_test(test_oversized_exec_info),
		cmocka_unit_test(test_timestamp),
		cmocka_unit_test(test_format_exact_bytes),
		cmocka_unit_test(test_format_round_trip),
		cmocka_unit_test(test_format_refuses_unsafe),
		cmocka_unit_test(test_interactive),
		cmocka_unit_test(test_cluster_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
