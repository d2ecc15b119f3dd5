/*
 * From kubeconfig files to an authenticated Kubernetes connection
 * (k8s_conn_from_kubeconfig in include/ekskit/k8s.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ekskit/b64.h"
#include "ekskit/buf.h"
#include "ekskit/k8s.h"
#include "ekskit/kubeconfig.h"

#define K8S_MAX_PEM (1024u * 1024)

/* Every kubeconfig named by the flag or the environment, loaded in order. */
struct kc_set {
	struct kubeconfig **files;
	size_t n;
};

static void
kc_set_release(struct kc_set *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		kubeconfig_free(s->files[i]);
	free(s->files);
	s->files = NULL;
	s->n = 0;
}

static int
kc_set_load(const struct k8s_load_opts *o, struct kc_set *set, struct ekskit_err *err)
{
	char **paths, **p;
	int r = EKSKIT_OK;

	memset(set, 0, sizeof(*set));
	paths = kubeconfig_paths(o->kubeconfig, getenv("KUBECONFIG"), getenv("HOME"));
	if (paths == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_CONFIG,
		    "no kubeconfig: set --kubeconfig or KUBECONFIG (HOME is not set)");
	for (p = paths; *p != NULL; p++) {
		struct kubeconfig *kc, **grown;
		struct ekskit_err e2;

		r = kubeconfig_load(*p, &kc, &e2);
		if (r == EKSKIT_ERR_NOT_FOUND && o->kubeconfig == NULL)
			continue;  /* absent KUBECONFIG entries are fine, as for kubectl */
		if (r != EKSKIT_OK) {
			if (err != NULL)
				*err = e2;
			break;
		}
		if ((grown = realloc(set->files, (set->n + 1) * sizeof(*grown))) == NULL) {
			kubeconfig_free(kc);
			r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
			break;
		}
		set->files = grown;
		set->files[set->n++] = kc;
	}
	kubeconfig_paths_free(paths);
	if (r == EKSKIT_OK && set->n == 0)
		r = ekskit_err_set(err, EKSKIT_ERR_NOT_FOUND,
		    "no kubeconfig file found (looked at %s)",
		    o->kubeconfig ? o->kubeconfig :
		    getenv("KUBECONFIG") ? "$KUBECONFIG" : "~/.kube/config");
	if (r != EKSKIT_OK)
		kc_set_release(set);
	return r;
}

/* The file that first defines `name` in a section (client-go merge rule). */
static const struct kubeconfig *
kc_set_find(const struct kc_set *set, enum kc_section s, const char *name)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (kubeconfig_has(set->files[i], s, name))
			return set->files[i];
	return NULL;
}

static const char *
kc_set_current(const struct kc_set *set)
{
	size_t i;
	const char *c;

	for (i = 0; i < set->n; i++)
		if ((c = kubeconfig_current_context(set->files[i])) != NULL)
			return c;
	return NULL;
}

void
k8s_source_release(struct k8s_source *s)
{
	if (s == NULL)
		return;
	free(s->context);
	free(s->cluster);
	free(s->user);
	free(s->namespace);
	free(s->kubeconfig);
	memset(s, 0, sizeof(*s));
}

/* Inline base64 data wins over a file, as in client-go. */
static int
load_pem(const char *b64, const char *file, const char *what, int secret,
    char **out, size_t *out_len, struct ekskit_err *err)
{
	struct ekbuf b;
	int r;

	*out = NULL;
	if (b64 == NULL && file == NULL)
		return EKSKIT_OK;
	if (secret)
		ekbuf_init_secret(&b, K8S_MAX_PEM);
	else
		ekbuf_init(&b, K8S_MAX_PEM);
	if (b64 != NULL)
		r = ek_b64_decode(b64, EK_B64_STD, what, &b, err);
	else
		r = ek_read_file(file, &b, err);
	if (r == EKSKIT_OK && b.len == 0)
		r = ekskit_err_set(err, EKSKIT_ERR_INVALID, "%s is empty", what);
	if (r != EKSKIT_OK) {
		ekbuf_release(&b);
		return r;
	}
	*out = ekbuf_detach(&b, out_len);
	return *out ? EKSKIT_OK : ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
}

static int
apply_cluster(const struct kc_cluster *cl, struct k8s_conn *c, struct ekskit_err *err)
{
	int r;

	if (cl->server == NULL || !ek_startswith(cl->server, "https://"))
		return ekskit_err_set(err, EKSKIT_ERR_CONFIG,
		    "cluster %s: server must be an https:// URL (got '%s')", cl->name,
		    cl->server ? cl->server : "");
	if ((c->server = strdup(cl->server)) == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	while (ek_endswith(c->server, "/"))
		c->server[strlen(c->server) - 1] = '\0';
	r = load_pem(cl->ca_data, cl->ca_file, "certificate-authority", 0,
	    &c->ca_pem, &c->ca_pem_len, err);
	if (r != EKSKIT_OK)
		return ekskit_err_prefix(err, "cluster %s", cl->name);
	/* the front end warns about this: the library does not print */
	c->insecure_skip_verify = cl->insecure_skip_tls_verify;
	if ((cl->tls_server_name && !(c->tls_server_name = strdup(cl->tls_server_name))) ||
	    (cl->proxy_url && !(c->proxy_url = strdup(cl->proxy_url))))
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	return EKSKIT_OK;
}

static int
apply_user(const struct kc_user *u, const struct kc_cluster *cl,
    const struct k8s_load_opts *o, struct k8s_conn *c, struct ekskit_err *err)
{
	size_t len;
	int r;

	if ((r = load_pem(u->client_cert_data, u->client_cert_file,
	    "client-certificate", 0, &c->client_cert_pem, &len, err)) != EKSKIT_OK ||
	    (r = load_pem(u->client_key_data, u->client_key_file, "client-key", 1,
	    &c->client_key_pem, &len, err)) != EKSKIT_OK)
		return ekskit_err_prefix(err, "user %s", u->name);
	if ((c->client_cert_pem == NULL) != (c->client_key_pem == NULL))
		return ekskit_err_set(err, EKSKIT_ERR_CONFIG,
		    "user %s has a client certificate without its key (or the "
		    "reverse)", u->name);
	if (u->token != NULL) {
		if ((c->token = strdup(u->token)) == NULL)
			return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	} else if (u->token_file != NULL) {
		struct ekbuf b;

		ekbuf_init_secret(&b, 64 * 1024);
		if ((r = ek_read_file(u->token_file, &b, err)) != EKSKIT_OK) {
			ekbuf_release(&b);
			return ekskit_err_prefix(err, "user %s tokenFile", u->name);
		}
		while (b.len > 0 && (b.data[b.len - 1] == '\n' || b.data[b.len - 1] == '\r'))
			b.data[--b.len] = '\0';
		c->token = ekbuf_detach(&b, NULL);
		if (c->token == NULL)
			return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	}
	/* never name the token itself: it is a secret */
	if (c->token != NULL && !k8s_token_valid(c->token))
		return ekskit_err_set(err, EKSKIT_ERR_CONFIG,
		    "user %s: the %s is not a usable bearer token (empty, or "
		    "holds spaces, line breaks or other control characters)",
		    u->name, u->token != NULL ? "token" : "tokenFile's content");
	if (u->exec != NULL && c->token == NULL && c->client_cert_pem == NULL)
		return k8s_exec_credential(u->exec, cl, o, c, err);
	return EKSKIT_OK;
}

static int
copy_source(struct k8s_source *src, const struct kc_context *ctx,
    const struct kubeconfig *from)
{
	const char *path = kubeconfig_path(from);

	src->context = ek_strdup(ctx->name);
	src->cluster = ek_strdup(ctx->cluster);
	src->user = ek_strdup(ctx->user);
	src->namespace = ek_strdup(ctx->namespace);
	src->kubeconfig = ek_strdup(path);
	if (!src->context || !src->cluster || !src->user ||
	    (ctx->namespace && !src->namespace) || (path && !src->kubeconfig))
		return EKSKIT_ERR_NOMEM;
	return EKSKIT_OK;
}

int
k8s_conn_from_kubeconfig(const struct k8s_load_opts *o, struct k8s_conn **out,
    struct k8s_source *src, struct ekskit_err *err)
{
	const struct kubeconfig *kc_ctx, *kc_cl, *kc_user;
	struct kc_context *ctx = NULL;
	struct kc_cluster *cl = NULL;
	struct kc_user *u = NULL;
	struct k8s_conn *c = NULL;
	struct kc_set set;
	const char *name;
	int r;

	*out = NULL;
	if (src != NULL)
		memset(src, 0, sizeof(*src));
	if ((r = kc_set_load(o, &set, err)) != EKSKIT_OK)
		return r;
	name = o->context ? o->context : kc_set_current(&set);
	if (name == NULL) {
		r = ekskit_err_set(err, EKSKIT_ERR_CONFIG,
		    "no current-context in the kubeconfig: pass --context NAME");
		goto out;
	}
	if ((kc_ctx = kc_set_find(&set, KC_CONTEXTS, name)) == NULL) {
		r = ekskit_err_set(err, EKSKIT_ERR_NOT_FOUND,
		    "context '%s' not found in the kubeconfig (`kubectl config "
		    "get-contexts` lists them)", name);
		goto out;
	}
	if ((r = kubeconfig_get_context(kc_ctx, name, &ctx, err)) != EKSKIT_OK)
		goto out;
	kc_cl = kc_set_find(&set, KC_CLUSTERS, ctx->cluster);
	kc_user = kc_set_find(&set, KC_USERS, ctx->user);
	if (kc_cl == NULL || kc_user == NULL) {
		r = ekskit_err_set(err, EKSKIT_ERR_CONFIG,
		    "context '%s' refers to %s '%s', which is not in the kubeconfig",
		    name, kc_cl == NULL ? "cluster" : "user",
		    kc_cl == NULL ? ctx->cluster : ctx->user);
		goto out;
	}
	if ((r = kubeconfig_get_cluster(kc_cl, ctx->cluster, &cl, err)) != EKSKIT_OK ||
	    (r = kubeconfig_get_user(kc_user, ctx->user, &u, err)) != EKSKIT_OK)
		goto out;
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	c->verbose = o->verbose;
	if ((r = apply_cluster(cl, c, err)) != EKSKIT_OK ||
	    (r = apply_user(u, cl, o, c, err)) != EKSKIT_OK)
		goto out;
	if (src != NULL && copy_source(src, ctx, kc_ctx) != EKSKIT_OK) {
		r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	*out = c;
	c = NULL;
out:
	if (r != EKSKIT_OK)
		k8s_source_release(src);
	k8s_conn_free(c);
	kc_context_free(ctx);
	kc_cluster_free(cl);
	kc_user_free(u);
	kc_set_release(&set);
	return r;
}
