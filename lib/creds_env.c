/*
 * Credentials from the environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
 * AWS_SESSION_TOKEN (or the legacy AWS_SECURITY_TOKEN) and
 * AWS_CREDENTIAL_EXPIRATION (ISO 8601).  Empty variables count as unset.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "ekskit/creds.h"
#include "ekskit/timeutil.h"
#include "ekskit/error.h"
#include "creds_internal.h"

static const char *
env(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : NULL;
}

int
creds_env_read(const struct creds_ctx *ctx, struct aws_credentials **out,
    struct ekskit_err *err)
{
	const char *akid = env("AWS_ACCESS_KEY_ID");
	const char *secret = env("AWS_SECRET_ACCESS_KEY");
	const char *token = env("AWS_SESSION_TOKEN");
	const char *exp = env("AWS_CREDENTIAL_EXPIRATION");
	time_t expiration = 0;
	char when[32];

	*out = NULL;
	if (akid == NULL && secret == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOT_FOUND,
		    "environment variables AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (unset)");
	if (akid == NULL || secret == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_CONFIG,
		    "%s is set but %s is not: set both, or unset both to use "
		    "the shared config files",
		    akid ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
		    akid ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
	if (token == NULL)
		token = env("AWS_SECURITY_TOKEN");
	if (exp != NULL) {
		if (timeutil_parse_rfc3339(exp, &expiration) != EKSKIT_OK)
			return ekskit_err_set(err, EKSKIT_ERR_CONFIG,
			    "AWS_CREDENTIAL_EXPIRATION is not an ISO 8601 time "
			    "like 2024-05-01T12:00:00Z");
		if (expiration <= (ctx->now ? ctx->now : time(NULL))) {
			struct tm tm;

			gmtime_r(&expiration, &tm);
			strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
			return ekskit_err_set(err, EKSKIT_ERR_EXPIRED,
			    "the credentials in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY "
			    "expired at %s (AWS_CREDENTIAL_EXPIRATION): refresh them "
			    "or unset them", when);
		}
	}
	if ((*out = aws_credentials_new(akid, secret, token, expiration, "env")) == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	return 0;
}

static int
env_get(struct creds_provider *p, const struct creds_ctx *ctx,
    struct aws_credentials **out, struct ekskit_err *err)
{
	(void)p;
	*out = NULL;
	/* the AWS CLI: an explicit --profile outranks environment keys */
	if (ctx->profile_from_flag)
		return ekskit_err_set(err, EKSKIT_ERR_NOT_FOUND,
		    "environment variables (skipped: --profile was given)");
	return creds_env_read(ctx, out, err);
}

struct creds_provider *
creds_env_provider_new(void)
{
	return creds_provider_alloc("env", env_get);
}
