/*
 * The Kubernetes client-go exec credential protocol, plugin side.
 *
 * kubectl tells the plugin which API version it speaks in the environment
 * variable KUBERNETES_EXEC_INFO (a JSON ExecCredential without status);
 * the plugin answers on stdout with an ExecCredential carrying the token
 * and its expiry.
 */
#ifndef EKSKIT_EXECCRED_H
#define EKSKIT_EXECCRED_H

#include <stddef.h>
#include <time.h>

#include "ekskit/error.h"

#define EXECCRED_API_V1       "client.authentication.k8s.io/v1"
#define EXECCRED_API_V1BETA1  "client.authentication.k8s.io/v1beta1"
#define EXECCRED_API_V1ALPHA1 "client.authentication.k8s.io/v1alpha1"
#define EXECCRED_API_DEFAULT  EXECCRED_API_V1BETA1

/* KUBERNETES_EXEC_INFO is at most this long (bigger is refused). */
#define EXECCRED_INFO_MAX (64 * 1024)

/*
 * The apiVersion to answer with, from the value of KUBERNETES_EXEC_INFO
 * (exec_info; NULL or empty = variable unset -> v1beta1).
 *
 * v1 and v1beta1 are echoed; v1alpha1 is echoed and *deprecated set to 1
 * (the caller warns); anything else, malformed JSON, a missing or
 * non-string apiVersion or a kind other than ExecCredential is
 * EKSKIT_ERR_INVALID with a message naming the value and what is
 * supported.  *api_version points to a static string (never freed).
 * deprecated may be NULL.
 */
int execcred_api_version(const char *exec_info, const char **api_version,
    int *deprecated, struct ekskit_err *err);

/*
 * The ExecCredential, as one line of compact JSON and a newline:
 * {"kind":"ExecCredential","apiVersion":"<v>","spec":{"interactive":false},
 *  "status":{"expirationTimestamp":"<ts>","token":"<token>"}}
 * *out is malloc'd and holds the token: the caller releases it with
 * ek_free_secret().  *out_len (may be NULL) gets its length.
 */
int execcred_format(const char *api_version, const char *token,
    time_t expiration, char **out, size_t *out_len, struct ekskit_err *err);

/* As execcred_format, answering spec.interactive with `interactive` (0/1). */
int execcred_format_spec(const char *api_version, const char *token,
    time_t expiration, int interactive, char **out, size_t *out_len,
    struct ekskit_err *err);

/*
 * Whether kubectl lets the plugin talk to the user: spec.interactive of
 * KUBERNETES_EXEC_INFO (client.authentication.k8s.io v1beta1 and v1; set
 * from the exec block's interactiveMode and whether kubectl's stdin is a
 * terminal).  1 true, 0 false / missing / malformed, -1 when exec_info is
 * NULL or empty (not run by kubectl).
 */
int execcred_interactive(const char *exec_info);

/*
 * What a shared kubeconfig user (provideClusterInfo: true) learns about the
 * cluster: kubectl passes the cluster's "client.authentication.k8s.io/exec"
 * extension as spec.cluster.config of KUBERNETES_EXEC_INFO.  eks-kubeconfig
 * --shared-user writes cluster-name (or cluster-id), region, and optionally
 * role-arn and profile there.  Strings owned: execcred_cluster_config_release.
 */
struct execcred_cluster_config {
	char *cluster_name;
	char *cluster_id;       /* Outposts */
	char *region;
	char *role_arn;
	char *profile;
};

/*
 * Read and validate spec.cluster.config of exec_info (jansson, size-capped):
 * string values only, known keys only, a valid cluster name or id (one of
 * them, required), region name, role ARN shape, profile without control
 * characters.  EKSKIT_ERR_NOT_FOUND when exec_info is unset or carries no
 * spec.cluster.config (the message says how to set up a shared user);
 * EKSKIT_ERR_INVALID naming the bad field otherwise.
 */
int execcred_cluster_config(const char *exec_info,
    struct execcred_cluster_config *out, struct ekskit_err *err);
void execcred_cluster_config_release(struct execcred_cluster_config *c);

#endif /* EKSKIT_EXECCRED_H */
