/*
 * Web identity: trade an OIDC token (IRSA in pods, GitHub/GitLab OIDC in CI)
 * for role credentials with STS AssumeRoleWithWebIdentity, an unsigned call.
 * From the environment (AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN) or a
 * profile (web_identity_token_file + role_arn).  See creds_ext.h.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "creds_internal.h"
#include "ekskit/awsconfig.h"
#include "ekskit/buf.h"
#include "ekskit/cache.h"
#include "ekskit/creds_ext.h"
#include "ekskit/endpoints.h"
#include "ekskit/sts.h"

#define MAX_TOKEN (64 * 1024)
#define DEFAULT_STS_REGION "us-east-1"

/* The token file's content, trimmed (secret; caller ek_free_secret()s). */
static int
read_token(const char *path, const char *source, char **out,
    struct ekskit_err *err)
{
	struct ekbuf b;
	size_t start = 0;
	int r;

	*out = NULL;
	ekbuf_init_secret(&b, MAX_TOKEN);
	if ((r = ek_read_file(path, &b, err)) != EKSKIT_OK) {
		ekbuf_release(&b);
		ekskit_err_prefix(err, "web identity token file (%s)", source);
		if (err != NULL)
			err->code = EKSKIT_ERR_CONFIG;
		return EKSKIT_ERR_CONFIG;
	}
	while (b.len > 0 && isspace((unsigned char)b.data[b.len - 1]))
		b.data[--b.len] = '\0';
	while (start < b.len && isspace((unsigned char)b.data[start]))
		start++;
	if (start == b.len) {
		ekbuf_release(&b);
		return ekskit_err_set(err, EKSKIT_ERR_CONFIG, "the web identity token "
		    "file %s (%s) is empty", path, source);
	}
	*out = ek_strdup(b.data + start);
	ekbuf_release(&b);
	return *out ? EKSKIT_OK : ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
}

struct wi_fetch {
	const struct web_identity_params *p;
	const char *token;        /* secret */
	const char *session_name;
	const char *region;
	const char *endpoint;
	int verbose;
};

static int
fetch_web_identity(void *arg, struct aws_credentials **out, struct ekskit_err *err)
{
	struct wi_fetch *f = arg;
	struct sts_assume_role_params ap;
	struct aws_client c;
	char prov[300];
	int r;

	memset(&ap, 0, sizeof(ap));
	memset(&c, 0, sizeof(c));
	c.service = "sts";
	c.region = f->region;
	c.endpoint = f->endpoint;
	c.verbose = f->verbose;
	ap.role_arn = f->p->role_arn;
	ap.session_name = f->session_name;
	ap.duration_seconds = f->p->duration_seconds;
	ap.web_identity_token = f->token;
	r = sts_assume_role_with_web_identity(&c, &ap, out, err);
	if (r != EKSKIT_OK) {
		ekskit_err_prefix(err, "AssumeRoleWithWebIdentity for %s (%s)",
		    f->p->role_arn, f->p->source);
		return r;
	}
	snprintf(prov, sizeof(prov), "web-identity:%s", f->p->source);
	free((*out)->provider);
	(*out)->provider = ek_strdup(prov);
	return EKSKIT_OK;
}

int
creds_web_identity_fetch(const struct creds_ctx *ctx,
    const struct web_identity_params *p, struct aws_credentials **out,
    struct ekskit_err *err)
{
	struct aws_endpoint_opts eo;
	struct cache_key key;
	struct wi_fetch f;
	char *token = NULL, *endpoint = NULL, session[64];
	const char *region = ctx->region ? ctx->region : DEFAULT_STS_REGION;
	int r;

	*out = NULL;
	if (p->role_arn == NULL || *p->role_arn == '\0')
		return ekskit_err_set(err, EKSKIT_ERR_CONFIG, "web identity (%s) "
		    "needs a role ARN", p->source);
	if ((r = read_token(p->token_file, p->source, &token, err)) != EKSKIT_OK)
		return r;
	memset(&eo, 0, sizeof(eo));
	eo.cfg = ctx->cfg;
	eo.profile = ctx->profile;
	eo.use_fips = eo.use_dualstack = -1;
	if ((r = aws_endpoint_url("sts", region, &eo, &endpoint, err)) != EKSKIT_OK) {
		ek_free_secret(token);
		return r;
	}
	snprintf(session, sizeof(session), "ekskit-%lld",
	    (long long)(ctx->now ? ctx->now : time(NULL)));
	f.p = p;
	f.token = token;
	f.session_name = p->session_name && *p->session_name ? p->session_name : session;
	f.region = region;
	f.endpoint = endpoint;
	f.verbose = ctx->verbose;
	/* the generated session name is not part of the key: it changes every run */
	r = cache_key_init(&key, "web-identity");
	if (r == EKSKIT_OK) r = cache_key_add(&key, "role_arn", p->role_arn);
	if (r == EKSKIT_OK) r = cache_key_add(&key, "session_name", p->session_name);
	if (r == EKSKIT_OK) r = cache_key_add(&key, "token_file", p->token_file);
	if (r == EKSKIT_OK) r = cache_key_add_hashed(&key, "token", token);
	if (r == EKSKIT_OK) {
		char d[16];
		snprintf(d, sizeof(d), "%d", p->duration_seconds);
		r = cache_key_add(&key, "duration", d);
	}
	if (r == EKSKIT_OK) r = cache_key_add(&key, "region", region);
	if (r == EKSKIT_OK) r = cache_key_add(&key, "endpoint", endpoint);
	if (r == EKSKIT_OK)
		r = cache_creds(ctx, &key, fetch_web_identity, &f, out, err);
	else
		r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	cache_key_release(&key);
	ek_free_secret(token);
	free(endpoint);
	return r;
}

int
creds_web_identity_env_get(const struct creds_ctx *ctx,
    struct aws_credentials **out, struct ekskit_err *err)
{
	struct web_identity_params p;
	const char *file = getenv("AWS_WEB_IDENTITY_TOKEN_FILE");
	const char *role = getenv("AWS_ROLE_ARN");

	*out = NULL;
	/* as the SDKs: both variables or this source is not configured */
	if (file == NULL || *file == '\0' || role == NULL || *role == '\0')
		return EKSKIT_ERR_NOT_FOUND;
	memset(&p, 0, sizeof(p));
	p.token_file = file;
	p.role_arn = role;
	p.session_name = getenv("AWS_ROLE_SESSION_NAME");
	p.source = "AWS_WEB_IDENTITY_TOKEN_FILE";
	return creds_web_identity_fetch(ctx, &p, out, err);
}

int
creds_web_identity_profile_get(const struct creds_ctx *ctx, const char *profile,
    struct aws_credentials **out, struct ekskit_err *err)
{
	struct web_identity_params p;
	const char *dur;
	char source[300];
	char *end;
	long d = 0;

	*out = NULL;
	memset(&p, 0, sizeof(p));
	if (ctx->cfg == NULL || (p.token_file = awsconfig_get(ctx->cfg, profile,
	    "web_identity_token_file")) == NULL)
		return EKSKIT_ERR_NOT_FOUND;
	snprintf(source, sizeof(source), "profile %s", profile);
	p.source = source;
	p.role_arn = awsconfig_get(ctx->cfg, profile, "role_arn");
	if (p.role_arn == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_CONFIG, "profile %s sets "
		    "web_identity_token_file but no role_arn", profile);
	p.session_name = awsconfig_get(ctx->cfg, profile, "role_session_name");
	if ((dur = awsconfig_get(ctx->cfg, profile, "duration_seconds")) != NULL) {
		d = strtol(dur, &end, 10);
		if (*end != '\0' || d < 900 || d > 43200)
			return ekskit_err_set(err, EKSKIT_ERR_CONFIG, "profile %s: "
			    "duration_seconds must be 900..43200, not %.20s", profile, dur);
	}
	p.duration_seconds = (int)d;
	return creds_web_identity_fetch(ctx, &p, out, err);
}

static int
provider_get(struct creds_provider *p, const struct creds_ctx *ctx,
    struct aws_credentials **out, struct ekskit_err *err)
{
	int r;

	(void)p;
	r = creds_web_identity_env_get(ctx, out, err);
	if (r == EKSKIT_ERR_NOT_FOUND)
		ekskit_err_set(err, r, "web identity (AWS_WEB_IDENTITY_TOKEN_FILE and "
		    "AWS_ROLE_ARN not both set)");
	return r;
}

struct creds_provider *
creds_provider_web_identity_env_new(void)
{
	return creds_provider_alloc("web-identity-env", provider_get);
}
