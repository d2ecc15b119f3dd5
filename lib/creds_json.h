/*
 * Internal to lib/: the credentials document shared by the container
 * endpoint and IMDS ({"AccessKeyId", "SecretAccessKey", "Token",
 * "Expiration" (ISO 8601)}, IMDS adds "Code").
 */
#ifndef EKSKIT_CREDS_JSON_H
#define EKSKIT_CREDS_JSON_H

#include <stddef.h>

#include "ekskit/creds.h"
#include "ekskit/error.h"

/*
 * Parse body; `what` names the endpoint in messages, `provider` is recorded
 * in the credentials.  *out owned by the caller.  Secrets never appear in
 * messages.  EKSKIT_ERR_INVALID on a malformed or incomplete document.
 */
int creds_json_parse(const char *body, size_t len, const char *what,
    const char *provider, struct aws_credentials **out, struct ekskit_err *err);

/*
 * A short description of an error response for messages: the JSON
 * "message"/"Message" (or "code") when the body is JSON, else "".  Never
 * the raw body (it could echo a credential).  Returns buf.
 */
const char *creds_json_error_hint(const char *body, size_t len, char *buf,
    size_t bufsz);

/*
 * The error code of a failed AWS JSON call for messages: the
 * x-amzn-ErrorType header (errtype, may be NULL) or else the body's string
 * field `field` ("error", "__type" ...), at most 64 characters, only
 * [A-Za-z0-9_.:-] (anything else becomes '?').  "" when neither.  Returns buf.
 */
const char *creds_json_error_code(const char *errtype, const char *body,
    size_t len, const char *field, char *buf, size_t bufsz);

/*
 * Make jansson wipe every block it frees (its copies of parsed secret keys,
 * session and bearer tokens would otherwise linger on the heap).  Process
 * wide and idempotent; call before parsing or emitting credentials.
 */
void creds_json_wipe_on_free(void);

#endif /* EKSKIT_CREDS_JSON_H */
