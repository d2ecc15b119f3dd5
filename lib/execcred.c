/* The exec credential protocol, plugin side: see include/ekskit/execcred.h. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json_load.h"
#include "ekskit/buf.h"
#include "ekskit/eks.h"
#include "ekskit/endpoints.h"
#include "ekskit/error.h"
#include "ekskit/execcred.h"
#include "ekskit/timeutil.h"

#define SUPPORTED "client.authentication.k8s.io/v1 or /v1beta1"

/* The static name for a supported version string, or NULL. */
static const char *
known_version(const char *v, int *deprecated)
{
	*deprecated = 0;
	if (strcmp(v, EXECCRED_API_V1) == 0)
		return EXECCRED_API_V1;
	if (strcmp(v, EXECCRED_API_V1BETA1) == 0)
		return EXECCRED_API_V1BETA1;
	if (strcmp(v, EXECCRED_API_V1ALPHA1) == 0) {
		*deprecated = 1;
		return EXECCRED_API_V1ALPHA1;
	}
	return NULL;
}

int
execcred_api_version(const char *exec_info, const char **api_version,
    int *deprecated, struct ekskit_err *err)
{
	json_t *root = NULL, *kind, *ver;
	const char *found;
	size_t len;
	int dep = 0, ret = EKSKIT_ERR_INVALID;

	*api_version = NULL;
	if (deprecated)
		*deprecated = 0;
	if (exec_info == NULL || exec_info[0] == '\0') {
		*api_version = EXECCRED_API_DEFAULT;
		return EKSKIT_OK;
	}
	len = strnlen(exec_info, EXECCRED_INFO_MAX + 1);
	if (len > EXECCRED_INFO_MAX)
		return ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "KUBERNETES_EXEC_INFO is larger than %d bytes", EXECCRED_INFO_MAX);
	root = json_load_private(exec_info, len, JSON_REJECT_DUPLICATES,
	    "KUBERNETES_EXEC_INFO", err);
	if (root == NULL)
		goto out;
	if (!json_is_object(root)) {
		ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "KUBERNETES_EXEC_INFO is not a JSON object");
		goto out;
	}
	kind = json_object_get(root, "kind");
	if (kind != NULL && (!json_is_string(kind) ||
	    strcmp(json_string_value(kind), "ExecCredential") != 0)) {
		ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "KUBERNETES_EXEC_INFO has kind %.64s%s%s, expected ExecCredential",
		    json_is_string(kind) ? "\"" : "",
		    json_is_string(kind) ? json_string_value(kind) : "(not a string)",
		    json_is_string(kind) ? "\"" : "");
		goto out;
	}
	ver = json_object_get(root, "apiVersion");
	if (!json_is_string(ver)) {
		ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "KUBERNETES_EXEC_INFO has no apiVersion string; expected " SUPPORTED);
		goto out;
	}
	found = known_version(json_string_value(ver), &dep);
	if (found == NULL) {
		ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "unsupported exec credential apiVersion \"%.100s\" in "
		    "KUBERNETES_EXEC_INFO; this plugin speaks " SUPPORTED
		    " (set apiVersion in the kubeconfig's exec section)",
		    json_string_value(ver));
		goto out;
	}
	*api_version = found;
	if (deprecated)
		*deprecated = dep;
	ret = EKSKIT_OK;
out:
	json_decref(root);
	return ret;
}

/* 1 when s is printable ASCII without '"' or '\': safe inside a JSON string as is. */
static int
json_plain(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e ||
		    *s == '"' || *s == '\\')
			return 0;
	return 1;
}

int
execcred_interactive(const char *exec_info)
{
	json_t *root, *v;
	size_t len;
	int r;

	if (exec_info == NULL || exec_info[0] == '\0')
		return -1;
	len = strnlen(exec_info, EXECCRED_INFO_MAX + 1);
	if (len > EXECCRED_INFO_MAX)
		return 0;
	root = json_loadb(exec_info, len, JSON_REJECT_DUPLICATES, NULL);
	v = json_object_get(json_object_get(root, "spec"), "interactive");
	r = json_is_true(v) ? 1 : 0;
	json_decref(root);
	return r;
}

int
execcred_format(const char *api_version, const char *token,
    time_t expiration, char **out, size_t *out_len, struct ekskit_err *err)
{
	return execcred_format_spec(api_version, token, expiration, 0, out,
	    out_len, err);
}

int
execcred_format_spec(const char *api_version, const char *token,
    time_t expiration, int interactive, char **out, size_t *out_len,
    struct ekskit_err *err)
{
	struct ekbuf b;
	char ts[21];
	int ret;

	*out = NULL;
	if (out_len)
		*out_len = 0;
	if (api_version == NULL || token == NULL || token[0] == '\0')
		return ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "exec credential needs an apiVersion and a token");
	/*
	 * Tokens are base64url text and versions come from a fixed list; refuse
	 * anything that would need escaping rather than emit odd JSON.  The
	 * line is written by hand into a secret buffer so that no unwiped copy
	 * of the token is left behind in a JSON library's heap.
	 */
	if (!json_plain(api_version) || !json_plain(token))
		return ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "exec credential fields contain characters that are not allowed");
	if (expiration < 0 || timeutil_format_rfc3339(expiration, ts) != EKSKIT_OK)
		return ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "expiry time %lld is out of range", (long long)expiration);
	ekbuf_init_secret(&b, 64 * 1024);
	ret = ekbuf_printf(&b,
	    "{\"kind\":\"ExecCredential\",\"apiVersion\":\"%s\","
	    "\"spec\":{\"interactive\":%s},"
	    "\"status\":{\"expirationTimestamp\":\"%s\",\"token\":\"%s\"}}\n",
	    api_version, interactive ? "true" : "false", ts, token);
	if (ret != EKSKIT_OK) {
		ekbuf_release(&b);
		return ekskit_err_set(err, ret, "exec credential too large");
	}
	*out = ekbuf_detach(&b, out_len);
	if (*out == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	return EKSKIT_OK;
}

/* ---------- spec.cluster.config (shared users) ---------- */

void
execcred_cluster_config_release(struct execcred_cluster_config *c)
{
	if (c == NULL)
		return;
	free(c->cluster_name);
	free(c->cluster_id);
	free(c->region);
	free(c->role_arn);
	free(c->profile);
	memset(c, 0, sizeof(*c));
}

/* Is v acceptable for key k?  (role ARN: the IAM shape, as the flags check it) */
static int
config_value_ok(const char *k, const char *v)
{
	if (*v == '\0' || ek_has_control(v))
		return 0;
	if (strcmp(k, "cluster-name") == 0 || strcmp(k, "cluster-id") == 0)
		return eks_cluster_name_valid(v);
	if (strcmp(k, "region") == 0)
		return aws_region_valid(v);
	if (strcmp(k, "role-arn") == 0)
		return ek_startswith(v, "arn:") && strstr(v, ":iam::") && strstr(v, ":role/");
	return 1;
}

static char **
config_slot(struct execcred_cluster_config *c, const char *k)
{
	return strcmp(k, "cluster-name") == 0 ? &c->cluster_name :
	    strcmp(k, "cluster-id") == 0 ? &c->cluster_id :
	    strcmp(k, "region") == 0 ? &c->region :
	    strcmp(k, "role-arn") == 0 ? &c->role_arn :
	    strcmp(k, "profile") == 0 ? &c->profile : NULL;
}

static int
config_fill(json_t *cfg, struct execcred_cluster_config *c, struct ekskit_err *err)
{
	const char *k;
	json_t *v;
	char **slot;

	json_object_foreach(cfg, k, v) {
		if ((slot = config_slot(c, k)) == NULL || ek_has_control(k))
			return ekskit_err_set(err, EKSKIT_ERR_INVALID, "KUBERNETES_EXEC_INFO: "
			    "unknown key \"%.64s\" in spec.cluster.config (known: "
			    "cluster-name, cluster-id, region, role-arn, profile)",
			    ek_has_control(k) ? "?" : k);
		if (!json_is_string(v) || !config_value_ok(k, json_string_value(v)))
			return ekskit_err_set(err, EKSKIT_ERR_INVALID, "KUBERNETES_EXEC_INFO: "
			    "spec.cluster.config %s is not a valid value; fix the cluster's "
			    "client.authentication.k8s.io/exec extension", k);
		if ((*slot = strdup(json_string_value(v))) == NULL)
			return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	}
	if ((c->cluster_name == NULL) == (c->cluster_id == NULL))
		return ekskit_err_set(err, EKSKIT_ERR_INVALID, "KUBERNETES_EXEC_INFO: "
		    "spec.cluster.config needs exactly one of cluster-name and cluster-id");
	return EKSKIT_OK;
}

int
execcred_cluster_config(const char *exec_info, struct execcred_cluster_config *out,
    struct ekskit_err *err)
{
	json_t *root = NULL, *cfg;
	json_error_t jerr;
	size_t len;
	int r;

	memset(out, 0, sizeof(*out));
	if (exec_info == NULL || *exec_info == '\0')
		return ekskit_err_set(err, EKSKIT_ERR_NOT_FOUND, "no --cluster-name, and "
		    "KUBERNETES_EXEC_INFO is not set (kubectl sets it; a shared user needs "
		    "provideClusterInfo: true, see eks-kubeconfig --shared-user)");
	len = strnlen(exec_info, EXECCRED_INFO_MAX + 1);
	if (len > EXECCRED_INFO_MAX)
		return ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "KUBERNETES_EXEC_INFO is larger than %d bytes", EXECCRED_INFO_MAX);
	if ((root = json_loadb(exec_info, len, JSON_REJECT_DUPLICATES, &jerr)) == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "KUBERNETES_EXEC_INFO is not valid JSON (line %d column %d)",
		    jerr.line, jerr.column);
	cfg = json_object_get(json_object_get(json_object_get(root, "spec"), "cluster"),
	    "config");
	if (!json_is_object(cfg))
		r = ekskit_err_set(err, EKSKIT_ERR_NOT_FOUND, "no --cluster-name, and "
		    "KUBERNETES_EXEC_INFO has no spec.cluster.config: set provideClusterInfo: "
		    "true on the user and a client.authentication.k8s.io/exec extension on "
		    "the cluster (eks-kubeconfig --shared-user writes both)");
	else
		r = config_fill(cfg, out, err);
	json_decref(root);
	if (r != EKSKIT_OK)
		execcred_cluster_config_release(out);
	return r;
}
