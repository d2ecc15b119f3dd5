/*
 * Unit tests for lib/endpoints.c: partitions, region validation, region
 * resolution, endpoint overrides, and the STS / EKS hosts, checked against
 * botocore's own endpoint resolution (tests/unit/oracle/endpoints_oracle.py)
 * for every region of every partition with FIPS, dual-stack and legacy STS.
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

#include "ekskit/awsconfig.h"
#include "ekskit/buf.h"
#include "ekskit/endpoints.h"
#include "ekskit/error.h"

static const char *const env_vars[] = {
	"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS",
	"AWS_ENDPOINT_URL_EKS", "AWS_ENDPOINT_URL_EC2", "AWS_ENDPOINT_URL_SOME_SERVICE",
	"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "AWS_USE_FIPS_ENDPOINT",
	"AWS_USE_DUALSTACK_ENDPOINT", "AWS_STS_REGIONAL_ENDPOINTS", "AWS_PROFILE",
	"AWS_DEFAULT_PROFILE", NULL,
};

static int
clean_env(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; env_vars[i] != NULL; i++)
		unsetenv(env_vars[i]);
	return 0;
}

static struct awsconfig *
cfg_from(const char *text)
{
	struct awsconfig *cfg = awsconfig_new();
	struct ekskit_err err;

	assert_non_null(cfg);
	if (awsconfig_parse_buffer(cfg, "config", text, strlen(text), 0, &err) != 0)
		fail_msg("%s", err.msg);
	return cfg;
}

static void
test_partitions(void **state)
{
	static const struct { const char *region, *partition, *suffix; } t[] = {
		{ "us-west-2", "aws", "amazonaws.com" },
		{ "il-central-1", "aws", "amazonaws.com" },
		{ "mx-central-1", "aws", "amazonaws.com" },
		{ "cn-north-1", "aws-cn", "amazonaws.com.cn" },
		{ "us-gov-west-1", "aws-us-gov", "amazonaws.com" },
		{ "us-iso-east-1", "aws-iso", "c2s.ic.gov" },
		{ "us-isob-east-1", "aws-iso-b", "sc2s.sgov.gov" },
		{ "eu-isoe-west-1", "aws-iso-e", "cloud.adc-e.uk" },
		{ "us-isof-south-1", "aws-iso-f", "csp.hci.ic.gov" },
		{ "eusc-de-east-1", "aws-eusc", "amazonaws.eu" },
		{ "aws-cn-global", "aws-cn", "amazonaws.com.cn" },
		{ "xx-unknown-1", "aws", "amazonaws.com" },   /* unknown: aws */
		{ "us-newregion-9", "aws", "amazonaws.com" },
		{ "cn-future-3", "aws-cn", "amazonaws.com.cn" },
	};
	size_t i, n = 0;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const struct aws_partition *p = aws_partition_of(t[i].region);

		assert_string_equal(p->name, t[i].partition);
		assert_string_equal(p->dns_suffix, t[i].suffix);
	}
	assert_string_equal(aws_partition_of(NULL)->name, "aws");
	while (aws_partitions()[n] != NULL)
		n++;
	assert_int_equal(n, 8);
}

static void
test_region_valid(void **state)
{
	static const char *const good[] = { "us-west-2", "eusc-de-east-1", "a", "local", NULL };
	static const char *const bad[] = {
		"", "US-WEST-2", "us_west_2", "us-west-2.", "us-west-2/x", "-us", "us-",
		"us--west", "us-west-2 ", "evil.com#", "us-west-2\n",
		"a123456789012345678901234567890123456789012345678901234567890123", NULL,
	};
	size_t i;

	(void)state;
	for (i = 0; good[i] != NULL; i++)
		assert_true(aws_region_valid(good[i]));
	for (i = 0; bad[i] != NULL; i++)
		if (aws_region_valid(bad[i]))
			fail_msg("region [%s] accepted", bad[i]);
	assert_false(aws_region_valid(NULL));
}

static void
test_resolve_region(void **state)
{
	struct awsconfig *cfg = cfg_from("[default]\nregion = eu-west-1\n"
	    "[profile p]\nregion = ap-south-1\n[profile bad]\nregion = us-west-2.evil.com\n");
	struct aws_endpoint_opts o = { cfg, NULL, -1, -1 };
	struct ekskit_err err;
	char *r;

	(void)state;
	assert_int_equal(aws_resolve_region(NULL, &o, &r, &err), 0);
	assert_string_equal(r, "eu-west-1");
	free(r);
	o.profile = "p";
	assert_int_equal(aws_resolve_region(NULL, &o, &r, &err), 0);
	assert_string_equal(r, "ap-south-1");
	free(r);
	setenv("AWS_DEFAULT_REGION", "us-east-2", 1);
	assert_int_equal(aws_resolve_region(NULL, &o, &r, &err), 0);
	assert_string_equal(r, "us-east-2");
	free(r);
	setenv("AWS_REGION", "ca-central-1", 1);
	assert_int_equal(aws_resolve_region(NULL, &o, &r, &err), 0);
	assert_string_equal(r, "ca-central-1");
	free(r);
	assert_int_equal(aws_resolve_region("sa-east-1", &o, &r, &err), 0);
	assert_string_equal(r, "sa-east-1");
	free(r);
	assert_int_equal(aws_resolve_region("us-west-2\r\nHost: x", &o, &r, &err),
	    EKSKIT_ERR_CONFIG);
	assert_null(r);
	assert_non_null(strstr(err.msg, "invalid region 'us-west-2??Host: x' (from --region)"));
	unsetenv("AWS_REGION");
	unsetenv("AWS_DEFAULT_REGION");
	o.profile = "bad";
	assert_int_equal(aws_resolve_region(NULL, &o, &r, &err), EKSKIT_ERR_CONFIG);
	assert_non_null(strstr(err.msg, "profile's region setting"));
	o.profile = "nosuch";
	assert_int_equal(aws_resolve_region(NULL, &o, &r, &err), EKSKIT_ERR_CONFIG);
	assert_non_null(strstr(err.msg, "no AWS region configured"));
	assert_non_null(strstr(err.msg, "profile 'nosuch'"));
	assert_int_equal(aws_resolve_region(NULL, NULL, &r, &err), EKSKIT_ERR_CONFIG);
	awsconfig_free(cfg);
}

static void
expect_url(const char *service, const char *region, const struct aws_endpoint_opts *o,
    const char *want)
{
	struct ekskit_err err;
	char *url;

	if (aws_endpoint_url(service, region, o, &url, &err) != 0)
		fail_msg("%s %s: %s", service, region, err.msg);
	if (strcmp(url, want) != 0)
		fail_msg("%s %s: got %s want %s", service, region, url, want);
	free(url);
}

static void
test_overrides(void **state)
{
	struct awsconfig *cfg = cfg_from(
	    "[default]\nendpoint_url = http://127.0.0.1:1/\nservices = local\n"
	    "[profile plain]\nendpoint_url = http://127.0.0.1:2\n"
	    "[profile nosvc]\nservices = missing\n"
	    "[profile ignore]\nendpoint_url = http://127.0.0.1:2\n"
	    "ignore_configured_endpoint_urls = true\n"
	    "[profile badurl]\nendpoint_url = ftp://x\n"
	    "[services local]\nsts =\n  endpoint_url = http://127.0.0.1:3\n"
	    "some_service =\n  endpoint_url = http://127.0.0.1:4\n");
	struct aws_endpoint_opts o = { cfg, "default", -1, -1 };
	struct ekskit_err err;
	char *url, *signing;

	(void)state;
	/* profile services section beats profile endpoint_url */
	expect_url("sts", "us-west-2", &o, "http://127.0.0.1:3");
	expect_url("some-service", "us-west-2", &o, "http://127.0.0.1:4");
	expect_url("eks", "us-west-2", &o, "http://127.0.0.1:1");
	/* AWS_ENDPOINT_URL beats the config file */
	setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:5", 1);
	expect_url("sts", "us-west-2", &o, "http://127.0.0.1:5");
	/* AWS_ENDPOINT_URL_<SERVICE> beats everything */
	setenv("AWS_ENDPOINT_URL_STS", "https://127.0.0.1:6/path/", 1);
	setenv("AWS_ENDPOINT_URL_SOME_SERVICE", "http://127.0.0.1:7", 1);
	expect_url("sts", "us-west-2", &o, "https://127.0.0.1:6/path");
	expect_url("some-service", "us-west-2", &o, "http://127.0.0.1:7");
	expect_url("eks", "us-west-2", &o, "http://127.0.0.1:5");
	/* ...but never the host that goes into a token */
	assert_int_equal(aws_sts_token_host("us-west-2", &o, &url, &err), 0);
	assert_string_equal(url, "sts.us-west-2.amazonaws.com");
	free(url);
	/* an override is signed with the region itself, even in legacy mode */
	setenv("AWS_STS_REGIONAL_ENDPOINTS", "legacy", 1);
	assert_int_equal(aws_endpoint_resolve("sts", "us-west-2", &o, &url, &signing, &err), 0);
	assert_string_equal(url, "https://127.0.0.1:6/path");
	assert_string_equal(signing, "us-west-2");
	free(url);
	free(signing);
	unsetenv("AWS_STS_REGIONAL_ENDPOINTS");
	/* switched off */
	setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "TRUE", 1);
	expect_url("sts", "us-west-2", &o, "https://sts.us-west-2.amazonaws.com");
	unsetenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
	unsetenv("AWS_ENDPOINT_URL");
	unsetenv("AWS_ENDPOINT_URL_STS");
	unsetenv("AWS_ENDPOINT_URL_SOME_SERVICE");
	o.profile = "plain";
	expect_url("sts", "us-west-2", &o, "http://127.0.0.1:2");
	o.profile = "ignore";
	expect_url("sts", "us-west-2", &o, "https://sts.us-west-2.amazonaws.com");
	o.profile = "nosvc";
	assert_int_equal(aws_endpoint_url("sts", "us-west-2", &o, &url, &err), EKSKIT_ERR_CONFIG);
	assert_non_null(strstr(err.msg, "no [services missing] section"));
	o.profile = "badurl";
	assert_int_equal(aws_endpoint_url("sts", "us-west-2", &o, &url, &err), EKSKIT_ERR_CONFIG);
	assert_non_null(strstr(err.msg, "'ftp://x' (from the profile's endpoint_url setting)"));
	setenv("AWS_ENDPOINT_URL_EC2", "http://127.0.0.1:8 x", 1);
	assert_int_equal(aws_endpoint_url("ec2", "us-west-2", &o, &url, &err), EKSKIT_ERR_CONFIG);
	assert_non_null(strstr(err.msg, "AWS_ENDPOINT_URL_EC2"));
	unsetenv("AWS_ENDPOINT_URL_EC2");
	/* no override: a region is needed and validated */
	o.profile = "nosuch";
	assert_int_equal(aws_endpoint_url("sts", "us-west-2.evil.com", &o, &url, &err),
	    EKSKIT_ERR_CONFIG);
	assert_int_equal(aws_endpoint_url("sts", NULL, &o, &url, &err), EKSKIT_ERR_CONFIG);
	awsconfig_free(cfg);
}

static void
test_settings_from_profile(void **state)
{
	struct awsconfig *cfg = cfg_from(
	    "[profile fips]\nuse_fips_endpoint = true\n"
	    "[profile dual]\nuse_dualstack_endpoint = True\n"
	    "[profile legacy]\nsts_regional_endpoints = legacy\n"
	    "[profile bogus]\nsts_regional_endpoints = global\n");
	struct aws_endpoint_opts o = { cfg, "fips", -1, -1 };
	struct ekskit_err err;
	char *host, *signing;

	(void)state;
	expect_url("sts", "us-east-1", &o, "https://sts-fips.us-east-1.amazonaws.com");
	o.use_fips = 0;   /* an explicit choice beats the profile */
	expect_url("sts", "us-east-1", &o, "https://sts.us-east-1.amazonaws.com");
	o.use_fips = -1;
	o.profile = "dual";
	expect_url("sts", "us-east-1", &o, "https://sts.us-east-1.api.aws");
	setenv("AWS_USE_DUALSTACK_ENDPOINT", "false", 1);   /* env beats profile */
	expect_url("sts", "us-east-1", &o, "https://sts.us-east-1.amazonaws.com");
	unsetenv("AWS_USE_DUALSTACK_ENDPOINT");
	o.profile = "legacy";
	assert_int_equal(aws_sts_token_endpoint("us-east-2", &o, &host, &signing, &err), 0);
	assert_string_equal(host, "sts.amazonaws.com");
	assert_string_equal(signing, "us-east-1");
	free(host);
	free(signing);
	setenv("AWS_STS_REGIONAL_ENDPOINTS", "regional", 1);
	assert_int_equal(aws_sts_token_host("us-east-2", &o, &host, &err), 0);
	assert_string_equal(host, "sts.us-east-2.amazonaws.com");
	free(host);
	unsetenv("AWS_STS_REGIONAL_ENDPOINTS");
	o.profile = "bogus";
	assert_int_equal(aws_sts_token_host("us-east-2", &o, &host, &err), EKSKIT_ERR_CONFIG);
	assert_non_null(strstr(err.msg, "'global': use 'regional' (the default) or 'legacy'"));
	awsconfig_free(cfg);
}

/* Services whose host prefix is not their name (botocore's endpointPrefix). */
static void
test_identity_center_hosts(void **state)
{
	struct aws_endpoint_opts o = { NULL, NULL, -1, -1 };

	(void)state;
	expect_url("sso-oidc", "us-east-1", &o, "https://oidc.us-east-1.amazonaws.com");
	expect_url("sso-oidc", "cn-north-1", &o, "https://oidc.cn-north-1.amazonaws.com.cn");
	expect_url("sso", "eu-west-1", &o, "https://portal.sso.eu-west-1.amazonaws.com");
	expect_url("signin", "us-east-1", &o, "https://signin.us-east-1.amazonaws.com");
	setenv("AWS_ENDPOINT_URL_SSO_OIDC", "http://127.0.0.1:8", 1);
	setenv("AWS_ENDPOINT_URL_SIGNIN", "http://127.0.0.1:9", 1);
	expect_url("sso-oidc", "us-east-1", &o, "http://127.0.0.1:8");
	expect_url("signin", "us-east-1", &o, "http://127.0.0.1:9");
	unsetenv("AWS_ENDPOINT_URL_SSO_OIDC");
	unsetenv("AWS_ENDPOINT_URL_SIGNIN");
}

/* Every region of every partition x FIPS x dual-stack x STS mode vs botocore. */
static void
test_botocore_oracle(void **state)
{
	static const char *const regions[] = {
		"us-east-1", "us-east-2", "us-west-1", "us-west-2", "ap-east-1",
		"ap-northeast-1", "ap-south-1", "ap-southeast-2", "ca-central-1",
		"eu-central-1", "eu-north-1", "eu-west-3", "sa-east-1", "me-south-1",
		"af-south-1", "il-central-1", "mx-central-1", "aws-global",
		"cn-north-1", "cn-northwest-1", "us-gov-west-1", "us-gov-east-1",
		"us-iso-east-1", "us-iso-west-1", "us-isob-east-1", "eu-isoe-west-1",
		"us-isof-south-1", "us-isof-east-1", "eusc-de-east-1", "xx-new-1", NULL,
	};
	static const char *const services[] = { "sts", "eks", NULL };
	char in[] = "/tmp/ekskit-endpoints-in.XXXXXX";
	struct ekbuf cmd, rows;
	char line[512];
	size_t r, s, f, d, m, checked = 0;
	FILE *p;
	int fd;

	(void)state;
	ekbuf_init(&rows, 0);
	for (s = 0; services[s] != NULL; s++)
		for (r = 0; regions[r] != NULL; r++)
			for (f = 0; f < 2; f++)
				for (d = 0; d < 2; d++)
					for (m = 0; m < 2; m++)
						assert_int_equal(ekbuf_printf(&rows, "%s %s %zu %zu %s\n",
						    services[s], regions[r], f, d,
						    m ? "legacy" : "regional"), 0);
	assert_true((fd = mkstemp(in)) >= 0);
	assert_int_equal(write(fd, rows.data, rows.len), (ssize_t)rows.len);
	close(fd);
	ekbuf_init(&cmd, 0);
	assert_int_equal(ekbuf_printf(&cmd,
	    "python3 tests/unit/oracle/endpoints_oracle.py < %s", in), 0);
	assert_non_null(p = popen(cmd.data, "r"));
	for (s = 0; services[s] != NULL; s++) {
		for (r = 0; regions[r] != NULL; r++) {
			for (f = 0; f < 2; f++) {
				for (d = 0; d < 2; d++) {
					for (m = 0; m < 2; m++) {
						struct aws_endpoint_opts o = { NULL, NULL, (int)f, (int)d };
						struct ekskit_err err;
						char want[256], want_sig[64], *url = NULL, *sig = NULL;

						if (fgets(line, sizeof(line), p) == NULL)
							fail_msg("the botocore oracle stopped early");
						if (strncmp(line, "ERROR", 5) == 0)
							continue;   /* botocore refuses: nothing to compare */
						assert_int_equal(sscanf(line, "%255s %63s", want, want_sig), 2);
						if (m)
							setenv("AWS_STS_REGIONAL_ENDPOINTS", "legacy", 1);
						else
							unsetenv("AWS_STS_REGIONAL_ENDPOINTS");
						if (aws_endpoint_resolve(services[s], regions[r], &o,
						    &url, &sig, &err) != 0)
							fail_msg("%s", err.msg);
						if (strcmp(url, want) != 0 || strcmp(sig, want_sig) != 0)
							fail_msg("%s %s fips=%zu dual=%zu %s: got %s %s, "
							    "botocore %s %s", services[s], regions[r], f, d,
							    m ? "legacy" : "regional", url, sig, want, want_sig);
						/* the token host is the same host, minus the scheme */
						if (strcmp(services[s], "sts") == 0) {
							char *host = NULL;

							assert_int_equal(aws_sts_token_host(regions[r], &o,
							    &host, &err), 0);
							assert_string_equal(host, want + strlen("https://"));
							free(host);
						}
						free(url);
						free(sig);
						checked++;
					}
				}
			}
		}
	}
	unsetenv("AWS_STS_REGIONAL_ENDPOINTS");
	if (pclose(p) != 0)
		fail_msg("the botocore oracle failed (python3 with botocore is required)");
	print_message("botocore endpoint oracle: %zu combinations agree\n", checked);
	assert_true(checked > 200);
	unlink(in);
	ekbuf_release(&cmd);
	ekbuf_release(&rows);
}

/* IAM's one endpoint per partition (values from botocore's endpoint rules). */
static void
test_iam_global(void **state)
{
	static const char *const rows[][3] = {
		{ "us-west-2", "https://iam.amazonaws.com", "us-east-1" },
		{ "eu-west-1", "https://iam.amazonaws.com", "us-east-1" },
		{ "cn-northwest-1", "https://iam.cn-north-1.amazonaws.com.cn", "cn-north-1" },
		{ "us-gov-east-1", "https://iam.us-gov.amazonaws.com", "us-gov-west-1" },
		{ "us-iso-east-1", "https://iam.us-iso-east-1.c2s.ic.gov", "us-iso-east-1" },
		{ "us-isob-east-1", "https://iam.us-isob-east-1.sc2s.sgov.gov", "us-isob-east-1" },
		{ "eu-isoe-west-1", "https://iam.eu-isoe-west-1.cloud.adc-e.uk", "eu-isoe-west-1" },
		{ "us-isof-south-1", "https://iam.us-isof-south-1.csp.hci.ic.gov", "us-isof-south-1" },
		{ "eusc-de-east-1", "https://iam.eusc-de-east-1.amazonaws.eu", "eusc-de-east-1" },
	};
	struct aws_endpoint_opts o = { NULL, NULL, 0, 0 };
	struct ekskit_err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char *url = NULL, *sig = NULL;

		assert_int_equal(aws_endpoint_resolve("iam", rows[i][0], &o, &url, &sig,
		    &err), 0);
		assert_string_equal(url, rows[i][1]);
		assert_string_equal(sig, rows[i][2]);
		free(url);
		free(sig);
	}
	setenv("AWS_ENDPOINT_URL_IAM", "http://127.0.0.1:5000/", 1);
	{
		char *url = NULL, *sig = NULL;

		assert_int_equal(aws_endpoint_resolve("iam", "us-west-2", &o, &url, &sig,
		    &err), 0);
		assert_string_equal(url, "http://127.0.0.1:5000");
		free(url);
		free(sig);
	}
	unsetenv("AWS_ENDPOINT_URL_IAM");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_partitions, clean_env),
		cmocka_unit_test_setup(test_region_valid, clean_env),
		cmocka_unit_test_setup(test_resolve_region, clean_env),
		cmocka_unit_test_setup(test_overrides, clean_env),
		cmocka_unit_test_setup(test_settings_from_profile, clean_env),
		cmocka_unit_test_setup(test_botocore_oracle, clean_env),
		cmocka_unit_test_setup(test_iam_global, clean_env),
		cmocka_unit_test_setup(test_identity_center_hosts, clean_env),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
