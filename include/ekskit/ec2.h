/*
 * EC2 client for eks-hosts: the network interfaces (ENIs) that EKS places
 * in the cluster's VPC for the private API endpoint.
 *
 * DescribeNetworkInterfaces over the query protocol (Version 2016-11-15),
 * filtered by exact description ("Amazon EKS <cluster>") and VPC, every
 * page followed (NextToken).  The XML is read by element path
 * (include/ekskit/xml.h): `item`, `status` and `privateIpAddress` occur at
 * several depths and only the right one counts.  Every item is re-checked
 * after parsing (exact description, VPC), so a server that ignores a
 * filter cannot slip a decoy in.
 */
#ifndef EKSKIT_EC2_H
#define EKSKIT_EC2_H

#include <stddef.h>

#include "ekskit/awsreq.h"
#include "ekskit/buf.h"
#include "ekskit/error.h"

#define EC2_API_VERSION "2016-11-15"
#define EC2_MAX_ENIS 1000        /* across all pages: a sanity cap */
#define EC2_MAX_ADDRS_PER_ENI 64
#define EC2_MAX_PAGES 100

struct ec2_eni {
	char *id;                /* "eni-..." */
	char *description;
	char *vpc_id;            /* may be NULL when the response omits it */
	char *status;            /* "in-use", "available", ... may be NULL */
	char **ipv4;             /* NULL-terminated, canonical */
	char **ipv6;             /* NULL-terminated, canonical */
};

struct ec2_eni_list {
	struct ec2_eni *v;       /* owned */
	size_t n;
};

struct ec2_eni_filter {
	const char *description; /* exact, e.g. "Amazon EKS demo" */
	const char *vpc_id;      /* NULL: no VPC filter (moto omits the cluster's vpcId) */
};

/* "Amazon EKS <cluster>" into *out (malloc'd, caller frees). */
int ec2_eks_eni_description(const char *cluster, char **out,
    struct ekskit_err *err);

/*
 * Parse one DescribeNetworkInterfaces response page and append the ENIs
 * that pass the filter to list.  *next_token: malloc'd NextToken, or NULL
 * on the last page.  An address that does not parse (inet_pton) in a
 * matching ENI, a response that is not a DescribeNetworkInterfacesResponse,
 * or too many ENIs/addresses: EKSKIT_ERR_INVALID.
 */
int ec2_parse_enis(const char *xml, size_t len, const struct ec2_eni_filter *f,
    struct ec2_eni_list *list, char **next_token, struct ekskit_err *err);

/*
 * Call DescribeNetworkInterfaces (all pages) with the filter and collect
 * the matching ENIs into out (release with ec2_eni_list_release).  AWS
 * errors come back as EKSKIT_ERR_REMOTE with the AWS code and message.
 */
int ec2_describe_eks_enis(const struct aws_client *c,
    const struct ec2_eni_filter *f, struct ec2_eni_list *out,
    struct ekskit_err *err);

/*
 * The addresses to publish: from `in-use` ENIs when there is at least one
 * (an ENI that is not in use is being created or rotated away), else from
 * all; IPv4 always, IPv6 too when want_ipv6.  Canonical, sorted, unique,
 * NULL-terminated, malloc'd (free with ek_strv_free).  No address at all:
 * EKSKIT_ERR_NOT_FOUND.
 */
int ec2_eni_addresses(const struct ec2_eni_list *l, int want_ipv6,
    char ***out, size_t *n_out, struct ekskit_err *err);

void ec2_eni_list_release(struct ec2_eni_list *l);

/*
 * The VPC of a cluster whose DescribeCluster gave no vpcId (moto omits
 * it): DescribeSubnets for its subnets, which must all be in one VPC.
 * *vpc_out malloc'd (caller frees).  Subnets in several VPCs, or none
 * found: EKSKIT_ERR_INVALID / EKSKIT_ERR_NOT_FOUND.
 */
int ec2_subnets_vpc(const struct aws_client *c, char *const *subnet_ids,
    char **vpc_out, struct ekskit_err *err);
/* The parsing half of the above, for one DescribeSubnets response. */
int ec2_parse_subnets_vpc(const char *xml, size_t len, char **vpc_out,
    struct ekskit_err *err);

#endif /* EKSKIT_EC2_H */
