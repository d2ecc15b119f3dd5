/* `eks-access whoami`: see include/ekskit/access_whoami.h. */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ekskit/access_whoami.h"
#include "ekskit/arn.h"

/* The entry EKS uses for a principal: same IAM principal, role paths aside. */
static const struct eks_access_entry *
find_entry(const struct access_whoami_in *in, const char *canonical)
{
	char *want = NULL, *have = NULL, *k1, *k2;
	const struct eks_access_entry *hit = NULL;
	size_t i;

	if (arn_strip_role_path(canonical, &want, NULL, NULL) != 0)
		return NULL;
	k1 = arn_key(want);
	for (i = 0; k1 != NULL && hit == NULL && i < in->nentries; i++) {
		if (arn_strip_role_path(in->entries[i]->principal_arn, &have, NULL,
		    NULL) != 0)
			continue;
		if ((k2 = arn_key(have)) != NULL && strcmp(k1, k2) == 0)
			hit = in->entries[i];
		free(k2);
		free(have);
		have = NULL;
	}
	free(k1);
	free(want);
	return hit;
}

/* The authenticator's lookup: mapRoles, then mapUsers, then mapAccounts. */
static const struct awsauth_row *
find_mapping(const struct awsauth *a, const char *key, const char *account)
{
	static const enum awsauth_section order[] = {
		AWSAUTH_ROLES, AWSAUTH_USERS, AWSAUTH_ACCOUNTS,
	};
	size_t s, i;

	for (s = 0; a != NULL && s < 3; s++)
		for (i = 0; i < a->nrows; i++) {
			const struct awsauth_row *r = &a->rows[i];
			const char *want = order[s] == AWSAUTH_ACCOUNTS ? account : key;

			if (r->section != order[s] || r->state != AWSAUTH_ACTIVE ||
			    r->lookup == NULL)
				continue;
			/* sso matchers are ARN patterns (ArnLike: '*' and '?') */
			if (strcmp(r->lookup, want) == 0 || (r->sso != NULL &&
			    fnmatch(r->lookup, want, 0) == 0))
				return r;
		}
	return NULL;
}

/* Expand the templates the caller's ARN alone determines. */
static char *
expand(const char *tmpl, const struct arn_principal *p)
{
	struct ekbuf b;
	const char *s = tmpl;
	size_t i;

	ekbuf_init(&b, 8192);
	while (*s != '\0') {
		int r;

		if (strncmp(s, "{{AccountID}}", 13) == 0) {
			r = ekbuf_puts(&b, p->account);
			s += 13;
		} else if (strncmp(s, "{{SessionNameRaw}}", 18) == 0 && p->session) {
			r = ekbuf_puts(&b, p->session);
			s += 18;
		} else if (strncmp(s, "{{SessionName}}", 15) == 0 && p->session) {
			/* the authenticator's SessionName replaces '@' with '-' */
			for (i = 0, r = 0; r == 0 && p->session[i] != '\0'; i++)
				r = ekbuf_putc(&b, p->session[i] == '@' ? '-' : p->session[i]);
			s += 15;
		} else
			r = ekbuf_putc(&b, *s++);
		if (r != 0) {
			ekbuf_release(&b);
			return NULL;
		}
	}
	return ekbuf_detach(&b, NULL);
}

static json_t *
strv_json(char *const *v, const struct arn_principal *p)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && v != NULL && v[i] != NULL; i++) {
		char *x = expand(v[i], p);

		json_array_append_new(a, json_string(x ? x : v[i]));
		free(x);
	}
	return a;
}

static void
note(json_t *notes, const char *msg)
{
	json_array_append_new(notes, json_string(msg));
}

static int
mode_reads_awsauth(const char *mode)
{
	return mode == NULL || strcmp(mode, "API") != 0;
}

static int
mode_reads_entries(const char *mode)
{
	return mode == NULL || strcmp(mode, "CONFIG_MAP") != 0;
}

/* The access-entry side of the answer. */
static void
explain_entry(const struct access_whoami_in *in, const struct arn_principal *p,
    json_t *doc, json_t *notes, int *decided)
{
	const struct eks_access_entry *e;
	json_t *pols = json_array();
	size_t i;
	char *user;

	if (in->entries == NULL) {
		note(notes, in->entries_note ? in->entries_note :
		    "access entries not read (give --cluster-name)");
		json_decref(pols);
		return;
	}
	if ((e = find_entry(in, p->canonical)) == NULL) {
		json_decref(pols);
		return;
	}
	json_object_set_new(doc, "accessEntry", eks_access_entry_json(e));
	if (!mode_reads_entries(in->auth_mode)) {
		note(notes, "the cluster's mode is CONFIG_MAP: its access entries are "
		    "not used");
		json_decref(pols);
		return;
	}
	*decided = 1;
	user = e->username ? expand(e->username, p) : NULL;
	json_object_set_new(doc, "decidedBy", json_string("access-entry"));
	json_object_set_new(doc, "username", user ? json_string(user) : json_null());
	json_object_set_new(doc, "groups", strv_json(e->kubernetes_groups, p));
	for (i = 0; i < e->npolicies; i++)
		json_array_append_new(pols, eks_associated_policy_json(&e->policies[i]));
	json_object_set_new(doc, "accessPolicies", pols);
	free(user);
}

/* The aws-auth side of the answer. */
static void
explain_awsauth(const struct access_whoami_in *in, const struct arn_principal *p,
    json_t *doc, json_t *notes, int *decided)
{
	const struct awsauth_row *r;
	char src[160], *user;
	json_t *m;

	if (in->auth == NULL) {
		note(notes, in->auth_note ? in->auth_note : "aws-auth not read");
		return;
	}
	if ((r = find_mapping(in->auth, p->key, p->account)) == NULL) {
		if (!*decided)
			note(notes, "no aws-auth mapping matches the canonical ARN "
			    "(mappings with a role path never match)");
		return;
	}
	snprintf(src, sizeof(src), "%s line %zu", in->auth->keys[r->key].name,
	    r->line);
	user = r->section == AWSAUTH_ACCOUNTS ? strdup(p->canonical) :
	    expand(r->username ? r->username : "", p);
	m = json_pack("{s:s,s:s?,s:o}", "source", src, "username", user,
	    "groups", strv_json(r->groups, p));
	json_object_set_new(doc, "awsAuth", m);
	if (*decided)
		note(notes, "an access entry exists for this principal: EKS uses it, "
		    "not the aws-auth mapping");
	else if (!mode_reads_awsauth(in->auth_mode))
		note(notes, "the cluster's mode is API: aws-auth is not read");
	else {
		*decided = 1;
		json_object_set_new(doc, "decidedBy", json_string("aws-auth"));
		json_object_set(doc, "username", json_object_get(m, "username"));
		json_object_set(doc, "groups", json_object_get(m, "groups"));
	}
	free(user);
}

int
access_whoami_explain(const struct access_whoami_in *in, json_t **out,
    struct ekskit_err *err)
{
	struct arn_principal p;
	json_t *doc, *notes;
	int decided = 0, r;

	*out = NULL;
	if ((r = arn_principal_parse(in->arn, &p, err)) != EKSKIT_OK)
		return r == EKSKIT_ERR_INVALID ? EKSKIT_ERR_USAGE : r;
	doc = json_pack("{s:s,s:s,s:s,s:s?,s:s?,s:n,s:n,s:s,s:n,s:[],s:[],s:n}",
	    "arn", in->arn, "canonicalArn", p.canonical, "account", p.account,
	    "sessionName", p.session, "authenticationMode", in->auth_mode,
	    "accessEntry", "awsAuth", "decidedBy", "nothing", "username",
	    "groups", "accessPolicies", "selfSubjectReview");
	notes = json_array();
	if (doc == NULL || notes == NULL) {
		json_decref(doc);
		json_decref(notes);
		arn_principal_release(&p);
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	}
	explain_entry(in, &p, doc, notes, &decided);
	explain_awsauth(in, &p, doc, notes, &decided);
	if (!decided)
		note(notes, "nothing maps this principal: the API server answers "
		    "Unauthorized (create an access entry or an aws-auth mapping)");
	if (in->review != NULL)
		json_object_set(doc, "selfSubjectReview", (json_t *)in->review);
	else if (in->review_note != NULL)
		note(notes, in->review_note);
	json_object_set_new(doc, "notes", notes);
	arn_principal_release(&p);
	*out = doc;
	return EKSKIT_OK;
}

/* ---------------------------------------------------------------- text */

static int
line(struct ekbuf *out, const char *label, const char *value)
{
	char buf[2048];

	return ekbuf_printf(out, "%-20s %s\n", label,
	    ek_printable(buf, sizeof(buf), value ? value : "-"));
}

static int
list_line(struct ekbuf *out, const char *label, const json_t *a)
{
	struct ekbuf b;
	size_t i;
	json_t *v;
	int r = 0;

	ekbuf_init(&b, 64 * 1024);
	json_array_foreach(a, i, v)
		r |= ekbuf_printf(&b, "%s%s", i ? "," : "",
		    json_is_string(v) ? json_string_value(v) : "?");
	r |= line(out, label, b.len ? b.data : "-");
	ekbuf_release(&b);
	return r;
}

static const char *
str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

int
access_whoami_text(const json_t *doc, struct ekbuf *out)
{
	const json_t *m = json_object_get(doc, "awsAuth"), *v;
	const json_t *rv = json_object_get(doc, "selfSubjectReview");
	size_t i;
	int r = 0;

	r |= line(out, "arn:", str(doc, "arn"));
	r |= line(out, "canonical arn:", str(doc, "canonicalArn"));
	r |= line(out, "auth mode:", str(doc, "authenticationMode"));
	r |= line(out, "access entry:", str(json_object_get(doc, "accessEntry"),
	    "principalArn"));
	r |= line(out, "aws-auth mapping:", str(m, "source"));
	r |= line(out, "decided by:", str(doc, "decidedBy"));
	r |= line(out, "username:", str(doc, "username"));
	r |= list_line(out, "groups:", json_object_get(doc, "groups"));
	json_array_foreach(json_object_get(doc, "accessPolicies"), i, v) {
		const json_t *sc = json_object_get(v, "accessScope");
		char buf[512];

		snprintf(buf, sizeof(buf), "%s (%s)", eks_access_policy_short(
		    str(v, "policyArn")), str(sc, "type") ? str(sc, "type") : "?");
		r |= line(out, i ? "" : "access policies:", buf);
	}
	if (json_is_object(rv)) {
		r |= line(out, "api server says:", str(rv, "username"));
		r |= list_line(out, "  groups:", json_object_get(rv, "groups"));
	}
	json_array_foreach(json_object_get(doc, "notes"), i, v)
		r |= line(out, "note:", json_string_value(v));
	return r ? EKSKIT_ERR_NOMEM : 0;
}

int
access_whoami_review(const struct k8s_conn *c, json_t **userinfo,
    struct ekskit_err *err)
{
	json_t *body, *resp = NULL, *ui;
	int r;

	*userinfo = NULL;
	body = json_pack("{s:s,s:s}", "apiVersion", "authentication.k8s.io/v1",
	    "kind", "SelfSubjectReview");
	if (body == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	r = k8s_call(c, "POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews",
	    body, &resp, err);
	json_decref(body);
	if (r != EKSKIT_OK)
		return r;
	ui = json_object_get(json_object_get(resp, "status"), "userInfo");
	if (!json_is_object(ui) || !json_is_string(json_object_get(ui, "username"))) {
		json_decref(resp);
		return ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "SelfSubjectReview answer without status.userInfo.username");
	}
	*userinfo = json_incref(ui);
	json_decref(resp);
	return EKSKIT_OK;
}
