/*
 * Minting an EKS bearer token end to end: what `eks-token` does between
 * parsing its flags and printing the ExecCredential.
 *
 *   1. load the shared config files and select the profile
 *      (--profile > AWS_PROFILE > AWS_DEFAULT_PROFILE > default);
 *   2. resolve the region (--region > AWS_REGION > AWS_DEFAULT_REGION >
 *      profile region > the instance's region from IMDS);
 *   3. resolve credentials through the default provider chain;
 *   4. with a role ARN, call STS AssumeRole with those credentials (sent to
 *      aws_endpoint_url("sts"), which honours AWS_ENDPOINT_URL*), through
 *      the credential cache;
 *   5. compute the STS host that goes inside the token (always the real
 *      regional/FIPS/dual-stack host, never an override) and presign
 *      GetCallerIdentity for the cluster;
 *   6. expiry = signing time + 14 minutes, never later than the signing
 *      credentials' own expiry.
 *
 * No network traffic happens unless a role is assumed (or a credential
 * provider in the chain needs it).  Diagnostics go to opts->log (never a
 * secret); the library itself prints nothing else.
 */
#ifndef EKSKIT_TOKENGEN_H
#define EKSKIT_TOKENGEN_H

#include <time.h>

#include "ekskit/error.h"

struct cli_logger;

/* RoleSessionName when --role-arn is given without --session-name (as the AWS CLI). */
#define TOKENGEN_DEFAULT_SESSION_NAME "EKSGetTokenAuth"

struct tokengen_opts {
	const char *cluster_id;    /* required: x-k8s-aws-id (cluster name or Outposts id) */
	const char *region;        /* --region, or NULL */
	const char *profile;       /* --profile, or NULL */
	const char *role_arn;      /* --role-arn, or NULL */
	const char *session_name;  /* --session-name, or NULL (default above) */
	const char *external_id;   /* --external-id, or NULL */
	time_t now;                /* signing time; 0 = time(NULL) */
	int no_cache;              /* bypass credential caches */
	int forward_session_name;  /* --role-arn: reuse the caller's role session name */
	int no_prompt;             /* kubectl said spec.interactive false: never ask
	                              (MFA); errors name the command to run in a terminal */
	struct cli_logger *log;    /* -v diagnostics; may be NULL */
};

struct tokengen_result {
	char *token;               /* "k8s-aws-v1.…"; owned, secret: released with tokengen_result_release */
	time_t expiration;         /* for expirationTimestamp: eks_token_expiry() */
	time_t signed_at;          /* the signing time used */
};

/*
 * Mint a token.  On success *out is filled (release it with
 * tokengen_result_release).  Errors: EKSKIT_ERR_USAGE (no cluster id),
 * EKSKIT_ERR_CONFIG (no region, malformed config, unknown profile),
 * EKSKIT_ERR_NO_CREDS (err lists where it looked and how to fix it),
 * EKSKIT_ERR_REMOTE (AssumeRole failed: err has the AWS code and message),
 * EKSKIT_ERR_EXPIRED (the credentials have already expired), others.
 */
int tokengen_run(const struct tokengen_opts *opts, struct tokengen_result *out,
    struct ekskit_err *err);

/*
 * The eks-token command line that mints the same token from a terminal
 * (cluster, region, profile, role; shell-quoted, control characters shown
 * as '?'), for "run this in a terminal" messages.  malloc'd, NULL on OOM.
 */
char *tokengen_terminal_command(const struct tokengen_opts *o);

/* Wipe and free what a result owns.  NULL and released results are fine. */
void tokengen_result_release(struct tokengen_result *r);

#endif /* EKSKIT_TOKENGEN_H */
