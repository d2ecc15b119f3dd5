/*
 * Recognising ekskit's own kubeconfig entries, pruning stale ones and
 * guarding shared user entries: see include/ekskit/kubeconfig_prune.h.
 */
#include <stdlib.h>
#include <string.h>

#include "ekskit/buf.h"
#include "ekskit/kubeconfig_prune.h"
#include "ekskit/kubeconfig_update.h"

#define GUARD_NAMES_MAX 5       /* contexts named in the refusal, then "..." */

/* A growable NULL-terminated list of borrowed or owned strings. */
struct strlist {
	char **v;
	size_t n, cap;
};

static int
strlist_has(const struct strlist *l, const char *s)
{
	size_t i;

	for (i = 0; s != NULL && i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return 1;
	return 0;
}

/* Append a copy of s (once); 0 on allocation failure. */
static int
strlist_add(struct strlist *l, const char *s)
{
	char **v;

	if (s == NULL || strlist_has(l, s))
		return 1;
	if (l->n + 2 > l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		if ((v = realloc(l->v, cap * sizeof(*v))) == NULL)
			return 0;
		l->v = v;
		l->cap = cap;
	}
	if ((l->v[l->n] = strdup(s)) == NULL)
		return 0;
	l->v[++l->n] = NULL;
	return 1;
}

static void
strlist_release(struct strlist *l)
{
	ek_strv_free(l->v);
	memset(l, 0, sizeof(*l));
}

static int
is_eks_token(const char *cmd)
{
	const char *base;

	if (cmd == NULL)
		return 0;
	base = strrchr(cmd, '/');
	return strcmp(base ? base + 1 : cmd, KCU_EXEC_COMMAND_DEFAULT) == 0;
}

/* The value of `--flag VALUE` or `--flag=VALUE` in args, else NULL. */
static const char *
arg_value(const struct kc_exec *e, const char *flag)
{
	size_t i, n = strlen(flag);

	for (i = 0; i < e->nargs; i++) {
		if (strcmp(e->args[i], flag) == 0 && i + 1 < e->nargs)
			return e->args[i + 1];
		if (strncmp(e->args[i], flag, n) == 0 && e->args[i][n] == '=')
			return e->args[i] + n + 1;
	}
	return NULL;
}

int
kcu_exec_identify(const struct kc_exec *e, struct kcu_exec_id *id)
{
	size_t i;

	memset(id, 0, sizeof(*id));
	if (e == NULL || !is_eks_token(e->command))
		return 0;
	id->cluster = arg_value(e, "--cluster-name");
	id->region = arg_value(e, "--region");
	if ((id->profile = arg_value(e, "--profile")) == NULL)
		for (i = 0; i < e->nenv; i++)
			if (e->env[i].name != NULL && strcmp(e->env[i].name, "AWS_PROFILE") == 0)
				id->profile = e->env[i].value;
	if (id->profile != NULL && *id->profile == '\0')
		id->profile = NULL;
	return id->cluster != NULL && id->region != NULL;
}

/* Both NULL, or equal strings. */
static int
str_equal(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* 1 when the block's cluster is gone from a scope that was scanned. */
static int
is_stale(const struct kcu_prune *p, const struct kcu_exec_id *id)
{
	char *const *live;
	size_t i;

	for (i = 0; i < p->n; i++) {
		if (strcmp(p->scopes[i].region, id->region) != 0 ||
		    !str_equal(p->scopes[i].profile, id->profile))
			continue;
		for (live = p->scopes[i].live; live != NULL && *live != NULL; live++)
			if (strcmp(*live, id->cluster) == 0)
				return 0;
		return 1;
	}
	return 0;
}

static int
stale_users(const struct kubeconfig *kc, const struct kcu_prune *p,
    struct strlist *out, struct ekskit_err *err)
{
	size_t i, n = kubeconfig_count(kc, KC_USERS);
	struct kcu_exec_id id;
	struct kc_user *u;
	int ok = 1;

	for (i = 0; ok && i < n; i++) {
		if (kubeconfig_name_at(kc, KC_USERS, i) == NULL ||
		    kubeconfig_get_user_at(kc, i, &u, NULL) != EKSKIT_OK)
			continue;       /* not ours to judge: leave it alone */
		if (kcu_exec_identify(u->exec, &id) && is_stale(p, &id))
			ok = strlist_add(out, u->name);
		kc_user_free(u);
	}
	return ok ? EKSKIT_OK : ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
}

/* Contexts using a stale user, and the clusters the other contexts still use. */
static int
split_contexts(const struct kubeconfig *kc, const struct strlist *users,
    struct strlist *gone, struct strlist *gone_clusters, struct strlist *kept_clusters,
    struct ekskit_err *err)
{
	size_t i, n = kubeconfig_count(kc, KC_CONTEXTS);
	struct kc_context *c;
	int ok = 1;

	for (i = 0; ok && i < n; i++) {
		if (kubeconfig_get_context_at(kc, i, &c, NULL) != EKSKIT_OK)
			continue;
		if (strlist_has(users, c->user))
			ok = strlist_add(gone, c->name) &&
			    strlist_add(gone_clusters, c->cluster);
		else
			ok = strlist_add(kept_clusters, c->cluster);
		kc_context_free(c);
	}
	return ok ? EKSKIT_OK : ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
}

int
kcu_prune_apply(struct kubeconfig *kc, const struct kcu_prune *p,
    char ***removed, struct ekskit_err *err)
{
	struct strlist users = { 0 }, gone = { 0 }, gone_cl = { 0 }, kept_cl = { 0 };
	size_t i;
	int r;

	*removed = NULL;
	if ((r = stale_users(kc, p, &users, err)) != EKSKIT_OK || users.n == 0 ||
	    (r = split_contexts(kc, &users, &gone, &gone_cl, &kept_cl, err)) != EKSKIT_OK)
		goto out;
	for (i = 0; i < gone.n; i++)
		kubeconfig_remove(kc, KC_CONTEXTS, gone.v[i]);
	for (i = 0; i < users.n; i++)
		kubeconfig_remove(kc, KC_USERS, users.v[i]);
	for (i = 0; i < gone_cl.n; i++)
		if (!strlist_has(&kept_cl, gone_cl.v[i]))
			kubeconfig_remove(kc, KC_CLUSTERS, gone_cl.v[i]);
	/* a stale user no context used still counts: report it by its name */
	*removed = gone.n ? gone.v : users.v;
	if (gone.n)
		gone.v = NULL;
	else
		users.v = NULL;
out:
	strlist_release(&users);
	strlist_release(&gone);
	strlist_release(&gone_cl);
	strlist_release(&kept_cl);
	return r;
}

static int
exec_equal(const struct kc_exec *a, const struct kc_exec *b)
{
	size_t i;

	if (a == NULL || b == NULL)
		return a == b;
	if (!str_equal(a->api_version, b->api_version) ||
	    !str_equal(a->command, b->command) || a->nargs != b->nargs ||
	    a->nenv != b->nenv || !str_equal(a->interactive_mode, b->interactive_mode) ||
	    a->provide_cluster_info != b->provide_cluster_info)
		return 0;
	for (i = 0; i < a->nargs; i++)
		if (!str_equal(a->args[i], b->args[i]))
			return 0;
	for (i = 0; i < a->nenv; i++)
		if (!str_equal(a->env[i].name, b->env[i].name) ||
		    !str_equal(a->env[i].value, b->env[i].value))
			return 0;
	return 1;
}

/* "a, b, c" (at most GUARD_NAMES_MAX, then "and N more") of the other contexts. */
static int
other_users_of(const struct kubeconfig *kc, const char *user, const char *context,
    struct ekbuf *names, size_t *count)
{
	size_t i, n = kubeconfig_count(kc, KC_CONTEXTS);
	struct kc_context *c;
	int ok = 1;

	*count = 0;
	for (i = 0; ok && i < n; i++) {
		if (kubeconfig_get_context_at(kc, i, &c, NULL) != EKSKIT_OK)
			continue;
		if (c->user != NULL && strcmp(c->user, user) == 0 &&
		    strcmp(c->name, context) != 0 && (*count)++ < GUARD_NAMES_MAX)
			ok = ekbuf_printf(names, "%s%s", names->len ? ", " : "",
			    c->name) == EKSKIT_OK;
		kc_context_free(c);
	}
	if (ok && *count > GUARD_NAMES_MAX)
		ok = ekbuf_printf(names, " and %zu more", *count - GUARD_NAMES_MAX) == 0;
	return ok;
}

int
kcu_user_guard(const struct kubeconfig *kc, const struct kc_user *u,
    const char *context, struct ekskit_err *err)
{
	struct kc_user *old = NULL;
	struct ekbuf names;
	size_t count = 0;
	int r = EKSKIT_OK;

	if (!kubeconfig_has(kc, KC_USERS, u->name))
		return EKSKIT_OK;
	if (kubeconfig_get_user(kc, u->name, &old, NULL) == EKSKIT_OK &&
	    exec_equal(old->exec, u->exec)) {
		kc_user_free(old);
		return EKSKIT_OK;
	}
	kc_user_free(old);
	ekbuf_init(&names, 4096);
	if (!other_users_of(kc, u->name, context, &names, &count))
		r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	else if (count > 0)
		r = ekskit_err_set(err, EKSKIT_ERR_CONFIG,
		    "user entry %s is used by context%s %s with a different exec "
		    "block: writing it would change how %s authenticate%s; name "
		    "this user otherwise (--user-alias or --alias), or pass --force "
		    "to change it for all of them", u->name, count > 1 ? "s" : "",
		    names.data, count > 1 ? "they" : "it", count > 1 ? "" : "s");
	ekbuf_release(&names);
	return r;
}
