/* Bounded buffers and string helpers: see include/ekskit/buf.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "ekskit/buf.h"
#include "ekskit/error.h"
#include "ekskit/fileio.h"

void
ekbuf_init(struct ekbuf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max ? max : EKBUF_MAX_FILE;
}

void
ekbuf_init_secret(struct ekbuf *b, size_t max)
{
	ekbuf_init(b, max);
	b->secret = 1;
}

static int
ekbuf_grow(struct ekbuf *b, size_t need)
{
	size_t ncap;
	char *n;

	if (b->max == 0)
		b->max = EKBUF_MAX_FILE;
	if (need > b->max || need + 1 < need)
		return EKSKIT_ERR_NOMEM;
	if (need + 1 <= b->cap)
		return EKSKIT_OK;
	ncap = b->cap ? b->cap : 64;
	while (ncap < need + 1)
		ncap *= 2;
	if (b->secret) {
		/* realloc could leave a copy of the secret behind: move by hand */
		if ((n = malloc(ncap)) == NULL)
			return EKSKIT_ERR_NOMEM;
		if (b->data != NULL) {
			memcpy(n, b->data, b->len + 1);
			ek_freezero(b->data, b->cap);
		}
	} else if ((n = realloc(b->data, ncap)) == NULL)
		return EKSKIT_ERR_NOMEM;
	b->data = n;
	b->cap = ncap;
	return EKSKIT_OK;
}

int
ekbuf_append(struct ekbuf *b, const void *p, size_t n)
{
	int r;

	if ((r = ekbuf_grow(b, b->len + n)) != EKSKIT_OK)
		return r;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return EKSKIT_OK;
}

int
ekbuf_puts(struct ekbuf *b, const char *s)
{
	return ekbuf_append(b, s, strlen(s));
}

int
ekbuf_putc(struct ekbuf *b, char c)
{
	return ekbuf_append(b, &c, 1);
}

int
ekbuf_vprintf(struct ekbuf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n, r;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return EKSKIT_ERR_INTERNAL;
	if ((r = ekbuf_grow(b, b->len + (size_t)n)) != EKSKIT_OK)
		return r;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return EKSKIT_OK;
}

int
ekbuf_printf(struct ekbuf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = ekbuf_vprintf(b, fmt, ap);
	va_end(ap);
	return r;
}

void
ekbuf_reset(struct ekbuf *b)
{
	if (b->data != NULL) {
		if (b->secret)
			OPENSSL_cleanse(b->data, b->cap);
		b->data[0] = '\0';
	}
	b->len = 0;
}

void
ekbuf_release(struct ekbuf *b)
{
	if (b == NULL)
		return;
	if (b->secret)
		ek_freezero(b->data, b->cap);
	else
		free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

char *
ekbuf_detach(struct ekbuf *b, size_t *len)
{
	char *p;

	if (b->data == NULL && ekbuf_grow(b, 0) != EKSKIT_OK)
		return NULL;
	if (b->len == 0)
		b->data[0] = '\0';
	p = b->data;
	if (len != NULL)
		*len = b->len;
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

char *
ek_strdup(const char *s)
{
	return s == NULL ? NULL : strdup(s);
}

char *
ek_strndup(const char *s, size_t n)
{
	return s == NULL ? NULL : strndup(s, n);
}

void
ek_freezero(void *p, size_t n)
{
	if (p == NULL)
		return;
	OPENSSL_cleanse(p, n);
	free(p);
}

void
ek_free_secret(char *s)
{
	if (s == NULL)
		return;
	ek_freezero(s, strlen(s));
}

int
ek_startswith(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

int
ek_endswith(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return ls >= lx && memcmp(s + ls - lx, suffix, lx) == 0;
}

int
ekbuf_reserve(struct ekbuf *b, size_t extra)
{
	if (b->len + extra < b->len)
		return EKSKIT_ERR_NOMEM;
	return ekbuf_grow(b, b->len + extra);
}

int
ek_read_file(const char *path, struct ekbuf *b, struct ekskit_err *err)
{
	char chunk[8192];
	struct stat st;
	ssize_t n;
	int fd, r = EKSKIT_OK;

	/* no blocking open: a FIFO named as a config file must not hang us */
	if ((r = ek_open_regular(path, &fd, err)) != EKSKIT_OK)
		return r;
	/* one allocation for the whole file (a too large one fails below) */
	if (fstat(fd, &st) == 0 && st.st_size > 0 &&
	    (size_t)st.st_size <= (b->max ? b->max : EKBUF_MAX_FILE))
		(void)ekbuf_reserve(b, (size_t)st.st_size);
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			r = ekskit_err_set(err, EKSKIT_ERR_IO, "reading %s: %s",
			    path, strerror(errno));
			break;
		}
		if (n == 0)
			break;
		if (ekbuf_append(b, chunk, (size_t)n) != EKSKIT_OK) {
			r = ekskit_err_set(err, EKSKIT_ERR_NOMEM,
			    "%s is larger than %zu bytes", path, b->max);
			break;
		}
	}
	OPENSSL_cleanse(chunk, sizeof(chunk));
	close(fd);
	if (r == EKSKIT_OK && b->data == NULL)
		r = ekbuf_append(b, "", 0);
	return r;
}

void
ek_strv_free(char **v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

const char *
ek_printable(char *dst, size_t dsz, const char *s)
{
	size_t i;

	if (s == NULL)
		s = "";
	for (i = 0; s[i] != '\0' && i + 1 < dsz; i++) {
		unsigned char c = (unsigned char)s[i];

		dst[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	dst[i] = '\0';
	if (s[i] != '\0' && dsz >= 4)
		memcpy(dst + dsz - 4, "...", 4);
	return dst;
}
