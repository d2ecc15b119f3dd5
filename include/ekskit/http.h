/*
 * The one libcurl wrapper of the library.
 *
 * TLS verification is always on unless a kubeconfig explicitly asks for
 * insecure_skip_verify.  ca_file / ca_pem replace the default trust store;
 * so does AWS_CA_BUNDLE, as the AWS CLI does, but only for AWS endpoints
 * (a request marked not_aws, a Kubernetes API server, keeps the system
 * store).  None of them ever turns verification off.
 * Proxies come from the usual environment variables (libcurl's own handling:
 * http_proxy, HTTPS_PROXY, ALL_PROXY, NO_PROXY) or proxy_url.
 *
 * Retries follow the AWS "standard" retry mode: up to 3 attempts (the
 * request's max_attempts, else AWS_MAX_ATTEMPTS, else 3), exponential backoff
 * with full jitter (delay = random(0, min(20 s, base * 2^(attempt-1))), base
 * 0.1 s for transient errors and 0.5 s for throttling), on HTTP 429, 500,
 * 502, 503, 504, on throttling errors reported by the request's classifier
 * (awsreq.c recognises the AWS throttling error codes in 400 bodies), and on
 * transient network errors (connect failure, reset, empty reply).  A
 * timeout is not retried: a server that stalls, or drips bytes slower than
 * HTTP_LOW_SPEED_BYTES per second for HTTP_LOW_SPEED_TIME_S, is abandoned.
 * Every attempt's limits are cut to the run's deadline
 * (timeutil_set_deadline_ms), and no attempt starts after it.
 * Refused connections (see the test guard), DNS failures, TLS verification
 * failures and oversized bodies are not retried.  Retries draw on the
 * standard mode's retry quota (HTTP_RETRY_QUOTA tokens per process, 5 per
 * retry, 10 per retry after a timeout, given back on success): when it is
 * empty, failures are returned at once.
 *
 * Test guard: when EKSKIT_TEST_LOOPBACK_ONLY=1 is set in the environment,
 *   1. before any DNS lookup, a URL whose host is not literally 127.x.y.z,
 *      [::1] or localhost is refused;
 *   2. every socket address libcurl is about to connect to is checked again
 *      (CURLOPT_OPENSOCKETFUNCTION): only 127.0.0.0/8 and ::1 pass;
 *   3. proxies are disabled (environment and proxy_url alike).
 * A refusal prints "EKSKIT_TEST_LOOPBACK_ONLY: refusing connection to HOST"
 * on stderr (always, verbose or not) and fails with EKSKIT_ERR_NETWORK,
 * without retrying.
 *
 * Verbose output (req->verbose) goes to stderr: method, URL with secret query
 * parameters redacted (X-Amz-Signature, X-Amz-Security-Token, X-Amz-Credential
 * and any name containing "token", "secret", "password" or "signature"),
 * request headers with Authorization, X-Amz-Security-Token, Cookie and
 * secret-marked headers redacted, then status, attempt and timing.
 *
 * libcurl is initialised once per process (pthread_once) on first use;
 * nothing else needs to be called first.
 */
#ifndef EKSKIT_HTTP_H
#define EKSKIT_HTTP_H

#include <stddef.h>

#include "ekskit/buf.h"
#include "ekskit/error.h"

#define HTTP_DEFAULT_CONNECT_TIMEOUT_MS	3000L
#define HTTP_DEFAULT_TIMEOUT_MS		30000L
#define HTTP_DEFAULT_MAX_ATTEMPTS	3
#define HTTP_LOW_SPEED_BYTES		64L	/* below this many bytes/s ... */
#define HTTP_LOW_SPEED_TIME_S		10L	/* ... for this long, an attempt is abandoned */
#define HTTP_MAX_MAX_ATTEMPTS		10	/* AWS_MAX_ATTEMPTS is capped here */
#define HTTP_RETRY_QUOTA		500	/* standard mode retry quota (per process) */
#define HTTP_RETRY_COST			5
#define HTTP_RETRY_COST_TIMEOUT		10

struct http_header {
	const char *name;
	const char *value;
	int secret;             /* never shown in verbose output */
};

struct http_response;

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
	const char *ca_file;            /* PEM CA file replacing the default store, or NULL (then AWS_CA_BUNDLE) */
	const void *ca_pem;             /* in-memory PEM CA blob, or NULL (wins over ca_file) */
	size_t ca_pem_len;
	const char *client_cert_pem;    /* in-memory PEM client cert, or NULL */
	const char *client_key_pem;     /* in-memory PEM client key (secret, not copied), or NULL */
	const char *tls_server_name;    /* override SNI/verification name, or NULL */
	const char *proxy_url;          /* explicit proxy, or NULL for the environment */
	int insecure_skip_verify;       /* only when a kubeconfig says so */
	int not_aws;                    /* not an AWS endpoint: AWS_CA_BUNDLE does not apply */
	int verbose;                    /* log method, URL and status to stderr (no secrets) */
	/*
	 * Optional: return 1 when a complete response with this status/body is
	 * a throttling error that should be retried (429/5xx are retried
	 * anyway).  Called only for 4xx responses.  NULL = status-based only.
	 */
	int (*is_throttle)(const struct http_response *resp);
};

struct http_response {
	long status;                    /* HTTP status, 0 when no response */
	struct ekbuf body;              /* owned; capped at EKBUF_MAX_RESPONSE */
	char *content_type;             /* owned, may be NULL */
	char *amzn_request_id;          /* owned, may be NULL (x-amzn-requestid / x-amz-request-id) */
	char *amzn_error_type;          /* owned, may be NULL (x-amzn-errortype header) */
	int attempts;                   /* attempts made (1 = no retry) */
	int error;                      /* 0, or the EKSKIT_ERR_* of a transport failure */
	char *error_msg;                /* owned; set with error (no secrets), else NULL */
};

/*
 * Perform a request, retrying as described above.  On success (any HTTP
 * status, including 4xx/5xx after retries are exhausted) returns EKSKIT_OK
 * and fills resp.  Transport failures return EKSKIT_ERR_NETWORK /
 * EKSKIT_ERR_TIMEOUT / EKSKIT_ERR_NOMEM (body over the cap) with a message
 * naming the host.  Whatever the result, the caller releases resp with
 * http_response_release().
 */
int http_perform(const struct http_request *req, struct http_response *resp,
    struct ekskit_err *err);

/*
 * Perform n requests concurrently (libcurl multi interface, at most
 * max_parallel transfers at once; <= 0 means 8), each with its own retries.
 * resps must point to n responses; every one is initialised and filled here
 * and must be released by the caller (http_response_release) whatever the
 * result.  Per request: resps[i].error == 0 means an HTTP response arrived
 * (any status); otherwise resps[i].status is 0, resps[i].error holds the
 * EKSKIT_ERR_* code and resps[i].error_msg the message.
 * Returns EKSKIT_OK when every request got a response; else the error code
 * of the first (lowest index) failed request, with its message in err.
 */
int http_perform_many(const struct http_request *reqs, size_t n,
    struct http_response *resps, int max_parallel, struct ekskit_err *err);

/* Tokens left in the process's retry quota (for diagnostics and tests). */
int http_retry_quota(void);

/* Free what a response owns.  Safe on a zeroed or released response. */
void http_response_release(struct http_response *resp);

/* Percent-encode per RFC 3986 unreserved rules (AWS style).  Appends to out. */
int http_uri_encode(struct ekbuf *out, const char *s, size_t n, int encode_slash);

/*
 * Append to out a copy of url safe for logs: values of secret query
 * parameters (see above) and any userinfo password become "REDACTED".
 * 0 or EKSKIT_ERR_NOMEM.
 */
int http_redact_url(const char *url, struct ekbuf *out);

/*
 * http_redact_url into buf (cut to len - 1 bytes, "(url too long)" when
 * it does not fit at all): for error messages that name a URL.  Returns buf.
 */
#define HTTP_URL_SHOWN_MAX 512
const char *http_url_for_message(const char *url, char *buf, size_t len);

/* 1 if a header's value must never be logged (Authorization, tokens, h->secret). */
int http_header_is_secret(const struct http_header *h);

/*
 * The loopback test guard, exposed for tests and for other modules that
 * open their own sockets (DNS): 1 when EKSKIT_TEST_LOOPBACK_ONLY=1.
 */
int http_loopback_only(void);
/* 1 when host (as in a URL: "127.0.0.1", "[::1]", "localhost") is allowed under the guard. */
int http_loopback_host_ok(const char *host);
/* 1 when a socket address is 127.0.0.0/8, ::1 or ::ffff:127.0.0.0/104. */
struct sockaddr;
int http_loopback_addr_ok(const struct sockaddr *sa);

#endif /* EKSKIT_HTTP_H */
