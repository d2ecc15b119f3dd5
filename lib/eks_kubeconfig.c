/* eks-kubeconfig's orchestration: see include/ekskit/eks_kubeconfig.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ekskit/awsconfig.h"
#include "ekskit/awsreq.h"
#include "ekskit/buf.h"
#include "ekskit/creds.h"
#include "ekskit/eks.h"
#include "ekskit/eks_kubeconfig.h"
#include "ekskit/kubeconfig_execpath.h"
#include "ekskit/endpoints.h"
#include "ekskit/fileio.h"
#include "eks_kubeconfig_internal.h"

/* Everything needed to call EKS; released by aws_ctx_release. */
struct aws_ctx {
	struct awsconfig *cfg;
	char *region;
	char *endpoint;
	struct aws_credentials *creds;
	struct aws_client client;
	char *ec2_endpoint;             /* only for --private-ip */
	struct aws_client ec2;
};

void
ekc_say(const struct ekc_io *io, const char *fmt, ...)
{
	struct ekbuf b;
	va_list ap;

	if (io->out == NULL)
		return;
	ekbuf_init(&b, 0);
	va_start(ap, fmt);
	if (ekbuf_vprintf(&b, fmt, ap) == EKSKIT_OK)
		io->out(io->arg, b.data);
	va_end(ap);
	ekbuf_release(&b);
}

void
ekc_note(const struct ekc_io *io, int level, const char *fmt, ...)
{
	char msg[EKSKIT_ERR_MSG_MAX + 256];
	va_list ap;

	if (io->notify == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	io->notify(io->arg, level, msg);
}

int
ekc_check(const struct ekc_opts *o, struct ekskit_err *err)
{
	int r;

	if (o->all && o->cluster_name != NULL)
		return ekskit_err_set(err, EKSKIT_ERR_USAGE,
		    "--cluster-name and --all exclude each other");
	if (!o->all && o->cluster_name == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_USAGE,
		    "--cluster-name NAME (or --all) is required");
	if (o->cluster_name != NULL && !eks_cluster_name_valid(o->cluster_name))
		return ekskit_err_set(err, EKSKIT_ERR_USAGE,
		    "--cluster-name \"%s\" is not a valid cluster name (1-100 "
		    "letters, digits, - and _)", o->cluster_name);
	if (o->all && (o->entry.context_alias || o->entry.user_alias ||
	    o->entry.cluster_alias))
		return ekskit_err_set(err, EKSKIT_ERR_USAGE,
		    "--alias, --user-alias and --cluster-alias name one cluster: "
		    "they cannot be used with --all");
	if (o->users_file != NULL && o->output_dir == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_USAGE,
		    "--users needs --output-dir DIR for the per-user kubeconfigs");
	if (o->output_dir != NULL && o->users_file == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_USAGE,
		    "--output-dir is only used with --users FILE");
	if (o->users_file != NULL && (o->all || o->output_file || o->kubeconfig))
		return ekskit_err_set(err, EKSKIT_ERR_USAGE,
		    "--users cannot be combined with --all, --output-file or --kubeconfig");
	if (o->output_file != NULL && o->kubeconfig != NULL)
		return ekskit_err_set(err, EKSKIT_ERR_USAGE,
		    "--output-file and --kubeconfig exclude each other "
		    "(--output-file writes a standalone file, --kubeconfig merges)");
	if (o->users_file != NULL && o->entry.shared_user != NULL)
		return ekskit_err_set(err, EKSKIT_ERR_USAGE,
		    "--shared-user cannot be used with --users (one kubeconfig per user)");
	if (o->users_file != NULL && o->entry.role_arn != NULL)
		return ekskit_err_set(err, EKSKIT_ERR_USAGE,
		    "--role-arn cannot be used with --users (each user has a role-arn)");
	if (o->region != NULL && !aws_region_valid(o->region))
		return ekskit_err_set(err, EKSKIT_ERR_USAGE,
		    "--region \"%s\" is not a region name", o->region);
	if ((r = kcu_entry_opts_check(&o->entry, err)) != EKSKIT_OK ||
	    (r = kcs_opts_check(&o->server, o->all, err)) != EKSKIT_OK ||
	    (r = ekc_many_check(o, err)) != EKSKIT_OK)
		return r;
	return EKSKIT_OK;
}

const char *
ekc_exec_profile(const struct ekc_opts *o)
{
	const char *p = o->profile;

	if (o->no_profile)
		return NULL;
	if (p == NULL || *p == '\0')
		p = getenv("AWS_PROFILE");
	if (p == NULL || *p == '\0')
		p = getenv("AWS_DEFAULT_PROFILE");
	return p != NULL && *p != '\0' ? p : NULL;
}

/* Whether the exec block's profile (default: the selected one) may ask for MFA. */
static int
profile_needs_mfa(const struct aws_ctx *a, const char *profile)
{
	return creds_profile_needs_mfa(a->cfg, profile ? profile :
	    awsconfig_selected_profile(NULL));
}

static void
aws_ctx_release(struct aws_ctx *a)
{
	awsconfig_free(a->cfg);
	free(a->region);
	free(a->endpoint);
	free(a->ec2_endpoint);
	aws_credentials_free(a->creds);
	memset(a, 0, sizeof(*a));
}

static int
aws_ctx_init(const struct ekc_opts *o, const struct ekc_io *io,
    struct aws_ctx *a, struct ekskit_err *err)
{
	struct aws_endpoint_opts eo;
	struct creds_ctx cc;
	const char *profile;
	int r;

	memset(a, 0, sizeof(*a));
	if ((r = awsconfig_load(&a->cfg, err)) != EKSKIT_OK)
		return r;
	profile = awsconfig_selected_profile(o->profile);
	if (o->profile != NULL &&
	    (r = awsconfig_require_profile(a->cfg, o->profile, err)) != EKSKIT_OK)
		return r;
	memset(&eo, 0, sizeof(eo));
	eo.cfg = a->cfg;
	eo.profile = profile;
	eo.use_fips = -1;
	eo.use_dualstack = -1;
	if ((r = aws_resolve_region(o->region, &eo, &a->region, err)) != EKSKIT_OK ||
	    (r = aws_endpoint_url("eks", a->region, &eo, &a->endpoint, err)) != EKSKIT_OK)
		return r;
	ekc_note(io, 1, "profile %s, region %s, eks endpoint %s", profile, a->region,
	    a->endpoint);
	memset(&cc, 0, sizeof(cc));
	cc.cfg = a->cfg;
	cc.profile = profile;
	cc.region = a->region;
	cc.now = time(NULL);
	cc.verbose = o->verbose;
	if ((r = creds_resolve_default(&cc, &a->creds, err)) != EKSKIT_OK)
		return r;
	ekc_note(io, 1, "credentials from %s", a->creds->provider ?
	    a->creds->provider : "?");
	if (o->assume_role_arn != NULL) {
		struct aws_credentials *assumed;
		if ((r = ekc_assume_describe_role(o, a->cfg, profile, a->region,
		    a->creds, &assumed, err)) != EKSKIT_OK)
			return r;
		aws_credentials_free(a->creds);
		a->creds = assumed;
	}
	a->client.service = "eks";
	a->client.region = a->region;
	a->client.endpoint = a->endpoint;
	a->client.creds = a->creds;
	a->client.verbose = o->verbose;
	if (kcs_needs_ec2(&o->server)) {
		if ((r = aws_endpoint_url("ec2", a->region, &eo, &a->ec2_endpoint,
		    err)) != EKSKIT_OK)
			return r;
		a->ec2 = a->client;
		a->ec2.service = "ec2";
		a->ec2.endpoint = a->ec2_endpoint;
	}
	return EKSKIT_OK;
}

/* --server / --private-ip: decided once per cluster, put into its entries. */
static int
apply_server(const struct ekc_opts *o, const struct ekc_io *io,
    const struct aws_ctx *a, const struct eks_cluster *cl,
    struct kcu_entries *const *e, size_t n, struct ekskit_err *err)
{
	struct kcs_choice c;
	size_t i;
	int r;

	if (!kcs_active(&o->server))
		return EKSKIT_OK;
	r = kcs_choose(&o->server, &a->ec2, cl, a->region, &c, err);
	if (c.report != NULL)
		ekc_say(io, "%s", c.report);
	for (i = 0; r == EKSKIT_OK && i < n; i++)
		r = kcs_apply(&c, e[i], err);
	kcs_choice_release(&c);
	return r;
}

/* Describe one cluster and check it can be written. */
static int
describe_usable(const struct aws_ctx *a, const char *name,
    const struct ekc_io *io, struct eks_cluster **out, struct ekskit_err *err)
{
	int r, warn;

	if ((r = eks_describe_cluster(&a->client, name, out, err)) != EKSKIT_OK)
		return r;
	if ((r = kcu_cluster_usable(*out, &warn, err)) != EKSKIT_OK) {
		eks_cluster_free(*out);
		*out = NULL;
		return r;
	}
	if (warn)
		ekc_note(io, 0, "cluster %s is UPDATING; writing its entry anyway", name);
	return EKSKIT_OK;
}

static void
write_opts_init(const struct ekc_opts *o, const struct ekc_io *io,
    struct kcu_write_opts *w)
{
	memset(w, 0, sizeof(*w));
	w->kubeconfig_flag = o->kubeconfig;
	w->kubeconfig_env = getenv("KUBECONFIG");
	w->home = getenv("HOME");
	w->current = o->keep_current_context ? KCU_CURRENT_KEEP :
	    o->all ? KCU_CURRENT_IF_UNSET : KCU_CURRENT_SET;
	w->dry_run = o->dry_run;
	w->lock_timeout_ms = o->lock_timeout_ms;
	w->notify = io->notify;
	w->notify_arg = io->arg;
	w->force = o->force;
}

/* The AWS CLI's lines, or the dry-run YAML plus one summary line. */
static void
report(const struct ekc_opts *o, const struct ekc_io *io,
    struct kcu_entries *const *e, size_t n, const struct kcu_result *res)
{
	size_t i, added = 0, updated = 0, same = 0;

	if (o->dry_run) {
		if (res->dry_run_yaml != NULL)
			ekc_say(io, "%s", res->dry_run_yaml);
		for (i = 0; i < n; i++) {
			if (!res->changed[i])
				same++;
			else if (res->existed[i])
				updated++;
			else
				added++;
		}
		if (n == 1)
			ekc_say(io, "dry run: %s context %s %s %s%s (nothing written)\n",
			    added ? "would add" : updated ? "would update" : "unchanged:",
			    e[0]->context.name, added ? "to" : "in", res->path,
			    res->current_changed ? ", and make it the current context" : "");
		else
			ekc_say(io, "dry run: would add %zu and update %zu contexts in %s, "
			    "%zu unchanged (nothing written)\n", added, updated,
			    res->path, same);
	}
	for (i = 0; res->pruned != NULL && res->pruned[i] != NULL; i++)
		ekc_say(io, "%s context %s from %s (its cluster no longer exists)\n",
		    o->dry_run ? "dry run: would remove" : "Removed", res->pruned[i],
		    res->path);
	if (o->dry_run)
		return;
	for (i = 0; i < n; i++)
		ekc_say(io, res->existed[i] ? "Updated context %s in %s\n" :
		    "Added new context %s to %s\n", e[i]->context.name, res->path);
}

int
ekc_write_and_report(const struct ekc_opts *o, const struct ekc_io *io,
    struct kcu_entries *const *e, size_t n, const char *standalone,
    const struct kcu_prune *prune, struct ekskit_err *err)
{
	struct kcu_write_opts w;
	struct kcu_result res;
	int r;

	write_opts_init(o, io, &w);
	w.standalone_path = standalone;
	w.prune = prune;
	if (standalone != NULL && !o->keep_current_context)
		w.current = KCU_CURRENT_SET;
	if ((r = kcu_write(e, n, &w, &res, err)) != EKSKIT_OK)
		return r;
	report(o, io, e, n, &res);
	kcu_result_release(&res);
	return EKSKIT_OK;
}

static int
run_one(const struct ekc_opts *o, const struct ekc_io *io,
    const struct aws_ctx *a, struct ekskit_err *err)
{
	struct eks_cluster *cl = NULL;
	struct kcu_entries *e = NULL;
	struct kcu_entry_opts eo = o->entry;
	int r;

	eo.profile = ekc_exec_profile(o);
	eo.needs_mfa = profile_needs_mfa(a, eo.profile);
	if ((r = describe_usable(a, o->cluster_name, io, &cl, err)) == EKSKIT_OK &&
	    (r = kcu_entries_build(cl, &eo, &e, err)) == EKSKIT_OK &&
	    (r = apply_server(o, io, a, cl, &e, 1, err)) == EKSKIT_OK)
		r = ekc_write_and_report(o, io, &e, 1, o->output_file, NULL, err);
	kcu_entries_free(e);
	eks_cluster_free(cl);
	return r;
}

/* Per-user kubeconfigs: one DescribeCluster, one standalone file per user. */
static int
run_users(const struct ekc_opts *o, const struct ekc_io *io,
    const struct aws_ctx *a, struct kcu_user_spec *users, size_t n,
    struct ekskit_err *err)
{
	struct eks_cluster *cl = NULL;
	struct kcu_entries **e = NULL;
	struct ekbuf path, ctx;
	size_t i;
	int r;

	ekbuf_init(&path, 4096);
	ekbuf_init(&ctx, 4096);
	if ((e = calloc(n, sizeof(*e))) == NULL) {
		r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((r = describe_usable(a, o->cluster_name, io, &cl, err)) != EKSKIT_OK)
		goto out;
	/* build every entry first: nothing is written unless all are valid */
	for (i = 0; i < n; i++) {
		struct kcu_entry_opts eo = o->entry;
		ekbuf_reset(&ctx);
		if (ekbuf_printf(&ctx, "%s@%s", users[i].name, cl->name) != EKSKIT_OK) {
			r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
			goto out;
		}
		eo.role_arn = users[i].role_arn;
		eo.user_alias = users[i].name;
		eo.context_alias = o->entry.context_alias ? o->entry.context_alias : ctx.data;
		if (users[i].namespace != NULL)
			eo.namespace = users[i].namespace;
		eo.profile = users[i].profile ? users[i].profile : ekc_exec_profile(o);
		eo.needs_mfa = profile_needs_mfa(a, eo.profile);
		if ((r = kcu_entries_build(cl, &eo, &e[i], err)) != EKSKIT_OK)
			goto out;
	}
	if ((r = apply_server(o, io, a, cl, e, n, err)) != EKSKIT_OK)
		goto out;
	if (!o->dry_run && (r = ek_mkdir_p(o->output_dir, 0700, err)) != EKSKIT_OK)
		goto out;
	for (i = 0; i < n; i++) {
		ekbuf_reset(&path);
		if (ekbuf_printf(&path, "%s/%s.kubeconfig", o->output_dir,
		    users[i].name) != EKSKIT_OK) {
			r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
			goto out;
		}
		if ((r = ekc_write_and_report(o, io, &e[i], 1, path.data, NULL, err)) != EKSKIT_OK)
			goto out;
	}
out:
	for (i = 0; e != NULL && i < n; i++)
		kcu_entries_free(e[i]);
	free(e);
	eks_cluster_free(cl);
	ekbuf_release(&path);
	ekbuf_release(&ctx);
	return r;
}

int
ekc_run(const struct ekc_opts *o, const struct ekc_io *io,
    struct ekskit_err *err)
{
	struct kcu_user_spec *users = NULL;
	struct ekc_opts resolved;
	struct aws_ctx a;
	char *exec_path = NULL;
	size_t nusers = 0;
	int r;

	memset(&a, 0, sizeof(a));
	if ((r = ekc_check(o, err)) != EKSKIT_OK)
		return r;
	if (o->entry.exec_absolute) {   /* --exec-absolute: eks-token's path, once */
		if ((r = kubeconfig_execpath_resolve(o->entry.exec_command, &exec_path,
		    err)) != EKSKIT_OK)
			return r;
		resolved = *o;
		resolved.entry.exec_command = exec_path;
		o = &resolved;
	}
	/* a bad users file is reported before any AWS call */
	if (o->users_file != NULL &&
	    (r = kcu_users_load(o->users_file, &users, &nusers, err)) != EKSKIT_OK)
		return r;
	if (o->all)
		r = ekc_many_run(o, io, err);
	else if ((r = aws_ctx_init(o, io, &a, err)) == EKSKIT_OK) {
		if (users != NULL)
			r = run_users(o, io, &a, users, nusers, err);
		else
			r = run_one(o, io, &a, err);
	}
	aws_ctx_release(&a);
	kcu_users_free(users, nusers);
	free(exec_path);
	return r;
}
