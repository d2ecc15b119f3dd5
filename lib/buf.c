/* Bounded buffers and string helpers: see include/ekskit/buf.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
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

#define HUGE_PAGE ((size_t)2 << 20)

void *
ek_malloc_large(size_t n)
{
	void *p;

	if (n < EK_LARGE_ALLOC || n > SIZE_MAX - HUGE_PAGE)
		return malloc(n);
	n = (n + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	if (posix_memalign(&p, HUGE_PAGE, n) != 0)
		return NULL;
#ifdef MADV_HUGEPAGE
	/* only a hint: "never" or a kernel without THP keep 4 KiB pages */
	(void)madvise(p, n, MADV_HUGEPAGE);
#endif
	return p;
}

/* Bytes [0, upto) of b now hold data a wipe must cover. */
static void
note_written(struct ekbuf *b, size_t upto)
{
	if (upto > b->dirty)
		b->dirty = upto;
}

/* The bytes of b that may hold data: the high-water mark of writes. */
static size_t
wipe_len(const struct ekbuf *b)
{
	return b->dirty < b->cap ? b->dirty : b->cap;
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
	if (b->secret || ncap >= EK_LARGE_ALLOC) {
		/* realloc could leave a copy of a secret behind: move by hand */
		if ((n = ek_malloc_large(ncap)) == NULL)
			return EKSKIT_ERR_NOMEM;
		if (b->data != NULL) {
			memcpy(n, b->data, b->len + 1);
			if (b->secret)
				ek_freezero(b->data, wipe_len(b));
			else
				free(b->data);
		}
	} else if ((n = realloc(b->data, ncap)) == NULL)
		return EKSKIT_ERR_NOMEM;
	if (b->data == NULL)
		n[0] = '\0';           /* a reserved buffer is an empty string */
	b->data = n;
	b->cap = ncap;
	note_written(b, 1);
	return EKSKIT_OK;
}


/*
 * Make room for need bytes plus the NUL, and remember that they are about
 * to be written: a wipe covers what was written, not the whole allocation
 * (wiping a large reserved but untouched tail would fault every page of it
 * in just to zero it).
 */
static int
ekbuf_grow_for_write(struct ekbuf *b, size_t need)
{
	int r = ekbuf_grow(b, need);

	if (r == EKSKIT_OK)
		note_written(b, need + 1);
	return r;
}

int
ekbuf_append(struct ekbuf *b, const void *p, size_t n)
{
	int r;

	if ((r = ekbuf_grow_for_write(b, b->len + n)) != EKSKIT_OK)
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
	if ((r = ekbuf_grow_for_write(b, b->len + (size_t)n)) != EKSKIT_OK)
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
			OPENSSL_cleanse(b->data, wipe_len(b));
		b->data[0] = '\0';
	}
	b->len = 0;
	b->dirty = b->data != NULL;
}

void
ekbuf_release(struct ekbuf *b)
{
	if (b == NULL)
		return;
	if (b->secret)
		ek_freezero(b->data, wipe_len(b));
	else
		free(b->data);
	b->data = NULL;
	b->len = b->cap = b->dirty = 0;
}

char *
ekbuf_detach(struct ekbuf *b, size_t *len)
{
	char *p;

	if (b->data == NULL && ekbuf_grow_for_write(b, 0) != EKSKIT_OK)
		return NULL;
	if (b->len == 0)
		b->data[0] = '\0';
	p = b->data;
	if (len != NULL)
		*len = b->len;
	b->data = NULL;
	b->len = b->cap = b->dirty = 0;
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

/*
 * Read from fd straight into the buffer's free space (no bounce buffer: a
 * 10 MB kubeconfig is copied once, by the kernel).  Bytes read, 0 at end of
 * file, -1 with errno, or -2 when the file passes the buffer's maximum (or
 * memory runs out).
 */
static ssize_t
ekbuf_read_fd(struct ekbuf *b, int fd)
{
	size_t max = b->max ? b->max : EKBUF_MAX_FILE, room;
	char probe;
	ssize_t n;

	room = b->cap > b->len + 1 ? b->cap - b->len - 1 : 0;
	if (room == 0 && b->len < max) {
		room = max - b->len < 65536 ? max - b->len : 65536;
		if (ekbuf_grow(b, b->len + room) != EKSKIT_OK)
			return -2;
	}
	if (room > max - b->len)
		room = max - b->len;
	if (room == 0) {
		/* full: one more byte says whether the file is larger */
		while ((n = read(fd, &probe, 1)) == -1 && errno == EINTR)
			;
		return n > 0 ? -2 : n;
	}
	while ((n = read(fd, b->data + b->len, room)) == -1 && errno == EINTR)
		;
	if (n > 0) {
		b->len += (size_t)n;
		b->data[b->len] = '\0';
		note_written(b, b->len + 1);
	}
	return n;
}

int
ek_read_file(const char *path, struct ekbuf *b, struct ekskit_err *err)
{
	struct stat st;
	ssize_t n;
	int fd, r;

	/* no blocking open: a FIFO named as a config file must not hang us */
	if ((r = ek_open_regular(path, &fd, err)) != EKSKIT_OK)
		return r;
	/* one allocation for the whole file (a too large one fails below) */
	if (fstat(fd, &st) == 0 && st.st_size > 0 &&
	    (size_t)st.st_size <= (b->max ? b->max : EKBUF_MAX_FILE))
		(void)ekbuf_reserve(b, (size_t)st.st_size);
	while ((n = ekbuf_read_fd(b, fd)) > 0)
		;
	if (n == -1)
		r = ekskit_err_set(err, EKSKIT_ERR_IO, "reading %s: %s", path,
		    strerror(errno));
	else if (n == -2)
		r = ekskit_err_set(err, EKSKIT_ERR_NOMEM, "%s is larger than %zu bytes",
		    path, b->max);
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

int
ek_has_control(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
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
