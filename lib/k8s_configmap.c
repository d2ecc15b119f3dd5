/* ConfigMap get/replace/create: see include/ekskit/k8s_configmap.h. */
#include <stdlib.h>
#include <string.h>

#include "ekskit/k8s_configmap.h"

static int
check_object(json_t *o, const char *name, struct ekskit_err *err)
{
	json_t *data = json_object_get(o, "data");
	char *dump;
	size_t len;

	if (!json_is_object(o) || !json_is_object(json_object_get(o, "metadata")) ||
	    (data != NULL && !json_is_object(data) && !json_is_null(data)))
		return ekskit_err_set(err, EKSKIT_ERR_INVALID, "the API server sent a "
		    "malformed ConfigMap %s", name);
	/* bound what the rest of the program works on */
	if ((dump = json_dumps(o, JSON_COMPACT)) == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	len = strlen(dump);
	free(dump);
	if (len > 2 * K8S_MAX_CONFIGMAP)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "ConfigMap %s is larger "
		    "than the API server allows", name);
	return EKSKIT_OK;
}

int
k8s_configmap_get(const struct k8s_conn *c, const char *ns, const char *name,
    json_t **out, struct ekskit_err *err)
{
	char *path = NULL;
	int r;

	*out = NULL;
	if ((r = k8s_path(&path, err, "/api/v1/namespaces/%s/configmaps/%s", ns,
	    name)) != EKSKIT_OK)
		return r;
	r = k8s_call(c, "GET", path, NULL, out, err);
	free(path);
	if (r == EKSKIT_OK && (r = check_object(*out, name, err)) != EKSKIT_OK) {
		json_decref(*out);
		*out = NULL;
	}
	return r;
}

int
k8s_configmap_replace(const struct k8s_conn *c, const char *ns,
    const char *name, json_t *cm, json_t **out, struct ekskit_err *err)
{
	json_t *res = NULL;
	char *path = NULL;
	int r;

	if (out != NULL)
		*out = NULL;
	if ((r = k8s_path(&path, err, "/api/v1/namespaces/%s/configmaps/%s", ns,
	    name)) != EKSKIT_OK)
		return r;
	r = k8s_call(c, "PUT", path, cm, &res, err);
	free(path);
	if (r == EKSKIT_OK && out != NULL)
		*out = res;
	else
		json_decref(res);
	return r;
}

int
k8s_configmap_create(const struct k8s_conn *c, const char *ns,
    const char *name, json_t *data, json_t **out, struct ekskit_err *err)
{
	json_t *cm, *res = NULL;
	char *path = NULL;
	int r;

	if (out != NULL)
		*out = NULL;
	if ((r = k8s_path(&path, err, "/api/v1/namespaces/%s/configmaps", ns)) != EKSKIT_OK)
		return r;
	cm = json_pack("{s:s, s:s, s:{s:s, s:s}, s:O}", "apiVersion", "v1", "kind",
	    "ConfigMap", "metadata", "name", name, "namespace", ns, "data", data);
	if (cm == NULL) {
		free(path);
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	}
	r = k8s_call(c, "POST", path, cm, &res, err);
	free(path);
	json_decref(cm);
	if (r == EKSKIT_OK && out != NULL)
		*out = res;
	else
		json_decref(res);
	return r;
}

int
k8s_is_conflict(const struct ekskit_err *err)
{
	return err != NULL && err->http_status == 409 &&
	    (strcmp(err->remote_code, "Conflict") == 0 ||
	    strcmp(err->remote_code, "AlreadyExists") == 0);
}
