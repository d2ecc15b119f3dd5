/* EKS client: DescribeCluster, ListClusters (REST-JSON, jansson). */
#ifndef EKSKIT_EKS_H
#define EKSKIT_EKS_H

#include <stddef.h>

#include "ekskit/awsreq.h"

struct eks_cluster {
	char *name;
	char *arn;
	char *status;                 /* "ACTIVE", "CREATING", "UPDATING", ... */
	char *endpoint;               /* "https://XXXX.gr7.us-west-2.eks.amazonaws.com" */
	char *ca_data;                /* base64 certificate-authority data */
	char *vpc_id;                 /* may be NULL (moto omits it) */
	int endpoint_private_access;
	int endpoint_public_access;
	char *ip_family;              /* "ipv4" / "ipv6", may be NULL */
	char *outpost_cluster_id;     /* `id` of an Outposts local cluster, else NULL */
	char *version;                /* Kubernetes version, may be NULL */
	char **subnet_ids;            /* resourcesVpcConfig.subnetIds, NULL-terminated; may be NULL */
};

/* *out owned by caller: eks_cluster_free.  ResourceNotFoundException -> EKSKIT_ERR_NOT_FOUND. */
int eks_describe_cluster(const struct aws_client *c, const char *name,
    struct eks_cluster **out, struct ekskit_err *err);
void eks_cluster_free(struct eks_cluster *cl);

/* All cluster names (pagination followed); NULL-terminated, free with ek_strv_free (buf.h). */
int eks_list_clusters(const struct aws_client *c, char ***names_out,
    struct ekskit_err *err);

/* DescribeCluster for many names in parallel (libcurl multi).  out[i] set for each. */
int eks_describe_clusters(const struct aws_client *c, char *const *names, size_t n,
    struct eks_cluster **out, struct ekskit_err *err);

/*
 * The same calls for many clients at once (regions, accounts): one libcurl
 * multi loop, at most max_parallel connections (<= 0 = 8).
 *
 * eks_list_clusters_each: ListClusters with clients[i], pages followed in
 * rounds (each round one parallel batch of the next page of every listing
 * still going).  For each i: rcs[i] 0 and names[i] a NULL-terminated array
 * (owned by the caller, ek_strv_free), or rcs[i] < 0, names[i] NULL and
 * errs[i] saying why (err->remote_code keeps the AWS code).
 *
 * eks_describe_clusters_each: DescribeCluster of names[i] with clients[i];
 * out[i] (caller frees, eks_cluster_free) when rcs[i] is 0, else errs[i].
 */
void eks_list_clusters_each(const struct aws_client *const *clients, size_t n,
    char ***names, int *rcs, struct ekskit_err *errs, int max_parallel);
void eks_describe_clusters_each(const struct aws_client *const *clients,
    char *const *names, size_t n, struct eks_cluster **out, int *rcs,
    struct ekskit_err *errs, int max_parallel);

/*
 * Pure parsing and validation (lib/eks_parse.c), no network: used by the
 * calls above and exposed for unit tests and fuzzing.
 */

/* 1 if name is a valid EKS cluster name (1-100 of [A-Za-z0-9_-], first alnum). */
int eks_cluster_name_valid(const char *name);

/*
 * Parse a DescribeCluster response body ({"cluster":{...}}).  Requires name,
 * arn and status; endpoint must be an https URL and certificate data base64
 * when present.  *out owned by caller (eks_cluster_free).  EKSKIT_ERR_INVALID
 * with a message naming the field on a malformed response.
 */
int eks_cluster_parse(const char *json, size_t len, struct eks_cluster **out,
    struct ekskit_err *err);

/*
 * Parse one ListClusters page ({"clusters":[...],"nextToken":...}): the names
 * are appended to the NULL-terminated array *names (which may start NULL;
 * *count tracks its length), *next_token set to a malloc'd token or NULL.
 */
int eks_list_page_parse(const char *json, size_t len, char ***names,
    size_t *count, char **next_token, struct ekskit_err *err);

/* The region field of a cluster ARN (arn:PARTITION:eks:REGION:ACCT:cluster/N); malloc'd or NULL. */
char *eks_arn_region(const char *arn);

#endif /* EKSKIT_EKS_H */
