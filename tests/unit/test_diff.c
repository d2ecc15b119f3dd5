/* Unit tests for lib/diff.c: the unified diffs of every --dry-run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
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
	/* two changes close together: one hunk, the lines between as context */
	assert_string_equal(diff(&d, "a\n1\n2\n3\n4\nb\n", "A\n1\n2\n3\n4\nB\n"),
	    "--- f\n+++ g\n@@ -1,6 +1,6 @@\n-a\n+A\n 1\n 2\n 3\n 4\n-b\n+B\n");
	/* far apart (more than twice the context between): two hunks */
	assert_string_equal(diff(&d, "a\n1\n2\n3\n4\n5\n6\n7\nb\n",
	    "A\n1\n2\n3\n4\n5\n6\n7\nB\n"),
	    "--- f\n+++ g\n@@ -1,4 +1,4 @@\n-a\n+A\n 1\n 2\n 3\n"
	    "@@ -6,4 +6,4 @@\n 5\n 6\n 7\n-b\n+B\n");
	/* a line moved: kept where the longest common part says */
	assert_string_equal(diff(&d, "x\ny\nz\n", "y\nz\nx\n"),
	    "--- f\n+++ g\n@@ -1,3 +1,3 @@\n-x\n y\n z\n+x\n");
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

/* Texts too different to match line by line within the edit limit: one
 * hunk over everything between the common prefix and suffix. */
static void
test_too_different(void **state)
{
	struct ekbuf a, b, d;
	const char *first;
	int i;

	(void)state;
	ekbuf_init(&a, 0);
	ekbuf_init(&b, 0);
	ekbuf_init(&d, 0);
	assert_int_equal(ekbuf_puts(&a, "head\n"), 0);
	assert_int_equal(ekbuf_puts(&b, "head\n"), 0);
	for (i = 0; i < 1500; i++) {
		assert_int_equal(ekbuf_printf(&a, "a%d\n", i), 0);
		assert_int_equal(ekbuf_printf(&b, "b%d\n", i), 0);
	}
	assert_int_equal(ek_unified_diff(a.data, a.len, b.data, b.len, "f", "g", &d), 0);
	assert_non_null(first = strstr(d.data, "\n@@ -1,1501 +1,1501 @@\n head\n-a0\n"));
	assert_null(strstr(first + 1, "\n@@"));        /* one hunk */
	ekbuf_release(&a);
	ekbuf_release(&b);
	ekbuf_release(&d);
}

static void
write_file(const char *path, const char *data, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

/* A random text of lines from a small alphabet (so that many lines match). */
static void
random_text(struct ekbuf *t, unsigned *seed, int lines)
{
	int i;

	for (i = 0; i < lines; i++)
		assert_int_equal(ekbuf_printf(t, "%c\n", 'a' + rand_r(seed) % 5), 0);
	if (rand_r(seed) % 4 == 0 && t->len > 0)
		t->data[--t->len] = '\0';      /* sometimes no newline at the end */
}

/* Whatever the texts, patch(1) turns a into b with the diff. */
static void
test_patch_round_trip(void **state)
{
	char dir[] = "/tmp/ekskit-test-diff.XXXXXX", pa[64], pd[64], po[64], cmd[256];
	struct ekbuf a, b, d, got;
	unsigned seed = 12345;
	int round;

	(void)state;
	if (system("command -v patch >/dev/null 2>&1") != 0)
		fail_msg("patch(1) is needed (make deps installs it)");
	assert_non_null(mkdtemp(dir));
	snprintf(pa, sizeof(pa), "%s/a", dir);
	snprintf(pd, sizeof(pd), "%s/d", dir);
	snprintf(po, sizeof(po), "%s/o", dir);
	snprintf(cmd, sizeof(cmd), "patch -s -o %s %s < %s", po, pa, pd);
	for (round = 0; round < 150; round++) {
		ekbuf_init(&a, 0);
		ekbuf_init(&b, 0);
		ekbuf_init(&d, 0);
		ekbuf_init(&got, 0);
		/* the last rounds are long: past the edit limit, one hunk */
		random_text(&a, &seed, round < 145 ? rand_r(&seed) % 40 : 1500);
		random_text(&b, &seed, round < 145 ? rand_r(&seed) % 40 : 1500);
		assert_int_equal(ek_unified_diff(a.data ? a.data : "", a.len,
		    b.data ? b.data : "", b.len, "a", "b", &d), 0);
		write_file(pa, a.data ? a.data : "", a.len);
		write_file(pd, d.data ? d.data : "", d.len);
		unlink(po);
		if (d.len == 0)
			write_file(po, a.data ? a.data : "", a.len);
		else if (system(cmd) != 0)
			fail_msg("round %d: patch refused the diff:\n%s", round, d.data);
		assert_int_equal(ek_read_file(po, &got, NULL), 0);
		if (got.len != b.len || memcmp(got.data, b.data ? b.data : "", b.len) != 0)
			fail_msg("round %d: patched text differs\ndiff:\n%s", round, d.data);
		ekbuf_release(&a);
		ekbuf_release(&b);
		ekbuf_release(&d);
		ekbuf_release(&got);
	}
	unlink(pa);
	unlink(pd);
	unlink(po);
	unlink(strcat(strcpy(cmd, po), ".orig"));
	rmdir(dir);
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
		cmocka_unit_test(test_too_different),
		cmocka_unit_test(test_patch_round_trip),
		cmocka_unit_test(test_out_of_room),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
