/*
 * IAM principal ARNs: parsing, aws-iam-authenticator canonicalisation and
 * comparison keys (see include/ekskit/arn.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ekskit/arn.h"
#include "ekskit/buf.h"
#include "ekskit/endpoints.h"

#define IAM_NAME_MAX 64
#define IAM_PATH_MAX 512
#define SERVICE_LINKED_PATH "/aws-service-role/"

int
arn_partition_known(const char *p)
{
	const struct aws_partition *const *all = aws_partitions();
	size_t i;

	if (p == NULL)
		return 0;
	for (i = 0; all[i] != NULL; i++)
		if (strcmp(all[i]->name, p) == 0)
			return 1;
	return 0;
}

int
arn_account_valid(const char *s)
{
	return s != NULL && strlen(s) == 12 && strspn(s, "0123456789") == 12;
}

void
arn_release(struct arn *a)
{
	if (a == NULL)
		return;
	free(a->partition);
	free(a->service);
	free(a->region);
	free(a->account);
	free(a->resource);
	memset(a, 0, sizeof(*a));
}

static int
invalid(struct ekskit_err *err, const char *s, const char *why)
{
	char shown[160];

	return ekskit_err_set(err, EKSKIT_ERR_INVALID, "invalid ARN '%s': %s",
	    ek_printable(shown, sizeof(shown), s), why);
}

/* The SDK's split: "arn:" then five colons; the resource keeps later colons. */
static int
arn_split(const char *s, struct arn *out, struct ekskit_err *err)
{
	const char *f[5], *p;
	int i;

	memset(out, 0, sizeof(*out));
	if (s == NULL || strncmp(s, "arn:", 4) != 0)
		return invalid(err, s, "an ARN starts with 'arn:'");
	p = s + 4;
	for (i = 0; i < 4; i++) {
		f[i] = p;
		if ((p = strchr(p, ':')) == NULL)
			return invalid(err, s, "expected arn:PARTITION:SERVICE:REGION:"
			    "ACCOUNT:RESOURCE (not enough sections)");
		p++;
	}
	f[4] = p;
	out->partition = ek_strndup(f[0], (size_t)(f[1] - f[0] - 1));
	out->service = ek_strndup(f[1], (size_t)(f[2] - f[1] - 1));
	out->region = ek_strndup(f[2], (size_t)(f[3] - f[2] - 1));
	out->account = ek_strndup(f[3], (size_t)(f[4] - f[3] - 1));
	out->resource = ek_strdup(f[4]);
	if (out->partition == NULL || out->service == NULL || out->region == NULL ||
	    out->account == NULL || out->resource == NULL) {
		arn_release(out);
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	}
	return EKSKIT_OK;
}

static int
has_bad_bytes(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f)
			return 1;
	return 0;
}

int
arn_parse(const char *s, struct arn *out, struct ekskit_err *err)
{
	char why[128];
	int r;

	memset(out, 0, sizeof(*out));
	if (s == NULL || *s == '\0')
		return ekskit_err_set(err, EKSKIT_ERR_INVALID, "empty ARN");
	if (strlen(s) > ARN_MAX_LEN)
		return ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "ARN longer than %d characters", ARN_MAX_LEN);
	if (has_bad_bytes(s))
		return invalid(err, s, "it contains spaces or control characters");
	if ((r = arn_split(s, out, err)) != EKSKIT_OK)
		return r;
	if (!arn_partition_known(out->partition)) {
		snprintf(why, sizeof(why), "unknown partition '%.40s' (use aws, "
		    "aws-cn, aws-us-gov, ...)", out->partition);
		r = invalid(err, s, why);
	} else if (*out->service == '\0')
		r = invalid(err, s, "the service is empty");
	else if (*out->resource == '\0')
		r = invalid(err, s, "the resource is empty");
	if (r != EKSKIT_OK)
		arn_release(out);
	return r;
}

/* ------------------------------------------------------ canonicalisation */

int
arn_canonicalize(const char *s, char **out, struct ekskit_err *err)
{
	struct arn a;
	const char *slash, *last;
	char *c = NULL;
	size_t rlen;
	int r;

	*out = NULL;
	if ((r = arn_split(s, &a, err)) != EKSKIT_OK)
		return r;
	rlen = strcspn(a.resource, "/");
	if (!arn_partition_known(a.partition))
		r = invalid(err, s, "it does not have a recognized partition");
	else if (strcmp(a.service, "iam") == 0) {
		if ((rlen == 4 && strncmp(a.resource, "role", 4) == 0) ||
		    (rlen == 4 && strncmp(a.resource, "user", 4) == 0) ||
		    (rlen == 4 && strncmp(a.resource, "root", 4) == 0))
			c = ek_strdup(s);
		else
			r = invalid(err, s, "unrecognized resource for service iam "
			    "(expected role/, user/ or root)");
	} else if (strcmp(a.service, "sts") == 0) {
		slash = a.resource + rlen;
		if (rlen == 14 && strncmp(a.resource, "federated-user", 14) == 0)
			c = ek_strdup(s);
		else if (rlen == 12 && strncmp(a.resource, "assumed-role", 12) == 0) {
			/* role = parts[1 .. n-2] joined by '/' (parts[n-1] is the session) */
			last = strrchr(a.resource, '/');
			if (*slash == '\0' || last == slash)
				r = invalid(err, s, "the assumed-role ARN does not have a role");
			else if (asprintf(&c, "arn:%s:iam::%s:role/%.*s", a.partition,
			    a.account, (int)(last - slash - 1), slash + 1) < 0)
				c = NULL;
		} else
			r = invalid(err, s, "unrecognized resource for service sts "
			    "(expected assumed-role/ or federated-user/)");
	} else
		r = invalid(err, s, "the service is not a valid service for "
		    "identities (expected iam or sts)");
	arn_release(&a);
	if (r == EKSKIT_OK && c == NULL)
		r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	*out = c;
	return r;
}

int
arn_strip_role_path(const char *s, char **out, int *stripped,
    struct ekskit_err *err)
{
	struct arn a;
	const char *last;
	int r;

	*out = NULL;
	if (stripped != NULL)
		*stripped = 0;
	if ((r = arn_parse(s, &a, err)) != EKSKIT_OK)
		return r;
	last = strrchr(a.resource, '/');
	if (strncmp(a.resource, "role/", 5) == 0 && last != a.resource + 4) {
		if (asprintf(out, "arn:%s:%s:%s:%s:role/%s", a.partition, a.service,
		    a.region, a.account, last + 1) < 0)
			*out = NULL;
		else if (stripped != NULL)
			*stripped = 1;
	} else
		*out = ek_strdup(s);
	arn_release(&a);
	if (*out == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	return EKSKIT_OK;
}

static void
ascii_lower(char *s)
{
	for (; *s != '\0'; s++)
		*s = (char)tolower((unsigned char)*s);
}

char *
arn_key(const char *s)
{
	char *k = NULL;

	if (s == NULL)
		return NULL;
	if (arn_canonicalize(s, &k, NULL) != EKSKIT_OK)
		k = ek_strdup(s);
	if (k != NULL)
		ascii_lower(k);
	return k;
}

int
arn_same_principal(const char *a, const char *b)
{
	char *ka = arn_key(a), *kb = arn_key(b);
	int same = ka != NULL && kb != NULL && strcmp(ka, kb) == 0;

	free(ka);
	free(kb);
	return same;
}

char *
arn_role_arn(const char *partition, const char *account, const char *path,
    const char *name)
{
	size_t n;
	char *s;

	if (path == NULL || *path == '\0')
		path = "/";
	n = strlen(path);
	/* tolerate a path given without its leading or trailing slash */
	if (asprintf(&s, "arn:%s:iam::%s:role%s%s%s%s", partition, account,
	    *path == '/' ? "" : "/", path, path[n - 1] == '/' ? "" : "/",
	    name) < 0)
		return NULL;
	return s;
}

/* ---------------------------------------------------- strict principals */

void
arn_principal_release(struct arn_principal *p)
{
	if (p == NULL)
		return;
	free(p->input);
	free(p->partition);
	free(p->account);
	free(p->path);
	free(p->name);
	free(p->session);
	free(p->canonical);
	free(p->key);
	memset(p, 0, sizeof(*p));
}

/* IAM's name character set [\w+=,.@-], length min..max. */
static int
iam_name_ok(const char *s, size_t len, size_t min, size_t max)
{
	size_t i;

	if (len < min || len > max)
		return 0;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && strchr("_+=,.@-", s[i]) == NULL)
			return 0;
	return 1;
}

/*
 * "[PATH/]NAME" of a role or user (rest is what follows "role/"): path and
 * name out, both malloc'd; 0 or a message in why.
 */
static int
split_path_name(const char *rest, char **path, char **name, const char **why)
{
	const char *last = strrchr(rest, '/');
	size_t plen = last == NULL ? 0 : (size_t)(last - rest);
	const char *n = last == NULL ? rest : last + 1;

	*path = *name = NULL;
	if (!iam_name_ok(n, strlen(n), 1, IAM_NAME_MAX)) {
		*why = "the name must be 1-64 letters, digits or _+=,.@-";
		return EKSKIT_ERR_INVALID;
	}
	if (plen + 2 > IAM_PATH_MAX || (last != NULL && (rest[0] == '/' ||
	    strstr(rest, "//") != NULL))) {
		*why = "the path is malformed (role/PATH/NAME, no empty segments, "
		    "at most 512 characters)";
		return EKSKIT_ERR_INVALID;
	}
	if (asprintf(path, "/%.*s%s", (int)plen, rest, plen ? "/" : "") < 0)
		*path = NULL;
	*name = ek_strdup(n);
	if (*path == NULL || *name == NULL) {
		free(*path);
		free(*name);
		*path = *name = NULL;
		return EKSKIT_ERR_NOMEM;
	}
	return EKSKIT_OK;
}

/* kind, path, name, session of a validated iam/sts resource. */
static int
principal_resource(const struct arn *a, struct arn_principal *p,
    const char **why)
{
	const char *res = a->resource, *slash;
	int r;

	if (strcmp(a->service, "iam") == 0) {
		if (strcmp(res, "root") == 0) {
			p->kind = ARN_KIND_ROOT;
			p->path = ek_strdup("/");
			p->name = ek_strdup("");
			return p->path && p->name ? EKSKIT_OK : EKSKIT_ERR_NOMEM;
		}
		if (strncmp(res, "role/", 5) == 0)
			p->kind = ARN_KIND_ROLE;
		else if (strncmp(res, "user/", 5) == 0)
			p->kind = ARN_KIND_USER;
		else {
			*why = "an IAM principal is role/NAME, user/NAME or root";
			return EKSKIT_ERR_INVALID;
		}
		if ((r = split_path_name(res + 5, &p->path, &p->name, why)) != 0)
			return r;
		p->service_linked = p->kind == ARN_KIND_ROLE &&
		    ek_startswith(p->path, SERVICE_LINKED_PATH);
		return EKSKIT_OK;
	}
	if (strcmp(a->service, "sts") != 0) {
		*why = "a principal's service is iam or sts";
		return EKSKIT_ERR_INVALID;
	}
	if (strncmp(res, "federated-user/", 15) == 0 &&
	    iam_name_ok(res + 15, strlen(res + 15), 2, 32)) {
		p->kind = ARN_KIND_FEDERATED_USER;
		p->path = ek_strdup("/");
		p->name = ek_strdup(res + 15);
		return p->path && p->name ? EKSKIT_OK : EKSKIT_ERR_NOMEM;
	}
	if (strncmp(res, "assumed-role/", 13) == 0 &&
	    (slash = strchr(res + 13, '/')) != NULL &&
	    iam_name_ok(res + 13, (size_t)(slash - res - 13), 1, IAM_NAME_MAX) &&
	    iam_name_ok(slash + 1, strlen(slash + 1), 2, 64)) {
		p->kind = ARN_KIND_ASSUMED_ROLE;
		p->path = ek_strdup("/");
		p->name = ek_strndup(res + 13, (size_t)(slash - res - 13));
		p->session = ek_strdup(slash + 1);
		return p->path && p->name && p->session ? EKSKIT_OK :
		    EKSKIT_ERR_NOMEM;
	}
	*why = "an STS principal is assumed-role/ROLE/SESSION or "
	    "federated-user/NAME";
	return EKSKIT_ERR_INVALID;
}

int
arn_principal_parse(const char *s, struct arn_principal *out,
    struct ekskit_err *err)
{
	const char *why = NULL;
	struct arn a;
	int r;

	memset(out, 0, sizeof(*out));
	if ((r = arn_parse(s, &a, err)) != EKSKIT_OK)
		return r;
	if (*a.region != '\0')
		why = "IAM and STS ARNs have an empty region (arn:aws:iam::ACCOUNT:...)";
	else if (!arn_account_valid(a.account))
		why = "the account must be 12 digits";
	else
		r = principal_resource(&a, out, &why);
	if (why != NULL && r == EKSKIT_OK)
		r = EKSKIT_ERR_INVALID;
	if (r == EKSKIT_OK) {
		out->input = ek_strdup(s);
		out->partition = ek_strdup(a.partition);
		out->account = ek_strdup(a.account);
		if (out->input == NULL || out->partition == NULL ||
		    out->account == NULL)
			r = EKSKIT_ERR_NOMEM;
		else if ((r = arn_canonicalize(s, &out->canonical, err)) == 0 &&
		    (out->key = arn_key(s)) == NULL)
			r = EKSKIT_ERR_NOMEM;
	}
	arn_release(&a);
	if (r != EKSKIT_OK) {
		arn_principal_release(out);
		if (r == EKSKIT_ERR_NOMEM)
			return ekskit_err_set(err, r, "out of memory");
		if (why != NULL)
			return invalid(err, s, why);
	}
	return r;
}
