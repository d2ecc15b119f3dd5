/*
 * EKS client: DescribeCluster and ListClusters over REST-JSON (see
 * include/ekskit/eks.h).  Signing, retries and AWS error parsing are
 * aws_rest_json_call's; this file builds paths, maps errors and parses.
 */
#include <pthread.h>
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
	eks_names_free(names);
	free(token);
	ekbuf_release(&q);
	return r;
}

/*
 * Parallel DescribeCluster: a small pool of workers, each running the
 * ordinary (retrying) call.  The first error in name order is reported.
 */
#define DESCRIBE_WORKERS 8

struct describe_job {
	const struct aws_client *c;
	char *const *names;
	struct eks_cluster **out;
	int *status;
	struct ekskit_err *errs;
	size_t n, next;
	pthread_mutex_t mu;
};

static void *
describe_worker(void *arg)
{
	struct describe_job *job = arg;
	size_t i;

	for (;;) {
		pthread_mutex_lock(&job->mu);
		i = job->next++;
		pthread_mutex_unlock(&job->mu);
		if (i >= job->n)
			return NULL;
		job->status[i] = eks_describe_cluster(job->c, job->names[i],
		    &job->out[i], &job->errs[i]);
	}
}

int
eks_describe_clusters(const struct aws_client *c, char *const *names, size_t n,
    struct eks_cluster **out, struct ekskit_err *err)
{
	struct describe_job job;
	pthread_t th[DESCRIBE_WORKERS];
	size_t i, nth = n < DESCRIBE_WORKERS ? n : DESCRIBE_WORKERS, started = 0;
	int r = EKSKIT_OK;

	for (i = 0; i < n; i++)
		out[i] = NULL;
	if (n == 0)
		return EKSKIT_OK;
	memset(&job, 0, sizeof(job));
	job.c = c;
	job.names = names;
	job.out = out;
	job.n = n;
	job.status = calloc(n, sizeof(*job.status));
	job.errs = calloc(n, sizeof(*job.errs));
	if (job.status == NULL || job.errs == NULL) {
		r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	pthread_mutex_init(&job.mu, NULL);
	for (i = 0; i < nth; i++) {
		if (pthread_create(&th[i], NULL, describe_worker, &job) != 0)
			break;
		started++;
	}
	if (started == 0)
		describe_worker(&job);
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_destroy(&job.mu);
	for (i = 0; i < n; i++) {
		if (job.status[i] != EKSKIT_OK) {
			r = job.status[i];
			if (err != NULL)
				*err = job.errs[i];
			break;
		}
	}
	if (r != EKSKIT_OK)
		for (i = 0; i < n; i++) {
			eks_cluster_free(out[i]);
			out[i] = NULL;
		}
out:
	free(job.status);
	free(job.errs);
	return r;
}
