/*
 * AWS credentials and the provider chain.
 *
 * A provider is a small vtable (get, destroy), one source file each
 * (lib/creds_<name>.c), composed by a chain that stops at the first provider
 * that returns credentials.  A provider that has nothing to offer returns
 * EKSKIT_ERR_NOT_FOUND and the chain moves on; any other error (a broken
 * profile, an STS error) stops the chain, as the AWS CLI does.
 */
#ifndef EKSKIT_CREDS_H
#define EKSKIT_CREDS_H

#include <stddef.h>
#include <time.h>

#include "ekskit/error.h"

struct awsconfig;

struct aws_credentials {
	char *access_key_id;      /* owned */
	char *secret_access_key;  /* owned, secret: wiped on free */
	char *session_token;      /* owned, secret, may be NULL */
	time_t expiration;        /* 0 = does not expire */
	char *provider;           /* owned, name of the source ("env", "profile:x", ...) */
};

/* Allocate credentials from copies of the strings (session_token may be NULL).
 * Returns NULL on allocation failure.  Free with aws_credentials_free(). */
struct aws_credentials *aws_credentials_new(const char *access_key_id,
    const char *secret_access_key, const char *session_token,
    time_t expiration, const char *provider);
/* Deep copy.  NULL on allocation failure. */
struct aws_credentials *aws_credentials_dup(const struct aws_credentials *c);
/* Wipe every secret and free.  NULL is accepted. */
void aws_credentials_free(struct aws_credentials *c);


/* What every provider may look at.  Borrowed. */
struct creds_ctx {
	const struct awsconfig *cfg;  /* parsed shared files, may be NULL */
	const char *profile;          /* selected profile name */
	const char *region;           /* resolved region (STS calls), may be NULL */
	time_t now;
	int verbose;                  /* providers may log (no secrets) to stderr */
	int no_cache;                 /* bypass the credential cache */
	int profile_from_flag;        /* profile given by --profile: like the AWS
	                                 CLI, environment keys are then skipped */
	int no_prompt;                /* never ask on the terminal (kubectl said
	                                 spec.interactive false): fail at once */
	const char *terminal_hint;    /* with no_prompt: the command to run in a
	                                 terminal to fill the cache, or NULL */
};

struct creds_provider {
	const char *name;
	/* 0 with *out set; EKSKIT_ERR_NOT_FOUND = nothing here, try the next; other = stop */
	int (*get)(struct creds_provider *p, const struct creds_ctx *ctx,
	    struct aws_credentials **out, struct ekskit_err *err);
	void (*destroy)(struct creds_provider *p);
	void *impl;
};

/*
 * Resolve credentials through the default chain (environment, web identity
 * from env, shared files/profile, container, IMDS).  On EKSKIT_ERR_NO_CREDS
 * err->msg lists where it looked and how to fix it.  *out owned by caller.
 */
int creds_resolve_default(const struct creds_ctx *ctx,
    struct aws_credentials **out, struct ekskit_err *err);

/*
 * Run an explicit chain of providers in order (creds_resolve_default uses the
 * default one).  A provider returning EKSKIT_ERR_NOT_FOUND may leave a short
 * "where I looked" phrase in its err->msg; the chain joins these into the
 * EKSKIT_ERR_NO_CREDS message.  Any other error stops the chain.
 */
struct creds_provider;
int creds_resolve_chain(struct creds_provider *const *providers, size_t n,
    const struct creds_ctx *ctx, struct aws_credentials **out,
    struct ekskit_err *err);

/*
 * 1 when resolving `profile` may ask for an MFA code: it or a profile in
 * its source_profile chain is an assume-role profile with mfa_serial.
 * (eks-kubeconfig then writes interactiveMode IfAvailable.)
 */
int creds_profile_needs_mfa(const struct awsconfig *cfg, const char *profile);

#endif /* EKSKIT_CREDS_H */
