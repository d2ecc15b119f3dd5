/* `eks-access list`: see include/ekskit/access_view.h. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "ekskit/access_view.h"
#include "awsauth_internal.h"

static json_t *
str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *
strv_json(char *const *v, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && v && (n ? i < n : v[i] != NULL); i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

/* The entry for this aws-auth row's principal, if any. */
static const struct eks_access_entry *
entry_for(const struct access_view_in *in, const struct awsauth_row *r)
{
	size_t i;

	if (r->principal == NULL || r->section == AWSAUTH_ACCOUNTS)
		return NULL;
	for (i = 0; i < in->nentries; i++) {
		char *k = awsauth_principal_key(AWSAUTH_ROLES, in->entries[i]->principal_arn);
		int same = k != NULL && strcmp(k, r->principal) == 0;
		free(k);
		if (same)
			return in->entries[i];
	}
	return NULL;
}

static json_t *
row_json(const struct access_view_in *in, const struct awsauth_row *r)
{
	const struct awsauth_key *k = &in->awsauth->keys[r->key];
	const char *state = awsauth_state_name(r->state);
	const char *mode = in->auth_mode;
	char *reason = r->reason ? ek_strdup(r->reason) : NULL;
	int entry_wins = 0;
	json_t *o;

	if (mode != NULL && strcmp(mode, "API") == 0) {
		state = "ignored";
		awsauth_note(&reason, "the cluster's authentication mode is API: aws-auth "
		    "is not read at all");
	} else if (entry_for(in, r) != NULL) {
		entry_wins = 1;
		if (r->state == AWSAUTH_ACTIVE)
			state = "shadowed";
		awsauth_note(&reason, "an access entry exists for this principal: the "
		    "access entry wins");
	}
	o = json_pack("{s:s, s:s, s:I, s:o, s:o, s:o, s:o, s:o, s:s, s:o, s:b}",
	    "source", k->name, "section", awsauth_section_key(r->section),
	    "line", (json_int_t)r->line, "principal", str_or_null(r->arn),
	    "username", str_or_null(r->username),
	    "groups", strv_json(r->groups, r->ngroups),
	    "userid", str_or_null(r->userid), "sso", str_or_null(r->sso),
	    "state", state, "reason", str_or_null(reason), "accessEntryWins", entry_wins);
	free(reason);
	return o;
}

static json_t *
awsauth_json(const struct access_view_in *in)
{
	const struct awsauth *a = in->awsauth;
	json_t *o, *keys, *rows;
	size_t i;

	if (a == NULL)
		return json_pack("{s:b, s:o}", "read", 0, "note", str_or_null(in->awsauth_note));
	keys = json_array();
	rows = json_array();
	for (i = 0; i < a->nkeys; i++)
		json_array_append_new(keys, json_pack("{s:s, s:s, s:b, s:o}", "name",
		    a->keys[i].name, "holds", awsauth_section_key(a->keys[i].section),
		    "read", a->keys[i].read, "error", str_or_null(a->keys[i].error)));
	for (i = 0; i < a->nrows; i++)
		json_array_append_new(rows, row_json(in, &a->rows[i]));
	o = json_pack("{s:b, s:b, s:o, s:o, s:o}", "read", 1, "present",
	    in->awsauth_present, "resourceVersion", str_or_null(in->resource_version),
	    "keys", keys, "mappings", rows);
	return o;
}

int
access_view_build(const struct access_view_in *in, json_t **out,
    struct ekskit_err *err)
{
	json_t *entries, *side;
	size_t i;

	entries = json_array();
	for (i = 0; entries && in->entries && i < in->nentries; i++)
		json_array_append_new(entries, eks_access_entry_json(in->entries[i]));
	side = in->entries != NULL ?
	    json_pack("{s:b, s:o, s:o}", "read", 1, "authenticationMode",
	    str_or_null(in->auth_mode), "entries", entries) :
	    json_pack("{s:b, s:o}", "read", 0, "note", str_or_null(in->entries_note));
	if (in->entries == NULL)
		json_decref(entries);
	*out = json_pack("{s:o, s:o}", "awsAuth", awsauth_json(in), "accessEntries", side);
	return *out ? EKSKIT_OK : ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
}

/* ------------------------------------------------------------- table */

#define NCOLS 7

struct table {
	char **cell;        /* rows * NCOLS */
	size_t rows, cap;
	size_t width[NCOLS];
};

/* A cell for the terminal: control characters replaced. */
static char *
cell_text(const char *s)
{
	char *d = ek_strdup(s ? s : "-"), *p;

	for (p = d; p && *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return d;
}

static int
table_add(struct table *t, const char *const *v)
{
	size_t i;

	if (t->rows == t->cap) {
		char **n = realloc(t->cell, (t->cap + 16) * NCOLS * sizeof(*n));
		if (n == NULL)
			return EKSKIT_ERR_NOMEM;
		t->cell = n;
		t->cap += 16;
	}
	for (i = 0; i < NCOLS; i++) {
		char *c = cell_text(v[i]);
		if (c == NULL)
			return EKSKIT_ERR_NOMEM;
		t->cell[t->rows * NCOLS + i] = c;
		if (strlen(c) > t->width[i])
			t->width[i] = strlen(c);
	}
	t->rows++;
	return EKSKIT_OK;
}

static void
table_free(struct table *t)
{
	size_t i;

	for (i = 0; i < t->rows * NCOLS; i++)
		free(t->cell[i]);
	free(t->cell);
}

/* "a,b,c" from a JSON array of strings. */
static char *
join(const json_t *arr, const char *empty)
{
	struct ekbuf b;
	size_t i;
	json_t *v;

	ekbuf_init(&b, 1u << 20);
	json_array_foreach(arr, i, v)
		ekbuf_printf(&b, "%s%s", i ? "," : "", json_string_value(v) ?
		    json_string_value(v) : "");
	if (b.len == 0)
		ekbuf_puts(&b, empty);
	return ekbuf_detach(&b, NULL);
}

/* "AmazonEKSAdminPolicy(namespace:a,b)" per policy. */
static char *
policies_text(const json_t *pol)
{
	struct ekbuf b;
	size_t i;
	json_t *p;

	ekbuf_init(&b, 1u << 20);
	json_array_foreach(pol, i, p) {
		const char *arn = json_string_value(json_object_get(p, "policyArn"));
		const char *name = arn ? eks_access_policy_short(arn) : NULL;
		const json_t *sc = json_object_get(p, "accessScope");
		char *ns = join(json_object_get(sc, "namespaces"), "");
		ekbuf_printf(&b, "%s%s(%s%s%s)", i ? "," : "", name ? name : "?",
		    json_string_value(json_object_get(sc, "type")) ?
		    json_string_value(json_object_get(sc, "type")) : "?",
		    ns && *ns ? ":" : "", ns ? ns : "");
		free(ns);
	}
	return ekbuf_detach(&b, NULL);
}

static int
add_mapping_rows(struct table *t, const json_t *aa)
{
	size_t i;
	json_t *k, *m;
	int r = EKSKIT_OK;

	json_array_foreach(json_object_get(aa, "keys"), i, k) {
		const char *e = json_string_value(json_object_get(k, "error"));
		const char *v[NCOLS] = { json_string_value(json_object_get(k, "name")), "-",
			"(the whole key)", "-", "-", "ignored", NULL };
		char note[1200];
		if (e == NULL || r != EKSKIT_OK)
			continue;
		snprintf(note, sizeof(note), "cannot be read (%s): the authenticator "
		    "ignores this text and keeps what it loaded before", e);
		v[6] = note;
		r = table_add(t, v);
	}
	json_array_foreach(json_object_get(aa, "mappings"), i, m) {
		char line[24], *groups = join(json_object_get(m, "groups"), "-");
		const char *principal = json_string_value(json_object_get(m, "principal"));
		const char *sso = json_string_value(json_object_get(m, "sso"));
		char ssobuf[300];
		const char *v[NCOLS];

		if (principal == NULL && sso != NULL) {
			snprintf(ssobuf, sizeof(ssobuf), "sso:%s", sso);
			principal = ssobuf;
		}
		snprintf(line, sizeof(line), "%lld",
		    (long long)json_integer_value(json_object_get(m, "line")));
		v[0] = json_string_value(json_object_get(m, "source"));
		v[1] = line;
		v[2] = principal;
		v[3] = json_string_value(json_object_get(m, "username"));
		v[4] = groups;
		v[5] = json_string_value(json_object_get(m, "state"));
		v[6] = json_string_value(json_object_get(m, "reason"));
		if (r == EKSKIT_OK)
			r = groups ? table_add(t, v) : EKSKIT_ERR_NOMEM;
		free(groups);
	}
	return r;
}

static int
add_entry_rows(struct table *t, const json_t *ae)
{
	size_t i;
	json_t *e;
	int r = EKSKIT_OK;

	json_array_foreach(json_object_get(ae, "entries"), i, e) {
		char src[64], *groups = join(json_object_get(e, "kubernetesGroups"), "");
		char *pol = policies_text(json_object_get(e, "accessPolicies"));
		struct ekbuf gp;
		const char *v[NCOLS];

		ekbuf_init(&gp, 1u << 20);
		ekbuf_printf(&gp, "%s%s%s", groups ? groups : "",
		    groups && *groups && pol && *pol ? "," : "", pol ? pol : "");
		snprintf(src, sizeof(src), "entry:%s",
		    json_string_value(json_object_get(e, "type")) ?
		    json_string_value(json_object_get(e, "type")) : "STANDARD");
		v[0] = src;
		v[1] = "-";
		v[2] = json_string_value(json_object_get(e, "principalArn"));
		v[3] = json_string_value(json_object_get(e, "username"));
		v[4] = gp.len ? gp.data : "-";
		v[5] = "active";
		v[6] = NULL;
		if (r == EKSKIT_OK)
			r = table_add(t, v);
		ekbuf_release(&gp);
		free(groups);
		free(pol);
	}
	return r;
}

static int
render_table(const json_t *view, struct ekbuf *out)
{
	static const char *const head[NCOLS] = { "SOURCE", "LINE", "PRINCIPAL", "USERNAME",
		"GROUPS/POLICIES", "STATE", "NOTE" };
	const json_t *aa = json_object_get(view, "awsAuth");
	const json_t *ae = json_object_get(view, "accessEntries");
	struct table t = { 0 };
	size_t i, j;
	int r;

	r = table_add(&t, head);
	if (r == EKSKIT_OK)
		r = add_mapping_rows(&t, aa);
	if (r == EKSKIT_OK)
		r = add_entry_rows(&t, ae);
	for (i = 0; r == EKSKIT_OK && i < t.rows; i++) {
		for (j = 0; j < NCOLS && r == EKSKIT_OK; j++) {
			const char *c = t.cell[i * NCOLS + j];
			if (j == NCOLS - 1 && strcmp(c, "-") == 0) {
				while (out->len > 0 && out->data[out->len - 1] == ' ')
					out->data[--out->len] = '\0';
				r = ekbuf_putc(out, '\n');
			} else if (j == NCOLS - 1)
				r = ekbuf_printf(out, "%s\n", c);
			else
				r = ekbuf_printf(out, "%-*s  ", (int)t.width[j], c);
		}
	}
	/* the sides that could not be read, and an empty cluster, said plainly */
	if (r == EKSKIT_OK && !json_is_true(json_object_get(aa, "read")))
		r = ekbuf_printf(out, "# aws-auth not read: %s\n",
		    json_string_value(json_object_get(aa, "note")) ?
		    json_string_value(json_object_get(aa, "note")) : "no Kubernetes access");
	else if (r == EKSKIT_OK && !json_is_true(json_object_get(aa, "present")))
		r = ekbuf_puts(out, "# no kube-system/aws-auth ConfigMap\n");
	if (r == EKSKIT_OK && !json_is_true(json_object_get(ae, "read")))
		r = ekbuf_printf(out, "# access entries not read: %s\n",
		    json_string_value(json_object_get(ae, "note")) ?
		    json_string_value(json_object_get(ae, "note")) : "no EKS access");
	table_free(&t);
	return r;
}

/* -------------------------------------------------------------- YAML */

static int emit_value(yaml_emitter_t *em, const json_t *v);

static int
emit_scalar(yaml_emitter_t *em, const char *s, int plain_ok)
{
	yaml_event_t ev;

	return yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)(uintptr_t)s,
	    (int)strlen(s), plain_ok, !plain_ok ? 1 : plain_ok,
	    plain_ok ? YAML_ANY_SCALAR_STYLE : YAML_DOUBLE_QUOTED_SCALAR_STYLE) &&
	    yaml_emitter_emit(em, &ev);
}

/* A string that YAML would read back as null, a boolean or a number is quoted. */
static int
emit_string(yaml_emitter_t *em, const char *s)
{
	yaml_event_t probe;

	memset(&probe, 0, sizeof(probe));
	probe.data.scalar.value = (yaml_char_t *)(uintptr_t)s;
	probe.data.scalar.style = YAML_PLAIN_SCALAR_STYLE;
	return emit_scalar(em, s, yscalar_kind(&probe) == YS_STRING);
}

static int
emit_value(yaml_emitter_t *em, const json_t *v)
{
	yaml_event_t ev;
	const char *k;
	json_t *x;
	size_t i;
	char num[64];

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		if (!yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
		    YAML_BLOCK_MAPPING_STYLE) || !yaml_emitter_emit(em, &ev))
			return 0;
		json_object_foreach((json_t *)(uintptr_t)v, k, x)
			if (!emit_string(em, k) || !emit_value(em, x))
				return 0;
		return yaml_mapping_end_event_initialize(&ev) && yaml_emitter_emit(em, &ev);
	case JSON_ARRAY:
		if (!yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
		    json_array_size(v) ? YAML_BLOCK_SEQUENCE_STYLE : YAML_FLOW_SEQUENCE_STYLE) ||
		    !yaml_emitter_emit(em, &ev))
			return 0;
		json_array_foreach(v, i, x)
			if (!emit_value(em, x))
				return 0;
		return yaml_sequence_end_event_initialize(&ev) && yaml_emitter_emit(em, &ev);
	case JSON_STRING:
		return emit_string(em, json_string_value(v));
	case JSON_INTEGER:
		snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
		return emit_scalar(em, num, 1);
	case JSON_REAL:
		snprintf(num, sizeof(num), "%.17g", json_real_value(v));
		return emit_scalar(em, num, 1);
	case JSON_TRUE:
		return emit_scalar(em, "true", 1);
	case JSON_FALSE:
		return emit_scalar(em, "false", 1);
	default:
		return emit_scalar(em, "null", 1);
	}
}

static int
yaml_out(void *data, unsigned char *buf, size_t size)
{
	return ekbuf_append(data, buf, size) == EKSKIT_OK;
}

int
access_json_to_yaml(const json_t *v, struct ekbuf *out, struct ekskit_err *err)
{
	yaml_emitter_t em;
	yaml_event_t ev;
	int ok;

	if (!yaml_emitter_initialize(&em))
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	yaml_emitter_set_output(&em, yaml_out, out);
	yaml_emitter_set_unicode(&em, 1);
	yaml_emitter_set_width(&em, -1);
	ok = yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING) &&
	    yaml_emitter_emit(&em, &ev) &&
	    yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1) &&
	    yaml_emitter_emit(&em, &ev) && emit_value(&em, v) &&
	    yaml_document_end_event_initialize(&ev, 1) && yaml_emitter_emit(&em, &ev) &&
	    yaml_stream_end_event_initialize(&ev) && yaml_emitter_emit(&em, &ev) &&
	    yaml_emitter_flush(&em);
	yaml_emitter_delete(&em);
	return ok ? EKSKIT_OK : ekskit_err_set(err, EKSKIT_ERR_NOMEM, "cannot write YAML");
}

int
access_view_render(const json_t *view, enum access_view_format f,
    struct ekbuf *out, struct ekskit_err *err)
{
	char *s;
	int r;

	if (f == ACCESS_VIEW_YAML)
		return access_json_to_yaml(view, out, err);
	if (f == ACCESS_VIEW_TABLE)
		r = render_table(view, out);
	else if ((s = json_dumps(view, JSON_INDENT(2))) == NULL)
		r = EKSKIT_ERR_NOMEM;
	else {
		r = ekbuf_printf(out, "%s\n", s);
		free(s);
	}
	return r == EKSKIT_OK ? EKSKIT_OK : ekskit_err_set(err, r, "out of memory");
}

void
access_entries_cover(struct eks_access_entry *const *v, size_t n, int *admin,
    int *nodes)
{
	static const char *const node_types[] = { "EC2_LINUX", "EC2_WINDOWS",
		"HYBRID_LINUX", "EC2", NULL };
	size_t i, j, t;

	*admin = *nodes = 0;
	for (i = 0; i < n; i++) {
		for (t = 0; v[i]->type != NULL && node_types[t] != NULL; t++)
			*nodes |= strcmp(v[i]->type, node_types[t]) == 0;
		for (j = 0; j < v[i]->npolicies; j++) {
			const struct eks_associated_policy *p = &v[i]->policies[j];
			if (p->policy_arn != NULL && strcmp(eks_access_policy_short(p->policy_arn),
			    "AmazonEKSClusterAdminPolicy") == 0 && p->scope.type != NULL &&
			    strcmp(p->scope.type, "cluster") == 0)
				*admin = 1;
		}
	}
}
