/*
 * Regions, partitions and service endpoints.
 *
 * Two distinct questions:
 *  - where do the tools SEND requests (aws_endpoint_url): honours
 *    AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, profile `endpoint_url`
 *    and `services` sections, FIPS and dual-stack settings;
 *  - which STS host goes INSIDE an EKS token (aws_sts_token_host): always
 *    the real STS host for the region and partition, never an override.
 */
#ifndef EKSKIT_ENDPOINTS_H
#define EKSKIT_ENDPOINTS_H

#include "ekskit/error.h"

struct awsconfig;

struct aws_partition {
	const char *name;               /* "aws", "aws-cn", "aws-us-gov", "aws-iso", ... */
	const char *dns_suffix;         /* "amazonaws.com", "amazonaws.com.cn", "c2s.ic.gov", ... */
	const char *dualstack_suffix;   /* "api.aws", "api.amazonwebservices.com.cn", or NULL */
	const char *region_prefix;      /* used for matching unknown regions */
	const char *default_region;
};

/* The partition a region belongs to (falls back to "aws"). Never NULL. */
const struct aws_partition *aws_partition_of(const char *region);
/* All known partitions, NULL-terminated. */
const struct aws_partition *const *aws_partitions(void);
/* Public region names known at build time, NULL-terminated (for completion;
 * other valid region names are accepted everywhere). */
const char *const *aws_known_regions(void);
/* 1 if the string looks like a region name (lowercase letters, digits, dashes). */
int aws_region_valid(const char *region);

struct aws_endpoint_opts {
	const struct awsconfig *cfg;  /* may be NULL */
	const char *profile;          /* selected profile, may be NULL */
	int use_fips;                 /* -1 = from env/profile */
	int use_dualstack;            /* -1 = from env/profile */
};

/*
 * Region: flag > AWS_REGION > AWS_DEFAULT_REGION > profile `region`.
 * *out is malloc'd (caller frees); EKSKIT_ERR_CONFIG with an actionable
 * message if none is set (IMDS discovery is layered on by the caller).
 */
int aws_resolve_region(const char *flag_region, const struct aws_endpoint_opts *o,
    char **out, struct ekskit_err *err);

/* Base URL to send requests for a service ("sts", "eks", "ec2"); malloc'd. */
int aws_endpoint_url(const char *service, const char *region,
    const struct aws_endpoint_opts *o, char **out, struct ekskit_err *err);

/*
 * The STS host to put in EKS tokens (regional by default; the global
 * sts.amazonaws.com only for the aws partition with
 * AWS_STS_REGIONAL_ENDPOINTS=legacy or profile sts_regional_endpoints=legacy;
 * FIPS / dual-stack as configured).  malloc'd.
 */
int aws_sts_token_host(const char *region, const struct aws_endpoint_opts *o,
    char **out, struct ekskit_err *err);

/*
 * Like aws_endpoint_url, and also the region to sign requests with:
 * "us-east-1" for the global sts.amazonaws.com (legacy mode), else the
 * region itself (also when an override URL is used).  Both malloc'd
 * (caller frees); signing_region may be NULL if not wanted.
 */
int aws_endpoint_resolve(const char *service, const char *region,
    const struct aws_endpoint_opts *o, char **url, char **signing_region,
    struct ekskit_err *err);

/*
 * The token's STS host (as aws_sts_token_host) and the region to sign the
 * token with ("us-east-1" for the global host).  Both malloc'd.
 */
int aws_sts_token_endpoint(const char *region, const struct aws_endpoint_opts *o,
    char **host, char **signing_region, struct ekskit_err *err);

#endif /* EKSKIT_ENDPOINTS_H */
