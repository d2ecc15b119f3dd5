/*
 * Assume-role profiles, as botocore resolves them:
 *
 *   [profile dev]
 *   role_arn = arn:aws:iam::123456789012:role/dev
 *   source_profile = base          # or: credential_source = Environment
 *   external_id = ...              # optional
 *   role_session_name = ...        # optional, default "ekskit-session-<time>"
 *   duration_seconds = 3600        # optional, 900..43200
 *   mfa_serial = arn:aws:iam::...  # optional: a code is needed (creds_mfa.c)
 *
 * source_profile chains have any depth (capped at CHAIN_MAX); a loop is an
 * error naming it ("a -> b -> a").  A profile may name itself as its
 * source_profile when it also has static keys: the keys are the source.  A
 * source profile with static keys (or without role_arn) provides its own
 * credentials; one with role_arn and no keys is assumed in turn.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "ekskit/awsconfig.h"
#include "ekskit/buf.h"
#include "ekskit/cache.h"
#include "ekskit/creds.h"
#include "ekskit/creds_ext.h"
#include "ekskit/endpoints.h"
#include "ekskit/error.h"
#include "ekskit/sts.h"
#include "ekskit/termsafe.h"
#include "creds_internal.h"

#define CHAIN_MAX 32

struct visited {
	const char *names[CHAIN_MAX + 1];
	size_t n;
};

/* credential_source values (botocore's CanonicalNameCredentialSourcer). */
static const struct {
	const char *name;
	struct creds_provider *(*new_fn)(void);   /* NULL: not available yet */
} credential_sources[] = {
	{ "Environment", NULL },          /* creds_env_read(), see below */
	{ "Ec2InstanceMetadata", creds_provider_imds_new },
	{ "EcsContainer", creds_provider_container_new },
};

static const char *
get(const struct creds_ctx *ctx, const char *profile, const char *key)
{
	const char *v = awsconfig_get(ctx->cfg, profile, key);

	return v != NULL && *v != '\0' ? v : NULL;
}

static int
has_static(const struct creds_ctx *ctx, const char *profile)
{
	return get(ctx, profile, "aws_access_key_id") != NULL ||
	    get(ctx, profile, "aws_secret_access_key") != NULL;
}

/* botocore: role_arn makes an assume-role profile unless it is web identity. */
static int
has_role(const struct creds_ctx *ctx, const char *profile)
{
	return get(ctx, profile, "role_arn") != NULL &&
	    get(ctx, profile, "web_identity_token_file") == NULL;
}

static void
describe_chain(const struct visited *v, const char *next, char *buf, size_t n)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < v->n && used < n; i++)
		used += (size_t)snprintf(buf + used, n - used, "%s -> ", v->names[i]);
	if (used < n)
		snprintf(buf + used, n - used, "%s", next);
}

static int
from_credential_source(const struct creds_ctx *ctx, const char *profile,
    const char *source, struct aws_credentials **out, struct ekskit_err *err)
{
	struct creds_provider *p;
	size_t i;
	int r;

	for (i = 0; i < sizeof(credential_sources) / sizeof(credential_sources[0]); i++)
		if (strcmp(source, credential_sources[i].name) == 0)
			break;
	if (i == sizeof(credential_sources) / sizeof(credential_sources[0]))
		return ekskit_err_set(err, EKSKIT_ERR_CONFIG,
		    "profile '%s' has credential_source = %s: use Environment, "
		    "Ec2InstanceMetadata or EcsContainer", profile, source);
	if (strcmp(source, "Environment") == 0) {
		r = creds_env_read(ctx, out, err);
		if (r == EKSKIT_ERR_NOT_FOUND)
			r = ekskit_err_set(err, EKSKIT_ERR_CONFIG,
			    "profile '%s' has credential_source = Environment but "
			    "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set",
			    profile);
		return r;
	}
	if (credential_sources[i].new_fn == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_CONFIG,
		    "profile '%s' has credential_source = %s, which this build "
		    "does not support yet: use source_profile with static keys, "
		    "or credential_source = Environment", profile, source);
	if ((p = credential_sources[i].new_fn()) == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	r = p->get(p, ctx, out, err);
	p->destroy(p);
	if (r == EKSKIT_ERR_NOT_FOUND)
		r = ekskit_err_set(err, EKSKIT_ERR_NO_CREDS,
		    "profile '%s' has credential_source = %s, but it provided no "
		    "credentials", profile, source);
	return r;
}

static int parse_duration(const struct creds_ctx *ctx, const char *profile,
    int *out, struct ekskit_err *err);
static int cached_assume_role(const struct creds_ctx *ctx, const char *profile,
    const struct aws_credentials *source, struct aws_credentials **out,
    struct ekskit_err *err);

static int
assume_profile(const struct creds_ctx *ctx, const char *profile,
    struct visited *v, struct aws_credentials **out, struct ekskit_err *err)
{
	const char *src = get(ctx, profile, "source_profile");
	const char *csrc = get(ctx, profile, "credential_source");
	struct aws_credentials *source = NULL;
	char chain[512];
	size_t i;
	int r;

	*out = NULL;
	if (src != NULL && csrc != NULL)
		return ekskit_err_set(err, EKSKIT_ERR_CONFIG,
		    "profile '%s' has both source_profile and credential_source: "
		    "keep only one", profile);
	if (src == NULL && csrc == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_CONFIG,
		    "profile '%s' has role_arn but neither source_profile nor "
		    "credential_source: add 'source_profile = <profile with keys>'",
		    profile);
	if (csrc != NULL) {
		r = from_credential_source(ctx, profile, csrc, &source, err);
	} else {
		if (!awsconfig_has_profile(ctx->cfg, src))
			return ekskit_err_set(err, EKSKIT_ERR_CONFIG,
			    "source_profile '%s' referenced in profile '%s' does "
			    "not exist in %s or %s", src, profile,
			    awsconfig_file_name(ctx->cfg, 0), awsconfig_file_name(ctx->cfg, 1));
		for (i = 0; i < v->n; i++) {
			if (strcmp(v->names[i], src) != 0)
				continue;
			/* only a profile with its own keys may be its own source */
			if (strcmp(src, profile) == 0 && has_static(ctx, src))
				break;
			describe_chain(v, src, chain, sizeof(chain));
			return ekskit_err_set(err, EKSKIT_ERR_CONFIG,
			    "source_profile loop: %s%s", chain,
			    strcmp(src, profile) == 0 ? " (a profile can be its own "
			    "source_profile only when it has aws_access_key_id and "
			    "aws_secret_access_key)" : "");
		}
		if (v->n >= CHAIN_MAX)
			return ekskit_err_set(err, EKSKIT_ERR_CONFIG,
			    "source_profile chain from profile '%s' is longer than %d "
			    "profiles", v->names[0], CHAIN_MAX);
		v->names[v->n++] = src;
		if (strcmp(src, profile) == 0 || has_static(ctx, src) ||
		    !has_role(ctx, src)) {
			r = creds_profile_own(ctx, src, &source, err);
			if (r == EKSKIT_ERR_NOT_FOUND)
				r = ekskit_err_set(err, EKSKIT_ERR_CONFIG,
				    "source_profile '%s' (used by profile '%s') has no "
				    "credentials: give it aws_access_key_id and "
				    "aws_secret_access_key, or a role_arn", src, profile);
		} else
			r = assume_profile(ctx, src, v, &source, err);
	}
	if (r != 0)
		return r;
	r = cached_assume_role(ctx, profile, source, out, err);
	aws_credentials_free(source);
	return r;
}

static int
parse_duration(const struct creds_ctx *ctx, const char *profile, int *out,
    struct ekskit_err *err)
{
	const char *s = get(ctx, profile, "duration_seconds");
	char *end;
	long v;

	*out = 0;
	if (s == NULL)
		return 0;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 900 || v > 43200)
		return ekskit_err_set(err, EKSKIT_ERR_CONFIG,
		    "profile '%s': duration_seconds must be a whole number of "
		    "seconds from 900 to 43200", profile);
	*out = (int)v;
	return 0;
}

/* The region for STS calls: the caller's, else the configured one, else us-east-1. */
static int
sts_region(const struct creds_ctx *ctx, const struct aws_endpoint_opts *o,
    char **out, struct ekskit_err *err)
{
	struct ekskit_err ignored;

	if (ctx->region != NULL)
		return (*out = strdup(ctx->region)) ? 0 :
		    ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	if (aws_resolve_region(NULL, o, out, &ignored) == 0)
		return 0;
	return (*out = strdup("us-east-1")) ? 0 :
	    ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
}

/* The AssumeRole call itself, to the STS endpoint cached_assume_role resolved. */
static int
call_assume_role(const struct creds_ctx *ctx, const char *profile,
    const struct aws_credentials *source, const char *url, const char *signing,
    struct aws_credentials **out, struct ekskit_err *err)
{
	struct sts_assume_role_params prm;
	struct aws_client c;
	char session[64], code[64], prov[320];
	const char *mfa = get(ctx, profile, "mfa_serial");
	int r;

	memset(&prm, 0, sizeof(prm));
	memset(&c, 0, sizeof(c));
	code[0] = '\0';
	prm.role_arn = get(ctx, profile, "role_arn");
	prm.external_id = get(ctx, profile, "external_id");
	prm.session_name = get(ctx, profile, "role_session_name");
	if (prm.session_name == NULL) {
		snprintf(session, sizeof(session), CREDS_DEFAULT_SESSION_PREFIX "%lld",
		    (long long)(ctx->now ? ctx->now : time(NULL)));
		prm.session_name = session;
	}
	if ((r = parse_duration(ctx, profile, &prm.duration_seconds, err)) != 0)
		goto out;
	if (mfa != NULL) {
		if ((r = creds_mfa_code(ctx, profile, mfa, code, sizeof(code), err)) != 0)
			goto out;
		prm.mfa_serial = mfa;
		prm.mfa_code = code;
	}
	c.service = "sts";
	c.region = signing;
	c.endpoint = url;
	c.creds = source;
	c.verbose = ctx->verbose;
	if (ctx->verbose)
		term_printf(stderr, "ekskit: creds: assuming role %s for profile '%s' via %s "
		    "(source credentials: %s)\n", prm.role_arn, profile, url,
		    source->provider);
	r = sts_assume_role(&c, &prm, out, err);
	if (r != 0) {
		/* sts already says "assuming role ARN: CODE: message" */
		ekskit_err_prefix(err, "profile '%s'", profile);
		goto out;
	}
	snprintf(prov, sizeof(prov), "assume-role:%s", profile);
	free((*out)->provider);
	if (((*out)->provider = strdup(prov)) == NULL) {
		aws_credentials_free(*out);
		*out = NULL;
		r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	}
out:
	OPENSSL_cleanse(code, sizeof(code));
	return r;
}

struct assume_fetch {
	const struct creds_ctx *ctx;
	const char *profile;
	const struct aws_credentials *source;
	const char *url;        /* STS endpoint */
	const char *signing;    /* its signing region */
};

static int
fetch_assume_role(void *arg, struct aws_credentials **out, struct ekskit_err *err)
{
	struct assume_fetch *f = arg;

	return call_assume_role(f->ctx, f->profile, f->source, f->url, f->signing,
	    out, err);
}

/*
 * call_assume_role through the credential cache (issue 3): keyed by every
 * input that changes the result, so the STS call (and an MFA prompt) happens
 * once per role session, not once per kubectl call.
 */
static int
cached_assume_role(const struct creds_ctx *ctx, const char *profile,
    const struct aws_credentials *source, struct aws_credentials **out,
    struct ekskit_err *err)
{
	static const char *const keys[] = { "role_arn", "external_id",
	    "role_session_name", "duration_seconds", "mfa_serial" };
	struct aws_endpoint_opts eo = { ctx->cfg, ctx->profile, -1, -1 };
	struct assume_fetch f = { ctx, profile, source, NULL, NULL };
	struct cache_key key;
	char *region = NULL, *url = NULL, *signing = NULL;
	size_t i;
	int r;

	*out = NULL;
	if ((r = sts_region(ctx, &eo, &region, err)) != 0 ||
	    (r = aws_endpoint_resolve("sts", region, &eo, &url, &signing, err)) != 0)
		goto out;
	f.url = url;
	f.signing = signing;
	r = cache_key_init(&key, "assume-role");
	if (r == 0) r = cache_key_add(&key, "profile", profile);
	for (i = 0; r == 0 && i < sizeof(keys) / sizeof(keys[0]); i++)
		r = cache_key_add(&key, keys[i], get(ctx, profile, keys[i]));
	if (r == 0) r = cache_key_add(&key, "source_access_key_id", source->access_key_id);
	if (r == 0) r = cache_key_add(&key, "region", signing);
	if (r == 0) r = cache_key_add(&key, "endpoint", url);
	if (r == 0)
		r = cache_creds(ctx, &key, fetch_assume_role, &f, out, err);
	else
		r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	cache_key_release(&key);
out:
	free(region);
	free(url);
	free(signing);
	return r;
}

int
creds_profile_assume_role(const struct creds_ctx *ctx, const char *profile,
    struct aws_credentials **out, struct ekskit_err *err)
{
	struct visited v;

	*out = NULL;
	if (!has_role(ctx, profile))
		return EKSKIT_ERR_NOT_FOUND;
	memset(&v, 0, sizeof(v));
	v.names[v.n++] = profile;
	return assume_profile(ctx, profile, &v, out, err);
}
