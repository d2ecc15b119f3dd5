/*
 * The AWS side of eks-access: shared config, region, credentials and one
 * signed client each for EKS, IAM (the partition's global endpoint) and STS
 * (regional), with AWS_ENDPOINT_URL_EKS / _IAM / _STS honoured.
 */
#ifndef EKSKIT_ACCESS_AWS_H
#define EKSKIT_ACCESS_AWS_H

#include "ekskit/awsreq.h"

struct awsconfig;
struct aws_credentials;

struct access_aws {
	struct awsconfig *cfg;
	char *region;
	char *eks_url, *iam_url, *iam_signing, *sts_url, *sts_signing;
	struct aws_credentials *creds;
	struct aws_client eks, iam, sts;   /* point into the fields above */
};

/*
 * Load the shared config (profile: --profile or AWS_PROFILE), resolve the
 * region (flag > env > profile) and credentials (default chain).  Fills
 * *a (access_aws_release, also after a failure).  verbose logs requests
 * (no secrets) to stderr.
 */
int access_aws_init(struct access_aws *a, const char *profile,
    const char *region, int verbose, struct ekskit_err *err);
void access_aws_release(struct access_aws *a);

#endif /* EKSKIT_ACCESS_AWS_H */
