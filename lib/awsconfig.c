/*
 * The AWS shared config and credentials files: see include/ekskit/awsconfig.h.
 *
 * The reference is what the AWS CLI (botocore) accepts, i.e. Python's
 * configparser.RawConfigParser with its defaults plus botocore's profile
 * mapping:
 *  - lines end at \n, \r\n or \r;
 *  - a line whose stripped text starts with '#' or ';' is a comment; there
 *    are no inline comments ("region = x # y" has the value "x # y");
 *  - "[name]": the header is what lies between a leading '[' and the LAST
 *    ']' of the stripped line (anything after it is ignored, as Python does);
 *  - "key = value" or "key: value": split at the first '=' or ':', both
 *    sides stripped, keys lowercased;
 *  - a line indented deeper than the key line above it continues that value
 *    (blank lines inside a value are kept, trailing ones dropped); a key
 *    whose value is empty on its own line and continues on indented lines
 *    is a sub-section: each of those lines must be "key = value";
 *  - a [DEFAULT] section supplies fallback keys to every section of its file;
 *  - a duplicate section or a duplicate key in one section is an error.
 * Config file: [default], [profile x] (also quoted: [profile "a b"]),
 * [sso-session x], [services x]; when two sections name the same profile,
 * the later one wins.  Credentials file: [x] is profile x, exactly.
 * For a key set in both files the credentials file wins.
 */
#include <ctype.h>
#include <errno.h>
#include <pwd.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ekskit/awsconfig.h"
#include "ekskit/buf.h"
#include "ekskit/error.h"

/* Caps on what a (possibly hostile) file can make us allocate and scan. */
#define CFG_MAX_FILE_BYTES	(1024u * 1024)
#define CFG_MAX_SECTIONS	4096
#define CFG_MAX_KEYS		1024   /* per section, and per sub-section */

enum section_kind {
	SEC_OTHER,        /* a section botocore ignores ([preview], [plugins] ...) */
	SEC_PROFILE,
	SEC_SSO_SESSION,
	SEC_SERVICES,
};

struct kv {
	char *key;
	char *value;         /* joined value (continuation lines joined by \n) */
	struct kv *sub;      /* sub-section entries when nested */
	size_t nsub;
	int nested;
	int line;
};

struct section {
	char *header;        /* raw text between the brackets */
	enum section_kind kind;
	char *name;          /* profile / sso-session / services name */
	struct kv *kvs;
	size_t nkv;
	int line;
};

struct cfgfile {
	char *path;
	struct section *secs;
	size_t nsec;
	struct section defaults;  /* [DEFAULT]: fallback keys */
	int is_credentials;
};

struct awsconfig {
	struct cfgfile config;
	struct cfgfile creds;
};

/* ---------------------------------------------------------------- memory */

static void
kv_release(struct kv *kv)
{
	size_t i;

	free(kv->key);
	/* the credentials file holds secret keys: wipe every value */
	ek_free_secret(kv->value);
	for (i = 0; i < kv->nsub; i++)
		kv_release(&kv->sub[i]);
	free(kv->sub);
}

static void
section_release(struct section *s)
{
	size_t i;

	free(s->header);
	free(s->name);
	for (i = 0; i < s->nkv; i++)
		kv_release(&s->kvs[i]);
	free(s->kvs);
	memset(s, 0, sizeof(*s));
}

static void
cfgfile_release(struct cfgfile *f)
{
	size_t i;

	for (i = 0; i < f->nsec; i++)
		section_release(&f->secs[i]);
	free(f->secs);
	section_release(&f->defaults);
	free(f->path);
	memset(f, 0, sizeof(*f));
}

struct awsconfig *
awsconfig_new(void)
{
	return calloc(1, sizeof(struct awsconfig));
}

void
awsconfig_free(struct awsconfig *cfg)
{
	if (cfg == NULL)
		return;
	cfgfile_release(&cfg->config);
	cfgfile_release(&cfg->creds);
	free(cfg);
}

/* --------------------------------------------------------------- helpers */

/* Python's str.isspace() for ASCII (what strip() and \s remove). */
static int
py_space(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
}

static void
strip(const char **s, const char **e)
{
	while (*s < *e && py_space((unsigned char)**s))
		(*s)++;
	while (*e > *s && py_space((unsigned char)(*e)[-1]))
		(*e)--;
}

static int
span_eq(const char *s, size_t n, const char *z)
{
	return strlen(z) == n && memcmp(s, z, n) == 0;
}

/*
 * shlex.split() in POSIX mode, as botocore applies it to section headers.
 * Returns the number of words (-1 when the quoting is broken) and the
 * second word in *second (malloc'd) when there is one.
 */
static int
shlex_words(const char *s, size_t n, char **second)
{
	struct ekbuf w;
	size_t i = 0;
	int count = 0, r = 0;

	*second = NULL;
	ekbuf_init(&w, n + 1);
	while (i < n) {
		int in_word = 0;

		while (i < n && strchr(" \t\r\n", s[i]) != NULL && s[i] != '\0')
			i++;
		if (i >= n)
			break;
		ekbuf_reset(&w);
		while (i < n && (strchr(" \t\r\n", s[i]) == NULL || s[i] == '\0')) {
			char c = s[i++];

			in_word = 1;
			if (c == '\\') {
				if (i >= n) { r = -1; goto out; }
				r = ekbuf_putc(&w, s[i++]);
			} else if (c == '\'') {
				while (i < n && s[i] != '\'')
					r |= ekbuf_putc(&w, s[i++]);
				if (i++ >= n) { r = -1; goto out; }
			} else if (c == '"') {
				while (i < n && s[i] != '"') {
					if (s[i] == '\\' && i + 1 < n &&
					    (s[i + 1] == '"' || s[i + 1] == '\\'))
						i++;
					r |= ekbuf_putc(&w, s[i++]);
				}
				if (i++ >= n) { r = -1; goto out; }
			} else
				r = ekbuf_putc(&w, c);
			if (r != 0) { r = -1; goto out; }
		}
		if (in_word && ++count == 2) {
			free(*second);
			if ((*second = ek_strdup(w.data ? w.data : "")) == NULL) {
				r = -1;
				goto out;
			}
		}
	}
out:
	ekbuf_release(&w);
	if (r != 0) {
		free(*second);
		*second = NULL;
		return -1;
	}
	return count;
}

/* Map a config-file section header to its kind and name (botocore rules). */
static int
classify(struct section *sec, int is_credentials)
{
	const char *h = sec->header;
	char *second = NULL;
	int words;

	sec->kind = SEC_OTHER;
	if (is_credentials) {
		sec->kind = SEC_PROFILE;
		return (sec->name = strdup(h)) ? 0 : EKSKIT_ERR_NOMEM;
	}
	if (ek_startswith(h, "profile") || ek_startswith(h, "sso-session") ||
	    ek_startswith(h, "services")) {
		words = shlex_words(h, strlen(h), &second);
		if (words != 2) {
			free(second);
			return 0;     /* botocore ignores such a section */
		}
		sec->kind = ek_startswith(h, "profile") ? SEC_PROFILE :
		    ek_startswith(h, "sso-session") ? SEC_SSO_SESSION : SEC_SERVICES;
		sec->name = second;
		return 0;
	}
	if (strcmp(h, "default") == 0) {
		sec->kind = SEC_PROFILE;
		return (sec->name = strdup(h)) ? 0 : EKSKIT_ERR_NOMEM;
	}
	return 0;
}

static struct kv *
kv_find(struct kv *kvs, size_t n, const char *key)
{
	size_t i;

	for (i = n; i > 0; i--)   /* later wins (sub-sections allow repeats) */
		if (strcmp(kvs[i - 1].key, key) == 0)
			return &kvs[i - 1];
	return NULL;
}

/* -------------------------------------------------------------- parsing */

/* Length of the valid UTF-8 sequence at p (1-4), or 0 if invalid. */
static size_t
utf8_seq(const unsigned char *p, const unsigned char *end)
{
	size_t n, i;
	unsigned cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, cp = p[0] & 0x07;
	else
		return 0;
	if ((size_t)(end - p) < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	/* overlong forms, surrogates, beyond U+10FFFF */
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* The AWS CLI reads the files as UTF-8 and rejects anything else. */
static int
check_text(const char *name, const char *data, size_t len, struct ekskit_err *err)
{
	const unsigned char *p = (const unsigned char *)data, *end = p + len;
	int line = 1;
	size_t n;

	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		return ekskit_err_set(err, EKSKIT_ERR_CONFIG,
		    "%s line 1: the file starts with a UTF-8 byte order mark, which "
		    "the AWS CLI does not accept either: save it without one", name);
	while (p < end) {
		if (*p == '\0')
			return ekskit_err_set(err, EKSKIT_ERR_CONFIG,
			    "%s line %d: contains a NUL byte: not a text file", name, line);
		if ((n = utf8_seq(p, end)) == 0)
			return ekskit_err_set(err, EKSKIT_ERR_CONFIG,
			    "%s line %d: not valid UTF-8", name, line);
		if (*p == '\n' || (*p == '\r' && (p + 1 == end || p[1] != '\n')))
			line++;
		p += n;
	}
	return 0;
}

struct parser {
	struct cfgfile *f;
	const char *name;        /* file name for messages */
	struct section *cur;     /* NULL before the first header */
	struct kv *opt;          /* the key whose value may continue */
	struct ekbuf val;        /* the value being built (secret) */
	size_t indent_level;
	int lineno;
	struct ekskit_err *err;
};

static int
perr(struct parser *p, const char *what)
{
	return ekskit_err_set(p->err, EKSKIT_ERR_CONFIG, "%s line %d: %s",
	    p->name, p->lineno, what);
}

/* Store the value being built into p->opt (rstrip, nested detection). */
static int
finish_value(struct parser *p)
{
	size_t n;

	if (p->opt == NULL)
		return 0;
	n = p->val.len;
	while (n > 0 && py_space((unsigned char)p->val.data[n - 1]))
		n--;
	if ((p->opt->value = malloc(n + 1)) == NULL)
		return EKSKIT_ERR_NOMEM;
	if (n > 0)
		memcpy(p->opt->value, p->val.data, n);
	p->opt->value[n] = '\0';
	p->opt->nested = n > 0 && p->opt->value[0] == '\n';
	ekbuf_reset(&p->val);
	p->opt = NULL;
	return 0;
}

/* A continuation line of a sub-section ("s3 =" then "  key = value"). */
static int
add_sub(struct parser *p, const char *s, const char *e)
{
	const char *eq = memchr(s, '=', (size_t)(e - s));
	const char *ks = s, *ke, *vs, *ve = e;
	struct kv *kv, *n;

	if (eq == NULL)
		return perr(p, "expected 'key = value' inside the indented sub-section");
	if (p->opt->nsub >= CFG_MAX_KEYS)
		return perr(p, "too many keys in one sub-section");
	ke = eq;
	vs = eq + 1;
	strip(&ks, &ke);
	strip(&vs, &ve);
	n = realloc(p->opt->sub, (p->opt->nsub + 1) * sizeof(*n));
	if (n == NULL)
		return EKSKIT_ERR_NOMEM;
	p->opt->sub = n;
	kv = &n[p->opt->nsub];
	memset(kv, 0, sizeof(*kv));
	kv->line = p->lineno;
	kv->key = ek_strndup(ks, (size_t)(ke - ks));
	kv->value = ek_strndup(vs, (size_t)(ve - vs));
	p->opt->nsub++;
	return kv->key && kv->value ? 0 : EKSKIT_ERR_NOMEM;
}

static int
start_section(struct parser *p, const char *h, size_t hn)
{
	struct section *sec, *n;
	size_t i;
	int r;

	if ((r = finish_value(p)) != 0)
		return r;
	if (span_eq(h, hn, "DEFAULT")) {
		p->cur = &p->f->defaults;
		if (p->cur->header == NULL &&
		    (p->cur->header = strdup("DEFAULT")) == NULL)
			return EKSKIT_ERR_NOMEM;
		return 0;
	}
	for (i = 0; i < p->f->nsec; i++) {
		if (span_eq(h, hn, p->f->secs[i].header)) {
			return ekskit_err_set(p->err, EKSKIT_ERR_CONFIG,
			    "%s line %d: duplicate section [%s] (first at line %d)",
			    p->name, p->lineno, p->f->secs[i].header,
			    p->f->secs[i].line);
		}
	}
	if (p->f->nsec >= CFG_MAX_SECTIONS)
		return perr(p, "too many sections");
	if ((n = realloc(p->f->secs, (p->f->nsec + 1) * sizeof(*n))) == NULL)
		return EKSKIT_ERR_NOMEM;
	p->f->secs = n;
	sec = &n[p->f->nsec];
	memset(sec, 0, sizeof(*sec));
	sec->line = p->lineno;
	if ((sec->header = ek_strndup(h, hn)) == NULL)
		return EKSKIT_ERR_NOMEM;
	p->f->nsec++;
	if ((r = classify(sec, p->f->is_credentials)) != 0)
		return r;
	p->cur = sec;
	return 0;
}

static int
start_key(struct parser *p, const char *s, const char *e)
{
	const char *d, *ks = s, *ke, *vs, *ve = e;
	struct kv *kv, *n;
	char *key;
	size_t i;
	int r;

	if ((r = finish_value(p)) != 0)
		return r;
	for (d = s; d < e && *d != '=' && *d != ':'; d++)
		;
	if (d == e)
		return perr(p, "expected 'key = value' or a [section] header");
	ke = d;
	vs = d + 1;
	strip(&ks, &ke);
	strip(&vs, &ve);
	if (ks == ke)
		return perr(p, "missing key name before '='");
	if ((key = ek_strndup(ks, (size_t)(ke - ks))) == NULL)
		return EKSKIT_ERR_NOMEM;
	for (i = 0; key[i] != '\0'; i++)
		key[i] = (char)tolower((unsigned char)key[i]);
	for (i = 0; i < p->cur->nkv; i++) {
		if (strcmp(p->cur->kvs[i].key, key) == 0) {
			r = ekskit_err_set(p->err, EKSKIT_ERR_CONFIG,
			    "%s line %d: duplicate key '%s' in [%s] (first at line %d)",
			    p->name, p->lineno, key, p->cur->header,
			    p->cur->kvs[i].line);
			free(key);
			return r;
		}
	}
	if (p->cur->nkv >= CFG_MAX_KEYS) {
		free(key);
		return perr(p, "too many keys in one section");
	}
	if ((n = realloc(p->cur->kvs, (p->cur->nkv + 1) * sizeof(*n))) == NULL) {
		free(key);
		return EKSKIT_ERR_NOMEM;
	}
	p->cur->kvs = n;
	kv = &n[p->cur->nkv++];
	memset(kv, 0, sizeof(*kv));
	kv->key = key;
	kv->line = p->lineno;
	p->opt = kv;
	ekbuf_reset(&p->val);
	return ekbuf_append(&p->val, vs, (size_t)(ve - vs));
}

static int
continue_value(struct parser *p, const char *s, const char *e)
{
	int r;

	/* "key =" with nothing after it: indented lines form a sub-section */
	if ((p->val.len == 0 || p->val.data[0] == '\n') &&
	    (r = add_sub(p, s, e)) != 0)
		return r;
	if ((r = ekbuf_putc(&p->val, '\n')) != 0)
		return r;
	return ekbuf_append(&p->val, s, (size_t)(e - s));
}

static int
parse_line(struct parser *p, const char *line, const char *end)
{
	const char *s = line, *e = end, *rb;
	size_t indent;

	strip(&s, &e);
	if (s == e || *s == '#' || *s == ';') {
		/* blank lines inside a value are part of it; comments are not */
		if (s == e && p->opt != NULL && p->val.len > 0 && p->val.data[0] != '\n')
			return ekbuf_putc(&p->val, '\n');
		return 0;
	}
	indent = (size_t)(s - line);
	if (p->cur != NULL && p->opt != NULL && indent > p->indent_level)
		return continue_value(p, s, e);
	p->indent_level = indent;
	if (*s == '[') {
		for (rb = e - 1; rb > s && *rb != ']'; rb--)
			;
		if (rb - s >= 2)
			return start_section(p, s + 1, (size_t)(rb - s - 1));
	}
	if (p->cur == NULL)
		return perr(p, "a setting before any [section] header");
	return start_key(p, s, e);
}

int
awsconfig_parse_buffer(struct awsconfig *cfg, const char *name,
    const char *data, size_t len, int is_credentials, struct ekskit_err *err)
{
	struct cfgfile *f = is_credentials ? &cfg->creds : &cfg->config;
	struct parser p;
	const char *line = data, *end = data + len, *nl;
	int r = 0;

	cfgfile_release(f);
	f->is_credentials = is_credentials;
	if (name == NULL)
		name = is_credentials ? "credentials" : "config";
	if ((f->path = strdup(name)) == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	memset(&p, 0, sizeof(p));
	p.f = f;
	p.name = name;
	p.err = err;
	ekbuf_init_secret(&p.val, CFG_MAX_FILE_BYTES);
	if (len > CFG_MAX_FILE_BYTES) {
		r = ekskit_err_set(err, EKSKIT_ERR_CONFIG,
		    "%s is larger than %u bytes", name, CFG_MAX_FILE_BYTES);
		goto out;
	}
	if ((r = check_text(name, data, len, err)) != 0)
		goto out;
	while (line < end && r == 0) {
		for (nl = line; nl < end && *nl != '\n' && *nl != '\r'; nl++)
			;
		p.lineno++;
		r = parse_line(&p, line, nl);
		if (nl < end && *nl == '\r' && nl + 1 < end && nl[1] == '\n')
			nl++;
		line = nl + 1;
	}
	if (r == 0)
		r = finish_value(&p);
	if (r == EKSKIT_ERR_NOMEM && (err == NULL || err->code != r))
		r = ekskit_err_set(err, r, "%s line %d: out of memory", name, p.lineno);
out:
	ekbuf_release(&p.val);
	if (r != 0) {
		cfgfile_release(f);
		f->is_credentials = is_credentials;
	}
	return r;
}

/* ---------------------------------------------------------------- paths */

/* $NAME / ${NAME} expansion (unknown variables left as is, like Python). */
static int
expand_vars(const char *in, struct ekbuf *out)
{
	const char *p = in;
	int r = 0;

	while (*p != '\0' && r == 0) {
		const char *ns, *ne, *v;
		char name[256];
		int braced;

		if (*p != '$') {
			r = ekbuf_putc(out, *p++);
			continue;
		}
		braced = p[1] == '{';
		ns = p + 1 + braced;
		for (ne = ns; isalnum((unsigned char)*ne) || *ne == '_'; ne++)
			;
		if (ne == ns || (size_t)(ne - ns) >= sizeof(name) ||
		    (braced && *ne != '}')) {
			r = ekbuf_putc(out, *p++);
			continue;
		}
		memcpy(name, ns, (size_t)(ne - ns));
		name[ne - ns] = '\0';
		if ((v = getenv(name)) == NULL) {
			r = ekbuf_append(out, p, (size_t)(ne + braced - p));
		} else
			r = ekbuf_puts(out, v);
		p = ne + braced;
	}
	return r;
}

/*
 * Expand $VARS and a leading ~ or ~user in a path.  Returns a malloc'd
 * string (caller frees) or NULL on allocation failure.
 */
char *
awsconfig_expand_path(const char *path)
{
	struct ekbuf vb, out;
	const char *s, *rest, *home = NULL;
	char user[256];
	char *res = NULL;

	ekbuf_init(&vb, 0);
	ekbuf_init(&out, 0);
	if (expand_vars(path, &vb) != 0 || ekbuf_puts(&vb, "") != 0)
		goto out;
	s = vb.data;
	if (s[0] == '~') {
		rest = s + 1 + strcspn(s + 1, "/");
		if (rest == s + 1) {
			home = getenv("HOME");
			if (home == NULL || *home == '\0') {
				struct passwd *pw = getpwuid(getuid());
				home = pw ? pw->pw_dir : NULL;
			}
		} else if ((size_t)(rest - s - 1) < sizeof(user)) {
			struct passwd *pw;

			memcpy(user, s + 1, (size_t)(rest - s - 1));
			user[rest - s - 1] = '\0';
			pw = getpwnam(user);
			home = pw ? pw->pw_dir : NULL;
		}
		if (home != NULL) {
			size_t hl = strlen(home);

			/* "~/x" with HOME=/ gives "/x", not "//x" */
			while (hl > 1 && home[hl - 1] == '/')
				hl--;
			if (ekbuf_append(&out, home, hl) != 0)
				goto out;
			s = rest;
			if (hl == 1 && home[0] == '/' && *s == '/')
				s++;
		}
	}
	if (ekbuf_puts(&out, s) == 0)
		res = ekbuf_detach(&out, NULL);
out:
	ekbuf_release(&vb);
	ekbuf_release(&out);
	return res;
}

static int
load_one(struct awsconfig *cfg, const char *path, int is_credentials,
    struct ekskit_err *err)
{
	struct ekbuf b;
	struct stat st;
	char *full;
	int r;

	if ((full = awsconfig_expand_path(path)) == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	/* a missing file (or a directory in its place) is an empty config */
	if (stat(full, &st) == -1 || !S_ISREG(st.st_mode)) {
		free(full);
		return 0;
	}
	ekbuf_init_secret(&b, CFG_MAX_FILE_BYTES);
	r = ek_read_file(full, &b, err);
	if (r == EKSKIT_ERR_NOMEM)
		r = ekskit_err_set(err, EKSKIT_ERR_CONFIG,
		    "%s is larger than %u bytes: is this really an AWS %s file?",
		    full, CFG_MAX_FILE_BYTES, is_credentials ? "credentials" : "config");
	else if (r != 0)
		r = ekskit_err_set(err, EKSKIT_ERR_CONFIG, "cannot read %s: %s", full,
		    r == EKSKIT_ERR_PERM ? "permission denied" : "i/o error");
	else
		r = awsconfig_parse_buffer(cfg, full, b.data, b.len, is_credentials, err);
	ekbuf_release(&b);
	free(full);
	return r;
}

int
awsconfig_load_files(const char *config_path, const char *credentials_path,
    struct awsconfig **out, struct ekskit_err *err)
{
	struct awsconfig *cfg;
	int r = 0;

	*out = NULL;
	if ((cfg = awsconfig_new()) == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	cfg->creds.is_credentials = 1;
	if (config_path != NULL)
		r = load_one(cfg, config_path, 0, err);
	if (r == 0 && credentials_path != NULL)
		r = load_one(cfg, credentials_path, 1, err);
	if (r != 0) {
		awsconfig_free(cfg);
		return r;
	}
	*out = cfg;
	return 0;
}

/* Borrowed: the configured path or its default (unexpanded). */

const char *
awsconfig_config_path(void)
{
	const char *p = getenv("AWS_CONFIG_FILE");

	return p != NULL && *p != '\0' ? p : "~/.aws/config";
}

const char *
awsconfig_credentials_path(void)
{
	const char *p = getenv("AWS_SHARED_CREDENTIALS_FILE");

	return p != NULL && *p != '\0' ? p : "~/.aws/credentials";
}

int
awsconfig_load(struct awsconfig **out, struct ekskit_err *err)
{
	return awsconfig_load_files(awsconfig_config_path(),
	    awsconfig_credentials_path(), out, err);
}

const char *
awsconfig_selected_profile(const char *flag_profile)
{
	const char *p;

	if (flag_profile != NULL && *flag_profile != '\0')
		return flag_profile;
	if ((p = getenv("AWS_PROFILE")) != NULL && *p != '\0')
		return p;
	if ((p = getenv("AWS_DEFAULT_PROFILE")) != NULL && *p != '\0')
		return p;
	return "default";
}

/* -------------------------------------------------------------- lookups */

/* The section of a kind and name in one file; the later one wins. */
static const struct section *
find_section(const struct cfgfile *f, enum section_kind kind, const char *name)
{
	size_t i;

	if (name == NULL)
		return NULL;
	for (i = f->nsec; i > 0; i--) {
		const struct section *s = &f->secs[i - 1];

		if (s->kind == kind && s->name != NULL && strcmp(s->name, name) == 0)
			return s;
	}
	return NULL;
}

/* A key of a section, falling back to the file's [DEFAULT] keys. */
static const struct kv *
section_kv(const struct cfgfile *f, const struct section *s, const char *key)
{
	const struct kv *kv;

	if (s == NULL)
		return NULL;
	if ((kv = kv_find(s->kvs, s->nkv, key)) != NULL)
		return kv;
	return kv_find(f->defaults.kvs, f->defaults.nkv, key);
}

static const struct kv *
profile_kv(const struct awsconfig *cfg, const char *profile, const char *key)
{
	const struct kv *kv;

	if (cfg == NULL || profile == NULL || key == NULL)
		return NULL;
	kv = section_kv(&cfg->creds, find_section(&cfg->creds, SEC_PROFILE, profile), key);
	if (kv != NULL)
		return kv;
	return section_kv(&cfg->config,
	    find_section(&cfg->config, SEC_PROFILE, profile), key);
}

int
awsconfig_has_profile(const struct awsconfig *cfg, const char *profile)
{
	if (cfg == NULL || profile == NULL)
		return 0;
	return find_section(&cfg->creds, SEC_PROFILE, profile) != NULL ||
	    find_section(&cfg->config, SEC_PROFILE, profile) != NULL;
}

int
awsconfig_require_profile(const struct awsconfig *cfg, const char *profile,
    struct ekskit_err *err)
{
	const char *cf, *kf;

	if (profile == NULL || strcmp(profile, "default") == 0 ||
	    awsconfig_has_profile(cfg, profile))
		return 0;
	cf = awsconfig_file_name(cfg, 0);
	kf = awsconfig_file_name(cfg, 1);
	return ekskit_err_set(err, EKSKIT_ERR_CONFIG,
	    "profile '%.100s' not found in %s or %s: check the name (from --profile "
	    "or AWS_PROFILE), or create it with `aws configure --profile %.100s`",
	    profile, *cf ? cf : awsconfig_config_path(),
	    *kf ? kf : awsconfig_credentials_path(), profile);
}

const char *
awsconfig_get(const struct awsconfig *cfg, const char *profile, const char *key)
{
	const struct kv *kv = profile_kv(cfg, profile, key);

	return kv != NULL && !kv->nested ? kv->value : NULL;
}

static const char *
sub_get(const struct kv *kv, const char *key)
{
	const struct kv *s;

	if (kv == NULL || !kv->nested || key == NULL)
		return NULL;
	s = kv_find(kv->sub, kv->nsub, key);
	return s ? s->value : NULL;
}

const char *
awsconfig_get_sub(const struct awsconfig *cfg, const char *profile,
    const char *section, const char *key)
{
	return sub_get(profile_kv(cfg, profile, section), key);
}

static int
kind_of(const char *kind, enum section_kind *out)
{
	if (kind == NULL)
		return -1;
	if (strcmp(kind, "sso-session") == 0)
		*out = SEC_SSO_SESSION;
	else if (strcmp(kind, "services") == 0)
		*out = SEC_SERVICES;
	else if (strcmp(kind, "profile") == 0)
		*out = SEC_PROFILE;
	else
		return -1;
	return 0;
}

static const struct kv *
other_kv(const struct awsconfig *cfg, const char *kind, const char *name,
    const char *key)
{
	enum section_kind k;

	if (cfg == NULL || kind_of(kind, &k) != 0)
		return NULL;
	if (k == SEC_PROFILE)
		return profile_kv(cfg, name, key);
	return section_kv(&cfg->config, find_section(&cfg->config, k, name), key);
}

const char *
awsconfig_section_get(const struct awsconfig *cfg, const char *kind,
    const char *name, const char *key)
{
	const struct kv *kv = other_kv(cfg, kind, name, key);

	return kv != NULL && !kv->nested ? kv->value : NULL;
}

const char *
awsconfig_section_get_sub(const struct awsconfig *cfg, const char *kind,
    const char *name, const char *sub, const char *key)
{
	return sub_get(other_kv(cfg, kind, name, sub), key);
}

/* 1 if a section of that kind and name exists in the config file. */
int
awsconfig_has_section(const struct awsconfig *cfg, const char *kind,
    const char *name)
{
	enum section_kind k;

	if (cfg == NULL || kind_of(kind, &k) != 0)
		return 0;
	if (k == SEC_PROFILE)
		return awsconfig_has_profile(cfg, name);
	return find_section(&cfg->config, k, name) != NULL;
}

/* The file names for messages ("" when none was loaded).  Borrowed. */
const char *
awsconfig_file_name(const struct awsconfig *cfg, int is_credentials)
{
	const char *p;

	if (cfg == NULL)
		return "";
	p = is_credentials ? cfg->creds.path : cfg->config.path;
	return p ? p : "";
}

static int
names_add(char ***names, size_t *n, const char *name)
{
	char **nn;
	size_t i;

	for (i = 0; i < *n; i++)
		if (strcmp((*names)[i], name) == 0)
			return 0;
	if ((nn = realloc(*names, (*n + 2) * sizeof(*nn))) == NULL)
		return -1;
	*names = nn;
	if ((nn[*n] = strdup(name)) == NULL)
		return -1;
	nn[++*n] = NULL;
	return 0;
}

char **
awsconfig_profile_names(const struct awsconfig *cfg)
{
	const struct cfgfile *files[2];
	char **names = calloc(1, sizeof(*names));
	size_t n = 0, i, j;

	if (names == NULL || cfg == NULL)
		return names;
	files[0] = &cfg->config;
	files[1] = &cfg->creds;
	for (j = 0; j < 2; j++) {
		for (i = 0; i < files[j]->nsec; i++) {
			const struct section *s = &files[j]->secs[i];

			if (s->kind == SEC_PROFILE && names_add(&names, &n, s->name) != 0) {
				ek_strv_free(names);
				return NULL;
			}
		}
	}
	return names;
}

