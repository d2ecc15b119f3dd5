/* IAM GetRole over the query protocol (see include/ekskit/iam.h). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "ekskit/arn.h"
#include "ekskit/buf.h"
#include "ekskit/http.h"
#include "ekskit/iam.h"
#include "ekskit/xml.h"

#define IAM_VERSION "2010-05-08"
#define ROLE_PREFIX "/GetRoleResponse/GetRoleResult/Role/"

void
iam_role_release(struct iam_role *r)
{
	if (r == NULL)
		return;
	free(r->name);
	free(r->path);
	free(r->arn);
	free(r->role_id);
	memset(r, 0, sizeof(*r));
}

/* IAM's role-name pattern [\w+=,.@-]{1,64}. */
static int
role_name_ok(const char *n)
{
	size_t i, len = n != NULL ? strlen(n) : 0;

	if (len == 0 || len > 64)
		return 0;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)n[i]) && strchr("_+=,.@-", n[i]) == NULL)
			return 0;
	return 1;
}

int
iam_get_role(const struct aws_client *c, const char *name, struct iam_role *out,
    struct ekskit_err *err)
{
	struct xml_field f[] = {
		{ ROLE_PREFIX "RoleName", NULL, 0 },
		{ ROLE_PREFIX "Path", NULL, 0 },
		{ ROLE_PREFIX "Arn", NULL, 0 },
		{ ROLE_PREFIX "RoleId", NULL, 0 },
	};
	const struct aws_param p = { "RoleName", name };
	struct http_response resp;
	struct arn_principal check;
	char shown[96];
	int r;

	memset(out, 0, sizeof(*out));
	memset(&resp, 0, sizeof(resp));
	if (!role_name_ok(name))
		return ekskit_err_set(err, EKSKIT_ERR_USAGE, "invalid IAM role name "
		    "'%s': 1-64 letters, digits and _+=,.@-",
		    ek_printable(shown, sizeof(shown), name));
	r = aws_query_call(c, "GetRole", IAM_VERSION, &p, 1, &resp, err);
	if (r == EKSKIT_ERR_REMOTE && err != NULL &&
	    strcmp(err->remote_code, "NoSuchEntity") == 0)
		r = err->code = EKSKIT_ERR_NOT_FOUND;
	if (r != EKSKIT_OK) {
		ekskit_err_prefix(err, "iam GetRole %s", name);
		goto out;
	}
	if ((r = xml_extract(resp.body.data ? resp.body.data : "", resp.body.len,
	    f, 4, err)) != EKSKIT_OK) {
		ekskit_err_prefix(err, "iam GetRole response");
		goto out;
	}
	/* the answer must be a well-formed role ARN carrying the role asked for */
	if (f[0].value == NULL || f[2].value == NULL || f[1].value == NULL ||
	    arn_principal_parse(f[2].value, &check, NULL) != EKSKIT_OK) {
		r = ekskit_err_set(err, EKSKIT_ERR_INVALID, "iam GetRole response "
		    "lacks a valid RoleName, Path or Arn");
		goto out;
	}
	if (check.kind != ARN_KIND_ROLE || strcmp(check.name, f[0].value) != 0 ||
	    strcmp(check.path, f[1].value) != 0)
		r = ekskit_err_set(err, EKSKIT_ERR_INVALID, "iam GetRole response: "
		    "Arn, RoleName and Path disagree");
	arn_principal_release(&check);
	if (r != EKSKIT_OK)
		goto out;
	out->name = f[0].value;
	out->path = f[1].value;
	out->arn = f[2].value;
	out->role_id = f[3].value;
	memset(f, 0, sizeof(f));
out:
	xml_fields_release(f, 4);
	http_response_release(&resp);
	return r;
}
