/* STS client: AssumeRole, AssumeRoleWithWebIdentity, GetCallerIdentity (query protocol, expat). */
#ifndef EKSKIT_STS_H
#define EKSKIT_STS_H

#include <time.h>

#include "ekskit/awsreq.h"
#include "ekskit/creds.h"

struct sts_assume_role_params {
	const char *role_arn;
	const char *session_name;     /* required */
	const char *external_id;      /* may be NULL */
	int duration_seconds;         /* 0 = service default (3600) */
	const char *mfa_serial;       /* may be NULL */
	const char *mfa_code;         /* may be NULL (secret-ish: not logged) */
	const char *web_identity_token; /* AssumeRoleWithWebIdentity only (secret) */
};

/* AssumeRole signed with c->creds.  *out owned by caller (aws_credentials_free). */
int sts_assume_role(const struct aws_client *c,
    const struct sts_assume_role_params *p, struct aws_credentials **out,
    struct ekskit_err *err);

/* AssumeRoleWithWebIdentity (unsigned; c->creds ignored). */
int sts_assume_role_with_web_identity(const struct aws_client *c,
    const struct sts_assume_role_params *p, struct aws_credentials **out,
    struct ekskit_err *err);

struct sts_identity {
	char *arn;      /* owned */
	char *account;  /* owned */
	char *user_id;  /* owned */
};

int sts_get_caller_identity(const struct aws_client *c, struct sts_identity *out,
    struct ekskit_err *err);
void sts_identity_release(struct sts_identity *id);

#endif /* EKSKIT_STS_H */
