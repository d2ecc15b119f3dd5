/*
 * Amazon Resource Names of IAM principals, the way EKS compares them.
 *
 * aws-iam-authenticator (pkg/arn Canonicalize) turns the caller's ARN into a
 * "canonical" ARN before it looks anything up:
 *   arn:P:iam::A:role/NAME, arn:P:iam::A:user/NAME, arn:P:iam::A:root and
 *   arn:P:sts::A:federated-user/NAME are kept as they are;
 *   arn:P:sts::A:assumed-role/NAME/SESSION becomes arn:P:iam::A:role/NAME
 *   (the session is dropped; an STS session ARN never carries the role's
 *   path, so an aws-auth rolearn WITH a path never matches);
 *   anything else is refused.
 * The mapping tables are keyed by the lower-cased ARN, so two ARNs are the
 * same principal when their canonical forms are equal ignoring case
 * (arn_key / arn_same_principal).
 *
 * Partitions are the ones lib/endpoints.c knows (aws_partitions()).
 * Every string returned is malloc'd and owned by the caller; every release
 * function accepts NULL or a zeroed struct.
 */
#ifndef EKSKIT_ARN_H
#define EKSKIT_ARN_H

#include <stddef.h>

#include "ekskit/error.h"

#define ARN_MAX_LEN 2048   /* longer input is refused (IAM's own limit) */

/* The six fields of "arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE". */
struct arn {
	char *partition;   /* one of aws_partitions() */
	char *service;     /* "iam", "sts", "eks", ... (non-empty) */
	char *region;      /* may be "" */
	char *account;     /* may be "" */
	char *resource;    /* everything after the fifth colon (non-empty; may hold ':' and '/') */
};

/*
 * Split an ARN (the AWS SDK's arn.Parse, plus: a known partition, a
 * non-empty service and resource, no control characters or spaces, at most
 * ARN_MAX_LEN bytes).  *out is filled (arn_release); on failure it is zeroed
 * and err says what is wrong, quoting the input with control characters
 * replaced.  EKSKIT_ERR_INVALID or EKSKIT_ERR_NOMEM.
 */
int arn_parse(const char *s, struct arn *out, struct ekskit_err *err);
void arn_release(struct arn *a);

/* 1 if p names a partition lib/endpoints.c knows ("aws", "aws-cn", ...). */
int arn_partition_known(const char *p);
/* 1 if s is an AWS account id: exactly 12 digits. */
int arn_account_valid(const char *s);

enum arn_kind {
	ARN_KIND_NONE = 0,
	ARN_KIND_ROLE,           /* iam role/[PATH/]NAME */
	ARN_KIND_USER,           /* iam user/[PATH/]NAME */
	ARN_KIND_ROOT,           /* iam root */
	ARN_KIND_FEDERATED_USER, /* sts federated-user/NAME */
	ARN_KIND_ASSUMED_ROLE,   /* sts assumed-role/NAME/SESSION */
};

/* A parsed IAM / STS principal.  All strings owned (arn_principal_release). */
struct arn_principal {
	enum arn_kind kind;
	char *input;          /* the ARN as given */
	char *partition;
	char *account;        /* 12 digits */
	char *path;           /* role/user path with slashes ("/", "/team/a/"); "/" for
	                       * root, federated-user and assumed-role (STS ARNs carry none) */
	char *name;           /* role, user or federated-user name; "" for root */
	char *session;        /* assumed-role session name, else NULL */
	char *canonical;      /* aws-iam-authenticator's canonical ARN */
	char *key;            /* canonical, lower-cased: the comparison key */
	int service_linked;   /* role under the /aws-service-role/ path */
};

/*
 * Parse and validate an IAM principal ARN strictly: a known partition,
 * service iam or sts with an empty region, a 12-digit account, and one of
 * the resource forms above with non-empty names.  EKSKIT_ERR_INVALID with a
 * message that says which form was expected.  *out zeroed on failure.
 */
int arn_principal_parse(const char *s, struct arn_principal *out,
    struct ekskit_err *err);
void arn_principal_release(struct arn_principal *p);

/*
 * aws-iam-authenticator's Canonicalize, behaviour for behaviour: the SDK's
 * lenient split (only "arn:" and six fields are required), a known
 * partition, then the service/resource switch in the header comment.  The
 * ARN is returned unchanged (case and role path included) except for
 * assumed-role.  *out malloc'd; EKSKIT_ERR_INVALID with the authenticator's
 * reason otherwise.
 */
int arn_canonicalize(const char *s, char **out, struct ekskit_err *err);

/*
 * Drop the path of an IAM role ARN: arn:P:iam::A:role/a/b/NAME ->
 * arn:P:iam::A:role/NAME (the form aws-auth must use).  Other ARNs are
 * copied unchanged.  *stripped (may be NULL) set to 1 when a path was
 * removed.  *out malloc'd.
 */
int arn_strip_role_path(const char *s, char **out, int *stripped,
    struct ekskit_err *err);

/*
 * The comparison key of any ARN-like string: canonicalised when
 * arn_canonicalize accepts it, then lower-cased (ASCII).  Strings the
 * authenticator would not canonicalise are just lower-cased (so aws-auth
 * keys can still be compared the way its map compares them).  malloc'd,
 * NULL only when out of memory.
 */
char *arn_key(const char *s);

/* 1 when a and b are the same principal for EKS (equal arn_key). */
int arn_same_principal(const char *a, const char *b);

/*
 * The full role ARN for a role name and path (path "/" or "/x/y/"):
 * arn:P:iam::A:role/x/y/NAME.  malloc'd or NULL (out of memory).
 */
char *arn_role_arn(const char *partition, const char *account,
    const char *path, const char *name);

#endif /* EKSKIT_ARN_H */
