/*
 * Writing EKS entries into kubeconfig files: see
 * include/ekskit/kubeconfig_update.h.
 */
#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <yaml.h>

#include "ekskit/buf.h"
#include "ekskit/fileio.h"
#include "ekskit/kubeconfig_execpath.h"
#include "ekskit/kubeconfig_prune.h"
#include "ekskit/kubeconfig_update.h"

#define USERS_FILE_MAX (1024u * 1024)
#define USERS_MAX 10000
#define NAMESPACE_MAX 63

/* ---------- option checks ---------- */

static int
env_key_valid(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || (!isalpha((unsigned char)s[0]) && s[0] != '_'))
		return 0;
	for (i = 1; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return 0;
	return 1;
}

/* A DNS-1123 label, what Kubernetes accepts as a namespace. */
static int
namespace_valid(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > NAMESPACE_MAX || !isalnum((unsigned char)s[0]) ||
	    !isalnum((unsigned char)s[n - 1]))
		return 0;
	for (i = 0; i < n; i++)
		if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) ||
		    s[i] == '-'))
			return 0;
	return 1;
}

static int
role_arn_valid(const char *s)
{
	return ek_startswith(s, "arn:") && strstr(s, ":iam::") != NULL &&
	    strstr(s, ":role/") != NULL && s[strlen(s) - 1] != '/';
}

/* The full exec apiVersion for a flag value, or NULL when unsupported. */
static const char *
exec_api_version(const char *v)
{
	if (v == NULL || strcmp(v, "v1beta1") == 0 ||
	    strcmp(v, KC_EXEC_API_V1BETA1) == 0)
		return KC_EXEC_API_V1BETA1;
	if (strcmp(v, "v1") == 0 || strcmp(v, KC_EXEC_API_V1) == 0)
		return KC_EXEC_API_V1;
	return NULL;
}

static int
check_name(const char *v, const char *flag, struct ekskit_err *err)
{
	if (v != NULL && (*v == '\0' || ek_has_control(v)))
		return ekskit_err_set(err, EKSKIT_ERR_USAGE,
		    "%s must be a non-empty name without control characters", flag);
	return EKSKIT_OK;
}

int
kcu_entry_opts_check(const struct kcu_entry_opts *o, struct ekskit_err *err)
{
	size_t i, j;
	int r;

	if (exec_api_version(o->exec_api_version) == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_USAGE,
		    "--exec-api-version must be v1beta1 or v1 (got \"%s\"); "
		    "v1alpha1 is not supported by current kubectl",
		    o->exec_api_version);
	if ((r = check_name(o->context_alias, "--alias", err)) != 0 ||
	    (r = check_name(o->user_alias, "--user-alias", err)) != 0 ||
	    (r = check_name(o->cluster_alias, "--cluster-alias", err)) != 0 ||
	    (r = check_name(o->exec_command, "--exec-command", err)) != 0 ||
	    (r = check_name(o->profile, "--profile", err)) != 0 ||
	    (r = check_name(o->shared_user, "--shared-user", err)) != 0)
		return r;
	if (o->shared_user != NULL && (o->user_alias != NULL ||
	    (o->exec_command != NULL && strcmp(o->exec_command, "aws") == 0)))
		return ekskit_err_set(err, EKSKIT_ERR_USAGE, "--shared-user names the "
		    "user itself and needs eks-token (it reads the cluster from "
		    "KUBERNETES_EXEC_INFO): drop --user-alias / --exec-command aws");
	if (o->exec_absolute && o->exec_command && strcmp(o->exec_command, "aws") == 0)
		return ekskit_err_set(err, EKSKIT_ERR_USAGE,
		    "--exec-absolute is for eks-token, not --exec-command aws");
	if ((r = kubeconfig_execpath_check(o->exec_command, err)) != EKSKIT_OK)
		return r;
	if (o->namespace != NULL && !namespace_valid(o->namespace))
		return ekskit_err_set(err, EKSKIT_ERR_USAGE,
		    "--namespace \"%s\" is not a valid namespace (lowercase letters, "
		    "digits and -, at most 63)", o->namespace);
	if (o->role_arn != NULL && !role_arn_valid(o->role_arn))
		return ekskit_err_set(err, EKSKIT_ERR_USAGE,
		    "--role-arn \"%s\" is not an IAM role ARN "
		    "(arn:aws:iam::123456789012:role/NAME)", o->role_arn);
	if (o->proxy_url != NULL && (*o->proxy_url == '\0' ||
	    ek_has_control(o->proxy_url) || strstr(o->proxy_url, "://") == NULL))
		return ekskit_err_set(err, EKSKIT_ERR_USAGE,
		    "--proxy-url \"%s\" is not a URL (e.g. http://proxy:3128)",
		    o->proxy_url ? o->proxy_url : "");
	for (i = 0; i < o->nenv; i++) {
		const char *eq = strchr(o->env[i], '=');
		size_t klen = eq ? (size_t)(eq - o->env[i]) : 0;
		if (eq == NULL || !env_key_valid(o->env[i], klen) || ek_has_control(eq))
			return ekskit_err_set(err, EKSKIT_ERR_USAGE,
			    "--env \"%s\" must be KEY=VALUE with KEY of letters, "
			    "digits and _", o->env[i]);
		for (j = 0; j < i; j++)
			if (strncmp(o->env[j], o->env[i], klen + 1) == 0)
				return ekskit_err_set(err, EKSKIT_ERR_USAGE,
				    "--env %.*s given twice", (int)klen, o->env[i]);
	}
	return EKSKIT_OK;
}

int
kcu_cluster_usable(const struct eks_cluster *cl, int *warn,
    struct ekskit_err *err)
{
	*warn = 0;
	if (strcmp(cl->status, "UPDATING") == 0)
		*warn = 1;
	else if (strcmp(cl->status, "ACTIVE") != 0)
		return ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "cluster %s is %s, not ACTIVE; wait until it is active "
		    "(aws eks wait cluster-active --name %s) and run again",
		    cl->name, cl->status, cl->name);
	if (cl->endpoint == NULL || *cl->endpoint == '\0' || cl->ca_data == NULL ||
	    *cl->ca_data == '\0')
		return ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "cluster %s has no endpoint or certificate data yet; "
		    "wait until it is active and run again", cl->name);
	return EKSKIT_OK;
}

/* ---------- building entries ---------- */

void
kcu_entries_free(struct kcu_entries *e)
{
	if (e == NULL)
		return;
	free(e->cluster.name);
	free(e->cluster.server);
	free(e->cluster.ca_data);
	free(e->cluster.proxy_url);
	free(e->cluster.tls_server_name);
	kc_env_list_free(e->cluster.exec_config, e->cluster.nexec_config);
	free(e->user.name);
	kc_exec_free(e->user.exec);
	free(e->context.name);
	free(e->context.cluster);
	free(e->context.user);
	free(e->context.namespace);
	free(e);
}

/* Append copies of a NULL-terminated list of strings to the exec args. */
static int
add_args(struct kc_exec *e, ...)
{
	va_list ap;
	const char *s;
	char **n;
	int ok = 1;

	va_start(ap, e);
	while (ok && (s = va_arg(ap, const char *)) != NULL) {
		if ((n = realloc(e->args, (e->nargs + 1) * sizeof(*n))) == NULL ||
		    (n[e->nargs] = strdup(s)) == NULL) {
			if (n != NULL)
				e->args = n;
			ok = 0;
			break;
		}
		e->args = n;
		e->nargs++;
	}
	va_end(ap);
	return ok;
}

static int
add_env(struct kc_exec *e, const char *name, size_t nlen, const char *value)
{
	struct kc_env *n;

	if ((n = realloc(e->env, (e->nenv + 1) * sizeof(*n))) == NULL)
		return 0;
	e->env = n;
	n[e->nenv].name = ek_strndup(name, nlen);
	n[e->nenv].value = strdup(value);
	e->nenv++;
	return n[e->nenv - 1].name != NULL && n[e->nenv - 1].value != NULL;
}

static int
env_overridden(const struct kcu_entry_opts *o, const char *key)
{
	size_t i, k = strlen(key);

	for (i = 0; i < o->nenv; i++)
		if (strncmp(o->env[i], key, k) == 0 && o->env[i][k] == '=')
			return 1;
	return 0;
}

static struct kc_exec *
build_exec(const struct eks_cluster *cl, const char *region,
    const struct kcu_entry_opts *o)
{
	const char *id_flag = cl->outpost_cluster_id ? "--cluster-id" : "--cluster-name";
	const char *id = cl->outpost_cluster_id ? cl->outpost_cluster_id : cl->name;
	const char *api = exec_api_version(o->exec_api_version);
	const char *cmd = o->exec_command ? o->exec_command : KCU_EXEC_COMMAND_DEFAULT;
	struct kc_exec *e = calloc(1, sizeof(*e));
	int ok, aws = strcmp(cmd, "aws") == 0;
	size_t i;

	if (e == NULL)
		return NULL;
	ok = (e->api_version = strdup(api)) != NULL &&
	    (e->command = strdup(cmd)) != NULL;
	if (o->shared_user)             /* the cluster comes from KUBERNETES_EXEC_INFO */
		e->provide_cluster_info = 1;
	else if (ok && aws)          /* exactly what `aws eks update-kubeconfig` writes */
		ok = add_args(e, "--region", region, "eks", "get-token", id_flag,
		    id, "--output", "json", (char *)NULL) &&
		    (o->role_arn == NULL ||
		    add_args(e, "--role", o->role_arn, (char *)NULL));
	else if (ok)
		ok = add_args(e, id_flag, id, "--region", region, (char *)NULL) &&
		    (o->role_arn == NULL ||
		    add_args(e, "--role-arn", o->role_arn, (char *)NULL));
	/* a shared user's profile is per cluster: in the cluster's exec extension */
	if (o->shared_user)
		;
	/* an argument wins over AWS_* credentials in the caller's environment */
	else if (ok && o->profile != NULL && o->profile_as_arg)
		ok = add_args(e, "--profile", o->profile, (char *)NULL);
	else if (ok && o->profile != NULL && !env_overridden(o, "AWS_PROFILE"))
		ok = add_env(e, "AWS_PROFILE", strlen("AWS_PROFILE"), o->profile);
	for (i = 0; ok && i < o->nenv; i++) {
		const char *eq = strchr(o->env[i], '=');
		ok = eq != NULL && add_env(e, o->env[i], (size_t)(eq - o->env[i]), eq + 1);
	}
	/* kubectl shows it when the command is not found; the AWS CLI's block has none */
	if (ok && !aws)
		ok = (e->install_hint = strdup(KCU_INSTALL_HINT)) != NULL;
	/*
	 * exec v1 requires interactiveMode: Never unless the profile may ask
	 * for an MFA code (kubectl then passes spec.interactive true when its
	 * stdin is a terminal).  v1beta1 stays without it, as the AWS CLI
	 * writes it (kubectl defaults it to IfAvailable).
	 */
	if (ok && strcmp(api, KC_EXEC_API_V1) == 0)
		ok = (e->interactive_mode = strdup(o->needs_mfa ? "IfAvailable" :
		    "Never")) != NULL;
	if (!ok) {
		kc_exec_free(e);
		return NULL;
	}
	return e;
}

/* A shared user's per-cluster settings: the cluster entry's exec extension. */
static int
build_exec_config(struct kc_cluster *c, const struct eks_cluster *cl,
    const char *region, const struct kcu_entry_opts *o)
{
	struct kc_exec tmp;
	int ok;

	memset(&tmp, 0, sizeof(tmp));
	ok = (cl->outpost_cluster_id ?
	    add_env(&tmp, "cluster-id", 10, cl->outpost_cluster_id) :
	    add_env(&tmp, "cluster-name", 12, cl->name)) &&
	    add_env(&tmp, "region", 6, region) &&
	    (o->role_arn == NULL || add_env(&tmp, "role-arn", 8, o->role_arn)) &&
	    (o->profile == NULL || add_env(&tmp, "profile", 7, o->profile));
	c->exec_config = tmp.env;
	c->nexec_config = tmp.nenv;
	return ok;
}

int
kcu_entries_build(const struct eks_cluster *cl, const struct kcu_entry_opts *o,
    struct kcu_entries **out, struct ekskit_err *err)
{
	struct kcu_entries *e;
	char *region;
	int ok;

	*out = NULL;
	if (cl->endpoint == NULL || cl->ca_data == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "cluster %s has no endpoint or certificate data", cl->name);
	if ((region = eks_arn_region(cl->arn)) == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "cluster %s: cannot read the region from arn %s", cl->name, cl->arn);
	if ((e = calloc(1, sizeof(*e))) == NULL) {
		free(region);
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	}
	ok = (e->cluster.name = strdup(o->cluster_alias ? o->cluster_alias : cl->arn)) &&
	    (e->cluster.server = strdup(cl->endpoint)) &&
	    (e->cluster.ca_data = strdup(cl->ca_data)) &&
	    (o->proxy_url == NULL || (e->cluster.proxy_url = strdup(o->proxy_url))) &&
	    (o->shared_user == NULL || build_exec_config(&e->cluster, cl, region, o)) &&
	    /* named after --alias: two aliases never share one user by accident */
	    (e->user.name = strdup(o->shared_user ? o->shared_user :
	    o->user_alias ? o->user_alias :
	    o->context_alias ? o->context_alias : cl->arn)) &&
	    (e->user.exec = build_exec(cl, region, o)) &&
	    /* the AWS CLI names the context after the user unless --alias */
	    (e->context.name = strdup(o->context_alias ? o->context_alias :
	    o->shared_user ? cl->arn : e->user.name)) &&
	    (e->context.cluster = strdup(e->cluster.name)) &&
	    (e->context.user = strdup(e->user.name)) &&
	    (o->namespace == NULL || (e->context.namespace = strdup(o->namespace)));
	free(region);
	if (!ok) {
		kcu_entries_free(e);
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	}
	*out = e;
	return EKSKIT_OK;
}

/* ---------- writing ---------- */

static void
notify(const struct kcu_write_opts *w, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
notify(const struct kcu_write_opts *w, int level, const char *fmt, ...)
{
	char msg[EKSKIT_ERR_MSG_MAX + 256];
	va_list ap;

	if (w->notify == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	w->notify(w->notify_arg, level, msg);
}

/*
 * The KUBECONFIG rule: the first file that already holds this cluster,
 * else the first path.  Files that cannot be read are skipped with a
 * warning here; if one of them is the target, loading it again under the
 * lock reports the error.
 */
static char *
choose_target(const struct kcu_write_opts *w, const char *cluster_name,
    struct ekskit_err *err)
{
	char **paths, *chosen = NULL;
	struct kubeconfig *kc;
	struct ekskit_err e2;
	size_t i;

	paths = kubeconfig_paths(w->kubeconfig_flag, w->kubeconfig_env, w->home);
	if (paths == NULL) {
		ekskit_err_set(err, EKSKIT_ERR_CONFIG,
		    "no kubeconfig path: set HOME, KUBECONFIG or pass --kubeconfig");
		return NULL;
	}
	for (i = 0; paths[1] != NULL && paths[i] != NULL && chosen == NULL; i++) {
		ekskit_err_clear(&e2);
		int r = kubeconfig_load(paths[i], &kc, &e2);
		if (r == EKSKIT_ERR_NOT_FOUND)
			continue;
		if (r != EKSKIT_OK) {
			notify(w, 0, "skipping %s: %s", paths[i], e2.msg);
			continue;
		}
		if (kubeconfig_has(kc, KC_CLUSTERS, cluster_name))
			chosen = strdup(paths[i]);
		kubeconfig_free(kc);
	}
	if (chosen == NULL)
		chosen = strdup(paths[0]);
	ek_strv_free(paths);
	if (chosen == NULL)
		ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	return chosen;
}

/* The file at path (read into buf), or a new one. */
static int
load_or_new(const char *path, int standalone, struct ekbuf *buf,
    struct kubeconfig **kc, struct ekskit_err *err)
{
	int r;

	*kc = NULL;
	if (!standalone) {
		r = kubeconfig_load_buf(path, buf, kc, err);
		if (r != EKSKIT_ERR_NOT_FOUND)
			return r;
		ekskit_err_clear(err);
	}
	if ((*kc = kubeconfig_new()) == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	return EKSKIT_OK;
}

static int
merge_entries(struct kubeconfig *kc, struct kcu_entries *const *entries,
    size_t n, const struct kcu_write_opts *w, struct kcu_result *res,
    struct ekskit_err *err)
{
	const char *cur;
	size_t i;
	int r, c1, c2, c3;

	if (w->prune != NULL &&
	    (r = kcu_prune_apply(kc, w->prune, &res->pruned, err)) != EKSKIT_OK)
		return r;
	for (i = 0; i < n; i++) {
		res->existed[i] = kubeconfig_has(kc, KC_CLUSTERS,
		    entries[i]->cluster.name);
		if ((!w->force && (r = kcu_user_guard(kc, &entries[i]->user,
		    entries[i]->context.name, err)) != EKSKIT_OK) ||
		    (r = kubeconfig_set_cluster(kc, &entries[i]->cluster, &c1, err)) != 0 ||
		    (r = kubeconfig_set_user(kc, &entries[i]->user, &c2, err)) != 0 ||
		    (r = kubeconfig_set_context(kc, &entries[i]->context, &c3, err)) != 0)
			return r;
		res->changed[i] = c1 || c2 || c3;
	}
	cur = kubeconfig_current_context(kc);
	if (cur != NULL && res->pruned != NULL && !kubeconfig_has(kc, KC_CONTEXTS, cur)) {
		/* it named a pruned context: never leave it dangling */
		if ((r = kubeconfig_set_current_context(kc, NULL,
		    &res->current_changed, err)) != EKSKIT_OK)
			return r;
		cur = NULL;
	}
	if (n > 0 && (w->current == KCU_CURRENT_SET ||
	    (w->current == KCU_CURRENT_IF_UNSET && cur == NULL)))
		return kubeconfig_set_current_context(kc,
		    entries[w->current == KCU_CURRENT_SET ? n - 1 : 0]->context.name,
		    &res->current_changed, err);
	return EKSKIT_OK;
}

static int
dry_run_yaml(const struct kubeconfig *kc, struct kcu_entries *const *entries,
    size_t n, struct kcu_result *res, struct ekskit_err *err)
{
	const char **cl = calloc(n + 1, sizeof(*cl));
	const char **us = calloc(n + 1, sizeof(*us));
	const char **cx = calloc(n + 1, sizeof(*cx));
	struct ekbuf b;
	size_t i, k = 0;
	int r = EKSKIT_OK;

	ekbuf_init(&b, 0);
	if (cl == NULL || us == NULL || cx == NULL) {
		r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (!res->changed[i])
			continue;
		cl[k] = entries[i]->cluster.name;
		us[k] = entries[i]->user.name;
		cx[k] = entries[i]->context.name;
		k++;
	}
	if (k == 0 && !res->current_changed)
		goto out;
	if ((r = kubeconfig_emit_entries(kc, cl, us, cx, res->current_changed,
	    &b, err)) != EKSKIT_OK)
		goto out;
	res->dry_run_yaml = ekbuf_detach(&b, NULL);
out:
	ekbuf_release(&b);
	free(cl);
	free(us);
	free(cx);
	return r;
}

static void
warn_mode(const struct kcu_write_opts *w, const char *path)
{
	struct stat st;

	if (stat(path, &st) == 0 && (st.st_mode & 077) != 0)
		notify(w, 0, "%s is readable by others (mode %04o): it may hold "
		    "credentials; run chmod 600 %s", path,
		    (unsigned)(st.st_mode & 07777), path);
}

/* Emit kc into b (a secret buffer, reset first) and write it to path. */
static int
write_out(const char *path, const struct kubeconfig *kc, int standalone,
    const struct kcu_write_opts *w, struct ekbuf *out, struct ekskit_err *err)
{
	struct ek_write_opts wo = { 0600, !standalone, NULL };
	struct ekbuf own, *b = out ? out : &own, bak;
	int r;

	/* the file may hold other users' tokens and keys: wipe our copy */
	if (out == NULL)
		ekbuf_init_secret(&own, KUBECONFIG_MAX_SIZE);
	ekbuf_reset(b);
	if ((r = kubeconfig_emit(kc, b, err)) == EKSKIT_OK) {
		/* --output-file: never write through another user's symlink */
		r = standalone ? ek_write_output_file(path, b->data, b->len, 0600, err) :
		    ek_write_atomic(path, b->data, b->len, &wo, err);
		if (r == EKSKIT_ERR_BUSY && !standalone) {
			/* a bind-mounted file (docker -v ~/.kube/config) cannot be
			 * renamed over: keep a backup, as eks-hosts does, then rewrite */
			ekbuf_init(&bak, 0);
			if (ekbuf_printf(&bak, "%s%s", path, KCU_BACKUP_SUFFIX) != EKSKIT_OK) {
				if (out == NULL)
					ekbuf_release(&own);
				return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "path too long");
			}
			notify(w, 1, "%s cannot be replaced atomically; rewriting in "
			    "place (previous content kept in %s)", path, bak.data);
			ekskit_err_clear(err);
			r = ek_rewrite_in_place(path, b->data, b->len, bak.data, err);
			ekbuf_release(&bak);
		}
	}
	if (out == NULL)
		ekbuf_release(&own);
	return r;
}

int
kcu_save(const char *path, const struct kubeconfig *kc,
    const struct kcu_write_opts *w, struct ekbuf *scratch, struct ekskit_err *err)
{
	return write_out(path, kc, 0, w, scratch, err);
}

static int
result_init(struct kcu_result *res, size_t n)
{
	memset(res, 0, sizeof(*res));
	res->existed = calloc(n ? n : 1, sizeof(int));
	res->changed = calloc(n ? n : 1, sizeof(int));
	return res->existed != NULL && res->changed != NULL;
}

int
kcu_write(struct kcu_entries *const *entries, size_t n,
    const struct kcu_write_opts *w, struct kcu_result *res,
    struct ekskit_err *err)
{
	struct ek_lockfile lk = { NULL };
	struct kubeconfig *kc = NULL;
	struct ekbuf raw;
	char *path = NULL, *tmp;
	int r, standalone = w->standalone_path != NULL, any = 0;
	size_t i;

	/* the file may hold other users' tokens and keys: wiped when released */
	ekbuf_init_secret(&raw, KUBECONFIG_MAX_SIZE);
	if (!result_init(res, n)) {
		r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (n == 0 && w->prune == NULL) {
		r = ekskit_err_set(err, EKSKIT_ERR_INTERNAL, "no entries to write");
		goto out;
	}
	path = standalone ? strdup(w->standalone_path) :
	    choose_target(w, n ? entries[0]->cluster.name : NULL, err);
	if (path == NULL) {
		r = err && err->code ? err->code :
		    ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	notify(w, 1, "kubeconfig: %s", path);
	if (!w->dry_run) {
		if ((tmp = strdup(path)) == NULL) {
			r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
			goto out;
		}
		r = ek_mkdir_p(dirname(tmp), 0700, err);
		free(tmp);
		if (r != EKSKIT_OK)
			goto out;
		if ((r = ek_lock_acquire(path, w->lock_timeout_ms ? w->lock_timeout_ms :
		    KCU_LOCK_TIMEOUT_MS_DEFAULT, &lk, err)) != EKSKIT_OK)
			goto out;
	}
	/* (re)read under the lock: another writer may just have changed it */
	if ((r = load_or_new(path, standalone, &raw, &kc, err)) != EKSKIT_OK ||
	    (r = merge_entries(kc, entries, n, w, res, err)) != EKSKIT_OK)
		goto out;
	for (i = 0; i < n; i++)
		any |= res->changed[i];
	any |= res->current_changed || res->pruned != NULL;
	if (w->dry_run) {
		r = dry_run_yaml(kc, entries, n, res, err);
		goto out;
	}
	if (!standalone)
		warn_mode(w, path);
	if (any || standalone) {
		/* emitted into the buffer the file was read into: its pages are mapped */
		if ((r = write_out(path, kc, standalone, w, &raw, err)) != EKSKIT_OK)
			goto out;
		res->written = 1;
	} else
		notify(w, 1, "%s already up to date, not rewritten", path);
	r = EKSKIT_OK;
out:
	ek_lock_release(&lk);
	kubeconfig_free(kc);
	ekbuf_release(&raw);
	if (r == EKSKIT_OK) {
		res->path = path;
	} else {
		free(path);
		kcu_result_release(res);
	}
	return r;
}

void
kcu_result_release(struct kcu_result *res)
{
	if (res == NULL)
		return;
	free(res->path);
	free(res->existed);
	free(res->changed);
	free(res->dry_run_yaml);
	ek_strv_free(res->pruned);
	memset(res, 0, sizeof(*res));
}

/* ---------- the --users file ---------- */

void
kcu_users_free(struct kcu_user_spec *u, size_t n)
{
	size_t i;

	if (u == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(u[i].name);
		free(u[i].role_arn);
		free(u[i].namespace);
		free(u[i].profile);
	}
	free(u);
}

static int
user_name_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 128 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0 ||
	    s[0] == '-')
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '.' && *s != '_' && *s != '-' &&
		    *s != '@')
			return 0;
	return 1;
}

static int
users_error(struct ekskit_err *err, const char *path, size_t idx,
    const yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int
users_error(struct ekskit_err *err, const char *path, size_t idx,
    const yaml_node_t *n, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return ekskit_err_set(err, EKSKIT_ERR_INVALID,
	    "%s: user #%zu (line %lu): %s; nothing was written", path, idx + 1,
	    n ? (unsigned long)n->start_mark.line + 1 : 0UL, what);
}

static int
read_user(yaml_document_t *d, yaml_node_t *m, const char *path, size_t idx,
    struct kcu_user_spec *u, struct ekskit_err *err)
{
	yaml_node_pair_t *p;

	if (m->type != YAML_MAPPING_NODE)
		return users_error(err, path, idx, m,
		    "should be a mapping with name and role-arn");
	for (p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(d, p->key);
		yaml_node_t *v = yaml_document_get_node(d, p->value);
		const char *key = k->type == YAML_SCALAR_NODE ? (const char *)k->data.scalar.value : "";
		char **slot = strcmp(key, "name") == 0 ? &u->name :
		    strcmp(key, "role-arn") == 0 ? &u->role_arn :
		    strcmp(key, "namespace") == 0 ? &u->namespace :
		    strcmp(key, "profile") == 0 ? &u->profile : NULL;
		if (slot == NULL)
			return users_error(err, path, idx, k, "unknown key \"%s\" "
			    "(allowed: name, role-arn, namespace, profile)", key);
		if (*slot != NULL)
			return users_error(err, path, idx, k, "%s given twice", key);
		if (v->type != YAML_SCALAR_NODE)
			return users_error(err, path, idx, v, "%s should be a string", key);
		if ((*slot = strdup((const char *)v->data.scalar.value)) == NULL)
			return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	}
	if (u->name == NULL || !user_name_valid(u->name))
		return users_error(err, path, idx, m, "name %s%s%s is missing or not "
		    "usable as a file name (letters, digits, . _ - @)",
		    u->name ? "\"" : "", u->name ? u->name : "", u->name ? "\"" : "");
	if (u->role_arn == NULL || !role_arn_valid(u->role_arn))
		return users_error(err, path, idx, m, "role-arn %s is missing or not "
		    "an IAM role ARN", u->role_arn ? u->role_arn : "");
	if (u->namespace != NULL && !namespace_valid(u->namespace))
		return users_error(err, path, idx, m, "namespace \"%s\" is not valid",
		    u->namespace);
	if (u->profile != NULL && (*u->profile == '\0' || ek_has_control(u->profile)))
		return users_error(err, path, idx, m, "profile is empty");
	return EKSKIT_OK;
}

static int
users_from_doc(yaml_document_t *d, const char *path, struct kcu_user_spec **out,
    size_t *n, struct ekskit_err *err)
{
	yaml_node_t *root = yaml_document_get_root_node(d);
	yaml_node_item_t *it;
	struct kcu_user_spec *u;
	size_t cnt, i, j;
	int r;

	if (root == NULL || root->type != YAML_SEQUENCE_NODE)
		return ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "%s: should be a yaml list of users (- name: alice\\n  role-arn: ...)",
		    path);
	cnt = (size_t)(root->data.sequence.items.top - root->data.sequence.items.start);
	if (cnt == 0 || cnt > USERS_MAX)
		return ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "%s: %s", path, cnt ? "too many users" : "the list of users is empty");
	if ((u = calloc(cnt, sizeof(*u))) == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	for (i = 0, it = root->data.sequence.items.start; i < cnt; i++, it++) {
		if ((r = read_user(d, yaml_document_get_node(d, *it), path, i, &u[i],
		    err)) != EKSKIT_OK)
			goto fail;
		for (j = 0; j < i; j++)
			if (strcmp(u[j].name, u[i].name) == 0) {
				r = users_error(err, path, i, yaml_document_get_node(d, *it),
				    "name \"%s\" used twice", u[i].name);
				goto fail;
			}
	}
	*out = u;
	*n = cnt;
	return EKSKIT_OK;
fail:
	kcu_users_free(u, cnt);
	return r;
}

int
kcu_users_load(const char *path, struct kcu_user_spec **out, size_t *n,
    struct ekskit_err *err)
{
	yaml_parser_t p;
	yaml_document_t d;
	struct ekbuf b;
	int r;

	*out = NULL;
	*n = 0;
	ekbuf_init(&b, USERS_FILE_MAX);
	if ((r = ek_read_file(path, &b, err)) != EKSKIT_OK) {
		ekbuf_release(&b);
		return r == EKSKIT_ERR_NOMEM ? ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "%s: larger than %u bytes", path, USERS_FILE_MAX) : r;
	}
	yaml_parser_initialize(&p);
	yaml_parser_set_input_string(&p, (const unsigned char *)(b.data ? b.data : ""),
	    b.len);
	if (!yaml_parser_load(&p, &d)) {
		r = ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "%s: invalid yaml at line %lu: %s", path,
		    (unsigned long)p.problem_mark.line + 1,
		    p.problem ? p.problem : "parse error");
	} else {
		r = users_from_doc(&d, path, out, n, err);
		yaml_document_delete(&d);
	}
	yaml_parser_delete(&p);
	ekbuf_release(&b);
	return r;
}
