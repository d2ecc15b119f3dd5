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
};

/* *out owned by caller: eks_cluster_free.  ResourceNotFoundException -> EKSKIT_ERR_NOT_FOUND. */
int eks_describe_cluster(const struct aws_client *c, const char *name,
    struct eks_cluster **out, struct ekskit_err *err);
void eks_cluster_free(struct eks_cluster *cl);

/* All cluster names (pagination followed); NULL-terminated, free with eks_names_free. */
int eks_list_clusters(const struct aws_client *c, char ***names_out,
    struct ekskit_err *err);
void eks_names_free(char **names);

/* DescribeCluster for many names in parallel (libcurl multi).  out[i] set for each. */
int eks_describe_clusters(const struct aws_client *c, char *const *names, size_t n,
    struct eks_cluster **out, struct ekskit_err *err);

#endif /* EKSKIT_EKS_H */
