/* Unit tests for lib/buf.c and lib/error.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
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
		cmocka_unit_test(test_printable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
