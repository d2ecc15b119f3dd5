/*
 * Tests for lib/sts.c.
 *
 * Against the scripted loopback fake (always): request parameters, response
 * parsing, missing fields, AWS errors.  Against moto (when MOTO_URL is set:
 * tests/integration/sts_moto.sh runs this binary with the shared moto; with
 * EKSKIT_REQUIRE_MOTO=1 a missing MOTO_URL fails instead of skipping):
 * AssumeRole, AssumeRoleWithWebIdentity and GetCallerIdentity end to end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ekskit/sts.h"
#include "fake_server.h"

#define ROLE "arn:aws:iam::123456789012:role/test-role"

static const char assume_ok[] =
    "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n"
    "  <AssumeRoleResult>\n"
    "    <AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/test-role/s</Arn>"
    "<AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser>\n"
    "    <Credentials>\n"
    "      <AccessKeyId>ASIAFAKEASSUMED</AccessKeyId>\n"
    "      <SecretAccessKey>assumed/secret+key</SecretAccessKey>\n"
    "      <SessionToken>FwoGZXIvYXdzEFAKE//token==</SessionToken>\n"
    "      <Expiration>2023-04-28T01:00:00Z</Expiration>\n"
    "    </Credentials>\n"
    "  </AssumeRoleResult>\n"
    "  <ResponseMetadata><RequestId>rid-1</RequestId></ResponseMetadata>\n"
    "</AssumeRoleResponse>\n";

static const char assume_no_token[] =
    "<AssumeRoleResponse><AssumeRoleResult><Credentials>"
    "<AccessKeyId>ASIA</AccessKeyId><SecretAccessKey>s</SecretAccessKey>"
    "<Expiration>2023-04-28T01:00:00Z</Expiration>"
    "</Credentials></AssumeRoleResult></AssumeRoleResponse>";

static const char assume_bad_exp[] =
    "<AssumeRoleResponse><AssumeRoleResult><Credentials>"
    "<AccessKeyId>ASIA</AccessKeyId><SecretAccessKey>s</SecretAccessKey>"
    "<SessionToken>t</SessionToken><Expiration>tomorrow</Expiration>"
    "</Credentials></AssumeRoleResult></AssumeRoleResponse>";

static const char web_ok[] =
    "<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult>"
    "<SubjectFromWebIdentityToken>system:serviceaccount:x</SubjectFromWebIdentityToken>"
    "<Credentials><AccessKeyId>ASIAWEB</AccessKeyId><SecretAccessKey>websecret</SecretAccessKey>"
    "<SessionToken>webtoken</SessionToken><Expiration>2023-04-28T02:00:00.000+00:00</Expiration>"
    "</Credentials></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>";

static const char denied[] =
    "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error>"
    "<Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:iam::1:user/u "
    "is not authorized to perform: sts:AssumeRole</Message></Error>"
    "<RequestId>rid-denied</RequestId></ErrorResponse>";

static const char identity_ok[] =
    "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
    "<GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/alice</Arn>"
    "<UserId>AIDAEXAMPLE</UserId><Account>123456789012</Account>"
    "</GetCallerIdentityResult></GetCallerIdentityResponse>";

static const char identity_partial[] =
    "<GetCallerIdentityResponse><GetCallerIdentityResult>"
    "<Arn>arn:aws:iam::123456789012:user/alice</Arn><UserId>AIDA</UserId>"
    "</GetCallerIdentityResult></GetCallerIdentityResponse>";

static time_t
fixed_clock(void)
{
	return 1682640000;
}

struct env {
	char dir[64];
	char steps[8][160];
	struct fake_server f;
	char endpoint[128];
	char akid[32], secret[48], prov[8];
	struct aws_credentials creds;
	struct aws_client c;
};

static void
env_start(struct env *e, const char *const *bodies, const int *statuses, size_t n)
{
	const char *steps[9];
	char name[16];
	size_t i;

	memset(e, 0, sizeof(*e));
	setenv("EKSKIT_TEST_LOOPBACK_ONLY", "1", 1);
	unsetenv("AWS_MAX_ATTEMPTS");
	snprintf(e->dir, sizeof(e->dir), "/tmp/ekskit-sts.XXXXXX");
	assert_non_null(mkdtemp(e->dir));
	for (i = 0; i < n && i < 8; i++) {
		snprintf(name, sizeof(name), "b%zu.xml", i);
		snprintf(e->steps[i], sizeof(e->steps[i]), "%d:%s", statuses[i],
		    fake_body_file(e->dir, name, bodies[i]));
		steps[i] = e->steps[i];
	}
	steps[i] = NULL;
	if (fake_start(&e->f, 0, steps) != 0)
		fail_msg("cannot start the fake");
	snprintf(e->endpoint, sizeof(e->endpoint), "%s", e->f.url);
	snprintf(e->akid, sizeof(e->akid), "AKIDSOURCE");
	snprintf(e->secret, sizeof(e->secret), "sourcesecret");
	snprintf(e->prov, sizeof(e->prov), "test");
	e->creds.access_key_id = e->akid;
	e->creds.secret_access_key = e->secret;
	e->creds.provider = e->prov;
	e->c.service = "sts";
	e->c.region = "us-west-2";
	e->c.endpoint = e->endpoint;
	e->c.creds = &e->creds;
	e->c.clock = fixed_clock;
}

static void
env_stop(struct env *e, size_t n)
{
	char path[160];
	size_t i;

	fake_stop(&e->f);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/b%zu.xml", e->dir, i);
		unlink(path);
	}
	rmdir(e->dir);
}

static void
test_assume_role(void **state)
{
	const char *bodies[] = { assume_ok };
	const int statuses[] = { 200 };
	struct sts_assume_role_params p;
	struct aws_credentials *out = NULL;
	struct ekskit_err err;
	struct env e;
	char *log;

	(void)state;
	env_start(&e, bodies, statuses, 1);
	memset(&p, 0, sizeof(p));
	p.role_arn = ROLE;
	p.session_name = "my-session";
	p.external_id = "ext id";
	p.duration_seconds = 900;
	p.mfa_serial = "arn:aws:iam::123456789012:mfa/alice";
	p.mfa_code = "123456";
	ekskit_err_clear(&err);
	assert_int_equal(sts_assume_role(&e.c, &p, &out, &err), 0);
	assert_non_null(out);
	assert_string_equal(out->access_key_id, "ASIAFAKEASSUMED");
	assert_string_equal(out->secret_access_key, "assumed/secret+key");
	assert_string_equal(out->session_token, "FwoGZXIvYXdzEFAKE//token==");
	assert_true(out->expiration == 1682643600);
	aws_credentials_free(out);
	log = fake_log(&e.f);
	assert_non_null(strstr(log, "\"body\": \"Action=AssumeRole&Version=2011-06-15"
	    "&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Ftest-role"
	    "&RoleSessionName=my-session&ExternalId=ext%20id&DurationSeconds=900"
	    "&SerialNumber=arn%3Aaws%3Aiam%3A%3A123456789012%3Amfa%2Falice"
	    "&TokenCode=123456\""));
	assert_non_null(strstr(log, "Credential=AKIDSOURCE/20230428/us-west-2/sts/aws4_request"));
	free(log);
	env_stop(&e, 1);
}

static void
test_assume_role_errors(void **state)
{
	const char *bodies[] = { denied, assume_no_token, assume_bad_exp, "<oops" };
	const int statuses[] = { 403, 200, 200, 200 };
	struct sts_assume_role_params p;
	struct aws_credentials *out = NULL;
	struct ekskit_err err;
	struct env e;

	(void)state;
	env_start(&e, bodies, statuses, 4);
	memset(&p, 0, sizeof(p));
	p.role_arn = ROLE;
	p.session_name = "s";
	ekskit_err_clear(&err);
	assert_int_equal(sts_assume_role(&e.c, &p, &out, &err), EKSKIT_ERR_REMOTE);
	assert_null(out);
	assert_string_equal(err.remote_code, "AccessDenied");
	assert_int_equal(err.http_status, 403);
	assert_string_equal(err.msg, "assuming role " ROLE ": AccessDenied: User: "
	    "arn:aws:iam::1:user/u is not authorized to perform: sts:AssumeRole "
	    "(HTTP 403, request id rid-denied)");

	ekskit_err_clear(&err);
	assert_int_equal(sts_assume_role(&e.c, &p, &out, &err), EKSKIT_ERR_INVALID);
	assert_non_null(strstr(err.msg, "lacks Credentials/SessionToken"));
	assert_null(out);

	ekskit_err_clear(&err);
	assert_int_equal(sts_assume_role(&e.c, &p, &out, &err), EKSKIT_ERR_INVALID);
	assert_non_null(strstr(err.msg, "invalid Expiration"));

	ekskit_err_clear(&err);
	assert_int_equal(sts_assume_role(&e.c, &p, &out, &err), EKSKIT_ERR_INVALID);
	assert_non_null(strstr(err.msg, "invalid XML"));
	assert_int_equal(fake_count(&e.f), 4);
	/* without an err the code is still the real one, not INTERNAL */
	assert_int_equal(sts_assume_role(&e.c, &p, &out, NULL), EKSKIT_ERR_INVALID);
	assert_null(out);
	assert_int_equal(fake_count(&e.f), 5);

	/* argument checks: nothing is sent */
	p.session_name = NULL;
	assert_int_equal(sts_assume_role(&e.c, &p, &out, &err), EKSKIT_ERR_CONFIG);
	p.session_name = "s";
	p.role_arn = "";
	assert_int_equal(sts_assume_role(&e.c, &p, &out, &err), EKSKIT_ERR_CONFIG);
	p.role_arn = ROLE;
	e.c.creds = NULL;
	assert_int_equal(sts_assume_role(&e.c, &p, &out, &err), EKSKIT_ERR_NO_CREDS);
	assert_int_equal(fake_count(&e.f), 5);
	env_stop(&e, 4);
}

static void
test_web_identity(void **state)
{
	const char *bodies[] = { web_ok };
	const int statuses[] = { 200 };
	struct sts_assume_role_params p;
	struct aws_credentials *out = NULL;
	struct ekskit_err err;
	struct env e;
	char *log;

	(void)state;
	env_start(&e, bodies, statuses, 1);
	memset(&p, 0, sizeof(p));
	p.role_arn = ROLE;
	p.session_name = "pod";
	p.web_identity_token = "eyJhbGciOi.JWT+/=";
	ekskit_err_clear(&err);
	assert_int_equal(sts_assume_role_with_web_identity(&e.c, &p, &out, &err), 0);
	assert_string_equal(out->access_key_id, "ASIAWEB");
	assert_string_equal(out->session_token, "webtoken");
	assert_true(out->expiration == 1682647200);
	aws_credentials_free(out);
	log = fake_log(&e.f);
	assert_non_null(strstr(log, "Action=AssumeRoleWithWebIdentity&Version=2011-06-15"
	    "&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Ftest-role"
	    "&RoleSessionName=pod&WebIdentityToken=eyJhbGciOi.JWT%2B%2F%3D\""));
	/* unsigned even though the client carries credentials */
	assert_null(strstr(log, "Authorization"));
	free(log);
	p.web_identity_token = "";
	assert_int_equal(sts_assume_role_with_web_identity(&e.c, &p, &out, &err),
	    EKSKIT_ERR_CONFIG);
	env_stop(&e, 1);
}

static void
test_caller_identity(void **state)
{
	const char *bodies[] = { identity_ok, identity_partial, denied, "<oops" };
	const int statuses[] = { 200, 200, 403, 200 };
	struct sts_identity id;
	struct ekskit_err err;
	struct env e;

	(void)state;
	env_start(&e, bodies, statuses, 4);
	assert_int_equal(sts_get_caller_identity(&e.c, &id, &err), 0);
	assert_string_equal(id.arn, "arn:aws:iam::123456789012:user/alice");
	assert_string_equal(id.account, "123456789012");
	assert_string_equal(id.user_id, "AIDAEXAMPLE");
	sts_identity_release(&id);
	assert_null(id.arn);
	sts_identity_release(&id);
	sts_identity_release(NULL);
	ekskit_err_clear(&err);
	assert_int_equal(sts_get_caller_identity(&e.c, &id, &err), EKSKIT_ERR_INVALID);
	assert_non_null(strstr(err.msg, "lacks Account"));
	assert_null(id.arn);
	/* an AWS error is the AWS error, not a "response" parsing problem */
	ekskit_err_clear(&err);
	assert_int_equal(sts_get_caller_identity(&e.c, &id, &err), EKSKIT_ERR_REMOTE);
	assert_non_null(strstr(err.msg, "AccessDenied: User: "));
	assert_null(strstr(err.msg, "response"));
	ekskit_err_clear(&err);
	assert_int_equal(sts_get_caller_identity(&e.c, &id, &err), EKSKIT_ERR_INVALID);
	assert_non_null(strstr(err.msg, "sts GetCallerIdentity response: invalid XML"));
	assert_null(id.arn);
	env_stop(&e, 4);
}

/* ---- moto ---- */

static const char *
moto_url(void)
{
	const char *u = getenv("MOTO_URL");

	if (u == NULL || *u == '\0') {
		if (getenv("EKSKIT_REQUIRE_MOTO") != NULL)
			fail_msg("EKSKIT_REQUIRE_MOTO is set but MOTO_URL is not");
		return NULL;
	}
	return u;
}

static void
test_moto_assume_and_identity(void **state)
{
	char akid[] = "AKIDMOTOSOURCE1", secret[] = "moto/secret+=", prov[] = "test";
	struct aws_credentials src = { akid, secret, NULL, 0, prov };
	struct aws_client c = { "sts", "us-west-2", NULL, &src, 0, NULL };
	struct sts_assume_role_params p;
	struct aws_credentials *out = NULL, *out2 = NULL;
	struct sts_identity id;
	struct ekskit_err err;
	time_t now = time(NULL);

	(void)state;
	if ((c.endpoint = moto_url()) == NULL) {
		skip();
		return;
	}
	setenv("EKSKIT_TEST_LOOPBACK_ONLY", "1", 1);
	memset(&p, 0, sizeof(p));
	p.role_arn = "arn:aws:iam::123456789012:role/moto-role";
	p.session_name = "net-test";
	p.duration_seconds = 1800;
	p.external_id = "ext-1";
	ekskit_err_clear(&err);
	if (sts_assume_role(&c, &p, &out, &err) != 0)
		fail_msg("AssumeRole against moto: %s", err.msg);
	assert_true(strlen(out->access_key_id) >= 16);
	assert_non_null(out->session_token);
	/* moto honours DurationSeconds */
	assert_true(out->expiration > now + 1700 && out->expiration < now + 1900);

	/* the assumed credentials sign the next call */
	c.creds = out;
	if (sts_get_caller_identity(&c, &id, &err) != 0)
		fail_msg("GetCallerIdentity against moto: %s", err.msg);
	assert_non_null(strstr(id.arn, "assumed-role/moto-role/net-test"));
	assert_string_equal(id.account, "123456789012");
	sts_identity_release(&id);

	/* web identity: unsigned */
	p.web_identity_token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln";
	p.duration_seconds = 0;
	if (sts_assume_role_with_web_identity(&c, &p, &out2, &err) != 0)
		fail_msg("AssumeRoleWithWebIdentity against moto: %s", err.msg);
	assert_non_null(out2->session_token);
	assert_true(out2->expiration > now);
	aws_credentials_free(out2);
	aws_credentials_free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_assume_role),
		cmocka_unit_test(test_assume_role_errors),
		cmocka_unit_test(test_web_identity),
		cmocka_unit_test(test_caller_identity),
		cmocka_unit_test(test_moto_assume_and_identity),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
