/*
 * eks-token: the kubectl exec credential plugin for Amazon EKS.
 *
 * Thin front end: parse the flags (the table below also drives --help and
 * --list-flags, which the completion tests check), mint the token with
 * tokengen, print the ExecCredential (or the bare token) on stdout.
 * Diagnostics and errors go to stderr; nothing else ever reaches stdout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ekskit/buf.h"
#include "ekskit/cache.h"
#include "ekskit/cli.h"
#include "ekskit/error.h"
#include "ekskit/execcred.h"
#include "ekskit/proc.h"
#include "ekskit/timeutil.h"
#include "ekskit/tokengen.h"

#define PROG "eks-token"
#define AUTHENTICATOR "aws-iam-authenticator"
#define EKSKIT_TOKEN_TIMEOUT_S 30       /* total, unless EKSKIT_TIMEOUT says otherwise */

enum flag_id {
	F_CLUSTER_NAME = 1,
	F_CLUSTER_ID,
	F_REGION,
	F_PROFILE,
	F_ROLE_ARN,
	F_SESSION_NAME,
	F_EXTERNAL_ID,
	F_TOKEN_ONLY,
	F_VERBOSE,
	F_NO_CACHE,
	F_CLEAR_CACHE,
	F_FORWARD_SESSION_NAME,
	F_CACHE,
};

/* Add rows here; --help, --list-flags and the completion tests follow. */
static const struct cli_flag flags[] = {
	{ "cluster-name", 0, "NAME", "the EKS cluster name (the token's x-k8s-aws-id)",
	  0, F_CLUSTER_NAME, CLI_COMPLETE_NONE },
	{ "name", 0, "NAME", NULL, CLI_FLAG_ALIAS, F_CLUSTER_NAME, CLI_COMPLETE_NONE },
	{ "cluster-id", 'i', "ID", "the cluster id instead of the name (Outposts; aws-iam-authenticator style)",
	  0, F_CLUSTER_ID, CLI_COMPLETE_NONE },
	{ "region", 0, "REGION", "AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, profile)",
	  0, F_REGION, CLI_COMPLETE_REGION },
	{ "profile", 0, "PROFILE", "profile from the AWS config files (default: AWS_PROFILE)",
	  0, F_PROFILE, CLI_COMPLETE_PROFILE },
	{ "role-arn", 0, "ARN", "assume this IAM role first and sign with its credentials",
	  0, F_ROLE_ARN, CLI_COMPLETE_NONE },
	{ "role", 'r', "ARN", NULL, CLI_FLAG_ALIAS, F_ROLE_ARN, CLI_COMPLETE_NONE },
	{ "session-name", 's', "NAME", "role session name for --role-arn (default " TOKENGEN_DEFAULT_SESSION_NAME ")",
	  0, F_SESSION_NAME, CLI_COMPLETE_NONE },
	{ "external-id", 'e', "ID", "external id for --role-arn",
	  0, F_EXTERNAL_ID, CLI_COMPLETE_NONE },
	{ "token-only", 0, NULL, "print only the token, not the ExecCredential JSON",
	  0, F_TOKEN_ONLY, CLI_COMPLETE_NONE },
	{ "forward-session-name", 0, NULL, "with --role-arn, reuse the caller's role session name",
	  0, F_FORWARD_SESSION_NAME, CLI_COMPLETE_NONE },
	{ "cache", 0, NULL, "accepted for aws-iam-authenticator (eks-token caches assumed roles anyway)",
	  0, F_CACHE, CLI_COMPLETE_NONE },
	{ "no-cache", 0, NULL, "neither read nor write the credential cache",
	  0, F_NO_CACHE, CLI_COMPLETE_NONE },
	{ "clear-cache", 0, NULL, "remove every cached credential first (alone: just that)",
	  0, F_CLEAR_CACHE, CLI_COMPLETE_NONE },
	{ "verbose", 'v', NULL, "diagnostics on stderr (credential source, region, STS host, expiry)",
	  0, F_VERBOSE, CLI_COMPLETE_NONE },
	CLI_ROW_HELP,
	CLI_ROW_VERSION,
};

static const struct cli_tool tool = {
	PROG, EKSKIT_VERSION, "--cluster-name NAME [options]",
	"Print a Kubernetes ExecCredential with an Amazon EKS bearer token (a\n"
	"presigned STS GetCallerIdentity URL), for kubectl's exec credential plugin\n"
	"interface.  The apiVersion follows KUBERNETES_EXEC_INFO (default v1beta1).",
	"Exit status: 0 success, 1 failure (credentials, AWS error, configuration),\n"
	"2 usage error.  See eks-token(1).",
	flags, sizeof(flags) / sizeof(flags[0]),
};

struct args {
	struct tokengen_opts gen;
	const char *cluster_name;
	const char *cluster_id;
	int token_only;
	int verbose;
	int clear_cache;
};

static int
on_flag(void *ud, int id, const char *arg, struct ekskit_err *err)
{
	struct args *a = ud;

	switch (id) {
	case F_CLUSTER_NAME:
		return cli_nonempty("cluster-name", arg, &a->cluster_name, err);
	case F_CLUSTER_ID:
		return cli_nonempty("cluster-id", arg, &a->cluster_id, err);
	case F_REGION:
		return cli_nonempty("region", arg, &a->gen.region, err);
	case F_PROFILE:
		return cli_nonempty("profile", arg, &a->gen.profile, err);
	case F_ROLE_ARN:
		return cli_nonempty("role-arn", arg, &a->gen.role_arn, err);
	case F_SESSION_NAME:
		return cli_nonempty("session-name", arg, &a->gen.session_name, err);
	case F_EXTERNAL_ID:
		return cli_nonempty("external-id", arg, &a->gen.external_id, err);
	case F_TOKEN_ONLY:
		a->token_only = 1;
		return EKSKIT_OK;
	case F_VERBOSE:
		a->verbose++;
		return EKSKIT_OK;
	case F_NO_CACHE:
		a->gen.no_cache = 1;
		return EKSKIT_OK;
	case F_CLEAR_CACHE:
		a->clear_cache = 1;
		return EKSKIT_OK;
	case F_FORWARD_SESSION_NAME:
		a->gen.forward_session_name = 1;
		return EKSKIT_OK;
	case F_CACHE:
		return EKSKIT_OK;
	default:
		return ekskit_err_set(err, EKSKIT_ERR_INTERNAL, "unhandled flag %d", id);
	}
}

/* Invoked as aws-iam-authenticator (a symlink to eks-token)? */
static int
as_authenticator(const char *argv0)
{
	const char *base = argv0 ? strrchr(argv0, '/') : NULL;

	base = base ? base + 1 : argv0;
	return base != NULL && strcmp(base, AUTHENTICATOR) == 0;
}

/*
 * aws-iam-authenticator's command line: `token` is the one positional word
 * (required under that name), and its environment defaults apply there:
 * KUBERNETES_AWS_AUTHENTICATOR_CLUSTER_ID and DEFAULT_ROLE.
 */
static int
authenticator_args(struct args *a, int argc, char **argv, int first,
    struct ekskit_err *err)
{
	int compat = as_authenticator(argv[0]);
	const char *v;

	if (first < argc && (strcmp(argv[first], "token") != 0 || first + 1 < argc))
		return ekskit_err_set(err, EKSKIT_ERR_USAGE, "unexpected argument "
		    "'%.64s' (the only subcommand is token)",
		    argv[strcmp(argv[first], "token") != 0 ? first : first + 1]);
	if (!compat)
		return EKSKIT_OK;
	if (first >= argc)
		return ekskit_err_set(err, EKSKIT_ERR_USAGE, "ekskit provides only the "
		    "token subcommand of " AUTHENTICATOR " (e.g. " AUTHENTICATOR
		    " token -i CLUSTER)");
	if (a->cluster_name == NULL && a->cluster_id == NULL &&
	    (v = getenv("KUBERNETES_AWS_AUTHENTICATOR_CLUSTER_ID")) != NULL && *v)
		a->cluster_id = v;
	if (a->gen.role_arn == NULL && (v = getenv("DEFAULT_ROLE")) != NULL && *v)
		a->gen.role_arn = v;
	return EKSKIT_OK;
}

/*
 * A shared user (provideClusterInfo): without --cluster-name, the cluster,
 * region, role and profile come from KUBERNETES_EXEC_INFO's
 * spec.cluster.config; flags still win.  No config: the usage error below.
 */
static int
shared_user_args(struct args *a, struct execcred_cluster_config *cfg,
    struct ekskit_err *err)
{
	int r;

	if (a->cluster_name != NULL || a->cluster_id != NULL || a->clear_cache)
		return EKSKIT_OK;
	r = execcred_cluster_config(getenv("KUBERNETES_EXEC_INFO"), cfg, err);
	if (r == EKSKIT_ERR_NOT_FOUND) {
		ekskit_err_clear(err);
		return EKSKIT_OK;
	}
	if (r != EKSKIT_OK)
		return r;
	a->cluster_name = cfg->cluster_name;
	a->cluster_id = cfg->cluster_id;
	if (a->gen.region == NULL)
		a->gen.region = cfg->region;
	if (a->gen.role_arn == NULL)
		a->gen.role_arn = cfg->role_arn;
	if (a->gen.profile == NULL)
		a->gen.profile = cfg->profile;
	return EKSKIT_OK;
}

/* Flags that only make sense together, and the one cluster id. */
static int
check_args(struct args *a, struct ekskit_err *err)
{
	if (a->cluster_name && a->cluster_id && strcmp(a->cluster_name, a->cluster_id) != 0)
		return ekskit_err_set(err, EKSKIT_ERR_USAGE,
		    "--cluster-name and --cluster-id set different values; give one");
	a->gen.cluster_id = a->cluster_name ? a->cluster_name : a->cluster_id;
	if (a->gen.cluster_id == NULL && a->clear_cache)
		return EKSKIT_OK;  /* --clear-cache alone */
	if (a->gen.cluster_id == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_USAGE,
		    "missing --cluster-name NAME (or --cluster-id ID, or a shared "
		    "user's cluster config in KUBERNETES_EXEC_INFO)");
	if ((a->gen.session_name || a->gen.external_id) && a->gen.role_arn == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_USAGE,
		    "--session-name and --external-id need --role-arn");
	if (a->gen.forward_session_name && a->gen.role_arn == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_USAGE,
		    "--forward-session-name needs --role-arn");
	if (a->gen.forward_session_name && a->gen.session_name)
		return ekskit_err_set(err, EKSKIT_ERR_USAGE,
		    "--forward-session-name and --session-name exclude each other");
	return EKSKIT_OK;
}

/* Write all of s to stdout; 0 or EKSKIT_ERR_IO. */
static int
emit(const char *s, size_t len, struct ekskit_err *err)
{
	if (fwrite(s, 1, len, stdout) != len || fflush(stdout) != 0)
		return ekskit_err_set(err, EKSKIT_ERR_IO, "writing to stdout failed");
	return EKSKIT_OK;
}

/* Cache warnings (an ignored entry, an unsafe directory) go to stderr. */
static struct cli_logger *warn_log;

static void
cache_warning(const char *msg)
{
	cli_warn(warn_log, "%s", msg);
}

/* --clear-cache: the library removes the files; we report. */
static int
clear_cache(struct cli_logger *log, struct ekskit_err *err)
{
	int removed = 0, ret;

	if ((ret = cache_clear(NULL, &removed, err)) == EKSKIT_OK)
		cli_log(log, "removed %d cached credential%s", removed,
		    removed == 1 ? "" : "s");
	return ret;
}

static int
run(struct args *a, struct cli_logger *log, struct ekskit_err *err)
{
	struct tokengen_result res;
	const char *api_version = NULL;
	char *line = NULL;
	size_t len = 0;
	int deprecated = 0, interactive, ret;

	if (!a->token_only) {
		ret = execcred_api_version(getenv("KUBERNETES_EXEC_INFO"), &api_version,
		    &deprecated, err);
		if (ret != EKSKIT_OK)
			return ret;
		if (deprecated)
			cli_warn(log, "exec credential apiVersion %s is deprecated; "
			    "use client.authentication.k8s.io/v1 in your kubeconfig", api_version);
		cli_log(log, "answering with apiVersion %s", api_version);
	}
	/* prompt only when kubectl says so, or when run by hand (no exec info) */
	interactive = execcred_interactive(getenv("KUBERNETES_EXEC_INFO"));
	a->gen.no_prompt = interactive == 0;
	a->gen.log = log;
	if ((ret = tokengen_run(&a->gen, &res, err)) != EKSKIT_OK)
		return ret;
	if (a->token_only) {
		if ((ret = emit(res.token, strlen(res.token), err)) == EKSKIT_OK)
			ret = emit("\n", 1, err);
	} else if ((ret = execcred_format_spec(api_version, res.token,
	    res.expiration, interactive == 1, &line, &len, err)) == EKSKIT_OK)
		ret = emit(line, len, err);
	ek_free_secret(line);
	tokengen_result_release(&res);
	return ret;
}

int
main(int argc, char **argv)
{
	struct ekskit_err err;
	struct cli_logger log;
	struct execcred_cluster_config cfg;
	struct args a;
	int ret, first = argc;

	/* before any secret is read: no core dumps, no ptrace (EKSKIT_ALLOW_CORE_DUMPS=1 keeps them) */
	(void)proc_protect_secrets();

	memset(&a, 0, sizeof(a));
	memset(&cfg, 0, sizeof(cfg));
	ekskit_err_clear(&err);
	ret = cli_parse(&tool, argc, argv, on_flag, &a, &first, stdout, &err);
	if (ret == CLI_HANDLED)
		return CLI_EXIT_OK;
	if (ret == EKSKIT_OK)
		ret = authenticator_args(&a, argc, argv, first, &err);
	if (ret == EKSKIT_OK)
		ret = shared_user_args(&a, &cfg, &err);
	if (ret == EKSKIT_OK)
		ret = check_args(&a, &err);
	/* kubectl waits on us: the whole run ends by EKSKIT_TIMEOUT seconds */
	if (ret == EKSKIT_OK)
		ret = timeutil_deadline_from_env("EKSKIT_TIMEOUT",
		    EKSKIT_TOKEN_TIMEOUT_S, &err);
	if (ret == EKSKIT_ERR_USAGE) {
		cli_print_usage_error(&tool, err.msg, stderr);
		execcred_cluster_config_release(&cfg);
		return CLI_EXIT_USAGE;
	}
	cli_logger_init(&log, as_authenticator(argv[0]) ? AUTHENTICATOR : PROG, a.verbose);
	warn_log = &log;
	cache_set_warn_handler(cache_warning);
	if (ret == EKSKIT_OK && a.clear_cache)
		ret = clear_cache(&log, &err);
	if (ret == EKSKIT_OK && a.gen.cluster_id != NULL)
		ret = run(&a, &log, &err);
	if (ret != EKSKIT_OK && timeutil_deadline_passed())
		ekskit_err_prefix(&err, "gave up after %s s (the EKSKIT_TIMEOUT limit)",
		    getenv("EKSKIT_TIMEOUT") && *getenv("EKSKIT_TIMEOUT") ?
		    getenv("EKSKIT_TIMEOUT") : "30");
	if (ret != EKSKIT_OK)
		cli_error(&log, "%s", err.msg[0] ? err.msg : ekskit_strerror(ret));
	execcred_cluster_config_release(&cfg);
	return cli_exit_code(ret);
}
