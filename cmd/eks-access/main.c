/*
 * eks-access: who may log in to an EKS cluster — aws-auth mappings and
 * EKS access entries.  Front end only: one flag table (global flags may
 * come before or after the subcommand), dispatch, output.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ekskit/access_aws.h"
#include "ekskit/access_view.h"
#include "ekskit/awsauth.h"
#include "ekskit/awsauth_apply.h"
#include "ekskit/cli.h"
#include "ekskit/k8s.h"
#include "access.h"

enum {
	F_KUBECONFIG = 1, F_CONTEXT, F_CLUSTER, F_REGION, F_PROFILE, F_OUTPUT,
	F_DRY_RUN, F_FORCE, F_REPLACE, F_VERBOSE, F_APPLY, F_USERNAME, F_GROUP,
	F_TYPE, F_K8S_GROUP, F_POLICY, F_SCOPE, F_NAMESPACE, F_PRINCIPAL,
	F_NFLAGS
};

static const struct cli_flag flags[] = {
	{ "kubeconfig", 0, "PATH", "kubeconfig to read (default: $KUBECONFIG, ~/.kube/config)", 0, F_KUBECONFIG, CLI_COMPLETE_FILE },
	{ "context", 0, "NAME", "kubeconfig context (default: current-context)", 0, F_CONTEXT, CLI_COMPLETE_CONTEXT },
	{ "cluster-name", 0, "NAME", "EKS cluster, for access entries (EKS API)", 0, F_CLUSTER, CLI_COMPLETE_NONE },
	{ "name", 0, "NAME", NULL, CLI_FLAG_ALIAS, F_CLUSTER, CLI_COMPLETE_NONE },
	{ "region", 0, "REGION", "AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, profile)", 0, F_REGION, CLI_COMPLETE_REGION },
	{ "profile", 0, "PROFILE", "AWS profile for the EKS and IAM APIs", 0, F_PROFILE, CLI_COMPLETE_PROFILE },
	{ "output", 'o', "FORMAT", "table (default), json or yaml", 0, F_OUTPUT, CLI_COMPLETE_NONE },
	{ "dry-run", 0, NULL, "show what would change (a diff), write nothing", 0, F_DRY_RUN, CLI_COMPLETE_NONE },
	{ "force", 0, NULL, "allow a change that leaves no admin or no node mapping", 0, F_FORCE, CLI_COMPLETE_NONE },
	{ "replace", 0, NULL, "replace an existing, different mapping of the principal", 0, F_REPLACE, CLI_COMPLETE_NONE },
	{ "verbose", 'v', NULL, "diagnostics on stderr (never secrets)", 0, F_VERBOSE, CLI_COMPLETE_NONE },
	{ "apply", 0, NULL, "migrate: create the access entries (default: --dry-run)", 0, F_APPLY, CLI_COMPLETE_NONE },
	{ "username", 0, "NAME", "Kubernetes user name (templates like {{SessionName}})", 0, F_USERNAME, CLI_COMPLETE_NONE },
	{ "group", 0, "GROUP", "Kubernetes group of an aws-auth mapping (repeatable)", 0, F_GROUP, CLI_COMPLETE_NONE },
	{ "type", 0, "TYPE", "access entry type: STANDARD, EC2_LINUX, EC2_WINDOWS, FARGATE_LINUX, HYBRID_LINUX", 0, F_TYPE, CLI_COMPLETE_NONE },
	{ "kubernetes-group", 0, "GROUP", "Kubernetes group of an access entry (repeatable)", 0, F_K8S_GROUP, CLI_COMPLETE_NONE },
	{ "policy", 0, "POLICY", "access policy: short name or ARN", 0, F_POLICY, CLI_COMPLETE_NONE },
	{ "scope", 0, "SCOPE", "access policy scope: cluster or namespace", 0, F_SCOPE, CLI_COMPLETE_NONE },
	{ "namespace", 'n', "NS", "namespace of a namespace scope (repeatable)", 0, F_NAMESPACE, CLI_COMPLETE_NONE },
	{ "principal", 0, "ARN", "whoami: explain this principal instead of the caller", 0, F_PRINCIPAL, CLI_COMPLETE_NONE },
	CLI_ROW_HELP,
	CLI_ROW_VERSION,
};

static const struct cli_tool tool = {
	.name = "eks-access",
	.version = EKSKIT_VERSION,
	.synopsis = "COMMAND [ARGS] [options]",
	.summary = "Who may log in to an EKS cluster: the kube-system/aws-auth mappings\n"
	    "(read exactly as aws-iam-authenticator reads them, edited losslessly) and\n"
	    "EKS access entries.\n\n"
	    "Commands:\n"
	    "  list                          aws-auth mappings and access entries, one view\n"
	    "  add-role ARN --username U [--group G...]   map an IAM role in aws-auth\n"
	    "  add-user ARN --username U [--group G...]   map an IAM user in aws-auth\n"
	    "  add-account ID                map every principal of an account\n"
	    "  remove ARN|ID                 remove every aws-auth mapping of it\n"
	    "  entry list|describe|create|update|delete|associate|disassociate ...\n"
	    "  migrate --dry-run|--apply     aws-auth mappings -> access entries\n"
	    "  whoami [--principal ARN]      which mapping or entry applies, and why",
	.epilog = "Exit status: 0 ok (also: nothing to change), 1 failure or refusal,\n"
	    "2 usage error.",
	.flags = flags,
	.nflags = sizeof(flags) / sizeof(flags[0]),
};

struct args {
	struct access_opts o;
	unsigned long given;        /* 1 << F_x for each flag on the command line */
};

static int
push(const char **v, size_t *n, const char *flag, const char *arg,
    struct ekskit_err *err)
{
	if (*n == ACCESS_MAX_REPEAT)
		return ekskit_err_set(err, EKSKIT_ERR_USAGE, "at most %d --%s flags",
		    ACCESS_MAX_REPEAT, flag);
	if (cli_nonempty(flag, arg, &v[*n], err) != EKSKIT_OK)
		return EKSKIT_ERR_USAGE;
	(*n)++;
	return EKSKIT_OK;
}

static int
parse_format(const char *s, struct access_opts *o, struct ekskit_err *err)
{
	if (strcmp(s, "table") == 0)
		o->format = ACCESS_FMT_TABLE;
	else if (strcmp(s, "json") == 0)
		o->format = ACCESS_FMT_JSON;
	else if (strcmp(s, "yaml") == 0)
		o->format = ACCESS_FMT_YAML;
	else
		return ekskit_err_set(err, EKSKIT_ERR_USAGE, "--output must be table, json or yaml");
	o->format_set = 1;
	return EKSKIT_OK;
}

static int
on_flag(void *ud, int id, const char *arg, struct ekskit_err *err)
{
	struct args *a = ud;
	struct access_opts *o = &a->o;

	if (id > 0 && id < F_NFLAGS)
		a->given |= 1ul << id;
	switch (id) {
	case F_KUBECONFIG: return cli_nonempty("kubeconfig", arg, &o->kubeconfig, err);
	case F_CONTEXT: return cli_nonempty("context", arg, &o->context, err);
	case F_CLUSTER: return cli_nonempty("cluster-name", arg, &o->cluster_name, err);
	case F_REGION: return cli_nonempty("region", arg, &o->region, err);
	case F_PROFILE: return cli_nonempty("profile", arg, &o->profile, err);
	case F_OUTPUT: return parse_format(arg, o, err);
	case F_DRY_RUN: o->dry_run = 1; break;
	case F_FORCE: o->force = 1; break;
	case F_REPLACE: o->replace = 1; break;
	case F_VERBOSE: o->verbose++; break;
	case F_APPLY: o->apply = 1; break;
	case F_USERNAME: return cli_nonempty("username", arg, &o->username, err);
	case F_GROUP: return push(o->groups, &o->ngroups, "group", arg, err);
	case F_TYPE: return cli_nonempty("type", arg, &o->type, err);
	case F_K8S_GROUP:
		return push(o->k8s_groups, &o->nk8s_groups, "kubernetes-group", arg, err);
	case F_POLICY: return cli_nonempty("policy", arg, &o->policy, err);
	case F_SCOPE: return cli_nonempty("scope", arg, &o->scope, err);
	case F_NAMESPACE: return push(o->namespaces, &o->nnamespaces, "namespace", arg, err);
	case F_PRINCIPAL: return cli_nonempty("principal", arg, &o->principal, err);
	}
	return EKSKIT_OK;
}

/* ------------------------------------------------------------ helpers */

static int usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
usage(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cli_print_usage_error(&tool, msg, stderr);
	return CLI_EXIT_USAGE;
}

static int
fail(const struct access_opts *o, int rc, const struct ekskit_err *err)
{
	if (rc == EKSKIT_ERR_USAGE) {
		cli_print_usage_error(&tool, err->msg, stderr);
		return CLI_EXIT_USAGE;
	}
	cli_error(o->log, "%s", err->msg);
	return cli_exit_code(rc);
}

static int
connect_k8s(const struct access_opts *o, struct k8s_conn **c, struct ekskit_err *err)
{
	struct k8s_load_opts lo = { .kubeconfig = o->kubeconfig, .context = o->context,
		.verbose = o->verbose };

	return k8s_conn_from_kubeconfig(&lo, c, NULL, err);
}

static void
print_notes(const struct access_opts *o, const struct awsauth_notes *n)
{
	size_t i;

	for (i = 0; i < n->n; i++)
		cli_warn(o->log, "%s", n->v[i]);
}

/* ----------------------------------------------------------- access entries */

/* What the EKS API says, when --cluster-name is given (see entries.c). */
struct entries_state {
	int read;
	char note[EKSKIT_ERR_MSG_MAX];
	struct eks_access_entry **v;
	size_t n;
	char *auth_mode;
	int admin_entry, node_entry;
};

static void
entries_load(const struct access_opts *o, struct entries_state *s)
{
	struct ekskit_err err = { 0 };
	struct access_aws aws;

	memset(s, 0, sizeof(*s));
	if (o->cluster_name == NULL) {
		snprintf(s->note, sizeof(s->note), "pass --cluster-name to include them");
		return;
	}
	memset(&aws, 0, sizeof(aws));
	if (access_aws_init(&aws, o->profile, o->region, o->verbose, &err) != EKSKIT_OK)
		goto out;
	/* a CONFIG_MAP cluster has no access entries (and the API says so) */
	if (eks_access_auth_mode(&aws.eks, o->cluster_name, &s->auth_mode, &err) ==
	    EKSKIT_OK && strcmp(s->auth_mode, "CONFIG_MAP") == 0) {
		s->read = 1;
		goto out;
	}
	ekskit_err_clear(&err);
	if (eks_access_list_full(&aws.eks, o->cluster_name, &s->v, &s->n, &err) != EKSKIT_OK)
		goto out;
	s->read = 1;
	access_entries_cover(s->v, s->n, &s->admin_entry, &s->node_entry);
out:
	if (!s->read)
		snprintf(s->note, sizeof(s->note), "%s", err.msg);
	access_aws_release(&aws);
}

static void
entries_release(struct entries_state *s)
{
	eks_access_entries_free(s->v, s->n);
	free(s->auth_mode);
}

/* ------------------------------------------------------------------ list */

static int
cmd_list(struct access_opts *o, int argc, char **argv)
{
	static const enum access_view_format fmt[] = { ACCESS_VIEW_TABLE,
		ACCESS_VIEW_JSON, ACCESS_VIEW_YAML };
	struct access_view_in in = { 0 };
	struct ekskit_err err = { 0 }, kerr = { 0 };
	struct entries_state es;
	struct k8s_conn *c = NULL;
	struct awsauth *a = NULL;
	char *rv = NULL;
	json_t *view = NULL;
	struct ekbuf out;
	int rc, present = 0;

	(void)argv;
	if (argc != 1)
		return usage("list takes no arguments (%s)", argv[1]);
	entries_load(o, &es);
	rc = connect_k8s(o, &c, &kerr);
	if (rc == EKSKIT_OK)
		rc = awsauth_fetch(c, &a, &present, &rv, &kerr);
	/* one side missing is fine when the other answered */
	if (rc != EKSKIT_OK && !es.read) {
		entries_release(&es);
		k8s_conn_free(c);
		return fail(o, rc, &kerr);
	}
	if (rc != EKSKIT_OK)
		cli_warn(o->log, "aws-auth not read: %s", kerr.msg);
	in.awsauth = a;
	in.awsauth_present = present;
	in.resource_version = rv;
	in.awsauth_note = rc != EKSKIT_OK ? kerr.msg : NULL;
	in.entries = es.read ? es.v : NULL;
	in.nentries = es.n;
	in.auth_mode = es.auth_mode;
	in.entries_note = es.read ? NULL : es.note;
	ekbuf_init(&out, 64u * 1024 * 1024);
	rc = access_view_build(&in, &view, &err);
	if (rc == EKSKIT_OK)
		rc = access_view_render(view, fmt[o->format], &out, &err);
	if (rc == EKSKIT_OK && out.len > 0)
		fwrite(out.data, 1, out.len, stdout);
	ekbuf_release(&out);
	json_decref(view);
	awsauth_free(a);
	free(rv);
	entries_release(&es);
	k8s_conn_free(c);
	return rc == EKSKIT_OK ? CLI_EXIT_OK : fail(o, rc, &err);
}

/* ---------------------------------------------------------------- writes */

static void
report_write(const struct access_opts *o, const struct awsauth_change *ch,
    const struct awsauth_outcome *res)
{
	if (res->diff != NULL && (o->dry_run || o->verbose))
		fputs(res->diff, stdout);
	if (!res->changed) {
		if (ch->op == AWSAUTH_OP_REMOVE)
			printf("no mapping of %s in %s/%s: nothing to remove\n", ch->who,
			    AWSAUTH_NAMESPACE, AWSAUTH_NAME);
		else
			printf("%s is already mapped that way: nothing to change\n", ch->m.arn);
		return;
	}
	if (o->dry_run) {
		fflush(stdout);     /* the diff first, then the note */
		fprintf(stderr, "dry run: nothing written (%zu added, %zu removed)\n",
		    res->added, res->removed);
		return;
	}
	if (res->attempts > 1)
		cli_warn(o->log, "aws-auth changed while we wrote it: re-read and "
		    "re-applied (%d attempts)", res->attempts);
	if (ch->op == AWSAUTH_OP_REMOVE)
		printf("removed %zu mapping%s of %s from %s/%s\n", res->removed,
		    res->removed == 1 ? "" : "s", ch->who, AWSAUTH_NAMESPACE, AWSAUTH_NAME);
	else
		printf("%s %s in %s/%s%s\n", res->removed ? "replaced" : "mapped",
		    ch->m.arn, AWSAUTH_NAMESPACE, AWSAUTH_NAME,
		    res->created ? " (created the ConfigMap)" : "");
	if (res->backup_path != NULL)
		printf("previous data saved to %s (restore: kubectl replace -f %s)\n",
		    res->backup_path, res->backup_path);
}

static int
run_change(struct access_opts *o, struct awsauth_change *ch)
{
	struct awsauth_outcome res;
	struct ekskit_err err = { 0 };
	struct entries_state es;
	struct k8s_conn *c = NULL;
	int rc;

	entries_load(o, &es);
	if (o->cluster_name != NULL && !es.read)
		cli_warn(o->log, "access entries not read (%s): the lockout check counts "
		    "aws-auth only", es.note);
	ch->admin_entry = es.admin_entry;
	ch->node_entry = es.node_entry;
	ch->force = o->force;
	ch->dry_run = o->dry_run;
	ch->now = time(NULL);
	rc = connect_k8s(o, &c, &err);
	if (rc == EKSKIT_OK)
		rc = awsauth_apply(c, ch, &res, &err);
	if (rc == EKSKIT_OK) {
		print_notes(o, &res.notes);
		report_write(o, ch, &res);
		awsauth_outcome_release(&res);
	}
	entries_release(&es);
	k8s_conn_free(c);
	return rc == EKSKIT_OK ? CLI_EXIT_OK : fail(o, rc, &err);
}

static int
cmd_add(struct access_opts *o, int argc, char **argv)
{
	struct awsauth_change ch = { .op = AWSAUTH_OP_ADD };
	struct awsauth_notes notes = { 0 };
	struct ekskit_err err = { 0 };
	char *arn = NULL;
	int rc;

	if (argc != 2)
		return usage("%s takes exactly one argument (the ARN or account id)", argv[0]);
	ch.m.section = strcmp(argv[0], "add-role") == 0 ? AWSAUTH_ROLES :
	    strcmp(argv[0], "add-user") == 0 ? AWSAUTH_USERS : AWSAUTH_ACCOUNTS;
	if (ch.m.section == AWSAUTH_ACCOUNTS && (o->username || o->ngroups))
		return usage("%s takes no --username or --group (the authenticator maps "
		    "each principal of the account to its own ARN)", argv[0]);
	ch.m.arn = argv[1];
	ch.m.username = o->username;
	ch.m.groups = o->groups;
	ch.m.ngroups = o->ngroups;
	ch.replace = o->replace;
	if ((rc = awsauth_validate(&ch.m, &arn, &notes, &err)) != EKSKIT_OK) {
		awsauth_notes_release(&notes);
		return fail(o, rc, &err);
	}
	print_notes(o, &notes);
	awsauth_notes_release(&notes);
	ch.m.arn = arn;
	rc = run_change(o, &ch);
	free(arn);
	return rc;
}

static int
cmd_remove(struct access_opts *o, int argc, char **argv)
{
	struct awsauth_change ch = { .op = AWSAUTH_OP_REMOVE };

	if (argc != 2)
		return usage("%s takes exactly one argument (the ARN or account id)", argv[0]);
	ch.who = argv[1];
	return run_change(o, &ch);
}

/* ---------------------------------------------------------------- dispatch */

#define GLOBAL_FLAGS ((1ul << F_KUBECONFIG) | (1ul << F_CONTEXT) | (1ul << F_CLUSTER) | \
	(1ul << F_REGION) | (1ul << F_PROFILE) | (1ul << F_VERBOSE))
#define WRITE_FLAGS  ((1ul << F_DRY_RUN) | (1ul << F_FORCE))

static const struct command {
	const char *name;
	int (*fn)(struct access_opts *, int, char **);
	unsigned long flags;        /* flags it takes beyond the global ones; ~0: checks its own */
} commands[] = {
	{ "list", cmd_list, 1ul << F_OUTPUT },
	{ "add-role", cmd_add, WRITE_FLAGS | (1ul << F_REPLACE) | (1ul << F_USERNAME) |
	    (1ul << F_GROUP) },
	{ "add-user", cmd_add, WRITE_FLAGS | (1ul << F_REPLACE) | (1ul << F_USERNAME) |
	    (1ul << F_GROUP) },
	{ "add-account", cmd_add, WRITE_FLAGS },
	{ "remove", cmd_remove, WRITE_FLAGS },
	{ "entry", access_cmd_entry, (1ul << F_DRY_RUN) | (1ul << F_OUTPUT) |
	    (1ul << F_TYPE) | (1ul << F_K8S_GROUP) | (1ul << F_USERNAME) |
	    (1ul << F_POLICY) | (1ul << F_SCOPE) | (1ul << F_NAMESPACE) },
	{ "migrate", access_cmd_migrate, (1ul << F_DRY_RUN) | (1ul << F_APPLY) |
	    (1ul << F_OUTPUT) },
	{ "whoami", access_cmd_whoami, (1ul << F_PRINCIPAL) | (1ul << F_OUTPUT) },
};

/* The first flag given that cmd does not take, or NULL. */
static const char *
stray_flag(const struct command *cmd, unsigned long given)
{
	size_t i;

	given &= ~(GLOBAL_FLAGS | cmd->flags);
	for (i = 0; given && i < sizeof(flags) / sizeof(flags[0]); i++)
		if (flags[i].id > 0 && flags[i].id < F_NFLAGS &&
		    (given & (1ul << flags[i].id)) && !(flags[i].flags & CLI_FLAG_ALIAS))
			return flags[i].long_name;
	return NULL;
}

int
main(int argc, char **argv)
{
	struct ekskit_err err = { 0 };
	struct cli_logger lg;
	struct args a = { 0 };
	const char *stray;
	size_t i;
	int rc, first = 0;

	rc = cli_parse(&tool, argc, argv, on_flag, &a, &first, stdout, &err);
	if (rc == CLI_HANDLED)
		return CLI_EXIT_OK;
	if (rc != EKSKIT_OK) {
		cli_print_usage_error(&tool, err.msg, stderr);
		return cli_exit_code(rc);
	}
	if (first >= argc)
		return usage("%s", "missing the command (list, add-role, add-user, "
		    "add-account, remove, entry, migrate, whoami)");
	cli_logger_init(&lg, tool.name, a.o.verbose);
	a.o.log = &lg;
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[first], commands[i].name) != 0)
			continue;
		if ((stray = stray_flag(&commands[i], a.given)) != NULL)
			return usage("--%s is not an option of %s", stray, commands[i].name);
		return commands[i].fn(&a.o, argc - first, argv + first);
	}
	return usage("unknown command '%s'", argv[first]);
}
