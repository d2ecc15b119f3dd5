/*
 * AWS Signature Version 4, as testable stages:
 *   canonical request -> string to sign -> signing key -> signature,
 * plus the two ways of using them: header signing (Authorization header)
 * and query-string presigning (X-Amz-* parameters, signature last).
 * The clock is always passed in.  The secret key and every derived key are
 * wiped (OPENSSL_cleanse) before the functions return.
 */
#ifndef EKSKIT_SIGV4_H
#define EKSKIT_SIGV4_H

#include <stddef.h>
#include <time.h>

#include "ekskit/buf.h"
#include "ekskit/error.h"

struct aws_credentials;

struct sigv4_header {
	const char *name;
	const char *value;
};

/* The request to sign.  Strings are borrowed. */
struct sigv4_request {
	const char *method;                 /* "GET", "POST", ... */
	const char *host;                   /* Host header value (with :port if non-default) */
	const char *path;                   /* path as sent, e.g. "/" or "/clusters/x" */
	const char *query;                  /* raw query string without '?', or NULL */
	const struct sigv4_header *headers; /* extra headers to sign (not host/x-amz-date) */
	size_t nheaders;
	const void *body;                   /* payload, may be NULL */
	size_t body_len;
};

struct sigv4_params {
	const char *region;
	const char *service;                /* signing name: "sts", "eks", "ec2", ... */
	time_t now;                         /* signing time (UTC seconds) */
	int normalize_path;                 /* 1 for every service but S3 */
	long expires;                       /* presign only: X-Amz-Expires seconds */
	int omit_session_token;             /* presign: add X-Amz-Security-Token after signing (not signed) */
	int sign_body;                      /* header signing: sign an x-amz-content-sha256 header too */
};

/*
 * Stage 1: canonical request into out; signed_headers gets
 * "host;x-amz-date;..." (caller-owned buffers, appended to).
 * Signs the Host header (req->host) and req->headers; amz_date non-NULL adds
 * the x-amz-date header (header signing), NULL adds none (presigning, where
 * the X-Amz-* parameters are already in req->query).  req->path is the path
 * as sent: with p->normalize_path it is normalized (dot segments, repeated
 * slashes) and URI-encoded again, as every service but S3 expects.  The
 * query is decoded and re-encoded (RFC 3986) and sorted by key then value.
 * 0 or EKSKIT_ERR_INVALID / EKSKIT_ERR_NOMEM.
 */
int sigv4_canonical_request(const struct sigv4_request *req,
    const struct sigv4_params *p, const char *amz_date, const char *payload_hash,
    struct ekbuf *out, struct ekbuf *signed_headers, struct ekskit_err *err);

/* Stage 2: string to sign from the canonical request (amz_date "YYYYMMDDTHHMMSSZ"). */
int sigv4_string_to_sign(const char *canonical_request, const char *amz_date,
    const char *region, const char *service, struct ekbuf *out,
    struct ekskit_err *err);

/* Stage 3: signing key (32 bytes) from the secret (date8 "YYYYMMDD");
 * caller wipes key.  0 or EKSKIT_ERR_INTERNAL. */
int sigv4_signing_key(const char *secret_access_key, const char *date8,
    const char *region, const char *service, unsigned char key[32]);

/* Stage 4: lowercase hex HMAC-SHA256 of string_to_sign (64 chars + NUL).
 * 0 or EKSKIT_ERR_INTERNAL. */
int sigv4_signature(const unsigned char key[32], const char *string_to_sign,
    char hex_out[65]);

/* "YYYYMMDDTHHMMSSZ" for t into out[17]. */
void sigv4_amz_date(time_t t, char out[17]);

/* Headers to add to a header-signed request.  Owned strings; release with sigv4_signed_release. */
struct sigv4_signed {
	char amz_date[17];            /* X-Amz-Date */
	char *authorization;          /* Authorization */
	char *payload_hash;           /* hex sha256 of the body (X-Amz-Content-Sha256 if wanted) */
	const char *security_token;   /* borrowed from the credentials; X-Amz-Security-Token or NULL */
};

/*
 * Sign a request with the Authorization header.  With a session token the
 * x-amz-security-token header is signed too unless p->omit_session_token.
 * On success *out holds owned strings (sigv4_signed_release); on failure it
 * is left empty.
 */
int sigv4_sign_headers(const struct sigv4_request *req,
    const struct sigv4_params *p, const struct aws_credentials *creds,
    struct sigv4_signed *out, struct ekskit_err *err);
void sigv4_signed_release(struct sigv4_signed *s);

/*
 * Presign: returns the complete query string — req->query's parameters
 * (re-encoded, in their order) then X-Amz-Algorithm, X-Amz-Credential,
 * X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders (and X-Amz-Security-Token),
 * in the order botocore's presigner emits them, with X-Amz-Signature last.
 * The session token is in the canonical query (signed) unless
 * p->omit_session_token.  p->expires must be 1..604800.
 * The query string carries the session token: the caller frees it with
 * ek_free_secret().
 */
int sigv4_presign_query(const struct sigv4_request *req,
    const struct sigv4_params *p, const struct aws_credentials *creds,
    char **query_out, struct ekskit_err *err);

#endif /* EKSKIT_SIGV4_H */
