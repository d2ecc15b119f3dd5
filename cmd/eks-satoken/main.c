/*
 * eks-satoken: service-account tokens (TokenRequest) and kubeconfigs that
 * use them.  Front end only: flags in, library call, output out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ekskit/cli.h"
#include "ekskit/execcred.h"
#include "ekskit/fileio.h"
#include "ekskit/k8s.h"
#include "ekskit/proc.h"
#include "ekskit/satoken.h"
#include "ekskit/termsafe.h"
#include "ekskit/timeutil.h"

#define MAX_AUDIENCES 16

enum {
	F_KUBECONFIG = 1, F_CONTEXT, F_NAMESPACE, F_SA, F_DURATION, F_AUDIENCE,
	F_BOUND_KIND, F_BOUND_NAME, F_BOUND_UID, F_CREATE, F_BIND_CLUSTERROLE,
	F_BIND_ROLE, F_ROLE_KIND, F_LEGACY, F_REVOKE, F_TIMEOUT, F_OUTPUT,
	F_OUTPUT_FILE, F_NO_CACHE, F_VERBOSE,
};

static const struct cli_flag flags[] = {
	{ "kubeconfig", 0, "PATH", "kubeconfig to read (default: $KUBECONFIG, ~/.kube/config)", 0, F_KUBECONFIG, CLI_COMPLETE_FILE },
	{ "context", 0, "NAME", "context to use (default: current-context)", 0, F_CONTEXT, CLI_COMPLETE_CONTEXT },
	{ "namespace", 'n', "NS", "namespace of the service account (default: the context's, else default)", 0, F_NAMESPACE, CLI_COMPLETE_NONE },
	{ "service-account", 0, "SA", "service account to mint a token for (required)", 0, F_SA, CLI_COMPLETE_NONE },
	{ "duration", 0, "DURATION", "token lifetime as a Go duration (1h, 30m); at least 10m", 0, F_DURATION, CLI_COMPLETE_NONE },
	{ "audience", 0, "AUD", "intended audience of the token (repeatable)", 0, F_AUDIENCE, CLI_COMPLETE_NONE },
	{ "bound-object-kind", 0, "KIND", "bind the token to a Pod, Secret or Node", 0, F_BOUND_KIND, CLI_COMPLETE_NONE },
	{ "bound-object-name", 0, "NAME", "name of the bound object", 0, F_BOUND_NAME, CLI_COMPLETE_NONE },
	{ "bound-object-uid", 0, "UID", "UID of the bound object", 0, F_BOUND_UID, CLI_COMPLETE_NONE },
	{ "create", 0, NULL, "create the service account when it does not exist", 0, F_CREATE, CLI_COMPLETE_NONE },
	{ "bind-clusterrole", 0, "NAME", "grant ClusterRole NAME cluster-wide (ClusterRoleBinding)", 0, F_BIND_CLUSTERROLE, CLI_COMPLETE_NONE },
	{ "bind-role", 0, "NAME", "grant NAME in the namespace (RoleBinding)", 0, F_BIND_ROLE, CLI_COMPLETE_NONE },
	{ "role-kind", 0, "KIND", "what --bind-role names: Role (default) or ClusterRole", 0, F_ROLE_KIND, CLI_COMPLETE_NONE },
	{ "legacy-secret", 0, NULL, "use a long-lived kubernetes.io/service-account-token Secret", 0, F_LEGACY, CLI_COMPLETE_NONE },
	{ "revoke", 0, NULL, "revoke: delete the legacy Secret or the bound object", 0, F_REVOKE, CLI_COMPLETE_NONE },
	{ "timeout", 0, "DURATION", "time limit for API calls and the legacy Secret (default 30s)", 0, F_TIMEOUT, CLI_COMPLETE_NONE },
	{ "output", 'o', "FORMAT", "token (default), json, exec-credential or kubeconfig", 0, F_OUTPUT, CLI_COMPLETE_NONE },
	{ "output-file", 0, "PATH", "write the output to PATH (mode 0600) instead of stdout", 0, F_OUTPUT_FILE, CLI_COMPLETE_FILE },
	{ "no-cache", 0, NULL, "exec-credential: do not use or update the token cache", 0, F_NO_CACHE, CLI_COMPLETE_NONE },
	{ "verbose", 'v', NULL, "diagnostics on stderr (never the token)", 0, F_VERBOSE, CLI_COMPLETE_NONE },
	CLI_ROW_HELP,
	CLI_ROW_VERSION,
};

static const struct cli_tool tool = {
	.name = "eks-satoken",
	.version = EKSKIT_VERSION,
	.synopsis = "--service-account SA [--namespace NS] [options]",
	.summary = "Mint a service-account token with the TokenRequest API (or a legacy\n"
	    "token Secret) using the credentials of a kubeconfig context, and print it\n"
	    "as a token, JSON, an ExecCredential, or a standalone kubeconfig.",
	.epilog = "Exit status: 0 ok, 1 failure (API error, unreachable server, bad\n"
	    "kubeconfig), 2 usage error.",
	.flags = flags,
	.nflags = sizeof(flags) / sizeof(flags[0]),
};

struct args {
	struct satoken_opts o;
	const char *audiences[MAX_AUDIENCES];
	const char *output_file;
};

static int
parse_output(const char *s, enum satoken_output *out)
{
	static const struct { const char *name; enum satoken_output v; } m[] = {
		{ "token", SATOKEN_OUT_TOKEN }, { "json", SATOKEN_OUT_JSON },
		{ "exec-credential", SATOKEN_OUT_EXEC },
		{ "kubeconfig", SATOKEN_OUT_KUBECONFIG },
	};
	size_t i;

	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		if (strcmp(s, m[i].name) == 0) {
			*out = m[i].v;
			return 0;
		}
	return -1;
}

static int
on_flag(void *ud, int id, const char *arg, struct ekskit_err *err)
{
	struct args *a = ud;
	struct satoken_opts *o = &a->o;
	long long secs;

	switch (id) {
	case F_KUBECONFIG: o->load.kubeconfig = arg; break;
	case F_CONTEXT: o->load.context = arg; break;
	case F_NAMESPACE: o->req.namespace = arg; break;
	case F_SA: o->req.service_account = arg; break;
	case F_DURATION:
		if (k8s_parse_duration(arg, &o->req.duration_seconds, err) != EKSKIT_OK)
			return EKSKIT_ERR_USAGE;
		/* 0 would mean "the server's default" to the library: refuse it */
		if (o->req.duration_seconds == 0)
			return ekskit_err_set(err, EKSKIT_ERR_USAGE,
			    "--duration %s is too short: the API server refuses tokens "
			    "valid for less than 10 minutes", arg);
		break;
	case F_AUDIENCE:
		if (o->req.naudiences == MAX_AUDIENCES)
			return ekskit_err_set(err, EKSKIT_ERR_USAGE,
			    "at most %d --audience flags", MAX_AUDIENCES);
		a->audiences[o->req.naudiences++] = arg;
		break;
	case F_BOUND_KIND: o->req.bound_kind = arg; break;
	case F_BOUND_NAME: o->req.bound_name = arg; break;
	case F_BOUND_UID: o->req.bound_uid = arg; break;
	case F_CREATE: o->create = 1; break;
	case F_BIND_CLUSTERROLE: o->bind_clusterrole = arg; break;
	case F_BIND_ROLE: o->bind_role = arg; break;
	case F_ROLE_KIND: o->role_kind = arg; break;
	case F_LEGACY: o->legacy_secret = 1; break;
	case F_REVOKE: o->revoke = 1; break;
	case F_TIMEOUT:
		if (k8s_parse_duration(arg, &secs, err) != EKSKIT_OK || secs <= 0 ||
		    secs > 3600)
			return ekskit_err_set(err, EKSKIT_ERR_USAGE,
			    "--timeout must be a duration between 1s and 1h");
		o->timeout_ms = (long)secs * 1000;
		break;
	case F_OUTPUT:
		if (parse_output(arg, &o->output) != 0)
			return ekskit_err_set(err, EKSKIT_ERR_USAGE,
			    "--output must be token, json, exec-credential or kubeconfig");
		break;
	case F_OUTPUT_FILE: a->output_file = arg; break;
	case F_NO_CACHE: o->no_cache = 1; break;
	case F_VERBOSE: o->load.verbose++; break;
	}
	return EKSKIT_OK;
}

static void
report(const struct cli_logger *lg, const struct args *a,
    const struct satoken_outcome *res)
{
	char when[TIMEUTIL_RFC3339_LEN] = "";
	int quiet = a->o.output == SATOKEN_OUT_EXEC && !a->o.load.verbose;

	if (res->revoked != NULL) {
		term_printf(stderr, "deleted %s\n", res->revoked);
		return;
	}
	if (res->sa_created)
		term_printf(stderr, "created service account %s/%s\n", res->namespace,
		    a->o.req.service_account);
	if (res->binding_created)
		term_printf(stderr, "created role binding for %s/%s\n", res->namespace,
		    a->o.req.service_account);
	if (res->expiration == 0) {
		if (!quiet)
			term_printf(stderr, "token of secret %s/%s-token does not expire; "
			    "revoke it with --legacy-secret --revoke\n", res->namespace,
			    a->o.req.service_account);
		return;
	}
	timeutil_format_rfc3339(res->expiration, when);
	if (res->requested_seconds > 0 && !res->cache_hit &&
	    res->granted_seconds < res->requested_seconds - 60)
		cli_warn(lg, "the API server granted %llds, less than the %llds asked "
		    "for (it caps token lifetimes)", res->granted_seconds,
		    res->requested_seconds);
	if (!quiet)
		term_printf(stderr, "token expires at %s%s\n", when,
		    res->cache_hit ? " (cached)" : "");
}

static int
emit(const struct args *a, const struct satoken_outcome *res,
    const struct ekbuf *out, struct ekskit_err *err)
{
	/* --revoke has no output: never replace --output-file with nothing */
	if (res->revoked != NULL)
		return EKSKIT_OK;
	if (a->output_file != NULL)
		/* never through a symlink someone else planted */
		return ek_write_output_file(a->output_file, out->data, out->len,
		    0600, err);
	if (out->len > 0)
		fwrite(out->data, 1, out->len, stdout);
	/* a bare token gets a newline only for a human, like kubectl create token */
	if (a->o.output == SATOKEN_OUT_TOKEN && isatty(STDOUT_FILENO))
		fputc('\n', stdout);
	return fflush(stdout) == 0 ? EKSKIT_OK :
	    ekskit_err_set(err, EKSKIT_ERR_IO, "cannot write to stdout");
}

int
main(int argc, char **argv)
{
	struct satoken_outcome res = { 0 };
	struct ekskit_err err = { 0 };
	struct cli_logger lg;
	struct args a = { 0 };
	struct ekbuf out;
	int rc, deprecated = 0;

	/* before any secret is read: no core dumps, no ptrace (EKSKIT_ALLOW_CORE_DUMPS=1 keeps them) */
	(void)proc_protect_secrets();

	rc = cli_parse(&tool, argc, argv, on_flag, &a, NULL, stdout, &err);
	if (rc == CLI_HANDLED)
		return CLI_EXIT_OK;
	if (rc == EKSKIT_OK && a.o.req.service_account == NULL)
		rc = ekskit_err_set(&err, EKSKIT_ERR_USAGE, "--service-account is required");
	if (rc != EKSKIT_OK) {
		cli_print_usage_error(&tool, err.msg, stderr);
		return cli_exit_code(rc);
	}
	cli_logger_init(&lg, tool.name, a.o.load.verbose);
	a.o.req.audiences = a.audiences;
	a.o.now = time(NULL);
	if (a.o.output == SATOKEN_OUT_EXEC) {
		if (execcred_api_version(getenv("KUBERNETES_EXEC_INFO"),
		    &a.o.exec_api_version, &deprecated, &err) != EKSKIT_OK) {
			cli_error(&lg, "%s", err.msg);
			return CLI_EXIT_FAILURE;
		}
		if (deprecated)
			cli_warn(&lg, "client.authentication.k8s.io/v1alpha1 is "
			    "deprecated: use v1 or v1beta1 in the kubeconfig");
	}
	ekbuf_init_secret(&out, 0);
	rc = satoken_run(&a.o, &out, &res, &err);
	/* whether the run worked or not: the connection was not verified */
	if (res.insecure)
		cli_warn(&lg, "the kubeconfig sets insecure-skip-tls-verify: the API "
		    "server's identity is not checked");
	if (rc == EKSKIT_OK)
		rc = emit(&a, &res, &out, &err);
	if (rc == EKSKIT_OK)
		report(&lg, &a, &res);
	else if (rc == EKSKIT_ERR_USAGE)
		cli_print_usage_error(&tool, err.msg, stderr);
	else
		cli_error(&lg, "%s", err.msg);
	ekbuf_release(&out);
	satoken_outcome_release(&res);
	return cli_exit_code(rc);
}
