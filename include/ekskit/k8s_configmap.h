/*
 * ConfigMaps through the Kubernetes API (k8s_call): get, replace with
 * optimistic concurrency (metadata.resourceVersion as read), create.
 * Errors as k8s_call maps them: EKSKIT_ERR_NOT_FOUND for 404, and a 409
 * has err->remote_code "Conflict" (stale resourceVersion) or
 * "AlreadyExists" (create lost a race); the server's message, with control
 * characters replaced, is in err->msg.
 */
#ifndef EKSKIT_K8S_CONFIGMAP_H
#define EKSKIT_K8S_CONFIGMAP_H

#include <jansson.h>

#include "ekskit/error.h"
#include "ekskit/k8s.h"

#define K8S_MAX_CONFIGMAP (1024u * 1024)  /* the API server's object size limit */

/* GET namespaces/NS/configmaps/NAME.  *out: the object (json_decref). */
int k8s_configmap_get(const struct k8s_conn *c, const char *ns, const char *name,
    json_t **out, struct ekskit_err *err);

/*
 * PUT the whole object (cm carries the metadata.resourceVersion it was
 * read with, so a concurrent change gives a 409 Conflict instead of being
 * overwritten).  *out (may be NULL): the stored object.
 */
int k8s_configmap_replace(const struct k8s_conn *c, const char *ns,
    const char *name, json_t *cm, json_t **out, struct ekskit_err *err);

/* POST a new ConfigMap NAME in NS with `data` (borrowed).  *out may be NULL. */
int k8s_configmap_create(const struct k8s_conn *c, const char *ns,
    const char *name, json_t *data, json_t **out, struct ekskit_err *err);

/* 1 when err is a 409 from a lost race (Conflict or AlreadyExists). */
int k8s_is_conflict(const struct ekskit_err *err);

#endif /* EKSKIT_K8S_CONFIGMAP_H */
