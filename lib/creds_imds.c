/*
 * EC2 instance metadata (IMDSv2): PUT a session token, then the role name,
 * then its credentials.  Short time limits (1 s, one retry) so a machine
 * without IMDS never stalls.  IMDSv1 (token-less) is used only when the
 * user opts in with EKSKIT_IMDS_ALLOW_V1=1 or AWS_EC2_METADATA_V1_DISABLED=false.
 * See creds_ext.h.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "creds_internal.h"
#include "creds_json.h"
#include "ekskit/awsconfig.h"
#include "ekskit/buf.h"
#include "ekskit/cache.h"
#include "ekskit/creds_ext.h"
#include "ekskit/http.h"

#define IMDS_V4 "http://169.254.169.254"
#define IMDS_V6 "http://[fd00:ec2::254]"
#define TOKEN_TTL "21600"
#define TIMEOUT_MS 1000
#define CREDS_PATH "/latest/meta-data/iam/security-credentials/"
#define TOKEN_MAX 1024          /* AWS tokens are ~60 bytes */
#define TOKEN_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=_-.~"

static int
env_true(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && strcasecmp(v, "true") == 0;
}

int
imds_disabled(void)
{
	return env_true("AWS_EC2_METADATA_DISABLED");
}

static int
v1_allowed(void)
{
	const char *v = getenv("AWS_EC2_METADATA_V1_DISABLED");
	const char *e = getenv("EKSKIT_IMDS_ALLOW_V1");

	return (e != NULL && strcmp(e, "1") == 0) ||
	    (v != NULL && strcasecmp(v, "false") == 0);
}

static const char *
setting(const struct creds_ctx *ctx, const char *env, const char *key)
{
	const char *v = getenv(env);

	if (v != NULL && *v != '\0')
		return v;
	if (ctx != NULL && ctx->cfg != NULL)
		return awsconfig_get(ctx->cfg, ctx->profile, key);
	return NULL;
}

/* Base URL without a trailing slash, malloc'd. */
static int
imds_base(const struct creds_ctx *ctx, char **out, struct ekskit_err *err)
{
	const char *ep = setting(ctx, "AWS_EC2_METADATA_SERVICE_ENDPOINT",
	    "ec2_metadata_service_endpoint");
	const char *mode = setting(ctx, "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
	    "ec2_metadata_service_endpoint_mode");
	char shown[HTTP_URL_SHOWN_MAX];
	size_t n;

	*out = NULL;
	if (ep == NULL || *ep == '\0') {
		if (mode == NULL || strcasecmp(mode, "IPv4") == 0)
			ep = IMDS_V4;
		else if (strcasecmp(mode, "IPv6") == 0)
			ep = IMDS_V6;
		else
			return ekskit_err_set(err, EKSKIT_ERR_CONFIG,
			    "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE must be IPv4 or "
			    "IPv6, not %.40s", mode);
	}
	if (!ek_startswith(ep, "http://") && !ek_startswith(ep, "https://"))
		return ekskit_err_set(err, EKSKIT_ERR_CONFIG,
		    "AWS_EC2_METADATA_SERVICE_ENDPOINT must be an http(s) URL: %.200s",
		    http_url_for_message(ep, shown, sizeof(shown)));
	n = strlen(ep);
	while (n > 0 && ep[n - 1] == '/')
		n--;
	if ((*out = ek_strndup(ep, n)) == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	return EKSKIT_OK;
}

struct imds {
	char *base;        /* owned */
	char *token;       /* owned, secret; NULL = IMDSv1 */
	int verbose;
};

static void
imds_release(struct imds *m)
{
	free(m->base);
	ek_free_secret(m->token);
	m->base = m->token = NULL;
}

/* One call; resp owned by the caller.  Transport errors → NOT_FOUND-able codes. */
static int
imds_call(const struct imds *m, const char *method, const char *path,
    struct http_response *resp, struct ekskit_err *err)
{
	struct http_header h[1];
	struct http_request req;
	struct ekbuf url;
	int r;

	memset(&req, 0, sizeof(req));
	memset(resp, 0, sizeof(*resp));
	ekbuf_init(&url, 8192);
	if (ekbuf_printf(&url, "%s%s", m->base, path) != EKSKIT_OK)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "IMDS URL too long");
	if (strcmp(method, "PUT") == 0) {
		h[0] = (struct http_header){ "X-aws-ec2-metadata-token-ttl-seconds",
		    TOKEN_TTL, 0 };
		req.nheaders = 1;
	} else if (m->token != NULL) {
		h[0] = (struct http_header){ "X-aws-ec2-metadata-token", m->token, 1 };
		req.nheaders = 1;
	}
	req.method = method;
	req.url = url.data;
	req.headers = h;
	req.connect_timeout_ms = TIMEOUT_MS;
	req.timeout_ms = TIMEOUT_MS;
	req.max_attempts = 2;   /* one retry */
	req.verbose = m->verbose;
	r = http_perform(&req, resp, err);
	ekbuf_release(&url);
	return r;
}

/*
 * The session token goes into the next requests' headers: only base64 and
 * token characters, bounded, or a hostile metadata service could add
 * headers (CR/LF) to them.
 */
static int
session_token_valid(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > TOKEN_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if (s[i] == '\0' || strchr(TOKEN_CHARS, s[i]) == NULL)
			return 0;
	return 1;
}

/* Open a session: base URL and (IMDSv2) token.  NOT_FOUND when unreachable. */
static int
imds_open(const struct creds_ctx *ctx, struct imds *m, struct ekskit_err *err)
{
	struct http_response resp;
	char shown[HTTP_URL_SHOWN_MAX];
	int r;

	memset(m, 0, sizeof(*m));
	m->verbose = ctx ? ctx->verbose : 0;
	if (imds_disabled())
		return EKSKIT_ERR_NOT_FOUND;
	if ((r = imds_base(ctx, &m->base, err)) != EKSKIT_OK)
		return r;
	r = imds_call(m, "PUT", "/latest/api/token", &resp, err);
	if (r == EKSKIT_OK && resp.status == 200 &&
	    !session_token_valid(resp.body.data, resp.body.len)) {
		r = ekskit_err_set(err, EKSKIT_ERR_INVALID, "instance metadata at %s "
		    "answered with a session token that is not one (%zu bytes, or "
		    "characters other than base64)", http_url_for_message(m->base,
		    shown, sizeof(shown)), resp.body.len);
		http_response_release(&resp);
		imds_release(m);
		return r;
	}
	if (r == EKSKIT_OK && resp.status == 200) {
		m->token = ek_strndup(resp.body.data, resp.body.len);
		http_response_release(&resp);
		return m->token ? EKSKIT_OK : ekskit_err_set(err, EKSKIT_ERR_NOMEM,
		    "out of memory");
	}
	if (r == EKSKIT_OK && v1_allowed() && resp.status != 400) {
		/* IMDSv1-only service (403/404/405): the user opted in */
		http_response_release(&resp);
		ekskit_err_clear(err);
		return EKSKIT_OK;
	}
	http_url_for_message(m->base, shown, sizeof(shown));
	if (r == EKSKIT_OK)
		r = ekskit_err_set(err, EKSKIT_ERR_NOT_FOUND, "instance metadata at %s "
		    "refused an IMDSv2 session token (HTTP %ld); IMDSv1 is used only "
		    "with EKSKIT_IMDS_ALLOW_V1=1", shown, resp.status);
	else
		r = ekskit_err_set(err, EKSKIT_ERR_NOT_FOUND, "no instance metadata "
		    "service at %s", shown);
	http_response_release(&resp);
	imds_release(m);
	return r;
}

/* GET a small text document (first line trimmed).  *out malloc'd. */
static int
imds_get_text(const struct imds *m, const char *path, char **out,
    struct ekskit_err *err)
{
	struct http_response resp;
	size_t n;
	int r;

	*out = NULL;
	if ((r = imds_call(m, "GET", path, &resp, err)) != EKSKIT_OK) {
		ekskit_err_prefix(err, "instance metadata %s", path);
		if (err != NULL)
			err->code = EKSKIT_ERR_NOT_FOUND;
		return EKSKIT_ERR_NOT_FOUND;
	}
	if (resp.status != 200 || resp.body.data == NULL) {
		r = ekskit_err_set(err, EKSKIT_ERR_NOT_FOUND, "instance metadata %s "
		    "answered HTTP %ld", path, resp.status);
		http_response_release(&resp);
		return r;
	}
	n = strcspn(resp.body.data, "\r\n");
	while (n > 0 && isspace((unsigned char)resp.body.data[n - 1]))
		n--;
	*out = n > 0 ? ek_strndup(resp.body.data, n) : NULL;
	http_response_release(&resp);
	if (*out == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOT_FOUND, "instance metadata "
		    "%s is empty", path);
	return EKSKIT_OK;
}

/* Role names are IAM names: letters, digits and +=,.@_- only. */
static int
role_name_valid(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789+=,.@_-");

	return n > 0 && n <= 128 && s[n] == '\0';
}

struct imds_fetch {
	const struct creds_ctx *ctx;
};

static int
fetch_imds(void *arg, struct aws_credentials **out, struct ekskit_err *err)
{
	struct imds_fetch *f = arg;
	struct http_response resp;
	struct imds m;
	char *role = NULL, path[256], what[300];
	int r;

	*out = NULL;
	if ((r = imds_open(f->ctx, &m, err)) != EKSKIT_OK)
		return r;
	if ((r = imds_get_text(&m, CREDS_PATH, &role, err)) != EKSKIT_OK) {
		ekskit_err_prefix(err, "no IAM role attached to the instance");
		goto out;
	}
	if (!role_name_valid(role)) {
		r = ekskit_err_set(err, EKSKIT_ERR_INVALID, "instance metadata "
		    "returned an invalid role name");
		goto out;
	}
	snprintf(path, sizeof(path), "%s%s", CREDS_PATH, role);
	snprintf(what, sizeof(what), "instance metadata role %s", role);
	if ((r = imds_call(&m, "GET", path, &resp, err)) != EKSKIT_OK) {
		ekskit_err_prefix(err, "%s", what);
		goto out;
	}
	if (resp.status != 200)
		r = ekskit_err_set(err, EKSKIT_ERR_REMOTE, "%s: HTTP %ld", what,
		    resp.status);
	else
		r = creds_json_parse(resp.body.data, resp.body.len, what, "imds",
		    out, err);
	http_response_release(&resp);
out:
	free(role);
	imds_release(&m);
	return r;
}

int
creds_imds_get(const struct creds_ctx *ctx, struct aws_credentials **out,
    struct ekskit_err *err)
{
	struct imds_fetch f = { ctx };
	struct cache_key key;
	char *base = NULL;
	int r;

	*out = NULL;
	if (imds_disabled())
		return EKSKIT_ERR_NOT_FOUND;
	if ((r = imds_base(ctx, &base, err)) != EKSKIT_OK)
		return r;
	r = cache_key_init(&key, "imds");
	if (r == EKSKIT_OK)
		r = cache_key_add(&key, "endpoint", base);
	if (r == EKSKIT_OK)
		r = cache_creds(ctx, &key, fetch_imds, &f, out, err);
	else
		r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	cache_key_release(&key);
	free(base);
	return r;
}

int
imds_region(const struct creds_ctx *ctx, char **out, struct ekskit_err *err)
{
	struct imds m;
	int r;

	*out = NULL;
	if ((r = imds_open(ctx, &m, err)) != EKSKIT_OK)
		return r;
	r = imds_get_text(&m, "/latest/meta-data/placement/region", out, err);
	imds_release(&m);
	return r;
}

static int
provider_get(struct creds_provider *p, const struct creds_ctx *ctx,
    struct aws_credentials **out, struct ekskit_err *err)
{
	int r;

	(void)p;
	r = creds_imds_get(ctx, out, err);
	if (r == EKSKIT_ERR_NOT_FOUND && imds_disabled())
		ekskit_err_set(err, r, "instance metadata (disabled by "
		    "AWS_EC2_METADATA_DISABLED)");
	else if (r == EKSKIT_ERR_NOT_FOUND)
		ekskit_err_prefix(err, "instance metadata");
	return r;
}

struct creds_provider *
creds_provider_imds_new(void)
{
	return creds_provider_alloc("imds", provider_get);
}
