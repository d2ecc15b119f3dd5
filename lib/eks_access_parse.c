/*
 * EKS access entries without the network (see include/ekskit/eks_access.h):
 * response parsing (jansson, validated, capped) and the requests built as
 * struct eks_access_call, so they can be shown (--dry-run) before sending.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ekskit/arn.h"
#include "ekskit/buf.h"
#include "ekskit/eks.h"
#include "ekskit/eks_access.h"
#include "ekskit/http.h"

#define FIELD_MAX 4096          /* one string field of an entry */
#define LIST_MAX 100000         /* entries / policies across all pages */

/* ------------------------------------------------------------- freeing */

void
eks_associated_policy_release(struct eks_associated_policy *p)
{
	if (p == NULL)
		return;
	free(p->policy_arn);
	free(p->scope.type);
	ek_strv_free(p->scope.namespaces);
	memset(p, 0, sizeof(*p));
}

void
eks_associated_policies_free(struct eks_associated_policy *v, size_t n)
{
	size_t i;

	for (i = 0; v != NULL && i < n; i++)
		eks_associated_policy_release(&v[i]);
	free(v);
}

void
eks_access_entry_free(struct eks_access_entry *e)
{
	if (e == NULL)
		return;
	free(e->cluster_name);
	free(e->principal_arn);
	free(e->access_entry_arn);
	free(e->type);
	free(e->username);
	ek_strv_free(e->kubernetes_groups);
	eks_associated_policies_free(e->policies, e->npolicies);
	free(e);
}

void
eks_access_entries_free(struct eks_access_entry **v, size_t n)
{
	size_t i;

	for (i = 0; v != NULL && i < n; i++)
		eks_access_entry_free(v[i]);
	free(v);
}

void
eks_access_call_release(struct eks_access_call *call)
{
	if (call == NULL)
		return;
	free(call->path);
	free(call->query);
	free(call->body);
	memset(call, 0, sizeof(*call));
}

/* ------------------------------------------------------------- parsing */

static int
malformed(struct ekskit_err *err, const char *what)
{
	return ekskit_err_set(err, EKSKIT_ERR_INVALID,
	    "malformed eks response: %s", what);
}

static int
text_ok(const char *s, size_t len)
{
	size_t i;

	if (strlen(s) != len || len > FIELD_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

/* Optional string member: absent/null leaves *out NULL. */
static int
get_str(json_t *o, const char *key, char **out, struct ekskit_err *err)
{
	json_t *v = json_object_get(o, key);
	char what[96];

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return EKSKIT_OK;
	if (!json_is_string(v) || !text_ok(json_string_value(v),
	    json_string_length(v))) {
		snprintf(what, sizeof(what), "%s is not a printable string", key);
		return malformed(err, what);
	}
	if ((*out = strdup(json_string_value(v))) == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	return EKSKIT_OK;
}

static int
get_time(json_t *o, const char *key, double *out, struct ekskit_err *err)
{
	json_t *v = json_object_get(o, key);

	*out = 0;
	if (v == NULL || json_is_null(v))
		return EKSKIT_OK;
	if (!json_is_number(v))
		return malformed(err, "a timestamp is not a number");
	*out = json_number_value(v);
	return EKSKIT_OK;
}

/* A list of strings (absent = empty), NULL-terminated copy in *out. */
static int
get_strv(json_t *o, const char *key, size_t max, char ***out,
    struct ekskit_err *err)
{
	json_t *a = json_object_get(o, key), *v;
	size_t i, n = 0;

	if (a != NULL && !json_is_null(a) &&
	    (!json_is_array(a) || (n = json_array_size(a)) > max))
		return malformed(err, "a list is not a list of strings or too long");
	if ((*out = calloc(n + 1, sizeof(char *))) == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		v = json_array_get(a, i);
		if (!json_is_string(v) || !text_ok(json_string_value(v),
		    json_string_length(v)))
			return malformed(err, "a list item is not a printable string");
		if (((*out)[i] = strdup(json_string_value(v))) == NULL)
			return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	}
	return EKSKIT_OK;
}

static int
load_object(const char *json, size_t len, json_t **root, struct ekskit_err *err)
{
	json_error_t je;
	char what[200];

	*root = json_loadb(json ? json : "", len, JSON_REJECT_DUPLICATES, &je);
	if (*root == NULL) {
		snprintf(what, sizeof(what), "%s (position %d)", je.text, je.position);
		return malformed(err, what);
	}
	if (!json_is_object(*root)) {
		json_decref(*root);
		*root = NULL;
		return malformed(err, "not a json object");
	}
	return EKSKIT_OK;
}

static int
fill_entry(json_t *o, struct eks_access_entry *e, struct ekskit_err *err)
{
	int r;

	if ((r = get_str(o, "clusterName", &e->cluster_name, err)) != 0 ||
	    (r = get_str(o, "principalArn", &e->principal_arn, err)) != 0 ||
	    (r = get_str(o, "accessEntryArn", &e->access_entry_arn, err)) != 0 ||
	    (r = get_str(o, "type", &e->type, err)) != 0 ||
	    (r = get_str(o, "username", &e->username, err)) != 0 ||
	    (r = get_strv(o, "kubernetesGroups", EKS_ACCESS_MAX_GROUPS * 10,
	    &e->kubernetes_groups, err)) != 0 ||
	    (r = get_time(o, "createdAt", &e->created_at, err)) != 0 ||
	    (r = get_time(o, "modifiedAt", &e->modified_at, err)) != 0)
		return r;
	if (e->principal_arn == NULL)
		return malformed(err, "accessEntry.principalArn is missing");
	if (e->type == NULL && (e->type = strdup("STANDARD")) == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	return EKSKIT_OK;
}

int
eks_access_entry_parse(const char *json, size_t len,
    struct eks_access_entry **out, struct ekskit_err *err)
{
	struct eks_access_entry *e = NULL;
	json_t *root, *o;
	int r;

	*out = NULL;
	if ((r = load_object(json, len, &root, err)) != EKSKIT_OK)
		return r;
	if ((o = json_object_get(root, "accessEntry")) == NULL || !json_is_object(o))
		r = malformed(err, "no accessEntry object");
	else if ((e = calloc(1, sizeof(*e))) == NULL)
		r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	else if ((r = fill_entry(o, e, err)) == EKSKIT_OK) {
		*out = e;
		e = NULL;
	}
	eks_access_entry_free(e);
	json_decref(root);
	return r;
}

static int
next_token(json_t *root, char **next, struct ekskit_err *err)
{
	int r = get_str(root, "nextToken", next, err);

	if (r == EKSKIT_OK && *next != NULL && **next == '\0') {
		free(*next);
		*next = NULL;
	}
	return r;
}

int
eks_access_list_page_parse(const char *json, size_t len, char ***v, size_t *n,
    char **next, struct ekskit_err *err)
{
	char **page = NULL, **grown;
	json_t *root;
	size_t i, k;
	int r;

	*next = NULL;
	if ((r = load_object(json, len, &root, err)) != EKSKIT_OK)
		return r;
	if ((r = get_strv(root, "accessEntries", 1000, &page, err)) != 0 ||
	    (r = next_token(root, next, err)) != 0)
		goto out;
	for (k = 0; page[k] != NULL; k++)
		;
	if (*n + k > LIST_MAX) {
		r = ekskit_err_set(err, EKSKIT_ERR_NOMEM,
		    "more than %d access entries", LIST_MAX);
		goto out;
	}
	if ((grown = realloc(*v, (*n + k + 1) * sizeof(char *))) == NULL) {
		r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	*v = grown;
	for (i = 0; i < k; i++) {
		grown[(*n)++] = page[i];
		page[i] = NULL;
	}
	grown[*n] = NULL;
out:
	if (r != EKSKIT_OK) {
		free(*next);
		*next = NULL;
	}
	ek_strv_free(page);
	json_decref(root);
	return r;
}

/* One AssociatedAccessPolicy object into p. */
static int
fill_policy(json_t *o, struct eks_associated_policy *p, struct ekskit_err *err)
{
	json_t *scope;
	int r;

	if (!json_is_object(o))
		return malformed(err, "an associated policy is not an object");
	if ((r = get_str(o, "policyArn", &p->policy_arn, err)) != 0 ||
	    (r = get_time(o, "associatedAt", &p->associated_at, err)) != 0 ||
	    (r = get_time(o, "modifiedAt", &p->modified_at, err)) != 0)
		return r;
	if (p->policy_arn == NULL)
		return malformed(err, "an associated policy has no policyArn");
	scope = json_object_get(o, "accessScope");
	if (scope != NULL && !json_is_object(scope))
		return malformed(err, "accessScope is not an object");
	if ((r = get_str(scope, "type", &p->scope.type, err)) != 0 ||
	    (r = get_strv(scope, "namespaces", 1000, &p->scope.namespaces,
	    err)) != 0)
		return r;
	if (p->scope.type == NULL && (p->scope.type = strdup("cluster")) == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	return EKSKIT_OK;
}

int
eks_access_policies_page_parse(const char *json, size_t len,
    struct eks_associated_policy **v, size_t *n, char **next,
    struct ekskit_err *err)
{
	struct eks_associated_policy *grown;
	json_t *root, *a, *o;
	size_t i, k = 0;
	int r;

	*next = NULL;
	if ((r = load_object(json, len, &root, err)) != EKSKIT_OK)
		return r;
	a = json_object_get(root, "associatedAccessPolicies");
	if (a != NULL && !json_is_null(a) && !json_is_array(a))
		r = malformed(err, "associatedAccessPolicies is not a list");
	else if ((k = json_array_size(a)) > 1000 || *n + k > LIST_MAX)
		r = malformed(err, "too many associated policies");
	else if ((r = next_token(root, next, err)) == EKSKIT_OK &&
	    (grown = realloc(*v, (*n + k + 1) * sizeof(*grown))) == NULL)
		r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	else if (r == EKSKIT_OK) {
		*v = grown;
		json_array_foreach(a, i, o) {
			memset(&grown[*n], 0, sizeof(grown[*n]));
			r = fill_policy(o, &grown[*n], err);
			(*n)++;
			if (r != EKSKIT_OK)
				break;
		}
	}
	if (r != EKSKIT_OK) {
		free(*next);
		*next = NULL;
	}
	json_decref(root);
	return r;
}

int
eks_access_associated_parse(const char *json, size_t len,
    struct eks_associated_policy **out, struct ekskit_err *err)
{
	struct eks_associated_policy *p;
	json_t *root, *o;
	int r;

	*out = NULL;
	if ((r = load_object(json, len, &root, err)) != EKSKIT_OK)
		return r;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	else if ((o = json_object_get(root, "associatedAccessPolicy")) == NULL)
		r = malformed(err, "no associatedAccessPolicy object");
	else
		r = fill_policy(o, p, err);
	json_decref(root);
	if (r != EKSKIT_OK) {
		eks_associated_policies_free(p, 1);
		return r;
	}
	*out = p;
	return EKSKIT_OK;
}

/* ------------------------------------------------------------ requests */

/* The principal of an existing entry: a well-formed IAM ARN (usage error otherwise). */
static int
principal_arg(const char *arn, struct ekskit_err *err)
{
	struct arn_principal p;
	int r = arn_principal_parse(arn, &p, err);

	arn_principal_release(&p);
	if (r == EKSKIT_ERR_INVALID && err != NULL)
		err->code = EKSKIT_ERR_USAGE;
	return r == EKSKIT_ERR_INVALID ? EKSKIT_ERR_USAGE : r;
}

/* "/clusters/NAME/access-entries[/PRINCIPAL[/access-policies[/POLICY]]]" */
int
eks_access_path(const char *cluster, const char *principal, int policies,
    const char *policy, char **out, struct ekskit_err *err)
{
	struct ekbuf b;
	int r = EKSKIT_OK;
	char shown[120];

	*out = NULL;
	if (principal != NULL && (r = principal_arg(principal, err)) != 0)
		return r;
	if (!eks_cluster_name_valid(cluster))
		return ekskit_err_set(err, EKSKIT_ERR_USAGE, "invalid cluster name "
		    "'%s': use 1-100 letters, digits, - and _, starting with a "
		    "letter or digit (--cluster-name)",
		    ek_printable(shown, sizeof(shown), cluster));
	ekbuf_init(&b, 16384);
	if (ekbuf_puts(&b, "/clusters/") != 0 ||
	    http_uri_encode(&b, cluster, strlen(cluster), 1) != 0 ||
	    ekbuf_puts(&b, "/access-entries") != 0)
		r = EKSKIT_ERR_NOMEM;
	if (r == 0 && principal != NULL && (ekbuf_putc(&b, '/') != 0 ||
	    http_uri_encode(&b, principal, strlen(principal), 1) != 0))
		r = EKSKIT_ERR_NOMEM;
	if (r == 0 && policies && ekbuf_puts(&b, "/access-policies") != 0)
		r = EKSKIT_ERR_NOMEM;
	if (r == 0 && policy != NULL && (ekbuf_putc(&b, '/') != 0 ||
	    http_uri_encode(&b, policy, strlen(policy), 1) != 0))
		r = EKSKIT_ERR_NOMEM;
	if (r == 0 && (*out = ekbuf_detach(&b, NULL)) == NULL)
		r = EKSKIT_ERR_NOMEM;
	ekbuf_release(&b);
	return r == 0 ? 0 : ekskit_err_set(err, r, "out of memory");
}

static json_t *
string_array(const char *const *v, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < n; i++)
		if (json_array_append_new(a, json_string(v[i])) != 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

/* Serialise body into call->body (compact, keys in insertion order). */
static int
set_body(struct eks_access_call *call, json_t *body, int ok,
    struct ekskit_err *err)
{
	if (ok && body != NULL)
		call->body = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(body);
	if (call->body == NULL) {
		eks_access_call_release(call);
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	}
	return EKSKIT_OK;
}

int
eks_access_build_create(const char *cluster,
    const struct eks_access_entry_spec *s, struct eks_access_call *call,
    struct ekskit_err *err)
{
	json_t *body;
	int r, ok;

	memset(call, 0, sizeof(*call));
	if ((r = eks_access_check_spec(s, 0, err)) != 0 ||
	    (r = eks_access_path(cluster, NULL, 0, NULL, &call->path, err)) != 0)
		return r;
	call->op = "CreateAccessEntry";
	call->method = "POST";
	body = json_object();
	ok = body != NULL && json_object_set_new(body, "principalArn",
	    json_string(s->principal_arn)) == 0;
	if (ok && s->ngroups > 0)
		ok = json_object_set_new(body, "kubernetesGroups",
		    string_array(s->groups, s->ngroups)) == 0;
	if (ok && s->username != NULL)
		ok = json_object_set_new(body, "username",
		    json_string(s->username)) == 0;
	if (ok && s->type != NULL)
		ok = json_object_set_new(body, "type", json_string(s->type)) == 0;
	return set_body(call, body, ok, err);
}

int
eks_access_build_update(const char *cluster,
    const struct eks_access_entry *cur, const struct eks_access_entry_spec *s,
    struct eks_access_call *call, struct ekskit_err *err)
{
	struct eks_access_entry_spec merged = *s;
	int standard = cur->type == NULL || strcmp(cur->type, "STANDARD") == 0;
	json_t *body;
	size_t n = 0;
	int r, ok;

	memset(call, 0, sizeof(*call));
	if (s->type != NULL && cur->type != NULL && strcmp(s->type, cur->type) != 0)
		return ekskit_err_set(err, EKSKIT_ERR_USAGE, "the type of an access "
		    "entry cannot change (it is %s): delete and create it again",
		    cur->type);
	merged.type = cur->type;
	/* a node entry takes neither: refused here when the user gave one */
	if (!standard && (r = eks_access_check_spec(&merged, 1, err)) != 0)
		return r;
	/* the API resets what the request leaves out: carry the current state */
	if (standard && s->ngroups == 0 && cur->kubernetes_groups != NULL) {
		while (cur->kubernetes_groups[n] != NULL)
			n++;
		merged.groups = (const char *const *)cur->kubernetes_groups;
		merged.ngroups = n;
	}
	if (standard && s->username == NULL)
		merged.username = cur->username;
	if ((r = eks_access_check_spec(&merged, 1, err)) != 0 ||
	    (r = eks_access_path(cluster, s->principal_arn, 0, NULL, &call->path,
	    err)) != 0)
		return r;
	call->op = "UpdateAccessEntry";
	call->method = "POST";
	body = json_object();
	ok = body != NULL;
	if (ok && standard)
		ok = json_object_set_new(body, "kubernetesGroups",
		    string_array(merged.groups, merged.ngroups)) == 0;
	if (ok && merged.username != NULL)
		ok = json_object_set_new(body, "username",
		    json_string(merged.username)) == 0;
	return set_body(call, body, ok, err);
}

int
eks_access_build_delete(const char *cluster, const char *principal_arn,
    struct eks_access_call *call, struct ekskit_err *err)
{
	int r;

	memset(call, 0, sizeof(*call));
	if ((r = eks_access_path(cluster, principal_arn, 0, NULL, &call->path, err)) != 0)
		return r;
	call->op = "DeleteAccessEntry";
	call->method = "DELETE";
	return EKSKIT_OK;
}

int
eks_access_build_associate(const char *cluster, const char *principal_arn,
    const char *policy_arn, const char *scope_type, const char *const *ns,
    size_t nns, struct eks_access_call *call, struct ekskit_err *err)
{
	json_t *body, *scope;
	int r, ok;

	memset(call, 0, sizeof(*call));
	if ((r = eks_access_check_scope(scope_type, ns, nns, err)) != 0 ||
	    (r = eks_access_path(cluster, principal_arn, 1, NULL, &call->path,
	    err)) != 0)
		return r;
	call->op = "AssociateAccessPolicy";
	call->method = "POST";
	body = json_object();
	scope = json_object();
	ok = body != NULL && scope != NULL &&
	    json_object_set_new(scope, "type", json_string(scope_type)) == 0 &&
	    (nns == 0 || json_object_set_new(scope, "namespaces",
	    string_array(ns, nns)) == 0) &&
	    json_object_set_new(body, "policyArn", json_string(policy_arn)) == 0;
	if (ok) {
		ok = json_object_set_new(body, "accessScope", scope) == 0;
		scope = NULL;
	}
	json_decref(scope);
	return set_body(call, body, ok, err);
}

int
eks_access_build_disassociate(const char *cluster, const char *principal_arn,
    const char *policy_arn, struct eks_access_call *call,
    struct ekskit_err *err)
{
	int r;

	memset(call, 0, sizeof(*call));
	if ((r = eks_access_path(cluster, principal_arn, 1, policy_arn, &call->path,
	    err)) != 0)
		return r;
	call->op = "DisassociateAccessPolicy";
	call->method = "DELETE";
	return EKSKIT_OK;
}

/* ---------------------------------------------------------- json views */

static json_t *
strv_json(char *const *v)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && v != NULL && v[i] != NULL; i++)
		if (json_array_append_new(a, json_string(v[i])) != 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

json_t *
eks_associated_policy_json(const struct eks_associated_policy *p)
{
	json_t *o = json_object(), *scope = json_object();

	if (o == NULL || scope == NULL ||
	    json_object_set_new(scope, "type", json_string(p->scope.type)) != 0 ||
	    json_object_set_new(scope, "namespaces",
	    strv_json(p->scope.namespaces)) != 0 ||
	    json_object_set_new(o, "policyArn", json_string(p->policy_arn)) != 0 ||
	    json_object_set_new(o, "accessScope", scope) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static int
set_time(json_t *o, const char *key, double t)
{
	return t > 0 ? json_object_set_new(o, key, json_real(t)) : 0;
}

json_t *
eks_access_entry_json(const struct eks_access_entry *e)
{
	json_t *o = json_object(), *pols = json_array();
	size_t i;
	int ok;

	ok = o != NULL && pols != NULL &&
	    json_object_set_new(o, "principalArn", json_string(e->principal_arn)) == 0 &&
	    json_object_set_new(o, "type", json_string(e->type ? e->type :
	    "STANDARD")) == 0 &&
	    json_object_set_new(o, "username", e->username ?
	    json_string(e->username) : json_null()) == 0 &&
	    json_object_set_new(o, "kubernetesGroups",
	    strv_json(e->kubernetes_groups)) == 0 &&
	    (e->access_entry_arn == NULL || json_object_set_new(o,
	    "accessEntryArn", json_string(e->access_entry_arn)) == 0) &&
	    set_time(o, "createdAt", e->created_at) == 0 &&
	    set_time(o, "modifiedAt", e->modified_at) == 0;
	for (i = 0; ok && i < e->npolicies; i++)
		ok = json_array_append_new(pols,
		    eks_associated_policy_json(&e->policies[i])) == 0;
	if (ok) {
		ok = json_object_set_new(o, "accessPolicies", pols) == 0;
		pols = NULL;   /* owned by o now, even when that failed */
	}
	json_decref(pols);
	if (ok)
		return o;
	json_decref(o);
	return NULL;
}

const char *
eks_access_policy_short(const char *arn)
{
	const char *p = arn != NULL ? strstr(arn, ":cluster-access-policy/") : NULL;

	return p != NULL ? p + strlen(":cluster-access-policy/") : arn;
}
