/*
 * aws-auth mappings -> EKS access entries: the plan (pure, testable) and
 * its application.
 *
 * Rules (each a lesson from how other tools get it wrong):
 *   - only the mapping the authenticator uses is migrated: a shadowed
 *     duplicate (the authenticator keeps the LAST) is reported, not copied,
 *     and an entry it ignores (a rolearn with a path, a malformed key, ...)
 *     grants nothing today, so it is not turned into access either;
 *   - a role of the cluster's account is looked up with IAM GetRole by
 *     name to restore its path (aws-auth cannot hold it, entries need it);
 *     a principal of another account is kept exactly as written and never
 *     looked up (a same-named local role is a different principal);
 *   - node roles (group system:nodes) become EC2_LINUX, EC2_WINDOWS with
 *     eks:kube-proxy-windows, FARGATE_LINUX with a {{SessionName}}
 *     username; they take no username, groups or policies;
 *   - system:masters becomes AmazonEKSClusterAdminPolicy at cluster scope;
 *     other groups are kept; other system: groups, sso matchers,
 *     mapAccounts and usernames the API refuses cannot be migrated (why is
 *     said per mapping);
 *   - a principal that already has an entry is skipped;
 *   - aws-auth and the authentication mode are never changed: the plan
 *     says which mode switch would come next and whether it is safe.
 *
 * Ownership: the plan owns every string; access_migrate_plan_release
 * frees it (NULL or zeroed accepted).
 */
#ifndef EKSKIT_ACCESS_MIGRATE_H
#define EKSKIT_ACCESS_MIGRATE_H

#include <stddef.h>

#include <jansson.h>

#include "ekskit/awsauth.h"
#include "ekskit/awsreq.h"
#include "ekskit/eks_access.h"

enum access_migrate_verdict {
	ACCESS_MIGRATE_CREATE,    /* an entry will be (or, after apply, was) created */
	ACCESS_MIGRATE_EXISTS,    /* the principal already has an entry */
	ACCESS_MIGRATE_SHADOWED,  /* a duplicate the authenticator does not use */
	ACCESS_MIGRATE_CANNOT,    /* no equivalent entry (reason says why) */
	ACCESS_MIGRATE_FAILED,    /* an error (IAM lookup, or the API on apply) */
};

/* "create", "exists", "shadowed", "cannot-migrate", "failed". */
const char *access_migrate_verdict_name(enum access_migrate_verdict v);

struct access_migrate_item {
	enum access_migrate_verdict verdict;
	int created;              /* apply: the entry was created */
	char *source;             /* "mapRoles line 3", "mapAccounts line 1", "mapUsers (whole key)" */
	char *written;            /* the ARN or account id as written, or NULL */
	char *principal_arn;      /* the entry's principal (path restored), or NULL */
	char *type;               /* entry type, or NULL */
	char *username;           /* NULL: EKS generates one */
	char **groups;            /* kubernetesGroups, NULL-terminated (never NULL) */
	size_t ngroups;
	int cluster_admin;        /* associate AmazonEKSClusterAdminPolicy, cluster scope */
	char *reason;             /* why not, or notes ("path /team/ restored from IAM") */
};

struct access_migrate_plan {
	struct access_migrate_item *items;
	size_t n;
	char *auth_mode;          /* as read */
	int can_create;           /* the mode allows access entries (not CONFIG_MAP) */
	char *next_mode;          /* the next authentication mode, NULL when already API */
	char *next_command;       /* the aws CLI command that would switch to it */
	int next_safe;            /* switching keeps every working mapping's access */
	char *next_why;           /* why it is safe or not */
	size_t errors;            /* FAILED items */
};

/* Looks a role up by name in the cluster's account: *arn its full ARN.
 * EKSKIT_ERR_NOT_FOUND when there is no such role. */
typedef int (*access_migrate_get_role)(void *ctx, const char *name, char **arn,
    struct ekskit_err *err);

struct access_migrate_in {
	const struct awsauth *auth;
	struct eks_access_entry *const *entries;  /* existing entries (policies filled) */
	size_t nentries;
	const char *cluster, *region;
	const char *account;      /* the cluster's account (12 digits) */
	const char *auth_mode;    /* DescribeCluster accessConfig.authenticationMode */
	access_migrate_get_role get_role;
	void *ctx;
};

/* Build the plan.  Fails only on out of memory (EKSKIT_ERR_NOMEM). */
int access_migrate_plan_build(const struct access_migrate_in *in,
    struct access_migrate_plan *out, struct ekskit_err *err);
void access_migrate_plan_release(struct access_migrate_plan *p);

/*
 * Create every CREATE item's entry (and its admin policy).  An item the API
 * refuses becomes FAILED with the API's message (errors counted) and the
 * rest go on.  EKSKIT_ERR_CONFIG without calling anything when the mode is
 * CONFIG_MAP.  Returns 0 when every item was created.
 */
int access_migrate_apply(const struct aws_client *eks, const char *cluster,
    struct access_migrate_plan *p, struct ekskit_err *err);

/* The plan for -o json|yaml (new reference) and as table text appended to out. */
json_t *access_migrate_plan_json(const struct access_migrate_plan *p);
int access_migrate_plan_text(const struct access_migrate_plan *p, int applied,
    struct ekbuf *out);

#endif /* EKSKIT_ACCESS_MIGRATE_H */
