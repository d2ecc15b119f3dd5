/*
 * The AWS CLI's assume-role cache (~/.aws/cli/cache), read only, so that a
 * role session the user just opened with `aws` (perhaps answering an MFA
 * prompt) serves eks-token too.
 *
 * The file name is botocore's AssumeRoleCredentialFetcher._create_cache_key:
 * the SHA-1 hex of json.dumps(args, sort_keys=True) where args are the
 * AssumeRole parameters from the profile (RoleArn, and when set
 * RoleSessionName, ExternalId, SerialNumber, DurationSeconds as an integer),
 * plus ".json".  The entry is the AssumeRole response as JSON; we use
 * Credentials.{AccessKeyId,SecretAccessKey,SessionToken,Expiration}.  It is
 * read with our own cache's rules (cache_read_foreign) and used only with
 * CACHE_MARGIN_SECONDS of validity left.  We never write there.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "creds_internal.h"
#include "creds_json.h"
#include "ekskit/awsconfig.h"
#include "ekskit/buf.h"
#include "ekskit/cache.h"
#include "ekskit/creds.h"
#include "ekskit/creds_ext.h"
#include "ekskit/timeutil.h"

static const char *
setting(const struct creds_ctx *ctx, const char *profile, const char *key)
{
	const char *v = awsconfig_get(ctx->cfg, profile, key);

	return v != NULL && *v != '\0' ? v : NULL;
}

/* json.dumps(args, sort_keys=True) of the profile's AssumeRole args; malloc'd. */
static char *
assume_args_json(const struct creds_ctx *ctx, const char *profile)
{
	static const struct { const char *param, *key; } strs[] = {
		{ "RoleArn", "role_arn" }, { "RoleSessionName", "role_session_name" },
		{ "ExternalId", "external_id" }, { "SerialNumber", "mfa_serial" },
	};
	const char *dur = setting(ctx, profile, "duration_seconds");
	json_t *o = json_object();
	char *end, *text = NULL;
	size_t i;
	long d;
	int ok = o != NULL;

	for (i = 0; ok && i < sizeof(strs) / sizeof(strs[0]); i++) {
		const char *v = setting(ctx, profile, strs[i].key);
		if (v != NULL)
			ok = json_object_set_new(o, strs[i].param, json_string(v)) == 0;
	}
	if (ok && dur != NULL) {
		errno = 0;
		d = strtol(dur, &end, 10);
		ok = errno == 0 && end != dur && *end == '\0' &&
		    json_object_set_new(o, "DurationSeconds", json_integer(d)) == 0;
	}
	/* Python's default separators, sorted keys, \uXXXX for non-ASCII */
	if (ok)
		text = json_dumps(o, JSON_SORT_KEYS | JSON_ENSURE_ASCII);
	json_decref(o);
	return text;
}



static int
decode(const struct ekbuf *b, const char *profile, time_t now,
    struct aws_credentials **out)
{
	const char *akid, *secret, *token;
	char prov[320];
	json_t *o, *c;
	time_t exp;
	int r = EKSKIT_ERR_NOT_FOUND;

	creds_json_wipe_on_free();
	o = json_loadb(b->data, b->len, JSON_REJECT_DUPLICATES, NULL);
	c = json_object_get(o, "Credentials");
	akid = json_string_value(json_object_get(c, "AccessKeyId"));
	secret = json_string_value(json_object_get(c, "SecretAccessKey"));
	token = json_string_value(json_object_get(c, "SessionToken"));
	if (akid != NULL && *akid != '\0' && secret != NULL && *secret != '\0' &&
	    token != NULL && timeutil_parse_botocore(json_string_value(json_object_get(c,
	    "Expiration")), &exp) == EKSKIT_OK && exp - now >= CACHE_MARGIN_SECONDS) {
		snprintf(prov, sizeof(prov), "assume-role:%s (AWS CLI cache)", profile);
		*out = aws_credentials_new(akid, secret, token, exp, prov);
		r = *out != NULL ? EKSKIT_OK : EKSKIT_ERR_NOMEM;
	}
	json_decref(o);
	return r;
}

int
creds_cli_cache_get(const struct creds_ctx *ctx, const char *profile,
    struct aws_credentials **out)
{
	const char *home = getenv("HOME"), *nc = getenv("EKSKIT_NO_CACHE");
	struct cache_opts co;
	struct ekbuf b;
	char name[46], dir[4096], *args;
	int r;

	*out = NULL;
	if (ctx->no_cache || (nc != NULL && *nc != '\0' && strcmp(nc, "0") != 0) ||
	    home == NULL || home[0] != '/' ||
	    (size_t)snprintf(dir, sizeof(dir), "%s/.aws/cli/cache", home) >= sizeof(dir))
		return EKSKIT_ERR_NOT_FOUND;
	if ((args = assume_args_json(ctx, profile)) == NULL)
		return EKSKIT_ERR_NOT_FOUND;
	creds_sso_cache_name(args, name);  /* the same SHA-1 hex + ".json" */
	free(args);
	memset(&co, 0, sizeof(co));
	ekbuf_init_secret(&b, CACHE_MAX_ENTRY);
	r = cache_read_foreign(dir, name, &co, &b);
	if (r == EKSKIT_OK)
		r = decode(&b, profile, ctx->now ? ctx->now : time(NULL), out);
	ekbuf_release(&b);
	if (r == EKSKIT_OK && ctx->verbose)
		fprintf(stderr, "ekskit: creds: profile '%s': role credentials from "
		    "the AWS CLI's cache %s/%s\n", profile, dir, name);
	return r == EKSKIT_OK ? r : EKSKIT_ERR_NOT_FOUND;
}
