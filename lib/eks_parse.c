/*
 * EKS response parsing (jansson) and validation, without any network: see
 * include/ekskit/eks.h.  Kept apart from lib/eks.c so that unit tests and the
 * fuzz harness link only this file.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "json_load.h"
#include "ekskit/buf.h"
#include "ekskit/eks.h"

#define EKS_NAME_MAX 100
#define EKS_LIST_MAX 100000     /* clusters across all pages: a sanity cap */
#define EKS_FIELD_MAX (64u * 1024) /* one string field (the CA data is ~1.5 KiB) */

int
eks_cluster_name_valid(const char *name)
{
	size_t i, n;

	if (name == NULL || (n = strlen(name)) == 0 || n > EKS_NAME_MAX)
		return 0;
	if (!isalnum((unsigned char)name[0]))
		return 0;
	for (i = 1; i < n; i++) {
		unsigned char ch = (unsigned char)name[i];
		if (!isalnum(ch) && ch != '-' && ch != '_')
			return 0;
	}
	return 1;
}

void
eks_cluster_free(struct eks_cluster *cl)
{
	if (cl == NULL)
		return;
	free(cl->name);
	free(cl->arn);
	free(cl->status);
	free(cl->endpoint);
	free(cl->ca_data);
	free(cl->vpc_id);
	free(cl->ip_family);
	free(cl->outpost_cluster_id);
	free(cl->version);
	ek_strv_free(cl->subnet_ids);
	free(cl->authentication_mode);
	free(cl);
}

/*
 * Copy an optional string member.  Absent or null: *out stays NULL.  A
 * member of another type, a control character or an oversize value is an
 * error naming the field.
 */
static int
get_str(json_t *obj, const char *key, const char *path, char **out,
    struct ekskit_err *err)
{
	json_t *v = json_object_get(obj, key);
	const char *s;

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return EKSKIT_OK;
	if (!json_is_string(v))
		return ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "malformed eks response: %s%s is not a string", path, key);
	s = json_string_value(v);
	if (strlen(s) != json_string_length(v) || ek_has_control(s) ||
	    json_string_length(v) > EKS_FIELD_MAX)
		return ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "malformed eks response: %s%s has control characters or is too long",
		    path, key);
	if ((*out = strdup(s)) == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	return EKSKIT_OK;
}

static int
get_bool(json_t *obj, const char *key, int *out, struct ekskit_err *err)
{
	json_t *v = json_object_get(obj, key);

	*out = 0;
	if (v == NULL || json_is_null(v))
		return EKSKIT_OK;
	if (!json_is_boolean(v))
		return ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "malformed eks response: %s is not a boolean", key);
	*out = json_is_true(v);
	return EKSKIT_OK;
}

/* An optional member that must be an object when present; NULL when absent. */
static int
get_obj(json_t *obj, const char *key, json_t **out, struct ekskit_err *err)
{
	json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return EKSKIT_OK;
	if (!json_is_object(v))
		return ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "malformed eks response: %s is not an object", key);
	*out = v;
	return EKSKIT_OK;
}

static int
base64_chars_only(const char *s)
{
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '+' && *s != '/' &&
		    *s != '=')
			return 0;
	return 1;
}

static int
parse_json_object(const char *json, size_t len, json_t **root,
    struct ekskit_err *err)
{
	*root = json_load_private(json, len, JSON_REJECT_DUPLICATES,
	    "malformed eks response: the body", err);
	if (*root == NULL)
		return EKSKIT_ERR_INVALID;
	if (!json_is_object(*root)) {
		json_decref(*root);
		*root = NULL;
		return ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "malformed eks response: not a json object");
	}
	return EKSKIT_OK;
}

#define EKS_SUBNETS_MAX 64

/* resourcesVpcConfig.subnetIds (eks-hosts finds the VPC from them when vpcId is absent). */
static int
get_subnets(json_t *vpc, char ***out, struct ekskit_err *err)
{
	json_t *a = json_object_get(vpc, "subnetIds"), *v;
	size_t i, n;

	*out = NULL;
	if (a == NULL || json_is_null(a))
		return EKSKIT_OK;
	if (!json_is_array(a) || (n = json_array_size(a)) > EKS_SUBNETS_MAX)
		return ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "malformed eks response: cluster.resourcesVpcConfig.subnetIds");
	if ((*out = calloc(n + 1, sizeof(char *))) == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	json_array_foreach(a, i, v) {
		const char *s = json_string_value(v);

		if (s == NULL || ek_has_control(s) || strlen(s) > 64)
			return ekskit_err_set(err, EKSKIT_ERR_INVALID,
			    "malformed eks response: a subnet id is not a short string");
		if (((*out)[i] = strdup(s)) == NULL)
			return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	}
	return EKSKIT_OK;
}

static int
fill_cluster(json_t *c, struct eks_cluster *cl, struct ekskit_err *err)
{
	json_t *ca, *vpc, *net, *outpost, *access;
	int r;

	if ((r = get_str(c, "name", "cluster.", &cl->name, err)) != 0 ||
	    (r = get_str(c, "arn", "cluster.", &cl->arn, err)) != 0 ||
	    (r = get_str(c, "status", "cluster.", &cl->status, err)) != 0 ||
	    (r = get_str(c, "endpoint", "cluster.", &cl->endpoint, err)) != 0 ||
	    (r = get_str(c, "version", "cluster.", &cl->version, err)) != 0 ||
	    (r = get_obj(c, "certificateAuthority", &ca, err)) != 0 ||
	    (r = get_obj(c, "resourcesVpcConfig", &vpc, err)) != 0 ||
	    (r = get_obj(c, "kubernetesNetworkConfig", &net, err)) != 0 ||
	    (r = get_obj(c, "outpostConfig", &outpost, err)) != 0 ||
	    (r = get_obj(c, "accessConfig", &access, err)) != 0)
		return r;
	if (access != NULL &&
	    (r = get_str(access, "authenticationMode", "cluster.accessConfig.",
	    &cl->authentication_mode, err)) != 0)
		return r;
	if (ca != NULL &&
	    (r = get_str(ca, "data", "cluster.certificateAuthority.", &cl->ca_data,
	    err)) != 0)
		return r;
	if (vpc != NULL &&
	    ((r = get_str(vpc, "vpcId", "cluster.resourcesVpcConfig.",
	    &cl->vpc_id, err)) != 0 ||
	    (r = get_bool(vpc, "endpointPrivateAccess",
	    &cl->endpoint_private_access, err)) != 0 ||
	    (r = get_bool(vpc, "endpointPublicAccess",
	    &cl->endpoint_public_access, err)) != 0 ||
	    (r = get_subnets(vpc, &cl->subnet_ids, err)) != 0))
		return r;
	if (net != NULL &&
	    (r = get_str(net, "ipFamily", "cluster.kubernetesNetworkConfig.",
	    &cl->ip_family, err)) != 0)
		return r;
	/* an Outposts local cluster is addressed by its id, as the AWS CLI does */
	if (outpost != NULL) {
		if ((r = get_str(c, "id", "cluster.", &cl->outpost_cluster_id,
		    err)) != 0)
			return r;
		if (cl->outpost_cluster_id == NULL || !*cl->outpost_cluster_id)
			return ekskit_err_set(err, EKSKIT_ERR_INVALID,
			    "malformed eks response: outposts cluster without an id");
	}
	return EKSKIT_OK;
}

static int
validate_cluster(const struct eks_cluster *cl, struct ekskit_err *err)
{
	if (cl->name == NULL || cl->arn == NULL || cl->status == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "malformed eks response: cluster.%s is missing",
		    cl->name == NULL ? "name" : cl->arn == NULL ? "arn" : "status");
	if (!ek_startswith(cl->arn, "arn:"))
		return ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "malformed eks response: cluster.arn %s is not an arn", cl->arn);
	if (cl->endpoint != NULL && *cl->endpoint &&
	    !ek_startswith(cl->endpoint, "https://"))
		return ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "malformed eks response: cluster.endpoint %s is not an https url",
		    cl->endpoint);
	if (cl->ca_data != NULL && !base64_chars_only(cl->ca_data))
		return ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "malformed eks response: cluster.certificateAuthority.data is not base64");
	return EKSKIT_OK;
}

int
eks_cluster_parse(const char *json, size_t len, struct eks_cluster **out,
    struct ekskit_err *err)
{
	struct eks_cluster *cl = NULL;
	json_t *root = NULL, *c;
	int r;

	*out = NULL;
	if ((r = parse_json_object(json, len, &root, err)) != EKSKIT_OK)
		return r;
	if ((c = json_object_get(root, "cluster")) == NULL || !json_is_object(c)) {
		r = ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "malformed eks response: no cluster object");
		goto out;
	}
	if ((cl = calloc(1, sizeof(*cl))) == NULL) {
		r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((r = fill_cluster(c, cl, err)) != EKSKIT_OK ||
	    (r = validate_cluster(cl, err)) != EKSKIT_OK)
		goto out;
	*out = cl;
	cl = NULL;
out:
	eks_cluster_free(cl);
	json_decref(root);
	return r;
}

static int
append_name(char ***names, size_t *count, const char *name,
    struct ekskit_err *err)
{
	char **n;

	if (*count >= EKS_LIST_MAX)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM,
		    "listing clusters: more than %d clusters", EKS_LIST_MAX);
	if ((n = realloc(*names, (*count + 2) * sizeof(*n))) == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	*names = n;
	if ((n[*count] = strdup(name)) == NULL) {
		n[*count] = NULL;
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	}
	n[++*count] = NULL;
	return EKSKIT_OK;
}

int
eks_list_page_parse(const char *json, size_t len, char ***names,
    size_t *count, char **next_token, struct ekskit_err *err)
{
	json_t *root = NULL, *list, *v;
	size_t i;
	int r;

	*next_token = NULL;
	if ((r = parse_json_object(json, len, &root, err)) != EKSKIT_OK)
		return r;
	list = json_object_get(root, "clusters");
	if (list != NULL && !json_is_null(list) && !json_is_array(list)) {
		r = ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "malformed eks response: clusters is not a list");
		goto out;
	}
	json_array_foreach(list, i, v) {
		const char *s = json_string_value(v);
		if (s == NULL || !eks_cluster_name_valid(s)) {
			r = ekskit_err_set(err, EKSKIT_ERR_INVALID,
			    "malformed eks response: clusters[%zu] is not a cluster name", i);
			goto out;
		}
		if ((r = append_name(names, count, s, err)) != EKSKIT_OK)
			goto out;
	}
	if ((r = get_str(root, "nextToken", "", next_token, err)) != EKSKIT_OK)
		goto out;
	if (*next_token != NULL && **next_token == '\0') {
		free(*next_token);
		*next_token = NULL;
	}
out:
	json_decref(root);
	return r;
}

char *
eks_arn_region(const char *arn)
{
	const char *p = arn, *end;
	int i;

	if (arn == NULL || !ek_startswith(arn, "arn:"))
		return NULL;
	/* arn:partition:service:region:... -> skip three colons */
	for (i = 0; i < 3; i++) {
		if ((p = strchr(p, ':')) == NULL)
			return NULL;
		p++;
	}
	if ((end = strchr(p, ':')) == NULL || end == p)
		return NULL;
	return ek_strndup(p, (size_t)(end - p));
}
