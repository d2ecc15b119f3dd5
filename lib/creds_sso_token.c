/*
 * The AWS CLI's SSO token cache, read and (for sso_session profiles)
 * refreshed exactly as botocore's SSOTokenProvider: see creds_sso_token.h.
 *
 * botocore (tokens.py) refreshes when less than 15 minutes are left, and
 * only when the cached token has refreshToken, clientId, clientSecret and a
 * registrationExpiresAt still in the future.  The refreshed file holds, in
 * this order, startUrl, region, accessToken, expiresAt (now + expiresIn,
 * "%Y-%m-%dT%H:%M:%SZ"), clientId, clientSecret, registrationExpiresAt and
 * refreshToken when CreateToken returned one; a failed CreateToken keeps the
 * old token.  We add the lock (`<file>.lock`, include/ekskit/fileio.h) and
 * re-read under it so that parallel kubectl calls refresh once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "creds_json.h"
#include "creds_sso_token.h"
#include "ekskit/buf.h"
#include "ekskit/creds_ext.h"
#include "ekskit/endpoints.h"
#include "ekskit/fileio.h"
#include "ekskit/http.h"
#include "ekskit/timeutil.h"

#define MAX_TOKEN_FILE (256 * 1024)
#define MAX_EXPIRES_IN (7 * 24 * 3600)

int
sso_token_login_hint(struct ekskit_err *err, const struct sso_token_source *s,
    const char *why)
{
	if (s->session != NULL)
		return ekskit_err_set(err, EKSKIT_ERR_EXPIRED, "%s for profile %s; "
		    "run `aws sso login --sso-session %s`", why, s->profile, s->session);
	return ekskit_err_set(err, EKSKIT_ERR_EXPIRED, "%s for profile %s; run "
	    "`aws sso login --profile %s`", why, s->profile, s->profile);
}


static const char *
jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static int
token_path(const struct sso_token_source *s, char *path, size_t n,
    struct ekskit_err *err)
{
	const char *home = getenv("HOME");
	char name[46];

	if (home == NULL || *home == '\0')
		return ekskit_err_set(err, EKSKIT_ERR_CONFIG, "HOME is not set: "
		    "cannot find the AWS CLI's SSO token cache");
	creds_sso_cache_name(s->session ? s->session : s->start_url, name);
	if ((size_t)snprintf(path, n, "%s/.aws/sso/cache/%s", home, name) >= n)
		return ekskit_err_set(err, EKSKIT_ERR_CONFIG, "HOME is too long");
	return EKSKIT_OK;
}

/* The cached token document with accessToken and a readable expiresAt. */
static int
token_read(const struct sso_token_source *s, const char *path, json_t **out,
    time_t *expiry, struct ekskit_err *err)
{
	const char *tok;
	struct ekbuf b;
	json_t *o = NULL;
	int r;

	*out = NULL;
	ekbuf_init_secret(&b, MAX_TOKEN_FILE);
	r = ek_read_file(path, &b, NULL);
	if (r == EKSKIT_ERR_NOT_FOUND) {
		ekbuf_release(&b);
		return sso_token_login_hint(err, s, "no cached SSO token in ~/.aws/sso/cache");
	}
	creds_json_wipe_on_free();
	if (r == EKSKIT_OK)
		o = json_loadb(b.data, b.len, JSON_REJECT_DUPLICATES, NULL);
	ekbuf_release(&b);
	if (!json_is_object(o)) {
		json_decref(o);
		return sso_token_login_hint(err, s, "the cached SSO token is unreadable");
	}
	tok = jstr(o, "accessToken");
	if (tok == NULL || *tok == '\0' || timeutil_parse_botocore(jstr(o, "expiresAt"), expiry) != 0) {
		json_decref(o);
		return sso_token_login_hint(err, s, "the cached SSO token is incomplete");
	}
	*out = o;
	return EKSKIT_OK;
}

/* botocore's _refresh_access_token preconditions. */
static int
refreshable(const json_t *tok, time_t now)
{
	static const char *const keys[] = { "refreshToken", "clientId",
	    "clientSecret", "registrationExpiresAt" };
	time_t reg;
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (json_object_get(tok, keys[i]) == NULL)
			return 0;
	return timeutil_parse_botocore(jstr(tok, "registrationExpiresAt"), &reg) == 0 && reg > now;
}

static char *
oidc_url(const struct sso_token_source *s, struct ekskit_err *err)
{
	struct aws_endpoint_opts eo = { s->cfg, s->cfg_profile, -1, -1 };
	char *base = NULL, *url = NULL;
	size_t n;

	if (aws_endpoint_url("sso-oidc", s->region, &eo, &base, err) != EKSKIT_OK)
		return NULL;
	n = strlen(base);
	while (n > 0 && base[n - 1] == '/')
		n--;
	if (asprintf(&url, "%.*s/token", (int)n, base) < 0) {
		url = NULL;
		ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	}
	free(base);
	return url;
}

/* The CreateToken request body (secret, ek_free_secret). */
static char *
create_token_body(const json_t *tok)
{
	json_t *req;
	char *s;

	creds_json_wipe_on_free();
	req = json_pack("{s:O, s:O, s:s, s:O}", "clientId",
	    json_object_get(tok, "clientId"), "clientSecret",
	    json_object_get(tok, "clientSecret"), "grantType", "refresh_token",
	    "refreshToken", json_object_get(tok, "refreshToken"));
	s = req ? json_dumps(req, JSON_COMPACT) : NULL;
	json_decref(req);
	return s;
}

/* The new cache document, field for field as botocore's _attempt_create_token. */
static json_t *
refreshed_token(const struct sso_token_source *s, const json_t *old,
    const json_t *resp, time_t now)
{
	json_int_t in = json_integer_value(json_object_get(resp, "expiresIn"));
	const json_t *at = json_object_get(resp, "accessToken");
	const json_t *rt = json_object_get(resp, "refreshToken");
	char exp[TIMEUTIL_RFC3339_LEN];
	json_t *o;

	if (!json_is_string(at) || json_string_length(at) == 0 ||
	    !json_is_integer(json_object_get(resp, "expiresIn")) || in <= 0 ||
	    in > MAX_EXPIRES_IN || (rt != NULL && !json_is_string(rt)) ||
	    timeutil_format_rfc3339(now + (time_t)in, exp) != EKSKIT_OK)
		return NULL;
	o = json_pack("{s:s, s:s, s:O, s:s, s:O, s:O, s:O}",
	    "startUrl", s->start_url, "region", s->region, "accessToken", at,
	    "expiresAt", exp, "clientId", json_object_get(old, "clientId"),
	    "clientSecret", json_object_get(old, "clientSecret"),
	    "registrationExpiresAt", json_object_get(old, "registrationExpiresAt"));
	if (o != NULL && rt != NULL && json_object_set(o, "refreshToken",
	    (json_t *)rt) != 0) {
		json_decref(o);
		o = NULL;
	}
	return o;
}

/* A short reason for a failed CreateToken (the error code, never the body). */
static void
create_token_failure(const struct http_response *resp, char *buf, size_t n)
{
	char code[80];

	creds_json_error_code(resp->amzn_error_type, resp->body.data,
	    resp->body.len, "error", code, sizeof(code));
	snprintf(buf, n, "SSO OIDC CreateToken failed with HTTP %ld%s%s",
	    resp->status, code[0] ? ": " : "", code);
}

/*
 * SSO OIDC CreateToken with the refresh token.  0 with *out (the new cache
 * document); otherwise a message in why[] (no secrets) and an error code.
 */
static int
create_token(const struct sso_token_source *s, const json_t *old, time_t now,
    json_t **out, char *why, size_t whylen)
{
	struct http_header h[1] = { { "Content-Type", "application/json", 0 } };
	struct http_request req;
	struct http_response resp;
	struct ekskit_err e;
	json_t *doc = NULL;
	char *url, *body;
	int r;

	*out = NULL;
	ekskit_err_clear(&e);
	if ((url = oidc_url(s, &e)) == NULL) {
		snprintf(why, whylen, "%s", e.msg);
		return EKSKIT_ERR_CONFIG;
	}
	if ((body = create_token_body(old)) == NULL) {
		free(url);
		snprintf(why, whylen, "cannot build the SSO OIDC request");
		return EKSKIT_ERR_NOMEM;
	}
	memset(&req, 0, sizeof(req));
	memset(&resp, 0, sizeof(resp));
	req.method = "POST";
	req.url = url;
	req.headers = h;
	req.nheaders = 1;
	req.body = body;
	req.body_len = strlen(body);
	req.connect_timeout_ms = 3000;
	req.timeout_ms = 10000;
	req.verbose = s->verbose;
	if ((r = http_perform(&req, &resp, &e)) != EKSKIT_OK) {
		snprintf(why, whylen, "SSO OIDC CreateToken: %s", e.msg);
	} else if (resp.status != 200) {
		create_token_failure(&resp, why, whylen);
		r = EKSKIT_ERR_REMOTE;
	} else {
		creds_json_wipe_on_free();
		doc = json_loadb(resp.body.data ? resp.body.data : "", resp.body.len,
		    0, NULL);
		if ((*out = refreshed_token(s, old, doc, now)) == NULL) {
			snprintf(why, whylen, "SSO OIDC CreateToken returned a malformed token");
			r = EKSKIT_ERR_INVALID;
		}
	}
	json_decref(doc);
	http_response_release(&resp);
	ek_free_secret(body);
	free(url);
	return r;
}

/* Write the refreshed document back (botocore's json.dumps spacing). */
static int
token_save(const char *path, const json_t *tok, struct ekskit_err *err)
{
	struct ek_write_opts wo = { 0600, 0, NULL };
	char *text;
	int r;

	creds_json_wipe_on_free();
	if ((text = json_dumps(tok, JSON_PRESERVE_ORDER)) == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	r = ek_write_atomic(path, text, strlen(text), &wo, err);
	ek_free_secret(text);
	return r;
}

/*
 * Under the lock: re-read (another run may have refreshed), refresh when
 * still needed and possible, save.  *tok and *expiry are replaced on success;
 * on failure they stay and why[] says what happened.
 */
static int
refresh_locked(const struct sso_token_source *s, const char *path, time_t now,
    json_t **tok, time_t *expiry, char *why, size_t whylen)
{
	struct ekskit_err e;
	json_t *cur = NULL, *fresh = NULL;
	time_t exp;
	int r;

	ekskit_err_clear(&e);
	if (token_read(s, path, &cur, &exp, &e) == EKSKIT_OK) {
		json_decref(*tok);
		*tok = cur;
		*expiry = exp;
		if (exp - now >= SSO_TOKEN_REFRESH_WINDOW)
			return EKSKIT_OK;  /* refreshed by someone else meanwhile */
	}
	if (!refreshable(*tok, now)) {
		snprintf(why, whylen, "the cached SSO token cannot be refreshed "
		    "(no refresh token, or the client registration expired)");
		return EKSKIT_ERR_EXPIRED;
	}
	if ((r = create_token(s, *tok, now, &fresh, why, whylen)) != EKSKIT_OK)
		return r;
	if ((r = token_save(path, fresh, &e)) != EKSKIT_OK)
		snprintf(why, whylen, "%s", e.msg);  /* the new token is still good */
	if (s->verbose)
		fprintf(stderr, "ekskit: creds: refreshed the SSO token of sso-session "
		    "%s%s\n", s->session, r ? " (could not save it)" : "");
	json_decref(*tok);
	*tok = fresh;
	(void)timeutil_parse_botocore(jstr(fresh, "expiresAt"), expiry);
	return EKSKIT_OK;
}

static int
refresh(const struct sso_token_source *s, const char *path, time_t now,
    json_t **tok, time_t *expiry, char *why, size_t whylen)
{
	struct ek_lockfile lk = { NULL };
	struct ekskit_err e;
	int r;

	ekskit_err_clear(&e);
	if ((r = ek_lock_acquire(path, SSO_TOKEN_LOCK_TIMEOUT_MS, &lk, &e)) != 0) {
		snprintf(why, whylen, "%s", e.msg);
		return r;
	}
	r = refresh_locked(s, path, now, tok, expiry, why, whylen);
	ek_lock_release(&lk);
	return r;
}

int
sso_token_load(const struct sso_token_source *s, time_t now, char **token,
    struct ekskit_err *err)
{
	char path[4096], why[EKSKIT_ERR_MSG_MAX / 2], hint[EKSKIT_ERR_MSG_MAX];
	json_t *tok = NULL;
	time_t expiry;
	int r;

	*token = NULL;
	why[0] = '\0';
	if ((r = token_path(s, path, sizeof(path), err)) != EKSKIT_OK ||
	    (r = token_read(s, path, &tok, &expiry, err)) != EKSKIT_OK)
		return r;
	/* legacy profiles stay read-only, as in botocore */
	if (s->session != NULL && expiry - now < SSO_TOKEN_REFRESH_WINDOW &&
	    refresh(s, path, now, &tok, &expiry, why, sizeof(why)) != EKSKIT_OK &&
	    s->verbose && expiry > now)
		fprintf(stderr, "ekskit: creds: SSO token refresh failed, using the "
		    "cached token: %s\n", why);
	if (expiry <= now) {
		snprintf(hint, sizeof(hint), "the SSO session has expired%s%s",
		    why[0] ? " and refreshing it failed: " : "", why);
		r = sso_token_login_hint(err, s, hint);
	} else if ((*token = ek_strdup(jstr(tok, "accessToken"))) == NULL) {
		r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	}
	json_decref(tok);
	return r;
}
