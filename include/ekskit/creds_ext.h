/*
 * The credential sources beyond static keys and assume-role: the external
 * process (credential_process), web identity (IRSA, CI OIDC), container
 * credentials (ECS, EKS Pod Identity), instance metadata (IMDSv2) and IAM
 * Identity Center (SSO).  One file each (lib/creds_<name>.c).
 *
 * Every `*_get` function returns 0 with *out (owned by the caller, free with
 * aws_credentials_free), EKSKIT_ERR_NOT_FOUND when the source is not
 * configured (the chain moves on), or another error that stops the chain.
 * Results are kept in the credential cache (include/ekskit/cache.h) unless
 * ctx->no_cache is set.
 */
#ifndef EKSKIT_CREDS_EXT_H
#define EKSKIT_CREDS_EXT_H

#include <stddef.h>
#include <time.h>

#include "ekskit/creds.h"
#include "ekskit/error.h"

/* ---- credential_process (lib/creds_process.c) ---- */

/* Default time limit for the command; EKSKIT_CREDENTIAL_PROCESS_TIMEOUT (seconds) overrides. */
#define CREDS_PROCESS_TIMEOUT_MS 60000
/* Largest output accepted from the command. */
#define CREDS_PROCESS_MAX_OUTPUT (64 * 1024)

/*
 * Parse a credential_process JSON document (Version 1, AccessKeyId,
 * SecretAccessKey, optional SessionToken and Expiration).  `what` names the
 * source in messages.  Expired credentials are an error.
 */
int creds_process_parse(const char *json, size_t len, const char *what,
    time_t now, struct aws_credentials **out, struct ekskit_err *err);

/*
 * Run `command` (directly when it is a plain word list, through /bin/sh -c
 * when it uses shell syntax), capture stdout (stderr passes through), and
 * parse it.  timeout_ms 0 = CREDS_PROCESS_TIMEOUT_MS (or the env override).
 * The command's process group is killed when the time limit is reached.
 */
int creds_process_run(const char *command, const char *profile, long timeout_ms,
    time_t now, struct aws_credentials **out, struct ekskit_err *err);

/* credential_process of `profile` (NOT_FOUND if it has none), cached. */
int creds_process_get(const struct creds_ctx *ctx, const char *profile,
    struct aws_credentials **out, struct ekskit_err *err);

/*
 * Split a command line into argv the way a POSIX shell would for plain words
 * and quotes.  Returns 1 (and *argv, NULL-terminated, free with
 * creds_process_argv_free) when no shell is needed, 0 when the command uses
 * shell syntax (pipes, variables, globs, redirections ...), negative on error.
 */
int creds_process_split(const char *command, char ***argv);
void creds_process_argv_free(char **argv);

/* ---- web identity (lib/creds_web_identity.c) ---- */

struct web_identity_params {
	const char *token_file;     /* path of the OIDC token */
	const char *role_arn;
	const char *session_name;   /* NULL = a generated "ekskit-<time>" name */
	int duration_seconds;       /* 0 = service default */
	const char *source;         /* "env" or "profile:x", for messages */
};

/* AssumeRoleWithWebIdentity for p (unsigned STS call), cached. */
int creds_web_identity_fetch(const struct creds_ctx *ctx,
    const struct web_identity_params *p, struct aws_credentials **out,
    struct ekskit_err *err);
/* From AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN (+ AWS_ROLE_SESSION_NAME). */
int creds_web_identity_env_get(const struct creds_ctx *ctx,
    struct aws_credentials **out, struct ekskit_err *err);
/* From profile web_identity_token_file + role_arn (+ role_session_name). */
int creds_web_identity_profile_get(const struct creds_ctx *ctx,
    const char *profile, struct aws_credentials **out, struct ekskit_err *err);

/* ---- container credentials (lib/creds_container.c) ---- */

/*
 * 1 if the URL may be used for AWS_CONTAINER_CREDENTIALS_FULL_URI: https to
 * any host, http only to loopback, 169.254.170.2, 169.254.170.23 or
 * [fd00:ec2::23] (the AWS SDKs' allow-list).
 */
int creds_container_url_allowed(const char *url);
/* From AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / _FULL_URI (NOT_FOUND if unset), cached. */
int creds_container_get(const struct creds_ctx *ctx, struct aws_credentials **out,
    struct ekskit_err *err);

/* ---- instance metadata (lib/creds_imds.c) ---- */

/* 1 when AWS_EC2_METADATA_DISABLED is true. */
int imds_disabled(void);
/* Instance role credentials via IMDSv2 (NOT_FOUND when disabled/unreachable/no role), cached. */
int creds_imds_get(const struct creds_ctx *ctx, struct aws_credentials **out,
    struct ekskit_err *err);
/* The instance's region (placement/region); *out malloc'd.  NOT_FOUND when no IMDS. */
int imds_region(const struct creds_ctx *ctx, char **out, struct ekskit_err *err);

/* ---- IAM Identity Center (lib/creds_sso.c) ---- */

/* The AWS CLI's token cache file name: SHA-1 hex of key + ".json", into name[46]. */
void creds_sso_cache_name(const char *session_or_start_url, char name[46]);
/* SSO profile (sso_session or legacy sso_start_url) → role credentials (NOT_FOUND if not SSO), cached. */
int creds_sso_get(const struct creds_ctx *ctx, const char *profile,
    struct aws_credentials **out, struct ekskit_err *err);

/* ---- providers for the chain (vtables over the functions above) ---- */

struct creds_provider *creds_provider_web_identity_env_new(void);
struct creds_provider *creds_provider_container_new(void);
struct creds_provider *creds_provider_imds_new(void);

#endif /* EKSKIT_CREDS_EXT_H */
