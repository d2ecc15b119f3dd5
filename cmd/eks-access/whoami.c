/*
 * eks-access whoami [--principal ARN]: why am I (or is ARN) Unauthorized?
 * Reads what can be reached — the caller's identity (STS), the cluster's
 * access entries and mode (EKS, with --cluster-name), aws-auth and a
 * SelfSubjectReview (Kubernetes API) — and lets lib/access_whoami.c say
 * which of them applies.  What cannot be reached is said, not fatal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "ekskit/access_aws.h"
#include "ekskit/access_whoami.h"
#include "ekskit/awsauth_apply.h"
#include "ekskit/sts.h"

struct seen {
	struct access_aws aws;
	int aws_ok;
	struct sts_identity id;
	char *mode;
	struct eks_access_entry **entries;
	size_t nentries;
	int entries_ok;
	char entries_note[EKSKIT_ERR_MSG_MAX + 64];
	struct k8s_conn *k8s;
	struct awsauth *auth;
	char auth_note[EKSKIT_ERR_MSG_MAX + 64];
	json_t *review;
	char review_note[EKSKIT_ERR_MSG_MAX + 64];
};

static void
seen_release(struct seen *s)
{
	access_aws_release(&s->aws);
	sts_identity_release(&s->id);
	free(s->mode);
	eks_access_entries_free(s->entries, s->nentries);
	k8s_conn_free(s->k8s);
	awsauth_free(s->auth);
	json_decref(s->review);
}

/* The cluster's mode and entries; a failure becomes a note. */
static void
read_entries(struct access_opts *o, struct seen *s)
{
	struct ekskit_err err;

	ekskit_err_clear(&err);
	if (o->cluster_name == NULL) {
		snprintf(s->entries_note, sizeof(s->entries_note), "access entries not "
		    "read: give --cluster-name to include them");
		return;
	}
	if (eks_access_auth_mode(&s->aws.eks, o->cluster_name, &s->mode, &err) != 0 ||
	    (strcmp(s->mode, "CONFIG_MAP") != 0 && eks_access_list_full(&s->aws.eks,
	    o->cluster_name, &s->entries, &s->nentries, &err) != 0)) {
		snprintf(s->entries_note, sizeof(s->entries_note), "access entries "
		    "not read: %s", err.msg);
		return;
	}
	s->entries_ok = 1;
}

/* aws-auth and, for the caller, a SelfSubjectReview; failures become notes. */
static void
read_kubernetes(struct access_opts *o, struct seen *s)
{
	struct k8s_load_opts ko = { o->kubeconfig, o->context, o->verbose, 0 };
	struct ekskit_err err;
	int present;

	ekskit_err_clear(&err);
	if (k8s_conn_from_kubeconfig(&ko, &s->k8s, NULL, &err) != 0) {
		snprintf(s->auth_note, sizeof(s->auth_note), "the Kubernetes API "
		    "was not reached: %s", err.msg);
		return;
	}
	if (o->principal == NULL && access_whoami_review(s->k8s, &s->review, &err) != 0)
		snprintf(s->review_note, sizeof(s->review_note), "the API server did "
		    "not accept our credentials: %s", err.msg);
	ekskit_err_clear(&err);
	if (awsauth_fetch(s->k8s, &s->auth, &present, NULL, &err) != 0)
		snprintf(s->auth_note, sizeof(s->auth_note), "aws-auth not read: %s",
		    err.msg);
	else if (!present)
		snprintf(s->auth_note, sizeof(s->auth_note), "kube-system/aws-auth "
		    "does not exist");
}

static int
whoami_text(const void *ctx, struct ekbuf *out)
{
	return access_whoami_text(ctx, out);
}

int
access_cmd_whoami(struct access_opts *o, int argc, char **argv)
{
	struct access_whoami_in in;
	struct ekskit_err err;
	struct seen s;
	json_t *doc = NULL;
	int r = 0;

	(void)argv;
	memset(&s, 0, sizeof(s));
	if (argc != 1) {
		cli_error(o->log, "whoami takes no arguments: use --principal ARN");
		return CLI_EXIT_USAGE;
	}
	ekskit_err_clear(&err);
	if (o->principal == NULL || o->cluster_name != NULL)
		r = access_aws_init(&s.aws, o->profile, o->region, o->verbose, &err);
	if (r == 0 && o->principal == NULL)
		r = sts_get_caller_identity(&s.aws.sts, &s.id, &err);
	if (r == 0) {
		read_entries(o, &s);
		read_kubernetes(o, &s);
		memset(&in, 0, sizeof(in));
		in.arn = o->principal ? o->principal : s.id.arn;
		in.user_id = s.id.user_id;
		in.auth = s.auth;
		in.auth_note = s.auth_note[0] ? s.auth_note : NULL;
		in.entries = s.entries_ok ? s.entries : NULL;
		in.nentries = s.nentries;
		in.entries_note = s.entries_note[0] ? s.entries_note : NULL;
		in.auth_mode = s.mode;
		in.review = s.review;
		in.review_note = s.review_note[0] ? s.review_note : NULL;
		if ((r = access_whoami_explain(&in, &doc, &err)) == 0)
			r = access_print_doc(o, doc, whoami_text, doc, &err);
	}
	json_decref(doc);
	seen_release(&s);
	if (r != 0) {
		cli_error(o->log, "%s", err.msg[0] ? err.msg : ekskit_strerror(r));
		return cli_exit_code(r);
	}
	return CLI_EXIT_OK;
}
