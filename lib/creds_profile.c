/*
 * Credentials from the shared files (~/.aws/config, ~/.aws/credentials)
 * for the selected profile, in botocore's order:
 *   1. assume-role (role_arn + source_profile / credential_source), see
 *      creds_assume_role.c;
 *   2. the profile's own sources, profile_sources[] below: web identity,
 *      SSO, static keys (aws_access_key_id, aws_secret_access_key,
 *      aws_session_token or the legacy aws_security_token) and
 *      credential_process.
 * The credentials file wins over the config file for the same key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ekskit/awsconfig.h"
#include "ekskit/creds.h"
#include "ekskit/creds_ext.h"
#include "ekskit/error.h"
#include "creds_internal.h"

/* "FILE and FILE" for messages. */
static void
files_desc(const struct awsconfig *cfg, char *buf, size_t n)
{
	const char *c = awsconfig_file_name(cfg, 0), *k = awsconfig_file_name(cfg, 1);

	snprintf(buf, n, "%s and %s", *c ? c : awsconfig_config_path(),
	    *k ? k : awsconfig_credentials_path());
}

static int
profile_static(const struct creds_ctx *ctx, const char *profile,
    struct aws_credentials **out, struct ekskit_err *err)
{
	const char *akid = awsconfig_get(ctx->cfg, profile, "aws_access_key_id");
	const char *secret = awsconfig_get(ctx->cfg, profile, "aws_secret_access_key");
	const char *token = awsconfig_get(ctx->cfg, profile, "aws_session_token");
	char files[512], prov[320];

	*out = NULL;
	if (akid == NULL && secret == NULL)
		return EKSKIT_ERR_NOT_FOUND;
	files_desc(ctx->cfg, files, sizeof(files));
	if (akid == NULL || secret == NULL || *akid == '\0' || *secret == '\0')
		return ekskit_err_set(err, EKSKIT_ERR_CONFIG,
		    "profile '%s' in %s has %s but %s: set both "
		    "aws_access_key_id and aws_secret_access_key (`aws configure "
		    "--profile %s`)", profile, files,
		    akid && *akid ? "aws_access_key_id" : "aws_secret_access_key",
		    akid && *akid ? "an empty or missing aws_secret_access_key" :
		    "an empty or missing aws_access_key_id", profile);
	if (token == NULL || *token == '\0')
		token = awsconfig_get(ctx->cfg, profile, "aws_security_token");
	if (token != NULL && *token == '\0')
		token = NULL;
	snprintf(prov, sizeof(prov), "profile:%s", profile);
	if ((*out = aws_credentials_new(akid, secret, token, 0, prov)) == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	return 0;
}

/*
 * A profile's own credential sources, in botocore's order.  Each returns
 * 0 with *out, EKSKIT_ERR_NOT_FOUND when the profile does not use it, or
 * an error.  Issue 3 adds one line each at its place.
 */
static int (*const profile_sources[])(const struct creds_ctx *, const char *,
    struct aws_credentials **, struct ekskit_err *) = {
	creds_web_identity_profile_get,  /* web_identity_token_file + role_arn */
	creds_sso_get,                   /* sso_session / sso_start_url */
	profile_static,
	creds_login_get,                 /* login_session (`aws login`) */
	creds_process_get,               /* credential_process */
};

int
creds_profile_own(const struct creds_ctx *ctx, const char *profile,
    struct aws_credentials **out, struct ekskit_err *err)
{
	size_t i;
	int r = EKSKIT_ERR_NOT_FOUND;

	*out = NULL;
	for (i = 0; i < sizeof(profile_sources) / sizeof(profile_sources[0]) &&
	    r == EKSKIT_ERR_NOT_FOUND; i++)
		r = profile_sources[i](ctx, profile, out, err);
	return r;
}

static int
profile_get(struct creds_provider *p, const struct creds_ctx *ctx,
    struct aws_credentials **out, struct ekskit_err *err)
{
	const char *profile = ctx->profile ? ctx->profile : "default";
	char files[512];
	int r;

	(void)p;
	*out = NULL;
	files_desc(ctx->cfg, files, sizeof(files));
	if (!awsconfig_has_profile(ctx->cfg, profile))
		return ekskit_err_set(err, EKSKIT_ERR_NOT_FOUND,
		    "profile '%s' in %s (no such profile)", profile, files);
	r = creds_profile_assume_role(ctx, profile, out, err);
	if (r == EKSKIT_ERR_NOT_FOUND)
		r = creds_profile_own(ctx, profile, out, err);
	if (r == EKSKIT_ERR_NOT_FOUND)
		return ekskit_err_set(err, EKSKIT_ERR_NOT_FOUND,
		    "profile '%s' in %s (it has no aws_access_key_id, role_arn or "
		    "other credential settings)", profile, files);
	return r;
}

struct creds_provider *
creds_profile_provider_new(void)
{
	return creds_provider_alloc("profile", profile_get);
}
