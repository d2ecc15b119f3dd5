/* Control characters never reach the terminal: see include/ekskit/termsafe.h. */
#include <stdarg.h>
#include <stdio.h>

#include "ekskit/error.h"
#include "ekskit/termsafe.h"

static int
put_hex(struct ekbuf *out, unsigned char c)
{
	return ekbuf_printf(out, "\\x%02x", c);
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when invalid. */
static size_t
utf8_len(const unsigned char *s, size_t n, unsigned long *cp)
{
	size_t len, i;
	unsigned long v;

	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	len = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
	if (len > n)
		return 0;
	v = s[0] & (0x3f >> (len - 1));
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates and values past U+10FFFF */
	if ((len == 3 && v < 0x800) || (len == 4 && (v < 0x10000 || v > 0x10ffff)) ||
	    (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return len;
}

int
term_escape(struct ekbuf *out, const char *s, size_t n, unsigned flags)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, len, k;
	unsigned long cp;
	int r = EKSKIT_OK;

	while (i < n && r == EKSKIT_OK) {
		unsigned char c = p[i];

		if (c >= 0x80) {
			len = utf8_len(p + i, n - i, &cp);
			if (len == 0) {
				r = put_hex(out, c);
				i++;
			} else if (cp < 0xa0) {  /* C1: 8-bit CSI, OSC, ... */
				for (k = 0; k < len && r == EKSKIT_OK; k++)
					r = put_hex(out, p[i + k]);
				i += len;
			} else {
				r = ekbuf_append(out, p + i, len);
				i += len;
			}
			continue;
		}
		if ((c < 0x20 || c == 0x7f) && !((flags & TERM_KEEP_NEWLINES) &&
		    (c == '\n' || c == '\t')))
			r = put_hex(out, c);
		else
			r = ekbuf_putc(out, (char)c);
		i++;
	}
	if (r == EKSKIT_OK && out->data == NULL)
		r = ekbuf_puts(out, "");
	return r;
}

void
term_printf(FILE *f, const char *fmt, ...)
{
	struct ekbuf raw, safe;
	va_list ap;

	ekbuf_init_secret(&raw, 64 * 1024);
	ekbuf_init_secret(&safe, 256 * 1024);
	va_start(ap, fmt);
	if (ekbuf_vprintf(&raw, fmt, ap) == EKSKIT_OK && raw.data != NULL &&
	    term_escape(&safe, raw.data, raw.len, TERM_KEEP_NEWLINES) == EKSKIT_OK)
		fputs(safe.data, f);
	va_end(ap);
	ekbuf_release(&raw);
	ekbuf_release(&safe);
}
