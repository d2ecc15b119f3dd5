/*
 * The aws-auth ConfigMap model: see include/ekskit/awsauth.h for the
 * authenticator's rules this follows.  Parsing walks libyaml's events so
 * that every sequence item's byte span is known (for awsauth_edit.c).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "ekskit/arn.h"
#include "ekskit/awsauth.h"
#include "awsauth_internal.h"

static const char *const section_keys[] = { "mapRoles", "mapUsers", "mapAccounts" };

const char *
awsauth_section_key(enum awsauth_section s)
{
	return (unsigned)s < 3 ? section_keys[s] : "?";
}

const char *
awsauth_state_name(enum awsauth_state s)
{
	static const char *const n[] = { "active", "shadowed", "ignored" };
	return (unsigned)s < 3 ? n[s] : "?";
}

/* ------------------------------------------------------------ notes */

int
awsauth_note(char **dst, const char *fmt, ...)
{
	struct ekbuf b;
	va_list ap;
	int r;

	ekbuf_init(&b, 4096);
	if (*dst != NULL && (r = ekbuf_printf(&b, "%s; ", *dst)) != EKSKIT_OK)
		goto out;
	va_start(ap, fmt);
	r = ekbuf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (r == EKSKIT_OK) {
		free(*dst);
		*dst = ekbuf_detach(&b, NULL);
		r = *dst ? EKSKIT_OK : EKSKIT_ERR_NOMEM;
	}
out:
	ekbuf_release(&b);
	return r;
}

/* ------------------------------------------------------- YAML reader */

/* libyaml marks count characters; edits need bytes: a table of line starts. */
static int
line_table(struct yreader *y)
{
	size_t i, cap = 64;

	y->nlines = 0;
	if ((y->lines = malloc(cap * sizeof(*y->lines))) == NULL)
		return EKSKIT_ERR_NOMEM;
	y->lines[y->nlines++] = 0;
	for (i = 0; i < y->len; i++) {
		const unsigned char *t = (const unsigned char *)y->text;
		size_t brk = 0;

		if (t[i] == '\r')
			brk = (i + 1 < y->len && t[i + 1] == '\n') ? 2 : 1;
		else if (t[i] == '\n')
			brk = 1;
		else if (t[i] == 0xc2 && i + 1 < y->len && t[i + 1] == 0x85)
			brk = 2;                        /* NEL */
		else if (t[i] == 0xe2 && i + 2 < y->len && t[i + 1] == 0x80 &&
		    (t[i + 2] == 0xa8 || t[i + 2] == 0xa9))
			brk = 3;                        /* LS, PS */
		if (brk == 0)
			continue;
		i += brk - 1;
		if (y->nlines == cap) {
			size_t *n = realloc(y->lines, 2 * cap * sizeof(*n));
			if (n == NULL)
				return EKSKIT_ERR_NOMEM;
			y->lines = n;
			cap *= 2;
		}
		y->lines[y->nlines++] = i + 1;
	}
	return EKSKIT_OK;
}

size_t
yreader_byte(const struct yreader *y, yaml_mark_t m)
{
	size_t off, col;

	if (m.line >= y->nlines)
		return y->len;
	off = y->lines[m.line];
	/* a byte-order mark is skipped by libyaml without a column */
	if (m.line == 0 && y->len >= 3 && memcmp(y->text, "\xef\xbb\xbf", 3) == 0)
		off = 3;
	for (col = 0; col < m.column && off < y->len; col++) {
		unsigned char c = (unsigned char)y->text[off];
		off += c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
	}
	return off > y->len ? y->len : off;
}

/* The index of the line holding byte off (binary search of the table). */
static size_t
line_of(const struct yreader *y, size_t off)
{
	size_t lo = 0, hi = y->nlines;

	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;
		if (y->lines[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

size_t
yreader_line_start(const struct yreader *y, size_t off)
{
	return y->lines[line_of(y, off)];
}

/* The offset just past the line break of the line holding off. */
size_t
yreader_line_end(const struct yreader *y, size_t off)
{
	size_t l = line_of(y, off);

	return l + 1 < y->nlines ? y->lines[l + 1] : y->len;
}

static void
yreader_error(struct yreader *y, const char *what, yaml_mark_t m)
{
	if (y->error != NULL)
		return;
	awsauth_note(&y->error, "line %lu column %lu: %s", (unsigned long)m.line + 1,
	    (unsigned long)m.column + 1, what);
}

int
yreader_next(struct yreader *y)
{
	if (y->have)
		yaml_event_delete(&y->ev);
	y->have = 0;
	if (y->error != NULL)
		return -1;
	if (!yaml_parser_parse(&y->p, &y->ev)) {
		/* the parser's problem text names no content, only what is wrong */
		yreader_error(y, y->p.problem ? y->p.problem : "invalid YAML",
		    y->p.problem_mark);
		return -1;
	}
	y->have = 1;
	if ((y->ev.type == YAML_SCALAR_EVENT && y->ev.data.scalar.anchor != NULL) ||
	    (y->ev.type == YAML_SEQUENCE_START_EVENT &&
	    y->ev.data.sequence_start.anchor != NULL) ||
	    (y->ev.type == YAML_MAPPING_START_EVENT &&
	    y->ev.data.mapping_start.anchor != NULL) || y->ev.type == YAML_ALIAS_EVENT) {
		yreader_error(y, "uses YAML anchors or aliases, which ekskit does not "
		    "model (edit this key by hand)", y->ev.start_mark);
		return -1;
	}
	return 0;
}

int
yreader_open(struct yreader *y, const char *text, size_t len)
{
	memset(y, 0, sizeof(*y));
	y->text = text;
	y->len = len;
	if (line_table(y) != EKSKIT_OK)
		return EKSKIT_ERR_NOMEM;
	if (!yaml_parser_initialize(&y->p)) {
		free(y->lines);
		y->lines = NULL;
		return EKSKIT_ERR_NOMEM;
	}
	y->parser_ok = 1;
	yaml_parser_set_input_string(&y->p, (const unsigned char *)text, len);
	return EKSKIT_OK;
}

void
yreader_close(struct yreader *y)
{
	if (y->have)
		yaml_event_delete(&y->ev);
	if (y->parser_ok)
		yaml_parser_delete(&y->p);
	free(y->lines);
	free(y->error);
	memset(y, 0, sizeof(*y));
}

/* Skip the node starting at the current event; leaves the reader on its last event. */
static int
skip_node(struct yreader *y)
{
	int depth = 0;

	do {
		switch (y->ev.type) {
		case YAML_SEQUENCE_START_EVENT: case YAML_MAPPING_START_EVENT:
			depth++;
			break;
		case YAML_SEQUENCE_END_EVENT: case YAML_MAPPING_END_EVENT:
			depth--;
			break;
		default:
			break;
		}
		if (depth == 0)
			return 0;
	} while (yreader_next(y) == 0);
	return -1;
}

/* ------------------------------------------- YAML 1.1 plain scalars */

static int
match_any(const char *s, const char *const *v)
{
	for (; *v != NULL; v++)
		if (strcmp(s, *v) == 0)
			return 1;
	return 0;
}

static int
all_chars(const char *s, const char *set)
{
	return *s != '\0' && strspn(s, set) == strlen(s);
}

/*
 * What yaml.v2 (under sigs.k8s.io/yaml) makes of a plain scalar: these
 * become JSON null, booleans or numbers, not strings.
 */
enum yscalar yscalar_kind(const yaml_event_t *ev)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL", NULL };
	static const char *const bools[] = { "y", "Y", "yes", "Yes", "YES", "n", "N",
		"no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE",
		"on", "On", "ON", "off", "Off", "OFF", NULL };
	static const char *const specials[] = { ".inf", ".Inf", ".INF", "+.inf",
		"+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", ".nan", ".NaN", ".NAN", NULL };
	const char *s = (const char *)ev->data.scalar.value;
	const char *d;

	if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE || ev->data.scalar.tag != NULL)
		return YS_STRING;
	if (match_any(s, nulls))
		return YS_NULL;
	if (match_any(s, bools) || match_any(s, specials))
		return YS_OTHER;
	d = (*s == '-' || *s == '+') ? s + 1 : s;
	if (strncmp(d, "0x", 2) == 0 && all_chars(d + 2, "0123456789abcdefABCDEF_"))
		return YS_OTHER;
	if (strncmp(d, "0b", 2) == 0 && all_chars(d + 2, "01_"))
		return YS_OTHER;
	if (all_chars(d, "0123456789_") && isdigit((unsigned char)*d))
		return YS_OTHER;
	/* floats: digits with one '.', optional exponent */
	if ((isdigit((unsigned char)*d) || (*d == '.' && isdigit((unsigned char)d[1]))) &&
	    strspn(d, "0123456789_.") > 0) {
		const char *e = d + strspn(d, "0123456789_.");
		if (strchr(d, '.') != NULL && strchr(d, '.') < e &&
		    (*e == '\0' || ((*e == 'e' || *e == 'E') && (e[1] == '+' || e[1] == '-') &&
		    all_chars(e + 2, "0123456789"))))
			return YS_OTHER;
	}
	return YS_STRING;
}

/* ------------------------------------------------------- the entries */

struct entry_fields {
	char *arn, *username, *userid;
	char **groups;
	size_t ngroups;
	int has_sso;
	char *sso_set, *sso_account, *sso_partition;
};

static void
entry_fields_release(struct entry_fields *f)
{
	free(f->arn);
	free(f->username);
	free(f->userid);
	ek_strv_free(f->groups);
	free(f->sso_set);
	free(f->sso_account);
	free(f->sso_partition);
	memset(f, 0, sizeof(*f));
}

/*
 * A string field, the way encoding/json fills it from YAML turned JSON:
 * null leaves it alone, a string sets it, anything else is a type error
 * (the whole key is then malformed).
 */
static int
read_string(struct yreader *y, const char *field, char **dst)
{
	if (y->ev.type == YAML_SCALAR_EVENT) {
		enum yscalar k = yscalar_kind(&y->ev);
		if (k == YS_NULL)
			return 0;
		if (k == YS_STRING) {
			free(*dst);
			*dst = ek_strdup((const char *)y->ev.data.scalar.value);
			return *dst ? 0 : -2;
		}
	}
	awsauth_note(&y->error, "line %lu: %s must be a string (quote it)",
	    (unsigned long)y->ev.start_mark.line + 1, field);
	return -1;
}

static int
read_groups(struct yreader *y, struct entry_fields *f)
{
	size_t cap = 0;

	if (y->ev.type == YAML_SCALAR_EVENT && yscalar_kind(&y->ev) == YS_NULL)
		return 0;
	if (y->ev.type != YAML_SEQUENCE_START_EVENT) {
		awsauth_note(&y->error, "line %lu: groups must be a list",
		    (unsigned long)y->ev.start_mark.line + 1);
		return -1;
	}
	ek_strv_free(f->groups);
	f->groups = NULL;
	f->ngroups = 0;
	for (;;) {
		char *g = NULL;
		int r;

		if (yreader_next(y) != 0)
			return -1;
		if (y->ev.type == YAML_SEQUENCE_END_EVENT)
			break;
		if ((r = read_string(y, "each group", &g)) != 0)
			return r;
		if (f->ngroups + 2 > cap) {
			char **n;
			cap = cap ? 2 * cap : 8;
			if ((n = realloc(f->groups, cap * sizeof(*n))) == NULL) {
				free(g);
				return -2;
			}
			f->groups = n;
		}
		/* json null in a []string leaves "" */
		f->groups[f->ngroups++] = g ? g : ek_strdup("");
		f->groups[f->ngroups] = NULL;
		if (f->groups[f->ngroups - 1] == NULL)
			return -2;
	}
	return 0;
}

static int
read_sso(struct yreader *y, struct entry_fields *f)
{
	if (y->ev.type == YAML_SCALAR_EVENT && yscalar_kind(&y->ev) == YS_NULL)
		return 0;
	if (y->ev.type != YAML_MAPPING_START_EVENT) {
		awsauth_note(&y->error, "line %lu: sso must be a mapping",
		    (unsigned long)y->ev.start_mark.line + 1);
		return -1;
	}
	f->has_sso = 1;
	for (;;) {
		char *k;
		int r = 0;

		if (yreader_next(y) != 0)
			return -1;
		if (y->ev.type == YAML_MAPPING_END_EVENT)
			return 0;
		if (y->ev.type != YAML_SCALAR_EVENT) {
			awsauth_note(&y->error, "line %lu: a key of sso is not a string",
			    (unsigned long)y->ev.start_mark.line + 1);
			return -1;
		}
		if ((k = ek_strdup((const char *)y->ev.data.scalar.value)) == NULL ||
		    yreader_next(y) != 0) {
			free(k);
			return k ? -1 : -2;
		}
		if (strcasecmp(k, "permissionSetName") == 0)
			r = read_string(y, "sso.permissionSetName", &f->sso_set);
		else if (strcasecmp(k, "accountID") == 0)
			r = read_string(y, "sso.accountID", &f->sso_account);
		else if (strcasecmp(k, "partition") == 0)
			r = read_string(y, "sso.partition", &f->sso_partition);
		else
			r = skip_node(y);
		free(k);
		if (r != 0)
			return r;
	}
}

/* One entry of mapRoles/mapUsers: a mapping, field names case-insensitive. */
static int
read_entry(struct yreader *y, enum awsauth_section s, struct entry_fields *f)
{
	const char *arn_field = s == AWSAUTH_ROLES ? "rolearn" : "userarn";

	if (y->ev.type == YAML_SCALAR_EVENT && yscalar_kind(&y->ev) == YS_NULL)
		return 0;  /* json null: a zero entry, dropped by Validate */
	if (y->ev.type != YAML_MAPPING_START_EVENT) {
		awsauth_note(&y->error, "line %lu: each item must be a mapping "
		    "(%s:, username:, groups:)", (unsigned long)y->ev.start_mark.line + 1,
		    arn_field);
		return -1;
	}
	for (;;) {
		char *k;
		int r;

		if (yreader_next(y) != 0)
			return -1;
		if (y->ev.type == YAML_MAPPING_END_EVENT)
			return 0;
		if (y->ev.type != YAML_SCALAR_EVENT) {
			/* YAML allows it; the JSON conversion does not */
			awsauth_note(&y->error, "line %lu: a key is not a string",
			    (unsigned long)y->ev.start_mark.line + 1);
			return -1;
		}
		if ((k = ek_strdup((const char *)y->ev.data.scalar.value)) == NULL)
			return -2;
		if (yreader_next(y) != 0) {
			free(k);
			return -1;
		}
		if (strcasecmp(k, arn_field) == 0)
			r = read_string(y, arn_field, &f->arn);
		else if (strcasecmp(k, "username") == 0)
			r = read_string(y, "username", &f->username);
		else if (strcasecmp(k, "userid") == 0)
			r = read_string(y, "userid", &f->userid);
		else if (strcasecmp(k, "groups") == 0)
			r = read_groups(y, f);
		else if (s == AWSAUTH_ROLES && strcasecmp(k, "sso") == 0)
			r = read_sso(y, f);
		else
			r = skip_node(y);   /* unknown fields are dropped by encoding/json */
		free(k);
		if (r != 0)
			return r;
	}
}

/* ----------------------------------------------------------- spans */

/*
 * Where the "-" of a block item is: the first byte after `from` (the end
 * of the previous item, or the start of the sequence) that is not blank,
 * a line break or a comment.  The item's node may start lines later
 * ("- # note" and the mapping below).
 */
static size_t
find_dash(const struct yreader *y, size_t from, size_t start)
{
	size_t i = from;

	while (i < start) {
		char c = y->text[i];
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			i++;
		else if (c == '#')
			i = yreader_line_end(y, i);
		else
			return c == '-' ? i : start;
	}
	return start;
}

/*
 * The bytes of an item: block style from the start of the line of its
 * "-" to the end of the line of its last content; flow style exactly the
 * node.
 */
static void
item_span(const struct yreader *y, int flow, size_t from, size_t start,
    size_t last_end, size_t *span_start, size_t *span_end)
{
	size_t ls, i, dash;

	if (flow) {
		*span_start = start;
		*span_end = last_end;
		return;
	}
	dash = find_dash(y, from, start);
	ls = yreader_line_start(y, dash);
	for (i = ls; i < dash && (y->text[i] == ' ' || y->text[i] == '-' ||
	    y->text[i] == '\t'); i++)
		;
	*span_start = i == dash ? ls : dash;
	ls = yreader_line_start(y, last_end);
	for (i = ls; i < last_end && (y->text[i] == ' ' || y->text[i] == '\t'); i++)
		;
	/* content ended at a line start (a block scalar): stop there */
	*span_end = i == last_end ? ls : yreader_line_end(y, last_end);
	if (*span_end < *span_start)
		*span_end = *span_start;
}

/* --------------------------------------------------------- one key */

static struct awsauth_row *
new_row(struct awsauth *a)
{
	if (a->nrows % 16 == 0) {
		struct awsauth_row *n = realloc(a->rows, (a->nrows + 16) * sizeof(*n));
		if (n == NULL)
			return NULL;
		a->rows = n;
	}
	memset(&a->rows[a->nrows], 0, sizeof(a->rows[0]));
	return &a->rows[a->nrows++];
}

static int
fill_row(struct awsauth_row *row, struct entry_fields *f)
{
	row->arn = f->arn;
	row->username = f->username;
	row->userid = f->userid;
	f->arn = f->username = f->userid = NULL;
	if (f->groups == NULL && (f->groups = calloc(1, sizeof(char *))) == NULL)
		return EKSKIT_ERR_NOMEM;
	row->groups = f->groups;
	row->ngroups = f->ngroups;
	f->groups = NULL;
	if (f->has_sso && awsauth_note(&row->sso, "%s@%s%s%s",
	    f->sso_set ? f->sso_set : "", f->sso_account ? f->sso_account : "",
	    f->sso_partition ? "/" : "", f->sso_partition ? f->sso_partition : "") != 0)
		return EKSKIT_ERR_NOMEM;
	return EKSKIT_OK;
}

/* The sso checks of RoleMapping.Validate; sets row->lookup (SSOArnLike). */
static int
check_sso(struct awsauth_row *row, const struct entry_fields *f)
{
	const char *set = f->sso_set ? f->sso_set : "";
	const char *acct = f->sso_account ? f->sso_account : "";
	size_t i, n = strlen(set);
	char *l;

	if (!arn_account_valid(acct))
		return awsauth_note(&row->reason, "sso.accountID '%s' is not a 12-digit "
		    "account id: the authenticator drops this entry", acct), 1;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)set[i]) && strchr("_+=,.@-", set[i]) == NULL)
			break;
	if (n == 0 || n > 32 || i < n)
		return awsauth_note(&row->reason, "sso.permissionSetName is not a valid "
		    "permission set name: the authenticator drops this entry"), 1;
	if (f->sso_partition != NULL && *f->sso_partition != '\0' &&
	    !arn_partition_known(f->sso_partition))
		return awsauth_note(&row->reason, "sso.partition '%s' is not a partition: "
		    "the authenticator drops this entry", f->sso_partition), 1;
	/* SSOArnLike: the partition is "aws" only when none is given (as written) */
	if (awsauth_note(&row->lookup, "arn:%s:iam::%s:role/awsreservedsso_%s_*",
	    (f->sso_partition == NULL || *f->sso_partition == '\0') ? "aws" : "",
	    acct, set) != 0)
		return -1;
	for (l = row->lookup; *l; l++)
		*l = (char)tolower((unsigned char)*l);
	if (f->sso_partition != NULL && *f->sso_partition != '\0')
		awsauth_note(&row->reason, "sso matcher with a partition: the "
		    "authenticator's pattern then has an empty partition and matches nobody");
	else
		awsauth_note(&row->reason, "sso matcher: matches AWSReservedSSO_%s_* roles "
		    "only where the authenticator enables SSO role matching", set);
	return 0;
}

static int
read_item(struct yreader *y, struct awsauth *a, size_t keyidx, size_t item,
    int flow, size_t from)
{
	struct awsauth_key *k = &a->keys[keyidx];
	struct entry_fields f = { 0 };
	struct awsauth_row *row;
	size_t start = yreader_byte(y, y->ev.start_mark), last_end, line;
	int r, has_arn;

	line = y->ev.start_mark.line + 1;
	if (k->section == AWSAUTH_ACCOUNTS) {
		if (y->ev.type != YAML_SCALAR_EVENT) {
			awsauth_note(&y->error, "line %lu: each account must be a "
			    "string", (unsigned long)line);
			return -1;
		}
		/* yaml.v2 into []string keeps the text of any scalar */
		f.arn = ek_strdup((const char *)y->ev.data.scalar.value);
		r = f.arn ? 0 : -2;
	} else {
		r = read_entry(y, k->section, &f);
	}
	last_end = yreader_byte(y, y->ev.end_mark);
	if (r != 0) {
		entry_fields_release(&f);
		return r;
	}
	has_arn = f.arn != NULL && *f.arn != '\0';
	if ((row = new_row(a)) == NULL || fill_row(row, &f) != EKSKIT_OK) {
		entry_fields_release(&f);
		return -2;
	}
	row->section = k->section;
	row->key = keyidx;
	row->item = item;
	row->line = line;
	item_span(y, flow, from, start, last_end, &row->span_start, &row->span_end);
	if (!has_arn && f.has_sso) {
		if (check_sso(row, &f) < 0)
			r = -2;
		else if (row->lookup == NULL)
			row->state = AWSAUTH_IGNORED;
	} else if (f.has_sso) {
		row->state = AWSAUTH_IGNORED;
		awsauth_note(&row->reason, "has both rolearn and sso: the authenticator "
		    "drops this entry");
	}
	entry_fields_release(&f);
	return r;
}

/*
 * Read on to the end: text after the value ("~ junk") is an error for the
 * authenticator's parser too.  A second document is refused: the
 * authenticator reads only the first, and an edit could land in either.
 */
static void
drain(struct yreader *y)
{
	while (yreader_next(y) == 0 && y->ev.type != YAML_DOCUMENT_END_EVENT)
		;
	if (y->error == NULL && yreader_next(y) == 0 &&
	    y->ev.type == YAML_DOCUMENT_START_EVENT)
		yreader_error(y, "holds more than one YAML document, which ekskit does "
		    "not model (edit this key by hand)", y->ev.start_mark);
}

/* Where a new item goes: before "]", or after the last item. */
static void
set_insert_point(struct awsauth_key *k, size_t seq_end, size_t last_span_end)
{
	k->insert_at = k->flow ? seq_end : (k->nitems ? last_span_end : k->len);
}

/*
 * Parse one data value.  Rows go into a; a YAML or type error sets
 * k->error (and its rows are dropped again).
 */
static int
parse_key_text(struct awsauth *a, size_t keyidx)
{
	struct awsauth_key *k = &a->keys[keyidx];
	size_t first_row = a->nrows, item = 0, last_span_end = 0, from = 0;
	struct yreader y;
	int r = 0;

	if (yreader_open(&y, k->text, k->len) != EKSKIT_OK)
		return EKSKIT_ERR_NOMEM;
	k->insert_at = k->len;
	/* stream start, document start (or an empty stream) */
	if (yreader_next(&y) != 0 || yreader_next(&y) != 0)
		goto done;
	if (y.ev.type == YAML_STREAM_END_EVENT)
		goto done;       /* nothing but comments: no mappings */
	if (yreader_next(&y) != 0)
		goto done;
	if (y.ev.type == YAML_SCALAR_EVENT && yscalar_kind(&y.ev) == YS_NULL) {
		/* "~" or "null" is replaced by the first item; "" just appended to */
		k->null_scalar = y.ev.data.scalar.length > 0;
		k->null_start = yreader_byte(&y, y.ev.start_mark);
		k->null_end = yreader_byte(&y, y.ev.end_mark);
		drain(&y);
		goto done;
	}
	if (y.ev.type != YAML_SEQUENCE_START_EVENT) {
		awsauth_note(&y.error, "line %lu: the value must be a YAML list (\"- %s: ...\")",
		    (unsigned long)y.ev.start_mark.line + 1,
		    k->section == AWSAUTH_ROLES ? "rolearn" :
		    k->section == AWSAUTH_USERS ? "userarn" : "'111122223333'");
		goto done;
	}
	k->flow = y.ev.data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE;
	from = yreader_byte(&y, y.ev.start_mark);
	for (;;) {
		if (yreader_next(&y) != 0)
			goto done;
		if (y.ev.type == YAML_SEQUENCE_END_EVENT)
			break;
		if ((r = read_item(&y, a, keyidx, item++, k->flow, from)) != 0) {
			if (r != -2)
				r = 0;      /* y.error says why */
			goto done;
		}
		from = last_span_end = a->rows[a->nrows - 1].span_end;
	}
	k->nitems = item;
	set_insert_point(k, yreader_byte(&y, y.ev.start_mark), last_span_end);
	drain(&y);
done:
	if (r == -2) {
		yreader_close(&y);
		return EKSKIT_ERR_NOMEM;
	}
	if (y.error != NULL) {
		k->error = y.error;
		y.error = NULL;
		while (a->nrows > first_row)
			awsauth_row_release(&a->rows[--a->nrows]);
	}
	yreader_close(&y);
	return EKSKIT_OK;
}

/* ------------------------------------------------- authenticator rules */

void
awsauth_row_release(struct awsauth_row *r)
{
	free(r->arn);
	free(r->lookup);
	free(r->principal);
	free(r->username);
	ek_strv_free(r->groups);
	free(r->userid);
	free(r->sso);
	free(r->reason);
	memset(r, 0, sizeof(*r));
}

static char *
lower_dup(const char *s)
{
	char *d = ek_strdup(s), *p;

	for (p = d; p && *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return d;
}

char *
awsauth_principal_key(enum awsauth_section s, const char *arn)
{
	struct arn_principal p;
	char *out;

	if (s == AWSAUTH_ACCOUNTS)
		return ek_strdup(arn);
	if (arn_principal_parse(arn, &p, NULL) != EKSKIT_OK)
		return lower_dup(arn);
	/* the principal, not its spelling: no path, no session, any case */
	if (p.kind == ARN_KIND_ROLE || p.kind == ARN_KIND_ASSUMED_ROLE)
		out = arn_role_arn(p.partition, p.account, "/", p.name);
	else if (p.kind == ARN_KIND_USER) {
		out = NULL;
		awsauth_note(&out, "arn:%s:iam::%s:user/%s", p.partition, p.account,
		    p.name);
	} else
		out = ek_strdup(p.canonical);
	arn_principal_release(&p);
	if (out != NULL) {
		char *l = lower_dup(out);
		free(out);
		out = l;
	}
	return out;
}

/* Whether the canonical ARN of some caller can ever equal this rolearn/userarn. */
static void
check_matchable(struct awsauth_row *row)
{
	struct arn_principal p;
	struct ekskit_err e = { 0 };

	if (strpbrk(row->arn, "*?") != NULL) {
		awsauth_note(&row->reason, "a pattern: newer authenticators match it "
		    "like an IAM policy ARN (older ones only literally)");
		return;
	}
	if (arn_principal_parse(row->arn, &p, &e) != EKSKIT_OK) {
		row->state = AWSAUTH_IGNORED;
		awsauth_note(&row->reason, "not an IAM principal ARN, so it matches "
		    "nobody (%s)", e.msg);
		return;
	}
	if (p.kind == ARN_KIND_ASSUMED_ROLE) {
		row->state = AWSAUTH_IGNORED;
		awsauth_note(&row->reason, "an STS session ARN matches nobody: map "
		    "arn:%s:iam::%s:role/%s", p.partition, p.account, p.name);
	} else if (p.kind == ARN_KIND_ROLE && strcmp(p.path, "/") != 0) {
		row->state = AWSAUTH_IGNORED;
		awsauth_note(&row->reason, "the role path %s in the ARN: the authenticator "
		    "compares against arn:%s:iam::%s:role/%s (no path), so this matches nobody",
		    p.path, p.partition, p.account, p.name);
	}
	arn_principal_release(&p);
}

static const char *const known_groups[] = {
	"system:masters", "system:nodes", "system:bootstrappers",
	"system:authenticated", "system:unauthenticated", "system:serviceaccounts",
	"system:monitoring", NULL,
};

int
awsauth_group_known(const char *g)
{
	if (strncmp(g, "system:", 7) != 0)
		return 1;
	if (match_any(g, known_groups))
		return 1;
	return ek_startswith(g, "system:serviceaccounts:") ||
	    ek_startswith(g, "system:bootstrappers:");
}

/* Levenshtein distance, capped (for "did you mean"). */
static size_t
distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, prev[64], cur[64];

	if (la >= 63 || lb >= 63)
		return 99;
	for (j = 0; j <= lb; j++)
		prev[j] = j;
	for (i = 1; i <= la; i++) {
		cur[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		memcpy(prev, cur, (lb + 1) * sizeof(size_t));
	}
	return prev[lb];
}

const char *
awsauth_group_suggest(const char *g)
{
	size_t i;

	for (i = 0; known_groups[i] != NULL; i++)
		if (distance(g, known_groups[i]) <= 2)
			return known_groups[i];
	return NULL;
}

int
awsauth_template_valid(const char *tmpl, const char **bad)
{
	static const char *const known[] = { "{{EC2PrivateDNSName}}", "{{AccountID}}",
		"{{SessionName}}", "{{SessionNameRaw}}", "{{AccessKeyID}}", NULL };
	const char *p = tmpl;
	size_t i;

	while ((p = strstr(p, "{{")) != NULL) {
		for (i = 0; known[i] != NULL; i++)
			if (strncmp(p, known[i], strlen(known[i])) == 0)
				break;
		if (known[i] == NULL) {
			if (bad != NULL)
				*bad = p;
			return 0;
		}
		p += strlen(known[i]);
	}
	return 1;
}

static void
check_groups_and_name(struct awsauth_row *row)
{
	const char *bad;
	size_t i;

	for (i = 0; i < row->ngroups; i++) {
		const char *s;
		if (awsauth_group_known(row->groups[i]))
			continue;
		s = awsauth_group_suggest(row->groups[i]);
		awsauth_note(&row->reason, "group %s is ignored: Kubernetes has no such "
		    "system group%s%s%s", row->groups[i], s ? " (did you mean " : "",
		    s ? s : "", s ? "?)" : "");
	}
	if (row->section == AWSAUTH_ACCOUNTS)
		return;
	if (row->username == NULL || *row->username == '\0')
		awsauth_note(&row->reason, "no username: the API server refuses an "
		    "empty user name");
	else if (!awsauth_template_valid(row->username, &bad))
		awsauth_note(&row->reason, "username has an unknown placeholder at "
		    "'%.24s' (left as written)", bad);
}

/* Validate + the authenticator's map for one section of the read keys. */
static int
apply_rules(struct awsauth *a)
{
	size_t i, j;

	for (i = 0; i < a->nrows; i++) {
		struct awsauth_row *r = &a->rows[i];
		struct awsauth_key *k = &a->keys[r->key];

		if (r->arn != NULL && (r->principal =
		    awsauth_principal_key(r->section, r->arn)) == NULL)
			return EKSKIT_ERR_NOMEM;
		if (!k->read) {
			r->state = AWSAUTH_IGNORED;
			awsauth_note(&r->reason, "the data key '%s' is never read: the "
			    "authenticator reads '%s' (case-sensitive)", k->name,
			    awsauth_section_key(r->section));
			continue;
		}
		if (r->state == AWSAUTH_IGNORED)
			continue;
		if (r->section == AWSAUTH_ACCOUNTS) {
			r->lookup = ek_strdup(r->arn);
			if (!arn_account_valid(r->arn)) {
				r->state = AWSAUTH_IGNORED;
				awsauth_note(&r->reason, "not a 12-digit account id: "
				    "matches nobody");
			}
			continue;
		}
		if (r->arn == NULL || *r->arn == '\0') {
			if (r->sso != NULL)
				continue;           /* lookup set by check_sso */
			r->state = AWSAUTH_IGNORED;
			awsauth_note(&r->reason, "no %s: the authenticator drops this entry",
			    r->section == AWSAUTH_ROLES ? "rolearn" : "userarn");
			continue;
		}
		if ((r->lookup = lower_dup(r->arn)) == NULL)
			return EKSKIT_ERR_NOMEM;
		check_matchable(r);
		check_groups_and_name(r);
	}
	/* the last duplicate wins (a map keyed by the lower-cased ARN) */
	for (i = 0; i < a->nrows; i++) {
		struct awsauth_row *r = &a->rows[i];

		if (!a->keys[r->key].read || r->lookup == NULL || r->state == AWSAUTH_IGNORED)
			continue;
		for (j = i + 1; j < a->nrows; j++) {
			struct awsauth_row *l = &a->rows[j];
			if (l->section != r->section || !a->keys[l->key].read ||
			    l->lookup == NULL || strcmp(l->lookup, r->lookup) != 0)
				continue;
			r->state = AWSAUTH_SHADOWED;
			awsauth_note(&r->reason, "shadowed by line %lu (the last duplicate "
			    "wins)%s", (unsigned long)l->line,
			    r->section == AWSAUTH_USERS && strcmp(l->arn, r->arn) != 0 ?
			    "; newer authenticators keep user ARNs that differ in case "
			    "apart and pick either" : "");
			break;
		}
	}
	/* mapRoles is looked up before mapUsers */
	for (i = 0; i < a->nrows; i++) {
		struct awsauth_row *u = &a->rows[i];
		if (u->section != AWSAUTH_USERS || u->state != AWSAUTH_ACTIVE || !a->keys[u->key].read)
			continue;
		for (j = 0; j < a->nrows; j++) {
			struct awsauth_row *r = &a->rows[j];
			if (r->section == AWSAUTH_ROLES && r->state == AWSAUTH_ACTIVE &&
			    a->keys[r->key].read && strcmp(r->lookup, u->lookup) == 0) {
				u->state = AWSAUTH_SHADOWED;
				awsauth_note(&u->reason, "mapRoles line %lu maps the same ARN "
				    "and is looked up first", (unsigned long)r->line);
				break;
			}
		}
	}
	return EKSKIT_OK;
}

/* ------------------------------------------------------------ the map */

/* Which section a data key holds or resembles ("mapusers", "map_roles"), or -1. */
static int
key_section(const char *name, int *exact)
{
	char norm[32];
	size_t i, n = 0;
	int s;

	for (s = 0; s < 3; s++)
		if (strcmp(name, section_keys[s]) == 0) {
			*exact = 1;
			return s;
		}
	*exact = 0;
	for (i = 0; name[i] != '\0' && n + 1 < sizeof(norm); i++)
		if (name[i] != '_' && name[i] != '-' && name[i] != ' ')
			norm[n++] = (char)tolower((unsigned char)name[i]);
	norm[n] = '\0';
	for (s = 0; s < 3; s++)
		if (strcasecmp(norm, section_keys[s]) == 0)
			return s;
	return -1;
}

static int
add_key(struct awsauth *a, const char *name, const char *text, size_t len,
    int section, int exact, struct ekskit_err *err)
{
	struct awsauth_key *k, *n;

	if (len > AWSAUTH_MAX_TEXT)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "aws-auth data.%s is larger "
		    "than %u bytes", name, AWSAUTH_MAX_TEXT);
	if ((n = realloc(a->keys, (a->nkeys + 1) * sizeof(*n))) == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	a->keys = n;
	k = &a->keys[a->nkeys];
	memset(k, 0, sizeof(*k));
	k->name = ek_strdup(name);
	if ((k->text = malloc(len + 1)) != NULL) {
		memcpy(k->text, text, len);
		k->text[len] = '\0';
	}
	a->nkeys++;
	if (k->name == NULL || k->text == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	k->len = len;
	k->section = (enum awsauth_section)section;
	k->read = exact;
	/* YAML has no NUL characters: the authenticator's parser fails too */
	if (memchr(text, '\0', len) != NULL)
		return awsauth_note(&k->error, "contains a NUL character, which YAML "
		    "does not allow") == EKSKIT_OK ? EKSKIT_OK :
		    ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	/* libyaml skips only a leading one; others shift its columns */
	if (len > 3 && memmem(text + 1, len - 1, "\xef\xbb\xbf", 3) != NULL)
		return awsauth_note(&k->error, "contains a byte-order mark after the "
		    "start") == EKSKIT_OK ? EKSKIT_OK :
		    ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	if (parse_key_text(a, a->nkeys - 1) != EKSKIT_OK)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	return EKSKIT_OK;
}

int
awsauth_parse(const json_t *data, struct awsauth **out, struct ekskit_err *err)
{
	struct awsauth *a;
	const char *name;
	json_t *v;
	int r = EKSKIT_OK, exact, s;

	*out = NULL;
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	if (data != NULL && !json_is_object(data)) {
		r = ekskit_err_set(err, EKSKIT_ERR_INVALID, "aws-auth: data is not an object");
		goto out;
	}
	/* the authenticator's keys first, so rows come in lookup order */
	for (s = 0; s < 3 && data != NULL && r == EKSKIT_OK; s++) {
		v = json_object_get(data, section_keys[s]);
		if (v == NULL)
			continue;
		if (!json_is_string(v))
			r = ekskit_err_set(err, EKSKIT_ERR_INVALID, "aws-auth: data.%s is "
			    "not a string", section_keys[s]);
		else
			r = add_key(a, section_keys[s], json_string_value(v),
			    json_string_length(v), s, 1, err);
	}
	if (data != NULL)
		json_object_foreach((json_t *)data, name, v) {
			if (r != EKSKIT_OK)
				break;
			s = key_section(name, &exact);
			if (s < 0 || exact || !json_is_string(v))
				continue;
			r = add_key(a, name, json_string_value(v), json_string_length(v),
			    s, 0, err);
		}
	if (r == EKSKIT_OK && apply_rules(a) != EKSKIT_OK)
		r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
out:
	if (r != EKSKIT_OK) {
		awsauth_free(a);
		return r;
	}
	*out = a;
	return EKSKIT_OK;
}

void
awsauth_free(struct awsauth *a)
{
	size_t i;

	if (a == NULL)
		return;
	for (i = 0; i < a->nrows; i++)
		awsauth_row_release(&a->rows[i]);
	for (i = 0; i < a->nkeys; i++) {
		free(a->keys[i].name);
		free(a->keys[i].text);
		free(a->keys[i].error);
	}
	free(a->rows);
	free(a->keys);
	free(a);
}

long
awsauth_find_key(const struct awsauth *a, enum awsauth_section s)
{
	size_t i;

	for (i = 0; a != NULL && i < a->nkeys; i++)
		if (a->keys[i].read && a->keys[i].section == s)
			return (long)i;
	return -1;
}

static int
has_active_group(const struct awsauth *a, int roles_only, const char *group)
{
	size_t i, j;

	for (i = 0; a != NULL && i < a->nrows; i++) {
		const struct awsauth_row *r = &a->rows[i];
		if (r->state != AWSAUTH_ACTIVE || r->section == AWSAUTH_ACCOUNTS ||
		    (roles_only && r->section != AWSAUTH_ROLES))
			continue;
		for (j = 0; j < r->ngroups; j++)
			if (strcmp(r->groups[j], group) == 0)
				return 1;
	}
	return 0;
}

int
awsauth_has_node_role(const struct awsauth *a)
{
	return has_active_group(a, 1, "system:nodes");
}

int
awsauth_has_masters(const struct awsauth *a)
{
	return has_active_group(a, 0, "system:masters");
}
