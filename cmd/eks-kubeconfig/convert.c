/*
 * `eks-kubeconfig convert`: parse the flags, let kcv_run do the work.
 * The table drives parsing, --help and --list-flags (the completion tests
 * check the scripts cover it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ekskit/cli.h"
#include "ekskit/error.h"
#include "ekskit/kubeconfig_convert.h"

#include "convert.h"

#define MAX_CONTEXTS 256

enum flag_id {
	F_CONTEXT = 1,
	F_KUBECONFIG,
	F_DRY_RUN,
	F_TO,
	F_EXEC_COMMAND,
	F_EXEC_ABSOLUTE,
	F_VERBOSE,
};

static const struct cli_flag flags[] = {
	{ "context", 0, "NAME", "convert only the user of this context (repeatable; default: every user)",
	  0, F_CONTEXT, CLI_COMPLETE_CONTEXT },
	{ "kubeconfig", 0, "PATH", "the kubeconfig to convert (default: KUBECONFIG, ~/.kube/config)",
	  0, F_KUBECONFIG, CLI_COMPLETE_FILE },
	{ "dry-run", 0, NULL, "print the report and a unified diff; write nothing",
	  0, F_DRY_RUN, CLI_COMPLETE_NONE },
	{ "to", 0, "TOOL", "eks-token (default) or aws (back to `aws eks get-token`)",
	  0, F_TO, CLI_COMPLETE_NONE },
	{ "exec-command", 0, "CMD", "command written for eks-token (a name, or an absolute path)",
	  0, F_EXEC_COMMAND, CLI_COMPLETE_FILE },
	{ "exec-absolute", 0, NULL, "write eks-token's absolute path (beside eks-kubeconfig, or from PATH)",
	  0, F_EXEC_ABSOLUTE, CLI_COMPLETE_NONE },
	{ "verbose", 'v', NULL, "diagnostics on stderr",
	  0, F_VERBOSE, CLI_COMPLETE_NONE },
	CLI_ROW_HELP,
	CLI_ROW_VERSION,
};

static const struct cli_tool tool = {
	"eks-kubeconfig convert", EKSKIT_VERSION,
	"[--context NAME]... [--kubeconfig PATH] [--dry-run] [--to aws]",
	"Rewrite, in place, the kubeconfig users whose exec block runs `aws eks\n"
	"get-token` or `aws-iam-authenticator token` so that they run eks-token\n"
	"with the same cluster, region, profile, role, external id and session\n"
	"name (v1alpha1 becomes v1beta1); --to aws writes the AWS CLI's form back.\n"
	"Everything else of the file stays; every user is reported converted or\n"
	"left alone, and why.",
	"Exit status: 0 success (also when nothing needed converting), 1 failure\n"
	"(bad kubeconfig, lock held, unknown --context), 2 usage error.\n"
	"See eks-kubeconfig(1).",
	flags, sizeof(flags) / sizeof(flags[0]),
};

struct args {
	struct kcv_opts o;
	const char *contexts[MAX_CONTEXTS];
	int verbose;
};

static int
on_flag(void *ud, int id, const char *arg, struct ekskit_err *err)
{
	struct args *a = ud;

	switch (id) {
	case F_CONTEXT:
		if (a->o.ncontexts >= MAX_CONTEXTS)
			return ekskit_err_set(err, EKSKIT_ERR_USAGE, "too many --context");
		return cli_nonempty("context", arg, &a->contexts[a->o.ncontexts++], err);
	case F_KUBECONFIG: return cli_nonempty("kubeconfig", arg, &a->o.kubeconfig_flag, err);
	case F_EXEC_COMMAND: return cli_nonempty("exec-command", arg, &a->o.exec_command, err);
	case F_DRY_RUN: a->o.dry_run = 1; return EKSKIT_OK;
	case F_EXEC_ABSOLUTE: a->o.exec_absolute = 1; return EKSKIT_OK;
	case F_VERBOSE: a->verbose++; return EKSKIT_OK;
	case F_TO:
		if (strcmp(arg, "aws") == 0)
			a->o.to = KCV_TO_AWS;
		else if (strcmp(arg, "eks-token") == 0)
			a->o.to = KCV_TO_EKS_TOKEN;
		else
			return ekskit_err_set(err, EKSKIT_ERR_USAGE,
			    "--to must be eks-token or aws");
		return EKSKIT_OK;
	default:
		return ekskit_err_set(err, EKSKIT_ERR_INTERNAL, "unhandled flag %d", id);
	}
}

int
convert_main(int argc, char **argv)
{
	struct ekskit_err err;
	struct cli_logger log;
	struct args a;
	int ret;

	memset(&a, 0, sizeof(a));
	ekskit_err_clear(&err);
	ret = cli_parse(&tool, argc, argv, on_flag, &a, NULL, stdout, &err);
	if (ret == CLI_HANDLED)
		return CLI_EXIT_OK;
	if (ret == EKSKIT_OK)
		ret = kcv_check(&a.o, &err);
	if (ret == EKSKIT_ERR_USAGE) {
		cli_print_usage_error(&tool, err.msg, stderr);
		return CLI_EXIT_USAGE;
	}
	cli_logger_init(&log, "eks-kubeconfig", a.verbose);
	a.o.contexts = a.contexts;
	a.o.kubeconfig_env = getenv("KUBECONFIG");
	a.o.home = getenv("HOME");
	a.o.out = tool_out_stdout;
	a.o.notify = tool_notify_stderr;
	a.o.arg = &log;
	if (ret == EKSKIT_OK)
		ret = kcv_run(&a.o, NULL, &err);
	if (fflush(stdout) != 0 && ret == EKSKIT_OK)
		ret = ekskit_err_set(&err, EKSKIT_ERR_IO, "writing to stdout failed");
	if (ret != EKSKIT_OK)
		cli_error(&log, "%s", err.msg[0] ? err.msg : ekskit_strerror(ret));
	return cli_exit_code(ret);
}
