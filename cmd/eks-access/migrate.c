/*
 * eks-access migrate --dry-run|--apply: aws-auth mappings -> access entries
 * (the plan is lib/access_migrate.c's).  aws-auth and the authentication
 * mode are never changed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "ekskit/access_aws.h"
#include "ekskit/access_migrate.h"
#include "ekskit/arn.h"
#include "ekskit/awsauth_apply.h"
#include "ekskit/eks.h"
#include "ekskit/iam.h"
#include "ekskit/k8s.h"

/* What the plan is built from; released by inputs_release. */
struct inputs {
	struct access_aws aws;
	struct eks_cluster *cluster;
	struct arn cluster_arn;
	struct k8s_conn *k8s;
	struct awsauth *auth;
	struct eks_access_entry **entries;
	size_t nentries;
};

static void
inputs_release(struct inputs *in)
{
	access_aws_release(&in->aws);
	eks_cluster_free(in->cluster);
	arn_release(&in->cluster_arn);
	k8s_conn_free(in->k8s);
	awsauth_free(in->auth);
	eks_access_entries_free(in->entries, in->nentries);
}

/* IAM GetRole by name, for the plan (same-account roles only). */
static int
get_role(void *ctx, const char *name, char **arn, struct ekskit_err *err)
{
	struct iam_role role;
	int r;

	if ((r = iam_get_role(ctx, name, &role, err)) != 0)
		return r;
	*arn = role.arn;
	role.arn = NULL;
	iam_role_release(&role);
	return EKSKIT_OK;
}

static int
gather(struct access_opts *o, struct inputs *in, struct ekskit_err *err)
{
	struct k8s_load_opts ko = { o->kubeconfig, o->context, o->verbose, 0 };
	const char *mode;
	int r, present;

	if ((r = access_aws_init(&in->aws, o->profile, o->region, o->verbose,
	    err)) != 0 ||
	    (r = eks_describe_cluster(&in->aws.eks, o->cluster_name, &in->cluster,
	    err)) != 0 ||
	    (r = arn_parse(in->cluster->arn, &in->cluster_arn, err)) != 0)
		return r;
	if ((r = k8s_conn_from_kubeconfig(&ko, &in->k8s, NULL, err)) != 0 ||
	    (r = awsauth_fetch(in->k8s, &in->auth, &present, NULL, err)) != 0)
		return ekskit_err_prefix(err, "reading kube-system/aws-auth");
	if (!present)
		cli_warn(o->log, "kube-system/aws-auth does not exist: nothing to migrate");
	mode = in->cluster->authentication_mode;
	if (mode != NULL && strcmp(mode, "CONFIG_MAP") != 0 &&
	    (r = eks_access_list_full(&in->aws.eks, o->cluster_name, &in->entries,
	    &in->nentries, err)) != 0)
		return r;
	return EKSKIT_OK;
}

static int
plan_text(const void *ctx, struct ekbuf *out)
{
	return access_migrate_plan_text(ctx, 0, out);
}

static int
applied_text(const void *ctx, struct ekbuf *out)
{
	return access_migrate_plan_text(ctx, 1, out);
}

static int
print_plan(struct access_opts *o, const struct access_migrate_plan *p,
    int applied, struct ekskit_err *err)
{
	json_t *j = access_migrate_plan_json(p);
	int r;

	if (j == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	r = access_print_doc(o, j, applied ? applied_text : plan_text, p, err);
	json_decref(j);
	return r;
}

int
access_cmd_migrate(struct access_opts *o, int argc, char **argv)
{
	struct access_migrate_plan plan;
	struct access_migrate_in pin;
	struct ekskit_err err;
	struct inputs in;
	int r;

	(void)argv;
	memset(&plan, 0, sizeof(plan));
	memset(&in, 0, sizeof(in));
	if (argc != 1) {
		cli_error(o->log, "migrate takes no arguments (see eks-access --help)");
		return CLI_EXIT_USAGE;
	}
	if (o->dry_run && o->apply) {
		cli_error(o->log, "give --dry-run or --apply, not both");
		return CLI_EXIT_USAGE;
	}
	if (o->cluster_name == NULL) {
		cli_error(o->log, "migrate needs --cluster-name NAME (and the "
		    "kubeconfig context of that cluster for aws-auth)");
		return CLI_EXIT_USAGE;
	}
	ekskit_err_clear(&err);
	if ((r = gather(o, &in, &err)) == 0) {
		memset(&pin, 0, sizeof(pin));
		pin.auth = in.auth;
		pin.entries = in.entries;
		pin.nentries = in.nentries;
		pin.cluster = o->cluster_name;
		pin.region = in.aws.region;
		pin.account = in.cluster_arn.account;
		pin.auth_mode = in.cluster->authentication_mode;
		pin.get_role = get_role;
		pin.ctx = &in.aws.iam;
		r = access_migrate_plan_build(&pin, &plan, &err);
	}
	if (r == 0 && o->apply)
		r = access_migrate_apply(&in.aws.eks, o->cluster_name, &plan, &err);
	/* the plan (or what was done) is shown even when some items failed */
	if (plan.auth_mode != NULL && print_plan(o, &plan, o->apply, &err) != 0 &&
	    r == 0)
		r = EKSKIT_ERR_IO;
	if (r == 0 && plan.errors > 0)
		r = ekskit_err_set(&err, EKSKIT_ERR_REMOTE, "%zu mapping(s) failed "
		    "(see above)", plan.errors);
	access_migrate_plan_release(&plan);
	inputs_release(&in);
	if (r != 0) {
		cli_error(o->log, "%s", err.msg[0] ? err.msg : ekskit_strerror(r));
		return cli_exit_code(r);
	}
	return CLI_EXIT_OK;
}
