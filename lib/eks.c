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

/* Where one client's listing stands between rounds. */
struct list_state {
	char **names;
	size_t count;
	char *token;            /* next page, NULL when done */
	int pages;
	int done;
	struct ekbuf q;
};

static int
list_page_done(const struct aws_client *c, struct list_state *st,
    const struct http_response *resp, int rc, struct ekskit_err *err)
{
	char *next = NULL;

	if (rc != EKSKIT_OK)
		return ekskit_err_prefix(err, "listing clusters in %s",
		    c->region ? c->region : "?");
	rc = eks_list_page_parse(resp->body.data ? resp->body.data : "",
	    resp->body.len, &st->names, &st->count, &next, err);
	if (rc != EKSKIT_OK)
		return rc;
	free(st->token);
	st->token = next;
	st->pages++;
	if (st->token == NULL)
		st->done = 1;
	else if (st->pages >= LIST_MAX_PAGES)
		return ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "listing clusters in %s: still more after %d pages",
		    c->region ? c->region : "?", LIST_MAX_PAGES);
	return EKSKIT_OK;
}

/* One round: the next page of every listing still going, in parallel. */
static void
list_round(const struct aws_client *const *clients, size_t n,
    struct list_state *st, int *rcs, struct ekskit_err *errs, int max_parallel)
{
	const struct aws_client **cv = calloc(n, sizeof(*cv));
	const char **qv = calloc(n, sizeof(*qv)), **pv = calloc(n, sizeof(*pv));
	struct http_response *resps = calloc(n, sizeof(*resps));
	struct ekskit_err *e = calloc(n, sizeof(*e));
	size_t *map = calloc(n, sizeof(*map)), k = 0, i, j;
	int *r = calloc(n, sizeof(*r));

	if (cv == NULL || qv == NULL || pv == NULL || resps == NULL || e == NULL ||
	    map == NULL || r == NULL) {
		for (i = 0; i < n; i++)
			if (rcs[i] == EKSKIT_OK && !st[i].done)
				rcs[i] = ekskit_err_set(&errs[i], EKSKIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (rcs[i] != EKSKIT_OK || st[i].done)
			continue;
		if ((rcs[i] = list_query(st[i].token, &st[i].q, &errs[i])) != EKSKIT_OK)
			continue;
		cv[k] = clients[i];
		pv[k] = "/clusters";
		qv[k] = st[i].q.data;
		map[k++] = i;
	}
	aws_rest_json_call_each(cv, "GET", pv, qv, k, resps, r, e, max_parallel);
	for (j = 0; j < k; j++) {
		i = map[j];
		errs[i] = e[j];
		rcs[i] = list_page_done(clients[i], &st[i], &resps[j], r[j], &errs[i]);
		http_response_release(&resps[j]);
	}
out:
	free(cv);
	free(qv);
	free(pv);
	free(resps);
	free(e);
	free(map);
	free(r);
}

void
eks_list_clusters_each(const struct aws_client *const *clients, size_t n,
    char ***names, int *rcs, struct ekskit_err *errs, int max_parallel)
{
	struct list_state *st = calloc(n ? n : 1, sizeof(*st));
	size_t i, busy;

	for (i = 0; i < n; i++) {
		names[i] = NULL;
		ekskit_err_clear(&errs[i]);
		rcs[i] = st == NULL ? ekskit_err_set(&errs[i], EKSKIT_ERR_NOMEM,
		    "out of memory") : EKSKIT_OK;
		if (st != NULL)
			ekbuf_init(&st[i].q, 8192);
	}
	if (st == NULL)
		return;
	do {
		list_round(clients, n, st, rcs, errs, max_parallel);
		for (busy = 0, i = 0; i < n; i++)
			busy += rcs[i] == EKSKIT_OK && !st[i].done;
	} while (busy > 0);
	for (i = 0; i < n; i++) {
		if (rcs[i] == EKSKIT_OK && st[i].names == NULL &&
		    (st[i].names = calloc(1, sizeof(char *))) == NULL)
			rcs[i] = ekskit_err_set(&errs[i], EKSKIT_ERR_NOMEM, "out of memory");
		if (rcs[i] == EKSKIT_OK) {
			names[i] = st[i].names;
			st[i].names = NULL;
		}
		ek_strv_free(st[i].names);
		free(st[i].token);
		ekbuf_release(&st[i].q);
	}
	free(st);
}

int
eks_list_clusters(const struct aws_client *c, char ***names_out,
    struct ekskit_err *err)
{
	struct ekskit_err e;
	int rc;

	eks_list_clusters_each(&c, 1, names_out, &rc, &e, 1);
	if (rc != EKSKIT_OK && err != NULL)
		*err = e;
	return rc;
}

/*
 * Parallel DescribeCluster: one libcurl multi transfer set (each request
 * signed and retried on its own).
 */
#define DESCRIBE_PARALLEL 8

void
eks_describe_clusters_each(const struct aws_client *const *clients,
    char *const *names, size_t n, struct eks_cluster **out, int *rcs,
    struct ekskit_err *errs, int max_parallel)
{
	struct http_response *resps = calloc(n ? n : 1, sizeof(*resps));
	struct ekbuf *paths = calloc(n ? n : 1, sizeof(*paths));
	const char **pv = calloc(n ? n : 1, sizeof(*pv));
	size_t i;

	for (i = 0; i < n; i++) {
		out[i] = NULL;
		ekskit_err_clear(&errs[i]);
		rcs[i] = EKSKIT_OK;
	}
	if (resps == NULL || paths == NULL || pv == NULL) {
		for (i = 0; i < n; i++)
			rcs[i] = ekskit_err_set(&errs[i], EKSKIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		ekbuf_init(&paths[i], 1024);
		if (describe_path(names[i], &paths[i], NULL) == EKSKIT_OK)
			pv[i] = paths[i].data;
		else
			pv[i] = "";     /* refused by the call: no leading '/' */
	}
	aws_rest_json_call_each(clients, "GET", pv, NULL, n, resps, rcs, errs,
	    max_parallel);
	for (i = 0; i < n; i++) {
		if (pv[i][0] == '\0')
			rcs[i] = describe_path(names[i], &paths[i], &errs[i]);
		else if (rcs[i] != EKSKIT_OK)
			rcs[i] = map_describe_error(rcs[i], names[i], clients[i], &errs[i]);
		else if ((rcs[i] = eks_cluster_parse(resps[i].body.data ?
		    resps[i].body.data : "", resps[i].body.len, &out[i], &errs[i])) != 0)
			ekskit_err_prefix(&errs[i], "describing cluster %s", names[i]);
		http_response_release(&resps[i]);
		ekbuf_release(&paths[i]);
	}
out:
	free(resps);
	free(paths);
	free(pv);
}

int
eks_describe_clusters(const struct aws_client *c, char *const *names, size_t n,
    struct eks_cluster **out, struct ekskit_err *err)
{
	const struct aws_client **cv = calloc(n ? n : 1, sizeof(*cv));
	struct ekskit_err *errs = calloc(n ? n : 1, sizeof(*errs));
	int *rcs = calloc(n ? n : 1, sizeof(*rcs)), r = EKSKIT_OK;
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = NULL;
	if (cv == NULL || errs == NULL || rcs == NULL) {
		r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++)
		cv[i] = c;
	eks_describe_clusters_each(cv, names, n, out, rcs, errs, DESCRIBE_PARALLEL);
	/* the first failure in name order is reported; then nothing is returned */
	for (i = 0; i < n && r == EKSKIT_OK; i++)
		if (rcs[i] != EKSKIT_OK) {
			r = rcs[i];
			if (err != NULL)
				*err = errs[i];
		}
	for (i = 0; r != EKSKIT_OK && i < n; i++) {
		eks_cluster_free(out[i]);
		out[i] = NULL;
	}
out:
	free(cv);
	free(errs);
	free(rcs);
	return r;
}
