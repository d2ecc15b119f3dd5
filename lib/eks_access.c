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
#define PARALLEL 8   /* requests in flight for list_full */

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

/*
 * Append the policy pages of a principal to (*v, *count), starting at
 * `token` (NULL: the first page).  On failure what was appended stays for
 * the caller to free.
 */
static int
policies_from(const struct aws_client *c, const char *cluster,
    const char *principal_arn, const char *first_token,
    struct eks_associated_policy **v, size_t *count, struct ekskit_err *err)
{
	char *token = ek_strdup(first_token), *next = NULL, *body = NULL, *path, *q;
	int r = EKSKIT_OK, page;

	if (first_token != NULL && token == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	for (page = 0; page < MAX_PAGES; page++) {
		if ((r = eks_access_path(cluster, principal_arn, 1, NULL, &path, err)) != 0)
			break;
		if ((q = list_query(token, NULL)) == NULL) {
			free(path);
			r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
			break;
		}
		if ((r = get(c, "ListAssociatedAccessPolicies", path, q, &body,
		    err)) != 0 || (r = eks_access_policies_page_parse(body,
		    strlen(body), v, count, &next, err)) != 0)
			break;
		free(body);
		body = NULL;
		free(token);
		token = next;
		next = NULL;
		if (token == NULL)
			break;
	}
	if (r == EKSKIT_OK && token != NULL)
		r = ekskit_err_set(err, EKSKIT_ERR_INVALID, "listing access policies: "
		    "still more after %d pages", MAX_PAGES);
	free(token);
	free(body);
	return r;
}

int
eks_access_list_policies(const struct aws_client *c, const char *cluster,
    const char *principal_arn, struct eks_associated_policy **out, size_t *n,
    struct ekskit_err *err)
{
	struct eks_associated_policy *v = NULL;
	size_t count = 0;
	int r;

	*out = NULL;
	*n = 0;
	if ((r = policies_from(c, cluster, principal_arn, NULL, &v, &count,
	    err)) != EKSKIT_OK) {
		eks_associated_policies_free(v, count);
		return r;
	}
	*out = v;
	*n = count;
	return EKSKIT_OK;
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

/*
 * n GETs (paths[i]?query) in parallel.  For each i: bodies[i] the answer
 * (malloc'd) or rcs[i] the error (mapped as map_error does) with errs[i].
 */
static int
get_many(const struct aws_client *c, const char *op, char *const *paths,
    const char *query, size_t n, char **bodies, int *rcs,
    struct ekskit_err *errs)
{
	struct http_response *resps = calloc(n, sizeof(*resps));
	const char **queries = calloc(n, sizeof(*queries));
	size_t i;

	if (resps == NULL || queries == NULL) {
		free(resps);
		free(queries);
		return EKSKIT_ERR_NOMEM;
	}
	for (i = 0; i < n; i++)
		queries[i] = query;
	aws_rest_json_call_many(c, "GET", (const char *const *)paths, queries, n,
	    resps, rcs, errs, PARALLEL);
	for (i = 0; i < n; i++) {
		if (rcs[i] == EKSKIT_OK && (bodies[i] = ek_strndup(resps[i].body.data ?
		    resps[i].body.data : "", resps[i].body.len)) == NULL)
			rcs[i] = ekskit_err_set(&errs[i], EKSKIT_ERR_NOMEM, "out of memory");
		else if (rcs[i] != EKSKIT_OK)
			rcs[i] = map_error(rcs[i], op, &errs[i]);
		http_response_release(&resps[i]);
	}
	free(resps);
	free(queries);
	return EKSKIT_OK;
}

/* Scratch space of eks_access_list_full; released by many_release. */
struct many {
	char **paths, **bodies;
	int *rcs;
	struct ekskit_err *errs;
	size_t n;
};

static int
many_init(struct many *m, size_t n)
{
	memset(m, 0, sizeof(*m));
	m->n = n;
	m->paths = calloc(n + 1, sizeof(char *));
	m->bodies = calloc(n + 1, sizeof(char *));
	m->rcs = calloc(n + 1, sizeof(int));
	m->errs = calloc(n + 1, sizeof(*m->errs));
	return m->paths && m->bodies && m->rcs && m->errs ? 0 : EKSKIT_ERR_NOMEM;
}

static void
many_reset(struct many *m)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		free(m->paths[i]);
		free(m->bodies[i]);
		m->paths[i] = m->bodies[i] = NULL;
	}
}

static void
many_release(struct many *m)
{
	if (m->paths != NULL && m->bodies != NULL)
		many_reset(m);
	free(m->paths);
	free(m->bodies);
	free(m->rcs);
	free(m->errs);
}

/* DescribeAccessEntry for every ARN in parallel; an entry deleted meanwhile is skipped. */
static int
describe_all(const struct aws_client *c, const char *cluster, char **arns,
    struct many *m, struct eks_access_entry **v, size_t *kept,
    struct ekskit_err *err)
{
	size_t i;
	int r = EKSKIT_OK;

	for (i = 0; r == EKSKIT_OK && i < m->n; i++)
		r = eks_access_path(cluster, arns[i], 0, NULL, &m->paths[i], err);
	if (r != EKSKIT_OK || (r = get_many(c, "DescribeAccessEntry", m->paths,
	    NULL, m->n, m->bodies, m->rcs, m->errs)) != EKSKIT_OK)
		return r == EKSKIT_ERR_NOMEM ? ekskit_err_set(err, r, "out of memory") : r;
	for (i = 0, *kept = 0; r == EKSKIT_OK && i < m->n; i++) {
		if (m->rcs[i] == EKSKIT_ERR_NOT_FOUND)
			continue;
		if ((r = m->rcs[i]) != EKSKIT_OK) {
			if (err != NULL)
				*err = m->errs[i];
		} else if ((r = eks_access_entry_parse(m->bodies[i],
		    strlen(m->bodies[i]), &v[*kept], err)) == EKSKIT_OK)
			(*kept)++;
	}
	many_reset(m);
	return r;
}

/* The first policy page of every entry in parallel, later pages one by one. */
static int
policies_all(const struct aws_client *c, const char *cluster,
    struct many *m, struct eks_access_entry **v, size_t n,
    struct ekskit_err *err)
{
	char *next = NULL;
	size_t i;
	int r = EKSKIT_OK;

	for (i = 0; r == EKSKIT_OK && i < n; i++)
		r = eks_access_path(cluster, v[i]->principal_arn, 1, NULL,
		    &m->paths[i], err);
	if (r != EKSKIT_OK || (r = get_many(c, "ListAssociatedAccessPolicies",
	    m->paths, "maxResults=" PAGE_SIZE, n, m->bodies, m->rcs,
	    m->errs)) != EKSKIT_OK)
		return r == EKSKIT_ERR_NOMEM ? ekskit_err_set(err, r, "out of memory") : r;
	for (i = 0; r == EKSKIT_OK && i < n; i++) {
		if ((r = m->rcs[i]) != EKSKIT_OK) {
			if (err != NULL)
				*err = m->errs[i];
		} else if ((r = eks_access_policies_page_parse(m->bodies[i],
		    strlen(m->bodies[i]), &v[i]->policies, &v[i]->npolicies, &next,
		    err)) == EKSKIT_OK && next != NULL)
			r = policies_from(c, cluster, v[i]->principal_arn, next,
			    &v[i]->policies, &v[i]->npolicies, err);
		free(next);
		next = NULL;
	}
	return r;
}

int
eks_access_list_full(const struct aws_client *c, const char *cluster,
    struct eks_access_entry ***out, size_t *n, struct ekskit_err *err)
{
	struct eks_access_entry **v = NULL;
	struct many m;
	char **arns = NULL;
	size_t count = 0, kept = 0;
	int r;

	*out = NULL;
	*n = 0;
	if ((r = eks_access_list(c, cluster, NULL, &arns, &count, err)) != 0)
		return r;
	if (many_init(&m, count) != 0 || (v = calloc(count + 1, sizeof(*v))) == NULL)
		r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	if (r == EKSKIT_OK && count > 0 &&
	    (r = describe_all(c, cluster, arns, &m, v, &kept, err)) == EKSKIT_OK)
		r = policies_all(c, cluster, &m, v, kept, err);
	many_release(&m);
	ek_strv_free(arns);
	if (r != EKSKIT_OK) {
		eks_access_entries_free(v, kept);
		return r;
	}
	*out = v;
	*n = kept;
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
	struct eks_access_entry *cur = NULL;
	struct eks_access_call call;
	char *policy_arn, *body = NULL;
	size_t n = 0;
	int r;

	if (out != NULL)
		*out = NULL;
	if ((r = eks_access_policy_arn_for(principal_arn, policy, &policy_arn, err)) != 0)
		return r;
	if ((r = eks_access_describe(c, cluster, principal_arn, &cur, err)) == 0)
		r = eks_access_check_associable(cur, err);
	eks_access_entry_free(cur);
	if (r != EKSKIT_OK) {
		free(policy_arn);
		return r;
	}
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
