/* Unit tests for lib/termsafe.c: control characters never reach the terminal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ekskit/buf.h"
#include "ekskit/cli.h"
#include "ekskit/termsafe.h"

static void
test_escape_table(void **state)
{
	static const struct {
		const char *in, *want;
		unsigned flags;
	} cases[] = {
		{ "plain text", "plain text", 0 },
		{ "OSC \x1b]0;title\x07 end", "OSC \\x1b]0;title\\x07 end", 0 },
		{ "CSI \x1b[2J", "CSI \\x1b[2J", 0 },
		{ "cr\rlf\ntab\tdel\x7f", "cr\\x0dlf\\x0atab\\x09del\\x7f", 0 },
		{ "lf\ntab\tcr\r", "lf\ntab\tcr\\x0d", TERM_KEEP_NEWLINES },
		{ "C1 CSI \xc2\x9b" "31m", "C1 CSI \\xc2\\x9b31m", 0 },
		{ "utf-8 caf\xc3\xa9 \xe2\x82\xac", "utf-8 caf\xc3\xa9 \xe2\x82\xac", 0 },
		{ "lone \x9b byte", "lone \\x9b byte", 0 },
		{ "overlong \xc0\xaf", "overlong \\xc0\\xaf", 0 },
		{ "cut \xe2\x82", "cut \\xe2\\x82", 0 },
		{ "surrogate \xed\xa0\x80", "surrogate \\xed\\xa0\\x80", 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ekbuf b;

		ekbuf_init(&b, 0);
		assert_int_equal(term_escape(&b, cases[i].in, strlen(cases[i].in),
		    cases[i].flags), 0);
		if (strcmp(b.data, cases[i].want) != 0)
			fail_msg("case %zu: got [%s] want [%s]", i, b.data, cases[i].want);
		ekbuf_release(&b);
	}
}

/* cli_error / cli_warn escape once, where messages are printed. */
static void
test_cli_messages_escaped(void **state)
{
	struct cli_logger lg;
	char out[512];
	FILE *f;
	size_t n;

	(void)state;
	f = tmpfile();
	assert_non_null(f);
	cli_logger_init(&lg, "eks-test", 1);
	lg.out = f;
	cli_error(&lg, "AccessDenied%s: %s", "\x1b]0;x\x07", "line1\nline2");
	cli_warn(&lg, "bell\x07");
	cli_log(&lg, "diff:\n+a\x1b[31m");
	rewind(f);
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	fclose(f);
	assert_string_equal(out,
	    "eks-test: AccessDenied\\x1b]0;x\\x07: line1\\x0aline2\n"
	    "eks-test: warning: bell\\x07\n"
	    "eks-test: diff:\n+a\\x1b[31m\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_table),
		cmocka_unit_test(test_cli_messages_escaped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
