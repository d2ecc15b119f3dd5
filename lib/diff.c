/* Unified diffs for --dry-run: see include/ekskit/diff.h. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "ekskit/diff.h"
#include "ekskit/error.h"

#define DIFF_CONTEXT 3
/* Past this many inserted and deleted lines, the middle is one change. */
#define DIFF_MAX_EDITS 1000

/* A line: text[0..len) without its '\n'; terminated when it had one. */
struct dline {
	const char *text;
	size_t len;
	int terminated;
};

/* The lines of t[0..n): *out malloc'd (caller frees), *count of them. */
static int
split_lines(const char *t, size_t n, struct dline **out, size_t *count)
{
	struct dline *v = NULL, *nv;
	size_t i = 0, cap = 0, k = 0;

	while (i < n) {
		const char *nl = memchr(t + i, '\n', n - i);
		size_t stop = nl ? (size_t)(nl - t) : n;

		if (k == cap) {
			cap = cap ? cap * 2 : 64;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL) {
				free(v);
				return EKSKIT_ERR_NOMEM;
			}
			v = nv;
		}
		v[k].text = t + i;
		v[k].len = stop - i;
		v[k++].terminated = nl != NULL;
		i = nl ? stop + 1 : n;
	}
	*out = v;
	*count = k;
	return EKSKIT_OK;
}

static int
same_line(const struct dline *x, const struct dline *y)
{
	return x->len == y->len && x->terminated == y->terminated &&
	    memcmp(x->text, y->text, x->len) == 0;
}

/* tag, the line with control characters shown as '?', newline. */
static int
put_line(struct ekbuf *out, char tag, const struct dline *l)
{
	size_t n = l->len, i;
	int r;

	if (l->terminated && n > 0 && l->text[n - 1] == '\r')
		n--;
	r = ekbuf_putc(out, tag);
	for (i = 0; i < n && r == EKSKIT_OK; i++) {
		unsigned char c = (unsigned char)l->text[i];
		r = ekbuf_putc(out, (c < 0x20 && c != '\t') || c == 0x7f ? '?' : (char)c);
	}
	if (r == EKSKIT_OK)
		r = ekbuf_putc(out, '\n');
	if (r == EKSKIT_OK && !l->terminated)
		r = ekbuf_puts(out, "\\ No newline at end of file\n");
	return r;
}

/* "start,count" as unified diffs write it (start 0 for an empty range at the top). */
static int
hunk_range(struct ekbuf *out, size_t first, size_t count)
{
	if (count == 0)
		return ekbuf_printf(out, "%zu,0", first);
	if (count == 1)
		return ekbuf_printf(out, "%zu", first + 1);
	return ekbuf_printf(out, "%zu,%zu", first + 1, count);
}

static int
put_lines(struct ekbuf *out, char tag, const struct dline *v, size_t from, size_t to)
{
	int r = EKSKIT_OK;

	for (; from < to && r == EKSKIT_OK; from++)
		r = put_line(out, tag, &v[from]);
	return r;
}

/*
 * Mark in ma[] and mb[] the lines of a[0..n) and b[0..m) that a shortest
 * edit script keeps (Myers' O(ND) algorithm, with the furthest-reaching
 * x of each diagonal kept per step for the walk back).  0 when found within
 * DIFF_MAX_EDITS edits; 1 when the texts differ more (nothing marked);
 * EKSKIT_ERR_NOMEM.
 */
static int
match_lines(const struct dline *a, int n, const struct dline *b, int m,
    char *ma, char *mb)
{
	int max = n + m, dmax = max < DIFF_MAX_EDITS ? max : DIFF_MAX_EDITS;
	int off = max + 1, found = -1, d, k, x, y, *v, **trace;
	int r = EKSKIT_OK;

	v = calloc(2 * (size_t)max + 3, sizeof(*v));
	trace = calloc((size_t)dmax + 1, sizeof(*trace));
	if (v == NULL || trace == NULL) {
		r = EKSKIT_ERR_NOMEM;
		goto out;
	}
	for (d = 0; d <= dmax && found < 0; d++) {
		/* v[-d-1 .. d+1] as step d finds it: what the walk back reads */
		if ((trace[d] = malloc((2 * (size_t)d + 3) * sizeof(int))) == NULL) {
			r = EKSKIT_ERR_NOMEM;
			goto out;
		}
		memcpy(trace[d], v + off - d - 1, (2 * (size_t)d + 3) * sizeof(int));
		for (k = -d; k <= d && found < 0; k += 2) {
			x = k == -d || (k != d && v[off + k - 1] < v[off + k + 1]) ?
			    v[off + k + 1] : v[off + k - 1] + 1;
			for (y = x - k; x < n && y < m && same_line(&a[x], &b[y]); y++)
				x++;
			v[off + k] = x;
			if (x >= n && y >= m)
				found = d;
		}
	}
	if (found < 0) {
		r = 1;
		goto out;
	}
	for (x = n, y = m, d = found; d >= 0; d--) {
		const int *t = trace[d] + d + 1;        /* t[k], k in [-d-1, d+1] */
		int pk, px;

		k = x - y;
		pk = k == -d || (k != d && t[k - 1] < t[k + 1]) ? k + 1 : k - 1;
		px = t[pk];
		for (; x > px && y > px - pk; x--, y--)
			ma[x - 1] = mb[y - 1] = 1;
		x = px;
		y = px - pk;
	}
out:
	for (d = 0; trace != NULL && d <= dmax && trace[d] != NULL; d++)
		free(trace[d]);
	free(trace);
	free(v);
	return r;
}

/* A run of changed lines: a[a0..a1) become b[b0..b1). */
struct region {
	size_t a0, a1, b0, b1;
};

/* The changed runs, walking the kept lines of both sides in step. */
static int
find_regions(size_t na, size_t nb, const char *ma, const char *mb,
    struct region **out, size_t *count)
{
	struct region *v = NULL, *nv;
	size_t i = 0, j = 0, k = 0, cap = 0;

	while (i < na || j < nb) {
		struct region g = { i, i, j, j };

		if (i < na && j < nb && ma[i] && mb[j]) {
			i++;
			j++;
			continue;
		}
		while (i < na && !ma[i])
			i++;
		while (j < nb && !mb[j])
			j++;
		g.a1 = i;
		g.b1 = j;
		if (k == cap) {
			cap = cap ? cap * 2 : 16;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL) {
				free(v);
				return EKSKIT_ERR_NOMEM;
			}
			v = nv;
		}
		v[k++] = g;
	}
	*out = v;
	*count = k;
	return EKSKIT_OK;
}

/* One hunk: regions g[0..n), close enough to share their context. */
static int
put_hunk(struct ekbuf *out, const struct dline *la, size_t na,
    const struct dline *lb, const struct region *g, size_t n)
{
	size_t a_lo = g[0].a0 > DIFF_CONTEXT ? g[0].a0 - DIFF_CONTEXT : 0;
	size_t b_lo = g[0].b0 - (g[0].a0 - a_lo);
	size_t a_hi = g[n - 1].a1 + DIFF_CONTEXT < na ? g[n - 1].a1 + DIFF_CONTEXT : na;
	size_t b_hi = g[n - 1].b1 + (a_hi - g[n - 1].a1), at = a_lo, q;
	int r;

	if ((r = ekbuf_puts(out, "@@ -")) || (r = hunk_range(out, a_lo, a_hi - a_lo)) ||
	    (r = ekbuf_puts(out, " +")) || (r = hunk_range(out, b_lo, b_hi - b_lo)) ||
	    (r = ekbuf_puts(out, " @@\n")))
		return r;
	for (q = 0; q < n && r == EKSKIT_OK; q++) {
		if ((r = put_lines(out, ' ', la, at, g[q].a0)) == EKSKIT_OK &&
		    (r = put_lines(out, '-', la, g[q].a0, g[q].a1)) == EKSKIT_OK)
			r = put_lines(out, '+', lb, g[q].b0, g[q].b1);
		at = g[q].a1;
	}
	return r == EKSKIT_OK ? put_lines(out, ' ', la, at, a_hi) : r;
}

/* Lines of both sides kept by the diff: the common prefix and suffix, and
 * what match_lines finds between them (nothing when they differ too much). */
static int
mark_kept(const struct dline *la, size_t na, const struct dline *lb, size_t nb,
    char *ma, char *mb)
{
	size_t pre = 0, suf = 0;
	int r;

	while (pre < na && pre < nb && same_line(&la[pre], &lb[pre]))
		pre++;
	while (suf < na - pre && suf < nb - pre &&
	    same_line(&la[na - 1 - suf], &lb[nb - 1 - suf]))
		suf++;
	memset(ma, 1, pre);
	memset(mb, 1, pre);
	memset(ma + na - suf, 1, suf);
	memset(mb + nb - suf, 1, suf);
	if (na + nb - 2 * (pre + suf) >= INT_MAX / 2)
		return EKSKIT_OK;       /* far too large to match: one change */
	r = match_lines(la + pre, (int)(na - pre - suf), lb + pre, (int)(nb - pre - suf),
	    ma + pre, mb + pre);
	return r == 1 ? EKSKIT_OK : r;
}

int
ek_unified_diff(const char *a, size_t alen, const char *b, size_t blen,
    const char *label_a, const char *label_b, struct ekbuf *out)
{
	struct dline *la = NULL, *lb = NULL;
	struct region *g = NULL;
	char *ma = NULL, *mb = NULL;
	size_t na = 0, nb = 0, ng = 0, i, j;
	int r;

	if (alen == blen && memcmp(a, b, alen) == 0)
		return EKSKIT_OK;
	if ((r = split_lines(a, alen, &la, &na)) != EKSKIT_OK ||
	    (r = split_lines(b, blen, &lb, &nb)) != EKSKIT_OK)
		goto out;
	ma = calloc(na + 1, 1);
	mb = calloc(nb + 1, 1);
	if (ma == NULL || mb == NULL) {
		r = EKSKIT_ERR_NOMEM;
		goto out;
	}
	if ((r = mark_kept(la, na, lb, nb, ma, mb)) != EKSKIT_OK ||
	    (r = find_regions(na, nb, ma, mb, &g, &ng)) != EKSKIT_OK ||
	    (r = ekbuf_printf(out, "--- %s\n+++ %s\n", label_a, label_b)) != EKSKIT_OK)
		goto out;
	/* regions closer than twice the context share one hunk */
	for (i = 0; i < ng && r == EKSKIT_OK; i = j) {
		for (j = i + 1; j < ng && g[j].a0 - g[j - 1].a1 <= 2 * DIFF_CONTEXT; j++)
			;
		r = put_hunk(out, la, na, lb, g + i, j - i);
	}
out:
	free(g);
	free(ma);
	free(mb);
	free(la);
	free(lb);
	return r;
}
