/*
 * EKS access entries (REST-JSON, SigV4 through aws_rest_json_call):
 * List/Describe/Create/Update/DeleteAccessEntry, Associate/Disassociate/
 * ListAssociatedAccessPolicies, and the API's rules as pure functions
 * checked before anything is sent.
 *
 * Shapes follow botocore's EKS service model (2017-11-01).  Every write is
 * built first as a struct eks_access_call (method, path, JSON body), so a
 * front end can show exactly what would be sent (--dry-run) and then send
 * it with eks_access_call_send.
 *
 * Ownership: every struct and string returned is malloc'd and owned by the
 * caller, released with the matching _free / _release function; all of them
 * accept NULL.  Errors: 0 or a negative EKSKIT_ERR_*; a rule broken before
 * calling is EKSKIT_ERR_USAGE with a message naming the rule; an API error
 * is EKSKIT_ERR_REMOTE (EKSKIT_ERR_NOT_FOUND for ResourceNotFoundException)
 * with err->remote_code set and the API's own message (control characters
 * filtered) in err->msg.
 */
#ifndef EKSKIT_EKS_ACCESS_H
#define EKSKIT_EKS_ACCESS_H

#include <stddef.h>

#include <jansson.h>

#include "ekskit/awsreq.h"

#define EKS_ACCESS_MAX_GROUPS 100     /* kubernetesGroups we accept / parse */
#define EKS_ACCESS_MAX_NAMESPACES 100 /* accessScope.namespaces */

/* accessScope of an associated policy. */
struct eks_access_scope {
	char *type;          /* "cluster" or "namespace" */
	char **namespaces;   /* NULL-terminated, never NULL once parsed (may be empty) */
};

struct eks_associated_policy {
	char *policy_arn;
	struct eks_access_scope scope;
	double associated_at;   /* epoch seconds, 0 when absent */
	double modified_at;
};

struct eks_access_entry {
	char *cluster_name;
	char *principal_arn;
	char *access_entry_arn;     /* may be NULL */
	char *type;                 /* "STANDARD", "EC2_LINUX", ...; "STANDARD" when absent */
	char *username;             /* may be NULL */
	char **kubernetes_groups;   /* NULL-terminated, never NULL (may be empty) */
	double created_at;          /* epoch seconds, 0 when absent */
	double modified_at;
	/* filled only by eks_access_list_full / eks_access_describe_full */
	struct eks_associated_policy *policies;
	size_t npolicies;
};

void eks_access_entry_free(struct eks_access_entry *e);
/* Free n entries and the array itself. */
void eks_access_entries_free(struct eks_access_entry **v, size_t n);
void eks_associated_policy_release(struct eks_associated_policy *p);
/* Release n policies and free the array. */
void eks_associated_policies_free(struct eks_associated_policy *v, size_t n);

/* What the user asked for (strings borrowed). */
struct eks_access_entry_spec {
	const char *principal_arn;     /* required */
	const char *type;              /* NULL = not given (create: the API's STANDARD) */
	const char *username;          /* NULL = not given */
	const char *const *groups;     /* kubernetesGroups; ngroups == 0 = not given */
	size_t ngroups;
};

/* One prepared request.  Strings owned (eks_access_call_release). */
struct eks_access_call {
	const char *op;       /* "CreateAccessEntry", ... (static) */
	const char *method;   /* "GET", "POST", "DELETE" (static) */
	char *path;           /* percent-encoded, e.g. /clusters/c/access-entries/arn%3Aaws%3A... */
	char *query;          /* NULL or "k=v&..." */
	char *body;           /* NULL or compact JSON */
};
void eks_access_call_release(struct eks_access_call *call);

/* ------------------------------------------------------------ the rules */

/* 1 if type is an access entry type the API knows (STANDARD, EC2_LINUX,
 * EC2_WINDOWS, FARGATE_LINUX, HYBRID_LINUX, EC2, HYPERPOD_LINUX). */
int eks_access_type_valid(const char *type);

/*
 * The principal of an access entry: a valid IAM ARN (arn_principal_parse),
 * not an STS session (assumed-role / federated-user: "use the role ARN
 * arn:...:role/NAME"), not a service-linked role; for any type other than
 * STANDARD (type NULL = STANDARD) an IAM role.  EKSKIT_ERR_USAGE otherwise.
 */
int eks_access_check_principal(const char *arn, const char *type,
    struct ekskit_err *err);

/*
 * A custom username: non-empty, at most 256 characters, printable; not
 * starting with system:, eks:, aws:, amazon: or iam: (any case); templates
 * only {{SessionName}} and {{SessionNameRaw}}, and {{SessionName}} preceded
 * by a colon.  EKSKIT_ERR_USAGE otherwise.
 */
int eks_access_check_username(const char *username, struct ekskit_err *err);

/* A Kubernetes group name: non-empty, printable, at most 256 characters. */
int eks_access_check_group(const char *group, struct ekskit_err *err);

/*
 * The whole spec for create (for_update = 0) or the merged state for update
 * (for_update = 1, type = the entry's type): principal, type, username,
 * groups; a non-STANDARD type takes no groups and no username.
 */
int eks_access_check_spec(const struct eks_access_entry_spec *s,
    int for_update, struct ekskit_err *err);

/*
 * An access policy given as a short name ("AmazonEKSClusterAdminPolicy") or
 * a full ARN: short names become
 * arn:<partition>:eks::aws:cluster-access-policy/<Name> (partition taken
 * from the principal's ARN, "aws" when partition is NULL); an ARN must be
 * arn:P:eks::aws:cluster-access-policy/NAME.  *out malloc'd.
 */
int eks_access_policy_arn(const char *name_or_arn, const char *partition,
    char **out, struct ekskit_err *err);

/* eks_access_policy_arn with the partition of principal_arn ("aws" if it has none). */
int eks_access_policy_arn_for(const char *principal_arn, const char *policy,
    char **out, struct ekskit_err *err);

/* Access policies go only to STANDARD entries (EKS grants node entries their rights). */
int eks_access_check_associable(const struct eks_access_entry *e,
    struct ekskit_err *err);

/* scope_type "cluster" (no namespaces) or "namespace" (1..100 valid names). */
int eks_access_check_scope(const char *scope_type, const char *const *ns,
    size_t nns, struct ekskit_err *err);

/* ------------------------------------------------- building the requests */

int eks_access_build_create(const char *cluster,
    const struct eks_access_entry_spec *s, struct eks_access_call *call,
    struct ekskit_err *err);

/*
 * UpdateAccessEntry resets every field the request leaves out, so the body
 * always carries the full state: kubernetesGroups and username from the
 * spec where given, else from `current` (what DescribeAccessEntry
 * returned).  For non-STANDARD entries (no groups/username allowed) the
 * body is {} .  The merged state is checked with eks_access_check_spec.
 */
int eks_access_build_update(const char *cluster,
    const struct eks_access_entry *current,
    const struct eks_access_entry_spec *s, struct eks_access_call *call,
    struct ekskit_err *err);

int eks_access_build_delete(const char *cluster, const char *principal_arn,
    struct eks_access_call *call, struct ekskit_err *err);

/* policy_arn already expanded (eks_access_policy_arn). */
int eks_access_build_associate(const char *cluster, const char *principal_arn,
    const char *policy_arn, const char *scope_type, const char *const *ns,
    size_t nns, struct eks_access_call *call, struct ekskit_err *err);

int eks_access_build_disassociate(const char *cluster,
    const char *principal_arn, const char *policy_arn,
    struct eks_access_call *call, struct ekskit_err *err);

/*
 * Send a prepared call.  *resp_body (may be NULL if not wanted) receives
 * the response body, malloc'd.  API errors as described at the top.
 */
int eks_access_call_send(const struct aws_client *c,
    const struct eks_access_call *call, char **resp_body,
    struct ekskit_err *err);

/* ------------------------------------------------------------ the calls */

/*
 * ListAccessEntries, every page followed.  associated_policy_arn may be
 * NULL.  *out NULL-terminated principal ARNs (ek_strv_free), *n their count.
 */
int eks_access_list(const struct aws_client *c, const char *cluster,
    const char *associated_policy_arn, char ***out, size_t *n,
    struct ekskit_err *err);

/* DescribeAccessEntry.  Missing entry: EKSKIT_ERR_NOT_FOUND. */
int eks_access_describe(const struct aws_client *c, const char *cluster,
    const char *principal_arn, struct eks_access_entry **out,
    struct ekskit_err *err);

/* DescribeAccessEntry + ListAssociatedAccessPolicies (policies filled). */
int eks_access_describe_full(const struct aws_client *c, const char *cluster,
    const char *principal_arn, struct eks_access_entry **out,
    struct ekskit_err *err);

/* Every entry of the cluster, described, with its policies; *out[*n]. */
int eks_access_list_full(const struct aws_client *c, const char *cluster,
    struct eks_access_entry ***out, size_t *n, struct ekskit_err *err);

/* CreateAccessEntry (checked first).  *out (may be NULL) the created entry. */
int eks_access_create(const struct aws_client *c, const char *cluster,
    const struct eks_access_entry_spec *s, struct eks_access_entry **out,
    struct ekskit_err *err);

/* Describe, merge (eks_access_build_update), UpdateAccessEntry.  *out may be NULL. */
int eks_access_update(const struct aws_client *c, const char *cluster,
    const struct eks_access_entry_spec *s, struct eks_access_entry **out,
    struct ekskit_err *err);

int eks_access_delete(const struct aws_client *c, const char *cluster,
    const char *principal_arn, struct ekskit_err *err);

/*
 * AssociateAccessPolicy; policy is a short name or an ARN.  The entry is
 * described first: a node entry takes no policies (EKSKIT_ERR_USAGE).
 * *out may be NULL.
 */
int eks_access_associate(const struct aws_client *c, const char *cluster,
    const char *principal_arn, const char *policy, const char *scope_type,
    const char *const *ns, size_t nns, struct eks_associated_policy **out,
    struct ekskit_err *err);

int eks_access_disassociate(const struct aws_client *c, const char *cluster,
    const char *principal_arn, const char *policy, struct ekskit_err *err);

/* ListAssociatedAccessPolicies, every page followed: *out[*n]. */
int eks_access_list_policies(const struct aws_client *c, const char *cluster,
    const char *principal_arn, struct eks_associated_policy **out, size_t *n,
    struct ekskit_err *err);

/*
 * DescribeCluster's accessConfig.authenticationMode ("API",
 * "API_AND_CONFIG_MAP", "CONFIG_MAP"; "CONFIG_MAP" when the field is
 * absent, as for clusters created before access entries).  *mode malloc'd.
 */
int eks_access_auth_mode(const struct aws_client *c, const char *cluster,
    char **mode, struct ekskit_err *err);

/* ------------------------------------------------------- pure parsing */

/* {"accessEntry":{...}} */
int eks_access_entry_parse(const char *json, size_t len,
    struct eks_access_entry **out, struct ekskit_err *err);
/* One ListAccessEntries page: principals appended to *v (count *n), *next malloc'd or NULL. */
int eks_access_list_page_parse(const char *json, size_t len, char ***v,
    size_t *n, char **next, struct ekskit_err *err);
/* One ListAssociatedAccessPolicies page appended to *v[*n]. */
int eks_access_policies_page_parse(const char *json, size_t len,
    struct eks_associated_policy **v, size_t *n, char **next,
    struct ekskit_err *err);

/* AssociateAccessPolicy's answer ({"associatedAccessPolicy":{...}}): one policy, *out freed
 * with eks_associated_policies_free(*out, 1). */
int eks_access_associated_parse(const char *json, size_t len,
    struct eks_associated_policy **out, struct ekskit_err *err);

/*
 * JSON views for -o json|yaml and table output: an entry as
 * {"principalArn","type","username","kubernetesGroups","accessEntryArn",
 * "createdAt","modifiedAt","accessPolicies":[{"policyArn","accessScope":
 * {"type","namespaces"}}]}; a policy as one item of accessPolicies.  New
 * references (json_decref), NULL when out of memory.
 */
json_t *eks_access_entry_json(const struct eks_access_entry *e);
json_t *eks_associated_policy_json(const struct eks_associated_policy *p);

/* "AmazonEKSViewPolicy" for an access policy ARN (borrowed tail of arn), else arn. */
const char *eks_access_policy_short(const char *arn);

/*
 * The request path /clusters/C/access-entries[/PRINCIPAL[/access-policies
 * [/POLICY]]] with each label percent-encoded; principal (checked to be a
 * well-formed IAM ARN) and policy may be NULL.  *out malloc'd.
 */
int eks_access_path(const char *cluster, const char *principal, int policies,
    const char *policy, char **out, struct ekskit_err *err);

#endif /* EKSKIT_EKS_ACCESS_H */
