/*
 * `eks-access whoami`: "why am I Unauthorized" — who the caller is, the
 * canonical ARN EKS matches, which access entry or aws-auth mapping
 * applies (the way EKS decides: an access entry wins; aws-auth is read
 * only in CONFIG_MAP / API_AND_CONFIG_MAP, mapRoles then mapUsers then
 * mapAccounts, the last duplicate winning), the username and groups it
 * yields, its access policies, and what the API server itself says
 * (SelfSubjectReview) when a token is accepted.
 */
#ifndef EKSKIT_ACCESS_WHOAMI_H
#define EKSKIT_ACCESS_WHOAMI_H

#include <stddef.h>

#include <jansson.h>

#include "ekskit/awsauth.h"
#include "ekskit/buf.h"
#include "ekskit/eks_access.h"
#include "ekskit/k8s.h"

/* What could be read; a NULL side is explained by its note.  Borrowed. */
struct access_whoami_in {
	const char *arn;           /* the caller's ARN (GetCallerIdentity) or --principal */
	const char *user_id;       /* GetCallerIdentity UserId, or NULL */
	const struct awsauth *auth;        /* NULL: aws-auth not read */
	const char *auth_note;
	struct eks_access_entry *const *entries;  /* NULL: entries not read */
	size_t nentries;
	const char *entries_note;
	const char *auth_mode;     /* or NULL when unknown */
	const json_t *review;      /* SelfSubjectReview status.userInfo, or NULL */
	const char *review_note;
};

/*
 * The explanation as a JSON document (*out: json_decref):
 * {"arn","canonicalArn","account","sessionName","authenticationMode",
 *  "accessEntry":{...}|null, "awsAuth":{"source","username","groups"}|null,
 *  "decidedBy":"access-entry"|"aws-auth"|"nothing", "username","groups",
 *  "accessPolicies", "selfSubjectReview":{...}|null, "notes":[...]}
 * EKSKIT_ERR_USAGE when arn is not a principal ARN EKS accepts.
 */
int access_whoami_explain(const struct access_whoami_in *in, json_t **out,
    struct ekskit_err *err);

/* The explanation as text (control characters replaced), appended to out. */
int access_whoami_text(const json_t *doc, struct ekbuf *out);

/* POST a SelfSubjectReview: *userinfo = status.userInfo (json_decref). */
int access_whoami_review(const struct k8s_conn *c, json_t **userinfo,
    struct ekskit_err *err);

#endif /* EKSKIT_ACCESS_WHOAMI_H */
