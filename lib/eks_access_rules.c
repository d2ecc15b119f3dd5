/*
 * The EKS access-entry API's rules as pure functions (see
 * include/ekskit/eks_access.h), checked before any request is sent so the
 * user gets a precise message instead of a round trip.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ekskit/arn.h"
#include "ekskit/buf.h"
#include "ekskit/eks_access.h"

#define USERNAME_MAX 256
#define GROUP_MAX 256
#define POLICY_PREFIX "cluster-access-policy/"

static const char *const entry_types[] = {
	"STANDARD", "EC2_LINUX", "EC2_WINDOWS", "FARGATE_LINUX", "HYBRID_LINUX",
	"EC2", "HYPERPOD_LINUX", NULL,
};

int
eks_access_type_valid(const char *type)
{
	size_t i;

	for (i = 0; type != NULL && entry_types[i] != NULL; i++)
		if (strcmp(type, entry_types[i]) == 0)
			return 1;
	return 0;
}

static int
is_standard(const char *type)
{
	return type == NULL || strcmp(type, "STANDARD") == 0;
}

static int
usage(struct ekskit_err *err, const char *what, const char *value,
    const char *why)
{
	char shown[300];

	return ekskit_err_set(err, EKSKIT_ERR_USAGE, "%s '%s': %s", what,
	    ek_printable(shown, sizeof(shown), value), why);
}

int
eks_access_check_principal(const char *arn, const char *type,
    struct ekskit_err *err)
{
	struct arn_principal p;
	int r;

	if ((r = arn_principal_parse(arn, &p, err)) != EKSKIT_OK) {
		if (r == EKSKIT_ERR_INVALID && err != NULL)
			err->code = EKSKIT_ERR_USAGE;
		return r == EKSKIT_ERR_INVALID ? EKSKIT_ERR_USAGE : r;
	}
	if (p.kind == ARN_KIND_ASSUMED_ROLE)
		r = ekskit_err_set(err, EKSKIT_ERR_USAGE, "access entries cannot "
		    "use an STS session ARN: use the role's IAM ARN "
		    "arn:%s:iam::%s:role/%s (with its path, if it has one)",
		    p.partition, p.account, p.name);
	else if (p.kind == ARN_KIND_FEDERATED_USER)
		r = usage(err, "principal", arn, "access entries cannot use an STS "
		    "federated-user session: use an IAM role or user ARN");
	else if (p.kind == ARN_KIND_ROOT)
		r = usage(err, "principal", arn, "access entries take an IAM role "
		    "or user, not the account root");
	else if (p.service_linked)
		r = usage(err, "principal", arn, "service-linked roles cannot "
		    "have access entries");
	else if (!is_standard(type) && p.kind != ARN_KIND_ROLE)
		r = usage(err, "principal", arn, "entries for nodes (every type but "
		    "STANDARD) take an IAM role ARN");
	arn_principal_release(&p);
	return r;
}

/* Every {{...}} of u must be {{SessionName}} (after a colon) or {{SessionNameRaw}}. */
static int
check_templates(const char *u, struct ekskit_err *err)
{
	const char *p = u, *end;

	while ((p = strstr(p, "{{")) != NULL) {
		if ((end = strstr(p, "}}")) == NULL)
			return usage(err, "username", u, "an unterminated {{ template");
		if (strncmp(p, "{{SessionName}}", 15) == 0) {
			if (memchr(u, ':', (size_t)(p - u)) == NULL)
				return usage(err, "username", u, "{{SessionName}} "
				    "needs a colon before it (e.g. 'dev:{{SessionName}}')");
		} else if (strncmp(p, "{{SessionNameRaw}}", 18) != 0)
			return usage(err, "username", u, "access entries accept only "
			    "the {{SessionName}} and {{SessionNameRaw}} templates");
		p = end + 2;
	}
	return EKSKIT_OK;
}

int
eks_access_check_username(const char *u, struct ekskit_err *err)
{
	static const char *const reserved[] = {
		"system:", "eks:", "aws:", "amazon:", "iam:", NULL,
	};
	size_t i;

	if (u == NULL || *u == '\0')
		return ekskit_err_set(err, EKSKIT_ERR_USAGE, "empty --username");
	if (strlen(u) > USERNAME_MAX || ek_has_control(u))
		return usage(err, "username", u, "at most 256 printable characters");
	for (i = 0; reserved[i] != NULL; i++)
		if (strncasecmp(u, reserved[i], strlen(reserved[i])) == 0)
			return ekskit_err_set(err, EKSKIT_ERR_USAGE, "username '%s': "
			    "the prefix '%s' is reserved by EKS (usernames cannot "
			    "start with system:, eks:, aws:, amazon: or iam:)",
			    u, reserved[i]);
	return check_templates(u, err);
}

int
eks_access_check_group(const char *g, struct ekskit_err *err)
{
	if (g == NULL || *g == '\0')
		return ekskit_err_set(err, EKSKIT_ERR_USAGE, "empty Kubernetes group");
	if (strlen(g) > GROUP_MAX || ek_has_control(g))
		return usage(err, "Kubernetes group", g,
		    "at most 256 printable characters");
	return EKSKIT_OK;
}

int
eks_access_check_spec(const struct eks_access_entry_spec *s, int for_update,
    struct ekskit_err *err)
{
	size_t i;
	int r;

	if (s->type != NULL && !eks_access_type_valid(s->type))
		return usage(err, "--type", s->type, "use STANDARD, EC2_LINUX, "
		    "EC2_WINDOWS, FARGATE_LINUX or HYBRID_LINUX");
	if ((r = eks_access_check_principal(s->principal_arn, s->type, err)) != 0)
		return r;
	if (!is_standard(s->type) && (s->ngroups > 0 || s->username != NULL))
		return ekskit_err_set(err, EKSKIT_ERR_USAGE, "%s entries take no "
		    "--kubernetes-group and no --username (EKS sets them for "
		    "nodes)%s", s->type, for_update ? "" : "; use --type STANDARD "
		    "for people and workloads");
	if (s->ngroups > EKS_ACCESS_MAX_GROUPS)
		return ekskit_err_set(err, EKSKIT_ERR_USAGE,
		    "at most %d Kubernetes groups", EKS_ACCESS_MAX_GROUPS);
	for (i = 0; i < s->ngroups; i++)
		if ((r = eks_access_check_group(s->groups[i], err)) != 0)
			return r;
	if (s->username != NULL &&
	    (r = eks_access_check_username(s->username, err)) != 0)
		return r;
	return EKSKIT_OK;
}

/* A policy name: letters and digits only, like every AmazonEKS*Policy. */
static int
policy_name_ok(const char *n)
{
	size_t len = strlen(n);

	return len > 0 && len <= 128 && strspn(n, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") == len;
}

int
eks_access_policy_arn(const char *p, const char *partition, char **out,
    struct ekskit_err *err)
{
	struct arn a;
	int r, ok;

	*out = NULL;
	if (p == NULL || *p == '\0')
		return ekskit_err_set(err, EKSKIT_ERR_USAGE, "empty --policy");
	if (strncmp(p, "arn:", 4) != 0) {
		if (!policy_name_ok(p))
			return usage(err, "--policy", p, "give an access policy name "
			    "such as AmazonEKSClusterAdminPolicy, or its ARN");
		if (asprintf(out, "arn:%s:eks::aws:" POLICY_PREFIX "%s",
		    partition ? partition : "aws", p) < 0) {
			*out = NULL;
			return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
		}
		return EKSKIT_OK;
	}
	if ((r = arn_parse(p, &a, err)) != EKSKIT_OK)
		return r == EKSKIT_ERR_INVALID ? EKSKIT_ERR_USAGE : r;
	ok = strcmp(a.service, "eks") == 0 && *a.region == '\0' &&
	    strcmp(a.account, "aws") == 0 && ek_startswith(a.resource,
	    POLICY_PREFIX) && policy_name_ok(a.resource + strlen(POLICY_PREFIX));
	arn_release(&a);
	if (!ok)
		return usage(err, "--policy", p, "an access policy ARN looks like "
		    "arn:aws:eks::aws:cluster-access-policy/NAME");
	if ((*out = strdup(p)) == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	return EKSKIT_OK;
}

/*
 * A Kubernetes namespace name (RFC 1123 label), or a prefix ending in '*'
 * (EKS scopes accept "dev-*").
 */
static int
namespace_ok(const char *n)
{
	size_t len = strlen(n), i;
	int wildcard = len > 1 && n[len - 1] == '*';

	if (wildcard)
		len--;
	if (len == 0 || len > 63 || n[0] == '-' || (!wildcard && n[len - 1] == '-'))
		return 0;
	for (i = 0; i < len; i++)
		if (!islower((unsigned char)n[i]) && !isdigit((unsigned char)n[i]) &&
		    n[i] != '-')
			return 0;
	return 1;
}

int
eks_access_check_scope(const char *scope_type, const char *const *ns,
    size_t nns, struct ekskit_err *err)
{
	size_t i;

	if (scope_type == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_USAGE,
		    "--scope cluster|namespace is required");
	if (strcmp(scope_type, "cluster") == 0) {
		if (nns > 0)
			return ekskit_err_set(err, EKSKIT_ERR_USAGE, "--namespace "
			    "goes with --scope namespace, not --scope cluster");
		return EKSKIT_OK;
	}
	if (strcmp(scope_type, "namespace") != 0)
		return usage(err, "--scope", scope_type, "use cluster or namespace");
	if (nns == 0)
		return ekskit_err_set(err, EKSKIT_ERR_USAGE,
		    "--scope namespace needs at least one --namespace N");
	if (nns > EKS_ACCESS_MAX_NAMESPACES)
		return ekskit_err_set(err, EKSKIT_ERR_USAGE,
		    "at most %d namespaces", EKS_ACCESS_MAX_NAMESPACES);
	for (i = 0; i < nns; i++)
		if (!namespace_ok(ns[i]))
			return usage(err, "--namespace", ns[i], "a namespace name is "
			    "lowercase letters, digits and '-' (at most 63), optionally "
			    "ending in '*'");
	return EKSKIT_OK;
}

int
eks_access_check_associable(const struct eks_access_entry *e,
    struct ekskit_err *err)
{
	if (is_standard(e->type))
		return EKSKIT_OK;
	return ekskit_err_set(err, EKSKIT_ERR_USAGE, "the access entry of %s is "
	    "of type %s: node entries take no access policies (EKS gives nodes "
	    "their permissions)", e->principal_arn, e->type);
}
