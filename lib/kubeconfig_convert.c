/*
 * `eks-kubeconfig convert`: see include/ekskit/kubeconfig_convert.h.
 */
#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ekskit/buf.h"
#include "ekskit/diff.h"
#include "ekskit/endpoints.h"
#include "ekskit/fileio.h"
#include "ekskit/kubeconfig_convert.h"
#include "ekskit/kubeconfig_execpath.h"

#define ARG_REPORT_MAX 64       /* an unknown argument is quoted up to this length */

/* ---------- reading an exec block ---------- */

/* What an option of an exec command line sets. */
enum slot {
	S_CLUSTER, S_CLUSTER_ID, S_REGION, S_PROFILE, S_ROLE, S_EXTERNAL_ID,
	S_SESSION, S_FORWARD, S_IGNORE_VALUE, S_IGNORE_FLAG,
};

struct opt {
	const char *name;       /* "--region" */
	char short_name;        /* 'i', or 0 */
	enum slot slot;
};

/* `aws eks get-token` and the AWS CLI's global options it may carry. */
static const struct opt aws_opts[] = {
	{ "--region", 0, S_REGION }, { "--profile", 0, S_PROFILE },
	{ "--output", 0, S_IGNORE_VALUE }, { "--cluster-name", 0, S_CLUSTER },
	{ "--cluster-id", 0, S_CLUSTER_ID }, { "--role-arn", 0, S_ROLE },
	{ "--role", 0, S_ROLE }, { NULL, 0, 0 },
};
static const char *const aws_words[] = { "eks", "get-token", NULL };

/* `aws-iam-authenticator token`: -i is the cluster name EKS signs for. */
static const struct opt iam_opts[] = {
	{ "--cluster-id", 'i', S_CLUSTER }, { "--role", 'r', S_ROLE },
	{ "--external-id", 'e', S_EXTERNAL_ID }, { "--session-name", 's', S_SESSION },
	{ "--forward-session-name", 0, S_FORWARD }, { "--cache", 0, S_IGNORE_FLAG },
	{ NULL, 0, 0 },
};
static const char *const iam_words[] = { "token", NULL };

static const struct opt eks_token_opts[] = {
	{ "--cluster-name", 0, S_CLUSTER }, { "--name", 0, S_CLUSTER },
	{ "--cluster-id", 'i', S_CLUSTER_ID }, { "--region", 0, S_REGION },
	{ "--profile", 0, S_PROFILE }, { "--role-arn", 0, S_ROLE },
	{ "--role", 'r', S_ROLE }, { "--session-name", 's', S_SESSION },
	{ "--external-id", 'e', S_EXTERNAL_ID },
	{ "--forward-session-name", 0, S_FORWARD }, { "--cache", 0, S_IGNORE_FLAG },
	{ "--no-cache", 0, S_IGNORE_FLAG }, { NULL, 0, 0 },
};
static const char *const eks_token_words[] = { NULL };
static const char *const eks_token_optional_words[] = { "token", NULL };

struct form_syntax {
	const char *tool;                       /* basename of the command */
	enum kcv_form form;
	const struct opt *opts;
	const char *const *words;               /* positional words, in order, required */
	const char *const *optional_words;      /* positional words that may appear */
};

static const struct form_syntax forms[] = {
	{ "aws", KCV_FORM_AWS, aws_opts, aws_words, NULL },
	{ "aws-iam-authenticator", KCV_FORM_IAM_AUTH, iam_opts, iam_words, NULL },
	{ "eks-token", KCV_FORM_EKS_TOKEN, eks_token_opts, eks_token_words,
	  eks_token_optional_words },
};

void
kcv_auth_release(struct kcv_auth *a)
{
	if (a == NULL)
		return;
	free(a->cluster);
	free(a->region);
	free(a->profile);
	free(a->role_arn);
	free(a->external_id);
	free(a->session_name);
	memset(a, 0, sizeof(*a));
}

/* An argument, shortened and stripped of control characters, for a message. */
static void
quote_arg(const char *s, char *out, size_t size)
{
	size_t i;

	for (i = 0; i + 1 < size && i < ARG_REPORT_MAX && s[i]; i++)
		out[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	out[i] = '\0';
}

/* err = prefix "ARG" suffix, ARG quoted safely (it comes from the file). */
static int
quoted_err(struct ekskit_err *err, int code, const char *fmt, const char *arg)
{
	char q[ARG_REPORT_MAX + 1];
	const char *at = strstr(fmt, "%s");

	quote_arg(arg ? arg : "", q, sizeof(q));
	if (at == NULL)
		return ekskit_err_set(err, code, "%s", fmt);
	return ekskit_err_set(err, code, "%.*s%s%s", (int)(at - fmt), fmt, q, at + 2);
}

static int
not_ours(struct ekskit_err *err, const char *fmt, const char *arg)
{
	return quoted_err(err, EKSKIT_ERR_INVALID, fmt, arg);
}

static char **
slot_ptr(struct kcv_auth *a, enum slot s)
{
	switch (s) {
	case S_CLUSTER: case S_CLUSTER_ID: return &a->cluster;
	case S_REGION: return &a->region;
	case S_PROFILE: return &a->profile;
	case S_ROLE: return &a->role_arn;
	case S_EXTERNAL_ID: return &a->external_id;
	case S_SESSION: return &a->session_name;
	default: return NULL;
	}
}

/* The option named by arg ("--x", "--x=v", "-i", "-iVALUE"); *inline_val set for the joined forms. */
static const struct opt *
match_opt(const struct opt *opts, const char *arg, const char **inline_val)
{
	const struct opt *o;
	size_t n;

	*inline_val = NULL;
	for (o = opts; o->name; o++) {
		n = strlen(o->name);
		if (strncmp(arg, o->name, n) == 0 && (arg[n] == '\0' || arg[n] == '=')) {
			*inline_val = arg[n] == '=' ? arg + n + 1 : NULL;
			return o;
		}
		if (o->short_name && arg[0] == '-' && arg[1] == o->short_name) {
			*inline_val = arg[2] != '\0' ? arg + 2 : NULL;
			return o;
		}
	}
	return NULL;
}

static int
set_slot(struct kcv_auth *a, const struct opt *o, const char *val,
    struct ekskit_err *err)
{
	char **p = slot_ptr(a, o->slot);

	if (o->slot == S_FORWARD) {
		a->forward_session_name = 1;
		return EKSKIT_OK;
	}
	if (p == NULL)
		return EKSKIT_OK;       /* --output json, --cache: nothing to carry */
	if (*p != NULL)
		return not_ours(err, "%s is given twice", o->name);
	if (*val == '\0')
		return not_ours(err, "%s has an empty value", o->name);
	if ((*p = strdup(val)) == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	if (o->slot == S_CLUSTER_ID)
		a->by_id = 1;
	return EKSKIT_OK;
}

static int
in_words(const char *const *w, const char *s)
{
	for (; w && *w; w++)
		if (strcmp(*w, s) == 0)
			return 1;
	return 0;
}

static int
parse_args(const struct form_syntax *f, const struct kc_exec *e,
    struct kcv_auth *a, struct ekskit_err *err)
{
	const struct opt *o;
	const char *val;
	size_t i, word = 0;
	int r;

	for (i = 0; i < e->nargs; i++) {
		const char *arg = e->args[i];
		if (arg[0] != '-' || arg[1] == '\0') {
			if (f->words[word] != NULL && strcmp(arg, f->words[word]) == 0)
				word++;
			else if (!in_words(f->optional_words, arg))
				return not_ours(err, "unexpected argument \"%s\"", arg);
			continue;
		}
		if ((o = match_opt(f->opts, arg, &val)) == NULL)
			return not_ours(err, "unknown argument \"%s\"", arg);
		if (val == NULL && o->slot != S_FORWARD && o->slot != S_IGNORE_FLAG) {
			if (i + 1 >= e->nargs)
				return not_ours(err, "%s has no value", o->name);
			val = e->args[++i];
		}
		if ((r = set_slot(a, o, val ? val : "", err)) != EKSKIT_OK)
			return r;
	}
	if (f->words[word] != NULL)
		return not_ours(err, "\"%s\" is missing from the arguments", f->words[word]);
	if (a->cluster == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_INVALID, "names no cluster%s",
		    f->form == KCV_FORM_EKS_TOKEN ? " (a shared user: the cluster "
		    "comes from the kubeconfig's cluster entry)" : "");
	return EKSKIT_OK;
}

static const char *
env_value(const struct kc_exec *e, const char *name)
{
	size_t i;

	for (i = 0; i < e->nenv; i++)
		if (strcmp(e->env[i].name, name) == 0 && e->env[i].value &&
		    *e->env[i].value)
			return e->env[i].value;
	return NULL;
}

static const struct form_syntax *
form_of(const char *command)
{
	const char *base = strrchr(command, '/');
	size_t i;

	base = base ? base + 1 : command;
	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++)
		if (strcmp(base, forms[i].tool) == 0)
			return &forms[i];
	return NULL;
}

int
kcv_parse_exec(const struct kc_exec *e, struct kcv_auth *out,
    struct ekskit_err *err)
{
	const struct form_syntax *f = form_of(e->command);
	const char *reg;
	int r;

	memset(out, 0, sizeof(*out));
	if (f == NULL)
		return not_ours(err, "runs %s, not aws, aws-iam-authenticator or eks-token",
		    e->command);
	out->form = f->form;
	if ((r = parse_args(f, e, out, err)) != EKSKIT_OK) {
		kcv_auth_release(out);
		return r;
	}
	if (out->region == NULL && ((reg = env_value(e, "AWS_REGION")) != NULL ||
	    (reg = env_value(e, "AWS_DEFAULT_REGION")) != NULL) &&
	    (out->region = strdup(reg)) == NULL) {
		kcv_auth_release(out);
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	}
	if (out->region != NULL && !aws_region_valid(out->region)) {
		r = not_ours(err, "region \"%s\" is not a region name", out->region);
		kcv_auth_release(out);
		return r;
	}
	return EKSKIT_OK;
}

char *
kcv_region_from_server(const char *server)
{
	const struct aws_partition *const *p;
	const char *host = strstr(server, "://");
	char h[256], suffix[80];
	size_t n, sl;

	host = host ? host + 3 : server;
	n = strcspn(host, ":/?#");
	if (n == 0 || n >= sizeof(h))
		return NULL;
	for (sl = 0; sl < n; sl++)
		h[sl] = (char)tolower((unsigned char)host[sl]);
	h[n] = '\0';
	for (p = aws_partitions(); *p; p++) {
		const char *end, *start;
		snprintf(suffix, sizeof(suffix), ".eks.%s", (*p)->dns_suffix);
		sl = strlen(suffix);
		if (n <= sl || strcmp(h + n - sl, suffix) != 0)
			continue;
		end = h + n - sl;              /* ".eks." starts here; the region is the label before */
		for (start = end; start > h && start[-1] != '.'; start--)
			;
		if (start == end || start == h)
			return NULL;
		{
			char *region = ek_strndup(start, (size_t)(end - start));
			if (region != NULL && !aws_region_valid(region)) {
				free(region);
				region = NULL;
			}
			return region;
		}
	}
	return NULL;
}

/* ---------- writing an exec block ---------- */

struct strv {
	char **v;
	size_t n;
	int ok;
};

static void
sv_add(struct strv *s, const char *a)
{
	char **nv;

	if (!s->ok || a == NULL)
		return;
	if ((nv = realloc(s->v, (s->n + 2) * sizeof(*nv))) == NULL ||
	    (nv[s->n] = strdup(a)) == NULL) {
		if (nv != NULL)
			s->v = nv;
		s->ok = 0;
		return;
	}
	s->v = nv;
	s->v[++s->n] = NULL;
}

/* Add "flag value" when value is set. */
static void
sv_opt(struct strv *s, const char *flag, const char *value)
{
	if (value != NULL) {
		sv_add(s, flag);
		sv_add(s, value);
	}
}

char **
kcv_build_args(const struct kcv_auth *a, enum kcv_target to,
    struct ekskit_err *err)
{
	struct strv s = { NULL, 0, 1 };
	const char *id = a->by_id ? "--cluster-id" : "--cluster-name";

	if (to == KCV_TO_AWS && (a->external_id || a->session_name ||
	    a->forward_session_name)) {
		ekskit_err_set(err, EKSKIT_ERR_INVALID, "aws eks get-token has no "
		    "external id or role session name");
		return NULL;
	}
	if (to == KCV_TO_AWS) {       /* exactly as `aws eks update-kubeconfig` */
		sv_opt(&s, "--region", a->region);
		sv_add(&s, "eks");
		sv_add(&s, "get-token");
		sv_opt(&s, id, a->cluster);
		sv_opt(&s, "--output", "json");
		sv_opt(&s, "--role", a->role_arn);
		sv_opt(&s, "--profile", a->profile);
	} else {                      /* as eks-kubeconfig writes it */
		sv_opt(&s, id, a->cluster);
		sv_opt(&s, "--region", a->region);
		sv_opt(&s, "--role-arn", a->role_arn);
		sv_opt(&s, "--session-name", a->session_name);
		sv_opt(&s, "--external-id", a->external_id);
		if (a->forward_session_name)
			sv_add(&s, "--forward-session-name");
		sv_opt(&s, "--profile", a->profile);
	}
	if (!s.ok || s.v == NULL) {
		ek_strv_free(s.v);
		ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
		return NULL;
	}
	return s.v;
}

/* ---------- one file ---------- */

struct run {
	const struct kcv_opts *o;
	const char *path;
	struct kubeconfig *kc;
	char **ctx_user;        /* per context: its user (owned), for region lookups */
	char **ctx_cluster;     /* per context: its cluster (owned) */
	size_t nctx;
	int ctx_loaded;
	size_t converted;
};

static void
say(const struct run *run, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
say(const struct run *run, const char *fmt, ...)
{
	char line[EKSKIT_ERR_MSG_MAX + 512];
	va_list ap;

	if (run->o->out == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* names come from the file: never let control characters reach the terminal */
	for (char *c = line; *c; c++)
		if (((unsigned char)*c < 0x20 && *c != '\n') || *c == 0x7f)
			*c = '?';
	run->o->out(run->o->arg, line);
}

static void
contexts_release(struct run *run)
{
	size_t i;

	for (i = 0; i < run->nctx; i++) {
		free(run->ctx_user[i]);
		free(run->ctx_cluster[i]);
	}
	free(run->ctx_user);
	free(run->ctx_cluster);
	run->ctx_user = run->ctx_cluster = NULL;
	run->nctx = 0;
}

/* Every context's user and cluster, read once (a region lookup may need them). */
static int
contexts_load(struct run *run, struct ekskit_err *err)
{
	size_t n = kubeconfig_count(run->kc, KC_CONTEXTS), i;
	struct kc_context *c;

	if (run->ctx_loaded)
		return EKSKIT_OK;
	run->ctx_user = calloc(n + 1, sizeof(char *));
	run->ctx_cluster = calloc(n + 1, sizeof(char *));
	if (run->ctx_user == NULL || run->ctx_cluster == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	run->nctx = n;
	for (i = 0; i < n; i++) {
		struct ekskit_err e2;
		ekskit_err_clear(&e2);
		if (kubeconfig_get_context_at(run->kc, i, &c, &e2) != EKSKIT_OK)
			continue;       /* an unnamed or odd context: no help for regions */
		run->ctx_user[i] = c->user;
		run->ctx_cluster[i] = c->cluster;
		c->user = c->cluster = NULL;
		kc_context_free(c);
	}
	run->ctx_loaded = 1;
	return EKSKIT_OK;
}

/*
 * The region of the endpoint of the clusters whose contexts use this user;
 * NULL (with *why) when none tells, or they disagree.
 */
static char *
region_from_clusters(struct run *run, const char *user, char *why, size_t whylen)
{
	char *region = NULL, *r;
	struct kc_cluster *cl;
	struct ekskit_err e2;
	size_t i;

	snprintf(why, whylen, "no context uses it");
	if (contexts_load(run, &e2) != EKSKIT_OK)
		return NULL;
	for (i = 0; i < run->nctx; i++) {
		if (run->ctx_user[i] == NULL || strcmp(run->ctx_user[i], user) != 0 ||
		    run->ctx_cluster[i] == NULL)
			continue;
		ekskit_err_clear(&e2);
		if (kubeconfig_get_cluster(run->kc, run->ctx_cluster[i], &cl, &e2) != 0) {
			snprintf(why, whylen, "its cluster \"%s\" is missing", run->ctx_cluster[i]);
			continue;
		}
		r = cl->server ? kcv_region_from_server(cl->server) : NULL;
		if (r == NULL)
			snprintf(why, whylen, "the server of cluster \"%s\" is not an EKS "
			    "endpoint", cl->name);
		else if (region != NULL && strcmp(region, r) != 0) {
			snprintf(why, whylen, "its contexts' clusters are in %s and %s",
			    region, r);
			free(r);
			free(region);
			kc_cluster_free(cl);
			return NULL;
		} else if (region == NULL) {
			region = r;
			r = NULL;
		}
		free(r);
		kc_cluster_free(cl);
	}
	return region;
}

static const char *
form_name(enum kcv_form f)
{
	return f == KCV_FORM_AWS ? "aws eks get-token" :
	    f == KCV_FORM_IAM_AUTH ? "aws-iam-authenticator token" : "eks-token";
}

/* The apiVersion to write: kubectl refuses v1alpha1 since 1.24. */
static const char *
target_api(const char *have)
{
	if (have != NULL && strcmp(have, KC_EXEC_API_V1) == 0)
		return KC_EXEC_API_V1;
	return KC_EXEC_API_V1BETA1;
}

/* Summary of what the converted block carries, for the report. */
static void
describe(const struct kcv_auth *a, const struct kc_exec *e, char *out,
    size_t size)
{
	const char *env_profile = env_value(e, "AWS_PROFILE");

	snprintf(out, size, "cluster %s, region %s%s%s%s%s%s%s%s%s%s%s",
	    a->cluster, a->region,
	    a->profile ? ", profile " : "", a->profile ? a->profile : "",
	    !a->profile && env_profile ? ", profile " : "",
	    !a->profile && env_profile ? env_profile : "",
	    a->role_arn ? ", role " : "", a->role_arn ? a->role_arn : "",
	    a->external_id ? ", external id" : "",
	    a->session_name ? ", session " : "", a->session_name ? a->session_name : "",
	    a->forward_session_name ? ", forwarded session name" : "");
}

/* Only NOMEM is an error for the run; anything else leaves the user alone. */
static int
nomem_only(const struct ekskit_err *why, struct ekskit_err *err)
{
	return why->code == EKSKIT_ERR_NOMEM ?
	    ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory") : EKSKIT_OK;
}

/*
 * The edit for a block already in the target form: only a v1alpha1
 * apiVersion and (with --exec-command / --exec-absolute) eks-token's
 * command change; its arguments stay as they are.
 */
static void
same_form_edit(const struct kcv_opts *o, const struct kc_exec *e,
    struct kc_exec_edit *ed)
{
	ed->api_version = target_api(e->api_version);
	ed->command = o->to == KCV_TO_EKS_TOKEN && o->exec_command ?
	    o->exec_command : e->command;
	ed->args = (const char *const *)e->args;
	ed->nargs = e->nargs;
	ed->install_hint = e->install_hint;
}

/* Fill the edit for another form; 0, or why not in `why` (region, target). */
static int
new_form_edit(struct run *run, const char *name, struct kcv_auth *a,
    char ***args, struct kc_exec_edit *ed, struct ekskit_err *why)
{
	const struct kcv_opts *o = run->o;
	char where[256];

	if (a->region == NULL &&
	    (a->region = region_from_clusters(run, name, where, sizeof(where))) == NULL)
		return ekskit_err_set(why, EKSKIT_ERR_INVALID, "no region in its exec "
		    "block or env, and %s; add --region REGION to its args, or write it "
		    "anew with eks-kubeconfig --region REGION", where);
	if ((*args = kcv_build_args(a, o->to, why)) == NULL)
		return why->code;
	ed->command = o->to == KCV_TO_AWS ? "aws" :
	    o->exec_command ? o->exec_command : KCU_EXEC_COMMAND_DEFAULT;
	ed->args = (const char *const *)*args;
	while ((*args)[ed->nargs] != NULL)
		ed->nargs++;
	ed->install_hint = o->to == KCV_TO_AWS ? NULL : KCU_INSTALL_HINT;
	return EKSKIT_OK;
}

/* Convert the i-th user and report it. */
static int
convert_user(struct run *run, size_t i, const char *name, struct ekskit_err *err)
{
	enum kcv_form want = run->o->to == KCV_TO_AWS ? KCV_FORM_AWS : KCV_FORM_EKS_TOKEN;
	struct kc_exec_edit ed;
	struct kcv_auth a;
	struct kc_user *u = NULL;
	struct ekskit_err why;
	char **args = NULL, desc[1024];
	int r = EKSKIT_OK, changed = 0;

	ekskit_err_clear(&why);
	memset(&a, 0, sizeof(a));
	memset(&ed, 0, sizeof(ed));
	if (kubeconfig_get_user_at(run->kc, i, &u, &why) != EKSKIT_OK) {
		say(run, "left user \"%s\" alone: %s\n", name, why.msg);
		return nomem_only(&why, err);
	}
	if (u->exec == NULL) {
		say(run, "left user \"%s\" alone: no exec block\n", name);
		goto out;
	}
	if (kcv_parse_exec(u->exec, &a, &why) != EKSKIT_OK) {
		say(run, "left user \"%s\" alone: its exec block %s\n", name, why.msg);
		r = nomem_only(&why, err);
		goto out;
	}
	if (a.form == want) {
		same_form_edit(run->o, u->exec, &ed);
	} else if (new_form_edit(run, name, &a, &args, &ed, &why) != EKSKIT_OK) {
		say(run, "left user \"%s\" alone: %s\n", name, why.msg);
		r = nomem_only(&why, err);
		goto out;
	}
	ed.api_version = target_api(u->exec->api_version);
	if ((r = kubeconfig_edit_exec(run->kc, i, &ed, &changed, err)) != EKSKIT_OK)
		goto out;
	if (!changed) {
		say(run, "left user \"%s\" alone: already runs %s\n", name, form_name(want));
	} else if (a.form == want) {
		say(run, "updated user \"%s\": %s, apiVersion %s\n", name, ed.command,
		    ed.api_version);
	} else {
		describe(&a, u->exec, desc, sizeof(desc));
		say(run, "converted user \"%s\": %s -> %s (%s)\n", name,
		    form_name(a.form), form_name(want), desc);
	}
	run->converted += changed != 0;
out:
	ek_strv_free(args);
	kcv_auth_release(&a);
	kc_user_free(u);
	return r;
}

/* With --context: the users of the named contexts in this file (borrowed, o->ncontexts slots). */
static int
selected_users(struct run *run, const char **users, struct ekskit_err *err)
{
	const struct kcv_opts *o = run->o;
	size_t j, k;
	int r;

	if ((r = contexts_load(run, err)) != EKSKIT_OK)
		return r;
	for (k = 0; k < run->nctx; k++) {
		const char *cx = kubeconfig_name_at(run->kc, KC_CONTEXTS, k);
		for (j = 0; cx != NULL && j < o->ncontexts; j++)
			if (strcmp(o->contexts[j], cx) == 0)
				users[j] = run->ctx_user[k];
	}
	return EKSKIT_OK;
}

static int
is_selected(const char *const *users, size_t n, const char *name)
{
	size_t j;

	for (j = 0; j < n; j++)
		if (users[j] != NULL && strcmp(users[j], name) == 0)
			return 1;
	return 0;
}

/* The users to convert: all, or those of the named contexts found in this file. */
static int
convert_file_users(struct run *run, struct ekskit_err *err)
{
	const struct kcv_opts *o = run->o;
	size_t n = kubeconfig_count(run->kc, KC_USERS), i;
	const char **users = NULL, *name;
	int r = EKSKIT_OK;

	if (o->ncontexts > 0) {
		if ((users = calloc(o->ncontexts, sizeof(*users))) == NULL)
			return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
		if ((r = selected_users(run, users, err)) != EKSKIT_OK)
			goto out;
	}
	for (i = 0; i < n && r == EKSKIT_OK; i++) {
		if ((name = kubeconfig_name_at(run->kc, KC_USERS, i)) == NULL ||
		    (users != NULL && !is_selected(users, o->ncontexts, name)))
			continue;
		r = convert_user(run, i, name, err);
	}
out:
	free(users);
	return r;
}

/* ---------- what --dry-run may show ---------- */

/* Keys whose values are credentials (kubeconfig users, auth-provider configs). */
static const char *const secret_keys[] = {
	"token", "client-key-data", "password", "client-secret", "id-token",
	"refresh-token", "access-token", "secret", NULL,
};

static int
secret_key(const char *k, size_t n)
{
	const char *const *s;

	for (s = secret_keys; *s; s++)
		if (strlen(*s) == n && strncmp(*s, k, n) == 0)
			return 1;
	return 0;
}

/* An env var name that may carry a credential (its `value:` is hidden). */
static int
secret_env_name(const char *v, size_t n)
{
	static const char *const words[] = { "SECRET", "TOKEN", "PASSWORD", "KEY",
		"CREDENTIAL", NULL };
	const char *const *w;
	char up[128];
	size_t i;

	if (n >= sizeof(up))
		n = sizeof(up) - 1;
	for (i = 0; i < n; i++)
		up[i] = (char)toupper((unsigned char)v[i]);
	up[n] = '\0';
	for (w = words; *w; w++)
		if (strstr(up, *w) != NULL)
			return 1;
	return 0;
}

struct redact_state {
	int in_block;           /* inside a secret block scalar (`token: |`) */
	size_t block_indent;
	int secret_env;         /* the env entry's name looked secret: hide its value */
};

/*
 * Hide flow-style secrets on one line: `{token: abc, x: y}` -> `{token:
 * [redacted], x: y}`, and `{name: AWS_SECRET_ACCESS_KEY, value: v}`.
 */
static int
redact_flow(const char *l, size_t n, struct ekbuf *out)
{
	size_t i = 0, k, e;
	int secret_name = 0;

	while (i < n) {
		if ((l[i] == '{' || l[i] == ',') && i + 1 < n) {
			if (ekbuf_append(out, l + i, 1))
				return EKSKIT_ERR_NOMEM;
			i++;
			while (i < n && l[i] == ' ')
				if (ekbuf_putc(out, l[i++]))
					return EKSKIT_ERR_NOMEM;
			for (k = i; k < n && l[k] != ':' && l[k] != ',' && l[k] != '}'; k++)
				;
			for (e = k + 1; e < n && l[e] != ',' && l[e] != '}'; e++)
				;
			if (k < n && l[k] == ':' && k - i == 4 && strncmp(l + i, "name", 4) == 0)
				secret_name = secret_env_name(l + k + 1, e - k - 1);
			if (k < n && l[k] == ':' && (secret_key(l + i, k - i) ||
			    (secret_name && k - i == 5 && strncmp(l + i, "value", 5) == 0))) {
				if (ekbuf_append(out, l + i, k - i + 1) ||
				    ekbuf_puts(out, " [redacted]"))
					return EKSKIT_ERR_NOMEM;
				i = e;
			}
			continue;
		}
		if (ekbuf_putc(out, l[i++]))
			return EKSKIT_ERR_NOMEM;
	}
	return EKSKIT_OK;
}

/* One line (without its newline) of a block-style kubeconfig, secrets hidden. */
static int
redact_line(const char *l, size_t n, struct redact_state *st, struct ekbuf *out)
{
	size_t ind = 0, k, v;

	while (ind < n && l[ind] == ' ')
		ind++;
	if (st->in_block && (ind > st->block_indent || ind == n))
		return ind == n ? EKSKIT_OK : ekbuf_printf(out, "%*s[redacted]", (int)ind, "");
	st->in_block = 0;
	k = ind;
	if (k + 1 < n && l[k] == '-' && l[k + 1] == ' ') {
		k += 2;
		st->secret_env = 0;     /* a new list item */
	}
	for (v = k; v < n && l[v] != ':' && l[v] != ' ' && l[v] != '{'; v++)
		;
	if (v < n && l[v] == ':' && (v + 1 == n || l[v + 1] == ' ')) {
		const char *val = l + v + 1 + (v + 1 < n);
		size_t vlen = n - (size_t)(val - l);
		if (v - k == 4 && strncmp(l + k, "name", 4) == 0)
			st->secret_env = secret_env_name(val, vlen);
		if (secret_key(l + k, v - k) ||
		    (st->secret_env && v - k == 5 && strncmp(l + k, "value", 5) == 0)) {
			if (vlen > 0 && (val[0] == '|' || val[0] == '>')) {
				st->in_block = 1;
				st->block_indent = ind;
			}
			return ekbuf_append(out, l, v + 1) || ekbuf_puts(out, " [redacted]") ?
			    EKSKIT_ERR_NOMEM : EKSKIT_OK;
		}
	}
	if (memchr(l, '{', n) != NULL)
		return redact_flow(l, n, out);
	return ekbuf_append(out, l, n);
}

int
kcv_redact(const char *text, size_t len, struct ekbuf *out)
{
	struct redact_state st = { 0, 0, 0 };
	const char *p = text, *end = text + len, *nl;
	size_t start;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		start = out->len;
		if (redact_line(p, nl ? (size_t)(nl - p) : (size_t)(end - p), &st, out) ||
		    (nl && ekbuf_putc(out, '\n')))
			return EKSKIT_ERR_NOMEM;
		/* and never a control character to the terminal */
		for (; start < out->len; start++)
			if (((unsigned char)out->data[start] < 0x20 &&
			    out->data[start] != '\n' && out->data[start] != '\t') ||
			    out->data[start] == 0x7f)
				out->data[start] = '?';
		p = nl ? nl + 1 : end;
	}
	return EKSKIT_OK;
}

/*
 * --dry-run: the unified diff from the file as it is to what would be
 * written, both with credential values hidden (other users' tokens and
 * keys never reach the terminal; a hidden line that changes still shows).
 */
static int
print_diff(struct run *run, const char *old, size_t oldlen,
    struct ekskit_err *err)
{
	struct ekbuf b, d, ra, rb;
	int r;

	ekbuf_init_secret(&b, KUBECONFIG_MAX_SIZE);
	ekbuf_init_secret(&ra, 0);
	ekbuf_init_secret(&rb, 0);
	ekbuf_init(&d, 0);
	if ((r = kubeconfig_emit(run->kc, &b, err)) != EKSKIT_OK)
		goto out;
	{
		if (kcv_redact(old, oldlen, &ra) != EKSKIT_OK ||
		    kcv_redact(b.data ? b.data : "", b.len, &rb) != EKSKIT_OK ||
		    ek_unified_diff(ra.data ? ra.data : "", ra.len,
		    rb.data ? rb.data : "", rb.len, run->path, run->path, &d) != EKSKIT_OK ||
		    ekbuf_putc(&d, '\0') != EKSKIT_OK) {
			r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
			goto out;
		}
		if (run->o->out != NULL)
			run->o->out(run->o->arg, d.data);
	}
out:
	ekbuf_release(&b);
	ekbuf_release(&ra);
	ekbuf_release(&rb);
	ekbuf_release(&d);
	return r;
}

static int
convert_file(const struct kcv_opts *o, const char *path, size_t *converted,
    struct ekskit_err *err)
{
	struct ek_lockfile lk = { NULL };
	struct kcu_write_opts wo;
	struct run run;
	struct ekbuf raw;
	int r;

	memset(&wo, 0, sizeof(wo));
	wo.notify = o->notify;
	wo.notify_arg = o->arg;
	memset(&run, 0, sizeof(run));
	run.o = o;
	run.path = path;
	ekbuf_init_secret(&raw, KUBECONFIG_MAX_SIZE);
	if (!o->dry_run && (r = ek_lock_acquire(path, o->lock_timeout_ms ?
	    o->lock_timeout_ms : KCU_LOCK_TIMEOUT_MS_DEFAULT, &lk, err)) != EKSKIT_OK)
		goto out;
	/* read under the lock; the raw bytes are the "before" of --dry-run's diff */
	if ((r = ek_read_file(path, &raw, err)) != EKSKIT_OK) {
		if (r == EKSKIT_ERR_NOMEM)
			r = ekskit_err_set(err, EKSKIT_ERR_INVALID, "%s: larger than %u "
			    "bytes; is it really a kubeconfig?", path, KUBECONFIG_MAX_SIZE);
		goto out;
	}
	if ((r = kubeconfig_parse(path, raw.data ? raw.data : "", raw.len, &run.kc,
	    err)) != EKSKIT_OK ||
	    (r = convert_file_users(&run, err)) != EKSKIT_OK)
		goto out;
	if (run.converted > 0 && o->dry_run)
		r = print_diff(&run, raw.data ? raw.data : "", raw.len, err);
	else if (run.converted > 0)
		r = kcu_save(path, run.kc, &wo, &raw, err);   /* raw's pages, reused */
	if (r == EKSKIT_OK)
		say(&run, "%s: %zu user%s converted%s\n", path, run.converted,
		    run.converted == 1 ? "" : "s", run.converted == 0 ? ", file unchanged" :
		    o->dry_run ? " (dry run: nothing written)" : "");
	*converted += run.converted;
out:
	ek_lock_release(&lk);
	contexts_release(&run);
	kubeconfig_free(run.kc);
	ekbuf_release(&raw);
	return r;
}

/* Every --context must be in one of the files, checked before anything is written. */
static int
check_contexts(const struct kcv_opts *o, char *const *paths, struct ekskit_err *err)
{
	struct kubeconfig *kc;
	size_t j, i;
	int *found, r = EKSKIT_OK;

	if (o->ncontexts == 0)
		return EKSKIT_OK;
	if ((found = calloc(o->ncontexts, sizeof(int))) == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	for (i = 0; paths[i] != NULL && r == EKSKIT_OK; i++) {
		if ((r = kubeconfig_load(paths[i], &kc, err)) == EKSKIT_ERR_NOT_FOUND) {
			ekskit_err_clear(err);
			r = EKSKIT_OK;
			continue;
		}
		for (j = 0; r == EKSKIT_OK && j < o->ncontexts; j++)
			found[j] |= kubeconfig_has(kc, KC_CONTEXTS, o->contexts[j]);
		kubeconfig_free(kc);
	}
	for (j = 0; r == EKSKIT_OK && j < o->ncontexts; j++)
		if (!found[j])
			r = quoted_err(err, EKSKIT_ERR_NOT_FOUND, "no context named \"%s\" "
			    "in the kubeconfig; kubectl config get-contexts lists them",
			    o->contexts[j]);
	free(found);
	return r;
}

int
kcv_check(const struct kcv_opts *o, struct ekskit_err *err)
{
	if (o->to == KCV_TO_AWS && (o->exec_command || o->exec_absolute))
		return ekskit_err_set(err, EKSKIT_ERR_USAGE,
		    "--exec-command and --exec-absolute are for eks-token, not --to aws");
	return kubeconfig_execpath_check(o->exec_command, err);
}

int
kcv_run(const struct kcv_opts *opts, size_t *converted, struct ekskit_err *err)
{
	char **paths = kubeconfig_paths(opts->kubeconfig_flag, opts->kubeconfig_env,
	    opts->home);
	struct kcv_opts resolved = *opts;
	const struct kcv_opts *o = &resolved;
	char *abs = NULL;
	size_t total = 0, i, seen = 0;
	int r;

	if (converted)
		*converted = 0;
	if (paths == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_CONFIG,
		    "no kubeconfig path: set HOME, KUBECONFIG or pass --kubeconfig");
	if ((r = kcv_check(opts, err)) != EKSKIT_OK)
		goto out;
	if (opts->exec_absolute) {
		if ((r = kubeconfig_execpath_resolve(opts->exec_command, &abs, err)) != 0)
			goto out;
		resolved.exec_command = abs;
	}
	if ((r = check_contexts(o, paths, err)) != EKSKIT_OK)
		goto out;
	for (i = 0; paths[i] != NULL; i++) {
		r = convert_file(o, paths[i], &total, err);
		if (r == EKSKIT_ERR_NOT_FOUND) {        /* a KUBECONFIG entry may not exist */
			ekskit_err_clear(err);
			r = EKSKIT_OK;
			continue;
		}
		if (r != EKSKIT_OK)
			goto out;
		seen++;
	}
	if (seen == 0)
		r = ekskit_err_set(err, EKSKIT_ERR_NOT_FOUND, "no kubeconfig file at %s%s; "
		    "nothing to convert", paths[0], paths[1] ? " (or the rest of KUBECONFIG)" : "");
out:
	if (converted)
		*converted = total;
	ek_strv_free(paths);
	free(abs);
	return r;
}
