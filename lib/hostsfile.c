/* Managed blocks in a hosts file: see include/ekskit/hostsfile.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "ekskit/diff.h"
#include "ekskit/fileio.h"
#include "ekskit/hostsfile.h"
#include "ekskit/timeutil.h"

#define LOCK_POLL_MS 50
#define DEFAULT_LOCK_TIMEOUT_MS 30000L
#define MAX_NAME_LEN 128
#define MAX_FIELD 253          /* a host name; longer than any address */

/* One line of a text: [start, start+len) is the content without its line
 * end, `end` the offset just past the line end (== start+len at EOF when
 * the last line has no terminator). */
struct line {
	size_t start, len, end;
};

struct lines {
	struct line *v;
	size_t n;
};

static void
lines_release(struct lines *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static int
split_lines(const char *t, size_t len, struct lines *out)
{
	size_t i = 0, cap = 0;

	out->v = NULL;
	out->n = 0;
	while (i < len) {
		const char *nl = memchr(t + i, '\n', len - i);
		size_t stop = nl ? (size_t)(nl - t) : len;
		struct line ln = { i, stop - i, nl ? stop + 1 : len };

		if (ln.len > 0 && t[ln.start + ln.len - 1] == '\r' && nl)
			ln.len--;
		if (out->n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			struct line *nv = realloc(out->v, ncap * sizeof(*nv));
			if (nv == NULL) {
				lines_release(out);
				return EKSKIT_ERR_NOMEM;
			}
			out->v = nv;
			cap = ncap;
		}
		out->v[out->n++] = ln;
		i = ln.end;
	}
	return EKSKIT_OK;
}

static int
line_terminated(const struct line *l)
{
	return l->end > l->start + l->len;
}

/* Content equals s, ignoring trailing blanks. */
static int
line_is(const char *t, const struct line *l, const char *s)
{
	size_t n = l->len, sl = strlen(s);

	while (n > 0 && (t[l->start + n - 1] == ' ' || t[l->start + n - 1] == '\t' ||
	    t[l->start + n - 1] == '\r'))
		n--;
	return n == sl && memcmp(t + l->start, s, sl) == 0;
}

const char *
hostsfile_default_path(const char *flag_path)
{
	const char *env;

	if (flag_path != NULL && *flag_path != '\0')
		return flag_path;
	env = getenv(HOSTSFILE_ENV_PATH);
	if (env != NULL && *env != '\0')
		return env;
	return HOSTSFILE_DEFAULT_PATH;
}

int
hostsfile_valid_hostname(const char *s)
{
	size_t total, label = 0, i;

	if (s == NULL || (total = strlen(s)) == 0 || total > 253)
		return 0;
	for (i = 0; i <= total; i++) {
		char c = s[i];

		if (c == '.' || c == '\0') {
			if (label == 0 || label > 63 || s[i - 1] == '-')
				return 0;
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-'))
			return 0;
		if (label == 0 && c == '-')
			return 0;
		label++;
	}
	return 1;
}

/* Region and cluster names end up in marker lines: keep them plain. */
static int
valid_key_part(const char *s)
{
	size_t n;

	if (s == NULL || (n = strlen(s)) == 0 || n > MAX_NAME_LEN)
		return 0;
	for (; *s; s++) {
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return 0;
	}
	return 1;
}

static int
valid_address(const char *a)
{
	unsigned char tmp[16];

	return a != NULL && (inet_pton(AF_INET, a, tmp) == 1 ||
	    inet_pton(AF_INET6, a, tmp) == 1);
}

static int
check_key(const char *region, const char *cluster, struct ekskit_err *err)
{
	if (!valid_key_part(region))
		return ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "invalid region name for a hosts block");
	if (!valid_key_part(cluster))
		return ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "invalid cluster name for a hosts block (letters, digits, '-' and '_' only)");
	return EKSKIT_OK;
}

static int
check_entries(const char *host, const char *const *addrs, size_t naddrs,
    struct ekskit_err *err)
{
	size_t i;

	if (naddrs > HOSTSFILE_MAX_ADDRS)
		return ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "%zu addresses is more than the %d a block may hold", naddrs,
		    HOSTSFILE_MAX_ADDRS);
	if (!hostsfile_valid_hostname(host))
		return ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "refusing to write an invalid host name into the hosts file");
	for (i = 0; i < naddrs; i++) {
		if (!valid_address(addrs[i]))
			return ekskit_err_set(err, EKSKIT_ERR_INVALID,
			    "refusing to write an invalid address into the hosts file");
	}
	return EKSKIT_OK;
}

static int
render(struct ekbuf *b, const char *region, const char *cluster,
    const char *host, const char *const *addrs, size_t naddrs, const char *eol)
{
	size_t i;
	int r = ekbuf_printf(b, "# BEGIN eks-hosts %s/%s%s", region, cluster, eol);

	for (i = 0; r == EKSKIT_OK && i < naddrs; i++)
		r = ekbuf_printf(b, "%s %s%s", addrs[i], host, eol);
	if (r == EKSKIT_OK)
		r = ekbuf_printf(b, "# END eks-hosts %s/%s%s", region, cluster, eol);
	return r;
}

int
hostsfile_render_block(const char *region, const char *cluster,
    const char *host, const char *const *addrs, size_t naddrs, char **out,
    struct ekskit_err *err)
{
	struct ekbuf b;
	int r;

	*out = NULL;
	if ((r = check_key(region, cluster, err)) != EKSKIT_OK ||
	    (r = check_entries(host, addrs, naddrs, err)) != EKSKIT_OK)
		return r;
	ekbuf_init(&b, 0);
	if (render(&b, region, cluster, host, addrs, naddrs, "\n") != EKSKIT_OK ||
	    (*out = ekbuf_detach(&b, NULL)) == NULL) {
		ekbuf_release(&b);
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	}
	return EKSKIT_OK;
}

/* Any eks-hosts marker line, of whichever cluster. */
static int
is_marker(const char *t, const struct line *l)
{
	static const char *const prefixes[] = { "# BEGIN eks-hosts ", "# END eks-hosts " };
	size_t i, pl;

	for (i = 0; i < 2; i++) {
		pl = strlen(prefixes[i]);
		if (l->len > pl && memcmp(t + l->start, prefixes[i], pl) == 0)
			return 1;
	}
	return 0;
}

struct block_span {
	size_t first, last;   /* line indexes of BEGIN and END */
};

/*
 * Find every block of the key.  *spans malloc'd (caller frees), *nspans
 * set.  A damaged block (nesting, missing END, stray END) is an error.
 */
static int
find_blocks(const char *t, const struct lines *ls, const char *begin,
    const char *end, struct block_span **spans, size_t *nspans,
    struct ekskit_err *err)
{
	size_t i, n = 0, open_at = 0;
	int open = 0;
	struct block_span *v = NULL, *nv;

	for (i = 0; i < ls->n; i++) {
		if (line_is(t, &ls->v[i], begin)) {
			if (open)
				goto damaged;
			open = 1;
			open_at = i;
		} else if (open && is_marker(t, &ls->v[i]) &&
		    !line_is(t, &ls->v[i], end)) {
			/* another block's marker inside ours: dropping our span
			 * would cut that block in half */
			goto damaged;
		} else if (line_is(t, &ls->v[i], end)) {
			if (!open)
				goto damaged;
			if ((nv = realloc(v, (n + 1) * sizeof(*v))) == NULL) {
				free(v);
				return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
			}
			v = nv;
			v[n].first = open_at;
			v[n].last = i;
			n++;
			open = 0;
		}
	}
	if (open) {
		i = open_at;
		goto damaged;
	}
	*spans = v;
	*nspans = n;
	return EKSKIT_OK;
damaged:
	free(v);
	return ekskit_err_set(err, EKSKIT_ERR_INVALID,
	    "the hosts file has a damaged eks-hosts block at line %zu (a BEGIN "
	    "without its END, the reverse, or two clusters' blocks overlapping): "
	    "fix or delete those marker lines by hand",
	    i + 1);
}

/*
 * The file's line end: CRLF when its first line ends in CRLF.  "\r\r\n" does
 * not count: that is what we write after a last line that ends in a bare CR
 * (see hostsfile_edit), and the style must not change between two runs.
 */
static const char *
detect_eol(const char *t, size_t len)
{
	const char *nl = memchr(t, '\n', len);

	if (nl == NULL || nl == t || nl[-1] != '\r')
		return "\n";
	return (nl - 1 > t && nl[-2] == '\r') ? "\n" : "\r\n";
}

static int
build_markers(struct ekbuf *begin, struct ekbuf *end, const char *region,
    const char *cluster)
{
	ekbuf_init(begin, 512);
	ekbuf_init(end, 512);
	if (ekbuf_printf(begin, "# BEGIN eks-hosts %s/%s", region, cluster) ||
	    ekbuf_printf(end, "# END eks-hosts %s/%s", region, cluster))
		return EKSKIT_ERR_NOMEM;
	return EKSKIT_OK;
}

int
hostsfile_edit(const char *old, size_t old_len, const char *region,
    const char *cluster, const char *host, const char *const *addrs, size_t naddrs,
    char **out, size_t *out_len, int *changed, struct ekskit_err *err)
{
	struct ekbuf begin, end, res;
	struct lines ls = { NULL, 0 };
	struct block_span *spans = NULL;
	size_t nspans = 0, i, pos = 0;
	const char *eol;
	int r, unterminated_tail = 0;

	*out = NULL;
	*out_len = 0;
	*changed = 0;
	if ((r = check_key(region, cluster, err)) != EKSKIT_OK)
		return r;
	if (naddrs > 0 && (r = check_entries(host, addrs, naddrs, err)) != EKSKIT_OK)
		return r;
	ekbuf_init(&res, EKBUF_MAX_FILE);
	if (build_markers(&begin, &end, region, cluster) != EKSKIT_OK ||
	    split_lines(old, old_len, &ls) != EKSKIT_OK) {
		r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((r = find_blocks(old, &ls, begin.data, end.data, &spans, &nspans,
	    err)) != EKSKIT_OK)
		goto out;
	eol = detect_eol(old, old_len);
	r = EKSKIT_ERR_NOMEM;
	if (nspans == 0) {
		if (ekbuf_append(&res, old, old_len) != EKSKIT_OK)
			goto nomem;
		if (naddrs > 0) {
			if (old_len > 0 && old[old_len - 1] != '\n') {
				/* keep "no final newline": the block ends without one */
				unterminated_tail = 1;
				/* a last line ending in a bare CR: a CRLF separator
				 * keeps that CR when the separator is stripped again */
				if (ekbuf_puts(&res, old[old_len - 1] == '\r' ? "\r\n" :
				    eol) != EKSKIT_OK)
					goto nomem;
			}
			if (render(&res, region, cluster, host, addrs, naddrs, eol))
				goto nomem;
		}
	} else {
		for (i = 0; i < nspans; i++) {
			const struct line *b = &ls.v[spans[i].first];
			const struct line *e = &ls.v[spans[i].last];

			if (ekbuf_append(&res, old + pos, b->start - pos) != EKSKIT_OK)
				goto nomem;
			if (i == 0 && naddrs > 0 &&
			    render(&res, region, cluster, host, addrs, naddrs, eol))
				goto nomem;
			pos = e->end;
			if (!line_terminated(e))
				unterminated_tail = 1;
		}
		if (ekbuf_append(&res, old + pos, old_len - pos) != EKSKIT_OK)
			goto nomem;
	}
	if (unterminated_tail && res.len > 0 && res.data[res.len - 1] == '\n') {
		res.len--;
		if (res.len > 0 && res.data[res.len - 1] == '\r')
			res.len--;
		res.data[res.len] = '\0';
	}
	if (res.data == NULL && ekbuf_puts(&res, "") != EKSKIT_OK)
		goto nomem;
	*changed = res.len != old_len || memcmp(res.data, old, old_len) != 0;
	if ((*out = ekbuf_detach(&res, out_len)) == NULL)
		goto nomem;
	r = EKSKIT_OK;
	goto out;
nomem:
	r = ekskit_err_set(err, EKSKIT_ERR_NOMEM,
	    "out of memory (or the hosts file would exceed %u bytes)",
	    (unsigned)EKBUF_MAX_FILE);
out:
	free(spans);
	lines_release(&ls);
	ekbuf_release(&begin);
	ekbuf_release(&end);
	ekbuf_release(&res);
	return r;
}

struct strv {
	char **v;
	size_t n;
};

static int
strv_add_unique(struct strv *s, const char *p, size_t n)
{
	size_t i;
	char **nv;

	for (i = 0; i < s->n; i++) {
		if (strlen(s->v[i]) == n && memcmp(s->v[i], p, n) == 0)
			return EKSKIT_OK;
	}
	if (s->n >= HOSTSFILE_MAX_ADDRS)
		return EKSKIT_OK;
	if ((nv = realloc(s->v, (s->n + 2) * sizeof(*nv))) == NULL)
		return EKSKIT_ERR_NOMEM;
	s->v = nv;
	if ((s->v[s->n] = ek_strndup(p, n)) == NULL)
		return EKSKIT_ERR_NOMEM;
	s->v[++s->n] = NULL;
	return EKSKIT_OK;
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* If the line maps `host`, add its address to s. */
static int
scan_line(const char *t, const struct line *l, const char *host, struct strv *s)
{
	const char *p = t + l->start, *stop = p + l->len, *hash, *f;
	const char *addr = NULL;
	size_t addr_len = 0, hl = strlen(host);

	if ((hash = memchr(p, '#', l->len)) != NULL)
		stop = hash;
	while (p < stop) {
		while (p < stop && is_blank(*p))
			p++;
		if (p >= stop)
			break;
		f = p;
		while (p < stop && !is_blank(*p))
			p++;
		if (addr == NULL) {
			addr = f;
			addr_len = (size_t)(p - f);
		} else if ((size_t)(p - f) == hl && strncasecmp(f, host, hl) == 0) {
			char tmp[INET6_ADDRSTRLEN + 1];

			if (addr_len >= sizeof(tmp))
				return EKSKIT_OK;
			memcpy(tmp, addr, addr_len);
			tmp[addr_len] = '\0';
			if (!valid_address(tmp))
				return EKSKIT_OK;
			return strv_add_unique(s, addr, addr_len);
		}
	}
	return EKSKIT_OK;
}

static int
finish_strv(struct strv *s, char ***out, struct ekskit_err *err)
{
	if (s->v == NULL && (s->v = calloc(1, sizeof(char *))) == NULL)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	*out = s->v;
	return EKSKIT_OK;
}

int
hostsfile_lookup(const char *text, size_t len, const char *host,
    char ***addrs_out, struct ekskit_err *err)
{
	struct lines ls;
	struct strv s = { NULL, 0 };
	size_t i;

	*addrs_out = NULL;
	if (split_lines(text, len, &ls) != EKSKIT_OK)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	for (i = 0; i < ls.n; i++) {
		if (scan_line(text, &ls.v[i], host, &s) != EKSKIT_OK) {
			lines_release(&ls);
			ek_strv_free(s.v);
			return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
		}
	}
	lines_release(&ls);
	return finish_strv(&s, addrs_out, err);
}

int
hostsfile_block_addrs(const char *text, size_t len, const char *region,
    const char *cluster, const char *host, char ***addrs_out, int *found,
    struct ekskit_err *err)
{
	struct ekbuf begin, end;
	struct lines ls = { NULL, 0 };
	struct block_span *spans = NULL;
	struct strv s = { NULL, 0 };
	size_t nspans = 0, i, j;
	int r;

	*addrs_out = NULL;
	*found = 0;
	if ((r = check_key(region, cluster, err)) != EKSKIT_OK)
		return r;
	if (build_markers(&begin, &end, region, cluster) != EKSKIT_OK ||
	    split_lines(text, len, &ls) != EKSKIT_OK) {
		r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((r = find_blocks(text, &ls, begin.data, end.data, &spans, &nspans,
	    err)) != EKSKIT_OK)
		goto out;
	*found = nspans > 0;
	for (i = 0; i < nspans; i++) {
		for (j = spans[i].first + 1; j < spans[i].last; j++) {
			if (scan_line(text, &ls.v[j], host, &s) != EKSKIT_OK) {
				r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
				goto out;
			}
		}
	}
	r = finish_strv(&s, addrs_out, err);
	s.v = NULL;
out:
	ek_strv_free(s.v);
	free(spans);
	lines_release(&ls);
	ekbuf_release(&begin);
	ekbuf_release(&end);
	return r;
}

int
hostsfile_list_clusters(const char *text, size_t len, const char *region,
    char ***clusters_out, struct ekskit_err *err)
{
	struct ekbuf prefix;
	struct lines ls;
	struct strv s = { NULL, 0 };
	size_t i, pl;
	int r = EKSKIT_OK;

	*clusters_out = NULL;
	if (!valid_key_part(region))
		return ekskit_err_set(err, EKSKIT_ERR_INVALID, "invalid region name");
	ekbuf_init(&prefix, 512);
	if (ekbuf_printf(&prefix, "# BEGIN eks-hosts %s/", region) != EKSKIT_OK ||
	    split_lines(text, len, &ls) != EKSKIT_OK) {
		ekbuf_release(&prefix);
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	}
	pl = prefix.len;
	for (i = 0; r == EKSKIT_OK && i < ls.n; i++) {
		const struct line *l = &ls.v[i];
		size_t n = l->len;

		while (n > pl && is_blank(text[l->start + n - 1]))
			n--;
		if (n <= pl || memcmp(text + l->start, prefix.data, pl) != 0)
			continue;
		if (strv_add_unique(&s, text + l->start + pl, n - pl) != EKSKIT_OK)
			r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
		else if (!valid_key_part(s.v[s.n - 1])) {
			free(s.v[--s.n]);
			s.v[s.n] = NULL;
		}
	}
	lines_release(&ls);
	ekbuf_release(&prefix);
	if (r != EKSKIT_OK) {
		ek_strv_free(s.v);
		return r;
	}
	return finish_strv(&s, clusters_out, err);
}

/* ---- every block ---- */

void
hostsfile_blocks_free(struct hostsfile_block *b, size_t n)
{
	size_t i;

	for (i = 0; b != NULL && i < n; i++) {
		free(b[i].region);
		free(b[i].cluster);
		free(b[i].host);
		ek_strv_free(b[i].addrs);
	}
	free(b);
}

/* "region/cluster" after a marker prefix, both plain names: into *region, *cluster. */
static int
marker_key(const char *t, const struct line *l, char **region, char **cluster)
{
	static const char *const prefixes[] = { "# BEGIN eks-hosts ", "# END eks-hosts " };
	const char *p = NULL, *slash;
	size_t i, n = l->len;

	*region = *cluster = NULL;
	while (n > 0 && is_blank(t[l->start + n - 1]))
		n--;
	for (i = 0; i < 2 && p == NULL; i++) {
		size_t pl = strlen(prefixes[i]);
		if (n > pl && memcmp(t + l->start, prefixes[i], pl) == 0)
			p = t + l->start + pl;
	}
	if (p == NULL || (slash = memchr(p, '/', n - (size_t)(p - t - l->start))) == NULL)
		return 0;
	*region = ek_strndup(p, (size_t)(slash - p));
	*cluster = ek_strndup(slash + 1, n - (size_t)(slash + 1 - t - l->start));
	if (*region == NULL || *cluster == NULL || !valid_key_part(*region) ||
	    !valid_key_part(*cluster)) {
		free(*region);
		free(*cluster);
		*region = *cluster = NULL;
		return 0;
	}
	return 1;
}

/* The first two fields of a line inside a block: an address and a name. */
static void
block_line(const char *t, const struct line *l, struct strv *addrs, char **host,
    int *nomem)
{
	const char *p = t + l->start, *stop = p + l->len, *f[2];
	size_t flen[2], k = 0;
	char tmp[MAX_FIELD + 1];

	if (memchr(p, '#', l->len) != NULL)
		stop = memchr(p, '#', l->len);
	while (p < stop && k < 2) {
		while (p < stop && is_blank(*p))
			p++;
		if (p >= stop)
			break;
		f[k] = p;
		while (p < stop && !is_blank(*p))
			p++;
		flen[k] = (size_t)(p - f[k]);
		k++;
	}
	if (k < 2 || flen[0] > MAX_FIELD || flen[1] > MAX_FIELD)
		return;
	memcpy(tmp, f[0], flen[0]);
	tmp[flen[0]] = '\0';
	if (!valid_address(tmp))
		return;
	if (strv_add_unique(addrs, f[0], flen[0]) != EKSKIT_OK)
		*nomem = 1;
	memcpy(tmp, f[1], flen[1]);
	tmp[flen[1]] = '\0';
	if (*host == NULL && hostsfile_valid_hostname(tmp) && (*host = strdup(tmp)) == NULL)
		*nomem = 1;
}

/* Fill b from the spans of its key. */
static int
collect_block(const char *t, const struct lines *ls, const struct block_span *sp,
    size_t nsp, struct hostsfile_block *b, struct ekskit_err *err)
{
	struct strv a = { NULL, 0 };
	size_t i, j;
	int nomem = 0;

	for (i = 0; i < nsp; i++)
		for (j = sp[i].first + 1; j < sp[i].last; j++)
			block_line(t, &ls->v[j], &a, &b->host, &nomem);
	if (nomem) {
		ek_strv_free(a.v);
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	}
	return finish_strv(&a, &b->addrs, err);
}

static int
has_block(const struct hostsfile_block *v, size_t n, const char *region,
    const char *cluster)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i].region, region) == 0 && strcmp(v[i].cluster, cluster) == 0)
			return 1;
	return 0;
}

/* One key seen on a marker line: checked (find_blocks) and added once. */
static int
add_key(const char *t, const struct lines *ls, char *region, char *cluster,
    struct hostsfile_block **v, size_t *n, struct ekskit_err *err)
{
	struct ekbuf begin, end;
	struct block_span *sp = NULL;
	struct hostsfile_block *nv;
	size_t nsp = 0;
	int r;

	if (has_block(*v, *n, region, cluster)) {
		free(region);
		free(cluster);
		return EKSKIT_OK;
	}
	if (build_markers(&begin, &end, region, cluster) != EKSKIT_OK)
		r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	else
		r = find_blocks(t, ls, begin.data, end.data, &sp, &nsp, err);
	ekbuf_release(&begin);
	ekbuf_release(&end);
	if (r == EKSKIT_OK && (nv = realloc(*v, (*n + 1) * sizeof(*nv))) == NULL)
		r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	if (r != EKSKIT_OK) {
		free(sp);
		free(region);
		free(cluster);
		return r;
	}
	*v = nv;
	memset(&nv[*n], 0, sizeof(nv[*n]));
	nv[*n].region = region;
	nv[*n].cluster = cluster;
	(*n)++;
	r = collect_block(t, ls, sp, nsp, &nv[*n - 1], err);
	free(sp);
	return r;
}

int
hostsfile_list_blocks(const char *text, size_t len, struct hostsfile_block **out,
    size_t *n_out, struct ekskit_err *err)
{
	struct hostsfile_block *v = NULL;
	struct lines ls;
	size_t i, n = 0;
	int r = EKSKIT_OK;

	*out = NULL;
	*n_out = 0;
	if (split_lines(text, len, &ls) != EKSKIT_OK)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	for (i = 0; r == EKSKIT_OK && i < ls.n; i++) {
		char *region, *cluster;

		if (is_marker(text, &ls.v[i]) &&
		    marker_key(text, &ls.v[i], &region, &cluster))
			r = add_key(text, &ls, region, cluster, &v, &n, err);
	}
	lines_release(&ls);
	if (r != EKSKIT_OK) {
		hostsfile_blocks_free(v, n);
		return r;
	}
	*out = v;
	*n_out = n;
	return EKSKIT_OK;
}

int
hostsfile_strip_blocks(const char *text, size_t len, char **out, size_t *out_len,
    struct ekskit_err *err)
{
	struct hostsfile_block *b = NULL;
	char *cur, *next;
	size_t n = 0, i, cur_len = len, next_len;
	int r, changed;

	*out = NULL;
	*out_len = 0;
	if ((r = hostsfile_list_blocks(text, len, &b, &n, err)) != EKSKIT_OK)
		return r;
	if ((cur = malloc(len + 1)) == NULL) {
		hostsfile_blocks_free(b, n);
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	}
	memcpy(cur, text, len);
	cur[len] = '\0';
	for (i = 0; i < n; i++) {
		r = hostsfile_edit(cur, cur_len, b[i].region, b[i].cluster, NULL, NULL, 0,
		    &next, &next_len, &changed, err);
		free(cur);
		if (r != EKSKIT_OK) {
			hostsfile_blocks_free(b, n);
			return r;
		}
		cur = next;
		cur_len = next_len;
	}
	hostsfile_blocks_free(b, n);
	*out = cur;
	*out_len = cur_len;
	return EKSKIT_OK;
}

/* ---- the file ---- */

/*
 * Exclusive flock on the sidecar lock file.  The lock file is left in
 * place (unlinking a flock file races with the next locker); the kernel
 * drops the lock when the process dies, so a killed run never leaves a
 * stale lock behind.  Returns the fd (>= 0) or a negative status.
 */
static int
lock_sidecar(const char *target, long timeout_ms, struct ekskit_err *err)
{
	struct ekbuf name;
	long waited = 0;
	int fd, r;

	ekbuf_init(&name, 4096);
	if (ekbuf_printf(&name, "%s%s", target, HOSTSFILE_LOCK_SUFFIX) != EKSKIT_OK)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "path too long: %s", target);
	fd = open(name.data, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd == -1) {
		int e = errno;

		if ((e == EACCES || e == EPERM) && geteuid() != 0)
			r = ekskit_err_set(err, EKSKIT_ERR_PERM,
			    "cannot create the lock file %s: %s (editing %s needs "
			    "root: try again with sudo)", name.data, strerror(e), target);
		else
			r = ekskit_err_set(err, EKSKIT_ERR_IO,
			    "cannot create the lock file %s: %s", name.data, strerror(e));
		ekbuf_release(&name);
		return r;
	}
	while (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if ((errno != EWOULDBLOCK && errno != EINTR) || waited >= timeout_ms) {
			close(fd);
			r = ekskit_err_set(err, EKSKIT_ERR_BUSY,
			    "another eks-hosts run holds %s; gave up after %ld ms",
			    name.data, waited);
			ekbuf_release(&name);
			return r;
		}
		timeutil_sleep_ms(LOCK_POLL_MS);
		waited += LOCK_POLL_MS;
	}
	ekbuf_release(&name);
	return fd;
}

/* The file or its file system refuses all writes (NixOS store, ro mounts, 0444). */
static int
file_is_read_only(const char *target, const struct stat *st, int exists)
{
	struct statvfs vfs;

	if (exists && (st->st_mode & 0222) == 0)
		return 1;
	if (exists && access(target, W_OK) == -1 && errno == EROFS)
		return 1;
	return statvfs(target, &vfs) == 0 && (vfs.f_flag & ST_RDONLY);
}

static int
test_hook(const char *name)
{
	const char *guard = getenv("EKSKIT_TEST_LOOPBACK_ONLY");
	const char *v = getenv(name);

	return guard != NULL && strcmp(guard, "1") == 0 && v != NULL &&
	    strcmp(v, "1") == 0;
}

static int
write_target(const struct hostsfile_update *u, struct hostsfile_result *res,
    int exists,
    const char *data, size_t len, struct ekskit_err *err)
{
	struct ek_write_opts wo = { 0644, 1, NULL };
	struct ekbuf bk;
	int r;

	(void)u;
	ekbuf_init(&bk, 4096);
	if (ekbuf_printf(&bk, "%s%s", res->target, HOSTSFILE_BACKUP_SUFFIX))
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "path too long");
	wo.backup_path = exists ? bk.data : NULL;
	if (test_hook("EKSKIT_TEST_HOSTS_FAIL_RENAME"))
		r = ekskit_err_set(err, EKSKIT_ERR_BUSY, "rename: injected EBUSY");
	else
		r = ek_write_atomic(res->target, data, len, &wo, err);
	if (r == EKSKIT_ERR_BUSY && exists) {
		ekskit_err_clear(err);
		/* rename cannot replace a bind-mounted file: backup, then in place */
		r = ek_rewrite_in_place(res->target, data, len, bk.data, err);
		res->in_place = r == EKSKIT_OK;
	}
	if (r == EKSKIT_OK) {
		res->written = 1;
		if (exists)
			res->backup_path = ekbuf_detach(&bk, NULL);
	}
	ekbuf_release(&bk);
	return r;
}

static int
read_target(const char *target, struct ekbuf *text, struct stat *st,
    int *exists, struct ekskit_err *err)
{
	int r;

	ekbuf_reset(text);
	*exists = stat(target, st) == 0;
	if (*exists && !S_ISREG(st->st_mode))
		return ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "%s is not a regular file", target);
	r = ek_read_file(target, text, err);
	if (r == EKSKIT_ERR_NOT_FOUND) {
		ekskit_err_clear(err);
		*exists = 0;
		r = EKSKIT_OK;
	}
	if (r == EKSKIT_OK && text->data == NULL)
		r = ekbuf_puts(text, "") ? ekskit_err_set(err, EKSKIT_ERR_NOMEM,
		    "out of memory") : EKSKIT_OK;
	return r;
}

void
hostsfile_result_release(struct hostsfile_result *res)
{
	if (res == NULL)
		return;
	free(res->diff);
	free(res->block);
	free(res->backup_path);
	free(res->target);
	memset(res, 0, sizeof(*res));
}

/* res->diff: old -> new, labelled with the target. */
static int
fill_diff(struct hostsfile_result *res, const struct ekbuf *old, const char *data,
    size_t len, struct ekskit_err *err)
{
	struct ekbuf d;

	ekbuf_init(&d, 0);
	free(res->diff);
	res->diff = NULL;
	if (ek_unified_diff(old->data, old->len, data, len, res->target,
	    res->target, &d) != EKSKIT_OK ||
	    ekbuf_puts(&d, "") != EKSKIT_OK ||
	    (res->diff = ekbuf_detach(&d, NULL)) == NULL) {
		ekbuf_release(&d);
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	}
	return EKSKIT_OK;
}

/* The new text from the current one: an edit, or the backup (restore). */
typedef int (*compute_fn)(const struct hostsfile_update *u,
    const struct ekbuf *text, char **out, size_t *out_len,
    struct hostsfile_result *res, struct ekskit_err *err);

static int
compute_edit(const struct hostsfile_update *u, const struct ekbuf *text,
    char **out, size_t *out_len, struct hostsfile_result *res,
    struct ekskit_err *err)
{
	int changed;

	(void)res;
	return hostsfile_edit(text->data, text->len, u->region, u->cluster, u->host,
	    u->addrs, u->remove ? 0 : u->naddrs, out, out_len, &changed, err);
}

static int
compute(const struct hostsfile_update *u, compute_fn fn, const struct ekbuf *text,
    char **out, size_t *out_len, int *changed, struct hostsfile_result *res,
    struct ekskit_err *err)
{
	int r;

	if ((r = fn(u, text, out, out_len, res, err)) != EKSKIT_OK ||
	    (r = fill_diff(res, text, *out, *out_len, err)) != EKSKIT_OK)
		return r;
	*changed = *out_len != text->len || memcmp(*out, text->data, text->len) != 0;
	res->changed = *changed;
	return EKSKIT_OK;
}

/*
 * The write path shared by edits and restores: a first look without the
 * lock (dry runs, no-ops and read-only files never need it, and work
 * without root), then lock, read again, compute again, write.
 */
static int
update_with(const struct hostsfile_update *u, compute_fn fn,
    struct hostsfile_result *res, struct ekskit_err *err)
{
	struct ekbuf text;
	struct stat st;
	char *newtext = NULL;
	size_t newlen = 0;
	int r, exists = 0, changed = 0, lockfd = -1;

	if ((r = ek_resolve_link_checked(u->path, 0, &res->target, err)) != EKSKIT_OK)
		return r;
	ekbuf_init(&text, EKBUF_MAX_FILE);
	if ((r = read_target(res->target, &text, &st, &exists, err)) != EKSKIT_OK ||
	    (r = compute(u, fn, &text, &newtext, &newlen, &changed, res, err)) != EKSKIT_OK)
		goto out;
	if (u->dry_run || !changed)
		goto out;
	if (file_is_read_only(res->target, &st, exists)) {
		res->read_only = 1;
		goto out;
	}
	if (exists && geteuid() != 0 && access(res->target, W_OK) == -1) {
		r = ekskit_err_set(err, EKSKIT_ERR_PERM,
		    "%s is not writable by this user: try again with sudo "
		    "(nothing was changed)", res->target);
		goto out;
	}
	lockfd = lock_sidecar(res->target, u->lock_timeout_ms > 0 ?
	    u->lock_timeout_ms : DEFAULT_LOCK_TIMEOUT_MS, err);
	if (lockfd < 0) {
		r = lockfd;
		goto out;
	}
	/* Under the lock: read again, another run may have written meanwhile. */
	free(newtext);
	newtext = NULL;
	if ((r = read_target(res->target, &text, &st, &exists, err)) != EKSKIT_OK ||
	    (r = compute(u, fn, &text, &newtext, &newlen, &changed, res, err)) != EKSKIT_OK)
		goto out;
	if (changed)
		r = write_target(u, res, exists, newtext, newlen, err);
out:
	if (lockfd >= 0)
		close(lockfd);
	free(newtext);
	ekbuf_release(&text);
	return r;
}

int
hostsfile_update(const struct hostsfile_update *u,
    struct hostsfile_result *res, struct ekskit_err *err)
{
	int r;

	memset(res, 0, sizeof(*res));
	if (!u->remove && u->naddrs == 0)
		return ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "no addresses to write: nothing was changed");
	if (!u->remove && (r = hostsfile_render_block(u->region, u->cluster,
	    u->host, u->addrs, u->naddrs, &res->block, err)) != EKSKIT_OK)
		return r;
	return update_with(u, compute_edit, res, err);
}

/* ---- --restore ---- */

/*
 * The backup, if it is one we could have made: a regular file (not a
 * symlink), owned by the hosts file's owner or by us, not writable by
 * group or others.
 */
static int
backup_trusted(const char *backup, const char *target, struct ekskit_err *err)
{
	struct stat bs, ts;

	if (lstat(backup, &bs) == -1) {
		if (errno == ENOENT)
			return ekskit_err_set(err, EKSKIT_ERR_NOT_FOUND,
			    "there is no backup to restore (%s): eks-hosts keeps one "
			    "only after it has changed %s", backup, target);
		return ekskit_err_set(err, EKSKIT_ERR_IO, "%s: %s", backup, strerror(errno));
	}
	if (!S_ISREG(bs.st_mode) ||
	    (stat(target, &ts) == 0 && bs.st_uid != ts.st_uid && bs.st_uid != geteuid()) ||
	    (bs.st_mode & 022) != 0)
		return ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "%s is not a backup eks-hosts made (not a regular file, another "
		    "owner, or writable by others): refusing to restore it", backup);
	return EKSKIT_OK;
}

/* The backup's text: no NUL byte, eks-hosts blocks intact. */
static int
backup_read(const char *backup, struct ekbuf *b, struct ekskit_err *err)
{
	struct hostsfile_block *blocks = NULL;
	size_t n = 0;
	int r;

	ekbuf_reset(b);
	if ((r = ek_read_file(backup, b, err)) != EKSKIT_OK)
		return ekskit_err_prefix(err, "the backup");
	if (b->data == NULL && ekbuf_puts(b, "") != EKSKIT_OK)
		return ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	if (memchr(b->data, '\0', b->len) != NULL)
		return ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "the backup %s is corrupt (it holds NUL bytes): refusing to "
		    "restore it", backup);
	if ((r = hostsfile_list_blocks(b->data, b->len, &blocks, &n, err)) != EKSKIT_OK)
		return ekskit_err_prefix(err, "the backup %s is corrupt, refusing to "
		    "restore it", backup);
	hostsfile_blocks_free(blocks, n);
	return EKSKIT_OK;
}

/*
 * eks-hosts only ever changes its own blocks, so a backup it made equals
 * the current file once every eks-hosts block is taken out of both.
 * Anything else is another file, or a file edited by hand since (which
 * restoring would silently undo).
 */
static int
backup_is_ours(const char *backup, const struct ekbuf *cur, const struct ekbuf *bak,
    struct ekskit_err *err)
{
	char *a = NULL, *b = NULL;
	size_t alen = 0, blen = 0;
	int r, same;

	if ((r = hostsfile_strip_blocks(cur->data, cur->len, &a, &alen, err)) != EKSKIT_OK)
		return r;
	if ((r = hostsfile_strip_blocks(bak->data, bak->len, &b, &blen, err)) != EKSKIT_OK) {
		free(a);
		return r;
	}
	same = alen == blen && memcmp(a, b, alen) == 0;
	free(a);
	free(b);
	if (!same)
		return ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "%s differs from the hosts file outside the eks-hosts blocks: "
		    "it is not a backup eks-hosts made of this file, or the file "
		    "was edited since; refusing to restore it (fix the file by "
		    "hand, or use --remove)", backup);
	return EKSKIT_OK;
}

static int
compute_restore(const struct hostsfile_update *u, const struct ekbuf *text,
    char **out, size_t *out_len, struct hostsfile_result *res,
    struct ekskit_err *err)
{
	struct ekbuf backup, bak;
	int r;

	(void)u;
	ekbuf_init(&backup, 4096);
	ekbuf_init(&bak, EKBUF_MAX_FILE);
	if (ekbuf_printf(&backup, "%s%s", res->target, HOSTSFILE_BACKUP_SUFFIX) != EKSKIT_OK)
		r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "path too long");
	else if ((r = backup_trusted(backup.data, res->target, err)) == EKSKIT_OK &&
	    (r = backup_read(backup.data, &bak, err)) == EKSKIT_OK &&
	    (r = backup_is_ours(backup.data, text, &bak, err)) == EKSKIT_OK &&
	    (*out = ekbuf_detach(&bak, out_len)) == NULL)
		r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "out of memory");
	ekbuf_release(&bak);
	ekbuf_release(&backup);
	return r;
}

int
hostsfile_restore(const struct hostsfile_update *u, struct hostsfile_result *res,
    struct ekskit_err *err)
{
	memset(res, 0, sizeof(*res));
	return update_with(u, compute_restore, res, err);
}
