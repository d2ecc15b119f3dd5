/*
 * Which kubeconfig entries ekskit wrote, and keeping them tidy:
 *
 *  - kcu_exec_identify: read an exec block the way ekskit writes it
 *    (command eks-token, or a path ending in /eks-token, with
 *    --cluster-name NAME and --region REGION; the profile from a
 *    `--profile NAME` argument, else AWS_PROFILE in env);
 *  - kcu_prune_apply (eks-kubeconfig --prune): remove the contexts whose
 *    user runs such a block for a cluster that no longer exists in a
 *    scanned profile and region, those users, and the clusters no
 *    remaining context uses.  Entries of the AWS CLI, of other tools, by
 *    hand, Outposts (--cluster-id) and shared users are never touched;
 *  - kcu_user_guard: refuse to give a user entry that other contexts use a
 *    different exec block (the --alias trap of issue 12).
 */
#ifndef EKSKIT_KUBECONFIG_PRUNE_H
#define EKSKIT_KUBECONFIG_PRUNE_H

#include <stddef.h>

#include "ekskit/error.h"
#include "ekskit/kubeconfig.h"

/* What an ekskit exec block is for.  Strings borrowed from the block. */
struct kcu_exec_id {
	const char *cluster;    /* --cluster-name */
	const char *region;     /* --region */
	const char *profile;    /* --profile arg, else AWS_PROFILE in env; NULL = none */
};

/* 1 and *id filled when e is an ekskit exec block naming one cluster; else 0. */
int kcu_exec_identify(const struct kc_exec *e, struct kcu_exec_id *id);

/* One scanned profile and region, listed completely. */
struct kcu_scope {
	const char *profile;    /* the profile recorded in exec blocks; NULL = none */
	const char *region;
	char *const *live;      /* names of the clusters that exist there, NULL-terminated */
};

struct kcu_prune {
	const struct kcu_scope *scopes;
	size_t n;
};

/*
 * Remove the stale entries as described above.  *removed is set to the
 * NULL-terminated names of the contexts removed (owned by the caller,
 * ek_strv_free), or NULL when nothing was removed.  A user entry that a
 * context outside the stale set still uses is kept, and so is a cluster
 * entry.  Errors: EKSKIT_ERR_NOMEM, or a malformed entry (INVALID).
 */
int kcu_prune_apply(struct kubeconfig *kc, const struct kcu_prune *p,
    char ***removed, struct ekskit_err *err);

/*
 * Before writing user u for context `context`: if a user of that name
 * exists with a different exec block (or none) and contexts other than
 * `context` use it, EKSKIT_ERR_CONFIG with a message naming them and the
 * way out (--user-alias, --alias, --force).  0 otherwise.
 */
int kcu_user_guard(const struct kubeconfig *kc, const struct kc_user *u,
    const char *context, struct ekskit_err *err);

#endif /* EKSKIT_KUBECONFIG_PRUNE_H */
