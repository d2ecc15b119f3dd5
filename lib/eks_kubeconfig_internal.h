/*
 * Shared between lib/eks_kubeconfig.c (one cluster, --users) and
 * lib/eks_kubeconfig_many.c (--all over regions and profiles).  Not
 * installed.
 */
#ifndef EKSKIT_EKS_KUBECONFIG_INTERNAL_H
#define EKSKIT_EKS_KUBECONFIG_INTERNAL_H

#include <stddef.h>

#include "ekskit/eks_kubeconfig.h"
#include "ekskit/kubeconfig_prune.h"

struct aws_credentials;
struct awsconfig;

/* The profile the AWS CLI would record in the exec block (flag, env), or NULL (--no-profile). */
const char *ekc_exec_profile(const struct ekc_opts *o);

/*
 * Merge (or write standalone) entries[0..n) with the options' write
 * settings, prune included when given, and print the AWS CLI's lines (or
 * the dry-run YAML and summary) plus one line per pruned context.
 */
int ekc_write_and_report(const struct ekc_opts *o, const struct ekc_io *io,
    struct kcu_entries *const *e, size_t n, const char *standalone,
    const struct kcu_prune *prune, struct ekskit_err *err);

/*
 * --assume-role-arn: STS AssumeRole (session EKSDescribeClusterSession, as
 * the AWS CLI) with creds, sent to the STS endpoint of region for profile;
 * *out (caller frees) replaces creds for the EKS calls only.
 */
int ekc_assume_describe_role(const struct ekc_opts *o, const struct awsconfig *cfg,
    const char *profile, const char *region, const struct aws_credentials *creds,
    struct aws_credentials **out, struct ekskit_err *err);

/* --all: list, describe and write (lib/eks_kubeconfig_many.c). */
int ekc_many_run(const struct ekc_opts *o, const struct ekc_io *io,
    struct ekskit_err *err);

/* The checks of the issue-12 flags, called by ekc_check. */
int ekc_many_check(const struct ekc_opts *o, struct ekskit_err *err);

#endif /* EKSKIT_EKS_KUBECONFIG_INTERNAL_H */
