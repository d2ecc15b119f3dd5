/* Unit tests for lib/diff.c: the unified diffs of every --dry-run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ekskit/diff.h"
#include "ekskit/error.h"

static const char *
diff(struct ekbuf *d, const char *a, const char *b)
{
	ekbuf_reset(d);
	assert_int_equal(ek_unified_diff(a, strlen(a), b, strlen(b), "f", "g", d),
	    EKSKIT_OK);
	return d->data ? d->data : "";
}

static void
test_equal_texts_give_nothing(void **state)
{
	const char *a = "1\n2\n3\n";
	struct ekbuf d;

	(void)state;
	ekbuf_init(&d, 0);
	assert_string_equal(diff(&d, a, a), "");
	assert_int_equal(d.len, 0);
	assert_string_equal(diff(&d, "", ""), "");
	ekbuf_release(&d);
}

/* One change in the middle: three lines of context each side. */
static void
test_context(void **state)
{
	struct ekbuf d;

	(void)state;
	ekbuf_init(&d, 0);
	assert_string_equal(diff(&d, "1\n2\n3\n4\n5\n6\n7\n8\n", "1\n2\n3\n4\nX\n6\n7\n8\n"),
	    "--- f\n+++ g\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+X\n 6\n 7\n 8\n");
	/* changes far apart: one hunk spanning both */
	assert_string_equal(diff(&d, "a\n1\n2\n3\n4\nb\n", "A\n1\n2\n3\n4\nB\n"),
	    "--- f\n+++ g\n@@ -1,6 +1,6 @@\n-a\n-1\n-2\n-3\n-4\n-b\n+A\n+1\n+2\n+3\n+4\n+B\n");
	ekbuf_release(&d);
}

static void
test_ranges_at_the_edges(void **state)
{
	struct ekbuf d;

	(void)state;
	ekbuf_init(&d, 0);
	assert_string_equal(diff(&d, "", "a\n"), "--- f\n+++ g\n@@ -0,0 +1 @@\n+a\n");
	assert_string_equal(diff(&d, "a\n", ""), "--- f\n+++ g\n@@ -1 +0,0 @@\n-a\n");
	assert_string_equal(diff(&d, "a", "a\nb\n"), "--- f\n+++ g\n@@ -1 +1,2 @@\n-a\n"
	    "\\ No newline at end of file\n+a\n+b\n");
	ekbuf_release(&d);
}

/* Text from files others write never drives the terminal. */
static void
test_control_characters(void **state)
{
	struct ekbuf d;

	(void)state;
	ekbuf_init(&d, 0);
	assert_string_equal(diff(&d, "x\n", "x\n\033]0;pwned\007\tend\r\n"),
	    "--- f\n+++ g\n@@ -1 +1,2 @@\n x\n+?]0;pwned?\tend\n");
	/* a CR that is not a line end is shown */
	assert_string_equal(diff(&d, "a\rb\n", "c\n"), "--- f\n+++ g\n@@ -1 +1 @@\n-a?b\n+c\n");
	/* a NUL inside a line does not end it */
	assert_int_equal(ek_unified_diff("a\0b\n", 4, "a\n", 2, "f", "g", &d), EKSKIT_OK);
	assert_non_null(strstr(d.data, "-a?b\n+a\n"));
	ekbuf_release(&d);
}

/* A full buffer: NOMEM, never a crash or an unterminated result. */
static void
test_out_of_room(void **state)
{
	struct ekbuf d;

	(void)state;
	ekbuf_init(&d, 16);
	assert_int_equal(ek_unified_diff("a\n", 2, "b\n", 2, "a-long-label", "b", &d),
	    EKSKIT_ERR_NOMEM);
	ekbuf_release(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_equal_texts_give_nothing),
		cmocka_unit_test(test_context),
		cmocka_unit_test(test_ranges_at_the_edges),
		cmocka_unit_test(test_control_characters),
		cmocka_unit_test(test_out_of_room),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
