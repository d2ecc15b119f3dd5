/*
 * eks-kubeconfig: write or merge kubeconfig entries for Amazon EKS clusters
 * (a drop-in for `aws eks update-kubeconfig`), and per-user kubeconfigs.
 *
 * Thin front end: the flag table below drives parsing, --help and
 * --list-flags (which the completion tests check); the work is ekc_run's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ekskit/cli.h"
#include "ekskit/eks_kubeconfig.h"
#include "ekskit/error.h"
#include "ekskit/proc.h"

#include "convert.h"

#define PROG "eks-kubeconfig"
#define MAX_ENV 64

enum flag_id {
	F_CLUSTER_NAME = 1,
	F_REGION,
	F_PROFILE,
	F_ROLE_ARN,
	F_ALIAS,
	F_USER_ALIAS,
	F_CLUSTER_ALIAS,
	F_NAMESPACE,
	F_KUBECONFIG,
	F_KEEP_CURRENT,
	F_EXEC_API,
	F_EXEC_COMMAND,
	F_ENV,
	F_PROXY_URL,
	F_DRY_RUN,
	F_VERBOSE,
	F_ALL,
	F_OUTPUT_FILE,
	F_USERS,
	F_OUTPUT_DIR,
	F_LOCK_TIMEOUT,
	F_SERVER,
	F_PRIVATE_IP,
	F_PROBE,
	F_EXEC_ABSOLUTE,
	F_SHARED_USER,
	/* many clusters, safe naming (issue 12) */
	F_REGIONS,
	F_ALL_REGIONS,
	F_PROFILES,
	F_ALL_PROFILES,
	F_PRUNE,
	F_ASSUME_ROLE_ARN,
	F_FORCE,
	F_PROFILE_ARG,
	F_NO_PROFILE,
};

static const struct cli_flag flags[] = {
	{ "cluster-name", 0, "NAME", "the EKS cluster to write an entry for",
	  0, F_CLUSTER_NAME, CLI_COMPLETE_NONE },
	{ "name", 0, "NAME", NULL, CLI_FLAG_ALIAS, F_CLUSTER_NAME, CLI_COMPLETE_NONE },
	{ "all", 0, NULL, "every cluster in the region(s) (current-context set only if unset)",
	  0, F_ALL, CLI_COMPLETE_NONE },
	{ "region", 0, "REGION", "AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, profile)",
	  0, F_REGION, CLI_COMPLETE_REGION },
	{ "profile", 0, "PROFILE", "AWS profile; also set as AWS_PROFILE in the exec env",
	  0, F_PROFILE, CLI_COMPLETE_PROFILE },
	{ "role-arn", 0, "ARN", "IAM role the token is signed with (added to the exec args)",
	  0, F_ROLE_ARN, CLI_COMPLETE_NONE },
	{ "alias", 0, "NAME", "context name (default: the user name, i.e. the cluster ARN)",
	  0, F_ALIAS, CLI_COMPLETE_NONE },
	{ "user-alias", 0, "NAME", "user entry name (default: the cluster ARN)",
	  0, F_USER_ALIAS, CLI_COMPLETE_NONE },
	{ "cluster-alias", 0, "NAME", "cluster entry name (default: the cluster ARN)",
	  0, F_CLUSTER_ALIAS, CLI_COMPLETE_NONE },
	{ "namespace", 0, "NS", "default namespace of the context",
	  0, F_NAMESPACE, CLI_COMPLETE_NONE },
	{ "kubeconfig", 0, "PATH", "the kubeconfig to merge into (default: KUBECONFIG, ~/.kube/config)",
	  0, F_KUBECONFIG, CLI_COMPLETE_FILE },
	{ "keep-current-context", 0, NULL, "do not change current-context",
	  0, F_KEEP_CURRENT, CLI_COMPLETE_NONE },
	{ "exec-api-version", 0, "VERSION", "exec plugin apiVersion: v1beta1 (default) or v1",
	  0, F_EXEC_API, CLI_COMPLETE_NONE },
	{ "exec-command", 0, "CMD", "command of the exec block: a name or absolute path (default eks-token; aws = the AWS CLI's block)",
	  0, F_EXEC_COMMAND, CLI_COMPLETE_FILE },
	{ "exec-absolute", 0, NULL, "write eks-token's absolute path (beside eks-kubeconfig, or from PATH)",
	  0, F_EXEC_ABSOLUTE, CLI_COMPLETE_NONE },
	{ "shared-user", 0, "NAME", "one user entry for every cluster (provideClusterInfo; cluster settings in extensions)",
	  0, F_SHARED_USER, CLI_COMPLETE_NONE },
	{ "env", 0, "KEY=VALUE", "environment variable for the exec block (repeatable)",
	  0, F_ENV, CLI_COMPLETE_NONE },
	{ "proxy-url", 0, "URL", "proxy for kubectl to reach the cluster",
	  0, F_PROXY_URL, CLI_COMPLETE_NONE },
	{ "dry-run", 0, NULL, "print the entries that would change and a summary; write nothing",
	  0, F_DRY_RUN, CLI_COMPLETE_NONE },
	{ "output-file", 0, "FILE", "write a standalone kubeconfig with only this cluster (mode 0600)",
	  0, F_OUTPUT_FILE, CLI_COMPLETE_FILE },
	{ "users", 0, "FILE", "YAML list of users (name, role-arn, namespace, profile): one kubeconfig each",
	  0, F_USERS, CLI_COMPLETE_FILE },
	{ "output-dir", 0, "DIR", "directory for the --users kubeconfigs (NAME.kubeconfig)",
	  0, F_OUTPUT_DIR, CLI_COMPLETE_FILE },
	{ "server", 0, "URL", "connect to URL (a tunnel, a port forward); tls-server-name = the endpoint host",
	  0, F_SERVER, CLI_COMPLETE_NONE },
	{ "private-ip", 0, NULL, "connect to the endpoint's private address, as eks-hosts finds it (no root)",
	  0, F_PRIVATE_IP, CLI_COMPLETE_NONE },
	{ "probe", 0, NULL, "with --private-ip: the first address that accepts TCP on port 443",
	  0, F_PROBE, CLI_COMPLETE_NONE },
	{ "lock-timeout", 0, "SECONDS", "how long to wait for a held kubeconfig lock (default 5)",
	  0, F_LOCK_TIMEOUT, CLI_COMPLETE_NONE },
	{ "regions", 0, "R1,R2", "with --all: scan these regions (concurrently)",
	  0, F_REGIONS, CLI_COMPLETE_REGION },
	{ "all-regions", 0, NULL, "with --all: scan every region of the profile's partition",
	  0, F_ALL_REGIONS, CLI_COMPLETE_NONE },
	{ "profiles", 0, "P1,P2", "with --all: scan with each of these profiles",
	  0, F_PROFILES, CLI_COMPLETE_PROFILE },
	{ "all-profiles", 0, NULL, "with --all: scan with every profile of the AWS config",
	  0, F_ALL_PROFILES, CLI_COMPLETE_NONE },
	{ "prune", 0, NULL, "with --all: remove ekskit entries of clusters gone from the scanned regions",
	  0, F_PRUNE, CLI_COMPLETE_NONE },
	{ "assume-role-arn", 0, "ARN", "IAM role that lists and describes the clusters (not the token's)",
	  0, F_ASSUME_ROLE_ARN, CLI_COMPLETE_NONE },
	{ "force", 0, NULL, "change a user entry even when other contexts use it",
	  0, F_FORCE, CLI_COMPLETE_NONE },
	{ "profile-arg", 0, NULL, "record the profile as --profile in the exec args, not AWS_PROFILE",
	  0, F_PROFILE_ARG, CLI_COMPLETE_NONE },
	{ "no-profile", 0, NULL, "record no profile in the exec block",
	  0, F_NO_PROFILE, CLI_COMPLETE_NONE },
	{ "verbose", 'v', NULL, "diagnostics on stderr (profile, region, endpoint, file, lock)",
	  0, F_VERBOSE, CLI_COMPLETE_NONE },
	CLI_ROW_HELP,
	CLI_ROW_VERSION,
};

static const struct cli_tool tool = {
	PROG, EKSKIT_VERSION, "--cluster-name NAME [options]  |  convert [options]",
	"Write a kubeconfig cluster, user and context for an Amazon EKS cluster,\n"
	"merged into your kubeconfig (defaults as `aws eks update-kubeconfig`, with\n"
	"eks-token as the exec credential plugin), or standalone per-user files.",
	"Exit status: 0 success, 1 failure (AWS error, cluster not active, bad\n"
	"kubeconfig, lock held; with --all: any region, profile or cluster that\n"
	"failed, the others still written), 2 usage error.  See eks-kubeconfig(1).",
	flags, sizeof(flags) / sizeof(flags[0]),
};

struct args {
	struct ekc_opts o;
	const char *env[MAX_ENV];
	int verbose;
};

static int
lock_timeout(const char *arg, long *ms, struct ekskit_err *err)
{
	char *end;
	double s = strtod(arg, &end);

	if (*arg == '\0' || *end != '\0' || !(s >= 0 && s <= 3600))
		return ekskit_err_set(err, EKSKIT_ERR_USAGE,
		    "--lock-timeout wants seconds between 0 and 3600");
	*ms = (long)(s * 1000);
	if (*ms == 0)
		*ms = 1;   /* 0 means "default" to the library */
	return EKSKIT_OK;
}

static int
on_flag(void *ud, int id, const char *arg, struct ekskit_err *err)
{
	struct args *a = ud;
	struct ekc_opts *o = &a->o;

	switch (id) {
	case F_CLUSTER_NAME: return cli_nonempty("cluster-name", arg, &o->cluster_name, err);
	case F_REGION: return cli_nonempty("region", arg, &o->region, err);
	case F_PROFILE: return cli_nonempty("profile", arg, &o->profile, err);
	case F_ROLE_ARN: return cli_nonempty("role-arn", arg, &o->entry.role_arn, err);
	case F_ALIAS: return cli_nonempty("alias", arg, &o->entry.context_alias, err);
	case F_USER_ALIAS: return cli_nonempty("user-alias", arg, &o->entry.user_alias, err);
	case F_CLUSTER_ALIAS: return cli_nonempty("cluster-alias", arg, &o->entry.cluster_alias, err);
	case F_NAMESPACE: return cli_nonempty("namespace", arg, &o->entry.namespace, err);
	case F_KUBECONFIG: return cli_nonempty("kubeconfig", arg, &o->kubeconfig, err);
	case F_EXEC_API: return cli_nonempty("exec-api-version", arg, &o->entry.exec_api_version, err);
	case F_EXEC_COMMAND: return cli_nonempty("exec-command", arg, &o->entry.exec_command, err);
	case F_PROXY_URL: return cli_nonempty("proxy-url", arg, &o->entry.proxy_url, err);
	case F_OUTPUT_FILE: return cli_nonempty("output-file", arg, &o->output_file, err);
	case F_USERS: return cli_nonempty("users", arg, &o->users_file, err);
	case F_OUTPUT_DIR: return cli_nonempty("output-dir", arg, &o->output_dir, err);
	case F_LOCK_TIMEOUT: return lock_timeout(arg, &o->lock_timeout_ms, err);
	case F_SERVER: return cli_nonempty("server", arg, &o->server.url, err);
	case F_PRIVATE_IP: o->server.private_ip = 1; return EKSKIT_OK;
	case F_PROBE: o->server.probe = 1; return EKSKIT_OK;
	case F_REGIONS: return cli_nonempty("regions", arg, &o->regions, err);
	case F_PROFILES: return cli_nonempty("profiles", arg, &o->profiles, err);
	case F_ASSUME_ROLE_ARN: return cli_nonempty("assume-role-arn", arg, &o->assume_role_arn, err);
	case F_ALL_REGIONS: o->all_regions = 1; return EKSKIT_OK;
	case F_ALL_PROFILES: o->all_profiles = 1; return EKSKIT_OK;
	case F_PRUNE: o->prune = 1; return EKSKIT_OK;
	case F_FORCE: o->force = 1; return EKSKIT_OK;
	case F_PROFILE_ARG: o->entry.profile_as_arg = 1; return EKSKIT_OK;
	case F_NO_PROFILE: o->no_profile = 1; return EKSKIT_OK;
	case F_KEEP_CURRENT: o->keep_current_context = 1; return EKSKIT_OK;
	case F_DRY_RUN: o->dry_run = 1; return EKSKIT_OK;
	case F_ALL: o->all = 1; return EKSKIT_OK;
	case F_EXEC_ABSOLUTE: o->entry.exec_absolute = 1; return EKSKIT_OK;
	case F_SHARED_USER: return cli_nonempty("shared-user", arg, &o->entry.shared_user, err);
	case F_VERBOSE: a->verbose++; return EKSKIT_OK;
	case F_ENV:
		if (o->entry.nenv >= MAX_ENV)
			return ekskit_err_set(err, EKSKIT_ERR_USAGE, "too many --env");
		a->env[o->entry.nenv++] = arg;
		return EKSKIT_OK;
	default:
		return ekskit_err_set(err, EKSKIT_ERR_INTERNAL, "unhandled flag %d", id);
	}
}

void
tool_out_stdout(void *arg, const char *text)
{
	(void)arg;
	fputs(text, stdout);
}

void
tool_notify_stderr(void *arg, int level, const char *msg)
{
	const struct cli_logger *log = arg;

	if (level == 0)
		cli_warn(log, "%s", msg);
	else
		cli_log(log, "%s", msg);
}

int
main(int argc, char **argv)
{
	struct ekskit_err err;
	struct cli_logger log;
	struct ekc_io io;
	struct args a;
	int ret;

	/* before any secret is read: no core dumps, no ptrace (EKSKIT_ALLOW_CORE_DUMPS=1 keeps them) */
	(void)proc_protect_secrets();
	if (argc > 1 && strcmp(argv[1], "convert") == 0)
		return convert_main(argc - 1, argv + 1);
	memset(&a, 0, sizeof(a));
	ekskit_err_clear(&err);
	a.o.entry.env = a.env;
	ret = cli_parse(&tool, argc, argv, on_flag, &a, NULL, stdout, &err);
	if (ret == CLI_HANDLED)
		return CLI_EXIT_OK;
	a.o.verbose = a.verbose;
	if (ret == EKSKIT_OK)
		ret = ekc_check(&a.o, &err);
	if (ret == EKSKIT_ERR_USAGE) {
		cli_print_usage_error(&tool, err.msg, stderr);
		return CLI_EXIT_USAGE;
	}
	cli_logger_init(&log, PROG, a.verbose);
	io.out = tool_out_stdout;
	io.notify = tool_notify_stderr;
	io.arg = &log;
	if (ret == EKSKIT_OK)
		ret = ekc_run(&a.o, &io, &err);
	if (fflush(stdout) != 0 && ret == EKSKIT_OK)
		ret = ekskit_err_set(&err, EKSKIT_ERR_IO, "writing to stdout failed");
	if (ret != EKSKIT_OK)
		cli_error(&log, "%s", err.msg[0] ? err.msg : ekskit_strerror(ret));
	return cli_exit_code(ret);
}
