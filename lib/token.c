/* EKS tokens: see include/ekskit/token.h. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "ekskit/buf.h"
#include "ekskit/creds.h"
#include "ekskit/error.h"
#include "ekskit/sigv4.h"
#include "ekskit/token.h"

#define STS_QUERY	"Action=GetCallerIdentity&Version=2011-06-15"
/* The legacy global endpoint only takes signatures scoped to us-east-1. */
#define STS_GLOBAL_HOST		"sts.amazonaws.com"
#define STS_GLOBAL_REGION	"us-east-1"
#define CLUSTER_ID_MAX	1024
#define HOST_MAX	253

/* A header value that cannot smuggle a line break or control character. */
static int
valid_cluster_id(const char *s)
{
	size_t n = 0;

	if (s == NULL || *s == '\0')
		return 0;
	for (; *s != '\0'; s++, n++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f || n >= CLUSTER_ID_MAX)
			return 0;
	}
	return 1;
}

/* A bare DNS host name (letters, digits, '-', '.'), no port, path or user. */
static int
valid_host(const char *s)
{
	size_t n = 0;

	if (s == NULL || *s == '\0' || *s == '.' || *s == '-')
		return 0;
	for (; *s != '\0'; s++, n++) {
		unsigned char c = (unsigned char)*s;

		if (n >= HOST_MAX || !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.'))
			return 0;
	}
	return 1;
}

int
eks_token_presigned_url(const char *cluster_id, const char *region,
    const char *sts_host, const struct aws_credentials *creds, time_t now,
    char **url_out, struct ekskit_err *err)
{
	struct sigv4_header hdr = { EKS_TOKEN_CLUSTER_HEADER, cluster_id };
	struct sigv4_request req;
	struct sigv4_params p;
	struct ekbuf url;
	char *query = NULL;
	int r;

	*url_out = NULL;
	if (!valid_cluster_id(cluster_id))
		return ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "invalid cluster name or id: it must be 1-%d printable characters",
		    CLUSTER_ID_MAX - 1);
	if (!valid_host(sts_host))
		return ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "invalid sts host name \"%s\" for the token",
		    sts_host ? sts_host : "");
	if (region == NULL || *region == '\0')
		return ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "no region to sign the token for; pass --region or set AWS_REGION");
	if (creds == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NO_CREDS,
		    "no credentials to sign the token with");

	memset(&req, 0, sizeof(req));
	req.method = "GET";
	req.host = sts_host;
	req.path = "/";
	req.query = STS_QUERY;
	req.headers = &hdr;
	req.nheaders = 1;
	memset(&p, 0, sizeof(p));
	p.region = strcasecmp(sts_host, STS_GLOBAL_HOST) == 0 ? STS_GLOBAL_REGION : region;
	p.service = "sts";
	p.now = now;
	p.normalize_path = 1;
	p.expires = EKS_TOKEN_URL_EXPIRES;
	if ((r = sigv4_presign_query(&req, &p, creds, &query, err)) != EKSKIT_OK) {
		ekskit_err_prefix(err, "signing the token");
		return r;
	}

	ekbuf_init_secret(&url, EKBUF_MAX_RESPONSE);
	r = ekbuf_printf(&url, "https://%s/?%s", sts_host, query);
	ek_free_secret(query);
	if (r == EKSKIT_OK && (*url_out = ekbuf_detach(&url, NULL)) == NULL)
		r = EKSKIT_ERR_NOMEM;
	ekbuf_release(&url);
	if (r != EKSKIT_OK)
		return ekskit_err_set(err, r, "building the token: out of memory");
	return EKSKIT_OK;
}

/* Unpadded base64url of in[0..n) into a new secret string after prefix. */
static char *
base64url(const char *prefix, const unsigned char *in, size_t n)
{
	size_t plen = strlen(prefix), cap = plen + 4 * ((n + 2) / 3) + 1;
	char *out, *p;
	int len;

	if (n > (size_t)EKBUF_MAX_RESPONSE || (out = malloc(cap)) == NULL)
		return NULL;
	memcpy(out, prefix, plen);
	len = EVP_EncodeBlock((unsigned char *)out + plen, in, (int)n);
	for (p = out + plen; p < out + plen + len; p++) {
		if (*p == '+')
			*p = '-';
		else if (*p == '/')
			*p = '_';
		else if (*p == '=') {
			*p = '\0';
			break;
		}
	}
	out[plen + (size_t)len] = '\0';
	return out;
}

int
eks_token_generate(const char *cluster_id, const char *region,
    const char *sts_host, const struct aws_credentials *creds, time_t now,
    char **token_out, struct ekskit_err *err)
{
	char *url = NULL, *tok;
	size_t len;
	int r;

	*token_out = NULL;
	r = eks_token_presigned_url(cluster_id, region, sts_host, creds, now, &url, err);
	if (r != EKSKIT_OK)
		return r;
	tok = base64url(EKS_TOKEN_PREFIX, (const unsigned char *)url, strlen(url));
	ek_free_secret(url);
	if (tok == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "building the token: out of memory");
	if ((len = strlen(tok)) > EKS_TOKEN_MAX_LEN) {
		ek_free_secret(tok);
		return ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "the token would be %zu bytes, over the %d the EKS authenticator "
		    "accepts; use a shorter cluster id or session token", len,
		    EKS_TOKEN_MAX_LEN);
	}
	*token_out = tok;
	return EKSKIT_OK;
}

int
eks_token_decode(const char *token, char **url_out, struct ekskit_err *err)
{
	const char *b64;
	size_t n, i, padded;
	unsigned char *buf = NULL;
	char *std = NULL;
	int len, r = EKSKIT_ERR_INVALID;

	*url_out = NULL;
	if (token == NULL || strlen(token) > EKS_TOKEN_MAX_LEN)
		return ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "token is missing or longer than %d bytes", EKS_TOKEN_MAX_LEN);
	if (!ek_startswith(token, EKS_TOKEN_PREFIX))
		return ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "token is missing the \"" EKS_TOKEN_PREFIX "\" prefix");
	b64 = token + strlen(EKS_TOKEN_PREFIX);
	n = strlen(b64);
	if (n % 4 == 1)
		return ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "token payload has an impossible base64 length");
	/* back to the standard alphabet with padding, for EVP_DecodeBlock */
	padded = (n + 3) / 4 * 4;
	if ((std = malloc(padded + 1)) == NULL ||
	    (buf = malloc(padded / 4 * 3 + 1)) == NULL) {
		r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		char c = b64[i];

		if (c == '-')
			c = '+';
		else if (c == '_')
			c = '/';
		else if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9'))) {
			r = ekskit_err_set(err, EKSKIT_ERR_INVALID,
			    "token payload is not unpadded base64url");
			goto out;
		}
		std[i] = c;
	}
	for (; i < padded; i++)
		std[i] = '=';
	std[padded] = '\0';
	len = padded ? EVP_DecodeBlock(buf, (unsigned char *)std, (int)padded) : 0;
	if (len < 0) {
		r = ekskit_err_set(err, EKSKIT_ERR_INVALID, "token payload is not valid base64");
		goto out;
	}
	/* EVP_DecodeBlock counts the bytes the padding stands for */
	len -= (int)(padded - n);
	buf[len] = '\0';
	if (memchr(buf, '\0', (size_t)len) != NULL) {
		r = ekskit_err_set(err, EKSKIT_ERR_INVALID, "token payload holds a NUL byte");
		goto out;
	}
	*url_out = (char *)buf;
	buf = NULL;
	r = EKSKIT_OK;
out:
	if (std != NULL)
		ek_freezero(std, padded + 1);
	if (buf != NULL)
		ek_freezero(buf, padded / 4 * 3 + 1);
	return r;
}

time_t
eks_token_expiry(time_t now, time_t creds_expiration)
{
	time_t t = now + EKS_TOKEN_LIFETIME;

	if (creds_expiration != 0 && creds_expiration < t)
		t = creds_expiration;
	return t;
}
