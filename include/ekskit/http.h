/*
 * The one libcurl wrapper of the library.
 *
 * TLS verification is always on (AWS_CA_BUNDLE or an explicit CA adds trust
 * roots, it never turns verification off).  Proxies come from the usual
 * environment variables (libcurl's own handling).  Retries follow the AWS
 * "standard" retry mode: up to 3 attempts (AWS_MAX_ATTEMPTS), exponential
 * backoff with full jitter on throttling, 5xx and transient network errors.
 *
 * Test guard: when EKSKIT_TEST_LOOPBACK_ONLY=1 is set in the environment,
 * every connection whose address is not loopback (127.0.0.0/8, ::1) is
 * refused before it is made, and a loud message goes to stderr.
 */
#ifndef EKSKIT_HTTP_H
#define EKSKIT_HTTP_H

#include <stddef.h>

#include "ekskit/buf.h"
#include "ekskit/error.h"

struct http_header {
	const char *name;
	const char *value;
	int secret;             /* never shown in verbose output */
};

struct http_request {
	const char *method;             /* "GET", "POST", "PUT", "DELETE", ... */
	const char *url;                /* absolute http(s) URL */
	const struct http_header *headers;
	size_t nheaders;
	const void *body;               /* may be NULL */
	size_t body_len;
	long connect_timeout_ms;        /* 0 = default (3000) */
	long timeout_ms;                /* total per attempt; 0 = default (30000) */
	int max_attempts;               /* 0 = AWS_MAX_ATTEMPTS or 3; 1 = no retry */
	const char *ca_file;            /* extra PEM CA file, or NULL */
	const void *ca_pem;             /* in-memory PEM CA blob, or NULL */
	size_t ca_pem_len;
	const char *client_cert_pem;    /* in-memory PEM client cert, or NULL */
	const char *client_key_pem;     /* in-memory PEM client key (secret), or NULL */
	const char *tls_server_name;    /* override SNI/verification name, or NULL */
	const char *proxy_url;          /* explicit proxy, or NULL for the environment */
	int insecure_skip_verify;       /* only when a kubeconfig says so */
	int verbose;                    /* log method, URL and status to stderr (no secrets) */
};

struct http_response {
	long status;                    /* HTTP status, 0 when no response */
	struct ekbuf body;              /* owned; capped at EKBUF_MAX_RESPONSE */
	char *content_type;             /* owned, may be NULL */
	char *amzn_request_id;          /* owned, may be NULL */
};

/*
 * Perform a request, retrying as described above.  On success (any HTTP
 * status, including 4xx/5xx after retries are exhausted) returns EKSKIT_OK
 * and fills resp, which the caller releases with http_response_release().
 * Transport failures return EKSKIT_ERR_NETWORK / EKSKIT_ERR_TIMEOUT with a
 * message naming the host.
 */
int http_perform(const struct http_request *req, struct http_response *resp,
    struct ekskit_err *err);

/* Free what a response owns.  Safe on a zeroed or released response. */
void http_response_release(struct http_response *resp);

/* Percent-encode per RFC 3986 unreserved rules (AWS style).  Appends to out. */
int http_uri_encode(struct ekbuf *out, const char *s, size_t n, int encode_slash);

#endif /* EKSKIT_HTTP_H */
