/*
 * Signed calls to AWS services: the query protocol (STS, EC2) and REST-JSON
 * (EKS), and AWS error responses turned into EKSKIT_ERR_REMOTE.  See
 * include/ekskit/awsreq.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>

#include "ekskit/awsreq.h"
#include "ekskit/creds.h"
#include "ekskit/http.h"
#include "ekskit/sigv4.h"
#include "ekskit/xml.h"

#define MAX_HEADERS	8
#define MAX_ERR_TEXT	400	/* AWS messages are short; cap what we echo */
#define FORM_TYPE	"application/x-www-form-urlencoded; charset=utf-8"
#define JSON_TYPE	"application/json"

#ifndef EKSKIT_VERSION
#define EKSKIT_VERSION "0"
#endif

/* Where a request goes, split from the client's endpoint URL. */
struct target {
	char *scheme;
	char *host;        /* Host header: host[:port] */
	char *base_path;   /* endpoint path without a trailing '/', may be "" */
};

static void
target_release(struct target *t)
{
	curl_free(t->scheme);
	free(t->host);
	free(t->base_path);
	memset(t, 0, sizeof(*t));
}

static int
target_parse(const char *endpoint, struct target *t, struct ekskit_err *err)
{
	CURLU *u;
	char *host = NULL, *port = NULL, *path = NULL, shown[HTTP_URL_SHOWN_MAX];
	struct ekbuf hb;
	size_t plen;
	int rc = EKSKIT_ERR_NOMEM;

	memset(t, 0, sizeof(*t));
	if (endpoint == NULL || *endpoint == '\0')
		return ekskit_err_set(err, EKSKIT_ERR_CONFIG, "no endpoint URL for the request");
	if ((u = curl_url()) == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	if (curl_url_set(u, CURLUPART_URL, endpoint, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &t->scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK ||
	    (strcmp(t->scheme, "http") != 0 && strcmp(t->scheme, "https") != 0)) {
		rc = ekskit_err_set(err, EKSKIT_ERR_CONFIG,
		    "invalid endpoint URL \"%s\" (want http(s)://host[:port][/path])",
		    http_url_for_message(endpoint, shown, sizeof(shown)));
		goto out;
	}
	/* CURLUPART_PORT without CURLU_DEFAULT_PORT: only an explicit port */
	if (curl_url_get(u, CURLUPART_PORT, &port, 0) != CURLUE_OK)
		port = NULL;
	ekbuf_init(&hb, 1024);
	if (ekbuf_puts(&hb, host) != 0 ||
	    (port != NULL && strcmp(port, strcmp(t->scheme, "https") == 0 ? "443" : "80") != 0 &&
	    ekbuf_printf(&hb, ":%s", port) != 0) ||
	    (t->host = ekbuf_detach(&hb, NULL)) == NULL) {
		ekbuf_release(&hb);
		rc = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	plen = strlen(path);
	while (plen > 0 && path[plen - 1] == '/')
		plen--;
	if ((t->base_path = ek_strndup(path, plen)) == NULL) {
		rc = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	rc = EKSKIT_OK;
out:
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_url_cleanup(u);
	if (rc != EKSKIT_OK)
		target_release(t);
	return rc;
}

/* ---- error responses ---- */

static void
copy_code(char *dst, size_t len, const char *code)
{
	const char *p;
	size_t n;

	if (code == NULL)
		return;
	/* JSON protocols: "aws.protocoltests#FooError" and "FooError:http://..." */
	if ((p = strrchr(code, '#')) != NULL)
		code = p + 1;
	n = strcspn(code, ":");
	while (n > 0 && (code[n - 1] == ' ' || code[n - 1] == '\t'))
		n--;
	snprintf(dst, len, "%.*s", (int)n, code);
}

struct err_info {
	char code[128];
	char message[MAX_ERR_TEXT + 1];
	char request_id[128];
};

/* Printable copy of untrusted text, capped. */
static void
copy_text(char *dst, size_t len, const char *src)
{
	size_t i;

	if (src == NULL)
		return;
	snprintf(dst, len, "%s", src);
	for (i = 0; dst[i] != '\0'; i++)
		if ((unsigned char)dst[i] < 0x20 || dst[i] == 0x7f)
			dst[i] = ' ';
}

static int
looks_like(const struct http_response *r, char first, const char *type_word)
{
	size_t i = 0;

	if (r->content_type != NULL && strstr(r->content_type, type_word) != NULL)
		return 1;
	while (i < r->body.len && (r->body.data[i] == ' ' || r->body.data[i] == '\n' ||
	    r->body.data[i] == '\r' || r->body.data[i] == '\t'))
		i++;
	return i < r->body.len && r->body.data[i] == first;
}

static void
parse_xml_error(const struct http_response *r, struct err_info *e)
{
	struct xml_field f[] = {
		{ "/ErrorResponse/Error/Code", NULL, 0 },
		{ "/ErrorResponse/Error/Message", NULL, 0 },
		{ "/ErrorResponse/RequestId", NULL, 0 },
		{ "/Response/Errors/Error/Code", NULL, 0 },
		{ "/Response/Errors/Error/Message", NULL, 0 },
		{ "/Response/RequestID", NULL, 0 },
		{ "/Error/Code", NULL, 0 },
		{ "/Error/Message", NULL, 0 },
		{ "/Error/RequestId", NULL, 0 },
	};
	const size_t n = sizeof(f) / sizeof(f[0]);
	size_t i;

	if (xml_extract(r->body.data, r->body.len, f, n, NULL) != 0)
		return;
	for (i = 0; i < n; i += 3) {
		if (f[i].value == NULL)
			continue;
		copy_code(e->code, sizeof(e->code), f[i].value);
		copy_text(e->message, sizeof(e->message), f[i + 1].value);
		copy_text(e->request_id, sizeof(e->request_id), f[i + 2].value);
		break;
	}
	xml_fields_release(f, n);
}

static const char *
json_str(json_t *o, const char *a, const char *b)
{
	const char *s = json_string_value(json_object_get(o, a));

	return s ? s : json_string_value(json_object_get(o, b));
}

static void
parse_json_error(const struct http_response *r, struct err_info *e)
{
	json_error_t je;
	json_t *o;

	o = json_loadb(r->body.data, r->body.len, JSON_REJECT_DUPLICATES, &je);
	if (o == NULL)
		return;
	if (json_is_object(o)) {
		copy_code(e->code, sizeof(e->code), json_str(o, "__type", "code"));
		if (e->code[0] == '\0')
			copy_code(e->code, sizeof(e->code), json_str(o, "Code", "errorCode"));
		copy_text(e->message, sizeof(e->message), json_str(o, "message", "Message"));
		if (e->message[0] == '\0')
			copy_text(e->message, sizeof(e->message),
			    json_str(o, "errorMessage", "error_description"));
	}
	json_decref(o);
}

static void
error_info(const struct http_response *r, struct err_info *e)
{
	memset(e, 0, sizeof(*e));
	if (r->body.len > 0 && r->body.data != NULL) {
		if (looks_like(r, '<', "xml"))
			parse_xml_error(r, e);
		else if (looks_like(r, '{', "json"))
			parse_json_error(r, e);
	}
	/* the header is authoritative for REST-JSON services */
	if (r->amzn_error_type != NULL && *r->amzn_error_type != '\0')
		copy_code(e->code, sizeof(e->code), r->amzn_error_type);
	if (e->request_id[0] == '\0')
		copy_text(e->request_id, sizeof(e->request_id), r->amzn_request_id);
}

void
aws_response_error_code(const struct http_response *resp, char *code, size_t len)
{
	struct err_info e;

	if (len == 0)
		return;
	error_info(resp, &e);
	snprintf(code, len, "%s", e.code);
}

int
aws_response_error(const struct http_response *resp, const char *what,
    struct ekskit_err *err)
{
	struct err_info e;
	char tail[256];

	error_info(resp, &e);
	if (e.request_id[0] != '\0')
		snprintf(tail, sizeof(tail), "(HTTP %ld, request id %s)", resp->status,
		    e.request_id);
	else
		snprintf(tail, sizeof(tail), "(HTTP %ld)", resp->status);
	ekskit_err_set_remote(err, resp->status, e.code);
	if (e.code[0] != '\0' && e.message[0] != '\0')
		return ekskit_err_set(err, EKSKIT_ERR_REMOTE, "%s: %s %s", e.code,
		    e.message, tail);
	if (e.code[0] != '\0')
		return ekskit_err_set(err, EKSKIT_ERR_REMOTE, "%s: %s failed %s", e.code,
		    what ? what : "the request", tail);
	return ekskit_err_set(err, EKSKIT_ERR_REMOTE, "%s failed %s",
	    what ? what : "the request", tail);
}

int
aws_is_retryable_code(const char *code)
{
	static const char *const codes[] = {
		/* throttling */
		"Throttling", "ThrottlingException", "ThrottledException",
		"RequestThrottledException", "TooManyRequestsException",
		"ProvisionedThroughputExceededException", "TransactionInProgressException",
		"RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException",
		"RequestThrottled", "SlowDown", "EC2ThrottledException",
		/* transient */
		"RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete",
		"IDPCommunicationError",
	};
	size_t i;

	if (code == NULL || *code == '\0')
		return 0;
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (strcmp(code, codes[i]) == 0)
			return 1;
	return 0;
}

static int
response_is_throttle(const struct http_response *resp)
{
	char code[128];

	aws_response_error_code(resp, code, sizeof(code));
	return aws_is_retryable_code(code);
}

/* ---- requests ---- */

int
aws_query_body(struct ekbuf *out, const char *action, const char *version,
    const struct aws_param *params, size_t nparams)
{
	size_t i;
	int rc;

	if ((rc = ekbuf_puts(out, "Action=")) != 0 ||
	    (rc = http_uri_encode(out, action, strlen(action), 1)) != 0 ||
	    (rc = ekbuf_puts(out, "&Version=")) != 0 ||
	    (rc = http_uri_encode(out, version, strlen(version), 1)) != 0)
		return rc;
	for (i = 0; i < nparams; i++) {
		if (params[i].name == NULL || params[i].value == NULL)
			continue;
		if ((rc = ekbuf_putc(out, '&')) != 0 ||
		    (rc = http_uri_encode(out, params[i].name, strlen(params[i].name), 1)) != 0 ||
		    (rc = ekbuf_putc(out, '=')) != 0 ||
		    (rc = http_uri_encode(out, params[i].value, strlen(params[i].value), 1)) != 0)
			return rc;
	}
	return EKSKIT_OK;
}

struct call {
	const char *method;
	const char *path;           /* full path as sent (base path included) */
	const char *query;          /* or NULL */
	const char *content_type;   /* or NULL (no body) */
	const void *body;
	size_t body_len;
	const char *what;           /* "sts AssumeRole", for messages */
};

/* A request ready to send: URL, headers and signature, owned. */
struct prepared {
	struct ekbuf url;
	struct sigv4_signed sig;
	struct http_header hh[MAX_HEADERS];
	struct http_request req;
};

static void
prepared_release(struct prepared *p)
{
	sigv4_signed_release(&p->sig);
	ekbuf_release(&p->url);
}

/* Build the URL and headers and sign (unless the client is unsigned). */
static int
prepare(const struct aws_client *c, const struct target *t, const struct call *k,
    struct prepared *p, struct ekskit_err *err)
{
	struct sigv4_header sh[1];
	struct sigv4_request sr;
	struct sigv4_params sp;
	size_t nh = 0, nsh = 0;
	int rc;

	memset(p, 0, sizeof(*p));
	ekbuf_init(&p->url, 64 * 1024);
	if (ekbuf_printf(&p->url, "%s://%s%s", t->scheme, t->host, k->path) != 0 ||
	    (k->query && *k->query && ekbuf_printf(&p->url, "?%s", k->query) != 0))
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "%s: request too large", k->what);
	if (k->content_type != NULL) {
		p->hh[nh++] = (struct http_header){ "Content-Type", k->content_type, 0 };
		sh[nsh++] = (struct sigv4_header){ "content-type", k->content_type };
	}
	p->hh[nh++] = (struct http_header){ "Accept",
	    k->content_type && strcmp(k->content_type, JSON_TYPE) == 0 ? JSON_TYPE : "*/*", 0 };
	if (c->creds != NULL) {
		memset(&sr, 0, sizeof(sr));
		sr.method = k->method;
		sr.host = t->host;
		sr.path = k->path;
		sr.query = k->query;
		sr.headers = sh;
		sr.nheaders = nsh;
		sr.body = k->body;
		sr.body_len = k->body_len;
		memset(&sp, 0, sizeof(sp));
		sp.region = c->region;
		sp.service = c->service;
		sp.now = c->clock ? c->clock() : time(NULL);
		sp.normalize_path = 1;
		if ((rc = sigv4_sign_headers(&sr, &sp, c->creds, &p->sig, err)) != EKSKIT_OK) {
			ekskit_err_prefix(err, "signing %s", k->what);
			return rc;  /* the signer's code, also when err is NULL */
		}
		p->hh[nh++] = (struct http_header){ "X-Amz-Date", p->sig.amz_date, 0 };
		p->hh[nh++] = (struct http_header){ "Authorization", p->sig.authorization, 1 };
		if (p->sig.security_token != NULL)
			p->hh[nh++] = (struct http_header){ "X-Amz-Security-Token",
			    p->sig.security_token, 1 };
	}
	p->req.method = k->method;
	p->req.url = p->url.data;
	p->req.headers = p->hh;
	p->req.nheaders = nh;
	p->req.body = k->body;
	p->req.body_len = k->body_len;
	p->req.verbose = c->verbose;
	p->req.is_throttle = response_is_throttle;
	return EKSKIT_OK;
}

/* Sign (unless unsigned), send, and map error responses. */
static int
aws_call(const struct aws_client *c, const struct target *t, const struct call *k,
    struct http_response *resp, struct ekskit_err *err)
{
	struct prepared p;
	int rc;

	if ((rc = prepare(c, t, k, &p, err)) == EKSKIT_OK) {
		if ((rc = http_perform(&p.req, resp, err)) != EKSKIT_OK)
			ekskit_err_prefix(err, "%s", k->what);
		else if (resp->status < 200 || resp->status > 299)
			rc = aws_response_error(resp, k->what, err);
	}
	prepared_release(&p);
	return rc;
}

static int
check_client(const struct aws_client *c, struct ekskit_err *err)
{
	if (c == NULL || c->service == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_INTERNAL, "aws call without a client");
	if (c->creds != NULL && (c->region == NULL || *c->region == '\0'))
		return ekskit_err_set(err, EKSKIT_ERR_CONFIG,
		    "no region for %s: set AWS_REGION or pass --region", c->service);
	return EKSKIT_OK;
}

int
aws_query_call(const struct aws_client *c, const char *action,
    const char *version, const struct aws_param *params, size_t nparams,
    struct http_response *resp, struct ekskit_err *err)
{
	struct target t;
	struct ekbuf body, path, what;
	struct call k;
	int rc;

	memset(resp, 0, sizeof(*resp));
	if ((rc = check_client(c, err)) != EKSKIT_OK)
		return rc;
	if (action == NULL || version == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_INTERNAL, "query call without an action");
	if ((rc = target_parse(c->endpoint, &t, err)) != EKSKIT_OK)
		return rc;
	/* parameters may be secrets (web identity tokens, MFA codes) */
	ekbuf_init_secret(&body, EKBUF_MAX_RESPONSE);
	ekbuf_init(&path, 4096);
	ekbuf_init(&what, 256);
	if (aws_query_body(&body, action, version, params, nparams) != 0 ||
	    ekbuf_printf(&path, "%s/", t.base_path) != 0 ||
	    ekbuf_printf(&what, "%s %s", c->service, action) != 0) {
		rc = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "%s %s: request too large",
		    c->service, action);
		goto out;
	}
	memset(&k, 0, sizeof(k));
	k.method = "POST";
	k.path = path.data;
	k.content_type = FORM_TYPE;
	k.body = body.data;
	k.body_len = body.len;
	k.what = what.data;
	rc = aws_call(c, &t, &k, resp, err);
out:
	ekbuf_release(&body);
	ekbuf_release(&path);
	ekbuf_release(&what);
	target_release(&t);
	return rc;
}

int
aws_rest_json_call(const struct aws_client *c, const char *method,
    const char *path, const char *query, const char *json_body,
    struct http_response *resp, struct ekskit_err *err)
{
	struct target t;
	struct ekbuf full, what;
	struct call k;
	int rc;

	memset(resp, 0, sizeof(*resp));
	if ((rc = check_client(c, err)) != EKSKIT_OK)
		return rc;
	if (method == NULL || path == NULL || path[0] != '/')
		return ekskit_err_set(err, EKSKIT_ERR_INTERNAL, "rest call without a path");
	if ((rc = target_parse(c->endpoint, &t, err)) != EKSKIT_OK)
		return rc;
	ekbuf_init(&full, 64 * 1024);
	ekbuf_init(&what, 1024);
	if (ekbuf_printf(&full, "%s%s", t.base_path, path) != 0 ||
	    ekbuf_printf(&what, "%s %s %s", c->service, method, path) != 0) {
		rc = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "%s: path too long", c->service);
		goto out;
	}
	memset(&k, 0, sizeof(k));
	k.method = method;
	k.path = full.data;
	k.query = query;
	k.content_type = json_body ? JSON_TYPE : NULL;
	k.body = json_body;
	k.body_len = json_body ? strlen(json_body) : 0;
	k.what = what.data;
	rc = aws_call(c, &t, &k, resp, err);
out:
	ekbuf_release(&full);
	ekbuf_release(&what);
	target_release(&t);
	return rc;
}

/* One call of aws_rest_json_call_each: its target, strings and prepared request. */
struct many_slot {
	struct target t;
	struct ekbuf path;
	struct ekbuf what;
	struct call k;
	struct prepared p;
	int prepared;
};

static void
many_slots_release(struct many_slot *s, size_t n)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < n; i++) {
		if (s[i].prepared)
			prepared_release(&s[i].p);
		ekbuf_release(&s[i].path);
		ekbuf_release(&s[i].what);
		target_release(&s[i].t);
	}
	free(s);
}

/* Prepare call i with its own client; its error goes to rcs[i]/errs[i]. */
static int
many_prepare(const struct aws_client *c, const char *method, const char *path,
    const char *query, struct many_slot *s, struct ekskit_err *err)
{
	int rc;

	ekbuf_init(&s->path, 64 * 1024);
	ekbuf_init(&s->what, 1024);
	if ((rc = check_client(c, err)) != EKSKIT_OK ||
	    (rc = target_parse(c->endpoint, &s->t, err)) != EKSKIT_OK)
		return rc;
	if (path == NULL || path[0] != '/')
		return ekskit_err_set(err, EKSKIT_ERR_INTERNAL, "rest call without a path");
	if (ekbuf_printf(&s->path, "%s%s", s->t.base_path, path) != 0 ||
	    ekbuf_printf(&s->what, "%s %s %s", c->service, method, path) != 0)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "%s: path too long", c->service);
	s->k.method = method;
	s->k.path = s->path.data;
	s->k.query = query;
	s->k.what = s->what.data;
	s->prepared = 1;
	return prepare(c, &s->t, &s->k, &s->p, err);
}

/* Send the prepared calls (map[0..nreq) -> slot) and map each answer. */
static void
many_send(struct many_slot *slots, const struct http_request *reqs,
    const size_t *map, size_t nreq, struct http_response *resps, int *rcs,
    struct ekskit_err *errs, int max_parallel)
{
	struct http_response *tmp = calloc(nreq, sizeof(*tmp));
	size_t i, j;

	if (tmp == NULL) {
		for (j = 0; j < nreq; j++)
			rcs[map[j]] = ekskit_err_set(&errs[map[j]], EKSKIT_ERR_NOMEM,
			    "out of memory");
		return;
	}
	(void)http_perform_many(reqs, nreq, tmp, max_parallel, NULL);
	for (j = 0; j < nreq; j++) {
		i = map[j];
		resps[i] = tmp[j];
		if (resps[i].error != 0)
			rcs[i] = ekskit_err_set(&errs[i], resps[i].error, "%s: %s",
			    slots[i].k.what, resps[i].error_msg ?
			    resps[i].error_msg : "request failed");
		else if (resps[i].status < 200 || resps[i].status > 299)
			rcs[i] = aws_response_error(&resps[i], slots[i].k.what, &errs[i]);
	}
	free(tmp);
}

int
aws_rest_json_call_each(const struct aws_client *const *clients,
    const char *method, const char *const *paths, const char *const *queries,
    size_t n, struct http_response *resps, int *rcs, struct ekskit_err *errs,
    int max_parallel)
{
	struct http_request *reqs = NULL;
	struct many_slot *slots = NULL;
	size_t *map = NULL, nreq = 0, i;
	int first = EKSKIT_OK;

	for (i = 0; i < n; i++) {
		memset(&resps[i], 0, sizeof(resps[i]));
		ekskit_err_clear(&errs[i]);
		rcs[i] = EKSKIT_OK;
	}
	if (n == 0)
		return EKSKIT_OK;
	slots = calloc(n, sizeof(*slots));
	reqs = calloc(n, sizeof(*reqs));
	map = calloc(n, sizeof(*map));
	if (slots == NULL || reqs == NULL || map == NULL) {
		for (i = 0; i < n; i++)
			rcs[i] = ekskit_err_set(&errs[i], EKSKIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		rcs[i] = many_prepare(clients[i], method ? method : "GET", paths[i],
		    queries ? queries[i] : NULL, &slots[i], &errs[i]);
		if (rcs[i] == EKSKIT_OK) {
			reqs[nreq] = slots[i].p.req;
			map[nreq++] = i;
		}
	}
	if (nreq > 0)
		many_send(slots, reqs, map, nreq, resps, rcs, errs, max_parallel);
out:
	for (i = 0; i < n; i++)
		if (first == EKSKIT_OK && rcs[i] != EKSKIT_OK)
			first = rcs[i];
	many_slots_release(slots, n);
	free(reqs);
	free(map);
	return first;
}

int
aws_rest_json_call_many(const struct aws_client *c, const char *method,
    const char *const *paths, const char *const *queries, size_t n,
    struct http_response *resps, int *rcs, struct ekskit_err *errs,
    int max_parallel)
{
	const struct aws_client **clients;
	size_t i;
	int rc;

	if (n == 0)
		return EKSKIT_OK;
	if ((clients = calloc(n, sizeof(*clients))) == NULL) {
		for (i = 0; i < n; i++) {
			memset(&resps[i], 0, sizeof(resps[i]));
			rcs[i] = ekskit_err_set(&errs[i], EKSKIT_ERR_NOMEM, "out of memory");
		}
		return EKSKIT_ERR_NOMEM;
	}
	for (i = 0; i < n; i++)
		clients[i] = c;
	rc = aws_rest_json_call_each(clients, method, paths, queries, n, resps,
	    rcs, errs, max_parallel);
	free(clients);
	return rc;
}
