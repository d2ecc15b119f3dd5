/*
 * Signed calls to AWS services (owner of the wire protocols):
 *   - query protocol (STS, EC2): form-encoded POST, XML response;
 *   - REST-JSON (EKS): JSON in and out.
 * Errors in responses are parsed (XML <Error><Code>/<Message>, or JSON
 * "__type"/x-amzn-ErrorType + "message") and returned as EKSKIT_ERR_REMOTE
 * with err->remote_code = the AWS code and err->msg = "CODE: message".
 */
#ifndef EKSKIT_AWSREQ_H
#define EKSKIT_AWSREQ_H

#include <stddef.h>
#include <time.h>

#include "ekskit/error.h"
#include "ekskit/http.h"

struct aws_credentials;

/* Where and how to call one service.  Strings borrowed. */
struct aws_client {
	const char *service;          /* signing name: "sts", "eks", "ec2" */
	const char *region;
	const char *endpoint;         /* base URL, e.g. "https://sts.us-west-2.amazonaws.com" or an override */
	const struct aws_credentials *creds; /* NULL = unsigned request (AssumeRoleWithWebIdentity) */
	int verbose;                  /* log requests to stderr without secrets */
	time_t (*clock)(void);        /* NULL = time() */
};

struct aws_param {
	const char *name;
	const char *value;
};

/*
 * Both calls: the endpoint's path (if any) prefixes the request path; the
 * Host header is the endpoint's host with :port when the port is not the
 * scheme's default; requests are signed with sigv4_sign_headers (X-Amz-Date,
 * Authorization and, with a session token, X-Amz-Security-Token) unless
 * c->creds is NULL.  Retries are http.c's, with the AWS throttling error
 * codes of 400 responses recognised.
 * Returns 0 for a 2xx response; EKSKIT_ERR_REMOTE for an error response
 * (err->remote_code = AWS code, err->http_status, err->msg =
 * "CODE: message (HTTP 403, request id X)"); or the http/signing error.
 * Whatever the result, the caller releases resp (http_response_release).
 */

/* Query protocol: POST Action=...&Version=...&params (form-encoded).  resp owned by caller. */
int aws_query_call(const struct aws_client *c, const char *action,
    const char *version, const struct aws_param *params, size_t nparams,
    struct http_response *resp, struct ekskit_err *err);

/* REST-JSON: method + path (+ query) with optional JSON body. */
int aws_rest_json_call(const struct aws_client *c, const char *method,
    const char *path, const char *query, const char *json_body,
    struct http_response *resp, struct ekskit_err *err);

/*
 * n REST-JSON calls without bodies (same method, paths[i] and, when queries
 * is not NULL, queries[i]) sent in parallel over libcurl's multi interface
 * (http_perform_many; at most max_parallel at once, <= 0 = 8), each signed and
 * retried like aws_rest_json_call.  For every i, rcs[i] is what
 * aws_rest_json_call would have returned and errs[i] its error; resps[i]
 * must be released by the caller whatever the result.  rcs, errs and resps
 * each hold n entries.  Returns 0 when every call succeeded, else the first
 * (lowest index) failing code.
 */
int aws_rest_json_call_many(const struct aws_client *c, const char *method,
    const char *const *paths, const char *const *queries, size_t n,
    struct http_response *resps, int *rcs, struct ekskit_err *errs,
    int max_parallel);

/*
 * The same with one client per call (clients[i]: service, region, endpoint
 * and credentials of call i), so calls to many regions and accounts share
 * one libcurl multi loop and its connection limit.  aws_rest_json_call_many
 * is this with the same client everywhere.
 */
int aws_rest_json_call_each(const struct aws_client *const *clients,
    const char *method, const char *const *paths, const char *const *queries,
    size_t n, struct http_response *resps, int *rcs, struct ekskit_err *errs,
    int max_parallel);

/*
 * The form body of a query call, "Action=A&Version=V&k=v..." with names and
 * values percent-encoded (RFC 3986), appended to out (init it secret when a
 * value is one).  0 or EKSKIT_ERR_NOMEM.
 */
int aws_query_body(struct ekbuf *out, const char *action, const char *version,
    const struct aws_param *params, size_t nparams);

/*
 * Turn an error response into EKSKIT_ERR_REMOTE as described above, parsing
 * XML (<ErrorResponse><Error>, <Response><Errors><Error>, <Error>) or JSON
 * ("__type"/"code", "message"/"Message", header x-amzn-ErrorType) bodies.
 * what names the call for messages without an AWS code ("sts AssumeRole").
 */
int aws_response_error(const struct http_response *resp, const char *what,
    struct ekskit_err *err);

/*
 * The AWS error code of an error response (namespace and ":..." suffixes
 * stripped) into code[len]; "" when none can be found.
 */
void aws_response_error_code(const struct http_response *resp, char *code, size_t len);

/* 1 when code is a throttling or transient AWS error code (standard retry mode list). */
int aws_is_retryable_code(const char *code);

#endif /* EKSKIT_AWSREQ_H */
