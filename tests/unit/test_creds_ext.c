/*
 * Unit tests for the issue-3 providers' local logic: the container URL
 * allow-list, the SSO token cache file name, the container/IMDS document
 * parser, and the "not configured" answers (no network is touched: every
 * source here is either unset or refused before a connection).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "creds_json.h"
#include "ekskit/creds.h"
#include "ekskit/creds_ext.h"

static int
clean_env(void **state)
{
	static const char *const vars[] = {
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
		"AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
		"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_EC2_METADATA_SERVICE_ENDPOINT",
		"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", NULL,
	};
	size_t i;

	(void)state;
	for (i = 0; vars[i] != NULL; i++)
		unsetenv(vars[i]);
	setenv("EKSKIT_TEST_LOOPBACK_ONLY", "1", 1);
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	setenv("EKSKIT_NO_CACHE", "1", 1);
	return 0;
}

static void
test_container_allow_list(void **state)
{
	static const struct {
		const char *url;
		int ok;
	} cases[] = {
		{ "http://127.0.0.1/creds", 1 },
		{ "http://127.0.0.1:8080/creds", 1 },
		{ "http://127.9.8.7/x", 1 },
		{ "http://localhost:51679/x", 1 },
		{ "http://[::1]:80/x", 1 },
		{ "http://169.254.170.2/v2/credentials/x", 1 },
		{ "http://169.254.170.23/v1/credentials", 1 },
		{ "http://[fd00:ec2::23]/v1/credentials", 1 },
		{ "https://creds.example.com/x", 1 },
		{ "HTTPS://10.1.2.3/x", 1 },
		{ "http://169.254.169.254/latest/meta-data", 0 },
		{ "http://10.0.0.1/creds", 0 },
		{ "http://example.com/creds", 0 },
		{ "http://128.0.0.1/x", 0 },
		{ "http://169.254.170.3/x", 0 },
		{ "http://127.0.0.1.example.com/x", 0 },
		{ "ftp://127.0.0.1/x", 0 },
		{ "file:///etc/passwd", 0 },
		{ "not a url", 0 },
		{ "", 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (creds_container_url_allowed(cases[i].url) != cases[i].ok)
			fail_msg("%s: expected %d", cases[i].url, cases[i].ok);
	}
}

static void
test_container_not_configured_and_refused(void **state)
{
	struct creds_ctx ctx;
	struct aws_credentials *c = NULL;
	struct ekskit_err err;

	(void)state;
	memset(&ctx, 0, sizeof(ctx));
	ekskit_err_clear(&err);
	assert_int_equal(creds_container_get(&ctx, &c, &err), EKSKIT_ERR_NOT_FOUND);
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://192.168.1.1/creds", 1);
	assert_int_equal(creds_container_get(&ctx, &c, &err), EKSKIT_ERR_CONFIG);
	assert_non_null(strstr(err.msg, "is not allowed"));
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:9/creds", 1);
	setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "line\r\nInjected: header", 1);
	assert_int_equal(creds_container_get(&ctx, &c, &err), EKSKIT_ERR_CONFIG);
	assert_non_null(strstr(err.msg, "line break"));
	assert_null(strstr(err.msg, "Injected"));
	unsetenv("AWS_CONTAINER_AUTHORIZATION_TOKEN");
	setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "/nonexistent/token", 1);
	assert_int_equal(creds_container_get(&ctx, &c, &err), EKSKIT_ERR_CONFIG);
	assert_non_null(strstr(err.msg, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"));
	unsetenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	setenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "v2/no-slash", 1);
	assert_int_equal(creds_container_get(&ctx, &c, &err), EKSKIT_ERR_CONFIG);
	assert_null(c);
}

static void
test_imds_disabled_and_mode(void **state)
{
	struct creds_ctx ctx;
	struct aws_credentials *c = NULL;
	struct ekskit_err err;
	char *region = NULL;

	(void)state;
	memset(&ctx, 0, sizeof(ctx));
	assert_true(imds_disabled());
	assert_int_equal(creds_imds_get(&ctx, &c, NULL), EKSKIT_ERR_NOT_FOUND);
	assert_int_equal(imds_region(&ctx, &region, NULL), EKSKIT_ERR_NOT_FOUND);
	setenv("AWS_EC2_METADATA_DISABLED", "TRUE", 1);
	assert_true(imds_disabled());
	setenv("AWS_EC2_METADATA_DISABLED", "false", 1);
	assert_false(imds_disabled());
	setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv7", 1);
	ekskit_err_clear(&err);
	assert_int_equal(creds_imds_get(&ctx, &c, &err), EKSKIT_ERR_CONFIG);
	assert_non_null(strstr(err.msg, "IPv4 or IPv6"));
	unsetenv("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");
	setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", "169.254.169.254", 1);
	assert_int_equal(creds_imds_get(&ctx, &c, &err), EKSKIT_ERR_CONFIG);
	/* the real address is refused by the test guard before any packet leaves */
	unsetenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	assert_int_equal(creds_imds_get(&ctx, &c, &err), EKSKIT_ERR_NOT_FOUND);
	assert_null(c);
}

static void
test_sso_cache_name(void **state)
{
	char name[46];

	(void)state;
	/* the AWS CLI's names: SHA-1 hex of the session name / start URL */
	creds_sso_cache_name("my-sso-session", name);
	assert_string_equal(name, "b755b5ec73400c04400e978208d8559ad1f39053.json");
	creds_sso_cache_name("https://d-abc123.awsapps.com/start", name);
	assert_string_equal(name, "40a89917e3175433e361b710a9d43528d7f1890a.json");
}

static void
test_web_identity_env_unset(void **state)
{
	struct creds_ctx ctx;
	struct aws_credentials *c = NULL;
	struct ekskit_err err;

	(void)state;
	memset(&ctx, 0, sizeof(ctx));
	assert_int_equal(creds_web_identity_env_get(&ctx, &c, NULL), EKSKIT_ERR_NOT_FOUND);
	setenv("AWS_WEB_IDENTITY_TOKEN_FILE", "/nonexistent/token", 1);
	assert_int_equal(creds_web_identity_env_get(&ctx, &c, NULL), EKSKIT_ERR_NOT_FOUND);
	setenv("AWS_ROLE_ARN", "arn:aws:iam::1:role/r", 1);
	ekskit_err_clear(&err);
	assert_int_equal(creds_web_identity_env_get(&ctx, &c, &err), EKSKIT_ERR_CONFIG);
	assert_non_null(strstr(err.msg, "/nonexistent/token"));
	assert_null(c);
}

static void
test_json_document(void **state)
{
	static const char *good = "{\"Code\":\"Success\",\"AccessKeyId\":\"ASIA1\","
	    "\"SecretAccessKey\":\"sec\",\"Token\":\"tok\",\"Expiration\":\"2027-01-15T08:00:00Z\"}";
	static const char *bad[] = {
		"", "[]", "{\"Code\":\"Failure\",\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"s\"}",
		"{\"AccessKeyId\":\"A\"}", "{\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"topsecret\",\"Expiration\":\"later\"}",
		NULL,
	};
	struct aws_credentials *c = NULL;
	struct ekskit_err err;
	char hint[64];
	size_t i;

	(void)state;
	assert_int_equal(creds_json_parse(good, strlen(good), "x", "imds", &c, NULL), 0);
	assert_string_equal(c->access_key_id, "ASIA1");
	assert_string_equal(c->session_token, "tok");
	assert_int_equal(c->expiration, 1800000000);
	assert_string_equal(c->provider, "imds");
	aws_credentials_free(c);
	for (i = 0; bad[i] != NULL; i++) {
		ekskit_err_clear(&err);
		assert_int_not_equal(creds_json_parse(bad[i], strlen(bad[i]), "x", "p", &c, &err), 0);
		assert_null(c);
		assert_null(strstr(err.msg, "topsecret"));
	}
	assert_string_equal(creds_json_error_hint("{\"message\":\"denied\"}", 20, hint,
	    sizeof(hint)), ": denied");
	assert_string_equal(creds_json_error_hint("secret raw body", 15, hint, sizeof(hint)), "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_container_allow_list, clean_env),
		cmocka_unit_test_setup(test_container_not_configured_and_refused, clean_env),
		cmocka_unit_test_setup(test_imds_disabled_and_mode, clean_env),
		cmocka_unit_test_setup(test_sso_cache_name, clean_env),
		cmocka_unit_test_setup(test_web_identity_env_unset, clean_env),
		cmocka_unit_test_setup(test_json_document, clean_env),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
