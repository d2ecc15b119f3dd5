/*
 * IAM Identity Center (SSO): read the access token the AWS CLI caches after
 * `aws sso login` and trade it for role credentials with the portal's
 * GetRoleCredentials.  Both `sso_session` profiles and legacy profiles with
 * `sso_start_url` are supported.  See creds_ext.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "creds_json.h"
#include "creds_sso_token.h"
#include "ekskit/awsconfig.h"
#include "ekskit/buf.h"
#include "ekskit/cache.h"
#include "ekskit/creds_ext.h"
#include "ekskit/endpoints.h"
#include "ekskit/http.h"
#include "ekskit/timeutil.h"

#define MAX_LIFETIME_MS (36LL * 3600 * 1000)

void
creds_sso_cache_name(const char *key, char name[46])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	EVP_Digest(key, strlen(key), md, &n, EVP_sha1(), NULL);
	for (i = 0; i < n && i < 20; i++)
		snprintf(name + 2 * i, 3, "%02x", md[i]);
	snprintf(name + 40, 6, ".json");
}

/* The settings of one SSO profile, borrowed from the config. */
struct sso_profile {
	const char *profile;
	const char *session;      /* sso_session name, NULL for legacy */
	const char *start_url;
	const char *region;       /* sso_region */
	const char *account_id;
	const char *role_name;
};

static int
missing(struct ekskit_err *err, const char *profile, const char *key,
    const char *where)
{
	return ekskit_err_set(err, EKSKIT_ERR_CONFIG, "profile %s uses IAM Identity "
	    "Center but %s is not set%s%s", profile, key, where ? " in " : "",
	    where ? where : "");
}

/* NOT_FOUND when the profile is not an SSO profile. */
static int
load_profile(const struct creds_ctx *ctx, const char *profile,
    struct sso_profile *p, struct ekskit_err *err)
{
	const struct awsconfig *cfg = ctx->cfg;
	char where[300];

	memset(p, 0, sizeof(*p));
	p->profile = profile;
	if (cfg == NULL)
		return EKSKIT_ERR_NOT_FOUND;
	p->session = awsconfig_get(cfg, profile, "sso_session");
	p->account_id = awsconfig_get(cfg, profile, "sso_account_id");
	p->role_name = awsconfig_get(cfg, profile, "sso_role_name");
	if (p->session != NULL) {
		snprintf(where, sizeof(where), "[sso-session %.200s]", p->session);
		p->start_url = awsconfig_section_get(cfg, "sso-session", p->session,
		    "sso_start_url");
		p->region = awsconfig_section_get(cfg, "sso-session", p->session,
		    "sso_region");
		if (p->start_url == NULL)
			return missing(err, profile, "sso_start_url", where);
		if (p->region == NULL)
			return missing(err, profile, "sso_region", where);
	} else {
		p->start_url = awsconfig_get(cfg, profile, "sso_start_url");
		if (p->start_url == NULL)
			return EKSKIT_ERR_NOT_FOUND;
		p->region = awsconfig_get(cfg, profile, "sso_region");
		if (p->region == NULL)
			return missing(err, profile, "sso_region", NULL);
	}
	if (p->account_id == NULL)
		return missing(err, profile, "sso_account_id", NULL);
	if (p->role_name == NULL)
		return missing(err, profile, "sso_role_name", NULL);
	if (!aws_region_valid(p->region))
		return ekskit_err_set(err, EKSKIT_ERR_CONFIG, "profile %s: sso_region "
		    "%.64s is not a region name", profile, p->region);
	return EKSKIT_OK;
}

/* The portal base URL: AWS_ENDPOINT_URL_SSO, AWS_ENDPOINT_URL, or the real one. */
static char *
portal_base(const char *region)
{
	const char *ep = getenv("AWS_ENDPOINT_URL_SSO");
	struct ekbuf b;
	size_t n;

	if (ep == NULL || *ep == '\0')
		ep = getenv("AWS_ENDPOINT_URL");
	ekbuf_init(&b, 8192);
	if (ep != NULL && *ep != '\0') {
		n = strlen(ep);
		while (n > 0 && ep[n - 1] == '/')
			n--;
		ekbuf_append(&b, ep, n);
	} else {
		ekbuf_printf(&b, "https://portal.sso.%s.%s", region,
		    aws_partition_of(region)->dns_suffix);
	}
	return b.data ? ekbuf_detach(&b, NULL) : NULL;
}

struct sso_fetch {
	const struct sso_profile *p;
	const struct sso_token_source *src;
	const char *base;
	const char *token;   /* secret */
	int verbose;
};

static int
parse_role_credentials(const char *body, size_t len, const struct sso_profile *p,
    struct aws_credentials **out, struct ekskit_err *err)
{
	const char *akid, *secret, *tok;
	json_t *o, *rc, *exp;
	char prov[300];
	int r = EKSKIT_ERR_INVALID;

	*out = NULL;
	creds_json_wipe_on_free();
	o = json_loadb(body, len, 0, NULL);
	rc = json_object_get(o, "roleCredentials");
	akid = json_string_value(json_object_get(rc, "accessKeyId"));
	secret = json_string_value(json_object_get(rc, "secretAccessKey"));
	tok = json_string_value(json_object_get(rc, "sessionToken"));
	exp = json_object_get(rc, "expiration");
	if (akid == NULL || secret == NULL || *akid == '\0' || *secret == '\0' ||
	    !json_is_integer(exp) || json_integer_value(exp) <= 0 ||
	    json_integer_value(exp) > (json_int_t)time(NULL) * 1000 + MAX_LIFETIME_MS) {
		ekskit_err_set(err, r, "the SSO portal returned malformed role "
		    "credentials for profile %s", p->profile);
		goto out;
	}
	snprintf(prov, sizeof(prov), "sso:%s", p->profile);
	*out = aws_credentials_new(akid, secret, tok,
	    (time_t)(json_integer_value(exp) / 1000), prov);
	r = *out ? EKSKIT_OK : ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
out:
	json_decref(o);
	return r;
}

static int
fetch_sso(void *arg, struct aws_credentials **out, struct ekskit_err *err)
{
	struct sso_fetch *f = arg;
	const struct sso_profile *p = f->p;
	struct http_header h[1] = { { "x-amz-sso_bearer_token", f->token, 1 } };
	struct http_request req;
	struct http_response resp;
	struct ekbuf url;
	int r;

	*out = NULL;
	memset(&req, 0, sizeof(req));
	memset(&resp, 0, sizeof(resp));
	ekbuf_init(&url, 16384);
	r = ekbuf_printf(&url, "%s/federation/credentials?role_name=", f->base);
	if (r == EKSKIT_OK)
		r = http_uri_encode(&url, p->role_name, strlen(p->role_name), 1);
	if (r == EKSKIT_OK)
		r = ekbuf_puts(&url, "&account_id=");
	if (r == EKSKIT_OK)
		r = http_uri_encode(&url, p->account_id, strlen(p->account_id), 1);
	if (r != EKSKIT_OK) {
		ekbuf_release(&url);
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "SSO URL too long");
	}
	req.method = "GET";
	req.url = url.data;
	req.headers = h;
	req.nheaders = 1;
	req.connect_timeout_ms = 3000;
	req.timeout_ms = 10000;
	req.verbose = f->verbose;
	if ((r = http_perform(&req, &resp, err)) != EKSKIT_OK) {
		ekskit_err_prefix(err, "SSO GetRoleCredentials for profile %s", p->profile);
	} else if (resp.status == 401) {
		r = sso_token_login_hint(err, f->src, "the SSO portal rejected the "
		    "cached token (expired or signed out)");
	} else if (resp.status == 403) {
		ekskit_err_set_remote(err, resp.status, "ForbiddenException");
		r = ekskit_err_set(err, EKSKIT_ERR_REMOTE, "ForbiddenException: your "
		    "SSO user may not use role %s in account %s (profile %s)",
		    p->role_name, p->account_id, p->profile);
	} else if (resp.status != 200) {
		ekskit_err_set_remote(err, resp.status, "");
		r = ekskit_err_set(err, EKSKIT_ERR_REMOTE, "SSO GetRoleCredentials "
		    "for profile %s failed with HTTP %ld", p->profile, resp.status);
	} else {
		r = parse_role_credentials(resp.body.data, resp.body.len, p, out, err);
	}
	http_response_release(&resp);
	ekbuf_release(&url);
	return r;
}

int
creds_sso_get(const struct creds_ctx *ctx, const char *profile,
    struct aws_credentials **out, struct ekskit_err *err)
{
	struct sso_token_source src;
	struct sso_profile p;
	struct sso_fetch f;
	struct cache_key key;
	char *token = NULL, *base = NULL;
	int r;

	*out = NULL;
	if ((r = load_profile(ctx, profile, &p, err)) != EKSKIT_OK)
		return r;
	src.profile = profile;
	src.session = p.session;
	src.start_url = p.start_url;
	src.region = p.region;
	src.cfg = ctx->cfg;
	src.cfg_profile = ctx->profile;
	src.verbose = ctx->verbose;
	/* the token is checked before the cache, so `aws sso logout` takes effect */
	if ((r = sso_token_load(&src, ctx->now ? ctx->now : time(NULL), &token,
	    err)) != EKSKIT_OK)
		return r;
	if ((base = portal_base(p.region)) == NULL) {
		ek_free_secret(token);
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	}
	f.p = &p;
	f.src = &src;
	f.base = base;
	f.token = token;
	f.verbose = ctx->verbose;
	r = cache_key_init(&key, "sso");
	if (r == EKSKIT_OK) r = cache_key_add(&key, "session", p.session);
	if (r == EKSKIT_OK) r = cache_key_add(&key, "start_url", p.start_url);
	if (r == EKSKIT_OK) r = cache_key_add(&key, "region", p.region);
	if (r == EKSKIT_OK) r = cache_key_add(&key, "account_id", p.account_id);
	if (r == EKSKIT_OK) r = cache_key_add(&key, "role_name", p.role_name);
	if (r == EKSKIT_OK) r = cache_key_add(&key, "portal", base);
	if (r == EKSKIT_OK) r = cache_key_add_hashed(&key, "access_token", token);
	if (r == EKSKIT_OK)
		r = cache_creds(ctx, &key, fetch_sso, &f, out, err);
	else
		r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	cache_key_release(&key);
	ek_free_secret(token);
	free(base);
	return r;
}
