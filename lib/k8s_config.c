/*
 * From kubeconfig files to an authenticated Kubernetes connection
 * (k8s_conn_from_kubeconfig in include/ekskit/k8s.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ekskit/b64.h"
#include "ekskit/buf.h"
#include "ekskit/k8s.h"
#include "ekskit/kubeconfig.h"

#define K8S_MAX_PEM (1024u * 1024)

/*
 * The kubeconfig files to read: --kubeconfig (which must exist), else the
 * KUBECONFIG list (absent entries skipped, as kubectl does), else
 * ~/.kube/config.  At least one must exist.  Caller frees with
 * ek_strv_free.
 */
static int
kubeconfig_files(const struct k8s_load_opts *o, char ***out, struct ekskit_err *err)
{
	char **paths, **p;
	struct stat st;

	paths = kubeconfig_paths(o->kubeconfig, getenv("KUBECONFIG"), getenv("HOME"));
	if (paths == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_CONFIG,
		    "no kubeconfig: set --kubeconfig or KUBECONFIG (HOME is not set)");
	for (p = paths; *p != NULL; p++)
		if (stat(*p, &st) == 0)
			break;
	if (*p == NULL || (o->kubeconfig != NULL && stat(o->kubeconfig, &st) != 0)) {
		ek_strv_free(paths);
		return ekskit_err_set(err, EKSKIT_ERR_NOT_FOUND,
		    "no kubeconfig file found at %s", o->kubeconfig ? o->kubeconfig :
		    getenv("KUBECONFIG") ? "$KUBECONFIG" : "~/.kube/config");
	}
	*out = paths;
	return EKSKIT_OK;
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
	/* kubectl refuses this pair: a CA that is then not checked is a mistake */
	if (cl->insecure_skip_tls_verify && (cl->ca_data != NULL || cl->ca_file != NULL))
		return ekskit_err_set(err, EKSKIT_ERR_CONFIG, "cluster %s: specifying "
		    "a root certificates file with the insecure flag is not allowed "
		    "(remove insecure-skip-tls-verify or the certificate-authority)",
		    cl->name);
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
copy_source(struct k8s_source *src, const struct kc_context *ctx)
{
	src->context = ek_strdup(ctx->name);
	src->cluster = ek_strdup(ctx->cluster);
	src->user = ek_strdup(ctx->user);
	src->namespace = ek_strdup(ctx->namespace);
	if (!src->context || !src->cluster || !src->user ||
	    (ctx->namespace && !src->namespace))
		return EKSKIT_ERR_NOMEM;
	return EKSKIT_OK;
}

int
k8s_conn_from_kubeconfig(const struct k8s_load_opts *o, struct k8s_conn **out,
    struct k8s_source *src, struct ekskit_err *err)
{
	struct kc_resolved kr = { 0 };
	struct k8s_conn *c = NULL;
	char **paths = NULL;
	int r;

	*out = NULL;
	if (src != NULL)
		memset(src, 0, sizeof(*src));
	if ((r = kubeconfig_files(o, &paths, err)) != EKSKIT_OK)
		return r;
	/* client-go's merge rules: the first file that names an entry wins */
	if ((r = kubeconfig_resolve(paths, o->context, &kr, err)) != EKSKIT_OK) {
		if (r == EKSKIT_ERR_NOT_FOUND && err != NULL) {
			size_t l = strlen(err->msg);
			snprintf(err->msg + l, sizeof(err->msg) - l, " (%s)", o->context ?
			    "`kubectl config get-contexts` lists them" : "pass --context NAME");
		}
		goto out;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	c->verbose = o->verbose;
	if ((r = apply_cluster(kr.cluster, c, err)) != EKSKIT_OK ||
	    (r = apply_user(kr.user, kr.cluster, o, c, err)) != EKSKIT_OK)
		goto out;
	if (src != NULL && copy_source(src, kr.context) != EKSKIT_OK) {
		r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	*out = c;
	c = NULL;
out:
	if (r != EKSKIT_OK)
		k8s_source_release(src);
	k8s_conn_free(c);
	kc_resolved_release(&kr);
	ek_strv_free(paths);
	return r;
}
