/*
 * The eks-satoken flow (satoken_run in include/ekskit/satoken.h): load the
 * connection, prepare the service account, mint the token, render it.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ekskit/awsconfig.h"
#include "ekskit/buf.h"
#include "ekskit/cache.h"
#include "ekskit/creds.h"
#include "ekskit/execcred.h"
#include "ekskit/satoken.h"

void
satoken_outcome_release(struct satoken_outcome *o)
{
	if (o == NULL)
		return;
	free(o->namespace);
	free(o->revoked);
	memset(o, 0, sizeof(*o));
}

/*
 * The exec-credential cache reuses the credential cache's safe storage
 * (0600 entries, locking, atomic writes, expiry margin): the token travels
 * in the secret field of a credentials record.
 */
#define SATOKEN_CACHE_ID "k8s-service-account-token"

struct fetch_arg {
	const struct k8s_conn *conn;
	const struct satoken_req *req;
	time_t now;
	struct satoken *tok;
	int fetched;
};

static int
fetch_token(void *arg, struct aws_credentials **out, struct ekskit_err *err)
{
	struct fetch_arg *a = arg;
	int rc;

	if ((rc = satoken_request(a->conn, a->req, a->now, a->tok, err)) != EKSKIT_OK)
		return rc;
	a->fetched = 1;
	*out = aws_credentials_new(SATOKEN_CACHE_ID, a->tok->token, NULL,
	    a->tok->expiration, "eks-satoken");
	return *out ? EKSKIT_OK : ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
}

/*
 * Who the caller is on the AWS side, for exec-plugin callers: the exec
 * block alone does not say it, the environment does (AWS_PROFILE, keys,
 * web identity, container credentials, which config files).  Names and
 * the profile go in as they are; the environment credentials only as one
 * SHA-256 fingerprint (cache_key_add_hashed), never in clear.
 */
static int
add_aws_identity(struct cache_key *k)
{
	static const char *const secret_env[] = { "AWS_ACCESS_KEY_ID",
	    "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
	    "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
	    "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN",
	    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "AWS_CONFIG_FILE",
	    "AWS_SHARED_CREDENTIALS_FILE" };
	struct ekbuf fp;
	const char *v;
	size_t i;
	int rc;

	ekbuf_init_secret(&fp, 256 * 1024);
	rc = cache_key_add(k, "aws-profile", awsconfig_selected_profile(NULL));
	rc = rc ?: cache_key_add(k, "aws-role", getenv("AWS_ROLE_ARN"));
	rc = rc ?: cache_key_add(k, "aws-role-session", getenv("AWS_ROLE_SESSION_NAME"));
	for (i = 0; rc == EKSKIT_OK && i < sizeof(secret_env) / sizeof(secret_env[0]); i++) {
		v = getenv(secret_env[i]);
		rc = v ? ekbuf_printf(&fp, "%s=%zu:%s\n", secret_env[i], strlen(v), v) :
		    ekbuf_printf(&fp, "%s unset\n", secret_env[i]);
	}
	rc = rc ?: cache_key_add_hashed(k, "aws-env-credentials", fp.data);
	ekbuf_release(&fp);
	return rc;
}

static int
cache_key_for(const struct satoken_opts *o, const struct k8s_conn *c,
    const struct satoken_req *r, struct cache_key *k)
{
	char num[32];
	size_t i;
	int rc;

	snprintf(num, sizeof(num), "%lld", r->duration_seconds);
	if ((rc = cache_key_init(k, "k8s-sa-token")) != EKSKIT_OK)
		return rc;
	rc = cache_key_add(k, "server", c->server);
	rc = rc ?: cache_key_add(k, "context", o->load.context);
	rc = rc ?: cache_key_add(k, "kubeconfig", o->load.kubeconfig);
	/*
	 * A different caller identity must not share the cached token.  An
	 * exec plugin's token changes on every run (an EKS token is a presigned
	 * URL with the time in it): key on the plugin, or nothing would hit.
	 */
	if (c->exec_id != NULL) {
		rc = rc ?: cache_key_add_hashed(k, "caller-exec", c->exec_id);
		rc = rc ?: add_aws_identity(k);
	} else {
		rc = rc ?: cache_key_add_hashed(k, "caller-token", c->token);
		rc = rc ?: cache_key_add_hashed(k, "caller-cert", c->client_cert_pem);
	}
	rc = rc ?: cache_key_add(k, "namespace", r->namespace);
	rc = rc ?: cache_key_add(k, "service-account", r->service_account);
	rc = rc ?: cache_key_add(k, "duration", num);
	for (i = 0; i < r->naudiences && rc == EKSKIT_OK; i++)
		rc = cache_key_add(k, "audience", r->audiences[i]);
	rc = rc ?: cache_key_add(k, "bound-kind", r->bound_kind);
	rc = rc ?: cache_key_add(k, "bound-name", r->bound_name);
	rc = rc ?: cache_key_add(k, "bound-uid", r->bound_uid);
	return rc;
}

/*
 * exec-credential output runs on every kubectl call: answer from the cache
 * without touching the API server while a cached token has time left.
 * 0 with tok filled on a hit, EKSKIT_ERR_NOT_FOUND on a miss.
 */
static int
cache_hit(const struct satoken_opts *o, const struct k8s_conn *c,
    const struct satoken_req *r, struct satoken *tok)
{
	struct cache_opts co = { .now = o->now, .verbose = o->load.verbose };
	struct aws_credentials *cr = NULL;
	struct cache_key k;
	int rc;

	if (o->no_cache)
		return EKSKIT_ERR_NOT_FOUND;
	if ((rc = cache_key_for(o, c, r, &k)) == EKSKIT_OK)
		rc = cache_lookup(&k, &co, &cr, NULL);
	cache_key_release(&k);
	if (rc != EKSKIT_OK)
		return EKSKIT_ERR_NOT_FOUND;
	tok->token = strdup(cr->secret_access_key);
	tok->expiration = cr->expiration;
	aws_credentials_free(cr);
	return tok->token ? EKSKIT_OK : EKSKIT_ERR_NOMEM;
}

/* TokenRequest, stored in the cache for the next exec-credential call. */
static int
cached_token(const struct satoken_opts *o, const struct k8s_conn *c,
    const struct satoken_req *r, struct satoken *tok, struct ekskit_err *err)
{
	struct cache_opts co = { .now = o->now, .disabled = o->no_cache,
	    .verbose = o->load.verbose };
	struct fetch_arg a = { c, r, o->now, tok, 0 };
	struct aws_credentials *cr = NULL;
	struct cache_key k;
	int rc;

	if ((rc = cache_key_for(o, c, r, &k)) != EKSKIT_OK) {
		cache_key_release(&k);
		return ekskit_err_set(err, rc, "out of memory");
	}
	/* the lock makes concurrent kubectl calls share one TokenRequest */
	rc = cache_get_or_fetch(&k, &co, fetch_token, &a, &cr, err);
	cache_key_release(&k);
	if (rc == EKSKIT_OK && !a.fetched) {
		tok->token = strdup(cr->secret_access_key);
		tok->expiration = cr->expiration;
		if (tok->token == NULL)
			rc = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	}
	aws_credentials_free(cr);
	return rc;
}

/* {"kind":"Secret","namespace":NS,"token":T}: jansson does the escaping. */
static int
legacy_json(const char *ns, const char *token, struct ekbuf *out,
    struct ekskit_err *err)
{
	json_t *o = json_pack("{s:s, s:s, s:s}", "kind", "Secret", "namespace", ns,
	    "token", token);
	char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
	int rc = text != NULL && ekbuf_printf(out, "%s\n", text) == EKSKIT_OK ?
	    EKSKIT_OK : ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");

	k8s_json_wipe_string(json_string_value(json_object_get(o, "token")));
	json_decref(o);
	ek_free_secret(text);
	return rc;
}

static int
render(const struct satoken_opts *o, const struct k8s_conn *c,
    const struct k8s_source *src, const char *ns, const struct satoken *tok,
    struct ekbuf *out, struct ekskit_err *err)
{
	char *line = NULL;
	size_t len = 0;
	int rc;

	switch (o->output) {
	case SATOKEN_OUT_TOKEN:
		return ekbuf_puts(out, tok->token) == EKSKIT_OK ? EKSKIT_OK :
		    ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	case SATOKEN_OUT_JSON:
		if (tok->response_json == NULL)  /* legacy Secret: no TokenRequest */
			return legacy_json(ns, tok->token, out, err);
		rc = ekbuf_printf(out, "%s\n", tok->response_json);
		return rc == EKSKIT_OK ? EKSKIT_OK :
		    ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	case SATOKEN_OUT_EXEC:
		rc = execcred_format(o->exec_api_version, tok->token, tok->expiration,
		    &line, &len, err);
		if (rc == EKSKIT_OK && ekbuf_append(out, line, len) != EKSKIT_OK)
			rc = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
		ek_free_secret(line);
		return rc;
	case SATOKEN_OUT_KUBECONFIG:
		return satoken_kubeconfig(c, src->cluster, ns,
		    o->req.service_account, tok->token, out, err);
	}
	return ekskit_err_set(err, EKSKIT_ERR_INTERNAL, "unknown output");
}

/* Create the service account and bindings asked for. */
static int
prepare(const struct satoken_opts *o, const struct k8s_conn *c, const char *ns,
    struct satoken_outcome *res, struct ekskit_err *err)
{
	const char *sa = o->req.service_account;
	int rc;

	if ((rc = satoken_ensure_sa(c, ns, sa, o->create, &res->sa_created, err)) != EKSKIT_OK)
		return rc;
	if (o->bind_clusterrole != NULL &&
	    (rc = satoken_bind(c, ns, sa, 1, "ClusterRole", o->bind_clusterrole,
	    &res->binding_created, err)) != EKSKIT_OK)
		return rc;
	if (o->bind_role != NULL)
		rc = satoken_bind(c, ns, sa, 0, o->role_kind ? o->role_kind : "Role",
		    o->bind_role, &res->binding_created, err);
	return rc;
}

int
satoken_run(const struct satoken_opts *o, struct ekbuf *out,
    struct satoken_outcome *res, struct ekskit_err *err)
{
	struct k8s_source src = { 0 };
	struct satoken tok = { 0 };
	struct satoken_req req = o->req;
	struct k8s_conn *c = NULL;
	int rc;

	memset(res, 0, sizeof(*res));
	if (o->output == SATOKEN_OUT_EXEC && o->legacy_secret)
		return ekskit_err_set(err, EKSKIT_ERR_USAGE,
		    "--output exec-credential needs an expiring token: drop --legacy-secret");
	if ((rc = k8s_conn_from_kubeconfig(&o->load, &c, &src, err)) != EKSKIT_OK)
		return rc;
	if (o->timeout_ms > 0)
		c->timeout_ms = o->timeout_ms;
	res->insecure = c->insecure_skip_verify;
	if (req.namespace == NULL)
		req.namespace = src.namespace ? src.namespace : "default";
	if ((res->namespace = strdup(req.namespace)) == NULL) {
		rc = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = satoken_validate(&req, err)) != EKSKIT_OK)
		goto out;
	if (o->revoke) {
		if (!o->legacy_secret && req.bound_kind == NULL)
			rc = ekskit_err_set(err, EKSKIT_ERR_USAGE,
			    "--revoke needs --legacy-secret (delete the token Secret) or "
			    "--bound-object-kind/--bound-object-name (delete the bound object)");
		else
			rc = satoken_revoke(c, req.namespace, req.service_account,
			    o->legacy_secret ? NULL : req.bound_kind,
			    o->legacy_secret ? NULL : req.bound_name, &res->revoked, err);
		goto out;
	}
	if (o->output == SATOKEN_OUT_EXEC && cache_hit(o, c, &req, &tok) == EKSKIT_OK) {
		res->cache_hit = 1;
		res->expiration = tok.expiration;
		rc = render(o, c, &src, req.namespace, &tok, out, err);
		goto out;
	}
	if ((rc = prepare(o, c, req.namespace, res, err)) != EKSKIT_OK)
		goto out;
	if (o->legacy_secret)
		rc = satoken_legacy_secret(c, req.namespace, req.service_account,
		    o->timeout_ms > 0 ? o->timeout_ms : 30000, &tok, err);
	else if (o->output == SATOKEN_OUT_EXEC)
		rc = cached_token(o, c, &req, &tok, err);
	else
		rc = satoken_request(c, &req, o->now, &tok, err);
	if (rc != EKSKIT_OK)
		goto out;
	res->requested_seconds = tok.requested_seconds;
	res->granted_seconds = tok.granted_seconds;
	res->expiration = tok.expiration;
	rc = render(o, c, &src, req.namespace, &tok, out, err);
out:
	satoken_release(&tok);
	k8s_source_release(&src);
	k8s_conn_free(c);
	return rc;
}
