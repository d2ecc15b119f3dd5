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

/* Query protocol: POST Action=...&Version=...&params (form-encoded).  resp owned by caller. */
int aws_query_call(const struct aws_client *c, const char *action,
    const char *version, const struct aws_param *params, size_t nparams,
    struct http_response *resp, struct ekskit_err *err);

/* REST-JSON: method + path (+ query) with optional JSON body. */
int aws_rest_json_call(const struct aws_client *c, const char *method,
    const char *path, const char *query, const char *json_body,
    struct http_response *resp, struct ekskit_err *err);

#endif /* EKSKIT_AWSREQ_H */
