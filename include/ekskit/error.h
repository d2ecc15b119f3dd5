/*
 * ekskit error convention.
 *
 * Every library function that can fail returns an int: EKSKIT_OK (0) on
 * success or one of the negative EKSKIT_ERR_* codes below.  Callers that
 * want a message pass a struct ekskit_err, which the failing function fills
 * with a lowercase, actionable message ("reading ~/.aws/config line 12: ...").
 * The error pointer may be NULL.  The library never prints and never exits;
 * the tools do.
 *
 * Messages never contain secrets (secret keys, session tokens, bearer tokens).
 */
#ifndef EKSKIT_ERROR_H
#define EKSKIT_ERROR_H

#include <stddef.h>

enum ekskit_status {
	EKSKIT_OK = 0,
	EKSKIT_ERR_INTERNAL = -1,  /* a bug or an impossible state */
	EKSKIT_ERR_NOMEM = -2,     /* allocation failed or a size cap was hit */
	EKSKIT_ERR_INVALID = -3,   /* bad input: a malformed file, response or argument */
	EKSKIT_ERR_IO = -4,        /* reading or writing a file failed */
	EKSKIT_ERR_NETWORK = -5,   /* connect, TLS or transfer failure */
	EKSKIT_ERR_REMOTE = -6,    /* the service answered with an error (see aws_code/http_status) */
	EKSKIT_ERR_NOT_FOUND = -7, /* the thing asked for does not exist (also: provider has nothing) */
	EKSKIT_ERR_NO_CREDS = -8,  /* no credential source produced credentials */
	EKSKIT_ERR_CONFIG = -9,    /* a configuration problem the user must fix */
	EKSKIT_ERR_TIMEOUT = -10,  /* a time limit was reached */
	EKSKIT_ERR_PERM = -11,     /* permission denied (file mode, owner, not root) */
	EKSKIT_ERR_USAGE = -12,    /* bad command line */
	EKSKIT_ERR_BUSY = -13,     /* a lock is held by someone else */
	EKSKIT_ERR_EXPIRED = -14,  /* a token or credential has expired */
};

#define EKSKIT_ERR_MSG_MAX 1024

struct ekskit_err {
	int code;                       /* the EKSKIT_ERR_* code, 0 when clear */
	long http_status;               /* HTTP status of a failed remote call, else 0 */
	char remote_code[128];          /* AWS error code / Kubernetes reason, else "" */
	char msg[EKSKIT_ERR_MSG_MAX];   /* human-readable, actionable message */
};

/* Clear an error struct.  NULL is accepted. */
void ekskit_err_clear(struct ekskit_err *err);

/*
 * Record an error.  Returns `code` so that callers can write
 *	return ekskit_err_set(err, EKSKIT_ERR_INVALID, "bad %s", what);
 * err may be NULL, in which case only the code is returned.
 */
int ekskit_err_set(struct ekskit_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Prepend context to an existing message ("loading profile x: <old msg>").
 * Returns err->code (or EKSKIT_ERR_INTERNAL if err is NULL).
 */
int ekskit_err_prefix(struct ekskit_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Record the remote side's error identity (AWS code / k8s reason, HTTP status). */
void ekskit_err_set_remote(struct ekskit_err *err, long http_status, const char *remote_code);

/* A static, generic description of a status code ("invalid input", ...). */
const char *ekskit_strerror(int code);

#endif /* EKSKIT_ERROR_H */
