/* Unified diffs for --dry-run: see include/ekskit/diff.h. */
#include <stdlib.h>
#include <string.h>

#include "ekskit/diff.h"
#include "ekskit/error.h"

#define DIFF_CONTEXT 3

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

int
ek_unified_diff(const char *a, size_t alen, const char *b, size_t blen,
    const char *label_a, const char *label_b, struct ekbuf *out)
{
	struct dline *la = NULL, *lb = NULL;
	size_t na = 0, nb = 0, pre = 0, suf = 0, lo, a_hi, b_hi;
	int r;

	if (alen == blen && memcmp(a, b, alen) == 0)
		return EKSKIT_OK;
	if ((r = split_lines(a, alen, &la, &na)) != EKSKIT_OK ||
	    (r = split_lines(b, blen, &lb, &nb)) != EKSKIT_OK)
		goto out;
	while (pre < na && pre < nb && same_line(&la[pre], &lb[pre]))
		pre++;
	while (suf < na - pre && suf < nb - pre &&
	    same_line(&la[na - 1 - suf], &lb[nb - 1 - suf]))
		suf++;
	lo = pre > DIFF_CONTEXT ? pre - DIFF_CONTEXT : 0;
	a_hi = na - suf + (suf > DIFF_CONTEXT ? DIFF_CONTEXT : suf);
	b_hi = nb - suf + (suf > DIFF_CONTEXT ? DIFF_CONTEXT : suf);
	if ((r = ekbuf_printf(out, "--- %s\n+++ %s\n@@ -", label_a, label_b)) ||
	    (r = hunk_range(out, lo, a_hi - lo)) || (r = ekbuf_puts(out, " +")) ||
	    (r = hunk_range(out, lo, b_hi - lo)) || (r = ekbuf_puts(out, " @@\n")))
		goto out;
	if ((r = put_lines(out, ' ', la, lo, pre)) == EKSKIT_OK &&
	    (r = put_lines(out, '-', la, pre, na - suf)) == EKSKIT_OK &&
	    (r = put_lines(out, '+', lb, pre, nb - suf)) == EKSKIT_OK)
		r = put_lines(out, ' ', la, na - suf, a_hi);
out:
	free(la);
	free(lb);
	return r;
}
