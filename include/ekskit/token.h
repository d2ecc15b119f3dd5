/*
 * EKS bearer tokens ("k8s-aws-v1." tokens), computed locally.
 *
 * A token is "k8s-aws-v1." followed by the unpadded base64url encoding of a
 * presigned STS GetCallerIdentity URL:
 *
 *   https://<sts host>/?Action=GetCallerIdentity&Version=2011-06-15
 *     &X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=...&X-Amz-Date=...
 *     &X-Amz-Expires=60&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id
 *     [&X-Amz-Security-Token=...]&X-Amz-Signature=...
 *
 * GET, path "/", service "sts", signed headers exactly host;x-k8s-aws-id, the
 * parameters in the order botocore (`aws eks get-token`) emits them.  The
 * cluster's authenticator replays the URL against STS with the same
 * x-k8s-aws-id header, so the host must be the real STS host for the
 * signing region (endpoints.h: aws_sts_token_host), never an override.
 *
 * Tokens and presigned URLs are secrets (bearer credentials that may carry
 * a session token): release them with ek_free_secret().
 */
#ifndef EKSKIT_TOKEN_H
#define EKSKIT_TOKEN_H

#include <time.h>

#include "ekskit/error.h"

struct aws_credentials;

#define EKS_TOKEN_PREFIX		"k8s-aws-v1."
#define EKS_TOKEN_CLUSTER_HEADER	"x-k8s-aws-id"
/* X-Amz-Expires of the presigned URL, as the AWS CLI sets it. */
#define EKS_TOKEN_URL_EXPIRES		60
/* How long a token is announced as valid (the server allows 15 min). */
#define EKS_TOKEN_LIFETIME		(14 * 60)
/* aws-iam-authenticator refuses longer tokens. */
#define EKS_TOKEN_MAX_LEN		4096

/*
 * The presigned GetCallerIdentity URL for cluster_id (the x-k8s-aws-id
 * value: the cluster name, or an Outposts cluster id), signed with creds
 * for region at time now, addressed to sts_host (a bare host name).
 * For the legacy global host sts.amazonaws.com the signature is scoped to
 * us-east-1 whatever `region` says, as botocore does (STS refuses others).
 * 0 with *url_out malloc'd (a secret: ek_free_secret), or
 * EKSKIT_ERR_INVALID (bad cluster id, host or region), EKSKIT_ERR_NO_CREDS,
 * EKSKIT_ERR_NOMEM.
 */
int eks_token_presigned_url(const char *cluster_id, const char *region,
    const char *sts_host, const struct aws_credentials *creds, time_t now,
    char **url_out, struct ekskit_err *err);

/*
 * The token for the same inputs: EKS_TOKEN_PREFIX + base64url (no padding)
 * of eks_token_presigned_url().  Fails with EKSKIT_ERR_INVALID when the
 * token would exceed EKS_TOKEN_MAX_LEN (the server would refuse it).
 * *token_out is malloc'd and a secret: the caller frees it with
 * ek_free_secret().
 */
int eks_token_generate(const char *cluster_id, const char *region,
    const char *sts_host, const struct aws_credentials *creds, time_t now,
    char **token_out, struct ekskit_err *err);

/*
 * The presigned URL inside a token (the inverse of eks_token_generate), for
 * servers and tests.  Checks the prefix, the length cap and the base64url
 * alphabet; refuses padding and NUL bytes.  0 with *url_out malloc'd (a
 * secret: ek_free_secret), or EKSKIT_ERR_INVALID.
 */
int eks_token_decode(const char *token, char **url_out, struct ekskit_err *err);

/*
 * When a token signed at `now` should be announced to expire: now + 14
 * minutes, but never after the signing credentials' own expiry
 * (creds_expiration; 0 = the credentials do not expire).
 */
time_t eks_token_expiry(time_t now, time_t creds_expiration);

#endif /* EKSKIT_TOKEN_H */
