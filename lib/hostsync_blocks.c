/*
 * eks-hosts --list and --restore: the whole hosts file rather than one
 * cluster.  See include/ekskit/hostsync.h and lib/hostsync_internal.h.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "ekskit/buf.h"
#include "ekskit/cli.h"
#include "ekskit/creds.h"
#include "ekskit/eks.h"
#include "ekskit/hostsfile.h"
#include "ekskit/termsafe.h"
#include "hostsync_internal.h"

enum block_status { BS_CURRENT, BS_STALE, BS_UNKNOWN };

static const char *const status_names[] = { "current", "stale", "unknown" };

/* One listed block and what we learnt about it.  reason and expected owned. */
struct row {
	struct hostsfile_block *b;
	enum block_status status;
	char *reason;                 /* NULL when current */
	char **expected;              /* the cluster's addresses, when known */
};

static void
rows_free(struct row *rows, size_t n)
{
	size_t i;

	for (i = 0; rows != NULL && i < n; i++) {
		free(rows[i].reason);
		ek_strv_free(rows[i].expected);
	}
	free(rows);
}

static void
set_status(struct row *row, enum block_status st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
set_status(struct row *row, enum block_status st, const char *fmt, ...)
{
	struct ekbuf b;
	va_list ap;

	row->status = st;
	free(row->reason);
	row->reason = NULL;
	ekbuf_init(&b, 0);
	va_start(ap, fmt);
	if (ekbuf_vprintf(&b, fmt, ap) == EKSKIT_OK)
		row->reason = ekbuf_detach(&b, NULL);
	va_end(ap);
	ekbuf_release(&b);
}

static void
join_addrs(struct ekbuf *b, char **v)
{
	size_t i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		ekbuf_printf(b, "%s%s", i ? " " : "", v[i]);
	if (v == NULL || v[0] == NULL)
		ekbuf_puts(b, "(none)");
}

/* The block against the cluster's addresses: --check's block rule. */
static void
judge_addrs(struct row *row, char **expected)
{
	struct hostsfile_block *b = row->b;
	struct ekbuf list;

	hs_canonicalise(b->addrs);
	row->expected = expected;
	if (hs_same_set(b->addrs, expected)) {
		row->status = BS_CURRENT;
		return;
	}
	ekbuf_init(&list, 0);
	join_addrs(&list, expected);
	set_status(row, BS_STALE, "the cluster's private addresses are now %s: "
	    "run eks-hosts --region %s --cluster-name %s", list.data ? list.data : "?",
	    b->region, b->cluster);
	ekbuf_release(&list);
}

/* Describe the block's cluster and compare, as --check does. */
static void
judge(const struct hostsync_opts *o, struct hs_session *s, struct row *row)
{
	struct hostsfile_block *b = row->b;
	struct eks_cluster *cl = NULL;
	struct ekskit_err e;
	char *host = NULL, **expected = NULL;
	size_t n;
	int r;

	ekskit_err_clear(&e);
	if (hs_session_endpoints(o, s, b->region, &e) != EKSKIT_OK) {
		set_status(row, BS_UNKNOWN, "%s", e.msg);
		return;
	}
	r = eks_describe_cluster(&s->eks, b->cluster, &cl, &e);
	if (r == EKSKIT_ERR_NOT_FOUND)
		set_status(row, BS_STALE, "there is no cluster %s in %s any more: "
		    "eks-hosts --remove --region %s --cluster-name %s drops the block",
		    b->cluster, b->region, b->region, b->cluster);
	else if (r != EKSKIT_OK)
		set_status(row, BS_UNKNOWN, "%s", e.msg);
	else if (!cl->endpoint_private_access)
		set_status(row, BS_STALE, "private endpoint access is off: the "
		    "addresses lead nowhere (eks-hosts --remove --region %s "
		    "--cluster-name %s)", b->region, b->cluster);
	else if (hostsync_endpoint_host(cl->endpoint, b->region, &host, &e) != EKSKIT_OK)
		set_status(row, BS_UNKNOWN, "%s", e.msg);
	else if (b->host == NULL || strcasecmp(b->host, host) != 0)
		set_status(row, BS_STALE, "the endpoint is now %s: run eks-hosts "
		    "--region %s --cluster-name %s", host, b->region, b->cluster);
	else if ((r = hostsync_private_addrs(&s->ec2, cl, o->log, &expected, &n,
	    &e)) == EKSKIT_ERR_NOT_FOUND)
		set_status(row, BS_STALE, "%s", e.msg);
	else if (r != EKSKIT_OK)
		set_status(row, BS_UNKNOWN, "%s", e.msg);
	else
		judge_addrs(row, expected);
	free(host);
	eks_cluster_free(cl);
}

/* Credentials once; without them every block stays unknown. */
static int
list_creds(const struct hostsync_opts *o, struct hs_session *s,
    const char *first_region, struct ekskit_err *cerr)
{
	struct ekskit_err e;

	ekskit_err_clear(&e);
	if (hs_session_load(o, s, &e) != EKSKIT_OK && s->cfg == NULL)
		return ekskit_err_set(cerr, e.code, "%s", e.msg);
	return hs_session_creds(o, s, s->region ? s->region : first_region, cerr);
}

static int
load_blocks(const char *path, struct hostsfile_block **b, size_t *n,
    struct ekskit_err *err)
{
	struct ekbuf text;
	int r;

	*b = NULL;
	*n = 0;
	ekbuf_init(&text, EKBUF_MAX_FILE);
	r = ek_read_file(path, &text, err);
	if (r == EKSKIT_ERR_NOT_FOUND) {
		ekskit_err_clear(err);
		r = EKSKIT_OK;
	} else if (r == EKSKIT_OK) {
		r = hostsfile_list_blocks(text.data ? text.data : "", text.len, b, n, err);
	}
	ekbuf_release(&text);
	return r;
}

static size_t
max_len(size_t cur, const char *s)
{
	size_t n = s != NULL ? strlen(s) : 1;

	return n > cur ? n : cur;
}

static int
render_table(const char *path, struct row *rows, size_t n, struct ekbuf *out)
{
	struct ekbuf *addrs;
	size_t i, wr = 6, wc = 7, ws = 7, wa = 9;

	if (n == 0)
		return ekbuf_printf(out, "no eks-hosts blocks in %s\n", path);
	if ((addrs = calloc(n, sizeof(*addrs))) == NULL)
		return EKSKIT_ERR_NOMEM;
	for (i = 0; i < n; i++) {
		ekbuf_init(&addrs[i], 0);
		join_addrs(&addrs[i], rows[i].b->addrs);
		wr = max_len(wr, rows[i].b->region);
		wc = max_len(wc, rows[i].b->cluster);
		wa = max_len(wa, addrs[i].data);
	}
	ekbuf_printf(out, "%-*s  %-*s  %-*s  %-*s  %s\n", (int)wr, "REGION", (int)wc,
	    "CLUSTER", (int)ws, "STATUS", (int)wa, "ADDRESSES", "HOST");
	for (i = 0; i < n; i++) {
		ekbuf_printf(out, "%-*s  %-*s  %-*s  %-*s  %s\n", (int)wr, rows[i].b->region,
		    (int)wc, rows[i].b->cluster, (int)ws, status_names[rows[i].status],
		    (int)wa, addrs[i].data ? addrs[i].data : "",
		    rows[i].b->host ? rows[i].b->host : "-");
		ekbuf_release(&addrs[i]);
	}
	free(addrs);
	for (i = 0; i < n; i++) {
		if (rows[i].reason == NULL)
			continue;
		ekbuf_printf(out, "%s/%s: %s: ", rows[i].b->region, rows[i].b->cluster,
		    status_names[rows[i].status]);
		/* a remote message may hold control characters */
		term_escape(out, rows[i].reason, strlen(rows[i].reason), 0);
		ekbuf_putc(out, '\n');
	}
	return EKSKIT_OK;
}

static json_t *
json_strv(char **v)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && v != NULL && v[i] != NULL; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static int
render_json(const char *path, struct row *rows, size_t n, struct ekbuf *out,
    struct ekskit_err *err)
{
	json_t *root = json_object(), *arr = json_array(), *o;
	char *text = NULL;
	size_t i;
	int r;

	for (i = 0; root != NULL && arr != NULL && i < n; i++) {
		o = json_object();
		json_object_set_new(o, "region", json_string(rows[i].b->region));
		json_object_set_new(o, "cluster", json_string(rows[i].b->cluster));
		json_object_set_new(o, "host", rows[i].b->host ?
		    json_string(rows[i].b->host) : json_null());
		json_object_set_new(o, "addresses", json_strv(rows[i].b->addrs));
		json_object_set_new(o, "status", json_string(status_names[rows[i].status]));
		if (rows[i].reason != NULL)
			json_object_set_new(o, "reason", json_string(rows[i].reason));
		if (rows[i].expected != NULL)
			json_object_set_new(o, "cluster_addresses", json_strv(rows[i].expected));
		json_array_append_new(arr, o);
	}
	if (root != NULL && arr != NULL) {
		json_object_set_new(root, "hosts_file", json_string(path));
		json_object_set(root, "blocks", arr);
		text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	}
	r = text != NULL && ekbuf_printf(out, "%s\n", text) == EKSKIT_OK ? EKSKIT_OK :
	    ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	free(text);
	json_decref(arr);
	json_decref(root);
	return r;
}

int
hs_list(const struct hostsync_opts *o, struct hs_session *s, const char *path,
    struct ekbuf *out, struct ekskit_err *err)
{
	struct hostsfile_block *blocks = NULL;
	struct ekskit_err cerr;
	struct row *rows = NULL;
	size_t nb = 0, n = 0, i;
	int r, have_creds;

	if ((r = load_blocks(path, &blocks, &nb, err)) != EKSKIT_OK)
		return r;
	if (nb > 0 && (rows = calloc(nb, sizeof(*rows))) == NULL) {
		hostsfile_blocks_free(blocks, nb);
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	}
	for (i = 0; i < nb; i++)
		if (o->region == NULL || strcmp(o->region, blocks[i].region) == 0)
			rows[n++].b = &blocks[i];
	ekskit_err_clear(&cerr);
	have_creds = n > 0 && list_creds(o, s, rows[0].b->region, &cerr) == EKSKIT_OK;
	for (i = 0; i < n; i++) {
		if (have_creds)
			judge(o, s, &rows[i]);
		else
			set_status(&rows[i], BS_UNKNOWN, "cannot ask AWS: %s", cerr.msg);
	}
	if (o->output != NULL && strcmp(o->output, "json") == 0)
		r = render_json(path, rows, n, out, err);
	else
		r = render_table(path, rows, n, out) == EKSKIT_OK ? EKSKIT_OK :
		    ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	rows_free(rows, nb);
	hostsfile_blocks_free(blocks, nb);
	return r;
}

int
hs_restore(const struct hostsync_opts *o, const char *path, struct ekbuf *out,
    struct ekskit_err *err)
{
	struct hostsfile_update u;
	struct hostsfile_result res;
	int r;

	memset(&u, 0, sizeof(u));
	u.path = path;
	u.dry_run = o->dry_run;
	r = hostsfile_restore(&u, &res, err);
	if (r != EKSKIT_OK) {
		hostsfile_result_release(&res);
		return r;
	}
	if (o->dry_run) {
		if (res.changed)
			ekbuf_puts(out, res.diff);
		else
			cli_log(o->log, "%s already equals its backup", res.target);
	} else if (res.read_only) {
		r = ekskit_err_set(err, EKSKIT_ERR_PERM, "%s is read-only: nothing "
		    "was restored", res.target);
	} else if (!res.changed) {
		ekbuf_printf(out, "%s already equals its backup: nothing to restore\n",
		    res.target);
	} else {
		ekbuf_printf(out, "restored %s from its backup; the file it replaced "
		    "is now the backup (%s)\n", res.target,
		    res.backup_path ? res.backup_path : "none");
		if (o->verbose && res.diff)
			cli_log(o->log, "changes:\n%s", res.diff);
	}
	hostsfile_result_release(&res);
	return r;
}
