/*
 * aws-auth -> access entries: the migration plan and its application (see
 * include/ekskit/access_migrate.h).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ekskit/access_migrate.h"
#include "ekskit/arn.h"
#include "ekskit/buf.h"

#define ADMIN_POLICY "AmazonEKSClusterAdminPolicy"

const char *
access_migrate_verdict_name(enum access_migrate_verdict v)
{
	switch (v) {
	case ACCESS_MIGRATE_CREATE: return "create";
	case ACCESS_MIGRATE_EXISTS: return "exists";
	case ACCESS_MIGRATE_SHADOWED: return "shadowed";
	case ACCESS_MIGRATE_CANNOT: return "cannot-migrate";
	default: return "failed";
	}
}

static void
item_release(struct access_migrate_item *it)
{
	free(it->source);
	free(it->written);
	free(it->principal_arn);
	free(it->type);
	free(it->username);
	ek_strv_free(it->groups);
	free(it->reason);
}

void
access_migrate_plan_release(struct access_migrate_plan *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; p->items != NULL && i < p->n; i++)
		item_release(&p->items[i]);
	free(p->items);
	free(p->auth_mode);
	free(p->next_mode);
	free(p->next_command);
	free(p->next_why);
	memset(p, 0, sizeof(*p));
}

/* Set (or append "; ...") the item's reason.  0 or EKSKIT_ERR_NOMEM. */
static int
say(struct access_migrate_item *it, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int
say(struct access_migrate_item *it, const char *fmt, ...)
{
	struct ekbuf b;
	va_list ap;
	int r;

	ekbuf_init(&b, 8192);
	r = it->reason != NULL ? ekbuf_printf(&b, "%s; ", it->reason) : 0;
	va_start(ap, fmt);
	if (r == 0)
		r = ekbuf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (r != 0) {
		ekbuf_release(&b);
		return EKSKIT_ERR_NOMEM;
	}
	free(it->reason);
	it->reason = ekbuf_detach(&b, NULL);
	return it->reason != NULL ? 0 : EKSKIT_ERR_NOMEM;
}

static int
cannot(struct access_migrate_item *it, const char *why)
{
	it->verdict = ACCESS_MIGRATE_CANNOT;
	return say(it, "%s", why);
}

static int
add_group(struct access_migrate_item *it, const char *g)
{
	char **v = realloc(it->groups, (it->ngroups + 2) * sizeof(*v));

	if (v == NULL)
		return EKSKIT_ERR_NOMEM;
	it->groups = v;
	if ((v[it->ngroups] = strdup(g)) == NULL)
		return EKSKIT_ERR_NOMEM;
	v[++it->ngroups] = NULL;
	return 0;
}

static int
has_group(const struct awsauth_row *r, const char *g)
{
	size_t i;

	for (i = 0; i < r->ngroups; i++)
		if (strcmp(r->groups[i], g) == 0)
			return 1;
	return 0;
}

/* Groups EKS gives a node by itself: not carried, not reported. */
static int
node_group(const char *g)
{
	return strcmp(g, "system:bootstrappers") == 0 ||
	    strcmp(g, "system:nodes") == 0 || strcmp(g, "system:node-proxier") == 0 ||
	    strcmp(g, "eks:kube-proxy-windows") == 0;
}

/* A node role: type from the groups and username, nothing else carried. */
static int
plan_node(const struct awsauth_row *r, const struct arn_principal *p,
    const char *account, struct access_migrate_item *it)
{
	const char *type = "EC2_LINUX";
	size_t i;
	int e = 0;

	if (p->kind != ARN_KIND_ROLE)
		return cannot(it, "a node mapping must be an IAM role");
	if (strcmp(p->account, account) != 0)
		return cannot(it, "node entries must be in the cluster's account");
	if (has_group(r, "eks:kube-proxy-windows"))
		type = "EC2_WINDOWS";
	else if (r->username != NULL && strstr(r->username, "{{SessionName}}"))
		type = "FARGATE_LINUX";
	if ((it->type = strdup(type)) == NULL)
		return EKSKIT_ERR_NOMEM;
	for (i = 0; e == 0 && i < r->ngroups; i++)
		if (!node_group(r->groups[i]))
			e = say(it, "group %s not carried: EKS sets a node's groups",
			    r->groups[i]);
	return e;
}

/* A person or workload: username and groups, system:masters as a policy. */
static int
plan_standard(const struct awsauth_row *r, struct access_migrate_item *it)
{
	struct ekskit_err err;
	size_t i;
	int e = 0;

	if ((it->type = strdup("STANDARD")) == NULL)
		return EKSKIT_ERR_NOMEM;
	for (i = 0; e == 0 && i < r->ngroups; i++) {
		const char *g = r->groups[i];

		if (strcmp(g, "system:masters") == 0)
			it->cluster_admin = 1;
		else if (strncmp(g, "system:", 7) == 0) {
			it->verdict = ACCESS_MIGRATE_CANNOT;
			e = say(it, "group %s has no access-entry equivalent", g);
		} else
			e = add_group(it, g);
	}
	if (e != 0 || it->verdict == ACCESS_MIGRATE_CANNOT)
		return e;
	if (r->username != NULL && *r->username != '\0') {
		if (eks_access_check_username(r->username, &err) != EKSKIT_OK)
			return cannot(it, err.msg);
		if ((it->username = strdup(r->username)) == NULL)
			return EKSKIT_ERR_NOMEM;
	}
	if (it->cluster_admin)
		e = say(it, "system:masters -> " ADMIN_POLICY " (cluster scope)");
	return e;
}

/* The entry's principal: same-account roles get their path back from IAM. */
static int
resolve_principal(const struct access_migrate_in *in,
    const struct arn_principal *p, struct access_migrate_item *it)
{
	struct ekskit_err err;
	char *full = NULL;
	int r;

	if (p->kind != ARN_KIND_ROLE || strcmp(p->account, in->account) != 0) {
		it->principal_arn = strdup(it->written);
		if (it->principal_arn == NULL)
			return EKSKIT_ERR_NOMEM;
		if (strcmp(p->account, in->account) != 0)
			return say(it, "account %s is not the cluster's: kept as "
			    "written, not looked up", p->account);
		return 0;
	}
	ekskit_err_clear(&err);
	r = in->get_role != NULL ? in->get_role(in->ctx, p->name, &full, &err) :
	    ekskit_err_set(&err, EKSKIT_ERR_INTERNAL, "no IAM lookup");
	if (r == EKSKIT_ERR_NOT_FOUND)
		return cannot(it, "no such role in the cluster's account (IAM "
		    "GetRole): the mapping names a deleted role");
	if (r != EKSKIT_OK) {
		it->verdict = ACCESS_MIGRATE_FAILED;
		return say(it, "%s", err.msg);
	}
	it->principal_arn = full;
	if (!arn_same_principal(full, it->written))
		return say(it, "path restored from IAM: %s", full);
	return 0;
}

/* 1 when an existing entry is for the same principal (role paths aside). */
static int
entry_exists(const struct access_migrate_in *in, const char *arn)
{
	char *want = NULL, *have = NULL, *k1, *k2;
	size_t i;
	int same = 0;

	if (arn_strip_role_path(arn, &want, NULL, NULL) != 0)
		return 0;
	k1 = arn_key(want);
	for (i = 0; k1 != NULL && !same && i < in->nentries; i++) {
		if (arn_strip_role_path(in->entries[i]->principal_arn, &have, NULL,
		    NULL) != 0)
			continue;
		k2 = arn_key(have);
		same = k2 != NULL && strcmp(k1, k2) == 0;
		free(k2);
		free(have);
		have = NULL;
	}
	free(k1);
	free(want);
	return same;
}

static int
plan_row(const struct access_migrate_in *in, const struct awsauth_row *r,
    struct access_migrate_item *it)
{
	struct arn_principal p;
	struct ekskit_err err;
	int e;

	it->verdict = ACCESS_MIGRATE_CREATE;
	if (r->arn != NULL && (it->written = strdup(r->arn)) == NULL)
		return EKSKIT_ERR_NOMEM;
	if (r->state == AWSAUTH_SHADOWED) {
		it->verdict = ACCESS_MIGRATE_SHADOWED;
		return say(it, "%s", r->reason ? r->reason : "a later duplicate wins");
	}
	if (r->state == AWSAUTH_IGNORED) {
		it->verdict = ACCESS_MIGRATE_CANNOT;
		return say(it, "ignored by aws-iam-authenticator (%s): it grants "
		    "nothing today", r->reason ? r->reason : "?");
	}
	if (r->section == AWSAUTH_ACCOUNTS)
		return cannot(it, "mapAccounts has no access-entry equivalent: "
		    "create entries for that account's roles or users");
	if (r->sso != NULL)
		return cannot(it, "sso matchers have no access-entry equivalent: "
		    "create an entry for each AWSReservedSSO_ role");
	if (r->arn == NULL || arn_principal_parse(r->arn, &p, &err) != 0)
		return cannot(it, "not a valid IAM ARN");
	if (has_group(r, "system:nodes"))
		e = plan_node(r, &p, in->account, it);
	else
		e = plan_standard(r, it);
	if (e == 0 && it->verdict == ACCESS_MIGRATE_CREATE) {
		if (entry_exists(in, r->arn)) {
			it->verdict = ACCESS_MIGRATE_EXISTS;
			e = say(it, "the principal already has an access entry");
		} else
			e = resolve_principal(in, &p, it);
	}
	arn_principal_release(&p);
	return e;
}

static int
next_item(struct access_migrate_plan *p, struct access_migrate_item **it)
{
	struct access_migrate_item *v = realloc(p->items, (p->n + 1) * sizeof(*v));

	if (v == NULL)
		return EKSKIT_ERR_NOMEM;
	p->items = v;
	*it = &v[p->n++];
	memset(*it, 0, sizeof(**it));
	return ((*it)->groups = calloc(1, sizeof(char *))) != NULL ? 0 :
	    EKSKIT_ERR_NOMEM;
}

static int
plan_rows(const struct access_migrate_in *in, struct access_migrate_plan *p)
{
	struct access_migrate_item *it;
	size_t i;
	int e = 0;

	for (i = 0; e == 0 && in->auth != NULL && i < in->auth->nkeys; i++) {
		const struct awsauth_key *k = &in->auth->keys[i];

		if (k->error == NULL || !k->read)
			continue;
		if ((e = next_item(p, &it)) == 0 &&
		    asprintf(&it->source, "%s (whole key)", k->name) < 0)
			e = EKSKIT_ERR_NOMEM;
		if (e == 0)
			e = cannot(it, k->error) ? EKSKIT_ERR_NOMEM :
			    say(it, "the authenticator ignores this key: fix it by hand");
	}
	for (i = 0; e == 0 && in->auth != NULL && i < in->auth->nrows; i++) {
		const struct awsauth_row *r = &in->auth->rows[i];

		if ((e = next_item(p, &it)) != 0)
			break;
		if (asprintf(&it->source, "%s line %zu", in->auth->keys[r->key].name,
		    r->line) < 0) {
			it->source = NULL;
			e = EKSKIT_ERR_NOMEM;
		} else
			e = plan_row(in, r, it);
		if (it->verdict == ACCESS_MIGRATE_FAILED)
			p->errors++;
	}
	return e;
}

/* Whether, after this migration, a cluster admin exists through entries. */
static int
admin_after(const struct access_migrate_in *in, const struct access_migrate_plan *p)
{
	size_t i, j;

	for (i = 0; i < p->n; i++)
		if (p->items[i].verdict == ACCESS_MIGRATE_CREATE &&
		    p->items[i].cluster_admin)
			return 1;
	for (i = 0; i < in->nentries; i++)
		for (j = 0; j < in->entries[i]->npolicies; j++)
			if (strcmp(eks_access_policy_short(
			    in->entries[i]->policies[j].policy_arn), ADMIN_POLICY) == 0)
				return 1;
	return 0;
}

static int
plan_next_mode(const struct access_migrate_in *in, struct access_migrate_plan *p)
{
	size_t i, lost = 0;
	const char *mode = in->auth_mode ? in->auth_mode : "CONFIG_MAP";
	const char *next;
	int n;

	p->can_create = strcmp(mode, "CONFIG_MAP") != 0;
	if (strcmp(mode, "API") == 0)
		return (p->next_why = strdup("the cluster already ignores aws-auth "
		    "(mode API)")) ? 0 : EKSKIT_ERR_NOMEM;
	next = p->can_create ? "API" : "API_AND_CONFIG_MAP";
	for (i = 0; i < p->n; i++)
		if (p->items[i].verdict == ACCESS_MIGRATE_CANNOT &&
		    strstr(p->items[i].reason, "grants nothing today") == NULL &&
		    strstr(p->items[i].source, "whole key") == NULL)
			lost++;
		else if (p->items[i].verdict == ACCESS_MIGRATE_FAILED)
			lost++;
	if (!p->can_create) {
		p->next_safe = 1;
		n = asprintf(&p->next_why, "safe: aws-auth keeps working in "
		    "API_AND_CONFIG_MAP, and entries can then be created (the "
		    "change cannot be undone)");
	} else if (lost > 0) {
		n = asprintf(&p->next_why, "NOT safe: %zu mapping(s) that work today "
		    "have no access entry (see cannot-migrate/failed above)", lost);
	} else if (!admin_after(in, p)) {
		n = asprintf(&p->next_why, "NOT safe: no access entry would have "
		    ADMIN_POLICY "; keep a way in before leaving aws-auth");
	} else {
		p->next_safe = 1;
		n = asprintf(&p->next_why, "safe once every 'create' above is done "
		    "(aws-auth is then ignored; the change cannot be undone)");
	}
	if (n < 0)
		return EKSKIT_ERR_NOMEM;
	if ((p->next_mode = strdup(next)) == NULL ||
	    asprintf(&p->next_command, "aws eks update-cluster-config --name %s "
	    "--region %s --access-config authenticationMode=%s", in->cluster,
	    in->region, next) < 0)
		return EKSKIT_ERR_NOMEM;
	return 0;
}

int
access_migrate_plan_build(const struct access_migrate_in *in,
    struct access_migrate_plan *out, struct ekskit_err *err)
{
	int e;

	memset(out, 0, sizeof(*out));
	if ((out->auth_mode = strdup(in->auth_mode ? in->auth_mode :
	    "CONFIG_MAP")) == NULL ||
	    (e = plan_rows(in, out)) != 0 || (e = plan_next_mode(in, out)) != 0) {
		access_migrate_plan_release(out);
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	}
	return EKSKIT_OK;
}

/* ------------------------------------------------------------ applying */

static int
apply_item(const struct aws_client *eks, const char *cluster,
    struct access_migrate_item *it, struct ekskit_err *err)
{
	struct eks_access_entry_spec s;
	int r;

	memset(&s, 0, sizeof(s));
	s.principal_arn = it->principal_arn;
	s.type = it->type;
	s.username = it->username;
	s.groups = (const char *const *)it->groups;
	s.ngroups = it->ngroups;
	if ((r = eks_access_create(eks, cluster, &s, NULL, err)) != 0)
		return r;
	it->created = 1;
	if (it->cluster_admin)
		r = eks_access_associate(eks, cluster, it->principal_arn, ADMIN_POLICY,
		    "cluster", NULL, 0, NULL, err);
	return r;
}

int
access_migrate_apply(const struct aws_client *eks, const char *cluster,
    struct access_migrate_plan *p, struct ekskit_err *err)
{
	struct ekskit_err one;
	size_t i;
	int first = EKSKIT_OK;

	if (!p->can_create)
		return ekskit_err_set(err, EKSKIT_ERR_CONFIG, "the cluster's "
		    "authentication mode is %s: access entries cannot be created; "
		    "this tool never changes it (run: %s)", p->auth_mode,
		    p->next_command ? p->next_command : "?");
	for (i = 0; i < p->n; i++) {
		struct access_migrate_item *it = &p->items[i];
		int r;

		if (it->verdict != ACCESS_MIGRATE_CREATE)
			continue;
		ekskit_err_clear(&one);
		if ((r = apply_item(eks, cluster, it, &one)) == EKSKIT_OK)
			continue;
		it->verdict = ACCESS_MIGRATE_FAILED;
		p->errors++;
		if (say(it, "%s", one.msg) != 0)
			return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
		if (first == EKSKIT_OK) {
			first = r;
			if (err != NULL)
				*err = one;
		}
	}
	return first;
}

/* -------------------------------------------------------------- output */

static json_t *
item_json(const struct access_migrate_item *it)
{
	json_t *o = json_object(), *g = json_array();
	size_t i;

	for (i = 0; g != NULL && i < it->ngroups; i++)
		json_array_append_new(g, json_string(it->groups[i]));
	if (o == NULL || g == NULL) {
		json_decref(o);
		json_decref(g);
		return NULL;
	}
	json_object_set_new(o, "source", json_string(it->source));
	json_object_set_new(o, "verdict", json_string(
	    access_migrate_verdict_name(it->verdict)));
	json_object_set_new(o, "created", json_boolean(it->created));
	json_object_set_new(o, "written", it->written ? json_string(it->written) :
	    json_null());
	json_object_set_new(o, "principalArn", it->principal_arn ?
	    json_string(it->principal_arn) : json_null());
	json_object_set_new(o, "type", it->type ? json_string(it->type) : json_null());
	json_object_set_new(o, "username", it->username ?
	    json_string(it->username) : json_null());
	json_object_set_new(o, "kubernetesGroups", g);
	json_object_set_new(o, "accessPolicies", it->cluster_admin ?
	    json_pack("[{s:s,s:{s:s}}]", "policy", ADMIN_POLICY, "accessScope",
	    "type", "cluster") : json_array());
	json_object_set_new(o, "reason", it->reason ? json_string(it->reason) :
	    json_null());
	return o;
}

json_t *
access_migrate_plan_json(const struct access_migrate_plan *p)
{
	json_t *o = json_object(), *items = json_array(), *next = json_object();
	size_t i;

	if (o == NULL || items == NULL || next == NULL) {
		json_decref(o);
		json_decref(items);
		json_decref(next);
		return NULL;
	}
	for (i = 0; i < p->n; i++)
		json_array_append_new(items, item_json(&p->items[i]));
	json_object_set_new(o, "authenticationMode", json_string(p->auth_mode));
	json_object_set_new(o, "mappings", items);
	json_object_set_new(next, "mode", p->next_mode ?
	    json_string(p->next_mode) : json_null());
	json_object_set_new(next, "command", p->next_command ?
	    json_string(p->next_command) : json_null());
	json_object_set_new(next, "safe", json_boolean(p->next_safe));
	json_object_set_new(next, "why", json_string(p->next_why ? p->next_why : ""));
	json_object_set_new(o, "nextAuthenticationMode", next);
	json_object_set_new(o, "errors", json_integer((json_int_t)p->errors));
	return o;
}

/* Append text with control characters replaced (aws-auth is untrusted). */
static int
put_safe(struct ekbuf *out, const char *s)
{
	char buf[2048];

	return ekbuf_puts(out, ek_printable(buf, sizeof(buf), s));
}

static int
item_text(const struct access_migrate_item *it, int applied, struct ekbuf *out)
{
	const char *v = access_migrate_verdict_name(it->verdict);
	size_t i;
	int r;

	if (it->verdict == ACCESS_MIGRATE_CREATE)
		v = applied && it->created ? "created" : "create";
	r = ekbuf_printf(out, "%-15s ", v) || put_safe(out, it->source) ||
	    ekbuf_puts(out, ": ") ||
	    put_safe(out, it->principal_arn ? it->principal_arn :
	    it->written ? it->written : "-");
	if (r == 0 && it->type != NULL && it->verdict != ACCESS_MIGRATE_SHADOWED)
		r = ekbuf_printf(out, " type=%s", it->type);
	if (r == 0 && it->username != NULL)
		r = ekbuf_puts(out, " username=") || put_safe(out, it->username);
	for (i = 0; r == 0 && i < it->ngroups; i++)
		r = ekbuf_puts(out, i ? "," : " groups=") || put_safe(out, it->groups[i]);
	if (r == 0 && it->cluster_admin)
		r = ekbuf_puts(out, " policy=" ADMIN_POLICY "(cluster)");
	if (r == 0 && it->reason != NULL)
		r = ekbuf_puts(out, "\n                  ") || put_safe(out, it->reason);
	return r || ekbuf_putc(out, '\n');
}

int
access_migrate_plan_text(const struct access_migrate_plan *p, int applied,
    struct ekbuf *out)
{
	size_t i;
	int r;

	r = ekbuf_printf(out, "authentication mode: %s\n", p->auth_mode);
	if (r == 0 && p->n == 0)
		r = ekbuf_puts(out, "aws-auth has no mappings\n");
	for (i = 0; r == 0 && i < p->n; i++)
		r = item_text(&p->items[i], applied, out);
	if (r == 0 && !p->can_create)
		r = ekbuf_puts(out, "\nentries cannot be created while the mode is "
		    "CONFIG_MAP\n");
	if (r == 0 && p->next_command != NULL)
		r = ekbuf_printf(out, "\nnext: %s\n  %s\n  (this tool never changes "
		    "the mode, and never edits aws-auth)\n", p->next_command,
		    p->next_why);
	else if (r == 0)
		r = ekbuf_printf(out, "\n%s\n", p->next_why ? p->next_why : "");
	return r ? EKSKIT_ERR_NOMEM : 0;
}
