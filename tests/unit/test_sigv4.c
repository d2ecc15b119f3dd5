/*
 * Unit tests for lib/sigv4.c.
 *
 * The bulk is the official AWS SigV4 test suite, kept in the repository at
 * tests/data/aws-sigv4-suite (Apache-2.0, with its LICENSE and NOTICE), or
 * $EKSKIT_SIGV4_SUITE when set: for every case folder, both the
 * header-signing and the query-presigning variants are checked stage by stage
 * (canonical request, string to sign, signature) and end to end
 * (Authorization header, presigned query).  The suite is part of every
 * checkout, so a missing one is a failure, not a skip.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <cmocka.h>

#include <jansson.h>
#include <openssl/sha.h>

#include "ekskit/buf.h"
#include "ekskit/creds.h"
#include "ekskit/error.h"
#include "ekskit/sigv4.h"

/* The Makefile passes the source tree, so the binary finds the suite from any
 * working directory (and from build/sanitize). */
#ifndef EKSKIT_SRCDIR
#define EKSKIT_SRCDIR "."
#endif
#define SUITE_DEFAULT EKSKIT_SRCDIR "/tests/data/aws-sigv4-suite"
#define MAX_HDRS 32

/* ---- reading a case folder ---------------------------------------------- */

struct suite_case {
	char dir[1024];
	/* context.json */
	char akid[128], secret[128], token[1024];
	int has_token, normalize, sign_body, omit_token;
	long expires;
	char region[64], service[64];
	time_t now;
	/* request.txt */
	char *raw;  /* owned: the request text, cut up in place */
	char *method, *path, *query, *host;
	struct sigv4_header hdrs[MAX_HDRS];
	char *hdr_values[MAX_HDRS];  /* owned when folded lines were joined */
	size_t nhdrs;
	const char *body;
	size_t body_len;
};

static char *
read_text(const char *dir, const char *name)
{
	char path[1200];
	struct ekbuf b;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ekbuf_init(&b, 1024 * 1024);
	if (ek_read_file(path, &b, NULL) != EKSKIT_OK) {
		ekbuf_release(&b);
		return NULL;
	}
	return ekbuf_detach(&b, NULL);
}

static void
copy_str(char *dst, size_t n, json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	dst[0] = '\0';
	if (json_is_string(v))
		snprintf(dst, n, "%s", json_string_value(v));
}

static void
load_context(struct suite_case *c)
{
	json_error_t jerr;
	json_t *root, *creds, *v;
	char path[1200];
	struct tm tm;
	const char *ts;

	snprintf(path, sizeof(path), "%s/context.json", c->dir);
	root = json_load_file(path, 0, &jerr);
	assert_non_null(root);
	creds = json_object_get(root, "credentials");
	assert_non_null(creds);
	copy_str(c->akid, sizeof(c->akid), creds, "access_key_id");
	copy_str(c->secret, sizeof(c->secret), creds, "secret_access_key");
	copy_str(c->token, sizeof(c->token), creds, "token");
	c->has_token = c->token[0] != '\0';
	copy_str(c->region, sizeof(c->region), root, "region");
	copy_str(c->service, sizeof(c->service), root, "service");
	c->normalize = json_is_true(json_object_get(root, "normalize"));
	c->sign_body = json_is_true(json_object_get(root, "sign_body"));
	c->omit_token = json_is_true(json_object_get(root, "omit_session_token"));
	v = json_object_get(root, "expiration_in_seconds");
	c->expires = json_is_integer(v) ? (long)json_integer_value(v) : 3600;
	ts = json_string_value(json_object_get(root, "timestamp"));
	assert_non_null(ts);
	memset(&tm, 0, sizeof(tm));
	assert_non_null(strptime(ts, "%Y-%m-%dT%H:%M:%SZ", &tm));
	c->now = timegm(&tm);
	json_decref(root);
}

/*
 * Parse the raw HTTP request: "METHOD target HTTP/1.1", header lines
 * "Name:value" (lines starting with whitespace continue the previous value),
 * an empty line, then the body.  The target may hold spaces.
 */
static void
load_request(struct suite_case *c)
{
	char *line, *next, *sp, *q, *end;

	c->raw = read_text(c->dir, "request.txt");
	assert_non_null(c->raw);
	line = c->raw;
	next = strchr(line, '\n');
	assert_non_null(next);
	*next++ = '\0';
	sp = strchr(line, ' ');
	end = strrchr(line, ' ');
	assert_true(sp != NULL && end != NULL && end > sp);
	*sp = '\0';
	*end = '\0';
	c->method = line;
	c->path = sp + 1;
	if ((q = strchr(c->path, '?')) != NULL) {
		*q = '\0';
		c->query = q + 1;
	}
	for (line = next; line != NULL && *line != '\0'; line = next) {
		char *colon;

		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		if (*line == '\0')
			break;
		if (*line == ' ' || *line == '\t') {
			/* folded continuation: the signer collapses the whitespace */
			size_t k = c->nhdrs - 1;
			const char *prev = c->hdrs[k].value;
			char *joined;

			assert_true(c->nhdrs > 0);
			assert_true(asprintf(&joined, "%s\n%s", prev, line) > 0);
			free(c->hdr_values[k]);
			c->hdr_values[k] = joined;
			c->hdrs[k].value = joined;
			continue;
		}
		colon = strchr(line, ':');
		assert_non_null(colon);
		*colon = '\0';
		if (strcasecmp(line, "host") == 0) {
			c->host = colon + 1;
			continue;
		}
		assert_true(c->nhdrs < MAX_HDRS);
		c->hdrs[c->nhdrs].name = line;
		c->hdrs[c->nhdrs].value = colon + 1;
		c->nhdrs++;
	}
	c->body = next != NULL ? next : "";
	c->body_len = strlen(c->body);
	assert_non_null(c->host);
}

static void
case_release(struct suite_case *c)
{
	size_t i;

	for (i = 0; i < MAX_HDRS; i++)
		free(c->hdr_values[i]);
	free(c->raw);
}

static void
case_request(const struct suite_case *c, struct sigv4_request *r)
{
	memset(r, 0, sizeof(*r));
	r->method = c->method;
	r->host = c->host;
	r->path = c->path;
	r->query = c->query;
	r->headers = c->hdrs;
	r->nheaders = c->nhdrs;
	r->body = c->body;
	r->body_len = c->body_len;
}

static void
case_params(const struct suite_case *c, struct sigv4_params *p)
{
	memset(p, 0, sizeof(*p));
	p->region = c->region;
	p->service = c->service;
	p->now = c->now;
	p->normalize_path = c->normalize;
	p->expires = c->expires;
	p->omit_session_token = c->omit_token;
	p->sign_body = c->sign_body;
}

static void
case_creds(struct suite_case *c, struct aws_credentials *cr)
{
	memset(cr, 0, sizeof(*cr));
	cr->access_key_id = c->akid;
	cr->secret_access_key = c->secret;
	cr->session_token = c->has_token ? c->token : NULL;
}

static void
assert_file_equals(const char *dir, const char *name, const char *got)
{
	char *want = read_text(dir, name);

	assert_non_null(want);
	if (strcmp(want, got) != 0)
		fprintf(stderr, "%s/%s:\n--- want\n%s\n--- got\n%s\n", dir, name, want, got);
	assert_string_equal(got, want);
	free(want);
}

static void
stages_2_to_4(const struct suite_case *c, const char *canonical,
    const char *prefix)
{
	struct ekbuf sts;
	unsigned char key[32];
	char amz[17], date8[9], sig[65], name[64];

	sigv4_amz_date(c->now, amz);
	memcpy(date8, amz, 8);
	date8[8] = '\0';
	ekbuf_init(&sts, 0);
	assert_int_equal(sigv4_string_to_sign(canonical, amz, c->region, c->service,
	    &sts, NULL), EKSKIT_OK);
	snprintf(name, sizeof(name), "%s-string-to-sign.txt", prefix);
	assert_file_equals(c->dir, name, sts.data);
	assert_int_equal(sigv4_signing_key(c->secret, date8, c->region, c->service,
	    key), EKSKIT_OK);
	assert_int_equal(sigv4_signature(key, sts.data, sig), EKSKIT_OK);
	snprintf(name, sizeof(name), "%s-signature.txt", prefix);
	assert_file_equals(c->dir, name, sig);
	ekbuf_release(&sts);
}

/* Header signing, stage by stage and through sigv4_sign_headers. */
static void
check_header_variant(struct suite_case *c)
{
	struct sigv4_header hdrs[MAX_HDRS + 2];
	struct sigv4_request r;
	struct sigv4_params p;
	struct aws_credentials cr;
	struct sigv4_signed s;
	struct ekbuf canon, sh;
	char amz[17], payload[65], *want_signed, *auth_line, *eol;
	unsigned char md[SHA256_DIGEST_LENGTH];
	size_t i;

	case_request(c, &r);
	case_params(c, &p);
	case_creds(c, &cr);
	sigv4_amz_date(c->now, amz);
	SHA256((const unsigned char *)c->body, c->body_len, md);
	for (i = 0; i < sizeof(md); i++)
		snprintf(payload + 2 * i, 3, "%02x", md[i]);

	/* stage 1 sees the headers sigv4_sign_headers would add */
	memcpy(hdrs, c->hdrs, c->nhdrs * sizeof(*hdrs));
	r.headers = hdrs;
	if (c->has_token && !c->omit_token)
		hdrs[r.nheaders++] = (struct sigv4_header){ "X-Amz-Security-Token", c->token };
	if (c->sign_body)
		hdrs[r.nheaders++] = (struct sigv4_header){ "x-amz-content-sha256", payload };
	ekbuf_init(&canon, 0);
	ekbuf_init(&sh, 0);
	assert_int_equal(sigv4_canonical_request(&r, &p, amz, payload, &canon, &sh,
	    NULL), EKSKIT_OK);
	assert_file_equals(c->dir, "header-canonical-request.txt", canon.data);
	stages_2_to_4(c, canon.data, "header");

	/* end to end: the Authorization header of header-signed-request.txt */
	case_request(c, &r);
	assert_int_equal(sigv4_sign_headers(&r, &p, &cr, &s, NULL), EKSKIT_OK);
	assert_string_equal(s.amz_date, amz);
	assert_string_equal(s.payload_hash, payload);
	if (c->has_token)
		assert_string_equal(s.security_token, c->token);
	else
		assert_null(s.security_token);
	want_signed = read_text(c->dir, "header-signed-request.txt");
	assert_non_null(want_signed);
	auth_line = strstr(want_signed, "\nAuthorization:");
	assert_non_null(auth_line);
	auth_line += strlen("\nAuthorization:");
	if ((eol = strchr(auth_line, '\n')) != NULL)
		*eol = '\0';
	assert_string_equal(s.authorization, auth_line);
	free(want_signed);
	sigv4_signed_release(&s);
	ekbuf_release(&canon);
	ekbuf_release(&sh);
}

static int
cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Undo %XX escapes in place (the suite's signed requests keep raw UTF-8). */
static void
pct_decode(char *s)
{
	char *w = s;
	unsigned int v;

	for (; *s != '\0'; s++) {
		if (s[0] == '%' && s[1] != '\0' && s[2] != '\0' &&
		    sscanf(s + 1, "%2x", &v) == 1) {
			*w++ = (char)v;
			s += 2;
		} else
			*w++ = *s;
	}
	*w = '\0';
}

/* Split "a&b&c" in place, decode and sort the pieces. */
static size_t
split_sorted(char *q, char **out, size_t max)
{
	size_t n = 0;
	char *save = NULL, *tok;

	for (tok = strtok_r(q, "&", &save); tok != NULL && n < max;
	    tok = strtok_r(NULL, "&", &save)) {
		pct_decode(tok);
		out[n++] = tok;
	}
	qsort(out, n, sizeof(*out), cmp_strp);
	return n;
}

/* Query presigning, stage by stage and through sigv4_presign_query. */
static void
check_query_variant(struct suite_case *c)
{
	struct sigv4_request r;
	struct sigv4_params p;
	struct aws_credentials cr;
	struct ekbuf q, canon, sh;
	char amz[17], *got, *want, *wq, *end, *sig;
	char *gv[64], *wv[64];
	size_t ng, nw, i;

	case_request(c, &r);
	case_params(c, &p);
	case_creds(c, &cr);
	sigv4_amz_date(c->now, amz);

	/* stage 1 over the query a presigner builds (any order: it is sorted) */
	ekbuf_init(&q, 0);
	if (c->query != NULL && *c->query != '\0')
		assert_int_equal(ekbuf_printf(&q, "%s&", c->query), EKSKIT_OK);
	assert_int_equal(ekbuf_printf(&q, "X-Amz-Date=%s&X-Amz-Algorithm=AWS4-HMAC-SHA256"
	    "&X-Amz-Credential=%s/%.8s/%s/%s/aws4_request&X-Amz-Expires=%ld",
	    amz, c->akid, amz, c->region, c->service, c->expires), EKSKIT_OK);
	if (c->has_token && !c->omit_token)
		assert_int_equal(ekbuf_printf(&q, "&X-Amz-Security-Token=%s", c->token),
		    EKSKIT_OK);
	/* signed headers: what stage 1 reports for the bare request */
	ekbuf_init(&canon, 0);
	ekbuf_init(&sh, 0);
	assert_int_equal(sigv4_canonical_request(&r, &p, NULL, NULL, &canon, &sh,
	    NULL), EKSKIT_OK);
	assert_int_equal(ekbuf_printf(&q, "&X-Amz-SignedHeaders=%s", sh.data), EKSKIT_OK);
	ekbuf_reset(&canon);
	ekbuf_reset(&sh);
	r.query = q.data;
	assert_int_equal(sigv4_canonical_request(&r, &p, NULL, NULL, &canon, &sh,
	    NULL), EKSKIT_OK);
	assert_file_equals(c->dir, "query-canonical-request.txt", canon.data);
	stages_2_to_4(c, canon.data, "query");

	/* end to end: same parameters as query-signed-request.txt, signature last */
	case_request(c, &r);
	assert_int_equal(sigv4_presign_query(&r, &p, &cr, &got, NULL), EKSKIT_OK);
	sig = strrchr(got, '&');
	assert_non_null(sig);
	assert_true(strncmp(sig, "&X-Amz-Signature=", 17) == 0);
	want = read_text(c->dir, "query-signed-request.txt");
	assert_non_null(want);
	wq = strchr(want, '?');
	assert_non_null(wq);
	wq++;
	end = strstr(wq, " HTTP/1.1");
	assert_non_null(end);
	*end = '\0';
	ng = split_sorted(got, gv, 64);
	nw = split_sorted(wq, wv, 64);
	assert_int_equal(ng, nw);
	for (i = 0; i < ng; i++)
		assert_string_equal(gv[i], wv[i]);
	free(want);
	ek_free_secret(got);
	ekbuf_release(&q);
	ekbuf_release(&canon);
	ekbuf_release(&sh);
}

static void
test_suite_case(void **state)
{
	struct suite_case *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	snprintf(c->dir, sizeof(c->dir), "%s", (const char *)*state);
	load_context(c);
	load_request(c);
	check_header_variant(c);
	check_query_variant(c);
	case_release(c);
	free(c);
}

/* ---- hand-written cases ------------------------------------------------- */

static const char *
canon_of(const char *path, const char *query, int normalize, struct ekbuf *out)
{
	struct sigv4_request r = { "GET", "h", path, query, NULL, 0, NULL, 0 };
	struct sigv4_params p = { "r", "s", 0, normalize, 0, 0, 0 };
	struct ekbuf sh;

	ekbuf_init(out, 0);
	ekbuf_init(&sh, 0);
	assert_int_equal(sigv4_canonical_request(&r, &p, NULL, "-", out, &sh, NULL),
	    EKSKIT_OK);
	ekbuf_release(&sh);
	return out->data;
}

static void
test_path_normalization(void **state)
{
	static const struct { const char *in, *want; } cases[] = {
		{ "", "/" }, { "/", "/" }, { "/..", "/" }, { "/a/b/../c", "/a/c" },
		{ "//a//b//", "/a/b/" }, { "/a/./b/.", "/a/b" }, { "/a/../../b", "/b" },
		{ "/a b", "/a%20b" }, { "/a%2Fb", "/a%252Fb" },  /* encoded again */
		{ "/clusters/my-cluster", "/clusters/my-cluster" },
	};
	struct ekbuf b;
	size_t i;
	char want[128];

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(want, sizeof(want), "GET\n%s\n\nhost:h\n\nhost\n-", cases[i].want);
		assert_string_equal(canon_of(cases[i].in, NULL, 1, &b), want);
		ekbuf_release(&b);
	}
	/* S3 style: literal, existing escapes kept */
	assert_string_equal(canon_of("//a/./%2F b", NULL, 0, &b),
	    "GET\n//a/./%2F%20b\n\nhost:h\n\nhost\n-");
	ekbuf_release(&b);
}

static void
test_query_canonicalization(void **state)
{
	struct ekbuf b;

	(void)state;
	/* decoded and re-encoded, sorted by key then value, empty values kept */
	assert_string_equal(canon_of("/", "b=2&a=z&a=y&c&&d=%7e%2f+x%zz", 1, &b),
	    "GET\n/\na=y&a=z&b=2&c=&d=~%2F%2Bx%25zz\nhost:h\n\nhost\n-");
	ekbuf_release(&b);
	/* uppercase sorts before lowercase (byte order) */
	assert_string_equal(canon_of("/", "a=1&B=2", 1, &b),
	    "GET\n/\nB=2&a=1\nhost:h\n\nhost\n-");
	ekbuf_release(&b);
}

static void
test_header_rules(void **state)
{
	struct sigv4_header h[] = {
		{ "X-B", "  two   words  " }, { "x-a", "1" }, { "X-A", "\t2" },
	};
	struct sigv4_header bad_host[] = { { "Host", "x" } };
	struct sigv4_header bad_name[] = { { "a b", "x" } };
	struct sigv4_request r = { "GET", "h:8443", "/", NULL, h, 3, NULL, 0 };
	struct sigv4_params p = { "r", "s", 0, 1, 0, 0, 0 };
	struct ekskit_err err;
	struct ekbuf out, sh;

	(void)state;
	ekbuf_init(&out, 0);
	ekbuf_init(&sh, 0);
	assert_int_equal(sigv4_canonical_request(&r, &p, "20200101T000000Z", "-",
	    &out, &sh, NULL), EKSKIT_OK);
	assert_string_equal(out.data, "GET\n/\n\nhost:h:8443\nx-a:1,2\n"
	    "x-amz-date:20200101T000000Z\nx-b:two words\n\n"
	    "host;x-a;x-amz-date;x-b\n-");
	assert_string_equal(sh.data, "host;x-a;x-amz-date;x-b");
	ekbuf_release(&out);
	ekbuf_release(&sh);

	r.headers = bad_host;
	r.nheaders = 1;
	ekskit_err_clear(&err);
	assert_int_equal(sigv4_canonical_request(&r, &p, NULL, "-", &out, &sh, &err),
	    EKSKIT_ERR_INVALID);
	assert_non_null(strstr(err.msg, "Host"));
	ekbuf_release(&out);
	ekbuf_release(&sh);
	r.headers = bad_name;
	assert_int_equal(sigv4_canonical_request(&r, &p, NULL, "-", &out, &sh, NULL),
	    EKSKIT_ERR_INVALID);
	ekbuf_release(&out);
	ekbuf_release(&sh);
	r.host = NULL;
	r.nheaders = 0;
	assert_int_equal(sigv4_canonical_request(&r, &p, NULL, "-", &out, &sh, NULL),
	    EKSKIT_ERR_INVALID);
	ekbuf_release(&out);
	ekbuf_release(&sh);
}

/* The AWS documentation's signing-key example (iam, us-east-1, 20120215). */
static void
test_signing_key_known_answer(void **state)
{
	unsigned char key[32];
	char hex[65];
	size_t i;

	(void)state;
	assert_int_equal(sigv4_signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
	    "20120215", "us-east-1", "iam", key), EKSKIT_OK);
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", key[i]);
	assert_string_equal(hex,
	    "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
	assert_int_equal(sigv4_signing_key(NULL, "20120215", "r", "s", key),
	    EKSKIT_ERR_INVALID);
}

static void
test_amz_date(void **state)
{
	char d[17];

	(void)state;
	sigv4_amz_date(1682640000, d);
	assert_string_equal(d, "20230428T000000Z");
	sigv4_amz_date(1440938160, d);
	assert_string_equal(d, "20150830T123600Z");
}

static void
test_presign_order_and_errors(void **state)
{
	char akid[] = "AKIDEXAMPLE", secret[] = "secret", tok[] = "tok+/=en";
	struct aws_credentials cr = { akid, secret, tok, 0, NULL };
	struct sigv4_header h[] = { { "x-k8s-aws-id", "c" } };
	struct sigv4_request r = { "GET", "sts.us-east-1.amazonaws.com", "/",
	    "Action=GetCallerIdentity&Version=2011-06-15", h, 1, NULL, 0 };
	struct sigv4_params p = { "us-east-1", "sts", 1682640000, 1, 60, 0, 0 };
	struct ekskit_err err;
	char *q = NULL;

	(void)state;
	assert_int_equal(sigv4_presign_query(&r, &p, &cr, &q, NULL), EKSKIT_OK);
	/* botocore's order: operation params, auth params, token, signature */
	assert_true(ek_startswith(q, "Action=GetCallerIdentity&Version=2011-06-15&"
	    "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20230428"
	    "%2Fus-east-1%2Fsts%2Faws4_request&X-Amz-Date=20230428T000000Z&"
	    "X-Amz-Expires=60&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&"
	    "X-Amz-Security-Token=tok%2B%2F%3Den&X-Amz-Signature="));
	assert_int_equal(strlen(strrchr(q, '=') + 1), 64);
	ek_free_secret(q);

	p.expires = 0;
	ekskit_err_clear(&err);
	assert_int_equal(sigv4_presign_query(&r, &p, &cr, &q, &err), EKSKIT_ERR_INVALID);
	assert_null(q);
	p.expires = 604801;
	assert_int_equal(sigv4_presign_query(&r, &p, &cr, &q, &err), EKSKIT_ERR_INVALID);
	p.expires = 60;
	cr.secret_access_key = NULL;
	ekskit_err_clear(&err);
	assert_int_equal(sigv4_presign_query(&r, &p, &cr, &q, &err), EKSKIT_ERR_NO_CREDS);
	assert_null(strstr(err.msg, "tok+/=en"));
	cr.secret_access_key = secret;
	p.region = NULL;
	assert_int_equal(sigv4_presign_query(&r, &p, &cr, &q, &err), EKSKIT_ERR_INVALID);
}

static void
test_sign_headers_token(void **state)
{
	char akid[] = "AKIDEXAMPLE", secret[] = "secret", tok[] = "tok";
	struct aws_credentials cr = { akid, secret, tok, 0, NULL };
	struct sigv4_request r = { "POST", "sts.amazonaws.com", "/", NULL, NULL, 0,
	    "Action=GetCallerIdentity&Version=2011-06-15", 43 };
	struct sigv4_params p = { "us-east-1", "sts", 1682640000, 1, 0, 0, 0 };
	struct sigv4_signed s;

	(void)state;
	assert_int_equal(sigv4_sign_headers(&r, &p, &cr, &s, NULL), EKSKIT_OK);
	assert_non_null(strstr(s.authorization,
	    "SignedHeaders=host;x-amz-date;x-amz-security-token, Signature="));
	assert_string_equal(s.security_token, "tok");
	sigv4_signed_release(&s);
	p.omit_session_token = 1;
	p.sign_body = 1;
	assert_int_equal(sigv4_sign_headers(&r, &p, &cr, &s, NULL), EKSKIT_OK);
	assert_non_null(strstr(s.authorization,
	    "SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature="));
	sigv4_signed_release(&s);
	sigv4_signed_release(NULL);
}

/* ---- main ---------------------------------------------------------------- */

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
main(void)
{
	const struct CMUnitTest unit[] = {
		cmocka_unit_test(test_path_normalization),
		cmocka_unit_test(test_query_canonicalization),
		cmocka_unit_test(test_header_rules),
		cmocka_unit_test(test_signing_key_known_answer),
		cmocka_unit_test(test_amz_date),
		cmocka_unit_test(test_presign_order_and_errors),
		cmocka_unit_test(test_sign_headers_token),
	};
	const char *suite = getenv("EKSKIT_SIGV4_SUITE");
	char v4[1024], **dirs = NULL;
	struct CMUnitTest *tests;
	struct dirent *de;
	size_t n = 0, i;
	DIR *d;
	int failed;

	failed = cmocka_run_group_tests_name("sigv4", unit, NULL, NULL);
	if (suite == NULL || *suite == '\0')
		suite = SUITE_DEFAULT;
	snprintf(v4, sizeof(v4), "%s/v4", suite);
	if ((d = opendir(v4)) == NULL) {
		fprintf(stderr, "the AWS SigV4 test suite is not at %s: restore "
		    "tests/data/aws-sigv4-suite or fix EKSKIT_SIGV4_SUITE\n", v4);
		return failed + 1;
	}
	while ((de = readdir(d)) != NULL) {
		char ctx[2048];
		struct stat st;

		snprintf(ctx, sizeof(ctx), "%s/%s/context.json", v4, de->d_name);
		if (de->d_name[0] == '.' || stat(ctx, &st) != 0)
			continue;
		dirs = realloc(dirs, (n + 1) * sizeof(*dirs));
		if (dirs == NULL || asprintf(&dirs[n], "%s/%s", v4, de->d_name) < 0)
			return 1;
		n++;
	}
	closedir(d);
	if (n < 38) {
		fprintf(stderr, "the suite at %s has %zu cases, expected 38\n", v4, n);
		return 1;
	}
	qsort(dirs, n, sizeof(*dirs), cmp_name);
	if ((tests = calloc(n, sizeof(*tests))) == NULL)
		return 1;
	for (i = 0; i < n; i++) {
		tests[i].name = strrchr(dirs[i], '/') + 1;
		tests[i].test_func = test_suite_case;
		tests[i].initial_state = dirs[i];
	}
	failed += _cmocka_run_group_tests("aws-sigv4-suite", tests, n, NULL, NULL);
	for (i = 0; i < n; i++)
		free(dirs[i]);
	free(dirs);
	free(tests);
	return failed;
}
