/*
 * EKS client: DescribeCluster and ListClusters over REST-JSON (see
 * include/ekskit/eks.h).  Signing, retries and AWS error parsing are
 * aws_rest_json_call's; this file builds paths, maps errors and parses.
 */
#include <stdlib.h>
#include <string.h>

#include "ekskit/buf.h"
#include "ekskit/eks.h"
#include "ekskit/http.h"

#define LIST_PAGE_SIZE "100"
#define LIST_MAX_PAGES 1000

/* Map the AWS answer for a missing cluster to NOT_FOUND, keeping its message. */
static int
map_describe_error(int r, const char *name, const struct aws_client *c,
    struct ekskit_err *err)
{
	if (r == EKSKIT_ERR_REMOTE && err != NULL &&
	    strcmp(err->remote_code, "ResourceNotFoundException") == 0) {
		err->code = EKSKIT_ERR_NOT_FOUND;
		ekskit_err_prefix(err, "cluster %s not found in region %s "
		    "(check --cluster-name, --region and the account of your "
		    "credentials)", name, c->region ? c->region : "?");
		return EKSKIT_ERR_NOT_FOUND;
	}
	return ekskit_err_prefix(err, "describing cluster %s", name);
}

static int
describe_path(const char *name, struct ekbuf *path, struct ekskit_err *err)
{
	if (!eks_cluster_name_valid(name))
		return ekskit_err_set(err, EKSKIT_ERR_USAGE,
		    "invalid cluster name \"%s\": use 1-100 letters, digits, - and _, "
		    "starting with a letter or digit", name ? name : "");
	if (ekbuf_puts(path, "/clusters/") != EKSKIT_OK ||
	    http_uri_encode(path, name, strlen(name), 1) != EKSKIT_OK)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	return EKSKIT_OK;
}

int
eks_describe_cluster(const struct aws_client *c, const char *name,
    struct eks_cluster **out, struct ekskit_err *err)
{
	struct http_response resp;
	struct ekbuf path;
	int r;

	*out = NULL;
	memset(&resp, 0, sizeof(resp));
	ekbuf_init(&path, 1024);
	if ((r = describe_path(name, &path, err)) != EKSKIT_OK)
		goto out;
	r = aws_rest_json_call(c, "GET", path.data, NULL, NULL, &resp, err);
	if (r != EKSKIT_OK) {
		r = map_describe_error(r, name, c, err);
		goto out;
	}
	if ((r = eks_cluster_parse(resp.body.data ? resp.body.data : "",
	    resp.body.len, out, err)) != EKSKIT_OK)
		ekskit_err_prefix(err, "describing cluster %s", name);
out:
	http_response_release(&resp);
	ekbuf_release(&path);
	return r;
}

static int
list_query(const char *token, struct ekbuf *q, struct ekskit_err *err)
{
	ekbuf_reset(q);
	if (ekbuf_puts(q, "maxResults=" LIST_PAGE_SIZE) != EKSKIT_OK ||
	    (token != NULL && (ekbuf_puts(q, "&nextToken=") != EKSKIT_OK ||
	    http_uri_encode(q, token, strlen(token), 1) != EKSKIT_OK)))
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	return EKSKIT_OK;
}

int
eks_list_clusters(const struct aws_client *c, char ***names_out,
    struct ekskit_err *err)
{
	struct http_response resp;
	struct ekbuf q;
	char **names = NULL, *token = NULL, *next = NULL;
	size_t count = 0;
	int r = EKSKIT_OK, page;

	*names_out = NULL;
	ekbuf_init(&q, 8192);
	for (page = 0; page < LIST_MAX_PAGES; page++) {
		memset(&resp, 0, sizeof(resp));
		if ((r = list_query(token, &q, err)) != EKSKIT_OK)
			goto out;
		r = aws_rest_json_call(c, "GET", "/clusters", q.data, NULL, &resp,
		    err);
		if (r != EKSKIT_OK) {
			ekskit_err_prefix(err, "listing clusters in %s",
			    c->region ? c->region : "?");
			goto out;
		}
		r = eks_list_page_parse(resp.body.data ? resp.body.data : "",
		    resp.body.len, &names, &count, &next, err);
		http_response_release(&resp);
		if (r != EKSKIT_OK)
			goto out;
		free(token);
		token = next;
		next = NULL;
		if (token == NULL)
			break;
	}
	if (token != NULL) {
		r = ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "listing clusters: still more after %d pages", LIST_MAX_PAGES);
		goto out;
	}
	if (names == NULL && (names = calloc(1, sizeof(*names))) == NULL) {
		r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	*names_out = names;
	names = NULL;
out:
	http_response_release(&resp);
	ek_strv_free(names);
	free(token);
	ekbuf_release(&q);
	return r;
}

/*
 * Parallel DescribeCluster: one libcurl multi transfer set (each request
 * signed and retried on its own).  The first failure in name order is
 * reported; on any failure no cluster is returned.
 */
#define DESCRIBE_PARALLEL 8

int
eks_describe_clusters(const struct aws_client *c, char *const *names, size_t n,
    struct eks_cluster **out, struct ekskit_err *err)
{
	struct http_response *resps = NULL;
	struct ekskit_err *errs = NULL;
	struct ekbuf *paths = NULL;
	const char **pv = NULL;
	int *status = NULL, r = EKSKIT_OK;
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = NULL;
	if (n == 0)
		return EKSKIT_OK;
	resps = calloc(n, sizeof(*resps));
	errs = calloc(n, sizeof(*errs));
	paths = calloc(n, sizeof(*paths));
	pv = calloc(n, sizeof(*pv));
	status = calloc(n, sizeof(*status));
	if (resps == NULL || errs == NULL || paths == NULL || pv == NULL ||
	    status == NULL) {
		r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		ekbuf_init(&paths[i], 1024);
		if ((r = describe_path(names[i], &paths[i], err)) != EKSKIT_OK)
			goto out;
		pv[i] = paths[i].data;
	}
	aws_rest_json_call_many(c, "GET", pv, NULL, n, resps, status, errs,
	    DESCRIBE_PARALLEL);
	for (i = 0; i < n && r == EKSKIT_OK; i++) {
		if (status[i] != EKSKIT_OK) {
			if (err != NULL)
				*err = errs[i];
			r = map_describe_error(status[i], names[i], c, err);
		} else if ((r = eks_cluster_parse(resps[i].body.data ?
		    resps[i].body.data : "", resps[i].body.len, &out[i], err)) != 0)
			ekskit_err_prefix(err, "describing cluster %s", names[i]);
	}
out:
	for (i = 0; i < n; i++) {
		if (r != EKSKIT_OK) {
			eks_cluster_free(out[i]);
			out[i] = NULL;
		}
		if (resps != NULL)
			http_response_release(&resps[i]);
		if (paths != NULL)
			ekbuf_release(&paths[i]);
	}
	free(resps);
	free(errs);
	free(paths);
	free(pv);
	free(status);
	return r;
}
