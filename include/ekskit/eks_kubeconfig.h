/*
 * What `eks-kubeconfig` does between parsing its flags and exiting:
 * resolve profile, region, credentials and the EKS endpoint; describe the
 * cluster (or list and describe all of them); build the entries; merge them
 * into the right kubeconfig, or write standalone / per-user kubeconfigs.
 *
 * Output for the user (the AWS CLI's "Added new context ..." lines, dry-run
 * YAML) goes through io->out; warnings and -v diagnostics through
 * io->notify.  Nothing is printed otherwise.
 */
#ifndef EKSKIT_EKS_KUBECONFIG_H
#define EKSKIT_EKS_KUBECONFIG_H

#include "ekskit/error.h"
#include "ekskit/kubeconfig_update.h"

struct ekc_opts {
	const char *cluster_name;       /* --cluster-name / --name */
	int all;                        /* --all: every cluster in the region */
	const char *region;             /* --region */
	const char *profile;            /* --profile */
	struct kcu_entry_opts entry;    /* naming and exec block (entry.profile: set by ekc_run) */
	const char *kubeconfig;         /* --kubeconfig */
	int keep_current_context;
	int dry_run;
	long lock_timeout_ms;           /* 0 = default */
	const char *output_file;        /* --output-file */
	const char *users_file;         /* --users */
	const char *output_dir;         /* --output-dir */
	int verbose;
	/* many clusters and safe naming (issue 12; lib/eks_kubeconfig_many.c) */
	const char *regions;            /* --regions r1,r2 (with --all) */
	int all_regions;                /* --all-regions: the partition's regions */
	const char *profiles;           /* --profiles p1,p2 (with --all) */
	int all_profiles;               /* --all-profiles: every profile of the AWS config */
	int prune;                      /* --prune: drop ekskit entries of deleted clusters */
	const char *assume_role_arn;    /* --assume-role-arn: role for DescribeCluster/ListClusters */
	int force;                      /* --force: change a user entry other contexts use */
	int no_profile;                 /* --no-profile: record no profile in the exec block */
};

struct ekc_io {
	void (*out)(void *arg, const char *text);   /* stdout text (lines end in \n) */
	kcu_notify_fn notify;                      /* warnings / -v */
	void *arg;
};

/* Flag combinations and values; EKSKIT_ERR_USAGE naming the flag. */
int ekc_check(const struct ekc_opts *o, struct ekskit_err *err);

/*
 * Run.  Errors: EKSKIT_ERR_USAGE (flags), EKSKIT_ERR_CONFIG (no region,
 * unknown profile), EKSKIT_ERR_NO_CREDS, EKSKIT_ERR_NOT_FOUND (no such
 * cluster: the AWS message), EKSKIT_ERR_REMOTE (other AWS errors, with
 * their code), EKSKIT_ERR_INVALID (cluster not active, corrupt kubeconfig
 * or users file), EKSKIT_ERR_BUSY (lock held), EKSKIT_ERR_PERM / IO,
 * EKSKIT_ERR_CONFIG (a user entry other contexts use would change).
 * --all over several regions or profiles writes what it could and then
 * returns the error of the first region or profile that failed (each one
 * was reported through io->notify).
 */
int ekc_run(const struct ekc_opts *o, const struct ekc_io *io,
    struct ekskit_err *err);

#endif /* EKSKIT_EKS_KUBECONFIG_H */
