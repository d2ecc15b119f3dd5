/*
 * Bounded growable byte buffers and small string helpers.
 *
 * struct ekbuf carries a maximum size (like curl's dynbuf): appending past
 * `max` fails with EKSKIT_ERR_NOMEM instead of letting untrusted input make
 * us allocate without bound.  `data` is always NUL-terminated once anything
 * was appended, so text can be used as a C string.
 */
#ifndef EKSKIT_BUF_H
#define EKSKIT_BUF_H

#include <stdarg.h>
#include <stddef.h>

/* Default caps for untrusted input. */
#define EKBUF_MAX_RESPONSE	(16u * 1024 * 1024)  /* HTTP bodies */
#define EKBUF_MAX_FILE		(16u * 1024 * 1024)  /* config files, kubeconfigs */

struct ekbuf {
	char *data;     /* owned; NULL until the first append */
	size_t len;     /* bytes used, excluding the terminating NUL */
	size_t cap;     /* bytes allocated */
	size_t max;     /* hard cap on len; 0 means EKBUF_MAX_FILE */
	size_t dirty;   /* bytes ever written (<= cap): what a wipe must cover */
	int secret;     /* when set, growth and release wipe the old storage */
};

/* Initialise an empty buffer with a size cap (0 = EKBUF_MAX_FILE). */
void ekbuf_init(struct ekbuf *b, size_t max);
/* Same, for buffers that will hold secrets: every copy is wiped. */
void ekbuf_init_secret(struct ekbuf *b, size_t max);

/* Append bytes / a C string / formatted text.  0 or EKSKIT_ERR_NOMEM. */
int ekbuf_append(struct ekbuf *b, const void *p, size_t n);
int ekbuf_puts(struct ekbuf *b, const char *s);
int ekbuf_putc(struct ekbuf *b, char c);
int ekbuf_printf(struct ekbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int ekbuf_vprintf(struct ekbuf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/*
 * Make room for `extra` more bytes in one allocation (appends up to that
 * size then never copy the buffer again).  0, or EKSKIT_ERR_NOMEM beyond
 * the buffer's maximum or when memory runs out; the contents are kept.
 */
int ekbuf_reserve(struct ekbuf *b, size_t extra);
/* Forget the contents but keep the allocation (wiped when secret). */
void ekbuf_reset(struct ekbuf *b);
/* Free the storage (wiped when secret); the buffer is empty afterwards. */
void ekbuf_release(struct ekbuf *b);
/*
 * Hand the storage to the caller, who owns it and must free() it (or
 * ek_free_secret() it for secret buffers).  Returns "" copy if empty; NULL
 * only on allocation failure.  The buffer is empty afterwards.
 */
char *ekbuf_detach(struct ekbuf *b, size_t *len);

/* strdup that returns NULL for NULL.  Caller frees. */
char *ek_strdup(const char *s);
/* strndup. Caller frees. */
char *ek_strndup(const char *s, size_t n);
/* Wipe (OPENSSL_cleanse) then free a NUL-terminated secret.  NULL is fine. */
void ek_free_secret(char *s);
/* Wipe then free n bytes.  NULL is fine. */
void ek_freezero(void *p, size_t n);

/*
 * malloc for a large array that will be filled (EK_LARGE_ALLOC bytes or
 * more): aligned to 2 MiB and, on Linux, offered to transparent huge pages,
 * so filling it costs one page fault per 2 MiB instead of one per 4 KiB (a
 * 5,000-context kubeconfig's document is about 20 MB; on a virtual machine
 * its faults were a quarter of the run).  Smaller sizes are plain malloc.
 * The caller owns the memory and releases it with free() (or ek_freezero).
 */
#define EK_LARGE_ALLOC (4u * 1024 * 1024)
void *ek_malloc_large(size_t n);
/* Free a NULL-terminated array of malloc'd strings and the array.  NULL is fine. */
void ek_strv_free(char **v);
/* 1 if s starts with prefix / ends with suffix. */
int ek_startswith(const char *s, const char *prefix);
int ek_endswith(const char *s, const char *suffix);

/* 1 if s holds a C0 control character (tab and newline included) or DEL. */
int ek_has_control(const char *s);

/*
 * Copy untrusted text s (may be NULL) into dst[dsz] (dsz >= 4) for an error
 * message or a terminal: control characters, DEL and non-ASCII bytes become
 * '?', text that does not fit is cut and ends in "...".  Returns dst.
 */
const char *ek_printable(char *dst, size_t dsz, const char *s);

/*
 * Read a whole regular file into b (bounded by b->max).  Refuses FIFOs and
 * devices.  0, EKSKIT_ERR_NOT_FOUND (ENOENT), EKSKIT_ERR_PERM, EKSKIT_ERR_IO
 * or EKSKIT_ERR_NOMEM (too large).  err gets a message naming the file.
 */
struct ekskit_err;
int ek_read_file(const char *path, struct ekbuf *b, struct ekskit_err *err);

#endif /* EKSKIT_BUF_H */
