/* aws-auth through the Kubernetes API: see include/ekskit/awsauth_apply.h. */
#include <ctype.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ekskit/awsauth_apply.h"
#include "ekskit/buf.h"
#include "ekskit/fileio.h"
#include "ekskit/k8s_configmap.h"

#define DEFAULT_ATTEMPTS 5

void
awsauth_outcome_release(struct awsauth_outcome *o)
{
	if (o == NULL)
		return;
	free(o->diff);
	free(o->backup_path);
	free(o->resource_version);
	awsauth_notes_release(&o->notes);
	memset(o, 0, sizeof(*o));
}

static int
set_rv(char **dst, const json_t *cm)
{
	const char *rv = json_string_value(json_object_get(json_object_get(cm,
	    "metadata"), "resourceVersion"));

	free(*dst);
	*dst = rv ? ek_strdup(rv) : NULL;
	return rv == NULL || *dst != NULL ? EKSKIT_OK : EKSKIT_ERR_NOMEM;
}

int
awsauth_fetch(const struct k8s_conn *c, struct awsauth **out, int *present,
    char **rv, struct ekskit_err *err)
{
	json_t *cm = NULL;
	int r;

	*out = NULL;
	*present = 0;
	if (rv != NULL)
		*rv = NULL;
	r = k8s_configmap_get(c, AWSAUTH_NAMESPACE, AWSAUTH_NAME, &cm, err);
	if (r == EKSKIT_ERR_NOT_FOUND) {
		ekskit_err_clear(err);
		return awsauth_parse(NULL, out, err);
	}
	if (r != EKSKIT_OK)
		return r;
	*present = 1;
	if (rv != NULL && set_rv(rv, cm) != EKSKIT_OK)
		r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	if (r == EKSKIT_OK)
		r = awsauth_parse(json_object_get(cm, "data"), out, err);
	json_decref(cm);
	return r;
}

/* ------------------------------------------------------------- backup */

static int
backup_dir(const struct awsauth_change *ch, char **out, struct ekskit_err *err)
{
	const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	struct ekbuf b;

	ekbuf_init(&b, PATH_MAX);
	if (ch->backup_dir != NULL)
		ekbuf_puts(&b, ch->backup_dir);
	else if (xdg != NULL && xdg[0] == '/')
		ekbuf_printf(&b, "%s/ekskit/aws-auth-backups", xdg);
	else if (home != NULL && home[0] == '/')
		ekbuf_printf(&b, "%s/.local/state/ekskit/aws-auth-backups", home);
	else
		return ekskit_err_set(err, EKSKIT_ERR_CONFIG, "no place for the aws-auth "
		    "backup: set HOME or XDG_STATE_HOME");
	if ((*out = ekbuf_detach(&b, NULL)) == NULL || **out == '\0')
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "backup path too long");
	return EKSKIT_OK;
}

/* "127.0.0.1-6443" from "https://127.0.0.1:6443": a file-name-safe server. */
static void
server_tag(const char *server, char *out, size_t n)
{
	const char *p = strstr(server, "://");
	size_t i = 0;

	for (p = p ? p + 3 : server; *p != '\0' && *p != '/' && i + 1 < n && i < 64; p++)
		out[i++] = (isalnum((unsigned char)*p) || *p == '.' || *p == '-') ? *p : '-';
	out[i] = '\0';
}

/* Save the ConfigMap's previous data as a manifest kubectl can restore. */
static int
write_backup(const struct k8s_conn *c, const struct awsauth_change *ch,
    const json_t *data, const char *rv, char **path, struct ekskit_err *err)
{
	struct ek_write_opts wo = { .mode = 0600 };
	char *dir = NULL, *text = NULL, tag[80], when[32];
	struct ekbuf p;
	struct tm tm;
	json_t *m;
	int r;

	if ((r = backup_dir(ch, &dir, err)) != EKSKIT_OK)
		return r;
	if ((r = ek_mkdir_p(dir, 0700, err)) != EKSKIT_OK)
		goto out;
	server_tag(c->server, tag, sizeof(tag));
	gmtime_r(&ch->now, &tm);
	strftime(when, sizeof(when), "%Y%m%dT%H%M%SZ", &tm);
	ekbuf_init(&p, PATH_MAX);
	ekbuf_printf(&p, "%s/aws-auth-%s-%s-rv%.20s.json", dir, tag, when, rv ? rv : "0");
	/* "o" steals the reference taken here */
	m = json_pack("{s:s, s:s, s:{s:s, s:s}, s:o}", "apiVersion", "v1", "kind",
	    "ConfigMap", "metadata", "name", AWSAUTH_NAME, "namespace", AWSAUTH_NAMESPACE,
	    "data", data ? json_incref((json_t *)(uintptr_t)data) : json_object());
	text = m ? json_dumps(m, JSON_INDENT(2)) : NULL;
	json_decref(m);
	if (p.data == NULL || text == NULL) {
		ekbuf_release(&p);
		r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	r = ek_write_atomic(p.data, text, strlen(text), &wo, err);
	if (r == EKSKIT_OK) {
		free(*path);
		*path = ekbuf_detach(&p, NULL);
	} else {
		ekskit_err_prefix(err, "saving the aws-auth backup (nothing was changed)");
	}
	ekbuf_release(&p);
out:
	free(text);
	free(dir);
	return r;
}

/* ------------------------------------------------------------ one round */

/* The edits of the change on model a. */
static int
compute_edits(const struct awsauth *a, const struct awsauth_change *ch,
    struct awsauth_edit e[3], size_t *n, struct awsauth_notes *notes,
    struct ekskit_err *err)
{
	int r;

	*n = 0;
	if (ch->op == AWSAUTH_OP_REMOVE)
		return awsauth_remove(a, ch->who, e, n, notes, err);
	r = awsauth_add(a, &ch->m, ch->replace, &e[0], notes, err);
	if (r == EKSKIT_OK)
		*n = 1;
	return r;
}

/* Refuse (unless --force) a change that takes away the last admin or node mapping. */
static int
lockout_check(const struct awsauth *before, const json_t *new_data,
    const struct awsauth_change *ch, struct ekskit_err *err)
{
	struct awsauth *after = NULL;
	int r, masters_before, masters_after, nodes_before, nodes_after;

	if ((r = awsauth_parse(new_data, &after, err)) != EKSKIT_OK)
		return r;
	masters_before = awsauth_has_masters(before) || ch->admin_entry;
	masters_after = awsauth_has_masters(after) || ch->admin_entry;
	nodes_before = awsauth_has_node_role(before) || ch->node_entry;
	nodes_after = awsauth_has_node_role(after) || ch->node_entry;
	awsauth_free(after);
	if (ch->force)
		return EKSKIT_OK;
	if (masters_before && !masters_after)
		return ekskit_err_set(err, EKSKIT_ERR_INVALID, "refusing: this change "
		    "leaves no active system:masters mapping and no cluster-admin access "
		    "entry, so nobody could administer the cluster through IAM; pass "
		    "--force if that is what you want");
	if (nodes_before && !nodes_after)
		return ekskit_err_set(err, EKSKIT_ERR_INVALID, "refusing: this change "
		    "leaves no active role in system:nodes (and no node access entry), "
		    "so worker nodes could no longer join; pass --force if that is what "
		    "you want");
	return EKSKIT_OK;
}

/* A copy of data with each edited key replaced. */
static json_t *
edited_data(const json_t *data, const struct awsauth_edit *e, size_t n)
{
	json_t *d = data && json_is_object(data) ? json_deep_copy(data) : json_object();
	size_t i;

	for (i = 0; d != NULL && i < n; i++)
		if (e[i].changed && json_object_set_new(d, e[i].key,
		    json_string(e[i].new_text)) != 0) {
			json_decref(d);
			return NULL;
		}
	return d;
}

static int
collect_diff(struct awsauth_outcome *out, const struct awsauth_edit *e, size_t n)
{
	struct ekbuf b;
	size_t i;
	int r = EKSKIT_OK;

	ekbuf_init(&b, 8u * 1024 * 1024);
	for (i = 0; i < n && r == EKSKIT_OK; i++) {
		r = awsauth_diff(&e[i], &b);
		out->removed += e[i].removed;
		out->added += e[i].added;
	}
	free(out->diff);
	out->diff = r == EKSKIT_OK && b.len ? ekbuf_detach(&b, NULL) : NULL;
	ekbuf_release(&b);
	return r;
}

/* Write new_data: PUT over cm (resourceVersion as read) or create. */
static int
write_data(const struct k8s_conn *c, json_t *cm, json_t *new_data,
    struct awsauth_outcome *out, struct ekskit_err *err)
{
	json_t *res = NULL;
	int r;

	if (cm != NULL) {
		json_object_set(cm, "data", new_data);
		r = k8s_configmap_replace(c, AWSAUTH_NAMESPACE, AWSAUTH_NAME, cm, &res, err);
	} else {
		r = k8s_configmap_create(c, AWSAUTH_NAMESPACE, AWSAUTH_NAME, new_data, &res,
		    err);
		out->created = r == EKSKIT_OK;
	}
	if (r == EKSKIT_OK && set_rv(&out->resource_version, res) != EKSKIT_OK)
		r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	json_decref(res);
	return r;
}

/*
 * One GET-edit-PUT round.  Returns 0 (done), 1 (lost a race: go again) or
 * an error.
 */
static int
one_round(const struct k8s_conn *c, const struct awsauth_change *ch,
    struct awsauth_outcome *out, struct ekskit_err *err)
{
	struct awsauth_edit e[3];
	struct awsauth *a = NULL;
	json_t *cm = NULL, *data, *new_data = NULL;
	size_t n = 0, i;
	int r;

	memset(e, 0, sizeof(e));
	r = k8s_configmap_get(c, AWSAUTH_NAMESPACE, AWSAUTH_NAME, &cm, err);
	if (r == EKSKIT_ERR_NOT_FOUND) {
		ekskit_err_clear(err);
		cm = NULL;
		r = EKSKIT_OK;
	} else if (r != EKSKIT_OK) {
		goto out;
	}
	out->present = cm != NULL;
	if (cm != NULL && (r = set_rv(&out->resource_version, cm)) != EKSKIT_OK)
		goto out;
	if (cm == NULL && ch->op == AWSAUTH_OP_REMOVE)
		goto out;                       /* nothing to remove */
	data = cm ? json_object_get(cm, "data") : NULL;
	if ((r = awsauth_parse(json_is_object(data) ? data : NULL, &a, err)) != EKSKIT_OK)
		goto out;
	awsauth_notes_release(&out->notes);
	if ((r = compute_edits(a, ch, e, &n, &out->notes, err)) != EKSKIT_OK)
		goto out;
	for (i = 0; i < n && !e[i].changed; i++)
		;
	if (i == n) {
		out->changed = 0;
		goto out;
	}
	out->changed = 1;
	if ((new_data = edited_data(json_is_object(data) ? data : NULL, e, n)) == NULL) {
		r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((r = lockout_check(a, new_data, ch, err)) != EKSKIT_OK)
		goto out;
	out->removed = out->added = 0;
	if ((r = collect_diff(out, e, n)) != EKSKIT_OK) {
		r = ekskit_err_set(err, r, "out of memory");
		goto out;
	}
	if (ch->dry_run)
		goto out;
	if (cm != NULL && (r = write_backup(c, ch, json_is_object(data) ? data : NULL,
	    out->resource_version, &out->backup_path, err)) != EKSKIT_OK)
		goto out;
	r = write_data(c, cm, new_data, out, err);
	if (r != EKSKIT_OK && k8s_is_conflict(err)) {
		r = 1;
	} else if (r != EKSKIT_OK && !k8s_is_conflict(err) && err != NULL &&
	    err->http_status >= 400) {
		ekskit_err_prefix(err, "the cluster refused the change to %s/%s",
		    AWSAUTH_NAMESPACE, AWSAUTH_NAME);
	}
out:
	for (i = 0; i < n; i++)
		awsauth_edit_release(&e[i]);
	awsauth_free(a);
	json_decref(new_data);
	json_decref(cm);
	return r;
}

int
awsauth_apply(const struct k8s_conn *c, const struct awsauth_change *ch,
    struct awsauth_outcome *out, struct ekskit_err *err)
{
	int max = ch->max_attempts > 0 ? ch->max_attempts : DEFAULT_ATTEMPTS, r = 1;

	memset(out, 0, sizeof(*out));
	while (r == 1 && out->attempts < max) {
		out->attempts++;
		ekskit_err_clear(err);
		r = one_round(c, ch, out, err);
	}
	if (r == 1)
		return ekskit_err_set(err, EKSKIT_ERR_BUSY, "%s/%s kept changing while we "
		    "wrote it (%d conflicts in a row); nothing of ours was written, try "
		    "again", AWSAUTH_NAMESPACE, AWSAUTH_NAME, max);
	return r;
}
