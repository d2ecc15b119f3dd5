/* The container/IMDS credentials document: see lib/creds_json.h. */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "creds_json.h"
#include "ekskit/cache.h"
#include "ekskit/timeutil.h"

/* free() that wipes the whole block first (glibc knows its usable size). */
static void
wiping_free(void *p)
{
	if (p == NULL)
		return;
	OPENSSL_cleanse(p, malloc_usable_size(p));
	free(p);
}

void
creds_json_wipe_on_free(void)
{
	static int done;

	if (!done) {
		json_set_alloc_funcs(malloc, wiping_free);
		done = 1;
	}
}

static const char *
jstr(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

int
creds_json_parse(const char *body, size_t len, const char *what,
    const char *provider, struct aws_credentials **out, struct ekskit_err *err)
{
	const char *akid, *secret, *token, *exp, *code;
	json_error_t jerr;
	time_t expiry = 0;
	json_t *o;
	int r = EKSKIT_ERR_INVALID;

	*out = NULL;
	creds_json_wipe_on_free();
	o = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (o == NULL || !json_is_object(o)) {
		ekskit_err_set(err, r, "%s returned a response that is not a JSON "
		    "object", what);
		goto out;
	}
	code = jstr(o, "Code");
	if (code != NULL && strcmp(code, "Success") != 0) {
		ekskit_err_set(err, EKSKIT_ERR_REMOTE, "%s answered with Code %.64s",
		    what, code);
		r = EKSKIT_ERR_REMOTE;
		goto out;
	}
	akid = jstr(o, "AccessKeyId");
	secret = jstr(o, "SecretAccessKey");
	token = jstr(o, "Token");
	exp = jstr(o, "Expiration");
	if (akid == NULL || *akid == '\0' || secret == NULL || *secret == '\0') {
		ekskit_err_set(err, r, "%s returned no AccessKeyId/SecretAccessKey", what);
		goto out;
	}
	if (exp != NULL && timeutil_parse_rfc3339(exp, &expiry) != EKSKIT_OK) {
		ekskit_err_set(err, r, "%s returned a bad Expiration %.40s", what, exp);
		goto out;
	}
	*out = aws_credentials_new(akid, secret, token, expiry, provider);
	r = *out ? EKSKIT_OK : ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
out:
	json_decref(o);
	return r;
}

const char *
creds_json_error_hint(const char *body, size_t len, char *buf, size_t bufsz)
{
	const char *m = NULL;
	json_t *o;

	buf[0] = '\0';
	if (body == NULL || len == 0)
		return buf;
	o = json_loadb(body, len, 0, NULL);
	if (json_is_object(o)) {
		if ((m = jstr(o, "message")) == NULL && (m = jstr(o, "Message")) == NULL)
			m = jstr(o, "code");
		if (m != NULL)
			snprintf(buf, bufsz, ": %.200s", m);
	}
	json_decref(o);
	return buf;
}

const char *
creds_json_error_code(const char *errtype, const char *body, size_t len,
    const char *field, char *buf, size_t bufsz)
{
	json_t *o = NULL;
	char *p;

	if (errtype == NULL && body != NULL && len > 0) {
		o = json_loadb(body, len, 0, NULL);
		errtype = jstr(o, field);
	}
	snprintf(buf, bufsz, "%.64s", errtype ? errtype : "");
	for (p = buf; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("_.:-", *p)))
			*p = '?';
	json_decref(o);
	return buf;
}
