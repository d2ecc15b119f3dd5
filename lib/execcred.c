/* The exec credential protocol, plugin side: see include/ekskit/execcred.h. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json_load.h"
#include "ekskit/buf.h"
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
execcred_format(const char *api_version, const char *token,
    time_t expiration, char **out, size_t *out_len, struct ekskit_err *err)
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
	    "\"spec\":{\"interactive\":false},"
	    "\"status\":{\"expirationTimestamp\":\"%s\",\"token\":\"%s\"}}\n",
	    api_version, ts, token);
	if (ret != EKSKIT_OK) {
		ekbuf_release(&b);
		return ekskit_err_set(err, ret, "exec credential too large");
	}
	*out = ekbuf_detach(&b, out_len);
	if (*out == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	return EKSKIT_OK;
}
