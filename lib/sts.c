/*
 * STS client over the query protocol (Version 2011-06-15): AssumeRole,
 * AssumeRoleWithWebIdentity (unsigned) and GetCallerIdentity.  Responses
 * are parsed by element path with the expat extractor (xml.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ekskit/sts.h"
#include "ekskit/timeutil.h"
#include "ekskit/xml.h"

#define STS_VERSION "2011-06-15"
#define MAX_PARAMS 8

enum { F_AKID, F_SECRET, F_TOKEN, F_EXPIRATION, F_COUNT };

/* Credentials from "<result>/Credentials/...", every field required. */
static int
parse_credentials(const struct http_response *resp, const char *action,
    const char *provider, struct aws_credentials **out, struct ekskit_err *err)
{
	static const char *const names[F_COUNT] = {
		"AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration",
	};
	char paths[F_COUNT][160];
	struct xml_field f[F_COUNT];
	time_t exp;
	int rc, i;

	for (i = 0; i < F_COUNT; i++) {
		snprintf(paths[i], sizeof(paths[i]), "/%sResponse/%sResult/Credentials/%s",
		    action, action, names[i]);
		f[i].path = paths[i];
		f[i].value = NULL;
		f[i].secret = i == F_SECRET || i == F_TOKEN;
	}
	rc = xml_extract(resp->body.data ? resp->body.data : "", resp->body.len, f,
	    F_COUNT, err);
	if (rc != EKSKIT_OK) {
		/* not `return ekskit_err_prefix()`: with err NULL that says INTERNAL */
		ekskit_err_prefix(err, "sts %s response", action);
		return rc;
	}
	for (i = 0; i < F_COUNT; i++) {
		if (f[i].value == NULL || f[i].value[0] == '\0') {
			rc = ekskit_err_set(err, EKSKIT_ERR_INVALID,
			    "sts %s response lacks Credentials/%s", action, names[i]);
			goto out;
		}
	}
	if (timeutil_parse_rfc3339(f[F_EXPIRATION].value, &exp) != EKSKIT_OK) {
		rc = ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "sts %s response has an invalid Expiration \"%.40s\"", action,
		    f[F_EXPIRATION].value);
		goto out;
	}
	*out = aws_credentials_new(f[F_AKID].value, f[F_SECRET].value, f[F_TOKEN].value,
	    exp, provider);
	if (*out == NULL)
		rc = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
out:
	xml_fields_release(f, F_COUNT);
	return rc;
}

static int
check_role_params(const struct sts_assume_role_params *p, struct ekskit_err *err)
{
	if (p == NULL || p->role_arn == NULL || *p->role_arn == '\0')
		return ekskit_err_set(err, EKSKIT_ERR_CONFIG, "assume role: no role ARN given");
	if (p->session_name == NULL || *p->session_name == '\0')
		return ekskit_err_set(err, EKSKIT_ERR_CONFIG,
		    "assuming role %s: no role session name given", p->role_arn);
	if (p->duration_seconds < 0)
		return ekskit_err_set(err, EKSKIT_ERR_CONFIG,
		    "assuming role %s: negative duration_seconds", p->role_arn);
	return EKSKIT_OK;
}

/* Shared by both AssumeRole flavours: call, parse, and name the role in errors. */
static int
assume(const struct aws_client *c, const char *action, const char *provider,
    const struct sts_assume_role_params *p, const struct aws_param *params,
    size_t n, struct aws_credentials **out, struct ekskit_err *err)
{
	struct http_response resp;
	int rc;

	rc = aws_query_call(c, action, STS_VERSION, params, n, &resp, err);
	if (rc == EKSKIT_OK)
		rc = parse_credentials(&resp, action, provider, out, err);
	if (rc != EKSKIT_OK)
		ekskit_err_prefix(err, "assuming role %s", p->role_arn);
	http_response_release(&resp);
	return rc;
}

int
sts_assume_role(const struct aws_client *c,
    const struct sts_assume_role_params *p, struct aws_credentials **out,
    struct ekskit_err *err)
{
	struct aws_param params[MAX_PARAMS];
	char duration[16];
	size_t n = 0;
	int rc;

	*out = NULL;
	if ((rc = check_role_params(p, err)) != EKSKIT_OK)
		return rc;
	if (c == NULL || c->creds == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NO_CREDS,
		    "assuming role %s: no source credentials to sign with", p->role_arn);
	params[n++] = (struct aws_param){ "RoleArn", p->role_arn };
	params[n++] = (struct aws_param){ "RoleSessionName", p->session_name };
	if (p->external_id != NULL && *p->external_id != '\0')
		params[n++] = (struct aws_param){ "ExternalId", p->external_id };
	if (p->duration_seconds > 0) {
		snprintf(duration, sizeof(duration), "%d", p->duration_seconds);
		params[n++] = (struct aws_param){ "DurationSeconds", duration };
	}
	if (p->mfa_serial != NULL && *p->mfa_serial != '\0')
		params[n++] = (struct aws_param){ "SerialNumber", p->mfa_serial };
	if (p->mfa_code != NULL && *p->mfa_code != '\0')
		params[n++] = (struct aws_param){ "TokenCode", p->mfa_code };
	return assume(c, "AssumeRole", "assume-role", p, params, n, out, err);
}

int
sts_assume_role_with_web_identity(const struct aws_client *c,
    const struct sts_assume_role_params *p, struct aws_credentials **out,
    struct ekskit_err *err)
{
	struct aws_param params[MAX_PARAMS];
	struct aws_client unsigned_client;
	char duration[16];
	size_t n = 0;
	int rc;

	*out = NULL;
	if ((rc = check_role_params(p, err)) != EKSKIT_OK)
		return rc;
	if (c == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_INTERNAL, "sts call without a client");
	if (p->web_identity_token == NULL || *p->web_identity_token == '\0')
		return ekskit_err_set(err, EKSKIT_ERR_CONFIG,
		    "assuming role %s with web identity: the token is empty", p->role_arn);
	/* the token is the credential: the request itself is not signed */
	unsigned_client = *c;
	unsigned_client.creds = NULL;
	params[n++] = (struct aws_param){ "RoleArn", p->role_arn };
	params[n++] = (struct aws_param){ "RoleSessionName", p->session_name };
	params[n++] = (struct aws_param){ "WebIdentityToken", p->web_identity_token };
	if (p->duration_seconds > 0) {
		snprintf(duration, sizeof(duration), "%d", p->duration_seconds);
		params[n++] = (struct aws_param){ "DurationSeconds", duration };
	}
	return assume(&unsigned_client, "AssumeRoleWithWebIdentity", "web-identity", p,
	    params, n, out, err);
}

void
sts_identity_release(struct sts_identity *id)
{
	if (id == NULL)
		return;
	free(id->arn);
	free(id->account);
	free(id->user_id);
	id->arn = id->account = id->user_id = NULL;
}

int
sts_get_caller_identity(const struct aws_client *c, struct sts_identity *out,
    struct ekskit_err *err)
{
	struct xml_field f[] = {
		{ "/GetCallerIdentityResponse/GetCallerIdentityResult/Arn", NULL, 0 },
		{ "/GetCallerIdentityResponse/GetCallerIdentityResult/Account", NULL, 0 },
		{ "/GetCallerIdentityResponse/GetCallerIdentityResult/UserId", NULL, 0 },
	};
	static const char *const names[] = { "Arn", "Account", "UserId" };
	struct http_response resp;
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	if (c == NULL || c->creds == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NO_CREDS,
		    "sts GetCallerIdentity: no credentials to sign with");
	rc = aws_query_call(c, "GetCallerIdentity", STS_VERSION, NULL, 0, &resp, err);
	if (rc != EKSKIT_OK)
		goto out;   /* err names the call, the AWS code or the network error */
	rc = xml_extract(resp.body.data ? resp.body.data : "", resp.body.len, f, 3, err);
	if (rc != EKSKIT_OK) {
		ekskit_err_prefix(err, "sts GetCallerIdentity response");
		goto out;
	}
	for (i = 0; i < 3; i++) {
		if (f[i].value == NULL || f[i].value[0] == '\0') {
			rc = ekskit_err_set(err, EKSKIT_ERR_INVALID,
			    "sts GetCallerIdentity response lacks %s", names[i]);
			xml_fields_release(f, 3);
			goto out;
		}
	}
	out->arn = f[0].value;
	out->account = f[1].value;
	out->user_id = f[2].value;
out:
	http_response_release(&resp);
	return rc;
}
