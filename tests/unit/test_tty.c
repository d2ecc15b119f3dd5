/* Unit tests for lib/tty.c (answers come from a file via EKSKIT_TTY). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "ekskit/buf.h"
#include "ekskit/tty.h"

static char path[64];

static void
answers(const char *text)
{
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/ekskit-test-tty.%ld", (long)getpid());
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	setenv("EKSKIT_TTY", path, 1);
}

static int
cleanup(void **state)
{
	(void)state;
	unlink(path);
	unsetenv("EKSKIT_TTY");
	return 0;
}

static void
test_read_line(void **state)
{
	char *s = NULL;

	(void)state;
	answers("hello world\r\nnext\n");
	assert_int_equal(tty_read_line("? ", &s, NULL), EKSKIT_OK);
	assert_string_equal(s, "hello world");
	ek_free_secret(s);
	answers("");
	assert_int_equal(tty_read_line("? ", &s, NULL), EKSKIT_ERR_IO);
	assert_null(s);
	answers("no newline at end");
	assert_int_equal(tty_read_line("? ", &s, NULL), EKSKIT_OK);
	assert_string_equal(s, "no newline at end");
	ek_free_secret(s);
}

static void
test_too_long(void **state)
{
	char line[TTY_MAX_ANSWER + 10], *s = NULL;

	(void)state;
	memset(line, '1', sizeof(line) - 2);
	line[sizeof(line) - 2] = '\n';
	line[sizeof(line) - 1] = '\0';
	answers(line);
	assert_int_equal(tty_read_line("? ", &s, NULL), EKSKIT_ERR_INVALID);
	assert_null(s);
}

static void
test_mfa_code(void **state)
{
	struct ekskit_err err;
	char *code = NULL;

	(void)state;
	answers("123456\n");
	assert_int_equal(tty_read_mfa_code("dev", "arn:aws:iam::1:mfa/u", &code, NULL), 0);
	assert_string_equal(code, "123456");
	ek_free_secret(code);
	/* bad answers are asked again, up to three times */
	answers("12a456\n\n654321\n");
	assert_int_equal(tty_read_mfa_code("dev", "arn:aws:iam::1:mfa/u", &code, NULL), 0);
	assert_string_equal(code, "654321");
	ek_free_secret(code);
	answers("1\n22\n333\n444444\n");
	ekskit_err_clear(&err);
	assert_int_equal(tty_read_mfa_code("dev", "arn:aws:iam::1:mfa/u", &code, &err),
	    EKSKIT_ERR_INVALID);
	assert_null(code);
}

static void
test_no_terminal(void **state)
{
	struct ekskit_err err;
	char *code = NULL;

	(void)state;
	setenv("EKSKIT_TTY", "/nonexistent/tty", 1);
	ekskit_err_clear(&err);
	assert_int_equal(tty_read_mfa_code("dev", "arn:aws:iam::1:mfa/u", &code, &err),
	    EKSKIT_ERR_CONFIG);
	assert_null(code);
	assert_non_null(strstr(err.msg, "no terminal"));
	assert_non_null(strstr(err.msg, "profile 'dev' requires an MFA code"));
	assert_non_null(strstr(err.msg, "arn:aws:iam::1:mfa/u"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_read_line, cleanup),
		cmocka_unit_test_teardown(test_too_long, cleanup),
		cmocka_unit_test_teardown(test_mfa_code, cleanup),
		cmocka_unit_test_teardown(test_no_terminal, cleanup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
