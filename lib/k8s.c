/* Kubernetes API calls over the HTTP layer: see include/ekskit/k8s.h. */
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "json_load.h"
#include "ekskit/buf.h"
#include "ekskit/http.h"
#include "ekskit/k8s.h"

#define K8S_MAX_NAME 253
#define K8S_MAX_TOKEN (64u * 1024)

void
k8s_conn_free(struct k8s_conn *c)
{
	if (c == NULL)
		return;
	free(c->server);
	free(c->ca_pem);
	free(c->tls_server_name);
	free(c->proxy_url);
	free(c->client_cert_pem);
	ek_free_secret(c->client_key_pem);
	ek_free_secret(c->token);
	free(c->exec_id);
	free(c);
}

int
k8s_name_valid(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > K8S_MAX_NAME)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (!(islower(ch) || isdigit(ch) || ch == '-' || ch == '.'))
			return 0;
	}
	return isalnum((unsigned char)s[0]) && isalnum((unsigned char)s[n - 1]);
}

int
k8s_rbac_name_valid(const char *s)
{
	size_t i, n;

	if (s == NULL || (n = strlen(s)) == 0 || n > K8S_MAX_NAME ||
	    strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f ||
		    s[i] == '/' || s[i] == '%')
			return 0;
	return 1;
}

int
k8s_token_valid(const char *s)
{
	size_t i;

	if (s == NULL || *s == '\0')
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (i >= K8S_MAX_TOKEN || (unsigned char)s[i] <= 0x20 ||
		    (unsigned char)s[i] >= 0x7f)
			return 0;
	return 1;
}

void
k8s_json_wipe_string(const char *s)
{
	if (s != NULL)
		OPENSSL_cleanse((void *)(uintptr_t)s, strlen(s));
}

/* A path segment the way client-go sends it: RFC 3986 pchar raw, the rest %XX. */
static int
put_segment(struct ekbuf *b, const char *s)
{
	int r = EKSKIT_OK;

	for (; *s != '\0' && r == EKSKIT_OK; s++) {
		unsigned char ch = (unsigned char)*s;

		if (isalnum(ch) || strchr("-._~!$&'()*+,;=:@", ch) != NULL)
			r = ekbuf_putc(b, (char)ch);
		else
			r = ekbuf_printf(b, "%%%02X", ch);
	}
	return r;
}

int
k8s_path(char **out, struct ekskit_err *err, const char *fmt, ...)
{
	struct ekbuf b;
	const char *p, *arg;
	va_list ap;
	int r = EKSKIT_OK;

	*out = NULL;
	ekbuf_init(&b, 4096);
	va_start(ap, fmt);
	for (p = fmt; *p != '\0' && r == EKSKIT_OK; p++) {
		if (p[0] != '%' || (p[1] != 's' && p[1] != 'S')) {
			r = ekbuf_putc(&b, *p);
			continue;
		}
		p++;
		arg = va_arg(ap, const char *);
		if (*p == 'S') {
			/* RBAC names ("system:auth-delegator") are path segments */
			if (arg == NULL || !k8s_rbac_name_valid(arg)) {
				r = ekskit_err_set(err, EKSKIT_ERR_INVALID,
				    "'%s' is not a valid RBAC object name (no '/', "
				    "'%%', spaces or control characters, at most 253 "
				    "characters)", arg ? arg : "");
				break;
			}
			r = put_segment(&b, arg);
			continue;
		}
		if (arg == NULL || !k8s_name_valid(arg)) {
			r = ekskit_err_set(err, EKSKIT_ERR_INVALID,
			    "'%s' is not a valid Kubernetes name (lowercase letters, "
			    "digits, '-' and '.', at most 253 characters)",
			    arg ? arg : "");
			break;
		}
		/* valid names need no escaping: [a-z0-9.-] are unreserved */
		r = ekbuf_puts(&b, arg);
	}
	va_end(ap);
	if (r == EKSKIT_OK && (*out = ekbuf_detach(&b, NULL)) == NULL)
		r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	ekbuf_release(&b);
	return r;
}

static int
status_to_code(long http_status)
{
	switch (http_status) {
	case 401: case 403: return EKSKIT_ERR_PERM;
	case 404: return EKSKIT_ERR_NOT_FOUND;
	case 408: case 504: return EKSKIT_ERR_TIMEOUT;
	case 400: case 422: return EKSKIT_ERR_INVALID;
	}
	return EKSKIT_ERR_REMOTE;
}

/*
 * The server's text goes to a terminal: control characters (escape
 * sequences, line breaks that fake extra messages) become '?'.
 */
static void
printable_copy(char *dst, size_t dsz, const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 1 < dsz; i++)
		dst[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? '?' : s[i];
	dst[i] = '\0';
}

/* Turn a non-2xx answer (ideally a Status object) into an error. */
static int
k8s_status_error(const struct k8s_conn *c, const char *method, const char *path,
    const struct http_response *resp, struct ekskit_err *err)
{
	const char *message = NULL, *reason = NULL;
	char shown_msg[EKSKIT_ERR_MSG_MAX], shown_reason[64];
	char shown_server[HTTP_URL_SHOWN_MAX];
	int code = status_to_code(resp->status);
	json_t *root;

	root = json_loadb(resp->body.data ? resp->body.data : "", resp->body.len,
	    0, NULL);
	if (root != NULL && json_is_object(root)) {
		message = json_string_value(json_object_get(root, "message"));
		reason = json_string_value(json_object_get(root, "reason"));
	}
	if (reason == NULL)
		reason = resp->status == 401 ? "Unauthorized" :
		    resp->status == 403 ? "Forbidden" :
		    resp->status == 404 ? "NotFound" : "";
	if (message == NULL || *message == '\0')
		message = "the API server refused the request";
	printable_copy(shown_msg, sizeof(shown_msg), message);
	printable_copy(shown_reason, sizeof(shown_reason), reason);
	message = shown_msg;
	reason = shown_reason;
	/* "Unauthorized (Unauthorized, ...)" says nothing twice */
	if (strcmp(message, reason) == 0)
		reason = "";
	ekskit_err_set(err, code, "%s %s on %s: %s (%s%sHTTP %ld)%s", method, path,
	    http_url_for_message(c->server, shown_server, sizeof(shown_server)), message, reason, *reason ? ", " : "", resp->status,
	    resp->status == 401 ? ": the kubeconfig's credentials were not accepted" : "");
	ekskit_err_set_remote(err, resp->status, reason);
	json_decref(root);
	return code;
}

int
k8s_call(const struct k8s_conn *c, const char *method, const char *path,
    json_t *body, json_t **out, struct ekskit_err *err)
{
	struct http_response resp = { 0 };
	struct http_header headers[3];
	struct http_request req = { 0 };
	struct ekbuf url, auth;
	char shown[HTTP_URL_SHOWN_MAX];
	char *body_text = NULL;
	size_t nh = 0;
	int r;

	*out = NULL;
	ekbuf_init(&url, 8192);
	ekbuf_init_secret(&auth, 16384);
	if (ekbuf_printf(&url, "%s%s", c->server, path) != EKSKIT_OK) {
		r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "request path too long");
		goto out;
	}
	headers[nh++] = (struct http_header){ "Accept", "application/json", 0 };
	if (body != NULL) {
		if ((body_text = json_dumps(body, JSON_COMPACT)) == NULL) {
			r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
			goto out;
		}
		headers[nh++] = (struct http_header){ "Content-Type", "application/json", 0 };
	}
	if (c->token != NULL) {
		if (ekbuf_printf(&auth, "Bearer %s", c->token) != EKSKIT_OK) {
			r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "bearer token too long");
			goto out;
		}
		headers[nh++] = (struct http_header){ "Authorization", auth.data, 1 };
	}
	req.method = method;
	req.url = url.data;
	req.headers = headers;
	req.nheaders = nh;
	req.body = body_text;
	req.body_len = body_text ? strlen(body_text) : 0;
	req.timeout_ms = c->timeout_ms ? c->timeout_ms : 30000;
	req.max_attempts = 1;   /* API writes are not idempotent in general */
	req.ca_pem = c->ca_pem;
	req.ca_pem_len = c->ca_pem_len;
	req.client_cert_pem = c->client_cert_pem;
	req.client_key_pem = c->client_key_pem;
	req.tls_server_name = c->tls_server_name;
	req.proxy_url = c->proxy_url;
	req.insecure_skip_verify = c->insecure_skip_verify;
	req.not_aws = 1;        /* the cluster's CA or the system store, never AWS_CA_BUNDLE */
	req.verbose = c->verbose;
	if ((r = http_perform(&req, &resp, err)) != EKSKIT_OK) {
		ekskit_err_prefix(err, "cannot reach the API server %s",
		    http_url_for_message(c->server, shown, sizeof(shown)));
		goto out;
	}
	if (resp.status < 200 || resp.status > 299) {
		r = k8s_status_error(c, method, path, &resp, err);
		goto out;
	}
	/* the answer may be a token: position only in the message */
	if (resp.body.len > 0 && (*out = json_load_private(resp.body.data,
	    resp.body.len, 0, "the API server's answer", err)) == NULL) {
		r = ekskit_err_prefix(err, "%s %s", method, path);
		goto out;
	}
	r = EKSKIT_OK;
out:
	/* answers carry tokens (TokenRequest, token Secrets): wipe the raw body */
	if (resp.body.data != NULL)
		OPENSSL_cleanse(resp.body.data, resp.body.len);
	http_response_release(&resp);
	free(body_text);
	ekbuf_release(&url);
	ekbuf_release(&auth);
	return r;
}

/* Go's time.ParseDuration, restricted to non-negative whole seconds. */
int
k8s_parse_duration(const char *s, long long *seconds, struct ekskit_err *err)
{
	static const struct { const char *unit; double secs; } units[] = {
		{ "ns", 1e-9 }, { "us", 1e-6 }, { "µs", 1e-6 }, { "ms", 1e-3 },
		{ "s", 1 }, { "m", 60 }, { "h", 3600 },
	};
	const char *p = s;
	double total = 0;
	size_t i;

	if (s == NULL || *s == '\0')
		goto bad;
	if (strcmp(s, "0") == 0) {
		*seconds = 0;
		return EKSKIT_OK;
	}
	while (*p != '\0') {
		char *end;
		double v;
		size_t best = 0, bestlen = 0;

		if (!isdigit((unsigned char)*p) && *p != '.')
			goto bad;
		v = strtod(p, &end);
		/* Go takes decimal digits and one '.': no "0x10s", no "1e3s" */
		if (end == p || strspn(p, "0123456789.") != (size_t)(end - p) ||
		    memchr(p, '.', (size_t)(end - p)) !=
		    memrchr(p, '.', (size_t)(end - p)))
			goto bad;
		p = end;
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			size_t l = strlen(units[i].unit);
			if (strncmp(p, units[i].unit, l) == 0 && l > bestlen) {
				best = i;
				bestlen = l;
			}
		}
		if (bestlen == 0)
			goto bad;
		total += v * units[best].secs;
		p += bestlen;
		if (total > 1e12)
			goto bad;
	}
	*seconds = (long long)total;
	return EKSKIT_OK;
bad:
	return ekskit_err_set(err, EKSKIT_ERR_INVALID,
	    "invalid duration '%s': use a Go duration such as 1h, 30m or 2h45m",
	    s ? s : "");
}
