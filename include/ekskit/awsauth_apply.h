/*
 * Reading and changing kube-system/aws-auth through the Kubernetes API:
 * the model of include/ekskit/awsauth.h plus optimistic concurrency,
 * lockout checks and a local backup before every write.
 *
 * A change is computed on the ConfigMap as read, checked, shown as a
 * unified diff, then written with the resourceVersion it was read at.  A
 * 409 Conflict (someone else wrote in between) re-reads and re-applies the
 * same change to the new contents, a bounded number of times, so nothing
 * the other writer did is lost.  Before each write the previous `data` is
 * saved to a 0600 file (a ConfigMap manifest: `kubectl replace -f` restores
 * it).  A write the cluster refuses (e.g. EKS's validating webhook, 400/
 * 403/422) returns its message, with control characters replaced.
 */
#ifndef EKSKIT_AWSAUTH_APPLY_H
#define EKSKIT_AWSAUTH_APPLY_H

#include <time.h>

#include "ekskit/awsauth.h"
#include "ekskit/k8s.h"

enum awsauth_op { AWSAUTH_OP_ADD, AWSAUTH_OP_REMOVE };

struct awsauth_change {
	enum awsauth_op op;
	struct awsauth_mapping m;   /* add: validated (awsauth_validate) */
	const char *who;            /* remove: an ARN or an account id */
	int replace;                /* add: replace a different mapping of the principal */
	int force;                  /* allow a change that locks admins or nodes out */
	int dry_run;                /* compute and diff, write nothing */
	int admin_entry;            /* a cluster-admin access entry exists */
	int node_entry;             /* a node access entry (EC2_LINUX, ...) exists */
	const char *backup_dir;     /* NULL: $XDG_STATE_HOME/ekskit/aws-auth-backups
	                             * (~/.local/state/...) */
	int max_attempts;           /* 0: 5 */
	time_t now;                 /* for the backup file name */
};

struct awsauth_outcome {
	int changed;                /* 0: nothing to do (identical, nothing to remove) */
	int created;                /* the ConfigMap did not exist and was created */
	int present;                /* the ConfigMap existed */
	size_t removed, added;
	int attempts;               /* GET/PUT rounds used */
	char *diff;                 /* unified diff of the change, or NULL */
	char *backup_path;          /* the last backup written, or NULL */
	char *resource_version;     /* after the write (or as read, when unchanged) */
	struct awsauth_notes notes; /* warnings for the user */
};
void awsauth_outcome_release(struct awsauth_outcome *o);

/*
 * Apply ch to the cluster.  Refusals (a conflicting mapping without
 * --replace, a lockout without --force, an unreadable key) are
 * EKSKIT_ERR_INVALID with the reason and leave the ConfigMap untouched;
 * remove on a missing ConfigMap or principal is not an error (changed = 0).
 * After max_attempts conflicts: EKSKIT_ERR_BUSY.
 */
int awsauth_apply(const struct k8s_conn *c, const struct awsauth_change *ch,
    struct awsauth_outcome *out, struct ekskit_err *err);

/*
 * GET and parse aws-auth.  A missing ConfigMap is not an error: *present =
 * 0 and *out is an empty model.  *rv (may be NULL) the resourceVersion,
 * malloc'd, NULL when absent.
 */
int awsauth_fetch(const struct k8s_conn *c, struct awsauth **out, int *present,
    char **rv, struct ekskit_err *err);

#endif /* EKSKIT_AWSAUTH_APPLY_H */
