/*
 * The one libcurl wrapper: see include/ekskit/http.h for the contract
 * (TLS, proxies, AWS standard retries, the loopback test guard, verbose
 * output without secrets).
 *
 * Every transfer, single or parallel, goes through the same multi-interface
 * loop (http_perform is http_perform_many with n = 1), so retries, the guard
 * and logging have one implementation.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "ekskit/http.h"
#include "ekskit/timeutil.h"
#include "testhook.h"
#include "ekskit/termsafe.h"

#define RETRY_BASE_MS		100.0	/* transient errors */
#define RETRY_THROTTLE_BASE_MS	500.0	/* throttling */
#define RETRY_MAX_BACKOFF_MS	20000.0
#define DEFAULT_PARALLEL	8
#define HOST_MAX		256

#ifndef EKSKIT_VERSION
#define EKSKIT_VERSION "0"
#endif

/* One request's state across its attempts. */
struct xfer {
	const struct http_request *req;
	struct http_response *resp;
	CURL *h;
	struct curl_slist *headers;
	struct curl_slist *connect_to;
	char *url;                      /* URL given to libcurl (rewritten for tls_server_name) */
	char *log_url;                  /* redacted URL for logs and messages */
	char host[HOST_MAX];            /* host we connect to, for messages */
	char errbuf[CURL_ERROR_SIZE];
	int max_attempts;
	int attempt;                    /* attempts started */
	int quota_spent;                /* retry quota taken by this request's retries */
	int refused;                    /* the loopback guard refused a socket */
	int too_big;                    /* the body hit its cap */
	int active;                     /* currently in the multi handle */
	int done;
	double not_before;              /* monotonic ms: earliest next attempt */
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc = CURLE_FAILED_INIT;

static void
curl_init_once(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static double
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* ---- loopback test guard ---- */

int
http_loopback_only(void)
{
	const char *v = getenv("EKSKIT_TEST_LOOPBACK_ONLY");

	return v != NULL && strcmp(v, "1") == 0;
}

int
http_loopback_host_ok(const char *host)
{
	struct in_addr a4;

	if (host == NULL)
		return 0;
	if (strcasecmp(host, "localhost") == 0 || strcmp(host, "[::1]") == 0)
		return 1;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	return 0;
}

int
http_loopback_addr_ok(const struct sockaddr *sa)
{
	static const unsigned char v4mapped[12] =
	    { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	const struct sockaddr_in *s4;
	const struct sockaddr_in6 *s6;

	if (sa == NULL)
		return 0;
	if (sa->sa_family == AF_INET) {
		s4 = (const struct sockaddr_in *)(const void *)sa;
		return (ntohl(s4->sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->sa_family == AF_INET6) {
		s6 = (const struct sockaddr_in6 *)(const void *)sa;
		if (IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr))
			return 1;
		return memcmp(s6->sin6_addr.s6_addr, v4mapped, 12) == 0 &&
		    s6->sin6_addr.s6_addr[12] == 127;
	}
	return 0;
}

static void
guard_shout(const char *host, const char *detail)
{
	term_printf(stderr, "EKSKIT_TEST_LOOPBACK_ONLY: refusing connection to %s%s\n",
	    host, detail);
}

/* Second layer: every socket libcurl opens passes through here. */
static curl_socket_t
guard_open_socket(void *clientp, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct xfer *x = clientp;
	char addr[INET6_ADDRSTRLEN + 8] = "?";
	char detail[INET6_ADDRSTRLEN + 16];
	const void *raw = NULL;

	(void)purpose;
	if (!http_loopback_addr_ok(&a->addr)) {
		if (a->family == AF_INET)
			raw = &((const struct sockaddr_in *)(const void *)&a->addr)->sin_addr;
		else if (a->family == AF_INET6)
			raw = &((const struct sockaddr_in6 *)(const void *)&a->addr)->sin6_addr;
		if (raw != NULL)
			inet_ntop(a->family, raw, addr, sizeof(addr));
		snprintf(detail, sizeof(detail), " (address %s)", addr);
		guard_shout(x->host, detail);
		x->refused = 1;
		return CURL_SOCKET_BAD;
	}
	return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

/* ---- encoding and redaction ---- */

int
http_uri_encode(struct ekbuf *out, const char *s, size_t n, int encode_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char c;
	char esc[3];
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
		    c == '~' || (c == '/' && !encode_slash)) {
			rc = ekbuf_putc(out, (char)c);
		} else {
			esc[0] = '%';
			esc[1] = hex[c >> 4];
			esc[2] = hex[c & 15];
			rc = ekbuf_append(out, esc, 3);
		}
		if (rc != 0)
			return rc;
	}
	return EKSKIT_OK;
}

static int
name_contains(const char *name, size_t len, const char *needle)
{
	size_t nl = strlen(needle), i;

	for (i = 0; i + nl <= len; i++)
		if (strncasecmp(name + i, needle, nl) == 0)
			return 1;
	return 0;
}

static int
secret_param_name(const char *name, size_t len)
{
	return name_contains(name, len, "signature") ||
	    name_contains(name, len, "token") ||
	    name_contains(name, len, "secret") ||
	    name_contains(name, len, "password");
}

/* Append the query part q[0..len) with secret values replaced. */
static int
redact_query(struct ekbuf *out, const char *q, size_t len)
{
	size_t i = 0, end, name_end;
	int rc = 0;

	while (i < len && rc == 0) {
		end = i;
		while (end < len && q[end] != '&')
			end++;
		name_end = i;
		while (name_end < end && q[name_end] != '=')
			name_end++;
		if (name_end < end && secret_param_name(q + i, name_end - i)) {
			rc = ekbuf_append(out, q + i, name_end - i + 1);
			if (rc == 0)
				rc = ekbuf_puts(out, "REDACTED");
		} else {
			rc = ekbuf_append(out, q + i, end - i);
		}
		if (rc == 0 && end < len)
			rc = ekbuf_putc(out, '&');
		i = end + 1;
	}
	return rc;
}

int
http_redact_url(const char *url, struct ekbuf *out)
{
	const char *p, *auth, *auth_end, *at, *q, *frag;
	int rc;

	if (url == NULL)
		return ekbuf_puts(out, "(null)");
	p = strstr(url, "://");
	auth = p ? p + 3 : url;
	auth_end = auth + strcspn(auth, "/?#");
	at = memchr(auth, '@', (size_t)(auth_end - auth));
	if (at != NULL) {
		/* userinfo may carry a password: keep neither */
		if ((rc = ekbuf_append(out, url, (size_t)(auth - url))) != 0 ||
		    (rc = ekbuf_puts(out, "REDACTED@")) != 0)
			return rc;
		url = at + 1;
	}
	q = strchr(url, '?');
	if (q == NULL)
		return ekbuf_puts(out, url);
	if ((rc = ekbuf_append(out, url, (size_t)(q - url) + 1)) != 0)
		return rc;
	q++;
	frag = strchr(q, '#');
	if ((rc = redact_query(out, q, frag ? (size_t)(frag - q) : strlen(q))) != 0)
		return rc;
	return frag ? ekbuf_puts(out, frag) : 0;
}

const char *
http_url_for_message(const char *url, char *buf, size_t len)
{
	struct ekbuf b;

	if (len == 0)
		return buf;
	ekbuf_init(&b, 64 * 1024);
	if (http_redact_url(url, &b) == 0 && b.data != NULL)
		snprintf(buf, len, "%s", b.data);
	else
		snprintf(buf, len, "(url too long)");
	ekbuf_release(&b);
	return buf;
}

int
http_header_is_secret(const struct http_header *h)
{
	static const char *const names[] = {
		"authorization", "proxy-authorization", "cookie", "set-cookie",
		"x-amz-security-token",
	};
	size_t i, len;

	if (h == NULL || h->secret)
		return 1;
	if (h->name == NULL)
		return 0;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(h->name, names[i]) == 0)
			return 1;
	len = strlen(h->name);
	return name_contains(h->name, len, "token") ||
	    name_contains(h->name, len, "secret") ||
	    name_contains(h->name, len, "password");
}

/* ---- responses ---- */

static void
response_init(struct http_response *r)
{
	memset(r, 0, sizeof(*r));
	/* bodies carry credentials (STS, IMDS, SSO): wipe every copy */
	ekbuf_init_secret(&r->body, EKBUF_MAX_RESPONSE);
}

static void
response_reset(struct http_response *r)
{
	ekbuf_reset(&r->body);
	free(r->content_type);
	free(r->amzn_request_id);
	free(r->amzn_error_type);
	free(r->error_msg);
	r->content_type = r->amzn_request_id = r->amzn_error_type = NULL;
	r->error_msg = NULL;
	r->status = 0;
	r->error = 0;
}

void
http_response_release(struct http_response *resp)
{
	if (resp == NULL)
		return;
	response_reset(resp);
	ekbuf_release(&resp->body);
	resp->attempts = 0;
}

static char *
header_copy(CURL *h, const char *name)
{
	struct curl_header *hv;

	if (curl_easy_header(h, name, 0, CURLH_HEADER, -1, &hv) != CURLHE_OK)
		return NULL;
	return ek_strdup(hv->value);
}

static size_t
write_body(char *p, size_t size, size_t nmemb, void *userdata)
{
	struct xfer *x = userdata;
	size_t n = size * nmemb;

	if (n > 0 && ekbuf_append(&x->resp->body, p, n) != 0) {
		x->too_big = 1;
		return 0;
	}
	return n;
}

/* ---- setting up a transfer ---- */

static int
resolve_max_attempts(const struct http_request *req)
{
	const char *v;
	char *end;
	long n;

	if (req->max_attempts > 0)
		return req->max_attempts > HTTP_MAX_MAX_ATTEMPTS ?
		    HTTP_MAX_MAX_ATTEMPTS : req->max_attempts;
	v = getenv("AWS_MAX_ATTEMPTS");
	if (v != NULL && *v != '\0') {
		n = strtol(v, &end, 10);
		if (*end == '\0' && n >= 1)
			return n > HTTP_MAX_MAX_ATTEMPTS ? HTTP_MAX_MAX_ATTEMPTS : (int)n;
	}
	return HTTP_DEFAULT_MAX_ATTEMPTS;
}

static int
xfer_fail(struct xfer *x, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
xfer_fail(struct xfer *x, int code, const char *fmt, ...)
{
	char msg[EKSKIT_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	x->resp->status = 0;
	x->resp->error = code;
	free(x->resp->error_msg);
	x->resp->error_msg = ek_strdup(msg);
	x->resp->attempts = x->attempt;
	x->done = 1;
	return code;
}

static int
has_header(const struct http_request *req, const char *name)
{
	size_t i;

	for (i = 0; i < req->nheaders; i++)
		if (req->headers[i].name && strcasecmp(req->headers[i].name, name) == 0)
			return 1;
	return 0;
}

static int
add_header(struct curl_slist **list, const char *name, const char *value)
{
	struct ekbuf line;
	struct curl_slist *n;

	/* a line break would start another header (or the body): never send one */
	if (strpbrk(name, "\r\n:") != NULL || (value != NULL && strpbrk(value, "\r\n") != NULL))
		return EKSKIT_ERR_INVALID;
	ekbuf_init_secret(&line, 64 * 1024);
	/* "Name;" is libcurl's way to send a header with an empty value */
	if ((value == NULL || *value == '\0') ?
	    ekbuf_printf(&line, "%s;", name) :
	    ekbuf_printf(&line, "%s: %s", name, value)) {
		ekbuf_release(&line);
		return EKSKIT_ERR_NOMEM;
	}
	n = curl_slist_append(*list, line.data);
	ekbuf_release(&line);
	if (n == NULL)
		return EKSKIT_ERR_NOMEM;
	*list = n;
	return EKSKIT_OK;
}

/* curl_slist_free_all does not wipe: headers carry signatures and tokens. */
static void
slist_free_wiped(struct curl_slist *l)
{
	struct curl_slist *s;

	for (s = l; s != NULL; s = s->next)
		if (s->data != NULL)
			OPENSSL_cleanse(s->data, strlen(s->data));
	curl_slist_free_all(l);
}

/*
 * Split the URL (libcurl's parser), apply the guard's first layer and the
 * tls_server_name rewrite: the URL names the server as tls_server_name (so
 * SNI and certificate verification use it) and CURLOPT_CONNECT_TO sends the
 * connection to the real host and port.
 */
static int
xfer_parse_url(struct xfer *x)
{
	const struct http_request *req = x->req;
	CURLU *u = curl_url();
	char *host = NULL, *port = NULL, *scheme = NULL, *nurl = NULL;
	struct ekbuf ct;
	int rc = EKSKIT_ERR_NOMEM;

	if (u == NULL)
		return xfer_fail(x, EKSKIT_ERR_NOMEM, "out of memory");
	if (curl_url_set(u, CURLUPART_URL, req->url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK) {
		rc = xfer_fail(x, EKSKIT_ERR_INVALID, "invalid URL %s", x->log_url);
		goto out;
	}
	if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0) {
		rc = xfer_fail(x, EKSKIT_ERR_INVALID,
		    "unsupported URL scheme %s in %s (want http or https)", scheme, x->log_url);
		goto out;
	}
	snprintf(x->host, sizeof(x->host), "%s", host);
	if (http_loopback_only() && !http_loopback_host_ok(host)) {
		guard_shout(host, "");
		rc = xfer_fail(x, EKSKIT_ERR_NETWORK,
		    "EKSKIT_TEST_LOOPBACK_ONLY refused the connection to %s", host);
		goto out;
	}
	if (req->tls_server_name != NULL && *req->tls_server_name != '\0') {
		if (curl_url_set(u, CURLUPART_HOST, req->tls_server_name, 0) != CURLUE_OK ||
		    curl_url_get(u, CURLUPART_URL, &nurl, 0) != CURLUE_OK) {
			rc = xfer_fail(x, EKSKIT_ERR_INVALID, "invalid tls server name %s",
			    req->tls_server_name);
			goto out;
		}
		ekbuf_init(&ct, 1024);
		if (ekbuf_printf(&ct, "%s:%s:%s:%s", req->tls_server_name, port, host, port) ||
		    (x->connect_to = curl_slist_append(NULL, ct.data)) == NULL) {
			ekbuf_release(&ct);
			rc = xfer_fail(x, EKSKIT_ERR_NOMEM, "out of memory");
			goto out;
		}
		ekbuf_release(&ct);
		/* the Host header still names the server the URL names */
		if (!has_header(req, "Host")) {
			ekbuf_init(&ct, 1024);
			if (ekbuf_puts(&ct, host) ||
			    (strcmp(port, strcmp(scheme, "https") == 0 ? "443" : "80") != 0 &&
			    ekbuf_printf(&ct, ":%s", port)) ||
			    add_header(&x->headers, "Host", ct.data)) {
				ekbuf_release(&ct);
				rc = xfer_fail(x, EKSKIT_ERR_NOMEM, "out of memory");
				goto out;
			}
			ekbuf_release(&ct);
		}
		x->url = ek_strdup(nurl);
	} else {
		x->url = ek_strdup(req->url);
	}
	rc = x->url ? EKSKIT_OK : xfer_fail(x, EKSKIT_ERR_NOMEM, "out of memory");
out:
	curl_free(host);
	curl_free(port);
	curl_free(scheme);
	curl_free(nurl);
	curl_url_cleanup(u);
	return rc;
}

static int
xfer_set_tls(struct xfer *x)
{
	const struct http_request *req = x->req;
	/* AWS_CA_BUNDLE is the AWS CLI's setting: AWS endpoints only */
	const char *bundle = req->not_aws ? NULL : getenv("AWS_CA_BUNDLE");
	struct curl_blob blob;
	CURLcode c = CURLE_OK;

	if (req->insecure_skip_verify) {
		c |= curl_easy_setopt(x->h, CURLOPT_SSL_VERIFYPEER, 0L);
		c |= curl_easy_setopt(x->h, CURLOPT_SSL_VERIFYHOST, 0L);
	} else {
		c |= curl_easy_setopt(x->h, CURLOPT_SSL_VERIFYPEER, 1L);
		c |= curl_easy_setopt(x->h, CURLOPT_SSL_VERIFYHOST, 2L);
	}
	if (req->ca_pem != NULL && req->ca_pem_len > 0) {
		blob.data = (void *)(uintptr_t)req->ca_pem;
		blob.len = req->ca_pem_len;
		blob.flags = CURL_BLOB_COPY;
		c |= curl_easy_setopt(x->h, CURLOPT_CAINFO_BLOB, &blob);
	} else if (req->ca_file != NULL && *req->ca_file != '\0') {
		c |= curl_easy_setopt(x->h, CURLOPT_CAINFO, req->ca_file);
	} else if (bundle != NULL && *bundle != '\0') {
		c |= curl_easy_setopt(x->h, CURLOPT_CAINFO, bundle);
	}
	if (req->client_cert_pem != NULL) {
		blob.data = (void *)(uintptr_t)req->client_cert_pem;
		blob.len = strlen(req->client_cert_pem);
		blob.flags = CURL_BLOB_COPY;
		c |= curl_easy_setopt(x->h, CURLOPT_SSLCERT_BLOB, &blob);
		c |= curl_easy_setopt(x->h, CURLOPT_SSLCERTTYPE, "PEM");
	}
	if (req->client_key_pem != NULL) {
		/* not copied: the key stays in the caller's (wiped) memory */
		blob.data = (void *)(uintptr_t)req->client_key_pem;
		blob.len = strlen(req->client_key_pem);
		blob.flags = CURL_BLOB_NOCOPY;
		c |= curl_easy_setopt(x->h, CURLOPT_SSLKEY_BLOB, &blob);
		c |= curl_easy_setopt(x->h, CURLOPT_SSLKEYTYPE, "PEM");
	}
	return c == CURLE_OK ? EKSKIT_OK : EKSKIT_ERR_INTERNAL;
}

static int
method_has_body(const char *m)
{
	return strcmp(m, "POST") == 0 || strcmp(m, "PUT") == 0 || strcmp(m, "PATCH") == 0;
}

static int
xfer_set_method(struct xfer *x)
{
	const struct http_request *req = x->req;
	const char *m = req->method ? req->method : "GET";
	CURLcode c = CURLE_OK;

	if (strcmp(m, "HEAD") == 0) {
		c |= curl_easy_setopt(x->h, CURLOPT_NOBODY, 1L);
	} else if (req->body == NULL && !method_has_body(m)) {
		/* GET, DELETE, ... without a body: no Content-Length, no Content-Type */
		c |= curl_easy_setopt(x->h, CURLOPT_HTTPGET, 1L);
		if (strcmp(m, "GET") != 0)
			c |= curl_easy_setopt(x->h, CURLOPT_CUSTOMREQUEST, m);
	} else {
		c |= curl_easy_setopt(x->h, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)(req->body ? req->body_len : 0));
		c |= curl_easy_setopt(x->h, CURLOPT_POSTFIELDS,
		    req->body ? (const char *)req->body : "");
		if (strcmp(m, "POST") != 0)
			c |= curl_easy_setopt(x->h, CURLOPT_CUSTOMREQUEST, m);
	}
	return c == CURLE_OK ? EKSKIT_OK : EKSKIT_ERR_INTERNAL;
}

static int
xfer_prepare(struct xfer *x, const struct http_request *req,
    struct http_response *resp)
{
	struct ekbuf lu;
	CURLcode c = CURLE_OK;
	size_t i;
	int rc;

	x->req = req;
	x->resp = resp;
	x->max_attempts = resolve_max_attempts(req);
	ekbuf_init(&lu, 64 * 1024);
	if (http_redact_url(req->url, &lu) != 0 || (x->log_url = ekbuf_detach(&lu, NULL)) == NULL) {
		ekbuf_release(&lu);
		return xfer_fail(x, EKSKIT_ERR_NOMEM, "out of memory");
	}
	if (req->url == NULL)
		return xfer_fail(x, EKSKIT_ERR_INVALID, "no URL given");
	if ((rc = xfer_parse_url(x)) != 0)
		return rc;
	for (i = 0; i < req->nheaders; i++) {
		if (req->headers[i].name == NULL)
			continue;
		if ((rc = add_header(&x->headers, req->headers[i].name,
		    req->headers[i].value)) == EKSKIT_ERR_INVALID)
			return xfer_fail(x, rc, "refusing to send header %s to %s: "
			    "its value holds a line break", req->headers[i].name, x->host);
		if (rc != EKSKIT_OK)
			return xfer_fail(x, EKSKIT_ERR_NOMEM, "out of memory");
	}
	/* no "Expect: 100-continue" round trip for our small bodies */
	if (!has_header(req, "Expect")) {
		struct curl_slist *l = curl_slist_append(x->headers, "Expect:");

		if (l == NULL)
			return xfer_fail(x, EKSKIT_ERR_NOMEM, "out of memory");
		x->headers = l;
	}

	if ((x->h = curl_easy_init()) == NULL)
		return xfer_fail(x, EKSKIT_ERR_NOMEM, "cannot create a libcurl handle");
	c |= curl_easy_setopt(x->h, CURLOPT_PRIVATE, x);
	c |= curl_easy_setopt(x->h, CURLOPT_URL, x->url);
#if LIBCURL_VERSION_NUM >= 0x075500
	c |= curl_easy_setopt(x->h, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
	c |= curl_easy_setopt(x->h, CURLOPT_NOSIGNAL, 1L);
	c |= curl_easy_setopt(x->h, CURLOPT_FOLLOWLOCATION, 0L);
	/* a dripping server is cut off (the time limits are set per attempt) */
	c |= curl_easy_setopt(x->h, CURLOPT_LOW_SPEED_LIMIT, HTTP_LOW_SPEED_BYTES);
	c |= curl_easy_setopt(x->h, CURLOPT_LOW_SPEED_TIME, test_hook_long(
	    "EKSKIT_TEST_LOW_SPEED_TIME_S", HTTP_LOW_SPEED_TIME_S, HTTP_LOW_SPEED_TIME_S));
	c |= curl_easy_setopt(x->h, CURLOPT_WRITEFUNCTION, write_body);
	c |= curl_easy_setopt(x->h, CURLOPT_WRITEDATA, x);
	c |= curl_easy_setopt(x->h, CURLOPT_ERRORBUFFER, x->errbuf);
	c |= curl_easy_setopt(x->h, CURLOPT_USERAGENT, "ekskit/" EKSKIT_VERSION);
	c |= curl_easy_setopt(x->h, CURLOPT_HTTPHEADER, x->headers);
	if (x->connect_to != NULL)
		c |= curl_easy_setopt(x->h, CURLOPT_CONNECT_TO, x->connect_to);
	if (http_loopback_only()) {
		c |= curl_easy_setopt(x->h, CURLOPT_OPENSOCKETFUNCTION, guard_open_socket);
		c |= curl_easy_setopt(x->h, CURLOPT_OPENSOCKETDATA, x);
		/* "" disables every proxy, the environment's included */
		c |= curl_easy_setopt(x->h, CURLOPT_PROXY, "");
		c |= curl_easy_setopt(x->h, CURLOPT_NOPROXY, "*");
	} else if (req->proxy_url != NULL) {
		c |= curl_easy_setopt(x->h, CURLOPT_PROXY, req->proxy_url);
	}
	if (c != CURLE_OK || xfer_set_tls(x) != 0 || xfer_set_method(x) != 0)
		return xfer_fail(x, EKSKIT_ERR_INTERNAL,
		    "libcurl rejected an option for %s (libcurl too old?)", x->host);
	return EKSKIT_OK;
}

static void
xfer_release(struct xfer *x)
{
	if (x->h != NULL)
		curl_easy_cleanup(x->h);
	slist_free_wiped(x->headers);
	curl_slist_free_all(x->connect_to);
	free(x->url);
	free(x->log_url);
	memset(x, 0, sizeof(*x));
}

/* ---- attempts ---- */

static void
log_request(const struct xfer *x)
{
	const struct http_request *req = x->req;
	size_t i;

	term_printf(stderr, "ekskit: http: > %s %s (attempt %d/%d)\n",
	    req->method ? req->method : "GET", x->log_url, x->attempt, x->max_attempts);
	if (x->attempt > 1)
		return;
	if (req->tls_server_name)
		term_printf(stderr, "ekskit: http: > tls server name %s\n", req->tls_server_name);
	if (req->insecure_skip_verify)
		term_printf(stderr, "ekskit: http: > TLS verification DISABLED for %s\n", x->host);
	for (i = 0; i < req->nheaders; i++) {
		if (req->headers[i].name == NULL)
			continue;
		term_printf(stderr, "ekskit: http: > %s: %s\n", req->headers[i].name,
		    http_header_is_secret(&req->headers[i]) ? "REDACTED" :
		    (req->headers[i].value ? req->headers[i].value : ""));
	}
}

static void
log_result(const struct xfer *x, const char *what)
{
	curl_off_t us = 0;
	const struct http_response *r = x->resp;

	curl_easy_getinfo(x->h, CURLINFO_TOTAL_TIME_T, &us);
	if (what != NULL) {
		term_printf(stderr, "ekskit: http: < %s after %.1f ms\n", what, (double)us / 1000.0);
		return;
	}
	term_printf(stderr, "ekskit: http: < %ld %s, %zu bytes in %.1f ms%s%s\n", r->status,
	    r->content_type ? r->content_type : "-", r->body.len, (double)us / 1000.0,
	    r->amzn_request_id ? ", request id " : "",
	    r->amzn_request_id ? r->amzn_request_id : "");
}

/* Per attempt: the request's limits, cut to what the run's deadline leaves. */
static int
xfer_set_time_limits(struct xfer *x)
{
	const struct http_request *req = x->req;
	long total = timeutil_cap_ms(req->timeout_ms > 0 ? req->timeout_ms :
	    HTTP_DEFAULT_TIMEOUT_MS);
	long conn = timeutil_cap_ms(req->connect_timeout_ms > 0 ?
	    req->connect_timeout_ms : HTTP_DEFAULT_CONNECT_TIMEOUT_MS);
	CURLcode c = CURLE_OK;

	if (total <= 0 || conn <= 0)
		return xfer_fail(x, EKSKIT_ERR_TIMEOUT, "gave up on %s: the time "
		    "limit of the whole run was reached", x->host);
	c |= curl_easy_setopt(x->h, CURLOPT_CONNECTTIMEOUT_MS, conn);
	c |= curl_easy_setopt(x->h, CURLOPT_TIMEOUT_MS, total);
	return c == CURLE_OK ? EKSKIT_OK : xfer_fail(x, EKSKIT_ERR_INTERNAL,
	    "libcurl rejected a time limit for %s", x->host);
}

static int
xfer_start(struct xfer *x, CURLM *m)
{
	int rc;

	if ((rc = xfer_set_time_limits(x)) != EKSKIT_OK)
		return rc;
	x->attempt++;
	x->refused = 0;
	x->too_big = 0;
	x->errbuf[0] = '\0';
	response_reset(x->resp);
	if (x->req->verbose)
		log_request(x);
	if (curl_multi_add_handle(m, x->h) != CURLM_OK)
		return xfer_fail(x, EKSKIT_ERR_INTERNAL, "cannot start a transfer to %s", x->host);
	x->active = 1;
	return EKSKIT_OK;
}

static double
random_unit(void)
{
	uint32_t r;

	if (RAND_bytes((unsigned char *)&r, sizeof(r)) != 1)
		r = (uint32_t)rand();
	return (double)r / 4294967296.0;
}

/* Full jitter: uniform in [0, min(cap, base * 2^(attempt-1))). */
static double
backoff_ms(int attempt, int throttled)
{
	double ceiling = throttled ? RETRY_THROTTLE_BASE_MS : RETRY_BASE_MS;
	int i;

	for (i = 1; i < attempt && ceiling < RETRY_MAX_BACKOFF_MS; i++)
		ceiling *= 2;
	if (ceiling > RETRY_MAX_BACKOFF_MS)
		ceiling = RETRY_MAX_BACKOFF_MS;
	return random_unit() * ceiling;
}

static int
retryable_status(long status)
{
	return status == 500 || status == 502 || status == 503 || status == 504;
}

static int
retryable_curl(CURLcode rc)
{
	switch (rc) {
	/* not CURLE_OPERATION_TIMEDOUT: a stalled or dripping server is not
	 * asked again (kubectl is waiting); throttling and 5xx are */
	case CURLE_COULDNT_CONNECT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return 1;
	default:
		return 0;
	}
}

/* What to check, naming the trust source the request actually used. */
static const char *
curl_hint(CURLcode rc, const struct http_request *req)
{
	int own_ca = req->ca_pem != NULL || req->ca_file != NULL || req->not_aws;

	switch (rc) {
	case CURLE_PEER_FAILED_VERIFICATION:
		return own_ca ?
		    " (the server certificate did not verify against the cluster's CA: check certificate-authority(-data))" :
		    " (the server certificate did not verify: check AWS_CA_BUNDLE)";
	case CURLE_SSL_CACERT_BADFILE:
		return own_ca ? " (cannot read the cluster's CA: check certificate-authority(-data))" :
		    " (cannot read the CA bundle: check AWS_CA_BUNDLE)";
	case CURLE_COULDNT_RESOLVE_HOST:
		return " (check the endpoint, region and DNS)";
	case CURLE_COULDNT_RESOLVE_PROXY:
		return " (check the proxy settings)";
	default:
		return "";
	}
}

/*
 * The standard mode's retry quota, one per process: a retry costs 5 tokens
 * (10 after a timeout), a success gives back what its retries cost (or 1
 * when it needed none); with the bucket empty, failures are not retried.
 * It stops a process from hammering a service that is down.
 */
static pthread_mutex_t quota_lock = PTHREAD_MUTEX_INITIALIZER;
static int quota_tokens = HTTP_RETRY_QUOTA;

static int
quota_take(int cost)
{
	int ok;

	pthread_mutex_lock(&quota_lock);
	ok = quota_tokens >= cost;
	if (ok)
		quota_tokens -= cost;
	pthread_mutex_unlock(&quota_lock);
	return ok;
}

static void
quota_give(int amount)
{
	pthread_mutex_lock(&quota_lock);
	quota_tokens += amount;
	if (quota_tokens > HTTP_RETRY_QUOTA)
		quota_tokens = HTTP_RETRY_QUOTA;
	pthread_mutex_unlock(&quota_lock);
}

int
http_retry_quota(void)
{
	int n;

	pthread_mutex_lock(&quota_lock);
	n = quota_tokens;
	pthread_mutex_unlock(&quota_lock);
	return n;
}

/* Retry if the attempt was retryable, attempts remain and the quota allows. */
static int
may_retry(struct xfer *x, int retryable, int timed_out)
{
	int cost = timed_out ? HTTP_RETRY_COST_TIMEOUT : HTTP_RETRY_COST;

	if (!retryable || x->attempt >= x->max_attempts ||
	    timeutil_deadline_passed() || !quota_take(cost))
		return 0;
	x->quota_spent += cost;
	return 1;
}

/*
 * One attempt finished.  Decide: final (done = 1) or retry later.  The
 * response of the last attempt is what the caller sees.
 */
static void
xfer_attempt_done(struct xfer *x, CURLcode rc)
{
	struct http_response *r = x->resp;
	int retry = 0, throttled = 0;
	char what[CURL_ERROR_SIZE + 64];

	x->active = 0;
	if (x->refused) {
		if (x->req->verbose)
			log_result(x, "refused by EKSKIT_TEST_LOOPBACK_ONLY");
		xfer_fail(x, EKSKIT_ERR_NETWORK,
		    "EKSKIT_TEST_LOOPBACK_ONLY refused the connection to %s", x->host);
		return;
	}
	if (rc == CURLE_OK) {
		curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &r->status);
		r->content_type = header_copy(x->h, "Content-Type");
		r->amzn_request_id = header_copy(x->h, "x-amzn-RequestId");
		if (r->amzn_request_id == NULL)
			r->amzn_request_id = header_copy(x->h, "x-amz-request-id");
		r->amzn_error_type = header_copy(x->h, "x-amzn-ErrorType");
		if (x->req->verbose)
			log_result(x, NULL);
		if (r->status == 429) {
			retry = throttled = 1;
		} else if (retryable_status(r->status)) {
			retry = 1;
		} else if (r->status >= 400 && r->status < 500 && x->req->is_throttle &&
		    x->req->is_throttle(r)) {
			retry = throttled = 1;
		}
		if (!may_retry(x, retry, 0)) {
			if (r->status < 400)
				quota_give(x->quota_spent ? x->quota_spent : 1);
			r->attempts = x->attempt;
			x->done = 1;
			return;
		}
	} else {
		snprintf(what, sizeof(what), "%s",
		    x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc));
		if (x->req->verbose)
			log_result(x, what);
		if (x->too_big) {
			xfer_fail(x, EKSKIT_ERR_NOMEM,
			    "response from %s is larger than %u bytes", x->host,
			    (unsigned)EKBUF_MAX_RESPONSE);
			return;
		}
		if (!may_retry(x, retryable_curl(rc), rc == CURLE_OPERATION_TIMEDOUT)) {
			if (rc == CURLE_OPERATION_TIMEDOUT)
				xfer_fail(x, EKSKIT_ERR_TIMEOUT,
				    "request to %s timed out after %d attempt%s: %s", x->host,
				    x->attempt, x->attempt == 1 ? "" : "s", what);
			else
				xfer_fail(x, EKSKIT_ERR_NETWORK,
				    "request to %s failed after %d attempt%s: %s%s", x->host,
				    x->attempt, x->attempt == 1 ? "" : "s", what, curl_hint(rc, x->req));
			return;
		}
	}
	x->not_before = mono_ms() + backoff_ms(x->attempt, throttled);
	if (x->req->verbose)
		term_printf(stderr, "ekskit: http: retrying %s in %.0f ms\n", x->host,
		    x->not_before - mono_ms());
}

/* Start what may start now (up to max_parallel transfers at once). */
static void
start_ready(struct xfer *xs, size_t n, CURLM *m, size_t *active, size_t max_parallel,
    size_t *left)
{
	double now = mono_ms();
	size_t i;

	for (i = 0; i < n && *active < max_parallel; i++) {
		struct xfer *x = &xs[i];

		if (x->done || x->active || x->not_before > now)
			continue;
		if (xfer_start(x, m) != 0) {
			(*left)--;
			continue;
		}
		(*active)++;
	}
}

/* How long the loop may sleep: until the earliest waiting retry, at most 1 s. */
static int
poll_timeout(const struct xfer *xs, size_t n, size_t active, size_t max_parallel)
{
	double now = mono_ms(), wake = now + 1000.0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (xs[i].done || xs[i].active)
			continue;
		if (xs[i].not_before <= now && active < max_parallel)
			return 0;
		if (xs[i].not_before < wake)
			wake = xs[i].not_before;
	}
	return wake > now ? (int)(wake - now) + 1 : 0;
}

static void
collect_done(CURLM *m, size_t *active, size_t *left)
{
	struct CURLMsg *msg;
	struct xfer *x;
	char *priv;
	int queued;

	while ((msg = curl_multi_info_read(m, &queued)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		priv = NULL;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
		x = (struct xfer *)(void *)priv;
		curl_multi_remove_handle(m, msg->easy_handle);
		(*active)--;
		xfer_attempt_done(x, msg->data.result);
		if (x->done)
			(*left)--;
	}
}

static int
run_multi(struct xfer *xs, size_t n, size_t max_parallel, size_t left)
{
	CURLM *m = curl_multi_init();
	size_t active = 0, i;
	int running, timeout;

	if (m == NULL)
		return EKSKIT_ERR_NOMEM;
	while (left > 0) {
		start_ready(xs, n, m, &active, max_parallel, &left);
		if (left == 0)
			break;
		if (curl_multi_perform(m, &running) != CURLM_OK)
			break;
		collect_done(m, &active, &left);
		if (left == 0)
			break;
		timeout = poll_timeout(xs, n, active, max_parallel);
		if (timeout > 0 && curl_multi_poll(m, NULL, 0, timeout, NULL) != CURLM_OK)
			break;
	}
	for (i = 0; i < n; i++) {
		if (xs[i].active) {
			curl_multi_remove_handle(m, xs[i].h);
			xs[i].active = 0;
		}
		if (!xs[i].done)
			xfer_fail(&xs[i], EKSKIT_ERR_INTERNAL, "libcurl multi interface failed");
	}
	curl_multi_cleanup(m);
	return EKSKIT_OK;
}

int
http_perform_many(const struct http_request *reqs, size_t n,
    struct http_response *resps, int max_parallel, struct ekskit_err *err)
{
	struct xfer *xs;
	size_t i, left = 0;
	int rc = EKSKIT_OK;

	if (n == 0)
		return EKSKIT_OK;
	if (reqs == NULL || resps == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_INTERNAL, "http: no requests given");
	for (i = 0; i < n; i++)
		response_init(&resps[i]);
	pthread_once(&curl_once, curl_init_once);
	if (curl_init_rc != CURLE_OK)
		return ekskit_err_set(err, EKSKIT_ERR_INTERNAL, "cannot initialise libcurl");
	if ((xs = calloc(n, sizeof(*xs))) == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	for (i = 0; i < n; i++)
		if (xfer_prepare(&xs[i], &reqs[i], &resps[i]) == EKSKIT_OK)
			left++;
	if (left > 0 && run_multi(xs, n, max_parallel > 0 ? (size_t)max_parallel :
	    DEFAULT_PARALLEL, left) != EKSKIT_OK) {
		for (i = 0; i < n; i++)
			if (!xs[i].done)
				xfer_fail(&xs[i], EKSKIT_ERR_NOMEM, "out of memory");
	}
	for (i = 0; i < n; i++) {
		if (rc == EKSKIT_OK && resps[i].error != 0)
			rc = ekskit_err_set(err, resps[i].error, "%s",
			    resps[i].error_msg ? resps[i].error_msg : "request failed");
		xfer_release(&xs[i]);
	}
	free(xs);
	return rc;
}

int
http_perform(const struct http_request *req, struct http_response *resp,
    struct ekskit_err *err)
{
	return http_perform_many(req, 1, resp, 1, err);
}
