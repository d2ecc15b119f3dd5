/*
 * `aws login` profiles (login_session = NAME), as botocore's LoginProvider:
 *
 *   - the session lives in $AWS_LOGIN_CACHE_DIRECTORY (default
 *     ~/.aws/login/cache), file <sha256 hex of NAME>.json, with accessToken
 *     {accessKeyId, secretAccessKey, sessionToken, accountId, expiresAt},
 *     refreshToken, dpopKey (PEM EC P-256 private key) and clientId;
 *   - the cached credentials are used while more than five minutes are
 *     left (LoginCredentialFetcher._REFRESH_THRESHOLD);
 *   - otherwise the sign-in service's CreateOAuth2Token (POST /v1/token,
 *     unsigned, JSON {clientId, grantType: refresh_token, refreshToken})
 *     with a DPoP proof: an ES256 JWT, header {"typ":"dpop+jwt","alg":
 *     "ES256","jwk":{kty,x,y,crv}}, claims {"htm":"POST","htu":URL,"iat",
 *     "jti"}, signature raw r||s; the answer replaces accessToken (accountId
 *     kept, expiresAt = now + expiresIn) and refreshToken, every other field
 *     is kept, and the file is written back atomically under `<file>.lock`
 *     (re-read once the lock is held, so parallel runs refresh once).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include "creds_internal.h"
#include "creds_json.h"
#include "ekskit/awsconfig.h"
#include "ekskit/b64.h"
#include "ekskit/buf.h"
#include "ekskit/creds.h"
#include "ekskit/endpoints.h"
#include "ekskit/fileio.h"
#include "ekskit/http.h"
#include "ekskit/timeutil.h"

#define LOGIN_REFRESH_THRESHOLD 300
#define LOGIN_LOCK_TIMEOUT_MS 30000
#define MAX_LOGIN_FILE (256 * 1024)
#define MAX_EXPIRES_IN (7 * 24 * 3600)

struct login {
	const struct creds_ctx *ctx;
	const char *profile;
	const char *session;
	char path[4096];
};

static const char *
jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int
relogin(struct ekskit_err *err, const struct login *l, const char *why)
{
	return ekskit_err_set(err, EKSKIT_ERR_EXPIRED, "%s for profile %s; run "
	    "`aws login --profile %s`", why, l->profile, l->profile);
}

/* $AWS_LOGIN_CACHE_DIRECTORY (a leading ~ is $HOME) or ~/.aws/login/cache. */
static int
login_path(struct login *l, struct ekskit_err *err)
{
	const char *dir = getenv("AWS_LOGIN_CACHE_DIRECTORY"), *home = getenv("HOME");
	unsigned char md[EVP_MAX_MD_SIZE];
	char hex[65];
	unsigned int n = 0, i;
	int k;

	EVP_Digest(l->session, strlen(l->session), md, &n, EVP_sha256(), NULL);
	for (i = 0; i < n && i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	if (dir != NULL && *dir != '\0' && dir[0] != '~')
		k = snprintf(l->path, sizeof(l->path), "%s/%s.json", dir, hex);
	else if (home != NULL && *home != '\0' && dir != NULL && *dir != '\0')
		k = snprintf(l->path, sizeof(l->path), "%s%s/%s.json", home, dir + 1, hex);
	else if (home != NULL && *home != '\0')
		k = snprintf(l->path, sizeof(l->path), "%s/.aws/login/cache/%s.json",
		    home, hex);
	else
		return ekskit_err_set(err, EKSKIT_ERR_CONFIG, "HOME is not set: "
		    "cannot find the `aws login` cache");
	if (k < 0 || (size_t)k >= sizeof(l->path))
		return ekskit_err_set(err, EKSKIT_ERR_CONFIG, "login cache path too long");
	return EKSKIT_OK;
}

/* The cached session document with botocore's required fields. */
static int
login_read(const struct login *l, json_t **out, struct ekskit_err *err)
{
	static const char *const need[] = { "accessToken", "refreshToken",
	    "dpopKey", "clientId" };
	struct ekbuf b;
	json_t *o = NULL;
	size_t i;
	int r;

	*out = NULL;
	ekbuf_init_secret(&b, MAX_LOGIN_FILE);
	r = ek_read_file(l->path, &b, NULL);
	if (r == EKSKIT_ERR_NOT_FOUND) {
		ekbuf_release(&b);
		return relogin(err, l, "no `aws login` session cached");
	}
	creds_json_wipe_on_free();
	if (r == EKSKIT_OK)
		o = json_loadb(b.data, b.len, JSON_REJECT_DUPLICATES, NULL);
	ekbuf_release(&b);
	for (i = 0; json_is_object(o) && i < sizeof(need) / sizeof(need[0]); i++)
		if (json_object_get(o, need[i]) == NULL)
			break;
	if (!json_is_object(o) || i < sizeof(need) / sizeof(need[0])) {
		json_decref(o);
		return relogin(err, l, "the cached `aws login` session is unreadable "
		    "or incomplete");
	}
	*out = o;
	return EKSKIT_OK;
}

static int
doc_credentials(const struct login *l, const json_t *doc,
    struct aws_credentials **out, struct ekskit_err *err)
{
	const json_t *at = json_object_get(doc, "accessToken");
	const char *akid = jstr(at, "accessKeyId"), *sk = jstr(at, "secretAccessKey");
	char prov[320];
	time_t exp;

	*out = NULL;
	if (akid == NULL || *akid == '\0' || sk == NULL || *sk == '\0' ||
	    timeutil_parse_botocore(jstr(at, "expiresAt"), &exp) != EKSKIT_OK)
		return relogin(err, l, "the cached `aws login` credentials are incomplete");
	snprintf(prov, sizeof(prov), "login:%s", l->profile);
	*out = aws_credentials_new(akid, sk, jstr(at, "sessionToken"), exp, prov);
	return *out ? EKSKIT_OK : ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
}

/* ------------------------------------------------------------ DPoP */

/* No passphrase: OpenSSL's default would prompt on the terminal. */
static int
no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

static EVP_PKEY *
load_p256_key(const char *pem)
{
	char group[64];
	EVP_PKEY *k;
	BIO *bio;

	if (pem == NULL || (bio = BIO_new_mem_buf(pem, -1)) == NULL)
		return NULL;
	k = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
	BIO_free(bio);
	if (k != NULL && (!EVP_PKEY_is_a(k, "EC") ||
	    EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, group,
	    sizeof(group), NULL) != 1 || strcmp(group, "prime256v1") != 0)) {
		EVP_PKEY_free(k);
		k = NULL;
	}
	return k;
}

/* Append base64url(32-byte big-endian bn) to b. */
static int
add_coord(const EVP_PKEY *k, const char *param, struct ekbuf *b)
{
	unsigned char raw[32];
	BIGNUM *bn = NULL;
	int r = EKSKIT_ERR_INVALID;

	if (EVP_PKEY_get_bn_param(k, param, &bn) == 1 &&
	    BN_bn2binpad(bn, raw, sizeof(raw)) == (int)sizeof(raw))
		r = ek_b64_encode(raw, sizeof(raw), EK_B64_URL_RAW, b);
	BN_free(bn);
	return r;
}

/* ES256 over input: the raw 64-byte r||s JOSE wants, base64url, into b. */
static int
add_es256_signature(EVP_PKEY *k, const char *input, size_t n, struct ekbuf *b)
{
	unsigned char der[128], raw[64];
	const unsigned char *p = der;
	const BIGNUM *r = NULL, *s = NULL;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	ECDSA_SIG *sig = NULL;
	size_t len = sizeof(der);
	int ret = EKSKIT_ERR_INVALID;

	if (md != NULL && EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, k) == 1 &&
	    EVP_DigestSign(md, der, &len, (const unsigned char *)input, n) == 1 &&
	    (sig = d2i_ECDSA_SIG(NULL, &p, (long)len)) != NULL) {
		ECDSA_SIG_get0(sig, &r, &s);
		if (BN_bn2binpad(r, raw, 32) == 32 && BN_bn2binpad(s, raw + 32, 32) == 32)
			ret = ek_b64_encode(raw, sizeof(raw), EK_B64_URL_RAW, b);
	}
	ECDSA_SIG_free(sig);
	EVP_MD_CTX_free(md);
	return ret;
}

/* A random (version 4) UUID, as Python's str(uuid.uuid4()). */
static int
uuid4(char out[37])
{
	unsigned char u[16];

	if (RAND_bytes(u, sizeof(u)) != 1)
		return EKSKIT_ERR_INTERNAL;
	u[6] = (unsigned char)((u[6] & 0x0f) | 0x40);
	u[8] = (unsigned char)((u[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x", u[0], u[1], u[2], u[3], u[4], u[5], u[6],
	    u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
	return EKSKIT_OK;
}

/* Append base64url(compact JSON of o) to b; o is released. */
static int
add_json_part(json_t *o, struct ekbuf *b)
{
	char *s = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	int r = s ? ek_b64_encode(s, strlen(s), EK_B64_URL_RAW, b) : EKSKIT_ERR_NOMEM;

	free(s);
	json_decref(o);
	return r;
}

/*
 * botocore's _build_dpop_header: "header.claims.signature" for a POST to
 * url at time iat.  *out malloc'd.
 */
int
creds_login_dpop_proof(EVP_PKEY *key, const char *url, time_t iat, char **out)
{
	struct ekbuf x, y, jwt;
	char jti[37];
	int r;

	*out = NULL;
	ekbuf_init(&x, 128);
	ekbuf_init(&y, 128);
	ekbuf_init(&jwt, 64 * 1024);
	r = uuid4(jti);
	r = r ?: add_coord(key, OSSL_PKEY_PARAM_EC_PUB_X, &x);
	r = r ?: add_coord(key, OSSL_PKEY_PARAM_EC_PUB_Y, &y);
	r = r ?: add_json_part(json_pack("{s:s, s:s, s:{s:s, s:s, s:s, s:s}}",
	    "typ", "dpop+jwt", "alg", "ES256", "jwk", "kty", "EC", "x", x.data,
	    "y", y.data, "crv", "P-256"), &jwt);
	r = r ?: ekbuf_putc(&jwt, '.');
	r = r ?: add_json_part(json_pack("{s:s, s:s, s:I, s:s}", "htm", "POST",
	    "htu", url, "iat", (json_int_t)iat, "jti", jti), &jwt);
	/* the signature goes into x (done with the coordinate) */
	ekbuf_reset(&x);
	r = r ?: add_es256_signature(key, jwt.data, jwt.len, &x);
	r = r ?: ekbuf_putc(&jwt, '.');
	r = r ?: ekbuf_append(&jwt, x.data, x.len);
	if (r == EKSKIT_OK)
		*out = ekbuf_detach(&jwt, NULL);
	ekbuf_release(&x);
	ekbuf_release(&y);
	ekbuf_release(&jwt);
	return r == EKSKIT_OK && *out == NULL ? EKSKIT_ERR_NOMEM : r;
}

/* ---------------------------------------------------------- refresh */

static char *
token_url(const struct login *l, struct ekskit_err *err)
{
	struct aws_endpoint_opts eo = { l->ctx->cfg, l->ctx->profile, -1, -1 };
	char *base = NULL, *url = NULL;
	size_t n;

	if (l->ctx->region == NULL) {
		ekskit_err_set(err, EKSKIT_ERR_CONFIG, "profile %s uses `aws login`: "
		    "set a region (region in the profile, AWS_REGION or --region) to "
		    "refresh its session", l->profile);
		return NULL;
	}
	if (aws_endpoint_url("signin", l->ctx->region, &eo, &base, err) != EKSKIT_OK)
		return NULL;
	n = strlen(base);
	while (n > 0 && base[n - 1] == '/')
		n--;
	if (asprintf(&url, "%.*s/v1/token", (int)n, base) < 0) {
		url = NULL;
		ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	}
	free(base);
	return url;
}

static int
refresh_failed(const struct login *l, const struct http_response *resp,
    struct ekskit_err *err)
{
	char type[80], code[80];

	creds_json_error_code(resp->amzn_error_type, resp->body.data,
	    resp->body.len, "__type", type, sizeof(type));
	creds_json_error_code(NULL, resp->body.data, resp->body.len, "error",
	    code, sizeof(code));
	if (strcmp(code, "TOKEN_EXPIRED") == 0 ||
	    strcmp(code, "USER_CREDENTIALS_CHANGED") == 0)
		return relogin(err, l, "the `aws login` session has expired");
	if (strcmp(code, "INSUFFICIENT_PERMISSIONS") == 0)
		return ekskit_err_set(err, EKSKIT_ERR_REMOTE, "profile %s: the "
		    "`aws login` session may not be refreshed "
		    "(INSUFFICIENT_PERMISSIONS); run `aws login --profile %s`",
		    l->profile, l->profile);
	ekskit_err_set_remote(err, resp->status, type);
	return ekskit_err_set(err, EKSKIT_ERR_REMOTE, "profile %s: sign-in "
	    "CreateOAuth2Token failed with HTTP %ld%s%s%s%s", l->profile,
	    resp->status, type[0] ? ": " : "", type, code[0] ? " " : "", code);
}

/* Replace accessToken and refreshToken in doc from a CreateOAuth2Token answer. */
static int
apply_token_output(json_t *doc, const json_t *outp, time_t now)
{
	const json_t *at = json_object_get(outp, "accessToken");
	const json_t *old = json_object_get(doc, "accessToken");
	const json_t *in = json_object_get(outp, "expiresIn");
	const json_t *rt = json_object_get(outp, "refreshToken");
	char exp[TIMEUTIL_RFC3339_LEN];
	json_t *acc, *acct;

	if (!json_is_string(json_object_get(at, "accessKeyId")) ||
	    !json_is_string(json_object_get(at, "secretAccessKey")) ||
	    !json_is_string(json_object_get(at, "sessionToken")) ||
	    !json_is_integer(in) || json_integer_value(in) <= 0 ||
	    json_integer_value(in) > MAX_EXPIRES_IN || !json_is_string(rt) ||
	    timeutil_format_rfc3339(now + (time_t)json_integer_value(in), exp) != 0)
		return EKSKIT_ERR_INVALID;
	acct = json_object_get(old, "accountId");
	acc = json_pack("{s:O, s:O, s:O, s:O, s:s}",
	    "accessKeyId", json_object_get(at, "accessKeyId"),
	    "secretAccessKey", json_object_get(at, "secretAccessKey"),
	    "sessionToken", json_object_get(at, "sessionToken"),
	    "accountId", acct ? acct : json_null(), "expiresAt", exp);
	if (acc == NULL || json_object_set_new(doc, "accessToken", acc) != 0 ||
	    json_object_set(doc, "refreshToken", (json_t *)rt) != 0)
		return EKSKIT_ERR_NOMEM;
	return EKSKIT_OK;
}

static int
create_oauth2_token(const struct login *l, json_t *doc, time_t now,
    struct ekskit_err *err)
{
	struct http_header h[2] = { { "Content-Type", "application/json", 0 },
	    { "DPoP", NULL, 1 } };
	struct http_request req;
	struct http_response resp;
	EVP_PKEY *key = NULL;
	json_t *body = NULL, *outp = NULL;
	char *url = NULL, *text = NULL, *proof = NULL;
	int r;

	memset(&req, 0, sizeof(req));
	memset(&resp, 0, sizeof(resp));
	if ((url = token_url(l, err)) == NULL)
		return err ? err->code : EKSKIT_ERR_CONFIG;
	if ((key = load_p256_key(jstr(doc, "dpopKey"))) == NULL) {
		r = relogin(err, l, "the cached `aws login` DPoP key is not an EC "
		    "P-256 private key");
		goto out;
	}
	if ((r = creds_login_dpop_proof(key, url, now, &proof)) != EKSKIT_OK) {
		r = ekskit_err_set(err, r, "cannot sign the DPoP proof");
		goto out;
	}
	creds_json_wipe_on_free();
	body = json_pack("{s:O, s:s, s:O}", "clientId", json_object_get(doc,
	    "clientId"), "grantType", "refresh_token", "refreshToken",
	    json_object_get(doc, "refreshToken"));
	if (body == NULL || (text = json_dumps(body, JSON_COMPACT)) == NULL) {
		r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	h[1].value = proof;
	req.method = "POST";
	req.url = url;
	req.headers = h;
	req.nheaders = 2;
	req.body = text;
	req.body_len = strlen(text);
	req.timeout_ms = 10000;
	req.verbose = l->ctx->verbose;
	if ((r = http_perform(&req, &resp, err)) != EKSKIT_OK) {
		ekskit_err_prefix(err, "refreshing the `aws login` session of profile %s",
		    l->profile);
	} else if (resp.status != 200) {
		r = refresh_failed(l, &resp, err);
	} else {
		outp = json_loadb(resp.body.data ? resp.body.data : "", resp.body.len,
		    0, NULL);
		if ((r = apply_token_output(doc, outp, now)) != EKSKIT_OK)
			r = ekskit_err_set(err, EKSKIT_ERR_INVALID, "profile %s: the "
			    "sign-in service returned a malformed token; run `aws "
			    "login --profile %s`", l->profile, l->profile);
	}
out:
	json_decref(outp);
	json_decref(body);
	http_response_release(&resp);
	ek_free_secret(text);
	free(proof);
	EVP_PKEY_free(key);
	free(url);
	return r;
}

/* Write doc back in botocore's JSONFileCache layout (json.dumps spacing). */
static int
login_save(const struct login *l, const json_t *doc, struct ekskit_err *err)
{
	struct ek_write_opts wo = { 0600, 0, NULL };
	char *text;
	int r;

	if ((text = json_dumps(doc, JSON_PRESERVE_ORDER)) == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	r = ek_write_atomic(l->path, text, strlen(text), &wo, err);
	ek_free_secret(text);
	return r;
}

static int
fresh_enough(const struct aws_credentials *c, time_t now)
{
	return c->expiration - now > LOGIN_REFRESH_THRESHOLD;
}

/* Under the lock: re-read, refresh if still needed, save, hand out. */
static int
refresh_locked(const struct login *l, time_t now, struct aws_credentials **out,
    struct ekskit_err *err)
{
	json_t *doc = NULL;
	int r;

	if ((r = login_read(l, &doc, err)) != EKSKIT_OK)
		return r;
	if ((r = doc_credentials(l, doc, out, err)) == EKSKIT_OK && fresh_enough(*out, now))
		goto out;  /* another run refreshed meanwhile */
	aws_credentials_free(*out);
	*out = NULL;
	if ((r = create_oauth2_token(l, doc, now, err)) != EKSKIT_OK ||
	    (r = login_save(l, doc, err)) != EKSKIT_OK)
		goto out;
	if (l->ctx->verbose)
		fprintf(stderr, "ekskit: creds: refreshed the `aws login` session of "
		    "profile %s\n", l->profile);
	r = doc_credentials(l, doc, out, err);
out:
	json_decref(doc);
	return r;
}

int
creds_login_get(const struct creds_ctx *ctx, const char *profile,
    struct aws_credentials **out, struct ekskit_err *err)
{
	struct ek_lockfile lk = { NULL };
	struct login l;
	json_t *doc = NULL;
	time_t now = ctx->now ? ctx->now : time(NULL);
	int r;

	*out = NULL;
	memset(&l, 0, sizeof(l));
	l.ctx = ctx;
	l.profile = profile;
	l.session = awsconfig_get(ctx->cfg, profile, "login_session");
	if (l.session == NULL || *l.session == '\0')
		return EKSKIT_ERR_NOT_FOUND;
	if ((r = login_path(&l, err)) != EKSKIT_OK ||
	    (r = login_read(&l, &doc, err)) != EKSKIT_OK)
		return r;
	r = doc_credentials(&l, doc, out, err);
	json_decref(doc);
	if (r != EKSKIT_OK || fresh_enough(*out, now))
		return r;
	aws_credentials_free(*out);
	*out = NULL;
	if ((r = ek_lock_acquire(l.path, LOGIN_LOCK_TIMEOUT_MS, &lk, err)) != EKSKIT_OK)
		return r;
	r = refresh_locked(&l, now, out, err);
	ek_lock_release(&lk);
	return r;
}
