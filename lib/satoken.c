/* Service-account tokens through the Kubernetes API: see include/ekskit/satoken.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "ekskit/b64.h"
#include "ekskit/kubeconfig.h"
#include "ekskit/satoken.h"
#include "ekskit/timeutil.h"

#define SECRET_POLL_MS 200
#define TOKEN_MAX (64u * 1024)

void
satoken_release(struct satoken *t)
{
	if (t == NULL)
		return;
	ek_free_secret(t->token);
	ek_free_secret(t->response_json);
	memset(t, 0, sizeof(*t));
}

int
satoken_validate(const struct satoken_req *r, struct ekskit_err *err)
{
	size_t i;

	if (!k8s_name_valid(r->namespace))
		return ekskit_err_set(err, EKSKIT_ERR_USAGE,
		    "'%s' is not a valid namespace name", r->namespace);
	if (!k8s_name_valid(r->service_account))
		return ekskit_err_set(err, EKSKIT_ERR_USAGE,
		    "'%s' is not a valid service account name", r->service_account);
	if (r->duration_seconds != 0 && r->duration_seconds < SATOKEN_MIN_SECONDS)
		return ekskit_err_set(err, EKSKIT_ERR_USAGE,
		    "--duration %llds is too short: the API server refuses tokens "
		    "valid for less than 10 minutes", r->duration_seconds);
	/* the upper bound (2^32 s) is the server's to enforce: it answers 422 */
	for (i = 0; i < r->naudiences; i++)
		if (r->audiences[i] == NULL || *r->audiences[i] == '\0')
			return ekskit_err_set(err, EKSKIT_ERR_USAGE, "empty --audience");
	if ((r->bound_kind == NULL) != (r->bound_name == NULL))
		return ekskit_err_set(err, EKSKIT_ERR_USAGE,
		    "--bound-object-kind and --bound-object-name go together");
	if (r->bound_uid != NULL && r->bound_kind == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_USAGE,
		    "--bound-object-uid needs --bound-object-kind and --bound-object-name");
	if (r->bound_kind != NULL && strcmp(r->bound_kind, "Pod") != 0 &&
	    strcmp(r->bound_kind, "Secret") != 0 && strcmp(r->bound_kind, "Node") != 0)
		return ekskit_err_set(err, EKSKIT_ERR_USAGE,
		    "--bound-object-kind must be Pod, Secret or Node (got '%s')",
		    r->bound_kind);
	if (r->bound_name != NULL && !k8s_name_valid(r->bound_name))
		return ekskit_err_set(err, EKSKIT_ERR_USAGE,
		    "'%s' is not a valid object name", r->bound_name);
	return EKSKIT_OK;
}

static json_t *
token_request_body(const struct satoken_req *r)
{
	json_t *spec = json_object(), *aud, *body;
	size_t i;

	if (spec == NULL)
		return NULL;
	if (r->naudiences > 0) {
		aud = json_array();
		for (i = 0; i < r->naudiences; i++)
			json_array_append_new(aud, json_string(r->audiences[i]));
		json_object_set_new(spec, "audiences", aud);
	}
	if (r->duration_seconds > 0)
		json_object_set_new(spec, "expirationSeconds",
		    json_integer(r->duration_seconds));
	if (r->bound_kind != NULL) {
		json_t *ref = json_pack("{s:s, s:s, s:s}", "kind", r->bound_kind,
		    "apiVersion", "v1", "name", r->bound_name);
		if (ref != NULL && r->bound_uid != NULL)
			json_object_set_new(ref, "uid", json_string(r->bound_uid));
		json_object_set_new(spec, "boundObjectRef", ref);
	}
	body = json_pack("{s:s, s:s, s:o}", "apiVersion", "authentication.k8s.io/v1",
	    "kind", "TokenRequest", "spec", spec);
	return body;
}

int
satoken_request(const struct k8s_conn *c, const struct satoken_req *r,
    time_t now, struct satoken *out, struct ekskit_err *err)
{
	json_t *body = NULL, *resp = NULL;
	const char *token, *exp;
	char *path = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = satoken_validate(r, err)) != EKSKIT_OK)
		return rc;
	if ((rc = k8s_path(&path, err,
	    "/api/v1/namespaces/%s/serviceaccounts/%s/token", r->namespace,
	    r->service_account)) != EKSKIT_OK)
		return rc;
	if ((body = token_request_body(r)) == NULL) {
		rc = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = k8s_call(c, "POST", path, body, &resp, err)) != EKSKIT_OK)
		goto out;
	token = json_string_value(json_object_get(json_object_get(resp, "status"), "token"));
	exp = json_string_value(json_object_get(json_object_get(resp, "status"),
	    "expirationTimestamp"));
	if (!k8s_token_valid(token) ||
	    exp == NULL || timeutil_parse_rfc3339(exp, &out->expiration) != EKSKIT_OK) {
		rc = ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "the API server's TokenRequest answer has no valid "
		    "status.token and status.expirationTimestamp");
		goto out;
	}
	out->token = strdup(token);
	out->response_json = json_dumps(resp, JSON_COMPACT);
	if (out->token == NULL || out->response_json == NULL) {
		rc = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	out->requested_seconds = r->duration_seconds;
	out->granted_seconds = (long long)(out->expiration - now);
out:
	if (resp != NULL)
		k8s_json_wipe_string(json_string_value(json_object_get(
		    json_object_get(resp, "status"), "token")));
	if (rc != EKSKIT_OK)
		satoken_release(out);
	json_decref(resp);
	json_decref(body);
	free(path);
	return rc;
}

int
satoken_ensure_sa(const struct k8s_conn *c, const char *ns, const char *sa,
    int create, int *created, struct ekskit_err *err)
{
	json_t *resp = NULL, *body;
	char *path = NULL;
	int rc;

	if (created != NULL)
		*created = 0;
	if ((rc = k8s_path(&path, err, "/api/v1/namespaces/%s/serviceaccounts/%s",
	    ns, sa)) != EKSKIT_OK)
		return rc;
	rc = k8s_call(c, "GET", path, NULL, &resp, err);
	free(path);
	json_decref(resp);
	if (rc != EKSKIT_ERR_NOT_FOUND)
		return rc;
	if (!create)
		return ekskit_err_set(err, EKSKIT_ERR_NOT_FOUND,
		    "service account %s/%s does not exist: pass --create to create it",
		    ns, sa);
	if ((rc = k8s_path(&path, err, "/api/v1/namespaces/%s/serviceaccounts",
	    ns)) != EKSKIT_OK)
		return rc;
	body = json_pack("{s:s, s:s, s:{s:s, s:s}}", "apiVersion", "v1", "kind",
	    "ServiceAccount", "metadata", "name", sa, "namespace", ns);
	resp = NULL;
	rc = body ? k8s_call(c, "POST", path, body, &resp, err) :
	    ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	/* someone else created it meanwhile: just as good */
	if (rc == EKSKIT_ERR_REMOTE && err && strcmp(err->remote_code, "AlreadyExists") == 0)
		rc = EKSKIT_OK;
	else if (rc == EKSKIT_OK && created != NULL)
		*created = 1;
	json_decref(body);
	json_decref(resp);
	free(path);
	return rc;
}

/* Does an existing binding already grant role_kind/role to ns/sa? */
static int
binding_matches(json_t *b, const char *ns, const char *sa, const char *role_kind,
    const char *role)
{
	json_t *ref = json_object_get(b, "roleRef"), *s;
	size_t i;

	if (!json_is_object(ref) ||
	    strcmp(json_string_value(json_object_get(ref, "kind")) ?: "", role_kind) != 0 ||
	    strcmp(json_string_value(json_object_get(ref, "name")) ?: "", role) != 0)
		return 0;
	json_array_foreach(json_object_get(b, "subjects"), i, s) {
		if (strcmp(json_string_value(json_object_get(s, "kind")) ?: "", "ServiceAccount") == 0 &&
		    strcmp(json_string_value(json_object_get(s, "name")) ?: "", sa) == 0 &&
		    strcmp(json_string_value(json_object_get(s, "namespace")) ?: ns, ns) == 0)
			return 1;
	}
	return 0;
}

int
satoken_bind(const struct k8s_conn *c, const char *ns, const char *sa,
    int cluster_wide, const char *role_kind, const char *role, int *created,
    struct ekskit_err *err)
{
	char *coll = NULL, *one = NULL, name[2 * 253 + 2];
	json_t *body = NULL, *resp = NULL;
	const char *kind = cluster_wide ? "ClusterRoleBinding" : "RoleBinding";
	int rc;

	if (created != NULL)
		*created = 0;
	if (cluster_wide)
		role_kind = "ClusterRole";
	if (strcmp(role_kind, "Role") != 0 && strcmp(role_kind, "ClusterRole") != 0)
		return ekskit_err_set(err, EKSKIT_ERR_USAGE,
		    "role kind must be Role or ClusterRole (got '%s')", role_kind);
	if (!k8s_rbac_name_valid(role))
		return ekskit_err_set(err, EKSKIT_ERR_USAGE,
		    "'%s' is not a valid %s name", role, role_kind);
	/* a truncated name could be another binding: refuse instead */
	if ((size_t)snprintf(name, sizeof(name), "%s-%s", sa, role) >= sizeof(name) ||
	    !k8s_rbac_name_valid(name))
		return ekskit_err_set(err, EKSKIT_ERR_USAGE,
		    "the binding name %s-%s would be longer than 253 characters: "
		    "use a shorter service account or role name", sa, role);
	if (cluster_wide) {
		rc = k8s_path(&coll, err, "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings");
		if (rc == EKSKIT_OK)
			rc = k8s_path(&one, err,
			    "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/%S", name);
	} else {
		rc = k8s_path(&coll, err,
		    "/apis/rbac.authorization.k8s.io/v1/namespaces/%s/rolebindings", ns);
		if (rc == EKSKIT_OK)
			rc = k8s_path(&one, err,
			    "/apis/rbac.authorization.k8s.io/v1/namespaces/%s/rolebindings/%S",
			    ns, name);
	}
	if (rc != EKSKIT_OK)
		goto out;
	body = json_pack("{s:s, s:s, s:{s:s}, s:{s:s, s:s, s:s}, s:[{s:s, s:s, s:s}]}",
	    "apiVersion", "rbac.authorization.k8s.io/v1", "kind", kind,
	    "metadata", "name", name,
	    "roleRef", "apiGroup", "rbac.authorization.k8s.io", "kind", role_kind,
	    "name", role,
	    "subjects", "kind", "ServiceAccount", "name", sa, "namespace", ns);
	if (body == NULL) {
		rc = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	rc = k8s_call(c, "POST", coll, body, &resp, err);
	if (rc == EKSKIT_OK) {
		if (created != NULL)
			*created = 1;
		goto out;
	}
	if (!(rc == EKSKIT_ERR_REMOTE && err && strcmp(err->remote_code, "AlreadyExists") == 0))
		goto out;
	/* it exists: fine if it is ours, an error if it grants something else */
	json_decref(resp);
	resp = NULL;
	if ((rc = k8s_call(c, "GET", one, NULL, &resp, err)) != EKSKIT_OK)
		goto out;
	if (!binding_matches(resp, ns, sa, role_kind, role))
		rc = ekskit_err_set(err, EKSKIT_ERR_CONFIG,
		    "%s %s already exists and does not bind %s %s to service "
		    "account %s/%s: remove it or pick another role", kind, name,
		    role_kind, role, ns, sa);
out:
	json_decref(body);
	json_decref(resp);
	free(coll);
	free(one);
	return rc;
}

/* data.token of a token Secret (base64), decoded into out->token. */
static int
secret_token(json_t *secret, struct satoken *out, struct ekskit_err *err)
{
	const char *b64 = json_string_value(json_object_get(
	    json_object_get(secret, "data"), "token"));
	struct ekbuf tok;
	int rc;

	if (b64 == NULL || *b64 == '\0')
		return EKSKIT_ERR_NOT_FOUND;
	ekbuf_init_secret(&tok, TOKEN_MAX);
	rc = ek_b64_decode(b64, EK_B64_STD, "the Secret's data.token", &tok, err);
	k8s_json_wipe_string(b64);
	if (rc != EKSKIT_OK) {
		ekbuf_release(&tok);
		return rc;
	}
	if ((out->token = ekbuf_detach(&tok, NULL)) == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	if (!k8s_token_valid(out->token)) {
		ek_free_secret(out->token);
		out->token = NULL;
		return ekskit_err_set(err, EKSKIT_ERR_INVALID, "the Secret's data.token "
		    "is not a usable bearer token (spaces or control characters)");
	}
	return EKSKIT_OK;
}

static int
secret_owner_ok(json_t *secret, const char *sa)
{
	const char *owner = json_string_value(json_object_get(json_object_get(
	    json_object_get(secret, "metadata"), "annotations"),
	    "kubernetes.io/service-account.name"));
	const char *type = json_string_value(json_object_get(secret, "type"));

	return owner && type && strcmp(owner, sa) == 0 &&
	    strcmp(type, "kubernetes.io/service-account-token") == 0;
}

int
satoken_legacy_secret(const struct k8s_conn *c, const char *ns, const char *sa,
    long timeout_ms, struct satoken *out, struct ekskit_err *err)
{
	char *coll = NULL, *one = NULL, name[300];
	json_t *body = NULL, *resp = NULL;
	long waited = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	snprintf(name, sizeof(name), "%s-token", sa);
	if ((rc = k8s_path(&coll, err, "/api/v1/namespaces/%s/secrets", ns)) != EKSKIT_OK ||
	    (rc = k8s_path(&one, err, "/api/v1/namespaces/%s/secrets/%s", ns, name)) != EKSKIT_OK)
		goto out;
	body = json_pack("{s:s, s:s, s:s, s:{s:s, s:{s:s}}}", "apiVersion", "v1",
	    "kind", "Secret", "type", "kubernetes.io/service-account-token",
	    "metadata", "name", name, "annotations",
	    "kubernetes.io/service-account.name", sa);
	if (body == NULL) {
		rc = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	rc = k8s_call(c, "POST", coll, body, &resp, err);
	if (rc == EKSKIT_ERR_REMOTE && err && strcmp(err->remote_code, "AlreadyExists") == 0)
		rc = EKSKIT_OK;  /* checked below: it must be this SA's token Secret */
	if (rc != EKSKIT_OK)
		goto out;
	for (;;) {
		json_decref(resp);
		resp = NULL;
		if ((rc = k8s_call(c, "GET", one, NULL, &resp, err)) != EKSKIT_OK)
			goto out;
		if (!secret_owner_ok(resp, sa)) {
			rc = ekskit_err_set(err, EKSKIT_ERR_CONFIG,
			    "secret %s/%s exists but is not a service-account-token "
			    "Secret of %s: remove it or use TokenRequest (without "
			    "--legacy-secret)", ns, name, sa);
			goto out;
		}
		rc = secret_token(resp, out, err);
		if (rc != EKSKIT_ERR_NOT_FOUND)
			goto out;
		if (waited >= timeout_ms) {
			rc = ekskit_err_set(err, EKSKIT_ERR_TIMEOUT,
			    "the token controller did not fill secret %s/%s within "
			    "%ld s (is kube-controller-manager running?)", ns, name,
			    timeout_ms / 1000);
			goto out;
		}
		timeutil_sleep_ms(SECRET_POLL_MS);
		waited += SECRET_POLL_MS;
	}
out:
	json_decref(body);
	json_decref(resp);
	free(coll);
	free(one);
	return rc;
}

int
satoken_revoke(const struct k8s_conn *c, const char *ns, const char *sa,
    const char *bound_kind, const char *bound_name, char **what_deleted,
    struct ekskit_err *err)
{
	char *path = NULL, name[300];
	json_t *resp = NULL;
	const char *kind = "Secret";
	int rc;

	*what_deleted = NULL;
	if (bound_kind == NULL) {
		snprintf(name, sizeof(name), "%s-token", sa);
		rc = k8s_path(&path, err, "/api/v1/namespaces/%s/secrets/%s", ns, name);
	} else if (strcmp(bound_kind, "Secret") == 0 || strcmp(bound_kind, "Pod") == 0) {
		kind = bound_kind;
		snprintf(name, sizeof(name), "%s", bound_name);
		rc = k8s_path(&path, err, strcmp(kind, "Pod") == 0 ?
		    "/api/v1/namespaces/%s/pods/%s" : "/api/v1/namespaces/%s/secrets/%s",
		    ns, name);
	} else {
		return ekskit_err_set(err, EKSKIT_ERR_USAGE,
		    "--revoke deletes the bound Secret or Pod; a token bound to a "
		    "Node ends when the Node object is deleted (kubectl delete node)");
	}
	if (rc != EKSKIT_OK)
		return rc;
	rc = k8s_call(c, "DELETE", path, NULL, &resp, err);
	json_decref(resp);
	free(path);
	if (rc == EKSKIT_OK &&
	    asprintf(what_deleted, "%s %s/%s", kind, ns, name) == -1) {
		*what_deleted = NULL;
		rc = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	}
	return rc;
}

int
satoken_kubeconfig(const struct k8s_conn *c, const char *cluster_name,
    const char *ns, const char *sa, const char *token, struct ekbuf *out,
    struct ekskit_err *err)
{
	struct kc_cluster cl = { 0 };
	struct kc_user u = { 0 };
	struct kc_context ctx = { 0 };
	struct kubeconfig *kc;
	struct ekbuf ca, name;
	int rc;

	ekbuf_init(&ca, 0);
	ekbuf_init(&name, 1024);
	if (ekbuf_printf(&name, "%s@%s", sa, cluster_name) != EKSKIT_OK)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "names too long");
	if (c->ca_pem != NULL &&
	    ek_b64_encode(c->ca_pem, c->ca_pem_len, EK_B64_STD, &ca) != EKSKIT_OK) {
		ekbuf_release(&name);
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	}
	cl.name = u.name = ctx.name = ctx.cluster = ctx.user = name.data;
	cl.server = c->server;
	cl.ca_data = ca.data;
	cl.tls_server_name = c->tls_server_name;
	cl.proxy_url = c->proxy_url;
	cl.insecure_skip_tls_verify = c->insecure_skip_verify;
	ctx.namespace = (char *)(uintptr_t)ns;
	u.token = (char *)(uintptr_t)token;
	if ((kc = kubeconfig_new()) == NULL) {
		rc = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	} else if ((rc = kubeconfig_set_cluster(kc, &cl, NULL, err)) == EKSKIT_OK &&
	    (rc = kubeconfig_set_user(kc, &u, NULL, err)) == EKSKIT_OK &&
	    (rc = kubeconfig_set_context(kc, &ctx, NULL, err)) == EKSKIT_OK &&
	    (rc = kubeconfig_set_current_context(kc, name.data, NULL, err)) == EKSKIT_OK) {
		rc = kubeconfig_emit(kc, out, err);
	}
	kubeconfig_free(kc);
	ekbuf_release(&ca);
	ekbuf_release(&name);
	return rc;
}
