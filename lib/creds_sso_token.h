/*
 * Internal to lib/: the IAM Identity Center access token the AWS CLI keeps
 * in ~/.aws/sso/cache/<sha1>.json, refreshed the way botocore's
 * SSOTokenProvider does for `sso_session` profiles.
 */
#ifndef EKSKIT_CREDS_SSO_TOKEN_H
#define EKSKIT_CREDS_SSO_TOKEN_H

#include <time.h>

#include "ekskit/error.h"

struct awsconfig;

/* botocore's SSOTokenProvider._REFRESH_WINDOW: refresh with less left than this. */
#define SSO_TOKEN_REFRESH_WINDOW 900
/* How long a run waits for another run refreshing the same token. */
#define SSO_TOKEN_LOCK_TIMEOUT_MS 30000

/* Where the token comes from.  All borrowed. */
struct sso_token_source {
	const char *profile;      /* for messages */
	const char *session;      /* sso_session name; NULL = legacy: read only */
	const char *start_url;
	const char *region;       /* sso_region: the SSO OIDC region */
	const struct awsconfig *cfg;   /* for the SSO OIDC endpoint (may be NULL) */
	const char *cfg_profile;  /* the selected profile, for the same */
	int verbose;
};

/*
 * The cached access token of s (secret: the caller ek_free_secret()s
 * *token).  For an sso_session with less than SSO_TOKEN_REFRESH_WINDOW
 * left, the token is first refreshed with SSO OIDC CreateToken
 * (grant_type refresh_token) when the cache holds refreshToken, clientId,
 * clientSecret and an unexpired registrationExpiresAt; the new token is
 * written back (same file, botocore's fields) atomically under
 * `<file>.lock`, re-read after the lock is taken so that concurrent runs
 * refresh once.  A failed refresh keeps a still valid token.
 * EKSKIT_ERR_EXPIRED with "run `aws sso login ...`" when no valid token
 * can be had.
 */
int sso_token_load(const struct sso_token_source *s, time_t now, char **token,
    struct ekskit_err *err);

/* The "…; run `aws sso login …`" error for s (EKSKIT_ERR_EXPIRED). */
int sso_token_login_hint(struct ekskit_err *err, const struct sso_token_source *s,
    const char *why);

#endif /* EKSKIT_CREDS_SSO_TOKEN_H */
