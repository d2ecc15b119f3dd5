/*
 * Container credentials: ECS task roles (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI
 * on 169.254.170.2) and EKS Pod Identity / custom agents
 * (AWS_CONTAINER_CREDENTIALS_FULL_URI with an authorization token).
 * See creds_ext.h.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "creds_internal.h"
#include "creds_json.h"
#include "ekskit/buf.h"
#include "ekskit/cache.h"
#include "ekskit/creds_ext.h"
#include "ekskit/http.h"

#define ECS_BASE "http://169.254.170.2"
#define CONNECT_TIMEOUT_MS 1000
#define TOTAL_TIMEOUT_MS 5000
#define MAX_TOKEN 16384

/* Hosts the SDKs allow for plain http (besides 127.0.0.0/8). */
static const char *const allowed_http_hosts[] = {
	"169.254.170.2", "169.254.170.23", "[fd00:ec2::23]", "[::1]",
	"localhost", NULL,
};

static int
is_loopback_v4(const char *host)
{
	struct in_addr a;

	return inet_pton(AF_INET, host, &a) == 1 &&
	    (ntohl(a.s_addr) >> 24) == 127;
}

int
creds_container_url_allowed(const char *url)
{
	char *scheme = NULL, *host = NULL;
	CURLU *u = curl_url();
	int ok = 0, i;

	if (u == NULL || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
		goto out;
	if (strcasecmp(scheme, "https") == 0) {
		ok = 1;
	} else if (strcasecmp(scheme, "http") == 0) {
		ok = is_loopback_v4(host);
		for (i = 0; !ok && allowed_http_hosts[i] != NULL; i++)
			ok = strcasecmp(host, allowed_http_hosts[i]) == 0;
	}
out:
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return ok;
}

/*
 * The URL to call, malloc'd in *url; NOT_FOUND when neither variable is set.
 * RELATIVE_URI wins, as in the SDKs.  EKSKIT_TEST_ECS_ENDPOINT replaces the
 * 169.254.170.2 base, honoured only with EKSKIT_TEST_LOOPBACK_ONLY=1 (tests).
 */
static int
container_url(char **url, struct ekskit_err *err)
{
	const char *rel = getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	const char *full = getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	const char *base = ECS_BASE, *test_base = getenv("EKSKIT_TEST_ECS_ENDPOINT");
	const char *guard = getenv("EKSKIT_TEST_LOOPBACK_ONLY");
	char shown[HTTP_URL_SHOWN_MAX];
	struct ekbuf b;

	*url = NULL;
	ekbuf_init(&b, 8192);
	if (rel != NULL && *rel != '\0') {
		if (test_base != NULL && guard != NULL && strcmp(guard, "1") == 0)
			base = test_base;
		if (rel[0] != '/')
			return ekskit_err_set(err, EKSKIT_ERR_CONFIG,
			    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI must start with '/'");
		ekbuf_printf(&b, "%s%s", base, rel);
	} else if (full != NULL && *full != '\0') {
		if (!creds_container_url_allowed(full))
			return ekskit_err_set(err, EKSKIT_ERR_CONFIG,
			    "AWS_CONTAINER_CREDENTIALS_FULL_URI %.200s is not allowed: "
			    "use https, or http to a loopback address, 169.254.170.2, "
			    "169.254.170.23 or [fd00:ec2::23]",
		    http_url_for_message(full, shown, sizeof(shown)));
		ekbuf_puts(&b, full);
	} else {
		return EKSKIT_ERR_NOT_FOUND;
	}
	if (b.data == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "container credentials URL too long");
	*url = ekbuf_detach(&b, NULL);
	return *url ? EKSKIT_OK : ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
}

/*
 * The Authorization header value (secret, caller ek_free_secret()s), NULL
 * when none is configured.  The _FILE variant wins and is re-read on every
 * fetch, because the agent rotates it.
 */
static int
auth_token(char **out, struct ekskit_err *err)
{
	const char *file = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	const char *tok = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN");
	struct ekbuf b;
	size_t n;
	int r;

	*out = NULL;
	if (file != NULL && *file != '\0') {
		ekbuf_init_secret(&b, MAX_TOKEN);
		if ((r = ek_read_file(file, &b, err)) != EKSKIT_OK) {
			ekbuf_release(&b);
			ekskit_err_prefix(err, "reading AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
			if (err != NULL)  /* configured but unusable: stop the chain */
				err->code = EKSKIT_ERR_CONFIG;
			return EKSKIT_ERR_CONFIG;
		}
		while (b.len > 0 && isspace((unsigned char)b.data[b.len - 1]))
			b.data[--b.len] = '\0';
		*out = ekbuf_detach(&b, NULL);
	} else if (tok != NULL && *tok != '\0') {
		*out = ek_strdup(tok);
	} else {
		return EKSKIT_OK;
	}
	if (*out == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	n = strcspn(*out, "\r\n");
	if ((*out)[n] != '\0' || n == 0) {
		ek_free_secret(*out);
		*out = NULL;
		return ekskit_err_set(err, EKSKIT_ERR_CONFIG, "the container "
		    "authorization token is empty or contains a line break");
	}
	return EKSKIT_OK;
}

struct container_fetch {
	const char *url;
	const char *token;  /* secret, may be NULL */
	int verbose;
};

static int
fetch_container(void *arg, struct aws_credentials **out, struct ekskit_err *err)
{
	struct container_fetch *f = arg;
	struct http_header h[2] = {
		{ "Accept", "application/json", 0 },
		{ "Authorization", f->token, 1 },
	};
	struct http_request req;
	struct http_response resp;
	char what[300], hint[256], shown[HTTP_URL_SHOWN_MAX];
	int r;

	memset(&req, 0, sizeof(req));
	memset(&resp, 0, sizeof(resp));
	snprintf(what, sizeof(what), "the container credentials endpoint %.200s",
	    http_url_for_message(f->url, shown, sizeof(shown)));
	req.method = "GET";
	req.url = f->url;
	req.headers = h;
	req.nheaders = f->token ? 2 : 1;
	req.connect_timeout_ms = CONNECT_TIMEOUT_MS;
	req.timeout_ms = TOTAL_TIMEOUT_MS;
	req.max_attempts = 2;
	req.verbose = f->verbose;
	if ((r = http_perform(&req, &resp, err)) != EKSKIT_OK) {
		ekskit_err_prefix(err, "container credentials");
		goto out;
	}
	if (resp.status != 200) {
		ekskit_err_set_remote(err, resp.status, "");
		r = ekskit_err_set(err, EKSKIT_ERR_REMOTE, "%s answered HTTP %ld%s%s",
		    what, resp.status, creds_json_error_hint(resp.body.data,
		    resp.body.len, hint, sizeof(hint)), resp.status == 401 ||
		    resp.status == 403 ? " (check AWS_CONTAINER_AUTHORIZATION_TOKEN"
		    "[_FILE])" : "");
		goto out;
	}
	r = creds_json_parse(resp.body.data, resp.body.len, what, "container", out,
	    err);
out:
	http_response_release(&resp);
	return r;
}

int
creds_container_get(const struct creds_ctx *ctx, struct aws_credentials **out,
    struct ekskit_err *err)
{
	struct container_fetch f;
	struct cache_key key;
	char *url = NULL, *token = NULL;
	int r;

	*out = NULL;
	if ((r = container_url(&url, err)) != EKSKIT_OK)
		return r;
	if ((r = auth_token(&token, err)) != EKSKIT_OK) {
		free(url);
		return r;
	}
	f.url = url;
	f.token = token;
	f.verbose = ctx->verbose;
	r = cache_key_init(&key, "container");
	if (r == EKSKIT_OK)
		r = cache_key_add(&key, "url", url);
	if (r == EKSKIT_OK)
		r = cache_key_add_hashed(&key, "authorization", token);
	if (r == EKSKIT_OK)
		r = cache_creds(ctx, &key, fetch_container, &f, out, err);
	else
		r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	cache_key_release(&key);
	ek_free_secret(token);
	free(url);
	return r;
}

static int
provider_get(struct creds_provider *p, const struct creds_ctx *ctx,
    struct aws_credentials **out, struct ekskit_err *err)
{
	int r;

	(void)p;
	r = creds_container_get(ctx, out, err);
	if (r == EKSKIT_ERR_NOT_FOUND)
		ekskit_err_set(err, r, "container credentials (AWS_CONTAINER_"
		    "CREDENTIALS_RELATIVE_URI/FULL_URI unset)");
	return r;
}

struct creds_provider *
creds_provider_container_new(void)
{
	return creds_provider_alloc("container", provider_get);
}
