/*
 * What lib/hostsync.c shares with lib/hostsync_blocks.c (--list,
 * --restore): the AWS session of a run and the address-set helpers of
 * --check.  Not installed.
 */
#ifndef EKSKIT_HOSTSYNC_INTERNAL_H
#define EKSKIT_HOSTSYNC_INTERNAL_H

#include "ekskit/awsreq.h"
#include "ekskit/buf.h"
#include "ekskit/hostsync.h"

/* Everything a run shares across clusters.  Owned; hs_session_release. */
struct hs_session {
	struct awsconfig *cfg;
	const char *profile;          /* borrowed */
	char *region;
	struct aws_credentials *creds;
	char *eks_url;
	char *ec2_url;
	char *resolvers_csv;
	int written;                  /* some hosts file was changed */
	struct aws_client eks;
	struct aws_client ec2;
};

/* AWS config, profile and region (--region, environment, profile). */
int hs_session_load(const struct hostsync_opts *o, struct hs_session *s,
    struct ekskit_err *err);
/* Credentials (region: for the providers that call STS). */
int hs_session_creds(const struct hostsync_opts *o, struct hs_session *s,
    const char *region, struct ekskit_err *err);
/* The EKS and EC2 clients for a region (region borrowed: keep it alive). */
int hs_session_endpoints(const struct hostsync_opts *o, struct hs_session *s,
    const char *region, struct ekskit_err *err);
void hs_session_release(struct hs_session *s);

/* 1 if the two NULL-terminated address lists hold the same set. */
int hs_same_set(char **a, char **b);
/* Canonical forms (replaced in place), sorted, unique. */
void hs_canonicalise(char **v);

/* --list and --restore (lib/hostsync_blocks.c). */
int hs_list(const struct hostsync_opts *o, struct hs_session *s, const char *path,
    struct ekbuf *out, struct ekskit_err *err);
int hs_restore(const struct hostsync_opts *o, const char *path, struct ekbuf *out,
    struct ekskit_err *err);

#endif /* EKSKIT_HOSTSYNC_INTERNAL_H */
