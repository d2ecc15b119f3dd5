/*
 * eks-access entry list|describe|create|update|delete|associate|disassociate:
 * EKS access entries through lib/eks_access*.c.  Flags are parsed by main.c;
 * this file checks which ones the subcommand takes, calls the library and
 * prints.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "ekskit/access_aws.h"
#include "ekskit/buf.h"
#include "ekskit/eks_access.h"
#include "ekskit/access_view.h"

typedef int (*entry_fn)(struct access_opts *o, struct access_aws *a,
    const char *arn, struct ekskit_err *err);

/* Print err (its message is already filtered of control characters). */
static int
fail(struct access_opts *o, int r, const struct ekskit_err *err)
{
	cli_error(o->log, "%s", err->msg[0] ? err->msg : ekskit_strerror(r));
	return cli_exit_code(r);
}

static int
usage(struct access_opts *o, const char *msg)
{
	cli_error(o->log, "%s (see eks-access --help)", msg);
	return CLI_EXIT_USAGE;
}

static void
spec_from_opts(const struct access_opts *o, const char *arn,
    struct eks_access_entry_spec *s)
{
	memset(s, 0, sizeof(*s));
	s->principal_arn = arn;
	s->type = o->type;
	s->username = o->username;
	s->groups = o->k8s_groups;
	s->ngroups = o->nk8s_groups;
}

static void
print_call(const struct eks_access_call *call)
{
	printf("dry run: would call %s\n%s %s%s%s\n", call->op, call->method,
	    call->path, call->query ? "?" : "", call->query ? call->query : "");
	if (call->body != NULL)
		printf("%s\n", call->body);
}

/* "a,b" of a NULL-terminated list, "-" when empty. */
static void
print_list(char *const *v)
{
	size_t i;

	if (v == NULL || v[0] == NULL) {
		fputs("-", stdout);
		return;
	}
	for (i = 0; v[i] != NULL; i++)
		printf("%s%s", i ? "," : "", v[i]);
}

static void
print_policies(const struct eks_access_entry *e)
{
	size_t i;

	if (e->npolicies == 0)
		fputs("-", stdout);
	for (i = 0; i < e->npolicies; i++) {
		const struct eks_associated_policy *p = &e->policies[i];

		printf("%s%s(%s", i ? "," : "", eks_access_policy_short(p->policy_arn),
		    p->scope.type);
		if (p->scope.namespaces != NULL && p->scope.namespaces[0] != NULL) {
			fputs(":", stdout);
			print_list(p->scope.namespaces);
		}
		fputs(")", stdout);
	}
}

static int
print_entries(struct access_opts *o, struct eks_access_entry **v, size_t n,
    int one, struct ekskit_err *err)
{
	json_t *j = NULL;
	size_t i;
	int r;

	if (o->format == ACCESS_FMT_TABLE) {
		if (!one)
			printf("%-60s %-14s %-40s %-20s %s\n", "PRINCIPAL", "TYPE",
			    "USERNAME", "GROUPS", "POLICIES");
		for (i = 0; i < n; i++) {
			printf(one ? "principal: %s\ntype:      %s\nusername:  %s\ngroups:    " :
			    "%-60s %-14s %-40s ", v[i]->principal_arn, v[i]->type,
			    v[i]->username ? v[i]->username : "-");
			print_list(v[i]->kubernetes_groups);
			fputs(one ? "\npolicies:  " : " ", stdout);
			print_policies(v[i]);
			putchar('\n');
		}
		return EKSKIT_OK;
	}
	if (!one && (j = json_array()) == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		json_t *e = eks_access_entry_json(v[i]);

		if (one)
			j = e;
		else if (e == NULL || json_array_append_new(j, e) != 0) {
			json_decref(j);
			j = NULL;
			break;
		}
	}
	if (j == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	r = access_print_doc(o, j, NULL, NULL, err);
	json_decref(j);
	return r;
}

int
access_print_doc(const struct access_opts *o, const json_t *doc,
    access_text_fn text, const void *ctx, struct ekskit_err *err)
{
	struct ekbuf b;
	char *s = NULL;
	int r;

	ekbuf_init(&b, 0);
	if (o->format == ACCESS_FMT_TABLE && text != NULL)
		r = text(ctx, &b) == 0 ? EKSKIT_OK :
		    ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	else if (o->format == ACCESS_FMT_YAML)
		r = access_json_to_yaml(doc, &b, err);
	else if ((s = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
	    JSON_ENSURE_ASCII)) == NULL || ekbuf_printf(&b, "%s\n", s) != 0)
		r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	else
		r = EKSKIT_OK;
	if (r == EKSKIT_OK && (fwrite(b.data, 1, b.len, stdout) != b.len ||
	    fflush(stdout) != 0))
		r = ekskit_err_set(err, EKSKIT_ERR_IO, "writing the output failed");
	free(s);
	ekbuf_release(&b);
	return r;
}

static int
do_list(struct access_opts *o, struct access_aws *a, const char *arn,
    struct ekskit_err *err)
{
	struct eks_access_entry **v = NULL;
	size_t n = 0;
	int r;

	(void)arn;
	if ((r = eks_access_list_full(&a->eks, o->cluster_name, &v, &n, err)) == 0)
		r = print_entries(o, v, n, 0, err);
	eks_access_entries_free(v, n);
	return r;
}

static int
do_describe(struct access_opts *o, struct access_aws *a, const char *arn,
    struct ekskit_err *err)
{
	struct eks_access_entry *e = NULL;
	int r;

	if ((r = eks_access_describe_full(&a->eks, o->cluster_name, arn, &e,
	    err)) == 0)
		r = print_entries(o, &e, 1, 1, err);
	eks_access_entry_free(e);
	return r;
}

/* Send a built call (or show it with --dry-run); say what was done. */
static int
send_or_show(struct access_opts *o, struct access_aws *a,
    struct eks_access_call *call, const char *done, const char *arn,
    struct ekskit_err *err)
{
	int r = EKSKIT_OK;

	if (o->dry_run)
		print_call(call);
	else if ((r = eks_access_call_send(&a->eks, call, NULL, err)) == 0)
		printf("%s: %s\n", done, arn);
	eks_access_call_release(call);
	return r;
}

static int
do_create(struct access_opts *o, struct access_aws *a, const char *arn,
    struct ekskit_err *err)
{
	struct eks_access_entry_spec s;
	struct eks_access_call call;
	int r;

	spec_from_opts(o, arn, &s);
	if ((r = eks_access_build_create(o->cluster_name, &s, &call, err)) != 0)
		return r;
	return send_or_show(o, a, &call, "created access entry", arn, err);
}

static int
do_update(struct access_opts *o, struct access_aws *a, const char *arn,
    struct ekskit_err *err)
{
	struct eks_access_entry *cur = NULL;
	struct eks_access_entry_spec s;
	struct eks_access_call call;
	int r;

	spec_from_opts(o, arn, &s);
	if (s.ngroups == 0 && s.username == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_USAGE, "entry update: give "
		    "--kubernetes-group G... and/or --username U (what is not "
		    "given is kept)");
	/* UpdateAccessEntry resets what it is not sent: start from the current state */
	if ((r = eks_access_describe(&a->eks, o->cluster_name, arn, &cur, err)) != 0)
		return r;
	r = eks_access_build_update(o->cluster_name, cur, &s, &call, err);
	eks_access_entry_free(cur);
	if (r != EKSKIT_OK)
		return r;
	return send_or_show(o, a, &call, "updated access entry", arn, err);
}

static int
do_delete(struct access_opts *o, struct access_aws *a, const char *arn,
    struct ekskit_err *err)
{
	struct eks_access_call call;
	int r;

	if ((r = eks_access_build_delete(o->cluster_name, arn, &call, err)) != 0)
		return r;
	return send_or_show(o, a, &call, "deleted access entry", arn, err);
}

static int
policy_arn(const struct access_opts *o, const char *arn, char **out,
    struct ekskit_err *err)
{
	*out = NULL;
	if (o->policy == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_USAGE,
		    "--policy NAME|ARN is required");
	return eks_access_policy_arn_for(arn, o->policy, out, err);
}

static int
do_associate(struct access_opts *o, struct access_aws *a, const char *arn,
    struct ekskit_err *err)
{
	struct eks_access_entry *cur = NULL;
	struct eks_access_call call;
	char *pol = NULL;
	int r;

	/* node entries take no policies: say so before calling */
	if ((r = policy_arn(o, arn, &pol, err)) == 0 &&
	    (r = eks_access_describe(&a->eks, o->cluster_name, arn, &cur, err)) == 0 &&
	    (r = eks_access_check_associable(cur, err)) == 0 &&
	    (r = eks_access_build_associate(o->cluster_name, arn, pol, o->scope,
	    o->namespaces, o->nnamespaces, &call, err)) == 0)
		r = send_or_show(o, a, &call, "associated", pol, err);
	eks_access_entry_free(cur);
	free(pol);
	return r;
}

static int
do_disassociate(struct access_opts *o, struct access_aws *a, const char *arn,
    struct ekskit_err *err)
{
	struct eks_access_call call;
	char *pol = NULL;
	int r;

	if ((r = policy_arn(o, arn, &pol, err)) == 0 &&
	    (r = eks_access_build_disassociate(o->cluster_name, arn, pol, &call,
	    err)) == 0)
		r = send_or_show(o, a, &call, "disassociated", pol, err);
	free(pol);
	return r;
}

static const struct {
	const char *word;
	entry_fn fn;
	int takes_arn;
	int writes;
} verbs[] = {
	{ "list", do_list, 0, 0 },
	{ "describe", do_describe, 1, 0 },
	{ "create", do_create, 1, 1 },
	{ "update", do_update, 1, 1 },
	{ "delete", do_delete, 1, 1 },
	{ "associate", do_associate, 1, 1 },
	{ "disassociate", do_disassociate, 1, 1 },
};

/* Flags that make no sense for a verb are refused rather than ignored. */
static const char *
stray_flag(const struct access_opts *o, const char *verb)
{
	int entry_fields = strcmp(verb, "create") == 0 || strcmp(verb, "update") == 0;
	int policy = strcmp(verb, "associate") == 0 || strcmp(verb, "disassociate") == 0;

	if (!entry_fields && (o->nk8s_groups || o->username))
		return "--kubernetes-group and --username go with entry create|update";
	if (o->type != NULL && strcmp(verb, "create") != 0)
		return "--type goes with entry create (the type of an entry never changes)";
	if (!policy && o->policy != NULL)
		return "--policy goes with entry associate|disassociate";
	if (strcmp(verb, "associate") != 0 && (o->scope || o->nnamespaces))
		return "--scope and --namespace go with entry associate";
	if (o->ngroups)
		return "--group is for aws-auth mappings; entries take --kubernetes-group";
	return NULL;
}

int
access_cmd_entry(struct access_opts *o, int argc, char **argv)
{
	struct ekskit_err err;
	struct access_aws a;
	const char *stray;
	size_t i;
	int r;

	if (argc < 2)
		return usage(o, "entry needs a verb: list, describe, create, update, "
		    "delete, associate or disassociate");
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strcmp(argv[1], verbs[i].word) == 0)
			break;
	if (i == sizeof(verbs) / sizeof(verbs[0]))
		return usage(o, "unknown entry verb: use list, describe, create, "
		    "update, delete, associate or disassociate");
	if (argc != 2 + verbs[i].takes_arn)
		return usage(o, verbs[i].takes_arn ? "this entry verb takes one "
		    "principal ARN" : "entry list takes no ARN");
	if ((stray = stray_flag(o, verbs[i].word)) != NULL)
		return usage(o, stray);
	if (o->dry_run && !verbs[i].writes)
		return usage(o, "--dry-run goes with commands that write");
	if (o->cluster_name == NULL)
		return usage(o, "--cluster-name NAME is required for entry commands");
	ekskit_err_clear(&err);
	if ((r = access_aws_init(&a, o->profile, o->region, o->verbose, &err)) == 0)
		r = verbs[i].fn(o, &a, verbs[i].takes_arn ? argv[2] : NULL, &err);
	access_aws_release(&a);
	return r == EKSKIT_OK ? CLI_EXIT_OK : fail(o, r, &err);
}
