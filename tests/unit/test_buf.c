/* Unit tests for lib/buf.c and lib/error.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "ekskit/buf.h"
#include "ekskit/error.h"

static void
test_append_and_cap(void **state)
{
	struct ekbuf b;

	(void)state;
	ekbuf_init(&b, 8);
	assert_int_equal(ekbuf_puts(&b, "abcd"), EKSKIT_OK);
	assert_int_equal(ekbuf_printf(&b, "%d", 123), EKSKIT_OK);
	assert_string_equal(b.data, "abcd123");
	assert_int_equal(ekbuf_puts(&b, "xy"), EKSKIT_ERR_NOMEM);
	assert_string_equal(b.data, "abcd123");
	ekbuf_release(&b);
	assert_null(b.data);
}

static void
test_secret_growth(void **state)
{
	struct ekbuf b;
	char *s;
	int i;

	(void)state;
	ekbuf_init_secret(&b, 0);
	for (i = 0; i < 100; i++)
		assert_int_equal(ekbuf_puts(&b, "secret"), EKSKIT_OK);
	assert_int_equal(b.len, 600);
	s = ekbuf_detach(&b, NULL);
	assert_int_equal(strlen(s), 600);
	ek_free_secret(s);
}

static void
test_error_prefix(void **state)
{
	struct ekskit_err err;

	(void)state;
	ekskit_err_clear(&err);
	assert_int_equal(ekskit_err_set(&err, EKSKIT_ERR_INVALID, "bad %s", "x"),
	    EKSKIT_ERR_INVALID);
	assert_int_equal(ekskit_err_prefix(&err, "file %s", "f"), EKSKIT_ERR_INVALID);
	assert_string_equal(err.msg, "file f: bad x");
	assert_int_equal(ekskit_err_set(NULL, EKSKIT_ERR_IO, "x"), EKSKIT_ERR_IO);
}

static void
test_read_file_missing(void **state)
{
	struct ekskit_err err;
	struct ekbuf b;

	(void)state;
	ekbuf_init(&b, 0);
	assert_int_equal(ek_read_file("/nonexistent/ekskit", &b, &err),
	    EKSKIT_ERR_NOT_FOUND);
	assert_non_null(strstr(err.msg, "/nonexistent/ekskit"));
	assert_int_equal(ek_read_file("/dev/null", &b, &err), EKSKIT_ERR_IO);
	ekbuf_release(&b);
}

static void
write_bytes(const char *path, size_t n)
{
	FILE *f = fopen(path, "wb");
	size_t i;

	assert_non_null(f);
	for (i = 0; i < n; i++)
		fputc((int)('a' + i % 26), f);
	assert_int_equal(fclose(f), 0);
}

/* Files read whole, at and around the cap, in and past one read's size. */
static void
test_read_file_sizes(void **state)
{
	static const size_t sizes[] = { 0, 1, 8191, 65535, 65536, 65537, 300001 };
	char path[] = "/tmp/ekskit-test-buf.XXXXXX";
	struct ekskit_err err;
	struct ekbuf b;
	size_t i, j;
	int fd;

	(void)state;
	assert_true((fd = mkstemp(path)) >= 0);
	close(fd);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		write_bytes(path, sizes[i]);
		if (sizes[i] == 0) {
			ekbuf_init(&b, 0);
			assert_int_equal(ek_read_file(path, &b, &err), EKSKIT_OK);
			assert_int_equal(b.len, 0);
			assert_string_equal(b.data, "");
			ekbuf_release(&b);
			continue;
		}
		/* max == size: fits exactly; max == size - 1: one byte too many */
		for (j = 0; j < 2; j++) {
			size_t max = sizes[i] - j;
			if (max == 0)
				continue;       /* 0 would mean the default cap */
			ekbuf_init_secret(&b, max);
			ekskit_err_clear(&err);
			if (j == 0) {
				assert_int_equal(ek_read_file(path, &b, &err), EKSKIT_OK);
				assert_int_equal(b.len, sizes[i]);
				assert_int_equal(b.data[b.len], '\0');
				if (b.len > 0)
					assert_int_equal(b.data[b.len - 1], 'a' + (sizes[i] - 1) % 26);
				assert_true(b.dirty == b.len + 1);
			} else {
				assert_int_equal(ek_read_file(path, &b, &err), EKSKIT_ERR_NOMEM);
				assert_non_null(strstr(err.msg, "larger than"));
			}
			ekbuf_release(&b);
		}
	}
	unlink(path);
	/* a regular file whose size stat does not know (procfs says 0) */
	ekbuf_init(&b, 0);
	assert_int_equal(ek_read_file("/proc/self/status", &b, &err), EKSKIT_OK);
	assert_non_null(strstr(b.data, "Name:"));
	ekbuf_release(&b);
}

/* Room reserved is not written, so a wipe need not touch it. */
static void
test_dirty_mark(void **state)
{
	struct ekbuf b;

	(void)state;
	ekbuf_init_secret(&b, 0);
	assert_int_equal(ekbuf_reserve(&b, 1 << 20), EKSKIT_OK);
	assert_true(b.cap > (1 << 20));
	assert_int_equal(b.dirty, 1);           /* just the NUL of the empty string */
	assert_string_equal(b.data, "");
	assert_int_equal(ekbuf_puts(&b, "token"), EKSKIT_OK);
	assert_int_equal(b.dirty, 6);
	b.len = 2;              /* callers may cut the end off */
	assert_int_equal(ekbuf_puts(&b, "x"), EKSKIT_OK);
	assert_int_equal(b.dirty, 6);   /* "token"'s tail is still there to wipe */
	ekbuf_reset(&b);
	assert_int_equal(b.dirty, 1);
	assert_int_equal(b.data[0], '\0');
	ekbuf_release(&b);
	assert_int_equal(b.dirty, 0);
}

/* Untrusted text for messages: no control bytes, long text cut with "...". */
static void
test_printable(void **state)
{
	char small[8], big[64];

	(void)state;
	assert_string_equal(ek_printable(big, sizeof(big), "a\033[2Jb\r\n\x7f\xc3\xa9"),
	    "a?[2Jb?????");
	assert_string_equal(ek_printable(small, sizeof(small), "abcdefghij"), "abcd...");
	assert_string_equal(ek_printable(small, sizeof(small), "abcdefg"), "abcdefg");
	assert_string_equal(ek_printable(small, sizeof(small), NULL), "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_append_and_cap),
		cmocka_unit_test(test_secret_growth),
		cmocka_unit_test(test_error_prefix),
		cmocka_unit_test(test_read_file_missing),
		cmocka_unit_test(test_read_file_sizes),
		cmocka_unit_test(test_dirty_mark),
		cmocka_unit_test(test_printable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
