/* The one error convention of the library: see include/ekskit/error.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ekskit/error.h"

void
ekskit_err_clear(struct ekskit_err *err)
{
	if (err == NULL)
		return;
	memset(err, 0, sizeof(*err));
}

int
ekskit_err_set(struct ekskit_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

int
ekskit_err_prefix(struct ekskit_err *err, const char *fmt, ...)
{
	char prefix[EKSKIT_ERR_MSG_MAX];
	char old[EKSKIT_ERR_MSG_MAX];
	va_list ap;

	if (err == NULL)
		return EKSKIT_ERR_INTERNAL;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	snprintf(err->msg, sizeof(err->msg), "%s: %s", prefix, old);
	return err->code ? err->code : EKSKIT_ERR_INTERNAL;
}

void
ekskit_err_set_remote(struct ekskit_err *err, long http_status, const char *remote_code)
{
	if (err == NULL)
		return;
	err->http_status = http_status;
	snprintf(err->remote_code, sizeof(err->remote_code), "%s",
	    remote_code ? remote_code : "");
}

const char *
ekskit_strerror(int code)
{
	switch (code) {
	case EKSKIT_OK:		return "success";
	case EKSKIT_ERR_INTERNAL: return "internal error";
	case EKSKIT_ERR_NOMEM:	return "out of memory or size limit exceeded";
	case EKSKIT_ERR_INVALID: return "invalid input";
	case EKSKIT_ERR_IO:	return "i/o error";
	case EKSKIT_ERR_NETWORK: return "network error";
	case EKSKIT_ERR_REMOTE:	return "the service returned an error";
	case EKSKIT_ERR_NOT_FOUND: return "not found";
	case EKSKIT_ERR_NO_CREDS: return "no credentials";
	case EKSKIT_ERR_CONFIG:	return "configuration error";
	case EKSKIT_ERR_TIMEOUT: return "timed out";
	case EKSKIT_ERR_PERM:	return "permission denied";
	case EKSKIT_ERR_USAGE:	return "usage error";
	case EKSKIT_ERR_BUSY:	return "resource busy";
	case EKSKIT_ERR_EXPIRED: return "expired";
	}
	return "unknown error";
}
