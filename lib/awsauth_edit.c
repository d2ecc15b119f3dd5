/*
 * Lossless edits of aws-auth: items are cut out of, or spliced into, the
 * YAML text at the byte spans lib/awsauth.c found; nothing else is
 * re-serialised.  Every edit is checked by parsing the result again.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "ekskit/buf.h"
#include "ekskit/arn.h"
#include "ekskit/awsauth.h"
#include "ekskit/diff.h"
#include "awsauth_internal.h"

void
awsauth_notes_release(struct awsauth_notes *n)
{
	if (n == NULL)
		return;
	ek_strv_free(n->v);
	n->v = NULL;
	n->n = 0;
}

static int
notes_add(struct awsauth_notes *n, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int
notes_add(struct awsauth_notes *n, const char *fmt, ...)
{
	struct ekbuf b;
	char **v;
	va_list ap;
	int r;

	if (n == NULL)
		return EKSKIT_OK;
	ekbuf_init(&b, 4096);
	va_start(ap, fmt);
	r = ekbuf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (r != EKSKIT_OK || (v = realloc(n->v, (n->n + 2) * sizeof(*v))) == NULL) {
		ekbuf_release(&b);
		return EKSKIT_ERR_NOMEM;
	}
	n->v = v;
	if ((v[n->n] = ekbuf_detach(&b, NULL)) == NULL)
		return EKSKIT_ERR_NOMEM;
	v[++n->n] = NULL;
	return EKSKIT_OK;
}

void
awsauth_edit_release(struct awsauth_edit *e)
{
	if (e == NULL)
		return;
	free(e->key);
	free(e->old_text);
	free(e->new_text);
	memset(e, 0, sizeof(*e));
}

/* ------------------------------------------------------------ validation */

static int
check_text(const char *what, const char *s, struct ekskit_err *err)
{
	const char *bad = NULL;

	if (s == NULL || *s == '\0' || strlen(s) > 1024 || ek_has_control(s))
		return ekskit_err_set(err, EKSKIT_ERR_USAGE, "%s must be 1 to 1024 "
		    "printable characters", what);
	if (!awsauth_template_valid(s, &bad))
		return ekskit_err_set(err, EKSKIT_ERR_USAGE, "%s uses an unknown "
		    "placeholder at '%.32s': the authenticator knows {{EC2PrivateDNSName}}, "
		    "{{AccountID}}, {{SessionName}}, {{SessionNameRaw}} and {{AccessKeyID}}",
		    what, bad);
	return EKSKIT_OK;
}

static int
validate_arn(const struct awsauth_mapping *m, char **arn_out,
    struct awsauth_notes *notes, struct ekskit_err *err)
{
	struct arn_principal p;
	int want_role = m->section == AWSAUTH_ROLES, r = EKSKIT_OK;

	if (arn_principal_parse(m->arn, &p, err) != EKSKIT_OK)
		return ekskit_err_set(err, EKSKIT_ERR_USAGE, "%s", err ? err->msg : "bad ARN");
	if (want_role && p.kind == ARN_KIND_ASSUMED_ROLE) {
		notes_add(notes, "%s is an STS session: mapping its role "
		    "arn:%s:iam::%s:role/%s", m->arn, p.partition, p.account, p.name);
	} else if (want_role && p.kind != ARN_KIND_ROLE) {
		r = ekskit_err_set(err, EKSKIT_ERR_USAGE, "add-role needs an IAM role ARN "
		    "(arn:%s:iam::%s:role/NAME)%s", p.partition, p.account,
		    p.kind == ARN_KIND_USER ? "; use add-user for users" : "");
	} else if (!want_role && p.kind != ARN_KIND_USER) {
		r = ekskit_err_set(err, EKSKIT_ERR_USAGE, "add-user needs an IAM user ARN "
		    "(arn:%s:iam::%s:user/NAME)%s", p.partition, p.account,
		    p.kind == ARN_KIND_ROLE || p.kind == ARN_KIND_ASSUMED_ROLE ?
		    "; use add-role for roles" : "");
	} else if (want_role && strcmp(p.path, "/") != 0) {
		notes_add(notes, "removed the path %s from the role ARN: the "
		    "authenticator compares against arn:%s:iam::%s:role/%s", p.path,
		    p.partition, p.account, p.name);
	}
	if (r == EKSKIT_OK && want_role)
		*arn_out = arn_role_arn(p.partition, p.account, "/", p.name);
	else if (r == EKSKIT_OK)
		*arn_out = ek_strdup(m->arn);
	if (r == EKSKIT_OK && *arn_out == NULL)
		r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	arn_principal_release(&p);
	return r;
}

int
awsauth_validate(const struct awsauth_mapping *m, char **arn_out,
    struct awsauth_notes *notes, struct ekskit_err *err)
{
	size_t i;
	int r;

	*arn_out = NULL;
	if (m->arn == NULL || *m->arn == '\0')
		return ekskit_err_set(err, EKSKIT_ERR_USAGE, "missing the ARN");
	if (m->section == AWSAUTH_ACCOUNTS) {
		if (!arn_account_valid(m->arn))
			return ekskit_err_set(err, EKSKIT_ERR_USAGE, "'%s' is not an "
			    "AWS account id (12 digits)", ek_has_control(m->arn) ? "?" : m->arn);
		return (*arn_out = ek_strdup(m->arn)) ? EKSKIT_OK :
		    ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	}
	if (m->username == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_USAGE, "--username is required "
		    "(nodes: --username 'system:node:{{EC2PrivateDNSName}}')");
	if ((r = check_text("--username", m->username, err)) != EKSKIT_OK)
		return r;
	for (i = 0; i < m->ngroups; i++) {
		const char *s;
		if ((r = check_text("--group", m->groups[i], err)) != EKSKIT_OK)
			return r;
		if (!awsauth_group_known(m->groups[i])) {
			s = awsauth_group_suggest(m->groups[i]);
			return ekskit_err_set(err, EKSKIT_ERR_USAGE, "group %s is not a "
			    "Kubernetes system group and would grant nothing%s%s%s",
			    m->groups[i], s ? " (did you mean " : "", s ? s : "",
			    s ? "?)" : "");
		}
	}
	return validate_arn(m, arn_out, notes, err);
}

/* ------------------------------------------------------------ rendering */

static int
plain_safe(const char *s)
{
	yaml_event_t ev;
	size_t i;

	if (*s == '\0' || strchr("-?:,[]{}#&*!|>'\"%@`", s[0]) != NULL)
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (!isalnum((unsigned char)s[i]) && strchr(":._/@+=,{}()-", s[i]) == NULL)
			return 0;
	if (s[i - 1] == ':')
		return 0;
	/* "yes", "1234", "null" would not come back as strings */
	memset(&ev, 0, sizeof(ev));
	ev.data.scalar.value = (yaml_char_t *)(uintptr_t)s;
	ev.data.scalar.style = YAML_PLAIN_SCALAR_STYLE;
	return yscalar_kind(&ev) == YS_STRING;
}

static int
put_scalar(struct ekbuf *b, const char *s)
{
	int r = EKSKIT_OK;

	if (plain_safe(s))
		return ekbuf_puts(b, s);
	r = ekbuf_putc(b, '"');
	for (; *s && r == EKSKIT_OK; s++)
		r = (*s == '"' || *s == '\\') ? ekbuf_printf(b, "\\%c", *s) : ekbuf_putc(b, *s);
	return r == EKSKIT_OK ? ekbuf_putc(b, '"') : r;
}

/* How the existing items are laid out, so a new one looks like them. */
struct layout {
	size_t dash_col;     /* column of "-" */
	size_t key_off;      /* from "-" to the first key */
	size_t group_off;    /* from the key column to the "-" of a group */
	const char *eol;     /* "\n" or "\r\n" */
};

static void
sniff_layout(const struct awsauth_key *k, const struct awsauth_row *first,
    struct layout *l)
{
	const char *t = k->text, *p, *e;

	l->dash_col = 0;
	l->key_off = 2;
	l->group_off = 2;
	l->eol = (memchr(t, '\r', k->len) && strstr(t, "\r\n")) ? "\r\n" : "\n";
	if (first == NULL || k->flow)
		return;
	p = t + first->span_start;
	e = t + first->span_end;
	while (p < e && *p == ' ')
		p++;
	/* the column libyaml sees: characters since the line start (a leading
	 * byte-order mark does not count) */
	{
		const char *ls = t + first->span_start, *c;
		while (ls > t && ls[-1] != '\n' && ls[-1] != '\r')
			ls--;
		if (ls == t && k->len >= 3 && memcmp(t, "\xef\xbb\xbf", 3) == 0)
			ls += 3;
		for (c = ls; c < p; c++)
			l->dash_col += ((unsigned char)*c & 0xc0) != 0x80;
	}
	if (p < e && *p == '-') {
		const char *q = p + 1;
		while (q < e && *q == ' ')
			q++;
		/* "-" alone on its line (a null item) says nothing about the layout */
		if (q < e && *q != '\n' && *q != '\r' && q - p >= 2)
			l->key_off = (size_t)(q - p);
	}
	/* a "groups:" line followed by "- group": how far in the dash sits */
	for (p = t + first->span_start; p < e; ) {
		const char *nl = memchr(p, '\n', (size_t)(e - p)), *q = p, *g;
		size_t col = 0;
		while (q < e && (*q == ' ' || *q == '-'))
			q++, col++;
		if (nl == NULL)
			break;
		if (strncasecmp(q, "groups:", 7) == 0) {
			size_t c2 = 0;
			for (g = nl + 1; g < e && *g == ' '; g++)
				c2++;
			if (g < e && *g == '-')
				l->group_off = c2 >= col ? c2 - col : 0;
			break;
		}
		p = nl + 1;
	}
}

static int
indent(struct ekbuf *b, size_t n)
{
	int r = EKSKIT_OK;

	while (n-- > 0 && r == EKSKIT_OK)
		r = ekbuf_putc(b, ' ');
	return r;
}

/* One block item: "- rolearn: ...\n  username: ...\n  groups:\n    - g\n". */
static int
render_block(struct ekbuf *b, const struct awsauth_mapping *m, const char *arn,
    const char *userid, const struct layout *l)
{
	size_t kc = l->dash_col + l->key_off, i;
	int r = EKSKIT_OK;

	r |= indent(b, l->dash_col);
	r |= ekbuf_putc(b, '-');
	r |= indent(b, l->key_off - 1);
	if (m->section == AWSAUTH_ACCOUNTS) {
		/* quoted: an unquoted 12-digit id is a number to YAML readers */
		r |= ekbuf_printf(b, "\"%s\"%s", arn, l->eol);
		return r ? EKSKIT_ERR_NOMEM : EKSKIT_OK;
	}
	r |= ekbuf_puts(b, m->section == AWSAUTH_ROLES ? "rolearn: " : "userarn: ");
	r |= put_scalar(b, arn);
	r |= ekbuf_puts(b, l->eol);
	if (userid != NULL) {
		r |= indent(b, kc);
		r |= ekbuf_puts(b, "userid: ");
		r |= put_scalar(b, userid);
		r |= ekbuf_puts(b, l->eol);
	}
	r |= indent(b, kc);
	r |= ekbuf_puts(b, "username: ");
	r |= put_scalar(b, m->username);
	r |= ekbuf_puts(b, l->eol);
	if (m->ngroups > 0) {
		r |= indent(b, kc);
		r |= ekbuf_printf(b, "groups:%s", l->eol);
	}
	for (i = 0; i < m->ngroups; i++) {
		r |= indent(b, kc + l->group_off);
		r |= ekbuf_puts(b, "- ");
		r |= put_scalar(b, m->groups[i]);
		r |= ekbuf_puts(b, l->eol);
	}
	return r ? EKSKIT_ERR_NOMEM : EKSKIT_OK;
}

/* One flow item: a JSON object (valid YAML inside [...]). */
static int
render_flow(struct ekbuf *b, const struct awsauth_mapping *m, const char *arn,
    const char *userid)
{
	json_t *o, *g;
	char *s;
	size_t i;
	int r;

	if (m->section == AWSAUTH_ACCOUNTS) {
		o = json_string(arn);
	} else {
		o = json_object();
		g = json_array();
		json_object_set_new(o, m->section == AWSAUTH_ROLES ? "rolearn" : "userarn",
		    json_string(arn));
		if (userid != NULL)
			json_object_set_new(o, "userid", json_string(userid));
		json_object_set_new(o, "username", json_string(m->username));
		for (i = 0; i < m->ngroups; i++)
			json_array_append_new(g, json_string(m->groups[i]));
		json_object_set_new(o, "groups", g);
	}
	s = o ? json_dumps(o, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	r = s ? ekbuf_puts(b, s) : EKSKIT_ERR_NOMEM;
	free(s);
	json_decref(o);
	return r;
}

/* ------------------------------------------------------------- splicing */

static int
splice(const char *text, size_t len, size_t from, size_t to, const char *ins,
    size_t inslen, char **out)
{
	struct ekbuf b;

	ekbuf_init(&b, AWSAUTH_MAX_TEXT + 4096);
	if (ekbuf_append(&b, text, from) || ekbuf_append(&b, ins, inslen) ||
	    ekbuf_append(&b, text + to, len - to)) {
		ekbuf_release(&b);
		return EKSKIT_ERR_NOMEM;
	}
	*out = ekbuf_detach(&b, NULL);
	return *out ? EKSKIT_OK : EKSKIT_ERR_NOMEM;
}

/* A one-key model of `text` (for re-parsing after each cut). */
static int
reparse(const struct awsauth_key *k, const char *text, struct awsauth **out,
    struct ekskit_err *err)
{
	json_t *d = json_object();
	int r;

	if (d == NULL || json_object_set_new(d, k->name, json_stringn(text, strlen(text))))
		r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	else
		r = awsauth_parse(d, out, err);
	json_decref(d);
	return r;
}

/* The bytes to cut for item i of a key (flow: with its comma). */
static void
cut_range(const struct awsauth *a, size_t keyidx, size_t row, size_t *from,
    size_t *to)
{
	const struct awsauth_key *k = &a->keys[keyidx];
	const struct awsauth_row *r = &a->rows[row];
	size_t i;

	*from = r->span_start;
	*to = r->span_end;
	if (!k->flow || k->nitems < 2)
		return;
	for (i = 0; i < a->nrows; i++) {
		const struct awsauth_row *o = &a->rows[i];
		if (o->key != keyidx)
			continue;
		if (r->item + 1 < k->nitems && o->item == r->item + 1)
			*to = o->span_start;          /* up to the next item */
		else if (r->item + 1 == k->nitems && o->item + 1 == r->item)
			*from = o->span_end;          /* from the end of the previous one */
	}
}

/* Remove from the key text every row of `principal` in it; count them. */
static int
cut_all(const struct awsauth_key *k0, const char *principal, size_t keep_item,
    char **text, size_t *removed, struct ekskit_err *err)
{
	for (;;) {
		struct awsauth *a = NULL;
		size_t i, from, to;
		char *n;
		int r;

		if ((r = reparse(k0, *text, &a, err)) != EKSKIT_OK)
			return r;
		if (a->keys[0].error != NULL) {
			r = ekskit_err_set(err, EKSKIT_ERR_INTERNAL, "editing %s broke "
			    "its YAML (%s): nothing written", k0->name, a->keys[0].error);
			awsauth_free(a);
			return r;
		}
		for (i = 0; i < a->nrows; i++)
			if (a->rows[i].principal != NULL &&
			    strcmp(a->rows[i].principal, principal) == 0 &&
			    a->rows[i].item != keep_item)
				break;
		if (i == a->nrows) {
			awsauth_free(a);
			return EKSKIT_OK;
		}
		cut_range(a, 0, i, &from, &to);
		/* items after the one we keep move up: keep_item stays valid
		 * only when the cut is after it */
		if (keep_item != (size_t)-1 && a->rows[i].item < keep_item)
			keep_item--;
		r = splice(*text, strlen(*text), from, to, "", 0, &n);
		awsauth_free(a);
		if (r != EKSKIT_OK)
			return ekskit_err_set(err, r, "out of memory");
		free(*text);
		*text = n;
		(*removed)++;
	}
}

static int
same_mapping(const struct awsauth_row *r, const struct awsauth_mapping *m)
{
	size_t i, j;

	if (m->section == AWSAUTH_ACCOUNTS)
		return 1;
	if (r->username == NULL || strcmp(r->username, m->username) != 0 ||
	    r->ngroups != m->ngroups)
		return 0;
	for (i = 0; i < m->ngroups; i++) {
		for (j = 0; j < r->ngroups; j++)
			if (strcmp(m->groups[i], r->groups[j]) == 0)
				break;
		if (j == r->ngroups)
			return 0;
	}
	return 1;
}

static int
describe_row(const struct awsauth_row *r, struct ekbuf *b)
{
	size_t i;
	int rc = ekbuf_printf(b, "username %s, groups ", r->username ? r->username : "(none)");

	for (i = 0; i < r->ngroups && rc == EKSKIT_OK; i++)
		rc = ekbuf_printf(b, "%s%s", i ? "," : "", r->groups[i]);
	if (r->ngroups == 0 && rc == EKSKIT_OK)
		rc = ekbuf_puts(b, "(none)");
	return rc;
}

/* Insert a rendered item where new items go. */
static int
insert_item(const struct awsauth_key *k, const struct awsauth_row *first,
    const struct awsauth_mapping *m, const char *arn, char **out)
{
	struct layout l;
	struct ekbuf item;
	size_t at = k->insert_at, to = k->insert_at;
	int r;

	sniff_layout(k, first, &l);
	ekbuf_init(&item, AWSAUTH_MAX_TEXT);
	if (k->flow) {
		size_t b = at;
		while (b > 0 && strchr(" \t\r\n", k->text[b - 1]) != NULL)
			b--;
		/* "[a, b,]": the trailing comma is already there */
		r = ekbuf_puts(&item, k->nitems && (b == 0 || k->text[b - 1] != ',') ?
		    ", " : "");
		if (r == EKSKIT_OK)
			r = render_flow(&item, m, arn, NULL);
	} else {
		if (k->null_scalar) {           /* "~" or "null": replace it */
			at = k->null_start;
			to = k->null_end;
			/* from the start of its line when only blanks precede it */
			while (at > 0 && (k->text[at - 1] == ' ' || k->text[at - 1] == '\t'))
				at--;
			if (at > 0 && k->text[at - 1] != '\n' && k->text[at - 1] != '\r')
				at = k->null_start;     /* "--- ~": the item on a line of its own */
		}
		/* a line that does not end yet gets its line break first */
		r = (at > 0 && k->text[at - 1] != '\n') ? ekbuf_puts(&item, l.eol) : EKSKIT_OK;
		if (r == EKSKIT_OK)
			r = render_block(&item, m, arn, NULL, &l);
		if (r == EKSKIT_OK && k->null_scalar && item.len > 0 &&
		    to < k->len)   /* the null's own line break stays */
			item.len -= strlen(l.eol), item.data[item.len] = '\0';
	}
	if (r == EKSKIT_OK)
		r = splice(k->text, k->len, at, to, item.data ? item.data : "", item.len, out);
	ekbuf_release(&item);
	return r;
}

/* Rewrite row `row` in place with m (its userid kept). */
static int
replace_item(const struct awsauth *a, size_t row, const struct awsauth_mapping *m,
    const char *arn, char **out)
{
	const struct awsauth_row *r = &a->rows[row];
	const struct awsauth_key *k = &a->keys[r->key];
	struct layout l;
	struct ekbuf item;
	int rc;

	sniff_layout(k, r, &l);
	ekbuf_init(&item, AWSAUTH_MAX_TEXT);
	rc = k->flow ? render_flow(&item, m, arn, r->userid) :
	    render_block(&item, m, arn, r->userid, &l);
	/* the old item may have ended without a line break (last line) */
	if (rc == EKSKIT_OK && !k->flow && r->span_end == k->len && k->len > 0 &&
	    k->text[k->len - 1] != '\n')
		item.len -= strlen(l.eol), item.data[item.len] = '\0';
	if (rc == EKSKIT_OK)
		rc = splice(k->text, k->len, r->span_start, r->span_end,
		    item.data ? item.data : "", item.len, out);
	ekbuf_release(&item);
	return rc;
}

/* Check that the new text holds exactly one active mapping equal to m. */
static int
verify_added(const struct awsauth_key *k, const char *text,
    const struct awsauth_mapping *m, const char *principal, struct ekskit_err *err)
{
	struct awsauth *a = NULL;
	size_t i, found = 0, ok = 0;
	int r;

	if ((r = reparse(k, text, &a, err)) != EKSKIT_OK)
		return r;
	for (i = 0; i < a->nrows; i++)
		if (a->rows[i].principal && strcmp(a->rows[i].principal, principal) == 0) {
			found++;
			ok += a->rows[i].state == AWSAUTH_ACTIVE && same_mapping(&a->rows[i], m);
		}
	if (a->keys[0].error != NULL || found != 1 || ok != 1)
		r = ekskit_err_set(err, EKSKIT_ERR_INTERNAL, "the edited %s does not read "
		    "back as intended%s%s: nothing written (please report this)", k->name,
		    a->keys[0].error ? ": " : "", a->keys[0].error ? a->keys[0].error : "");
	awsauth_free(a);
	return r;
}

static int
edit_init(struct awsauth_edit *out, const struct awsauth_key *k, const char *name,
    const char *old, size_t oldlen)
{
	memset(out, 0, sizeof(*out));
	out->key = ek_strdup(k ? k->name : name);
	out->old_text = ek_strndup(old, oldlen);
	return out->key && out->old_text ? EKSKIT_OK : EKSKIT_ERR_NOMEM;
}

/* The rows of `principal` in the read key of section s: count, the winner. */
static size_t
find_rows(const struct awsauth *a, enum awsauth_section s, const char *principal,
    size_t *winner, size_t *first_row)
{
	size_t i, n = 0;

	*winner = *first_row = (size_t)-1;
	for (i = 0; i < a->nrows; i++) {
		const struct awsauth_row *r = &a->rows[i];
		if (!a->keys[r->key].read || r->section != s)
			continue;
		if (*first_row == (size_t)-1)
			*first_row = i;
		if (r->principal == NULL || strcmp(r->principal, principal) != 0)
			continue;
		n++;
		if (*winner == (size_t)-1 || r->state == AWSAUTH_ACTIVE ||
		    a->rows[*winner].state != AWSAUTH_ACTIVE)
			*winner = i;
	}
	return n;
}

int
awsauth_add(const struct awsauth *a, const struct awsauth_mapping *m,
    int replace, struct awsauth_edit *out, struct awsauth_notes *notes,
    struct ekskit_err *err)
{
	static const struct awsauth_key empty = { .name = NULL };
	const struct awsauth_key *k;
	struct awsauth_key fresh;
	char *principal, *text = NULL;
	size_t n = 0, winner = (size_t)-1, first_row = (size_t)-1, removed = 0;
	long ki = awsauth_find_key(a, m->section);
	int r;

	memset(out, 0, sizeof(*out));
	if ((principal = awsauth_principal_key(m->section, m->arn)) == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	if (ki >= 0) {
		k = &a->keys[ki];
	} else {
		fresh = empty;
		fresh.name = (char *)(uintptr_t)awsauth_section_key(m->section);
		fresh.text = (char *)"";
		fresh.section = m->section;
		fresh.read = 1;
		k = &fresh;
	}
	if (k->error != NULL) {
		r = ekskit_err_set(err, EKSKIT_ERR_INVALID, "aws-auth %s cannot be read "
		    "(%s), so the authenticator ignores it; fix it by hand first "
		    "(kubectl edit -n kube-system configmap aws-auth)", k->name, k->error);
		goto out;
	}
	if ((r = edit_init(out, k, NULL, k->text, k->len)) != EKSKIT_OK) {
		r = ekskit_err_set(err, r, "out of memory");
		goto out;
	}
	if (ki >= 0)
		n = find_rows(a, m->section, principal, &winner, &first_row);
	if (n > 0) {
		const struct awsauth_row *w = &a->rows[winner];
		int same = w->state == AWSAUTH_ACTIVE && same_mapping(w, m);

		if (same && (n == 1 || !replace)) {
			if (n > 1)
				notes_add(notes, "%s line %lu already maps it; %lu older "
				    "duplicates are shadowed (--replace removes them)", k->name,
				    (unsigned long)w->line, (unsigned long)(n - 1));
			r = EKSKIT_OK;          /* identical: nothing to do */
			goto out;
		}
		if (!replace) {
			struct ekbuf d;
			ekbuf_init(&d, 2048);
			describe_row(w, &d);
			r = ekskit_err_set(err, EKSKIT_ERR_INVALID, "%s is already mapped "
			    "in %s line %lu (%s, %s%s%s); pass --replace to replace it",
			    m->arn, k->name, (unsigned long)w->line, d.data ? d.data : "",
			    awsauth_state_name(w->state), w->reason ? ": " : "",
			    w->reason ? w->reason : "");
			ekbuf_release(&d);
			goto out;
		}
		if ((r = replace_item(a, winner, m, m->arn, &text)) == EKSKIT_OK)
			r = cut_all(k, principal, w->item, &text, &removed, err);
		else
			ekskit_err_set(err, r, "out of memory");
		if (r != EKSKIT_OK)
			goto out;
		out->removed = removed;
	} else {
		r = insert_item(k, first_row == (size_t)-1 ? NULL : &a->rows[first_row],
		    m, m->arn, &text);
		if (r != EKSKIT_OK) {
			ekskit_err_set(err, r, "out of memory");
			goto out;
		}
	}
	if ((r = verify_added(k, text, m, principal, err)) != EKSKIT_OK)
		goto out;
	out->changed = 1;
	out->added = 1;
	out->new_text = text;
	text = NULL;
out:
	free(text);
	free(principal);
	if (r != EKSKIT_OK)
		awsauth_edit_release(out);
	return r;
}

int
awsauth_remove(const struct awsauth *a, const char *who,
    struct awsauth_edit out[3], size_t *nout, struct awsauth_notes *notes,
    struct ekskit_err *err)
{
	enum awsauth_section s;
	int r = EKSKIT_OK;

	*nout = 0;
	for (s = AWSAUTH_ROLES; s <= AWSAUTH_ACCOUNTS && r == EKSKIT_OK; s++) {
		long ki = awsauth_find_key(a, s);
		const struct awsauth_key *k;
		char *principal, *text;
		size_t removed = 0, winner, first;

		if (ki < 0 || (s == AWSAUTH_ACCOUNTS) != (arn_account_valid(who) != 0))
			continue;
		k = &a->keys[ki];
		if ((principal = awsauth_principal_key(s, who)) == NULL)
			return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
		if (k->error != NULL) {
			notes_add(notes, "%s cannot be read (%s): not searched", k->name,
			    k->error);
			free(principal);
			continue;
		}
		if (find_rows(a, s, principal, &winner, &first) == 0) {
			free(principal);
			continue;
		}
		if ((text = ek_strndup(k->text, k->len)) == NULL) {
			free(principal);
			return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
		}
		r = cut_all(k, principal, (size_t)-1, &text, &removed, err);
		free(principal);
		if (r == EKSKIT_OK && (r = edit_init(&out[*nout], k, NULL, k->text,
		    k->len)) != EKSKIT_OK)
			ekskit_err_set(err, r, "out of memory");
		if (r != EKSKIT_OK) {
			free(text);
			break;
		}
		out[*nout].changed = 1;
		out[*nout].removed = removed;
		out[*nout].new_text = text;
		(*nout)++;
	}
	if (r != EKSKIT_OK) {
		while (*nout > 0)
			awsauth_edit_release(&out[--*nout]);
	}
	return r;
}

/* ------------------------------------------------------------------ diff */

int
awsauth_diff(const struct awsauth_edit *e, struct ekbuf *out)
{
	char la[96], lb[96];

	if (!e->changed)
		return EKSKIT_OK;
	snprintf(la, sizeof(la), "a/kube-system/aws-auth data.%s", e->key);
	snprintf(lb, sizeof(lb), "b/kube-system/aws-auth data.%s", e->key);
	return ek_unified_diff(e->old_text, strlen(e->old_text), e->new_text,
	    strlen(e->new_text), la, lb, out);
}
