/*
 * eks-hosts: make a private EKS API endpoint resolvable by keeping its
 * addresses in a managed block of the hosts file.  Thin front end: flags in,
 * lib/hostsync.c does the work, text out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ekskit/buf.h"
#include "ekskit/cli.h"
#include "ekskit/error.h"
#include "ekskit/hostsync.h"
#include "ekskit/proc.h"

enum {
	F_CLUSTER = 1, F_REGION, F_PROFILE, F_RESOLVER, F_ENDPOINT, F_CHECK,
	F_PROBE, F_REMOVE, F_DRY_RUN, F_ALL, F_HOSTS_FILE, F_FLUSH_DNS, F_VERBOSE,
};

static const struct cli_flag flags[] = {
	{ "cluster-name", 0, "NAME", "the EKS cluster", 0, F_CLUSTER, CLI_COMPLETE_NONE },
	{ "name", 0, "NAME", NULL, CLI_FLAG_ALIAS, F_CLUSTER, CLI_COMPLETE_NONE },
	{ "region", 0, "REGION", "AWS region (default: AWS_REGION, profile)", 0, F_REGION,
	  CLI_COMPLETE_REGION },
	{ "profile", 0, "PROFILE", "AWS profile (default: AWS_PROFILE, default)", 0,
	  F_PROFILE, CLI_COMPLETE_PROFILE },
	{ "resolver", 0, "HOST[:PORT],...",
	  "take the addresses from these DNS servers (private answers only)", 0,
	  F_RESOLVER, CLI_COMPLETE_NONE },
	{ "endpoint", 0, "URL",
	  "with --resolver: the cluster endpoint, so no AWS credentials are needed", 0,
	  F_ENDPOINT, CLI_COMPLETE_NONE },
	{ "check", 0, NULL, "compare DNS and the hosts file with the cluster's addresses "
	  "(exit 0 right, 1 stale, 2 unresolvable)", 0, F_CHECK, CLI_COMPLETE_NONE },
	{ "probe", 0, NULL, "with --check: try TCP port 443 on each address", 0, F_PROBE,
	  CLI_COMPLETE_NONE },
	{ "remove", 0, NULL, "delete the cluster's block", 0, F_REMOVE, CLI_COMPLETE_NONE },
	{ "dry-run", 0, NULL, "print a unified diff of the change, write nothing", 0,
	  F_DRY_RUN, CLI_COMPLETE_NONE },
	{ "all", 0, NULL, "every cluster with private access in the region", 0, F_ALL,
	  CLI_COMPLETE_NONE },
	{ "hosts-file", 0, "PATH", "the hosts file (default: $EKS_HOSTS_FILE, /etc/hosts)",
	  0, F_HOSTS_FILE, CLI_COMPLETE_FILE },
	{ "flush-dns", 0, NULL, "flush the system DNS cache after a change", 0,
	  F_FLUSH_DNS, CLI_COMPLETE_NONE },
	{ "verbose", 'v', NULL, "diagnostics on stderr", 0, F_VERBOSE, CLI_COMPLETE_NONE },
	CLI_ROW_HELP,
	CLI_ROW_VERSION,
};

static const struct cli_tool tool = {
	"eks-hosts", EKSKIT_VERSION, "--cluster-name NAME [options] | --all [options]",
	"Keep the private addresses of an EKS cluster's API endpoint in a managed\n"
	"block of the hosts file, for clients (VPN, peering, Direct Connect) that\n"
	"cannot resolve the cluster's private Route 53 zone.",
	"Exit codes: 0 success (or --check: resolves right), 1 failure (or --check:\n"
	"stale or wrong addresses), 2 usage error (or --check: not resolvable /\n"
	"public only).  The block is \"# BEGIN eks-hosts REGION/CLUSTER\" ...\n"
	"\"# END eks-hosts REGION/CLUSTER\"; the previous file is kept as\n"
	"FILE.eks-hosts.bak.",
	flags, sizeof(flags) / sizeof(flags[0]),
};

static int
on_flag(void *ud, int id, const char *arg, struct ekskit_err *err)
{
	struct hostsync_opts *o = ud;

	(void)err;
	switch (id) {
	case F_CLUSTER: o->cluster = arg; break;
	case F_REGION: o->region = arg; break;
	case F_PROFILE: o->profile = arg; break;
	case F_RESOLVER: o->resolvers = arg; break;
	case F_ENDPOINT: o->endpoint = arg; break;
	case F_CHECK: o->check = 1; break;
	case F_PROBE: o->probe = 1; break;
	case F_REMOVE: o->remove = 1; break;
	case F_DRY_RUN: o->dry_run = 1; break;
	case F_ALL: o->all = 1; break;
	case F_HOSTS_FILE: o->hosts_file = arg; break;
	case F_FLUSH_DNS: o->flush_dns = 1; break;
	case F_VERBOSE: o->verbose++; break;
	}
	return EKSKIT_OK;
}

int main(int argc, char **argv);

int
main(int argc, char **argv)
{
	struct hostsync_opts o;
	struct cli_logger lg;
	struct ekskit_err err;
	struct ekbuf out;
	int r, verdict = 0;

	/* before any secret is read: no core dumps, no ptrace (EKSKIT_ALLOW_CORE_DUMPS=1 keeps them) */
	(void)proc_protect_secrets();

	memset(&o, 0, sizeof(o));
	ekskit_err_clear(&err);
	r = cli_parse(&tool, argc, argv, on_flag, &o, NULL, stdout, &err);
	if (r == CLI_HANDLED)
		return CLI_EXIT_OK;
	if (r != EKSKIT_OK) {
		cli_print_usage_error(&tool, err.msg, stderr);
		return CLI_EXIT_USAGE;
	}
	cli_logger_init(&lg, tool.name, o.verbose);
	o.log = &lg;
	ekbuf_init(&out, 0);
	r = hostsync_run(&o, &out, &verdict, &err);
	if (out.len > 0)
		fwrite(out.data, 1, out.len, stdout);
	ekbuf_release(&out);
	if (r == EKSKIT_ERR_USAGE) {
		cli_print_usage_error(&tool, err.msg, stderr);
		return CLI_EXIT_USAGE;
	}
	if (r != EKSKIT_OK) {
		cli_error(&lg, "%s", err.msg);
		return CLI_EXIT_FAILURE;
	}
	return o.check ? verdict : CLI_EXIT_OK;
}
