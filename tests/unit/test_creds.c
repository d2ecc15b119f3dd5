/*
 * Unit tests for lib/creds*.c: credentials objects, the default
 * chain, the environment and shared-file providers, and every assume-role
 * configuration error (checked before any STS call, so no network here; the
 * assume-role happy path runs against moto in
 * tests/integration/assume_role_chain.sh).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "ekskit/awsconfig.h"
#include "ekskit/creds.h"
#include "ekskit/error.h"

static const char *const env_vars[] = {
	"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
	"AWS_SECURITY_TOKEN", "AWS_CREDENTIAL_EXPIRATION", "AWS_PROFILE",
	"AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS", NULL,
};

static int
clean_env(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; env_vars[i] != NULL; i++)
		unsetenv(env_vars[i]);
	/* no test here may reach a real endpoint */
	setenv("AWS_CONFIG_FILE", "/nonexistent/ekskit-config", 1);
	setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/ekskit-credentials", 1);
	setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9", 1);
	setenv("EKSKIT_TEST_LOOPBACK_ONLY", "1", 1);
	/* issue 3: no IMDS, no MFA prompt on a developer's terminal, no cache files */
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	setenv("EKSKIT_TTY", "/nonexistent/tty", 1);
	setenv("EKSKIT_NO_CACHE", "1", 1);
	return 0;
}

static struct awsconfig *
cfg_from(const char *config, const char *credentials)
{
	struct awsconfig *cfg = awsconfig_new();
	struct ekskit_err err;

	assert_non_null(cfg);
	if (config != NULL && awsconfig_parse_buffer(cfg, "/t/config", config,
	    strlen(config), 0, &err) != 0)
		fail_msg("%s", err.msg);
	if (credentials != NULL && awsconfig_parse_buffer(cfg, "/t/credentials",
	    credentials, strlen(credentials), 1, &err) != 0)
		fail_msg("%s", err.msg);
	return cfg;
}

static int
resolve(const struct awsconfig *cfg, const char *profile, int from_flag,
    struct aws_credentials **out, struct ekskit_err *err)
{
	struct creds_ctx ctx;

	memset(&ctx, 0, sizeof(ctx));
	ctx.cfg = cfg;
	ctx.profile = profile;
	ctx.region = "us-west-2";
	ctx.now = 1700000000;
	ctx.profile_from_flag = from_flag;
	ekskit_err_clear(err);
	return creds_resolve_default(&ctx, out, err);
}

static void
expect_error(const struct awsconfig *cfg, const char *profile, int code,
    const char *needle)
{
	struct aws_credentials *c = (struct aws_credentials *)1;
	struct ekskit_err err;
	int r = resolve(cfg, profile, 0, &c, &err);

	if (r != code)
		fail_msg("profile %s: got %d (%s), want %d", profile, r, err.msg, code);
	assert_null(c);
	if (strstr(err.msg, needle) == NULL)
		fail_msg("profile %s: message [%s] lacks [%s]", profile, err.msg, needle);
}

static void
test_credentials_object(void **state)
{
	struct aws_credentials *c, *d;

	(void)state;
	c = aws_credentials_new("AKID", "secret", NULL, 0, NULL);
	assert_non_null(c);
	assert_null(c->session_token);
	assert_string_equal(c->provider, "unknown");
	aws_credentials_free(c);
	c = aws_credentials_new("AKID", "secret", "token", 42, "env");
	d = aws_credentials_dup(c);
	assert_ptr_not_equal(c->secret_access_key, d->secret_access_key);
	assert_string_equal(d->secret_access_key, "secret");
	assert_string_equal(d->session_token, "token");
	assert_int_equal(d->expiration, 42);
	assert_string_equal(d->provider, "env");
	aws_credentials_free(c);
	aws_credentials_free(d);
	aws_credentials_free(NULL);
	assert_null(aws_credentials_dup(NULL));
	assert_null(aws_credentials_new(NULL, "s", NULL, 0, "x"));
}

static void
test_env_provider(void **state)
{
	struct awsconfig *cfg = cfg_from("[profile p]\nregion = us-west-2\n",
	    "[p]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = s\n");
	struct aws_credentials *c;
	struct ekskit_err err;

	(void)state;
	setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "envsecret", 1);
	setenv("AWS_SECURITY_TOKEN", "legacytoken", 1);
	assert_int_equal(resolve(cfg, "default", 0, &c, &err), 0);
	assert_string_equal(c->access_key_id, "AKIDENV");
	assert_string_equal(c->secret_access_key, "envsecret");
	assert_string_equal(c->session_token, "legacytoken");
	assert_int_equal(c->expiration, 0);
	assert_string_equal(c->provider, "env");
	aws_credentials_free(c);
	setenv("AWS_SESSION_TOKEN", "newtoken", 1);
	setenv("AWS_CREDENTIAL_EXPIRATION", "2023-11-15T00:00:00Z", 1);
	/* AWS_PROFILE does not outrank environment keys ... */
	assert_int_equal(resolve(cfg, "p", 0, &c, &err), 0);
	assert_string_equal(c->access_key_id, "AKIDENV");
	assert_string_equal(c->session_token, "newtoken");
	assert_int_equal(c->expiration, 1700006400);
	aws_credentials_free(c);
	/* ... but --profile does (as in the AWS CLI) */
	assert_int_equal(resolve(cfg, "p", 1, &c, &err), 0);
	assert_string_equal(c->access_key_id, "AKIDPROFILE");
	assert_string_equal(c->provider, "profile:p");
	aws_credentials_free(c);
	/* expired */
	setenv("AWS_CREDENTIAL_EXPIRATION", "2023-11-14T00:00:00Z", 1);
	expect_error(cfg, "default", EKSKIT_ERR_EXPIRED, "expired at 2023-11-14T00:00:00Z");
	setenv("AWS_CREDENTIAL_EXPIRATION", "tomorrow", 1);
	expect_error(cfg, "default", EKSKIT_ERR_CONFIG, "AWS_CREDENTIAL_EXPIRATION is not");
	unsetenv("AWS_CREDENTIAL_EXPIRATION");
	/* half a pair */
	unsetenv("AWS_SECRET_ACCESS_KEY");
	expect_error(cfg, "default", EKSKIT_ERR_CONFIG,
	    "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
	unsetenv("AWS_ACCESS_KEY_ID");
	setenv("AWS_SECRET_ACCESS_KEY", "s", 1);
	expect_error(cfg, "default", EKSKIT_ERR_CONFIG,
	    "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not");
	/* an empty variable counts as unset */
	setenv("AWS_SECRET_ACCESS_KEY", "", 1);
	assert_int_equal(resolve(cfg, "p", 0, &c, &err), 0);
	assert_string_equal(c->access_key_id, "AKIDPROFILE");
	aws_credentials_free(c);
	awsconfig_free(cfg);
}

static void
test_profile_static(void **state)
{
	struct awsconfig *cfg = cfg_from(
	    "[default]\naws_access_key_id = AKIDCONFIG\naws_secret_access_key = cfgsecret\n"
	    "[profile cfgonly]\naws_access_key_id = AKIDCFGONLY\n"
	    "aws_secret_access_key = x\naws_session_token = tok\n"
	    "[profile noneofit]\nregion = us-west-2\n",
	    "[default]\naws_access_key_id = AKIDCREDS\n"
	    "[legacy]\naws_access_key_id = AKIDLEGACY\naws_secret_access_key = y\n"
	    "aws_security_token = oldtok\n"
	    "[halfkey]\naws_access_key_id = AKIDHALF\n"
	    "[halfsecret]\naws_secret_access_key = s\n"
	    "[emptysecret]\naws_access_key_id = A\naws_secret_access_key =\n");
	struct aws_credentials *c;
	struct ekskit_err err;

	(void)state;
	/* key by key: the access key from credentials, the secret from config */
	assert_int_equal(resolve(cfg, "default", 0, &c, &err), 0);
	assert_string_equal(c->access_key_id, "AKIDCREDS");
	assert_string_equal(c->secret_access_key, "cfgsecret");
	assert_null(c->session_token);
	assert_string_equal(c->provider, "profile:default");
	aws_credentials_free(c);
	assert_int_equal(resolve(cfg, "cfgonly", 0, &c, &err), 0);
	assert_string_equal(c->session_token, "tok");
	aws_credentials_free(c);
	assert_int_equal(resolve(cfg, "legacy", 0, &c, &err), 0);
	assert_string_equal(c->session_token, "oldtok");
	aws_credentials_free(c);
	expect_error(cfg, "halfkey", EKSKIT_ERR_CONFIG,
	    "profile 'halfkey' in /t/config and /t/credentials has aws_access_key_id "
	    "but an empty or missing aws_secret_access_key");
	expect_error(cfg, "halfsecret", EKSKIT_ERR_CONFIG, "has aws_secret_access_key but");
	expect_error(cfg, "emptysecret", EKSKIT_ERR_CONFIG, "empty or missing aws_secret_access_key");
	awsconfig_free(cfg);
}

static void
test_no_credentials_message(void **state)
{
	struct awsconfig *cfg = cfg_from("[profile empty]\nregion = us-west-2\n", "");

	(void)state;
	expect_error(cfg, "default", EKSKIT_ERR_NO_CREDS,
	    "no AWS credentials found. Looked in: environment variables "
	    "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (unset); web identity "
	    "(AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN not both set); profile "
	    "'default' in /t/config and /t/credentials (no such profile); container "
	    "credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI/FULL_URI unset); "
	    "instance metadata (disabled by AWS_EC2_METADATA_DISABLED). To fix: export "
	    "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run `aws configure` "
	    "(static keys), or `aws sso login` (SSO)");
	expect_error(cfg, "empty", EKSKIT_ERR_NO_CREDS,
	    "profile 'empty' in /t/config and /t/credentials (it has no "
	    "aws_access_key_id, role_arn or other credential settings)");
	expect_error(cfg, "empty", EKSKIT_ERR_NO_CREDS,
	    "`aws configure --profile empty` (static keys), or `aws sso login --profile empty`");
	/* a named profile that does not exist is a configuration error */
	expect_error(cfg, "typo", EKSKIT_ERR_CONFIG,
	    "profile 'typo' not found in /t/config or /t/credentials");
	awsconfig_free(cfg);
}

static void
test_loads_files_itself(void **state)
{
	struct aws_credentials *c;
	struct ekskit_err err;
	struct creds_ctx ctx;
	char path[] = "/tmp/ekskit-creds.XXXXXX";
	FILE *f;
	int fd;

	(void)state;
	assert_true((fd = mkstemp(path)) >= 0);
	assert_non_null(f = fdopen(fd, "w"));
	fputs("[fromfile]\naws_access_key_id = AKIDFILE\naws_secret_access_key = s\n", f);
	fclose(f);
	setenv("AWS_SHARED_CREDENTIALS_FILE", path, 1);
	setenv("AWS_PROFILE", "fromfile", 1);
	memset(&ctx, 0, sizeof(ctx));   /* no cfg, no profile: from the environment */
	assert_int_equal(creds_resolve_default(&ctx, &c, &err), 0);
	assert_string_equal(c->access_key_id, "AKIDFILE");
	aws_credentials_free(c);
	remove(path);
}

static void
test_assume_role_config_errors(void **state)
{
	struct awsconfig *cfg = cfg_from(
	    "[profile both]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = base\n"
	    "credential_source = Environment\n"
	    "[profile neither]\nrole_arn = arn:aws:iam::1:role/r\n"
	    "[profile dangling]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = ghost\n"
	    "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n"
	    "[profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = c\n"
	    "[profile c]\nrole_arn = arn:aws:iam::1:role/c\nsource_profile = a\n"
	    "[profile self]\nrole_arn = arn:aws:iam::1:role/s\nsource_profile = self\n"
	    "[profile nokeys]\nrole_arn = arn:aws:iam::1:role/n\nsource_profile = empty\n"
	    "[profile empty]\nregion = us-west-2\n"
	    "[profile envsrc]\nrole_arn = arn:aws:iam::1:role/e\ncredential_source = Environment\n"
	    "[profile imds]\nrole_arn = arn:aws:iam::1:role/i\n"
	    "credential_source = Ec2InstanceMetadata\n"
	    "[profile ecs]\nrole_arn = arn:aws:iam::1:role/i\ncredential_source = EcsContainer\n"
	    "[profile weird]\nrole_arn = arn:aws:iam::1:role/i\ncredential_source = Magic\n"
	    "[profile dur]\nrole_arn = arn:aws:iam::1:role/d\nsource_profile = base\n"
	    "duration_seconds = 1h\n"
	    "[profile durlow]\nrole_arn = arn:aws:iam::1:role/d\nsource_profile = base\n"
	    "duration_seconds = 60\n"
	    "[profile mfa]\nrole_arn = arn:aws:iam::1:role/m\nsource_profile = base\n"
	    "mfa_serial = arn:aws:iam::1:mfa/me\n"
	    "[profile deepmfa]\nrole_arn = arn:aws:iam::1:role/m\nsource_profile = mfa\n"
	    "[profile base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = s\n",
	    NULL);

	(void)state;
	expect_error(cfg, "both", EKSKIT_ERR_CONFIG,
	    "profile 'both' has both source_profile and credential_source");
	expect_error(cfg, "neither", EKSKIT_ERR_CONFIG,
	    "has role_arn but neither source_profile nor credential_source");
	expect_error(cfg, "dangling", EKSKIT_ERR_CONFIG,
	    "source_profile 'ghost' referenced in profile 'dangling' does not exist");
	expect_error(cfg, "a", EKSKIT_ERR_CONFIG, "source_profile loop: a -> b -> c -> a");
	expect_error(cfg, "b", EKSKIT_ERR_CONFIG, "source_profile loop: b -> c -> a -> b");
	expect_error(cfg, "self", EKSKIT_ERR_CONFIG,
	    "source_profile loop: self -> self (a profile can be its own source_profile "
	    "only when it has aws_access_key_id and aws_secret_access_key)");
	expect_error(cfg, "nokeys", EKSKIT_ERR_CONFIG,
	    "source_profile 'empty' (used by profile 'nokeys') has no credentials");
	expect_error(cfg, "envsrc", EKSKIT_ERR_CONFIG,
	    "credential_source = Environment but AWS_ACCESS_KEY_ID and "
	    "AWS_SECRET_ACCESS_KEY are not set");
	expect_error(cfg, "imds", EKSKIT_ERR_NO_CREDS,
	    "credential_source = Ec2InstanceMetadata, but it provided no credentials");
	expect_error(cfg, "ecs", EKSKIT_ERR_NO_CREDS,
	    "credential_source = EcsContainer, but it provided no credentials");
	expect_error(cfg, "weird", EKSKIT_ERR_CONFIG,
	    "credential_source = Magic: use Environment, Ec2InstanceMetadata or EcsContainer");
	expect_error(cfg, "dur", EKSKIT_ERR_CONFIG,
	    "profile 'dur': duration_seconds must be a whole number of seconds from 900 to 43200");
	expect_error(cfg, "durlow", EKSKIT_ERR_CONFIG, "duration_seconds must be");
	expect_error(cfg, "mfa", EKSKIT_ERR_CONFIG,
	    "profile 'mfa' requires an MFA code (mfa_serial = arn:aws:iam::1:mfa/me)");
	/* the MFA profile deep in a chain is reached and reported too */
	expect_error(cfg, "deepmfa", EKSKIT_ERR_CONFIG, "profile 'mfa' requires an MFA code");
	awsconfig_free(cfg);
}

/* ------------------------------------------- a loopback fake STS endpoint */

/*
 * Answers every AssumeRole with fresh keys ASIAFAKE<n> and records each
 * request (its Authorization header's access key and its form body), so the
 * tests can check what the chain sent and with which keys it signed.
 */
#define FAKE_MAX 8

struct fake_sts {
	int listen_fd;
	int port;
	int nreq;
	char signer[FAKE_MAX][64];
	char body[FAKE_MAX][1024];
	pthread_t thread;
};

static void
fake_handle(struct fake_sts *f, int fd)
{
	char req[8192], resp[2048], xml[1024];
	size_t got = 0;
	long clen = -1;
	char *hdr_end = NULL, *p;
	ssize_t n;
	int i = f->nreq;

	while (got < sizeof(req) - 1) {
		if ((n = read(fd, req + got, sizeof(req) - 1 - got)) <= 0)
			break;
		got += (size_t)n;
		req[got] = '\0';
		if (hdr_end == NULL && (hdr_end = strstr(req, "\r\n\r\n")) != NULL &&
		    (p = strcasestr(req, "\r\ncontent-length:")) != NULL)
			clen = strtol(p + 17, NULL, 10);
		if (hdr_end != NULL && clen >= 0 && got >= (size_t)(hdr_end + 4 - req) + (size_t)clen)
			break;
	}
	if (i < FAKE_MAX && hdr_end != NULL) {
		if ((p = strstr(req, "Credential=")) != NULL)
			snprintf(f->signer[i], sizeof(f->signer[i]), "%.*s",
			    (int)strcspn(p + 11, "/"), p + 11);
		snprintf(f->body[i], sizeof(f->body[i]), "%s", hdr_end + 4);
	}
	f->nreq++;
	snprintf(xml, sizeof(xml),
	    "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
	    "<AssumeRoleResult><Credentials><AccessKeyId>ASIAFAKE%d</AccessKeyId>"
	    "<SecretAccessKey>fakesecret%d</SecretAccessKey>"
	    "<SessionToken>faketoken%d</SessionToken>"
	    "<Expiration>2030-01-01T00:00:00Z</Expiration></Credentials>"
	    "</AssumeRoleResult></AssumeRoleResponse>", i + 1, i + 1, i + 1);
	snprintf(resp, sizeof(resp), "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n"
	    "Content-Length: %zu\r\nConnection: close\r\n\r\n%s", strlen(xml), xml);
	(void)!write(fd, resp, strlen(resp));
}

static void *
fake_main(void *arg)
{
	struct fake_sts *f = arg;
	int fd;

	while ((fd = accept(f->listen_fd, NULL, NULL)) >= 0) {
		fake_handle(f, fd);
		close(fd);
	}
	return NULL;
}

static void
fake_start(struct fake_sts *f)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	char url[64];

	memset(f, 0, sizeof(*f));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true((f->listen_fd = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	assert_int_equal(bind(f->listen_fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(f->listen_fd, 8), 0);
	assert_int_equal(getsockname(f->listen_fd, (struct sockaddr *)&sa, &len), 0);
	f->port = ntohs(sa.sin_port);
	assert_int_equal(pthread_create(&f->thread, NULL, fake_main, f), 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", f->port);
	setenv("AWS_ENDPOINT_URL_STS", url, 1);
	setenv("AWS_MAX_ATTEMPTS", "1", 1);
}

static void
fake_stop(struct fake_sts *f)
{
	shutdown(f->listen_fd, SHUT_RDWR);
	close(f->listen_fd);
	pthread_join(f->thread, NULL);
	unsetenv("AWS_ENDPOINT_URL_STS");
	unsetenv("AWS_MAX_ATTEMPTS");
}

static void
test_assume_role_chain(void **state)
{
	struct awsconfig *cfg = cfg_from(
	    "[profile c]\nrole_arn = arn:aws:iam::1:role/c\nsource_profile = b\n"
	    "external_id = ext-1\nrole_session_name = sess-c\nduration_seconds = 1800\n"
	    "[profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = a\n"
	    "[profile self]\nrole_arn = arn:aws:iam::1:role/s\nsource_profile = self\n"
	    "aws_access_key_id = AKIDSELF\naws_secret_access_key = s\n"
	    "[profile envsrc]\nrole_arn = arn:aws:iam::1:role/e\ncredential_source = Environment\n",
	    "[a]\naws_access_key_id = AKIDSTATICA\naws_secret_access_key = secretA\n");
	struct aws_credentials *c;
	struct ekskit_err err;
	struct fake_sts f;

	(void)state;
	fake_start(&f);
	assert_int_equal(resolve(cfg, "c", 0, &c, &err), 0);
	/* two calls: role b signed with a's static key, role c with b's new key */
	assert_int_equal(f.nreq, 2);
	assert_string_equal(f.signer[0], "AKIDSTATICA");
	assert_non_null(strstr(f.body[0], "Action=AssumeRole"));
	assert_non_null(strstr(f.body[0], "RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fb"));
	assert_non_null(strstr(f.body[0], "RoleSessionName=ekskit-session-1700000000"));
	assert_null(strstr(f.body[0], "ExternalId"));
	assert_null(strstr(f.body[0], "DurationSeconds"));
	assert_string_equal(f.signer[1], "ASIAFAKE1");
	assert_non_null(strstr(f.body[1], "RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fc"));
	assert_non_null(strstr(f.body[1], "RoleSessionName=sess-c"));
	assert_non_null(strstr(f.body[1], "ExternalId=ext-1"));
	assert_non_null(strstr(f.body[1], "DurationSeconds=1800"));
	assert_null(strstr(f.body[1], "SerialNumber"));
	assert_string_equal(c->access_key_id, "ASIAFAKE2");
	assert_string_equal(c->secret_access_key, "fakesecret2");
	assert_string_equal(c->session_token, "faketoken2");
	assert_string_equal(c->provider, "assume-role:c");
	assert_int_equal(c->expiration, 1893456000);
	aws_credentials_free(c);
	/* its own source: the profile's static keys sign the call */
	assert_int_equal(resolve(cfg, "self", 0, &c, &err), 0);
	assert_string_equal(f.signer[2], "AKIDSELF");
	assert_string_equal(c->access_key_id, "ASIAFAKE3");
	aws_credentials_free(c);
	/* credential_source = Environment: the environment keys sign it */
	setenv("AWS_ACCESS_KEY_ID", "AKIDENVSRC", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "s", 1);
	assert_int_equal(resolve(cfg, "envsrc", 1, &c, &err), 0);
	assert_string_equal(f.signer[3], "AKIDENVSRC");
	assert_string_equal(c->provider, "assume-role:envsrc");
	aws_credentials_free(c);
	fake_stop(&f);
	awsconfig_free(cfg);
}

static void
test_chain_depth_cap(void **state)
{
	char text[8192];
	size_t n = 0;
	int i;

	(void)state;
	for (i = 0; i < 40; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
		    "[profile p%d]\nrole_arn = arn:aws:iam::1:role/r%d\nsource_profile = p%d\n",
		    i, i, i + 1);
	snprintf(text + n, sizeof(text) - n, "[profile p40]\naws_access_key_id = A\n"
	    "aws_secret_access_key = s\n");
	{
		struct awsconfig *cfg = cfg_from(text, NULL);

		expect_error(cfg, "p0", EKSKIT_ERR_CONFIG,
		    "source_profile chain from profile 'p0' is longer than 32 profiles");
		awsconfig_free(cfg);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_credentials_object, clean_env),
		cmocka_unit_test_setup(test_env_provider, clean_env),
		cmocka_unit_test_setup(test_profile_static, clean_env),
		cmocka_unit_test_setup(test_no_credentials_message, clean_env),
		cmocka_unit_test_setup(test_loads_files_itself, clean_env),
		cmocka_unit_test_setup(test_assume_role_config_errors, clean_env),
		cmocka_unit_test_setup(test_assume_role_chain, clean_env),
		cmocka_unit_test_setup(test_chain_depth_cap, clean_env),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
