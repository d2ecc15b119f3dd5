/*
 * AWS Signature Version 4: see include/ekskit/sigv4.h.
 *
 * The stages are plain functions over strings so that the official test
 * suite can check each one.  Everything derived from the secret key (the
 * "AWS4"+secret string, every intermediate HMAC key) lives in buffers
 * that are wiped with OPENSSL_cleanse before returning.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "ekskit/buf.h"
#include "ekskit/creds.h"
#include "ekskit/error.h"
#include "ekskit/sigv4.h"

#define SIGV4_ALGORITHM		"AWS4-HMAC-SHA256"
#define SIGV4_MAX_CANONICAL	(1024u * 1024)  /* canonical request / query cap */
#define SIGV4_MAX_HEADERS	256
#define SIGV4_MAX_PARAMS	1024
#define SIGV4_MAX_EXPIRES	604800          /* 7 days, the SigV4 limit */

/* A query parameter, both halves already RFC 3986 encoded. */
struct sigv4_param {
	char *key;
	char *value;
};

struct sigv4_params_list {
	struct sigv4_param *v;
	size_t n;
};

/* A header in canonical form: lowercase name, trimmed/collapsed value. */
struct sigv4_chdr {
	char *name;
	char *value;
	size_t order;  /* position in the request: keeps duplicates in order */
};

static int
is_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~';
}

/* Percent-encode s[0..n) (uppercase hex); keep_slash leaves '/' as is. */
static int
uri_encode(struct ekbuf *b, const char *s, size_t n, int keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;
	int r = EKSKIT_OK;

	for (i = 0; i < n && r == EKSKIT_OK; i++) {
		unsigned char c = (unsigned char)s[i];

		if (is_unreserved(c) || (keep_slash && c == '/')) {
			r = ekbuf_putc(b, (char)c);
		} else {
			char e[3] = { '%', hex[c >> 4], hex[c & 15] };

			r = ekbuf_append(b, e, 3);
		}
	}
	return r;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Decode %XX escapes of s[0..n) and encode the result again, so that a
 * query given in any valid encoding ends up in the one canonical form.
 * A '%' not followed by two hex digits is taken literally.  '+' is a plus.
 * Returns a malloc'd string or NULL.
 */
static char *
reencode(const char *s, size_t n)
{
	struct ekbuf raw, enc;
	size_t i;
	int r = EKSKIT_OK;
	char *out = NULL;

	/* query values may carry a session token: no stray copies */
	ekbuf_init_secret(&raw, SIGV4_MAX_CANONICAL);
	ekbuf_init_secret(&enc, SIGV4_MAX_CANONICAL);
	for (i = 0; i < n && r == EKSKIT_OK; i++) {
		int hi, lo;

		if (s[i] == '%' && i + 2 < n &&
		    (hi = hexval(s[i + 1])) >= 0 && (lo = hexval(s[i + 2])) >= 0) {
			r = ekbuf_putc(&raw, (char)(hi << 4 | lo));
			i += 2;
		} else
			r = ekbuf_putc(&raw, s[i]);
	}
	if (r == EKSKIT_OK)
		r = uri_encode(&enc, raw.data ? raw.data : "", raw.len, 0);
	if (r == EKSKIT_OK)
		out = ekbuf_detach(&enc, NULL);
	ekbuf_release(&raw);
	ekbuf_release(&enc);
	return out;
}

static void
params_free(struct sigv4_params_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		ek_free_secret(l->v[i].key);
		ek_free_secret(l->v[i].value);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* Append one parameter; key and value are raw (decoded) or encoded text
 * according to `encoded`.  0 or EKSKIT_ERR_NOMEM / EKSKIT_ERR_INVALID. */
static int
params_add(struct sigv4_params_list *l, const char *key, size_t klen,
    const char *value, size_t vlen, int encoded)
{
	struct sigv4_param *nv;
	struct ekbuf kb, vb;
	char *k = NULL, *v = NULL;

	if (l->n >= SIGV4_MAX_PARAMS)
		return EKSKIT_ERR_INVALID;
	if (encoded) {
		k = reencode(key, klen);
		v = reencode(value, vlen);
	} else {
		ekbuf_init(&kb, SIGV4_MAX_CANONICAL);
		ekbuf_init_secret(&vb, SIGV4_MAX_CANONICAL);
		if (uri_encode(&kb, key, klen, 0) == EKSKIT_OK &&
		    uri_encode(&vb, value, vlen, 0) == EKSKIT_OK) {
			k = ekbuf_detach(&kb, NULL);
			v = ekbuf_detach(&vb, NULL);
		}
		ekbuf_release(&kb);
		ekbuf_release(&vb);
	}
	if (k == NULL || v == NULL ||
	    (nv = realloc(l->v, (l->n + 1) * sizeof(*nv))) == NULL) {
		ek_free_secret(k);
		ek_free_secret(v);
		return EKSKIT_ERR_NOMEM;
	}
	l->v = nv;
	l->v[l->n].key = k;
	l->v[l->n].value = v;
	l->n++;
	return EKSKIT_OK;
}

/* Split a raw query string ("a=1&b=&c") into encoded parameters. */
static int
params_parse(struct sigv4_params_list *l, const char *query)
{
	const char *p = query, *amp, *eq;
	int r;

	if (query == NULL)
		return EKSKIT_OK;
	while (*p != '\0') {
		size_t seglen;

		amp = strchr(p, '&');
		seglen = amp ? (size_t)(amp - p) : strlen(p);
		if (seglen > 0) {
			eq = memchr(p, '=', seglen);
			if (eq != NULL)
				r = params_add(l, p, (size_t)(eq - p), eq + 1,
				    seglen - (size_t)(eq - p) - 1, 1);
			else
				r = params_add(l, p, seglen, "", 0, 1);
			if (r != EKSKIT_OK)
				return r;
		}
		p += seglen;
		if (*p == '&')
			p++;
	}
	return EKSKIT_OK;
}

static int
param_cmp(const void *a, const void *b)
{
	const struct sigv4_param *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c != 0 ? c : strcmp(x->value, y->value);
}

/* "k=v&k=v" of l in its order (sorted first when `sort`). */
static int
params_join(struct sigv4_params_list *l, int sort, struct ekbuf *out)
{
	size_t i;
	int r = EKSKIT_OK;

	if (sort && l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), param_cmp);
	for (i = 0; i < l->n && r == EKSKIT_OK; i++)
		r = ekbuf_printf(out, "%s%s=%s", i ? "&" : "", l->v[i].key,
		    l->v[i].value);
	return r;
}

/*
 * Remove dot segments and empty segments ("//") from an absolute path; keep
 * a trailing slash.  "" and "/.." become "/".
 */
static int
normalize_path(const char *path, struct ekbuf *out)
{
	const char **seg = NULL;
	size_t nseg = 0, cap = 0, i;
	const char *p = path;
	size_t *seglen = NULL;
	int trailing, r = EKSKIT_OK;

	trailing = *path != '\0' && path[strlen(path) - 1] == '/';
	while (*p != '\0') {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);

		if (n == 0 || (n == 1 && p[0] == '.')) {
			/* empty or "." segment: nothing */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			if (nseg > 0)
				nseg--;
		} else {
			if (nseg == cap) {
				size_t ncap = cap ? cap * 2 : 16;
				const char **ns = realloc(seg, ncap * sizeof(*ns));
				size_t *nl;

				if (ns == NULL) {
					r = EKSKIT_ERR_NOMEM;
					goto out;
				}
				seg = ns;
				if ((nl = realloc(seglen, ncap * sizeof(*nl))) == NULL) {
					r = EKSKIT_ERR_NOMEM;
					goto out;
				}
				seglen = nl;
				cap = ncap;
			}
			seg[nseg] = p;
			seglen[nseg++] = n;
		}
		p += n;
		if (*p == '/')
			p++;
	}
	for (i = 0; i < nseg && r == EKSKIT_OK; i++) {
		if ((r = ekbuf_putc(out, '/')) == EKSKIT_OK)
			r = ekbuf_append(out, seg[i], seglen[i]);
	}
	if (r == EKSKIT_OK && (nseg == 0 || trailing))
		r = ekbuf_putc(out, '/');
out:
	free(seg);
	free(seglen);
	return r;
}

/* Canonical URI: normalized and encoded again (all services but S3), or
 * encoded once with existing %XX escapes kept (S3). */
static int
canonical_uri(const char *path, int normalize, struct ekbuf *out)
{
	struct ekbuf norm;
	size_t i;
	int r = EKSKIT_OK;

	if (path == NULL || *path == '\0')
		path = "/";
	if (normalize) {
		ekbuf_init(&norm, SIGV4_MAX_CANONICAL);
		r = normalize_path(path, &norm);
		if (r == EKSKIT_OK)
			r = uri_encode(out, norm.data, norm.len, 1);
		ekbuf_release(&norm);
		return r;
	}
	for (i = 0; path[i] != '\0' && r == EKSKIT_OK; i++) {
		if (path[i] == '%')
			r = ekbuf_putc(out, '%');
		else
			r = uri_encode(out, path + i, 1, 1);
	}
	return r;
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Trim and collapse runs of whitespace (folded lines too) to one space. */
static char *
canonical_value(const char *v)
{
	struct ekbuf b;
	int pending = 0, r = EKSKIT_OK;

	ekbuf_init_secret(&b, SIGV4_MAX_CANONICAL);
	while (*v != '\0' && is_space(*v))
		v++;
	for (; *v != '\0' && r == EKSKIT_OK; v++) {
		if (is_space(*v)) {
			pending = 1;
			continue;
		}
		if (pending)
			r = ekbuf_putc(&b, ' ');
		pending = 0;
		if (r == EKSKIT_OK)
			r = ekbuf_putc(&b, *v);
	}
	if (r != EKSKIT_OK) {
		ekbuf_release(&b);
		return NULL;
	}
	return ekbuf_detach(&b, NULL);
}

static int
valid_header_name(const char *n)
{
	if (n == NULL || *n == '\0')
		return 0;
	for (; *n != '\0'; n++) {
		unsigned char c = (unsigned char)*n;

		if (c <= ' ' || c >= 0x7f || c == ':')
			return 0;
	}
	return 1;
}

static int
chdr_cmp(const void *a, const void *b)
{
	const struct sigv4_chdr *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c != 0)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

static void
chdrs_free(struct sigv4_chdr *h, size_t n)
{
	size_t i;

	if (h == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(h[i].name);
		ek_free_secret(h[i].value);
	}
	free(h);
}

static int
chdr_set(struct sigv4_chdr *h, size_t order, const char *name, const char *value)
{
	size_t i;

	h->order = order;
	if ((h->name = ek_strdup(name)) == NULL)
		return EKSKIT_ERR_NOMEM;
	for (i = 0; h->name[i] != '\0'; i++)
		if (h->name[i] >= 'A' && h->name[i] <= 'Z')
			h->name[i] = (char)(h->name[i] - 'A' + 'a');
	if ((h->value = canonical_value(value)) == NULL)
		return EKSKIT_ERR_NOMEM;
	return EKSKIT_OK;
}

/* Canonical headers block and signed-headers list. */
static int
canonical_headers(const struct sigv4_request *req, const char *amz_date,
    struct ekbuf *out, struct ekbuf *signed_headers, struct ekskit_err *err)
{
	struct sigv4_chdr *h;
	size_t n = 0, i, total = req->nheaders + 2;
	int r = EKSKIT_OK;

	if (req->nheaders > SIGV4_MAX_HEADERS)
		return ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "sigv4: too many headers to sign (%zu, at most %d)",
		    req->nheaders, SIGV4_MAX_HEADERS);
	if ((h = calloc(total, sizeof(*h))) == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "sigv4: out of memory");
	r = chdr_set(&h[n++], 0, "host", req->host);
	if (r == EKSKIT_OK && amz_date != NULL)
		r = chdr_set(&h[n++], 1, "x-amz-date", amz_date);
	for (i = 0; i < req->nheaders && r == EKSKIT_OK; i++) {
		const struct sigv4_header *rh = &req->headers[i];

		if (!valid_header_name(rh->name) || rh->value == NULL) {
			r = ekskit_err_set(err, EKSKIT_ERR_INVALID,
			    "sigv4: invalid header name to sign");
			break;
		}
		if (strcasecmp(rh->name, "host") == 0 ||
		    strcasecmp(rh->name, "x-amz-date") == 0) {
			r = ekskit_err_set(err, EKSKIT_ERR_INVALID,
			    "sigv4: header %s is set by the signer, not the caller",
			    rh->name);
			break;
		}
		r = chdr_set(&h[n++], i + 2, rh->name, rh->value);
	}
	if (r != EKSKIT_OK)
		goto out;
	qsort(h, n, sizeof(*h), chdr_cmp);
	for (i = 0; i < n && r == EKSKIT_OK; i++) {
		int same = i > 0 && strcmp(h[i].name, h[i - 1].name) == 0;

		if (same) {
			/* duplicates join with ',' on the line already written */
			out->len--;  /* drop the '\n' */
			r = ekbuf_printf(out, ",%s\n", h[i].value);
			continue;
		}
		r = ekbuf_printf(out, "%s:%s\n", h[i].name, h[i].value);
		if (r == EKSKIT_OK)
			r = ekbuf_printf(signed_headers, "%s%s",
			    signed_headers->len ? ";" : "", h[i].name);
	}
out:
	if (r != EKSKIT_OK && err != NULL && err->code == 0)
		ekskit_err_set(err, r, "sigv4: canonical headers too large");
	chdrs_free(h, n);
	return r;
}

static void
hex_encode(const unsigned char *in, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex[in[i] >> 4];
		out[2 * i + 1] = hex[in[i] & 15];
	}
	out[2 * n] = '\0';
}

static void
sha256_hex(const void *p, size_t n, char out[65])
{
	unsigned char md[SHA256_DIGEST_LENGTH];

	SHA256(p != NULL ? p : (const void *)"", n, md);
	hex_encode(md, sizeof(md), out);
}

int
sigv4_canonical_request(const struct sigv4_request *req,
    const struct sigv4_params *p, const char *amz_date, const char *payload_hash,
    struct ekbuf *out, struct ekbuf *signed_headers, struct ekskit_err *err)
{
	struct sigv4_params_list q = { NULL, 0 };
	char body_hash[65];
	int r;

	if (req == NULL || p == NULL || req->method == NULL || req->host == NULL ||
	    *req->host == '\0')
		return ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "sigv4: request needs a method and a host");
	if (payload_hash == NULL) {
		sha256_hex(req->body, req->body_len, body_hash);
		payload_hash = body_hash;
	}
	if ((r = ekbuf_printf(out, "%s\n", req->method)) != EKSKIT_OK ||
	    (r = canonical_uri(req->path, p->normalize_path, out)) != EKSKIT_OK ||
	    (r = ekbuf_putc(out, '\n')) != EKSKIT_OK)
		goto out;
	if ((r = params_parse(&q, req->query)) != EKSKIT_OK ||
	    (r = params_join(&q, 1, out)) != EKSKIT_OK ||
	    (r = ekbuf_putc(out, '\n')) != EKSKIT_OK)
		goto out;
	if ((r = canonical_headers(req, amz_date, out, signed_headers, err)) != EKSKIT_OK)
		goto out;
	r = ekbuf_printf(out, "\n%s\n%s", signed_headers->data, payload_hash);
out:
	params_free(&q);
	if (r != EKSKIT_OK && (err == NULL || err->code == 0))
		r = ekskit_err_set(err, r, "sigv4: request too large to sign");
	return r;
}

/* "YYYYMMDD/region/service/aws4_request" */
static int
credential_scope(struct ekbuf *b, const char *amz_date, const char *region,
    const char *service)
{
	return ekbuf_printf(b, "%.8s/%s/%s/aws4_request", amz_date, region, service);
}

int
sigv4_string_to_sign(const char *canonical_request, const char *amz_date,
    const char *region, const char *service, struct ekbuf *out,
    struct ekskit_err *err)
{
	char hash[65];
	int r;

	if (canonical_request == NULL || amz_date == NULL || strlen(amz_date) != 16 ||
	    region == NULL || *region == '\0' || service == NULL || *service == '\0')
		return ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "sigv4: string to sign needs a date, region and service");
	sha256_hex(canonical_request, strlen(canonical_request), hash);
	r = ekbuf_printf(out, SIGV4_ALGORITHM "\n%s\n", amz_date);
	if (r == EKSKIT_OK)
		r = credential_scope(out, amz_date, region, service);
	if (r == EKSKIT_OK)
		r = ekbuf_printf(out, "\n%s", hash);
	if (r != EKSKIT_OK)
		return ekskit_err_set(err, r, "sigv4: out of memory");
	return EKSKIT_OK;
}

static int
hmac_step(const unsigned char *key, size_t keylen, const char *data,
    unsigned char out[32])
{
	unsigned int len = 32;

	if (HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)data,
	    strlen(data), out, &len) == NULL || len != 32)
		return EKSKIT_ERR_INTERNAL;
	return EKSKIT_OK;
}

int
sigv4_signing_key(const char *secret_access_key, const char *date8,
    const char *region, const char *service, unsigned char key[32])
{
	unsigned char k1[32], k2[32], k3[32];
	char *ksecret;
	size_t slen;
	int r;

	if (secret_access_key == NULL || date8 == NULL || region == NULL ||
	    service == NULL)
		return EKSKIT_ERR_INVALID;
	slen = strlen(secret_access_key) + 4;
	if ((ksecret = malloc(slen + 1)) == NULL)
		return EKSKIT_ERR_NOMEM;
	memcpy(ksecret, "AWS4", 4);
	memcpy(ksecret + 4, secret_access_key, slen - 4 + 1);
	r = hmac_step((unsigned char *)ksecret, slen, date8, k1);
	if (r == EKSKIT_OK)
		r = hmac_step(k1, 32, region, k2);
	if (r == EKSKIT_OK)
		r = hmac_step(k2, 32, service, k3);
	if (r == EKSKIT_OK)
		r = hmac_step(k3, 32, "aws4_request", key);
	ek_freezero(ksecret, slen + 1);
	OPENSSL_cleanse(k1, sizeof(k1));
	OPENSSL_cleanse(k2, sizeof(k2));
	OPENSSL_cleanse(k3, sizeof(k3));
	if (r != EKSKIT_OK)
		OPENSSL_cleanse(key, 32);
	return r;
}

int
sigv4_signature(const unsigned char key[32], const char *string_to_sign,
    char hex_out[65])
{
	unsigned char mac[32];
	int r;

	hex_out[0] = '\0';
	if (string_to_sign == NULL)
		return EKSKIT_ERR_INVALID;
	if ((r = hmac_step(key, 32, string_to_sign, mac)) != EKSKIT_OK)
		return r;
	hex_encode(mac, sizeof(mac), hex_out);
	OPENSSL_cleanse(mac, sizeof(mac));
	return EKSKIT_OK;
}

void
sigv4_amz_date(time_t t, char out[17])
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm) != 16)
		memcpy(out, "19700101T000000Z", 17);
}

/* Stages 2-4 over a finished canonical request. */
static int
sign_canonical(const char *canonical, const char *amz_date,
    const struct sigv4_params *p, const char *secret, char sig[65],
    struct ekskit_err *err)
{
	struct ekbuf sts;
	unsigned char key[32];
	char date8[9];
	int r;

	ekbuf_init(&sts, SIGV4_MAX_CANONICAL);
	memcpy(date8, amz_date, 8);
	date8[8] = '\0';
	r = sigv4_string_to_sign(canonical, amz_date, p->region, p->service, &sts, err);
	if (r == EKSKIT_OK &&
	    (r = sigv4_signing_key(secret, date8, p->region, p->service, key)) != EKSKIT_OK)
		ekskit_err_set(err, r, "sigv4: cannot derive the signing key");
	if (r == EKSKIT_OK &&
	    (r = sigv4_signature(key, sts.data, sig)) != EKSKIT_OK)
		ekskit_err_set(err, r, "sigv4: cannot compute the signature");
	OPENSSL_cleanse(key, sizeof(key));
	ekbuf_release(&sts);
	return r;
}

static int
check_inputs(const struct sigv4_request *req, const struct sigv4_params *p,
    const struct aws_credentials *creds, struct ekskit_err *err)
{
	if (req == NULL || p == NULL || creds == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_INVALID, "sigv4: missing argument");
	if (creds->access_key_id == NULL || *creds->access_key_id == '\0' ||
	    creds->secret_access_key == NULL || *creds->secret_access_key == '\0')
		return ekskit_err_set(err, EKSKIT_ERR_NO_CREDS,
		    "sigv4: credentials lack an access key id or secret key");
	if (strpbrk(creds->access_key_id, "/ \t\r\n") != NULL)
		return ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "sigv4: malformed access key id");
	if (p->region == NULL || *p->region == '\0' || p->service == NULL ||
	    *p->service == '\0' || strchr(p->region, '/') || strchr(p->service, '/'))
		return ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "sigv4: a region and service name are needed to sign");
	return EKSKIT_OK;
}

void
sigv4_signed_release(struct sigv4_signed *s)
{
	if (s == NULL)
		return;
	free(s->authorization);
	free(s->payload_hash);
	memset(s, 0, sizeof(*s));
}

int
sigv4_sign_headers(const struct sigv4_request *req,
    const struct sigv4_params *p, const struct aws_credentials *creds,
    struct sigv4_signed *out, struct ekskit_err *err)
{
	struct sigv4_header *hdrs = NULL;
	struct sigv4_request r2;
	struct ekbuf canon, sh, auth;
	char payload[65], sig[65];
	const char *token;
	int r;

	memset(out, 0, sizeof(*out));
	if ((r = check_inputs(req, p, creds, err)) != EKSKIT_OK)
		return r;
	ekbuf_init(&canon, SIGV4_MAX_CANONICAL);
	ekbuf_init(&sh, SIGV4_MAX_CANONICAL);
	ekbuf_init(&auth, SIGV4_MAX_CANONICAL);
	token = creds->session_token != NULL && *creds->session_token != '\0' ?
	    creds->session_token : NULL;
	sigv4_amz_date(p->now, out->amz_date);
	sha256_hex(req->body, req->body_len, payload);

	/* the signer's own headers join the caller's */
	if (req->nheaders > SIGV4_MAX_HEADERS) {
		r = ekskit_err_set(err, EKSKIT_ERR_INVALID, "sigv4: too many headers");
		goto out;
	}
	if ((hdrs = calloc(req->nheaders + 2, sizeof(*hdrs))) == NULL) {
		r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "sigv4: out of memory");
		goto out;
	}
	if (req->nheaders > 0)
		memcpy(hdrs, req->headers, req->nheaders * sizeof(*hdrs));
	r2 = *req;
	r2.headers = hdrs;
	if (token != NULL && !p->omit_session_token)
		hdrs[r2.nheaders++] = (struct sigv4_header){ "x-amz-security-token", token };
	if (p->sign_body)
		hdrs[r2.nheaders++] = (struct sigv4_header){ "x-amz-content-sha256", payload };

	r = sigv4_canonical_request(&r2, p, out->amz_date, payload, &canon, &sh, err);
	if (r == EKSKIT_OK)
		r = sign_canonical(canon.data, out->amz_date, p,
		    creds->secret_access_key, sig, err);
	if (r != EKSKIT_OK)
		goto out;
	r = ekbuf_printf(&auth, SIGV4_ALGORITHM " Credential=%s/", creds->access_key_id);
	if (r == EKSKIT_OK)
		r = credential_scope(&auth, out->amz_date, p->region, p->service);
	if (r == EKSKIT_OK)
		r = ekbuf_printf(&auth, ", SignedHeaders=%s, Signature=%s", sh.data, sig);
	if (r != EKSKIT_OK ||
	    (out->authorization = ekbuf_detach(&auth, NULL)) == NULL ||
	    (out->payload_hash = ek_strdup(payload)) == NULL) {
		r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "sigv4: out of memory");
		goto out;
	}
	out->security_token = token;
out:
	if (r != EKSKIT_OK)
		sigv4_signed_release(out);
	free(hdrs);
	/* the canonical request may hold the session token */
	if (canon.data != NULL)
		OPENSSL_cleanse(canon.data, canon.len);
	ekbuf_release(&canon);
	ekbuf_release(&sh);
	ekbuf_release(&auth);
	return r;
}

/* The X-Amz-* parameters, in botocore's order, encoded. */
static int
auth_params(struct sigv4_params_list *l, const struct sigv4_params *p,
    const struct aws_credentials *creds, const char *amz_date,
    const char *signed_headers, const char *token)
{
	struct ekbuf cred;
	char expires[24];
	int r;

	ekbuf_init(&cred, SIGV4_MAX_CANONICAL);
	r = ekbuf_printf(&cred, "%s/", creds->access_key_id);
	if (r == EKSKIT_OK)
		r = credential_scope(&cred, amz_date, p->region, p->service);
	snprintf(expires, sizeof(expires), "%ld", p->expires);
#define ADD(k, v) \
	if (r == EKSKIT_OK) r = params_add(l, k, strlen(k), v, strlen(v), 0)
	ADD("X-Amz-Algorithm", SIGV4_ALGORITHM);
	ADD("X-Amz-Credential", cred.data);
	ADD("X-Amz-Date", amz_date);
	ADD("X-Amz-Expires", expires);
	ADD("X-Amz-SignedHeaders", signed_headers);
	if (token != NULL)
		ADD("X-Amz-Security-Token", token);
#undef ADD
	ekbuf_release(&cred);
	return r;
}

/* Signed header names ("host;x-k8s-aws-id"), computed like stage 1 does. */
static int
presign_signed_headers(const struct sigv4_request *req,
    const struct sigv4_params *p, struct ekbuf *sh, struct ekskit_err *err)
{
	struct sigv4_request bare = *req;
	struct ekbuf scratch;
	int r;

	bare.query = NULL;
	ekbuf_init(&scratch, SIGV4_MAX_CANONICAL);
	r = sigv4_canonical_request(&bare, p, NULL, "", &scratch, sh, err);
	ekbuf_release(&scratch);
	return r;
}

int
sigv4_presign_query(const struct sigv4_request *req,
    const struct sigv4_params *p, const struct aws_credentials *creds,
    char **query_out, struct ekskit_err *err)
{
	struct sigv4_params_list ops = { NULL, 0 }, auth = { NULL, 0 };
	struct sigv4_params_list all = { NULL, 0 };
	struct sigv4_request r2;
	struct ekbuf sh, canon_q, canon, final;
	char amz_date[17], payload[65], sig[65];
	const char *token;
	size_t i, nsigned;
	int r;

	*query_out = NULL;
	if ((r = check_inputs(req, p, creds, err)) != EKSKIT_OK)
		return r;
	if (p->expires < 1 || p->expires > SIGV4_MAX_EXPIRES)
		return ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "sigv4: presign expiry must be 1..%d seconds, not %ld",
		    SIGV4_MAX_EXPIRES, p->expires);
	ekbuf_init(&sh, SIGV4_MAX_CANONICAL);
	ekbuf_init_secret(&canon_q, SIGV4_MAX_CANONICAL);
	ekbuf_init_secret(&canon, SIGV4_MAX_CANONICAL);
	ekbuf_init_secret(&final, SIGV4_MAX_CANONICAL);
	token = creds->session_token != NULL && *creds->session_token != '\0' ?
	    creds->session_token : NULL;
	sigv4_amz_date(p->now, amz_date);
	sha256_hex(req->body, req->body_len, payload);

	if ((r = presign_signed_headers(req, p, &sh, err)) != EKSKIT_OK)
		goto out;
	if ((r = params_parse(&ops, req->query)) != EKSKIT_OK ||
	    (r = auth_params(&auth, p, creds, amz_date, sh.data, token)) != EKSKIT_OK)
		goto out;
	/* the canonical query: every parameter, the token only when signed */
	nsigned = auth.n - (token != NULL && p->omit_session_token);
	for (i = 0; i < ops.n + nsigned && r == EKSKIT_OK; i++) {
		const struct sigv4_param *x = i < ops.n ? &ops.v[i] : &auth.v[i - ops.n];

		r = params_add(&all, x->key, strlen(x->key), x->value,
		    strlen(x->value), 1);
	}
	if (r == EKSKIT_OK)
		r = params_join(&all, 1, &canon_q);
	if (r != EKSKIT_OK)
		goto out;
	r2 = *req;
	r2.query = canon_q.data;
	ekbuf_reset(&sh);
	if ((r = sigv4_canonical_request(&r2, p, NULL, payload, &canon, &sh, err)) != EKSKIT_OK ||
	    (r = sign_canonical(canon.data, amz_date, p, creds->secret_access_key,
	    sig, err)) != EKSKIT_OK)
		goto out;
	/* what is sent: operation parameters, then ours, signature last */
	if ((r = params_join(&ops, 0, &final)) == EKSKIT_OK && ops.n > 0)
		r = ekbuf_putc(&final, '&');
	if (r == EKSKIT_OK)
		r = params_join(&auth, 0, &final);
	if (r == EKSKIT_OK)
		r = ekbuf_printf(&final, "&X-Amz-Signature=%s", sig);
	if (r == EKSKIT_OK && (*query_out = ekbuf_detach(&final, NULL)) == NULL)
		r = EKSKIT_ERR_NOMEM;
out:
	if (r != EKSKIT_OK && (err == NULL || err->code == 0))
		r = ekskit_err_set(err, r, "sigv4: presigned query too large");
	params_free(&ops);
	params_free(&auth);
	params_free(&all);
	ekbuf_release(&sh);
	ekbuf_release(&canon_q);
	ekbuf_release(&canon);
	ekbuf_release(&final);
	return r;
}
