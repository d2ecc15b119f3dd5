/*
 * EKS access entries over the network (see include/ekskit/eks_access.h):
 * each call is built by lib/eks_access_parse.c, sent with
 * aws_rest_json_call (SigV4, retries, AWS error parsing), and its answer
 * parsed there too.
 */
#include <stdlib.h>
#include <string.h>

#include "ekskit/arn.h"
#include "ekskit/buf.h"
#include "ekskit/eks.h"
#include "ekskit/eks_access.h"
#include "ekskit/http.h"

#define PAGE_SIZE "100"
#define MAX_PAGES 1000

/* ResourceNotFoundException -> EKSKIT_ERR_NOT_FOUND, the API's message kept. */
static int
map_error(int r, const char *op, struct ekskit_err *err)
{
	if (r == EKSKIT_ERR_REMOTE && err != NULL &&
	    strcmp(err->remote_code, "ResourceNotFoundException") == 0) {
		err->code = EKSKIT_ERR_NOT_FOUND;
		ekskit_err_prefix(err, "eks %s", op);
		return EKSKIT_ERR_NOT_FOUND;
	}
	if (r != EKSKIT_OK && err != NULL)
		ekskit_err_prefix(err, "eks %s", op);
	return r;
}

int
eks_access_call_send(const struct aws_client *c,
    const struct eks_access_call *call, char **resp_body,
    struct ekskit_err *err)
{
	struct http_response resp;
	int r;

	if (resp_body != NULL)
		*resp_body = NULL;
	memset(&resp, 0, sizeof(resp));
	r = aws_rest_json_call(c, call->method, call->path, call->query,
	    call->body, &resp, err);
	if (r == EKSKIT_OK && resp_body != NULL &&
	    (*resp_body = ek_strndup(resp.body.data ? resp.body.data : "",
	    resp.body.len)) == NULL)
		r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	http_response_release(&resp);
	return map_error(r, call->op, err);
}

/* A GET of path?query, body into *body. */
static int
get(const struct aws_client *c, const char *op, char *path, char *query,
    char **body, struct ekskit_err *err)
{
	struct eks_access_call call = { op, "GET", path, query, NULL };
	int r = eks_access_call_send(c, &call, body, err);

	eks_access_call_release(&call);
	return r;
}

/* "maxResults=100[&nextToken=T][&associatedPolicyArn=P]" */
static char *
list_query(const char *token, const char *policy)
{
	struct ekbuf q;
	int r;

	ekbuf_init(&q, 64 * 1024);
	r = ekbuf_puts(&q, "maxResults=" PAGE_SIZE);
	if (r == 0 && token != NULL)
		r = ekbuf_puts(&q, "&nextToken=") ||
		    http_uri_encode(&q, token, strlen(token), 1);
	if (r == 0 && policy != NULL)
		r = ekbuf_puts(&q, "&associatedPolicyArn=") ||
		    http_uri_encode(&q, policy, strlen(policy), 1);
	if (r != 0) {
		ekbuf_release(&q);
		return NULL;
	}
	return ekbuf_detach(&q, NULL);
}

int
eks_access_list(const struct aws_client *c, const char *cluster,
    const char *associated_policy_arn, char ***out, size_t *n,
    struct ekskit_err *err)
{
	char **v = NULL, *token = NULL, *next = NULL, *body = NULL, *path, *q;
	size_t count = 0;
	int r, page;

	*out = NULL;
	*n = 0;
	for (page = 0; page < MAX_PAGES; page++) {
		if ((r = eks_access_path(cluster, NULL, 0, NULL, &path, err)) != 0)
			goto out;
		if ((q = list_query(token, associated_policy_arn)) == NULL) {
			free(path);
			r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
			goto out;
		}
		if ((r = get(c, "ListAccessEntries", path, q, &body, err)) != 0 ||
		    (r = eks_access_list_page_parse(body, strlen(body), &v, &count,
		    &next, err)) != 0)
			goto out;
		free(body);
		body = NULL;
		free(token);
		token = next;
		next = NULL;
		if (token == NULL)
			break;
	}
	if (token != NULL)
		r = ekskit_err_set(err, EKSKIT_ERR_INVALID, "listing access entries: "
		    "still more after %d pages", MAX_PAGES);
	else if (v == NULL && (v = calloc(1, sizeof(*v))) == NULL)
		r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	if (r == EKSKIT_OK) {
		*out = v;
		*n = count;
		v = NULL;
	}
out:
	ek_strv_free(v);
	free(token);
	free(body);
	return r;
}

int
eks_access_describe(const struct aws_client *c, const char *cluster,
    const char *principal_arn, struct eks_access_entry **out,
    struct ekskit_err *err)
{
	char *path, *body = NULL;
	int r;

	*out = NULL;
	if ((r = eks_access_path(cluster, principal_arn, 0, NULL, &path, err)) != 0)
		return r;
	if ((r = get(c, "DescribeAccessEntry", path, NULL, &body, err)) == 0)
		r = eks_access_entry_parse(body, strlen(body), out, err);
	free(body);
	return r;
}

int
eks_access_list_policies(const struct aws_client *c, const char *cluster,
    const char *principal_arn, struct eks_associated_policy **out, size_t *n,
    struct ekskit_err *err)
{
	struct eks_associated_policy *v = NULL;
	char *token = NULL, *next = NULL, *body = NULL, *path, *q;
	size_t count = 0;
	int r = EKSKIT_OK, page;

	*out = NULL;
	*n = 0;
	for (page = 0; page < MAX_PAGES; page++) {
		if ((r = eks_access_path(cluster, principal_arn, 1, NULL, &path, err)) != 0)
			goto out;
		if ((q = list_query(token, NULL)) == NULL) {
			free(path);
			r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
			goto out;
		}
		if ((r = get(c, "ListAssociatedAccessPolicies", path, q, &body,
		    err)) != 0 || (r = eks_access_policies_page_parse(body,
		    strlen(body), &v, &count, &next, err)) != 0)
			goto out;
		free(body);
		body = NULL;
		free(token);
		token = next;
		next = NULL;
		if (token == NULL)
			break;
	}
	if (token != NULL)
		r = ekskit_err_set(err, EKSKIT_ERR_INVALID, "listing access policies: "
		    "still more after %d pages", MAX_PAGES);
	if (r == EKSKIT_OK) {
		*out = v;
		*n = count;
		v = NULL;
		count = 0;
	}
out:
	eks_associated_policies_free(v, count);
	free(token);
	free(body);
	return r;
}

int
eks_access_describe_full(const struct aws_client *c, const char *cluster,
    const char *principal_arn, struct eks_access_entry **out,
    struct ekskit_err *err)
{
	struct eks_access_entry *e;
	int r;

	if ((r = eks_access_describe(c, cluster, principal_arn, out, err)) != 0)
		return r;
	e = *out;
	if ((r = eks_access_list_policies(c, cluster, principal_arn, &e->policies,
	    &e->npolicies, err)) != 0) {
		eks_access_entry_free(e);
		*out = NULL;
	}
	return r;
}

int
eks_access_list_full(const struct aws_client *c, const char *cluster,
    struct eks_access_entry ***out, size_t *n, struct ekskit_err *err)
{
	struct eks_access_entry **v = NULL;
	char **arns = NULL;
	size_t count = 0, i;
	int r;

	*out = NULL;
	*n = 0;
	if ((r = eks_access_list(c, cluster, NULL, &arns, &count, err)) != 0)
		return r;
	if ((v = calloc(count + 1, sizeof(*v))) == NULL)
		r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	for (i = 0; r == EKSKIT_OK && i < count; i++)
		r = eks_access_describe_full(c, cluster, arns[i], &v[i], err);
	ek_strv_free(arns);
	if (r != EKSKIT_OK) {
		eks_access_entries_free(v, count);
		return r;
	}
	*out = v;
	*n = count;
	return EKSKIT_OK;
}

/* Send a built call and parse {"accessEntry":...} into *out when wanted. */
static int
send_entry(const struct aws_client *c, struct eks_access_call *call,
    struct eks_access_entry **out, struct ekskit_err *err)
{
	char *body = NULL;
	int r;

	r = eks_access_call_send(c, call, out != NULL ? &body : NULL, err);
	if (r == EKSKIT_OK && out != NULL)
		r = eks_access_entry_parse(body, strlen(body), out, err);
	free(body);
	eks_access_call_release(call);
	return r;
}

int
eks_access_create(const struct aws_client *c, const char *cluster,
    const struct eks_access_entry_spec *s, struct eks_access_entry **out,
    struct ekskit_err *err)
{
	struct eks_access_call call;
	int r;

	if (out != NULL)
		*out = NULL;
	if ((r = eks_access_build_create(cluster, s, &call, err)) != 0)
		return r;
	return send_entry(c, &call, out, err);
}

int
eks_access_update(const struct aws_client *c, const char *cluster,
    const struct eks_access_entry_spec *s, struct eks_access_entry **out,
    struct ekskit_err *err)
{
	struct eks_access_entry *cur = NULL;
	struct eks_access_call call;
	int r;

	if (out != NULL)
		*out = NULL;
	if ((r = eks_access_describe(c, cluster, s->principal_arn, &cur, err)) != 0)
		return r;
	r = eks_access_build_update(cluster, cur, s, &call, err);
	eks_access_entry_free(cur);
	if (r != EKSKIT_OK)
		return r;
	return send_entry(c, &call, out, err);
}

int
eks_access_delete(const struct aws_client *c, const char *cluster,
    const char *principal_arn, struct ekskit_err *err)
{
	struct eks_access_call call;
	int r;

	if ((r = eks_access_build_delete(cluster, principal_arn, &call, err)) != 0)
		return r;
	return send_entry(c, &call, NULL, err);
}

/* Partition of the principal (for short policy names), "aws" when unknown. */
static char *
principal_partition(const char *principal_arn)
{
	struct arn a;
	char *p;

	if (arn_parse(principal_arn, &a, NULL) != EKSKIT_OK)
		return strdup("aws");
	p = a.partition;
	a.partition = NULL;
	arn_release(&a);
	return p;
}

int
eks_access_policy_arn_for(const char *principal_arn, const char *policy,
    char **out, struct ekskit_err *err)
{
	char *part = principal_partition(principal_arn);
	int r;

	if (part == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	r = eks_access_policy_arn(policy, part, out, err);
	free(part);
	return r;
}

int
eks_access_associate(const struct aws_client *c, const char *cluster,
    const char *principal_arn, const char *policy, const char *scope_type,
    const char *const *ns, size_t nns, struct eks_associated_policy **out,
    struct ekskit_err *err)
{
	struct eks_associated_policy *v = NULL;
	struct eks_access_call call;
	char *policy_arn, *body = NULL;
	size_t n = 0;
	int r;

	if (out != NULL)
		*out = NULL;
	if ((r = eks_access_policy_arn_for(principal_arn, policy, &policy_arn, err)) != 0)
		return r;
	r = eks_access_build_associate(cluster, principal_arn, policy_arn,
	    scope_type, ns, nns, &call, err);
	free(policy_arn);
	if (r != EKSKIT_OK)
		return r;
	r = eks_access_call_send(c, &call, &body, err);
	eks_access_call_release(&call);
	if (r != EKSKIT_OK || out == NULL)
		goto done;
	if ((r = eks_access_associated_parse(body, strlen(body), &v, err)) == 0) {
		*out = v;
		v = NULL;
		n = 1;
	}
done:
	eks_associated_policies_free(v, n);
	free(body);
	return r;
}

int
eks_access_disassociate(const struct aws_client *c, const char *cluster,
    const char *principal_arn, const char *policy, struct ekskit_err *err)
{
	struct eks_access_call call;
	char *policy_arn;
	int r;

	if ((r = eks_access_policy_arn_for(principal_arn, policy, &policy_arn, err)) != 0)
		return r;
	r = eks_access_build_disassociate(cluster, principal_arn, policy_arn,
	    &call, err);
	free(policy_arn);
	if (r != EKSKIT_OK)
		return r;
	return send_entry(c, &call, NULL, err);
}

int
eks_access_auth_mode(const struct aws_client *c, const char *cluster,
    char **mode, struct ekskit_err *err)
{
	struct eks_cluster *cl = NULL;
	int r;

	*mode = NULL;
	if ((r = eks_describe_cluster(c, cluster, &cl, err)) != 0)
		return r;
	*mode = strdup(cl->authentication_mode ? cl->authentication_mode :
	    "CONFIG_MAP");
	eks_cluster_free(cl);
	if (*mode == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	return EKSKIT_OK;
}
