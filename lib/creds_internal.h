/*
 * Internal interface between the credential chain (creds.c) and its
 * providers (creds_<name>.c).  Not installed.
 *
 * Adding a provider (issue 3: web identity, container, IMDS ...):
 *  1. write lib/creds_<name>.c with one constructor returning a
 *     struct creds_provider (get + destroy), declared below;
 *  2. add one line to default_chain[] in creds.c at its place in the order.
 * Adding a per-profile source (credential_process, SSO, web identity in a
 * profile): one line in profile_sources[] in creds_profile.c.
 * Adding a credential_source (Ec2InstanceMetadata, EcsContainer): fill in
 * the constructor in credential_sources[] in creds_profile.c.
 */
#ifndef EKSKIT_CREDS_INTERNAL_H
#define EKSKIT_CREDS_INTERNAL_H

#include <stddef.h>
#include <time.h>

#include "ekskit/creds.h"
#include "ekskit/error.h"

/* Provider constructors: NULL on allocation failure.  Free with p->destroy(p). */
struct creds_provider *creds_env_provider_new(void);
struct creds_provider *creds_profile_provider_new(void);

/*
 * The environment keys, regardless of --profile (the env provider and
 * `credential_source = Environment`).  EKSKIT_ERR_NOT_FOUND when unset.
 */
int creds_env_read(const struct creds_ctx *ctx, struct aws_credentials **out,
    struct ekskit_err *err);

/* A provider with no state: destroy just frees the struct. */
struct creds_provider *creds_provider_alloc(const char *name,
    int (*get)(struct creds_provider *, const struct creds_ctx *,
    struct aws_credentials **, struct ekskit_err *));
void creds_provider_free_plain(struct creds_provider *p);

/*
 * Credentials for one profile from its own settings (static keys and, after
 * issue 3, credential_process / SSO / web identity), without assume-role.
 * EKSKIT_ERR_NOT_FOUND when the profile has none of them.
 */
int creds_profile_own(const struct creds_ctx *ctx, const char *profile,
    struct aws_credentials **out, struct ekskit_err *err);

/*
 * Assume-role profile resolution: role_arn + source_profile / credential_source
 * (creds_assume_role.c).  EKSKIT_ERR_NOT_FOUND when the profile has no role_arn.
 */
int creds_profile_assume_role(const struct creds_ctx *ctx, const char *profile,
    struct aws_credentials **out, struct ekskit_err *err);

/*
 * Role credentials for an assume-role profile from the AWS CLI's cache
 * (~/.aws/cli/cache, botocore's key), read only (creds_cli_cache.c).
 * EKSKIT_ERR_NOT_FOUND when there is no usable entry.
 */
int creds_cli_cache_get(const struct creds_ctx *ctx, const char *profile,
    struct aws_credentials **out);

/*
 * `aws login` profiles (login_session), botocore's LoginProvider
 * (creds_login.c): cached credentials, refreshed with a DPoP-bound
 * CreateOAuth2Token and written back.  NOT_FOUND without login_session.
 */
int creds_login_get(const struct creds_ctx *ctx, const char *profile,
    struct aws_credentials **out, struct ekskit_err *err);

/*
 * The DPoP proof botocore sends with CreateOAuth2Token: an ES256 JWT for
 * POST url at iat, the key's public half as the header's jwk.  key is an
 * EVP_PKEY (EC P-256).  *out malloc'd.  Exposed for tests.
 */
struct evp_pkey_st;
int creds_login_dpop_proof(struct evp_pkey_st *key, const char *url,
    time_t iat, char **out);

/*
 * The MFA code for an assume-role profile with mfa_serial (creds_mfa.c).
 * Writes a NUL-terminated code into code[codesz]; the caller wipes it.
 */
int creds_mfa_code(const struct creds_ctx *ctx, const char *profile,
    const char *mfa_serial, char *code, size_t codesz, struct ekskit_err *err);

/* The session name used when a profile sets no role_session_name:
 * "ekskit-session-<unix time>" (botocore uses "botocore-session-<time>"). */
#define CREDS_DEFAULT_SESSION_PREFIX "ekskit-session-"

#endif /* EKSKIT_CREDS_INTERNAL_H */
