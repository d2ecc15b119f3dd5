/*
 * Unit tests for lib/tokengen.c with a pinned signing time: environment and
 * profile credentials, region and host choice, the 14-minute expiry and its
 * cap, expired credentials, the unknown-profile error, and that -v output
 * never carries a secret.  No network: nothing here assumes a role.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "ekskit/buf.h"
#include "ekskit/cli.h"
#include "ekskit/error.h"
#include "ekskit/token.h"
#include "ekskit/tokengen.h"

#define NOW 1682640000  /* 2023-04-28T00:00:00Z */
#define SECRET "unitSecret/with+chars=0123456789abcdefghij"
#define STOKEN "unitSessionToken+/=ABCDEFGHIJ"

static char dir[64];
static char cfg_path[128], cred_path[128];

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void
clear_env(void)
{
	static const char *const vars[] = {
		"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
		"AWS_CREDENTIAL_EXPIRATION", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
		"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_STS_REGIONAL_ENDPOINTS",
		"AWS_USE_FIPS_ENDPOINT", "AWS_USE_DUALSTACK_ENDPOINT", "AWS_ENDPOINT_URL",
		"AWS_ENDPOINT_URL_STS", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
	};
	size_t i;

	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		unsetenv(vars[i]);
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	setenv("EKSKIT_TEST_LOOPBACK_ONLY", "1", 1);
	setenv("AWS_CONFIG_FILE", cfg_path, 1);
	setenv("AWS_SHARED_CREDENTIALS_FILE", cred_path, 1);
	write_file(cfg_path, "");
	write_file(cred_path, "");
}

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/ekskit-tokengen.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(cfg_path, sizeof(cfg_path), "%s/config", dir);
	snprintf(cred_path, sizeof(cred_path), "%s/credentials", dir);
	setenv("HOME", dir, 1);
	setenv("XDG_CACHE_HOME", dir, 1);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unlink(cfg_path);
	unlink(cred_path);
	rmdir(dir);
	return 0;
}

/* The presigned URL inside a result's token (caller frees). */
static char *
url_of(const struct tokengen_result *r)
{
	char *url = NULL;

	assert_int_equal(eks_token_decode(r->token, &url, NULL), EKSKIT_OK);
	return url;
}

static void
test_env_credentials(void **state)
{
	struct tokengen_opts o;
	struct tokengen_result r;
	struct ekskit_err err;
	char *url;

	(void)state;
	clear_env();
	setenv("AWS_ACCESS_KEY_ID", "AKIDUNITTEST00000001", 1);
	setenv("AWS_SECRET_ACCESS_KEY", SECRET, 1);
	setenv("AWS_REGION", "eu-west-1", 1);
	memset(&o, 0, sizeof(o));
	o.cluster_id = "unit-cluster";
	o.now = NOW;
	ekskit_err_clear(&err);
	assert_int_equal(tokengen_run(&o, &r, &err), EKSKIT_OK);
	assert_int_equal(r.signed_at, NOW);
	assert_int_equal(r.expiration, NOW + 14 * 60);
	url = url_of(&r);
	assert_true(ek_startswith(url, "https://sts.eu-west-1.amazonaws.com/?Action=GetCallerIdentity&"));
	assert_non_null(strstr(url, "X-Amz-Credential=AKIDUNITTEST00000001%2F20230428%2Feu-west-1%2Fsts%2Faws4_request"));
	assert_non_null(strstr(url, "X-Amz-Date=20230428T000000Z"));
	assert_null(strstr(url, "X-Amz-Security-Token"));
	ek_free_secret(url);
	tokengen_result_release(&r);
	assert_null(r.token);
	tokengen_result_release(&r);    /* twice is fine */
	tokengen_result_release(NULL);

	/* --region beats AWS_REGION; the same inputs sign the same token */
	o.region = "ap-southeast-2";
	assert_int_equal(tokengen_run(&o, &r, &err), EKSKIT_OK);
	url = url_of(&r);
	assert_true(ek_startswith(url, "https://sts.ap-southeast-2.amazonaws.com/"));
	ek_free_secret(url);
	{
		struct tokengen_result r2;

		assert_int_equal(tokengen_run(&o, &r2, &err), EKSKIT_OK);
		assert_string_equal(r.token, r2.token);
		o.cluster_id = "other-cluster";
		tokengen_result_release(&r2);
		assert_int_equal(tokengen_run(&o, &r2, &err), EKSKIT_OK);
		assert_string_not_equal(r.token, r2.token);   /* x-k8s-aws-id is signed */
		tokengen_result_release(&r2);
	}
	tokengen_result_release(&r);
}

static void
test_legacy_global_host_signs_us_east_1(void **state)
{
	struct tokengen_opts o;
	struct tokengen_result r;
	char *url;

	(void)state;
	clear_env();
	setenv("AWS_ACCESS_KEY_ID", "AKIDUNITTEST00000001", 1);
	setenv("AWS_SECRET_ACCESS_KEY", SECRET, 1);
	setenv("AWS_STS_REGIONAL_ENDPOINTS", "legacy", 1);
	memset(&o, 0, sizeof(o));
	o.cluster_id = "c";
	o.region = "us-west-2";
	o.now = NOW;
	assert_int_equal(tokengen_run(&o, &r, NULL), EKSKIT_OK);
	url = url_of(&r);
	assert_true(ek_startswith(url, "https://sts.amazonaws.com/"));
	assert_non_null(strstr(url, "%2Fus-east-1%2Fsts%2F"));
	ek_free_secret(url);
	tokengen_result_release(&r);
}

static void
test_expiry_capped_by_credentials(void **state)
{
	struct tokengen_opts o;
	struct tokengen_result r;
	struct ekskit_err err;

	(void)state;
	clear_env();
	setenv("AWS_ACCESS_KEY_ID", "ASIAUNITTEST00000001", 1);
	setenv("AWS_SECRET_ACCESS_KEY", SECRET, 1);
	setenv("AWS_SESSION_TOKEN", STOKEN, 1);
	setenv("AWS_REGION", "us-west-2", 1);
	memset(&o, 0, sizeof(o));
	o.cluster_id = "c";
	o.now = NOW;
	/* five minutes left: the token claims five, not fourteen */
	setenv("AWS_CREDENTIAL_EXPIRATION", "2023-04-28T00:05:00Z", 1);
	assert_int_equal(tokengen_run(&o, &r, NULL), EKSKIT_OK);
	assert_int_equal(r.expiration, NOW + 300);
	tokengen_result_release(&r);
	/* an hour left: fourteen minutes */
	setenv("AWS_CREDENTIAL_EXPIRATION", "2023-04-28T01:00:00Z", 1);
	assert_int_equal(tokengen_run(&o, &r, NULL), EKSKIT_OK);
	assert_int_equal(r.expiration, NOW + 840);
	tokengen_result_release(&r);
	/* already expired: an error, no token */
	setenv("AWS_CREDENTIAL_EXPIRATION", "2023-04-27T23:59:00Z", 1);
	ekskit_err_clear(&err);
	assert_int_not_equal(tokengen_run(&o, &r, &err), EKSKIT_OK);
	assert_null(r.token);
	assert_non_null(strstr(err.msg, "expired"));
}

static void
test_profile_credentials(void **state)
{
	struct tokengen_opts o;
	struct tokengen_result r;
	struct ekskit_err err;
	char *url;

	(void)state;
	clear_env();
	write_file(cred_path,
	    "[dev]\naws_access_key_id = AKIDPROFILEUNIT00001\n"
	    "aws_secret_access_key = " SECRET "\naws_session_token = " STOKEN "\n");
	write_file(cfg_path, "[profile dev]\nregion = ca-central-1\n");
	/* an explicit --profile outranks environment keys */
	setenv("AWS_ACCESS_KEY_ID", "AKIDUNITTEST00000001", 1);
	setenv("AWS_SECRET_ACCESS_KEY", SECRET, 1);
	memset(&o, 0, sizeof(o));
	o.cluster_id = "c";
	o.profile = "dev";
	o.now = NOW;
	ekskit_err_clear(&err);
	assert_int_equal(tokengen_run(&o, &r, &err), EKSKIT_OK);
	url = url_of(&r);
	assert_true(ek_startswith(url, "https://sts.ca-central-1.amazonaws.com/"));
	assert_non_null(strstr(url, "X-Amz-Credential=AKIDPROFILEUNIT00001%2F"));
	assert_non_null(strstr(url, "X-Amz-Security-Token=unitSessionToken%2B%2F%3DABCDEFGHIJ"));
	ek_free_secret(url);
	tokengen_result_release(&r);

	o.profile = "nosuch";
	ekskit_err_clear(&err);
	assert_int_equal(tokengen_run(&o, &r, &err), EKSKIT_ERR_CONFIG);
	assert_non_null(strstr(err.msg, "profile 'nosuch' not found in"));
	assert_non_null(strstr(err.msg, cfg_path));
	assert_non_null(strstr(err.msg, cred_path));
}

static void
test_errors(void **state)
{
	struct tokengen_opts o;
	struct tokengen_result r;
	struct ekskit_err err;

	(void)state;
	clear_env();
	memset(&o, 0, sizeof(o));
	o.now = NOW;
	ekskit_err_clear(&err);
	assert_int_equal(tokengen_run(&o, &r, &err), EKSKIT_ERR_USAGE);
	assert_non_null(strstr(err.msg, "--cluster-name"));
	o.cluster_id = "";
	assert_int_equal(tokengen_run(&o, &r, &err), EKSKIT_ERR_USAGE);

	/* no region anywhere */
	o.cluster_id = "c";
	setenv("AWS_ACCESS_KEY_ID", "AKIDUNITTEST00000001", 1);
	setenv("AWS_SECRET_ACCESS_KEY", SECRET, 1);
	ekskit_err_clear(&err);
	assert_int_equal(tokengen_run(&o, &r, &err), EKSKIT_ERR_CONFIG);
	assert_non_null(strstr(err.msg, "region"));

	/* no credentials anywhere */
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SECRET_ACCESS_KEY");
	o.region = "us-west-2";
	ekskit_err_clear(&err);
	assert_int_equal(tokengen_run(&o, &r, &err), EKSKIT_ERR_NO_CREDS);
	assert_non_null(strstr(err.msg, "AWS_ACCESS_KEY_ID"));
	assert_null(r.token);

	/* a malformed config file names itself */
	write_file(cfg_path, "[default]\nregion = us-west-2\nnot a setting\n");
	ekskit_err_clear(&err);
	assert_int_not_equal(tokengen_run(&o, &r, &err), EKSKIT_OK);
	assert_non_null(strstr(err.msg, cfg_path));
}

static void
test_verbose_log_has_no_secrets(void **state)
{
	struct tokengen_opts o;
	struct tokengen_result r;
	struct cli_logger lg;
	char *out = NULL;
	size_t len = 0;

	(void)state;
	clear_env();
	setenv("AWS_ACCESS_KEY_ID", "ASIAUNITTEST00000001", 1);
	setenv("AWS_SECRET_ACCESS_KEY", SECRET, 1);
	setenv("AWS_SESSION_TOKEN", STOKEN, 1);
	setenv("AWS_REGION", "us-west-2", 1);
	cli_logger_init(&lg, "test", 1);
	assert_int_equal(cli_logger_add_secret(&lg, "caller-secret"), EKSKIT_OK);
	lg.out = open_memstream(&out, &len);
	assert_non_null(lg.out);
	memset(&o, 0, sizeof(o));
	o.cluster_id = "c";
	o.now = NOW;
	o.log = &lg;
	assert_int_equal(tokengen_run(&o, &r, NULL), EKSKIT_OK);
	fclose(lg.out);
	assert_non_null(strstr(out, "region us-west-2"));
	assert_non_null(strstr(out, "credentials from env"));
	assert_non_null(strstr(out, "ASIAUNITTEST00000001"));
	assert_non_null(strstr(out, "sts.us-west-2.amazonaws.com"));
	assert_non_null(strstr(out, "2023-04-28T00:14:00Z"));
	assert_null(strstr(out, SECRET));
	assert_null(strstr(out, STOKEN));
	assert_null(strstr(out, r.token + strlen("k8s-aws-v1.")));
	/* the credentials' secrets were forgotten (they are freed); the caller's stay */
	assert_int_equal(lg.nsecrets, 1);
	assert_string_equal(lg.secrets[0], "caller-secret");
	free(out);
	tokengen_result_release(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_env_credentials),
		cmocka_unit_test(test_legacy_global_host_signs_us_east_1),
		cmocka_unit_test(test_expiry_capped_by_credentials),
		cmocka_unit_test(test_profile_credentials),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_verbose_log_has_no_secrets),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
